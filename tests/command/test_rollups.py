"""Rollups: kept current by the hook in the action's transaction, rebuilt by a command, admin."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from fengqiao.command.models import DailyRegionCounts
from fengqiao.events import actions, hooks
from fengqiao.lib import clock
from tests.command.helpers import assert_rollups_match_a_rebuild, at, rollup_rows
from tests.factories import register

pytestmark = pytest.mark.django_db


def test_an_action_that_fails_leaves_the_counters_as_they_were(world):
    with clock.frozen(at(2026, 3, 2)):
        e = register(world)
    before = rollup_rows()

    def dies(change):  # a later listener fails: the whole action rolls back, counters included
        raise RuntimeError("a later listener fails")

    hooks.listen(dies)
    try:
        with pytest.raises(RuntimeError, match="later listener"):
            actions.event_acknowledge(event=e, actor=world.secretary_a.user)
    finally:
        hooks.unlisten(dies)
    assert rollup_rows() == before
    actions.event_acknowledge(event=e, actor=world.secretary_a.user)
    assert rollup_rows() != before


def test_the_rebuild_command_recomputes_from_the_events(world):
    with clock.frozen(at(2026, 3, 2)):
        register(world)
        register(world, region=world.village_c)
    DailyRegionCounts.objects.all().delete()
    out = io.StringIO()
    call_command("rebuild_rollups", stdout=out)
    assert "command_dailyregioncounts 2" in out.getvalue()
    assert sum(DailyRegionCounts.objects.values_list("registered", flat=True)) == 2
    assert_rollups_match_a_rebuild()


def test_the_admin_lists_campaigns_and_the_settings(client, world):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", password="pw-123456")
    client.force_login(admin)
    assert client.get("/admin/command/campaign/").status_code == 200
    assert client.get("/admin/command/commandsettings/add/").status_code == 200


def test_verify_rollups_finds_a_damaged_counter(world):
    from django.core.management.base import CommandError

    with clock.frozen(at(2026, 3, 2)):
        register(world)
    out = io.StringIO()
    with clock.frozen(at(2026, 3, 10)):
        call_command("verify_rollups", "--days", "30", stdout=out)
        assert "agree" in out.getvalue()
        DailyRegionCounts.objects.update(registered=5)
        with pytest.raises(CommandError, match="registered"):
            call_command("verify_rollups", stdout=io.StringIO())


def test_a_registration_batch_counts_its_events_once_at_the_end_as_a_rebuild_would(world):
    from django.db import transaction

    from fengqiao.events.batch import registration_batch
    from fengqiao.events.models import Category

    wages = Category.objects.get(code="dispute.wages")
    with clock.frozen(at(2026, 3, 2)):
        register(world)  # counted at once, outside the batch
        before = rollup_rows()
        with transaction.atomic(), registration_batch():
            for n, region in enumerate([world.village_a, world.grid_a, world.village_c, world.town, world.village_a]):
                actions.event_register_nested(actor=world.operator.user, title=f"工资拖欠{n}",
                                              category=wages, source="hotline_12345", region=region)
            # A row undone inside the batch (the door's savepoint) is not counted.
            with pytest.raises(RuntimeError), transaction.atomic():
                actions.event_register_nested(actor=world.operator.user, title="撤回", category=wages,
                                              source="hotline_12345", region=world.village_b)
                raise RuntimeError("this row is rolled back")
            assert rollup_rows() == before  # nothing locked or written before the end
    assert rollup_rows() != before
    assert_rollups_match_a_rebuild()


def test_a_batch_that_fails_counts_nothing(world):
    from django.db import transaction

    from fengqiao.events.batch import registration_batch
    from fengqiao.events.models import Category

    before = rollup_rows()
    with pytest.raises(RuntimeError), transaction.atomic(), registration_batch():
        actions.event_register_nested(actor=world.operator.user, title="工资拖欠",
                                      category=Category.objects.get(code="dispute.wages"),
                                      source="hotline_12345", region=world.village_a)
        raise RuntimeError("a bad row")
    assert rollup_rows() == before
