"""A family's words translated for the staff after the reply is stored.

A translation engine may take seconds; a parent on a phone should not wait for it. So
`receive_reply` stores the family's message in their own words, marked
`translation_pending`, and enqueues `translate_reply_task` when its transaction commits.
The task makes one copy per staff reading language (as `receive_reply` used to in the
request) and clears the mark in the same transaction. Until then staff see the original
with a "translating…" note, and staff alerts wait for the copy (notify.alert_staff), up to
TRANSLATION_WAIT, after which they go out with the original rather than not at all.

The task is safe to run twice: a message no longer pending is left alone, and copies are
written with the (message, language) constraint in mind. `sweep_untranslated_replies` (run
by the periodic scheduler) enqueues again what a lost task left pending.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from homeroom.languages import same_language
from homeroom.messaging.models import Message, MessageTranslation, Participant
from homeroom.messaging.writing import staff_readers
from homeroom.translation.protection import names_of
from homeroom.translation.services import TranslationUnavailable, translate_for_readers

logger = logging.getLogger(__name__)

# How long staff alerts wait for a reply's translation before going out with the original.
TRANSLATION_WAIT = timedelta(minutes=10)
# A reply still pending after this long has lost its task: the sweep enqueues it again.
LOST_AFTER = timedelta(minutes=2)


def needs_translation(source: str, staff) -> bool:
    """Whether any staff reader of the thread reads another language than `source`."""
    return any(not same_language(reader, source) for reader in staff_readers(staff))


def translate_for_staff(text, source, conversation, guardian, staff) -> dict:
    """The family's words in the staff language and in each staff reader's own language; a
    language no engine serves is left out (its readers see the staff language's copy)."""
    out = {}
    protect = names_of(guardian, conversation.student, *staff)
    for reader in staff_readers(staff):
        if same_language(reader, source):
            continue
        try:
            out.update(
                translate_for_readers(
                    text, source, [reader], school=conversation.school, protect=protect
                )
            )
        except TranslationUnavailable as exc:
            # The family's words are never held back for want of a translation: staff see
            # the original, and the translation can be made when an engine serves the pair.
            logger.warning("reply stored untranslated into %s: %s", reader, exc.reason)
    return out


def enqueue_on_commit(message: Message) -> None:
    message_id = message.pk
    transaction.on_commit(lambda: translate_reply_task.enqueue(message_id))


def translate_reply(message_id: int) -> bool:
    """Make the staff's copies of a family's pending reply; False when there was nothing
    to do (already translated, or gone)."""
    message = (
        Message.objects.select_related(
            "conversation__school", "conversation__student", "author_guardian"
        )
        .filter(pk=message_id, translation_pending=True)
        .first()
    )
    if message is None:
        return False
    conversation = message.conversation
    staff = [
        row.staff
        for row in Participant.objects.filter(
            conversation=conversation, staff__isnull=False, staff__is_active=True
        ).select_related("staff")
    ]
    # The engine is called outside any transaction: the database is not held meanwhile.
    translations = translate_for_staff(
        message.body, message.language, conversation, message.author_guardian, staff
    )
    with transaction.atomic():
        if not Message.objects.filter(pk=message.pk, translation_pending=True).update(
            translation_pending=False
        ):
            return False  # another run of the task got there first
        MessageTranslation.objects.bulk_create(
            [
                MessageTranslation(
                    message=message,
                    language=reader,
                    text=done.text,
                    provider=done.provider[:30],
                    machine=done.machine,
                    human_checked=done.human_checked,
                )
                for reader, done in sorted(translations.items())
            ],
            ignore_conflicts=True,
        )
    return True


@task()
def translate_reply_task(message_id: int) -> bool:
    return translate_reply(message_id)


def sweep_untranslated_replies(now: datetime | None = None) -> int:
    """Enqueue again the replies whose translation task was lost; returns how many."""
    now = now or timezone.now()
    ids = list(
        Message.objects.filter(
            translation_pending=True, created_at__lte=now - LOST_AFTER
        ).values_list("pk", flat=True)[:1000]
    )
    for message_id in ids:
        translate_reply_task.enqueue(message_id)
    return len(ids)


@task()
def sweep_untranslated_replies_task() -> int:
    return sweep_untranslated_replies()
