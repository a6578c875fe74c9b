"""Moments as they are read: the kept ones, a family's feed of a child, the review queue."""

from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from homeroom.people import access
from homeroom.people.models import (
    Guardian,
    StaffMember,
    Student,
)

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
