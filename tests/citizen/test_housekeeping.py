"""The nightly task drops rate-limit counters of windows long past and keeps the current ones."""

import datetime as dt

import pytest

from fengqiao.citizen.models import RateCounter
from fengqiao.citizen.tasks import prune_rate_counters_nightly
from fengqiao.lib import clock

pytestmark = pytest.mark.django_db


def test_old_counters_go_and_current_ones_stay():
    now = clock.now()
    RateCounter.objects.create(key="ip:old", window_start=now - dt.timedelta(days=3), count=4)
    RateCounter.objects.create(key="ip:now", window_start=now - dt.timedelta(minutes=10), count=1)
    prune_rate_counters_nightly.call_local()
    assert list(RateCounter.objects.values_list("key", flat=True)) == ["ip:now"]
