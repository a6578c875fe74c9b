"""Family voice at district scale: the suggestion lists with 10,000 suggestions across the
district's schools (each answered, in two languages, some supported), timed beside the
signed-in floor (the same person's "My account" page) and a trivial view (`/healthz`) in the
same run, and reported as multiples of the floor: the staff list of a school admin, a
family's list of its school's suggestions, and the school's "you said, we did" page.
The district comes from bench/generate.py (copied into bench/.data/voice/ when already
built, so other benchmarks' data stays untouched).

    python -m bench.voice_bench        (results in bench/results/voice.json)
"""

import json
import os
import shutil
import sys
import time

from bench.generate import BENCH_DIR, DATA_DIR, ensure

SUGGESTIONS = 10_000
REQUESTS = 30
RESULTS = BENCH_DIR / "results" / "voice.json"
SOURCE = "bench-voice"


def configure() -> None:
    if not os.environ.get("DATABASE_URL"):
        directory = DATA_DIR / "voice"
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


def seed() -> dict:
    """SUGGESTIONS suggestions spread over the district's schools, from their families, each
    with its answer and history; one in three supported. Made once."""
    from django.utils import timezone

    from homeroom.people.models import Guardianship, School, StaffMember
    from homeroom.voice.models import Suggestion, SuggestionEvent, Support

    have = Suggestion.objects.count()
    if have >= SUGGESTIONS:
        return {"suggestions": have}
    schools = list(School.objects.filter(is_active=True).order_by("pk"))
    authors = {}
    for school in schools:
        authors[school.pk] = list(
            Guardianship.objects.filter(student__school=school, is_active=True, may_contact=True)
            .order_by("pk")
            .values_list("guardian_id", flat=True)[:300]
        )
    staff = {
        school.pk: StaffMember.objects.filter(assignments__school=school).order_by("pk").first()
        for school in schools
    }
    statuses = ["received", "discussing", "adopted", "done", "declined"]
    now = timezone.now()
    rows = []
    for index in range(have, SUGGESTIONS):
        school = schools[index % len(schools)]
        guardians = authors[school.pk]
        rows.append(
            Suggestion(
                school=school,
                guardian_id=guardians[index % len(guardians)],
                text=f"Could the school try idea number {index}, for the families who work late?",
                language="en",
                translations={"es": f"¿Podría la escuela probar la idea número {index}?"},
                status=statuses[(index // len(schools)) % len(statuses)],
                owner=staff[school.pk],
                answer="We talked about it at the parent council and will try it next month.",
                answer_translations={"es": "Lo hablamos en el consejo y lo probaremos."},
                answered_at=now,
                private=index % 7 == 0,
            )
        )
    made = Suggestion.objects.bulk_create(rows, batch_size=1000)
    SuggestionEvent.objects.bulk_create(
        (
            SuggestionEvent(
                suggestion=s,
                status=s.status,
                answer=s.answer,
                answer_translations=s.answer_translations,
                by=s.owner,
            )
            for s in made
        ),
        batch_size=1000,
    )
    supports = []
    for number, suggestion in enumerate(made):
        if number % 3 == 0 and not suggestion.private:
            supporter = authors[suggestion.school_id][
                (number + 1) % len(authors[suggestion.school_id])
            ]
            if supporter != suggestion.guardian_id:
                supports.append(
                    Support(suggestion=suggestion, guardian_id=supporter, family=supporter)
                )
    Support.objects.bulk_create(supports, batch_size=1000, ignore_conflicts=True)
    return {"suggestions": Suggestion.objects.count(), "supports": Support.objects.count()}


def people():
    """The first school's admin, and a joined guardian of that school who may write to it."""
    from homeroom.people.models import Guardian, Role, School, StaffMember

    school = School.objects.filter(is_active=True).order_by("pk").first()
    admin = (
        StaffMember.objects.filter(assignments__school=school, assignments__role=Role.SCHOOL_ADMIN)
        .exclude(user=None)
        .order_by("pk")
        .first()
    )
    guardian = (
        Guardian.objects.filter(
            user__isnull=False,
            is_active=True,
            guardianships__student__school=school,
            guardianships__may_contact=True,
            guardianships__may_see_records=True,
            guardianships__is_active=True,
        )
        .order_by("pk")
        .first()
    )
    return school, admin, guardian


def main(argv: list[str] | None = None) -> dict:
    configure()
    import django

    django.setup()
    from django.test import Client

    from bench.pages import _with_totp, measure_against_floor, summarise

    started = time.perf_counter()
    built = ensure("district")
    data = seed()
    school, admin, guardian = people()
    _with_totp(admin.user)  # admins need TOTP before the middleware lets them in
    staff = Client()
    staff.force_login(admin.user)
    family = Client()
    family.force_login(guardian.user)
    trivial = ([], [])
    from homeroom.voice.models import Suggestion

    at_school = Suggestion.objects.filter(school=school)
    results = {
        "scale": "district",
        "district": {k: v for k, v in built.items() if isinstance(v, int)},
        **data,
        "staff_list": {
            "at_school": at_school.count(),
            **measure_against_floor(staff, admin.user, "/suggestions/staff/", REQUESTS, trivial),
        },
        "family_list": {
            "at_school": at_school.filter(private=False).count(),
            **measure_against_floor(family, guardian.user, "/suggestions/", REQUESTS, trivial),
        },
        "said_and_done": {
            "at_school": at_school.filter(private=False, status__in=["adopted", "done"]).count(),
            **measure_against_floor(
                family,
                guardian.user,
                f"/suggestions/school/{school.pk}/you-said-we-did/",
                REQUESTS,
                trivial,
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
