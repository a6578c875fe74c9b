"""Relationship routines at district scale: planning a check-in rotation for 180 families,
then the contact timeline, today's check-ins and the weekly composer, each timed beside the
signed-in floor (the same teacher's "My settings" page: the full layout, little else) and
a trivial view (`/healthz`) in the same run, and reported as a multiple of the floor.
The district comes from bench/generate.py (copied into
bench/.data/routines/ when already built, so other benchmarks' data stays untouched).

    python -m bench.routines_bench        (results in bench/results/routines.json)
"""

import gc
import json
import os
import shutil
import statistics
import sys
import time
from datetime import timedelta

from bench.generate import BENCH_DIR, DATA_DIR, ensure

FAMILIES = 180
PLAN_RUNS = 10
REQUESTS = 30
TIMELINE_CONTACTS = 400
RESULTS = BENCH_DIR / "results" / "routines.json"


def configure() -> None:
    if not os.environ.get("DATABASE_URL"):
        directory = DATA_DIR / "routines"
        directory.mkdir(parents=True, exist_ok=True)
        built = DATA_DIR / "district"
        if not (directory / "homeroom.sqlite3").exists() and (built / "homeroom.stamp").exists():
            for name in ("homeroom.sqlite3", "homeroom.stamp"):
                shutil.copy(built / name, directory / name)
        os.environ["HOMEROOM_DATA_DIR"] = str(directory)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeroom.settings")
    os.environ.setdefault("HOMEROOM_ENV", "development")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("OUTBOUND_BACKEND", "memory")
    os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.dummy.DummyBackend")
    os.environ.setdefault("LOG_LEVEL", "WARNING")


def families_of(teacher) -> int:
    from homeroom.people.models import Guardianship, Section, TeachingAssignment

    sections = Section.objects.filter(
        is_active=True,
        pk__in=TeachingAssignment.objects.filter(staff=teacher, is_active=True).values("section"),
    )
    return (
        Guardianship.objects.filter(
            is_active=True,
            may_contact=True,
            student__is_active=True,
            student__enrollments__section__in=sections,
            student__enrollments__is_active=True,
        )
        .values("guardian")
        .distinct()
        .count()
    )


def teacher_with_families(count: int):
    """A teacher ("Bench Teacher", made once) given classes of one school until their
    classes hold at least `count` contactable families, as a secondary teacher might."""
    from homeroom.people.models import (
        Assignment,
        District,
        Role,
        Section,
        StaffMember,
        TeachingAssignment,
        User,
    )

    teacher = StaffMember.objects.filter(sourced_id="bench-routines-teacher").first()
    if teacher is None:
        user = User.objects.create_user("bench.routines@example.org", None)
        teacher = StaffMember.objects.create(
            user=user,
            district=District.objects.order_by("pk").first(),
            sourced_id="bench-routines-teacher",
            given_name="Bench",
            family_name="Teacher",
            email=user.email,
        )
        school_id = Section.objects.filter(is_active=True).order_by("pk").first().school_id
        Assignment.objects.create(staff=teacher, school_id=school_id, role=Role.TEACHER)
        for section in Section.objects.filter(school_id=school_id, is_active=True).order_by("pk"):
            TeachingAssignment.objects.create(section=section, staff=teacher)
            if families_of(teacher) >= count:
                break
    return teacher, families_of(teacher)


def time_planning(teacher) -> dict:
    from homeroom.routines import checkins
    from homeroom.routines.models import ContactPlan

    ContactPlan.objects.filter(staff=teacher).delete()
    plan = checkins.create_plan(teacher, cycle_days=14, call_days=[0, 1, 2, 3, 4])
    timings = []
    for _ in range(PLAN_RUNS):
        started = time.perf_counter()
        planned = checkins.plan_rotation(plan)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "families_planned": len(planned),
        "runs": PLAN_RUNS,
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[max(0, round(0.95 * len(timings)) - 1)], 1),
    }, plan


def busy_student(teacher):
    """One of the teacher's students with TIMELINE_CONTACTS logged contacts and some moments."""
    from django.utils import timezone

    from homeroom.people import access
    from homeroom.routines.models import ContactLog

    student = access.students_for(teacher.user).order_by("pk").first()
    have = ContactLog.objects.filter(student=student).count()
    now = timezone.now()
    ContactLog.objects.bulk_create(
        ContactLog(
            school_id=student.school_id,
            student=student,
            staff=teacher,
            kind="call" if i % 3 else "note",
            tone="positive" if i % 2 else "neutral",
            note="Talked about reading at home.",
            at=now - timedelta(hours=i),
        )
        for i in range(have, TIMELINE_CONTACTS)
    )
    return student


def measure_against_floor(client, url: str, requests: int, trivial: tuple[list, list]) -> dict:
    """Time a page against the signed-in floor: each page request is followed by one floor
    request (the same user's "My settings" page) and a few `/healthz` ones, so all meet the
    same state of the machine; the page is reported as a multiple of the floor ("×floor",
    wall and CPU time). One function, to be swapped for bench/pages.py's floor."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from bench.pages import TRIVIAL_PER_PAGE, WARM_UP, _timed, summarise

    floor_url = reverse("staff_preferences")
    anonymous = Client()
    for _ in range(WARM_UP):
        _timed(client, url, [], [])
        _timed(client, floor_url, [], [])
        _timed(anonymous, "/healthz", [], [])
    gc.collect()
    page, floor, beside = ([], []), ([], []), ([], [])
    for _ in range(requests):
        _timed(client, url, *page)
        _timed(client, floor_url, *floor)
        for _ in range(TRIVIAL_PER_PAGE):
            _timed(anonymous, "/healthz", *beside)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    result, floor, healthz = summarise(*page), summarise(*floor), summarise(*beside)
    result.update(
        queries=len(queries.captured_queries),
        bytes=len(response.content),
        floor_p50_ms=floor["p50_ms"],
        floor_p95_ms=floor["p95_ms"],
        floor_cpu_p50_ms=floor["cpu_p50_ms"],
        floor_ratio_p50=round(result["p50_ms"] / floor["p50_ms"], 2),
        floor_ratio_p95=round(result["p95_ms"] / floor["p95_ms"], 2),
        floor_ratio_cpu_p50=round(result["cpu_p50_ms"] / floor["cpu_p50_ms"], 2),
        trivial_p50_ms=healthz["p50_ms"],
    )
    trivial[0].extend(beside[0])
    trivial[1].extend(beside[1])
    return result


def main(argv: list[str] | None = None) -> dict:
    configure()
    import django

    django.setup()
    from django.test import Client

    from bench.pages import summarise
    from homeroom.routines.common import local_today
    from homeroom.routines.models import PlannedContact

    started = time.perf_counter()
    built = ensure("district")
    teacher, families = teacher_with_families(FAMILIES)
    planning, plan = time_planning(teacher)
    # Everything planned falls due today (the school's today, which the page lists), so the
    # check-ins page has a full day and more to list.
    school = teacher.assignments.select_related("school").first().school
    PlannedContact.objects.filter(plan=plan).update(due_date=local_today(school))
    student = busy_student(teacher)
    section = teacher.sections.order_by("pk").first()
    staff = Client()
    staff.force_login(teacher.user)
    trivial = ([], [])
    results = {
        "scale": "district",
        "district": {k: v for k, v in built.items() if isinstance(v, int)},
        "teacher_families": families,
        "plan_rotation": planning,
        "timeline": {
            "contacts": TIMELINE_CONTACTS,
            **measure_against_floor(
                staff, f"/routines/students/{student.pk}/timeline/", REQUESTS, trivial
            ),
        },
        "checkins": {
            "due_today": planning["families_planned"],
            **measure_against_floor(staff, "/routines/checkins/", REQUESTS, trivial),
        },
        "weekly_composer": {
            "students": section.enrollments.filter(is_active=True).count(),
            **measure_against_floor(
                staff, f"/routines/sections/{section.pk}/weekly/", REQUESTS, trivial
            ),
        },
    }
    results["healthz"] = summarise(*trivial)
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
