"""System checks stop a deployment that could not work."""

from django.core.checks import run_checks


def _ids(errors):
    return {e.id for e in errors}


def test_a_misconfigured_sms_provider_is_an_error(settings):
    settings.FENGQIAO_SMS_BACKEND = "aliyun"
    settings.FENGQIAO_ALIYUN_ACCESS_KEY_ID = ""
    assert "fengqiao.E003" in _ids(run_checks())
    settings.FENGQIAO_SMS_BACKEND = "pigeon"
    assert "fengqiao.E003" in _ids(run_checks())
    settings.FENGQIAO_SMS_BACKEND = "console"
    assert "fengqiao.E003" not in _ids(run_checks())


def test_the_development_secret_key_cannot_serve_a_public_host(settings):
    from fengqiao.config.settings import _DEV_SECRET

    settings.SECRET_KEY = _DEV_SECRET
    settings.ALLOWED_HOSTS = ["fengqiao.xianyou.gov.cn"]
    assert "fengqiao.E001" in _ids(run_checks())
    settings.SECRET_KEY = "a-real-secret-" + "x" * 40
    assert "fengqiao.E001" not in _ids(run_checks())
