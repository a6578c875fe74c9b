import shutil

import pytest

from homeroom.testing.fakes import CountingProvider
from homeroom.translation.providers.libretranslate import clear_languages_cache

COUNTING = "homeroom.testing.fakes.CountingProvider"


@pytest.fixture(autouse=True)
def _fresh_translation_state(settings):
    # Tests choose their own routes; none reaches a LibreTranslate server unless it starts one.
    settings.LIBRETRANSLATE_URL = ""
    settings.LIBRETRANSLATE_API_KEY = ""
    settings.TRANSLATION_ROUTES = {
        "en:es": ["apertium"],
        "es:en": ["apertium"],
        "*": ["libretranslate"],
    }
    CountingProvider.reset()
    clear_languages_cache()
    yield
    clear_languages_cache()


@pytest.fixture
def apertium():
    """The real engine: the suite installs apertium-eng-spa, so its absence is a failure."""
    if shutil.which("apertium") is None:
        pytest.fail(
            "The apertium command is missing: install the Debian package apertium-eng-spa "
            "(make test does it)."
        )
    return "apertium"


@pytest.fixture
def counting(settings):
    """Route every pair to the counting provider and hand it over for inspection."""
    settings.TRANSLATION_ROUTES = {"*": [COUNTING]}
    return CountingProvider
