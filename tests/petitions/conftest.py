import pytest


@pytest.fixture(autouse=True)
def petition_clock_policies(request):
    """The petitions' time limits come from a data migration; a transactional test elsewhere may
    have flushed them (the live server's tests are transactional): put them back, idempotently."""
    if "db" not in request.fixturenames and "transactional_db" not in request.fixturenames \
            and not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("transactional_db" if _transactional(request) else "db")
    import importlib

    from django.apps import apps

    migration = importlib.import_module("fengqiao.petitions.migrations.0002_clock_policies_of_the_regulations")
    migration.forwards(apps, None)


def _transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
