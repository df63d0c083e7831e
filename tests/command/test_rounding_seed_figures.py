"""BRIEF §9 through the code the pages print with: the shipped settings (`queries._options`, the
admin's one row), `Measures`, and `queries.display` — the function every card, spread cell,
ranking row, export's "shown" column and bulletin figure is printed by. One rule, truncation,
gives all six figures at once; half up would have shown seed 002's 51.48% as 51.49%."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fengqiao.command import queries
from fengqiao.command.measures import DEFAULT_ROUNDING, HALF_UP, TRUNCATE, Measures, rate
from fengqiao.command.models import CommandSettings

# (resolved, received, digits shown, printed) exactly as the seeds print them.
SECTION_9 = [
    (3330, 3638, 1, "91.5%"),    # seed 004: 百日攻坚 events 3,638, resolved 3,330
    (7088, 7276, 1, "97.4%"),    # seed 004: events collected 7,276, solved 7,088
    (37050, 37242, 0, "99%"),    # seed 001: 37,242 disputes, 37,050 settled: "99%" …
    (37050, 37242, 2, "99.48%"),  # … "(99.48%)"
    (11854, 23022, 2, "51.48%"),  # seed 002: pre-litigation 23,022, settled 11,854
    (222, 240, 1, "92.5%"),      # seed 002: 240 listed major items, 222 done
    (102, 102, 1, "100%"),       # seed 000: 102 disputes, 102 settled
]


def _as_pages_print(resolved: int, received: int, digits: int) -> str:
    options = queries._options()  # what every page and endpoint builds its Measures with
    m = Measures.from_counts({"registered": received, "resolved": resolved}, digits=digits, **options)
    return queries.display(m, "resolution_rate")


@pytest.mark.django_db
def test_truncation_is_the_shipped_default():
    assert DEFAULT_ROUNDING == TRUNCATE
    assert CommandSettings().rounding == TRUNCATE
    assert CommandSettings._meta.get_field("rounding").default == TRUNCATE
    assert Measures().rounding == TRUNCATE
    assert queries._options()["rounding"] == TRUNCATE


@pytest.mark.django_db
@pytest.mark.parametrize(("resolved", "received", "digits", "shown"), SECTION_9)
def test_every_section_9_figure_prints_to_the_digit_with_no_settings_row(resolved, received, digits, shown):
    assert not CommandSettings.objects.exists()
    assert _as_pages_print(resolved, received, digits) == shown


@pytest.mark.django_db
@pytest.mark.parametrize(("resolved", "received", "digits", "shown"), SECTION_9)
def test_every_section_9_figure_prints_to_the_digit_with_a_saved_settings_row(resolved, received, digits, shown):
    row = CommandSettings()
    row.full_clean()
    row.save()  # the row the admin (or the demo) saves keeps the shipped default
    queries.forget_settings()
    assert CommandSettings.objects.get().rounding == TRUNCATE
    assert _as_pages_print(resolved, received, digits) == shown


@pytest.mark.django_db
def test_half_up_would_have_shown_51_49_for_seed_002():
    CommandSettings.objects.create(rounding=HALF_UP)
    queries.forget_settings()
    assert _as_pages_print(11854, 23022, 2) == "51.49%"
    assert rate(11854, 23022, 2, rounding=HALF_UP) == Decimal("51.49")
    assert rate(11854, 23022, 2) == Decimal("51.48")
    # … and every other figure of §9 stays as printed: the one difference is the court's.
    others = [f for f in SECTION_9 if f[:2] != (11854, 23022)]
    assert [_as_pages_print(*f[:3]) for f in others] == [f[3] for f in others]


@pytest.mark.django_db
def test_the_apps_below_print_by_the_admins_rule_through_lib_rates():
    from fengqiao.lib import rates

    assert rates.current_rounding() == TRUNCATE
    assert rates.format_rate(11854, 23022, 2, rates.current_rounding()) == "51.48%"
    CommandSettings.objects.create(rounding=HALF_UP)
    queries.forget_settings()
    assert rates.current_rounding() == HALF_UP
    assert rates.format_rate(11854, 23022, 2, rates.current_rounding()) == "51.49%"
    # The functions alone never read the settings: the shipped rule.
    assert rates.format_rate(11854, 23022, 2) == "51.48%"
