"""Moments as they are read: the kept ones, a family's feed of a child, the review queue."""

from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from homeroom.languages import STAFF_LANGUAGE, base_language
from homeroom.people import access
from homeroom.people.models import (
    Guardian,
    StaffMember,
    Student,
)
from homeroom.translation.services import TranslationUnavailable, translate

from . import access as behavior_access
from .access import review_school_ids
from .models import (
    Moment,
    SchoolBehaviorSettings,
)

# -- reading ----------------------------------------------------------------------------------


def kept_moments() -> QuerySet[Moment]:
    """Every moment not withdrawn."""
    return Moment.objects.filter(withdrawn_at__isnull=True)


def family_visible() -> Q:
    """Moments a family may see: visible categories; needs-work only once reviewed where the
    school asks for review."""
    review_required = SchoolBehaviorSettings.objects.filter(
        school_id=OuterRef("school_id"), needs_work_review_required=True
    )
    return Q(category__visible_to_families=True) & (
        Q(positive=True) | Q(reviewed_at__isnull=False) | ~Q(Exists(review_required))
    )


def family_feed(guardian: Guardian, student: Student, *, zone=None) -> QuerySet[Moment]:
    """A guardian's view of one child's moments: newest day first, good news first within
    each day. Empty unless the guardian may see the child's records."""
    allowed = behavior_access.family_may_see(guardian, student)
    zone = zone or timezone.get_current_timezone()
    return (
        kept_moments()
        .filter(family_visible(), Exists(allowed), student=student)
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .order_by("-day", "-positive", "-created_at", "-pk")
    )


def translate_moments(moments, reader: str, school, protect) -> bool | None:
    """Give each moment `shown_category` and `shown_note` in the reader's language, in one
    batch. Returns whether any of it is machine-translated (None: not translated)."""
    for moment in moments:
        moment.shown_category, moment.shown_note = moment.category.name, moment.note
        moment.machine = False
    if base_language(reader) == STAFF_LANGUAGE or not moments:
        return False
    texts = list(dict.fromkeys(t for m in moments for t in (m.category.name, m.note) if t))
    try:
        done = translate(texts, STAFF_LANGUAGE, reader, school=school, protect=protect)
    except TranslationUnavailable:
        return None
    rendered = dict(zip(texts, done, strict=True))
    for moment in moments:
        name = rendered[moment.category.name]
        moment.shown_category = name.text
        moment.machine = name.machine
        if moment.note:
            note = rendered[moment.note]
            moment.shown_note = note.text
            moment.machine = moment.machine or note.machine
    return True


def family_stream(guardian: Guardian) -> QuerySet[Moment]:
    """What a guardian sees of every child's moments (those `family_feed` shows), newest
    first: the family home reads its latest from here."""
    children = behavior_access.children_seen_by(guardian)
    return (
        kept_moments()
        .filter(family_visible(), student_id__in=children)
        .order_by("-created_at", "-pk")
    )


# -- review -----------------------------------------------------------------------------------


def moments_awaiting_review(staff: StaffMember) -> QuerySet[Moment]:
    """Needs-work moments families would see once reviewed, oldest first."""
    return (
        kept_moments()
        .filter(
            school_id__in=review_school_ids(staff),
            positive=False,
            reviewed_at__isnull=True,
            category__visible_to_families=True,
            student__in=access.students_for(staff.user),
        )
        .order_by("created_at", "pk")
    )
