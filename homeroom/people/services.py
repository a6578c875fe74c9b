"""What happens to people: families are invited, join, and keep their preferences."""

from collections.abc import Iterable
from datetime import time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from homeroom.languages import LANGUAGE_NAMES, base_language
from homeroom.transports import outbound

from . import access
from .middleware import interface_language
from .models import (
    Channel,
    FamilyAlerts,
    Guardian,
    Guardianship,
    Invitation,
    School,
    StaffMember,
    User,
)

INVITATION_LIFETIME = timedelta(days=14)


class InvitationUnusable(Exception):
    """The invitation was accepted already, has expired, or its family has joined since."""


def invitation_channel(guardian: Guardian) -> str | None:
    """Where an invitation can reach this guardian ("sms" or "email"), or None if nowhere.

    The guardian's own choice first; otherwise whatever the school has on file, because an
    invitation on another channel still beats none.
    """
    if guardian.channel == Channel.EMAIL and guardian.email:
        return "email"
    if guardian.phone and guardian.channel in (Channel.SMS, Channel.APP):
        return "sms"
    if guardian.email:
        return "email"
    if guardian.phone:
        return "sms"
    return None


def invitation_link(invitation: Invitation) -> str:
    return settings.PUBLIC_BASE_URL + reverse("join_accept", args=[invitation.token])


def guardians_to_invite(links: QuerySet[Guardianship]) -> QuerySet[Guardian]:
    """The guardians behind these links whom the school may invite and who have not joined."""
    contactable = (links & access.contactable_links()).filter(
        guardian__is_active=True, guardian__joined_at__isnull=True
    )
    return Guardian.objects.filter(pk__in=contactable.values("guardian_id"))


def invite_guardians(
    guardians: Iterable[Guardian], *, school: School, invited_by: StaffMember | None
) -> list[Invitation]:
    """Invite each guardian who can be invited, on their channel and in their language.

    Skipped: guardians who have joined, who have neither phone nor email, and those whom no
    active link allows the school to contact. A guardian with an open invitation from this
    school gets it again rather than a second one. Returns the invitations sent.
    """
    if isinstance(guardians, QuerySet):
        ids = guardians.values("pk")
    else:
        ids = [g.pk for g in guardians]
        if not ids:
            return []
    now = timezone.now()
    may_contact = access.contactable_links().filter(guardian=OuterRef("pk"))
    candidates = (
        Guardian.objects.filter(pk__in=ids, is_active=True, joined_at__isnull=True)
        .filter(Exists(may_contact))
        .order_by("family_name", "given_name", "pk")
    )
    open_invitations: dict[int, Invitation] = {}
    for invitation in Invitation.objects.filter(
        guardian_id__in=ids, school=school, accepted_at__isnull=True, expires_at__gt=now
    ).order_by("created_at"):
        open_invitations[invitation.guardian_id] = invitation  # the newest wins

    to_send: list[tuple[Guardian, Invitation, str]] = []
    new: list[Invitation] = []
    changed: list[Invitation] = []
    for guardian in candidates:
        channel = invitation_channel(guardian)
        if channel is None:
            continue
        invitation = open_invitations.get(guardian.pk)
        if invitation is None:
            invitation = Invitation(
                guardian=guardian,
                school=school,
                invited_by=invited_by,
                channel=channel,
                created_at=now,
                expires_at=now + INVITATION_LIFETIME,
            )
            new.append(invitation)
        elif invitation.channel != channel:
            invitation.channel = channel
            changed.append(invitation)
        to_send.append((guardian, invitation, channel))

    with transaction.atomic():
        Invitation.objects.bulk_create(new)
        if changed:
            Invitation.objects.bulk_update(changed, ["channel"])
    for guardian, invitation, channel in to_send:
        _send_invitation(guardian, invitation, channel, school)
    return [invitation for _, invitation, _ in to_send]


def _send_invitation(guardian: Guardian, invitation: Invitation, channel: str, school: School):
    context = {
        "guardian": guardian,
        "school_name": school.name,
        "link": invitation_link(invitation),
        "join_url": settings.PUBLIC_BASE_URL + reverse("join"),
        "code": invitation.code,
        "expires_at": invitation.expires_at,
    }
    with translation.override(interface_language(guardian.language)):
        if channel == "sms":
            body = render_to_string("people/sms/invitation.txt", context).strip()
            subject = ""
        else:
            body = render_to_string("people/email/invitation_message.txt", context).strip()
            subject = render_to_string("people/email/invitation_subject.txt", context).strip()
    to = guardian.phone.as_e164 if channel == "sms" else guardian.email
    outbound.send(channel, to, body, subject=subject, kind="invitation")


def accept_invitation(
    invitation: Invitation,
    *,
    language: str,
    channel: str,
    quiet_start: time,
    quiet_end: time,
) -> User:
    """The family says yes: the invitation is used up, the guardian has a sign-in and has joined.

    An existing sign-in with the guardian's email or phone (a teacher who is also a parent) is
    linked rather than duplicated. Raises InvitationUnusable if the invitation cannot be used.
    """
    _check_preferences(language, channel, quiet_start, quiet_end)
    now = timezone.now()
    with transaction.atomic():
        # A conditional update claims the invitation, so a double submit joins only once.
        claimed = Invitation.objects.filter(
            pk=invitation.pk,
            accepted_at__isnull=True,
            expires_at__gt=now,
            guardian__joined_at__isnull=True,
        ).update(accepted_at=now)
        if not claimed:
            raise InvitationUnusable
        guardian = Guardian.objects.select_for_update().get(pk=invitation.guardian_id)
        user = _user_for(guardian)
        guardian.user = user
        guardian.joined_at = now
        guardian.language = language
        guardian.channel = channel
        guardian.quiet_start = quiet_start
        guardian.quiet_end = quiet_end
        # Quiet hours mean the family's own clock: start from their school's zone.
        guardian.time_zone = guardian.time_zone or invitation.school.time_zone
        guardian.save(
            update_fields=[
                "user",
                "joined_at",
                "language",
                "channel",
                "quiet_start",
                "quiet_end",
                "time_zone",
            ]
        )
        # Other open invitations would otherwise stay valid sign-in links for two weeks.
        Invitation.objects.filter(guardian=guardian, accepted_at__isnull=True).exclude(
            pk=invitation.pk
        ).update(expires_at=now)
    invitation.accepted_at = now
    invitation.guardian = guardian
    return user


def _user_for(guardian: Guardian) -> User:
    if guardian.user_id:
        return guardian.user
    # Stored lower-case: sign-in by code looks addresses up exactly.
    email = (guardian.email or "").strip().lower() or None
    phone = guardian.phone or None
    by_email = User.objects.filter(email__iexact=email).first() if email else None
    by_phone = User.objects.filter(phone=phone).first() if phone else None
    found = [u for u in (by_email, by_phone) if u is not None]
    # A sign-in already used by another guardian (two parents sharing an address) stays theirs.
    taken = set(
        Guardian.objects.filter(user__in=found)
        .exclude(pk=guardian.pk)
        .values_list("user_id", flat=True)
    )
    free = [u for u in found if u.pk not in taken]
    if not free:
        return User.objects.create_user(
            None if by_email else email, None, phone=None if by_phone else phone
        )
    user = free[0]
    fields = []
    if email and not user.email and by_email is None:
        user.email = email
        fields.append("email")
    if phone and not user.phone and by_phone is None:
        user.phone = phone
        fields.append("phone")
    if fields:
        user.save(update_fields=fields)
    return user


def update_preferences(
    guardian: Guardian, *, language: str, channel: str, quiet_start: time, quiet_end: time
) -> Guardian:
    """A family changes how the school reaches them."""
    _check_preferences(language, channel, quiet_start, quiet_end)
    guardian.language = language
    guardian.channel = channel
    guardian.quiet_start = quiet_start
    guardian.quiet_end = quiet_end
    guardian.save(update_fields=["language", "channel", "quiet_start", "quiet_end"])
    return guardian


def update_staff_preferences(
    staff, *, language: str, family_alerts: str, office_hours: dict | None
) -> StaffMember:
    """A staff member chooses the language they read families in, how they hear that a
    family wrote, and their office hours (None: reachable at any time)."""
    if base_language(language) not in LANGUAGE_NAMES:
        raise ValueError(f"unknown language {language!r}")
    if family_alerts not in FamilyAlerts.values:
        raise ValueError(f"unknown way to hear of family messages {family_alerts!r}")
    staff.language = base_language(language)
    staff.family_alerts = family_alerts
    staff.office_hours = office_hours
    staff.save(update_fields=["language", "family_alerts", "office_hours"])
    return staff


def _check_preferences(language: str, channel: str, quiet_start: time, quiet_end: time) -> None:
    # The forms explain these to families; this guards every other caller.
    if (language or "").split("-")[0].lower() not in LANGUAGE_NAMES:
        raise ValueError(f"unknown language {language!r}")
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    if quiet_start == quiet_end:
        raise ValueError("quiet hours must not start and end at the same time")
