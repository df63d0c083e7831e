"""The API documents itself at /api/v1/openapi.json."""


def test_openapi_lists_the_event_endpoints(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for path in ("/api/v1/events", "/api/v1/events/{event_id}", "/api/v1/events/{event_id}/actions",
                 "/api/v1/events/{event_id}/timeline", "/api/v1/me/worklist", "/api/v1/categories",
                 "/api/v1/me/notifications"):
        assert path in paths, path
    sources = r.json()["components"]["schemas"]["EventIn"]["properties"]["source"]
    assert "hotline_12345" in str(sources)


def test_categories_are_listed_with_codes(api, world):
    r = api.get("/categories", user=world.secretary_a.user)
    codes = {c["code"]: c for c in r.json()}
    assert codes["dispute.wages"]["name"] == "劳资纠纷"
    assert codes["dispute.wages"]["parent_code"] == "dispute"
    assert {"dispute", "hazard", "livelihood", "petition", "city", "environment"} <= set(codes)
