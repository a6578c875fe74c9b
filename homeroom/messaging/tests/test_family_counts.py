"""The announce page, its preview and its follow-up count families (households), as
people/households.py defines them: two parents of one child are one family, a family with
three children in the class is one family, five Hmong families are five."""

import pytest

from homeroom.messaging.models import Conversation
from homeroom.people.models import Student
from homeroom.testing.personas import enrol, link, make_guardian

from .screens import (
    HX,
    _translation,  # noqa: F401 (autouse: the engine these pages run with)
    text_of,
    url,
)

WARNING = "no translation is available"


@pytest.fixture
def math_class(world):
    """Math 6: Ana (Rosa and Marco, apart), Cal (Gina; Ray may not be contacted), Tomas (two
    Spanish-reading parents at home), the three Vang children (two Hmong-reading parents) and
    four Xiong children, one Hmong-reading family each."""

    def child(given, family):
        student = Student.objects.create(
            school=world.north, given_name=given, family_name=family, grade="6"
        )
        enrol(world.math, student)
        return student

    tomas = child("Tomas", "Perez")
    for given in ("Lucia", "Jose"):
        link(make_guardian(world.district, given, "Perez", "es", joined=False), tomas)
    vang = [make_guardian(world.district, g, "Vang", "hmn", joined=False) for g in ("Mai", "Tou")]
    for given in ("Kou", "Pa", "Nou"):
        kid = child(given, "Vang")
        for parent in vang:
            link(parent, kid)
    for n in range(4):
        kid = child(f"Yer{n}", "Xiong")
        link(make_guardian(world.district, f"Chue{n}", "Xiong", "hmn", joined=False), kid)
    return world.math


def test_the_announce_page_counts_families_not_guardians(world, login, math_class):
    response = login(world.rivera).get(url("announce"), {"audience": f"section:{math_class.pk}"})
    # Rosa, Marco, Gina, the Perez, the Vang and four Xiong families; 12 guardians.
    assert response.context["total"] == 9
    groups = {g.language: g.families for g in response.context["groups"]}
    assert groups == {"en": 1, "es": 2, "vi": 1, "hmn": 5}
    page = text_of(response)
    assert "9 families will receive it" in page
    assert "5 families read Hmong: no translation is available" in page
    assert page.count(WARNING) == 1


def test_the_preview_says_the_warning_once_and_counts_families(world, login, math_class):
    response = login(world.rivera).post(
        url("announce"),
        {
            "audience": f"section:{math_class.pk}",
            "text": "No school on Monday",
            "untranslated": "english",
            "preview": "1",
        },
    )
    page = text_of(response)
    assert "Spanish · 2 families" in page and "Hmong · 5 families" in page
    assert page.count(WARNING) == 1
    partial = login(world.rivera).post(
        url("announce"),
        {
            "audience": f"section:{math_class.pk}",
            "text": "No school on Monday",
            "untranslated": "english",
            "preview": "1",
        },
        **HX,
    )
    assert WARNING not in text_of(partial)
    assert "Not translated: these families get what you chose above." in text_of(partial)


def test_the_follow_up_counts_the_families_who_read_hmong(world, login, math_class):
    client = login(world.rivera)
    client.post(
        url("announce"),
        {
            "audience": f"section:{math_class.pk}",
            "text": "No school on Monday",
            "untranslated": "english",
            "send": "1",
        },
    )
    conversation = Conversation.objects.get(kind="announcement")
    page = text_of(client.get(url("conversation", conversation.pk)))
    assert "5 families read Hmong: no translation is available" in page
    assert page.count(WARNING) == 1
