"""Families hear of moments through the messaging outbox, each family by its own choice
(docs/behavior.md): at once, a daily or a weekly digest; and moments past their school's
retention are removed. The background tasks are defined beside what they run.
"""

import re
import zoneinfo
from collections.abc import Sequence
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
)
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from homeroom.messaging import services as messaging
from homeroom.messaging.models import Conversation
from homeroom.people.models import (
    Guardian,
    School,
    StaffMember,
    Student,
)
from homeroom.translation.protection import names_of
from homeroom.translation.services import Translation, TranslationUnavailable, translate

from . import access as behavior_access
from . import feeds
from .errors import MomentRefused
from .models import (
    Moment,
    MomentNotice,
    MomentThread,
    SchoolBehaviorSettings,
)

NOTIFICATION_CHOICES = ("each", "daily", "weekly")
DEFAULT_CHOICE = "daily"
DEFAULT_DAILY_TIME = "18:00"
# Weekly digests go out on Fridays (Monday is 0).
WEEKLY_DIGEST_WEEKDAY = 4
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


# -- families hear of moments -----------------------------------------------------------------


def notification_choice(guardian: Guardian) -> tuple[str, str]:
    choice = guardian.moment_notifications
    if choice not in NOTIFICATION_CHOICES:
        choice = DEFAULT_CHOICE
    at = guardian.moment_digest_time
    return choice, at.strftime("%H:%M") if at is not None else DEFAULT_DAILY_TIME


def set_notification_choice(guardian: Guardian, choice: str, daily_time: str) -> None:
    if choice not in NOTIFICATION_CHOICES:
        raise MomentRefused(_("Choose when to hear about moments."))
    if not _TIME.match(daily_time or ""):
        raise MomentRefused(_("Give a time as hours and minutes, such as 18:00."))
    at = time.fromisoformat(daily_time)
    Guardian.objects.filter(pk=guardian.pk).update(
        moment_notifications=choice, moment_digest_time=at
    )
    guardian.moment_notifications, guardian.moment_digest_time = choice, at


def _sendable() -> QuerySet[Moment]:
    return feeds.kept_moments().filter(feeds.family_visible())


def notify_at_once(moment_ids: Sequence[int]) -> int:
    """Families who chose "each" hear of good news as soon as it is recorded. Needs-work
    moments never go out at once: they wait for the end-of-day digest."""
    moments = list(
        _sendable()
        .filter(pk__in=list(moment_ids), positive=True)
        .select_related("category", "recorded_by", "student", "school")
    )
    if not moments:
        return 0
    by_student: dict[int, list[Moment]] = {}
    for moment in moments:
        by_student.setdefault(moment.student_id, []).append(moment)
    sent = 0
    for link in behavior_access.contactable_links_of(by_student):
        if notification_choice(link.guardian)[0] != "each":
            continue
        noticed = set(
            MomentNotice.objects.filter(
                guardian=link.guardian, moment__in=by_student[link.student_id]
            ).values_list("moment_id", flat=True)
        )
        fresh = [m for m in by_student[link.student_id] if m.pk not in noticed]
        if fresh:
            _send(link.guardian, link.student, fresh, now=timezone.now(), digest=False)
            sent += 1
    return sent


def _zone(guardian: Guardian, school: School):
    try:
        return zoneinfo.ZoneInfo(guardian.time_zone or school.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def digest_boundary(guardian: Guardian, school: School, now: datetime) -> datetime:
    """The latest moment a digest for this guardian was due, at or before `now`."""
    choice, daily_time = notification_choice(guardian)
    hour, minute = (int(part) for part in daily_time.split(":"))
    local = now.astimezone(_zone(guardian, school))
    boundary = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if boundary > local:
        boundary -= timedelta(days=1)
    if choice == "weekly":
        boundary -= timedelta(days=(boundary.weekday() - WEEKLY_DIGEST_WEEKDAY) % 7)
    return boundary


def send_moment_digests(now: datetime | None = None) -> int:
    """Send every digest that is due. Run it from the periodic sweep (every few minutes).

    A family's digest gathers the moments recorded before its due time that it has not heard
    of yet (good news first); moments recorded later wait for the next one."""
    now = now or timezone.now()
    horizon = now - timedelta(days=8)
    students = (
        _sendable()
        .filter(created_at__gte=horizon, created_at__lte=now)
        .values_list("student_id", flat=True)
        .distinct()
    )
    threads = {
        (t.guardian_id, t.student_id): t
        for t in MomentThread.objects.filter(student_id__in=students)
    }
    sent = 0
    for link in behavior_access.contactable_links_of(students):
        guardian, student = link.guardian, link.student
        boundary = digest_boundary(guardian, student.school, now)
        thread = threads.get((guardian.pk, student.pk))
        if thread is not None and thread.last_digest_at and thread.last_digest_at >= boundary:
            continue
        noticed = MomentNotice.objects.filter(guardian=guardian, moment=OuterRef("pk"))
        pending = list(
            _sendable()
            .filter(student=student, created_at__gte=horizon, created_at__lt=boundary)
            .exclude(Exists(noticed))
            .select_related("category", "recorded_by", "student", "school")
            .order_by("-positive", "created_at", "pk")
        )
        if pending:
            _send(guardian, student, pending, now=now, digest=True)
            sent += 1
    return sent


def _digest_text(
    student: Student,
    moments: Sequence[Moment],
    digest: bool,
    words: dict[str, str] | None = None,
) -> str:
    """The message in the active language. `words` maps the staff-written words (category
    names, notes) to that language; without it they stay as written."""
    words = words or {}
    good = [m for m in moments if m.positive]
    work = [m for m in moments if not m.positive]
    lines = [
        (_("News from school about %(name)s:") if digest else _("Good news about %(name)s:"))
        % {"name": student.full_name}
    ]
    for title, group in ((_("Good news"), good), (_("To work on"), work)):
        if not group:
            continue
        if digest:
            lines += ["", title + ":"]
        for moment in group:
            name = moment.category.name
            line = f"• {words.get(name, name)}"
            if moment.note:
                line += f": {words.get(moment.note, moment.note)}"
            if moment.recorded_by:
                line += f" ({moment.recorded_by.full_name})"
            lines.append(line)
    link = settings.PUBLIC_BASE_URL + reverse("behavior:child_feed", args=[student.pk])
    lines += ["", _("See and answer: %(link)s") % {"link": link}]
    return "\n".join(lines)


def _digest_versions(
    student: Student, moments: Sequence[Moment], digest: bool, reader_language: str
) -> dict[str, Translation]:
    """The family's copy, when we ship their language: the frame from the reviewed catalogue,
    the staff-written words through the translation pipeline (so it is marked as machine-
    translated when any of them are)."""
    target = reader_language.split("-")[0].lower()
    shipped = {code for code, _name in settings.LANGUAGES}
    if target not in shipped or target == settings.LANGUAGE_CODE:
        return {}
    originals = sorted({m.category.name for m in moments} | {m.note for m in moments if m.note})
    protect = [student.given_name, student.family_name]
    protect += [part for m in moments if m.recorded_by for part in m.recorded_by.full_name.split()]
    try:
        translated = translate(
            originals, settings.LANGUAGE_CODE, target, school=student.school, protect=protect
        )
    except TranslationUnavailable:
        return {}
    words = {original: t.text for original, t in zip(originals, translated, strict=True)}
    machine = any(t.machine for t in translated)
    with translation.override(target):
        text = _digest_text(student, moments, digest, words)
    return {
        target: Translation(
            text=text,
            source=settings.LANGUAGE_CODE,
            target=target,
            provider="catalogue+machine" if machine else "catalogue",
            human_checked=not machine,
            machine=machine,
        )
    }


def _send(
    guardian: Guardian, student: Student, moments: Sequence[Moment], *, now, digest: bool
) -> None:
    authors = [m.recorded_by for m in moments if m.recorded_by and m.recorded_by.is_active]
    author = authors[-1] if authors else _any_staff(student.school)
    with translation.override(settings.LANGUAGE_CODE):
        text = _digest_text(student, moments, digest)
    prepared = _digest_versions(student, moments, digest, guardian.language)
    thread = MomentThread.objects.filter(guardian=guardian, student=student).first()
    if thread is None:
        conversation = Conversation(
            kind=Conversation.Kind.PRIVATE,
            school=student.school,
            student=student,
            started_by=Conversation.StartedBy.SCHOOL,
        )
        # One conversation per family about the child, so each household's choice holds.
        recipient = list(messaging.with_opt_out(Guardian.objects.filter(pk=guardian.pk)))
        messaging.open_conversation(
            conversation,
            staff=[author],
            guardians=recipient,
            text=text,
            by_staff=author,
            protect=names_of(student, guardian, *authors),
            prepared=prepared,
        )
        thread, _created = MomentThread.objects.get_or_create(
            guardian=guardian, student=student, defaults={"conversation": conversation}
        )
        message = conversation.messages.order_by("pk").first()
    else:
        message = messaging.send_message(
            thread.conversation, text=text, by_staff=author, automatic=True, prepared=prepared
        )
    MomentNotice.objects.bulk_create(
        [MomentNotice(moment=m, guardian=guardian, sent_at=now, message=message) for m in moments],
        ignore_conflicts=True,
    )
    if digest:
        MomentThread.objects.filter(pk=thread.pk).update(last_digest_at=now)


def _any_staff(school: School) -> StaffMember:
    return messaging.school_office(school)[0]


# -- retention --------------------------------------------------------------------------------


def purge_old_moments(now: datetime | None = None) -> int:
    """Delete moments older than each school's retention (default 12 months)."""
    now = now or timezone.now()
    default_months = SchoolBehaviorSettings._meta.get_field("retention_months").default
    custom = dict(SchoolBehaviorSettings.objects.values_list("school_id", "retention_months"))
    deleted = 0
    for months in {default_months, *custom.values()}:
        cutoff = now - timedelta(days=round(months * 365.25 / 12))
        schools_with = [sid for sid, m in custom.items() if m == months]
        scope = Q(school_id__in=schools_with)
        if months == default_months:
            scope |= ~Q(school_id__in=list(custom))
        count, _by_model = Moment.objects.filter(scope, created_at__lt=cutoff).delete()
        deleted += count
    return deleted


# -- background work (tasks receive ids, never objects) ------------------------------------------


@task()
def notify_moments(moment_ids: list[int]) -> int:
    """Good news reaches the families who asked to hear of each moment at once."""
    return notify_at_once(moment_ids)


@task()
def send_moment_digests_task() -> int:
    return send_moment_digests()


@task()
def purge_old_moments_task() -> int:
    return purge_old_moments()


@task()
def sweep() -> dict[str, int]:
    """For the periodic sweep, every few minutes: the digests that are due and, once a day in
    effect, the moments past their school's retention (`manage.py sweep_moments` runs it once)."""
    return {
        "digests": send_moment_digests(),
        "purged": purge_old_moments(),
    }
