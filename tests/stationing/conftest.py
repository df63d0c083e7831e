from tests.majors.conftest import mw  # noqa: F401  (the same 莆田市 slice and people)
