"""The admin's grid and incentive pages open; a rubric used for scoring keeps its items."""

from __future__ import annotations

import datetime as dt

from fengqiao.incentives import actions
from fengqiao.incentives.models import Rubric


def test_the_admin_pages_open(gw, admin_client):
    for url in ("/admin/grid/checklist/", "/admin/grid/gridsettings/", "/admin/grid/zone/",
                "/admin/incentives/rule/", "/admin/incentives/starthreshold/", "/admin/incentives/rubric/",
                f"/admin/incentives/rubric/{Rubric.objects.get().pk}/change/"):
        assert admin_client.get(url).status_code == 200, url


def test_a_used_rubric_is_read_only_in_the_admin(gw, admin_client):
    rubric = Rubric.objects.get()
    actions.period_open(actor=gw.user("secretary_a"), region=gw.base.village_a, rubric=rubric, name="2026",
                        starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31))
    page = admin_client.get(f"/admin/incentives/rubric/{rubric.pk}/change/").content.decode()
    assert 'name="items-0-points"' not in page
