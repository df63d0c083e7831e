"""`fengqiao serve`: gunicorn (several processes with threads) and exactly one Huey consumer, in one
command that Ctrl-C or SIGTERM stops whole."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from fengqiao.notify.models import OutboxMessage
from tests.notify.helpers import subprocess_env, wait_for


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _http(method: str, url: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def _children(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of the processes whose parent is `pid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append((int(entry.name), cmdline))
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


class Server:
    def __init__(self, tmp_path, *args: str, **env: str) -> None:
        self.port = _free_port()
        self.sms_file = tmp_path / "sms.log"
        environment = subprocess_env(
            FENGQIAO_SMS_BACKEND="file", FENGQIAO_SMS_FILE=str(self.sms_file),
            FENGQIAO_HUEY_FILE=str(tmp_path / "huey.db"), FENGQIAO_HUEY_IMMEDIATE="false", **env,
        )
        environment.pop("REDIS_URL", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "fengqiao.config.cli", "serve", f"127.0.0.1:{self.port}", *args],
            env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        self.output = ""

        def up() -> bool:
            try:
                return _http("GET", self.base + "/api/v1/me/notifications")[0] == 401
            except OSError:
                return self.process.poll() is not None  # died: stop waiting

        assert wait_for(up, timeout=60) and self.process.poll() is None, self.stop()

    def stop(self, sig: int = signal.SIGINT) -> str:
        self.process.send_signal(sig)
        try:
            self.output, _ = self.process.communicate(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.output, _ = self.process.communicate()
        return self.output


@pytest.mark.django_db(transaction=True)
def test_serve_answers_from_two_web_processes_and_one_worker_delivers_the_texts_an_action_queued(world, tmp_path):
    from fengqiao.people.models import ApiToken

    _, operator_token = ApiToken.issue(user=world.operator.user)
    _, secretary_token = ApiToken.issue(user=world.secretary_a.user)
    server = Server(tmp_path)
    base = server.base + "/api/v1"
    try:
        assert wait_for(lambda: len(_children(server.process.pid)) == 3, timeout=20)
        children = _children(server.process.pid)
        consumers = [pid for pid, cmd in children if "run_huey" in cmd]
        web = [pid for pid, cmd in children if "run_huey" not in cmd]
        assert len(consumers) == 1 and len(web) == 2, children

        status, event = _http("POST", base + "/events", {
            "title": "洋坂村柯某与吴某工资纠纷", "category_code": "dispute.wages", "source": "walk_in",
            "region_code": world.village_a.code,
        }, token=operator_token)
        assert status == 201, event

        # The action's after-commit kick reached the worker: three texts went out, once each.
        def lines() -> list[dict]:
            if not server.sms_file.exists():
                return []
            return [json.loads(line) for line in server.sms_file.read_text("utf-8").splitlines()]

        assert wait_for(lambda: len(lines()) == 3, timeout=30), lines()
        assert sorted(line["to"] for line in lines()) == sorted(
            p.phone for p in (world.secretary_a, world.liaison_a, world.police_a)
        )
        assert all(event["code"] in line["body"] for line in lines())
        assert wait_for(lambda: OutboxMessage.objects.filter(state="sent").count() == 3, timeout=10)

        status, inbox = _http("GET", base + "/me/notifications", token=secretary_token)
        assert status == 200 and inbox["items"][0]["title"] == f"新事项待签收:{event['code']}"
    finally:
        output = server.stop(signal.SIGINT)  # Ctrl-C
    assert server.process.returncode == 0, output
    assert output.count("Huey consumer started") == 1, output
    assert "worker: 2 thread(s) on SqliteHuey" in output
    assert "stopping the worker" in output
    assert not any(_alive(pid) for pid in consumers + web), output


@pytest.mark.django_db(transaction=True)
def test_fifty_clients_at_once_are_all_answered_static_files_included_and_sigterm_stops_everything(tmp_path):
    server = Server(tmp_path, "--workers", "2", "--threads", "2")
    assert wait_for(lambda: len(_children(server.process.pid)) == 3, timeout=20)
    children = [pid for pid, _ in _children(server.process.pid)]
    outcomes: list[object] = []
    barrier = threading.Barrier(50)

    def client(i: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        try:
            barrier.wait(timeout=10)
            path = "/login/" if i % 2 else "/static/fengqiao/app.css"
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            outcomes.append(response.status)
        except Exception as exc:  # a reset or a timeout is what this test is about
            outcomes.append(repr(exc))
        finally:
            connection.close()

    try:
        threads = [threading.Thread(target=client, args=(i,)) for i in range(50)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    finally:
        output = server.stop(signal.SIGTERM)
    assert outcomes == [200] * 50, outcomes
    assert server.process.returncode == 0, output
    assert "stopping the worker" in output
    assert not any(_alive(pid) for pid in children), output
