"""Address → place: never guess between places the address fits equally (the issue's 分流 rule).

A name written bare (向阳, 沿河, 城关, 朝阳) may be a county in one province and a town in another;
the matcher must not prefer one level to the other when what follows exists under both.
"""

from __future__ import annotations

import pytest

from fengqiao.regions.importer import import_divisions
from fengqiao.regions.locate import locate
from tests.regions.conftest import write_divisions

TREE = {
    "provinces": [("23", "黑龙江省"), ("61", "陕西省"), ("54", "西藏自治区"), ("42", "湖北省"),
                  ("11", "北京市"), ("22", "吉林省"), ("52", "贵州省"), ("50", "重庆市"), ("35", "福建省")],
    "cities": [("2308", "佳木斯市", "23"), ("6107", "汉中市", "61"), ("5401", "拉萨市", "54"),
               ("4203", "十堰市", "42"), ("4210", "荆州市", "42"), ("1101", "市辖区", "11"),
               ("2201", "长春市", "22"), ("5206", "铜仁市", "52"), ("5002", "县", "50"), ("3503", "莆田市", "35")],
    "areas": [
        ("230803", "向阳区", "2308", "23"),
        ("610702", "汉台区", "6107", "61"),
        ("540102", "城关区", "5401", "54"),
        ("420324", "竹溪县", "4203", "42"),
        ("421002", "沙市区", "4210", "42"),
        ("110105", "朝阳区", "1101", "11"),
        ("220104", "朝阳区", "2201", "22"),
        ("520627", "沿河土家族自治县", "5206", "52"),
        ("500229", "城口县", "5002", "50"),
        ("350322", "仙游县", "3503", "35"),
    ],
    "streets": [
        ("230803008", "建设街道", "230803", "23", "2308"),
        ("610702004", "向阳街道", "610702", "61", "6107"),
        ("540102006", "吉日街道", "540102", "54", "5401"),
        ("420324100", "城关镇", "420324", "42", "4203"),
        ("421002005", "朝阳街道", "421002", "42", "4210"),
        ("110105001", "建外街道", "110105", "11", "1101"),
        ("520627107", "中界镇", "520627", "52", "5206"),
        ("500229208", "沿河乡", "500229", "50", "5002"),
        ("350322103", "度尾镇", "350322", "35", "3503"),
    ],
    "villages": [
        ("230803008008", "林机社区居委会", "230803008", "23", "2308", "230803"),
        ("610702004002", "林机社区居委会", "610702004", "61", "6107", "610702"),
        ("610702004003", "仙游村委会", "610702004", "61", "6107", "610702"),
        ("540102006005", "幸福社区居委会", "540102006", "54", "5401", "540102"),
        ("420324100003", "幸福社区居委会", "420324100", "42", "4203", "420324"),
        ("421002005006", "朝阳路社区居委会", "421002005", "42", "4210", "421002"),
        ("520627107220", "红岩村村委会", "520627107", "52", "5206", "520627"),
        ("500229208204", "红岩村村委会", "500229208", "50", "5002", "500229"),
        ("350322103211", "度尾村委会", "350322103", "35", "3503", "350322"),
    ],
}


@pytest.fixture
def tree(db, tmp_path):
    import_divisions(write_divisions(tmp_path / "divisions", TREE))


def candidates(address: str, **kwargs) -> set[str]:
    result = locate(address, **kwargs)
    assert result.code is None and result.ambiguous, f"{address} → {result.code} {result.name}"
    return {c["code"] for c in result.candidates}


def test_a_bare_name_that_is_a_county_and_a_town(tree):
    # 向阳 is 向阳区 (佳木斯) and 向阳街道 (汉中): both have a 林机社区.
    assert candidates("向阳林机社区迎宾大道154号12幢") == {"230803008008", "610702004002"}
    # A name written out decides it.
    assert locate("佳木斯向阳林机社区").code == "230803008008"
    assert locate("向阳区林机社区").code == "230803008008"
    assert locate("汉中向阳林机社区").code == "610702004002"
    assert locate("向阳街道林机社区").code == "610702004002"
    assert locate("向阳林机社区", within="230803").code == "230803008008"


def test_an_autonomous_county_and_a_township_of_the_same_stem(tree):
    # 沿河 is 沿河土家族自治县 (贵州) and 沿河乡 (重庆城口): both have a 红岩村.
    assert candidates("沿河 红岩村村 9组") == {"520627107220", "500229208204"}
    assert locate("沿河县红岩村村9组").code == "520627107220"
    assert locate("城口沿河红岩村").code == "500229208204"
    assert locate("沿河乡红岩村").code == "500229208204"


def test_chengguan_alone_is_no_county(tree):
    # A bare 城关 is a county seat anywhere (a hundred 城关镇), not the one 城关区.
    assert candidates("城关幸福社区胜利路133号") == {"540102006005", "420324100003"}
    assert locate("拉萨城关幸福社区").code == "540102006005"
    assert locate("城关区幸福社区").code == "540102006005"
    assert locate("竹溪城关幸福社区").code == "420324100003"
    # Inside the county's own intake the county is known.
    assert locate("城关幸福社区", within="540102").code == "540102006005"


def test_a_road_and_number_is_not_a_community_named_after_it(tree):
    # 朝阳朝阳路108号: one of the 朝阳区 (a road there), not the 朝阳路社区 of 沙市区's 朝阳街道.
    assert candidates("朝阳朝阳路108号11楼") == {"110105", "220104"}
    # With its town written out, 朝阳路 + a number is the community.
    assert locate("沙市区朝阳街道朝阳路108号").code == "421002005006"
    assert locate("朝阳街道朝阳路社区").code == "421002005006"


def test_a_chain_ending_in_a_bare_name_takes_the_larger_place(tree):
    # 仙游度尾: the town 度尾镇, not its 度尾村.
    result = locate("仙游度尾")
    assert (result.code, result.level) == ("350322103", "town")
    # A chain that ends in a bare name takes the larger place: 仙游 alone is the county, not the
    # 仙游村 of 汉中.
    assert locate("仙游，人民医院").code == "350322"
    assert locate("汉中仙游村").code == "610702004003"
