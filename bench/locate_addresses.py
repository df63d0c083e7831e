"""Realistic free-text addresses for any county, labelled from the division files alone.

    from locate_addresses import Divisions, generate
    divisions = Divisions.load("/work/shared/data/divisions")
    for case in generate(divisions, ["350322", "330784"], per_county=1000, seed=7):
        case.address, case.code, case.level, case.ambiguous, case.candidates, case.form

Each case names one region (mostly villages, some towns and counties) the way people write it:
the province and city written out, shortened (浙江, 金华) or left out; the county full or short
(仙游); the town with its suffix, without it (度尾), or left out; the village as its official name
(洋坂村委会), its short name (洋坂村), 村民委员会, or its bare stem after a town; communities as
XX社区 / XX社区居委会 / XX居委会; then what follows a place in real addresses: 3组12号, 第3村民小组,
a road and a number, 村委会旁, a compound and a flat; sometimes spaces between the parts,
full-width digits, a 地址：/家住 prefix.

The label does not come from the matcher under test. A case is *ambiguous* when another region of
the same level, anywhere in the country, could be written the same way for every part the
address includes (two 新村村 in one county and no town named; 洋坂村 with only the province
given; 向阳林机社区 when 林机社区 is under both a 向阳区 and a 向阳街道): the right answer then is no
code. `candidates` lists those regions.
"""

from __future__ import annotations

import csv
import gzip
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

LEVELS = ("province", "city", "county", "town", "village")

# Committee words folded the way people shorten them.
_FOLDS = (
    ("社区居民委员会", "社区"), ("社区居委会", "社区"), ("村民委员会", "村"), ("村委会", "村"),
    ("居民委员会", "社区"), ("居委会", "社区"),
)
_SUFFIXES = {
    "province": ("自治区", "省", "市"),
    "city": ("自治州", "地区", "盟", "市"),
    "county": ("自治县", "自治旗", "县", "区", "市", "旗"),
    "town": ("街道办事处", "街道", "地区", "苏木", "镇", "乡"),
    "village": ("社区", "嘎查村", "嘎查", "村"),
}
_ETHNIC = re.compile(
    r"(维吾尔|哈萨克|柯尔克孜|蒙古|土家|布依|朝鲜|哈尼|傈僳|拉祜|纳西|景颇|仫佬|布朗|毛南|仡佬|锡伯|"
    r"回|藏|苗|彝|壮|满|侗|瑶|白|傣|黎|佤|畲|水|土|羌|各)族?$"
)
_NOT_A_NAME = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")

ROADS = ("人民路", "中山路", "解放路", "建设路", "新华路", "胜利路", "文化路", "和平路", "朝阳路", "光明路",
         "工业路", "学府路", "环城路", "滨江路", "府前街", "东大街", "新街", "沿河路", "商业街", "迎宾大道")
COMPOUNDS = ("阳光", "幸福", "锦绣", "金色", "碧桂园", "翠苑", "和谐", "丽景", "御景", "怡和")
HAMLETS = ("后厝", "下楼", "林厝", "上洋", "田中", "岭头", "溪边", "后坑", "山尾", "前埔")
# Stems nobody writes bare for a town (人民 for 人民街道).
GENERIC = frozenset({"人民", "中心", "中医", "第一", "第二", "第三", "第四", "第五", "实验", "工人", "新区",
                     "城区", "市区", "县城", "政府", "开发", "城关", "城郊"})
DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def fold(name: str) -> str:
    for long, short in _FOLDS:
        name = name.replace(long, short)
    return name


def stem(name: str, level: str) -> str:
    """The name without its level's suffix (度尾镇 → 度尾, 恩施土家族苗族自治州 → 恩施); itself
    when what would remain is shorter than two characters."""
    name = fold(name)
    if "自治" in name:
        head = name[: name.index("自治")]
        while (m := _ETHNIC.search(head)) is not None and m.start() >= 2:
            head = head[: m.start()]
        if len(head) >= 2:
            return head
    if level == "village" and name.endswith("村村") and len(name) >= 4:
        return name[:-2]
    for suffix in _SUFFIXES[level]:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def written_forms(name: str, level: str) -> set[str]:
    """Every string (committee words folded) this generator may write for a region."""
    folded = fold(name)
    out = {folded, stem(name, level)}
    s = stem(name, level)
    if level == "village":
        if folded.endswith("村村"):
            out.add(folded[:-1])
    if level == "city" and "自治州" in name:
        out.add(s + "州")
    if level == "county" and "自治县" in name:
        out.add(s + "县")
    if level == "town" and name.endswith("街道"):
        out.add(s + "街道办")
    return out


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str
    parent: str | None


@dataclass
class Divisions:
    regions: dict[str, Region]
    children: dict[str, list[str]]
    by_stem: dict[tuple[str, str], list[str]]  # (level, stem) → codes
    _local: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, directory: str | Path) -> Divisions:
        directory = Path(directory)
        regions: dict[str, Region] = {}
        children: dict[str, list[str]] = {}
        by_stem: dict[tuple[str, str], list[str]] = {}
        specs = (("provinces", "province", None), ("cities", "city", "provinceCode"),
                 ("areas", "county", "cityCode"), ("streets", "town", "areaCode"),
                 ("villages", "village", "streetCode"))
        for stem_name, level, parent_col in specs:
            path = directory / f"{stem_name}.csv.gz"
            opener = gzip.open if path.exists() else open
            if not path.exists():
                path = directory / f"{stem_name}.csv"
            with opener(path, "rt", encoding="utf-8-sig") as fh:  # type: ignore[operator]
                for row in csv.DictReader(fh):
                    parent = row[parent_col] if parent_col else None
                    region = Region(row["code"], row["name"], level, parent)
                    regions[region.code] = region
                    if parent:
                        children.setdefault(parent, []).append(region.code)
                    by_stem.setdefault((level, stem(region.name, level)), []).append(region.code)
        return cls(regions, children, by_stem)

    def lineage(self, code: str) -> dict[str, Region]:
        out: dict[str, Region] = {}
        region: Region | None = self.regions[code]
        while region is not None:
            out[region.level] = region
            region = self.regions.get(region.parent) if region.parent else None
        return out

    def under(self, code: str, level: str) -> list[str]:
        found, todo = [], [code]
        while todo:
            c = todo.pop()
            if self.regions[c].level == level:
                found.append(c)
            else:
                todo.extend(self.children.get(c, []))
        return sorted(found)

    def local_names(self, county: str) -> set[str]:
        """The stems and short names of every town and village of a county."""
        names = self._local.get(county)
        if names is None:
            names = set()
            for level in ("town", "village"):
                for code in self.under(county, level):
                    names |= written_forms(self.regions[code].name, level)
            self._local[county] = names
        return names

    def consistent(self, level: str, written: dict[str, str]) -> list[str]:
        """Regions of `level` that every written part (level → text, folded) could name."""
        text = written[level]
        found = []
        for k in range(2, len(text) + 1):
            for code in self.by_stem.get((level, text[:k]), ()):
                if text not in written_forms(self.regions[code].name, level):
                    continue
                line = self.lineage(code)
                # A part may be read as a place of another level (向阳 is 向阳区 as well as
                # 向阳街道), so it counts when an ancestor at a level the address does not
                # write out can be written so.
                if all(
                    (lv in line and part in written_forms(line[lv].name, lv)) or any(
                        part in written_forms(up.name, up.level)
                        for lv_up, up in line.items() if lv_up != level and lv_up not in written
                    )
                    for lv, part in written.items() if lv != level
                ):
                    found.append(code)
        # A reader takes a name written out in full for the place of that name before places
        # that merely share its stem (新村 is 新村委会 rather than 新村村委会).
        named = [c for c in found if text in written_forms(self.regions[c].name, level)
                 - ({stem(self.regions[c].name, level)} - {fold(self.regions[c].name)})]
        return sorted(set(named or found))


@dataclass
class Case:
    address: str
    code: str  # the region the address was written for
    level: str
    ambiguous: bool
    candidates: list[str] = field(default_factory=list)  # all regions it could name
    # Which parts were written: P(rovince) C(ity) K (county) T(own) V(illage), each + full,
    # = short name, : stem, ~ variant, - left out; |tail when something follows.
    form: str = ""

    def as_json(self) -> dict:
        return {"address": self.address, "code": self.code, "level": self.level,
                "ambiguous": self.ambiguous, "candidates": self.candidates, "form": self.form}


def _usable(region: Region) -> bool:
    return region.name not in _NOT_A_NAME and "直辖" not in region.name


def _write_upper(rng: random.Random, region: Region, p_full: float, p_short: float) -> tuple[str, str]:
    """(text, tag) for a province/city/county: full, short or left out."""
    if not _usable(region):
        return "", "-"
    s = stem(region.name, region.level)
    roll = rng.random()
    if roll < p_full:
        return region.name, "+"
    if roll < p_full + p_short and s != region.name and not region.name.endswith("旗"):
        if region.level == "city" and "自治州" in region.name and rng.random() < 0.5:
            return s + "州", ":"
        return s, ":"
    return "", "-"


def _write_town(rng: random.Random, town: Region, *, must: bool, full: bool, above: set[str]) -> tuple[str, str]:
    """`full`: nothing above the town is written, so its suffix is; `above`: the stems of the
    county and city (新抚 is 新抚区 before 新抚街道: people write the town's suffix then)."""
    s = stem(town.name, "town")
    roll = rng.random()
    if not must and roll < 0.15:
        return "", "-"
    bare_ok = (s != town.name and not full and s not in above and s not in GENERIC
               and not s.endswith(("村", "社区", "路", "街")))
    if roll < 0.72 or not bare_ok:
        if town.name.endswith("街道") and rng.random() < 0.1:
            return s + "街道办", "~"
        return town.name, "+"
    return s, ":"


def _write_village(rng: random.Random, village: Region, *, town_written: bool) -> tuple[str, str]:
    name = village.name
    folded = fold(name)
    s = stem(name, "village")
    options: list[tuple[str, str, float]] = [(name, "+", 0.25), (folded, "=", 0.45)]
    if name.endswith("村委会"):
        options.append((name[:-3] + "村民委员会", "~", 0.08))
    if name.endswith(("社区居委会", "社区居民委员会")):
        options.append((folded[:-2] + "居委会", "~", 0.08))
    if town_written and s != folded:
        options.append((s, ":", 0.22))
    total = sum(w for _, _, w in options)
    roll = rng.random() * total
    for text, tag, weight in options:
        roll -= weight
        if roll <= 0:
            return text, tag
    return options[-1][0], options[-1][1]


def _tail(rng: random.Random, level: str, community: bool, local: set[str]) -> str:
    """What follows the place. Roads and compounds named like a place of the county are left out
    (新抚区's 解放路 may be its 解放路社区: the label could not say)."""
    n, m = rng.randint(1, 15), rng.randint(1, 200)
    roads = [r for r in ROADS if r not in local and r[:2] not in local]
    compounds = [c for c in COMPOUNDS if c not in local]

    if level == "village" and not community:
        choices = ["", "", "", f"{n}组", f"{n}组{m}号", f"{m}号", f"第{n}村民小组", f"{rng.choice(roads)}{m}号",
                   "村委会旁", "附近", f"{n}组{m}号之一", f"{rng.choice(HAMLETS)}自然村{m}号"]
    elif level == "village":
        choices = ["", "", f"{rng.choice(roads)}{m}号", f"{rng.choice(compounds)}小区{n}栋{m}室", f"{m}号",
                   "居委会对面", f"{rng.choice(roads)}{m}号{n}幢"]
    elif level == "town":
        choices = ["", "", "人民政府", f"{rng.choice(roads)}{m}号", "政府对面", f"{m}号", "派出所旁"]
    else:
        choices = [f"{rng.choice(roads)}{m}号", f"{rng.choice(roads)}{m}号{n}楼", "人民医院"]
    return rng.choice(choices)


def _join(rng: random.Random, parts: list[str]) -> str:
    parts = [p for p in parts if p]
    roll = rng.random()
    if roll < 0.12:
        text = " ".join(parts)
    elif roll < 0.15:
        text = "，".join(parts)
    else:
        text = "".join(parts)
    if rng.random() < 0.15:
        text = text.translate(DIGITS)
    if rng.random() < 0.05:
        text = rng.choice(("地址：", "家住", "现住", "中国")) + text
    return text


def case_for(divisions: Divisions, code: str, rng: random.Random) -> Case | None:
    """One address written for region `code` (a county, town or village), or None when the
    address it happened to write reads as another place."""
    line = divisions.lineage(code)
    target = divisions.regions[code]
    level = target.level
    texts: dict[str, str] = {}
    tags: dict[str, str] = {}
    texts["province"], tags["province"] = _write_upper(rng, line["province"], 0.25, 0.15)
    texts["city"], tags["city"] = _write_upper(rng, line["city"], 0.3, 0.15)
    if level == "county":
        short = stem(target.name, "county")
        texts["county"], tags["county"] = (target.name, "+") if rng.random() < 0.7 or short == target.name \
            or target.name.endswith("旗") else (short, ":")
    else:
        texts["county"], tags["county"] = _write_upper(rng, line["county"], 0.6, 0.25)
    if level in ("town", "village"):
        above = {stem(line[lv].name, lv) for lv in ("city", "county") if lv in line}
        texts["town"], tags["town"] = _write_town(
            rng, line["town"], must=level == "town", above=above,
            full=level == "town" and not (texts["province"] or texts["city"] or texts["county"]),
        )
    if level == "village":
        texts["village"], tags["village"] = _write_village(rng, target, town_written=bool(texts["town"]))
    community = level == "village" and fold(target.name).endswith("社区")
    tail = _tail(rng, level, community, divisions.local_names(line["county"].code))
    if tags.get("village") == ":" and tail.startswith(("村委会", "居委会")):
        tail = "旁"  # 洋坂 + 村委会旁 would write the suffix after all
    address = _join(rng, [texts[lv] for lv in LEVELS if lv in texts] + [tail])
    written = {lv: fold(t) for lv, t in texts.items() if t}
    candidates = divisions.consistent(level, written)
    if code not in candidates:
        return None  # it reads as another place (a community's stem that is a village's name)
    form = "".join(f"{'PCKTV'[LEVELS.index(lv)]}{tags[lv]}" for lv in LEVELS if lv in tags)
    form += "|tail" if tail else ""
    return Case(address=address, code=code, level=level, ambiguous=len(candidates) > 1,
                candidates=candidates, form=form)


def generate(divisions: Divisions, counties: list[str], *, per_county: int, seed: int = 7,
             shares: tuple[float, float] = (0.85, 0.12)) -> Iterator[Case]:
    """`per_county` cases for each county: villages, towns and the county itself in `shares`
    (village share, town share; the rest names the county)."""
    rng = random.Random(seed)
    for county in counties:
        villages = divisions.under(county, "village")
        towns = divisions.under(county, "town")
        for _ in range(per_county):
            roll = rng.random()
            if roll < shares[0] and villages:
                code = rng.choice(villages)
            elif roll < shares[0] + shares[1] and towns:
                code = rng.choice(towns)
            else:
                code = county
            for _attempt in range(10):
                case = case_for(divisions, code, rng)
                if case is not None:
                    yield case
                    break
