"""Put an event into any state through the real actions."""

from __future__ import annotations

from fengqiao.events import actions
from fengqiao.events.models import Event, Status
from tests.factories import World, register


def event_in(world: World, status: str, actor) -> Event:
    """An event in `status`, built only through actions (resolved ones not yet called back,
    closed ones called back satisfied first)."""
    if status in {Status.REGISTERED, Status.REFUSED, Status.MERGED}:
        event = register(world, region=world.town, actor=actor,  # a town: waits for dispatch
                         parties=[actions.PartyInput(name="柯某", phone="13912345678", is_reporter=True)])
        if status == Status.REFUSED:
            actions.event_refuse(event=event, actor=actor, reason="不属于受理范围")
        elif status == Status.MERGED:
            keeper = register(world, actor=actor)
            actions.event_merge(event=event, actor=actor, into=keeper)
        return Event.objects.get(pk=event.pk)
    event = register(world, actor=actor,
                     parties=[actions.PartyInput(name="柯某", phone="13912345678", is_reporter=True)])
    if status == Status.DISPATCHED:
        return Event.objects.get(pk=event.pk)
    actions.event_acknowledge(event=event, actor=actor)
    if status == Status.IN_PROGRESS:
        return Event.objects.get(pk=event.pk)
    actions.event_resolve(event=event, actor=actor, result="已调解,双方签订协议")
    if status == Status.RESOLVED:
        return Event.objects.get(pk=event.pk)
    actions.event_call_back(event=event, actor=actor, satisfaction="satisfied")
    actions.event_close(event=event, actor=actor)
    return Event.objects.get(pk=event.pk)


def valid_data(world: World, event: Event, action: str, actor) -> dict:
    """Fields that make `action` acceptable apart from the state; prepares prerequisites."""
    if action == "dispatch":
        return {"region_code": world.village_a.code}
    if action in {"return", "refuse", "escalate"}:
        return {"reason": "测试原因"}
    if action == "add_assignee":
        return {"person_id": world.work_team_a.pk, "role": "work_team"}
    if action == "comment":
        return {"text": "会商意见:由村调委会先行调解", "consultation": True}
    if action == "call":
        party = event.parties.first()
        return {"party_id": party.pk} if party else {"person_id": world.secretary_a.pk}
    if action == "resolve":
        return {"result": "已办结"}
    if action == "call_back":
        return {"satisfaction": "basically_satisfied"}
    if action == "close":
        if event.status == Status.RESOLVED and not event.satisfaction:  # close needs a call-back
            actions.event_call_back(event=event, actor=actor, satisfaction="satisfied")
        return {}
    if action == "request_extension":
        return {"days": 5, "reason": "需等待鉴定结果"}
    if action in {"approve_extension", "reject_extension"}:
        from fengqiao.events import statemachine as sm

        pending = event.extension_requests.filter(state="pending").exists()
        if sm.allows(event.status, "request_extension") and not pending:
            actions.event_request_extension(event=event, actor=actor, days=5, reason="需等待鉴定结果")
        return {}
    if action == "supervise":
        return {"level": "yellow"}
    if action == "unflag_risk":
        from fengqiao.events import statemachine as sm

        if sm.allows(event.status, "flag_risk") and not event.high_risk:
            actions.event_flag_risk(event=event, actor=actor, reason="群体性苗头")
        return {}
    if action == "merge":
        keeper = register(world, actor=actor, title="同一事项的另一渠道")
        return {"into_id": keeper.pk}
    if action == "recategorise":
        return {"category_code": "dispute.neighbours" if event.category.code != "dispute.neighbours" else "dispute.land"}
    return {}
