"""Routing and categorising at the door, with the real map lookup, address matcher, classifier,
twin search and triage queue."""

from __future__ import annotations

import pytest

from fengqiao.events.models import Category
from fengqiao.intake.actions import (
    AMBIGUOUS_ADDRESS,
    DUPLICATE,
    UNCATEGORISED,
    UNROUTED,
    Report,
    intake_submit,
    intake_system_create,
)
from fengqiao.lib.errors import InvalidInput
from fengqiao.regions import geo
from fengqiao.regions.actions import region_create
from fengqiao.regions.shapes import import_shapes
from fengqiao.triage import classify
from fengqiao.triage.models import TriageItem, TwinFlag

pytestmark = pytest.mark.django_db

# 洋坂村第一网格: a small square around (25.50 N, 118.70 E).
GRID_A = [[118.69, 25.49], [118.71, 25.49], [118.71, 25.51], [118.69, 25.51], [118.69, 25.49]]
INSIDE = (25.50, 118.70)
OUTSIDE = (25.00, 118.00)


@pytest.fixture(autouse=True)
def fresh_lookups(settings):
    """The point index and the classifier are per-process caches: start each test clean."""
    settings.FENGQIAO_TRIAGE_MODEL_CHECK_SECONDS = 0
    geo.invalidate()
    classify.reset_cache()
    yield
    geo.invalidate()
    classify.reset_cache()


@pytest.fixture
def shapes(world):
    import_shapes({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"code": world.grid_a.code},
        "geometry": {"type": "Polygon", "coordinates": [GRID_A]},
    }]})
    geo.invalidate()


@pytest.fixture
def hotline(world):
    system, _key = intake_system_create(name="仙游县12345平台", source="hotline_12345", within=world.county,
                                        actor=None)
    return system


def wages() -> Category:
    return Category.objects.get(code="dispute.wages")


def submit(system, ticket: str, **fields):
    fields.setdefault("category", wages())
    return intake_submit(report=Report(source="hotline_12345", system=system, external_id=ticket,
                                       **{"title": "柯某反映工资被拖欠", **fields}), actor=None)


def item_of(event) -> TriageItem:
    return TriageItem.objects.get(event=event, closed_at__isnull=True)


# ------------------------------------------------------------------------------------ point


def test_a_point_inside_a_grid_files_the_event_under_that_grid(world, shapes, hotline):
    result = submit(hotline, "P-1", latitude=INSIDE[0], longitude=INSIDE[1], address="不相干的地址")
    event = result.event
    assert result.routed and result.triage_reasons == []
    assert event.region == world.grid_a and event.village == world.village_a and event.status == "dispatched"
    bound = {a.person for a in event.assignments.all()}
    assert world.grid_head_a in bound and world.secretary_a in bound
    assert not TriageItem.objects.filter(event=event).exists()


def test_a_point_outside_every_polygon_falls_back_to_the_address(world, shapes, hotline):
    result = submit(hotline, "P-2", latitude=OUTSIDE[0], longitude=OUTSIDE[1], address="仙游县度尾镇剑山村村口")
    assert result.routed and result.event.region == world.village_b


def test_a_point_in_another_county_is_ignored(world, shapes):
    elsewhere = region_create(parent=None, code="350321", level="county", name="莆田某县")
    system, _key = intake_system_create(name="邻县12345", source="hotline_12345", within=elsewhere, actor=None)
    result = submit(system, "P-3", latitude=INSIDE[0], longitude=INSIDE[1])
    assert not result.routed and result.triage_reasons == [UNROUTED]
    assert result.event.region == elsewhere


def test_a_point_off_the_earth_is_refused(world, hotline):
    with pytest.raises(InvalidInput):
        submit(hotline, "P-4", latitude=120.0, longitude=118.0)


# ---------------------------------------------------------------------------------- address


def test_the_address_alone_routes_to_its_village(world, hotline):
    result = submit(hotline, "A-1", address="郊尾镇梅塘村村民委员会旁")
    assert result.routed and result.event.region == world.village_c and result.event.status == "dispatched"


def test_an_address_naming_only_a_town_is_filed_there_for_triage(world, hotline):
    result = submit(hotline, "A-2", address="仙游县度尾镇")
    assert not result.routed and result.triage_reasons == [UNROUTED]
    assert result.event.region == world.town and result.event.status == "registered"
    assert item_of(result.event).unrouted


def test_an_address_fitting_two_villages_waits_with_both_candidates(world, hotline):
    region_create(parent=world.town, code="350322103210", level="village", name="新村村委会")
    region_create(parent=world.other_town, code="350322102210", level="village", name="新村村委会")
    result = submit(hotline, "A-3", address="仙游县新村村")
    assert not result.routed and result.triage_reasons == [AMBIGUOUS_ADDRESS]
    assert result.event.region == world.county and result.event.status == "registered"
    item = item_of(result.event)
    assert item.ambiguous_address
    assert {c["code"] for c in item.region_candidates} == {"350322103210", "350322102210"}


def test_an_address_found_nowhere_is_unrouted_under_the_senders_county(world, hotline):
    result = submit(hotline, "A-4", address="火星基地三号楼")
    assert result.triage_reasons == [UNROUTED] and result.event.region == world.county
    assert item_of(result.event).unrouted


def test_without_a_sending_county_an_unrouted_event_has_no_region(world):
    result = intake_submit(report=Report(source="citizen", title="有人占道", category=wages()), actor=None)
    assert result.event.region is None and result.triage_reasons == [UNROUTED]
    assert item_of(result.event).unrouted


def test_a_region_outside_the_senders_county_is_refused(world, hotline):
    elsewhere = region_create(parent=None, code="350321", level="county", name="莆田某县")
    with pytest.raises(InvalidInput):
        submit(hotline, "R-1", region=elsewhere)


def test_a_given_region_wins_over_point_and_address(world, shapes, hotline):
    result = submit(hotline, "R-2", region=world.village_c, latitude=INSIDE[0], longitude=INSIDE[1],
                    address="度尾镇剑山村")
    assert result.event.region == world.village_c


# ------------------------------------------------------------------------------- categories


def test_the_classifier_categorises_what_it_recognises_and_triages_what_it_does_not(world, hotline, settings):
    from tests.triage.helpers import past_events

    past_events(world)
    assert classify.train().version is not None
    settings.FENGQIAO_INTAKE_CATEGORY_CONFIDENCE = 0.5
    sure = submit(hotline, "C-1", category=None, region=world.village_a,
                  title="工地拖欠农民工工资三个月", description="包工头拖欠工资,多名工人讨薪未果")
    assert sure.event.category.code == "dispute.wages" and UNCATEGORISED not in sure.triage_reasons

    settings.FENGQIAO_INTAKE_CATEGORY_CONFIDENCE = 1.01  # nothing is that sure
    unsure = submit(hotline, "C-2", category=None, region=world.village_a, title="反映一件事情")
    assert unsure.event.category.code == "other"
    assert UNCATEGORISED in unsure.triage_reasons
    item = item_of(unsure.event)
    assert item.uncategorised and len(item.category_suggestions) >= 1


def test_without_a_trained_model_the_event_falls_back_to_other(world, hotline):
    result = submit(hotline, "C-3", category=None, region=world.village_a, title="反映一件事情")
    assert result.event.category.code == "other" and result.triage_reasons == [UNCATEGORISED]
    assert item_of(result.event).category_suggestions == []


def test_the_senders_label_matching_a_category_code_is_used(world, hotline):
    result = submit(hotline, "C-4", category=None, category_hint="hazard.fire", region=world.village_a,
                    title="楼道堆放杂物")
    assert result.event.category.code == "hazard.fire" and result.triage_reasons == []


# ------------------------------------------------------------------------------- duplicates


def test_the_same_matter_from_another_channel_is_flagged_as_a_likely_twin(world, hotline):
    first = intake_submit(report=Report(
        source="grid", title="洋坂村柯某工资被拖欠三个月", description="柯某在洋坂村工地务工,工资三个月未发",
        category=wages(), region=world.village_a, reporter_name="柯某", reporter_phone="13900000099",
    ), actor=world.operator.user)
    assert first.triage_reasons == []
    again = submit(hotline, "D-1", title="柯某反映洋坂村工地工资被拖欠三个月",
                   description="来电人柯某反映在洋坂村工地务工,工资三个月未发", region=world.village_a,
                   reporter_name="柯某", reporter_phone="13900000099")
    assert again.created and again.triage_reasons == [DUPLICATE]
    assert again.event.status == "dispatched"  # routed all the same; the operator decides on merging
    [flag] = TwinFlag.objects.filter(item=item_of(again.event))
    assert flag.twin == first.event and flag.score >= 0.5

