"""The barriers board at scale: a school event for the whole of a school of 6,000 families,
answered by 5,000 of them (going or waiting, with a realistic spread of needs: childcare
with the children's ages, interpreters per language, rides, meals with dietary notes,
accessibility; some already met). The barriers board and the organisers' page are timed
for the school's admin beside the signed-in floor (the same admin's "My account") and a
trivial view (`/healthz`), interleaved in the same run, and reported as multiples of the
floor. The school is built here, in a database of its own under bench/.data/gatherings/,
so other benchmarks' data stays untouched.

    python -m bench.gatherings_bench   (results in bench/results/gatherings.json)
"""

import json
import os
import random
import sys
import time
from datetime import timedelta

from bench.generate import BENCH_DIR, DATA_DIR

FAMILIES = 6_000
RSVPS = 5_000
WAITLISTED = 800  # of the RSVPS, the last to ask: the event was full by then
REQUESTS = 20
BATCH = 2_000
RESULTS = BENCH_DIR / "results" / "gatherings.json"
TITLE = "Bench: family night"
GRADES = ("K", "1", "2", "3", "4", "5", "6", "7", "8")
# Home languages in shares close to the generated district's; English readers ask for no
# interpreter.
LANGUAGES = ("en",) * 10 + ("es",) * 5 + ("so",) * 2 + ("hmn", "vi", "ar", "ht")
DIETARY = ("", "", "vegetarian", "halal", "no pork", "gluten free", "nut allergy", "vegan")
ACCESS = ("wheelchair", "ramp, no stairs", "seat near the front", "hearing loop")


def configure() -> None:
    if not os.environ.get("DATABASE_URL"):
        directory = DATA_DIR / "gatherings"
        directory.mkdir(parents=True, exist_ok=True)
        os.environ["HOMEROOM_DATA_DIR"] = str(directory)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeroom.settings")
    os.environ.setdefault("HOMEROOM_ENV", "development")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("OUTBOUND_BACKEND", "memory")
    os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.dummy.DummyBackend")
    os.environ.setdefault("LOG_LEVEL", "WARNING")


def _rsvp(rng: random.Random, event, guardian, waiting: bool):
    from homeroom.gatherings.models import Rsvp

    children = rng.choice((0, 1, 1, 2, 2, 3))
    childcare = children > 0 and rng.random() < 0.35
    interpreter = guardian.language if guardian.language != "en" and rng.random() < 0.6 else ""
    meal = rng.random() < 0.4
    accessibility = rng.random() < 0.05
    ride = rng.random() < 0.15
    ages = ", ".join(str(rng.randint(1, 12)) for _ in range(children)) if childcare else ""
    return Rsvp(
        event=event,
        guardian=guardian,
        status=Rsvp.Status.WAITLISTED if waiting else Rsvp.Status.GOING,
        adults=rng.choice((1, 1, 2, 2, 3)),
        children=children,
        childcare=childcare,
        childcare_ages=ages,
        childcare_met=childcare and rng.random() < 0.3,
        interpreter_language=interpreter,
        interpreter_met=bool(interpreter) and rng.random() < 0.4,
        ride=ride,
        ride_met=ride and rng.random() < 0.2,
        meal=meal,
        dietary_note=rng.choice(DIETARY) if meal else "",
        meal_met=meal and rng.random() < 0.5,
        accessibility=accessibility,
        accessibility_note=rng.choice(ACCESS) if accessibility else "",
        accessibility_met=accessibility and rng.random() < 0.5,
    )


def build() -> tuple:
    """The school, its admin, FAMILIES families, and the event RSVPS of them answered (once;
    a later run reuses them and says so)."""
    from django.core.management import call_command
    from django.utils import timezone

    from homeroom.gatherings import services
    from homeroom.gatherings.models import Event, Rsvp
    from homeroom.messaging.audiences import Audience
    from homeroom.people.models import (
        Assignment,
        District,
        Guardian,
        Guardianship,
        Role,
        School,
        StaffMember,
        Student,
        User,
    )

    call_command("migrate", verbosity=0, interactive=False)
    event = Event.objects.filter(title=TITLE).first()
    if event is not None and event.rsvps.count() == RSVPS:
        return event, event.created_by, False
    district = District.objects.create(name="Bench gatherings district")
    school = School.objects.create(district=district, name="Bench Community School")
    user = User.objects.create_user(f"bench.gatherings.{district.pk}@example.org", None)
    admin = StaffMember.objects.create(
        user=user, district=district, given_name="Bench", family_name="Admin", email=user.email
    )
    Assignment.objects.create(staff=admin, school=school, role=Role.SCHOOL_ADMIN)
    students = Student.objects.bulk_create(
        [
            Student(school=school, given_name=f"S{n}", family_name="Bench", grade=GRADES[n % 9])
            for n in range(FAMILIES)
        ],
        batch_size=BATCH,
    )
    rng = random.Random(11)
    guardians = Guardian.objects.bulk_create(
        [
            Guardian(
                district=district,
                given_name=f"G{n}",
                family_name=f"Family {n % 997}",
                language=rng.choice(LANGUAGES),
                email=f"g{n}@bench.example",
                channel="email",
            )
            for n in range(FAMILIES)
        ],
        batch_size=BATCH,
    )
    Guardianship.objects.bulk_create(
        [Guardianship(guardian=g, student=s) for g, s in zip(guardians, students, strict=True)],
        batch_size=BATCH,
    )
    start = (timezone.now() + timedelta(days=14)).replace(minute=0, second=0, microsecond=0)
    event = services.create_event(
        admin,
        title=TITLE,
        description="Dinner, games and the teachers, for every family of the school.",
        place="Gym",
        audience=Audience.school(school),
        capacity=None,
        when=services.Slot(start, start + timedelta(hours=2)),
    )
    # Invited as `invite` would, without 6,000 deliveries: the pages read who answered.
    Event.objects.filter(pk=event.pk).update(invited_at=timezone.now())
    answering = rng.sample(guardians, RSVPS)
    asked = timezone.now() - timedelta(days=7)
    rsvps = [
        _rsvp(rng, event, guardian, waiting=n >= RSVPS - WAITLISTED)
        for n, guardian in enumerate(answering)
    ]
    for n, rsvp in enumerate(rsvps):
        rsvp.asked_at = asked + timedelta(seconds=60 * n)
    Rsvp.objects.bulk_create(rsvps, batch_size=BATCH)
    going = sum(r.people for r in rsvps if r.status == Rsvp.Status.GOING)
    # Full once the going families came: the rest wait.
    Event.objects.filter(pk=event.pk).update(capacity=going)
    event.refresh_from_db()
    return event, admin, True


def spread(event) -> dict:
    """What the RSVPs hold, so the timings can be read against it."""
    from django.db.models import Count, Q

    from homeroom.gatherings.models import Rsvp

    rsvps = event.rsvps.exclude(status=Rsvp.Status.NOT_GOING)
    rows = {"going": Count("pk", filter=Q(status=Rsvp.Status.GOING))}
    rows["waitlisted"] = Count("pk", filter=Q(status=Rsvp.Status.WAITLISTED))
    for need, has in (
        ("childcare", Q(childcare=True)),
        ("interpreter", ~Q(interpreter_language="")),
        ("ride", Q(ride=True)),
        ("meal", Q(meal=True)),
        ("accessibility", Q(accessibility=True)),
    ):
        rows[f"{need}_total"] = Count("pk", filter=has)
        rows[f"{need}_open"] = Count("pk", filter=has & Q(**{f"{need}_met": False}))
    counted = rsvps.aggregate(**rows)
    counted["interpreter_languages"] = (
        rsvps.exclude(interpreter_language="").values("interpreter_language").distinct().count()
    )
    counted["dietary_notes"] = rsvps.filter(meal=True).values("dietary_note").distinct().count()
    return counted


def main(argv: list[str] | None = None) -> dict:
    configure()
    import django

    django.setup()
    from django.test import Client
    from django.urls import reverse

    from bench.pages import _with_totp, measure_against_floor, summarise

    started = time.perf_counter()
    event, admin, built_now = build()
    built = round(time.perf_counter() - started, 1)
    _with_totp(admin.user)  # admins need two-step sign-in before the pages let them in
    client = Client()
    client.force_login(admin.user)
    trivial = ([], [])

    def page(name):
        url = reverse(f"gatherings:{name}", args=[event.pk])
        return measure_against_floor(client, admin.user, url, REQUESTS, trivial)

    results = {
        "scale": "one school",
        "families_in_the_audience": FAMILIES,
        "rsvps": event.rsvps.count(),
        "needs": spread(event),
        "built_in_this_run": built_now,
        "build_seconds": built,
        "board": page("board"),
        "organise": page("organise"),
    }
    results["healthz"] = summarise(*trivial)
    results["load_average_1m_at_end"] = round(os.getloadavg()[0], 2)
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
