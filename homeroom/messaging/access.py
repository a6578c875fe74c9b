"""Who may read which conversations: the messaging side of people/access.py.

- staff: the conversations they are part of;
- school admins: also every conversation of their schools, and district admins every one of
  their district (conversations are school records); each time they open one they are not
  part of, a ConversationAccess row records it;
- guardians: the conversations they are part of, as long as they may still see the child's
  records (a court order later on closes the thread to them), and the announcements they
  received.

An id outside the reader's scope is a 404, as everywhere else.
"""

from django.db.models import (
    BooleanField,
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from homeroom.people.access import NOTHING, Viewer, viewer_for
from homeroom.people.models import Guardian, Guardianship, StaffMember

from .models import Conversation, ConversationAccess, Message, MessageTranslation, Participant


def _staff_in(staff: StaffMember, conversation_ref="pk") -> Exists:
    return Exists(
        Participant.objects.filter(conversation_id=OuterRef(conversation_ref), staff=staff)
    )


def _guardian_in(guardian: Guardian, conversation_ref="pk") -> Exists:
    return Exists(
        Participant.objects.filter(conversation_id=OuterRef(conversation_ref), guardian=guardian)
    )


def _family_scope(guardian: Guardian) -> Q:
    """A guardian's conversations: theirs, about a child whose records they may still see."""
    child_visible = Exists(
        Guardianship.objects.filter(
            guardian=guardian,
            student=OuterRef("student"),
            is_active=True,
            may_see_records=True,
            student__is_active=True,
        )
    )
    about = (
        Q(kind=Conversation.Kind.ANNOUNCEMENT)
        | Q(kind=Conversation.Kind.PRIVATE, student__isnull=True)
        | Q(child_visible)
    )
    return Q(_guardian_in(guardian)) & about


def _staff_scope(viewer: Viewer) -> Q:
    q = Q(_staff_in(viewer.staff))
    if viewer.is_district_admin:
        q |= Q(school__district_id=viewer.staff.district_id)
    if viewer.admin_school_ids:
        q |= Q(school_id__in=viewer.admin_school_ids)
    return q


def conversations_for(user) -> QuerySet[Conversation]:
    viewer = viewer_for(user)
    q = NOTHING
    if viewer.staff:
        q |= _staff_scope(viewer)
    if viewer.guardian:
        q |= _family_scope(viewer.guardian)
    return Conversation.objects.filter(q)


def staff_inbox_for(user, *, everything: bool = False) -> QuerySet[Conversation]:
    """A staff member's conversations; with `everything`, all those they may review."""
    viewer = viewer_for(user)
    if not viewer.staff:
        return Conversation.objects.none()
    scope = _staff_scope(viewer) if everything else Q(_staff_in(viewer.staff))
    return Conversation.objects.filter(scope)


def family_inbox_for(user) -> QuerySet[Conversation]:
    viewer = viewer_for(user)
    if not viewer.guardian:
        return Conversation.objects.none()
    return Conversation.objects.filter(_family_scope(viewer.guardian))


# ---- unread ----------------------------------------------------------------------------------


def _unread_for_staff(staff: StaffMember):
    """Family messages newer than `staff`'s read marker in the same conversation.

    Driven from the reader's own participant rows (one join, both sides indexed), so the
    cost follows the reader's conversations, not every message in the district."""
    return Message.objects.filter(
        Q(conversation__participants__last_read_at__isnull=True)
        | Q(created_at__gt=F("conversation__participants__last_read_at")),
        conversation__participants__staff=staff,
        author_guardian__isnull=False,
    )


def _unread_for_guardian(guardian: Guardian):
    """Messages by anyone else newer than `guardian`'s read marker in the same conversation."""
    return Message.objects.filter(
        Q(conversation__participants__last_read_at__isnull=True)
        | Q(created_at__gt=F("conversation__participants__last_read_at")),
        conversation__participants__guardian=guardian,
    ).exclude(author_guardian=guardian)


def unread_count_for_family(user) -> int:
    """How many messages wait for a guardian, over every conversation they may read: one query."""
    viewer = viewer_for(user)
    if not viewer.guardian:
        return 0
    visible = family_inbox_for(user).values("pk")
    return _unread_for_guardian(viewer.guardian).filter(conversation_id__in=visible).count()


def _count(messages) -> Coalesce:
    per_conversation = (
        messages.filter(conversation_id=OuterRef("pk"))
        .order_by()
        .values("conversation_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_conversation, output_field=IntegerField()), Value(0))


def with_inbox_details(
    conversations: QuerySet[Conversation], viewer: Viewer, *, as_family: bool, reader_language: str
) -> QuerySet[Conversation]:
    """Each conversation with its last message (and that message in the reader's language)
    and the reader's unread count, computed in the same query."""
    last = Message.objects.filter(conversation_id=OuterRef("pk")).order_by("-created_at", "-pk")
    if as_family:
        unread = _count(_unread_for_guardian(viewer.guardian))
    else:
        unread = _count(_unread_for_staff(viewer.staff))
    families = (
        Participant.objects.filter(conversation_id=OuterRef("pk"), guardian__isnull=False)
        .order_by()
        .values("conversation_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return conversations.annotate(
        last_message_id=Subquery(last.values("pk")[:1]),
        last_body=Subquery(last.values("body")[:1]),
        last_language=Subquery(last.values("language")[:1]),
        last_author_guardian_id=Subquery(last.values("author_guardian_id")[:1]),
        last_in_reader_language=Subquery(
            MessageTranslation.objects.filter(
                message_id=OuterRef("last_message_id"), language=reader_language
            ).values("text")[:1]
        ),
        unread=unread,
        family_count=Coalesce(Subquery(families, output_field=IntegerField()), Value(0)),
    )


# ---- one conversation or 404 -----------------------------------------------------------------


def _read_marker(**person):
    return Subquery(
        Participant.objects.filter(conversation_id=OuterRef("pk"), **person).values("last_read_at")[
            :1
        ],
        output_field=DateTimeField(),
    )


def get_conversation_for(user, pk) -> Conversation:
    """The conversation, with its school, student and section, and how the reader is in it:
    `as_staff` / `as_guardian` (a participant as such) and `read_marker` (their last read,
    before this visit). A leader opening a conversation they are not part of is logged."""
    viewer = viewer_for(user)
    conversations = conversations_for(user).select_related("school", "student", "section")
    no = Value(False, output_field=BooleanField())
    none = Value(None, output_field=DateTimeField())
    conversations = conversations.annotate(
        as_staff=_staff_in(viewer.staff) if viewer.staff else no,
        as_guardian=_guardian_in(viewer.guardian) if viewer.guardian else no,
        staff_read_marker=_read_marker(staff=viewer.staff) if viewer.staff else none,
        guardian_read_marker=_read_marker(guardian=viewer.guardian) if viewer.guardian else none,
    )
    try:
        conversation = conversations.get(pk=pk)
    except (Conversation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    conversation.as_family = conversation.as_guardian and not conversation.as_staff
    conversation.read_marker = (
        conversation.guardian_read_marker
        if conversation.as_family
        else conversation.staff_read_marker
    )
    conversation.reviewing = bool(viewer.staff) and not (
        conversation.as_staff or conversation.as_guardian
    )
    if conversation.reviewing:
        ConversationAccess.objects.create(conversation=conversation, staff=viewer.staff)
    return conversation


def log_reviews(user, conversation_ids) -> None:
    """A leader read these conversations elsewhere than on their page (the contact timeline):
    each one they are not part of is logged, as opening it would be."""
    viewer = viewer_for(user)
    ids = set(conversation_ids)
    if not viewer.staff or not ids:
        return
    in_it = Participant.objects.filter(conversation_id__in=ids).filter(
        Q(staff=viewer.staff) | (Q(guardian=viewer.guardian) if viewer.guardian else NOTHING)
    )
    reviewed = ids - set(in_it.values_list("conversation_id", flat=True))
    ConversationAccess.objects.bulk_create(
        ConversationAccess(conversation_id=pk, staff=viewer.staff) for pk in sorted(reviewed)
    )
