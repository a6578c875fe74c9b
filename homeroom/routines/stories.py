""" "Tell me about your child": each family, once a school year, tells the school about their
child in their own words and language; staff read it translated."""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from homeroom.languages import STAFF_LANGUAGE, base_language
from homeroom.messaging.services import catalogue_versions, start_conversation
from homeroom.people import access
from homeroom.people.models import Guardian, School, StaffMember, Student
from homeroom.translation.detection import detect_language
from homeroom.translation.services import TranslationUnavailable, translate

from .common import RoutineRefused, roster, school_year_of
from .models import STORY_MAX_CHARS, FamilyStory, StoryInvitation


def story_link(student: Student) -> str:
    return settings.PUBLIC_BASE_URL + reverse("routines:story", args=[student.pk])


@dataclass
class InviteResult:
    sent: int = 0
    already: int = 0
    no_family: list = field(default_factory=list)


def _story_invitation_text(student: Student) -> str:
    # Rendered in the active language: the staff copy, and (through catalogue_versions) a
    # reviewed copy per language we ship; messaging translates it for any other language.
    return _(
        "Tell us about %(name)s, in your own words and in any language: what they love, "
        "what they are good at, what worries you, how they learn best. Write it here: "
        "%(link)s"
    ) % {"name": student.preferred_name or student.given_name, "link": story_link(student)}


def _story_subject() -> str:
    return _("Tell us about your child")


def _with_staff_language(render, *args) -> str:
    with override(STAFF_LANGUAGE):
        return render(*args)


def invite_family_stories(
    section_or_school, by_staff: StaffMember, today: date | None = None
) -> InviteResult:
    """Invite each student's contactable families to tell us about the child, once a year."""
    if isinstance(section_or_school, School):
        students = Student.objects.filter(school=section_or_school, is_active=True)
    else:
        students = roster(section_or_school)
    students = students.filter(pk__in=access.students_for(by_staff.user).values("pk"))
    school_year = school_year_of(today or timezone.localdate())
    reachable = Exists(
        access.contactable_links(about_the_child=True).filter(student=OuterRef("pk"))
    )
    result = InviteResult()
    for student in students.annotate(reachable=reachable).order_by("family_name", "pk"):
        if not student.reachable:
            result.no_family.append(student)
            continue
        try:
            with transaction.atomic():
                invitation = StoryInvitation.objects.create(
                    student=student, school_year=school_year, invited_by=by_staff
                )
        except IntegrityError:
            result.already += 1
            continue
        conversation = start_conversation(
            student=student,
            by_staff=by_staff,
            text=_with_staff_language(_story_invitation_text, student),
            prepared=catalogue_versions(lambda student=student: _story_invitation_text(student)),
            subject=_with_staff_language(_story_subject),
            subject_prepared=catalogue_versions(_story_subject),
        )
        invitation.message = conversation.messages.order_by("pk").first()
        invitation.save(update_fields=["message"])
        result.sent += 1
    return result


def story_for(student: Student, guardian: Guardian, today: date | None = None):
    """This school year's story by this guardian, or None."""
    school_year = school_year_of(today or timezone.localdate())
    return FamilyStory.objects.filter(
        student=student, guardian=guardian, school_year=school_year
    ).first()


def save_story(
    student: Student, guardian: Guardian, text: str, today: date | None = None
) -> FamilyStory:
    """Keep a family's story of their child (this school year's; saving again edits it) and
    its English translation for staff."""
    text = (text or "").strip()
    if not text:
        raise RoutineRefused(_("Write a few words about your child before saving."))
    if len(text) > STORY_MAX_CHARS:
        raise RoutineRefused(
            _(
                "Your story is %(count)s characters long; we can keep up to %(max)s. "
                "Please shorten it and save again."
            )
            % {
                "count": number_format(len(text), force_grouping=True),
                "max": number_format(STORY_MAX_CHARS, force_grouping=True),
            }
        )
    language = detect_language(text, prior=guardian.language or None).language
    translated = text if base_language(language) == STAFF_LANGUAGE else ""
    if not translated:
        names = [
            student.given_name,
            student.family_name,
            student.preferred_name,
            guardian.given_name,
            guardian.family_name,
        ]
        try:
            (translation,) = translate(
                [text],
                language,
                STAFF_LANGUAGE,
                school=student.school,
                protect=[name for name in names if name],
            )
            translated = translation.text
        except TranslationUnavailable:
            translated = ""  # staff read the original, marked untranslated
    now = timezone.now()
    story, _created = FamilyStory.objects.update_or_create(
        student=student,
        guardian=guardian,
        school_year=school_year_of(today or timezone.localdate()),
        defaults={
            "text": text,
            "language": language,
            "translated_text": translated,
            "updated_at": now,
        },
        create_defaults={
            "text": text,
            "language": language,
            "translated_text": translated,
            "created_at": now,
            "updated_at": now,
        },
    )
    return story


def stories_for_staff(user, student: Student) -> list[FamilyStory]:
    """The families' stories of a student, for staff who may see the student; else none."""
    viewer = access.viewer_for(user)
    if not viewer.is_staff_member:
        return []
    if not access.students_for(user).filter(pk=student.pk).exists():
        return []
    return list(FamilyStory.objects.filter(student=student).select_related("guardian"))
