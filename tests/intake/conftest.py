import pytest

from fengqiao.intake.actions import intake_system_create


@pytest.fixture
def hotline(world):
    """仙游县's 12345 platform, serving the county, with a callback URL; `.key` is its raw key."""
    system, key = intake_system_create(name="仙游县12345平台", source="hotline_12345", within=world.county,
                                       callback_url="http://127.0.0.1:9/12345/callback", actor=None)
    system.key = key
    return system


@pytest.fixture
def desk110(world):
    system, key = intake_system_create(name="仙游县110非警务警情", source="police_110", within=world.county,
                                       actor=None)
    system.key = key
    return system


@pytest.fixture
def feed(client):
    """feed(source, body, key=…, headers=…) → response; body may be a dict or raw bytes/str."""
    import json

    def post(source, body, *, key=None, bearer=None, content_type="application/json"):
        headers = {}
        if key is not None:
            headers["HTTP_X_API_KEY"] = key
        if bearer is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {bearer}"
        data = body if isinstance(body, (bytes, str)) else json.dumps(body, ensure_ascii=False)
        return client.post(f"/api/v1/intake/{source}", data, content_type=content_type, **headers)

    return post
