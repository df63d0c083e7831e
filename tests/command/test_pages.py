"""The command centre's pages: dashboard, rankings (scope, ties, small denominators), overdue list
with one-click urge and call, drill-down, campaigns and the big screen."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from fengqiao.audit.models import AuditEntry
from fengqiao.command import queries
from fengqiao.command.models import Campaign
from fengqiao.events import actions
from fengqiao.events.models import CallLog, Event, PersonalDataRead
from fengqiao.lib import clock
from fengqiao.notify.models import OutboxMessage
from tests.factories import register

pytestmark = pytest.mark.django_db


def resolved(world, region, title="已办结的事"):
    e = register(world, region=region, title=title)
    secretary = {world.village_a.pk: world.secretary_a, world.village_b.pk: world.secretary_b,
                 world.village_c.pk: world.secretary_c}[region.pk].user
    actions.event_acknowledge(event=e, actor=secretary)
    actions.event_resolve(event=e, actor=secretary, result="已调解")
    return e


def overdue_event(world, region=None, title="拖了很久的事"):
    """Registered and dispatched 40 days ago: past any deadline now."""
    with clock.frozen(clock.now() - dt.timedelta(days=40)):
        return register(world, region=region or world.village_a, title=title)


@pytest.fixture
def history(world):
    return build_history(world)


def build_history(world):
    """Village A: 3 received, 2 resolved; village B: 1 received, 1 resolved; village C: 2, 0."""
    resolved(world, world.village_a, "洋坂村甲")
    resolved(world, world.village_a, "洋坂村乙")
    register(world, region=world.village_a, title="洋坂村丙")
    resolved(world, world.village_b, "剑山村甲")
    register(world, region=world.village_c, title="梅塘村甲")
    register(world, region=world.village_c, title="梅塘村乙")
    return world


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_operator_sees_the_dashboard_with_the_county_measures(history, client):
    client.force_login(history.operator.user)
    r = client.get("/command/")
    assert r.status_code == 200
    html = text(r)
    assert "仙游县" in html
    m = queries.measures_for(user=history.operator.user, region=history.county,
                             start=queries.Span.this_month().start, end=queries.Span.this_month().end)
    assert m.received == 6 and m.resolved == 3
    kpi = re.search(r'data-testid="kpi-received">([^<]+)<', html).group(1)
    assert kpi.strip() == "6"
    assert re.search(r'data-testid="kpi-resolution_rate">([^<]+)<', html).group(1).strip() == "50.0%"
    # The spread lists both towns with a drill link to their own dashboards.
    assert 'data-region="350322103"' in html and 'data-region="350322102"' in html
    assert "region=350322103" in html
    # The map asks the shapes API for the towns; the charts' data is on the page.
    assert "/api/v1/regions/350322/shapes?level=town" in html
    assert 'id="bars-data"' in html and 'id="line-data"' in html and 'id="pie-category"' in html


@pytest.mark.parametrize("period", ["day", "week", "month"])
def test_every_period_pair_renders(history, client, period):
    client.force_login(history.operator.user)
    r = client.get("/command/", {"period": period})
    assert r.status_code == 200
    assert 'data-testid="kpi-received">6<' in text(r).replace(" <", "<").replace("> ", ">")


def test_a_custom_span_and_a_bad_one(history, client):
    client.force_login(history.operator.user)
    today = clock.local_date()
    r = client.get("/command/", {"period": "custom", "start": (today - dt.timedelta(days=3)).isoformat(),
                                 "end": today.isoformat()})
    assert r.status_code == 200
    bad = client.get("/command/", {"period": "custom", "start": today.isoformat(),
                                   "end": (today - dt.timedelta(days=3)).isoformat()})
    assert bad.status_code == 400
    assert 'data-testid="error"' in bad.content.decode()
    assert client.get("/command/", {"period": "custom", "start": "yesterday", "end": "x"}).status_code == 400
    assert client.get("/command/", {"measure": "nonsense"}).status_code == 400


def test_a_town_cadre_ranks_only_their_own_villages(history, client):
    client.force_login(history.town_cadre.user)
    r = client.get("/command/rankings/")
    assert r.status_code == 200
    html = text(r)
    assert "度尾镇" in html
    assert 'data-region="350322103208"' in html and 'data-region="350322103209"' in html
    assert "350322102201" not in html and "梅塘村" not in html


def test_a_town_cadre_gets_404_for_another_town_or_the_county(history, client):
    client.force_login(history.town_cadre.user)
    for url in ("/command/", "/command/rankings/", "/command/events/", "/command/rankings.xlsx"):
        assert client.get(url, {"region": history.other_town.code}).status_code == 404, url
        assert client.get(url, {"region": history.county.code}).status_code == 404, url


def test_a_village_secretary_cannot_see_another_village(history, client):
    client.force_login(history.secretary_a.user)
    assert client.get("/command/").status_code == 200
    assert client.get("/command/", {"region": history.village_b.code}).status_code == 404


def test_the_ranking_shows_the_queries_ranks_ties_and_small_denominators(history, client):
    client.force_login(history.town_cadre.user)
    r = client.get("/command/rankings/", {"measure": "resolution_rate", "level": "village"})
    html = text(r)
    rows = queries.ranking(user=history.town_cadre.user, region=history.town, level="village",
                           measure="resolution_rate", start=queries.Span.this_month().start,
                           end=queries.Span.this_month().end)
    # 剑山村 1/1 = 100% first, 洋坂村 2/3 = 66.66…% (shown 66.6%, truncated) second; both have
    # fewer than 10 events.
    assert [(x.region.code, x.rank, x.display) for x in rows] == [
        ("350322103209", 1, "100%"), ("350322103208", 2, "66.6%")]
    for x in rows:
        row = re.search(rf'<tr data-region="{x.region.code}"[^>]*>(.*?)</tr>', html).group(1)
        assert re.search(r'data-testid="rank">\s*(\d+)', row).group(1) == str(x.rank)
        assert x.display in row
        # Both have fewer events than the minimum: each row carries its own badge.
        assert x.small_denominator
        assert "small-den-badge" in row


def test_equal_values_share_a_rank(world, client):
    resolved(world, world.village_a)
    resolved(world, world.village_b)
    client.force_login(world.town_cadre.user)
    html = text(client.get("/command/rankings/", {"measure": "resolution_rate"}))
    ranks = re.findall(r'data-testid="rank">\s*(\S+?)\s*<', html)
    assert ranks == ["1", "1"]


def test_the_ranking_exports_to_excel_with_the_same_values(history, client):
    client.force_login(history.operator.user)
    r = client.get("/command/rankings.xlsx", {"measure": "resolution_rate", "level": "village"})
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    values = {row[1]: (row[0], row[2]) for row in ws.iter_rows(min_row=3, values_only=True)}
    assert values["剑山村委会"] == (1, "100%")
    assert values["洋坂村委会"] == (2, "66.6%")  # 2/3 truncated
    assert values["梅塘村委会"][1] == "0%"


def test_the_overdue_list_urges_with_one_click(world, client):
    late = overdue_event(world)
    client.force_login(world.operator.user)
    html = text(client.get("/command/rankings/"))
    assert f'<tr data-event="{late.pk}">' in html
    before = OutboxMessage.objects.count()
    r = client.post(f"/command/overdue/{late.pk}/urge", HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    assert 'data-testid="action-ok"' in r.content.decode()
    assert AuditEntry.objects.filter(event=late, action="urge").count() == 1
    assert OutboxMessage.objects.count() > before  # the bound people are texted


def test_the_overdue_list_calls_with_one_click(world, client):
    late = overdue_event(world)
    client.force_login(world.operator.user)
    html = text(client.get("/command/rankings/"))
    assert "柯书记" in html  # the party secretary is bound (3+N) and has a phone
    r = client.post(f"/command/overdue/{late.pk}/call", {"person_id": world.secretary_a.pk})
    assert r.status_code == 200
    assert 'href="tel:13900000005"' in r.content.decode()
    assert CallLog.objects.filter(event=late, callee=world.secretary_a).count() == 1
    assert AuditEntry.objects.filter(event=late, action="call").count() == 1
    read = PersonalDataRead.objects.get(via="call")
    assert (read.user, read.person, read.field) == (world.operator.user, world.secretary_a, "phone")


def test_a_town_cadre_calling_with_one_click_gets_a_call_back_not_the_number(world, client):
    """The town cadre sees the village secretary's number masked: the one-click call texts the
    secretary to ring the cadre back, and the page never holds the secretary's digits."""
    late = overdue_event(world)
    client.force_login(world.town_cadre.user)
    assert "13900000005" not in text(client.get("/command/rankings/"))
    r = client.post(f"/command/overdue/{late.pk}/call", {"person_id": world.secretary_a.pk})
    html = r.content.decode()
    assert r.status_code == 200 and 'data-testid="action-ok"' in html
    assert "13900000005" not in html and "tel:" not in html
    assert not PersonalDataRead.objects.exists()
    text_ = OutboxMessage.objects.get(template="call_request")
    assert text_.person == world.secretary_a and "13900000003" in text_.body


def test_calling_someone_not_bound_is_refused_and_nothing_logged(world, client):
    late = overdue_event(world)
    client.force_login(world.operator.user)
    r = client.post(f"/command/overdue/{late.pk}/call", {"person_id": world.secretary_c.pk})
    assert r.status_code == 400
    assert 'data-testid="action-error"' in r.content.decode()
    assert not CallLog.objects.exists()


def test_urging_an_event_outside_ones_area_is_404(world, client):
    late = overdue_event(world, region=world.village_c)
    client.force_login(world.town_cadre.user)
    assert client.post(f"/command/overdue/{late.pk}/urge").status_code == 404
    assert not AuditEntry.objects.filter(event=late, action="urge").exists()


def test_drill_down_lists_the_events_behind_a_number(history, client):
    client.force_login(history.operator.user)
    r = client.get("/command/events/", {"region": history.village_a.code, "period": "month", "count": "resolved"})
    html = text(r)
    assert r.status_code == 200
    assert "洋坂村甲" in html and "洋坂村乙" in html and "洋坂村丙" not in html
    assert "剑山村甲" not in html


def test_campaign_create_and_live_ranking(history, client):
    client.force_login(history.operator.user)
    today = clock.local_date()
    r = client.post("/command/campaigns/new/", {
        "name": "百日攻坚", "start": (today - dt.timedelta(days=5)).isoformat(),
        "end": (today + dt.timedelta(days=95)).isoformat(), "region": history.county.code,
    })
    assert r.status_code == 302, r.content.decode()[:2000]
    campaign = Campaign.objects.get(name="百日攻坚")
    assert AuditEntry.objects.filter(stream="supervision", action="create_campaign").count() == 1
    page = client.get(f"/command/campaigns/{campaign.pk}/")
    html = text(page)
    assert page.status_code == 200
    assert 'hx-trigger="every 30s"' in html
    assert 'data-testid="campaign-resolution_rate"' in html and 'data-testid="campaign-called_back"' in html
    live = client.get(f"/command/campaigns/{campaign.pk}/", HTTP_HX_REQUEST="true")
    assert "<html" not in live.content.decode()
    assert "50.0%" in live.content.decode()  # 3 of 6 resolved within the campaign


def test_campaign_with_the_end_before_the_start_is_refused(history, client):
    client.force_login(history.operator.user)
    r = client.post("/command/campaigns/new/", {"name": "倒着的", "start": "2026-05-01", "end": "2026-04-01",
                                                "region": history.county.code})
    assert r.status_code == 400
    assert not Campaign.objects.exists()


def test_a_village_secretary_cannot_create_a_campaign(history, client):
    client.force_login(history.secretary_a.user)
    assert client.get("/command/campaigns/new/").status_code == 403
    assert 'data-testid="campaign-new"' not in client.get("/command/campaigns/").content.decode()
    client.force_login(history.county_leader.user)
    assert client.get("/command/campaigns/new/").status_code == 200


def test_without_a_regional_post_the_pages_and_the_api_answer_403_alike(world, client, api):
    """`command.permissions.may_view_command` decides the pages and /api/v1/stats alike."""
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create_user("no_post", password="x")
    client.force_login(nobody)
    for url in ("/command/", "/command/rankings/", "/command/screen/", "/command/events/"):
        assert client.get(url).status_code == 403, url
    for path in ("/stats/measures", "/stats/compare?period=month", "/stats/overdue", "/stats/campaigns"):
        r = api.get(path, user=nobody)
        assert r.status_code == 403 and r.json()["code"] == "forbidden", path
    r = api.get("/stats/measures", user=world.dept_liaison.user)  # the page sends a liaison elsewhere
    assert r.status_code == 403
    client.force_login(world.town_cadre.user)
    assert client.get("/command/").status_code == 200
    assert api.get("/stats/measures", user=world.town_cadre.user).status_code == 200


def test_the_bulletin_button_follows_supervisions_check(world, client):
    client.force_login(world.town_cadre.user)  # may record bulletins over the town
    assert 'data-testid="bulletin-button"' in client.get("/command/").content.decode()
    client.force_login(world.secretary_a.user)  # sees the village's figures, records nothing
    r = client.get("/command/")
    assert r.status_code == 200 and 'data-testid="bulletin-button"' not in r.content.decode()


def test_the_big_screen_renders_and_refreshes_itself(history, client):
    client.force_login(history.operator.user)
    r = client.get("/command/screen/")
    html = text(r)
    assert r.status_code == 200
    assert 'data-theme="dark"' in html and 'hx-trigger="every 60s"' in html
    assert 'data-testid="screen-received">6<' in html.replace("> ", ">").replace(" <", "<")
    live = client.get("/command/screen/", HTTP_HX_REQUEST="true")
    assert "<html" not in live.content.decode() and "梅塘村乙" in live.content.decode()


def test_a_department_liaison_is_sent_to_the_paired_villages(world, client):
    client.force_login(world.dept_liaison.user)
    r = client.get("/command/")
    assert r.status_code == 302 and r["Location"].endswith("/supervision/paired/")


def test_anonymous_users_are_sent_to_log_in(client):
    r = client.get("/command/")
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_events_still_match_after_the_page_view(history):
    assert Event.objects.count() == 6


def test_the_source_filter_narrows_every_figure(history, client):
    register(history, region=history.village_a, title="12345来的事", source="hotline_12345")
    client.force_login(history.operator.user)
    html = text(client.get("/command/", {"source": "hotline_12345"})).replace("> ", ">").replace(" <", "<")
    assert 'data-testid="kpi-received">1<' in html
    assert client.get("/command/", {"source": "no_such"}).status_code == 400


def test_the_dashboard_offers_the_meeting_packs(history, client):
    client.force_login(history.operator.user)
    html = text(client.get("/command/"))
    monday = queries.Span.last_week()
    assert f'name="date_from" value="{monday.start.isoformat()}"' in html
    assert f'name="date_to" value="{monday.end.isoformat()}"' in html


def test_the_dashboard_in_english(history, client):
    client.force_login(history.operator.user)
    client.cookies["django_language"] = "en"
    html = client.get("/command/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Command centre" in html and "Resolution rate" in html


def test_a_village_secretary_sees_their_village_with_its_grids(history, client):
    client.force_login(history.secretary_a.user)
    html = text(client.get("/command/"))
    assert "洋坂村委会" in html and 'data-testid="kpi-received">3<' in html.replace("> ", ">").replace(" <", "<")
    assert f"/api/v1/regions/{history.village_a.code}/shapes?level=grid" in html
    assert 'data-testid="chart-bars"' not in html
    screen = client.get("/command/screen/")
    assert screen.status_code == 200 and "level=grid" in screen.content.decode()
    assert client.get("/supervision/categories/").status_code == 200


def test_the_category_filter_counts_its_subcategories(history, client):
    register(history, region=history.village_a, title="消防隐患", category="hazard.fire")
    client.force_login(history.operator.user)
    html = text(client.get("/command/", {"category": "hazard"})).replace("> ", ">").replace(" <", "<")
    assert 'data-testid="kpi-received">1<' in html
    assert client.get("/command/", {"category": "no_such"}).status_code == 400


def test_the_big_screen_ranks_the_towns_like_the_ranking(history, client):
    client.force_login(history.operator.user)
    html = text(client.get("/command/screen/"))
    month = queries.Span.this_month()
    ranked = [r for r in queries.ranking(user=history.operator.user, region=history.county, level="town",
                                         measure="score", start=month.start, end=month.end) if r.rank]
    top = re.search(r'data-testid="screen-top">(.*?)</ol>', html).group(1)
    assert re.findall(r"<b>(\d+)</b> (\S+) <span>([^<]+)</span>", top) == [
        (str(r.rank), r.region.display_name, r.display) for r in ranked[:5]]


def test_a_ranking_row_leads_to_a_record_against_that_village(history, client):
    client.force_login(history.town_cadre.user)
    html = text(client.get("/command/rankings/"))
    link = f"/supervision/records/new/?region={history.village_b.code}&amp;kind=bulletin"
    assert link in html
    form = client.get(link.replace("&amp;", "&")).content.decode()
    assert f'value="{history.village_b.code}" selected' in form or f'<option value="{history.village_b.code}" selected' in form


def test_map_tiles_come_from_the_setting_and_none_by_default(history, client, settings):
    client.force_login(history.operator.user)
    assert 'data-tiles=""' in client.get("/command/").content.decode()
    settings.FENGQIAO_MAP_TILES = "https://tiles.intranet.example/{z}/{x}/{y}.png"
    assert 'data-tiles="https://tiles.intranet.example/{z}/{x}/{y}.png"' in client.get("/command/").content.decode()
