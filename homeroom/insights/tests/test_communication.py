"""The communication figures on small fixtures, by hand: window edges (a reply on day 14
against day 15), time zones, school hours, reachable channels, staff participation; and the
daily roll-up against a direct computation on generated data."""

from datetime import UTC, date, datetime, timedelta
from itertools import count

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homeroom.insights import communication, facts
from homeroom.insights.models import DailyFigures
from homeroom.messaging.models import Conversation, Delivery, Message, SmsOptOut
from homeroom.people import households
from homeroom.people.models import Channel, Role
from homeroom.routines.models import ContactKind, ContactLog, Direction, Outcome

DAY = date(2026, 10, 15)  # a Thursday
_keys = count()


def _conversation(world, student, guardian, started_by="school", at=None):
    school = student.school
    return Conversation.objects.create(
        district=world.district,
        school=school,
        student=student,
        started_by=started_by,
        created_at=at or datetime(2026, 9, 1, tzinfo=UTC),
    )


def _say(conversation, at, *, guardian=None, staff=None, automatic=False):
    return Message.objects.create(
        conversation=conversation,
        author_guardian=guardian,
        author_staff=staff,
        body="Hello",
        language="en",
        created_at=at,
        is_automatic=automatic,
    )


def _deliver(message, guardian, at, *, status=Delivery.Status.DELIVERED, channel=Channel.SMS):
    return Delivery.objects.create(
        message=message,
        guardian=guardian,
        channel=channel,
        status=status,
        created_at=at,
        sent_at=at if status != Delivery.Status.FAILED else None,
        idempotency_key=f"key-{next(_keys)}",
    )


def _north(world, end):
    return communication.family_counts([world.north], end)[world.north.pk]


def test_a_reply_on_day_14_counts_in_the_14_day_window_and_one_on_day_15_does_not(world):
    end = communication.day_end(DAY, world.north)
    talk = _conversation(world, world.ana, world.rosa)
    _say(talk, end - timedelta(days=14) + timedelta(minutes=1), guardian=world.rosa)
    other = _conversation(world, world.ben, world.pat)
    _say(other, end - timedelta(days=15), guardian=world.pat)
    count = _north(world, end)
    assert count.mark("two_way_14").families == 1
    assert count.mark("two_way_30").families == 2
    assert count.mark("two_way_14", "es").families == 1  # Rosa reads Spanish
    # The window closes at the end of the day: a reply a minute later counts the day after.
    _say(talk, end + timedelta(minutes=1), guardian=world.marco)
    assert _north(world, end).mark("two_way_14").families == 1


def test_the_day_ends_at_midnight_in_each_schools_own_time_zone(world):
    world.south.time_zone = "Pacific/Auckland"
    world.south.save()
    north_end = communication.day_end(DAY, world.north)
    south_end = communication.day_end(DAY, world.south)
    assert north_end.astimezone(UTC) == datetime(2026, 10, 16, 5, 0, tzinfo=UTC)
    assert south_end.astimezone(UTC) == datetime(2026, 10, 15, 11, 0, tzinfo=UTC)
    # 20:00 UTC on the 15th: still the 15th in Chicago, already the 16th in Auckland.
    at = datetime(2026, 10, 15, 20, 0, tzinfo=UTC)
    _say(_conversation(world, world.ana, world.rosa), at, guardian=world.rosa)
    _say(_conversation(world, world.dee, world.olga), at, guardian=world.olga)
    facts.roll_up(world.district, DAY)
    rows = {r.school_id: r for r in DailyFigures.objects.filter(day=DAY, language="")}
    assert rows[world.north.pk].two_way_14 == 1
    assert rows[world.south.pk].two_way_14 == 0
    facts.roll_up(world.district, DAY + timedelta(days=1))
    south_next = DailyFigures.objects.get(
        day=DAY + timedelta(days=1), school=world.south, language=""
    )
    assert south_next.two_way_14 == 1


def test_reached_is_a_delivery_sent_or_delivered_in_the_window_not_a_send(world):
    end = communication.day_end(DAY, world.north)
    talk = _conversation(world, world.ana, world.rosa)
    note = _say(talk, end - timedelta(days=3), staff=world.rivera)
    _deliver(note, world.rosa, end - timedelta(days=3))
    _deliver(note, world.marco, end - timedelta(days=3), status=Delivery.Status.FAILED)
    _deliver(note, world.gina, end - timedelta(days=3), status=Delivery.Status.QUEUED)
    _deliver(note, world.pat, end - timedelta(days=20))
    count = _north(world, end)
    assert count.mark("reached_14").families == 1
    assert count.mark("reached_30").families == 2


def test_reachable_follows_opt_outs_failed_texts_and_email(world):
    pat = world.pat  # not joined, a phone and an email
    pat.phone = "+16125550199"
    pat.save()
    end = communication.day_end(DAY, world.north)
    # Everyone else at North has joined; Pat has a phone and an email.
    assert _north(world, end).mark("reachable").families == 5
    talk = _conversation(world, world.ben, pat)
    note = _say(talk, end - timedelta(days=2), staff=world.chen)
    _deliver(note, pat, end - timedelta(days=2), status=Delivery.Status.FAILED, channel="email")
    assert _north(world, end).mark("reachable").families == 5  # the text still works
    SmsOptOut.objects.create(phone=str(pat.phone), opted_out_at=end - timedelta(days=1))
    assert _north(world, end).mark("reachable").families == 4
    # A later email that went through: the email works again.
    _deliver(note, pat, end - timedelta(hours=2), status=Delivery.Status.SENT, channel="email")
    assert _north(world, end).mark("reachable").families == 5


def test_family_initiated_counts_conversations_the_family_began_and_their_calls(world):
    end = communication.day_end(DAY, world.north)
    began = _conversation(
        world, world.ana, world.rosa, started_by="family", at=end - timedelta(days=5)
    )
    _say(began, end - timedelta(days=5), guardian=world.rosa)
    ContactLog.objects.create(
        school=world.north,
        student=world.cal,
        guardian=world.gina,
        staff=world.rivera,
        kind=ContactKind.choices[0][0],
        direction=Direction.SCHOOL,
        outcome=Outcome.REACHED,
        at=end - timedelta(days=2),
    )
    count = _north(world, end)
    assert count.mark("two_way_14").families == 2  # Rosa wrote; Gina answered a call
    assert count.mark("initiated_14").families == 1  # only Rosa began it


def test_school_minutes_count_school_hours_only():
    zone = communication.school_zone(None)
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("America/Chicago")
    friday = datetime(2026, 10, 16, 15, 0, tzinfo=zone)
    monday = datetime(2026, 10, 19, 9, 0, tzinfo=zone)
    assert communication.school_minutes_between(friday, monday, zone) == 120
    evening = datetime(2026, 10, 14, 19, 0, tzinfo=zone)
    morning = datetime(2026, 10, 15, 8, 30, tzinfo=zone)
    assert communication.school_minutes_between(evening, morning, zone) == 30


def test_median_first_response_and_staff_participation_by_role(world):
    end = communication.day_end(DAY, world.north)
    zone = communication.school_zone(world.north)
    talk = _conversation(world, world.ana, world.rosa)
    asked = datetime(2026, 10, 9, 15, 0, tzinfo=zone)  # a Friday, an hour before closing
    _say(talk, asked, guardian=world.rosa)
    _say(talk, asked + timedelta(minutes=1), staff=world.rivera, automatic=True)  # not an answer
    _say(talk, asked + timedelta(minutes=5), guardian=world.rosa)  # the wait is already open
    _say(talk, datetime(2026, 10, 12, 9, 0, tzinfo=zone), staff=world.rivera)  # Monday
    other = _conversation(world, world.ben, world.pat)
    _say(other, datetime(2026, 10, 14, 10, 0, tzinfo=zone), guardian=world.pat)
    _say(other, datetime(2026, 10, 14, 10, 20, tzinfo=zone), staff=world.chen)
    _say(other, datetime(2026, 10, 15, 10, 0, tzinfo=zone), guardian=world.pat)  # unanswered
    lonely = _conversation(world, world.cal, world.gina)
    _say(lonely, end - timedelta(days=1), staff=world.liaison)  # nobody wrote back
    figures = communication.staff_figures([world.north], end)[world.north.pk]
    assert sorted(figures.waits) == [20, 120]
    assert figures.median_minutes == 70
    assert figures.by_role[Role.TEACHER] == [2, 2]
    assert figures.by_role[Role.FAMILY_LIAISON] == [1, 0]
    assert figures.by_role[Role.SCHOOL_ADMIN] == [1, 0]


def test_recomputing_a_day_replaces_its_rows(world):
    end = communication.day_end(DAY, world.north)
    _say(_conversation(world, world.ana, world.rosa), end - timedelta(days=1), guardian=world.rosa)
    written = facts.roll_up(world.district, DAY)
    assert written == DailyFigures.objects.filter(day=DAY).count() > 0
    assert facts.roll_up(world.district, DAY) == written
    assert DailyFigures.objects.filter(day=DAY).count() == written
    district = DailyFigures.objects.get(day=DAY, school__isnull=True, language="")
    assert district.families == 6 and district.two_way_14 == 1  # North's five, South's one
    assert district.staff_by_role[Role.TEACHER] == [3, 0]


def test_the_command_rolls_up_the_date_it_is_given(world):
    call_command("rollup_insights", "--date", "2026-10-15")
    assert DailyFigures.objects.filter(day=DAY, school=world.north, language="").exists()
    with pytest.raises(CommandError):
        call_command("rollup_insights", "--date", "15/10/2026")


# -- the roll-up equals the direct computation --------------------------------------------

EVENT = st.tuples(
    st.sampled_from(["reply", "began", "delivered", "failed_sms", "queued", "called"]),
    st.sampled_from(["rosa", "marco", "gina", "pat", "olga"]),
    # minutes before (or after) the end of the day: both windows' edges are in reach
    st.integers(min_value=-3 * 24 * 60, max_value=32 * 24 * 60),
)


def _students(world):
    return {
        "rosa": world.ana,
        "marco": world.ana,
        "gina": world.cal,
        "pat": world.ben,
        "olga": world.dee,
    }


def _apply(world, events, end):
    students = _students(world)
    for kind, name, minutes in events:
        guardian, student = getattr(world, name), students[name]
        at = end - timedelta(minutes=minutes)
        staff = world.rivera if student.school_id == world.north.pk else world.south_teacher
        if kind == "reply":
            _say(_conversation(world, student, guardian), at, guardian=guardian)
        elif kind == "began":
            talk = _conversation(world, student, guardian, started_by="family", at=at)
            _say(talk, at, guardian=guardian)
        elif kind == "called":
            ContactLog.objects.create(
                school=student.school,
                student=student,
                guardian=guardian,
                staff=staff,
                kind=ContactKind.choices[0][0],
                direction=Direction.FAMILY,
                at=at,
            )
        else:
            status = {
                "delivered": Delivery.Status.DELIVERED,
                "failed_sms": Delivery.Status.FAILED,
                "queued": Delivery.Status.QUEUED,
            }[kind]
            note = _say(_conversation(world, student, guardian), at, staff=staff)
            _deliver(note, guardian, at, status=status)


def _expected(world, events, end, school):
    """Each guardian at these schools is a family of their own in the personas' world."""
    students = _students(world)
    marks = {name: set() for name in communication.FAMILY_MARKS}
    for kind, name, minutes in events:
        if students[name].school_id != school.pk:
            continue
        at = end - timedelta(minutes=minutes)
        for days in communication.WINDOWS:
            inside = end - timedelta(days=days) <= at < end
            if not inside:
                continue
            if kind in ("reply", "began", "called"):
                marks[f"two_way_{days}"].add(name)
            if kind in ("began", "called"):
                marks[f"initiated_{days}"].add(name)
            if kind == "delivered":
                marks[f"reached_{days}"].add(name)
    return {
        name: len(found)
        for name, found in marks.items()
        if name.startswith(("two_way", "initiated", "reached"))
    }


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(events=st.lists(EVENT, max_size=12))
def test_the_roll_up_equals_the_direct_computation(world, events):
    with transaction.atomic():
        end = communication.day_end(DAY, world.north)
        _apply(world, events, end)
        facts.roll_up(world.district, DAY)
        for school in (world.north, world.south):
            row = DailyFigures.objects.get(day=DAY, school=school, language="")
            direct = communication.family_counts([school], end)[school.pk]
            for name in communication.FAMILY_MARKS:
                assert getattr(row, name) == direct.mark(name).families, name
                for language, _tally in direct.by_language():
                    by_language = DailyFigures.objects.get(
                        day=DAY, school=school, language=language
                    )
                    assert getattr(by_language, name) == direct.mark(name, language).families
            assert row.families == direct.families
            for name, expected in _expected(world, events, end, school).items():
                assert getattr(row, name) == expected, name
            staff = communication.staff_figures([school], end)[school.pk]
            assert row.response_median_minutes == staff.median_minutes
            assert row.staff_by_role == staff.by_role
        whole = communication.family_counts([world.north, world.south], end)[households.ALL]
        district = DailyFigures.objects.get(day=DAY, school__isnull=True, language="")
        assert [getattr(district, n) for n in communication.FAMILY_MARKS] == [
            whole.mark(n).families for n in communication.FAMILY_MARKS
        ]
        transaction.set_rollback(True)


def test_the_scheduler_rolls_up_yesterday(world):
    from unittest import mock

    from homeroom.insights.tasks import roll_up_insights
    from homeroom.web.management.commands.periodic import due_tasks

    assert "homeroom.insights.tasks.roll_up_insights" in due_tasks({}, 0.0)
    with mock.patch("django.utils.timezone.localdate", return_value=date(2026, 10, 16)):
        roll_up_insights.enqueue()  # the tests' backend runs it at once
    assert DailyFigures.objects.filter(day=DAY, school=world.north, language="").exists()
