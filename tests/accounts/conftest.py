import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english(settings):
    # The site speaks Chinese unless asked otherwise; these tests read the
    # English source strings, so they stay true once the catalogs are filled.
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
