"""Real-looking Chinese names, mobile numbers and resident ID numbers for the demo.

Everything is drawn from a `random.Random` the caller seeds, so a seed gives the same county.
Surnames are weighted roughly as in Putian (林, 陈, 黄, 郑 lead there); given names are one or two
characters from common lists. Phone numbers use real mobile prefixes; ID numbers carry a real
place code of the county, a birth date and the ISO 7064 MOD 11-2 check digit.
"""

from __future__ import annotations

import datetime as dt
import random

# (surname, weight): Putian's big surnames first, then the national common ones.
SURNAMES: list[tuple[str, int]] = [
    ("林", 120), ("陈", 110), ("黄", 70), ("郑", 65), ("吴", 40), ("李", 35), ("王", 30),
    ("张", 28), ("刘", 22), ("蔡", 22), ("许", 18), ("方", 18), ("朱", 16), ("杨", 15),
    ("徐", 12), ("余", 12), ("周", 12), ("关", 8), ("柯", 10), ("傅", 8), ("游", 8),
    ("潘", 7), ("谢", 7), ("卓", 6), ("翁", 6), ("魏", 6), ("詹", 5), ("苏", 6), ("何", 6),
    ("胡", 5), ("罗", 5), ("高", 5), ("曾", 5), ("邱", 4), ("宋", 4), ("唐", 4), ("戴", 4),
    ("严", 3), ("薛", 3), ("范", 3), ("彭", 3), ("肖", 3), ("曹", 3), ("郭", 5), ("姚", 3),
    ("江", 3), ("庄", 4), ("连", 3), ("马", 3), ("杜", 2),
]
_SURNAME_LIST = [s for s, _w in SURNAMES]
_SURNAME_WEIGHTS = [w for _s, w in SURNAMES]

MALE_CHARS = (
    "伟 强 军 平 华 建 明 志 文 海 国 勇 斌 辉 荣 新 成 杰 峰 林 清 金 水 德 坤 宏 雄 龙 锋 "
    "春 亮 振 兴 鹏 飞 俊 宇 浩 涛 昌 福 祥"
).split()
FEMALE_CHARS = (
    "芳 丽 敏 静 秀 娟 英 华 玲 燕 霞 红 梅 兰 琴 萍 云 凤 珍 娇 雪 婷 慧 莹 洁 丹 颖 倩 "
    "佳 欣 月 桂 淑 惠 美 玉 春 秋"
).split()

def person_name(rng: random.Random, *, female: bool | None = None) -> str:
    """A surname and one or two given characters (两字名 about a third of the time)."""
    if female is None:
        female = rng.random() < 0.45
    surname = rng.choices(_SURNAME_LIST, weights=_SURNAME_WEIGHTS)[0]
    chars = FEMALE_CHARS if female else MALE_CHARS
    if rng.random() < 0.33:
        return surname + rng.choice(chars)
    first, second = rng.choice(chars), rng.choice(chars)
    while second == first:
        second = rng.choice(chars)
    return surname + first + second


def surname(rng: random.Random) -> str:
    return rng.choices(_SURNAME_LIST, weights=_SURNAME_WEIGHTS)[0]


# Mobile prefixes of the three carriers.
MOBILE_PREFIXES = (
    "130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 "
    "166 173 177 180 181 182 183 184 185 186 187 188 189 191 198 199"
).split()


def mobile(rng: random.Random) -> str:
    """An 11-digit mainland mobile number."""
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of a resident ID number."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("an ID number has 17 digits before its check character")
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def id_number(
    rng: random.Random, *, place_code: str = "350322", today: dt.date, female: bool | None = None
) -> str:
    """An 18-character resident ID: place, birth date (18–80 years old), sequence, check."""
    if female is None:
        female = rng.random() < 0.45
    age_days = rng.randrange(18 * 365, 80 * 365)
    birth = today - dt.timedelta(days=age_days)
    sequence = rng.randrange(0, 500) * 2 + (0 if female else 1)  # odd: male, even: female
    first17 = f"{place_code}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_check_digit(first17)
