import pytest

from tests.factories import build_world


@pytest.fixture(autouse=True)
def huey_inline():
    """Tasks run inline on an in-memory queue: no test writes to the shared var/huey.db."""
    from huey.contrib.djhuey import HUEY

    previous = HUEY.immediate
    HUEY.immediate = True
    try:
        yield HUEY
    finally:
        HUEY.immediate = previous


@pytest.fixture
def browser(monkeypatch):
    """Debian's chromium through Playwright (tests/browser/support.py has the flags and marks)."""
    # Playwright's sync API keeps an event loop in this thread; the ORM calls in the test body
    # are still plain synchronous calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    from tests.browser.support import ARGS, CHROMIUM

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        # Every page of every context is watched for Content-Security-Policy violations: a
        # blocked script, style or image is a page that silently lost part of itself.
        violations: list[str] = []
        new_context = b.new_context

        def watched_context(*args, **kwargs):
            context = new_context(*args, **kwargs)
            context.on("console", lambda m: violations.append(f"{m.text} at {m.location}")
                       if "Content Security Policy" in m.text else None)
            return context

        b.new_context = watched_context
        try:
            yield b
            assert not violations, violations
        finally:
            b.close()
            # With Playwright's loop in this thread, Django keeps the test body's database
            # connection in a context of its own: close it here, or the test database cannot
            # be dropped at the end of the session.
            connections.close_all()


@pytest.fixture
def world(db):
    """Xianyou's 度尾镇 (洋坂村 = village A, 剑山村 = B) and 郊尾镇 (梅塘村 = C), with named people."""
    return build_world()


@pytest.fixture
def api(client):
    """A JSON client: api.get(path, user=...), api.post(path, data, user=...)."""
    import json

    class Api:
        def __init__(self, client):
            self.client = client

        def _login(self, user):
            if user is not None:
                self.client.force_login(user)
            else:
                self.client.logout()

        def get(self, path, user=None, **params):
            self._login(user)
            return self.client.get("/api/v1" + path, params)

        def post(self, path, data=None, user=None):
            self._login(user)
            return self.client.post("/api/v1" + path, json.dumps(data or {}), content_type="application/json")

    return Api(client)


def pytest_configure(config):
    from django.conf import settings

    # Hashing passwords properly costs ~0.2 s each; tests create dozens of logins.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
