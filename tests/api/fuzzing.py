"""Schemathesis against the API's own OpenAPI document, in process (WSGI), as several callers.

Shared by the short run in CI (tests/api/test_schemathesis.py) and the long run
(bench/schemathesis_long.py). Every generated request must answer without a 5xx, in the shape the
document declares, and every error must be JSON {"code", "message"}.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field

import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance


def errors_are_json_code_and_message(ctx, response, case):
    """A schemathesis check of ours: every 4xx/5xx is JSON with a code and a message."""
    if response.status_code < 400:
        return None
    content_type = response.headers.get("Content-Type", response.headers.get("content-type", ""))
    if isinstance(content_type, list):
        content_type = content_type[0] if content_type else ""
    assert content_type.startswith("application/json"), f"{response.status_code} answered {content_type}"
    body = json.loads(response.content)
    assert isinstance(body, dict) and body.get("code") and body.get("message"), body
    return True


CHECKS = [not_a_server_error, response_schema_conformance, errors_are_json_code_and_message]


@dataclass
class Tally:
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def server_errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if s >= 500)


def load_schema():
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


def run(callers: dict[str, dict[str, str]], *, max_examples: int, modes=("positive", "negative"), only_intake_for: str = "feed", tally: Tally | None = None, raise_on_failure: bool = True) -> Tally:
    """For each caller (name → headers) and each operation, `max_examples` generated requests.

    The caller named `only_intake_for` (a sending system's key) is run against the intake
    operations only, the others against everything else."""
    tally = tally or Tally()
    started = time.monotonic()
    # As Django's test client does: a request must not close the connection the caller (a test's
    # transaction) is using.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        schema = load_schema()
        operations = [r.ok() for r in schema.get_all_operations()]
        for name, headers in callers.items():
            for operation in operations:
                is_intake = operation.path.startswith("/api/v1/intake/")
                if (name == only_intake_for) != is_intake:
                    continue
                for mode in modes:
                    _run_operation(operation, name, headers, max_examples, tally, raise_on_failure, mode)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    tally.seconds += time.monotonic() - started
    return tally


def _run_operation(operation, name, headers, max_examples, tally, raise_on_failure, mode) -> None:
    @settings(max_examples=max_examples, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), print_blob=False)
    @given(case=operation.as_strategy(generation_mode=GenerationMode(mode)))
    def one(case):
        response = case.call(headers=headers)
        tally.requests += 1
        tally.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except Exception as exc:  # schemathesis raises a group of check failures
            tally.failures.append(f"{name} {case.method} {case.formatted_path}: {str(exc)[:600]}")
            if raise_on_failure:
                raise

    try:
        one()
    except Unsatisfiable:
        pass  # nothing to break in this operation (negative mode, no parameters): nothing to send
    except Exception:
        if raise_on_failure:
            raise


def callers_for(world, feed_key: str) -> dict[str, dict[str, str]]:
    """Bearer tokens for an operator, a town cadre and a grid head; no credential; a feed key."""
    from fengqiao.people.actions import api_token_issue

    def bearer(person):
        _row, raw = api_token_issue(user=person.user, name="schemathesis", actor=None)
        return {"Authorization": f"Bearer {raw}"}

    return {
        "operator": bearer(world.operator),
        "town_cadre": bearer(world.town_cadre),
        "grid_head": bearer(world.grid_head_a),
        "anonymous": {},
        "feed": {"X-Api-Key": feed_key},
    }
