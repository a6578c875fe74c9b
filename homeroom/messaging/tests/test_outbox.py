"""The outbox worker: claiming, sending once, retrying with backoff, failing over to the next
channel, quiet hours, and the sweep that puts forgotten rows back on their way."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_tasks_db.models import DBTaskResult

from homeroom.messaging import outbox, routing, services
from homeroom.messaging.audiences import Audience
from homeroom.messaging.models import Delivery, SmsOptOut
from homeroom.people.models import Guardian
from homeroom.testing.servers import awake
from homeroom.translation.sms import sms_segments

from .builders import add_families

pytestmark = pytest.mark.usefixtures("messaging_settings", "counting_translator")

Status = Delivery.Status
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def write_to_ana(world, text="Ana helped a friend today.", **kwargs):
    """Ms Rivera writes to Ana's family; the worker has not run yet."""
    conversation = services.start_conversation(
        student=world.ana, by_staff=world.rivera, text=text, **kwargs
    )
    return {d.guardian_id: d for d in Delivery.objects.filter(message__conversation=conversation)}


def fresh(delivery: Delivery) -> Delivery:
    delivery.refresh_from_db()
    return delivery


def make_due(*deliveries: Delivery) -> None:
    Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def zone_where_it_is(hour: int) -> str:
    """A fixed-offset time zone whose local time is now `hour` o'clock."""
    offset = (hour - datetime.now(UTC).hour) % 24
    if offset > 14:
        offset -= 24
    if offset == 0:
        return "Etc/GMT"
    # POSIX-style names: Etc/GMT-5 is five hours *ahead* of UTC.
    return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


# -- sending ------------------------------------------------------------------------------------


def test_the_worker_sends_each_delivery_on_its_channel(world, smtp_server, twilio_server):
    awake(world.rosa, world.marco)
    rows = write_to_ana(world)
    outcome = outbox.deliver([d.pk for d in rows.values()])
    assert outcome["sent"] == 2
    rosa, marco = fresh(rows[world.rosa.pk]), fresh(rows[world.marco.pk])
    (text,) = twilio_server.to("+16125550111")
    assert text["Body"] == (
        "Maria Rivera (North Elementary), sobre Ana: [es] Ana helped a friend today."
        " (Traducido por computadora; responda ORIGINAL)"
    )
    assert (rosa.status, rosa.provider_id) == (Status.SENT, text["sid"])
    assert rosa.segments == sms_segments(text["Body"]).segments
    assert rosa.sent_at is not None and rosa.attempts == 1 and rosa.claim_token == ""
    (mail,) = smtp_server.to("marco.lopez@family.example")
    assert marco.status == Status.SENT and marco.provider_id == mail["Message-ID"]
    assert "Ana helped a friend today." in smtp_server.text_of(mail)
    # The link opens the conversation itself (after signing in, for a family not signed in).
    link = f"https://homeroom.example/messages/{marco.message.conversation_id}/"
    assert link in smtp_server.text_of(mail)


def test_running_deliver_twice_on_the_same_ids_sends_once(world, smtp_server, twilio_server):
    awake(world.rosa, world.marco)
    ids = [d.pk for d in write_to_ana(world).values()]
    outbox.deliver(ids)
    again = outbox.deliver(ids)
    assert again["claimed"] == 0
    assert len(twilio_server.messages) == 1
    assert list(smtp_server.message_ids().values()) == [1]


def test_a_row_another_worker_claimed_is_not_sent(world, twilio_server):
    awake(world.rosa)
    rosa = write_to_ana(world)[world.rosa.pk]
    Delivery.objects.filter(pk=rosa.pk).update(
        status=Status.SENDING, claim_token="another-worker", claimed_at=timezone.now()
    )
    assert outbox.deliver([rosa.pk])["claimed"] == 0
    assert twilio_server.messages == []


@pytest.mark.django_db(transaction=True)
def test_a_row_taken_back_while_its_worker_was_busy_is_left_to_its_new_worker(
    settings, world, twilio_server
):
    settings.TASKS = DATABASE_TASKS  # queued for a worker that is not running: this test is it
    # A batch that took longer than the sweep's patience: the worker checks its claim on
    # every row before sending it.
    settings.OUTBOX_STUCK_AFTER_SECONDS = 0
    families = add_families(world, world.math, 2, language="en", channel="sms")
    awake(*families)
    conversation = services.send_announcement(
        by_staff=world.rivera, audience=Audience.section(world.math), text="Hi"
    )
    first, second = Delivery.objects.filter(
        message__conversation=conversation, guardian__in=families
    ).order_by("pk")

    def another_worker_takes_the_second(_fields):
        # While the first text is on its way, the sweep gives the second row to someone else.
        from django.db import connection

        Delivery.objects.filter(pk=second.pk).update(claim_token="another-worker")
        connection.close()

    twilio_server.on_message = another_worker_takes_the_second
    outcome = outbox.deliver([first.pk, second.pk])
    assert (outcome["sent"], outcome["lost"]) == (1, 1)
    assert [m["To"] for m in twilio_server.messages] == [first.to_address]
    second = fresh(second)
    assert (second.status, second.claim_token) == (Status.SENDING, "another-worker")


@pytest.mark.django_db(transaction=True)
def test_a_long_batch_renews_its_claim_so_the_sweep_leaves_it_alone(settings, world, twilio_server):
    settings.TASKS = DATABASE_TASKS
    settings.OUTBOX_STUCK_AFTER_SECONDS = 4  # the claim is renewed every two seconds
    families = add_families(world, world.math, 5, language="en", channel="sms")
    awake(*families)
    conversation = services.send_announcement(
        by_staff=world.rivera, audience=Audience.section(world.math), text="Hi"
    )
    ids = list(
        Delivery.objects.filter(
            message__conversation=conversation, guardian__in=families
        ).values_list("pk", flat=True)
    )
    twilio_server.delay = 1.0  # five texts: the batch outlasts the sweep's patience
    swept = []

    def the_sweep_runs_meanwhile(_fields):
        from django.db import connection

        swept.append(outbox.sweep()["reset"])
        connection.close()

    twilio_server.on_message = the_sweep_runs_meanwhile
    outcome = outbox.deliver(ids)
    assert (outcome["sent"], outcome["lost"]) == (5, 0)
    assert swept == [0] * 5
    assert set(Delivery.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        Status.SENT
    }
    assert sorted(twilio_server.count_by_recipient().values()) == [1] * 5


def test_a_row_not_yet_due_is_not_claimed(world, twilio_server):
    awake(world.rosa)
    rosa = write_to_ana(world)[world.rosa.pk]
    Delivery.objects.filter(pk=rosa.pk).update(next_attempt_at=timezone.now() + timedelta(hours=1))
    assert outbox.deliver([rosa.pk])["claimed"] == 0
    assert twilio_server.messages == []


# -- retries ------------------------------------------------------------------------------------


def test_a_transient_failure_goes_back_to_the_queue_with_growing_waits(
    settings, world, twilio_server
):
    awake(world.rosa)
    rosa = write_to_ana(world)[world.rosa.pk]
    twilio_server.answer_next(500, 429)
    before = timezone.now()
    outbox.deliver([rosa.pk])
    rosa = fresh(rosa)
    assert (rosa.status, rosa.attempts) == (Status.QUEUED, 1)
    assert rosa.last_error == "The texting service is busy; trying again shortly."
    assert before + timedelta(seconds=30) <= rosa.next_attempt_at
    assert rosa.next_attempt_at <= timezone.now() + timedelta(seconds=30)

    make_due(rosa)
    before = timezone.now()
    outbox.deliver([rosa.pk])
    rosa = fresh(rosa)
    assert (rosa.status, rosa.attempts) == (Status.QUEUED, 2)
    assert before + timedelta(seconds=60) <= rosa.next_attempt_at
    assert rosa.next_attempt_at <= timezone.now() + timedelta(seconds=60)

    make_due(rosa)
    outbox.deliver([rosa.pk])
    assert fresh(rosa).status == Status.SENT
    assert len(twilio_server.messages) == 1


def test_with_a_deferring_task_backend_a_retry_is_queued_for_its_time(
    settings, world, twilio_server
):
    settings.TASKS = DATABASE_TASKS
    awake(world.rosa)
    rosa = write_to_ana(world)[world.rosa.pk]
    twilio_server.answer_next(500)
    outbox.deliver([rosa.pk])
    rosa = fresh(rosa)
    (task,) = DBTaskResult.objects.all()
    assert task.args_kwargs == {"args": [[rosa.pk]], "kwargs": {}}
    assert task.run_after == rosa.next_attempt_at
    assert rosa.enqueued_at is not None


def test_when_attempts_run_out_the_delivery_fails_and_the_next_channel_takes_over(
    settings, world, twilio_server, smtp_server
):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    awake(world.rosa)
    rosa = write_to_ana(world)[world.rosa.pk]
    twilio_server.answer_next(500, 500)
    outbox.deliver([rosa.pk])
    make_due(rosa)
    outbox.deliver([rosa.pk])
    rosa = fresh(rosa)
    assert (rosa.status, rosa.attempts) == (Status.FAILED, 2)
    assert rosa.last_error == "The texting service is busy; trying again shortly."
    fallback = rosa.fallback
    assert (fallback.channel, fallback.status) == ("email", Status.SENT)
    assert fallback.to_address == "rosa.lopez@family.example"
    assert len(smtp_server.to("rosa.lopez@family.example")) == 1


def test_a_permanent_failure_fails_over_at_once_and_the_sender_sees_both(
    world, twilio_server, smtp_server
):
    awake(world.rosa)
    rosa = write_to_ana(world)[world.rosa.pk]
    twilio_server.errors_for["+16125550111"] = 21614
    outbox.deliver([rosa.pk])
    rosa = fresh(rosa)
    assert (rosa.status, rosa.attempts) == (Status.FAILED, 1)
    assert rosa.last_error == "The number is not a mobile phone."
    both = Delivery.objects.filter(message=rosa.message, guardian=world.rosa).order_by("pk")
    assert [(d.channel, d.status) for d in both] == [
        ("sms", Status.FAILED),
        ("email", Status.SENT),
    ]
    assert both[1].fallback_from_id == rosa.pk
    assert both[1].idempotency_key == routing.idempotency_key(
        rosa.message_id, world.rosa.pk, "email", 1
    )


def test_a_number_twilio_says_opted_out_is_remembered(world, twilio_server, smtp_server):
    awake(world.rosa)
    rosa = write_to_ana(world)[world.rosa.pk]
    twilio_server.errors_for["+16125550111"] = 21610
    outbox.deliver([rosa.pk])
    assert SmsOptOut.objects.filter(phone="+16125550111").exists()
    assert fresh(rosa).fallback.channel == "email"
    # The next message goes by email from the start.
    assert write_to_ana(world, text="Again")[world.rosa.pk].channel == "email"


def test_a_number_that_texted_stop_after_queueing_is_not_texted(world, twilio_server, smtp_server):
    awake(world.rosa)
    rosa = write_to_ana(world)[world.rosa.pk]
    SmsOptOut.objects.create(phone="+16125550111")
    outbox.deliver([rosa.pk])
    assert twilio_server.messages == []
    assert fresh(rosa).status == Status.FAILED
    assert fresh(rosa).fallback.channel == "email"


def test_the_last_fallback_is_the_app(world, twilio_server):
    awake(world.rosa)
    Guardian.objects.filter(pk=world.rosa.pk).update(email="")
    rosa = write_to_ana(world)[world.rosa.pk]
    twilio_server.errors_for["+16125550111"] = 21211
    outbox.deliver([rosa.pk])
    fallback = fresh(rosa).fallback
    assert (fallback.channel, fallback.status) == ("app", Status.SENT)


def test_a_failure_reported_twice_falls_back_once(world, twilio_server, smtp_server):
    awake(world.rosa)
    rosa = write_to_ana(world)[world.rosa.pk]
    outbox.deliver([rosa.pk])
    rosa = fresh(rosa)
    first = outbox.fail(rosa, "gone", from_statuses=(Status.SENT,))
    second = outbox.fail(rosa, "gone", from_statuses=(Status.SENT,))
    assert first is not None and second is None
    assert Delivery.objects.filter(guardian=world.rosa).count() == 2


# -- quiet hours --------------------------------------------------------------------------------


def test_a_message_to_rosa_at_23_her_time_is_held_until_7(world, twilio_server):
    zone = zone_where_it_is(23)
    Guardian.objects.filter(pk=world.rosa.pk).update(time_zone=zone)
    awake(world.marco)
    rows = write_to_ana(world)
    rosa = rows[world.rosa.pk]
    local = timezone.now().astimezone(ZoneInfo(zone))
    morning = datetime.combine(local.date() + timedelta(days=local.hour >= 20), datetime.min.time())
    morning = morning.replace(hour=7, tzinfo=ZoneInfo(zone))
    assert rosa.status == Status.HELD
    assert rosa.next_attempt_at == morning
    assert rows[world.marco.pk].status == Status.QUEUED
    outbox.deliver([rosa.pk])
    assert twilio_server.messages == []  # not due: the worker leaves it alone


def test_an_urgent_message_is_not_held(world, twilio_server):
    Guardian.objects.filter(pk=world.rosa.pk).update(time_zone=zone_where_it_is(23))
    rosa = write_to_ana(world, urgent_reason="early dismissal")[world.rosa.pk]
    assert rosa.status == Status.QUEUED
    outbox.deliver([rosa.pk])
    assert fresh(rosa).status == Status.SENT
    with translation.override("es"):
        urgent = gettext("Urgent:")
    assert twilio_server.to("+16125550111")[0]["Body"].startswith(urgent + " ")


def test_in_the_app_nothing_waits_for_the_morning(world):
    Guardian.objects.filter(pk=world.rosa.pk).update(time_zone=zone_where_it_is(23), channel="app")
    assert write_to_ana(world)[world.rosa.pk].status == Status.QUEUED


def test_the_guardians_zone_else_the_schools_decides(world):
    world.north.time_zone = zone_where_it_is(2)
    world.north.save()
    awake(world.marco)
    assert write_to_ana(world)[world.rosa.pk].status == Status.HELD  # 02:00 at school
    Guardian.objects.filter(pk=world.rosa.pk).update(time_zone=zone_where_it_is(12))
    assert write_to_ana(world, text="Noon")[world.rosa.pk].status == Status.QUEUED


def test_a_retry_that_falls_in_quiet_hours_waits_for_the_morning(world, twilio_server):
    rosa = write_to_ana(world, urgent_reason="")[world.rosa.pk]
    Guardian.objects.filter(pk=world.rosa.pk).update(time_zone=zone_where_it_is(23))
    Delivery.objects.filter(pk=rosa.pk).update(status=Status.QUEUED)
    make_due(rosa)
    assert outbox.deliver([rosa.pk])["held"] == 1
    rosa = fresh(rosa)
    assert rosa.status == Status.HELD and rosa.next_attempt_at > timezone.now()
    assert twilio_server.messages == []


def test_the_sweep_releases_held_rows_whose_morning_came(world, twilio_server):
    Guardian.objects.filter(pk=world.rosa.pk).update(time_zone=zone_where_it_is(23))
    rosa = write_to_ana(world)[world.rosa.pk]
    assert rosa.status == Status.HELD
    outcome = outbox.sweep()
    assert outcome["released"] == 0 and twilio_server.messages == []
    # Seven in the morning: the family is awake.
    Guardian.objects.filter(pk=world.rosa.pk).update(time_zone=zone_where_it_is(7))
    make_due(rosa)
    outcome = outbox.sweep()
    assert outcome["released"] == 1 and outcome["requeued"] == 1
    assert fresh(rosa).status == Status.SENT
    assert len(twilio_server.messages) == 1


# -- the sweep ----------------------------------------------------------------------------------


def test_rows_stuck_in_sending_go_back_to_the_queue(settings, world, twilio_server):
    awake(world.rosa, world.marco)
    rows = write_to_ana(world)
    rosa, marco = rows[world.rosa.pk], rows[world.marco.pk]
    long_ago = timezone.now() - timedelta(seconds=301)
    Delivery.objects.filter(pk=rosa.pk).update(
        status=Status.SENDING, claimed_at=long_ago, claim_token="dead-worker"
    )
    Delivery.objects.filter(pk=marco.pk).update(
        status=Status.SENDING, claimed_at=timezone.now(), claim_token="busy-worker"
    )
    outcome = outbox.sweep()
    assert outcome["reset"] == 1
    rosa, marco = fresh(rosa), fresh(marco)
    assert rosa.status == Status.SENT and rosa.attempts == 2  # one lost, one sent
    assert len(twilio_server.messages) == 1
    assert (marco.status, marco.claim_token) == (Status.SENDING, "busy-worker")


def test_a_row_stuck_again_and_again_finally_fails_over(settings, world, smtp_server):
    awake(world.rosa)
    rosa = write_to_ana(world)[world.rosa.pk]
    Delivery.objects.filter(pk=rosa.pk).update(
        status=Status.SENDING,
        claimed_at=timezone.now() - timedelta(hours=1),
        attempts=settings.OUTBOX_MAX_ATTEMPTS - 1,
    )
    assert outbox.sweep()["failed"] == 1
    rosa = fresh(rosa)
    assert rosa.status == Status.FAILED
    assert rosa.last_error == "Sending was interrupted too many times."
    assert rosa.fallback.status == Status.SENT


def test_the_sweep_queues_due_rows_no_task_waits_for(settings, world):
    settings.TASKS = DATABASE_TASKS
    awake(world.rosa, world.marco)
    rows = write_to_ana(world)
    rosa, marco = rows[world.rosa.pk], rows[world.marco.pk]
    # Rosa's task was queued a moment ago; Marco's row was never given one.
    Delivery.objects.filter(pk=marco.pk).update(enqueued_at=None)
    outcome = outbox.sweep()
    assert outcome["requeued"] == 1
    (task,) = DBTaskResult.objects.all()
    assert task.args_kwargs["args"] == [[marco.pk]]
    # Long forgotten: a task was queued, but nothing came of it.
    long_ago = timezone.now() - timedelta(minutes=10)
    Delivery.objects.filter(pk=rosa.pk).update(enqueued_at=long_ago, next_attempt_at=long_ago)
    assert outbox.sweep()["requeued"] == 1
    assert DBTaskResult.objects.count() == 2


def test_the_sweep_command_runs_once(world, capsys):
    call_command("sweep_outbox")
    assert "back from sending" in capsys.readouterr().out


# -- tasks --------------------------------------------------------------------------------------


def test_an_announcement_is_queued_in_tasks_of_a_hundred_ids(
    settings, world, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_TASKS
    Guardian.objects.update(quiet_start="00:00", quiet_end="00:00")
    add_families(world, world.math, 247)
    Guardian.objects.update(quiet_start="00:00", quiet_end="00:00")
    with django_capture_on_commit_callbacks(execute=True):
        conversation = services.send_announcement(
            by_staff=world.rivera, audience=Audience.section(world.math), text="Hi"
        )
    ids = set(
        Delivery.objects.filter(message__conversation=conversation).values_list("pk", flat=True)
    )
    assert len(ids) == 250
    tasks = list(DBTaskResult.objects.all())
    assert sorted(len(task.args_kwargs["args"][0]) for task in tasks) == [50, 100, 100]
    assert {pk for task in tasks for pk in task.args_kwargs["args"][0]} == ids
    assert all(task.task_path == "homeroom.messaging.outbox.deliver_task" for task in tasks)


def test_held_rows_are_queued_for_the_morning_with_a_deferring_backend(
    settings, world, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_TASKS
    Guardian.objects.filter(pk=world.rosa.pk).update(time_zone=zone_where_it_is(23))
    awake(world.marco)
    with django_capture_on_commit_callbacks(execute=True):
        rows = write_to_ana(world)
    rosa = rows[world.rosa.pk]
    later = DBTaskResult.objects.get(args_kwargs__args=[[rosa.pk]])
    assert later.run_after == rosa.next_attempt_at > timezone.now()


def test_an_unsaved_row_is_the_one_the_keyword_constructor_makes():
    from django.utils import timezone

    from homeroom.messaging.models import Participant
    from homeroom.messaging.outbox import unsaved

    now = timezone.now()
    values = {
        "message_id": 1,
        "guardian_id": 2,
        "channel": "sms",
        "to_address": "+16125550111",
        "language": "es",
        "status": Delivery.Status.QUEUED,
        "next_attempt_at": now,
        "enqueued_at": now,
        "idempotency_key": "k" * 64,
        "untranslated": False,
        "created_at": now,
    }
    fast, usual = unsaved(Delivery, **values), Delivery(**values)
    assert {k: v for k, v in vars(fast).items() if k != "_state"} == {
        k: v for k, v in vars(usual).items() if k != "_state"
    }
    assert (fast._state.adding, fast._state.db, fast.pk) == (True, None, None)
    # A default computed per row is computed for each row.
    one, two = (unsaved(Participant, conversation_id=1, guardian_id=g) for g in (1, 2))
    assert one.reply_token and one.reply_token != two.reply_token
    assert one.joined_at is not None
