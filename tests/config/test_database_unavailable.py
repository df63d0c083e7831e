"""A database that cannot be reached is a 503 ("try again"), never a 500: JSON
{"code": "unavailable"} under /api/v1, a plain page elsewhere. PostgreSQL connections come from a
bounded pool in each process."""

from __future__ import annotations

import contextlib
import copy
import socket
import threading
import time

import pytest
from django.db import connection
from django.test import Client


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


@contextlib.contextmanager
def database_settings(**changes):
    """Point the default connection elsewhere for the block (its pool too), then back."""
    saved = copy.deepcopy(connection.settings_dict)

    def reset() -> None:
        connection.close()
        close_pool = getattr(connection, "close_pool", None)
        if close_pool is not None:
            close_pool()

    reset()
    for key, value in changes.items():
        if key == "pool":
            if value is None:
                connection.settings_dict["OPTIONS"].pop("pool", None)
            else:
                connection.settings_dict["OPTIONS"]["pool"] = value
        else:
            connection.settings_dict[key] = value
    try:
        yield
    finally:
        reset()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def _refusing_database(pool: bool):
    if connection.vendor == "postgresql":
        changes = {"HOST": "127.0.0.1", "PORT": str(_closed_port())}
        changes["pool"] = {"min_size": 1, "max_size": 2, "timeout": 0.5} if pool else None
        return database_settings(**changes)
    if pool:
        pytest.skip("SQLite has no pool")
    return database_settings(NAME="/nonexistent-directory/fengqiao.db")


def _assert_api_unavailable(response) -> None:
    assert response.status_code == 503, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "unavailable" and body["message"]
    assert response["Retry-After"] == "30"


@pytest.mark.parametrize("pool", [True, False], ids=["pool", "no-pool"])
def test_a_database_that_refuses_connections_answers_503_json_in_the_api_and_a_503_page_elsewhere(
    django_db_blocker, pool
):
    client = Client()
    with django_db_blocker.unblock(), _refusing_database(pool):
        _assert_api_unavailable(client.get("/api/v1/events", HTTP_AUTHORIZATION="Bearer fq_whoever"))
        _assert_api_unavailable(client.post("/api/v1/events/1/actions", {"action": "urge"},
                                            content_type="application/json",
                                            HTTP_AUTHORIZATION="Bearer fq_whoever"))
        client.cookies["sessionid"] = "a-session-the-database-would-know"
        page = client.get("/")
        assert page.status_code == 503
        assert page["Content-Type"].startswith("text/html")
        assert "Service unavailable" in page.content.decode()


def test_other_database_errors_stay_a_500_they_are_bugs():
    from django.db import OperationalError

    from fengqiao.config.unavailable import database_unavailable

    try:
        raise OperationalError("no such table: events_event") from RuntimeError("no such table")
    except OperationalError as exc:
        assert not database_unavailable(exc)


# ---------------------------------------------------------------------- PostgreSQL's pool


def _backends(dbname: str) -> int:
    """Connections to `dbname` other than this one, counted from a connection outside the pool."""
    import psycopg

    s = connection.settings_dict
    with psycopg.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"],
                         password=s["PASSWORD"] or None, dbname=dbname, autocommit=True) as raw:
        return raw.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                           "AND pid <> pg_backend_pid()", [dbname]).fetchone()[0]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_pool_of_two_serves_eight_threads_without_opening_a_third_and_a_full_pool_answers_503(world):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    from fengqiao.people.models import ApiToken

    _, token = ApiToken.issue(user=world.operator.user)
    dbname = connection.settings_dict["NAME"]
    statuses: list[int] = []
    seen: list[int] = []
    with database_settings(pool={"min_size": 1, "max_size": 2, "timeout": 10, "max_idle": 60}):
        def read() -> None:
            from django.db import connection as thread_connection

            try:
                for _ in range(5):
                    statuses.append(Client().get("/api/v1/events", HTTP_AUTHORIZATION=f"Bearer {token}").status_code)
            finally:
                thread_connection.close()

        threads = [threading.Thread(target=read) for _ in range(8)]
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            seen.append(_backends(dbname))
            time.sleep(0.02)
        for t in threads:
            t.join()
        assert statuses == [200] * 40
        assert max(seen) <= 2, seen

    # Both connections held elsewhere and a pool that waits 0.2 s: the request is told to retry.
    with database_settings(pool={"min_size": 1, "max_size": 2, "timeout": 0.2}):
        holding, release = threading.Barrier(3), threading.Event()

        def hold() -> None:
            from django.db import connection as thread_connection

            thread_connection.ensure_connection()
            holding.wait()
            release.wait(10)
            thread_connection.close()

        holders = [threading.Thread(target=hold) for _ in range(2)]
        for t in holders:
            t.start()
        holding.wait()
        try:
            _assert_api_unavailable(Client().get("/api/v1/events", HTTP_AUTHORIZATION=f"Bearer {token}"))
        finally:
            release.set()
            for t in holders:
                t.join()
            connection.close()
        assert Client().get("/api/v1/events", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
        connection.close()
