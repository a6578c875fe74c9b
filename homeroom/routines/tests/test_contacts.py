"""Planned positive check-ins, the contact log and timeline, and positive-first tracking."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from homeroom.behavior.models import Category, Moment
from homeroom.insights import first_contacts
from homeroom.messaging.inbound.service import receive_reply
from homeroom.messaging.services import start_conversation
from homeroom.people.models import Enrollment, Guardian, Guardianship, Student
from homeroom.routines import checkins, common, weekly
from homeroom.routines.models import ContactLog, ContactPlan, PlannedContact, Tone

MONDAY = date(2026, 11, 23)


def plan_for(world, **kw):
    kw.setdefault("cycle_days", 14)
    kw.setdefault("call_days", [0, 2])
    return checkins.create_plan(world.rivera, section=world.math, start=MONDAY, **kw)


# -- planning ------------------------------------------------------------------------------


def test_every_contactable_family_once_per_cycle_on_the_chosen_days(world):
    plan = plan_for(world)
    planned = list(plan.contacts.select_related("guardian"))
    assert sorted(p.guardian.given_name for p in planned) == ["Gina", "Marco", "Rosa"]  # not Ray
    assert {p.due_date.weekday() for p in planned} <= {0, 2}
    assert all(MONDAY <= p.due_date < MONDAY + timedelta(days=14) for p in planned)
    # Three families over four call days: spread out, never two on one day.
    assert len({p.due_date for p in planned}) == 3


def test_the_longest_unreached_come_first(world):
    ContactLog.objects.create(
        school=world.north,
        student=world.ana,
        guardian=world.rosa,
        staff=world.rivera,
        kind="call",
        at=timezone.now() - timedelta(days=1),
    )
    ContactLog.objects.create(
        school=world.north,
        student=world.cal,
        guardian=world.gina,
        staff=world.rivera,
        kind="call",
        at=timezone.now() - timedelta(days=30),
    )
    plan = plan_for(world, call_days=[0, 1, 2, 3, 4])
    order = [p.guardian.given_name for p in plan.contacts.order_by("due_date")]
    assert order == ["Marco", "Gina", "Rosa"]  # never, a month ago, yesterday


def test_replanning_keeps_done_contacts_and_takes_in_roster_changes(world):
    plan = plan_for(world)
    rosa = plan.contacts.get(guardian=world.rosa)
    checkins.log_contact(
        world.rivera,
        world.ana,
        kind="call",
        guardian=world.rosa,
        outcome="reached",
        tone="positive",
        planned=rosa,
    )
    new = Student.objects.create(school=world.north, given_name="Nia", family_name="Diaz")
    Enrollment.objects.create(section=world.math, student=new)
    nora = Guardian.objects.create(district=world.district, given_name="Nora", family_name="Diaz")
    Guardianship.objects.create(guardian=nora, student=new)

    checkins.plan_rotation(plan, start=MONDAY)

    rows = {p.guardian.given_name: p.done_at is not None for p in plan.contacts.all()}
    assert rows == {"Rosa": True, "Marco": False, "Gina": False, "Nora": False}


def test_the_rotation_follows_the_roster_by_itself(world):
    plan = plan_for(world)
    # Nothing changed: the plan stands.
    assert checkins.replan_if_roster_changed(plan, today=MONDAY) is False
    # A family joins Math 6: the hourly re-plan takes it in; a court order takes Marco out.
    new = Student.objects.create(school=world.north, given_name="Nia", family_name="Diaz")
    Enrollment.objects.create(section=world.math, student=new)
    nora = Guardian.objects.create(district=world.district, given_name="Nora", family_name="Diaz")
    Guardianship.objects.create(guardian=nora, student=new)
    Guardianship.objects.filter(guardian=world.marco).update(may_contact=False)
    assert checkins.replan_if_roster_changed(plan, today=MONDAY) is True
    names = {p.guardian.given_name for p in plan.contacts.all()}
    assert names == {"Rosa", "Gina", "Nora"}
    assert checkins.replan_if_roster_changed(plan, today=MONDAY) is False


def test_a_cycle_of_zero_days_is_refused_and_nothing_is_stored(login, world):
    with pytest.raises(common.RoutineRefused, match="at least one day"):
        plan_for(world, cycle_days=0)
    response = login(world.rivera).post(
        reverse("routines:checkins"), {"cycle_days": "0", "call_days": ["1"]}
    )
    assert response.status_code == 400
    assert "A cycle lasts at least one day." in response.content.decode()
    assert not ContactPlan.objects.exists() and not PlannedContact.objects.exists()


def test_planning_from_the_page(login, world):
    response = login(world.rivera).post(
        reverse("routines:checkins"), {"cycle_days": "14", "call_days": ["0", "3"]}
    )
    assert response.status_code == 302
    plan = ContactPlan.objects.get()
    assert plan.call_days == [0, 3] and plan.section is None
    # All of Ms Rivera's classes: Ana's and Cal's families.
    assert plan.contacts.count() == 3


# -- today's check-ins ----------------------------------------------------------------------


def due_today(world, *guardians):
    plan = ContactPlan.objects.create(staff=world.rivera, cycle_days=14, call_days=[])
    today = common.local_today(world.north)
    return [
        PlannedContact.objects.create(plan=plan, guardian=g, student=s, due_date=today)
        for g, s in guardians
    ]


def test_todays_families_with_phone_language_and_interpreters(login, world):
    due_today(world, (world.rosa, world.ana), (world.marco, world.ana))
    body = login(world.rivera).get(reverse("routines:checkins")).content.decode()
    assert 'href="tel:+16125550111"' in body
    assert body.count("Interpreter needed") == 1  # Rosa reads Spanish, Marco English
    assert "Spanish" in body
    assert "Ines Interpreter" in body


def test_logging_a_check_in_takes_one_tap(login, world):
    (planned,) = due_today(world, (world.rosa, world.ana))
    response = login(world.rivera).post(
        reverse("routines:checkin_log", args=[planned.pk]),
        {"outcome": "left_message", "tone": "positive", "note": "Left a message about the poem."},
    )
    assert response.status_code == 302
    log = ContactLog.objects.get()
    assert (log.kind, log.outcome, log.tone, log.guardian) == (
        "call",
        "left_message",
        "positive",
        world.rosa,
    )
    planned.refresh_from_db()
    assert planned.done_at is not None and planned.log == log


def test_another_teachers_check_in_is_not_found(login, world):
    (planned,) = due_today(world, (world.rosa, world.ana))
    response = login(world.chen).post(
        reverse("routines:checkin_log", args=[planned.pk]), {"outcome": "reached"}
    )
    assert response.status_code == 404
    assert not ContactLog.objects.exists()


def test_the_check_ins_page_costs_the_same_queries_for_few_or_many(
    login, world, django_assert_num_queries
):
    client = login(world.rivera)
    due_today(world, (world.rosa, world.ana))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("routines:checkins"))
    many = Guardian.objects.bulk_create(
        Guardian(district=world.district, given_name=f"G{i}", family_name="X", language="es")
        for i in range(30)
    )
    due_today(world, *[(g, world.ana) for g in many])
    # The signed-in layout, the teacher's classes and school, the page of check-ins and its
    # count, the interpreters, the plans: the same at 1 family or 31.
    assert len(small) == 12
    with django_assert_num_queries(len(small)):
        body = client.get(reverse("routines:checkins")).content.decode()
    # A page of check-ins, the rest on the next page.
    assert body.count('class="card checkin"') == 20
    assert "?page=2" in body


# -- the timeline ---------------------------------------------------------------------------


def good_news_category(world):
    return Category.objects.get_or_create(
        school=world.north, name="Kindness", defaults={"kind": "positive", "points": 1}
    )[0]


def moment(world, student, at, positive=True):
    category = good_news_category(world)
    return Moment.objects.create(
        student=student,
        category=category,
        school=world.north,
        recorded_by=world.rivera,
        positive=positive,
        points=1,
        created_at=at,
    )


def test_every_contact_in_one_place_newest_first(login, world):
    now = timezone.now()
    conversation = start_conversation(
        student=world.ana, by_staff=world.rivera, text="Ana read her poem today."
    )
    receive_reply(world.marco, conversation, "Thanks, she practised all weekend.", "email")
    moment(world, world.ana, now - timedelta(minutes=1))
    client = login(world.rivera)
    response = client.post(
        reverse("routines:timeline", args=[world.ana.pk]),
        {
            "kind": "conference",
            "direction": "family",
            "tone": "concern",
            "guardian": world.rosa.pk,
            "note": "Rosa asked about reading homework.",
        },
    )
    assert response.status_code == 302
    body = client.get(reverse("routines:timeline", args=[world.ana.pk])).content.decode()
    order = [
        body.index("Rosa asked about reading homework."),
        body.index("Thanks, she practised all weekend."),
        body.index("Ana read her poem today."),
        body.index("Kindness"),
    ]
    assert order == sorted(order)
    assert "Family initiated" in body and "From school" in body and "Conference" in body


def test_a_note_too_long_is_refused(login, world):
    response = login(world.rivera).post(
        reverse("routines:timeline", args=[world.ana.pk]),
        {"kind": "note", "direction": "school", "tone": "neutral", "note": "x" * 1001},
    )
    assert response.status_code == 400
    assert not ContactLog.objects.exists()


def test_a_student_outside_scope_has_no_timeline(login, world):
    assert (
        login(world.chen).get(reverse("routines:timeline", args=[world.ana.pk])).status_code == 404
    )
    assert (
        login(world.rivera).get(reverse("routines:timeline", args=[world.dee.pk])).status_code
        == 404
    )


def test_the_timeline_costs_the_same_queries_for_few_or_many(
    login, world, django_assert_num_queries
):
    client = login(world.rivera)
    url = reverse("routines:timeline", args=[world.ana.pk])
    checkins.log_contact(world.rivera, world.ana, kind="call", guardian=world.rosa)
    moment(world, world.ana, timezone.now())
    start_conversation(student=world.ana, by_staff=world.rivera, text="Hello from school.")
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for i in range(40):
        checkins.log_contact(world.rivera, world.ana, kind="note", note=f"n{i}")
        moment(world, world.ana, timezone.now())
    start_conversation(student=world.ana, by_staff=world.rivera, text="More news from school.")
    # The signed-in layout, the student, one page of the timeline (no count of the whole
    # history), one query per kind on the page, the review log. (The guardians only when
    # the log form is opened.)
    assert len(small) == 13
    with django_assert_num_queries(len(small)):
        assert client.get(url).status_code == 200


def test_the_log_form_opens_on_demand(login, world):
    client = login(world.rivera)
    url = reverse("routines:timeline", args=[world.ana.pk])

    closed = client.get(url).content.decode()
    assert 'name="kind"' not in closed
    assert 'hx-get="?log=1"' in closed and 'href="?log=1#log-contact"' in closed

    # With scripts, opening it loads the form in place; without, the link opens the page
    # with the form open.
    part = client.get(url, {"log": "1"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in part and 'name="kind"' in part and "Rosa Lopez" in part
    opened = client.get(url, {"log": "1"}).content.decode()
    assert "<html" in opened and 'name="kind"' in opened and "open>" in opened


def test_older_contacts_load_on_demand(login, world):
    client = login(world.rivera)
    url = reverse("routines:timeline", args=[world.ana.pk])
    for i in range(30):
        checkins.log_contact(
            world.rivera,
            world.ana,
            kind="note",
            note=f"note {i:02d}",
            at=timezone.now() - timedelta(minutes=i),
        )
    body = client.get(url).content.decode()
    assert body.count('class="timeline-item') == 25
    assert "note 00" in body and "note 24" in body and "note 25" not in body
    assert 'hx-get="?page=2"' in body and "Show older contacts" in body

    older = client.get(url, {"page": "2"}, headers={"HX-Request": "true"})
    part = older.content.decode()
    # Only the next items, to append where the button was: no layout, no form, no more button.
    assert "<html" not in part and "Log contact" not in part
    assert part.count('class="timeline-item') == 5
    assert "note 25" in part and "note 29" in part and "note 24" not in part
    assert "Show older contacts" not in part
    assert "HX-Request" in older["Vary"]

    # Without scripts the same link opens the older page itself.
    page_two = client.get(url, {"page": "2"}).content.decode()
    assert "<html" in page_two and "note 29" in page_two and "?page=1" in page_two


# -- positive first -------------------------------------------------------------------------


def test_positive_first_rate_and_the_families_still_to_reach(login, world):
    september = datetime(2026, 9, 10, 15, tzinfo=UTC)
    ContactLog.objects.create(
        school=world.north,
        student=world.ana,
        staff=world.rivera,
        kind="call",
        tone=Tone.POSITIVE,
        at=september,
    )
    ContactLog.objects.create(
        school=world.north,
        student=world.ana,
        staff=world.rivera,
        kind="call",
        tone=Tone.CONCERN,
        at=september + timedelta(days=5),
    )
    # Cal's first contact: a plain message from school (neutral), then good news.
    conversation = start_conversation(student=world.cal, by_staff=world.rivera, text="Hello.")
    conversation.messages.update(created_at=september)
    moment(world, world.cal, september + timedelta(days=1))
    # Last school year does not count.
    ContactLog.objects.create(
        school=world.north,
        student=world.ben,
        staff=world.chen,
        kind="call",
        tone=Tone.POSITIVE,
        at=datetime(2026, 7, 1, tzinfo=UTC),
    )
    figures = first_contacts.positive_first(
        Student.objects.filter(school=world.north, is_active=True), today=date(2026, 11, 23)
    )
    assert (figures["positive"], figures["contacted"], figures["rate"]) == (1, 2, 50)
    assert [s.given_name for s in figures["waiting"]] == ["Ben"]

    body = login(world.rivera).get(reverse("routines:positive_first")).content.decode()
    assert "Ben Ali" not in body  # not her student
    assert "50%" in body


def test_weekly_praise_counts_as_good_news_first(awake):
    world = awake
    update = weekly.weekly_update_for(world.math, world.rivera, MONDAY)
    weekly.save_sentence(update, world.ana, "Ana read her poem to the class today.")
    weekly.save_sentence(
        update, world.cal, "Cal could practice math facts every night.", "next_step"
    )
    weekly.send_weekly_update(update, world.rivera)
    figures = first_contacts.positive_first(
        Student.objects.filter(pk__in=[world.ana.pk, world.cal.pk])
    )
    assert (figures["positive"], figures["contacted"]) == (1, 2)


def test_school_leaders_see_each_school(login, world):
    body = login(world.principal).get(reverse("routines:positive_first")).content.decode()
    assert "North Elementary" in body
    assert "Ben Ali" in body  # families still to contact, with a way to send good news


def test_positive_first_page_runs_the_same_queries_for_more_families(
    login, world, django_assert_num_queries
):
    from homeroom.testing.personas import enrol, link, make_guardian

    def add(count, prefix):
        for i in range(count):
            student = Student.objects.create(
                school=world.north, given_name=f"{prefix}{i}", family_name="Extra", grade="6"
            )
            enrol(world.math, student)
            link(make_guardian(world.district, f"{prefix}P{i}", "Extra", "es"), student)
            ContactLog.objects.create(
                school=world.north,
                student=student,
                staff=world.rivera,
                kind="call",
                tone=Tone.POSITIVE if i % 2 else Tone.CONCERN,
                at=datetime(2026, 9, 10, 15, tzinfo=UTC),
            )

    client = login(world.rivera)
    url = reverse("routines:positive_first")
    add(2, "Few")
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    add(25, "Many")
    with django_assert_num_queries(len(small)):
        assert client.get(url).status_code == 200
