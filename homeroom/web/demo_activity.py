"""A few days of school life for the demo district, so a family signing in to `make run`
meets a living home: good news about each child, a teacher's message waiting, a weekly
update. Built through the apps' own services, as a teacher would have done it."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from homeroom.behavior import recording
from homeroom.behavior.models import Moment
from homeroom.messaging import services
from homeroom.people import access, demo_plan
from homeroom.people.models import Guardian, StaffMember

GOOD_NEWS = (
    "{name} explained a strategy for comparing fractions to the whole class.",
    "{name} read a story aloud with confidence and helped a classmate find the page.",
)
MESSAGE = (
    "{name} did very well on today's quiz. Thank you for practising with {name} at home; it shows."
)


def _teacher_of(student) -> StaffMember | None:
    teaching = (
        access.teachers_of_student(student).select_related("staff").order_by("-is_primary", "pk")
    ).first()
    return teaching.staff if teaching else None


def seed_activity() -> int:
    """Moments and a message for the demo guardian's children, once. Returns how many items
    were added (0 when the demo already has them, or has no demo guardian)."""
    guardian = Guardian.objects.filter(phone=demo_plan.DEMO_GUARDIAN_PHONE).first()
    if guardian is None or guardian.user is None:
        return 0
    children = [
        link.student
        for link in access.own_children_links(guardian.user)
        .select_related("student", "student__school")
        .order_by("-student__grade", "student__given_name")
    ]
    if not children or Moment.objects.filter(student__in=children).exists():
        return 0
    demo_teacher = StaffMember.objects.filter(email=demo_plan.DEMO_TEACHER_EMAIL).first()
    added = 0
    now = timezone.now()
    for age, child in enumerate(children):
        teacher = _teacher_of(child)
        if teacher is None:
            continue
        categories = recording.ensure_default_categories(child.school)
        positive = next(c for c in categories if c.is_positive)
        note = GOOD_NEWS[age % len(GOOD_NEWS)].format(name=child.given_name)
        with transaction.atomic():
            moments = recording.record_moments(teacher, [child], positive, note)
            # The first child's news is today's; the next ones are from the days before.
            Moment.objects.filter(pk__in=[m.pk for m in moments]).update(
                created_at=now - timedelta(days=age)
            )
        added += len(moments)
        if teacher == demo_teacher or (age == 0 and demo_teacher is None):
            services.start_conversation(
                student=child, by_staff=teacher, text=MESSAGE.format(name=child.given_name)
            )
            added += 1
    return added
