"""Who may announce to whom, said once in messaging/audiences.py: what the announce page
offers, what sending checks, and who may write into an announcement already sent agree."""

import pytest
from django.core.exceptions import PermissionDenied

from homeroom.messaging import audiences, services
from homeroom.messaging.audiences import Audience
from homeroom.messaging.models import Message
from homeroom.people.models import Section

from .builders import announcement


@pytest.fixture(autouse=True)
def _translation(settings):
    settings.LIBRETRANSLATE_URL = ""
    settings.TRANSLATION_ROUTES = {"*": ["libretranslate"]}


def keys(person):
    return [choice.key for choice in audiences.audience_choices(person.user)]


def test_a_school_admin_may_address_a_class_the_page_does_not_list(world):
    # The page offers the admin her school and its grades, not each of its classes ...
    assert f"section:{world.science.pk}" not in keys(world.principal)
    # ... yet sending to one of her school's classes is allowed, and so is writing into it.
    sent = services.send_announcement(
        by_staff=world.principal, audience=Audience.section(world.science), text="Science"
    )
    services.send_message(sent, text="And bring goggles", by_staff=world.principal)
    assert Message.objects.filter(conversation=sent).count() == 2


def test_a_teacher_no_longer_writes_into_the_announcement_of_a_closed_class(world):
    math = announcement(world, world.rivera, world.math, [world.rosa, world.gina])
    Section.objects.filter(pk=world.math.pk).update(is_active=False)
    assert f"section:{world.math.pk}" not in keys(world.rivera)
    with pytest.raises(PermissionDenied):
        services.send_message(math, text="Still here", by_staff=world.rivera)
    # The school's admin still may: the announcement is the school's.
    services.send_message(math, text="Class closed", by_staff=world.principal)


def test_the_choices_and_the_check_agree_for_a_teacher(world):
    for key in keys(world.rivera):
        section = int(key.split(":")[1])
        _school, filed_under, _scope, description = audiences.check_audience(
            world.rivera, Audience.section(section)
        )
        assert filed_under.pk == section and description["kind"] == "section"
