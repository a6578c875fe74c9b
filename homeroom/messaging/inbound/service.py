"""Everything a family sends ends here: the web form, the SMS webhook and the email gate.

`receive_reply` checks that the guardian may write in the conversation, detects the language
(the guardian's stated language is the prior), writes the message in the family's words in
one transaction, and lets staff know: their unread count rises, and a staff member outside
office hours answers automatically once a day. The staff's translation is made after the
commit by a task (inbound/translating.py), so the family does not wait for an engine.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, gettext_noop

from homeroom.languages import STAFF_LANGUAGE, same_language
from homeroom.messaging.attachments import IncomingMedia
from homeroom.messaging.limits import MAX_MESSAGE_CHARS
from homeroom.messaging.models import (
    Conversation,
    InboundEvent,
    Message,
    Participant,
)
from homeroom.messaging.writing import write_message
from homeroom.people import access
from homeroom.people.models import Channel, Guardian, Role, StaffMember
from homeroom.translation.detection import detect_language

from . import office_hours, translating
from .wording import text_for_family

logger = logging.getLogger(__name__)

# One limit for every text a person writes into a conversation.
MAX_REPLY_CHARS = MAX_MESSAGE_CHARS


class ReplyRefused(ValueError):
    """A reply that cannot be accepted, with a reason code callers can answer on."""

    def __init__(self, reason: str, message: str):
        self.reason = reason
        super().__init__(message)


def receive_reply(
    guardian: Guardian,
    conversation: Conversation,
    text: str,
    channel: str,
    *,
    provider_id: str | None = None,
    from_address: str = "",
    original: str | None = None,
    media: Sequence[IncomingMedia] = (),
) -> Message:
    """Record what `guardian` wrote in `conversation` and tell the staff in it.

    `provider_id` (an SMS sid or an email Message-ID) makes the call idempotent: the same id
    again returns the message it made. `from_address` and `original` (the whole text as it
    arrived, before quoted history was cut) are kept on the InboundEvent. `media` are the
    photos or files that came with it (a text may be a photo alone).

    Raises ReplyRefused (a ValueError) for an empty (no words, no media) or oversized text,
    an unknown channel, a guardian who is not in the conversation, or one who may no longer
    be contacted about its student.
    """
    _check_text(text, media)
    if channel not in Channel.values:
        raise ReplyRefused("channel", f"Replies arrive by app, sms or email, not {channel!r}.")

    if conversation.kind != Conversation.Kind.PRIVATE:
        # Other families read an announcement: a family's answer to it starts a private
        # thread instead (receive_channel_reply, or reply_to_announcement in the app).
        raise ReplyRefused("announcement", "A reply to an announcement goes to a private thread.")
    given = conversation
    conversation = _with_school_and_student(conversation)
    participants = list(
        Participant.objects.filter(conversation=conversation)
        .select_related("staff")
        .annotate(contactable=Exists(_contactable_links(conversation)))
    )
    mine = next((p for p in participants if p.guardian_id == guardian.pk), None)
    if mine is None:
        raise ReplyRefused("not_participant", "This guardian is not part of this conversation.")
    if not guardian.is_active or not mine.contactable:
        raise ReplyRefused(
            "not_contactable",
            "This guardian may no longer be contacted about this student.",
        )
    staff_rows = [p for p in participants if p.staff_id and p.staff.is_active]
    staff = [p.staff for p in staff_rows]

    stated = guardian.language or STAFF_LANGUAGE
    detected = ""
    source = stated
    pending = False
    if text.strip():
        detection = detect_language(text, stated)
        if detection.confident and not same_language(detection.language, stated):
            detected = source = detection.language
        pending = translating.needs_translation(source, staff)

    now = timezone.now()
    try:
        with transaction.atomic():
            # Writing also marks the thread read up to here for the family.
            message, _none = write_message(
                conversation,
                text=text,
                language=source,
                detected_language=detected,
                by_staff=None,
                by_guardian=guardian,
                channel=channel,
                urgent_reason="",
                automatic=False,
                recipients=(),
                translations={},
                now=now,
                media=media,
                translation_pending=pending,
            )
            if pending:
                translating.enqueue_on_commit(message)
            if provider_id:
                InboundEvent.objects.create(
                    channel=channel,
                    provider_id=provider_id,
                    from_address=from_address or _address_of(guardian, channel),
                    body=original if original is not None else text,
                    received_at=now,
                    message=message,
                    outcome="received",
                )
            if detected:
                _suggest_language(guardian, detected, message)
    except IntegrityError:
        if not provider_id:
            raise
        earlier = (
            InboundEvent.objects.filter(provider_id=provider_id).select_related("message").first()
        )
        if earlier is None:
            raise
        if earlier.message is None:
            raise ReplyRefused("duplicate", "This reply was already received.") from None
        return earlier.message
    given.last_message_at = conversation.last_message_at

    _answer_for_absent_staff(conversation, guardian, staff_rows, now)
    return message


# -- the pieces ------------------------------------------------------------------------------


def _check_text(text: str, media: Sequence[IncomingMedia] = ()) -> None:
    if not isinstance(text, str):
        raise ReplyRefused("empty", "The reply is empty: write a message first.")
    if not text.strip() and not media:
        raise ReplyRefused("empty", "The reply is empty: write a message first.")
    if len(text) > MAX_REPLY_CHARS:
        raise ReplyRefused(
            "too_long",
            f"The reply is {len(text):,} characters long; the limit is {MAX_REPLY_CHARS:,}.",
        )


def _with_school_and_student(conversation: Conversation) -> Conversation:
    """The conversation with its school and student loaded, in one query when they are not."""
    has_school = Conversation.school.is_cached(conversation)
    has_student = conversation.student_id is None or Conversation.student.is_cached(conversation)
    if has_school and has_student:
        return conversation
    return Conversation.objects.select_related("school", "student").get(pk=conversation.pk)


def _contactable_links(conversation: Conversation):
    """Links through which the participant's guardian may still write here: about a child, the
    links that may hear about that child (records barred by an order means no thread about
    the child); about the school, contact alone."""
    if conversation.student_id is not None:
        return access.contactable_links(about_the_child=True).filter(
            guardian_id=OuterRef("guardian_id"), student_id=conversation.student_id
        )
    return access.contactable_links().filter(
        guardian_id=OuterRef("guardian_id"), student__school_id=conversation.school_id
    )


def _address_of(guardian: Guardian, channel: str) -> str:
    if channel == Channel.SMS:
        return str(guardian.phone or "")
    if channel == Channel.EMAIL:
        return guardian.email
    return ""


def _suggest_language(guardian: Guardian, language: str, message: Message) -> None:
    """Staff are offered to update the profile; the family's own choice is never overwritten."""
    guardian.suggested_language = language
    guardian.suggested_language_message_id = message.pk
    Guardian.objects.filter(pk=guardian.pk).update(
        suggested_language=language, suggested_language_message_id=message.pk
    )


# -- automatic reply -------------------------------------------------------------------------


def _answer_for_absent_staff(
    conversation: Conversation, guardian: Guardian, staff_rows: list[Participant], now: datetime
) -> None:
    zone = office_hours.school_zone(conversation.school)
    local_now = now.astimezone(zone)
    day_start, day_end = office_hours.local_day_bounds(now, zone)
    for row in staff_rows:
        member = row.staff
        hours = office_hours.office_hours_of(member)
        if hours is None or hours.contains(local_now):
            continue
        already = Message.objects.filter(
            conversation=conversation,
            author_staff=member,
            is_automatic=True,
            created_at__gte=day_start,
            created_at__lt=day_end,
        ).exists()
        if already:
            continue
        back = hours.next_start(local_now)
        text, language = text_for_family(
            guardian.language or STAFF_LANGUAGE,
            _away_wording(back, local_now),
            lambda member=member, back=back: _away_values(member, back),
            school=conversation.school,
            protect=[member.given_name],
        )
        from homeroom.messaging import services

        try:
            answer = services.send_message(
                conversation, text=text, by_staff=member, automatic=True, language=language
            )
        except Exception:
            # The family's message is safely stored; a failed courtesy reply must not undo
            # that or make a provider retry the webhook.
            logger.exception("automatic reply failed in conversation %s", conversation.pk)
            continue
        # Writing moves the author's read marker, but an automatic reply is not the staff
        # member reading: the family's message must stay unread for them.
        Participant.objects.filter(pk=row.pk, last_read_at=answer.created_at).update(
            last_read_at=row.last_read_at
        )


AWAY_UNTIL_TODAY = gettext_noop(
    "Thank you for your message. I'm away right now and I'll answer when I'm back, "
    "today at %(time)s. — %(name)s"
)
AWAY_UNTIL_TOMORROW = gettext_noop(
    "Thank you for your message. I'm away right now and I'll answer when I'm back, "
    "tomorrow at %(time)s. — %(name)s"
)
AWAY_UNTIL_DAY = gettext_noop(
    "Thank you for your message. I'm away right now and I'll answer when I'm back, "
    "on %(day)s at %(time)s. — %(name)s"
)


def _away_wording(back: datetime, local_now: datetime) -> str:
    days_away = (back.date() - local_now.date()).days
    if days_away == 0:
        return AWAY_UNTIL_TODAY
    if days_away == 1:
        return AWAY_UNTIL_TOMORROW
    return AWAY_UNTIL_DAY


def _away_values(member: StaffMember, back: datetime) -> dict[str, str]:
    """Called with the family's language active: the day name and time format follow it."""
    return {
        "name": member.given_name,
        "time": formats.time_format(back.time()),
        "day": formats.date_format(back.date(), "l"),
    }


# -- where a family's first text goes -------------------------------------------------------


def open_liaison_conversation(guardian: Guardian) -> Conversation | None:
    """A new private thread with the school's family liaisons (school admins when it has
    none): about the guardian's first child they may hear about, or — when an order bars every
    child's records but not contact — about no child, at the first child's school. None when
    no child may be contacted."""

    def first(links):
        return (
            links.filter(guardian=guardian, student__school__is_active=True)
            .select_related("student__school")
            .order_by("-is_primary", "pk")
            .first()
        )

    link = first(access.contactable_links(about_the_child=True))
    student = link.student if link is not None else None
    link = link or first(access.contactable_links())
    if link is None:
        return None
    school = link.student.school
    team = list(_staff_with_role(school, Role.FAMILY_LIAISON)) or list(
        _staff_with_role(school, Role.SCHOOL_ADMIN)
    )
    with translation.override(STAFF_LANGUAGE):
        subject = gettext("Text message from %(name)s") % {"name": guardian.full_name}
    with transaction.atomic():
        conversation = Conversation.objects.create(
            kind=Conversation.Kind.PRIVATE,
            school=school,
            student=student,
            started_by=Conversation.StartedBy.FAMILY,
            subject=subject,
        )
        Participant.objects.bulk_create(
            [Participant(conversation=conversation, staff=member) for member in team]
            + [Participant(conversation=conversation, guardian=guardian)]
        )
    return conversation


def _staff_with_role(school, role: str):
    return StaffMember.objects.filter(
        Q(assignments__school=school, assignments__role=role), is_active=True
    ).distinct()


# -- the entry the SMS webhook and the email gate share --------------------------------------


def receive_channel_reply(
    guardian: Guardian,
    conversation: Conversation,
    text: str,
    channel: str,
    *,
    provider_id: str,
    from_address: str = "",
    original: str | None = None,
    media: Sequence[IncomingMedia] = (),
) -> Message:
    """`receive_reply` for a text or email threaded to `conversation`.

    A reply to an announcement becomes (or continues) the family's private thread about it,
    as the app's own reply button does.
    """
    if conversation.kind != Conversation.Kind.ANNOUNCEMENT:
        return receive_reply(
            guardian,
            conversation,
            text,
            channel,
            provider_id=provider_id,
            from_address=from_address,
            original=original,
            media=media,
        )
    from homeroom.messaging import services

    _check_text(text, media)
    contactable = access.contactable_links().filter(
        guardian=guardian, student__school__district_id=conversation.district_id
    )
    if not guardian.is_active or not contactable.exists():
        raise ReplyRefused(
            "not_contactable", "This guardian may no longer be contacted by the school."
        )
    try:
        private = services.reply_to_announcement(
            conversation, guardian=guardian, text=text, channel=channel, media=media
        )
    except Http404:
        raise ReplyRefused(
            "not_participant", "This guardian did not receive this announcement."
        ) from None
    except ValueError as exc:
        raise ReplyRefused("refused", str(exc)) from exc
    message = (
        Message.objects.filter(conversation=private, author_guardian=guardian)
        .order_by("-created_at", "-pk")
        .first()
    )
    try:
        with transaction.atomic():
            InboundEvent.objects.create(
                channel=channel,
                provider_id=provider_id,
                from_address=from_address or _address_of(guardian, channel),
                body=original if original is not None else text,
                message=message,
                outcome="received",
            )
    except IntegrityError:
        pass  # the same text twice at once: the first one recorded it
    return message
