"""What the conversation screens share: paging, the reader's language, which children a
conversation is about, how refusals read, and holding a message for an interpreter.
"""

from contextlib import nullcontext

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from homeroom.languages import STAFF_LANGUAGE, base_language, reading_language
from homeroom.messaging import interpreters
from homeroom.people import access as people_access
from homeroom.people.models import Enrollment, Student

from .. import access
from ..inbound.service import MAX_REPLY_CHARS
from ..models import Conversation

PAGE_SIZE = 25
THREAD_SIZE = 50


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def children_of(user, viewer) -> list[Student]:
    """The guardian's children whose records they may see, with the classes they are in."""
    links = (
        people_access.guardianships_for(user)
        .filter(guardian=viewer.guardian)
        .select_related("student")
        .prefetch_related(
            Prefetch(
                "student__enrollments",
                queryset=Enrollment.objects.filter(is_active=True),
                to_attr="active_enrollments",
            )
        )
        .order_by("student__given_name", "student__family_name", "pk")
    )
    return [link.student for link in links]


def children_in(conversation, children) -> list[Student]:
    """Which of a family's children a conversation is about; for an announcement, those in
    its audience, so a family with several children sees which one it concerns."""
    if conversation.student_id:
        return [conversation.student]
    audience = conversation.audience or {}
    kind = audience.get("kind")
    if kind == "section":
        return [
            child
            for child in children
            if any(e.section_id == conversation.section_id for e in child.active_enrollments)
        ]
    if kind == "grade":
        return [
            child
            for child in children
            if child.school_id == conversation.school_id and child.grade == audience.get("grade")
        ]
    if kind == "district":
        return children
    return [child for child in children if child.school_id == conversation.school_id]


def people_shown(viewer):
    """Who is listed in a conversation, as messaging/access.py decides for this reader."""
    return access.people_listed_for(viewer)


def marked_guardian(participant):
    """The guardian, marked when access lists them only as barred (for an admin's eyes)."""
    participant.guardian.restricted = getattr(participant, "restricted", False)
    return participant.guardian


def audience_label(conversation) -> str:
    """Who an announcement went to, in the reader's words."""
    if conversation.kind != Conversation.Kind.ANNOUNCEMENT:
        return ""
    kind = (conversation.audience or {}).get("kind")
    if kind == "district" or conversation.school_id is None:
        return _("Every family in the district")
    school = conversation.school.name
    if kind == "section" and conversation.section_id:
        return _("Families of %(section)s, %(school)s") % {
            "section": conversation.section.title,
            "school": school,
        }
    if kind == "grade":
        return _("Families of grade %(grade)s, %(school)s") % {
            "grade": conversation.audience.get("grade", ""),
            "school": school,
        }
    if kind == "group":
        return _("Members of %(group)s, %(school)s") % {
            "group": conversation.audience.get("name", ""),
            "school": school,
        }
    return _("Every family at %(school)s") % {"school": school}


def family_language(viewer) -> str:
    return base_language(viewer.guardian.language) or STAFF_LANGUAGE


def reader_language(viewer, *, as_family: bool) -> str:
    """The language the viewer reads messages in: the family's, or the staff member's own."""
    return family_language(viewer) if as_family else reading_language(viewer.staff)


def show_subject(conversation, reader: str) -> None:
    """The subject as the reader reads it (`shown_subject`), and whether that is a
    translation of what was written (`subject_translated`)."""
    conversation.shown_subject = conversation.subject_in(reader)
    conversation.subject_translated = conversation.shown_subject != conversation.subject


def refusal_text(reason: str) -> str:
    if reason == "empty":
        return _("Write a message first.")
    if reason == "too_long":
        return _("The message is too long; keep it to %(limit)d characters or fewer.") % {
            "limit": MAX_REPLY_CHARS
        }
    if reason == "not_contactable":
        return _(
            "The school cannot take messages from you about this child here. "
            "Please call the school office."
        )
    return _("Your message could not be sent. Please call the school office.")


def holding(form):
    """Asking an interpreter holds deliveries in the transaction that writes the message, so
    none leaves before it is held; otherwise the message is written as usual."""
    if form.ask_interpreter:
        return transaction.atomic()
    return nullcontext()


def ask_an_interpreter(form, message, viewer) -> None:
    if form.ask_interpreter:
        interpreters.ask_interpreter(
            message, [group.language for group in form.untranslatable], by_staff=viewer.staff
        )


def sent_text(form) -> str:
    if form.ask_interpreter:
        return _(
            "Your message was sent. Families without a translation will get it once an "
            "interpreter has translated it."
        )
    return _("Your message was sent.")
