"""How staff learn that a family wrote: an unread count, and for those who ask, a digest email.

Unread is computed, never counted up: a family's message is unread for a staff member in
the conversation while it is newer than their read marker (Participant.last_read_at).

A staff member opts into the digest with StaffMember.reply_digest; the time of the last
digest is kept in StaffMember.reply_digest_sent_at, so each digest lists only replies that
came in since the one before.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Count, Max
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django_tasks import task

from homeroom.languages import reading_language
from homeroom.messaging.models import Conversation
from homeroom.people.models import StaffMember

logger = logging.getLogger(__name__)


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


def send_staff_digests(now: datetime | None = None) -> int:
    """Email each opted-in staff member the conversations with family replies they have not
    read since their last digest; returns how many emails were sent."""
    now = now or timezone.now()
    sent = 0
    readers = StaffMember.objects.filter(is_active=True, reply_digest=True).exclude(email="")
    for staff in readers:
        since = staff.reply_digest_sent_at
        waiting = _unread_for(staff).filter(created_at__lte=now)
        if since is not None:
            waiting = waiting.filter(created_at__gt=since)
        counts = {
            row["conversation_id"]: row
            for row in waiting.values("conversation_id").annotate(
                replies=Count("pk"), latest=Max("created_at")
            )
        }
        if not counts:
            continue
        conversations = Conversation.objects.filter(pk__in=counts).select_related("student")
        items = sorted(
            (
                {
                    "title": str(conversation.student or conversation),
                    "subject": conversation.subject_in(reading_language(staff)),
                    "replies": counts[conversation.pk]["replies"],
                    "latest": counts[conversation.pk]["latest"],
                    "link": _conversation_link(conversation.pk),
                }
                for conversation in conversations
            ),
            key=lambda item: item["latest"],
            reverse=True,
        )
        context = {
            "staff": staff,
            "items": items,
            "total": sum(item["replies"] for item in items),
        }
        with translation.override(reading_language(staff)):
            subject = render_to_string("messaging/inbound/email/digest_subject.txt", context)
            body = render_to_string("messaging/inbound/email/digest.txt", context)
        EmailMessage(
            subject=" ".join(subject.split()),
            body=body,
            to=[staff.email],
            headers={"Auto-Submitted": "auto-generated"},
        ).send()
        staff.reply_digest_sent_at = now
        StaffMember.objects.filter(pk=staff.pk).update(reply_digest_sent_at=now)
        sent += 1
    return sent


@task()
def send_staff_digests_task() -> int:
    """Run by a schedule (cron or a periodic enqueue), e.g. at the end of each school day."""
    return send_staff_digests()
