"""Address → place: changes made elsewhere (the admin, an import, another process) reach the matcher
through the one-row RegionsVersion, without a restart and without a scan of the region table."""

from __future__ import annotations

import json

import pytest
from django.db.models import F
from django.utils import timezone

from fengqiao.regions import locate as locate_module
from fengqiao.regions.importer import import_divisions
from fengqiao.regions.locate import locate, locate_index
from fengqiao.regions.models import Region, RegionsVersion
from tests.regions.conftest import write_divisions
from tests.regions.test_locate import TREE, YANGBAN


@pytest.fixture
def tree(db, tmp_path):
    import_divisions(write_divisions(tmp_path / "divisions", TREE))


@pytest.fixture
def big(monkeypatch):
    """Treat the small test tree like the whole country: the version row is read at most once a
    VERSION_TTL, not on every lookup."""
    monkeypatch.setattr(locate_module, "ALWAYS_CHECK_BELOW", 0)


def version() -> int:
    return RegionsVersion.objects.get(pk=1).version


def another_process_bumps() -> None:
    """What bump_regions_version writes, without this process's own invalidation."""
    RegionsVersion.objects.filter(pk=1).update(version=F("version") + 1, changed_at=timezone.now())


def test_the_migration_creates_the_row(db):
    assert RegionsVersion.objects.filter(pk=1).exists()


def _change_form(region: Region, **changes) -> dict:
    data = {
        "name": region.name, "short_name": region.short_name, "aliases": json.dumps(region.aliases),
        "village_category": region.village_category or "", "edition": region.edition,
        "latitude": region.latitude or "", "longitude": region.longitude or "",
        "retired_at_0": "", "retired_at_1": "", "replaced_by": "",
    }
    data.update(changes)
    return data


def test_an_alias_added_in_the_admin_is_matched_by_the_next_lookup(admin_client, tree, big):
    assert locate("仙游县红星大队3组").code == "350322"  # only the county is known
    before = version()
    village = Region.objects.get(code=YANGBAN)
    r = admin_client.post(f"/admin/regions/region/{village.pk}/change/",
                          _change_form(village, aliases=json.dumps([*village.aliases, "红星大队"])))
    assert r.status_code == 302, r.content.decode()[:3000]
    assert version() == before + 1
    assert locate("仙游县红星大队3组").code == YANGBAN


def test_a_region_imported_is_matched_by_the_next_lookup(tree, tmp_path, big):
    assert locate("仙游县度尾镇云居村").code == "350322103"  # not a village yet
    before = version()
    more = {**TREE, "villages": [*TREE["villages"],
                                 ("350322103212", "云居村委会", "350322103", "35", "3503", "350322")]}
    import_divisions(write_divisions(tmp_path / "2024", more))
    assert version() == before + 1
    assert locate("仙游县度尾镇云居村").code == "350322103212"


def test_a_change_in_another_process_is_seen_through_the_version_row(tree, big, monkeypatch):
    index = locate_index()
    # Another process renames a village in the table (no signal reaches this process) …
    Region.objects.filter(code=YANGBAN).update(aliases=["红星大队"])
    assert locate_index() is index  # … within VERSION_TTL nothing is read
    monkeypatch.setattr(locate_module, "VERSION_TTL", 0.0)
    assert locate_index() is index  # the version row has not moved: no rebuild
    assert locate("仙游县红星大队").code == "350322"
    another_process_bumps()  # … and bumps the version in its transaction
    assert locate("仙游县红星大队").code == YANGBAN
    assert locate_index() is not index


def test_a_small_tree_reads_the_version_on_every_lookup(tree):
    index = locate_index()
    Region.objects.filter(code=YANGBAN).update(aliases=["红星大队"])
    another_process_bumps()
    assert locate("仙游县红星大队").code == YANGBAN
    assert locate_index() is not index


def test_grids_from_a_shape_import_bump_the_version(tree):
    from fengqiao.regions.shapes import import_shapes

    before = version()
    square = [[119.0, 25.0], [119.01, 25.0], [119.01, 25.01], [119.0, 25.01], [119.0, 25.0]]
    report = import_shapes({"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": {"type": "Polygon", "coordinates": [square]},
        "properties": {"code": "350322103208G01", "name": "洋坂村第一网格", "parent": YANGBAN},
    }]})
    assert report.grids_created == 1
    assert version() > before
    assert locate("仙游县度尾镇洋坂村第一网格").code == "350322103208G01"
