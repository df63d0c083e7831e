"""W3C dates in and out, and documents no stored text can break."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET

import pytest

from fengqiao.open311.formats import Many, parse_w3c, to_json, to_xml, w3c

UTC = dt.UTC


@pytest.mark.parametrize("raw, expected", [
    ("2026-11-22T09:30:00+08:00", dt.datetime(2026, 11, 22, 1, 30, tzinfo=UTC)),
    ("2026-11-22T01:30:00Z", dt.datetime(2026, 11, 22, 1, 30, tzinfo=UTC)),
    ("2026-11-22T01:30Z", dt.datetime(2026, 11, 22, 1, 30, tzinfo=UTC)),
    ("2026-11-22T01:30:00.250-05:00", dt.datetime(2026, 11, 22, 6, 30, 0, 250000, tzinfo=UTC)),
    ("2026-11-22T09:30:00 08:00", dt.datetime(2026, 11, 22, 1, 30, tzinfo=UTC)),  # "+" lost in a query
    ("2026-11-22", dt.datetime(2026, 11, 21, 16, 0, tzinfo=UTC)),  # local midnight
])
def test_w3c_dates_are_read_with_their_zone(raw, expected):
    assert parse_w3c(raw) == expected


@pytest.mark.parametrize("raw", ["", "2026-11-22T09:30:00", "22/11/2026", "2026-02-30", "2026-11-22T25:00Z",
                                 "2026-11-22T09:30:00+0800", "now"])
def test_anything_else_is_not_a_w3c_date(raw):
    with pytest.raises(ValueError):
        parse_w3c(raw)


def test_dates_go_out_in_local_time_with_the_offset():
    assert w3c(dt.datetime(2026, 11, 22, 1, 30, 15, 999, tzinfo=UTC)) == "2026-11-22T09:30:15+08:00"


def test_xml_and_json_carry_the_same_shape():
    body = Many("item", [{"name": "a & <b>", "flag": True, "none": None, "n": 3,
                          "list": Many("v", ["x", "y"])}])
    root = ET.fromstring(to_xml("items", body))
    (item,) = root.findall("item")
    assert item.findtext("name") == "a & <b>" and item.findtext("flag") == "true"
    assert item.findtext("none") == "" and [v.text for v in item.findall("list/v")] == ["x", "y"]
    assert json.loads(to_json(body)) == [{"name": "a & <b>", "flag": True, "none": None, "n": 3, "list": ["x", "y"]}]


def test_characters_xml_cannot_carry_are_dropped_from_both():
    body = {"text": "a\x00b\x08c\x1fd\ufffe\tok\n"}
    assert ET.fromstring(to_xml("doc", body)).findtext("text") == "abcd\tok\n"
    assert json.loads(to_json(body)) == {"text": "abcd\tok\n"}
