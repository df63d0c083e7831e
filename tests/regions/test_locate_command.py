"""fengqiao locate: addresses on stdin, JSON lines on stdout."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.regions.test_locate import YANGBAN, tree  # noqa: F401  (the fixture)


def run(monkeypatch, lines: list[str], *args: str) -> list[dict]:
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(line + "\n" for line in lines)))
    out, err = io.StringIO(), io.StringIO()
    call_command("locate", *args, stdout=out, stderr=err)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_one_json_object_per_line_in_order(tree, monkeypatch):  # noqa: F811
    rows = run(monkeypatch, ["仙游县度尾镇洋坂村3组12号", "", "仙游县新村村", "浙江金华永康西城街道"])
    assert len(rows) == 4
    assert [r["address"] for r in rows] == ["仙游县度尾镇洋坂村3组12号", "", "仙游县新村村", "浙江金华永康西城街道"]
    assert all(list(r) == ["address", "code", "level", "name", "candidates", "score"] for r in rows)
    assert (rows[0]["code"], rows[0]["level"], rows[0]["name"]) == (YANGBAN, "village", "洋坂村")
    assert rows[1]["code"] is None and rows[1]["candidates"] == []
    assert rows[2]["code"] is None and len(rows[2]["candidates"]) == 2  # ambiguous: no guess
    assert (rows[3]["code"], rows[3]["level"]) == ("330784002", "town")


def test_within(tree, monkeypatch):  # noqa: F811
    rows = run(monkeypatch, ["洋坂村", "新村村"], "--within", "350322103")
    assert [r["code"] for r in rows] == [YANGBAN, "350322103210"]


def test_unknown_within_is_an_error(tree, monkeypatch):  # noqa: F811
    with pytest.raises(CommandError, match="999999"):
        run(monkeypatch, ["洋坂村"], "--within", "999999")


def test_a_bad_line_is_reported_and_the_rest_goes_on(tree, monkeypatch):  # noqa: F811
    rows = run(monkeypatch, ["仙游" * 400, "仙游县度尾镇洋坂村"])
    assert rows[0]["code"] is None and "error" in rows[0]
    assert rows[1]["code"] == YANGBAN
