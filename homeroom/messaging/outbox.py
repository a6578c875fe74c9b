"""The outbox: Delivery rows are the truth, workers move them from state to state.

    queued ──claim──▶ sending ──▶ sent ──(provider callback)──▶ delivered ──▶ read
      ▲  ▲                │ transient error: back to queued, later (backoff)
      │  └── held         │ permanent error, or attempts used up: failed
      │   (quiet hours)   ▼          └─▶ a fallback Delivery on the next channel
      └──── sweep: rows stuck in sending, held rows whose morning came, forgotten rows

A worker claims rows with one conditional UPDATE (only rows still queued or held and due),
stamping them with its own token, so two workers never send the same row; before each send
it renews its claim on that row, and it records the outcome only on rows that still carry
its token. Tasks receive ids, never objects, and each task carries at most
OUTBOX_TASK_SIZE ids, so an announcement to 50,000 families is 500 tasks.
"""

import logging
import secrets
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.base import ModelState
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from homeroom.languages import base_language
from homeroom.people.models import Channel as ChannelName
from homeroom.people.models import Guardian

from . import attachments
from .channels import Channel, PermanentError, Rendered, TransientError, get_channel
from .models import Attachment, Delivery, MessageTranslation, Participant, SmsOptOut
from .routing import address_for, choose_channel, hold_until, idempotency_key, phone_of

logger = logging.getLogger(__name__)

Status = Delivery.Status

# Rows a worker may claim: waiting in the queue, or held until a time that has now come.
CLAIMABLE = (Status.QUEUED, Status.HELD)


# -- planning deliveries ----------------------------------------------------------------------


def plan_delivery(
    message,
    guardian: Guardian,
    *,
    channel: str,
    depth: int,
    untranslated: bool,
    school_time_zone: str,
    now: datetime,
    fallback_from: Delivery | None = None,
    deferred_tasks: bool | None = None,
) -> Delivery:
    """An unsaved Delivery: queued, or held until the end of the family's quiet hours.

    `deferred_tasks` says whether the task backend can run a task later (asked when None).
    """
    held_until = hold_until(
        guardian,
        channel,
        urgent=message.is_urgent,
        school_time_zone=school_time_zone,
        now=now,
    )
    if held_until is not None:
        status, due = Status.HELD, held_until
        # Without deferred tasks the sweep queues held rows when their time comes.
        if deferred_tasks is None:
            deferred_tasks = supports_deferred_tasks()
        enqueued_at = now if deferred_tasks else None
    else:
        status, due, enqueued_at = Status.QUEUED, now, now
    delivery = unsaved(
        Delivery,
        message_id=message.pk,
        guardian_id=guardian.pk,
        channel=channel,
        to_address=address_for(guardian, channel),
        language=guardian.language,
        status=status,
        next_attempt_at=due,
        enqueued_at=enqueued_at,
        idempotency_key=idempotency_key(message.pk, guardian.pk, channel, depth),
        untranslated=untranslated,
        created_at=now,
    )
    Delivery.message.field.set_cached_value(delivery, message)
    Delivery.guardian.field.set_cached_value(delivery, guardian)
    if fallback_from is not None:
        delivery.fallback_from = fallback_from
    return delivery


_DEFAULTS: dict[type, tuple[dict, tuple]] = {}


def _computed(field) -> bool:
    """A default computed per row (a time, a token), not one value for all rows."""
    return field.has_default() and callable(field.default)


def unsaved(model, **values):
    """What `model(**values)` makes (an unsaved row: each field at its value, else its
    default), made without the model's keyword constructor. An announcement makes 50,000
    deliveries and as many participants, and that constructor's pass over every field of
    every row was the outbox's largest cost over writing the rows at all. Give ids, not
    related objects (cache those on the row if they are needed). `test_outbox` checks that
    both ways make the same row."""
    if model not in _DEFAULTS:
        fields = model._meta.concrete_fields
        _DEFAULTS[model] = (
            {f.attname: f.get_default() for f in fields if not _computed(f)},
            tuple((f.attname, f.default) for f in fields if _computed(f)),
        )
    static, computed = _DEFAULTS[model]
    row = model.__new__(model)
    row._state = ModelState()
    state = row.__dict__
    state.update(static)
    for name, default in computed:
        if name not in values:
            state[name] = default()
    state.update(values)
    return row


def enqueue_planned(deliveries: Sequence[Delivery]) -> None:
    """Queue tasks for saved deliveries: queued ones now, held ones for their morning."""
    now_ids = []
    later: dict[datetime, list[int]] = defaultdict(list)
    for delivery in deliveries:
        if delivery.status == Status.HELD:
            later[delivery.next_attempt_at].append(delivery.pk)
        else:
            now_ids.append(delivery.pk)
    enqueue(now_ids)
    for run_after, ids in sorted(later.items()):
        enqueue(ids, run_after=run_after)


def supports_deferred_tasks() -> bool:
    return deliver_task.get_backend().supports_defer


def enqueue(ids: Sequence[int], *, run_after: datetime | None = None) -> int:
    """Queue delivery tasks for `ids`, OUTBOX_TASK_SIZE ids per task; returns the task count."""
    if not ids:
        return 0
    job = deliver_task
    if run_after is not None and run_after > timezone.now():
        if not job.get_backend().supports_defer:
            return 0  # the sweep queues them once they are due
        job = job.using(run_after=run_after)
    size = max(1, settings.OUTBOX_TASK_SIZE)
    ids = list(ids)
    count = 0
    for start in range(0, len(ids), size):
        job.enqueue(ids[start : start + size])
        count += 1
    return count


# -- the worker -------------------------------------------------------------------------------


def family_link(conversation_id: int | None = None) -> str:
    """Where a family reads the conversation (signing in first, if they must)."""
    if conversation_id is not None:
        try:
            return settings.PUBLIC_BASE_URL + reverse("conversation", args=[conversation_id])
        except NoReverseMatch:
            pass
    return settings.PUBLIC_BASE_URL + reverse("family_home")


def preferences_link() -> str:
    return settings.PUBLIC_BASE_URL + reverse("family_preferences")


class _Batch:
    """What one run of `deliver` needs besides the rows: channels, translations, tokens."""

    def __init__(self, rows: list[Delivery]):
        self.channels: dict[str, Channel] = {}
        message_ids = {row.message_id for row in rows}
        self.translations = {
            (t.message_id, t.language): t
            for t in MessageTranslation.objects.filter(message_id__in=message_ids)
        }
        self.attachments = dict(
            Attachment.objects.filter(message_id__in=message_ids, status=Attachment.Status.STORED)
            .order_by()
            .values("message_id")
            .annotate(n=Count("pk"))
            .values_list("message_id", "n")
        )
        conversation_ids = {row.message.conversation_id for row in rows}
        guardian_ids = {row.guardian_id for row in rows}
        participants = Participant.objects.filter(
            conversation_id__in=conversation_ids, guardian_id__in=guardian_ids
        ).only("conversation_id", "guardian_id", "reply_token", "last_read_at")
        self.reply_tokens, self.read_up_to = {}, {}
        for p in participants:
            self.reply_tokens[(p.conversation_id, p.guardian_id)] = p.reply_token
            self.read_up_to[(p.conversation_id, p.guardian_id)] = p.last_read_at
        phones = [row.to_address for row in rows if row.channel == ChannelName.SMS]
        self.opted_out = set(
            SmsOptOut.objects.filter(phone__in=phones).values_list("phone", flat=True)
        )
        self.links: dict[int, str] = {}
        self.preferences_link = preferences_link()

    def already_read(self, delivery: Delivery) -> bool:
        """Whether the family read the message in the app before a text or email went."""
        message = delivery.message
        read = self.read_up_to.get((message.conversation_id, delivery.guardian_id))
        return read is not None and read >= message.created_at

    def channel(self, name: str) -> Channel:
        channel = self.channels.get(name)
        if channel is None:
            channel = self.channels[name] = get_channel(name)
            channel.open()
        return channel

    def close(self) -> None:
        for channel in self.channels.values():
            channel.close()

    def _link(self, conversation_id: int) -> str:
        if conversation_id not in self.links:
            self.links[conversation_id] = family_link(conversation_id)
        return self.links[conversation_id]

    def rendered(self, delivery: Delivery) -> Rendered:
        message = delivery.message
        conversation = message.conversation
        sender = conversation.sender_name
        text, machine, untranslated = message.body, False, False
        reader = base_language(delivery.language)
        if reader != base_language(message.language):
            stored = self.translations.get((message.pk, reader))
            if stored is None:
                untranslated = True
            else:
                text = stored.text
                machine = stored.machine and not stored.human_checked
        author = message.author_staff or message.author_guardian
        return Rendered(
            text=text,
            language=delivery.language,
            original=message.body,
            original_language=message.language,
            machine_translated=machine,
            untranslated=untranslated or delivery.untranslated,
            school_name=sender,
            sender_name=author.full_name if author else sender,
            # A family's own words are never passed off as the school's.
            family_author=message.author_guardian.full_name if message.author_guardian else "",
            subject=conversation.subject_in(base_language(delivery.language)),
            link=self._link(conversation.pk),
            preferences_link=self.preferences_link,
            reply_token=self.reply_tokens.get((conversation.pk, delivery.guardian_id), ""),
            conversation_id=conversation.pk,
            is_urgent=message.is_urgent,
            student_name=conversation.student.first_name if conversation.student else "",
            attachments=self.attachments.get(message.pk, 0),
        )


def deliver(delivery_ids: Sequence[int]) -> dict[str, int]:
    """Send the deliveries among `delivery_ids` that are due and not taken by another worker."""
    # What goes wrong is written down for staff, whoever's request ran the worker.
    with translation.override(settings.LANGUAGE_CODE):
        return _deliver(delivery_ids)


def _deliver(delivery_ids: Sequence[int]) -> dict[str, int]:
    token = secrets.token_hex(16)
    now = timezone.now()
    ids = list(delivery_ids)
    claimed = Delivery.objects.filter(
        pk__in=ids, status__in=CLAIMABLE, next_attempt_at__lte=now
    ).update(status=Status.SENDING, claimed_at=now, claim_token=token)
    outcome = {
        "claimed": claimed,
        "sent": 0,
        "read": 0,
        "retry": 0,
        "failed": 0,
        "held": 0,
        "lost": 0,
    }
    if not claimed:
        return outcome
    rows = list(
        Delivery.objects.filter(pk__in=ids, claim_token=token, status=Status.SENDING)
        .select_related(
            "guardian",
            "message__conversation__school",
            "message__conversation__district",
            "message__conversation__student",
            "message__author_staff",
            "message__author_guardian",
        )
        .order_by("pk")
    )
    batch = _Batch(rows)
    later: dict[datetime, list[int]] = defaultdict(list)
    claim = _Claim(token, now, [row.pk for row in rows])
    try:
        for delivery in rows:
            if not claim.still_mine(delivery.pk):
                outcome["lost"] += 1  # the sweep gave it to another worker: theirs to send now
                continue
            outcome[_deliver_one(delivery, token, batch, later)] += 1
    finally:
        batch.close()
    for run_after, retry_ids in sorted(later.items()):
        enqueue(retry_ids, run_after=run_after)
    logger.info(
        "outbox batch: %(claimed)d claimed, %(sent)d sent, %(read)d read in the app first, "
        "%(retry)d to retry, "
        "%(failed)d failed, %(held)d held, %(lost)d taken back",
        outcome,
    )
    return outcome


class _Claim:
    """This worker's hold on its batch, renewed before the sweep could think it abandoned.

    The sweep takes back rows claimed more than OUTBOX_STUCK_AFTER_SECONDS ago. Before each
    send, once half that time has passed since the claim was made or last renewed, the claim
    on every row still to send is renewed in one UPDATE, and rows that are no longer ours are
    skipped. A send takes at most a channel's timeout (well under half the stuck time), so no
    row can be taken back while it is being sent; one write per half-window, not per row.
    """

    def __init__(self, token: str, claimed_at: datetime, ids: list[int]):
        self.token = token
        self.renewed_at = claimed_at
        self.remaining = list(ids)
        self.mine = set(ids)
        self.renew_after = timedelta(seconds=settings.OUTBOX_STUCK_AFTER_SECONDS / 2)

    def still_mine(self, pk: int) -> bool:
        now = timezone.now()
        if now - self.renewed_at >= self.renew_after:
            pending = self.remaining[self.remaining.index(pk) :]
            rows = Delivery.objects.filter(
                pk__in=pending, claim_token=self.token, status=Status.SENDING
            )
            rows.update(claimed_at=now)
            self.mine = set(rows.values_list("pk", flat=True))
            self.renewed_at = now
        return pk in self.mine


def _mine(delivery: Delivery, token: str):
    """The row, only while it is still under this worker's claim."""
    return Delivery.objects.filter(pk=delivery.pk, claim_token=token, status=Status.SENDING)


def _deliver_one(
    delivery: Delivery, token: str, batch: _Batch, later: dict[datetime, list[int]]
) -> str:
    now = timezone.now()
    message = delivery.message
    held_until = hold_until(
        delivery.guardian,
        delivery.channel,
        urgent=message.is_urgent,
        school_time_zone=message.conversation.time_zone,
        now=now,
    )
    if held_until is not None:
        deferred = supports_deferred_tasks()
        _mine(delivery, token).update(
            status=Status.HELD,
            next_attempt_at=held_until,
            claim_token="",
            claimed_at=None,
            enqueued_at=now if deferred else None,
        )
        if deferred:
            later[held_until].append(delivery.pk)
        return "held"
    if delivery.channel != ChannelName.APP and batch.already_read(delivery):
        # Read in the app while the text or email waited (quiet hours, a retry): reached.
        _mine(delivery, token).update(
            status=Status.READ, claim_token="", claimed_at=None, last_error=""
        )
        return "read"
    try:
        if delivery.channel == ChannelName.SMS and delivery.to_address in batch.opted_out:
            raise PermanentError(_("The family has texted STOP to this number."))
        result = batch.channel(delivery.channel).send(delivery, batch.rendered(delivery))
    except TransientError as error:
        return _retry(delivery, token, str(error), later)
    except PermanentError as error:
        if error.opted_out and delivery.to_address:
            SmsOptOut.objects.get_or_create(phone=delivery.to_address)
        logger.warning("delivery %s failed for good (code %s)", delivery.pk, error.code)
        fail(delivery, str(error), token=token)
        return "failed"
    except Exception:
        # A fault of ours (a template, a bug) must not lose the row: retry, then fall back.
        logger.exception("delivery %s: unexpected error while sending", delivery.pk)
        return _retry(delivery, token, _("Something went wrong while sending."), later)
    _mine(delivery, token).update(
        status=Status.SENT,
        provider_id=result.provider_id,
        segments=result.segments,
        sent_at=timezone.now(),
        attempts=F("attempts") + 1,
        last_error="",
        claim_token="",
        claimed_at=None,
    )
    return "sent"


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed try: base, 2×base, 4×base…"""
    return timedelta(seconds=settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1))


def _retry(delivery: Delivery, token: str, reason: str, later: dict) -> str:
    attempts = delivery.attempts + 1
    if attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        logger.warning("delivery %s failed after %d attempts", delivery.pk, attempts)
        fail(delivery, reason, token=token, attempts=attempts)
        return "failed"
    now = timezone.now()
    due = now + retry_delay(attempts)
    deferred = supports_deferred_tasks()
    _mine(delivery, token).update(
        status=Status.QUEUED,
        attempts=attempts,
        next_attempt_at=due,
        last_error=reason[:500],
        claim_token="",
        claimed_at=None,
        enqueued_at=now if deferred else None,
    )
    if deferred:
        later[due].append(delivery.pk)
    return "retry"


def fail(
    delivery: Delivery,
    reason: str,
    *,
    token: str | None = None,
    attempts: int | None = None,
    from_statuses: Sequence[str] = (Status.SENDING,),
) -> Delivery | None:
    """Mark a delivery failed and hand the message to the family's next channel.

    Conditional on the row's state, so a repeated failure report (a provider calling back
    twice) fails it and creates its fallback once. Returns the fallback, if any.
    """
    rows = Delivery.objects.filter(pk=delivery.pk, status__in=from_statuses)
    if token is not None:
        rows = rows.filter(claim_token=token)
    changes = {"status": Status.FAILED, "last_error": reason[:500], "claim_token": ""}
    changes["attempts"] = attempts if attempts is not None else F("attempts") + 1
    with transaction.atomic():
        if not rows.update(**changes, claimed_at=None):
            return None
        fallback = _fall_back(delivery)
    if fallback is not None:
        enqueue_planned([fallback])
    return fallback


def _fall_back(failed: Delivery) -> Delivery | None:
    if Delivery.objects.filter(fallback_from=failed).exists():
        return None
    guardian = failed.guardian
    if guardian is None:
        return None
    tried = set(
        Delivery.objects.filter(
            message_id=failed.message_id, guardian_id=failed.guardian_id
        ).values_list("channel", flat=True)
    )
    phone = phone_of(guardian)
    opted_out = bool(phone) and SmsOptOut.objects.filter(phone=phone).exists()
    channel = choose_channel(guardian, sms_opted_out=opted_out, tried=tried)
    if channel is None:
        return None
    message = failed.message
    fallback = plan_delivery(
        message,
        guardian,
        channel=channel,
        depth=len(tried),
        untranslated=failed.untranslated,
        school_time_zone=message.conversation.time_zone,
        now=timezone.now(),
        fallback_from=failed,
    )
    fallback.language = failed.language or guardian.language
    fallback.save()
    return fallback


# -- the sweep --------------------------------------------------------------------------------


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Put the outbox right: run it every minute (manage.py sweep_outbox).

    Rows left in `sending` longer than OUTBOX_STUCK_AFTER_SECONDS (their worker died) go back
    to the queue, or fail over once their attempts are used up; held rows whose time came are
    released; due rows no task is waiting for get one.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return _sweep(now)


def _sweep(now: datetime | None) -> dict[str, int]:
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.OUTBOX_STUCK_AFTER_SECONDS)
    stuck = Delivery.objects.filter(status=Status.SENDING, claimed_at__lt=cutoff)
    exhausted = list(
        stuck.filter(attempts__gte=settings.OUTBOX_MAX_ATTEMPTS - 1).select_related(
            "guardian", "message__conversation__school"
        )
    )
    failed = 0
    for delivery in exhausted:
        if _fail_stuck(delivery, cutoff):
            failed += 1
    reset = stuck.update(
        status=Status.QUEUED,
        claim_token="",
        claimed_at=None,
        enqueued_at=None,
        next_attempt_at=now,
        attempts=F("attempts") + 1,
        last_error=_("The sending was interrupted; trying again."),
    )
    released = Delivery.objects.filter(status=Status.HELD, next_attempt_at__lte=now).update(
        status=Status.QUEUED
    )
    forgotten = Delivery.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now).filter(
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=cutoff, next_attempt_at__lte=cutoff)
    )
    ids = list(forgotten.order_by("pk").values_list("pk", flat=True))
    tasks = 0
    step = 500
    for start in range(0, len(ids), step):
        chunk = ids[start : start + step]
        Delivery.objects.filter(pk__in=chunk).update(enqueued_at=now)
        tasks += enqueue(chunk)
    # Photos families texted whose fetch was lost with its worker.
    media = attachments.due_for_retry(now)
    attachments.enqueue(media)
    outcome = {
        "reset": reset,
        "failed": failed,
        "released": released,
        "requeued": len(ids),
        "tasks": tasks,
        "media": len(media),
    }
    logger.info(
        "outbox sweep: %(reset)d back from sending, %(failed)d failed, %(released)d released, "
        "%(requeued)d queued again in %(tasks)d tasks, %(media)d media fetches queued again",
        outcome,
    )
    return outcome


def _fail_stuck(delivery: Delivery, cutoff: datetime) -> bool:
    rows = Delivery.objects.filter(pk=delivery.pk, status=Status.SENDING, claimed_at__lt=cutoff)
    with transaction.atomic():
        if not rows.update(
            status=Status.FAILED,
            attempts=F("attempts") + 1,
            last_error=_("Sending was interrupted too many times."),
            claim_token="",
            claimed_at=None,
        ):
            return False
        fallback = _fall_back(delivery)
    if fallback is not None:
        enqueue_planned([fallback])
    return True


# ---- the background tasks: they receive ids, never objects, and keep no state ----------------


@task()
def deliver_task(delivery_ids: list[int]) -> dict[str, int]:
    """Send these deliveries (those still due and not taken by another worker)."""
    return deliver(delivery_ids)


@task()
def sweep_task() -> dict[str, int]:
    """Put stuck, held and forgotten deliveries back on their way (run it every minute)."""
    return sweep()
