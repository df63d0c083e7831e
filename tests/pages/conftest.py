import pytest


@pytest.fixture
def as_user(client):
    """Log the test client in as one of the world's people: as_user(world.operator)."""

    def login(person):
        client.force_login(person.user)
        return client

    return login
