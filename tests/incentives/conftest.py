import pytest
from django.db import connection

from tests.grid.world import build_grid_world


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres_only") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row-level concurrency); run with DATABASE_URL=postgres://…")


@pytest.fixture
def gw(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return build_grid_world()
