"""fengqiao scan_clocks: warn before every workflow's time limits and notice those passed, once."""

from django.core.management.base import BaseCommand, CommandError

from fengqiao.workflow.clocks import scan


class Command(BaseCommand):
    help = ("Warn running time limits (petitions, mediation cases, …) before they end and notice "
            "those that have passed (the every-minute task, once).")

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=200, help="clocks read per query")

    def handle(self, *args, **options):
        batch_size = options["batch_size"]
        if not 1 <= batch_size <= 10_000:
            raise CommandError("--batch-size must be between 1 and 10000")
        counts = scan(batch_size=batch_size)
        self.stdout.write(
            f"clock warnings: {counts['warned']}, overdue notices: {counts['overdue']}, "
            f"errors: {counts['errors']}"
        )
        if counts["errors"]:
            self.stderr.write("some clocks failed; see the log. They are retried on the next run.")
