"""`{% map_text %}`: the texts every map's legend and notes show (static/fengqiao/maps.js reads
them from a JSON script element, so the map speaks the page's language without inline script)."""

from __future__ import annotations

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString
from django.utils.translation import pgettext

register = template.Library()


def texts() -> dict[str, str]:
    return {
        "Legend": pgettext("map", "Legend"),
        "County boundary": pgettext("map", "County boundary"),
        "Town": pgettext("map", "Town"),
        "Village": pgettext("map", "Village"),
        "Event overdue": pgettext("map", "Event overdue"),
        "Event being handled": pgettext("map", "Event being handled"),
        "Event resolved": pgettext("map", "Event resolved"),
        "Zoom in to a village to see the events as points.":
            pgettext("map", "Zoom in to a village to see the events as points."),
        "Showing the newest %n of %t events here; zoom in for the rest.":
            pgettext("map", "Showing the newest %n of %t events here; zoom in for the rest."),
        "%n events in view.": pgettext("map", "%n events in view."),
        "Village and grid cells: schematic, not surveyed boundaries":
            pgettext("map", "Village and grid cells: schematic, not surveyed boundaries"),
        "worse": pgettext("map", "worse"),
        "better": pgettext("map", "better"),
        "no figure": pgettext("map", "no figure"),
        "Your pin": pgettext("map", "Your pin"),
        "Visit": pgettext("map", "Visit"),
        "Visit outside the grid": pgettext("map", "Visit outside the grid"),
        "Patrol route": pgettext("map", "Patrol route"),
        "Grid": pgettext("map", "Grid"),
    }


@register.simple_tag
def map_text() -> SafeString:
    return json_script(texts(), "fq-map-text")
