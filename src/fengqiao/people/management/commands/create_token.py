"""fengqiao create_token USERNAME [--name NAME]: print a new API token for the user."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from fengqiao.people.actions import api_token_issue


class Command(BaseCommand):
    help = "Issue an API token (Authorization: Bearer <token>) for USERNAME and print it once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for, e.g. 12345 bridge")

    def handle(self, *args, username: str, name: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        if not user.is_active:
            raise CommandError(f"user {username!r} is inactive")
        if len(name) > 100:
            raise CommandError("--name: at most 100 characters")
        _, raw = api_token_issue(user=user, name=name, actor=None)
        self.stdout.write(raw)
        self.stderr.write(
            f"token for {username} issued; it is shown only this once (only its digest is stored)"
        )
