import pytest


@pytest.fixture(autouse=True)
def fresh_command_settings():
    """The settings row is cached in the process; a test's rolled-back row must not leak."""
    from fengqiao.command.queries import forget_settings

    forget_settings()
    yield
    forget_settings()
