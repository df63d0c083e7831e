"""The demo's names, phones and ID numbers."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from fengqiao.demo import names
from fengqiao.events.actions import _valid_id_number


def test_check_digit_matches_the_published_example():
    # GB 11643-1999's worked example: 11010519491231002X.
    assert names.id_check_digit("11010519491231002") == "X"


def test_check_digit_refuses_a_short_number():
    with pytest.raises(ValueError):
        names.id_check_digit("1234")


def test_generated_id_numbers_pass_the_platform_check_and_carry_the_county():
    rng = random.Random(3)
    today = dt.date(2026, 11, 20)
    for _ in range(200):
        number = names.id_number(rng, place_code="350322", today=today)
        assert number.startswith("350322")
        assert _valid_id_number(number)
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        assert 18 <= (today - birth).days // 365 <= 80


def test_sex_digit_follows_the_person():
    rng = random.Random(5)
    today = dt.date(2026, 1, 1)
    assert int(names.id_number(rng, today=today, female=True)[16]) % 2 == 0
    assert int(names.id_number(rng, today=today, female=False)[16]) % 2 == 1


def test_names_and_phones_look_real_and_repeat_for_a_seed():
    a = [names.person_name(random.Random(9)) for _ in range(3)]
    b = [names.person_name(random.Random(9)) for _ in range(3)]
    assert a == b
    rng = random.Random(1)
    for _ in range(100):
        name = names.person_name(rng)
        assert 2 <= len(name) <= 3
        phone = names.mobile(rng)
        assert len(phone) == 11 and phone.isdigit() and phone[:3] in names.MOBILE_PREFIXES
