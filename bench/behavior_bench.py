"""Recognition at district scale: 1,000,000 moments, then the family feed and the ratios
page timed beside a trivial view (`/healthz`) in the same run, and recording 30 moments at
once. Data lives in its own SQLite file under bench/.data/behavior/.

    python -m bench.behavior_bench        (results in bench/results/behavior.json)
"""

import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta

from bench.generate import BENCH_DIR, DATA_DIR, ensure

MOMENTS = 1_000_000
BATCH = 20_000
REQUESTS = 30
RECORD_RUNS = 20
RESULTS = BENCH_DIR / "results" / "behavior.json"


def configure() -> None:
    if not os.environ.get("DATABASE_URL"):
        directory = DATA_DIR / "behavior"
        directory.mkdir(parents=True, exist_ok=True)
        os.environ["HOMEROOM_DATA_DIR"] = str(directory)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeroom.settings")
    os.environ.setdefault("HOMEROOM_ENV", "development")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("OUTBOUND_BACKEND", "memory")
    os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.dummy.DummyBackend")
    os.environ.setdefault("LOG_LEVEL", "WARNING")


def generate_moments(say=print) -> float:
    """Fill the database up to MOMENTS moments, spread over a year, in batches."""
    from django.db import connection, transaction
    from django.utils import timezone

    from homeroom.behavior import recording
    from homeroom.behavior.models import Category, Moment
    from homeroom.people.models import Assignment, Role, School, Student

    have = Moment.objects.count()
    if have >= MOMENTS:
        say(f"reusing {have:,} moments")
        return 0.0
    started = time.perf_counter()
    rng = random.Random(4)
    categories, teachers, students = {}, {}, []
    for school in School.objects.all():
        recording.ensure_default_categories(school)
        categories[school.pk] = list(Category.objects.filter(school=school))
        teachers[school.pk] = list(
            Assignment.objects.filter(school=school, role=Role.TEACHER).values_list(
                "staff_id", flat=True
            )
        ) or [None]
    students = list(Student.objects.filter(is_active=True).values_list("pk", "school_id"))
    now = timezone.now()
    year = 365 * 24 * 3600
    todo = MOMENTS - have
    table = Moment._meta.db_table
    columns = (
        "student_id, school_id, category_id, recorded_by_id, note, positive, points, created_at"
    )
    adapt = connection.ops.adapt_datetimefield_value
    sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
    while todo > 0:
        size = min(BATCH, todo)
        rows = []
        for _ in range(size):
            student_id, school_id = rng.choice(students)
            # Four in five moments are good news, as a school aiming for 4:1 would have.
            pool = categories[school_id]
            category = pool[rng.randrange(6)] if rng.random() < 0.8 else pool[6 + rng.randrange(4)]
            rows.append(
                (
                    student_id,
                    school_id,
                    category.pk,
                    rng.choice(teachers[school_id]),
                    "Helped a classmate with fractions." if rng.random() < 0.3 else "",
                    category.is_positive,
                    category.points,
                    adapt(now - timedelta(seconds=rng.randrange(year))),
                )
            )
        # Plain executemany: the same rows bulk_create would write, without building models.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        todo -= size
        say(f"  {MOMENTS - todo:,} moments")
    return round(time.perf_counter() - started, 1)


def personas():
    """A teacher with classes in the first school, and a joined guardian of one of their
    students with the most moments."""
    from django.db.models import Count

    from homeroom.behavior.models import Moment
    from homeroom.people.models import Guardianship, StaffMember, TeachingAssignment

    teacher = StaffMember.objects.get(
        pk=TeachingAssignment.objects.filter(is_active=True).order_by("pk").values("staff")[:1]
    )
    link = (
        Guardianship.objects.filter(
            is_active=True,
            may_see_records=True,
            guardian__user__isnull=False,
            guardian__language="es",
        )
        .annotate(n=Count("student__moments"))
        .filter(student__school__in=teacher.schools.all())
        .order_by("-n")[:1]
        .get()
    )
    return teacher, link.guardian, link.student, Moment.objects.filter(student=link.student).count()


def time_recording(teacher) -> dict:
    """Record for 30 students at once, RECORD_RUNS times (each undone by deleting it)."""
    from homeroom.behavior import access, recording
    from homeroom.behavior.models import Moment

    students = list(access.recordable_students(teacher).values_list("pk", flat=True)[:30])
    category = recording.active_categories(teacher.schools.first())[0]
    timings = []
    for _ in range(RECORD_RUNS):
        started = time.perf_counter()
        moments = recording.record_moments(teacher, students, category, "Great teamwork.")
        timings.append((time.perf_counter() - started) * 1000)
        Moment.objects.filter(pk__in=[m.pk for m in moments]).delete()
    timings.sort()
    return {
        "students": len(students),
        "runs": RECORD_RUNS,
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[max(0, round(0.95 * len(timings)) - 1)], 2),
    }


def main(argv: list[str] | None = None) -> dict:
    configure()
    import django

    django.setup()
    from django.test import Client

    from bench.pages import measure_against_floor, summarise

    started = time.perf_counter()
    built = ensure("district")
    generation_seconds = generate_moments()
    teacher, guardian, student, student_moments = personas()
    section = teacher.sections.order_by("pk").first()
    trivial = ([], [])
    family = Client()
    family.force_login(guardian.user)
    staff = Client()
    staff.force_login(teacher.user)

    # Each page beside the signed-in floor of the same person (bench/pages.py).
    def on_family(url):
        return measure_against_floor(family, guardian.user, url, REQUESTS, trivial)

    def on_staff(url):
        return measure_against_floor(staff, teacher.user, url, REQUESTS, trivial)

    results = {
        "scale": "district",
        "moments": MOMENTS,
        "district": {k: v for k, v in built.items() if isinstance(v, int)},
        "moment_generation_seconds": generation_seconds,
        "feed": {
            "student_moments": student_moments,
            "guardian_language": guardian.language,
            **on_family(f"/moments/children/{student.pk}/"),
        },
        "section_recording_page": on_staff(f"/moments/sections/{section.pk}/"),
        "ratios": on_staff("/moments/ratios/"),
        "ratios_school_year": on_staff("/moments/ratios/?period=year"),
        "record_30_at_once": time_recording(teacher),
    }
    results["healthz"] = summarise(*trivial)
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
