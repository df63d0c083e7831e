"""Build the demo county: places, people, and a year of events through the real actions."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, cast

from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.operations.special import RunPython
from django.utils import timezone

from fengqiao.demo import extras, geography, people, places, stories
from fengqiao.demo import grid as grid_demo
from fengqiao.demo import majors as majors_demo
from fengqiao.demo import mediation as mediation_demo
from fengqiao.demo import petitions as petition_demo
from fengqiao.demo.people import Login
from fengqiao.events.models import Event
from fengqiao.lib.errors import DomainError
from fengqiao.people.models import Person
from fengqiao.regions.importer import ImportReport
from fengqiao.regions.models import Region

if TYPE_CHECKING:
    from django.db.backends.base.schema import BaseDatabaseSchemaEditor

DEFAULT_EVENTS = 12000


class DemoError(DomainError):
    """The demo cannot be built as asked (data already there, bad arguments)."""

    code = "demo"


@dataclass
class DemoReport:
    regions: dict[str, int] = field(default_factory=dict)
    people: int = 0
    events: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    actions: Counter = field(default_factory=Counter)
    logins: list[Login] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    import_report: ImportReport | None = None
    texts_delivered: int = 0  # historic texts marked sent at their own time
    extras: extras.ExtrasReport | None = None  # what the channels, triage, command, supervision add
    petitions: petition_demo.PetitionsReport | None = None  # the petition office's two years
    mediation: mediation_demo.MediationReport | None = None  # the mediation centre's year
    grid: grid_demo.GridReport | None = None  # 柚相邻's grids, visits, checks, teams and incentives
    majors: majors_demo.MajorsReport | None = None  # the ledger of major matters, stationed cadres


def database_has_data() -> bool:
    return Region.objects.exists() or Person.objects.exists() or Event.objects.exists()


def reset_database() -> None:
    """Empty every table (flush), then put back the rows the data migrations ship (the default
    categories and deadline policies) by replaying their RunPython steps as `migrate` did."""
    call_command("flush", interactive=False, verbosity=0)
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    own = _own_apps()
    ordered: list[tuple[str, str]] = []
    for leaf in sorted(graph.leaf_nodes()):
        ordered += [n for n in graph.forwards_plan(leaf) if n not in ordered]
    for node in ordered:
        migration = graph.nodes[node]
        if node[0] not in own or node not in executor.loader.applied_migrations:
            continue
        if not any(isinstance(op, RunPython) for op in migration.operations):
            continue
        state = executor.loader.project_state(node, at_end=False)
        # Data steps use only `schema_editor.connection`; a real schema editor cannot open
        # inside a transaction on SQLite.
        editor = SimpleNamespace(connection=connection)
        with transaction.atomic():
            for op in migration.operations:
                if isinstance(op, RunPython):
                    # The schema editor's only part the data steps use is its connection.
                    op.code(state.apps, cast("BaseDatabaseSchemaEditor", editor))
                else:
                    op.state_forwards(migration.app_label, state)


def _own_apps() -> set[str]:
    from django.apps import apps

    return {a.label for a in apps.get_app_configs() if a.name.startswith("fengqiao.")}


def build_places(*, rng: random.Random, stdout=None) -> tuple[places.County, ImportReport]:
    report = places.import_slice(stdout=stdout)
    with transaction.atomic():
        places.create_grids(rng=rng)
    county = places.load_county()
    # A fixed stream of its own: the outlines never shift the people and events of the seed.
    geography.create_shapes(county=county.county, rng=random.Random("xianyou-outlines"))
    return places.load_county(), report


def mark_history_delivered(*, as_of: dt.datetime) -> int:
    """The year's texts went out when they were written: mark the demo's historic outbox rows
    sent at their own time, so the first `serve` does not send 60,000 stale texts. Texts of the
    last hour stay pending for the worker to deliver."""
    from django.db.models import F

    from fengqiao.notify.models import OutboxMessage

    return OutboxMessage.objects.filter(
        state=OutboxMessage.State.PENDING, created_at__lt=as_of - dt.timedelta(hours=1)
    ).update(state=OutboxMessage.State.SENT, sent_at=F("created_at"), attempts=1,
             provider_id="demo-history")


def build_demo(
    *,
    events: int = DEFAULT_EVENTS,
    seed: int = 2026,
    reset: bool = False,
    as_of: dt.datetime | None = None,
    progress: bool = False,
    stdout=None,
) -> DemoReport:
    """The whole demo. Refuses to touch a database that holds data unless `reset`."""
    if events < 1:
        raise DemoError("--events must be at least 1")
    if reset:
        reset_database()
    elif database_has_data():
        raise DemoError(
            "the database already holds regions, people or events; "
            "run `fengqiao demo --reset` to wipe it and build the demo afresh"
        )
    as_of = (as_of or timezone.now()).replace(second=0, microsecond=0)
    rng = random.Random(seed)
    report = DemoReport()
    started = time.perf_counter()
    county, report.import_report = build_places(rng=rng, stdout=stdout)
    with transaction.atomic():
        people.create_people(county=county, rng=rng)
    roster = people.load_roster(county)
    report.seconds["places and people"] = time.perf_counter() - started

    started = time.perf_counter()
    plans = stories.plan_events(n=events, seed=seed, county=county, as_of=as_of)
    report.seconds["planning"] = time.perf_counter() - started

    started = time.perf_counter()
    player = stories.StoryPlayer(county=county, roster=roster, as_of=as_of, seed=seed)
    iterator = plans
    if progress:
        from tqdm import tqdm

        iterator = tqdm(plans, desc="events", unit="ev", file=stdout, mininterval=1.0)
    for plan in iterator:
        player.play(plan)
    report.seconds["events"] = time.perf_counter() - started

    started = time.perf_counter()
    if stdout is not None and progress:
        stdout.write("extras: feeds, citizens, classifier, triage, campaigns, categories, records …\n")
    report.extras = extras.build_extras(county=county, roster=roster, as_of=as_of, events=events, seed=seed)
    report.seconds["extras"] = time.perf_counter() - started
    started = time.perf_counter()
    report.petitions = petition_demo.build_petitions(county=county, roster=roster, as_of=as_of, events=events,
                                                     seed=seed)
    report.seconds["petitions"] = time.perf_counter() - started
    started = time.perf_counter()
    report.mediation = mediation_demo.build_mediation(county=county, roster=roster, as_of=as_of, seed=seed,
                                                      cases=max(60, round(events * 0.035)),
                                                      tasks=max(25, round(events * 0.0125)))
    report.seconds["mediation"] = time.perf_counter() - started
    started = time.perf_counter()
    report.grid = grid_demo.build_grid(county=county, roster=roster, as_of=as_of, seed=seed, events=events)
    report.seconds["grid and incentives"] = time.perf_counter() - started
    started = time.perf_counter()
    report.majors = majors_demo.build_majors(county=county, roster=roster, as_of=as_of, events=events, seed=seed)
    report.seconds["majors and stationing"] = time.perf_counter() - started
    report.texts_delivered = mark_history_delivered(as_of=as_of)

    report.regions = dict(Counter(Region.objects.values_list("level", flat=True)))
    report.people = Person.objects.count()
    report.events = Event.objects.count()
    report.statuses = dict(Counter(Event.objects.values_list("status", flat=True)))
    report.actions = (player.stats.actions + report.extras.actions + report.petitions.actions
                      + report.mediation.actions)
    report.actions += report.majors.actions
    report.logins = roster.logins
    return report
