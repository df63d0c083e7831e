"""The triage queue's writes: opening at intake, closing as decisions are taken, and every
reporter hearing the outcome of a merged matter."""

import pytest
from django.db import transaction

from fengqiao.audit.chain import verify
from fengqiao.audit.models import AuditEntry
from fengqiao.events import actions
from fengqiao.events.models import Category, Event, Status
from fengqiao.lib.errors import Conflict, InvalidInput, NotPermitted
from fengqiao.notify.models import OutboxMessage
from fengqiao.triage.actions import (
    triage_dismiss_twin,
    triage_dispatch,
    triage_merge,
    triage_open,
    triage_set_category,
)
from fengqiao.triage.models import TriageItem, TwinFlag
from tests.factories import register
from tests.triage.helpers import reporter


def _open(event, reasons, **kw) -> TriageItem:
    with transaction.atomic():
        return triage_open(event=event, reasons=reasons, **kw)


def _unrouted(world, **kw):
    """What intake files when it cannot find the village: the county, waiting for dispatch."""
    return register(world, region=world.county, title="路灯不亮", category="other", **kw)


def test_open_records_reasons_candidates_suggestions_and_twins(world):
    twin = register(world, title="洋坂村路灯不亮")
    event = _unrouted(world)
    cat = Category.objects.get(code="livelihood.infrastructure")
    item = _open(event, ["ambiguous_address", "uncategorised", "duplicate"],
                 region_candidates=[{"code": world.village_a.code, "name": "洋坂村"},
                                    {"code": world.village_b.code, "name": "剑山村"}],
                 category_suggestions=[(cat, 0.8123)], twins=[(twin, 0.71)])
    assert item.reasons == ["ambiguous_address", "uncategorised", "duplicate"]
    assert [c["code"] for c in item.region_candidates] == [world.village_a.code, world.village_b.code]
    assert item.category_suggestions == [{"code": cat.code, "name": cat.name, "confidence": 0.8123}]
    assert [(f.twin_id, f.score, f.state) for f in item.twin_flags.all()] == [(twin.pk, 0.71, "open")]


def test_opening_again_adds_to_the_open_item(world):
    event = _unrouted(world)
    first = _open(event, ["unrouted"])
    second = _open(event, ["uncategorised"])
    assert first.pk == second.pk and second.reasons == ["unrouted", "uncategorised"]
    assert TriageItem.objects.count() == 1


def test_open_refuses_bad_input_and_writes_nothing(world):
    event = _unrouted(world)
    for reasons, kw in ((["lost"], {}), ([], {}), (["duplicate"], {}),
                        (["ambiguous_address"], {"region_candidates": [{"name": "无代码"}]})):
        with pytest.raises(InvalidInput):
            _open(event, reasons, **kw)
    assert TriageItem.objects.count() == 0


def test_dispatch_from_triage_closes_the_item(world):
    event = _unrouted(world)
    item = _open(event, ["unrouted"])
    triage_dispatch(item=item, actor=world.operator.user, region=world.village_a)
    item.refresh_from_db()
    event.refresh_from_db()
    assert event.status == Status.DISPATCHED and event.village_id == world.village_a.pk
    assert item.closed_at is not None and item.outcome == "dispatched"
    assert item.closed_by == world.operator.user
    with pytest.raises(Conflict):
        triage_dispatch(item=item, actor=world.operator.user, region=world.village_b)


def test_dispatch_alone_leaves_an_item_open_while_the_category_waits(world):
    event = _unrouted(world)
    item = _open(event, ["unrouted", "uncategorised"])
    triage_dispatch(item=item, actor=world.operator.user, region=world.village_a)
    item.refresh_from_db()
    assert item.closed_at is None and item.reasons == ["uncategorised"]
    triage_set_category(item=item, actor=world.operator.user,
                        category=Category.objects.get(code="livelihood.infrastructure"))
    item.refresh_from_db()
    event.refresh_from_db()
    assert event.category.code == "livelihood.infrastructure"
    assert item.closed_at is not None and item.outcome == "categorised"
    last = AuditEntry.objects.filter(event=event).order_by("-seq").first()
    assert last.action == "recategorise" and last.details["from_category"] == "other"


def test_confirming_the_category_it_has_closes_the_reason_and_is_recorded(world):
    event = _unrouted(world)
    item = _open(event, ["uncategorised"])
    triage_set_category(item=item, actor=world.operator.user, category=event.category, note="确认")
    item.refresh_from_db()
    assert item.closed_at is not None and item.category_confirmed_by == world.operator.user
    assert AuditEntry.objects.filter(event=event, action="confirm_category").count() == 1
    assert verify() is None


def test_a_town_cadre_cannot_dispatch_a_county_event_and_nothing_changes(world):
    event = _unrouted(world)
    item = _open(event, ["unrouted"])
    with pytest.raises(NotPermitted):
        triage_dispatch(item=item, actor=world.town_cadre.user, region=world.village_a)
    with pytest.raises(NotPermitted):
        triage_set_category(item=item, actor=world.secretary_a.user, category=event.category)
    item.refresh_from_db()
    assert item.closed_at is None and item.reasons == ["unrouted"]


def test_dismissing_the_last_twin_closes_the_item(world):
    twin = register(world, title="洋坂村路灯不亮")
    event = register(world, title="洋坂村路灯坏了")
    item = _open(event, ["duplicate"], twins=[(twin, 0.6)])
    with pytest.raises(InvalidInput):
        triage_dismiss_twin(item=item, actor=world.operator.user, twin_id=event.pk)
    with pytest.raises(InvalidInput):
        triage_dismiss_twin(item=item, actor=world.operator.user, twin_id="x")
    triage_dismiss_twin(item=item, actor=world.operator.user, twin_id=twin.pk, note="不同路段")
    item.refresh_from_db()
    assert item.closed_at is not None and item.outcome == "not_duplicate"
    assert TwinFlag.objects.get().state == "dismissed"
    assert AuditEntry.objects.filter(event=event, action="not_duplicate").count() == 1


def test_merge_from_triage_links_the_duplicate_and_closes_the_item(world):
    kept = register(world, title="洋坂村菜溪线路灯不亮", source="hotline_12345",
                    parties=reporter("13511112222", "柯明"))
    dup = register(world, title="菜溪线路灯坏了", source="police_110", parties=reporter("13733334444", "林芳"))
    item = _open(dup, ["duplicate"], twins=[(kept, 0.72)])
    with pytest.raises(InvalidInput):
        triage_merge(item=item, actor=world.operator.user, twin_id=kept.pk, keep="both")
    triage_merge(item=item, actor=world.operator.user, twin_id=kept.pk)
    dup.refresh_from_db()
    item.refresh_from_db()
    assert dup.status == Status.MERGED and dup.merged_into_id == kept.pk
    assert item.closed_at is not None and item.outcome == "merged"
    assert TwinFlag.objects.get().state == "merged"


def test_reporters_of_merged_events_are_texted_when_the_kept_event_resolves(world):
    op = world.operator.user
    kept = register(world, title="洋坂村菜溪线路灯不亮", source="hotline_12345",
                    parties=reporter("13511112222", "柯明"))
    dup = register(world, title="菜溪线路灯坏了", source="police_110", parties=reporter("13733334444", "林芳"))
    same_caller = register(world, title="路灯又坏了", source="grid", parties=reporter("13511112222", "柯明"))
    item = _open(dup, ["duplicate"], twins=[(kept, 0.72)])
    triage_merge(item=item, actor=op, twin_id=kept.pk)
    actions.event_merge(event=same_caller, actor=op, into=kept)
    assert not OutboxMessage.objects.filter(template="outcome").exists()

    actions.event_acknowledge(event=kept, actor=world.secretary_a.user)
    actions.event_resolve(event=kept, actor=world.secretary_a.user, result="已更换路灯")
    texts = list(OutboxMessage.objects.filter(template="outcome"))
    # The 110 caller hears it; the kept event's own caller is left to its call-back.
    assert [(t.recipient, t.event_id) for t in texts] == [("13733334444", dup.pk)]
    assert kept.code in texts[0].body and dup.code in texts[0].body and "办结" in texts[0].body

    # Rework and a second resolve do not text the same reporter twice.
    actions.event_call_back(event=kept, actor=op, satisfaction="dissatisfied")
    actions.event_resolve(event=kept, actor=world.secretary_a.user, result="已再次维修")
    assert OutboxMessage.objects.filter(template="outcome").count() == 1


def test_merging_into_an_already_resolved_event_texts_at_once(world):
    op = world.operator.user
    kept = register(world, title="洋坂村菜溪线路灯不亮")
    actions.event_acknowledge(event=kept, actor=world.secretary_a.user)
    actions.event_resolve(event=kept, actor=world.secretary_a.user, result="已更换路灯")
    late = register(world, title="菜溪线路灯坏了", parties=reporter("13733334444", "林芳"))
    actions.event_merge(event=late, actor=op, into=kept)
    assert OutboxMessage.objects.filter(template="outcome", event=late).count() == 1


def test_refusing_the_twin_lapses_the_flag_and_closes_the_item(world):
    op = world.operator.user
    twin = register(world, title="路灯不亮", region=world.town)
    event = register(world, title="路灯坏了")
    item = _open(event, ["duplicate"], twins=[(twin, 0.66)])
    actions.event_refuse(event=twin, actor=op, reason="重复投诉")
    item.refresh_from_db()
    assert item.closed_at is not None and item.outcome == "twin_gone"
    assert TwinFlag.objects.get().state == "lapsed"


def test_refusing_the_event_closes_its_item(world):
    event = _unrouted(world)
    item = _open(event, ["unrouted", "uncategorised"])
    actions.event_refuse(event=event, actor=world.operator.user, reason="不属于受理范围")
    item.refresh_from_db()
    assert item.closed_at is not None and item.outcome == "refused" and item.reasons == []
    assert Event.objects.get(pk=event.pk).status == Status.REFUSED


def test_a_citizen_who_reported_through_the_citizen_app_is_not_texted_twice(world):
    from django.apps import apps

    from fengqiao.lib import clock
    from fengqiao.lib.protect import blind_index

    op = world.operator.user
    kept = register(world, title="洋坂村菜溪线路灯不亮")
    dup = register(world, title="菜溪线路灯坏了", source="citizen", parties=reporter("13733334444", "林芳"))
    report_model = apps.get_model("citizen", "CitizenReport")
    report_model.objects.create(event=dup, tracking_digest="t" * 64, tracking_code="ABCD1234",
                                phone="13733334444", phone_index=blind_index("13733334444"),
                                channel="page", created_at=clock.now())
    actions.event_merge(event=dup, actor=op, into=kept)
    actions.event_acknowledge(event=kept, actor=world.secretary_a.user)
    actions.event_resolve(event=kept, actor=world.secretary_a.user, result="已更换路灯")
    assert [m.recipient for m in OutboxMessage.objects.filter(template="outcome")] == []


def test_merging_into_one_twin_lapses_the_other_flags_of_the_merged_event(world):
    kept = register(world, title="洋坂村菜溪线路灯不亮")
    third = register(world, title="洋坂村另一处路灯不亮")
    dup = register(world, title="菜溪线路灯坏了")
    item = _open(dup, ["duplicate"], twins=[(kept, 0.8), (third, 0.72)])
    triage_merge(item=item, actor=world.operator.user, twin_id=kept.pk)
    states = dict(TwinFlag.objects.filter(item=item).values_list("twin_id", "state"))
    assert states == {kept.pk: "merged", third.pk: "lapsed"}


def test_closing_the_event_closes_an_item_still_waiting_for_its_category(world):
    event = register(world, title="洋坂村路灯不亮", category="other")
    item = _open(event, ["uncategorised"])
    sec = world.secretary_a.user
    actions.event_acknowledge(event=event, actor=sec)
    actions.event_resolve(event=event, actor=sec, result="已修好")
    actions.event_call_back(event=event, actor=world.operator.user, satisfaction="satisfied")
    item.refresh_from_db()
    assert item.closed_at is None
    actions.event_close(event=event, actor=world.operator.user)
    item.refresh_from_db()
    assert item.closed_at is not None and item.outcome == "event_closed"
