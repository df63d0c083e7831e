"""Schemathesis over the mediation operations only, with cases and tasks to find (the whole-API
run in tests/api has none): as an officer, a town mediator, a 群英 member and nobody, every
generated request answers without a 5xx, in the declared shape, errors as {"code", "message"}."""

from __future__ import annotations

import pytest
from django.core import signals
from django.db import close_old_connections

from fengqiao.mediation import actions
from fengqiao.people.actions import api_token_issue
from tests.api.fuzzing import Tally, _run_operation, load_schema
from tests.factories import register
from tests.mediation.world import build_centre

pytestmark = pytest.mark.django_db(transaction=False)


def test_generated_requests_to_the_mediation_api_never_get_a_5xx(world):
    centre = build_centre(world)
    w = world
    event = register(w, actor=w.operator.user)
    case = actions.case_open(actor=centre.user("town_mediator"), event=event, org=centre.town_committee,
                             kind="people", parties=[{"side": "applicant", "name": "柯某", "phone": "13912345678"}])
    actions.case_accept(case=case, actor=centre.user("town_mediator"))
    actions.task_dispatch(actor=w.police_a.user, event=event, member=centre.member)

    def bearer(user):
        _row, raw = api_token_issue(user=user, name="fuzz", actor=None)
        return {"Authorization": f"Bearer {raw}"}

    callers = {"operator": bearer(w.operator.user), "mediator": bearer(centre.user("town_mediator")),
               "member": bearer(centre.user("member")), "anonymous": {}}
    tally = Tally()
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        operations = [r.ok() for r in load_schema().get_all_operations()]
        mine = [op for op in operations if op.path.startswith("/api/v1/mediation/")]
        assert len(mine) >= 20
        for name, headers in callers.items():
            for operation in mine:
                for mode in ("positive", "negative"):
                    _run_operation(operation, name, headers, 4, tally, False, mode)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    print(f"\nmediation fuzz: {tally.requests} requests, statuses {dict(tally.statuses)}")
    for failure in tally.failures[:10]:
        print(failure)
    assert tally.requests > 200
    assert tally.server_errors == 0, tally.statuses
    assert tally.failures == []
