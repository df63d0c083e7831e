"""Discovery, the service list and service definitions, in XML and JSON; unknown formats, codes
and paths answer in the spec's error shape."""

from __future__ import annotations

import pytest

from fengqiao.events.models import Category
from fengqiao.open311.models import Service, ServiceAttribute

pytestmark = pytest.mark.django_db


def test_discovery_names_the_v2_endpoint_and_both_formats(o311):
    response = o311.get("discovery.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = o311.body(response)
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(body)
    (endpoint,) = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["type"] == "production"
    assert endpoint["changeset"].endswith("+08:00")


def test_discovery_in_xml_and_at_the_endpoint_root(o311, client):
    root = o311.body(o311.get("discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]
    assert o311.body(client.get("/open311/discovery.xml")).tag == "discovery"
    assert o311.body(client.get("/open311/v2/")).tag == "discovery"


def test_service_list_in_xml_offers_the_default_categories_with_metadata_flags(o311):
    root = o311.body(o311.get("services.xml"))
    assert root.tag == "services"
    services = {s.findtext("service_code"): s for s in root.findall("service")}
    fire = services["hazard.fire"]
    assert fire.findtext("service_name") == "消防安全隐患"
    assert fire.findtext("metadata") == "true"
    assert fire.findtext("type") == "realtime"
    assert fire.findtext("group") == "安全隐患"
    assert "电动车" in fire.findtext("keywords")
    assert services["dispute.neighbours"].findtext("metadata") == "false"
    # Petitions follow their own procedure: not offered through Open311.
    assert not any(code.startswith("petition") for code in services)


def test_service_list_in_json_is_a_list_and_hides_retired_services_and_categories(o311):
    Service.objects.filter(code="dispute.family").update(active=False)
    Category.objects.filter(code="city.sanitation").update(active=False)
    body = o311.body(o311.get("services.json"))
    assert isinstance(body, list)
    codes = [s["service_code"] for s in body]
    assert "dispute.wages" in codes
    assert "dispute.family" not in codes and "city.sanitation" not in codes
    wages = next(s for s in body if s["service_code"] == "dispute.wages")
    assert wages["metadata"] is True and wages["type"] == "realtime"
    assert set(wages) == {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}


def test_service_definition_in_json_lists_attributes_in_order_with_their_values(o311):
    response = o311.get("services/environment.noise.json")
    assert response.status_code == 200
    body = o311.body(response)
    assert body["service_code"] == "environment.noise"
    first, second = body["attributes"]
    assert (first["code"], first["order"], first["datatype"], first["required"]) == (
        "NOISE_SOURCE", 1, "singlevaluelist", True)
    assert first["variable"] is True and first["description"] == "噪声来源"
    assert {"key": "construction", "name": "建筑施工"} in first["values"]
    assert second["datatype"] == "multivaluelist" and second["required"] is False
    assert [v["key"] for v in second["values"]] == ["day", "evening", "night"]


def test_service_definition_in_xml(o311):
    root = o311.body(o311.get("services/city.illegal_building.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "city.illegal_building"
    attributes = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in attributes] == ["STARTED_AT", "SIZE"]
    assert attributes[0].findtext("datatype") == "datetime"
    assert attributes[0].find("values") is not None and len(attributes[0].find("values")) == 0


def test_retired_attribute_leaves_the_definition(o311):
    ServiceAttribute.objects.filter(service__code="environment.noise", code="NOISE_TIME").update(active=False)
    body = o311.body(o311.get("services/environment.noise.json"))
    assert [a["code"] for a in body["attributes"]] == ["NOISE_SOURCE"]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_unknown_service_code_is_a_404_in_the_spec_error_shape(o311, fmt):
    response = o311.get(f"services/no.such.service.{fmt}")
    assert response.status_code == 404
    ((code, description),) = o311.errors(response)
    assert code == 404 and "no.such.service" in description


def test_retired_service_has_no_definition(o311):
    Service.objects.filter(code="hazard.fire").update(active=False)
    assert o311.get("services/hazard.fire.json").status_code == 404


@pytest.mark.parametrize("path", ["services.yaml", "discovery.html", "requests.csv", "services/hazard.fire.yaml",
                                  "requests/350322-20261122-0001.txt", "tokens/abc.yml"])
def test_a_format_other_than_xml_or_json_is_a_404_in_xml(o311, path):
    response = o311.get(path)
    assert response.status_code == 404
    ((code, description),) = o311.errors(response)
    assert code == 404 and ".xml" in description


@pytest.mark.parametrize("path", ["nothing.json", "services", "requests/", "services/hazard.fire/extra.xml"])
def test_anything_else_under_the_endpoint_is_a_spec_404(o311, path):
    response = o311.get(path)
    assert response.status_code == 404
    assert o311.errors(response)[0][0] == 404


def test_wrong_method_is_refused_in_the_spec_shape(o311):
    response = o311.post("services.json", {"service_code": "x"})
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert o311.errors(response) and o311.errors(response)[0][0] == 405


def test_errors_are_chinese_unless_english_was_chosen(o311, client):
    assert o311.errors(o311.get("services/nope.json"))[0][1] == "未找到 service_code nope。"
    client.cookies["django_language"] = "en"
    assert o311.errors(o311.get("services/nope.json"))[0][1] == "service_code nope was not found."


def test_admin_edits_services_and_their_definitions(client, world):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("o311admin", password="pw-12345")
    client.force_login(admin)
    fire = Service.objects.get(code="hazard.fire")
    attribute = ServiceAttribute.objects.get(service=fire, code="HAZARD_KIND")
    for url in ("/admin/open311/service/", f"/admin/open311/service/{fire.pk}/change/",
                "/admin/open311/serviceattribute/", f"/admin/open311/serviceattribute/{attribute.pk}/change/",
                "/admin/open311/servicerequest/"):
        response = client.get(url)
        assert response.status_code == 200, url
    before = fire.updated_at
    response = client.post(f"/admin/open311/serviceattribute/{attribute.pk}/change/", {
        "service": fire.pk, "code": "HAZARD_KIND", "variable": "on", "datatype": "singlevaluelist",
        "required": "on", "datatype_description": "", "order": 1, "description": "隐患的类型", "active": "on",
        "values-TOTAL_FORMS": 1, "values-INITIAL_FORMS": 0, "values-MIN_NUM_FORMS": 0, "values-MAX_NUM_FORMS": 1000,
        "values-0-sort": 9, "values-0-key": "smoke", "values-0-name": "烟雾报警器损坏",
    })
    assert response.status_code == 302, response.content[:2000]
    fire.refresh_from_db()
    assert fire.updated_at > before  # the discovery changeset moves
    body = __import__("json").loads(client.get("/open311/v2/services/hazard.fire.json").content)
    (kind, _people) = body["attributes"]
    assert kind["description"] == "隐患的类型"
    assert kind["values"][-1] == {"key": "smoke", "name": "烟雾报警器损坏"}
