"""A short, deterministic schemathesis run over the whole API as five callers: no 5xx, every
answer in the declared shape, every error JSON {"code", "message"}. The long run is
bench/schemathesis_long.py."""

from __future__ import annotations

import os

import pytest

from fengqiao.intake.actions import intake_system_create
from tests.api.fuzzing import callers_for, run
from tests.factories import register

pytestmark = pytest.mark.django_db(transaction=False)


def test_generated_requests_as_every_kind_of_caller_never_get_a_5xx_and_match_the_document(world):
    register(world)  # something to list, act on and look up
    _system, key = intake_system_create(name="仙游县12345平台", source="hotline_12345", within=world.county,
                                        actor=None)
    examples = int(os.environ.get("FENGQIAO_SCHEMATHESIS_EXAMPLES", "3"))  # bench/schemathesis_long.py raises it
    tally = run(callers_for(world, key), max_examples=examples, raise_on_failure=examples <= 3)
    print(f"\nschemathesis: {tally.requests} requests in {tally.seconds:.0f} s, statuses {dict(tally.statuses)}, "
          f"{tally.server_errors} 5xx, {len(tally.failures)} check failures")
    for failure in tally.failures[:20]:
        print(failure)
    assert tally.requests > 300
    assert tally.server_errors == 0, tally.statuses
    assert tally.failures == []
