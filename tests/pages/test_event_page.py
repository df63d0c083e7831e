"""The event page: what it shows, the buttons it offers, and acting through it."""

import re

from fengqiao.audit.models import AuditEntry
from fengqiao.events import actions
from fengqiao.events.models import CallLog, Event, PersonalDataRead, Status
from tests.factories import register

PARTY = actions.PartyInput(name="柯某", phone="13912345678", id_number="350322199001011234", is_reporter=True)


def _buttons(html: str) -> set[str]:
    return set(re.findall(r'data-action="(\w+)"', html))


def test_secretary_is_offered_only_what_their_posts_allow(world, as_user):
    event = register(world)
    html = as_user(world.secretary_a).get(f"/events/{event.id}/").content.decode()
    assert _buttons(html) == {"acknowledge", "return", "escalate", "request_extension", "flag_risk",
                              "add_assignee", "comment"}
    assert 'id="action-call"' in html  # the call panel
    assert "close" not in _buttons(html) and "dispatch" not in _buttons(html)


def test_operator_is_offered_commander_actions(world, as_user):
    event = register(world, region=world.town)
    html = as_user(world.operator).get(f"/events/{event.id}/").content.decode()
    buttons = _buttons(html)
    assert {"dispatch", "refuse", "supervise", "merge", "flag_risk", "comment"} <= buttons
    assert "acknowledge" not in buttons and "resolve" not in buttons
    # No village yet: the dispatch form carries the region picker.
    assert 'name="dispatch-region"' in html


def test_town_cadre_sees_the_event_but_no_handling_buttons(world, as_user):
    event = register(world)
    html = as_user(world.town_cadre).get(f"/events/{event.id}/").content.decode()
    assert "acknowledge" not in _buttons(html) and "resolve" not in _buttons(html)
    assert {"urge", "supervise"} <= _buttons(html)


def test_acknowledging_through_the_page_moves_the_event_on(world, as_user):
    event = register(world)
    client = as_user(world.secretary_a)
    r = client.post(f"/events/{event.id}/act/acknowledge")
    assert r.status_code == 302 and r["Location"] == f"/events/{event.id}/"
    event.refresh_from_db()
    assert event.status == Status.IN_PROGRESS
    page = client.get(r["Location"]).content.decode()
    assert "处置中" in page and "签收" in page
    assert "已完成:签收" in page  # the success message


def test_resolving_with_an_empty_result_shows_a_form_error_not_a_500(world, as_user):
    event = register(world)
    actions.event_acknowledge(event=event, actor=world.secretary_a.user)
    client = as_user(world.secretary_a)
    r = client.post(f"/events/{event.id}/act/resolve", {"resolve-result": "   "})
    assert r.status_code == 400
    html = r.content.decode()
    assert "这个字段是必填项" in html
    assert '<details class="action" id="action-resolve" open' in html
    event.refresh_from_db()
    assert event.status == Status.IN_PROGRESS


def test_resolving_with_a_result_resolves(world, as_user):
    event = register(world)
    actions.event_acknowledge(event=event, actor=world.secretary_a.user)
    r = as_user(world.secretary_a).post(f"/events/{event.id}/act/resolve", {"resolve-result": "已调解,双方和解"})
    assert r.status_code == 302
    event.refresh_from_db()
    assert event.status == Status.RESOLVED and event.result == "已调解,双方和解"


def test_an_illegal_move_is_a_409_with_the_message_in_chinese(world, as_user):
    event = register(world)
    r = as_user(world.operator).post(f"/events/{event.id}/act/close")
    assert r.status_code == 409
    html = r.content.decode()
    assert "不允许" in html and "待签收" in html


def test_an_action_the_posts_do_not_allow_is_a_403_page(world, as_user):
    event = register(world)
    r = as_user(world.town_cadre).post(f"/events/{event.id}/act/acknowledge")
    assert r.status_code == 403
    assert "岗位" in r.content.decode()
    event.refresh_from_db()
    assert event.status == Status.DISPATCHED


def test_an_unknown_action_is_404(world, as_user):
    event = register(world)
    assert as_user(world.operator).post(f"/events/{event.id}/act/explode").status_code == 404


def test_get_on_an_action_is_refused(world, as_user):
    event = register(world)
    assert as_user(world.secretary_a).get(f"/events/{event.id}/act/acknowledge").status_code == 405


def test_dispatching_an_event_filed_at_the_town_through_the_picker(world, as_user):
    event = register(world, region=world.town)
    client = as_user(world.operator)
    r = client.post(f"/events/{event.id}/act/dispatch",
                    {"dispatch-region": [world.county.code, world.town.code, world.village_b.code]})
    assert r.status_code == 302, r.content.decode()[:2000]
    event.refresh_from_db()
    assert event.status == Status.DISPATCHED and event.village_id == world.village_b.id


def test_dispatch_to_a_region_outside_scope_is_a_form_error(world, as_user):
    event = register(world, region=world.town, actor=world.operator.user)
    r = as_user(world.town_cadre).post(f"/events/{event.id}/act/dispatch",
                                       {"dispatch-region": world.village_c.code})
    assert r.status_code == 400
    assert "请在您的辖区内选择" in r.content.decode()


def test_call_back_and_close_through_the_page(world, as_user):
    event = register(world)
    actions.event_acknowledge(event=event, actor=world.secretary_a.user)
    actions.event_resolve(event=event, actor=world.secretary_a.user, result="已解决")
    client = as_user(world.operator)
    html = client.get(f"/events/{event.id}/").content.decode()
    assert "call_back" in _buttons(html) and "close" not in _buttons(html)
    assert client.post(f"/events/{event.id}/act/call_back", {"call_back-satisfaction": "satisfied"}).status_code == 302
    html = client.get(f"/events/{event.id}/").content.decode()
    assert "close" in _buttons(html)
    assert client.post(f"/events/{event.id}/act/close").status_code == 302
    event.refresh_from_db()
    assert event.status == Status.CLOSED


def test_request_extension_checks_the_days(world, as_user):
    event = register(world)
    client = as_user(world.secretary_a)
    r = client.post(f"/events/{event.id}/act/request_extension",
                    {"request_extension-days": "999", "request_extension-reason": "需要鉴定"})
    assert r.status_code == 400
    r = client.post(f"/events/{event.id}/act/request_extension",
                    {"request_extension-days": "5", "request_extension-reason": "需要鉴定"})
    assert r.status_code == 302
    html = client.get(f"/events/{event.id}/").content.decode()
    assert "request_extension" not in _buttons(html)
    assert "需要鉴定" in html


def test_adding_an_assignee_from_the_picker(world, as_user):
    event = register(world)
    client = as_user(world.secretary_a)
    html = client.get(f"/events/{event.id}/").content.decode()
    key = f"{world.work_team_a.id}:work_team"
    assert f'value="{key}"' in html
    assert f'value="{world.secretary_c.id}:party_secretary"' not in html  # another town's village
    r = client.post(f"/events/{event.id}/act/add_assignee", {"add_assignee-person": key})
    assert r.status_code == 302
    assert event.assignments.filter(person=world.work_team_a, kind="N", active=True).exists()


def test_a_comment_needs_text(world, as_user):
    event = register(world)
    client = as_user(world.secretary_a)
    assert client.post(f"/events/{event.id}/act/comment", {"comment-text": ""}).status_code == 400
    r = client.post(f"/events/{event.id}/act/comment",
                    {"comment-text": "双方同意周五会商", "comment-consultation": "on"})
    assert r.status_code == 302
    entry = AuditEntry.objects.filter(event=event, action="comment").get()
    assert entry.details["kind"] == "consultation"


def test_calling_a_party_logs_the_call_and_offers_the_tel_link(world, as_user):
    event = register(world, parties=[PARTY])
    client = as_user(world.secretary_a)
    party = event.parties.get()
    r = client.post(f"/events/{event.id}/act/call", {"call-party_id": party.id})
    assert r.status_code == 302
    assert CallLog.objects.filter(event=event).count() == 1
    html = client.get(f"/events/{event.id}/").content.decode()
    assert 'href="tel:13912345678"' in html
    # Shown once, right after the call.
    assert 'href="tel:' not in client.get(f"/events/{event.id}/").content.decode()


def test_the_timeline_lists_every_step_in_chinese(world, as_user):
    event = register(world)
    actions.event_acknowledge(event=event, actor=world.secretary_a.user)
    html = as_user(world.operator).get(f"/events/{event.id}/").content.decode()
    timeline = html[html.index('data-testid="timeline"'):]
    for step in ["登记受理", "分拨", "签收"]:
        assert step in timeline
    assert "柯书记" in timeline
    assert '<span class="tl-actor">系统</span>' in timeline  # the automatic dispatch
    assert "待签收 → 处置中" in timeline


def test_town_cadre_sees_masked_phone_and_operator_the_full_one(world, as_user):
    event = register(world, parties=[PARTY])
    html = as_user(world.town_cadre).get(f"/events/{event.id}/").content.decode()
    assert "139****5678" in html and "13912345678" not in html
    assert "350322********1234" in html
    reads = PersonalDataRead.objects.count()
    html = as_user(world.operator).get(f"/events/{event.id}/").content.decode()
    assert "13912345678" in html
    assert PersonalDataRead.objects.count() == reads + 1


def test_the_approximate_deadline_warning_is_visible(world, as_user):
    event = register(world)
    Event.objects.filter(pk=event.pk).update(deadline_approximate=True)
    html = as_user(world.secretary_a).get(f"/events/{event.id}/").content.decode()
    assert 'data-testid="approximate"' in html


def test_uploading_and_downloading_an_attachment(world, as_user, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)
    event = register(world)
    client = as_user(world.secretary_a)
    upload = SimpleUploadedFile("现场.txt", "现场照片说明".encode(), content_type="text/plain")
    r = client.post(f"/events/{event.id}/attachments", {"file": upload})
    assert r.status_code == 302
    att = event.attachments.get()
    r = client.get(f"/events/{event.id}/attachments/{att.id}")
    assert r.status_code == 200
    assert b"".join(r.streaming_content) == "现场照片说明".encode()


def test_uploading_a_forbidden_type_is_an_error_not_a_500(world, as_user, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)
    event = register(world)
    upload = SimpleUploadedFile("x.exe", b"MZ", content_type="application/x-msdownload")
    r = as_user(world.secretary_a).post(f"/events/{event.id}/attachments", {"file": upload})
    assert r.status_code == 400
    assert event.attachments.count() == 0


def test_the_town_decides_an_extension_through_the_page(world, as_user):
    event = register(world)
    actions.event_request_extension(event=event, actor=world.secretary_a.user, days=3, reason="等待鉴定")
    client = as_user(world.town_cadre)
    html = client.get(f"/events/{event.id}/").content.decode()
    assert {"approve_extension", "reject_extension"} <= _buttons(html)
    before = event.deadline
    r = client.post(f"/events/{event.id}/act/approve_extension", {"approve_extension-note": "同意"})
    assert r.status_code == 302
    event.refresh_from_db()
    assert event.deadline > before and event.extension_count == 1


def test_merging_by_code_stays_within_scope(world, as_user):
    keep = register(world, title="保留")
    dup = register(world, title="重复")
    other = register(world, title="梅塘村", region=world.village_c)
    client = as_user(world.town_cadre)
    # The town cadre may not merge (a commander's action): the button is not there.
    assert "merge" not in _buttons(client.get(f"/events/{dup.id}/").content.decode())
    client = as_user(world.operator)
    r = client.post(f"/events/{dup.id}/act/merge", {"merge-into_code": "nope"})
    assert r.status_code == 400 and "您的辖区内没有该编号的事项" in r.content.decode()
    r = client.post(f"/events/{dup.id}/act/merge", {"merge-into_code": keep.code})
    assert r.status_code == 302
    dup.refresh_from_db()
    assert dup.status == Status.MERGED and dup.merged_into_id == keep.id
    assert other.status == Status.DISPATCHED


def test_the_dispatch_picker_is_served_for_the_prefixed_field(world, as_user):
    html = as_user(world.operator).get(
        "/regions/picker", {"name": "dispatch-region", "dispatch-region": world.village_a.code}
    ).content.decode()
    assert 'name="dispatch-region"' in html
    assert f'<option value="{world.village_a.code}" selected>' in html
    assert f'value="{world.grid_a.code}"' in html


def test_the_operator_corrects_the_category_on_the_event_page(world, as_user):
    event = register(world)
    client = as_user(world.operator)
    html = client.get(f"/events/{event.id}/").content.decode()
    assert "recategorise" in _buttons(html)
    r = client.post(f"/events/{event.id}/act/recategorise",
                    {"recategorise-category": "dispute.land", "recategorise-note": "实为土地纠纷"})
    assert r.status_code == 302
    event.refresh_from_db()
    assert event.category.code == "dispute.land"
    assert AuditEntry.objects.filter(event=event, action="recategorise").exists()


def test_recategorising_without_a_category_is_a_form_error(world, as_user):
    event = register(world)
    r = as_user(world.operator).post(f"/events/{event.id}/act/recategorise", {"recategorise-category": ""})
    assert r.status_code == 400
    event.refresh_from_db()
    assert event.category.code == "dispute.wages"
