"""The admin's rules for the grid network, read once per call (one primary-key query)."""

from __future__ import annotations

from fengqiao.grid.models import GridSettings


def current_settings() -> GridSettings:
    row = GridSettings.objects.filter(pk=1).first()
    return row if row is not None else GridSettings(pk=1)
