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


def _document(client):
    return client.get("/api/v1/openapi.json").json()


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_every_ref_in_the_document_resolves(client):
    doc = _document(client)
    refs = {n["$ref"] for n in _walk(doc) if isinstance(n.get("$ref"), str)}
    assert refs
    for ref in refs:
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.rsplit("/", 1)[1] in doc["components"]["schemas"], ref


def test_every_operation_declares_its_errors_in_the_error_shape(client):
    doc = _document(client)
    error = doc["components"]["schemas"]["ErrorOut"]
    assert set(error["required"]) == {"code", "message"}
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            expected = {"400", "404"} | ({"401", "403"} if operation.get("security") else set())
            responses = operation["responses"]
            assert expected <= set(responses), (method, path, sorted(responses))
            for code in expected:
                schema = responses[code]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, code)


def test_the_feed_declares_its_own_errors_too(client):
    responses = _document(client)["paths"]["/api/v1/intake/{source}"]["post"]["responses"]
    assert {"400", "401", "403", "404", "413"} <= set(responses)


def test_every_query_parameter_has_a_type_and_integers_have_bounds(client):
    doc = _document(client)
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            for param in operation.get("parameters", []):
                if param["in"] != "query":
                    continue
                schema = param["schema"]
                types = {schema.get("type")} | {s.get("type") for s in schema.get("anyOf", [])}
                assert types - {None}, (method, path, param["name"])
                if "integer" in types:
                    bounded = [s for s in [schema, *schema.get("anyOf", [])] if s.get("type") == "integer"]
                    assert all("minimum" in s and "maximum" in s for s in bounded), (method, path, param["name"])


def test_the_stats_query_parameters_are_documented(client):
    paths = _document(client)["paths"]
    names = {p["name"] for p in paths["/api/v1/stats/ranking"]["get"]["parameters"]}
    assert {"region", "start", "end", "category", "source", "campaign", "level", "measure",
            "min_denominator"} <= names
    overdue = {p["name"]: p for p in paths["/api/v1/stats/overdue"]["get"]["parameters"]}
    assert overdue["limit"]["schema"]["maximum"] == 1000


def _schema_classes():
    from ninja import Schema

    seen, todo = [], list(Schema.__subclasses__())
    while todo:
        cls = todo.pop()
        seen.append(cls)
        todo.extend(cls.__subclasses__())
    return [c for c in seen if c.__module__.startswith("fengqiao.")]


def test_no_two_schemas_of_the_api_share_a_name(client):
    """The document keys its schemas by class name: two apps' `TimelineEntry` made one of them
    describe the other's fields (the majors' timeline lost its `label`)."""
    _document(client)  # every router imported
    by_name: dict[str, set[str]] = {}
    for cls in _schema_classes():
        by_name.setdefault(cls.__name__, set()).add(f"{cls.__module__}.{cls.__qualname__}")
    clashes = {name: where for name, where in by_name.items() if len(where) > 1}
    assert clashes == {}
    doc = _document(client)
    timeline = doc["paths"]["/api/v1/majors/{matter_id}/timeline"]["get"]["responses"]["200"]
    ref = _walk(timeline)
    names = {n["$ref"].rsplit("/", 1)[1] for n in ref if isinstance(n.get("$ref"), str)}
    assert any("label" in doc["components"]["schemas"][n]["properties"] for n in names)
