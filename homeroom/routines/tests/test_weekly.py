"""The weekly one-sentence update: written student by student, sent in one action to every
family on its own channel, with coverage of who was reached and who replied."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse

from homeroom.messaging.inbound.service import receive_reply
from homeroom.messaging.models import Delivery, Message
from homeroom.people.models import Enrollment, Student
from homeroom.routines import common, weekly
from homeroom.routines.models import Framing, UpdateSentence, WeeklyUpdate


def this_week(world):
    return weekly.weekly_update_for(
        world.math, world.rivera, common.week_start_of(common.local_today(world.north))
    )


def weekly_url(world):
    return reverse("routines:weekly", args=[world.math.pk])


# -- writing ---------------------------------------------------------------------------------


def test_an_empty_sentence_is_a_skip_not_an_error(world):
    update = this_week(world)
    sentence = weekly.save_sentence(update, world.ana, "   ")
    assert sentence.skipped and sentence.text == ""


def test_a_sentence_over_500_characters_is_refused_and_nothing_is_stored(world):
    update = this_week(world)
    with pytest.raises(common.RoutineRefused, match="500"):
        weekly.save_sentence(update, world.ana, "x" * 501)
    assert not UpdateSentence.objects.exists()


@pytest.mark.parametrize(
    "text, vague",
    [
        ("Good job!", True),
        ("Ana is doing well.", True),
        ("Ana is doing fine in class this week.", True),
        ("Ana solved all five fraction word problems on her own.", False),
        ("Ana could practice the 7 times table for ten minutes each night.", False),
    ],
)
def test_vague_sentences_are_recognised(text, vague):
    assert weekly.is_vague(text) is vague


def test_the_page_lists_the_class_with_starters_in_both_framings(login, world):
    response = login(world.rivera).get(weekly_url(world))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ana Lopez" in body and "Cal Nguyen" in body
    assert "Eve Gone" not in body  # inactive
    assert 'data-framing="positive"' in body and 'data-framing="next_step"' in body
    assert "{name} worked hard on" in body
    assert 'hx-post="' + reverse("routines:save_sentence", args=[world.math.pk, world.ana.pk])
    assert "routines/weekly.js" in body


def test_autosave_answers_with_a_small_status_a_hint_and_the_tally(login, world):
    client = login(world.rivera)
    url = reverse("routines:save_sentence", args=[world.math.pk, world.ana.pk])
    response = client.post(
        url,
        {f"text-{world.ana.pk}": "Good job!", f"framing-{world.ana.pk}": "positive"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Saved" in body and "specific" in body  # the hint, which does not block saving
    assert 'hx-swap-oob="true"' in body and "1 praise · 0 next steps · 0 skipped" in body
    client.post(
        reverse("routines:save_sentence", args=[world.math.pk, world.cal.pk]),
        {"skip": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert UpdateSentence.objects.get(student=world.cal).skipped


def test_an_oversized_sentence_gets_a_clear_error(login, world):
    response = login(world.rivera).post(
        reverse("routines:save_sentence", args=[world.math.pk, world.ana.pk]),
        {f"text-{world.ana.pk}": "word " * 120},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert "at most 500 characters" in response.content.decode()
    assert not UpdateSentence.objects.exists()


def test_without_javascript_the_whole_form_saves(login, world):
    response = login(world.rivera).post(
        weekly_url(world),
        {
            f"text-{world.ana.pk}": "Ana explained her fraction strategy to the whole class.",
            f"framing-{world.ana.pk}": "positive",
            f"text-{world.cal.pk}": "Cal could read aloud at home for 15 minutes each night.",
            f"framing-{world.cal.pk}": "next_step",
            "then": "preview",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("routines:preview", args=[world.math.pk])
    framings = dict(UpdateSentence.objects.values_list("student__given_name", "framing"))
    assert framings == {"Ana": "positive", "Cal": "next_step"}


def test_the_preview_shows_each_family_its_language(login, world):
    update = this_week(world)
    weekly.save_sentence(update, world.ana, "Ana read her poem to the class today.")
    response = login(world.rivera).get(reverse("routines:preview", args=[world.math.pk]))
    body = response.content.decode()
    assert "Rosa Lopez — Spanish" in body
    assert "poema" in body  # Rosa reads it in Spanish
    assert "Ray Nguyen" not in body  # may not be contacted


# -- sending ---------------------------------------------------------------------------------


def test_send_all_reaches_each_family_on_its_channel_once(login, awake):
    world = awake
    update = this_week(world)
    weekly.save_sentence(update, world.ana, "Ana read her poem to the class today.")
    weekly.save_sentence(update, world.cal, "Cal could practice math facts.", "next_step")
    weekly.save_sentence(
        update,
        Student.objects.get(pk=world.cal.pk),
        "Cal could practice math facts every night.",
        "next_step",
    )
    client = login(world.rivera)

    response = client.post(reverse("routines:send", args=[world.math.pk]))

    assert response.status_code == 302
    update.refresh_from_db()
    assert update.sent_at is not None
    channels = dict(Delivery.objects.values_list("guardian__given_name", "channel"))
    assert channels == {"Rosa": "sms", "Marco": "email", "Gina": "sms"}  # never Ray
    assert all(s.message_id for s in update.sentences.all())
    client.post(reverse("routines:send", args=[world.math.pk]))
    assert Message.objects.count() == 2  # a second click sends nothing twice


def test_skipped_students_are_not_sent(awake):
    world = awake
    update = this_week(world)
    weekly.save_sentence(update, world.ana, "")
    weekly.save_sentence(update, world.cal, "Cal helped a classmate with long division.")
    result = weekly.send_weekly_update(update, world.rivera)
    assert result.sent == 1
    assert not Message.objects.filter(conversation__student=world.ana).exists()


def test_coverage_counts_sent_skipped_and_replied(login, awake):
    world = awake
    update = this_week(world)
    weekly.save_sentence(update, world.ana, "Ana read her poem to the class today.")
    weekly.save_sentence(update, world.cal, "")
    weekly.send_weekly_update(update, world.rivera)
    sentence = UpdateSentence.objects.get(student=world.ana)
    receive_reply(world.rosa, sentence.message.conversation, "¡Gracias maestra!", "sms")

    rows = weekly.weekly_coverage(world.math)
    assert rows == [
        {
            "week_start": update.week_start,
            "sent_at": rows[0]["sent_at"],
            "sent": 1,
            "skipped": 1,
            "replied": 1,
        }
    ]
    response = login(world.rivera).get(reverse("routines:coverage", args=[world.math.pk]))
    assert '<td class="replied">1</td>' in response.content.decode()


# -- the reminder ----------------------------------------------------------------------------


def test_a_teacher_is_reminded_on_their_day_once_and_not_after_sending(login, world):
    client = login(world.rivera)
    client.post(reverse("routines:reminder", args=[world.math.pk]), {"day": "2"})
    world.rivera.refresh_from_db()
    assert world.rivera.weekly_update_day == 2
    monday = date(2026, 11, 23)
    assert weekly.remind_weekly_updates(today=monday) == 0  # not Wednesday yet
    assert weekly.remind_weekly_updates(today=monday + timedelta(days=2)) == 1
    assert mail.outbox[0].to == [world.rivera.email]
    assert "Math 6" in mail.outbox[0].body and "Art 6" in mail.outbox[0].body
    assert weekly.remind_weekly_updates(today=monday + timedelta(days=3)) == 0  # once a week
    next_monday = monday + timedelta(days=7)
    for section in (world.math, world.art):
        WeeklyUpdate.objects.create(
            section=section,
            week_start=next_monday,
            created_by=world.rivera,
            sent_at="2026-11-30T15:00Z",
        )
    assert weekly.remind_weekly_updates(today=next_monday + timedelta(days=2)) == 0
    assert len(mail.outbox) == 1


# -- scope and query counts --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["weekly", "coverage", "preview"])
def test_another_teachers_class_is_not_found(login, world, name):
    response = login(world.chen).get(reverse(f"routines:{name}", args=[world.math.pk]))
    assert response.status_code == 404


def test_another_teacher_cannot_send_or_save(login, world):
    client = login(world.chen)
    assert client.post(reverse("routines:send", args=[world.math.pk])).status_code == 404
    url = reverse("routines:save_sentence", args=[world.math.pk, world.ana.pk])
    assert client.post(url, {f"text-{world.ana.pk}": "Hello there"}).status_code == 404
    assert not WeeklyUpdate.objects.exists()


def test_a_student_outside_the_class_is_not_found(login, world):
    url = reverse("routines:save_sentence", args=[world.math.pk, world.ben.pk])
    response = login(world.rivera).post(url, {f"text-{world.ben.pk}": "Hello there friend"})
    assert response.status_code == 404


def add_students(world, count):
    students = Student.objects.bulk_create(
        Student(school=world.north, given_name=f"Kid{i}", family_name="Extra") for i in range(count)
    )
    Enrollment.objects.bulk_create(Enrollment(section=world.math, student=s) for s in students)
    return students


def test_the_weekly_page_costs_the_same_queries_for_2_or_30_students(
    login, world, django_assert_num_queries
):
    client = login(world.rivera)
    url = weekly_url(world)
    client.get(url)  # this week's update exists from now on
    update = WeeklyUpdate.objects.get()
    weekly.save_sentence(update, world.ana, "Ana read aloud.")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for student in add_students(world, 28):
        weekly.save_sentence(
            update, student, "Worked hard on fractions this week.", Framing.NEXT_STEP
        )
    with django_assert_num_queries(len(small)):
        assert client.get(url).status_code == 200
