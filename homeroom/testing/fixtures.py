"""Fixtures the apps' tests share: the local translation engine only, and families who may
be written to whatever the hour. Each app's conftest imports what it uses."""

from datetime import time

import pytest

from homeroom.people.models import Guardian


@pytest.fixture(autouse=True)
def _plain_translation(settings):
    # English↔Spanish by the local engine; no other engine is reachable in tests.
    settings.LIBRETRANSLATE_URL = ""
    settings.TRANSLATION_ROUTES = {
        "en:es": ["apertium"],
        "es:en": ["apertium"],
        "*": ["libretranslate"],
    }


@pytest.fixture
def awake(world):
    """Deliveries go out at once whatever hour the suite runs at."""
    Guardian.objects.filter(district=world.district).update(
        quiet_start=time(0, 0), quiet_end=time(0, 0)
    )
    return world
