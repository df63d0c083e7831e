"""Sending systems: the command and the admin show the key once, keep only its digest, and the
key works at the feed; a redelivery costs a handful of queries."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from fengqiao.audit.models import AuditEntry
from fengqiao.intake.models import IntakeSystem
from fengqiao.intake.queries import system_for_key

pytestmark = pytest.mark.django_db

TICKET = {"ticket_id": "T-1", "title": "路灯不亮", "category_code": "other", "region_code": "350322103208"}


def test_the_command_prints_a_key_that_works_and_stores_only_its_digest(world, feed):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_intake_system", "仙游县110", "--source", "police_110", "--within", "350322",
                 "--callback-url", "https://110.example.cn/callback", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert re.fullmatch(r"fqi_[A-Za-z0-9_-]{40,}", key)
    system = IntakeSystem.objects.get()
    assert system.source == "police_110" and system.within == world.county
    assert system.callback_url == "https://110.example.cn/callback"
    assert key not in {system.key_digest, system.key_prefix} and system.key_digest == IntakeSystem.digest_of(key)
    assert "shown only this once" in err.getvalue()
    assert system_for_key(key) == system
    assert feed("police_110", TICKET, key=key).status_code == 201
    assert AuditEntry.objects.filter(stream="intake_systems", action="create_intake_system").count() == 1


@pytest.mark.parametrize("args, message", [
    (["x", "--source", "hotline_12345", "--within", "999999"], "no active region"),
    (["x", "--source", "hotline_12345", "--callback-url", "ftp://example.cn/"], "http"),
    (["", "--source", "hotline_12345"], "名称"),
])
def test_the_command_refuses_bad_arguments(world, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_intake_system", *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert not IntakeSystem.objects.exists()


def test_the_command_refuses_an_unknown_source(world):
    with pytest.raises(CommandError):
        call_command("create_intake_system", "x", "--source", "weibo", stdout=io.StringIO(), stderr=io.StringIO())


def test_the_command_refuses_a_second_system_of_the_same_name(world):
    call_command("create_intake_system", "12345", "--source", "hotline_12345", stdout=io.StringIO(),
                 stderr=io.StringIO())
    with pytest.raises(CommandError, match="已有名为"):
        call_command("create_intake_system", "12345", "--source", "hotline_12345", stdout=io.StringIO(),
                     stderr=io.StringIO())


def test_the_admin_creates_a_system_and_shows_its_key_once(admin_client, world, feed):
    r = admin_client.post(reverse("admin:intake_intakesystem_add"), {
        "name": "仙游县网络舆情监测", "source": "online_opinion", "within": world.county.pk,
        "callback_url": "", "active": "on",
    }, follow=True)
    assert r.status_code == 200
    [message] = [str(m) for m in r.context["messages"] if "fqi_" in str(m)]
    key = re.search(r"fqi_[A-Za-z0-9_-]+", message).group(0)
    system = IntakeSystem.objects.get()
    assert system.source == "online_opinion" and system.key_digest == IntakeSystem.digest_of(key)
    page = admin_client.get(reverse("admin:intake_intakesystem_change", args=[system.pk])).content.decode()
    assert key not in page and system.key_prefix in page
    assert feed("online_opinion", TICKET, key=key).status_code == 201
    assert admin_client.get(reverse("admin:intake_intakesystem_delete", args=[system.pk])).status_code == 403


def test_rotating_a_key_in_the_admin_shows_the_new_key_and_retires_the_old(admin_client, hotline, feed):
    r = admin_client.post(reverse("admin:intake_intakesystem_changelist"),
                          {"action": "rotate_keys", "_selected_action": [hotline.pk]}, follow=True)
    [message] = [str(m) for m in r.context["messages"] if "fqi_" in str(m)]
    new_key = re.search(r"fqi_[A-Za-z0-9_-]+", message).group(0)
    assert feed("hotline_12345", TICKET, key=hotline.key).status_code == 401
    assert feed("hotline_12345", TICKET, key=new_key).status_code == 201


def test_tickets_are_listed_read_only_in_the_admin(admin_client, hotline, feed):
    feed("hotline_12345", TICKET, key=hotline.key)
    r = admin_client.get(reverse("admin:intake_externalticket_changelist"))
    assert r.status_code == 200 and "T-1" in r.content.decode()
    assert admin_client.get(reverse("admin:intake_externalticket_add")).status_code == 403


def test_a_redelivery_costs_three_queries(world, hotline, feed, django_assert_max_num_queries):
    feed("hotline_12345", TICKET, key=hotline.key)
    with django_assert_max_num_queries(3):  # the key, the ticket with its event, the delivery count
        assert feed("hotline_12345", TICKET, key=hotline.key).status_code == 200


def test_the_feed_is_in_the_openapi_document(client):
    r = client.get("/api/v1/openapi.json")
    op = r.json()["paths"]["/api/v1/intake/{source}"]["post"]
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    assert "ticket_id" in schema["required"] and "address" in schema["properties"]
    assert {"201", "200", "401", "403", "413"} <= set(op["responses"])
