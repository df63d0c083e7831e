"""fengqiao unlock_login USERNAME | --address IP: lift a sign-in lock before it runs out."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from fengqiao.people import throttle


class Command(BaseCommand):
    help = "Lift the sign-in lock of an account (USERNAME) or of a client address (--address), audited."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", default="")
        parser.add_argument("--address", default="", help="a client address locked for too many failures")

    def handle(self, *args, username: str, address: str, **options):
        if bool(username) == bool(address):
            raise CommandError("give either USERNAME or --address")
        key = throttle.account_key(username) if username else throttle.address_key(address)
        if not throttle.unlock(key=key, actor=None):
            raise CommandError(f"{username or address} is not locked")
        self.stdout.write(f"unlocked {username or address}")
