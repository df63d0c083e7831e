"""Load test: N clients at once acting on shared events through `fengqiao serve` on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fengqiao_bench \\
        .venv/bin/python bench/bench_serve.py [--clients 50 200] [--seconds 20] [--events 2000]

Loopback only (127.0.0.1), bounded in time (--seconds per round) and in requests (--max-requests
per client), stops by itself. It re-creates the bench database (its name must contain "bench"),
loads the demo's places and people with `bench_seed --events N` for the worklists, registers
--shared events through the API, starts `fengqiao serve` (2 processes × 4 threads and one Huey
consumer) and releases each round's clients together: each loops over a mix of worklist reads,
event detail reads and actions on the shared events (acknowledge, comment, urge, resolve, call
back, close) as the village secretary or the county operator. It counts connection resets and
other socket errors, 5xx, 409 (an illegal move in the state the event had reached: expected) and
every other status; samples pg_stat_activity every 0.2 s for the connections to the bench
database; and afterwards runs `fengqiao verify_audit` and checks that each shared event's audit
rows form a legal path through the state machine (each row starts where the previous ended and
is a move `events/statemachine.py` allows). See bench/README.md "Served under load".
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from harness import ROOT, fresh_database, machine_line, migrate, percentile, setup_django

WORKERS, THREADS = 2, 4
VILLAGE = "350322103208"  # 度尾镇洋坂村: the demo's secretary is posted there


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "fengqiao.config.cli", *args]


class Client:
    """One keep-alive connection, reopened after a socket error."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.token, self.connection = port, token, None

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        data = json.dumps(body).encode() if body is not None else None
        try:
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
            payload = response.read()
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return response.status, payload
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def _action(rng: random.Random, as_operator: bool) -> dict:
    if as_operator:
        return rng.choice([
            {"action": "urge", "note": "请尽快办理"},
            {"action": "comment", "text": "指挥中心跟进"},
            {"action": "call_back", "satisfaction": "satisfied", "note": "回访满意"},
            {"action": "close"},
        ])
    return rng.choice([
        {"action": "acknowledge"},
        {"action": "comment", "text": "已联系当事人"},
        {"action": "resolve", "result": "已协调发放拖欠工资"},
    ])


def run_round(*, port: int, clients: int, seconds: float, max_requests: int, tokens: dict[str, str],
              shared: list[int], dbname: str, pool_size: int) -> dict:
    import psycopg

    stop = threading.Event()
    barrier = threading.Barrier(clients + 1)
    lock = threading.Lock()
    statuses: Counter = Counter()
    errors: Counter = Counter()
    kinds: Counter = Counter()
    latencies: list[float] = []
    samples: list[int] = []

    def client(i: int) -> None:
        rng = random.Random(i)
        as_operator = i % 2 == 0
        c = Client(port, tokens["operator" if as_operator else "secretary"])
        barrier.wait()
        for _ in range(max_requests):
            if stop.is_set():
                break
            roll = rng.random()
            event = rng.choice(shared)
            if roll < 0.35:
                kind, method, path, body = "worklist", "GET", f"/api/v1/events?page={rng.randint(1, 3)}", None
            elif roll < 0.6:
                kind, method, path, body = "detail", "GET", f"/api/v1/events/{event}", None
            else:
                body = _action(rng, as_operator)
                kind, method, path = f"{body['action']}", "POST", f"/api/v1/events/{event}/actions"
            started = time.perf_counter()
            try:
                status, _ = c.request(method, path, body)
            except (ConnectionResetError, BrokenPipeError) as exc:
                with lock:
                    errors[type(exc).__name__] += 1
                continue
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    errors[type(exc).__name__] += 1
                continue
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[status] += 1
                kinds[(kind, status)] += 1
        c.close()

    def sampler() -> None:
        with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as raw:
            while not stop.is_set():
                samples.append(raw.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [dbname]).fetchone()[0])
                time.sleep(0.2)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    watcher = threading.Thread(target=sampler, daemon=True)
    watcher.start()
    barrier.wait()
    started = time.perf_counter()
    deadline = started + seconds
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.perf_counter()))
    stop.set()
    for t in threads:
        t.join(timeout=90)
    wall = time.perf_counter() - started
    watcher.join(timeout=5)
    requests = sum(statuses.values())
    return {
        "clients": clients, "requests": requests, "seconds": round(wall, 1),
        "throughput": round(requests / wall, 1) if wall else 0,
        "p50_ms": round(percentile(latencies, 50) * 1000) if latencies else None,
        "p95_ms": round(percentile(latencies, 95) * 1000) if latencies else None,
        "resets": errors.get("ConnectionResetError", 0) + errors.get("BrokenPipeError", 0),
        "socket_errors": dict(errors),
        "5xx": sum(n for s, n in statuses.items() if s >= 500),
        "409": statuses.get(409, 0),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "by_kind": {f"{k} {s}": n for (k, s), n in sorted(kinds.items())},
        "max_connections": max(samples) if samples else None,
        "bound": (WORKERS + 1) * pool_size,
    }


def audit_paths_are_legal(shared: list[int]) -> tuple[int, int, list[str]]:
    """(events checked, rows checked, problems) for the shared events' audit rows."""
    from fengqiao.audit.models import AuditEntry
    from fengqiao.events.statemachine import MOVES

    problems: list[str] = []
    rows = 0
    for event_id in shared:
        entries = list(AuditEntry.objects.filter(event_id=event_id).order_by("seq")
                       .values_list("seq", "action", "from_state", "to_state"))
        state = None
        for seq, action, before, after in entries:
            rows += 1
            if state is not None and before != state:
                problems.append(f"event {event_id} seq {seq}: starts in {before}, the previous row ended in {state}")
            move = MOVES.get(action)
            if move is not None:
                targets = {move.target} if move.target else ({before} | set(move.outcomes.values()))
                if before not in move.sources or after not in targets:
                    problems.append(f"event {event_id} seq {seq}: {action} {before} → {after} is not a move")
            state = after
    return len(shared), rows, problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each round (default 20)")
    parser.add_argument("--max-requests", type=int, default=400, help="requests per client at most")
    parser.add_argument("--events", type=int, default=2000, help="background events from bench_seed")
    parser.add_argument("--shared", type=int, default=30, help="events every client acts on")
    args = parser.parse_args()

    label = fresh_database()
    migrate()
    subprocess.run(_cli("bench_seed", "--events", str(args.events), "--no-progress"), check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    setup_django()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection

    from fengqiao.people.models import ApiToken

    if connection.vendor != "postgresql":
        sys.exit("bench_serve measures PostgreSQL (the pool and pg_stat_activity): set DATABASE_URL")
    users = get_user_model().objects
    tokens = {name: ApiToken.issue(user=users.get(username=name))[1] for name in ("operator", "secretary")}
    dbname = connection.settings_dict["NAME"]
    pool_size = settings.FENGQIAO_DB_POOL_SIZE
    connection.close()

    port = _free_port()
    tmp = Path(tempfile.mkdtemp(prefix="fq-bench-serve-"))
    env = dict(os.environ, FENGQIAO_SMS_BACKEND="file", FENGQIAO_SMS_FILE=str(tmp / "sms.log"),
               FENGQIAO_HUEY_FILE=str(tmp / "huey.db"), PYTHONUNBUFFERED="1")
    env.pop("REDIS_URL", None)
    log = open(tmp / "serve.log", "w")
    server = subprocess.Popen(_cli("serve", f"127.0.0.1:{port}", "--workers", str(WORKERS),
                                   "--threads", str(THREADS)), env=env, cwd=ROOT, stdout=log, stderr=log)
    results = []
    try:
        operator = Client(port, tokens["operator"])
        for _ in range(600):
            try:
                if operator.request("GET", "/api/v1/me/notifications")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)

        def register(n: int, round_: int) -> list[int]:
            operator.close()  # idle past the keep-alive during the last round: a new connection
            ids = []
            for i in range(n):
                status, body = operator.request("POST", "/api/v1/events", {
                    "title": f"洋坂村工资纠纷 bench {round_}-{i}", "category_code": "dispute.wages",
                    "source": "walk_in", "region_code": VILLAGE,
                })
                assert status == 201, (status, body)
                ids.append(json.loads(body)["id"])
            return ids

        shared: list[int] = []
        print(machine_line())
        print(f"database: {label}; fengqiao serve {WORKERS} processes × {THREADS} threads + 1 Huey "
              f"consumer; pool {pool_size} per process; {args.shared} shared events; log {tmp / 'serve.log'}")
        for round_, clients in enumerate(args.clients):
            fresh = register(args.shared, round_)  # each round starts on events just registered
            shared += fresh
            result = run_round(port=port, clients=clients, seconds=args.seconds, max_requests=args.max_requests,
                               tokens=tokens, shared=fresh, dbname=dbname, pool_size=pool_size)
            results.append(result)
            print(json.dumps(result, ensure_ascii=False), flush=True)
        operator.close()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()

    verify = subprocess.run(_cli("verify_audit"), cwd=ROOT, capture_output=True, text=True)
    print(f"verify_audit: exit {verify.returncode}: {(verify.stdout + verify.stderr).strip()[-300:]}")
    events, rows, problems = audit_paths_are_legal(shared)
    print(f"audit paths: {events} events, {rows} rows, {len(problems)} illegal" +
          ("".join(f"\n  {p}" for p in problems[:20])))
    from fengqiao.events.models import Event

    print("shared events now: " + ", ".join(
        f"{k} {v}" for k, v in Counter(Event.objects.filter(id__in=shared).values_list("status", flat=True)).most_common()))
    print(f"server exit: {server.returncode}")
    ok = (verify.returncode == 0 and not problems and all(r["resets"] == 0 and r["5xx"] == 0 for r in results)
          and all(r["max_connections"] is not None and r["max_connections"] <= r["bound"] for r in results))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
