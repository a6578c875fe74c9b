"""Survey results at scale: a school survey answered by 20,000 families (two questions of
choices, families in four grades and two programs), its results page timed beside the
signed-in floor (the same admin's "My account") and a trivial view (`/healthz`) in the
same run, and reported as a multiple of the floor. The school is built here, in a database
of its own under bench/.data/survey/, so other benchmarks' data stays untouched.

    python -m bench.survey_bench       (results in bench/results/survey.json)
"""

import json
import os
import sys
import time
from datetime import timedelta

from bench.generate import BENCH_DIR, DATA_DIR

ANSWERS = 20_000
REQUESTS = 10
BATCH = 2_000
RESULTS = BENCH_DIR / "results" / "survey.json"
GRADES = ("9", "10", "11", "12")
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
SCALE = ["Not at all", "A little", "Somewhat", "Quite a bit", "A lot"]


def configure() -> None:
    if not os.environ.get("DATABASE_URL"):
        directory = DATA_DIR / "survey"
        directory.mkdir(parents=True, exist_ok=True)
        os.environ["HOMEROOM_DATA_DIR"] = str(directory)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeroom.settings")
    os.environ.setdefault("HOMEROOM_ENV", "development")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("OUTBOUND_BACKEND", "memory")
    os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.dummy.DummyBackend")
    os.environ.setdefault("LOG_LEVEL", "WARNING")


def build() -> tuple:
    """The school, its admin, 20,000 families, and the survey they all answered (once)."""
    from django.core.management import call_command
    from django.utils import timezone

    from homeroom.messaging.audiences import Audience
    from homeroom.messaging.models import Conversation, Participant
    from homeroom.people.models import (
        Assignment,
        District,
        Guardian,
        Guardianship,
        Program,
        Role,
        School,
        StaffMember,
        Student,
        User,
    )
    from homeroom.voice import services
    from homeroom.voice.models import Answer, Response, Survey

    call_command("migrate", verbosity=0, interactive=False)
    survey = Survey.objects.filter(title="Bench: conferences").first()
    if survey is not None and survey.responses.count() == ANSWERS:
        return survey, survey.created_by
    district = District.objects.create(name="Bench voice district")
    school = School.objects.create(district=district, name="Bench High School")
    user = User.objects.create_user(f"bench.voice.{district.pk}@example.org", None)
    admin = StaffMember.objects.create(
        user=user, district=district, given_name="Bench", family_name="Admin", email=user.email
    )
    Assignment.objects.create(staff=admin, school=school, role=Role.SCHOOL_ADMIN)
    learners = Program.objects.create(district=district, code="EL", name="English learners")
    students = Student.objects.bulk_create(
        [
            Student(school=school, given_name=f"S{n}", family_name="Bench", grade=GRADES[n % 4])
            for n in range(ANSWERS)
        ],
        batch_size=BATCH,
    )
    through = Student.programs.through
    through.objects.bulk_create(
        [through(student_id=s.pk, program_id=learners.pk) for s in students[::3]],
        batch_size=BATCH,
    )
    languages = ("en", "en", "es", "so", "vi", "ar")
    guardians = Guardian.objects.bulk_create(
        [
            Guardian(
                district=district,
                given_name=f"G{n}",
                family_name="Bench",
                language=languages[n % len(languages)],
                email=f"g{n}@bench.example",
                channel="email",
            )
            for n in range(ANSWERS)
        ],
        batch_size=BATCH,
    )
    Guardianship.objects.bulk_create(
        [Guardianship(guardian=g, student=s) for g, s in zip(guardians, students, strict=True)],
        batch_size=BATCH,
    )
    survey = services.create_survey(
        admin,
        title="Bench: conferences",
        intro="",
        closes_at=timezone.now() + timedelta(days=30),
        anonymous=False,
        audience=Audience.school(school),
        questions=[
            services.QuestionDraft("single", "Which day suits you?", True, DAYS),
            services.QuestionDraft("scale", "How welcome do you feel?", True, SCALE),
        ],
    )
    # Sent as send_survey would, without 20,000 deliveries: the announcement and who it
    # reached are what the results read.
    announcement = Conversation.objects.create(
        kind=Conversation.Kind.ANNOUNCEMENT,
        district=district,
        school=school,
        audience=survey.audience,
        subject=survey.title,
        started_by=Conversation.StartedBy.SCHOOL,
    )
    Participant.objects.bulk_create(
        [Participant(conversation=announcement, guardian=g) for g in guardians],
        batch_size=BATCH,
    )
    Survey.objects.filter(pk=survey.pk).update(
        sent_at=timezone.now(), announcement=announcement, reached=ANSWERS
    )
    survey.refresh_from_db()
    questions = services.questions_of(survey)
    days, scale = (list(q.options.all()) for q in questions)
    responses = Response.objects.bulk_create(
        [
            Response(survey=survey, guardian=g, respondent_key=services.respondent_key(survey, g))
            for g in guardians
        ],
        batch_size=BATCH,
    )
    answers = Answer.objects.bulk_create(
        [Answer(response=r, question=question) for r in responses for question in questions],
        batch_size=BATCH,
    )
    chosen = Answer.options.through
    rows = []
    for n, answer in enumerate(answers):
        options = days if answer.question_id == questions[0].pk else scale
        rows.append(chosen(answer_id=answer.pk, option_id=options[(n * 7 + n // 3) % 5].pk))
    chosen.objects.bulk_create(rows, batch_size=BATCH)
    return survey, admin


def main(argv: list[str] | None = None) -> dict:
    configure()
    import django

    django.setup()
    from django.test import Client

    from bench.pages import _with_totp, measure_against_floor, summarise

    started = time.perf_counter()
    survey, admin = build()
    built = round(time.perf_counter() - started, 1)
    _with_totp(admin.user)  # admins need two-step sign-in before the pages let them in
    client = Client()
    client.force_login(admin.user)
    trivial = ([], [])
    results = {
        "answers": survey.responses.count(),
        "build_seconds": built,
        "results_page": measure_against_floor(
            client, admin.user, f"/surveys/{survey.pk}/results/", REQUESTS, trivial
        ),
    }
    results["healthz"] = summarise(*trivial)
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
