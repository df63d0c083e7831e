"""`fengqiao demo`: a small run (300 events) built once for the module, then inspected."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.utils import timezone

from fengqiao.audit import chain as audit
from fengqiao.audit.models import AuditEntry
from fengqiao.demo import stories
from fengqiao.demo.builder import reset_database
from fengqiao.demo.names import id_check_digit
from fengqiao.demo.people import DEMO_PASSWORD, DEMO_VILLAGE, LOGIN_USERNAMES
from fengqiao.demo.places import load_county
from fengqiao.events.models import (
    Category,
    DeadlinePolicy,
    Event,
    ExtensionRequest,
    Party,
    Satisfaction,
    Status,
)
from fengqiao.events.scope import visible_events
from fengqiao.notify.models import OutboxMessage
from fengqiao.people.models import Person, Post, Role
from fengqiao.regions.models import Region

EVENTS = 300


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Run the command once for the whole module; wipe the database afterwards."""
    with django_db_blocker.unblock():
        out, err = io.StringIO(), io.StringIO()
        call_command("demo", "--events", str(EVENTS), "--seed", "7", "--no-progress",
                     stdout=out, stderr=err)
        # The whole report, the extras' keys and tracking codes included, on stdout.
        yield out.getvalue()
        reset_database()


def year_events():
    """The year's events (stories.py), without what came through the intake door afterwards
    (extras.py: fed tickets, citizens' reports, this morning's triage cases)."""
    return Event.objects.exclude(pk__in=AuditEntry.objects.filter(action="intake").values("event_id"))


pytestmark = pytest.mark.django_db


def test_demo_loads_xianyou_with_grids_and_reports_it(demo):
    assert Region.objects.filter(level="town", county__code="350322").count() == 18
    assert Region.objects.filter(level="village", county__code="350322").count() == 327
    per_village = Counter(Region.objects.filter(level="grid").values_list("village__code", flat=True))
    assert len(per_village) == 327
    assert set(per_village.values()) <= {2, 3, 4}
    assert Region.objects.get(code="350322103208G01").name == "洋坂村第一网格"
    assert "demo ready" in demo
    assert year_events().count() == EVENTS
    assert f"events: {Event.objects.count()}" in demo
    actions_line = next(line for line in demo.splitlines() if line.startswith("actions: "))
    assert "intake " in actions_line and "confirm_village_category " in actions_line
    assert "extras " in next(line for line in demo.splitlines() if line.startswith("time: "))


def test_every_grid_village_and_town_has_an_outline_and_events_lie_inside_theirs(demo):
    from fengqiao.regions import geo
    from fengqiao.regions.models import RegionShape

    shapes = Counter(RegionShape.objects.values_list("level", flat=True))
    grids = Region.objects.filter(level="grid").count()
    assert shapes == {"grid": grids, "village": 327, "town": 18, "county": 1}
    geo.invalidate()
    located = Event.objects.exclude(latitude=None).select_related("region")[:60]
    assert len(located) == 60
    found = geo.region_ids_at([(e.latitude, e.longitude) for e in located])
    for event, region_id in zip(located, found, strict=True):
        # The point lies in the event's grid, or in one of its village's grids.
        region = Region.objects.get(pk=region_id)
        assert region.village_id == (event.village_id or region.village_id)
        if event.grid_id:
            assert region_id == event.grid_id


def test_every_village_has_its_three_and_every_grid_its_head_and_worker():
    for role in (Role.VILLAGE_LIAISON, Role.PARTY_SECRETARY, Role.COMMUNITY_POLICE):
        assert Post.objects.filter(role=role, region__level="village").values("region").distinct().count() == 327
    grids = Region.objects.filter(level="grid").count()
    for role in (Role.GRID_HEAD, Role.GRID_WORKER):
        assert Post.objects.filter(role=role, region__level="grid").count() == grids
    # One duty cadre per town, one duty operator for the county.
    duty = Counter(Post.objects.filter(role=Role.TOWN_CADRE, on_duty=True).values_list("region", flat=True))
    assert len(duty) == 18 and set(duty.values()) == {1}
    assert Post.objects.filter(role=Role.OPERATOR, on_duty=True, region__level="county").count() == 1


def test_demo_produces_every_state():
    statuses = Counter(year_events().values_list("status", flat=True))
    assert sum(statuses.values()) == EVENTS
    assert set(statuses) == set(Status.values)
    assert statuses[Status.CLOSED] > EVENTS * 0.75


def test_demo_plays_every_kind_of_step_through_the_actions():
    actions = set(AuditEntry.objects.values_list("action", flat=True).distinct())
    assert {
        "register", "dispatch", "acknowledge", "resolve", "call_back", "close", "refuse", "merge",
        "return", "escalate", "add_assignee", "request_extension", "approve_extension",
        "reject_extension", "urge", "supervise", "flag_risk", "comment", "call",
        "deadline_warning", "overdue",
    } <= actions
    # Every event's record starts with its registration, at the moment it was registered (other
    # workflows' streams — a hazard's, say — may name the event their rows belong to as well).
    first = AuditEntry.objects.filter(seq=1, event__isnull=False, stream__startswith="event:")
    first = first.select_related("event")
    assert first.count() == Event.objects.count()
    assert all(a.action == "register" and a.created_at == a.event.created_at for a in first)


def test_the_audit_record_verifies():
    assert audit.verify() is None


def test_events_spread_over_the_past_year_with_weekday_pattern():
    now = timezone.now()
    created = list(Event.objects.values_list("created_at", flat=True))
    assert min(created) > now - dt.timedelta(days=366)
    assert max(created) < now
    months = {timezone.localtime(c).strftime("%Y-%m") for c in created}
    assert len(months) >= 10
    weekdays = Counter(timezone.localtime(c).weekday() for c in created)
    assert weekdays[6] < weekdays[1]  # fewer on Sundays than on Tuesdays


def test_disputes_are_the_biggest_category_and_grid_the_biggest_source():
    tops = Counter(
        (parent or code).split(".")[0]
        for code, parent in Event.objects.values_list("category__code", "category__parent__code")
    )
    assert tops.most_common(1)[0][0] == "dispute"
    sources = Counter(Event.objects.values_list("source", flat=True))
    assert sources.most_common(1)[0][0] == "grid"
    assert len(sources) >= 8


def test_escalated_events_reach_the_county_and_a_department():
    county_tier = Event.objects.filter(tier="county", escalation_count=2)
    assert county_tier.exists()
    assert county_tier.exclude(department=None).count() == county_tier.count()
    assert Event.objects.filter(tier="town", escalation_count=1).exists()


def test_extensions_supervision_risk_and_rework_are_all_there():
    states = set(ExtensionRequest.objects.values_list("state", flat=True))
    assert {ExtensionRequest.State.APPROVED, ExtensionRequest.State.REJECTED} <= states
    assert {"normal", "yellow", "red"} <= set(Event.objects.values_list("supervision", flat=True))
    assert Event.objects.filter(high_risk=True).exists()
    assert Event.objects.filter(reopen_count__gt=0, status=Status.CLOSED).exists()
    assert AuditEntry.objects.filter(action="comment", details__kind="consultation").exists()


def test_some_events_are_overdue_open_and_some_were_resolved_late():
    now = timezone.now()
    assert Event.objects.filter(status__in=[Status.DISPATCHED, Status.IN_PROGRESS], deadline__lt=now).exists()
    assert Event.objects.filter(resolved_late=True).exists()


def test_nearly_every_call_back_is_satisfied():
    closed = Event.objects.filter(status=Status.CLOSED)
    happy = closed.filter(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED]).count()
    assert happy == closed.count()  # closing needs a satisfied call-back
    dissatisfied = AuditEntry.objects.filter(action="call_back", details__satisfaction="dissatisfied").count()
    all_call_backs = AuditEntry.objects.filter(action="call_back").count()
    assert 0 < dissatisfied <= all_call_backs * 0.05


def test_parties_have_phones_and_valid_id_numbers():
    parties = list(Party.objects.all())
    assert parties
    with_id = [p for p in parties if p.id_number]
    assert with_id
    assert all(len(p.id_number) == 18 and id_check_digit(p.id_number[:17]) == p.id_number[17] for p in with_id)
    assert all(p.phone[0] == "1" and len(p.phone) == 11 for p in parties if p.phone)


def test_texts_went_to_the_outbox_at_the_historic_moment():
    oldest = OutboxMessage.objects.order_by("created_at").first()
    assert oldest is not None
    assert oldest.created_at < timezone.now() - dt.timedelta(days=300)


def test_each_role_login_can_sign_in(client):
    assert {role for role, _u in LOGIN_USERNAMES} == set(Role.values)
    for role, username in LOGIN_USERNAMES:
        assert client.login(username=username, password=DEMO_PASSWORD), username
        person = Person.objects.get(user__username=username)
        assert person.posts.filter(role=role).exists()
        response = client.get("/api/v1/me/worklist")
        assert response.status_code == 200, (username, response.content[:200])
        client.logout()


def test_admin_login_is_a_superuser_with_staff_access():
    admin = Person.objects.get(user__username="admin").user
    assert admin.is_superuser and admin.is_staff


def test_secretary_sees_only_their_village(client):
    secretary = Person.objects.get(user__username="secretary")
    assert secretary.posts.get().region.code == DEMO_VILLAGE
    mine = visible_events(secretary.user)
    assert mine.exists()
    assert set(mine.values_list("village__code", flat=True)) == {DEMO_VILLAGE}
    client.login(username="secretary", password=DEMO_PASSWORD)
    items = client.get("/api/v1/events", {"page_size": 200}).json()["items"]
    assert items and all(item["region"]["code"].startswith(DEMO_VILLAGE) for item in items)


def test_the_secretary_village_is_one_of_the_busiest():
    per_village = (
        Event.objects.exclude(village=None).values("village__code").annotate(n=Count("id")).order_by("-n")
    )
    ranking = [row["village__code"] for row in per_village]
    assert DEMO_VILLAGE in ranking[:15]


def test_town_cadre_login_belongs_to_duwei_town():
    cadre = Person.objects.get(user__username="towncadre")
    post = cadre.posts.get()
    assert post.region.name == "度尾镇" and post.on_duty


def test_rerunning_without_reset_refuses():
    before = Event.objects.count()
    with pytest.raises(CommandError, match="--reset"):
        call_command("demo", "--events", "5", "--no-progress", stdout=io.StringIO(), stderr=io.StringIO())
    assert Event.objects.count() == before


def test_bad_event_count_is_a_clear_error():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("demo", "--events", "0", "--reset", stdout=io.StringIO(), stderr=io.StringIO())
    assert year_events().count() == EVENTS  # nothing was wiped


def test_plans_are_deterministic_for_a_seed():
    county = load_county()
    as_of = timezone.now().replace(second=0, microsecond=0)

    def key(plans):
        return [(p.created_at, p.scenario, p.category, p.source, p.village.code, p.title, sorted(p.flags))
                for p in plans]

    first = stories.plan_events(n=80, seed=11, county=county, as_of=as_of)
    again = stories.plan_events(n=80, seed=11, county=county, as_of=as_of)
    other = stories.plan_events(n=80, seed=12, county=county, as_of=as_of)
    assert key(first) == key(again)
    assert key(first) != key(other)


def test_categories_and_deadline_policies_survive_the_demo():
    assert Category.objects.filter(code="dispute.wages").exists()
    assert DeadlinePolicy.objects.exists()


def test_the_years_texts_are_not_left_for_the_first_serve_to_send():
    import datetime as dt

    from django.utils import timezone

    from fengqiao.demo.builder import mark_history_delivered
    from fengqiao.notify.models import OutboxMessage

    now = timezone.now()
    for minutes in (600, 5):
        OutboxMessage.objects.create(
            idempotency_key=f"k{minutes}", recipient="13900000000", template="urged", body="x",
            next_attempt_at=now - dt.timedelta(minutes=minutes), created_at=now - dt.timedelta(minutes=minutes),
        )
    pending_before = OutboxMessage.objects.filter(state="pending").exclude(idempotency_key__in=["k5", "k600"])
    stale = pending_before.filter(created_at__lt=now - dt.timedelta(hours=1)).count()
    assert mark_history_delivered(as_of=now) == 1 + stale
    mine = OutboxMessage.objects.filter(state="pending", idempotency_key__in=["k5", "k600"])
    assert mine.get().idempotency_key == "k5"


# ------------------------------------------------------------------------------------ extras


def test_sending_systems_exist_and_their_keys_were_printed_once(demo, client):
    from fengqiao.intake.models import IntakeSystem

    systems = {s.source: s for s in IntakeSystem.objects.exclude(source="citizen")}
    assert set(systems) == {"hotline_12345", "police_110", "online_opinion"}
    assert IntakeSystem.objects.filter(source="citizen", name__contains="Open311").exists()
    keys = re.findall(r"\((hotline_12345|police_110|online_opinion)\): (fqi_\S+)", demo)
    assert {s for s, _k in keys} == set(systems)
    for source, key in keys:
        assert IntakeSystem.digest_of(key) == systems[source].key_digest
    # The printed key works at the door: a redelivery of a fed ticket is answered with its event.
    from fengqiao.intake.models import ExternalTicket

    ticket = ExternalTicket.objects.filter(system=systems["hotline_12345"]).select_related("event").first()
    key = dict(keys)["hotline_12345"]
    response = client.post("/api/v1/intake/hotline_12345", {"ticket_id": ticket.external_id, "title": "x",
                                                             "address": "仙游县度尾镇"},
                           content_type="application/json", HTTP_X_API_KEY=key)
    assert response.status_code == 200, response.content[:300]
    assert ticket.event.code in response.content.decode()


def test_fed_events_carry_the_senders_tickets_and_were_played_on():
    from fengqiao.intake.models import ExternalTicket

    tickets = ExternalTicket.objects.exclude(system=None).select_related("event", "system")
    fed = [t for t in tickets if not t.external_id.endswith(tuple(f"{n:03d}" for n in range(901, 910)))]
    assert len(fed) >= 12
    assert all(t.event.source == t.system.source for t in tickets)
    assert all(t.received_at == t.event.created_at for t in tickets)
    now = timezone.now()
    assert min(t.event.created_at for t in fed) > now - dt.timedelta(days=61)
    # Their stories went on like the year's: most are closed, some still open.
    statuses = Counter(t.event.status for t in fed)
    assert statuses[Status.CLOSED] >= len(fed) // 3
    assert AuditEntry.objects.filter(action="intake", details__routed_by="address").exists()


def test_open311_requests_became_events_of_their_services():
    from fengqiao.open311.models import ServiceRequest

    requests = list(ServiceRequest.objects.select_related("event__category", "service__category"))
    assert len(requests) == 2
    assert all(r.event.category == r.service.category and r.event.village_id for r in requests)
    fire = next(r for r in requests if r.service.code == "hazard.fire")
    assert fire.attributes == {"HAZARD_KIND": "ebike_indoor"}


def test_triage_queue_holds_this_mornings_cases():
    from fengqiao.triage.models import TriageItem, TwinFlag

    open_items = TriageItem.objects.filter(closed_at__isnull=True).select_related("event")
    reasons = Counter(r for item in open_items for r in item.reasons)
    assert reasons["unrouted"] >= 2  # no village found, and only a town
    assert reasons["ambiguous_address"] >= 1
    assert reasons["duplicate"] >= 2
    ambiguous = next(i for i in open_items if i.ambiguous_address)
    assert {c["code"] for c in ambiguous.region_candidates} >= {"350322200204", "350322202214"}  # 两个半岭村
    # The same matter from 12345, a grid worker and 110: flagged as twins across channels.
    flags = TwinFlag.objects.filter(state=TwinFlag.State.OPEN).select_related("item__event", "twin")
    pairs = {frozenset((f.item.event.source, f.twin.source)) for f in flags}
    assert frozenset(("police_110", "hotline_12345")) in pairs
    assert frozenset(("police_110", "grid")) in pairs or frozenset(("grid", "hotline_12345")) in pairs


def test_citizen_tracking_codes_open_their_pages_and_one_was_rated(demo, client):
    from fengqiao.citizen.models import CitizenRating, CitizenReport

    codes = dict(re.findall(r"citizen report (.+?): /track/(\S+)/", demo))
    assert "rated satisfied and closed" in codes
    assert any(state.startswith("resolved") for state in codes)
    for code in codes.values():
        response = client.get(f"/track/{code}/")
        assert response.status_code == 200
    rating = CitizenRating.objects.get()
    assert rating.satisfaction == "satisfied"
    assert rating.report.event.status == Status.CLOSED
    assert CitizenReport.objects.count() >= 5
    assert client.get("/track/2222-3333-4444-5555-6666/").status_code == 404  # a code nobody was given


def test_classifier_was_trained_on_the_years_events():
    from fengqiao.triage.classify import suggest_categories
    from fengqiao.triage.models import ClassifierModel

    model = ClassifierModel.objects.get()
    assert model.trained_on >= EVENTS * 0.9
    assert model.categories >= 10
    top = suggest_categories("老板拖欠工人工资三个月,多次讨要未果", limit=3)
    assert top and top[0][0].code.startswith("dispute")


def test_campaign_numbers_match_a_plain_count_of_its_events():
    from fengqiao.command import queries as cq
    from fengqiao.command.models import Campaign

    admin = Person.objects.get(user__username="admin").user
    campaign = Campaign.objects.get(name__contains="百日攻坚")
    assert campaign.category.code == "dispute"
    assert (campaign.end - campaign.start).days == 99
    m = cq.measures_for(user=admin, region=None, campaign=campaign)
    local_day = lambda e: timezone.localtime(e.created_at).date()  # noqa: E731
    cohort = [e for e in Event.objects.filter(category__code__startswith="dispute")
              if campaign.start <= local_day(e) <= campaign.end]
    assert m.count("registered") == len(cohort) > 0
    assert m.count("resolved") == sum(e.status in {Status.RESOLVED, Status.CLOSED} for e in cohort)
    assert Campaign.objects.count() == 2


def test_campaign_and_category_pages_show_the_extras(client):
    from fengqiao.command.models import Campaign

    campaign = Campaign.objects.get(name__contains="百日攻坚")
    client.login(username="operator", password=DEMO_PASSWORD)
    page = client.get(f"/command/campaigns/{campaign.pk}/")
    assert page.status_code == 200 and "百日攻坚" in page.content.decode()
    page = client.get("/supervision/categories/")
    assert page.status_code == 200
    lagging = Region.objects.filter(village_category="lagging").first()
    assert lagging is not None and lagging.name in page.content.decode()


def test_rollups_equal_a_plain_recount_after_the_demo():
    from fengqiao.command import queries as cq

    admin = Person.objects.get(user__username="admin").user
    today = timezone.localdate()
    for region in ("350322", "350322103", DEMO_VILLAGE):
        fast = cq.measures_for(user=admin, region=region, start=today - dt.timedelta(days=365), end=today)
        plain = cq.measures_for(user=admin, region=region, start=today - dt.timedelta(days=365), end=today,
                                path="plain")
        assert fast.counts() == plain.counts(), region
    assert fast.count("registered") > 0


def test_village_categories_pairings_and_records():
    from fengqiao.people.models import Pairing
    from fengqiao.regions.models import VillageCategory
    from fengqiao.supervision.models import AccountabilityRecord, CategoryThresholds, VillageRating

    assert CategoryThresholds.objects.get().measure == "score"
    confirmed = Counter(Region.objects.filter(level="village").exclude(village_category="")
                        .values_list("village_category", flat=True))
    assert set(confirmed) == set(VillageCategory.values)
    assert VillageRating.objects.count() == sum(confirmed.values())
    lagging = set(Region.objects.filter(village_category=VillageCategory.LAGGING).values_list("pk", flat=True))
    paired = set(Pairing.objects.filter(active=True).values_list("village_id", flat=True))
    assert paired == lagging
    kinds = Counter(AccountabilityRecord.objects.values_list("kind", flat=True))
    assert kinds["bulletin"] == 1 and kinds["summons"] == 1 and kinds["evaluation"] == 1
    bulletin = AccountabilityRecord.objects.get(kind="bulletin")
    linked = list(bulletin.events.all())
    assert linked and all(e.status in {Status.DISPATCHED, Status.IN_PROGRESS} and e.deadline < timezone.now()
                          for e in linked)
    summons = AccountabilityRecord.objects.get(kind="summons")
    assert summons.target_person.posts.filter(role=Role.PARTY_SECRETARY).exists()


def test_score_weights_and_the_saved_12345_mapping():
    from fengqiao.command.models import CommandSettings
    from fengqiao.imports.actions import resolve_mapping

    assert CommandSettings.current().weights()["satisfaction_rate"] == 25
    header = ["工单编号", "受理时间", "诉求内容", "事发地址", "问题分类", "工单标题", "来电人", "联系电话",
              "所属乡镇", "办理时限"]
    from fengqiao.imports.actions import saved_mappings
    from fengqiao.imports.mappings import detect

    mapping = detect(header, "hotline_12345", saved_mappings("hotline_12345"))
    assert mapping.saved_id is not None and mapping.categories["欠薪讨薪"] == "dispute.wages"
    assert resolve_mapping(name=mapping.name, header=header, source="hotline_12345").columns == mapping.columns


def test_feed_plans_are_deterministic_and_recent():
    from fengqiao.demo.extras import FEED_DAYS, plan_feeds

    county = load_county()
    as_of = timezone.now().replace(second=0, microsecond=0)

    def key(plans):
        return [(p.created_at, p.category, p.source, p.village.code, p.title) for p in plans]

    first = plan_feeds(n=40, seed=3, county=county, as_of=as_of)
    assert key(first) == key(plan_feeds(n=40, seed=3, county=county, as_of=as_of))
    assert key(first) != key(plan_feeds(n=40, seed=4, county=county, as_of=as_of))
    assert {p.source for p in first} <= {"hotline_12345", "police_110", "online_opinion"}
    assert all(as_of - dt.timedelta(days=FEED_DAYS) < p.created_at < as_of for p in first)
    assert [p.created_at for p in first] == sorted(p.created_at for p in first)


def test_category_cuts_fall_between_distinct_values_and_leave_each_category_some():
    from decimal import Decimal

    from fengqiao.demo.extras import _cuts

    def share(values):
        top, good, lag = _cuts([Decimal(v) for v in values])
        assert top > good > lag
        return Counter("R" if v >= top else "G" if v >= good else "A" if v >= lag else "L"
                       for v in map(Decimal, values))

    spread = [str(50 + i / 2) for i in range(100)]  # 50.0 … 99.5, all distinct
    counts = share(spread)
    assert 8 <= counts["R"] <= 16 and 18 <= counts["L"] <= 26 and counts["G"] + counts["A"] >= 60
    # Many villages at a perfect 100: they are all 放心, and the others still split three ways.
    counts = share(["100"] * 60 + ["95", "90", "85", "80", "70", "60"] * 5)
    assert counts == {"R": 60, "G": counts["G"], "A": counts["A"], "L": counts["L"]}
    assert min(counts.values()) >= 5
    assert set(share(["100", "90", "80", "70"])) == {"R", "G", "A", "L"}


def test_the_report_names_every_part_of_the_county_it_built(demo):
    """The command's output tells the operator what each workflow holds, not only the events."""
    lines = demo.splitlines()
    for start in ("petitions (信访): ", "mediation centre: ", "mediation cases: ", "grid registries: ",
                  "field work: ", "major matters (三级挂账督办): ", "stationed cadres: "):
        assert any(line.startswith(start) for line in lines), start
    households = next(line for line in lines if line.startswith("grid registries: "))
    from fengqiao.grid.models import Household
    assert f"{Household.objects.count()} households" in households


def test_the_city_officer_of_the_majors_ledger_can_sign_in(demo, client):
    assert re.search(r"^  city\s+operator\s+\S+, 莆田市调度员$", demo, re.M)
    assert client.login(username="city", password=DEMO_PASSWORD)
    post = Person.objects.get(user__username="city").posts.get()
    assert post.role == Role.OPERATOR and post.region.code == "3503"
    response = client.get("/majors/")
    assert response.status_code == 200
    assert "莆田市" in response.content.decode()
