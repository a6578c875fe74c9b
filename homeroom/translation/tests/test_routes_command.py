"""`manage.py translation_routes` says at start-up which languages arrive translated."""

from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def routes() -> str:
    out = StringIO()
    call_command("translation_routes", stdout=out)
    return out.getvalue()


def test_each_family_language_is_told_its_route(world, apertium):
    text = routes()

    assert "(es): translated (apertium; replies by apertium)" in text
    assert "(so): no route: English with a note, or an interpreter" in text
    assert "(en)" not in text


def test_a_missing_engine_shows_as_no_route(world, settings):
    settings.APERTIUM_COMMAND = "/nonexistent/apertium"

    assert "(es): no route" in routes()


def test_a_districts_own_routes_are_listed(world):
    from homeroom.translation.models import INTERPRETER, LanguageRoute

    LanguageRoute.objects.create(district=world.district, language="so", route=INTERPRETER)
    assert (
        "Riverside Unified, Somali (so): an interpreter first (the district's route: interpreter)"
        in routes()
    )
