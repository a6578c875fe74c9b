import pytest

from homeroom.behavior import recording
from homeroom.behavior.models import Category


@pytest.fixture
def cats(world):
    """North's categories by name, seeded as when the school first records."""
    recording.ensure_default_categories(world.north)
    return {c.name: c for c in Category.objects.filter(school=world.north)}


@pytest.fixture
def south_cats(world):
    recording.ensure_default_categories(world.south)
    return {c.name: c for c in Category.objects.filter(school=world.south)}
