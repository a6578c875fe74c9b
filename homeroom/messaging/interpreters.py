"""People in the loop: interpreters write what no engine can, and anyone may fix a translation.

- ask_interpreter(message, languages, by_staff) holds the message's deliveries to families
  reading `languages` and opens one InterpreterRequest per language;
- flag_confusing(message, guardian, note) puts a family's "this translation is confusing"
  in the school's queue (one open request per message and guardian);
- correct_translation(message, language, text, by) stores a person's translation in the
  memory (reused from then on), replaces the message's copy in that language, closes the
  open requests about it, and sends held deliveries with the person's words;
- queue_for(user) / get_request_for(user, pk): the open requests of the schools where the
  user is an interpreter, a family liaison or a school admin; anything else is a 404.
"""

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from homeroom.languages import base_language
from homeroom.people.access import schools_of_district, viewer_for
from homeroom.people.models import Guardian, Role, StaffMember
from homeroom.translation.protection import names_of
from homeroom.translation.services import CORRECTION, correct

from . import outbox
from .models import Delivery, InterpreterRequest, MessageTranslation, Participant

# Who works the queue of a school.
QUEUE_ROLES = (Role.INTERPRETER, Role.FAMILY_LIAISON, Role.SCHOOL_ADMIN)
# Who may correct any translation of a school's conversations (others: their own threads).
CORRECTOR_ROLES = (Role.INTERPRETER, Role.SCHOOL_ADMIN)
MAX_NOTE_CHARS = 500

Kind = InterpreterRequest.Kind
Open = InterpreterRequest.Status.OPEN


class NothingToCorrect(ValueError):
    """A correction with no text: nothing is stored."""


# -- who -------------------------------------------------------------------------------------


def queue_school_ids(user) -> set[int]:
    return viewer_for(user).school_ids_with(*QUEUE_ROLES)


def queue_for(user) -> QuerySet[InterpreterRequest]:
    """Open requests of the user's schools, oldest first, with what the queue page shows."""
    schools = queue_school_ids(user)
    if not schools:
        raise Http404
    return (
        InterpreterRequest.objects.filter(school_id__in=schools, status=Open)
        .select_related(
            "school",
            "message__conversation__student",
            "message__author_staff",
            "message__author_guardian",
            "requested_by_staff",
            "requested_by_guardian",
        )
        .order_by("created_at", "pk")
    )


def get_request_for(user, pk) -> InterpreterRequest:
    try:
        return queue_for(user).get(pk=pk)
    except (InterpreterRequest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_correct(user, conversation) -> bool:
    """Interpreters and admins of the school correct any translation; staff in the
    conversation (its teacher) correct the ones in their own threads."""
    viewer = viewer_for(user)
    if not viewer.staff:
        return False
    if getattr(conversation, "as_staff", False):
        return True
    if viewer.is_district_admin and viewer.staff.district_id == conversation.district_id:
        return True
    return conversation.school_id in viewer.school_ids_with(*CORRECTOR_ROLES)


# -- requests ----------------------------------------------------------------------------------


def _queue_of(conversation):
    """The school whose interpreters' queue takes a conversation's requests: its own; for an
    announcement to the whole district (no school's), the district's first school. Its
    interpreters translate the text from the queue; the conversation stays closed to them."""
    if conversation.school_id is not None:
        return conversation.school
    return schools_of_district(conversation.district_id).first()


def ask_interpreter(message, languages, *, by_staff: StaffMember) -> list[InterpreterRequest]:
    """Hold the message for families reading `languages` until an interpreter writes it.

    Call it in the transaction that wrote the message, so no delivery leaves before it is held.
    """
    bases = sorted({base_language(tag) for tag in languages if tag})
    if not bases:
        return []
    readers = Q()
    for base in bases:
        readers |= Q(language__iexact=base) | Q(language__istartswith=f"{base}-")
    Delivery.objects.filter(
        readers,
        message=message,
        status__in=(Delivery.Status.QUEUED, Delivery.Status.HELD),
    ).update(status=Delivery.Status.AWAITING_INTERPRETER, enqueued_at=None)
    school = _queue_of(message.conversation)
    return InterpreterRequest.objects.bulk_create(
        InterpreterRequest(
            school=school,
            kind=Kind.INTERPRET_MESSAGE,
            message=message,
            language=base,
            requested_by_staff=by_staff,
        )
        for base in bases
    )


def flag_confusing(message, *, guardian: Guardian, language: str, note: str = ""):
    """A family finds a translation confusing: one open request per message and guardian."""
    existing = InterpreterRequest.objects.filter(
        message=message, requested_by_guardian=guardian, status=Open
    ).first()
    if existing is not None:
        return existing, False
    request = InterpreterRequest.objects.create(
        school=_queue_of(message.conversation),
        kind=Kind.CONFUSING_TRANSLATION,
        message=message,
        language=base_language(language),
        requested_by_guardian=guardian,
        note=note.strip()[:MAX_NOTE_CHARS],
    )
    return request, True


# -- corrections -----------------------------------------------------------------------------


def correct_translation(message, language: str, text: str, *, by: StaffMember):
    """A person's translation of `message` into `language`, kept and used from now on."""
    corrected = (text or "").strip()
    if not corrected:
        raise NothingToCorrect("a correction needs some text")
    target = base_language(language)
    source = message.detected_language or message.language
    conversation = message.conversation
    protect = _names(conversation, Participant)
    with transaction.atomic():
        correct(
            message.body,
            source,
            target,
            corrected,
            by=by.user if by is not None else None,
            school=conversation.school,
            protect=protect,
        )
        MessageTranslation.objects.update_or_create(
            message=message,
            language=target,
            defaults={
                "text": corrected,
                "provider": CORRECTION,
                "machine": False,
                "human_checked": True,
            },
        )
        now = timezone.now()
        InterpreterRequest.objects.filter(message=message, language=target, status=Open).update(
            status=InterpreterRequest.Status.DONE, resolved_by=by, resolved_at=now
        )
        waiting = Delivery.objects.filter(
            Q(language__iexact=target) | Q(language__istartswith=f"{target}-"),
            message=message,
            status=Delivery.Status.AWAITING_INTERPRETER,
        )
        released = list(waiting.values_list("pk", flat=True))
        if released:
            Delivery.objects.filter(pk__in=released).update(
                status=Delivery.Status.QUEUED,
                untranslated=False,
                next_attempt_at=now,
                enqueued_at=now,
            )
            # The worker keeps each family's quiet hours, as for any queued delivery.
            transaction.on_commit(lambda: _enqueue(released))
    return released


def _enqueue(ids):
    outbox.enqueue(ids)


def _names(conversation, participant_model) -> list[str]:
    """Names that must come through a translation untouched: the child's and everyone's here."""
    student = conversation.student
    people = [student] if student is not None else []
    rows = participant_model.objects.filter(conversation=conversation).select_related(
        "staff", "guardian"
    )
    if conversation.kind == "private":
        people += [row.staff or row.guardian for row in rows]
    else:
        people += [row.staff for row in rows.filter(staff__isnull=False)]
    return names_of(*people)
