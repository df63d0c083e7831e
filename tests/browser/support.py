"""What every browser test shares: Debian's chromium (never a downloaded browser), its flags, the
marks, and signing in. The `browser` fixture itself is in tests/conftest.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.factories import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# The live server needs committed rows: transactional tests.
MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
    pytest.mark.django_db(transaction=True),
]


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    page.wait_for_url(re.compile(r"/(\?.*)?$"))
