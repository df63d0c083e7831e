"""fengqiao train_classifier: learn category suggestions from the platform's past events."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from fengqiao.triage import classify


class Command(BaseCommand):
    help = "Train the category suggester on events with a settled category and store a new version."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--limit", type=int, default=None,
                            help="at most this many of the newest events (default FENGQIAO_TRIAGE_TRAIN_LIMIT or 200000)")

    def handle(self, *args, limit: int | None = None, **options) -> None:
        if limit is not None and limit < 1:
            from django.core.management.base import CommandError

            raise CommandError("--limit must be positive")
        report = classify.train(limit=limit)
        if report.version is None:
            self.stdout.write(
                f"not enough data: {report.events} events in {report.categories} categories "
                f"(need {classify.MIN_EVENTS} events in at least 2); no suggestions until then"
            )
            return
        self.stdout.write(
            f"classifier v{report.version}: {report.events} events, {report.categories} categories, "
            f"{report.features} features, temperature {report.temperature:.2f}, {report.seconds:.2f} s"
        )
