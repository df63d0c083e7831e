"""The citizen channels' settings, with their defaults. Each is read from django.conf.settings
when the settings module defines it, else straight from the environment (with the same helpers,
which fail loudly on bad values):

| Setting | Default | Meaning |
|---|---|---|
| `FENGQIAO_PUBLIC_COUNTY` | "" | the county code the public report page serves; empty: the only county in the database |
| `FENGQIAO_MAP_TILES` | "" | a Leaflet tile URL template (e.g. an intranet Tianditu mirror); empty: no tiles, the pin map draws the county's village and grid shapes |
| `FENGQIAO_CITIZEN_MAX_PHOTOS` | 6 | photos per report |
| `FENGQIAO_MAX_ATTACHMENT_BYTES` | 10 MB | per photo (the platform-wide attachment limit) |
| `FENGQIAO_CITIZEN_REPORTS_PER_HOUR_PER_IP` | 20 | accepted reports per hour from one address |
| `FENGQIAO_CITIZEN_REPORTS_PER_HOUR_PER_PHONE` | 5 | accepted reports per hour for one phone |
| `FENGQIAO_TRUSTED_PROXIES` | 0 | reverse proxies in front of the platform: the client address is read from X-Forwarded-For that many hops from the right |
"""

from __future__ import annotations

from django.conf import settings

from fengqiao.lib.env import ImproperEnvironment, env_int, env_str


def _int(name: str, default: int) -> int:
    if not hasattr(settings, name):
        return env_int(name, default)
    value = getattr(settings, name)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ImproperEnvironment(f"{name}={value!r} is not an integer") from None


def _str(name: str) -> str:
    value = getattr(settings, name) if hasattr(settings, name) else env_str(name, "")
    return str(value or "").strip()


def public_county_code() -> str:
    return _str("FENGQIAO_PUBLIC_COUNTY")


def map_tiles() -> str:
    return _str("FENGQIAO_MAP_TILES")


def max_photos() -> int:
    return _int("FENGQIAO_CITIZEN_MAX_PHOTOS", 6)


def max_photo_bytes() -> int:
    return _int("FENGQIAO_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)


def reports_per_hour_per_ip() -> int:
    return _int("FENGQIAO_CITIZEN_REPORTS_PER_HOUR_PER_IP", 20)


def reports_per_hour_per_phone() -> int:
    return _int("FENGQIAO_CITIZEN_REPORTS_PER_HOUR_PER_PHONE", 5)


def trusted_proxies() -> int:
    return _int("FENGQIAO_TRUSTED_PROXIES", 0)
