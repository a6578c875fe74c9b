"""Conversations in the product's words: who is in them, who gets what, on which channel, in
which language, and who may announce to whom."""

import logging
from datetime import time

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext

from homeroom.messaging import routing, services
from homeroom.messaging.audiences import Audience
from homeroom.messaging.models import (
    Conversation,
    Delivery,
    Message,
    MessageTranslation,
    Participant,
    SmsOptOut,
)
from homeroom.people.models import Enrollment, Guardian, Guardianship, Student
from homeroom.testing.servers import BROKEN, COUNTING, CountingTranslator, awake

from .builders import add_families

pytestmark = pytest.mark.usefixtures("messaging_settings")


def participants(conversation):
    rows = Participant.objects.filter(conversation=conversation)
    return {p.staff or p.guardian for p in rows.select_related("staff", "guardian")}


def deliveries_by_guardian(message):
    return {d.guardian: d for d in Delivery.objects.filter(message=message)}


# -- private conversations ----------------------------------------------------------------------


def test_staff_start_a_conversation_with_the_students_contactable_guardians(
    world, counting_translator
):
    conversation = services.start_conversation(
        student=world.cal, by_staff=world.rivera, text="Cal read a whole chapter today."
    )
    assert conversation.kind == Conversation.Kind.PRIVATE
    assert conversation.started_by == Conversation.StartedBy.SCHOOL
    assert conversation.school == world.north
    # Ray's court order: not in the conversation, never a delivery.
    assert participants(conversation) == {world.rivera, world.gina}
    message = conversation.messages.get()
    assert message.author_staff == world.rivera
    assert message.language == "en"
    assert set(deliveries_by_guardian(message)) == {world.gina}


def test_a_colleague_can_be_added_but_only_from_the_students_school(world, counting_translator):
    conversation = services.start_conversation(
        student=world.ana, by_staff=world.rivera, staff=[world.counselor], text="Hello"
    )
    assert participants(conversation) == {world.rivera, world.counselor, world.rosa, world.marco}
    with pytest.raises(ValueError):
        services.start_conversation(
            student=world.ana, by_staff=world.rivera, staff=[world.south_teacher], text="Hi"
        )


def test_staff_cannot_start_a_conversation_about_a_student_outside_their_scope(world):
    with pytest.raises(Http404):
        services.start_conversation(student=world.ben, by_staff=world.rivera, text="Hello")
    with pytest.raises(Http404):
        services.start_conversation(student=world.dee, by_staff=world.principal, text="Hello")
    assert not Conversation.objects.exists()


def test_a_family_writes_to_the_school_office_when_it_picks_nobody(world, counting_translator):
    conversation = services.start_conversation(
        student=world.ana, by_guardian=world.rosa, text="¿Cuándo es la reunión?"
    )
    assert conversation.started_by == Conversation.StartedBy.FAMILY
    # Marco keeps another household: a family's words do not reach it.
    assert participants(conversation) == {world.liaison, world.rosa}
    message = conversation.messages.get()
    assert message.author_guardian == world.rosa
    assert message.language == "es"  # a guardian writes in their own language
    # Staff read English: one translation, from Spanish.
    assert list(message.translations.values_list("language", flat=True)) == ["en"]
    # No one else of Rosa's household; the author does not get their own message.
    assert set(deliveries_by_guardian(message)) == set()


def test_a_family_writes_to_the_childs_teacher(world, counting_translator):
    conversation = services.start_conversation(
        student=world.ana, by_guardian=world.marco, staff=[world.rivera], text="Question"
    )
    assert participants(conversation) == {world.rivera, world.marco}


def test_a_family_cannot_write_about_someone_elses_child_nor_when_barred(world):
    with pytest.raises(Http404):
        services.start_conversation(student=world.ben, by_guardian=world.rosa, text="Hi")
    with pytest.raises(Http404):
        services.start_conversation(student=world.cal, by_guardian=world.ray, text="Hi")


def test_a_message_has_one_author(world):
    with pytest.raises(ValueError):
        services.start_conversation(
            student=world.ana, by_staff=world.rivera, by_guardian=world.rosa, text="Hi"
        )
    with pytest.raises(ValueError):
        services.start_conversation(student=world.ana, by_staff=world.rivera, text="  ")


# -- send_message: deliveries -------------------------------------------------------------------


def test_each_guardian_gets_one_delivery_on_their_channel_and_staff_get_none(
    world, counting_translator
):
    awake(world.rosa, world.marco)
    conversation = services.start_conversation(
        student=world.ana, by_staff=world.rivera, text="Ana helped a classmate today."
    )
    message = conversation.messages.get()
    by_guardian = deliveries_by_guardian(message)
    assert set(by_guardian) == {world.rosa, world.marco}
    assert by_guardian[world.rosa].channel == "sms"
    assert by_guardian[world.rosa].to_address == "+16125550111"
    assert by_guardian[world.rosa].language == "es"
    assert by_guardian[world.marco].channel == "email"
    assert by_guardian[world.marco].to_address == "marco.lopez@family.example"
    assert all(d.status == Delivery.Status.QUEUED for d in by_guardian.values())
    assert not Delivery.objects.filter(staff__isnull=False).exists()


@pytest.mark.parametrize(
    ("preferred", "phone", "email", "opted_out", "expected"),
    [
        ("app", "+16125550111", "r@x.example", False, "app"),
        ("sms", "+16125550111", "r@x.example", False, "sms"),
        ("sms", "", "r@x.example", False, "email"),
        ("sms", "+16125550111", "r@x.example", True, "email"),
        ("sms", "+16125550111", "", True, "app"),
        ("email", "+16125550111", "", False, "sms"),
        ("email", "", "", False, "app"),
    ],
)
def test_the_channel_is_the_familys_choice_else_the_next_that_reaches_them(
    world, counting_translator, preferred, phone, email, opted_out, expected
):
    Guardian.objects.filter(pk=world.rosa.pk).update(channel=preferred, phone=phone, email=email)
    if opted_out:
        SmsOptOut.objects.create(phone="+16125550111")
    conversation = services.start_conversation(
        student=world.ana, by_staff=world.rivera, text="Hello"
    )
    rosa = deliveries_by_guardian(conversation.messages.get())[world.rosa]
    assert rosa.channel == expected


def test_a_family_that_texted_stop_gets_email_instead(world, counting_translator):
    SmsOptOut.objects.create(phone="+16125550111")
    conversation = services.start_conversation(
        student=world.ana, by_staff=world.rivera, text="Hello"
    )
    rosa = deliveries_by_guardian(conversation.messages.get())[world.rosa]
    assert (rosa.channel, rosa.to_address) == ("email", "rosa.lopez@family.example")


def test_idempotency_keys_are_stable_and_distinct(world, counting_translator):
    conversation = services.start_conversation(
        student=world.ana, by_staff=world.rivera, text="Hello"
    )
    message = conversation.messages.get()
    rows = deliveries_by_guardian(message)
    for guardian, delivery in rows.items():
        assert delivery.idempotency_key == routing.idempotency_key(
            message.pk, guardian.pk, delivery.channel, 0
        )
    assert len({d.idempotency_key for d in rows.values()}) == 2
    assert routing.idempotency_key(1, 2, "sms", 0) != routing.idempotency_key(1, 2, "sms", 1)


def test_send_message_updates_the_conversation_and_the_authors_read_marker(
    world, counting_translator
):
    conversation = services.start_conversation(
        student=world.ana, by_staff=world.rivera, text="First"
    )
    before = conversation.last_message_at
    message = services.send_message(conversation, text="Second", by_staff=world.rivera)
    conversation.refresh_from_db()
    assert conversation.last_message_at == message.created_at > before
    rivera = Participant.objects.get(conversation=conversation, staff=world.rivera)
    assert rivera.last_read_at == message.created_at


def test_a_guardian_barred_after_the_conversation_began_receives_nothing_more(
    world, counting_translator
):
    conversation = services.start_conversation(
        student=world.ana, by_staff=world.rivera, text="First"
    )
    Guardianship.objects.filter(guardian=world.marco).update(may_contact=False)
    message = services.send_message(conversation, text="Second", by_staff=world.rivera)
    assert set(deliveries_by_guardian(message)) == {world.rosa}


def test_a_guardian_outside_the_conversation_cannot_write_in_it(world, counting_translator):
    conversation = services.start_conversation(
        student=world.ana, by_staff=world.rivera, text="First"
    )
    with pytest.raises(Http404):
        services.send_message(conversation, text="Hi", by_guardian=world.gina)


def test_a_leader_who_writes_in_a_thread_joins_it(world, counting_translator):
    conversation = services.start_conversation(
        student=world.ana, by_staff=world.rivera, text="First"
    )
    services.send_message(conversation, text="I can help.", by_staff=world.principal)
    assert world.principal in participants(conversation)


def test_on_commit_the_deliveries_are_queued_for_the_worker(
    world, counting_translator, django_capture_on_commit_callbacks, mailoutbox
):
    awake(world.rosa, world.marco)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        conversation = services.start_conversation(
            student=world.ana, by_staff=world.rivera, text="Ana did well."
        )
    assert len(callbacks) == 1
    statuses = set(
        Delivery.objects.filter(message__conversation=conversation).values_list("status", flat=True)
    )
    assert statuses == {Delivery.Status.SENT}  # the immediate backend ran the worker
    assert [m.to for m in mailoutbox] == [["marco.lopez@family.example"]]


def test_nothing_is_queued_when_the_transaction_rolls_back(
    world, counting_translator, django_capture_on_commit_callbacks, mailoutbox
):
    from django.db import transaction

    awake(world.rosa, world.marco)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.start_conversation(student=world.ana, by_staff=world.rivera, text="Hi")
        raise RuntimeError("the view failed afterwards")
    assert callbacks == []
    assert not Delivery.objects.exists()
    assert mailoutbox == []  # Marco was not written to about a message that never was


# -- translation --------------------------------------------------------------------------------


def test_rosa_reads_spanish_marco_english_with_apertium(world):
    conversation = services.start_conversation(
        student=world.ana, by_staff=world.rivera, text="Ana worked hard today."
    )
    message = conversation.messages.get()
    spanish = MessageTranslation.objects.get(message=message)
    assert spanish.language == "es"
    assert spanish.provider == "apertium"
    assert spanish.machine
    assert "Ana" in spanish.text and "trabaj" in spanish.text.lower()
    assert message.body == "Ana worked hard today."  # the original is kept
    rows = deliveries_by_guardian(message)
    assert not rows[world.rosa].untranslated
    assert not rows[world.marco].untranslated


def test_one_translation_per_language_however_many_readers(world, counting_translator):
    add_families(world, world.math, 5, language="es")
    add_families(world, world.math, 3, language="vi", start=10)
    services.send_announcement(
        by_staff=world.rivera, audience=Audience.section(world.math), text="No school Monday."
    )
    targets = sorted(target for _source, target, _texts in CountingTranslator.calls)
    assert targets == ["es", "vi"]  # Rosa + 5 in Spanish, Gina + 3 in Vietnamese
    message = Message.objects.get()
    assert sorted(message.translations.values_list("language", flat=True)) == ["es", "vi"]
    assert message.translations.get(language="es").text == "[es] No school Monday."


def test_a_language_no_engine_serves_gets_the_original_marked_untranslated(world):
    # Pat reads Somali; no LibreTranslate server is configured.
    conversation = services.start_conversation(
        student=world.ben, by_staff=world.chen, text="Ben was kind to a new classmate."
    )
    message = conversation.messages.get()
    pat = deliveries_by_guardian(message)[world.pat]
    assert pat.untranslated
    assert pat.language == "so"
    assert not message.translations.exists()


def test_an_engine_failing_mid_call_costs_only_its_own_readers(settings, world):
    settings.TRANSLATION_ROUTES = {"en:vi": [BROKEN], "*": [COUNTING]}
    CountingTranslator.calls = []
    conversation = services.send_announcement(
        by_staff=world.rivera, audience=Audience.section(world.math), text="No school Monday."
    )
    message = conversation.messages.get()
    assert list(message.translations.values_list("language", flat=True)) == ["es"]
    rows = deliveries_by_guardian(message)
    assert rows[world.gina].untranslated  # Vietnamese: the engine failed
    assert not rows[world.rosa].untranslated
    assert len(rows) == 3  # everyone still gets the message


def test_names_are_protected_from_translation(world, counting_translator):
    services.start_conversation(
        student=world.ana, by_staff=world.rivera, text="Ana and Rosa met Maria."
    )
    (_source, _target, texts) = CountingTranslator.calls[0]
    # The engine sees placeholders where the names were.
    assert "Ana" not in texts[0] and "Rosa" not in texts[0] and "Maria" not in texts[0]


# -- urgent ------------------------------------------------------------------------------------


def test_an_urgent_message_is_marked_and_logged_without_names(world, counting_translator, caplog):
    with caplog.at_level(logging.INFO, logger="homeroom.messaging"):
        conversation = services.start_conversation(
            student=world.ana,
            by_staff=world.rivera,
            text="Ana is in the nurse's office.",
            urgent_reason="Ana is unwell",
        )
    message = conversation.messages.get()
    assert message.is_urgent and message.urgent_reason == "Ana is unwell"
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert f"urgent message {message.pk}" in logged
    for name in ("Ana", "Rosa", "Marco", "Rivera", "Lopez", "unwell"):
        assert name not in logged


# -- announcements ------------------------------------------------------------------------------


def test_a_teacher_announces_to_their_section(world, counting_translator):
    conversation = services.send_announcement(
        by_staff=world.rivera,
        audience=Audience.section(world.math),
        text="Field trip on Friday.",
        subject="Field trip",
    )
    assert conversation.kind == Conversation.Kind.ANNOUNCEMENT
    assert conversation.section == world.math
    assert conversation.audience["kind"] == "section"
    # Rosa, Marco (Ana); Gina (Cal); not Ray (barred), not Eli (Eve is no longer enrolled).
    assert participants(conversation) == {world.rivera, world.rosa, world.marco, world.gina}
    message = conversation.messages.get()
    assert set(deliveries_by_guardian(message)) == {world.rosa, world.marco, world.gina}


def test_a_family_with_two_children_in_the_audience_is_there_once(world, counting_translator):
    second = Student.objects.create(school=world.north, given_name="Lia", family_name="Lopez")
    Enrollment.objects.create(section=world.math, student=second)
    Guardianship.objects.create(guardian=world.rosa, student=second)
    conversation = services.send_announcement(
        by_staff=world.rivera, audience=Audience.section(world.math), text="Hi"
    )
    assert Participant.objects.filter(conversation=conversation, guardian=world.rosa).count() == 1
    assert Delivery.objects.filter(guardian=world.rosa).count() == 1


@pytest.mark.parametrize(
    ("sender", "audience", "error"),
    [
        ("chen", lambda w: Audience.section(w.math), Http404),  # not his class, not visible
        ("liaison", lambda w: Audience.section(w.math), PermissionDenied),  # sees, not teaches
        ("rivera", lambda w: Audience.school(w.north), PermissionDenied),
        ("rivera", lambda w: Audience.of_grade(w.north, "6"), PermissionDenied),
        ("principal", lambda w: Audience.school(w.south), Http404),
        ("principal", lambda w: Audience.district(), PermissionDenied),
        ("south_admin", lambda w: Audience.section(w.math), Http404),
        ("elsewhere_admin", lambda w: Audience.school(w.north), Http404),
    ],
)
def test_who_may_not_announce_to_whom(world, sender, audience, error):
    with pytest.raises(error):
        services.send_announcement(
            by_staff=getattr(world, sender), audience=audience(world), text="Hi"
        )
    assert not Conversation.objects.exists()


def test_school_admins_announce_to_their_school_or_a_grade_of_it(world, counting_translator):
    whole = services.send_announcement(
        by_staff=world.principal, audience=Audience.school(world.north), text="Welcome back"
    )
    assert participants(whole) - {world.principal} == {
        world.rosa,
        world.marco,
        world.gina,
        world.pat,
    }
    Student.objects.filter(pk=world.ben.pk).update(grade="5")
    grade = services.send_announcement(
        by_staff=world.principal, audience=Audience.of_grade(world.north, "6"), text="Grade 6"
    )
    assert participants(grade) - {world.principal} == {world.rosa, world.marco, world.gina}
    admin_to_section = services.send_announcement(
        by_staff=world.principal, audience=Audience.section(world.science), text="Science"
    )
    assert participants(admin_to_section) - {world.principal} == {world.pat}


def test_a_district_admin_announces_to_the_whole_district(world, counting_translator):
    conversation = services.send_announcement(
        by_staff=world.district_admin, audience=Audience.district(), text="Snow day"
    )
    families = participants(conversation) - {world.district_admin}
    assert families == {world.rosa, world.marco, world.gina, world.pat, world.olga}
    assert world.zed_parent not in families  # another district


def test_an_announcement_writes_in_batches_not_per_family(
    world, counting_translator, django_assert_max_num_queries
):
    add_families(world, world.math, 120)
    with django_assert_max_num_queries(40):
        services.send_announcement(
            by_staff=world.rivera, audience=Audience.section(world.math), text="Hi"
        )
    assert Delivery.objects.count() == 123


# -- replies to announcements -------------------------------------------------------------------


def test_a_reply_to_an_announcement_becomes_a_private_thread_with_its_sender(
    world, counting_translator
):
    announcement = services.send_announcement(
        by_staff=world.rivera,
        audience=Audience.section(world.math),
        text="Field trip Friday",
        subject="Field trip",
    )
    thread = services.reply_to_announcement(
        announcement, guardian=world.rosa, text="¿Qué debe llevar Ana?", channel="sms"
    )
    assert thread.kind == Conversation.Kind.PRIVATE
    assert thread.reply_to_announcement == announcement
    assert thread.student == world.ana
    assert thread.subject == "Re: Field trip"
    assert participants(thread) == {world.rivera, world.rosa}
    message = thread.messages.get()
    assert (message.author_guardian, message.channel, message.language) == (world.rosa, "sms", "es")
    again = services.reply_to_announcement(
        announcement, guardian=world.rosa, text="Gracias", channel="app"
    )
    assert again == thread
    assert thread.messages.count() == 2


def test_only_families_in_the_announcement_can_reply_to_it(world, counting_translator):
    announcement = services.send_announcement(
        by_staff=world.rivera, audience=Audience.section(world.math), text="Hi"
    )
    with pytest.raises(Http404):
        services.reply_to_announcement(announcement, guardian=world.olga, text="?", channel="app")


def test_families_answer_announcements_through_reply_to_announcement(world, counting_translator):
    announcement = services.send_announcement(
        by_staff=world.rivera, audience=Audience.section(world.math), text="Hi"
    )
    with pytest.raises(ValueError):
        services.send_message(announcement, text="Hello", by_guardian=world.rosa)


# -- reading ------------------------------------------------------------------------------------


def test_mark_read_moves_the_marker_and_makes_app_deliveries_read(
    world, counting_translator, django_capture_on_commit_callbacks
):
    Guardian.objects.filter(pk=world.rosa.pk).update(channel="app")
    with django_capture_on_commit_callbacks(execute=True):
        conversation = services.start_conversation(
            student=world.ana, by_staff=world.rivera, text="Hello"
        )
    rosa = Delivery.objects.get(guardian=world.rosa)
    assert rosa.status == Delivery.Status.SENT  # in the app: there at once
    services.mark_read(conversation, guardian=world.rosa)
    rosa.refresh_from_db()
    assert rosa.status == Delivery.Status.READ and rosa.read_at is not None
    assert Participant.objects.get(conversation=conversation, guardian=world.rosa).last_read_at
    assert Delivery.objects.get(guardian=world.marco).status != Delivery.Status.READ
    services.mark_read(conversation, staff=world.rivera)
    assert Participant.objects.get(conversation=conversation, staff=world.rivera).last_read_at


# -- query counts -------------------------------------------------------------------------------

# Two of them count what the two engine calls (Spanish, Vietnamese) sent.
SEND_MESSAGE_QUERIES = 18


@pytest.mark.parametrize("families", [10, 30])
def test_send_message_to_a_section_costs_the_same_queries_for_10_or_30_families(
    world, counting_translator, django_assert_num_queries, families
):
    Guardianship.objects.filter(student__in=[world.ana, world.cal]).update(is_active=False)
    add_families(world, world.math, families // 2, language="es", channel="sms")
    add_families(world, world.math, families // 2, language="vi", channel="email", start=100)
    announcement = services.send_announcement(
        by_staff=world.rivera, audience=Audience.section(world.math), text="Welcome"
    )
    with django_assert_num_queries(SEND_MESSAGE_QUERIES):
        message = services.send_message(
            announcement, text="Bring a coat tomorrow.", by_staff=world.rivera
        )
    assert message.deliveries.count() == families


def test_quiet_hours_wrap_past_midnight():
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    chicago = ZoneInfo("America/Chicago")
    start, end = time(20, 0), time(7, 0)

    def at(hour, minute=0):
        return datetime(2026, 11, 23, hour, minute, tzinfo=chicago).astimezone(UTC)

    morning = datetime(2026, 11, 24, 7, 0, tzinfo=chicago).astimezone(UTC)
    assert routing.quiet_hours_end(at(23), chicago, start, end) == morning
    assert routing.quiet_hours_end(at(20), chicago, start, end) == morning
    early = datetime(2026, 11, 23, 7, 0, tzinfo=chicago).astimezone(UTC)
    assert routing.quiet_hours_end(at(3), chicago, start, end) == early
    assert routing.quiet_hours_end(at(7), chicago, start, end) is None
    assert routing.quiet_hours_end(at(12), chicago, start, end) is None
    assert routing.quiet_hours_end(at(19, 59), chicago, start, end) is None
    # Hours that do not wrap (a night-shift worker sleeping 09:00–15:00).
    assert routing.quiet_hours_end(at(10), chicago, time(9), time(15)) == datetime(
        2026, 11, 23, 15, 0, tzinfo=chicago
    ).astimezone(UTC)
    assert routing.quiet_hours_end(at(16), chicago, time(9), time(15)) is None
    # Equal start and end: no quiet hours at all.
    assert routing.quiet_hours_end(at(23), chicago, time(0), time(0)) is None


def test_a_system_text_is_prepared_only_in_languages_whose_catalogue_has_it(settings):
    # Somali is shipped here but has no catalogue: it must not get the English as "Somali".
    settings.LANGUAGES = [("en", "English"), ("es", "Spanish"), ("ar", "Arabic"), ("so", "Somali")]
    versions = services.catalogue_versions(lambda: gettext("Tell us about your child"))
    assert versions == {"es": "Cuéntenos sobre su hijo o hija", "ar": "حدّثونا عن طفلكم"}
