"""A family's written answer to a moment: it lands in the one conversation the family has
with the moment's author about the child, quoting the moment, and the moments page shows it."""

from django.urls import reverse

from homeroom.behavior import recording
from homeroom.behavior.models import FamilyResponse
from homeroom.messaging.models import Conversation
from homeroom.routines import common, weekly

from .builders import queries_of


def moments_url(student):
    return reverse("behavior:student_moments", args=[student.pk])


def conversation_url(conversation):
    return reverse("conversation", args=[conversation.pk])


def weekly_thread(world):
    update = weekly.weekly_update_for(
        world.math, world.rivera, common.week_start_of(common.local_today(world.north))
    )
    weekly.save_sentence(update, world.ana, "Ana read her poem to the class today.")
    weekly.send_weekly_update(update, world.rivera)
    return Conversation.objects.get(student=world.ana)


def test_an_answer_lands_in_the_teachers_conversation_with_the_family_quoting_the_moment(
    world, login, cats
):
    thread = weekly_thread(world)
    (moment,) = recording.record_moments(world.rivera, [world.ana], cats["Kindness"], "Shared")
    answer = recording.respond(world.rosa, moment, "message", "¡Gracias, maestra!")

    assert answer.conversation == thread
    assert Conversation.objects.filter(student=world.ana).count() == 1
    message = answer.message
    assert message.conversation == thread and message.body == "¡Gracias, maestra!"
    assert message.quote == "♥ Kindness — “Shared”"
    assert message.quote_in("es") != message.quote  # Rosa reads the moment in Spanish

    staff_html = login(world.rivera).get(conversation_url(thread)).content.decode()
    assert 'class="message-quote"' in staff_html
    assert "Re: <bdi>♥ Kindness — “Shared”</bdi>" in staff_html
    rosa = login(world.rosa)
    feed = rosa.get(reverse("behavior:child_feed", args=[world.ana.pk])).content.decode()
    assert f'href="{conversation_url(thread)}#message-{message.pk}"' in feed
    family_html = rosa.get(conversation_url(thread)).content.decode()
    assert f"<bdi>{message.quote_in('es')}</bdi>" in family_html
    assert "Re: <bdi>♥ Kindness" not in family_html


def test_the_other_household_and_a_barred_parent_never_see_the_answer(world, login, cats):
    thread = weekly_thread(world)
    (moment,) = recording.record_moments(world.rivera, [world.ana], cats["Kindness"], "Shared")
    recording.respond(world.rosa, moment, "message", "Solo para la maestra")

    marco_html = login(world.marco).get(conversation_url(thread)).content.decode()
    assert "Ana read her poem" in marco_html  # the school's words reach both households
    assert "Solo para la maestra" not in marco_html and "message-quote" not in marco_html

    (cal_moment,) = recording.record_moments(world.rivera, [world.cal], cats["Kindness"], "Tidy")
    answer = recording.respond(world.gina, cal_moment, "message", "Cảm ơn cô!")
    assert login(world.ray).get(conversation_url(answer.conversation)).status_code == 404


def test_the_moments_page_shows_the_answer_translated_with_a_link_to_reply(world, login, cats):
    (moment,) = recording.record_moments(world.rivera, [world.ana], cats["Kindness"], "Shared")
    answer = recording.respond(world.rosa, moment, "message", "Gracias por la ayuda")
    recording.respond(world.rosa, moment, "thank_you")

    html = login(world.rivera).get(moments_url(world.ana)).content.decode()
    english = answer.message.translations.get(language="en").text
    assert english and english != "Gracias por la ayuda"
    assert english in html  # in the reader's language
    assert "Written in Spanish — see original" in html and "Gracias por la ayuda" in html
    link = f"{conversation_url(answer.conversation)}#message-{answer.message_id}"
    assert f'href="{link}"' in html
    assert "Rosa Lopez</bdi>: Thank you" in html  # a one-tap answer shows too


def test_a_colleague_outside_the_conversation_sees_that_the_family_wrote_not_what(
    world, login, cats
):
    (moment,) = recording.record_moments(world.rivera, [world.ana], cats["Kindness"], "Shared")
    answer = recording.respond(world.rosa, moment, "message", "Algo privado")
    html = login(world.counselor).get(moments_url(world.ana)).content.decode()
    assert "Rosa Lopez</bdi> wrote a message to the teacher." in html
    assert "Algo privado" not in html and answer.message.translations.get().text not in html
    assert conversation_url(answer.conversation) not in html


def test_the_moments_page_costs_the_same_queries_for_few_or_many_written_answers(
    world, login, cats, django_assert_num_queries
):
    def add(count):
        for i in range(count):
            (moment,) = recording.record_moments(world.rivera, [world.ana], cats["Kindness"], "N")
            recording.respond(world.rosa, moment, "message", "Gracias")
            recording.respond(world.marco, moment, "message" if i % 2 else "thank_you", "Thanks")

    add(2)
    client = login(world.rivera)
    url = moments_url(world.ana)
    small = queries_of(client, url)
    add(20)
    with django_assert_num_queries(small):
        response = client.get(url)
    assert response.content.decode().count('class="answered"') == 40  # two answers a moment
    assert FamilyResponse.objects.filter(kind="message").count() > 20
