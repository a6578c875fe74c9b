"""Inbox and conversation pages with a realistic load of conversations, at both scales.

The teacher and the guardian of bench.pages (the demo sign-ins at the demo scale; at the
district scale the first teacher with five classes and the joined guardian with the most
children) are given a working year of messages, written directly with the models
(`bulk_create` in batches; set-up, not measured):

- the teacher: 300 private conversations about the students of her classes, each with the
  student's contactable families (up to two) and 20 messages, every other one from a family
  in the family's home language, stored with its English translation; her messages carry a
  translation per family language and a `Delivery` per family;
- the guardian: 15 conversations about her children with their teachers, 20 messages each;
- everyone else: conversations of 20 messages between a staff member and a family of their
  school until the scale holds 10,000 (demo) or 200,000 (district) messages in all.

Then, with Django's test client in this process (as bench.pages does): the staff inbox, the
staff conversation page (a 20-message conversation with deliveries to two families), the
family inbox and the family conversation page, each timed over N requests after a warm-up,
each request followed by five `/healthz` requests (the trivial floor of the same run), and
one more request with its queries counted.

Each scale runs in a process of its own, on a copy of bench.generate's database for that
scale under bench/.data/messaging_pages/<scale>/, so the other benchmarks never see these
rows.

    python -m bench.messaging_pages_bench          # both scales; writes the results
"""

import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.generate import DATA_DIR, SCALES, configure, data_dir

RESULTS = Path(__file__).resolve().parent / "results"
WORK_DIR = DATA_DIR / "messaging_pages"
REQUESTS = 30
TEACHER_CONVERSATIONS = 300
GUARDIAN_CONVERSATIONS = 15
MESSAGES_PER_CONVERSATION = 20
TOTAL_MESSAGES = {"demo": 10_000, "district": 200_000}
CONVERSATIONS_PER_BATCH = 250
PAGES = ("staff_inbox", "staff_conversation", "family_inbox", "family_conversation")

# What families write, in their home language, and its English translation.
FAMILY_TEXT = {
    "en": "Thank you for letting me know. {name} will practise at home this week.",
    "es": "Gracias por avisarme. {name} va a practicar en casa esta semana.",
    "vi": "Cảm ơn cô đã báo. {name} sẽ luyện tập ở nhà tuần này.",
    "ar": "شكرا لإخباري. سيتدرب {name} في البيت هذا الأسبوع.",
    "ht": "Mèsi paske ou fè m konnen. {name} ap pratike lakay semèn sa a.",
    "so": "Waad ku mahadsan tahay inaad ii sheegtay. {name} guriga ayuu ku tababaran doonaa.",
    "hmn": "Ua tsaug uas qhia rau kuv paub. {name} yuav kawm ntxiv hauv tsev lub lim tiam no.",
}
# What staff write, and the copy each family reads.
STAFF_TEXT = {
    "en": "{name} did well on today's fractions quiz. Please sign the reading log tonight.",
    "es": "{name} salió bien en la prueba de fracciones de hoy. Por favor firme el registro "
    "de lectura esta noche.",
    "vi": "{name} đã làm tốt bài kiểm tra phân số hôm nay. Xin ký vào sổ đọc sách tối nay.",
    "ar": "أحسن {name} في اختبار الكسور اليوم. يرجى توقيع سجل القراءة الليلة.",
    "ht": "{name} te byen fè nan egzamen fraksyon jodi a. Tanpri siyen kaye lekti a aswè a.",
    "so": "{name} si fiican ayuu u sameeyay imtixaanka jajabka maanta. Fadlan saxiix "
    "buugga akhriska caawa.",
    "hmn": "{name} ua tau zoo rau kev xeem feem hnub no. Thov kos npe rau phau ntawv nyeem hmo no.",
}


# -- set-up --------------------------------------------------------------------------------------


def _prepare_database(scale: str) -> None:
    """A fresh copy of the scale's benchmark database for this run."""
    subprocess.run([sys.executable, "-m", "bench.generate", scale], check=True)
    source = data_dir(scale) / "homeroom.sqlite3"
    work = WORK_DIR / scale
    work.mkdir(parents=True, exist_ok=True)
    target = work / "homeroom.sqlite3"
    for leftover in work.glob("homeroom.sqlite3*"):
        leftover.unlink()
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    configure(scale)
    os.environ["HOMEROOM_DATA_DIR"] = str(work)
    os.environ["DEBUG"] = "false"


class Family:
    """A guardian as a conversation needs them: who, in which language, on which channel."""

    def __init__(self, pk: int, language: str, channel: str, phone, email: str):
        from homeroom.languages import base_language

        self.pk = pk
        self.language = base_language(language) or "en"
        self.channel = channel if channel in ("sms", "email", "app") else "app"
        if self.channel == "sms" and not phone:
            self.channel = "email" if email else "app"
        if self.channel == "email" and not email:
            self.channel = "app"
        self.address = {"sms": str(phone or ""), "email": email}.get(self.channel, "")


def _families(guardianships) -> dict[int, list[Family]]:
    """student id → their contactable families, from a Guardianship queryset."""
    rows = guardianships.filter(
        is_active=True, may_contact=True, may_see_records=True, guardian__is_active=True
    ).values_list(
        "student_id",
        "guardian_id",
        "guardian__language",
        "guardian__channel",
        "guardian__phone",
        "guardian__email",
    )
    by_student: dict[int, list[Family]] = {}
    for student_id, *guardian in rows.order_by("student_id", "pk"):
        by_student.setdefault(student_id, []).append(Family(*guardian))
    return by_student


class Writer:
    """Writes conversations of MESSAGES_PER_CONVERSATION messages in batches."""

    def __init__(self):
        self.pending: list[tuple] = []
        self.written: list[int] = []  # conversation ids, in the order they were added
        self.counts = {"conversations": 0, "messages": 0, "translations": 0, "deliveries": 0}

    def add(self, *, school_id, student_id, student_name, staff_id, families, last_at, unread):
        """One conversation; its last message at `last_at`; `unread`: the last family message
        (or, for a family reader, the last staff message) is newer than the reader's marker."""
        self.pending.append(
            (school_id, student_id, student_name, staff_id, families, last_at, unread)
        )
        if len(self.pending) >= CONVERSATIONS_PER_BATCH:
            self.flush()

    def flush(self) -> list[int]:
        """Write what is pending; return the ids of every conversation written so far."""
        from django.db import transaction

        from homeroom.messaging.models import (
            Conversation,
            Delivery,
            Message,
            MessageTranslation,
            Participant,
        )
        from homeroom.people.models import School

        if not self.pending:
            return list(self.written)
        schools = {row[0] for row in self.pending}
        districts = dict(School.objects.filter(pk__in=schools).values_list("pk", "district_id"))
        step = timedelta(minutes=37)
        size = MESSAGES_PER_CONVERSATION
        with transaction.atomic():
            conversations = [
                Conversation(
                    kind=Conversation.Kind.PRIVATE,
                    district_id=districts[school_id],
                    school_id=school_id,
                    student_id=student_id,
                    started_by=Conversation.StartedBy.SCHOOL,
                    created_at=last_at - step * (size - 1),
                    last_message_at=last_at,
                )
                for school_id, student_id, _n, _s, _f, last_at, _u in self.pending
            ]
            Conversation.objects.bulk_create(conversations)
            participants, messages, authors = [], [], []
            for conversation, row in zip(conversations, self.pending, strict=True):
                _school, _student, name, staff_id, families, last_at, unread = row
                first = last_at - step * (size - 1)
                # Staff write on even turns, families on odd ones: the last message is a family's.
                staff_read = last_at - step if unread else last_at
                family_read = last_at - step * 2 if unread else last_at
                participants.append(
                    Participant(
                        conversation=conversation, staff_id=staff_id, last_read_at=staff_read
                    )
                )
                participants += [
                    Participant(
                        conversation=conversation, guardian_id=f.pk, last_read_at=family_read
                    )
                    for f in families
                ]
                for turn in range(size):
                    at = first + step * turn
                    if turn % 2 == 0:
                        text = STAFF_TEXT["en"].format(name=name)
                        message = Message(
                            conversation=conversation,
                            author_staff_id=staff_id,
                            body=text,
                            language="en",
                            created_at=at,
                        )
                        authors.append((message, None, families, name, at))
                    else:
                        family = families[(turn // 2) % len(families)]
                        message = Message(
                            conversation=conversation,
                            author_guardian_id=family.pk,
                            body=FAMILY_TEXT[_known(family.language)].format(name=name),
                            language=family.language,
                            channel=family.channel,
                            created_at=at,
                        )
                        authors.append((message, family, families, name, at))
                    messages.append(message)
            Participant.objects.bulk_create(participants, batch_size=2000)
            Message.objects.bulk_create(messages, batch_size=2000)
            translations, deliveries = [], []
            for message, family, families, name, at in authors:
                if family is not None:
                    if family.language != "en":
                        translations.append(
                            MessageTranslation(
                                message=message,
                                language="en",
                                text=FAMILY_TEXT["en"].format(name=name),
                                provider="apertium"
                                if family.language == "es"
                                else "libretranslate",
                            )
                        )
                    continue
                for language in sorted({f.language for f in families} - {"en"}):
                    translations.append(
                        MessageTranslation(
                            message=message,
                            language=language,
                            text=STAFF_TEXT[_known(language)].format(name=name),
                            provider="apertium" if language == "es" else "libretranslate",
                        )
                    )
                for reader in families:
                    deliveries.append(
                        Delivery(
                            message=message,
                            guardian_id=reader.pk,
                            channel=reader.channel,
                            to_address=reader.address,
                            language=reader.language,
                            status=Delivery.Status.READ
                            if reader.channel == "app"
                            else Delivery.Status.DELIVERED,
                            attempts=1,
                            idempotency_key=f"bench-pages-{message.pk}-{reader.pk}",
                            created_at=at,
                            next_attempt_at=at,
                            sent_at=at + timedelta(seconds=2),
                            delivered_at=at + timedelta(seconds=5),
                            read_at=at + timedelta(hours=1) if reader.channel == "app" else None,
                            segments=2 if reader.channel == "sms" else None,
                        )
                    )
            MessageTranslation.objects.bulk_create(translations, batch_size=2000)
            Delivery.objects.bulk_create(deliveries, batch_size=2000)
        self.pending = []
        self.counts["conversations"] += len(conversations)
        self.counts["messages"] += len(messages)
        self.counts["translations"] += len(translations)
        self.counts["deliveries"] += len(deliveries)
        self.written += [c.pk for c in conversations]
        return list(self.written)


def _known(language: str) -> str:
    return language if language in FAMILY_TEXT else "en"


def create_load(scale: str, teacher, guardian) -> dict:
    """The teacher's and the guardian's conversations, then everyone else's."""
    from django.utils import timezone

    from homeroom.messaging.models import Conversation, Message, Participant
    from homeroom.people.models import (
        Assignment,
        Guardianship,
        StaffMember,
        Student,
        TeachingAssignment,
    )

    rng = random.Random(11)
    now = timezone.now().replace(microsecond=0)
    started = time.perf_counter()
    writer = Writer()

    # The teacher: her students' families, those with two families first (the measured page).
    taught = Student.objects.filter(
        is_active=True,
        enrollments__is_active=True,
        enrollments__section__teaching__staff=teacher,
        enrollments__section__teaching__is_active=True,
    ).distinct()
    families = _families(Guardianship.objects.filter(student__in=taught))
    students = {s.pk: s for s in Student.objects.filter(pk__in=families)}
    order = sorted(families, key=lambda pk: (-min(len(families[pk]), 2), pk))
    for i in range(TEACHER_CONVERSATIONS):
        student = students[order[i % len(order)]]
        writer.add(
            school_id=student.school_id,
            student_id=student.pk,
            student_name=student.given_name,
            staff_id=teacher.pk,
            families=families[student.pk][:2],
            last_at=now - timedelta(hours=3 * i + 1),
            unread=i % 5 == 0,
        )
    teacher_ids = writer.flush()

    # The guardian: her children, with their teachers (else any staff member of the school).
    families_of = _families(Guardianship.objects.filter(guardian=guardian))
    kids = list(Student.objects.filter(pk__in=families_of).order_by("pk"))
    teachers: dict[int, list[int]] = {}
    for student_id, staff_id in (
        TeachingAssignment.objects.filter(
            is_active=True,
            section__enrollments__student__in=kids,
            section__enrollments__is_active=True,
        )
        .values_list("section__enrollments__student_id", "staff_id")
        .order_by("section__enrollments__student_id", "section_id", "pk")
    ):
        teachers.setdefault(student_id, []).append(staff_id)
    for kid in kids:
        if not teachers.get(kid.pk):
            teachers[kid.pk] = list(
                Assignment.objects.filter(school_id=kid.school_id)
                .values_list("staff_id", flat=True)
                .order_by("pk")[:1]
            )
    her = next(f for f in families_of[kids[0].pk] if f.pk == guardian.pk)
    for i in range(GUARDIAN_CONVERSATIONS):
        kid = kids[i % len(kids)]
        staff = teachers[kid.pk][(i // len(kids)) % len(teachers[kid.pk])]
        writer.add(
            school_id=kid.school_id,
            student_id=kid.pk,
            student_name=kid.given_name,
            staff_id=staff,
            families=[her],
            last_at=now - timedelta(hours=7 * i + 2),
            unread=i % 4 == 0,
        )
    guardian_ids = writer.flush()[len(teacher_ids) :]

    # Everyone else, until the scale holds its share of messages.
    wanted = TOTAL_MESSAGES[scale] - Message.objects.count()
    if wanted > 0:
        staff_by_school: dict[int, list[int]] = {}
        for school_id, staff_id in (
            Assignment.objects.filter(staff__district_id=teacher.district_id)
            .values_list("school_id", "staff_id")
            .order_by("pk")
        ):
            staff_by_school.setdefault(school_id, []).append(staff_id)
        everyone = _families(Guardianship.objects.filter(guardian__district_id=teacher.district_id))
        pupils = dict(Student.objects.filter(pk__in=list(everyone)).values_list("pk", "school_id"))
        names = dict(Student.objects.filter(pk__in=list(everyone)).values_list("pk", "given_name"))
        pool = [pk for pk in sorted(everyone) if staff_by_school.get(pupils[pk])]
        for _ in range(-(-wanted // MESSAGES_PER_CONVERSATION)):
            student_id = rng.choice(pool)
            school_id = pupils[student_id]
            writer.add(
                school_id=school_id,
                student_id=student_id,
                student_name=names[student_id],
                staff_id=rng.choice(staff_by_school[school_id]),
                families=[rng.choice(everyone[student_id])],
                last_at=now - timedelta(minutes=rng.randrange(1, 180 * 24 * 60)),
                unread=rng.random() < 0.2,
            )
        writer.flush()

    staff_conversation = next(
        pk
        for pk in teacher_ids
        if Participant.objects.filter(conversation_id=pk, guardian__isnull=False).count() == 2
    )
    family_conversation = guardian_ids[0]
    district = {"school__district_id": teacher.district_id}
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "written": writer.counts,
        "conversations_in_district": Conversation.objects.filter(**district).count(),
        "messages_in_district": Message.objects.filter(
            conversation__school__district_id=teacher.district_id
        ).count(),
        "teacher_conversations": Conversation.objects.filter(participants__staff=teacher).count(),
        "guardian_conversations": Conversation.objects.filter(
            participants__guardian=guardian
        ).count(),
        "staff_conversation": staff_conversation,
        "family_conversation": family_conversation,
        "guardian_language": her.language,
        "teacher_students_with_families": len(order),
        "staff_members": StaffMember.objects.filter(district_id=teacher.district_id).count(),
    }


def _conversation_shape(pk: int) -> dict:
    from homeroom.messaging.models import Delivery, Message, MessageTranslation, Participant

    return {
        "messages": Message.objects.filter(conversation_id=pk).count(),
        "families": Participant.objects.filter(conversation_id=pk, guardian__isnull=False).count(),
        "translations": MessageTranslation.objects.filter(message__conversation_id=pk).count(),
        "deliveries": Delivery.objects.filter(message__conversation_id=pk).count(),
    }


# -- one scale, in its own process -------------------------------------------------------------


def run_scale(scale: str) -> dict:
    from django import db
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.pages import measure_against_floor, personas, summarise

    call_command("migrate", verbosity=0, interactive=False)
    people = personas(scale)
    teacher, guardian = people["teacher"], people["guardian"]
    print(f"  {scale}: writing the conversations…", flush=True)
    load = create_load(scale, teacher, guardian)
    print(
        f"  {scale}: {load['written']['messages']:,} messages written in {load['seconds']} s; "
        f"{load['messages_in_district']:,} in the district",
        flush=True,
    )
    staff_client, family_client = Client(), Client()
    staff_client.force_login(teacher.user)
    family_client.force_login(guardian.user)
    urls = {
        "staff_inbox": (staff_client, teacher.user, "/messages/"),
        "staff_conversation": (
            staff_client,
            teacher.user,
            f"/messages/{load['staff_conversation']}/",
        ),
        "family_inbox": (family_client, guardian.user, "/messages/"),
        "family_conversation": (
            family_client,
            guardian.user,
            f"/messages/{load['family_conversation']}/",
        ),
    }
    trivial: tuple[list, list] = ([], [])
    pages = {}
    for name in PAGES:
        client, user, url = urls[name]
        page = measure_against_floor(client, user, url, REQUESTS, trivial)
        pages[name] = page
        print(
            f"  {scale} {name}: p50 {page['p50_ms']} ms ({page['floor_ratio_p50']}× floor), "
            f"{page['queries']} queries",
            flush=True,
        )
    pages["staff_conversation"]["shows"] = _conversation_shape(load["staff_conversation"])
    pages["family_conversation"]["shows"] = _conversation_shape(load["family_conversation"])
    pages["staff_inbox"]["shows"] = {"conversations": load["teacher_conversations"]}
    pages["family_inbox"]["shows"] = {"conversations": load["guardian_conversations"]}
    with CaptureQueriesContext(db.connection) as queries:
        Client().get("/healthz")
    healthz = {**summarise(*trivial), "queries": len(queries.captured_queries)}
    return {
        "scale": scale,
        "database": db.connection.vendor,
        "debug": settings.DEBUG,
        "load": load,
        "pages": {"healthz": healthz, **pages},
    }


def _scale_main(scale: str, out: str) -> None:
    _prepare_database(scale)
    import django

    django.setup()
    Path(out).write_text(json.dumps(run_scale(scale), indent=2, ensure_ascii=False))


# -- both scales -------------------------------------------------------------------------------


LABELS = {
    "staff_inbox": "staff inbox",
    "staff_conversation": "staff conversation",
    "family_inbox": "family inbox",
    "family_conversation": "family conversation",
}


def _shows(page: dict) -> str:
    shows = page.get("shows", {})
    if "messages" in shows:
        return (
            f"{shows['messages']} messages, {shows['families']} "
            f"{'family' if shows['families'] == 1 else 'families'}, "
            f"{shows['deliveries']} deliveries"
        )
    return f"{shows.get('conversations', 0):,} conversations (25 a page)"


def table(result: dict) -> str:
    lines = [
        "| page | scale | shows | p50 ms | p95 ms | CPU p50 ms | ×floor (p50) | ×floor (CPU p50) "
        "| ×trivial (p50) | queries |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for scale, data in result["scales"].items():
        trivial = data["pages"]["healthz"]
        lines.append(
            f"| `/healthz` (trivial) | {scale} | — | {trivial['p50_ms']} | {trivial['p95_ms']} "
            f"| {trivial['cpu_p50_ms']} | — | — | 1 | {trivial['queries']} |"
        )
        for name in PAGES:
            page = data["pages"][name]
            lines.append(
                f"| {LABELS[name]} | {scale} | {_shows(page)} | {page['p50_ms']} "
                f"| {page['p95_ms']} | {page['cpu_p50_ms']} | {page.get('floor_ratio_p50', '—')} "
                f"| {page.get('floor_ratio_cpu_p50', '—')} | {page['ratio_p50']} "
                f"| {page['queries']} |"
            )
    return "\n".join(lines)


def _write(result: dict) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "messaging_pages.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) == 2:  # one scale, in a child process
        _scale_main(*argv)
        return
    if os.environ.get("DATABASE_URL"):
        print("the inbox and conversation pages are measured on SQLite copies only; skipped")
        return
    from bench.run import machine

    started = time.perf_counter()
    stamp = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
    }
    scales = {}
    for scale in SCALES:
        print(f"inbox and conversation pages, {scale} scale", flush=True)
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "result.json"
            subprocess.run(
                [sys.executable, "-m", "bench.messaging_pages_bench", scale, str(out)], check=True
            )
            scales[scale] = json.loads(out.read_text())
    result = {"benchmark": "messaging_pages", "requests": REQUESTS, "scales": scales, **stamp}
    path = _write(result)
    print(f"wrote {path.relative_to(RESULTS.parent.parent)}\n")
    print(table(result))
    print(f"\ninbox and conversation pages took {time.perf_counter() - started:.0f} s")
    for name in PAGES:
        counts = {scale: data["pages"][name]["queries"] for scale, data in scales.items()}
        if len(set(counts.values())) != 1:
            raise SystemExit(f"{name}: the query count grows with the data: {counts}")


if __name__ == "__main__":
    main()
