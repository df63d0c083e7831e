"""Address → place: the matcher against a small imported tree (two provinces, three counties)."""

from __future__ import annotations

import pytest

from fengqiao.lib.errors import InvalidInput
from fengqiao.regions.actions import region_create
from fengqiao.regions.importer import import_divisions
from fengqiao.regions.locate import locate, locate_index, normalise
from fengqiao.regions.models import Region
from tests.regions.conftest import write_divisions

TREE = {
    "provinces": [("35", "福建省"), ("33", "浙江省"), ("15", "内蒙古自治区")],
    "cities": [("3503", "莆田市", "35"), ("3501", "福州市", "35"), ("3307", "金华市", "33"),
               ("1505", "通辽市", "15")],
    "areas": [
        ("350322", "仙游县", "3503", "35"),
        ("350181", "福清市", "3501", "35"),
        ("330784", "永康市", "3307", "33"),
        ("150522", "科尔沁左翼后旗", "1505", "15"),
    ],
    "streets": [
        ("350322103", "度尾镇", "350322", "35", "3503"),
        ("350322102", "郊尾镇", "350322", "35", "3503"),
        ("350322001", "鲤城街道", "350322", "35", "3503"),
        ("350322005", "城东街道", "350322", "35", "3503"),
        ("350181103", "海口镇", "350181", "35", "3501"),
        ("330784002", "西城街道", "330784", "33", "3307"),
        ("150522201", "努古斯台苏木", "150522", "15", "1505"),
    ],
    "villages": [
        ("350322103208", "洋坂村委会", "350322103", "35", "3503", "350322"),
        ("350322103209", "剑山村民委员会", "350322103", "35", "3503", "350322"),
        ("350322103210", "新村村委会", "350322103", "35", "3503", "350322"),
        ("350322103211", "度尾村委会", "350322103", "35", "3503", "350322"),
        ("350322102207", "梅塘村委会", "350322102", "35", "3503", "350322"),
        ("350322102208", "新村村委会", "350322102", "35", "3503", "350322"),
        ("350322102209", "城东村委会", "350322102", "35", "3503", "350322"),
        ("350322102210", "镇中村委会", "350322102", "35", "3503", "350322"),
        ("350322001001", "木兰社区居委会", "350322001", "35", "3503", "350322"),
        ("350322005001", "东门社区居民委员会", "350322005", "35", "3503", "350322"),
        ("350181103225", "洋坂村委会", "350181103", "35", "3501", "350181"),
        ("330784002003", "城西社区居委会", "330784002", "33", "3307", "330784"),
        ("150522201201", "努古斯台嘎查村委会", "150522201", "15", "1505", "150522"),
    ],
}

YANGBAN = "350322103208"


@pytest.fixture
def tree(db, tmp_path):
    import_divisions(write_divisions(tmp_path / "divisions", TREE))


def code(address: str, **kwargs) -> str | None:
    return locate(address, **kwargs).code


# ----------------------------------------------------------------------------- forms people write


@pytest.mark.parametrize("address", [
    "福建省莆田市仙游县度尾镇洋坂村委会",
    "福建省莆田市仙游县度尾镇洋坂村民委员会",
    "仙游县度尾镇洋坂村",
    "仙游度尾洋坂村",
    "仙游县度尾洋坂",
    "度尾镇洋坂村",
    "莆田仙游度尾镇洋坂村村委会旁",
    "福建莆田仙游县度尾乡洋坂村",  # 乡 for 镇: an old or loose suffix
])
def test_address_forms_find_the_village(tree, address):
    result = locate(address)
    assert (result.code, result.level, result.name) == (YANGBAN, "village", "洋坂村")
    assert not result.ambiguous


@pytest.mark.parametrize("address", [
    "仙游县度尾镇洋坂村3组12号",
    "仙游县度尾镇洋坂村１２号",
    "仙游县度尾镇洋坂村第３村民小组",
    "仙游县 度尾镇 洋坂村 新街 5号",
    "仙游县度尾镇洋坂村中山路１２号之一",
    "（福建）仙游县·度尾镇，洋坂村。",
])
def test_house_numbers_groups_spaces_and_full_width(tree, address):
    assert code(address) == YANGBAN


def test_normalise_folds_width_spaces_and_committee_words():
    assert normalise("洋坂 村民委员会　１２号") == "洋坂村12号"
    assert normalise("东门社区居民委员会") == "东门社区"
    assert normalise("木兰社区居委会") == "木兰社区"


def test_higher_levels_and_their_short_forms(tree):
    assert locate("浙江金华永康市西城街道城西社区居委会").code == "330784002003"
    assert locate("浙江金华永康西城街道").code == "330784002"
    assert locate("福建省莆田市").level == "city"
    assert locate("莆田市仙游县").code == "350322"
    assert locate("仙游县鲤城街道木兰社区").code == "350322001001"
    # Ethnic and banner names: 内蒙古, 科尔沁左翼后旗, 苏木, 嘎查.
    assert locate("内蒙古通辽科尔沁左翼后旗努古斯台苏木努古斯台嘎查").code == "150522201201"


def test_a_town_named_without_suffix_is_the_town_not_its_namesake_village(tree):
    # 度尾 is both 度尾镇 and 度尾村 (in it): bare, it is the town; with 村 it is the village.
    assert (locate("仙游度尾").code, locate("仙游度尾").level) == ("350322103", "town")
    assert locate("仙游县度尾村").code == "350322103211"
    assert locate("仙游县度尾镇度尾村5号").code == "350322103211"


def test_partial_name_collisions(tree):
    # 城东街道 (a town) and 城东村 (a village in another town) share the stem 城东.
    assert locate("仙游县城东街道").code == "350322005"
    assert locate("仙游县城东街道东门社区").code == "350322005001"
    assert locate("仙游县城东村").code == "350322102209"
    assert locate("仙游县郊尾镇城东村3组").code == "350322102209"


def test_a_suffix_that_begins_the_next_name(tree):
    # 郊尾镇中村: 郊尾 + 镇中村, not 郊尾镇 + 中村.
    assert code("仙游县郊尾镇中村3组") == "350322102210"
    assert code("仙游县郊尾镇梅塘村") == "350322102207"


def test_punctuation_and_spaces_separate_names(tree):
    assert code("仙游县，郊尾，镇中村") == "350322102210"
    assert code("仙游县 郊尾镇 梅塘村 5号") == "350322102207"


def test_an_address_naming_nothing_known(tree):
    result = locate("火星基地一号舱")
    assert (result.code, result.candidates, result.score) == (None, [], 0.0)
    assert not result.ambiguous
    assert locate("").code is None


# ----------------------------------------------------------------------------- no guessing


def test_two_places_fit_equally_no_guess(tree):
    result = locate("仙游县新村村5组")
    assert result.code is None and result.level is None
    assert result.ambiguous
    assert sorted(c["code"] for c in result.candidates) == ["350322102208", "350322103210"]
    assert result.candidates[0]["score"] == result.candidates[1]["score"]
    # Naming the town settles it.
    assert code("仙游县度尾镇新村村5组") == "350322103210"
    assert code("仙游郊尾新村村") == "350322102208"


def test_same_village_name_in_two_counties(tree):
    ambiguous = locate("洋坂村")
    assert ambiguous.ambiguous
    assert {c["code"] for c in ambiguous.candidates} == {YANGBAN, "350181103225"}
    assert code("福清洋坂村") == "350181103225"
    assert code("海口镇洋坂村") == "350181103225"


# ----------------------------------------------------------------------------- within


def test_within_limits_the_match_and_lets_the_top_be_left_out(tree):
    assert code("洋坂村", within="350322") == YANGBAN
    assert code("洋坂村", within="350181") == "350181103225"
    assert code("新村村", within="350322103") == "350322103210"
    assert locate("新村村", within="350322").ambiguous
    # The within's ancestors may still be written out.
    assert code("福建省莆田市仙游县度尾镇洋坂村", within="350322") == YANGBAN
    # Outside the within region: nothing.
    assert code("永康市西城街道", within="350322") is None


def test_within_accepts_a_region_and_rejects_unknown_codes(tree):
    county = Region.objects.get(code="350322")
    assert code("洋坂", within=county) == YANGBAN
    with pytest.raises(InvalidInput):
        locate("洋坂村", within="999999")


# ----------------------------------------------------------------------------- aliases, grids, staleness


def test_admin_aliases_take_effect_at_once_and_are_normalised(tree):
    assert code("仙游县红星大队") == "350322"  # only the county is known
    village = Region.objects.get(code=YANGBAN)
    village.aliases = [*village.aliases, "红星大队"]  # its name in the commune years
    village.save()  # what the admin does
    assert code("仙游县红星大队3组") == YANGBAN
    assert code("仙游县红星村") == YANGBAN  # 大队 is a village suffix: the stem is found too
    town = Region.objects.get(code="350322103")
    town.aliases = [*town.aliases, "度 尾 公 社"]
    town.save()
    assert code("仙游县度尾公社") == "350322103"


def test_a_re_import_is_seen_without_a_save(tree, tmp_path):
    locate_index()  # built
    renamed = {**TREE, "villages": [
        (c, "洋板村委会" if c == YANGBAN else n, *rest) for c, n, *rest in TREE["villages"]
    ]}
    import_divisions(write_divisions(tmp_path / "2024", renamed))  # bulk writes, no signals
    assert code("仙游县度尾镇洋板村") == YANGBAN
    assert code("仙游县度尾镇洋坂村") == YANGBAN  # the old name stays an alias


def test_retired_regions_are_not_matched(tree, tmp_path):
    fewer = {**TREE, "villages": [v for v in TREE["villages"] if v[0] != "350322102207"]}
    import_divisions(write_divisions(tmp_path / "2024", fewer))
    assert code("仙游县郊尾镇梅塘村") == "350322102"  # the town remains


def test_grids_below_their_village(tree):
    village = Region.objects.get(code=YANGBAN)
    region_create(parent=village, code="350322103208G01", level="grid", name="洋坂村第一网格")
    region_create(parent=village, code="350322103208G02", level="grid", name="洋坂村第二网格")
    result = locate("仙游县度尾镇洋坂村第一网格")
    assert (result.code, result.level) == ("350322103208G01", "grid")
    assert code("仙游度尾洋坂第二网格12号") == "350322103208G02"
    assert code("第二网格", within=YANGBAN) == "350322103208G02"


def test_regions_made_by_hand_without_a_province(db):
    county = region_create(parent=None, code="350322", level="county", name="仙游县")
    town = region_create(parent=county, code="350322103", level="town", name="度尾镇")
    region_create(parent=town, code=YANGBAN, level="village", name="洋坂村委会")
    assert code("福建省莆田市仙游县度尾镇洋坂村委会") == YANGBAN


def test_as_json_has_exactly_the_issue_keys(tree):
    data = locate("仙游县度尾镇洋坂村").as_json()
    assert list(data) == ["address", "code", "level", "name", "candidates", "score"]
    assert data["candidates"][0]["code"] == YANGBAN
    assert {"code", "level", "name", "score"} <= set(data["candidates"][0])
    assert locate("仙游县度尾镇洋坂村").region() == Region.objects.get(code=YANGBAN)


def test_bad_input(tree):
    with pytest.raises(InvalidInput):
        locate("仙游" * 400)
    with pytest.raises(InvalidInput):
        locate(None)  # type: ignore[arg-type]
