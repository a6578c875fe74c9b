"""Recording and changing moments, families' answers, and each school's categories and policy.

- ensure_default_categories(school), active_categories(school), settings_for(school)
- record_moments(staff, students, category, note="") -> list[Moment]
- correct_moment(staff, moment, *, category=None, note=None) -> Moment
- withdraw_moment(staff, moment) -> Moment
- review_moment(staff, moment) -> Moment
- respond(guardian, moment, kind, text="") -> FamilyResponse
"""

from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from homeroom.messaging import services as messaging
from homeroom.messaging.limits import MessageTooLong, check_length
from homeroom.people.models import (
    Guardian,
    School,
    StaffMember,
    Student,
)

from . import feeds, notices
from .access import may_change, may_review, recordable_students
from .errors import MomentRefused
from .models import (
    NOTE_MAX_CHARS,
    Category,
    FamilyResponse,
    Kind,
    Moment,
    MomentAudit,
    SchoolBehaviorSettings,
)

DEFAULT_CATEGORIES = (
    # name, kind, points, icon (symbols that ordinary fonts carry, so no phone shows a box)
    ("Helping others", Kind.POSITIVE, 1, "☺"),
    ("Perseverance", Kind.POSITIVE, 1, "⚑"),
    ("Participation", Kind.POSITIVE, 1, "☝"),
    ("Kindness", Kind.POSITIVE, 1, "♥"),
    ("Great work", Kind.POSITIVE, 1, "★"),
    ("Leadership", Kind.POSITIVE, 1, "☀"),
    ("Unprepared", Kind.NEEDS_WORK, -1, "✎"),
    ("Off task", Kind.NEEDS_WORK, -1, "↺"),
    ("Disrupting others", Kind.NEEDS_WORK, -1, "♫"),
    ("Late to class", Kind.NEEDS_WORK, 0, "◷"),
)


# -- categories and settings ------------------------------------------------------------------


def ensure_default_categories(school: School) -> list[Category]:
    """The school's categories, seeding the defaults the first time the school records."""
    existing = list(Category.objects.filter(school=school))
    if existing:
        return existing
    Category.objects.bulk_create(
        [
            Category(school=school, name=name, kind=kind, points=points, icon=icon, position=i)
            for i, (name, kind, points, icon) in enumerate(DEFAULT_CATEGORIES)
        ],
        ignore_conflicts=True,
    )
    return list(Category.objects.filter(school=school))


def active_categories(school: School) -> list[Category]:
    """Categories staff choose from: positive first, in the school's order (sorted here, from
    the one read `ensure_default_categories` makes anyway)."""
    active = [c for c in ensure_default_categories(school) if c.is_active]
    active.sort(key=lambda c: (c.position, c.name))
    active.sort(key=lambda c: c.kind, reverse=True)  # "positive" before "needs_work"
    return active


def settings_for(school: School | int) -> SchoolBehaviorSettings:
    """The school's policy (its defaults until an admin changes them; nothing is written)."""
    school_id = getattr(school, "pk", school)
    found = SchoolBehaviorSettings.objects.filter(school_id=school_id).first()
    return found or SchoolBehaviorSettings(school_id=school_id)


# -- writing ----------------------------------------------------------------------------------


def _check_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX_CHARS:
        raise MomentRefused(
            _("The note is %(count)d characters long; keep it to %(max)d.")
            % {"count": len(note), "max": NOTE_MAX_CHARS}
        )
    return note


def _check_message(text: str) -> None:
    """A family's written answer has the limit of every message."""
    try:
        check_length(text)
    except MessageTooLong as too_long:
        raise MomentRefused(str(too_long)) from None


def _check_category(category: Category, school_ids: Iterable[int]) -> None:
    if not category.is_active:
        raise MomentRefused(_("The category “%(name)s” is no longer in use.") % {"name": category})
    if any(school_id != category.school_id for school_id in school_ids):
        raise MomentRefused(
            _("The category “%(name)s” belongs to another school: choose one of this school's.")
            % {"name": category}
        )


def record_moments(
    staff: StaffMember, students: Sequence[Student | int], category: Category, note: str = ""
) -> list[Moment]:
    """One moment per student, in one transaction. Raises Http404 when a student is outside
    the staff member's scope and MomentRefused for a category they may not use."""
    note = _check_note(note)
    ids = list(dict.fromkeys(getattr(s, "pk", s) for s in students))
    if not ids:
        raise MomentRefused(_("Choose at least one student."))
    found = dict(recordable_students(staff).filter(pk__in=ids).values_list("pk", "school_id"))
    if len(found) != len(ids):
        raise Http404
    _check_category(category, found.values())
    now = timezone.now()
    moments = [
        Moment(
            student_id=student_id,
            school_id=found[student_id],
            category=category,
            recorded_by=staff,
            note=note,
            positive=category.is_positive,
            points=category.points,
            created_at=now,
        )
        for student_id in ids
    ]
    with transaction.atomic():
        Moment.objects.bulk_create(moments)
        if category.is_positive and category.visible_to_families:
            created = [moment.pk for moment in moments]
            transaction.on_commit(lambda: _enqueue_at_once(created))
    return moments


def _enqueue_at_once(moment_ids: list[int]) -> None:
    notices.notify_moments.enqueue(moment_ids)


def correct_moment(
    staff: StaffMember,
    moment: Moment,
    *,
    category: Category | None = None,
    note: str | None = None,
) -> Moment:
    if not may_change(staff, moment):
        raise PermissionDenied(
            _("Only the author (within a day) or a school admin may change this.")
        )
    if moment.is_withdrawn:
        raise MomentRefused(_("This moment was withdrawn; record a new one instead."))
    changes = {}
    if category is not None and category.pk != moment.category_id:
        _check_category(category, [moment.school_id])
        changes["category"] = [moment.category_id, category.pk]
        moment.category = category
        moment.positive = category.is_positive
        moment.points = category.points
    if note is not None:
        note = _check_note(note)
        if note != moment.note:
            changes["note"] = [moment.note, note]
            moment.note = note
    if not changes:
        return moment
    now = timezone.now()
    moment.corrected_at = now
    with transaction.atomic():
        moment.save(update_fields=["category", "positive", "points", "note", "corrected_at"])
        MomentAudit.objects.create(
            moment=moment, action=MomentAudit.Action.CORRECTED, by=staff, at=now, changes=changes
        )
    return moment


def withdraw_moment(staff: StaffMember, moment: Moment) -> Moment:
    """The moment leaves families' feeds and every notification not yet sent."""
    if not may_change(staff, moment):
        raise PermissionDenied(
            _("Only the author (within a day) or a school admin may change this.")
        )
    if moment.is_withdrawn:
        return moment
    now = timezone.now()
    with transaction.atomic():
        Moment.objects.filter(pk=moment.pk).update(withdrawn_at=now, withdrawn_by=staff)
        MomentAudit.objects.create(
            moment=moment, action=MomentAudit.Action.WITHDRAWN, by=staff, at=now
        )
    moment.withdrawn_at, moment.withdrawn_by = now, staff
    return moment


def review_moment(staff: StaffMember, moment: Moment) -> Moment:
    """A counselor, liaison or admin has looked at a needs-work moment: families may hear."""
    if not may_review(staff, moment.school):
        raise PermissionDenied(_("Only school-wide staff and admins review moments."))
    if moment.reviewed_at is None:
        now = timezone.now()
        with transaction.atomic():
            Moment.objects.filter(pk=moment.pk).update(reviewed_at=now, reviewed_by=staff)
            MomentAudit.objects.create(
                moment=moment, action=MomentAudit.Action.REVIEWED, by=staff, at=now
            )
        moment.reviewed_at, moment.reviewed_by = now, staff
    return moment


def respond(guardian: Guardian, moment: Moment, kind: str, text: str = "") -> FamilyResponse:
    """A family answers a moment. A written answer lands in the one conversation the family
    has with the moment's author about the child (started with it when there is none),
    quoting the moment it answers; a thank-you is a one-tap answer shown with the moment."""
    _check_message(text)
    if not feeds.family_feed(guardian, moment.student).filter(pk=moment.pk).exists():
        raise Http404
    if kind not in FamilyResponse.Kind.values:
        raise MomentRefused(_("Choose how to answer."))
    message = None
    if kind == FamilyResponse.Kind.MESSAGE:
        text = (text or "").strip()
        if not text:
            raise MomentRefused(_("Write a few words to send."))
        message = messaging.send_about_child(
            student=moment.student,
            staff=moment.recorded_by,
            by_guardian=guardian,
            text=text,
            quote=moment_quote(moment),
        )
    return FamilyResponse.objects.create(
        moment=moment,
        guardian=guardian,
        kind=kind,
        conversation_id=message.conversation_id if message else None,
        message=message,
    )


def moment_quote(moment: Moment) -> str:
    """The moment as a family's answer quotes it, in the school's words: "☺ Helping others —
    “Helped a classmate with fractions”" (each reader gets it in their language)."""
    category = moment.category
    quote = f"{category.icon} {category.name}".strip()
    if moment.note:
        quote += f" — “{moment.note}”"
    return quote
