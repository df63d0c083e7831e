import pytest

from fengqiao.regions import geo
from tests.majors.world import build


@pytest.fixture
def mw(db, monkeypatch):
    """The 莆田市 slice with outlines and named people (tests/majors/world.py)."""
    monkeypatch.setattr(geo, "CHECK_SECONDS", 0.0)
    geo.invalidate()
    world = build()
    yield world
    geo.invalidate()
