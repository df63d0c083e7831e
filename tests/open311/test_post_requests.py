"""POST requests: a service request becomes a routed event of the mapped category with its
attributes stored; every bad request — wrong key, unknown service, missing location, bad
attributes, malformed bodies — is a clear spec error and writes nothing."""

from __future__ import annotations

import contextlib

import pytest

from fengqiao.audit.models import AuditEntry
from fengqiao.events.models import Attachment, Event, Party
from fengqiao.intake.models import ExternalTicket, IntakeSystem
from fengqiao.open311.models import Service, ServiceRequest

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"


def fire_report(app, world, **extra) -> dict:
    data = {
        "api_key": app.key,
        "jurisdiction_id": "xianyou.gov.cn",
        "service_code": "hazard.fire",
        "address_id": world.village_a.code,
        "address_string": "洋坂村12号楼楼道",
        "attribute[HAZARD_KIND]": "ebike_indoor",
        "attribute[PEOPLE_AT_RISK]": "30",
        "description": "楼道里每天晚上有五六辆电动车充电。\n已经提醒过,没有用。",
        "first_name": "明",
        "last_name": "柯",
        "phone": "139-0000-0099",
        "email": "ke.ming@example.cn",
        "device_id": "dev-1",
        "account_id": "acct-77",
        "media_url": "https://img.example.cn/p/1.jpg",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def counts() -> dict[str, int]:
    return {
        "events": Event.objects.count(),
        "requests": ServiceRequest.objects.count(),
        "parties": Party.objects.count(),
        "attachments": Attachment.objects.count(),
        "tickets": ExternalTicket.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


@contextlib.contextmanager
def nothing_written():
    before = counts()
    yield
    assert counts() == before


# ---------------------------------------------------------------------------------- success


def test_form_post_becomes_a_dispatched_event_of_the_mapped_category(o311, world, citizen_app):
    response = o311.post("requests.json", fire_report(citizen_app, world), content_type=FORM)
    assert response.status_code == 200, response.content
    (answer,) = o311.body(response)
    row = ServiceRequest.objects.select_related("event").get()
    event = row.event
    assert answer == {"service_request_id": event.code,
                      "service_notice": "消防隐患3日内整改,紧急情况请拨打119。", "account_id": "acct-77"}
    assert event.category.code == "hazard.fire"
    assert event.source == "citizen"  # the sending system's source
    assert event.region == world.village_a and event.status == "dispatched"
    assert {a.person for a in event.assignments.all()} >= {world.secretary_a, world.liaison_a, world.police_a}
    assert event.title == "消防安全隐患:楼道里每天晚上有五六辆电动车充电。"
    assert "隐患类型:电动车室内充电" in event.description
    assert "受影响人数(估计):30" in event.description
    assert "https://img.example.cn/p/1.jpg" in event.description
    assert event.address == "洋坂村12号楼楼道"
    assert row.attributes == {"HAZARD_KIND": "ebike_indoor", "PEOPLE_AT_RISK": 30}
    assert row.system == citizen_app and row.service.code == "hazard.fire"
    assert row.email == "ke.ming@example.cn" and row.account_id == "acct-77" and row.device_id == "dev-1"
    reporter = Party.objects.get(event=event)
    assert reporter.is_reporter and reporter.name == "柯明" and reporter.phone == "13900000099"
    intake = AuditEntry.objects.get(event=event, action="intake")
    assert intake.actor_name == "仙游随手拍"


def test_post_answers_in_xml_when_asked(o311, world, citizen_app):
    response = o311.post("requests.xml", fire_report(citizen_app, world), content_type=FORM)
    assert response.status_code == 200
    root = o311.body(response)
    assert root.tag == "service_requests"
    (request,) = root.findall("request")
    assert request.findtext("service_request_id") == Event.objects.get().code
    assert request.find("token") is None
    assert request.findtext("account_id") == "acct-77"


def test_multivaluelist_takes_repeated_values(o311, world, citizen_app):
    data = {"api_key": citizen_app.key, "service_code": "environment.noise", "lat": "25.36", "long": "118.70",
            "attribute[NOISE_SOURCE]": "shop", "attribute[NOISE_TIME][]": ["evening", "night"]}
    response = o311.post("requests.json", data, content_type=FORM)
    assert response.status_code == 200, response.content
    row = ServiceRequest.objects.get()
    assert row.attributes == {"NOISE_SOURCE": "shop", "NOISE_TIME": ["evening", "night"]}
    assert "发生时段:傍晚、夜间(22时至次日6时)" in row.event.description


def test_point_outside_every_known_shape_is_registered_for_triage_under_the_senders_county(o311, world, citizen_app):
    data = fire_report(citizen_app, world, address_id=None, address_string=None, lat="25.3612", long="118.6913")
    response = o311.post("requests.json", data, content_type=FORM)
    assert response.status_code == 200, response.content
    event = Event.objects.get()
    assert event.status == "registered" and event.region == world.county
    assert (event.latitude, event.longitude) == (25.3612, 118.6913)


def test_json_body_with_an_attribute_object(o311, world, citizen_app):
    body = {"api_key": citizen_app.key, "service_code": "livelihood.utilities",
            "address_id": world.village_b.code, "description": "停水三天了",
            "attribute": {"UTILITY": "water", "SINCE": "2026-11-20T08:00:00+08:00"}}
    response = o311.post("requests.json", body, content_type="application/json")
    assert response.status_code == 200, response.content
    row = ServiceRequest.objects.select_related("event").get()
    assert row.attributes == {"UTILITY": "water", "SINCE": "2026-11-20T08:00:00+08:00"}
    assert row.event.region == world.village_b


def test_xml_body(o311, world, citizen_app):
    body = f"""<?xml version="1.0" encoding="utf-8"?>
    <service_request>
      <api_key>{citizen_app.key}</api_key>
      <service_code>environment.noise</service_code>
      <address_id>{world.village_a.code}</address_id>
      <description>KTV 每晚唱到凌晨 &amp; 扰民</description>
      <attributes>
        <attribute><code>NOISE_SOURCE</code><value>entertainment</value></attribute>
        <attribute><code>NOISE_TIME</code><value>night</value><value>evening</value></attribute>
      </attributes>
    </service_request>""".encode()
    response = o311.post("requests.xml", body, content_type="text/xml")
    assert response.status_code == 200, response.content
    row = ServiceRequest.objects.get()
    assert row.description == "KTV 每晚唱到凌晨 & 扰民"
    assert row.attributes == {"NOISE_SOURCE": "entertainment", "NOISE_TIME": ["night", "evening"]}


def test_batch_service_answers_with_a_token_that_resolves_to_the_request(o311, world, citizen_app):
    Service.objects.filter(code="hazard.fire").update(type="batch")
    response = o311.post("requests.json", fire_report(citizen_app, world), content_type=FORM)
    (answer,) = o311.body(response)
    assert "service_request_id" not in answer
    token = answer["token"]
    assert token == ServiceRequest.objects.get().token
    resolved = o311.get(f"tokens/{token}.json")
    assert resolved.status_code == 200
    assert o311.body(resolved) == [{"service_request_id": Event.objects.get().code, "token": token}]
    root = o311.body(o311.get(f"tokens/{token}.xml"))
    assert root.findtext("request/service_request_id") == Event.objects.get().code


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_unknown_token_is_a_404(o311, fmt):
    response = o311.get(f"tokens/deadbeef.{fmt}")
    assert response.status_code == 404 and o311.errors(response)[0][0] == 404


def test_same_idempotency_key_twice_makes_one_request(o311, world, citizen_app):
    data = fire_report(citizen_app, world)
    first = o311.post("requests.json", data, content_type=FORM, HTTP_IDEMPOTENCY_KEY="retry-1")
    second = o311.post("requests.json", data, content_type=FORM, HTTP_IDEMPOTENCY_KEY="retry-1")
    assert first.status_code == second.status_code == 200
    assert o311.body(first) == o311.body(second)
    assert Event.objects.count() == 1 and ServiceRequest.objects.count() == 1
    third = o311.post("requests.json", data, content_type=FORM, HTTP_IDEMPOTENCY_KEY="retry-2")
    assert third.status_code == 200 and Event.objects.count() == 2


def test_without_a_key_each_post_is_a_new_request(o311, world, citizen_app):
    data = fire_report(citizen_app, world)
    o311.post("requests.json", data, content_type=FORM)
    o311.post("requests.json", data, content_type=FORM)
    assert ServiceRequest.objects.count() == 2


# ------------------------------------------------------------------------------- api keys


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_wrong_api_key_is_a_403_and_writes_nothing(o311, world, citizen_app, fmt):
    with nothing_written():
        response = o311.post(f"requests.{fmt}", fire_report(citizen_app, world, api_key="fqi_not-a-key"),
                             content_type=FORM)
    assert response.status_code == 403
    ((code, description),) = o311.errors(response)
    assert code == 403 and "api_key" in description


def test_missing_api_key_is_a_403(o311, world, citizen_app):
    with nothing_written():
        response = o311.post("requests.json", fire_report(citizen_app, world, api_key=None), content_type=FORM)
    assert response.status_code == 403
    assert "api_key" in o311.errors(response)[0][1]


def test_key_of_a_retired_system_is_a_403(o311, world, citizen_app):
    IntakeSystem.objects.filter(pk=citizen_app.pk).update(active=False)
    with nothing_written():
        response = o311.post("requests.json", fire_report(citizen_app, world), content_type=FORM)
    assert response.status_code == 403


def test_api_key_may_come_in_the_query_string(o311, world, citizen_app):
    data = fire_report(citizen_app, world, api_key=None)
    response = o311.client.generic("POST", f"/open311/v2/requests.json?api_key={citizen_app.key}",
                                   __import__("urllib.parse").parse.urlencode(data), content_type=FORM)
    assert response.status_code == 200, response.content


# -------------------------------------------------------------------------------- bad input


def test_missing_service_code_is_a_400(o311, world, citizen_app):
    with nothing_written():
        response = o311.post("requests.json", fire_report(citizen_app, world, service_code=None),
                             content_type=FORM)
    assert response.status_code == 400
    assert "service_code" in o311.errors(response)[0][1]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_unknown_service_code_is_a_404(o311, world, citizen_app, fmt):
    with nothing_written():
        response = o311.post(f"requests.{fmt}", fire_report(citizen_app, world, service_code="potholes"),
                             content_type=FORM)
    assert response.status_code == 404
    ((code, description),) = o311.errors(response)
    assert code == 404 and "potholes" in description


def test_retired_service_is_a_404(o311, world, citizen_app):
    Service.objects.filter(code="hazard.fire").update(active=False)
    with nothing_written():
        response = o311.post("requests.json", fire_report(citizen_app, world), content_type=FORM)
    assert response.status_code == 404


def test_missing_location_is_a_400(o311, world, citizen_app):
    with nothing_written():
        response = o311.post("requests.json", fire_report(citizen_app, world, address_id=None, address_string=None),
                             content_type=FORM)
    assert response.status_code == 400
    assert "address_string" in o311.errors(response)[0][1]


@pytest.mark.parametrize("extra, needle", [
    ({"lat": "25.36"}, "long"),
    ({"lat": "north", "long": "118.7"}, "lat"),
    ({"lat": "95", "long": "118.7"}, "WGS84"),
    ({"lat": "nan", "long": "118.7"}, "lat"),
    ({"address_id": "999999999999"}, "999999999999"),
])
def test_bad_location_is_a_400(o311, world, citizen_app, extra, needle):
    data = fire_report(citizen_app, world, **{"address_id": None, **extra})
    with nothing_written():
        response = o311.post("requests.json", data, content_type=FORM)
    assert response.status_code == 400
    assert any(needle in d for _c, d in o311.errors(response))


def test_missing_required_attribute_is_a_400_naming_it(o311, world, citizen_app):
    with nothing_written():
        response = o311.post("requests.json", fire_report(citizen_app, world, **{"attribute[HAZARD_KIND]": ""}),
                             content_type=FORM)
    assert response.status_code == 400
    ((code, description),) = o311.errors(response)
    assert code == 400 and "attribute[HAZARD_KIND]" in description and "隐患类型" in description


@pytest.mark.parametrize("attribute, value, needle", [
    ("HAZARD_KIND", "volcano", "volcano"),
    ("PEOPLE_AT_RISK", "many", "many"),
    ("PEOPLE_AT_RISK", "Infinity", "Infinity"),
])
def test_bad_attribute_value_is_a_400(o311, world, citizen_app, attribute, value, needle):
    with nothing_written():
        response = o311.post("requests.json", fire_report(citizen_app, world, **{f"attribute[{attribute}]": value}),
                             content_type=FORM)
    assert response.status_code == 400
    assert any(needle in d and f"attribute[{attribute}]" in d for _c, d in o311.errors(response))


def test_bad_datetime_and_string_attributes_are_400s(o311, world, citizen_app):
    data = {"api_key": citizen_app.key, "service_code": "city.illegal_building", "address_id": world.village_a.code,
            "attribute[STARTED_AT]": "last Tuesday", "attribute[SIZE]": "two\nfloors"}
    with nothing_written():
        response = o311.post("requests.json", data, content_type=FORM)
    assert response.status_code == 400
    descriptions = [d for _c, d in o311.errors(response)]
    assert len(descriptions) == 2
    assert any("STARTED_AT" in d and "W3C" in d for d in descriptions)
    assert any("SIZE" in d for d in descriptions)


def test_single_value_attribute_given_twice_is_a_400(o311, world, citizen_app):
    data = fire_report(citizen_app, world, **{"attribute[HAZARD_KIND]": ["wiring", "other"]})
    with nothing_written():
        response = o311.post("requests.json", data, content_type=FORM)
    assert response.status_code == 400


def test_attribute_outside_the_definition_is_a_400(o311, world, citizen_app):
    with nothing_written():
        response = o311.post("requests.json", fire_report(citizen_app, world, **{"attribute[COLOUR]": "red"}),
                             content_type=FORM)
    assert response.status_code == 400
    assert "attribute[COLOUR]" in o311.errors(response)[0][1]


def test_every_problem_is_reported_at_once(o311, world, citizen_app):
    data = fire_report(citizen_app, world, address_id=None, address_string=None, email="not-an-email",
                       media_url="javascript:alert(1)", description="长" * 4001,
                       **{"attribute[HAZARD_KIND]": "volcano"})
    with nothing_written():
        response = o311.post("requests.xml", data, content_type=FORM)
    assert response.status_code == 400
    errors = o311.errors(response)
    assert len(errors) == 5 and {c for c, _d in errors} == {400}
    text = " ".join(d for _c, d in errors)
    for needle in ("address_string", "HAZARD_KIND", "email", "media_url", "4000"):
        assert needle in text


def test_phone_the_event_refuses_is_a_400_and_nothing_is_half_written(o311, world, citizen_app):
    with nothing_written():
        response = o311.post("requests.json", fire_report(citizen_app, world, phone="call me maybe"),
                             content_type=FORM)
    assert response.status_code == 400
    assert "callmemaybe" in o311.errors(response)[0][1]


def test_failure_after_the_event_is_written_rolls_the_event_back(o311, world, citizen_app, monkeypatch, caplog):
    """Our row is written after the intake door registered, dispatched and audited the event: a
    failure there (here a token that is already taken) undoes all of it. It is our fault, not the
    client's: a 500 in the spec's shape, logged."""
    o311.post("requests.json", fire_report(citizen_app, world), content_type=FORM)
    taken = ServiceRequest.objects.get().token

    import fengqiao.open311.actions as actions

    monkeypatch.setattr(actions.secrets, "token_hex", lambda n: taken)
    with nothing_written():
        response = o311.post("requests.json", fire_report(citizen_app, world), content_type=FORM)
    assert response.status_code == 500
    assert o311.errors(response)[0][0] == 500
    assert any(r.levelname == "ERROR" and r.exc_info for r in caplog.records)


# --------------------------------------------------------------------------- malformed bodies


@pytest.mark.parametrize("body", [b'{"service_code": "hazard.fire", ', b"[1, 2]", b'"just a string"',
                                  b'{"service_code": {"nested": 1}}', b'{"attribute": ["HAZARD_KIND"]}',
                                  b"\xff\xfe{}"])
def test_malformed_json_body_is_a_400(o311, body):
    with nothing_written():
        response = o311.post("requests.json", body, content_type="application/json")
    assert response.status_code == 400
    ((code, _description),) = o311.errors(response)
    assert code == 400


def test_deeply_nested_json_is_a_400_not_a_500(o311):
    body = b'{"service_code": "hazard.fire", "attribute": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with nothing_written():
        response = o311.post("requests.json", body, content_type="application/json")
    assert response.status_code == 400
    assert o311.errors(response)[0][0] == 400


def test_a_nul_in_the_idempotency_key_is_a_400(o311, world, citizen_app):
    with nothing_written():
        response = o311.post("requests.json", fire_report(citizen_app, world), content_type=FORM,
                             HTTP_IDEMPOTENCY_KEY="k\x00")
    assert response.status_code == 400
    assert o311.errors(response)[0][1].startswith("Idempotency-Key:")


def test_malformed_json_error_says_where(o311):
    response = o311.post("requests.json", b'{"service_code": "hazard.fire",\n "lat": }',
                         content_type="application/json")
    assert "第 2 行" in o311.errors(response)[0][1]


@pytest.mark.parametrize("body", [
    b"<service_request><service_code>hazard.fire</service_code>",
    b"<service_request><service_code>a</service_code></wrong>",
    b"not xml at all",
    b"   ",
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
    b"<service_request><description>&lol2;</description></service_request>",
    b"<service_request><attribute><value>x</value></attribute></service_request>",
    b"<service_request><lat><deg>25</deg></lat></service_request>",
    # A document type after a long comment: refused by defusedxml wherever it stands.
    b'<?xml version="1.0"?><!--' + b"x" * 5000 + b'--><!DOCTYPE r SYSTEM "http://127.0.0.1:9/x.dtd">'
    b"<service_request><service_code>hazard.fire</service_code></service_request>",
    # Nested far deeper than any request.
    b"<service_request>" + b"<a>" * 5000 + b"</a>" * 5000 + b"</service_request>",
])
def test_malformed_xml_body_is_a_400_in_xml(o311, body):
    with nothing_written():
        response = o311.post("requests.xml", body, content_type="text/xml")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/xml")
    ((code, _description),) = o311.errors(response)
    assert code == 400


def test_unsupported_content_type_is_a_400(o311):
    response = o311.post("requests.json", b"service_code: hazard.fire", content_type="application/yaml")
    assert response.status_code == 400
    assert "application/yaml" in o311.errors(response)[0][1]


def test_malformed_attribute_key_in_a_form_is_a_400(o311, world, citizen_app):
    data = fire_report(citizen_app, world, **{"attribute[HAZARD_KIND": "wiring"})
    with nothing_written():
        response = o311.post("requests.json", data, content_type=FORM)
    assert response.status_code == 400


def test_place_outside_the_senders_area_is_a_400(o311, world):
    from fengqiao.intake.actions import intake_system_create

    town_app, key = intake_system_create(name="度尾镇小程序", source="citizen", within=world.town, actor=None)
    data = {"api_key": key, "service_code": "city.sanitation", "address_id": world.village_c.code}
    with nothing_written():
        response = o311.post("requests.json", data, content_type=FORM)
    assert response.status_code == 400
    assert world.village_c.code in o311.errors(response)[0][1]


def test_post_to_an_unknown_path_is_a_spec_404_not_a_csrf_page(client, world, citizen_app):
    client = client.__class__(enforce_csrf_checks=True)
    response = client.post("/open311/v2/request.json", {"api_key": citizen_app.key})
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
    response = client.post("/open311/v2/requests.json", {"api_key": citizen_app.key})
    assert response.status_code == 400  # no CSRF token needed: the key authorises the POST
