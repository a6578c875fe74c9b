"""Messaging at district scale: an announcement to every family of the 50,000-guardian
district written into the outbox, and how fast workers empty the outbox.

1. Announcement: the district admin announces to the whole district (50,000 guardians,
   seven home languages). Timed from the call to its return, which includes the audience
   query, one translation per target language, the participants, the message, its
   translations, one Delivery per family and the delivery tasks queued on commit. Beside it,
   in the same run, a raw `bulk_create` of the same rows (participants, message,
   translations, deliveries) built beforehand: the ratio is what the outbox's bookkeeping
   costs over writing the rows at all. The translation provider counts its calls.
2. Throughput: deliveries from that announcement sent by one worker process, then by four,
   to a local SMTP server (aiosmtpd) and to a local endpoint speaking Twilio's Messages API
   (both from homeroom/testing/servers.py, in this process). Each worker takes
   chunks of 100 delivery ids and runs the same code as the `deliver` task.

The district comes from bench.generate (built once and reused); this benchmark works on a
copy of it under bench/.data/messaging/, so the other benchmarks never see its rows. Quiet
hours are switched off on the copy, so the figures do not depend on the time of day.

    python -m bench.messaging_bench
"""

import json
import math
import multiprocessing
import os
import platform
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.generate import DATA_DIR, data_dir

RESULTS = Path(__file__).resolve().parent / "results"
WORK_DIR = DATA_DIR / "messaging"


def _configure() -> None:
    """The environment the settings are read from: set before anything imports them (the
    translation provider below does, through homeroom.languages)."""
    if not os.environ.get("DATABASE_URL"):
        os.environ["HOMEROOM_DATA_DIR"] = str(WORK_DIR)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeroom.settings")
    os.environ.setdefault("HOMEROOM_ENV", "development")
    os.environ["DEBUG"] = "false"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["OUTBOUND_BACKEND"] = "memory"
    os.environ["TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
    os.environ["TRANSLATION_ROUTES"] = "*=bench.messaging_bench.BenchTranslator"
    os.environ["PUBLIC_BASE_URL"] = "https://homeroom.example"


_configure()

from homeroom.translation.providers.base import Provider  # noqa: E402

TEXT = (
    "Schools are closed tomorrow because of the snow storm. Stay safe; classes start again "
    "on Thursday at the usual time."
)
CHUNK = 100
SAMPLES = {1: 1_000, 4: 2_000}  # deliveries per channel for one and for four workers


# -- a translation provider that counts ---------------------------------------------------------


class BenchTranslator(Provider):
    """Tags each text with its target language; counts calls across the run."""

    name = "bench"
    name_placeholders = True
    calls: list[tuple[str, str, int]] = []
    lock = threading.Lock()

    def supports(self, source: str, target: str) -> bool:
        return True

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[str]:
        with self.lock:
            type(self).calls.append((source, target, len(texts)))
        return [f"[{target}] {text}" for text in texts]


# -- set-up -------------------------------------------------------------------------------------


def _prepare_database() -> str:
    """A fresh copy of the district for this run; returns what the database is."""
    if os.environ.get("DATABASE_URL"):
        return "postgresql (DATABASE_URL): the announcement is removed afterwards"
    subprocess.run([sys.executable, "-m", "bench.generate", "district"], check=True)
    source = data_dir("district") / "homeroom.sqlite3"
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    target = WORK_DIR / "homeroom.sqlite3"
    for leftover in WORK_DIR.glob("homeroom.sqlite3*"):
        leftover.unlink()
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return "sqlite (a copy of the district)"


class _Queries:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


# -- 1. the announcement ------------------------------------------------------------------------


ROUNDS = 2  # the machine may be busy: each side is timed twice, the best time counts


def bench_announcement() -> dict:
    from datetime import time as clock

    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    # Routed by dotted path, the provider lives in the imported module, not in __main__.
    from bench.messaging_bench import BenchTranslator
    from homeroom.languages import base_language
    from homeroom.messaging.models import Delivery
    from homeroom.people.models import Guardian, StaffMember

    admin = StaffMember.objects.get(is_district_admin=True, district__sourced_id="bench-lakeshore")
    Guardian.objects.filter(district_id=admin.district_id).update(
        quiet_start=clock(0), quiet_end=clock(0)
    )
    outbox_runs, raw_runs, created = [], [], []
    # CPU seconds of this process beside the wall times: SQLite runs in it, and on a shared
    # machine CPU time is what other work disturbs least.
    outbox_cpu, raw_cpu = [], []
    first = None
    for round_ in range(ROUNDS):
        BenchTranslator.calls = []
        tasks_before = DBTaskResult.objects.count()
        # A new text each round, so the translation memory does not answer for the engine.
        started_cpu = time.process_time()
        seconds, conversation, queries = _announce(admin, f"{TEXT} ({round_ + 1})")
        outbox_cpu.append(round(time.process_time() - started_cpu, 2))
        outbox_runs.append(round(seconds, 2))
        created.append(conversation.pk)
        if first is None:
            first = {
                "conversation": conversation,
                "queries": queries,
                "calls": list(BenchTranslator.calls),
                "tasks": DBTaskResult.objects.count() - tasks_before,
            }
        raw_seconds_, raw_cpu_seconds = _raw_insert(conversation, admin, round_)
        raw_runs.append(round(raw_seconds_, 2))
        raw_cpu.append(round(raw_cpu_seconds, 2))

    conversation = first["conversation"]
    message = conversation.messages.get()
    deliveries = Delivery.objects.filter(message=message)
    languages = sorted(
        {base_language(tag) for tag in deliveries.values_list("language", flat=True)}
    )
    channels = dict(deliveries.order_by().values_list("channel").annotate(n=Count("pk")))
    outbox_seconds, raw_seconds = min(outbox_runs), min(raw_runs)
    result = {
        "guardians_in_district": Guardian.objects.filter(district_id=admin.district_id).count(),
        "deliveries": deliveries.count(),
        "participants": conversation.participants.count(),
        "deliveries_by_channel": channels,
        "reader_languages": languages,
        "distinct_target_languages": len(set(languages) - {"en"}),
        "translation_calls": len(first["calls"]),
        "translation_targets": sorted({target for _s, target, _n in first["calls"]}),
        "message_translations": message.translations.count(),
        "tasks_queued": first["tasks"],
        "queries": first["queries"],
        "outbox_seconds": outbox_seconds,
        "raw_bulk_insert_seconds": raw_seconds,
        "ratio": round(outbox_seconds / raw_seconds, 2),
        "outbox_cpu_seconds": min(outbox_cpu),
        "raw_bulk_insert_cpu_seconds": min(raw_cpu),
        "cpu_ratio": round(min(outbox_cpu) / min(raw_cpu), 2),
        "outbox_seconds_each_round": outbox_runs,
        "raw_bulk_insert_seconds_each_round": raw_runs,
        "conversation": conversation.pk,
        "conversations_created": created,
    }
    assert result["translation_calls"] == result["distinct_target_languages"], first["calls"]
    assert result["tasks_queued"] == math.ceil(result["deliveries"] / CHUNK)
    return result


def _announce(admin, text: str):
    from django.db import connection

    from homeroom.messaging.services import Audience, send_announcement

    queries = _Queries()
    started = time.perf_counter()
    with connection.execute_wrapper(queries):
        conversation = send_announcement(
            by_staff=admin, audience=Audience.district(), text=text, subject="Snow day"
        )
    return time.perf_counter() - started, conversation, queries.count


def _raw_insert(conversation, admin, round_: int) -> tuple[float, float]:
    """The rows `conversation` put in the outbox, built beforehand, written by bulk_create:
    wall and CPU seconds."""
    from django.db import transaction

    from homeroom.messaging.models import (
        Conversation,
        Delivery,
        Message,
        MessageTranslation,
        Participant,
    )

    message = conversation.messages.get()
    rows_participants = list(
        Participant.objects.filter(conversation=conversation).values("staff_id", "guardian_id")
    )
    rows_deliveries = list(Delivery.objects.filter(message=message).values())
    rows_translations = list(message.translations.values("language", "text", "provider"))
    copy = Conversation(
        kind=conversation.kind,
        district_id=conversation.district_id,
        school_id=conversation.school_id,
        audience=conversation.audience,
        subject=conversation.subject,
        started_by=conversation.started_by,
    )
    participants = [Participant(**row) for row in rows_participants]
    copies = []
    for n, row in enumerate(rows_deliveries):
        row = {k: v for k, v in row.items() if k not in ("id", "message_id")}
        row["idempotency_key"] = f"raw-{round_}-{n:058d}"
        copies.append(Delivery(**row))
    started, started_cpu = time.perf_counter(), time.process_time()
    with transaction.atomic():
        copy.save()
        raw_message = Message.objects.create(
            conversation=copy, author_staff=admin, body=message.body, language="en"
        )
        MessageTranslation.objects.bulk_create(
            [MessageTranslation(message=raw_message, **row) for row in rows_translations]
        )
        for participant in participants:
            participant.conversation = copy
        Participant.objects.bulk_create(participants, batch_size=2000)
        for delivery in copies:
            delivery.message = raw_message
        Delivery.objects.bulk_create(copies, batch_size=2000)
    seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    if os.environ.get("DATABASE_URL"):
        copy.delete()  # a SQLite copy is thrown away whole; a shared database is not
    return seconds, cpu


# -- 2. throughput -------------------------------------------------------------------------------


def _worker(chunks, spent) -> None:
    from homeroom.messaging import outbox

    started = time.process_time()
    while True:
        chunk = chunks.get()
        if chunk is None:
            break
        outbox.deliver(chunk)
    spent.put(time.process_time() - started)


def _run_workers(ids: list[int], workers: int) -> tuple[float, float]:
    """Wall seconds for `workers` processes to send `ids`, and the CPU seconds they used."""
    from django import db

    db.connections.close_all()  # each process opens its own connection
    context = multiprocessing.get_context("fork")
    chunks, spent = context.Queue(), context.Queue()
    for start in range(0, len(ids), CHUNK):
        chunks.put(ids[start : start + CHUNK])
    for _ in range(workers):
        chunks.put(None)
    processes = [context.Process(target=_worker, args=(chunks, spent)) for _ in range(workers)]
    started = time.perf_counter()
    for process in processes:
        process.start()
    cpu = sum(spent.get(timeout=600) for _ in processes)
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"a worker exited with {process.exitcode}")
    return time.perf_counter() - started, cpu


def bench_throughput(conversation_id: int) -> dict:
    from django.conf import settings

    from homeroom.messaging.models import Delivery
    from homeroom.testing.servers import FakeTwilio, SmtpServer

    smtp, twilio = SmtpServer().start(), FakeTwilio().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp.host, smtp.port
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = twilio.account_sid
    settings.TWILIO_AUTH_TOKEN = twilio.auth_token
    settings.TWILIO_FROM_NUMBER = "+16125550199"
    settings.TWILIO_API_BASE_URL = twilio.url
    results = {}
    try:
        pending = Delivery.objects.filter(
            message__conversation_id=conversation_id, status=Delivery.Status.QUEUED
        ).order_by("pk")
        for channel, server in (("email", smtp), ("sms", twilio)):
            pool = list(pending.filter(channel=channel).values_list("pk", flat=True))
            taken = 0
            for workers, sample in SAMPLES.items():
                ids = pool[taken : taken + sample]
                taken += sample
                before = len(server.messages)
                seconds, cpu = _run_workers(ids, workers)
                arrived = len(server.messages) - before
                sent = Delivery.objects.filter(pk__in=ids, status=Delivery.Status.SENT).count()
                results[f"{channel}_{workers}_worker{'s' if workers > 1 else ''}"] = {
                    "channel": channel,
                    "workers": workers,
                    "deliveries": len(ids),
                    "sent": sent,
                    "arrived": arrived,
                    "seconds": round(seconds, 2),
                    "per_second": round(len(ids) / seconds, 1),
                    # What a worker itself spends per message, whatever the server's speed.
                    "worker_cpu_ms_per_message": round(cpu * 1000 / len(ids), 2),
                }
                print(
                    f"  {channel}, {workers} worker(s): {len(ids)} in {seconds:.1f} s "
                    f"({len(ids) / seconds:.0f}/s)",
                    flush=True,
                )
                assert sent == arrived == len(ids), (sent, arrived, len(ids))
        duplicates = sum(n - 1 for n in smtp.message_ids().values() if n > 1)
        duplicates += sum(n - 1 for n in twilio.count_by_recipient().values() if n > 1)
        results["duplicates_at_servers"] = duplicates
    finally:
        smtp.stop()
        twilio.stop()
    return results


# -- running it ------------------------------------------------------------------------------


def _machine() -> dict:
    import django

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
        "load_average_1m_at_start": round(os.getloadavg()[0], 2),
    }


def _write(name: str, result: dict) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path


def table(announcement: dict, throughput: dict) -> str:
    a = announcement
    lines = [
        "| measure | figure |",
        "|---|---:|",
        f"| guardians reached (deliveries) | {a['deliveries']:,} |",
        f"| reader languages | {len(a['reader_languages'])} ({', '.join(a['reader_languages'])}) |",
        f"| translation calls | {a['translation_calls']} "
        f"(= {a['distinct_target_languages']} target languages) |",
        f"| delivery tasks queued | {a['tasks_queued']} |",
        f"| queries | {a['queries']} |",
        f"| writing the outbox (send_announcement), best of {ROUNDS} | {a['outbox_seconds']} s |",
        f"| raw bulk insert of the same rows, best of {ROUNDS} "
        f"| {a['raw_bulk_insert_seconds']} s |",
        f"| ratio | {a['ratio']}× |",
        f"| CPU seconds, outbox / raw insert | {a['outbox_cpu_seconds']} / "
        f"{a['raw_bulk_insert_cpu_seconds']} (×{a['cpu_ratio']}) |",
    ]
    lines += [
        "",
        "| channel | workers | deliveries | seconds | messages/s | worker CPU ms/message |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in throughput.values():
        if isinstance(row, dict):
            lines.append(
                f"| {row['channel']} | {row['workers']} | {row['deliveries']:,} "
                f"| {row['seconds']} | {row['per_second']} | {row['worker_cpu_ms_per_message']} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    started = time.perf_counter()
    database = _prepare_database()
    _configure()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    stamp = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": database,
        "machine": _machine(),
    }
    print("announcement to the whole district…", flush=True)
    announcement = bench_announcement()
    print(
        f"  {announcement['deliveries']:,} deliveries in {announcement['outbox_seconds']} s "
        f"(raw insert {announcement['raw_bulk_insert_seconds']} s, "
        f"×{announcement['ratio']}); {announcement['translation_calls']} translation calls",
        flush=True,
    )
    print("delivery throughput…", flush=True)
    throughput = bench_throughput(announcement["conversation"])
    if os.environ.get("DATABASE_URL"):
        from homeroom.messaging.models import Conversation

        Conversation.objects.filter(pk__in=announcement["conversations_created"]).delete()
    _write(
        "messaging_announcement", {"benchmark": "messaging_announcement", **announcement, **stamp}
    )
    _write("messaging_throughput", {"benchmark": "messaging_throughput", **throughput, **stamp})
    print()
    print(table(announcement, throughput))
    print(f"\nmessaging benchmark took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
