"""Around an event's day: RSVPs by text, the reminder the day before, who came and "how was
it?" — each sent once, to the families concerned, and bad input storing nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from homeroom.gatherings import followups, services
from homeroom.gatherings.models import Event, Rsvp
from homeroom.messaging.models import Delivery, InboundEvent, Message
from homeroom.messaging.tests.builders import PUBLIC, TOKEN, signed_post, twilio_fields
from homeroom.messaging.tests.test_inbound_sms import text_in

from .test_events import make_event


@pytest.fixture(autouse=True)
def _public(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.PUBLIC_BASE_URL = PUBLIC


def held_in_the_past(event, *, hours_ago=5, length=2):
    """Move a fixed event so it started `hours_ago` hours ago."""
    start = timezone.now() - timedelta(hours=hours_ago)
    Event.objects.filter(pk=event.pk).update(
        starts_at=start, ends_at=start + timedelta(hours=length)
    )
    event.refresh_from_db()
    return event


# ---- RSVPs by text --------------------------------------------------------------------------


@pytest.mark.urls("homeroom.messaging.tests.sms_urls")
@pytest.mark.parametrize(
    "body, adults, children",
    [("YES 1", 1, 0), ("yes 3", 3, 0), ("Sí 2 1", 2, 1), ("SI, 2", 2, 0), ("sí", 1, 0)],
)
def test_rosa_says_yes_by_text_after_the_invitation(awake, client, body, adults, children):
    event = make_event(awake)
    response = signed_post(client, twilio_fields(body, str(awake.rosa.phone)))
    rsvp = Rsvp.objects.get(event=event, guardian=awake.rosa)
    assert (rsvp.status, rsvp.adults, rsvp.children) == ("going", adults, children)
    assert InboundEvent.objects.get().outcome == "gatherings:rsvp_yes"
    reply = text_in(response)
    assert "Gracias" in reply and f"/events/{event.pk}/" in reply  # in Rosa's Spanish


@pytest.mark.urls("homeroom.messaging.tests.sms_urls")
def test_no_by_text_is_we_cannot_come_after_all_and_promotes_whoever_waits(awake, client):
    event = make_event(awake, capacity=2)
    services.respond(event, awake.rosa, coming=True, adults=2)
    gina = services.respond(event, awake.gina, coming=True, adults=1)
    assert gina.status == "waitlisted"
    signed_post(client, twilio_fields("no", str(awake.rosa.phone)))
    assert Rsvp.objects.get(guardian=awake.rosa).status == "not_going"
    assert Rsvp.objects.get(guardian=awake.gina).status == "going"
    assert InboundEvent.objects.get().outcome == "gatherings:rsvp_no"


@pytest.mark.urls("homeroom.messaging.tests.sms_urls")
@pytest.mark.parametrize("body", ["YES -2", "YES 500", "YES 0", "YES 2 -1", "YES 1 500"])
def test_a_count_out_of_range_gets_a_clear_reply_and_stores_nothing(awake, client, body):
    event = make_event(awake)
    response = signed_post(client, twilio_fields(body, str(awake.rosa.phone)))
    assert not Rsvp.objects.filter(event=event).exists()
    assert InboundEvent.objects.get().outcome == "gatherings:rsvp_out_of_range"
    assert "SÍ" in text_in(response).upper() or "YES 2 1" in text_in(response)


@pytest.mark.urls("homeroom.messaging.tests.sms_urls")
def test_yes_alone_stays_the_carriers_word_to_start_texts_again(awake, client):
    make_event(awake)
    signed_post(client, twilio_fields("YES", str(awake.rosa.phone)))
    assert not Rsvp.objects.exists()
    assert InboundEvent.objects.get().outcome == "opt_in"


@pytest.mark.urls("homeroom.messaging.tests.sms_urls")
def test_a_yes_after_a_message_with_no_event_link_is_not_claimed(awake, client):
    from homeroom.messaging.services import send_about_child

    make_event(awake)
    send_about_child(student=awake.ana, staff=awake.rivera, text="Ana did great today.")
    signed_post(client, twilio_fields("yes 2", str(awake.rosa.phone)))
    assert not Rsvp.objects.exists()
    assert InboundEvent.objects.get().outcome != "gatherings:rsvp_yes"


@pytest.mark.urls("homeroom.messaging.tests.sms_urls")
def test_a_yes_for_an_event_the_family_no_longer_sees_is_not_claimed(awake, client):
    make_event(awake)
    awake.rosa.guardianships.update(may_contact=False)
    signed_post(client, twilio_fields("yes 2", str(awake.rosa.phone)))
    assert not Rsvp.objects.exists()


@pytest.mark.urls("homeroom.messaging.tests.sms_urls")
def test_a_yes_after_the_start_is_refused(awake, client):
    event = make_event(awake)
    held_in_the_past(event)
    response = signed_post(client, twilio_fields("yes 1", str(awake.rosa.phone)))
    assert not Rsvp.objects.exists()
    assert InboundEvent.objects.get().outcome == "gatherings:rsvp_refused"
    assert text_in(response)


# ---- the reminder the day before --------------------------------------------------------------


def test_families_coming_are_reminded_once_the_day_before(awake):
    world = awake
    event = make_event(world, capacity=3)
    services.respond(event, world.rosa, coming=True, adults=2)
    services.respond(event, world.gina, coming=True, adults=3)  # waits: does not fit
    services.respond(event, world.marco, coming=False)
    assert followups.send_reminders() == 0  # a week ahead: not yet
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() + timedelta(hours=20))
    before = Message.objects.count()
    assert followups.send_reminders() == 1
    reminder = Message.objects.order_by("-pk").first()
    assert Message.objects.count() == before + 1
    assert "A reminder" in reminder.body and f"/events/{event.pk}/" in reminder.body
    assert set(Delivery.objects.filter(message=reminder).values_list("guardian", flat=True)) == {
        world.rosa.pk
    }
    spanish = reminder.translations.get(language="es").text
    assert "Un recordatorio" in spanish  # from the catalogue, not a machine
    assert followups.send_reminders() == 0  # never twice
    assert Message.objects.count() == before + 1


def test_a_reminded_family_can_answer_no_by_text(awake, client, settings):
    settings.ROOT_URLCONF = "homeroom.messaging.tests.sms_urls"
    world = awake
    event = make_event(world)
    services.respond(event, world.rosa, coming=True, adults=1)
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() + timedelta(hours=10))
    followups.send_reminders()
    signed_post(client, twilio_fields("NO", str(world.rosa.phone)))
    assert Rsvp.objects.get(guardian=world.rosa).status == "not_going"


# ---- who came, and how was it -----------------------------------------------------------------


def test_how_was_it_is_asked_once_of_those_who_came(awake):
    world = awake
    event = make_event(world)
    services.respond(event, world.rosa, coming=True)
    services.respond(event, world.marco, coming=True)
    services.respond(event, world.gina, coming=False)
    held_in_the_past(event, hours_ago=3, length=2)  # ended an hour ago: too soon
    assert followups.ask_how_it_was() == 0
    held_in_the_past(event, hours_ago=5, length=2)
    assert followups.ask_how_it_was() == 2
    asked = Message.objects.order_by("-pk").first()
    assert "How was it?" in asked.body
    assert set(Delivery.objects.filter(message=asked).values_list("guardian", flat=True)) == {
        world.rosa.pk,
        world.marco.pk,
    }
    assert followups.ask_how_it_was() == 0


def test_attendance_decides_who_is_asked(awake):
    world = awake
    event = make_event(world)
    rosa = services.respond(event, world.rosa, coming=True)
    services.respond(event, world.marco, coming=True)
    with pytest.raises(services.EventRefused):
        followups.mark_attendance(event, {rosa.pk})  # not started yet
    held_in_the_past(event)
    followups.mark_attendance(event, {rosa.pk})
    assert set(followups.who_came(event).values_list("guardian", flat=True)) == {world.rosa.pk}
    assert followups.ask_how_it_was() == 1


def test_an_organiser_marks_who_came_and_reads_how_it_was(awake, login):
    world = awake
    event = make_event(world)
    rosa = services.respond(event, world.rosa, coming=True)
    marco = services.respond(event, world.marco, coming=True)
    held_in_the_past(event)
    client = login(world.rivera)
    url = reverse("gatherings:attendance", args=[event.pk])
    page = client.get(url).content.decode()
    assert "Rosa" in page and "Marco" in page
    assert client.post(url, {"present": [str(rosa.pk)]}).status_code == 302
    rosa.refresh_from_db()
    marco.refresh_from_db()
    assert (rosa.attended, marco.attended) == (True, False)
    family = login(world.rosa)
    answer = reverse("gatherings:how_was_it", args=[event.pk])
    assert family.post(answer, {"rating": "5", "comment": "¡Muy divertido!"}).status_code == 302
    assert login(world.marco).get(answer).status_code == 404  # marked absent
    page = login(world.rivera).get(url).content.decode()
    assert "1 of 1 families who came answered." in page and "¡Muy divertido!" in page


@pytest.mark.parametrize(
    "data, says",
    [
        ({"rating": "9"}, "Select a valid choice."),
        ({}, "Choose one of the answers."),
        ({"rating": "3", "comment": "x" * 100_000}, "Ensure this value has at most"),
        ({"rating": "3", "comment": "bad\x00"}, "Null characters are not allowed."),
        ({"rating": "3", "comment": "a \u202e b"}, "invisible direction characters"),
    ],
)
def test_a_bad_answer_is_refused_and_nothing_is_stored(awake, login, data, says):
    event = make_event(awake)
    services.respond(event, awake.marco, coming=True)
    held_in_the_past(event)
    response = login(awake.marco).post(reverse("gatherings:how_was_it", args=[event.pk]), data)
    assert response.status_code == 400
    assert says in response.content.decode()
    assert Rsvp.objects.get(guardian=awake.marco).feedback_rating is None


def test_nobody_ticked_means_nobody_came(awake, login):
    event = make_event(awake)
    rosa = services.respond(event, awake.rosa, coming=True)
    held_in_the_past(event)
    url = reverse("gatherings:attendance", args=[event.pk])
    assert login(awake.rivera).post(url, {}).status_code == 302
    rosa.refresh_from_db()
    assert rosa.attended is False


def test_a_garbled_attendance_changes_nothing(awake, login):
    event = make_event(awake)
    services.respond(event, awake.rosa, coming=True)
    held_in_the_past(event)
    other = make_event(awake)
    stranger = services.respond(other, awake.marco, coming=True)
    url = reverse("gatherings:attendance", args=[event.pk])
    response = login(awake.rivera).post(url, {"present": [str(stranger.pk)]})
    assert response.status_code == 400
    assert not Rsvp.objects.filter(attended__isnull=False).exists()


def test_only_the_schools_staff_reach_attendance_and_only_who_came_say_how_it_was(awake, login):
    event = make_event(awake)
    services.respond(event, awake.rosa, coming=True)
    held_in_the_past(event)
    url = reverse("gatherings:attendance", args=[event.pk])
    for person in (awake.south_admin, awake.south_teacher, awake.elsewhere_admin, awake.rosa):
        assert login(person).get(url).status_code == 404, person
    answer = reverse("gatherings:how_was_it", args=[event.pk])
    for person in (awake.gina, awake.ray, awake.olga, awake.rivera):
        assert login(person).get(answer).status_code == 404, person
    assert login(awake.rosa).get(answer).status_code == 200
