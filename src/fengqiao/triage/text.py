"""Text features shared by the category suggester and the duplicate search.

Chinese has no spaces, so both work on characters: the text is cut at anything that is not a Han
character or a Latin letter (digits go too — amounts and house numbers differ between channels),
and each run gives its single characters and its character bigrams.
"""

from __future__ import annotations

import re

_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fffA-Za-z]+")


def runs(text: str) -> list[str]:
    return _RUNS.findall((text or "").lower())


def ngrams(text: str) -> list[str]:
    """Unigrams and bigrams of every run (the classifier's features), in order, with repeats."""
    out: list[str] = []
    for run in runs(text):
        out.extend(run)
        out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return out


_RUNS_AND_NUMBERS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fffA-Za-z]+|[0-9]+")


def bigrams_and_numbers(text: str) -> list[str]:
    """Bigrams, plus each number as a token of its own ("#3"): the duplicate search tells
    "3组" from "5组" and an amount from another, which the classifier must not care about."""
    out: list[str] = []
    for run in _RUNS_AND_NUMBERS.findall((text or "").lower().replace(",", "").replace(",", "")):
        if run.isdigit():
            out.append("#" + run.lstrip("0")[:12])
        elif len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return out


def event_text(title: str, description: str) -> str:
    return f"{title or ''}。{description or ''}"
