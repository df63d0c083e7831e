"""The citizen channels' settings, with their defaults (all read from django.conf.settings, which
reads them from the environment):

| Setting | Default | Meaning |
|---|---|---|
| `FENGQIAO_PUBLIC_COUNTY` | "" | the county code the public report page serves; empty: the only county in the database |
| `FENGQIAO_MAP_TILES` | "" | a Leaflet tile URL template (e.g. an intranet Tianditu mirror); empty: no tiles, the pin map draws the county's village and grid shapes |
| `FENGQIAO_CITIZEN_MAX_PHOTOS` | 6 | photos per report |
| `FENGQIAO_MAX_ATTACHMENT_BYTES` | 10 MB | per photo (the platform-wide attachment limit) |
| `FENGQIAO_CITIZEN_REPORTS_PER_HOUR_PER_IP` | 20 | accepted reports per hour from one address |
| `FENGQIAO_CITIZEN_REPORTS_PER_HOUR_PER_PHONE` | 5 | accepted reports per hour for one phone |
"""

from __future__ import annotations

from django.conf import settings


def _int(name: str, default: int) -> int:
    value = getattr(settings, name, default)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None


def public_county_code() -> str:
    return str(getattr(settings, "FENGQIAO_PUBLIC_COUNTY", "") or "").strip()


def map_tiles() -> str:
    return str(getattr(settings, "FENGQIAO_MAP_TILES", "") or "").strip()


def max_photos() -> int:
    return _int("FENGQIAO_CITIZEN_MAX_PHOTOS", 6)


def max_photo_bytes() -> int:
    return _int("FENGQIAO_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)


def reports_per_hour_per_ip() -> int:
    return _int("FENGQIAO_CITIZEN_REPORTS_PER_HOUR_PER_IP", 20)


def reports_per_hour_per_phone() -> int:
    return _int("FENGQIAO_CITIZEN_REPORTS_PER_HOUR_PER_PHONE", 5)
