"""Scope: a town sees its own matters — whatever level lists them — and nothing of another town
(404, never a 403 that tells the matter exists); a village sees its own; an owner unit its own;
the leader in charge and the task force theirs. Posts before state: someone who sees a matter but
may not act gets 403 whatever the state, and nothing is written."""

from __future__ import annotations

import pytest

from fengqiao.audit import chain as audit
from fengqiao.audit.models import AuditEntry
from fengqiao.lib import clock
from fengqiao.lib.errors import NotPermitted
from fengqiao.majors import actions, queries
from fengqiao.majors.models import Matter
from tests.majors import helpers
from tests.majors.world import local

pytestmark = pytest.mark.django_db

START = local(2026, 9, 1, 10)


@pytest.fixture
def matters(mw):
    with clock.frozen(START):
        in_a = helpers.register(mw, kind="risk", level="city", region=mw.village_a, actor="city_officer",
                                title="洋坂村某企业非法集资风险")
        in_c = helpers.register(mw, kind="risk", level="county", region=mw.village_c, title="梅塘村土地纠纷隐患")
        town = helpers.register(mw, kind="risk", level="town", region=mw.town, actor="town_cadre",
                                title="度尾镇文旦柚节安保", owner=mw.rsj)
    return in_a, in_c, town


def test_a_town_sees_its_own_matters_at_any_level_and_nothing_of_another_town(mw, matters, client, api):
    in_a, in_c, town = matters
    user = mw.user("town_cadre")
    assert set(queries.visible_matters(user)) == {in_a, town}
    assert queries.access_matter_for_user(user, in_a.pk) == in_a
    client.force_login(user)
    assert client.get(f"/majors/{in_a.pk}/").status_code == 200
    assert client.get(f"/majors/{in_c.pk}/").status_code == 404
    assert client.get(f"/majors/{in_c.pk}/assessment/").status_code == 404
    assert client.get(f"/majors/{in_c.pk}/assessment.docx").status_code == 404
    html = client.get("/majors/").content.decode()
    assert "洋坂村某企业非法集资风险" in html and "梅塘村土地纠纷隐患" not in html
    assert api.get(f"/majors/{in_c.pk}", user=user).status_code == 404
    assert {i["id"] for i in api.get("/majors", user=user).json()["items"]} == {in_a.pk, town.pk}
    r = api.post(f"/majors/{in_c.pk}/actions", {"action": "urge"}, user=user)
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_a_village_sees_its_village_an_owner_its_matters_a_member_its_own(mw, matters):
    in_a, in_c, town = matters
    assert set(queries.visible_matters(mw.user("secretary_a"))) == {in_a}
    assert set(queries.visible_matters(mw.user("secretary_c"))) == {in_c}
    assert set(queries.visible_matters(mw.user("dept"))) == {in_a, in_c}  # 县住建局 owns those two
    assert set(queries.visible_matters(mw.user("outsider"))) == set()
    with clock.frozen(START):
        actions.team_change(actor=mw.user("operator"), matter=in_c, add=[
            actions.MemberInput(person_id=mw.outsider.pk, post="member", identity="village_cadre")])
    assert set(queries.visible_matters(mw.user("outsider"))) == {in_c}


def test_the_county_sees_the_county_and_the_city_the_city(mw, matters):
    assert set(queries.visible_matters(mw.user("operator"))) == set(matters)
    assert set(queries.visible_matters(mw.user("city_officer"))) == set(matters)


def test_a_grid_worker_is_not_shown_the_pages(mw, matters, client):
    client.force_login(mw.user("outsider"))
    assert client.get("/majors/").status_code == 403


def test_posts_before_state_403_whatever_the_state_and_nothing_written(mw, matters, api):
    in_a, _in_c, _town = matters  # registered: most moves are illegal now — the posts answer first
    before = AuditEntry.objects.filter(stream=f"major:{in_a.pk}").count()
    user = mw.user("secretary_a")  # sees it (the village), may do nothing
    for action, call in [
        ("approve_close", lambda: actions.close_approve(actor=user, matter=in_a)),
        ("supervise", lambda: actions.matter_supervise(actor=user, matter=in_a)),
        ("start", lambda: actions.matter_start(actor=user, matter=in_a)),
        ("decide", lambda: actions.assessment_decide(actor=user, matter=in_a, decision="nonsense")),
        ("request_close", lambda: actions.close_request(actor=user, matter=in_a, summary="")),
    ]:
        with pytest.raises(NotPermitted):
            call()
        r = api.post(f"/majors/{in_a.pk}/actions", {"action": action, "summary": "", "decision": "x"}, user=user)
        assert r.status_code == 403 and r.json()["code"] == "forbidden", (action, r.json())
    assert AuditEntry.objects.filter(stream=f"major:{in_a.pk}").count() == before
    # The office gets the state's 409 for the same illegal move.
    r = api.post(f"/majors/{in_a.pk}/actions", {"action": "approve_close"}, user=mw.user("city_officer"))
    assert r.status_code == 409 and r.json()["code"] == "illegal_transition"


def test_every_move_writes_one_audit_row_on_the_matters_stream(mw):
    with clock.frozen(START):
        m = helpers.assess(mw, helpers.register(mw))
        m = helpers.underway(mw, m)
        actions.matter_urge(actor=mw.user("operator"), matter=m, note="加快进度")
        actions.report_add(actor=mw.user("dept"), matter=m, text="已完成测绘。")
        actions.report_add(actor=mw.user("dept"), matter=m, text="42户全部签约。", breakthrough=True)
    rows = list(AuditEntry.objects.filter(stream=f"major:{m.pk}").order_by("seq").values_list(
        "action", "from_state", "to_state"))
    assert rows[0] == ("register", "", "registered")
    assert [r[0] for r in rows] == ["register", "assess", "edit_assessment", "edit_assessment", "edit_assessment",
                                    "edit_assessment", "decide", "plan", "start", "urge", "report", "breakthrough"]
    assert rows[8] == ("start", "assessed", "underway")
    m = Matter.objects.get(pk=m.pk)
    assert (m.urge_count, m.breakthroughs, m.breakthrough_at) == (1, 1, START)
    assert audit.verify() is None
