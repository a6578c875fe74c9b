"""Shared goals at district scale: a teacher's goals page with a goal for each of 150
students, and a family's page for a child with 50 goals and 500 notes (and the busiest goal
itself), each timed beside the signed-in floor ("My account") and a trivial view in the same
run, and reported as a multiple of the floor.

The district comes from bench/generate.py, copied into bench/.data/goals/ (and migrated
there) so other benchmarks' data stays untouched.

    python -m bench.goals_bench        (results in bench/results/goals.json)
"""

import json
import os
import shutil
import sys
import time
from datetime import timedelta

from bench.generate import BENCH_DIR, DATA_DIR

STUDENTS = 150
CHILD_GOALS = 50
CHILD_NOTES = 500
REQUESTS = 30
RESULTS = BENCH_DIR / "results" / "goals.json"


def configure() -> None:
    if not os.environ.get("DATABASE_URL"):
        directory = DATA_DIR / "goals"
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


def _goal(student, guardian, what: str):
    from django.utils import timezone

    from homeroom.goals.models import Goal

    return Goal(
        student=student,
        what=what,
        measure="Two books finished by the end of the term.",
        ends_on=timezone.localdate() + timedelta(days=60),
        language="en",
        status=Goal.Status.ACTIVE,
        proposed_by="family",
        proposed_by_guardian=guardian,
        activated_at=timezone.now(),
        translations={"es": {"what": "Leer cada noche.", "measure": "Dos libros."}},
    )


def teacher_with_goals():
    """A teacher of at least STUDENTS students, each with one active goal and a strategy."""
    from bench.routines_bench import teacher_with_families
    from homeroom.goals.models import Goal, Strategy
    from homeroom.people import access
    from homeroom.people.models import Section, TeachingAssignment

    teacher, _families = teacher_with_families(STUDENTS)
    school_id = teacher.assignments.first().school_id
    for section in Section.objects.filter(school_id=school_id, is_active=True).order_by("pk"):
        if access.students_for(teacher.user).count() >= STUDENTS:
            break
        TeachingAssignment.objects.get_or_create(section=section, staff=teacher)
    students = list(access.students_for(teacher.user).order_by("pk")[:STUDENTS])
    have = set(Goal.objects.filter(student__in=students).values_list("student_id", flat=True))
    goals = Goal.objects.bulk_create(
        _goal(student, None, "Reads twenty minutes every night.")
        for student in students
        if student.pk not in have
    )
    Strategy.objects.bulk_create(
        Strategy(goal=goal, text="Read together", where="home", who="Family") for goal in goals
    )
    return teacher, len(students)


def family_with_busy_child():
    """A guardian who may see a child's records, the child with CHILD_GOALS active goals and
    CHILD_NOTES notes spread over them (the guardian's own, half of them translated)."""
    from django.utils import timezone

    from homeroom.goals.models import Goal, Note, NoteTranslation, Strategy
    from homeroom.people.models import Guardianship

    link = (
        Guardianship.objects.filter(
            is_active=True,
            may_see_records=True,
            may_contact=True,
            guardian__is_active=True,
            guardian__user__isnull=False,
            student__is_active=True,
        )
        .select_related("guardian__user", "student")
        .order_by("pk")
        .first()
    )
    guardian, student = link.guardian, link.student
    have = Goal.objects.filter(student=student).count()
    goals = Goal.objects.bulk_create(
        _goal(student, guardian, f"Goal {index}: reads every night.")
        for index in range(have, CHILD_GOALS)
    )
    Strategy.objects.bulk_create(
        Strategy(goal=goal, text="Read together", where="home", who="Family") for goal in goals
    )
    goals = list(Goal.objects.filter(student=student).order_by("pk"))
    busiest = goals[0]
    notes = Note.objects.filter(goal__student=student).count()
    now = timezone.now()
    made = Note.objects.bulk_create(
        Note(
            goal=busiest if index % 2 else goals[index % len(goals)],
            side="family",
            kind="text",
            author_guardian=guardian,
            text="We read for twenty minutes tonight.",
            language="en",
            created_at=now - timedelta(hours=index),
        )
        for index in range(notes, CHILD_NOTES)
    )
    NoteTranslation.objects.bulk_create(
        NoteTranslation(note=note, language="es", text="Leímos veinte minutos esta noche.")
        for note in made[::2]
    )
    return guardian, student, busiest


def main(argv: list[str] | None = None) -> dict:
    configure()
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from bench.pages import floor_url, measure, summarise
    from homeroom.goals.models import Note

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    teacher, students = teacher_with_goals()
    guardian, child, busiest = family_with_busy_child()
    trivial = ([], [])
    staff = Client()
    staff.force_login(teacher.user)
    family = Client()
    family.force_login(guardian.user)
    results = {
        "scale": "district",
        "teacher_goals": {
            "students_with_a_goal": students,
            **measure(staff, "/goals/", REQUESTS, trivial, floor=floor_url()),
        },
        "family_child_page": {
            "goals": CHILD_GOALS,
            "notes": Note.objects.filter(goal__student=child).count(),
            **measure(
                family, f"/moments/children/{child.pk}/", REQUESTS, trivial, floor=floor_url()
            ),
        },
        "family_goal_page": {
            "notes_on_the_goal": busiest.notes.count(),
            **measure(family, f"/goals/{busiest.pk}/", REQUESTS, trivial, floor=floor_url()),
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
