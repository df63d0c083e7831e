"""How the platform prints a rate: one rule, defined once (docs/measures.md, "Rounding").

A rate is num/den as a percentage, a `Decimal` with a fixed number of decimals, **truncated** by
default — the one rule that reproduces every figure of BRIEF §9 at once (seed 002 prints
11,854 / 23,022 = 51.4898…% as 51.48%; half up would show 51.49%). The command centre's admin may
switch to half up (`command.models.CommandSettings.rounding`); the command app registers that
setting here (`use_rounding_from`), and a page that prints a rate passes `current_rounding()`, so
that every app — the command centre's measures and the figures mediation and petitions print on
their own pages — prints with the same rule. The functions themselves default to the shipped
rule (pure: no database read unless asked).

Here rather than in `command.measures` because apps below the command centre (petitions,
mediation) print rates too and must not import it; `command.measures` re-exports these names.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

HALF_UP = "half_up"
TRUNCATE = "truncate"
ROUNDINGS = {HALF_UP: ROUND_HALF_UP, TRUNCATE: ROUND_DOWN}
# The shipped rule: truncation gives all six figures of BRIEF §9 (half up gives five).
DEFAULT_ROUNDING = TRUNCATE

_source: Callable[[], str] | None = None


def use_rounding_from(source: Callable[[], str] | None) -> None:
    """Where `current_rounding` reads the admin's choice (the command app registers its
    settings at start-up); None: the shipped default."""
    global _source
    _source = source


def current_rounding() -> str:
    """The rule in force: the admin's choice when one is registered, else the default."""
    if _source is None:
        return DEFAULT_ROUNDING
    value = _source()
    return value if value in ROUNDINGS else DEFAULT_ROUNDING


def rate(num: int, den: int, digits: int = 1, rounding: str = DEFAULT_ROUNDING) -> Decimal | None:
    """num/den as a percentage with `digits` decimals, by `rounding` (truncated by default);
    None when den is 0."""
    if den == 0:
        return None
    if num < 0 or den < 0:
        raise ValueError("counts cannot be negative")
    exact = Decimal(num) * 100 / Decimal(den)
    return exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUNDINGS[rounding])


def format_rate(num: int, den: int, digits: int = 1, rounding: str = DEFAULT_ROUNDING) -> str:
    """ "91.5%"; "100%" and "0%" when exact (nothing was cut); "—" with no denominator."""
    value = rate(num, den, digits, rounding)
    if value is None:
        return "—"
    if num == den or num == 0:
        return f"{int(value)}%"
    return f"{value}%"


def relative_change(current: int, baseline: int, digits: int = 1,
                    rounding: str = DEFAULT_ROUNDING) -> Decimal | None:
    """(current − baseline) / baseline in percent, by the same rule as the rates (truncation cuts
    toward zero: a fall of 52.79% shows −52.7 at one digit, −52 at none); None when the baseline
    is zero."""
    if baseline == 0:
        return None
    exact = Decimal(current - baseline) * 100 / Decimal(baseline)
    return exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUNDINGS[rounding])


def quantize(value: Decimal, digits: int, rounding: str = DEFAULT_ROUNDING) -> Decimal:
    """Any other shown figure (a weighted score, an average) by the same rule."""
    return value.quantize(Decimal(1).scaleb(-digits), rounding=ROUNDINGS[rounding])
