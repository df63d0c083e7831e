"""fengqiao verify_audit: walk every hash chain; exit 1 naming the first bad row."""

from django.core.management.base import BaseCommand, CommandError

from fengqiao.audit import chain as audit
from fengqiao.audit.models import AuditEntry, AuditStream


class Command(BaseCommand):
    help = "Verify the tamper-evident audit record; exits non-zero at the first altered or removed row."

    def handle(self, *args, **options):
        problem = audit.verify()
        if problem is not None:
            raise CommandError(f"audit record is broken at {problem}")
        self.stdout.write(
            f"audit record intact: {AuditEntry.objects.count()} rows in {AuditStream.objects.count()} chains"
        )
