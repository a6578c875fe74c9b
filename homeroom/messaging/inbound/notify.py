"""How staff learn that a family wrote: an unread count, and an email as they chose.

Unread is computed, never counted up: a family's message is unread for a staff member in
the conversation while it is newer than their read marker (Participant.last_read_at).

Each staff member chooses on their settings page how they hear of family messages
(StaffMember.family_alerts): an email for each conversation a family wrote in (the
default), one digest an hour at most, or the unread badge only. Nothing is sent outside
their office hours; what came in meanwhile is sent when they begin. An alert waits for a
reply's translation, which is made after the reply is stored (inbound/translating.py), for
a few minutes at most. The time they were
last told is kept in StaffMember.alerted_at, so each email lists only what came in since.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django_tasks import task

from homeroom.languages import STAFF_LANGUAGE, base_language, reading_language
from homeroom.messaging.models import MessageTranslation
from homeroom.people.models import FamilyAlerts, StaffMember

from . import office_hours

logger = logging.getLogger(__name__)

HOURLY = timedelta(hours=1)
RECENT = timedelta(days=14)


def _unread_for(staff: StaffMember):
    """Family messages `staff` has not read yet, in conversations they are part of."""
    from homeroom.messaging.access import _unread_for_staff

    return _unread_for_staff(staff)


def unread_counts_for_staff(staff: StaffMember) -> int:
    """How many family messages wait for `staff`, in one query."""
    return _unread_for(staff).count()


# -- the digest ------------------------------------------------------------------------------


def _conversation_link(conversation_id: int) -> str:
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    try:
        return base + reverse("conversation_detail", args=[conversation_id])
    except NoReverseMatch:
        return base + "/"


def _due(staff: StaffMember, now: datetime) -> bool:
    if staff.family_alerts == FamilyAlerts.BADGE:
        return False
    if not office_hours.is_within_office_hours(staff, now):
        return False  # told when their hours begin, with everything that came in meanwhile
    if staff.family_alerts == FamilyAlerts.HOURLY and staff.alerted_at is not None:
        return now - staff.alerted_at >= HOURLY
    return True


def alert_staff(now: datetime | None = None) -> int:
    """Tell each staff member of the family messages they have not read that came in since
    they were last told, as they chose: an email per conversation with new family messages
    (`each`), or one digest an hour at most (`hourly`); never outside their office hours,
    never for `badge`. Returns how many emails were sent."""
    now = now or timezone.now()
    sent = 0
    for staff in _staff_with_news(now):
        if not _due(staff, now):
            continue
        waiting = _unread_for(staff).filter(created_at__lte=now)
        if staff.alerted_at is not None:
            waiting = waiting.filter(created_at__gt=staff.alerted_at)
        messages = list(
            waiting.select_related("author_guardian", "conversation__student").order_by(
                "created_at", "pk"
            )
        )
        if not messages:
            continue
        if _translation_on_its_way(messages, now):
            # Told a minute later, with the family's words in the staff's language: nothing
            # is marked told, so the next run sends these with whatever came in meanwhile.
            continue
        reader = reading_language(staff)
        with translation.override(reader):
            if staff.family_alerts == FamilyAlerts.EACH:
                emails = _one_per_conversation(staff, messages, reader)
            else:
                emails = [_digest(staff, messages, reader)]
        for email in emails:
            email.send()
        sent += len(emails)
        staff.alerted_at = now
        StaffMember.objects.filter(pk=staff.pk).update(alerted_at=now)
    return sent


def _translation_on_its_way(messages, now: datetime) -> bool:
    """A family's reply whose translation is still being made, and not for long."""
    from .translating import TRANSLATION_WAIT

    return any(
        message.translation_pending and now - message.created_at < TRANSLATION_WAIT
        for message in messages
    )


def _staff_with_news(now: datetime):
    """The staff who may have family messages to be told of: those in a conversation with a
    family message from the last two weeks. (Older ones wait in the inbox and its badge.)"""
    from homeroom.messaging.access import staff_with_family_messages

    return (
        staff_with_family_messages(since=now - RECENT, until=now)
        .filter(is_active=True)
        .exclude(email="")
        .exclude(family_alerts=FamilyAlerts.BADGE)
        .order_by("pk")
    )


def _shown(messages, reader: str) -> list[dict]:
    """Each message as the reader reads it: their copy, else the staff language's."""
    copies = {
        (copy.message_id, copy.language): copy.text
        for copy in MessageTranslation.objects.filter(
            message__in=messages, language__in={reader, STAFF_LANGUAGE}
        )
    }
    shown = []
    for message in messages:
        same = base_language(message.language) == reader
        text = (
            message.body
            if same
            else (copies.get((message.pk, reader)) or copies.get((message.pk, STAFF_LANGUAGE)))
        )
        shown.append(
            {
                "author": message.author_guardian.full_name,
                "at": message.created_at,
                "text": text or message.body,
                "original": "" if same or not text else message.body,
            }
        )
    return shown


def _one_per_conversation(staff, messages, reader) -> list[EmailMessage]:
    # Every message's copy in one query, then one email per conversation.
    by_conversation: dict[int, list] = {}
    for message, shown in zip(messages, _shown(messages, reader), strict=True):
        by_conversation.setdefault(message.conversation_id, []).append((message, shown))
    emails = []
    for pairs in by_conversation.values():
        conversation = pairs[0][0].conversation
        context = {
            "staff": staff,
            "family": pairs[-1][0].author_guardian.full_name,
            "student": conversation.student.full_name if conversation.student else "",
            "subject": conversation.subject_in(reader),
            "messages": [shown for _message, shown in pairs],
            "link": _conversation_link(conversation.pk),
        }
        emails.append(_email(staff, "messaging/inbound/email/family_message", context))
    return emails


def _digest(staff, messages, reader) -> EmailMessage:
    conversations: dict[int, dict] = {}
    for message in messages:
        conversation = message.conversation
        item = conversations.setdefault(
            conversation.pk,
            {
                "title": str(conversation.student or conversation),
                "subject": conversation.subject_in(reader),
                "replies": 0,
                "link": _conversation_link(conversation.pk),
            },
        )
        item["replies"] += 1
        item["latest"] = message.created_at
    items = sorted(conversations.values(), key=lambda item: item["latest"], reverse=True)
    context = {"staff": staff, "items": items, "total": len(messages)}
    return _email(staff, "messaging/inbound/email/digest", context)


def _settings_link() -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("staff_preferences")


def _email(staff, template: str, context: dict) -> EmailMessage:
    context["settings_link"] = _settings_link()
    subject = render_to_string(f"{template}_subject.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=render_to_string(f"{template}.txt", context),
        to=[staff.email],
        headers={"Auto-Submitted": "auto-generated"},
    )


@task()
def alert_staff_task() -> int:
    """Run every minute by the periodic scheduler, and enqueued when a family writes."""
    return alert_staff()
