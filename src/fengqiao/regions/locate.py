"""Address → place: turn a free Chinese address into the division it names.

`locate("莆田仙游县郊尾镇梅塘村村民委员会旁")` → 梅塘村 (350322102207), against whatever divisions are
imported — one county or the whole country. `within` keeps the match inside one region's subtree
(a county's intake only matches its own villages) and lets an address that names nothing above a
town or village still match.

How it works
------------
*Normalising* (the same for the address and for every name in the index): NFKC (full-width ``１２号``
→ ``12号``), drop punctuation, lower-case Latin letters, and fold the committee words
people write after a village: 村民委员会/村委会 → 村, 社区居民委员会/社区居委会/居民委员会/居委会 → 社区.

*The index* holds, for every active region from province down to grid, its name, short name and
aliases (the importer's speech forms, old names, and whatever the admin adds), each split into a
**stem** and the **suffix** it carries: 度尾镇 → 度尾 + 镇, 恩施土家族苗族自治州 → 恩施 + 土家族苗族自治州,
洋坂村委会 → 洋坂 + 村. Only stems are keys (a stem shorter than two characters keeps its suffix:
东村 stays 东村). Odd names that carry their county or town in front (临渭区阎村镇双创家园社区,
科尔沁左翼后旗畜牧水产技术服务中心) are also keyed without it; a grid also by its name without its
village's. Regions are numbered in depth-first order, so "X lies under Y" is `Y.idx < X.idx < Y.end`
and the regions of one key inside a subtree are one bisect away.

*Scanning* finds every key in the address (punctuation and spaces are boundaries no name crosses:
舟山镇，前村 is not 镇前村). Each hit is judged by what follows the stem: its own suffix (exact),
another suffix of the same level (a variant: 度尾乡 for 度尾镇, 西城街道办 for 西城街道), nothing
recognisable (a bare stem: 仙游度尾洋坂), or a word that says it is something else — another level's
suffix or a street word (城东 + 街道 is not the village 城东村; 中山 + 路 is a road) — in which case
the hit is dropped, unless another name begins right there (湖北 + 旗峰村, 千金 + 花园村). Where a
suffix is also the first character of a name, both readings are kept (长流镇海社区 is 长流镇 + 海… or
长流 + 镇海社区). A bare stem that begins a longer name written out is part of it (科尔沁 of
科尔沁左翼后旗); stems that are common words (人民, 中心) never stand bare for a place. Each kept hit
weighs by level and kind (exact > variant > bare stem) plus a little per character, so a longer
reading beats a shorter one, and a little when the address begins with it. A bare stem weighs the
same at every level: 向阳 + 林机社区 leads as much to the 林机社区 of 向阳区 as to that of 向阳街道, so
only other names written in the address can decide between them. Two hits are judged only in
context: a bare 城关 (a county seat anywhere) counts for a county 城关区 only below a city or
province written before it, and a bare 朝阳路 (of 朝阳路社区) followed by a house number counts only
below a town or county written with its suffix (else it is a road: 朝阳朝阳路108号).

*Scoring* is a chain: hits in address order, none overlapping, each one inside the subtree of the
one before (province → city → county → town → village → grid; any level may be left out). A
chain's score is the sum of its hits' weights (plus a small bonus where one name follows the
previous directly). Every region reached gets the best score of a chain ending in it; the answer
is the best-scoring region, which is the most specific level whose name chain is consistent with
the address (a deeper region on the same chain always scores more). Where a chain *ends* in a bare
stem, the larger place is taken (仙游 alone is the county 仙游县, not a 仙游村 somewhere; 仙游度尾
is the town 度尾镇, not its 度尾村). When two or more distinct regions, neither inside the other,
share the best score — two 新村村 in one county and no town named; 向阳林机社区 — it does not guess:
`code` is None and `candidates` lists the tied ones, for the operator's triage queue (分流).

*Staleness*: the index is built once per process and rebuilt when the regions change. Every write
that changes names, aliases, levels or retirement (the division import, `region_create`, the shape
import's grids, the admin's save) bumps the one-row `RegionsVersion` in its own transaction, and
marks this process's index stale at once. Other processes see the bump through a single
primary-key read of that row (with the table's largest id, which catches rows saved without a
bump), made on every lookup below 50,000 regions and at most once a second (`VERSION_TTL`) above,
so an edit in the admin reaches every worker within a second and a lookup pays ~nothing for it. A batch can also
hold one index: `index = locate_index(); index.locate(address)`. (`table_version()`, a fingerprint
from a scan of the whole table, is kept for databases where the version row is missing.)

Candidates are dicts {"code", "level", "name", "score", "path"}; `path` names the ancestors
(福建省 莆田市 仙游县 度尾镇 新村村) so an operator can tell two 新村村 apart.
"""

from __future__ import annotations

import io
import json
import re
import threading
import time
import unicodedata
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext as _

from fengqiao.lib.errors import InvalidInput
from fengqiao.regions.models import Region, RegionsVersion

LEVELS = ("province", "city", "county", "town", "village", "grid")
_LEVEL_NO = {lv: n for n, lv in enumerate(LEVELS)}
PROVINCE, CITY, COUNTY, TOWN, VILLAGE, GRID = range(6)

MAX_CANDIDATES = 20
MAX_ADDRESS_LENGTH = 500

# ----------------------------------------------------------------------------- normalising

# Longest first: 社区居委会 before 居委会.
_FOLDS = (
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
    ("村民委员会", "村"),
    ("村委会", "村"),
    ("居民委员会", "社区"),
    ("居委会", "社区"),
)
_NOT_WORD = re.compile(r"[\W_]+")
_BOUNDARY = re.compile(r"[\s,，、;；。.!！?？()（）\[\]【】<>《》]+")


def normalise(text: str) -> str:
    """The form addresses and names are compared in (see the module docstring)."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    text = _NOT_WORD.sub("", text).lower()
    if "委" in text:
        for long, short in _FOLDS:
            if long in text:
                text = text.replace(long, short)
    return text


# ----------------------------------------------------------------------------- suffixes

# Suffixes that may be cut from a name to leave its stem (longest first within a level).
_STRIP: dict[int, tuple[str, ...]] = {
    PROVINCE: ("特别行政区", "自治区", "省", "市"),
    CITY: ("自治州", "地区", "盟", "市"),
    COUNTY: ("自治县", "自治旗", "林区", "特区", "新区", "县", "区", "市", "旗"),
    TOWN: ("街道办事处", "民族乡", "民族镇", "民族苏木", "街道", "办事处", "地区", "苏木", "公社", "镇", "乡"),
    VILLAGE: ("社区", "嘎查村", "嘎查", "大队", "村"),
    GRID: ("网格",),
}
# What may follow a stem of that level in an address (a variant of its own suffix).
_VARIANTS: dict[int, tuple[str, ...]] = {
    PROVINCE: ("特别行政区", "自治区", "省"),
    CITY: ("自治州", "地区", "盟", "市", "州"),
    COUNTY: ("自治县", "自治旗", "县", "区", "市", "旗"),
    TOWN: ("街道办事处", "街道办", "街道", "街办", "办事处", "民族乡", "苏木", "公社", "镇", "乡"),
    VILLAGE: ("社区", "嘎查村", "嘎查", "村"),
    GRID: ("网格",),
}
# Words after a stem that say it names a street, a compound or a group, not a division. (A school,
# a clinic or a police station named after a place is in that place: those stay.)
_STOP = (
    "路", "街", "巷", "弄", "胡同", "大道", "公路", "号", "小区", "花园", "大厦", "广场", "公寓",
    "公司", "组",
)
_ROAD_ENDINGS = ("路", "街", "巷", "大道", "胡同")
_HOUSE_NUMBER = re.compile(r"\d+(?:[-之]\d+)?号")
# Stems too common as words to stand for a place without their suffix.
_GENERIC = frozenset({"人民", "中心", "中医", "第一", "第二", "第三", "第四", "第五", "实验", "工人", "新区",
                      "城区", "市区", "县城", "政府", "开发"})
_GENERIC_TOWNS = frozenset({"城关", "城郊"})  # bare, these are a county's seat anywhere
# What may come before the place: 地址：, 家住, 中国.
_LEAD_IN = re.compile(r"(?:中华人民共和国|中国)?(?:地址|住址|家住|现住|户籍地|居住地|住所|位于|在)?")


def _conflicts(level: int) -> tuple[str, ...]:
    """Words that, right after a stem of `level`, show it is another kind of place."""
    own = set(_VARIANTS[level]) | set(_STRIP[level])
    words = {w for lv, ws in _VARIANTS.items() if lv != level for w in ws}
    words |= {"省", "市", "州", "县", "区", "旗", "镇", "乡", "街道", "苏木", "村", "社区", "嘎查"}
    return tuple(sorted(words - own, key=len, reverse=True))


_CONFLICTS = {lv: _conflicts(lv) for lv in range(6)}

_ETHNIC = (
    "维吾尔|哈萨克|柯尔克孜|乌孜别克|塔吉克|塔塔尔|俄罗斯|鄂温克|鄂伦春|达斡尔|蒙古|土家|布依|朝鲜|"
    "哈尼|傈僳|拉祜|东乡|纳西|景颇|仫佬|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|德昂|保安|裕固|独龙|赫哲|"
    "门巴|珞巴|基诺|高山|回|藏|苗|彝|壮|满|侗|瑶|白|傣|黎|佤|畲|水|土|羌|怒|京|各"
)
_AUTONOMOUS = re.compile(rf"^(.{{2,}}?)((?:(?:{_ETHNIC})族?)+(?:自治区|自治州|自治县|自治旗|乡|镇|苏木))$")


def name_forms(name: str, level: int) -> list[tuple[str, str]]:
    """(stem, suffix) pairs a name is found by: 度尾镇 → [(度尾, 镇)]; 东村 → [(东村, "")]."""
    return _split(normalise(name), level)


def _split(full: str, level: int) -> list[tuple[str, str]]:
    if len(full) < 2 or full in ("市辖区", "县") or "直辖" in full or "行政区划" in full:
        return []
    if "自治" in full and level != VILLAGE:
        m = _AUTONOMOUS.match(full)
        if m:
            return [(m.group(1), m.group(2))]
    strip = _STRIP[level]
    if full.endswith(strip):
        if level == VILLAGE and full.endswith("村村") and len(full) >= 4:
            return [(full[:-2], "村村")]
        for suffix in strip:
            if full.endswith(suffix):
                if len(full) - len(suffix) >= 2:
                    return [(full[: -len(suffix)], suffix)]
                break
    return [(full, "")]


# ----------------------------------------------------------------------------- the result


@dataclass(frozen=True)
class Located:
    """What an address names. `code` is None when nothing or more than one place fits."""

    address: str
    code: str | None
    level: str | None
    name: str | None
    candidates: list[dict] = field(default_factory=list)
    score: float = 0.0

    @property
    def ambiguous(self) -> bool:
        """More than one place fits equally well: the operator decides (分流)."""
        return self.code is None and len(self.candidates) > 1

    def region(self) -> Region | None:
        """The Region row for `code` (one query), or None."""
        if self.code is None:
            return None
        return Region.objects.filter(code=self.code).first()

    def as_json(self) -> dict:
        return {
            "address": self.address,
            "code": self.code,
            "level": self.level,
            "name": self.name,
            "candidates": self.candidates,
            "score": self.score,
        }


# ----------------------------------------------------------------------------- the index

# Weights of a hit by level and kind (exact suffix, a same-level variant, a bare stem).
EXACT, VARIANT, BARE = 0, 1, 2
# A bare stem weighs the same at every level: 向阳 is as much 向阳区 as 向阳街道, so only other names
# written in the address may decide between them (never a preference for one level).
_BARE = 0.93
# …but where the last name of a chain is bare and could be a county or a village (仙游 alone), the
# answer is the larger place: this bonus counts only for a chain's last hit, never for a link
# between names (向阳 + 林机社区: 向阳区 and 向阳街道 lead equally to their 林机社区).
_FINAL_BARE = {PROVINCE: 0.02, CITY: 0.02, COUNTY: 0.02, TOWN: 0.0, VILLAGE: -0.03, GRID: -0.08}
_WEIGHT = {
    PROVINCE: (1.2, 1.1, _BARE),
    CITY: (1.2, 1.1, _BARE),
    COUNTY: (1.3, 1.2, _BARE),
    TOWN: (1.5, 1.35, _BARE),
    VILLAGE: (1.5, 1.35, _BARE),
    GRID: (1.5, 1.35, _BARE),
}
_PER_CHAR = 0.02
_ADJACENT = 0.05
_ROOT_GRID = 0.5  # a grid named without its village weighs half
_SMALL = 6  # a hit with more regions than this is handled as a whole (see LocateIndex._best)
_GROUP = 24  # a key with more regions than this is stored grouped by (level, suffix)
_REACH = 64  # a whole hit this small still leads to the regions of a bigger one below it
_SUFFIX_BITS = 8


@dataclass
class _Match:
    start: int
    end: int
    weight: float
    level: int
    regions: Sequence[int]  # region indexes, ascending
    kind: int = EXACT
    key_end: int = 0  # where the stem (without its suffix) ends
    anchored: int = 0  # 1: counts only after a hit on an ancestor; 2: on one written with its suffix


class LocateIndex:
    """The in-memory index over the active regions (see the module docstring)."""

    # Where each region's code and name start in the packed text; None: read from the rows.
    _code_start: array[int] | None
    _name_start: array[int] | None

    def __init__(self, rows: Iterable[tuple], version: tuple = ()):
        """`rows`: (id, code, level, name, short_name, aliases, parent_id) in code order."""
        started = time.monotonic()
        self.version = version
        pks = array("q")
        parent_pks = array("q")
        levels = bytearray()
        codes, names = io.StringIO(), io.StringIO()
        code_at, name_at = array("i", [0]), array("i", [0])
        code_len = name_len = 0
        keys: dict[str, Any] = {}
        self.suffixes: list[str] = [""]
        suffix_no: dict[str, int] = {"": 0}
        grids: list[tuple[int, set[tuple[str, str]]]] = []
        towns: list[tuple[int, set[tuple[str, str]]]] = []  # with odd names (农场, 中心)
        upper_names: dict[str, str] = {}  # code → normalised name, above villages
        previous = ""
        for pos, (pk, code, level_name, name, short_name, aliases, parent_pk) in enumerate(rows):
            if code <= previous:
                raise ValueError(f"rows must come in code order ({previous!r} then {code!r})")
            previous = code
            level = _LEVEL_NO[level_name]
            pks.append(pk)
            parent_pks.append(parent_pk or 0)
            levels.append(level)
            display = short_name or name
            codes.write(code)
            codes.write("\n")
            names.write(display)
            names.write("\n")
            code_len += len(code) + 1
            name_len += len(display) + 1
            code_at.append(code_len)
            name_at.append(name_len)
            forms = _forms_of(name, short_name, aliases, level)
            if level == GRID:
                grids.append((pos, forms))
                continue
            if level == TOWN and any(len(stem) >= 5 and not suffix for stem, suffix in forms):
                towns.append((pos, forms))
            elif level == VILLAGE and len(name) >= 7:
                # 临渭区阎村镇双创家园社区 is also found as 双创家园社区 below its town.
                forms |= _below_named_ancestor(forms, code, upper_names)
            if level < VILLAGE:
                upper_names[code] = normalise(name)
            self._add_keys(keys, suffix_no, pos, forms)
        n = len(pks)
        self.size = n
        self._codes, self._names = codes.getvalue(), names.getvalue()
        self._code_at, self._name_at = code_at, name_at
        del codes, names

        # Parents by position, then the depth-first numbering. In code order a subtree is usually
        # one run (NBS codes extend their parent's); when it is not, rows are renumbered.
        pos_of = {pk: i for i, pk in enumerate(pks)}
        parent = array("i", [pos_of.get(pk, -1) if pk else -1 for pk in parent_pks])
        del pos_of, parent_pks
        end = array("i", bytes(4 * n))
        stack: list[int] = []
        preorder = True
        for i in range(n):
            p = parent[i]
            while stack and stack[-1] != p:
                end[stack.pop()] = i
            if p >= 0 and not stack:
                preorder = False
                break
            stack.append(i)
        while stack:
            end[stack.pop()] = n
        self._by_code: array | None = None  # idx in code order, when that is not idx order
        if not preorder:
            order = _depth_first(parent)
            new_of = array("i", bytes(4 * n))
            for new, old in enumerate(order):
                new_of[old] = new
            self._by_code = new_of  # code order position k → idx
            self.pk = array("q", (pks[old] for old in order))
            levels = bytearray(levels[old] for old in order)
            parent = array("i", (new_of[parent[old]] if parent[old] >= 0 else -1 for old in order))
            self._code_start = array("i", (code_at[old] for old in order))
            self._name_start = array("i", (name_at[old] for old in order))
            keys = _renumber_keys(keys, new_of)
            grids = [(new_of[pos], forms) for pos, forms in grids]
            towns = [(new_of[pos], forms) for pos, forms in towns]
            end = _subtree_ends(parent)
        else:
            self.pk = pks
            self._code_start = self._name_start = None
        self.parent, self.end, self.level = parent, end, levels
        for i, forms in towns:
            # 科尔沁左翼后旗畜牧水产技术服务中心 is also found as 畜牧水产技术服务中心 below its county.
            extra: set[tuple[str, str]] = set()
            p = parent[i]
            while p >= 0:
                above = normalise(self._name(p))
                for stem, suffix in forms:
                    whole = stem + suffix
                    if whole.startswith(above) and len(whole) - len(above) >= 3:
                        extra.update(_split(whole[len(above):], TOWN))
                p = parent[p]
            self._add_keys(keys, suffix_no, i, extra - forms)
        for i, forms in grids:
            if parent[i] >= 0:
                # 洋坂村第一网格 is also found as 第一网格 below its village.
                parent_full = normalise(self._name(parent[i]))
                for stem, suffix in list(forms):
                    whole = stem + suffix
                    if whole.startswith(parent_full) and len(whole) - len(parent_full) >= 2:
                        forms.update(name_forms(whole[len(parent_full):], GRID))
            self._add_keys(keys, suffix_no, i, forms)

        # Small lists become tuples; big ones are grouped by (level, suffix) with an array of
        # region indexes each, so a hit is judged once per group, not once per region.
        lengths: dict[str, set[int]] = {}
        mask = (1 << _SUFFIX_BITS) - 1
        for key, found in keys.items():
            if isinstance(found, list):
                found.sort()
                if len(found) <= _GROUP:
                    keys[key] = tuple(found)
                else:
                    groups: dict[tuple[int, int], array] = {}
                    for packed in found:
                        i = packed >> _SUFFIX_BITS
                        groups.setdefault((levels[i], packed & mask), array("i")).append(i)
                    keys[key] = [(lv, no, arr) for (lv, no), arr in groups.items()]
            lengths.setdefault(key[:2], set()).add(len(key))
        self.keys = keys
        self._paths: dict[int, str] = {}
        # The key lengths by their first two characters: the scan tries only those.
        shared: dict[tuple[int, ...], tuple[int, ...]] = {}
        self.lengths = {}
        for head, found_lengths in lengths.items():
            ordered = tuple(sorted(found_lengths))
            self.lengths[head] = shared.setdefault(ordered, ordered)
        self.build_seconds = time.monotonic() - started

    def _add_keys(self, keys: dict[str, Any], suffix_no: dict[str, int], i: int,
                  forms: set[tuple[str, str]]) -> None:
        for stem, suffix in forms:
            no = suffix_no.get(suffix)
            if no is None:
                if len(self.suffixes) >= 1 << _SUFFIX_BITS:
                    stem, no = stem + suffix, 0
                else:
                    no = suffix_no[suffix] = len(self.suffixes)
                    self.suffixes.append(suffix)
            packed = (i << _SUFFIX_BITS) | no
            found = keys.get(stem)
            if found is None:
                keys[stem] = packed
            elif isinstance(found, int):
                keys[stem] = [found, packed]
            else:
                found.append(packed)

    # -- lookups

    def _code(self, i: int) -> str:
        if self._code_start is None:
            return self._codes[self._code_at[i] : self._code_at[i + 1] - 1]
        start = self._code_start[i]
        return self._codes[start : self._codes.index("\n", start)]

    def _name(self, i: int) -> str:
        if self._name_start is None:
            return self._names[self._name_at[i] : self._name_at[i + 1] - 1]
        start = self._name_start[i]
        return self._names[start : self._names.index("\n", start)]

    def _path(self, i: int) -> str:
        """The names from the top down: 福建省 莆田市 仙游县 度尾镇 洋坂村."""
        p = self.parent[i]
        if p < 0:
            return self._name(i)
        above = self._paths.get(p)  # the levels above villages: at most ~45,000 of them
        if above is None:
            above = self._paths[p] = self._path(p)
        return f"{above} {self._name(i)}"

    def _inside(self, outer: int, inner: int) -> bool:
        """`inner` lies strictly below `outer`."""
        return outer < inner < self.end[outer]

    def index_of(self, code: str) -> int | None:
        """The index of the active region with this code, or None (a bisect over code order)."""
        by_code = self._by_code
        if by_code is None:
            k = bisect_left(range(self.size), code, key=self._code)
            return k if k < self.size and self._code(k) == code else None
        k = bisect_left(range(self.size), code, key=lambda j: self._code(by_code[j]))
        return by_code[k] if k < self.size and self._code(by_code[k]) == code else None

    # -- matching

    def _judge(self, s: str, start: int, end: int, level: int, suffix_no: int,
               starts: set[int]) -> tuple[int, int] | None:
        """(end of the hit, kind) for a stem at [start, end), or None when what follows says it is
        something else. `starts`: where some name begins in `s`."""
        suffix = self.suffixes[suffix_no]
        if suffix and s.startswith(suffix, end):
            return end + len(suffix), EXACT
        if suffix == "村村" and s.startswith("村", end):
            return end + 1, EXACT
        variants = _VARIANTS[level]
        if s.startswith(variants, end):
            for v in variants:
                if s.startswith(v, end):
                    return end + len(v), (EXACT if not suffix else VARIANT)
        if s.startswith(_CONFLICTS[level], end) and end not in starts:
            return None  # 城东 + 街道 is not the village 城东村 (but 湖北 + 旗峰村 is two places)
        if s.startswith(_STOP, end) and end not in starts:
            return None  # 中山 + 路: a road (but 千金 + 花园村 is two places)
        if not suffix:
            return end, EXACT
        stem = s[start:end]
        if level >= TOWN and (stem in _GENERIC or (level == TOWN and stem in _GENERIC_TOWNS)):
            return None  # 人民 (of 人民街道) + 医院 is the hospital; 城关 is a hundred towns
        if level == TOWN and s.endswith(_ROAD_ENDINGS, start, end):
            return None  # 工业路 (of 工业路街道) written bare is a road
        return end, BARE

    def _unsuffixed(self, s: str, start: int, end: int, judged: tuple[int, int], suffix_no: int,
                    starts: set[int]) -> tuple[int, int] | None:
        """The reading without the suffix, when a name begins where the suffix does: 长流镇海社区
        is 长流镇 + 海社区 or 长流 + 镇海社区."""
        if judged[0] == end or end not in starts or s[start:end] in _GENERIC or s[start:end] in _GENERIC_TOWNS:
            return None
        return (end, BARE) if self.suffixes[suffix_no] else (end, EXACT)

    def _scan(self, s: str, lo: int, hi: int, above: tuple[int, ...]) -> list[_Match]:
        """Every hit in `s`, keeping regions in [lo, hi) or in `above` (the within's ancestors)."""
        keys, lengths = self.keys, self.lengths
        level_of, bits = self.level, _SUFFIX_BITS
        mask = (1 << bits) - 1
        whole = lo == 0 and hi == self.size
        n = len(s)
        raw: list[tuple[int, int, Any]] = []
        for start in range(n - 1):
            found_lengths = lengths.get(s[start : start + 2])
            if found_lengths is None:
                continue
            for length in found_lengths:
                stop = start + length
                if stop > n:
                    break
                found = keys.get(s[start:stop])
                if found is not None:
                    raw.append((start, stop, found))
        starts = {start for start, _stop, _found in raw}
        out: list[_Match] = []
        judge = self._judge
        for start, stop, found in raw:
            if isinstance(found, list):  # big: groups of (level, suffix, regions)
                for level, no, regions in found:
                    if not whole:
                        regions = _restrict(regions, lo, hi, above)
                        if not regions:
                            continue
                    judged = judge(s, start, stop, level, no, starts)
                    if judged is None:
                        continue
                    out.append(_Match(start, judged[0], _weight(level, judged, start), level, regions,
                                      judged[1], stop, _anchored(s, start, stop, level, judged[1])))
                    alternative = self._unsuffixed(s, start, stop, judged, no, starts)
                    if alternative is not None:
                        out.append(_Match(start, stop, _weight(level, alternative, start), level, regions,
                                          alternative[1], stop, _anchored(s, start, stop, level, alternative[1])))
                continue
            entries = (found,) if isinstance(found, int) else found
            groups: dict[tuple[int, int, int], list[int]] = {}
            verdicts: dict[int, tuple] = {}  # (level, suffix) → (judged, alternative): judged once
            for packed in entries:
                i = packed >> bits
                if not whole and not (lo <= i < hi or i in above):
                    continue
                level = level_of[i]
                no = packed & mask
                verdict = verdicts.get((level << bits) | no)
                if verdict is None:
                    judged = judge(s, start, stop, level, no, starts)
                    verdict = verdicts[(level << bits) | no] = (
                        judged, None if judged is None else self._unsuffixed(s, start, stop, judged, no, starts))
                judged, alternative = verdict
                if judged is None:
                    continue
                groups.setdefault((level, judged[0], judged[1]), []).append(i)
                if alternative is not None:
                    groups.setdefault((level, stop, alternative[1]), []).append(i)
            for (level, hit_end, kind), regions in groups.items():
                out.append(_Match(start, hit_end, _weight(level, (hit_end, kind), start), level, regions, kind,
                                  stop, _anchored(s, start, stop, level, kind)))
        # A bare stem that begins a longer name written out is part of it (科尔沁 of 科尔沁左翼后旗;
        # but 长流 of 长流镇 is the same name: 长流镇海社区 may be 长流 + 镇海社区).
        longest: dict[int, int] = {}  # start → the furthest end of an exact stem there
        for m in out:
            if m.kind == EXACT and m.key_end > longest.get(m.start, -1):
                longest[m.start] = m.key_end
        if longest:
            out = [m for m in out if m.kind != BARE or m.key_end >= longest.get(m.start, -1)]
        out.sort(key=lambda m: (m.start, -m.end))
        return out

    def locate(self, address: str, *, within: str | Region | None = None) -> Located:
        if not isinstance(address, str):
            raise InvalidInput(_("The address must be text."), field="address")
        address = address.strip()
        if len(address) > MAX_ADDRESS_LENGTH:
            raise InvalidInput(
                _("The address is longer than %(n)d characters.") % {"n": MAX_ADDRESS_LENGTH}, field="address"
            )
        lo, hi, root = 0, self.size, -1
        above: tuple[int, ...] = ()
        if within is not None:
            code = within.code if isinstance(within, Region) else str(within).strip()
            w = self.index_of(code)
            if w is None:
                raise InvalidInput(_("No region with code %(c)s.") % {"c": code}, code="not_found", field="within")
            lo, hi, root = w, self.end[w], w
            chain = []
            p = self.parent[w]
            while p >= 0:
                chain.append(p)
                p = self.parent[p]
            above = tuple(chain)
        # Punctuation between parts is a boundary no name crosses (舟山镇，前村 is not 镇前村).
        s = "|".join(filter(None, map(normalise, _BOUNDARY.split(address))))
        matches = self._scan(s, lo, hi, above)
        lead = _LEAD_IN.match(s)
        return self._best(address, matches, root, above, lead.end() if lead else 0)

    def _best(self, address: str, matches: list[_Match], root: int, above: tuple[int, ...],
              lead: int) -> Located:
        parent, end_of = self.parent, self.end
        # region → [(end of the hit, score of the best chain ending there, the last hit's kind)]
        chains: dict[int, list[tuple[int, float, int]]] = {}
        # Big hits taken as a whole: (end, sorted regions, score, level, kind) — every region equally.
        wholes: list[tuple[int, Sequence[int], float, int, int]] = []
        level_of = self.level
        for m in matches:
            start, weight, regions = m.start, m.weight, m.regions
            kind = m.kind
            anchored = m.anchored if root < 0 or m.anchored == 2 else 0  # a within names the county
            if len(regions) <= _SMALL:
                base = weight * (_ROOT_GRID if m.level == GRID and root < 0 else 1.0)
                if start == lead:
                    base += _ADJACENT  # the address begins with it
                if anchored:
                    base = 0.0  # only as the continuation of a chain
                usable = [w for w in wholes if w[0] <= start and w[3] < m.level
                          and (anchored < 2 or w[4] != BARE)]
                if not chains and not usable:
                    if anchored:
                        continue
                    for r in regions:
                        chains[r] = [(m.end, base, kind)]
                    continue
                for r in regions:
                    best = base
                    p = parent[r]
                    while p >= 0:  # chains ending in an ancestor, before this hit
                        found = chains.get(p)
                        if found:
                            for e, sc, k in found:
                                if e <= start and (anchored < 2 or k != BARE):
                                    score = sc + weight + (_ADJACENT if e == start else 0.0)
                                    if score > best:
                                        best = score
                        if usable:  # a big hit at this ancestor's level, taken as a whole
                            lv = level_of[p]
                            for w_end, w_regions, w_score, w_level, _kind in usable:
                                if w_level == lv and _contains(w_regions, p):
                                    score = w_score + weight + (_ADJACENT if w_end == start else 0.0)
                                    if score > best:
                                        best = score
                        p = parent[p]
                    if best > 0.0:
                        chains.setdefault(r, []).append((m.end, best, kind))
            else:
                # Regions below a smaller hit taken as a whole (城关 + 新村 … within reach).
                for w_end, w_regions, w_score, w_level, w_kind in wholes:
                    if (w_end > start or w_level >= m.level or len(w_regions) > _REACH
                            or (anchored == 2 and w_kind == BARE)):
                        continue
                    score = w_score + weight + (_ADJACENT if w_end == start else 0.0)
                    for q in w_regions:
                        a = bisect_left(regions, q + 1)
                        b = bisect_left(regions, end_of[q])
                        for k in range(a, b):
                            chains.setdefault(regions[k], []).append((m.end, score, kind))
                if not anchored:
                    wholes.append((m.end, regions, weight + (_ADJACENT if start == lead else 0.0), m.level, kind))
                m_level = m.level
                for q, found in list(chains.items()):
                    if end_of[q] - q <= 1 or level_of[q] >= m_level:
                        continue  # nothing below it of this hit's level
                    a = bisect_left(regions, q + 1)
                    b = bisect_left(regions, end_of[q])
                    if a == b:
                        continue
                    scores = [sc + weight + (_ADJACENT if e == start else 0.0) for e, sc, k in found if e <= start and (anchored < 2 or k != BARE)]
                    if not scores:
                        continue
                    score = max(scores)
                    for k in range(a, b):
                        chains.setdefault(regions[k], []).append((m.end, score, kind))

        # The best score per region; the within's ancestors are no answer.
        final = _FINAL_BARE
        best_of = {}
        for r, found in chains.items():
            if len(found) == 1:
                _e, sc, k = found[0]
                best_of[r] = sc + final[level_of[r]] if k == BARE else sc
            else:
                best_of[r] = max(sc + (final[level_of[r]] if k == BARE else 0.0) for _e, sc, k in found)
        for r in above:
            best_of.pop(r, None)
        top_whole = max((w[2] + (final[w[3]] if w[4] == BARE else 0.0) for w in wholes), default=0.0)
        if not best_of and not wholes:
            return Located(address=address, code=None, level=None, name=None, candidates=[], score=0.0)
        top = max(top_whole, max(best_of.values(), default=0.0))
        ranked = sorted(best_of.items(), key=lambda kv: (-kv[1], kv[0]))
        # A region is no answer when a region below it scores at least as much (the most
        # specific consistent level wins); keep the top tier and a few runners-up.
        inside = self._inside
        kept: list[tuple[int, float]] = []
        for i, score in ranked:
            if score < top - 1e-9 and len(kept) >= 3:
                break
            for j, other in ranked:
                if other < score - 1e-9:
                    kept.append((i, score))
                    break
                if inside(i, j):
                    break
            else:
                kept.append((i, score))
        tied = [i for i, score in kept if score >= top - 1e-9]
        if top_whole >= top - 1e-9:
            for _end, regions, score, w_level, w_kind in wholes:
                if score + (final[w_level] if w_kind == BARE else 0.0) >= top - 1e-9:
                    for i in regions:
                        if len(tied) > MAX_CANDIDATES:
                            break
                        if i not in above and i not in tied:
                            tied.append(i)
        if len(tied) == 1:
            winner = tied[0]
            candidates = [self._candidate(i, sc) for i, sc in kept[:3]]
            return Located(address=address, code=self._code(winner), level=LEVELS[self.level[winner]],
                           name=self._name(winner), candidates=candidates, score=round(top, 3))
        tied.sort()
        return Located(address=address, code=None, level=None, name=None,
                       candidates=[self._candidate(i, top) for i in tied[:MAX_CANDIDATES]],
                       score=round(top, 3))

    def _candidate(self, i: int, score: float) -> dict:
        return {"code": self._code(i), "level": LEVELS[self.level[i]], "name": self._name(i),
                "score": round(score, 3), "path": self._path(i)}


def _forms_of(name: str, short_name: str, aliases: Any, level: int) -> set[tuple[str, str]]:
    """Every (stem, suffix) of a region's name, short name and aliases."""
    full = normalise(name)
    forms = set(_split(full, level))
    known = {name, full}
    if short_name and short_name != name:
        known.add(short_name)
        short = normalise(short_name)
        if short != full:
            forms.update(_split(short, level))
            known.add(short)
    if isinstance(aliases, str):
        try:
            aliases = json.loads(aliases) if aliases not in ("", "[]") else ()
        except ValueError:
            aliases = ()
    if aliases:
        known.update(stem for stem, _suffix in forms)
        for alias in aliases:
            if isinstance(alias, str) and alias not in known:
                normal = normalise(alias)
                known.add(alias)
                if normal not in known or normal == alias:
                    known.add(normal)
                    forms.update(_split(normal, level))
    if len(forms) == 1:
        return forms
    # A bare form that is some other form's stem is that stem (洋坂 beside 洋坂 + 村).
    with_suffix = {stem for stem, suffix in forms if suffix}
    return {(stem, suffix) for stem, suffix in forms if suffix or stem not in with_suffix}


def _below_named_ancestor(forms: set[tuple[str, str]], code: str, upper_names: dict[str, str]) -> set[tuple[str, str]]:
    """A village named with its town or county in front: the forms without that prefix (NBS codes
    start with their ancestors' codes)."""
    extra: set[tuple[str, str]] = set()
    for stem, suffix in forms:
        whole = stem + suffix
        for cut in (2, 4, 6, 9):
            above = upper_names.get(code[:cut])
            if above and whole.startswith(above) and len(whole) - len(above) >= 3:
                whole = whole[len(above):]
                extra.update(_split(whole, VILLAGE))
    return extra


def _depth_first(parent: array) -> list[int]:
    children: dict[int, list[int]] = {}
    for i, p in enumerate(parent):
        children.setdefault(p, []).append(i)
    order: list[int] = []
    stack = list(reversed(children.get(-1, [])))
    while stack:
        i = stack.pop()
        order.append(i)
        stack.extend(reversed(children.get(i, [])))
    return order


def _subtree_ends(parent: array) -> array:
    """`parent` in depth-first numbering → one past each region's last descendant."""
    n = len(parent)
    end = array("i", range(1, n + 1))
    for i in range(n - 1, -1, -1):
        p = parent[i]
        if p >= 0 and end[p] < end[i]:
            end[p] = end[i]
    return end


def _renumber_keys(keys: dict[str, Any], new_of: array) -> dict[str, Any]:
    mask = (1 << _SUFFIX_BITS) - 1

    def renumber(packed: int) -> int:
        return (new_of[packed >> _SUFFIX_BITS] << _SUFFIX_BITS) | (packed & mask)

    return {
        key: renumber(found) if isinstance(found, int) else [renumber(p) for p in found]
        for key, found in keys.items()
    }


def _weight(level: int, judged: tuple[int, int], start: int) -> float:
    end, kind = judged
    return _WEIGHT[level][kind] + _PER_CHAR * (end - start)


def _anchored(s: str, start: int, stop: int, level: int, kind: int) -> int:
    """A bare 城关 (a county's seat anywhere) stands for 城关区 only below its city or province (1);
    a bare 朝阳路 (of 朝阳路社区) + 108号 is a road and a number unless its town is written out (2)."""
    if kind != BARE:
        return 0
    if level < TOWN and s[start:stop] in _GENERIC_TOWNS:
        return 1
    if level >= VILLAGE and s.endswith(_ROAD_ENDINGS, start, stop) and _HOUSE_NUMBER.match(s, stop):
        return 2
    return 0


def _restrict(regions: Sequence[int], lo: int, hi: int, above: tuple[int, ...]) -> Sequence[int]:
    a, b = bisect_left(regions, lo), bisect_left(regions, hi)
    kept = [i for i in above if _contains(regions, i)]
    if not kept:
        return regions[a:b]
    return sorted([*kept, *regions[a:b]])


def _contains(regions: Sequence[int], i: int) -> bool:
    k = bisect_left(regions, i)
    return k < len(regions) and regions[k] == i


# ----------------------------------------------------------------------------- loading

_LEVEL_SQL = ", ".join(f"'{lv}'" for lv in LEVELS)
_lock = threading.Lock()
_index: LocateIndex | None = None
_dirty = False
_checked_at = 0.0
# How long a read of the version row is trusted (seconds) once the index is big; below
# ALWAYS_CHECK_BELOW regions (a county, a province, a test) it is read on every lookup.
VERSION_TTL = 1.0
ALWAYS_CHECK_BELOW = 50_000


def _table() -> str:
    return connection.ops.quote_name(Region._meta.db_table)


def table_version() -> tuple:
    """A fingerprint of the active regions' names and shape (one scan of the table)."""
    q = connection.ops.quote_name
    table = _table()
    aliases = f"CAST({q('aliases')} AS TEXT)"
    sql = (
        f"SELECT COUNT(*), MAX({q('id')}), COUNT({q('retired_at')}), "
        f"SUM(LENGTH({q('name')}) * {q('id')}), SUM(LENGTH({q('short_name')})), "
        f"SUM(LENGTH({aliases}) * ({q('id')} % 9973)), "
        f"SUM(CASE WHEN {q('retired_at')} IS NULL THEN 0 ELSE {q('id')} END) FROM {table}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return (connection.settings_dict.get("NAME"), *(int(v or 0) for v in row))


def regions_version() -> tuple:
    """The database, its RegionsVersion row and the regions' largest id (two primary-key index
    reads in one query); the table's fingerprint where the row is missing. The largest id also
    catches rows saved without a bump (fixtures, scripts)."""
    q = connection.ops.quote_name
    version_table = q(RegionsVersion._meta.db_table)
    sql = (f"SELECT {q('version')}, {q('changed_at')}, (SELECT MAX({q('id')}) FROM {_table()}) "
           f"FROM {version_table} WHERE {q('id')} = 1")
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    if row is None:
        return table_version()
    return (connection.settings_dict.get("NAME"), "v", row[0], str(row[1]), row[2])


def _rows() -> Iterable[tuple]:
    """The active regions in code order (byte order, as Python compares strings)."""
    q = connection.ops.quote_name
    collate = ' COLLATE "C"' if connection.vendor == "postgresql" else ""
    sql = (
        f"SELECT {q('id')}, {q('code')}, {q('level')}, {q('name')}, {q('short_name')}, "
        f"{q('aliases')}, {q('parent_id')} FROM {_table()} "
        f"WHERE {q('retired_at')} IS NULL AND {q('level')} IN ({_LEVEL_SQL}) "
        f"ORDER BY {q('code')}{collate}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while batch := cursor.fetchmany(20000):
            yield from batch


def locate_index() -> LocateIndex:
    """The current index: rebuilt if regions changed (see "Staleness" above)."""
    global _index, _dirty, _checked_at
    index = _index
    if (index is not None and not _dirty and index.size >= ALWAYS_CHECK_BELOW
            and time.monotonic() - _checked_at < VERSION_TTL):
        return index
    with _lock:
        version = regions_version()
        _checked_at = time.monotonic()
        if _index is None or _dirty or _index.version != version:
            _dirty = False
            _index = LocateIndex(_rows(), version)
        return _index


def invalidate(**_kwargs: Any) -> None:
    """Mark the index stale: the next lookup rebuilds it."""
    global _dirty
    _dirty = True


def _region_changed(sender, instance: Region, **kwargs: Any) -> None:
    invalidate()
    if connection.in_atomic_block:
        transaction.on_commit(invalidate)


post_save.connect(_region_changed, sender=Region, dispatch_uid="locate-region-saved")
post_delete.connect(_region_changed, sender=Region, dispatch_uid="locate-region-deleted")


def locate(address: str, *, within: str | Region | None = None) -> Located:
    """The division `address` names, inside `within` if given (a code or a Region).

    Raises InvalidInput for a non-text or over-long address, or an unknown `within` code.
    """
    return locate_index().locate(address, within=within)
