"""`find_twins` prunes, caches vectors across calls and reads candidates as rows: it must return
exactly what scoring every candidate with `score(Signature.of(…))` returns — the same twins, the
same scores, the same order — also after a text is edited and after the classifier changes."""

import datetime as dt
import random

from django.utils import timezone

from fengqiao.events.models import Event
from fengqiao.lib import clock
from fengqiao.triage import classify
from fengqiao.triage.duplicates import (
    Signature,
    _parties_of,
    _vectors,
    candidates,
    find_twins,
    score,
)
from fengqiao.triage.models import ClassifierModel
from tests.factories import register
from tests.triage.helpers import past_events, reporter

LAT, LNG = 25.4412, 118.6021  # 度尾镇洋坂村
START = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))
THRESHOLDS = (0.0, 0.5, 0.65, 0.7, 0.8, 0.95)

MATTERS = [
    ("洋坂村菜溪线路灯不亮", "菜溪线一带路灯损坏五盏,晚上黑漆漆的,出行很不方便,要求尽快维修。"),
    ("柯某与邻居宅前通道纠纷", "柯某与邻居郑某因宅前通道宽度问题发生争执,郑某在通道堆放建材。"),
    ("工地拖欠工资三个月", "在洋坂村工地务工,工资三个月未发,讨要多次无果,情绪激动。"),
    ("楼道堆放杂物存在火灾隐患", "3号楼楼道堆放大量纸箱和电动车,存在火灾隐患,要求清理。"),
    ("村道旁垃圾堆积无人清运", "村道旁垃圾堆积一周无人清运,气味难闻,影响村民出行。"),
]
OPENINGS = ("", "市民来电反映:", "网格员巡查发现,", "报警人称", "来电人反映,")
NAMES = ("柯明", "林芳", "陈建国", "柯某", "黄丽")
PHONES = ("13511112222", "13733334444", "13900009999")


def _variant(rng: random.Random, matter: tuple[str, str]) -> tuple[str, str]:
    """Another channel's wording: an opening, dropped characters, a changed number."""
    title, description = matter
    chars = [c for c in description if rng.random() > 0.15]
    if rng.random() < 0.5:
        chars.append(str(rng.randint(1, 9)) + "组")
    return title if rng.random() < 0.6 else title[1:], rng.choice(OPENINGS) + "".join(chars)


def _generated(world, *, n: int, seed: int) -> list[Event]:
    """Events of a few matters, near and far, within and beyond the window, some with a shared
    phone or name, some filed only at the town: every part of the score is exercised."""
    rng = random.Random(seed)
    regions = (world.village_a, world.village_a, world.village_b, world.town, world.village_c)
    made = []
    for _i in range(n):
        title, description = _variant(rng, rng.choice(MATTERS))
        point = {}
        if rng.random() < 0.7:
            point = {"latitude": LAT + rng.uniform(-0.02, 0.02), "longitude": LNG + rng.uniform(-0.02, 0.02)}
        parties = ()
        if rng.random() < 0.7:
            parties = reporter(rng.choice(PHONES) if rng.random() < 0.5 else "", name=rng.choice(NAMES))
        with clock.frozen(START + dt.timedelta(hours=rng.uniform(0, 24 * 10))):
            made.append(register(world, title=title, description=description, source="hotline_12345",
                                 category="livelihood.infrastructure", region=rng.choice(regions),
                                 parties=parties, **point))
    return made


def _reference(event: Event) -> list[tuple[int, float]]:
    """Every candidate scored in full, with vectors made afresh from model instances, best first."""
    model = classify.current_model()
    idf = model.idf if model is not None else None
    event = Event.objects.get(pk=event.pk)
    pool = Event.objects.in_bulk([row[0] for row in candidates(event)])
    empty = (frozenset(), frozenset())
    parties = _parties_of([event.pk, *pool])
    me = Signature.of(event, parties.get(event.pk, empty), idf)
    scored = [(pk, score(me, Signature.of(e, parties.get(pk, empty), idf))) for pk, e in pool.items()]
    return sorted(scored, key=lambda pair: (-pair[1], -pair[0]))


def _assert_same_as_reference(events: list[Event]) -> int:
    """Compare every event at every threshold; the number of twins found at 0.7."""
    found = 0
    for event in events:
        every = _reference(event)
        for threshold in THRESHOLDS:
            for limit in (3, 100):
                got = [(e.pk, s) for e, s in find_twins(event=event, limit=limit, threshold=threshold)]
                assert got == [(pk, s) for pk, s in every if s >= threshold][:limit], (event.pk, threshold, limit)
                if threshold == 0.7 and limit == 100:
                    found += len(got)
    return found


def test_pruned_and_cached_search_returns_what_scoring_every_candidate_returns(world):
    _vectors.clear()
    events = _generated(world, n=30, seed=11)

    # Without a classifier: raw bigram counts.
    assert classify.current_model() is None
    assert _assert_same_as_reference(events) > 0

    # A classifier appears: its document frequencies weight the text, no raw vector may be reused.
    past_events(world, per_category=6)
    classify.train()
    assert _assert_same_as_reference(events) > 0

    # A title and a description edited in place (as the admin can): the old text's vector must not
    # answer for the new one. Half the events now read like another matter.
    rng = random.Random(3)
    for event in events[::2]:
        title, description = _variant(rng, rng.choice(MATTERS))
        Event.objects.filter(pk=event.pk).update(title=title, description=description)
    events = [Event.objects.get(pk=e.pk) for e in events]
    assert _assert_same_as_reference(events) > 0

    # Retrained on more events: other document frequencies, other vectors.
    past_events(world, per_category=6, seed=8)
    classify.train()
    assert _assert_same_as_reference(events) > 0

    # The classifier gone again: back to raw counts.
    ClassifierModel.objects.all().delete()
    classify.reset_cache()
    assert classify.current_model() is None
    assert _assert_same_as_reference(events) > 0


def test_a_twin_is_returned_as_an_event_with_the_candidate_columns_loaded(world, django_assert_num_queries):
    first = register(world, title=MATTERS[0][0], description=MATTERS[0][1], source="hotline_12345",
                     category="livelihood.infrastructure", latitude=LAT, longitude=LNG)
    second = register(world, title=MATTERS[0][0], description="网格员巡查发现" + MATTERS[0][1], source="grid",
                      category="livelihood.infrastructure", latitude=LAT, longitude=LNG)
    [(twin, s)] = find_twins(event=second)
    assert twin == first and isinstance(twin, Event) and s >= 0.7
    with django_assert_num_queries(0):  # loaded with the row, not fetched one field at a time
        assert (twin.title, twin.code, twin.status, twin.region_id) == (first.title, first.code, first.status,
                                                                        first.region_id)
