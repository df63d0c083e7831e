"""The petition pages: the clerk's worklist and its tabs, registration, the petition page's
buttons (only what is legal now and permitted), acting from the page, the backlog page and its
re-sorting, the leader's list, the ledger."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from fengqiao.audit.models import AuditEntry
from fengqiao.petitions import actions
from fengqiao.petitions.models import BacklogSort, Petition, Status
from tests.petitions.helpers import ID_KE, at, local, petition_in, register

pytestmark = pytest.mark.django_db


def _tab_counts(html: str) -> dict[str, int]:
    return {k: int(n) for k, n in re.findall(r'data-tab="(\w+)".*?<span class="count[^"]*">(\d+)</span>', html, re.S)}


def _buttons(html: str) -> set[str]:
    return set(re.findall(r'data-action="(\w+)"', html))


def test_the_clerks_worklist_counts_each_tab(world, client):
    petition_in(world, "registered")
    petition_in(world, "routed", title="待受理的")
    petition_in(world, "handling", title="办理中的")
    petition_in(world, "in_review", title="复查中的")
    old = register(world, title="放久了的", when=local(2026, 1, 2))  # 15 days to route passed
    client.force_login(world.operator.user)
    with at(local(2026, 3, 20)):
        page = client.get("/petitions/").content.decode()
    counts = _tab_counts(page)
    assert counts["to_route"] == 2 and counts["to_accept"] == 1 and counts["handling"] == 1
    assert counts["review"] == 1 and counts["overdue"] >= 1
    with at(local(2026, 3, 20)):
        panel = client.get("/petitions/?tab=overdue", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in panel and old.code in panel


def test_a_departments_worklist_holds_what_was_routed_to_it(world, client):
    routed = petition_in(world, "routed")
    petition_in(world, "registered", title="还未转送")
    client.force_login(world.dept_liaison.user)
    with at(local(2026, 3, 5)):
        page = client.get("/petitions/?tab=to_accept").content.decode()
    assert routed.code in page and "还未转送" not in page


def test_registering_on_the_page(world, client):
    client.force_login(world.town_cadre.user)
    form = {
        "form": "visit", "kind": "first", "received_at": "2026-03-02T09:30", "title": "反映村道破损",
        "content": "村道路面破损,雨天积水。", "category": "petition.first", "region": world.village_a.code,
        "headcount": "1", "event_code": "",
        "parties-TOTAL_FORMS": "1", "parties-INITIAL_FORMS": "0", "parties-MIN_NUM_FORMS": "1",
        "parties-MAX_NUM_FORMS": "20", "parties-0-name": "柯志明", "parties-0-id_number": ID_KE,
        "parties-0-phone": "13912345678", "parties-0-address": "洋坂村3组", "parties-0-is_representative": "on",
    }
    with at(local(2026, 3, 2, 10)):
        bad = client.post("/petitions/new/", {**form, "parties-0-id_number": "350322198001011234"})
        assert bad.status_code == 400 and "身份证号码无效" in bad.content.decode()
        r = client.post("/petitions/new/", form)
    p = Petition.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/petitions/{p.pk}/"
    assert p.received_at == local(2026, 3, 2, 9, 30) and p.village_id == world.village_a.pk
    assert p.petitioners.get().id_number == ID_KE


def test_who_may_not_register_is_refused_the_page(world, client):
    client.force_login(world.secretary_a.user)
    assert client.get("/petitions/new/").status_code == 403


def test_the_page_offers_only_what_is_legal_now_and_permitted(world, client):
    p = petition_in(world, "routed")  # routed on 3 March 2026 (a Tuesday)
    client.force_login(world.dept_liaison.user)
    with at(local(2026, 3, 4)):
        buttons = _buttons(client.get(f"/petitions/{p.pk}/").content.decode())
    assert {"accept", "not_accept", "object"} <= buttons and "route" not in buttons and "answer" not in buttons
    with at(local(2026, 3, 11)):  # the 5 working days to object have passed
        buttons = _buttons(client.get(f"/petitions/{p.pk}/").content.decode())
    assert "object" not in buttons and "accept" in buttons
    client.force_login(world.town_cadre.user)
    with at(local(2026, 3, 4)):
        buttons = _buttons(client.get(f"/petitions/{p.pk}/").content.decode())
    assert buttons.isdisjoint({"accept", "not_accept", "object"})


def test_acting_from_the_page_and_its_refusals(world, client):
    p = petition_in(world, "routed")
    client.force_login(world.town_cadre.user)
    with at(local(2026, 3, 4)):
        assert client.post(f"/petitions/{p.pk}/act/accept", {}).status_code == 403
    client.force_login(world.dept_liaison.user)
    with at(local(2026, 3, 4)):
        r = client.post(f"/petitions/{p.pk}/act/accept", {"accept-note": "属本局职责"})
        assert r.status_code == 302 and r["Location"] == f"/petitions/{p.pk}/"
        again = client.post(f"/petitions/{p.pk}/act/accept", {})
    assert again.status_code == 409 and "已受理" in again.content.decode()
    with at(local(2026, 3, 5)):
        bad = client.post(f"/petitions/{p.pk}/act/extend", {"extend-days": "45", "extend-reason": "需调查"})
    assert bad.status_code == 400
    assert Petition.objects.get(pk=p.pk).status == Status.ACCEPTED
    page = client.get(f"/petitions/{p.pk}/").content.decode()
    assert 'data-clock="petition.handle"' in page and "2026-05-03" in page


def test_the_backlog_page_counts_by_four_batches_and_re_sorts(world, client):
    cases = []
    for year, batch in ((1999, "resolve"), (2001, "strive"), (2012, "stabilise"), (2018, "by_law"), (2015, "strive")):
        p = register(world, title=f"积案{year}", when=local(2026, 1, 5))
        with at(local(2026, 1, 6)):
            actions.petition_list_backlog(petition=p, actor=world.operator.user, first_raised_year=year, batch=batch,
                                          leader=world.county_leader)
        cases.append(p)
    client.force_login(world.operator.user)
    with at(local(2026, 2, 1)):
        page = client.get("/petitions/backlog/").content.decode()
    batches = dict(re.findall(r'data-batch="(\w+)">\s*<span class="batch-name">[^<]+</span>\s*<span class="batch-n">(\d+)',
                              page))
    assert batches == {"resolve": "1", "strive": "2", "stabilise": "1", "by_law": "1"}
    assert re.search(r'data-testid="backlog-twenty">2<', page)
    target = cases[1]
    with at(local(2026, 2, 2)):
        r = client.post(f"/petitions/{target.pk}/act/resort",
                        {"resort-batch": "stabilise", "resort-reason": "诉求过高,转为稳控", "next": "/petitions/backlog/?batch=strive"})
    assert r.status_code == 302 and r["Location"] == "/petitions/backlog/?batch=strive"
    sorts = list(BacklogSort.objects.filter(case__petition=target).values_list("from_batch", "to_batch"))
    assert sorts == [("", "strive"), ("strive", "stabilise")]
    row = AuditEntry.objects.filter(stream=f"petition:{target.pk}", action="resort").get()
    assert row.details == {"from_batch": "strive", "batch": "stabilise"} and row.note == "诉求过高,转为稳控"
    with at(local(2026, 2, 2)):
        filtered = client.get("/petitions/backlog/?batch=stabilise").content.decode()
    assert filtered.count('data-testid="case-batch"') == 2
    with at(local(2026, 2, 2)):
        assert client.get("/petitions/backlog/?age=forever").status_code == 400
    with at(local(2026, 2, 2)):  # an outside "next" is not followed
        r = client.post(f"/petitions/{target.pk}/act/resort",
                        {"resort-batch": "strive", "resort-reason": "再调整", "next": "https://evil.example/"})
    assert r["Location"] == f"/petitions/{target.pk}/"


def test_the_leader_in_charge_sees_what_they_lead(world, client):
    p = petition_in(world, "handling")
    with at(local(2026, 3, 10)):
        actions.petition_assign(petition=p, actor=world.operator.user, leader=world.county_leader)
    other = petition_in(world, "handling", title="别人包案的")
    client.force_login(world.county_leader.user)
    page = client.get("/petitions/leader/").content.decode()
    assert p.code in page and other.code not in page


def test_the_ledger_filters_and_refuses_bad_filters(world, client):
    petition_in(world, "handling")
    register(world, kind="repeat", title="重复来访", when=local(2026, 3, 5))
    client.force_login(world.operator.user)
    page = client.get("/petitions/ledger/?kind=repeat").content.decode()
    assert "重复来访" in page and "反映拖欠工资问题" not in page
    assert client.get("/petitions/ledger/?registered_from=yesterday").status_code == 400
    assert client.get("/petitions/ledger.xlsx?kind=repeat").status_code == 200


def test_a_page_for_a_petition_shows_its_timeline_with_the_limits_each_step_set(world, client):
    p = petition_in(world, "answered")
    client.force_login(world.operator.user)
    page = client.get(f"/petitions/{p.pk}/").content.decode()
    for label in ("登记", "转送/交办", "受理", "开始办理", "出具处理意见"):
        assert f'<strong class="tl-action">{label}</strong>' in page
    assert "可申请复查至" in page and "受理告知书" in page and "处理意见书" in page
    assert dt.date(2026, 4, 5).isoformat() in page  # 30 days to ask for a review from the answer of 6 March
