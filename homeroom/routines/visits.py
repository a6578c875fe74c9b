"""Home visits: times offered to a family, the family's answer, and what they shared."""

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from homeroom.languages import STAFF_LANGUAGE
from homeroom.messaging.services import catalogue_versions, start_conversation
from homeroom.people import access
from homeroom.people.models import Guardian, StaffMember, Student

from .common import RoutineRefused
from .models import NOTE_MAX_CHARS, VISIT_NOTE_MAX_CHARS, HomeVisit, VisitStatus


def visit_link(visit: HomeVisit) -> str:
    return settings.PUBLIC_BASE_URL + reverse("routines:visit", args=[visit.pk])


def propose_home_visit(
    staff: StaffMember,
    student: Student,
    guardian: Guardian,
    slots: list[datetime],
    now: datetime | None = None,
) -> HomeVisit:
    """Offer a family a few times for a home visit and send them the link to choose one."""
    now = now or timezone.now()
    slots = [slot for slot in slots if slot is not None]
    if not slots:
        raise RoutineRefused(_("Offer at least one time for the visit."))
    for slot in slots:
        if slot <= now:
            raise RoutineRefused(
                _("Each time must be in the future: %(when)s has passed.")
                % {"when": formats.date_format(timezone.localtime(slot), "DATETIME_FORMAT")}
            )
    if (
        not access.contactable_links(about_the_child=True)
        .filter(student=student, guardian=guardian)
        .exists()
    ):
        raise RoutineRefused(_("This family cannot be contacted."))
    visit = HomeVisit.objects.create(
        student=student,
        guardian=guardian,
        staff=staff,
        proposed_slots=sorted(slot.isoformat() for slot in slots),
    )

    def invitation() -> str:
        return _(
            "%(staff)s would like to visit you at home, to get to know your family and "
            "hear your hopes for %(name)s. Choose a time or propose another: %(link)s"
        ) % {
            "staff": staff.full_name,
            "name": student.preferred_name or student.given_name,
            "link": visit_link(visit),
        }

    with override(STAFF_LANGUAGE):
        text = invitation()
        subject = _("A home visit")
    start_conversation(
        student=student,
        by_staff=staff,
        text=text,
        subject=subject,
        subject_prepared=catalogue_versions(lambda: _("A home visit")),
        prepared=catalogue_versions(invitation),
    )
    return visit


def visit_slots(visit: HomeVisit) -> list[datetime]:
    return [datetime.fromisoformat(slot) for slot in visit.proposed_slots]


def answer_home_visit(
    visit: HomeVisit, *, slot: str = "", proposal: str = "", decline: bool = False
) -> HomeVisit:
    """The family picks one of the times offered, proposes another, or declines."""
    if visit.status == VisitStatus.DONE:
        raise RoutineRefused(_("This visit has taken place already."))
    proposal = (proposal or "").strip()
    if decline:
        visit.status = VisitStatus.DECLINED
        visit.confirmed_at = None
    elif slot:
        chosen = next((s for s in visit_slots(visit) if s.isoformat() == slot), None)
        if chosen is None:
            raise RoutineRefused(_("Pick one of the times offered, or propose another."))
        visit.status = VisitStatus.CONFIRMED
        visit.confirmed_at = chosen
    elif proposal:
        if len(proposal) > NOTE_MAX_CHARS:
            raise RoutineRefused(_("Keep it to %(max)d characters.") % {"max": NOTE_MAX_CHARS})
        visit.status = VisitStatus.PROPOSED
        visit.confirmed_at = None
        visit.family_proposal = proposal
    else:
        raise RoutineRefused(_("Pick one of the times offered, or propose another."))
    visit.save()
    return visit


def record_home_visit(
    visit: HomeVisit,
    *,
    hopes: str = "",
    worries: str = "",
    learning: str = "",
    share_with_teachers: bool = False,
) -> HomeVisit:
    """What the family shared, kept by the visitor; teachers read it only with consent."""
    notes = {
        "notes_hopes": (hopes or "").strip(),
        "notes_worries": (worries or "").strip(),
        "notes_learning": (learning or "").strip(),
    }
    if not any(notes.values()):
        raise RoutineRefused(_("Write down at least one thing the family shared."))
    if any(len(value) > VISIT_NOTE_MAX_CHARS for value in notes.values()):
        raise RoutineRefused(
            _("Keep each note to %(max)d characters.") % {"max": VISIT_NOTE_MAX_CHARS}
        )
    for name, value in notes.items():
        setattr(visit, name, value)
    visit.share_with_teachers = share_with_teachers
    visit.status = VisitStatus.DONE
    visit.save()
    return visit


def visits_for_staff(user, student: Student) -> list[HomeVisit]:
    """A student's home visits for a staff member who may see the student. The notes of a
    visit are theirs if they made it, and everyone's only when the family agreed."""
    viewer = access.viewer_for(user)
    if not viewer.is_staff_member:
        return []
    if not access.students_for(user).filter(pk=student.pk).exists():
        return []
    visits = list(HomeVisit.objects.filter(student=student).select_related("guardian", "staff"))
    for visit in visits:
        visit.notes_visible = visit.staff_id == viewer.staff.pk or visit.share_with_teachers
        visit.mine = visit.staff_id == viewer.staff.pk
    return [visit for visit in visits if visit.mine or visit.share_with_teachers]
