"""fengqiao scan_deadlines: warn before deadlines and notify overdue events, once."""

from django.core.management.base import BaseCommand, CommandError

from fengqiao.events.scanner import scan_deadlines


class Command(BaseCommand):
    help = "Warn events nearing their deadline and notify overdue ones (the every-minute task, once)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=200, help="events read per query")

    def handle(self, *args, **options):
        batch_size = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        counts = scan_deadlines(batch_size=batch_size)
        self.stdout.write(
            f"deadline warnings: {counts['warned']}, overdue notices: {counts['overdue']}, "
            f"errors: {counts['errors']}"
        )
        if counts["errors"]:
            self.stderr.write("some events failed; see the log. They are retried on the next run.")
