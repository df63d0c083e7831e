"""System checks for what must hold in every deployment."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1", "testserver"}


DEV_SECRET_NOTICE = "SECRET_KEY is the development default (fine for the local demo)."


def uses_development_secret() -> bool:
    from fengqiao.config.settings import _DEV_SECRET

    return bool(settings.SECRET_KEY == _DEV_SECRET)


@register(Tags.security)
def check_secret_key(app_configs, **kwargs):
    """The development key serving a public host is an error on every command. On 127.0.0.1 it is
    fine: `fengqiao serve` says so once when it starts, and `check --deploy` lists it (W001) —
    not every command, the Huey child and the demo's report each time."""
    public = [h for h in settings.ALLOWED_HOSTS if h not in LOCAL_HOSTS]
    if uses_development_secret() and public:
        return [Error(
            "SECRET_KEY is the development default but ALLOWED_HOSTS serves "
            f"{', '.join(public)}. Set SECRET_KEY (and FENGQIAO_DATA_KEY) in the environment.",
            id="fengqiao.E001",
        )]
    return []


@register(Tags.security, deploy=True)
def check_secret_key_for_deployment(app_configs, **kwargs):
    if uses_development_secret():
        return [Warning(DEV_SECRET_NOTICE, id="fengqiao.W001")]
    return []


@register()
def check_time_storage(app_configs, **kwargs):
    errors = []
    if not settings.USE_TZ:
        errors.append(Error("USE_TZ must be True: times are stored in UTC.", id="fengqiao.E002"))
    return errors


@register()
def check_sms_backend(app_configs, **kwargs):
    """A wrong FENGQIAO_SMS_BACKEND or missing provider keys is reported at start-up, not found
    later as texts that never leave the outbox."""
    from fengqiao.notify.backends import DeliveryError, get_backend

    try:
        get_backend()
    except DeliveryError as exc:
        return [Error(f"text messages cannot be sent: {exc}", id="fengqiao.E003")]
    return []


@register(Tags.security)
def check_data_keys(app_configs, **kwargs):
    """The encryption key and the blind-index key of personal data: both set, and not the same,
    when the platform serves more than this machine (FENGQIAO_PRODUCTION or a public host)."""
    data, index = settings.FENGQIAO_DATA_KEY, settings.FENGQIAO_BLIND_INDEX_KEY
    public = [h for h in settings.ALLOWED_HOSTS if h not in LOCAL_HOSTS]
    production = getattr(settings, "FENGQIAO_PRODUCTION", False) or bool(public)
    if data and index and data == index:
        problem = "FENGQIAO_DATA_KEY and FENGQIAO_BLIND_INDEX_KEY are the same; give each a key of its own."
        return [Error(problem, id="fengqiao.E004") if production else Warning(problem, id="fengqiao.W004")]
    missing = [name for name, value in (("FENGQIAO_DATA_KEY", data), ("FENGQIAO_BLIND_INDEX_KEY", index))
               if not value]
    if missing and production:
        return [Error(
            f"{' and '.join(missing)} not set: personal data would be protected by keys derived from "
            "SECRET_KEY. Set both (different) in the environment; see `fengqiao rotate_keys` to move "
            "existing data to them.", id="fengqiao.E005")]
    return []
