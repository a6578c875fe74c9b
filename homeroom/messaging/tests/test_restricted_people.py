"""A conversation started before a court order no longer lists the barred guardian to the
teacher: not in the inbox row, the people of the page, nor the delivery list. The school's
admins, who keep the records right, still see him, marked as barred."""

import pytest
from django.urls import reverse

from homeroom.messaging import services
from homeroom.people.models import Guardianship

COUNTING = "homeroom.testing.fakes.CountingProvider"


@pytest.fixture(autouse=True)
def _translation(settings):
    settings.LIBRETRANSLATE_URL = ""
    settings.TRANSLATION_ROUTES = {
        "en:vi": [COUNTING],
        "vi:en": [COUNTING],
        "*": ["libretranslate"],
    }


@pytest.fixture
def before_the_order(world):
    """Rivera wrote about Cal while Ray could still be told; then the court order came."""
    ray_link = Guardianship.objects.filter(guardian=world.ray, student=world.cal)
    ray_link.update(may_contact=True, may_see_records=True)
    conversation = services.start_conversation(
        student=world.cal, by_staff=world.rivera, text="Cal read a whole chapter today."
    )
    assert conversation.participants.filter(guardian=world.ray).exists()
    assert conversation.messages.get().deliveries.filter(guardian=world.ray).exists()
    ray_link.update(may_contact=False, may_see_records=False)
    return conversation


def test_the_teacher_no_longer_sees_the_barred_guardian(world, login, before_the_order):
    client = login(world.rivera)
    inbox = client.get(reverse("inbox")).content.decode()
    assert "Gina Nguyen" in inbox
    assert "Ray Nguyen" not in inbox
    page = client.get(reverse("conversation", args=[before_the_order.pk])).content.decode()
    assert "Gina Nguyen" in page
    assert "Ray Nguyen" not in page  # neither among its people nor in the delivery list
    assert "0 of 1 guardian reached" in page


def test_the_schools_admin_sees_him_marked(world, login, before_the_order):
    client = login(world.principal)
    inbox = client.get(reverse("inbox") + "?all=1").content.decode()
    assert "No contact" in inbox.split("Ray Nguyen", 1)[1].split("</li>", 1)[0]
    page = client.get(reverse("conversation", args=[before_the_order.pk])).content.decode()
    people = page.split("<dd><ul", 1)[1].split("</ul>", 1)[0]
    ray = people.split("Ray Nguyen", 1)[1].split("</li>", 1)[0]
    assert "No contact" in ray
    assert "No contact" not in people.split("Gina Nguyen", 1)[1].split("</li>", 1)[0]
    assert "0 of 2 guardians reached" in page  # the record of who it went to is whole
