"""fengqiao serve [ADDR:PORT | unix:PATH]: the production web server and the background worker.

Runs gunicorn (a master and ``--workers`` processes of ``--threads`` threads each, the gthread
worker) in this process and the Huey consumer (``fengqiao run_huey``: ``--huey-workers`` threads plus
the scheduler that runs the every-minute tasks, outbox delivery and the deadline scanner) as one child
process of the gunicorn master, so the consumer runs exactly once whatever the number of web
workers, and the demo needs one command. Ctrl-C or SIGTERM stops both: the web workers first (the
requests in hand are finished), then the consumer finishes the task in hand.

More app processes on the same machine or others: ``fengqiao serve --no-worker`` (web only); more
workers: ``fengqiao run_huey`` on Redis (REDIS_URL). See README "Production".

Each process holds its own PostgreSQL pool of at most FENGQIAO_DB_POOL_SIZE connections, so this
command opens at most (workers + 1) × FENGQIAO_DB_POOL_SIZE connections.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from gunicorn.app.base import BaseApplication

# Huey gets this long to finish the task in hand after the web server stopped, then SIGTERM.
HUEY_SHUTDOWN_SECONDS = 20


def _bind_address(addrport: str) -> str:
    """'8000' → 127.0.0.1:8000; 'HOST:PORT' and 'unix:/path.sock' as given."""
    if addrport.startswith("unix:"):
        return addrport
    if addrport.isdigit():
        return f"127.0.0.1:{addrport}"
    host, sep, port = addrport.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise CommandError(f"{addrport!r} is not ADDR:PORT, PORT or unix:PATH")
    return addrport


def _die_with_parent() -> None:
    """In the Huey child before exec: SIGTERM when the gunicorn master dies (even SIGKILLed), so no
    consumer is left running alone (Linux; elsewhere the master's on_exit is the only stop)."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


class HueyChild:
    """The one Huey consumer, a child process of the gunicorn master."""

    def __init__(self, workers: int, say) -> None:
        self.workers = workers
        self.say = say
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        from huey.contrib.djhuey import HUEY

        argv = [sys.executable, "-m", "fengqiao.config.cli", "run_huey",
                "--workers", str(self.workers), "--worker-type", "thread", "--max-delay", "1.0"]
        # Its own process group: Ctrl-C reaches the master, which stops the web workers first and
        # then this consumer (gracefully, SIGINT), instead of both at once.
        self.process = subprocess.Popen(argv, process_group=0, preexec_fn=_die_with_parent)  # noqa: PLW1509
        self.say(f"worker: {self.workers} thread(s) on {type(HUEY).__name__} ({HUEY.name}) in "
                 f"process {self.process.pid}; periodic tasks every minute")

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        self.say("stopping the worker …")
        process.send_signal(signal.SIGINT)  # Huey: graceful, finish the task in hand
        try:
            process.wait(timeout=HUEY_SHUTDOWN_SECONDS)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class WebServer(BaseApplication):
    """gunicorn run from the management command: no config file, no command line of its own."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from django.core.wsgi import get_wsgi_application
        from django.urls import get_resolver

        application = get_wsgi_application()
        get_resolver().url_patterns  # import every view now, in the master (preload), not per request  # noqa: B018
        # The master must not hand an open connection (or a pool with its threads) to the workers.
        _close_database_connections()
        return application


def _close_database_connections() -> None:
    for connection in connections.all(initialized_only=True):
        connection.close()
    for alias in connections:
        close_pool = getattr(connections[alias], "close_pool", None)
        if close_pool is not None:
            close_pool()


class Command(BaseCommand):
    help = ("Run the web server (gunicorn: several processes with threads) and the background "
            "worker (one Huey consumer) together.")

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000",
                            help="ADDR:PORT, PORT or unix:PATH to listen on (default 127.0.0.1:8000)")
        parser.add_argument("--workers", type=int, default=2,
                            help="web server processes (default 2, one per core)")
        parser.add_argument("--threads", type=int, default=4,
                            help="request threads per web process (default 4)")
        parser.add_argument("--huey-workers", type=int, default=None,
                            help="Huey consumer threads (default: HUEY['consumer']['workers'] or 2)")
        parser.add_argument("--no-worker", action="store_true",
                            help="web server only, without the Huey consumer (for extra app processes)")
        parser.add_argument("--backlog", type=int, default=2048,
                            help="connections the kernel queues before the server accepts them (default 2048)")
        parser.add_argument("--timeout", type=int, default=60,
                            help="seconds before a stuck web process is restarted (default 60)")
        parser.add_argument("--keep-alive", type=int, default=5,
                            help="seconds an idle keep-alive connection stays open (default 5)")
        parser.add_argument("--access-log", action="store_true",
                            help="log every request to stderr")

    def handle(self, *args, **options):
        for name in ("workers", "threads", "backlog", "timeout"):
            if options[name] < 1:
                raise CommandError(f"--{name} must be at least 1")
        from fengqiao.config.checks import DEV_SECRET_NOTICE, uses_development_secret

        if uses_development_secret():  # once per start (the worker and web processes stay quiet)
            self.stderr.write(f"warning: {DEV_SECRET_NOTICE} Set SECRET_KEY before serving anyone else.")
        huey = None if options["no_worker"] else self._huey(options["huey_workers"])
        pool_size = getattr(settings, "FENGQIAO_DB_POOL_SIZE", 0)
        if connections["default"].vendor == "postgresql" and 0 < pool_size < options["threads"]:
            self.stderr.write(f"FENGQIAO_DB_POOL_SIZE={pool_size} is below --threads "
                              f"{options['threads']}: requests will wait for a connection")

        def when_ready(arbiter) -> None:
            if huey is not None:
                huey.start()

        def on_exit(arbiter) -> None:
            if huey is not None:
                huey.stop()

        gunicorn_options: dict[str, Any] = {
            "bind": [_bind_address(options["addrport"])],
            "workers": options["workers"],
            "worker_class": "gthread",
            "threads": options["threads"],
            # A burst of clients waits in the kernel's queue and then in the workers' connection
            # lists instead of being reset (the development server queued 5).
            "backlog": options["backlog"],
            "worker_connections": 1000,
            "timeout": options["timeout"],
            "graceful_timeout": 30,
            "keepalive": options["keep_alive"],
            "preload_app": True,
            "proc_name": "fengqiao",
            "accesslog": "-" if options["access_log"] else None,
            "errorlog": "-",
            "control_socket_disable": True,
            "when_ready": when_ready,
            "on_exit": on_exit,
        }
        _close_database_connections()
        WebServer(gunicorn_options).run()

    def _huey(self, workers: int | None) -> HueyChild | None:
        from huey.contrib.djhuey import HUEY

        if HUEY.immediate:
            self.stdout.write("Huey runs in immediate mode (FENGQIAO_HUEY_IMMEDIATE): tasks run "
                              "inline, no worker started; periodic tasks do not run.")
            return None
        if workers is None:
            consumer = settings.HUEY.get("consumer", {}) if isinstance(settings.HUEY, dict) else {}
            workers = int(consumer.get("workers", 2))
        if workers < 1:
            raise CommandError("--huey-workers must be at least 1")

        def say(message: str) -> None:
            self.stdout.write(message)
            self.stdout.flush()

        return HueyChild(workers, say)
