"""The command centre's page of major matters and stationed cadres prints seed 002's figure with
the command centre's own `measures.format_rate`: 240 listed, 222 done → 92.5%."""

from __future__ import annotations

import re

import pytest

from fengqiao.lib import clock
from tests.majors.test_figures import NOW, seed_002

pytestmark = pytest.mark.django_db


def test_the_command_centre_shows_92_point_5_percent_by_its_own_rule(mw, client):
    seed_002(mw)
    client.force_login(mw.user("operator"))
    with clock.frozen(NOW):
        r = client.get("/command/majors/")
    assert r.status_code == 200
    html = r.content.decode()
    assert re.search(r'data-testid="completion-rate">([^<]+)<', html).group(1) == "92.5%"
    levels = re.search(r'data-testid="by-level">(.*?)</table>', html, re.S).group(1)
    assert levels.count("92.5%") == 3  # 80 listed, 74 done at each level
    assert "度尾镇" in re.search(r'data-testid="by-town">(.*?)</table>', html, re.S).group(1)


def test_a_town_sees_its_own_region_and_no_other(mw, client):
    seed_002(mw)
    client.force_login(mw.user("other_town_cadre"))
    with clock.frozen(NOW):
        assert client.get("/command/majors/").status_code == 200
        assert client.get(f"/command/majors/?region={mw.town.code}").status_code == 404
        html = client.get("/command/majors/").content.decode()
    assert re.search(r'data-testid="listed">(\d+)<', html).group(1) == "0"  # 郊尾镇 lists none of them
