"""fengqiao create_intake_system NAME --source S [--within CODE] [--callback-url URL]:
register a sending system (12345, 110, online opinion, video …) and print its API key once."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from fengqiao.events.models import Source
from fengqiao.intake.actions import intake_system_create
from fengqiao.lib.errors import DomainError
from fengqiao.regions.models import Region


class Command(BaseCommand):
    help = ("Register a sending system and print its API key (X-Api-Key) once; only its digest is "
            "stored. It posts to /api/v1/intake/<source>.")

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--source", required=True, choices=Source.values)
        parser.add_argument("--within", default="", help="code of the region it serves (its county)")
        parser.add_argument("--callback-url", default="", help="where resolved/closed notices are posted")

    def handle(self, *args, name: str, source: str, within: str, callback_url: str, **options):
        region = None
        if within:
            region = Region.objects.filter(code=within, retired_at=None).first()
            if region is None:
                raise CommandError(f"no active region with code {within!r}")
        try:
            system, raw = intake_system_create(name=name, source=source, within=region,
                                               callback_url=callback_url, actor=None)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(raw)
        self.stderr.write(
            f"sending system {system.name} (id {system.pk}) created; its key is shown only this once. "
            f"It posts to /api/v1/intake/{source} with the header X-Api-Key.\n"
            f"Callbacks to it are signed (X-Fengqiao-Signature, HMAC-SHA256) with this secret, also "
            f"shown only once: {system.callback_secret}"
        )
