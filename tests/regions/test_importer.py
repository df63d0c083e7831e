"""Importing the NBS division files: the tree, re-runs, newer editions, scope, bad input."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from fengqiao.lib import clock
from fengqiao.regions.importer import DivisionImportError, import_divisions, speech_forms
from fengqiao.regions.models import ANCESTOR_LEVELS, Region
from tests.regions.conftest import EDITION_2023, write_divisions

REAL_DATA = Path("/work/shared/data/divisions")


def _snapshot() -> dict:
    return {
        r["code"]: r
        for r in Region.objects.values(
            "code", "level", "name", "short_name", "aliases", "parent_id", "edition", "retired_at",
            *[f"{lv}_id" for lv in ANCESTOR_LEVELS],
        )
    }


def assert_ancestor_columns_are_right():
    """Every row's ancestor columns equal its parent's, plus itself at its own level."""
    by_id = {r.id: r for r in Region.objects.all()}
    for region in by_id.values():
        parent = by_id.get(region.parent_id)
        for lv in ANCESTOR_LEVELS:
            expected = region.id if lv == region.level else (getattr(parent, f"{lv}_id") if parent else None)
            assert getattr(region, f"{lv}_id") == expected, (region.code, lv)


def test_import_builds_the_whole_tree_with_right_ancestor_columns(db, divisions_2023):
    report = import_divisions(divisions_2023, edition="2023")

    assert {lv: c.created for lv, c in report.levels.items()} == {
        "province": 1, "city": 1, "county": 2, "town": 3, "village": 4,
    }
    assert report.renamed == report.retired == report.unchanged == 0
    assert Region.objects.count() == 11
    assert_ancestor_columns_are_right()
    village = Region.objects.get(code="350322103208")
    assert village.level == "village" and village.edition == "2023"
    assert village.short_name == "洋坂村"
    assert village.aliases == ["洋坂村委会", "洋坂村", "洋坂"]
    assert [r.name for r in village.lineage()] == ["福建省", "莆田市", "仙游县", "度尾镇", "洋坂村委会"]
    county = Region.objects.get(code="350322")
    assert Region.objects.filter(**county.subtree_kwargs(), level="village").count() == 3


def test_re_running_the_same_files_changes_nothing(db, divisions_2023):
    import_divisions(divisions_2023, edition="2023")
    before = _snapshot()

    report = import_divisions(divisions_2023, edition="2023")

    assert report.created == report.renamed == report.retired == report.revived == report.relinked == 0
    assert report.unchanged == 11
    assert _snapshot() == before


def test_a_newer_edition_renames_adds_and_retires(db, divisions_2023, divisions_2024):
    import_divisions(divisions_2023, edition="2023")
    old_ids = dict(Region.objects.values_list("code", "id"))

    report = import_divisions(divisions_2024, edition="2024")

    villages = report.levels["village"]
    assert (villages.created, villages.renamed, villages.retired, villages.unchanged) == (1, 1, 1, 2)
    assert report.levels["town"].unchanged == 3 and report.levels["town"].retired == 0

    renamed = Region.objects.get(code="350322103209")
    assert renamed.id == old_ids["350322103209"]
    assert renamed.name == "剑山村民委员会" and renamed.short_name == "剑山村"
    assert "剑山村委会" in renamed.aliases and "剑山" in renamed.aliases
    assert renamed.edition == "2024"

    gone = Region.objects.get(code="350322102201")
    assert gone.retired_at is not None and gone.name == "梅塘村委会"
    added = Region.objects.get(code="350322103210")
    assert added.retired_at is None and added.town.name == "度尾镇"
    assert set(Region.objects.filter(retired_at=None).values_list("edition", flat=True)) == {"2024"}
    assert_ancestor_columns_are_right()

    again = import_divisions(divisions_2024, edition="2024")
    assert again.changed == 0


def test_a_retired_code_that_reappears_is_revived(db, divisions_2023, divisions_2024):
    import_divisions(divisions_2023)
    import_divisions(divisions_2024)
    assert Region.objects.get(code="350322102201").retired_at is not None

    report = import_divisions(divisions_2023)

    assert report.levels["village"].revived == 1
    assert report.levels["village"].retired == 1  # 云居 is not in 2023
    assert report.levels["village"].renamed == 1  # 剑山 back to its 2023 name
    assert Region.objects.get(code="350322102201").retired_at is None
    assert Region.objects.get(code="350322103210").retired_at is not None


def test_retiring_sets_the_time_from_the_platform_clock(db, divisions_2023, divisions_2024):
    import datetime as dt

    import_divisions(divisions_2023)
    moment = dt.datetime(2024, 6, 1, 8, 0, tzinfo=dt.UTC)
    with clock.frozen(moment):
        import_divisions(divisions_2024)
    assert Region.objects.get(code="350322102201").retired_at == moment


def test_within_imports_the_subtree_and_its_ancestors_only(db, divisions_2023):
    report = import_divisions(divisions_2023, within="350322")

    assert set(Region.objects.values_list("code", flat=True)) == {
        "35", "3503", "350322", "350322103", "350322102",
        "350322103208", "350322103209", "350322102201",
    }
    assert report.created == 8
    assert_ancestor_columns_are_right()


def test_within_accepts_the_twelve_digit_padded_code(db, divisions_2023):
    import_divisions(divisions_2023, within="350322000000")
    assert not Region.objects.filter(code="350304").exists()
    assert Region.objects.filter(code="350322102201").exists()


def test_within_retires_only_inside_its_scope(db, tmp_path, divisions_2023):
    import_divisions(divisions_2023)
    # A later file set for Xianyou only: 荔城区 and its community are simply not in it.
    xianyou_only = copy.deepcopy(EDITION_2023)
    xianyou_only["areas"] = [a for a in xianyou_only["areas"] if a[0] == "350322"]
    xianyou_only["streets"] = [s for s in xianyou_only["streets"] if s[0].startswith("350322")]
    xianyou_only["villages"] = [
        v for v in xianyou_only["villages"] if v[0].startswith("350322") and v[0] != "350322103209"
    ]
    files = write_divisions(tmp_path / "xianyou", xianyou_only)

    report = import_divisions(files, within="350322")

    assert report.retired == 1
    assert Region.objects.get(code="350322103209").retired_at is not None
    assert Region.objects.get(code="350304001001").retired_at is None
    assert Region.objects.get(code="350304").retired_at is None


def test_plain_csv_with_a_byte_order_mark_imports_too(db, tmp_path):
    files = write_divisions(tmp_path / "bom", EDITION_2023, gz=(), bom=True)
    assert import_divisions(files).created == 11


def test_a_hand_made_tree_is_relinked_and_grids_and_events_follow(world, divisions_2023):
    from tests.factories import register

    event = register(world, region=world.grid_a)
    assert world.county.parent_id is None and event.province_id is None

    report = import_divisions(divisions_2023)

    assert report.levels["county"].relinked == 1  # 仙游县 had no parent
    assert report.levels["village"].relinked == 3
    assert report.levels["county"].created == 1  # 荔城区
    county = Region.objects.get(code="350322")
    assert county.id == world.county.id and county.parent.code == "3503"
    assert_ancestor_columns_are_right()
    grid = Region.objects.get(pk=world.grid_a.pk)
    assert grid.province.code == "35" and grid.county_id == county.id
    event.refresh_from_db()
    assert event.province.code == "35" and event.city.code == "3503" and event.grid_id == grid.id


def test_an_event_at_a_retired_village_still_loads(world, api, divisions_2023, divisions_2024):
    from tests.factories import register

    import_divisions(divisions_2023)
    event = register(world, region=world.village_c)

    import_divisions(divisions_2024)

    village_c = Region.objects.get(pk=world.village_c.pk)
    assert village_c.retired_at is not None
    r = api.get(f"/events/{event.id}", user=world.operator.user)
    assert r.status_code == 200, r.content
    assert r.json()["region"]["code"] == "350322102201"
    assert api.get(f"/events/{event.id}", user=world.secretary_c.user).status_code == 200


@pytest.mark.skipif(not REAL_DATA.is_dir(), reason="needs the NBS files in /work/shared/data")
def test_the_real_xianyou_slice(db):
    report = import_divisions(REAL_DATA, within="350322", edition="2023")

    assert report.levels["town"].created == 18
    assert report.levels["village"].created == 327
    assert [c.created for lv, c in report.levels.items() if lv in ("province", "city", "county")] == [1, 1, 1]
    county = Region.objects.get(code="350322")
    assert county.name == "仙游县" and county.province.name == "福建省" and county.city.name == "莆田市"
    assert Region.objects.filter(town__code="350322103", level="village").count() > 0
    assert_ancestor_columns_are_right()
    assert import_divisions(REAL_DATA, within="350322", edition="2023").changed == 0


def test_speech_forms_drop_the_suffixes_people_leave_out():
    assert speech_forms("度尾镇", "town") == ["度尾镇", "度尾"]
    assert speech_forms("城东社区居委会", "village") == ["城东社区居委会", "城东社区", "城东"]
    assert speech_forms("市辖区", "city") == ["市辖区"]
    assert speech_forms("景宁畲族自治县", "county") == ["景宁畲族自治县"]


# ---------------------------------------------------------------------------------- bad input


def _fails(directory, **kwargs) -> str:
    with pytest.raises(DivisionImportError) as info:
        import_divisions(directory, **kwargs)
    assert Region.objects.count() == 0, "nothing may be written"
    return info.value.message


def test_a_missing_directory_is_a_clear_error(db, tmp_path):
    assert "no such directory" in _fails(tmp_path / "nope")


def test_a_missing_level_file_is_named(db, divisions_2023):
    (divisions_2023 / "streets.csv").unlink()
    assert "missing streets.csv or streets.csv.gz" in _fails(divisions_2023)


def test_a_missing_column_is_named_with_the_file(db, tmp_path):
    headers = {
        "provinces": ["code", "name"],
        "cities": ["code", "name", "provinceCode"],
        "areas": ["code", "name", "cityCode", "provinceCode"],
        "streets": ["code", "name", "areaCode", "provinceCode", "cityCode"],
        "villages": ["code", "title", "streetCode", "provinceCode", "cityCode", "areaCode"],
    }
    files = write_divisions(tmp_path / "d", EDITION_2023, headers=headers)
    message = _fails(files)
    assert "villages.csv.gz:1" in message and "missing column(s) name" in message


def test_a_row_whose_parent_does_not_exist_is_listed_and_nothing_is_written(db, tmp_path):
    tree = copy.deepcopy(EDITION_2023)
    tree["villages"].append(("350322199201", "无主村委会", "350322199", "35", "3503", "350322"))
    message = _fails(write_divisions(tmp_path / "d", tree))
    assert "villages.csv.gz:6" in message
    assert "parent streetCode 350322199 is not in streets" in message


def test_a_code_that_does_not_start_with_its_parents_code_is_listed(db, tmp_path):
    tree = copy.deepcopy(EDITION_2023)
    tree["streets"][1] = ("350322102", "郊尾镇", "350304", "35", "3503")
    message = _fails(write_divisions(tmp_path / "d", tree, gz=()))
    assert "streets.csv:3" in message
    assert "does not start with its areaCode '350304'" in message


def test_every_bad_row_of_a_file_is_listed(db, tmp_path):
    tree = copy.deepcopy(EDITION_2023)
    tree["villages"] += [
        ("35032210320", "短码村委会", "350322103", "35", "3503", "350322"),
        ("350322103208", "重复村委会", "350322103", "35", "3503", "350322"),
        ("350322103211", "", "350322103", "35", "3503", "350322"),
    ]
    message = _fails(write_divisions(tmp_path / "d", tree))
    assert "villages.csv.gz:6: code '35032210320' is not 12 digits" in message
    assert "villages.csv.gz:7: code 350322103208 appears twice" in message
    assert "villages.csv.gz:8: code 350322103211 has no name" in message


def test_a_code_stored_at_another_level_is_refused(world, divisions_2023):
    from fengqiao.regions.actions import region_create

    region_create(parent=world.county, code="350304", level="town", name="误建的镇")
    before = Region.objects.count()
    with pytest.raises(DivisionImportError) as info:
        import_divisions(divisions_2023)
    assert "code 350304 is stored as a town, the file says county" in info.value.message
    assert Region.objects.count() == before


def test_a_corrupt_gzip_file_is_reported(db, divisions_2023):
    (divisions_2023 / "villages.csv.gz").write_bytes(b"not gzip at all")
    assert "villages.csv.gz: cannot read the file" in _fails(divisions_2023)


def test_within_a_code_not_in_the_files_is_an_error(db, divisions_2023):
    assert "--within 350399: no such code" in _fails(divisions_2023, within="350399")
    assert "not a 2, 4, 6, 9 or 12-digit" in _fails(divisions_2023, within="35x")


def test_a_file_that_is_not_utf8_is_reported(db, divisions_2023):
    (divisions_2023 / "cities.csv").write_bytes("code,name,provinceCode\n3503,莆田市,35\n".encode("gbk"))
    assert "cities.csv:2: not UTF-8 text" in _fails(divisions_2023)
