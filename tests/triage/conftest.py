import pytest

from fengqiao.triage import classify


@pytest.fixture(autouse=True)
def fresh_classifier(settings):
    """Each test sees exactly the models its own database holds (no cache across tests)."""
    settings.FENGQIAO_TRIAGE_MODEL_CHECK_SECONDS = 0
    classify.reset_cache()
    yield
    classify.reset_cache()
