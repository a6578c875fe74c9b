"""The standing conversation between a staff member and a family about one child: found,
else started; the school's reaches every contactable guardian, a family's its household."""

import pytest

from homeroom.messaging import services
from homeroom.messaging.models import Conversation, Participant
from homeroom.testing.personas import link, make_guardian

pytestmark = pytest.mark.usefixtures("messaging_settings")


def families(conversation):
    return set(
        Participant.objects.filter(conversation=conversation, guardian__isnull=False).values_list(
            "guardian__given_name", flat=True
        )
    )


def test_nothing_is_found_before_the_first_message_and_one_thread_after(world):
    assert services.conversation_about(world.ana, world.rivera) is None
    # A conversation the teacher started by hand is not the standing one.
    services.start_conversation(student=world.ana, by_staff=world.rivera, text="A note.")
    assert services.conversation_about(world.ana, world.rivera) is None
    first = services.send_about_child(student=world.ana, staff=world.rivera, text="One.")
    second = services.send_about_child(student=world.ana, staff=world.rivera, text="Two.")
    assert first.conversation_id == second.conversation_id
    assert services.conversation_about(world.ana, world.rivera) == first.conversation
    assert families(first.conversation) == {"Rosa", "Marco"}
    # Another teacher, another thread; another child, another thread.
    other = services.send_about_child(student=world.cal, staff=world.rivera, text="Three.")
    assert other.conversation_id != first.conversation_id
    assert families(other.conversation) == {"Gina"}  # never Ray, barred by a court order


def test_a_guardian_who_joins_the_family_later_joins_the_schools_thread(world):
    first = services.send_about_child(student=world.cal, staff=world.rivera, text="One.")
    aunt = make_guardian(world.district, "Ada", "Nguyen", "en", "+16125550191")
    link(aunt, world.cal)
    barred = make_guardian(world.district, "Bo", "Nguyen", "en", "+16125550192")
    link(barred, world.cal, may_contact=False, may_see_records=False, lives_with=False)
    second = services.send_about_child(student=world.cal, staff=world.rivera, text="Two.")
    assert second.conversation_id == first.conversation_id
    assert families(first.conversation) == {"Gina", "Ada"}
    assert set(second.deliveries.values_list("guardian__given_name", flat=True)) == {"Gina", "Ada"}


def test_a_familys_thread_holds_its_household_and_carries_the_quote(world):
    message = services.send_about_child(
        student=world.ana,
        staff=world.rivera,
        by_guardian=world.rosa,
        text="¡Gracias!",
        quote="♥ Kindness — “Shared her lunch”",
    )
    conversation = message.conversation
    assert conversation.standing and conversation.started_by == Conversation.StartedBy.FAMILY
    assert families(conversation) == {"Rosa"}
    assert message.quote == "♥ Kindness — “Shared her lunch”"
    assert message.quote_in("es") not in ("", message.quote)  # Rosa reads it in Spanish
    again = services.send_about_child(
        student=world.ana, staff=world.rivera, by_guardian=world.rosa, text="Otra cosa."
    )
    assert again.conversation_id == conversation.pk and again.quote == ""
    # The school does not write to both households in Rosa's thread.
    assert services.conversation_about(world.ana, world.rivera) is None


def test_an_answer_to_a_teacher_who_left_reaches_the_school_office(world):
    world.rivera.is_active = False
    world.rivera.save()
    message = services.send_about_child(
        student=world.ana, staff=world.rivera, by_guardian=world.rosa, text="¿Hola?"
    )
    staff = set(
        Participant.objects.filter(
            conversation=message.conversation, staff__isnull=False
        ).values_list("staff__given_name", flat=True)
    )
    assert staff == {world.liaison.given_name}
    again = services.send_about_child(
        student=world.ana, staff=world.rivera, by_guardian=world.rosa, text="¿Hola?"
    )
    assert again.conversation_id == message.conversation_id
