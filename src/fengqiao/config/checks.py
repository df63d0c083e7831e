"""System checks for what must hold in every deployment."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1", "testserver"}


@register(Tags.security, deploy=False)
def check_secret_key(app_configs, **kwargs):
    from fengqiao.config.settings import _DEV_SECRET

    public = [h for h in settings.ALLOWED_HOSTS if h not in LOCAL_HOSTS]
    if settings.SECRET_KEY == _DEV_SECRET and public:
        return [Error(
            "SECRET_KEY is the development default but ALLOWED_HOSTS serves "
            f"{', '.join(public)}. Set SECRET_KEY (and FENGQIAO_DATA_KEY) in the environment.",
            id="fengqiao.E001",
        )]
    if settings.SECRET_KEY == _DEV_SECRET:
        return [Warning("SECRET_KEY is the development default (fine for the local demo).", id="fengqiao.W001")]
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
