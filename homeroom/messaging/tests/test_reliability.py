"""The outbox against real parts that fail: an SMTP server that goes down and comes back,
Twilio answering 500 and 429, a number Twilio refuses, and a worker process killed with
SIGKILL in the middle of a batch. Whatever happens, every message arrives exactly once."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from homeroom.messaging import outbox, services
from homeroom.messaging.audiences import Audience
from homeroom.messaging.models import Delivery, SmsOptOut
from homeroom.people.models import Guardian
from homeroom.testing.servers import FakeTwilio, SmtpServer, awake

from .builders import add_families

pytestmark = pytest.mark.usefixtures("messaging_settings")

Status = Delivery.Status
ROOT = Path(django_settings.BASE_DIR)


def announce(world, text="School starts at nine tomorrow.", **kwargs):
    Guardian.objects.update(quiet_start="00:00", quiet_end="00:00")
    return services.send_announcement(
        by_staff=world.rivera, audience=Audience.section(world.math), text=text, **kwargs
    )


def statuses(conversation) -> dict[str, int]:
    rows = Delivery.objects.filter(message__conversation=conversation)
    found: dict[str, int] = {}
    for status in rows.values_list("status", flat=True):
        found[status] = found.get(status, 0) + 1
    return found


def test_mail_server_down_for_a_while_then_up_every_email_arrives_once(
    settings, world, smtp_server, counting_translator, django_capture_on_commit_callbacks
):
    settings.OUTBOX_RETRY_BASE_SECONDS = 0  # time moves on at once between tries
    add_families(world, world.math, 20, language="en", channel="email")
    smtp_server.stop()
    with django_capture_on_commit_callbacks(execute=True):
        conversation = announce(world)
    emails = Delivery.objects.filter(message__conversation=conversation, channel="email")
    assert emails.count() == 21  # 20 families and Marco
    assert set(emails.values_list("status", "attempts")) == {(Status.QUEUED, 1)}
    outbox.sweep()  # still down: another try each
    assert set(emails.values_list("status", "attempts")) == {(Status.QUEUED, 2)}
    assert set(emails.values_list("last_error", flat=True)) == {
        "The mail server could not be reached."
    }

    smtp_server.start()
    outbox.sweep()
    assert set(emails.values_list("status", flat=True)) == {Status.SENT}
    received = smtp_server.message_ids()
    assert len(received) == 21 and set(received.values()) == {1}
    assert set(received) == set(emails.values_list("provider_id", flat=True))
    # Nothing left to do: more sweeps send nothing more.
    outbox.sweep()
    outbox.deliver(list(emails.values_list("pk", flat=True)))
    assert sum(smtp_server.message_ids().values()) == 21


def test_twilio_answering_500_and_429_then_201_every_text_arrives_once(
    settings, world, twilio_server, counting_translator, django_capture_on_commit_callbacks
):
    settings.OUTBOX_RETRY_BASE_SECONDS = 0
    add_families(world, world.math, 10, language="en", channel="sms")
    twilio_server.answer_next(500, 429, 500, 429, 500)
    with django_capture_on_commit_callbacks(execute=True):
        conversation = announce(world)
    texts = Delivery.objects.filter(message__conversation=conversation, channel="sms")
    assert texts.count() == 12  # 10 families, Rosa and Gina
    for _ in range(3):
        outbox.sweep()
    assert set(texts.values_list("status", flat=True)) == {Status.SENT}
    received = twilio_server.count_by_recipient()
    assert len(received) == 12 and set(received.values()) == {1}
    assert sorted(texts.values_list("attempts", flat=True)) == [1] * 7 + [2] * 5
    assert len(twilio_server.requests) == 12 + 5
    assert set(texts.values_list("provider_id", flat=True)) == {
        m["sid"] for m in twilio_server.messages
    }


def test_an_invalid_number_fails_and_the_email_fallback_reaches_the_mail_server(
    world, twilio_server, smtp_server, django_capture_on_commit_callbacks
):
    awake(world.rosa, world.marco)
    twilio_server.errors_for["+16125550111"] = 21211
    with django_capture_on_commit_callbacks(execute=True):
        services.start_conversation(
            student=world.ana, by_staff=world.rivera, text="Ana worked hard today."
        )
    text = Delivery.objects.get(guardian=world.rosa, channel="sms")
    assert text.status == Status.FAILED
    assert text.last_error == "The phone number is not valid."
    mail = Delivery.objects.get(guardian=world.rosa, channel="email")
    assert mail.fallback_from == text and mail.status == Status.SENT
    (received,) = smtp_server.to("rosa.lopez@family.example")
    assert received["Message-ID"] == mail.provider_id
    # The fallback is still in Rosa's language (Apertium, for real).
    assert "trabaj" in smtp_server.text_of(received).lower()
    assert twilio_server.messages == []


def test_rosa_gets_spanish_by_text_and_marco_english_by_email(
    world, twilio_server, smtp_server, django_capture_on_commit_callbacks
):
    awake(world.rosa, world.marco)
    with django_capture_on_commit_callbacks(execute=True):
        services.start_conversation(
            student=world.ana, by_staff=world.rivera, text="Ana worked hard today."
        )
    (text,) = twilio_server.to("+16125550111")
    assert text["Body"].startswith("Maria Rivera (North Elementary), sobre Ana: Ana ")
    assert "trabaj" in text["Body"].lower() and "worked" not in text["Body"]
    (mail,) = smtp_server.to("marco.lopez@family.example")
    body = smtp_server.text_of(mail)
    assert body.startswith("Ana worked hard today.")
    assert "translated by machine" not in body


def test_a_family_that_texted_stop_is_reached_by_email(
    world, twilio_server, smtp_server, django_capture_on_commit_callbacks
):
    awake(world.rosa)
    SmsOptOut.objects.create(phone="+16125550111")
    with django_capture_on_commit_callbacks(execute=True):
        services.start_conversation(student=world.ana, by_staff=world.rivera, text="Hello")
    assert twilio_server.messages == []
    assert len(smtp_server.to("rosa.lopez@family.example")) == 1


# -- a worker killed in the middle of a batch ------------------------------------------------------

FAMILIES = 40


def worker_env(data_dir: Path, smtp: SmtpServer, twilio: FakeTwilio, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        HOMEROOM_ENV="development",
        HOMEROOM_DATA_DIR=str(data_dir),
        DEBUG="false",
        LOG_LEVEL="WARNING",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST=smtp.host,
        EMAIL_PORT=str(smtp.port),
        EMAIL_TIMEOUT="10",
        SMS_BACKEND="twilio",
        TWILIO_ACCOUNT_SID=twilio.account_sid,
        TWILIO_AUTH_TOKEN=twilio.auth_token,
        TWILIO_FROM_NUMBER="+16125550199",
        TWILIO_API_BASE_URL=twilio.url,
        TRANSLATION_ROUTES="en:es=apertium,es:en=apertium",
        LIBRETRANSLATE_URL="",
        OUTBOX_TASK_SIZE="10",
        OUTBOUND_BACKEND="memory",
    )
    env.update(extra)
    return env


def manage(env: dict, *args: str, timeout: float = 120) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def start_worker(env: dict, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--no-startup-delay",
            "--no-reload",
            "--interval",
            "0.05",
            *extra,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def delivery_states(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as db:
        return dict(db.execute("SELECT status, COUNT(*) FROM messaging_delivery GROUP BY status"))


def wait_for(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.01)


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(tmp_path):
    smtp, twilio = SmtpServer().start(), FakeTwilio().start()
    try:
        _kill_a_worker_and_recover(tmp_path, smtp, twilio)
    finally:
        smtp.stop()
        twilio.stop()


def _kill_a_worker_and_recover(tmp_path: Path, smtp: SmtpServer, twilio: FakeTwilio) -> None:
    env = worker_env(tmp_path, smtp, twilio)
    database = tmp_path / "homeroom.sqlite3"
    manage(env, "migrate", "--noinput", "-v", "0")
    seeded = manage(
        env,
        "shell",
        "-c",
        "import json; from homeroom.testing.servers import seed_outbox; "
        f"print(json.dumps(seed_outbox({FAMILIES})))",
    )
    counts = json.loads(seeded.strip().splitlines()[-1])
    total = counts["sms"] + counts["email"]
    assert total == FAMILIES + 3  # and Rosa, Marco, Gina
    assert delivery_states(database) == {"queued": total}

    # Slow servers: each message takes a while, so the kill lands inside a batch.
    smtp.delay = twilio.delay = 0.15
    worker = start_worker(env)
    try:
        wait_for(
            lambda: (
                len(smtp.messages) + len(twilio.messages) >= 8
                and (smtp.in_flight.is_set() or twilio.in_flight.is_set())
            ),
            timeout=90,
            what="the worker to be in the middle of sending",
        )
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL
    # The message the server was holding when its sender died is not taken.
    wait_for(
        lambda: not (smtp.in_flight.is_set() or twilio.in_flight.is_set()),
        timeout=10,
        what="the servers to notice",
    )
    after_kill = delivery_states(database)
    assert after_kill.get("sending", 0) >= 1, after_kill  # claimed by the dead worker
    assert after_kill.get("sent", 0) < total
    received_before = len(smtp.messages) + len(twilio.messages)
    assert after_kill.get("sent", 0) == received_before

    # Recovery: the sweep takes the dead worker's rows back; two new workers finish the job.
    smtp.delay = twilio.delay = 0.0
    swept = manage(
        worker_env(tmp_path, smtp, twilio, OUTBOX_STUCK_AFTER_SECONDS="0"), "sweep_outbox"
    )
    assert f"{after_kill['sending']} back from sending" in swept
    workers = [start_worker(env, "--batch"), start_worker(env, "--batch")]
    for each in workers:
        _out, errors = each.communicate(timeout=120)
        assert each.returncode == 0, errors[-3000:]

    assert delivery_states(database) == {"sent": total}
    by_message_id = smtp.message_ids()
    assert len(by_message_id) == counts["email"] and set(by_message_id.values()) == {1}
    by_number = twilio.count_by_recipient()
    assert len(by_number) == counts["sms"] and set(by_number.values()) == {1}
    with sqlite3.connect(database) as db:
        recorded = {row[0] for row in db.execute("SELECT provider_id FROM messaging_delivery")}
    assert recorded == set(by_message_id) | {m["sid"] for m in twilio.messages}
