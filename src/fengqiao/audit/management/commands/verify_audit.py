"""fengqiao verify_audit: walk the hash chains; exit 1 naming the first bad row.

By default every row of every chain (and every signed checkpoint); `--incremental` walks only
what was written since the last signed checkpoints and moves them — the cost follows the day's
writes, not the size of the record, so it can run nightly while the full walk runs monthly."""

from django.core.management.base import BaseCommand, CommandError

from fengqiao.audit import chain as audit
from fengqiao.audit.models import AuditCheckpoint, AuditEntry, AuditStream


class Command(BaseCommand):
    help = "Verify the tamper-evident audit record; exits non-zero at the first altered or removed row."

    def add_arguments(self, parser):
        parser.add_argument("--incremental", action="store_true",
                            help="only the rows written since each stream's signed checkpoint; then move the checkpoints")

    def handle(self, *args, incremental: bool = False, **options):
        if incremental:
            result = audit.verify_incremental()
            if result.problem is not None:
                raise CommandError(f"audit record is broken at {result.problem}")
            self.stdout.write(
                f"audit record intact since the last checkpoints: {result.rows} new rows in {result.streams} "
                f"changed chains; {result.checkpoints} checkpoints signed")
            return
        problem = audit.verify() or audit.verify_checkpoints()
        if problem is not None:
            raise CommandError(f"audit record is broken at {problem}")
        self.stdout.write(
            f"audit record intact: {AuditEntry.objects.count()} rows in {AuditStream.objects.count()} chains"
            f" ({AuditCheckpoint.objects.count()} signed checkpoints hold)"
        )
