"""Cross-channel duplicates (疑似重复): the same matter from 12345, a grid worker and 110.

`find_twins(event=)` looks, among recent unmerged events, for ones near in place and time, with
similar text, or sharing a reporter's phone, and scores each pair in [0, 1]:

    score = 0.40·text + 0.25·place + 0.10·time + 0.15·phone + 0.10·name   (0 when the cosine < 0.15)

and flags pairs from `THRESHOLD` = 0.7 up.

- text: cosine of the two events' character-bigram vectors (plus each number as a token, so
  "3组" is not "5组") weighted by inverse document frequency (from the trained classifier when
  there is one, so boilerplate such as "市民来电反映" weighs little), counted in full from
  `TEXT_FULL` up: a paraphrase by another channel rarely shares more than half its bigrams;
- place: both with points → 1 within 200 m, falling to 0 at 2 km; otherwise same grid 0.9, same
  village 0.8, one of them filed only at the same town 0.3;
- time: registration within a day → 1, falling to 0 at `WINDOW`;
- phone: a party's phone blind index (`Party.phone_index`) is shared — equality, no decryption;
- name: a party's full name is shared ("柯某" does not count).

Candidates come only through indexes, so it stays cheap on a table of millions (see
`candidates`): the event's village and the villages whose centre is near its point by
`event_village_status` (village, status, created_at); events filed only at its town or county
(waiting for a village) by `region_id`; the town's events for an event filed at a town with no
point; events whose parties share a phone (`Party.phone_index`) — all within ±`WINDOW` of
registration and in a state that can still be merged into (registered, dispatched, in progress,
resolved).

It runs once for every event intake registers (100,000 times in a spreadsheet import), so each
call does as little as it can without changing a result: candidates are read as plain rows of
the columns the score needs (only the ≤ `limit` twins are loaded as events); the place, time,
phone and name parts come first, and a candidate that could not reach the threshold even with
its text counted in full (`_ceiling`) is never vectorised nor compared; and text vectors are kept
across calls (`_Vectors`, keyed by the text itself and dropped when the classifier's document
frequencies change), as consecutive events share most of their candidates.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
import threading
import weakref
from collections import Counter, OrderedDict
from dataclasses import dataclass, field

from django.db.models import Q

from fengqiao.events.models import Event, Party, Status
from fengqiao.triage.text import bigrams_and_numbers, event_text

WINDOW = dt.timedelta(days=7)
THRESHOLD = 0.7
NEAR_METRES = 200.0
FAR_METRES = 2000.0
CANDIDATE_CAP = 150  # per source of candidates and side of the event's time, nearest first
PHONE_CAP = 200
LIVE_STATUSES = (Status.REGISTERED, Status.DISPATCHED, Status.IN_PROGRESS, Status.RESOLVED)
# Tuned on bench_triage's generated set (two seeds agree within 3 points); TEXT_FULL a little
# lower than the set's optimum, as hand-written paraphrases share fewer bigrams than generated ones.
WEIGHTS = {"text": 0.40, "place": 0.25, "time": 0.10, "phone": 0.15, "name": 0.10}
TEXT_GATE = 0.15  # below this cosine the texts are about different things, whatever else agrees
TEXT_FULL = 0.35
NUMBER_WEIGHT = 3.0  # with document frequencies: a number ("3组", an amount) weighs like a common bigram
VECTOR_CACHE_SIZE = 30_000  # text vectors kept across calls: ~3.7 KB for 80 characters, ~110 MB when full


@dataclass
class Signature:
    """What the score needs to know about one event."""

    pk: int | None
    text: str
    created_at: dt.datetime
    latitude: float | None = None
    longitude: float | None = None
    grid_id: int | None = None
    village_id: int | None = None
    town_id: int | None = None
    phones: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    vector: dict[str, float] = field(default_factory=dict)

    @classmethod
    def of(cls, event: Event, parties: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset()),
           idf=None) -> Signature:
        sig = cls(
            pk=event.pk, text=event_text(event.title, event.description), created_at=event.created_at,
            latitude=event.latitude, longitude=event.longitude, grid_id=event.grid_id,
            village_id=event.village_id, town_id=event.town_id, phones=parties[0], names=parties[1],
        )
        sig.vector = text_vector(sig.text, idf)
        return sig


def text_vector(text: str, idf=None) -> dict[str, float]:
    counts = Counter(bigrams_and_numbers(text))
    if idf is None:
        vec = {g: float(n) for g, n in counts.items()}
    else:
        vec = {g: n * (NUMBER_WEIGHT if g[0] == "#" else idf(g)) for g, n in counts.items()}
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {g: v / norm for g, v in vec.items()} if norm else {}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(g, 0.0) for g, v in a.items())


def metres(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine)."""
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(h)))


def place_score(a: Signature, b: Signature) -> float:
    if a.latitude is not None and a.longitude is not None and b.latitude is not None and b.longitude is not None:
        d = metres(a.latitude, a.longitude, b.latitude, b.longitude)
        if d <= NEAR_METRES:
            return 1.0
        return max(0.0, 1.0 - (d - NEAR_METRES) / (FAR_METRES - NEAR_METRES))
    if a.grid_id and a.grid_id == b.grid_id:
        return 0.9
    if a.village_id and a.village_id == b.village_id:
        return 0.8
    if a.town_id and a.town_id == b.town_id and not (a.village_id and b.village_id):
        return 0.3
    return 0.0


def time_score(a: Signature, b: Signature, window: dt.timedelta = WINDOW) -> float:
    gap = abs((a.created_at - b.created_at).total_seconds())
    day = 86_400.0
    if gap <= day:
        return 1.0
    return max(0.0, 1.0 - (gap - day) / (window.total_seconds() - day))


def components(a: Signature, b: Signature) -> dict[str, float]:
    """The evidence, each in [0, 1]; `cosine` is the raw text similarity."""
    cos = cosine(a.vector, b.vector)
    return {
        "cosine": cos,
        "text": min(1.0, cos / TEXT_FULL),
        "place": place_score(a, b),
        "time": time_score(a, b),
        "phone": 1.0 if a.phones & b.phones else 0.0,
        "name": 1.0 if a.names & b.names else 0.0,
    }


def score(a: Signature, b: Signature) -> float:
    """How likely `a` and `b` are the same matter, in [0, 1]."""
    return _weighed(components(a, b))


def _weighed(parts: dict[str, float]) -> float:
    if parts["cosine"] < TEXT_GATE:
        return 0.0
    return round(min(1.0, sum(w * parts[k] for k, w in WEIGHTS.items())), 4)


def _cheap_parts(a: Signature, b: Signature) -> dict[str, float]:
    """`components` without the text (the costly part)."""
    return {
        "place": place_score(a, b),
        "time": time_score(a, b),
        "phone": 1.0 if a.phones & b.phones else 0.0,
        "name": 1.0 if a.names & b.names else 0.0,
    }


def _ceiling(parts: dict[str, float]) -> float:
    """The most `score` can give a pair with these cheap parts, whatever their texts: the same sum
    with the text counted in full. Every step (w·x, the sum in the same order, min, round) is
    monotone in floating point too, so `score` ≤ `_ceiling` exactly, never by a rounding."""
    return round(min(1.0, sum(w * (1.0 if k == "text" else parts[k]) for k, w in WEIGHTS.items())), 4)


# ------------------------------------------------------------------------------ the search


def _model():
    """The classifier whose document frequencies weight the text (None: none trained yet)."""
    from fengqiao.triage.classify import current_model

    return current_model()


class _Vectors:
    """Text vectors kept across calls, at most `size`, the least recently used dropped first.

    Keyed by the text itself, so an edited title or description is simply another key; and all
    dropped when the weights change — another classifier object (a new version, or the cache
    reloaded), told by identity: versions repeat across databases and tests, objects do not while
    held (a weak reference, so the cache never keeps an old model alive)."""

    _PLAIN = object()  # owner when there is no classifier: raw bigram counts

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._map: OrderedDict[str, dict[str, float]] = OrderedDict()
        self._owner: object = None

    def _owned_by(self, model) -> bool:
        if model is None:
            return self._owner is self._PLAIN
        return isinstance(self._owner, weakref.ref) and self._owner() is model

    def bind(self, model) -> None:
        """Use `model`'s weights from now on (forgetting every vector if they were another's)."""
        with self._lock:
            if not self._owned_by(model):
                self._map.clear()
                self._owner = self._PLAIN if model is None else weakref.ref(model)

    def get(self, text: str, model) -> dict[str, float]:
        with self._lock:
            if self._owned_by(model):
                vec = self._map.get(text)
                if vec is not None:
                    self._map.move_to_end(text)
                    return vec
        vec = text_vector(text, model.idf if model is not None else None)
        vec = {sys.intern(g): v for g, v in vec.items()}  # same order; bigrams shared by all vectors
        with self._lock:
            if self._owned_by(model):
                self._map[text] = vec
                if len(self._map) > self.size:
                    self._map.popitem(last=False)
        return vec

    def clear(self) -> None:
        with self._lock:
            self._map.clear()
            self._owner = None

    def __len__(self) -> int:
        return len(self._map)


_vectors = _Vectors(VECTOR_CACHE_SIZE)


def _parties_of(event_ids: list[int]) -> dict[int, tuple[frozenset[str], frozenset[str]]]:
    """Per event: the blind indexes of its parties' phones, and their names."""
    phones: dict[int, set[str]] = {}
    names: dict[int, set[str]] = {}
    for event_id, index, name in Party.objects.filter(event_id__in=event_ids).values_list(
        "event_id", "phone_index", "name"
    ):
        if index:
            phones.setdefault(event_id, set()).add(index)
        if name and len(name) >= 2 and "某" not in name:  # "柯某" names no one
            names.setdefault(event_id, set()).add(name)
    return {i: (frozenset(phones.get(i, ())), frozenset(names.get(i, ()))) for i in {*phones, *names}}


def _bbox(lat: float, lng: float, metres_: float) -> Q:
    dlat = metres_ / 111_320.0
    dlng = metres_ / (111_320.0 * max(0.05, math.cos(math.radians(lat))))
    return Q(latitude__gte=lat - dlat, latitude__lte=lat + dlat, longitude__gte=lng - dlng, longitude__lte=lng + dlng)


VILLAGE_RADIUS_METRES = 1500.0  # a village's centre to its edge


def _villages_near(event: Event, point: tuple[float, float]) -> list[int] | None:
    """Villages of the event's county whose centre lies within reach of its point; None when the
    county's villages have no coordinates (then the point is matched within the town)."""
    from fengqiao.regions.models import Level, Region

    villages = Region.objects.filter(level=Level.VILLAGE, county_id=event.county_id)
    near = list(
        villages.filter(_bbox(*point, FAR_METRES + VILLAGE_RADIUS_METRES))
        .values_list("id", flat=True)[:60]
    )
    if near or villages.filter(latitude__isnull=False).exists():
        return near
    return None


# What a twin is loaded with (the ≤ limit found, as events), and what a candidate is read as.
TWIN_FIELDS = ("id", "title", "description", "created_at", "latitude", "longitude",
               "grid", "village", "town", "county", "category", "status", "code", "region")
ROW_FIELDS = ("id", "title", "description", "created_at", "latitude", "longitude",
              "grid_id", "village_id", "town_id")
Row = tuple  # ROW_FIELDS, in that order


def candidates(event: Event, window: dt.timedelta = WINDOW) -> list[Row]:
    """Recent live events that could be twins, near in place or sharing a phone with one of its
    parties, as rows of `ROW_FIELDS` (no model instances: most are dismissed at a glance).

    Each query is one indexed range: (village, status, created_at) for the event's village and
    the villages near its point; `region_id` for events filed only at its town or county (those
    intake could not route); (town, status, created_at) for an event filed at a town without a
    point; the blind index of its parties' phones (read in the same query). Merged in Python."""
    base = Event.objects.filter(
        status__in=LIVE_STATUSES,
        created_at__gte=event.created_at - window,
        created_at__lte=event.created_at + window,
    ).exclude(pk=event.pk)
    found: dict[int, Row] = {}
    later: list[bool] = []  # is any live event of the window later than this one? (asked once)

    def take(qs) -> None:
        # The nearest in time on either side. At intake nothing is later: one look along the
        # (status, created_at) index spares every source its later range.
        qs = qs.values_list(*ROW_FIELDS)
        for row in qs.filter(created_at__lte=event.created_at).order_by("-created_at")[:CANDIDATE_CAP]:
            found.setdefault(row[0], row)
        if not later:  # the same as `base` past this event, but bounded below by it (SQLite keeps one bound)
            later.append(Event.objects.filter(
                status__in=LIVE_STATUSES, created_at__gt=event.created_at, created_at__lte=event.created_at + window,
            ).exclude(pk=event.pk).exists())
        if later[0]:
            for row in qs.filter(created_at__gt=event.created_at).order_by("created_at")[:CANDIDATE_CAP]:
                found.setdefault(row[0], row)

    point = (event.latitude, event.longitude) if event.latitude is not None and event.longitude is not None else None
    villages: set[int] = {event.village_id} if event.village_id else set()
    near_point = None
    if point is not None and event.county_id:
        near = _villages_near(event, point)
        if near is None:  # no village coordinates: points within the town (or county)
            scope = {"town_id": event.town_id} if event.town_id else {"county_id": event.county_id}
            near_point = base.filter(**scope).filter(_bbox(*point, FAR_METRES))
        else:
            villages |= set(near)
    if villages:
        take(base.filter(village_id__in=sorted(villages)))
    if near_point is not None:
        take(near_point)
    # Filed only at a town or the county: waiting for a village, like many twins.
    for above in (event.town_id, event.county_id):
        if above:  # one equality each: `region_id IN (…)` lets SQLite pick the (status, created_at) index
            take(base.filter(region_id=above))
    if not event.village_id and point is None:  # filed at a town (or county) with nothing finer
        if event.town_id:
            take(base.filter(town_id=event.town_id))
        elif event.county_id:
            take(base.filter(county_id=event.county_id))
    if point is not None and not event.county_id:  # filed nowhere: the recent window, by point only
        take(base.filter(_bbox(*point, FAR_METRES)))
    own_phones = Party.objects.filter(event_id=event.pk).exclude(phone_index="").values("phone_index")
    ids = list(
        Party.objects.filter(phone_index__in=own_phones).exclude(event_id=event.pk)
        .order_by("-event_id").values_list("event_id", flat=True)[:PHONE_CAP]
    )
    ids = [i for i in ids if i not in found]
    if ids:
        for row in base.filter(pk__in=ids).values_list(*ROW_FIELDS):
            found[row[0]] = row
    return list(found.values())


def find_twins(*, event: Event, limit: int = 5, threshold: float = THRESHOLD) -> list[tuple[Event, float]]:
    """Likely twins of `event` among recent open/unmerged events, best first, score ≥ threshold."""
    if event.pk is None:
        raise ValueError("find_twins needs a saved event")
    pool = candidates(event)
    if not pool:
        return []
    empty: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())
    parties = _parties_of([event.pk, *(row[0] for row in pool)])
    own = parties.get(event.pk, empty)
    model = _model()
    _vectors.bind(model)
    me = Signature(
        pk=event.pk, text=event_text(event.title, event.description), created_at=event.created_at,
        latitude=event.latitude, longitude=event.longitude, grid_id=event.grid_id,
        village_id=event.village_id, town_id=event.town_id, phones=own[0], names=own[1],
    )
    me.vector = _vectors.get(me.text, model)
    scored: list[tuple[int, float]] = []
    for pk, title, description, created_at, lat, lng, grid_id, village_id, town_id in pool:
        phones, names = parties.get(pk, empty)
        other = Signature(pk=pk, text="", created_at=created_at, latitude=lat, longitude=lng, grid_id=grid_id,
                          village_id=village_id, town_id=town_id, phones=phones, names=names)
        # `score(me, other)`, the text last and only where it can still matter.
        parts = _cheap_parts(me, other)
        if _ceiling(parts) < threshold:
            continue
        other.text = event_text(title, description)
        other.vector = _vectors.get(other.text, model)
        cos = cosine(me.vector, other.vector)
        parts["cosine"], parts["text"] = cos, min(1.0, cos / TEXT_FULL)
        s = _weighed(parts)
        if s >= threshold:
            scored.append((pk, s))
    scored.sort(key=lambda pair: (-pair[1], -pair[0]))
    scored = scored[:limit]
    if not scored:
        return []
    events = Event.objects.only(*TWIN_FIELDS).in_bulk([pk for pk, _s in scored])
    return [(events[pk], s) for pk, s in scored if pk in events]
