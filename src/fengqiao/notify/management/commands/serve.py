"""fengqiao serve [addrport]: the web server and the background worker in one process.

Starts the Huey consumer (worker threads plus the scheduler that runs the every-minute tasks:
outbox delivery and the deadline scanner) inside this process, then Django's development server
without autoreload, so the demo needs no second terminal. Ctrl-C stops both: the server first,
then the workers finish the task in hand.

For production run a real WSGI server and ``fengqiao run_huey`` separately.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import autodiscover_modules
from huey.consumer import Consumer
from huey.consumer_options import ConsumerConfig

logger = logging.getLogger(__name__)


class InProcessConsumer(Consumer):
    """A consumer that leaves the process's signal handlers alone: Ctrl-C belongs to the server."""

    def _set_signal_handlers(self) -> None:
        return


class Command(BaseCommand):
    help = "Run the web server and the background worker (Huey) together, for the demo and small sites."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000",
                            help="address and port to listen on (default 127.0.0.1:8000)")
        parser.add_argument("--workers", type=int, default=None,
                            help="worker threads (default: HUEY['consumer']['workers'] or 2)")
        parser.add_argument("--no-worker", action="store_true",
                            help="serve only, without the in-process worker")
        parser.add_argument("--nostatic", action="store_true",
                            help="do not serve static files")

    def handle(self, *args, **options):
        consumer = None if options["no_worker"] else self._start_consumer(options["workers"])
        try:
            call_command(
                "runserver", options["addrport"], use_reloader=False,
                use_static_handler=not options["nostatic"], insecure_serving=True,
            )
        finally:
            if consumer is not None:
                self.stdout.write("stopping the worker …")
                consumer.stop(graceful=True)

    def _start_consumer(self, workers: int | None) -> Consumer | None:
        from huey.contrib.djhuey import HUEY

        if HUEY.immediate:
            self.stdout.write("Huey runs in immediate mode (FENGQIAO_HUEY_IMMEDIATE): tasks run "
                              "inline, no worker started; periodic tasks do not run.")
            return None
        consumer: dict[str, Any] = (
            settings.HUEY.get("consumer", {}) if isinstance(settings.HUEY, dict) else {}
        )
        options = dict(consumer)
        options.update(worker_type="thread", max_delay=1.0, shutdown_timeout=15.0)
        if workers is not None:
            if workers < 1:
                raise CommandError("--workers must be at least 1")
            options["workers"] = workers
        options.setdefault("workers", 2)
        config = ConsumerConfig(**options)
        try:
            config.validate()
        except ValueError as exc:
            raise CommandError(f"bad HUEY consumer settings: {exc}") from None
        autodiscover_modules("tasks")
        consumer = InProcessConsumer(HUEY, **config.values)
        consumer.start()
        self.stdout.write(
            f"worker: {config.workers} thread(s) on {type(HUEY).__name__} "
            f"({HUEY.name}); periodic tasks every minute"
        )
        return consumer
