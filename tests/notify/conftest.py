"""Fixtures for the outbox tests: started provider fakes wired into settings, a text factory,
Huey in immediate mode, and the skip for PostgreSQL-only tests."""

from __future__ import annotations

import pytest
from django.db import connection

from fengqiao.notify.fakes import FakeAliyunSms, FakeTencentSms, FakeWebhookReceiver


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres_only") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row-level concurrency); run with DATABASE_URL=postgres://…")


@pytest.fixture
def aliyun(settings):
    with FakeAliyunSms(access_key_id="LTAI5tTestKeyId", access_key_secret="aliyun-test-secret",
                       sign_names={"枫桥平台"}, template_codes={"SMS_465000001", "SMS_465000002"}) as fake:
        settings.FENGQIAO_SMS_BACKEND = "aliyun"
        settings.FENGQIAO_SMS_SIGN_NAME = "枫桥平台"
        settings.FENGQIAO_ALIYUN_ACCESS_KEY_ID = fake.access_key_id
        settings.FENGQIAO_ALIYUN_ACCESS_KEY_SECRET = fake.access_key_secret
        settings.FENGQIAO_ALIYUN_ENDPOINT = fake.url
        settings.FENGQIAO_ALIYUN_TEMPLATE_CODE = "SMS_465000001"
        settings.FENGQIAO_ALIYUN_TEMPLATE_CODES = ""
        settings.FENGQIAO_SMS_TIMEOUT = 5
        yield fake


@pytest.fixture
def tencent(settings):
    with FakeTencentSms(secret_id="AKIDTestSecretId0001", secret_key="tencent-test-key",
                        sdk_app_id="1400123456", sign_names={"枫桥平台"},
                        template_ids={"2100001", "2100002"}) as fake:
        settings.FENGQIAO_SMS_BACKEND = "tencent"
        settings.FENGQIAO_SMS_SIGN_NAME = "枫桥平台"
        settings.FENGQIAO_TENCENT_SECRET_ID = fake.secret_id
        settings.FENGQIAO_TENCENT_SECRET_KEY = fake.secret_key
        settings.FENGQIAO_TENCENT_SDK_APP_ID = fake.sdk_app_id
        settings.FENGQIAO_TENCENT_ENDPOINT = fake.url
        settings.FENGQIAO_TENCENT_TEMPLATE_ID = "2100001"
        settings.FENGQIAO_TENCENT_TEMPLATE_IDS = ""
        settings.FENGQIAO_SMS_TIMEOUT = 5
        yield fake


@pytest.fixture
def receiver(settings):
    settings.FENGQIAO_WEBHOOK_SECRET = "whsec-test-0123456789"
    settings.FENGQIAO_SMS_TIMEOUT = 5
    with FakeWebhookReceiver(secret=settings.FENGQIAO_WEBHOOK_SECRET) as fake:
        yield fake
