"""Stays built through the real check-in and check-out, at the moments they happen."""

from __future__ import annotations

import datetime as dt

from fengqiao.lib import clock
from fengqiao.stationing import actions
from fengqiao.stationing.models import Plan, Stay
from tests.majors.world import IN_A, SH


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SH)


def plan(mw, *, person="police_a", rule="village_mon_fri", region=None, identity="police",
         starts_on=dt.date(2026, 9, 1), actor="town_cadre", station=None) -> Plan:
    with clock.frozen(at(starts_on, 9)):
        return actions.plan_create(actor=mw.user(actor), person=getattr(mw, person), rule=rule,
                                   region=region or mw.village_a, identity=identity, starts_on=starts_on,
                                   station=station)


def night(mw, p: Plan, day: dt.date, *, who="police_a", where=IN_A, leave=(1, 7), arrive=(17, 30),
          back=None) -> Stay:
    """Arrive on `day` at `arrive`, leave `leave[0]` days later at `leave[1]` o'clock."""
    back = back or where
    with clock.frozen(at(day, *arrive)):
        stay = actions.check_in(actor=mw.user(who), plan=p, latitude=where[0], longitude=where[1], accuracy=15)
    with clock.frozen(at(day + dt.timedelta(days=leave[0]), leave[1])):
        return actions.check_out(actor=mw.user(who), stay=stay, latitude=back[0], longitude=back[1], accuracy=15,
                                 households=3, meetings=1, notes="走访农户,召开村民小组会。")
