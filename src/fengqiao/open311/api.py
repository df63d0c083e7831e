"""Open311 GeoReport over JSON."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["open311"])
