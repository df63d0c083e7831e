import pytest

from tests.factories import build_world


@pytest.fixture(autouse=True)
def huey_inline():
    """Tasks run inline on an in-memory queue: no test writes to the shared var/huey.db."""
    from huey.contrib.djhuey import HUEY

    previous = HUEY.immediate
    HUEY.immediate = True
    try:
        yield HUEY
    finally:
        HUEY.immediate = previous


@pytest.fixture
def world(db):
    """Xianyou's 度尾镇 (洋坂村 = village A, 剑山村 = B) and 郊尾镇 (梅塘村 = C), with named people."""
    return build_world()


@pytest.fixture
def api(client):
    """A JSON client: api.get(path, user=...), api.post(path, data, user=...)."""
    import json

    class Api:
        def __init__(self, client):
            self.client = client

        def _login(self, user):
            if user is not None:
                self.client.force_login(user)
            else:
                self.client.logout()

        def get(self, path, user=None, **params):
            self._login(user)
            return self.client.get("/api/v1" + path, params)

        def post(self, path, data=None, user=None):
            self._login(user)
            return self.client.post("/api/v1" + path, json.dumps(data or {}), content_type="application/json")

    return Api(client)


def pytest_configure(config):
    from django.conf import settings

    # Hashing passwords properly costs ~0.2 s each; tests create dozens of logins.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
