"""fengqiao deliver_outbox: deliver every due text and webhook once (for cron and operators)."""

from django.core.management.base import BaseCommand, CommandError

from fengqiao.notify.delivery import deliver_all_due


class Command(BaseCommand):
    help = "Deliver everything due in the outbox now, then exit."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=100, help="rows claimed per batch")

    def handle(self, *args, **options):
        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1")
        report = deliver_all_due(batch=options["batch"])
        self.stdout.write(
            "outbox: " + ", ".join(f"{name} {value}" for name, value in report.as_dict().items())
        )
