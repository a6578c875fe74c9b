"""Staff keep office hours; a family writing outside them hears, once a day and in their own
language, when the teacher will be back — and the teacher still sees the message as new."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from homeroom.messaging.inbound.notify import unread_counts_for_staff
from homeroom.messaging.inbound.office_hours import (
    back_at,
    is_within_office_hours,
    office_hours_of,
)
from homeroom.messaging.inbound.service import receive_reply
from homeroom.messaging.models import Message
from homeroom.people.models import StaffMember
from homeroom.translation.detection import detect_language

from .builders import private_thread

CHICAGO = ZoneInfo("America/Chicago")
WEEKDAYS = {"days": [0, 1, 2, 3, 4], "start": "08:00", "end": "16:00"}


def keep_hours(staff: StaffMember, hours: dict | None) -> StaffMember:
    staff.office_hours = hours
    staff.save(update_fields=["office_hours"])
    return staff


def chicago(*args) -> datetime:
    return datetime(*args, tzinfo=CHICAGO)


# -- the helper -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "inside"),
    [
        (chicago(2026, 11, 23, 9, 0), True),  # Monday morning
        (chicago(2026, 11, 23, 8, 0), True),  # the first minute
        (chicago(2026, 11, 23, 16, 0), False),  # the end is not inside
        (chicago(2026, 11, 23, 7, 59), False),
        (chicago(2026, 11, 23, 22, 0), False),
        (chicago(2026, 11, 28, 10, 0), False),  # Saturday
        # 15:00 UTC is 09:00 in Chicago: the school's clock decides, not the server's.
        (datetime(2026, 11, 23, 15, 0, tzinfo=ZoneInfo("UTC")), True),
        (datetime(2026, 11, 23, 23, 0, tzinfo=ZoneInfo("UTC")), False),
    ],
)
def test_office_hours_are_read_on_the_schools_clock(world, at, inside):
    rivera = keep_hours(world.rivera, WEEKDAYS)

    assert is_within_office_hours(rivera, at, school=world.north) is inside
    # Without a school, the one the staff member works at gives the time zone.
    assert is_within_office_hours(rivera, at) is inside


def test_a_school_in_another_time_zone_moves_the_hours(world):
    world.north.time_zone = "America/Los_Angeles"
    rivera = keep_hours(world.rivera, WEEKDAYS)

    # 09:00 in Chicago is 07:00 in Los Angeles: not yet.
    assert not is_within_office_hours(rivera, chicago(2026, 11, 23, 9, 0), school=world.north)


@pytest.mark.parametrize(
    "hours",
    [
        None,
        {},
        {"days": [], "start": "08:00", "end": "16:00"},
        {"days": [0, 7], "start": "08:00", "end": "16:00"},
        {"days": [0], "start": "16:00", "end": "08:00"},
        {"days": [0], "start": "eight", "end": "16:00"},
        "weekdays",
    ],
)
def test_without_sensible_office_hours_a_staff_member_is_always_reachable(world, hours):
    rivera = keep_hours(world.rivera, hours)

    assert office_hours_of(rivera) is None
    assert is_within_office_hours(rivera, chicago(2026, 11, 28, 3, 0), school=world.north)
    assert back_at(rivera, chicago(2026, 11, 28, 3, 0), school=world.north) is None


def test_back_at_is_the_next_start_of_office_hours(world):
    rivera = keep_hours(world.rivera, WEEKDAYS)

    friday_evening = chicago(2026, 11, 27, 17, 30)
    assert back_at(rivera, friday_evening, school=world.north) == chicago(2026, 11, 30, 8, 0)
    early_monday = chicago(2026, 11, 23, 6, 0)
    assert back_at(rivera, early_monday, school=world.north) == chicago(2026, 11, 23, 8, 0)
    assert back_at(rivera, chicago(2026, 11, 23, 9, 0), school=world.north) is None


# -- the automatic reply ----------------------------------------------------------------------


def away_all_day(staff: StaffMember) -> StaffMember:
    """Office hours on a single weekday that is not today (school time), so now is outside."""
    today = timezone.now().astimezone(CHICAGO).weekday()
    return keep_hours(staff, {"days": [(today + 2) % 7], "start": "08:00", "end": "16:00"})


def automatic_replies(conversation):
    return Message.objects.filter(conversation=conversation, is_automatic=True)


def test_a_family_writing_outside_office_hours_gets_one_answer_a_day(world):
    rivera = away_all_day(world.rivera)
    conversation = private_thread(world, world.marco, staff=[rivera])

    receive_reply(world.marco, conversation, "Can Ana bring her own lunch?", "app")
    receive_reply(world.marco, conversation, "Also, is there a field trip?", "app")

    (answer,) = automatic_replies(conversation)
    assert answer.author_staff == rivera
    assert "I'll answer when I'm back" in answer.body
    assert "Maria" in answer.body
    assert "8 a.m." in answer.body
    assert answer.language == "en"
    # The answer does not count as the teacher reading: both family messages wait for her.
    assert unread_counts_for_staff(rivera) == 2


def test_the_next_day_brings_another_automatic_answer(world):
    rivera = away_all_day(world.rivera)
    conversation = private_thread(world, world.marco, staff=[rivera])
    receive_reply(world.marco, conversation, "Can Ana bring her own lunch?", "app")
    automatic_replies(conversation).update(created_at=timezone.now() - timedelta(days=1))

    receive_reply(world.marco, conversation, "Never mind, she will buy it.", "app")

    assert automatic_replies(conversation).count() == 2


def test_each_conversation_gets_its_own_answer(world):
    rivera = away_all_day(world.rivera)
    first = private_thread(world, world.marco, staff=[rivera])
    second = private_thread(world, world.gina, staff=[rivera], student=world.cal)

    receive_reply(world.marco, first, "Question about homework", "app")
    receive_reply(world.gina, second, "Câu hỏi về bài tập về nhà của Cal", "app")

    assert automatic_replies(first).count() == 1
    assert automatic_replies(second).count() == 1


def test_within_office_hours_there_is_no_automatic_answer(world):
    rivera = keep_hours(
        world.rivera, {"days": [0, 1, 2, 3, 4, 5, 6], "start": "00:00", "end": "23:59:59"}
    )
    conversation = private_thread(world, world.marco, staff=[rivera])

    receive_reply(world.marco, conversation, "Can Ana bring her own lunch?", "app")

    assert not automatic_replies(conversation).exists()


def test_staff_without_office_hours_send_no_automatic_answer(world):
    conversation = private_thread(world, world.marco, staff=[world.rivera])

    receive_reply(world.marco, conversation, "Can Ana bring her own lunch?", "app")

    assert not automatic_replies(conversation).exists()


def test_the_automatic_answer_is_in_the_familys_language(world, apertium):
    rivera = away_all_day(world.rivera)
    conversation = private_thread(world, world.rosa, staff=[rivera])

    receive_reply(world.rosa, conversation, "¿Puede Ana traer su almuerzo?", "app")

    (answer,) = automatic_replies(conversation)
    assert answer.language == "es"
    assert detect_language(answer.body).language == "es"
    assert "Maria" in answer.body
