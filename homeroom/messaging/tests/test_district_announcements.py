"""An announcement to the whole district is the district's: filed under no school, read and
written into only by the district's admins. A school's staff get a 404 on its page and a
refusal from the service, and nothing is written."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from homeroom.messaging import services
from homeroom.messaging.audiences import Audience
from homeroom.messaging.inbound.service import receive_channel_reply
from homeroom.messaging.models import Conversation, Delivery, Message, Participant
from homeroom.people.models import StaffMember, User
from homeroom.testing.personas import STAFF_PERSONAS

from .builders import announcement

COUNTING = "homeroom.testing.fakes.CountingProvider"

STAFF = STAFF_PERSONAS
# The district's contactable families who have an account (Pat has not joined yet).
AUDIENCE = ["rosa", "marco", "gina", "olga"]
OUTSIDERS = ["ray", "eli", "zed_parent"]  # barred, a former student's, another district's


@pytest.fixture(autouse=True)
def _translation(settings):
    settings.LIBRETRANSLATE_URL = ""
    settings.TRANSLATION_ROUTES = {
        "en:es": [COUNTING],
        "es:en": [COUNTING],
        "en:vi": [COUNTING],
        "vi:en": [COUNTING],
        "*": ["libretranslate"],
    }


@pytest.fixture
def snow_day(world):
    return services.send_announcement(
        by_staff=world.district_admin, audience=Audience.district(), text="Snow day: no school."
    )


def page(pk):
    return reverse("conversation", args=[pk])


def test_a_district_announcement_belongs_to_the_district_not_a_school(world, snow_day):
    snow_day.refresh_from_db()
    assert snow_day.school is None
    assert snow_day.district == world.district
    assert snow_day.audience == {"kind": "district", "district": world.district.pk}


def test_the_first_schools_admin_cannot_open_read_or_reply_into_it(world, login, snow_day):
    # North is the district's first school: its admin used to have the announcement.
    client = login(world.principal)
    assert client.get(page(snow_day.pk)).status_code == 404
    assert client.get(reverse("inbox") + "?all=1").content.decode().count("Snow day") == 0
    messages, deliveries = Message.objects.count(), Delivery.objects.count()
    response = client.post(page(snow_day.pk), {"text": "Everyone come to North tonight"})
    assert response.status_code == 404
    assert Message.objects.count() == messages
    assert Delivery.objects.count() == deliveries
    assert not Participant.objects.filter(conversation=snow_day, staff=world.principal).exists()


@pytest.mark.parametrize("persona", ["principal", "rivera", "south_admin", "elsewhere_admin"])
def test_send_message_refuses_anyone_but_the_districts_admins(world, snow_day, persona):
    messages, deliveries = Message.objects.count(), Delivery.objects.count()
    with pytest.raises(PermissionDenied):
        services.send_message(snow_day, text="Hello everyone", by_staff=getattr(world, persona))
    assert Message.objects.count() == messages
    assert Delivery.objects.count() == deliveries
    assert Participant.objects.filter(conversation=snow_day, guardian__isnull=True).count() == 1


def test_the_district_admin_still_writes_into_it(world, snow_day):
    message = services.send_message(
        snow_day, text="School reopens tomorrow.", by_staff=world.district_admin
    )
    reached = set(message.deliveries.values_list("guardian__given_name", flat=True))
    assert reached == {"Rosa", "Marco", "Gina", "Pat", "Olga"}


def test_a_teacher_cannot_write_into_another_sections_announcement(world):
    math = announcement(world, world.rivera, world.math, [world.rosa, world.gina])
    messages = Message.objects.count()
    for outsider in (world.chen, world.south_teacher):
        with pytest.raises(PermissionDenied):
            services.send_message(math, text="Not my class", by_staff=outsider)
    assert Message.objects.count() == messages
    # Its teacher and the school's admin may.
    services.send_message(math, text="Bring a coat", by_staff=world.rivera)
    services.send_message(math, text="And a hat", by_staff=world.principal)
    assert Message.objects.count() == messages + 2


def test_a_participant_who_is_no_longer_district_admin_loses_it(world, login, snow_day):
    StaffMember.objects.filter(pk=world.district_admin.pk).update(is_district_admin=False)
    former = StaffMember.objects.get(pk=world.district_admin.pk)
    assert login(former).get(page(snow_day.pk)).status_code == 404
    with pytest.raises(PermissionDenied):
        services.send_message(snow_day, text="Still here", by_staff=former)


def test_a_familys_reply_is_a_thread_at_its_childs_school(world, snow_day):
    thread = services.reply_to_announcement(
        snow_day, guardian=world.olga, text="Thank you", channel="app"
    )
    assert thread.kind == Conversation.Kind.PRIVATE
    assert thread.school == world.south and thread.student == world.dee
    assert thread.district == world.district
    people = {
        p.staff or p.guardian for p in thread.participants.select_related("staff", "guardian")
    }
    assert people == {world.district_admin, world.olga}


@pytest.mark.parametrize("persona", STAFF + AUDIENCE + OUTSIDERS)
def test_every_persona_on_a_district_announcements_pages(world, login, snow_day, persona):
    """The conversation page (with its delivery list for staff) and a reply POST."""
    person = getattr(world, persona)
    client = login(person)
    response = client.get(page(snow_day.pk))
    body = response.content.decode()
    messages = Message.objects.count()
    posted = client.post(page(snow_day.pk), {"text": "A reply", "untranslated": "english"})
    if persona == "district_admin":
        assert response.status_code == 200
        assert "5 guardians reached" in body or "0 of 5 guardians reached" in body
        assert "Olga Haddad" in body and "Rosa Lopez" in body  # the delivery list
        assert posted.status_code == 302
        assert Message.objects.filter(conversation=snow_day).count() == 2
    elif persona in AUDIENCE:
        # A family reads it (no delivery list, no other family named) and answers privately.
        assert response.status_code == 200
        assert "Snow day: no school." in body
        others = {"Rosa Lopez", "Marco Lopez", "Gina Nguyen", "Pat Ali", "Olga Haddad"}
        assert not any(name in body for name in others - {person.full_name})
        assert posted.status_code == 302
        assert Message.objects.filter(conversation=snow_day).count() == 1
        thread = Conversation.objects.get(reply_to_announcement=snow_day)
        assert thread.messages.get().author_guardian == person
    else:
        assert response.status_code == 404
        assert posted.status_code == 404
        assert Message.objects.count() == messages


def test_existing_district_announcements_move_to_the_district(world):
    """The migration takes announcements filed under the district's first school out of it."""
    filed = Conversation.objects.create(
        kind=Conversation.Kind.ANNOUNCEMENT,
        school=world.north,
        audience={"kind": "district", "district": world.district.pk},
        started_by=Conversation.StartedBy.SCHOOL,
    )
    school_wide = Conversation.objects.create(
        kind=Conversation.Kind.ANNOUNCEMENT,
        school=world.north,
        audience={"kind": "school", "school": world.north.pk},
        started_by=Conversation.StartedBy.SCHOOL,
    )
    migration = importlib.import_module("homeroom.messaging.migrations.0005_conversation_district")
    migration.file_under_districts(apps, None)
    filed.refresh_from_db()
    school_wide.refresh_from_db()
    assert filed.school is None and filed.district == world.district
    assert school_wide.school == world.north and school_wide.district == world.district


def test_a_text_answering_it_becomes_a_thread_at_the_childs_school(world, snow_day):
    message = receive_channel_reply(
        world.olga, snow_day, "Shukran", "sms", provider_id="SM-district-1"
    )
    thread = message.conversation
    assert thread.reply_to_announcement == snow_day
    assert (thread.school, thread.student) == (world.south, world.dee)
    assert Message.objects.filter(conversation=snow_day).count() == 1


def test_the_django_admin_lists_and_shows_it(world, client, snow_day):
    from homeroom.testing.personas import PASSWORD, sign_in_with_totp

    root = User.objects.create_superuser("root@example.org", PASSWORD)
    sign_in_with_totp(client, root)
    listing = client.get(reverse("admin:messaging_conversation_changelist"))
    assert listing.status_code == 200 and world.district.name in listing.content.decode()
    change = reverse("admin:messaging_conversation_change", args=[snow_day.pk])
    assert client.get(change).status_code == 200
