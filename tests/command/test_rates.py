"""Rates: truncation by default (half up on the admin's choice), the seeds' figures (BRIEF §9), how
whole numbers print, the score."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fengqiao.command.measures import (
    HALF_UP,
    TRUNCATE,
    Measures,
    format_rate,
    rate,
    relative_change,
)

# (numerator, denominator, digits, shown) exactly as the seeds print them.
BRIEF_9 = [
    (3330, 3638, 1, "91.5%"),    # seed 004: campaign events resolved
    (7088, 7276, 1, "97.4%"),    # seed 004: events collected, solved
    (37050, 37242, 0, "99%"),    # seed 001: "99% (99.48%)" — the whole percent …
    (37050, 37242, 2, "99.48%"),  # … and the two decimals in brackets
    (222, 240, 1, "92.5%"),      # seed 002: supervised major items done
    (102, 102, 1, "100%"),       # seed 000: all settled — exact, so no ".0"
]


@pytest.mark.parametrize(("num", "den", "digits", "shown"), BRIEF_9)
def test_the_seeds_rates_are_reproduced_to_the_digit(num, den, digits, shown):
    assert format_rate(num, den, digits) == shown


def test_seed_002s_mediation_rate_is_a_truncation_not_a_rounding():
    # 11854 / 23022 = 51.48987…%: the seed prints 51.48% (cut off); half up would give 51.49%.
    assert rate(11854, 23022, 2) == Decimal("51.48")
    assert format_rate(11854, 23022, 2) == "51.48%"
    assert format_rate(11854, 23022, 2, rounding=TRUNCATE) == "51.48%"
    assert rate(11854, 23022, 2, rounding=HALF_UP) == Decimal("51.49")
    assert format_rate(11854, 23022, 2, rounding=HALF_UP) == "51.49%"


@pytest.mark.parametrize(("num", "den", "digits", "shown"), BRIEF_9)
def test_half_up_reproduces_the_other_five_seed_figures(num, den, digits, shown):
    assert format_rate(num, den, digits, rounding=HALF_UP) == shown


def test_truncation_cuts_never_rounds_up():
    assert rate(9155, 10000, 1) == Decimal("91.5")  # 91.55 → 91.5
    assert rate(9169, 10000, 1) == Decimal("91.6")  # 91.69 → 91.6
    assert rate(1, 16, 1) == Decimal("6.2")  # 6.25 → 6.2
    assert format_rate(9999, 10000, 1) == "99.9%"  # never a "100%" that is not all of them
    assert format_rate(1, 10000, 1) == "0.0%"  # nor a "0%" that is not none of them


def test_half_up_rounds_a_five_up_not_to_even():
    assert rate(9155, 10000, 1, rounding=HALF_UP) == Decimal("91.6")  # banker's would give 91.6 too
    assert rate(9165, 10000, 1, rounding=HALF_UP) == Decimal("91.7")  # 91.65 → 91.7 (banker's: 91.6)
    assert rate(1, 8, 1, rounding=HALF_UP) == Decimal("12.5")
    assert rate(1, 16, 1, rounding=HALF_UP) == Decimal("6.3")  # 6.25 → 6.3


def test_relative_change_uses_the_same_rule():
    # 100 → 47 is down 53% exactly; 10000 → 4721 is down 52.79%.
    assert relative_change(47, 100, 0) == Decimal("-53")
    assert relative_change(4721, 10000, 1) == Decimal("-52.7")  # −52.79 cut toward zero
    assert relative_change(4721, 10000, 1, rounding=HALF_UP) == Decimal("-52.8")
    assert relative_change(3, 0) is None


def test_no_denominator_no_rate():
    assert rate(0, 0) is None
    assert format_rate(0, 0) == "—"
    assert format_rate(0, 7) == "0%"
    assert format_rate(7, 7, 2) == "100%"
    assert format_rate(1, 3) == "33.3%"
    with pytest.raises(ValueError):
        rate(-1, 3)


def test_measures_derive_received_overdue_and_the_rates():
    m = Measures(registered=12, merged=1, refused=1, handled=9, resolved=8, on_time=6,
                 resolved_late=2, open_overdue=1, called_back=7, satisfied=6, reworked=1)
    assert m.received == 10
    assert m.overdue == 3
    assert m.rate("handling_rate").display == "90.0%"
    assert m.rate("resolution_rate").display == "80.0%"
    assert m.rate("on_time_rate").display == "75.0%"
    assert m.rate("overdue_rate").display == "30.0%"
    assert m.rate("satisfaction_rate", digits=2).display == "85.71%"
    assert m.rate("rework_rate").display == "14.2%"  # 1 / 7 = 14.285…% cut to one decimal


def test_the_composite_score_weights_the_rates_and_skips_missing_ones():
    m = Measures(registered=10, handled=10, resolved=5, on_time=5,
                 weights={"handling_rate": 1, "resolution_rate": 1, "overdue_rate": 2,
                          "satisfaction_rate": 5})
    # handling 100, resolution 50, overdue 0 → 100 − 0 = 100; satisfaction has no call-backs.
    assert m.score() == Decimal("87.50")  # (100 + 50 + 2 × 100) / 4
    assert Measures().score() is None
