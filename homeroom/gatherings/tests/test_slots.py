"""Conference slots: a teacher publishes her hours, families book one time per child per
teacher (siblings back to back), staff book for a family who called, the interpreter needed
is on the teacher's schedule, and moving a day tells every booked family in its language."""

import re
from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from homeroom.gatherings import slots
from homeroom.gatherings.models import Booking, ConferenceSlot, SlotBlock
from homeroom.messaging.models import Delivery, Message, MessageTranslation
from homeroom.people.models import Guardianship, Student
from homeroom.testing.personas import enrol, link

CHICAGO = ZoneInfo("America/Chicago")


def coming_day(days=10):
    return timezone.localtime(timezone.now(), CHICAGO).date() + timedelta(days=days)


def make_block(world, teacher=None, days=10, starts=time(15), ends=time(16), minutes=15, gap=5):
    return slots.publish_block(
        teacher or world.rivera,
        world.north,
        day=coming_day(days),
        starts=starts,
        ends=ends,
        slot_minutes=minutes,
        buffer_minutes=gap,
        place="Room 12",
    )


def block_data(world, **overrides):
    data = {
        "school": str(world.north.pk),
        "day": coming_day().isoformat(),
        "starts": "15:00",
        "ends": "16:00",
        "slot_minutes": "15",
        "buffer_minutes": "5",
        "place": "Room 12",
    }
    data.update(overrides)
    return data


def add_sibling(world):
    """Ana's brother Leo, in Math 6 too: Rosa and Marco have two children with Ms Rivera."""
    leo = Student.objects.create(
        school=world.north, given_name="Leo", family_name="Lopez", grade="6"
    )
    enrol(world.math, leo)
    link(world.rosa, leo, is_primary=True)
    link(world.marco, leo, lives_with=False)
    return leo


def book_page(client):
    return client.get(reverse("gatherings:slots_book"))


def text_of(response) -> str:
    """The page's words, tags (such as the <bdi> around names) left out."""
    return " ".join(re.sub(r"<[^>]+>", "", response.content.decode()).split())


# ---- publishing -------------------------------------------------------------------------------


def test_a_teacher_publishes_her_hours_cut_into_slots_with_a_buffer(world, login):
    response = login(world.rivera).post(reverse("gatherings:slots"), block_data(world))
    block = SlotBlock.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("gatherings:slots_block", args=[block.pk])
    starts = [timezone.localtime(s.starts_at, CHICAGO).strftime("%H:%M") for s in block.slots.all()]
    # 15 minutes each and 5 between: 15:00, 15:20, 15:40 (16:00 would end after the hours).
    assert starts == ["15:00", "15:20", "15:40"]
    assert block.teacher == world.rivera and block.school == world.north


@pytest.mark.parametrize(
    "overrides, says",
    [
        ({"day": "2020-01-06"}, "Choose a start in the future."),
        ({"slot_minutes": "0"}, "greater than or equal to 5"),
        ({"slot_minutes": "61"}, "less than or equal to 60"),
        ({"buffer_minutes": "31"}, "less than or equal to 30"),
        ({"ends": "14:00"}, "The end must come after the start."),
        ({"ends": "15:10"}, "Not even one meeting fits"),
        ({"starts": "25:00"}, "Enter a valid time."),
        ({"place": "Room\x00 1"}, "Null characters are not allowed."),
        ({"school": str(999999)}, "Select a valid choice."),
    ],
)
def test_bad_hours_are_refused_and_nothing_is_stored(world, login, overrides, says):
    response = login(world.rivera).post(reverse("gatherings:slots"), block_data(world, **overrides))
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not SlotBlock.objects.exists() and not ConferenceSlot.objects.exists()


def test_overlapping_hours_on_the_same_day_are_refused(world, login):
    make_block(world)
    response = login(world.rivera).post(
        reverse("gatherings:slots"), block_data(world, starts="15:30", ends="17:00")
    )
    assert response.status_code == 400
    assert "You already have conference hours at that time" in response.content.decode()
    assert SlotBlock.objects.count() == 1 and ConferenceSlot.objects.count() == 3


def test_only_a_teacher_publishes_and_only_at_her_school(world, login):
    assert (
        login(world.liaison).post(reverse("gatherings:slots"), block_data(world)).status_code == 403
    )
    with pytest.raises(slots.SlotRefused):
        slots.publish_block(
            world.south_teacher,
            world.north,
            day=coming_day(),
            starts=time(15),
            ends=time(16),
            slot_minutes=15,
        )
    assert not SlotBlock.objects.exists()


# ---- families booking -------------------------------------------------------------------------


def test_a_family_books_a_time_with_an_interpreter_and_the_teacher_sees_it(world, login):
    block = make_block(world)
    first = block.slots.first()
    marco = login(world.marco)  # reads English
    page = text_of(book_page(marco))
    assert "Maria Rivera" in page and "Choose a time for Ana" in page
    response = marco.post(
        reverse("gatherings:slots_book"),
        {"action": "book", "student": world.ana.pk, "slot": first.pk, "interpreter": "es"},
    )
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert (booking.slot, booking.guardian, booking.student) == (first, world.marco, world.ana)
    assert booking.interpreter_language == "es" and booking.booked_by_staff is None
    assert "Your meeting:" in text_of(book_page(marco))
    # Rosa, Ana's mother, reads the same booking in Spanish.
    assert "Su reunión:" in text_of(book_page(login(world.rosa)))

    schedule = login(world.rivera).get(reverse("gatherings:slots_block", args=[block.pk]))
    text = text_of(schedule)
    assert "Maria Rivera" in text and "Room 12" in text
    assert "Ana Lopez — Marco Lopez" in text
    assert reverse("routines:visits", args=[world.ana.pk]) in schedule.content.decode()
    assert "Interpreters needed:" in text and "Spanish" in text


def test_a_slot_already_taken_is_refused_with_a_clear_message(world, login):
    block = make_block(world)
    first = block.slots.first()
    slots.book(first, world.gina, world.cal)
    response = login(world.marco).post(
        reverse("gatherings:slots_book"),
        {"action": "book", "student": world.ana.pk, "slot": first.pk, "interpreter": ""},
    )
    assert response.status_code == 400
    assert "Someone has just booked this time" in text_of(response)
    assert Booking.objects.count() == 1 and Booking.objects.get().guardian == world.gina


def test_one_meeting_per_child_per_teacher(world, login):
    block = make_block(world)
    one, two = block.slots.all()[:2]
    slots.book(one, world.rosa, world.ana)
    # Marco, Ana's father in the other household, tries a second time for Ana.
    response = login(world.marco).post(
        reverse("gatherings:slots_book"),
        {"action": "book", "student": world.ana.pk, "slot": two.pk, "interpreter": ""},
    )
    assert response.status_code == 400
    assert "Ana already has a meeting with this teacher" in text_of(response)
    assert Booking.objects.count() == 1


def test_a_family_cancels_and_books_another_time(world, login):
    block = make_block(world)
    one, two = block.slots.all()[:2]
    booking = slots.book(one, world.rosa, world.ana)
    rosa = login(world.rosa)
    assert (
        rosa.post(
            reverse("gatherings:slots_book"), {"action": "cancel", "pk": booking.pk}
        ).status_code
        == 302
    )
    assert not Booking.objects.exists()
    slots.book(two, world.rosa, world.ana)
    assert Booking.objects.get().slot == two


def test_a_time_that_has_passed_cannot_be_booked(world):
    block = make_block(world)
    first = block.slots.first()
    with pytest.raises(slots.SlotRefused, match="That time has passed"):
        slots.book(first, world.rosa, world.ana, now=first.starts_at + timedelta(minutes=1))
    assert not Booking.objects.exists()


def test_siblings_are_offered_back_to_back_times_and_booked_together(world, login):
    leo = add_sibling(world)
    block = make_block(world)
    one, two, three = block.slots.all()
    marco = login(world.marco)
    page = book_page(marco)
    assert "Ana and Leo, one after the other" in text_of(page)
    html = page.content.decode()
    assert f'value="{one.pk}:{two.pk}"' in html and f'value="{two.pk}:{three.pk}"' in html
    response = marco.post(
        reverse("gatherings:slots_book"),
        {
            "action": "siblings",
            "student": world.ana.pk,
            "sibling": leo.pk,
            "pair": f"{two.pk}:{three.pk}",
            "interpreter": "es",
        },
    )
    assert response.status_code == 302
    assert {(b.student, b.slot) for b in Booking.objects.all()} == {
        (world.ana, two),
        (leo, three),
    }


def test_a_sibling_pair_with_one_time_taken_books_neither(world, login):
    leo = add_sibling(world)
    block = make_block(world)
    one, two, _three = block.slots.all()
    slots.book(two, world.gina, world.cal)
    response = login(world.marco).post(
        reverse("gatherings:slots_book"),
        {
            "action": "siblings",
            "student": world.ana.pk,
            "sibling": leo.pk,
            "pair": f"{one.pk}:{two.pk}",
            "interpreter": "",
        },
    )
    assert response.status_code == 400
    assert "Someone has just booked this time" in text_of(response)
    assert list(Booking.objects.values_list("student", flat=True)) == [world.cal.pk]


def test_times_that_are_not_back_to_back_are_not_a_sibling_pair(world):
    leo = add_sibling(world)
    one, _two, three = make_block(world).slots.all()
    with pytest.raises(slots.SlotRefused, match="back-to-back"):
        slots.book_siblings([(one, world.ana), (three, leo)], world.rosa)
    assert not Booking.objects.exists()


# ---- staff booking for a family who called ----------------------------------------------------


def test_the_office_books_for_a_family_who_called(world, login):
    block = make_block(world)
    first = block.slots.first()
    rosa_ana = Guardianship.objects.get(guardian=world.rosa, student=world.ana)
    response = login(world.liaison).post(
        reverse("gatherings:slots_block", args=[block.pk]),
        {"action": "book", "family": rosa_ana.pk, "slot": first.pk, "interpreter": "es"},
    )
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.booked_by_staff == world.liaison and booking.guardian == world.rosa


def test_staff_cannot_book_for_a_family_the_school_may_not_write_to(world, login):
    block = make_block(world)
    ray_cal = Guardianship.objects.get(guardian=world.ray, student=world.cal)
    response = login(world.rivera).post(
        reverse("gatherings:slots_block", args=[block.pk]),
        {"action": "book", "family": ray_cal.pk, "slot": block.slots.first().pk},
    )
    assert response.status_code == 400
    assert not Booking.objects.exists()
    with pytest.raises(slots.SlotRefused):
        slots.book(block.slots.first(), world.ray, world.cal, by_staff=world.rivera)
    assert not Booking.objects.exists()


# ---- moving a day -----------------------------------------------------------------------------


def test_a_snow_day_moves_every_slot_and_tells_each_booked_family_in_its_language(
    awake, login, django_capture_on_commit_callbacks
):
    world = awake
    block = make_block(world)
    one, two, _three = block.slots.all()
    slots.book(one, world.rosa, world.ana)
    slots.book(two, world.gina, world.cal)
    new_day = coming_day(12)
    with django_capture_on_commit_callbacks(execute=True):
        response = login(world.rivera).post(
            reverse("gatherings:slots_block", args=[block.pk]),
            {"action": "move", "day": new_day.isoformat(), "starts": "16:00"},
        )
    assert response.status_code == 302
    block.refresh_from_db()
    assert (block.date, block.starts, block.ends) == (new_day, time(16), time(17))
    starts = [timezone.localtime(s.starts_at, CHICAGO) for s in block.slots.all()]
    assert [s.strftime("%Y-%m-%d %H:%M") for s in starts] == [
        f"{new_day} 16:00",
        f"{new_day} 16:20",
        f"{new_day} 16:40",
    ]
    assert Booking.objects.count() == 2  # the bookings moved with their slots
    told = Message.objects.filter(conversation__student=world.ana).get()
    assert f"{new_day} 16:00" in told.body
    spanish = MessageTranslation.objects.get(message=told, language="es")
    assert "Su conferencia sobre Ana" in spanish.text and not spanish.machine
    assert Delivery.objects.filter(guardian=world.rosa, message=told).exists()
    assert Message.objects.filter(conversation__student=world.cal).count() == 1


def test_moving_onto_other_hours_or_into_the_past_is_refused_and_nothing_moves(world, login):
    block = make_block(world)
    make_block(world, days=12, starts=time(16), ends=time(17))
    before = list(block.slots.values_list("starts_at", flat=True))
    client = login(world.rivera)
    for data, says in (
        ({"day": coming_day(12).isoformat(), "starts": "16:30"}, "You already have"),
        ({"day": "2020-01-06", "starts": "16:00"}, "Choose a start in the future."),
        ({"day": coming_day(12).isoformat(), "starts": "23:30"}, "end on the same day"),
    ):
        response = client.post(
            reverse("gatherings:slots_block", args=[block.pk]), {"action": "move", **data}
        )
        assert response.status_code == 400 and says in response.content.decode()
    assert list(block.slots.values_list("starts_at", flat=True)) == before


def test_only_the_teacher_or_an_admin_moves_the_day(world, login):
    block = make_block(world)
    data = {"action": "move", "day": coming_day(12).isoformat(), "starts": "16:00"}
    url = reverse("gatherings:slots_block", args=[block.pk])
    assert login(world.liaison).post(url, data).status_code == 403
    assert login(world.principal).post(url, data).status_code == 302


# ---- who sees what: another family, a court order, another school -----------------------------


@pytest.mark.parametrize("persona", ["chen", "south_teacher", "south_admin", "elsewhere_admin"])
def test_another_teachers_or_schools_staff_get_a_404_on_the_schedule(world, login, persona):
    block = make_block(world)
    response = login(getattr(world, persona)).get(
        reverse("gatherings:slots_block", args=[block.pk])
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "persona, student",
    [
        ("ray", "cal"),  # a court order: he books nothing for Cal
        ("olga", "ana"),  # South's family
        ("rosa", "cal"),  # another family's child
        ("eli", "eve"),  # a child no longer at the school
    ],
)
def test_a_family_books_only_for_its_own_children(world, login, persona, student):
    block = make_block(world)
    client = login(getattr(world, persona))
    response = client.post(
        reverse("gatherings:slots_book"),
        {"action": "book", "student": getattr(world, student).pk, "slot": block.slots.first().pk},
    )
    assert response.status_code == 404
    assert not Booking.objects.exists()


def test_ray_and_another_school_see_no_slot(world, login):
    make_block(world)
    for persona in ("ray", "olga"):
        page = book_page(login(getattr(world, persona))).content.decode()
        assert "Rivera" not in page and "slot" not in page


def test_a_slot_of_a_teacher_who_does_not_teach_the_child_is_a_404(world, login):
    chen_block = make_block(world, teacher=world.chen)
    response = login(world.rosa).post(
        reverse("gatherings:slots_book"),
        {"action": "book", "student": world.ana.pk, "slot": chen_block.slots.first().pk},
    )
    assert response.status_code == 404
    assert not Booking.objects.exists()


def test_another_familys_booking_cannot_be_cancelled(world, login):
    booking = slots.book(make_block(world).slots.first(), world.rosa, world.ana)
    for persona in ("gina", "ray", "olga"):
        response = login(getattr(world, persona)).post(
            reverse("gatherings:slots_book"), {"action": "cancel", "pk": booking.pk}
        )
        assert response.status_code == 404
    assert Booking.objects.filter(pk=booking.pk).exists()


def test_garbled_ids_are_refused(world, login):
    make_block(world)
    client = login(world.rosa)
    for data in (
        {"action": "book", "student": "x", "slot": "1"},
        {"action": "book", "student": world.ana.pk},
    ):
        response = client.post(reverse("gatherings:slots_book"), data)
        assert response.status_code == 400
    assert client.post(reverse("gatherings:slots_book"), {"action": "nope"}).status_code == 404
    assert not Booking.objects.exists()


# ---- query counts -----------------------------------------------------------------------------


def test_the_conference_list_and_schedule_take_a_fixed_number_of_queries(
    world, login, django_assert_num_queries
):
    block = make_block(world)
    make_block(world, days=11)
    slots.book(block.slots.first(), world.rosa, world.ana, interpreter_language="es")
    client = login(world.rivera)
    client.get(reverse("gatherings:slots"))  # warm the session
    with django_assert_num_queries(8):
        assert client.get(reverse("gatherings:slots")).status_code == 200
    with django_assert_num_queries(9):
        assert client.get(reverse("gatherings:slots_block", args=[block.pk])).status_code == 200


def test_the_family_booking_page_takes_a_fixed_number_of_queries(
    world, login, django_assert_num_queries
):
    leo = add_sibling(world)
    make_block(world)
    make_block(world, teacher=world.chen)
    client = login(world.rosa)
    book_page(client)
    with django_assert_num_queries(12):
        assert book_page(client).status_code == 200
    assert leo.pk
