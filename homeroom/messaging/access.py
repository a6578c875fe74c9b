"""Who may read which conversations: the messaging side of people/access.py.

- staff: the conversations they are part of;
- school admins: also every conversation of their schools, and district admins every one of
  their district (conversations are school records); each time they open one they are not
  part of, a ConversationAccess row records it;
- an announcement to the whole district belongs to the district, not to any school: only the
  district's admins read it (and its delivery list) or write into it, whoever else once
  joined it;
- guardians: the conversations they are part of, as long as they may still see the child's
  records (a court order later on closes the thread to them), and the announcements they
  received.

A family's own words are for the staff, and for the other guardians of the child only
within the author's household (`family_words_readers`, `family_words_visible_to`): a
message a guardian writes is never delivered to, nor shown to, the child's other household.
Staff words go to every contactable guardian in the conversation.

Two links to the same child are one household when they carry the same household label, or
when neither has one and both guardians live with the child; a guardian who lives apart
with no label is a household of their own.

An id outside the reader's scope is a 404, as everywhere else.
"""

from django.db.models import (
    BooleanField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
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

from homeroom.languages import STAFF_LANGUAGE
from homeroom.people.access import NOTHING, Viewer, viewer_for
from homeroom.people.models import (
    Guardian,
    Guardianship,
    StaffMember,
    Student,
)

from .audiences import addressable, audience_filter, recipient_links
from .models import Conversation, ConversationAccess, Message, MessageTranslation, Participant


def _staff_in(staff: StaffMember, conversation_ref="pk") -> Exists:
    return Exists(
        Participant.objects.filter(conversation_id=OuterRef(conversation_ref), staff=staff)
    )


def _guardian_in(guardian: Guardian, conversation_ref="pk") -> Exists:
    return Exists(
        Participant.objects.filter(conversation_id=OuterRef(conversation_ref), guardian=guardian)
    )


def _staff_member_of(viewer: Viewer) -> Q:
    """Conversations the staff member is part of; a district-wide one only while they are
    an admin of its district."""
    q = Q(_staff_in(viewer.staff), school__isnull=False)
    if viewer.is_district_admin:
        q |= Q(_staff_in(viewer.staff), district_id=viewer.staff.district_id)
    return q


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
    q = _staff_member_of(viewer)
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


def messages_for(user) -> QuerySet[Message]:
    """Messages a user may read: every one of the conversations they have as staff; as a
    family, of theirs, those `family_words_visible_to` them."""
    viewer = viewer_for(user)
    q = NOTHING
    if viewer.staff:
        q |= Q(conversation__in=Conversation.objects.filter(_staff_scope(viewer)))
    if viewer.guardian:
        family = Conversation.objects.filter(_family_scope(viewer.guardian))
        q |= Q(conversation__in=family) & family_words_visible_to(viewer.guardian)
    return Message.objects.filter(q)


def staff_inbox_for(user, *, everything: bool = False) -> QuerySet[Conversation]:
    """A staff member's conversations; with `everything`, all those they may review."""
    viewer = viewer_for(user)
    if not viewer.staff:
        return Conversation.objects.none()
    scope = _staff_scope(viewer) if everything else _staff_member_of(viewer)
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


def staff_with_family_messages(*, since, until):
    """The staff members in a conversation where a family wrote between `since` and `until`
    (one query, from the messages' time index)."""
    return StaffMember.objects.filter(
        Exists(
            Participant.objects.filter(
                staff=OuterRef("pk"),
                conversation__messages__author_guardian__isnull=False,
                conversation__messages__created_at__gt=since,
                conversation__messages__created_at__lte=until,
            )
        )
    )


def _unread_for_guardian(guardian: Guardian):
    """Messages by anyone else newer than `guardian`'s read marker in the same conversation."""
    return Message.objects.filter(
        Q(conversation__participants__last_read_at__isnull=True)
        | Q(created_at__gt=F("conversation__participants__last_read_at")),
        family_words_visible_to(guardian),
        conversation__participants__guardian=guardian,
    ).exclude(author_guardian=guardian)


# ---- who is listed in a conversation ----------------------------------------------------------


def people_listed_for(viewer: Viewer) -> QuerySet[Participant]:
    """The people of conversations as a staff reader sees them listed (inbox rows, the
    conversation page): every staff member; an announcement's families never (they may be
    thousands, and are not named to one another); a private conversation's guardians while
    their link to its child still lets the school tell them about the child. A guardian
    barred later on (a court order) drops out of the list, except for the admins of the
    conversation's school or district, who keep the records right: they see them with
    `restricted` set."""
    allowed = Exists(
        Guardianship.objects.about_the_child().filter(
            guardian=OuterRef("guardian"), student=OuterRef("conversation__student")
        )
    )
    guardian_ok = Q(conversation__student__isnull=True) | Q(allowed)
    admin_of = NOTHING
    if viewer.is_district_admin:
        admin_of |= Q(conversation__district_id=viewer.staff.district_id)
    if viewer.admin_school_ids:
        admin_of |= Q(conversation__school_id__in=viewer.admin_school_ids)
    private = Q(conversation__kind=Conversation.Kind.PRIVATE)
    return (
        Participant.objects.filter(Q(staff__isnull=False) | (private & (guardian_ok | admin_of)))
        .annotate(
            restricted=ExpressionWrapper(
                Q(guardian__isnull=False) & ~guardian_ok, output_field=BooleanField()
            )
        )
        .select_related("staff", "guardian")
        .order_by("pk")
    )


def deliveries_listed_for(viewer: Viewer, conversation: Conversation) -> Q:
    """Over Delivery: whose deliveries a staff reader sees in a conversation's delivery list.
    Like `people_listed_for`: in a private conversation, a guardian barred since drops out,
    except for the admins of its school or district."""
    if conversation.kind != Conversation.Kind.PRIVATE or conversation.student_id is None:
        return Q()
    if viewer.is_district_admin and viewer.staff.district_id == conversation.district_id:
        return Q()
    if conversation.school_id in viewer.admin_school_ids:
        return Q()
    allowed = Guardianship.objects.about_the_child().filter(
        guardian=OuterRef("guardian"), student_id=conversation.student_id
    )
    return Q(Exists(allowed))


# ---- a family's own words ----------------------------------------------------------------


def _shares_a_household(link_ref: str = "household") -> Q:
    """Links in the household of the link at `link_ref` (see the module docstring)."""
    return Q(household=OuterRef(link_ref)) & (~Q(household="") | Q(lives_with=True))


def family_links_in(conversation: Conversation, guardian_ids: list[int]) -> QuerySet[Guardianship]:
    """The links that make a conversation's families, to count them as households: a private
    one's guardians (`guardian_ids`, loaded with the page) through their links to its child;
    an announcement's, who are not loaded with the page, through the links its audience
    covers."""
    if conversation.kind == Conversation.Kind.PRIVATE:
        return Guardianship.objects.filter(
            student_id=conversation.student_id, guardian_id__in=guardian_ids
        )
    members = Participant.objects.filter(conversation=conversation, guardian__isnull=False)
    return recipient_links(audience_filter(conversation.audience, conversation.school_id)).filter(
        guardian_id__in=members.values("guardian_id")
    )


def family_words_readers(author: Guardian, student: Student | None) -> QuerySet[Guardian]:
    """The other guardians who may read what `author` writes about `student`: those of the
    author's household whom the school may tell about the child. None without a child."""
    if student is None:
        return Guardian.objects.none()
    own = Guardianship.objects.filter(guardian=author, student=student).filter(
        ~Q(household="") | Q(lives_with=True)
    )
    same_home = Guardianship.objects.about_the_child().filter(
        Exists(own.filter(household=OuterRef("household"))),
        ~Q(household="") | Q(lives_with=True),
        student=student,
    )
    return Guardian.objects.filter(
        pk__in=same_home.exclude(guardian=author).values("guardian_id"), is_active=True
    )


def family_words_visible_to(guardian: Guardian, message_ref: str = "") -> Q:
    """Over Message (or, with `message_ref`, over a model reaching Message by it): what a
    guardian reader may see. Staff words, their own, and those of a guardian of their
    household about the conversation's child."""
    prefix = f"{message_ref}__" if message_ref else ""
    readers_link = Guardianship.objects.filter(guardian=guardian, student=OuterRef("student"))
    authors_link = Guardianship.objects.filter(
        ~Q(household="") | Q(lives_with=True),
        Exists(readers_link.filter(_shares_a_household())),
        guardian=OuterRef(f"{prefix}author_guardian"),
        student=OuterRef(f"{prefix}conversation__student"),
    )
    return (
        Q(**{f"{prefix}author_guardian__isnull": True})
        | Q(**{f"{prefix}author_guardian": guardian})
        | Q(Exists(authors_link))
    )


def unread_count_for_family(user) -> int:
    """How many messages wait for a guardian, over every conversation they may read: one query."""
    viewer = viewer_for(user)
    if not viewer.guardian:
        return 0
    visible = family_inbox_for(user).values("pk")
    return _unread_for_guardian(viewer.guardian).filter(conversation_id__in=visible).count()


def school_words_for_family(user, *, unread: bool = False) -> QuerySet[Message]:
    """What the school wrote to a guardian, over every conversation they may read as family
    (with `unread`, only what came after their last visit of its conversation); nothing for
    anyone else. Staff words are every family reader's to see, so no household rule applies."""
    viewer = viewer_for(user)
    if not viewer.guardian:
        return Message.objects.none()
    messages = Message.objects.filter(
        author_staff__isnull=False, conversation__in=family_inbox_for(user)
    )
    if unread:
        messages = messages.filter(
            Q(conversation__participants__last_read_at__isnull=True)
            | Q(created_at__gt=F("conversation__participants__last_read_at")),
            conversation__participants__guardian=viewer.guardian,
        )
    return messages


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
        last = last.filter(family_words_visible_to(viewer.guardian))
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
        last_in_reader_language=_in_language(reader_language, as_family=as_family),
        unread=unread,
        guardian_count=Coalesce(Subquery(families, output_field=IntegerField()), Value(0)),
    )


def _in_language(reader_language: str, *, as_family: bool):
    """The last message in the reader's language; for staff, else in the staff language
    (written before the reader chose theirs)."""

    def copy(language):
        return Subquery(
            MessageTranslation.objects.filter(
                message_id=OuterRef("last_message_id"), language=language
            ).values("text")[:1]
        )

    if as_family or reader_language == STAFF_LANGUAGE:
        return copy(reader_language)
    return Coalesce(copy(reader_language), copy(STAFF_LANGUAGE))


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
    conversations = conversations_for(user).select_related(
        "school", "district", "student", "section"
    )
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


# ---- who may write into one ------------------------------------------------------------------


def viewer_of_staff(staff: StaffMember) -> Viewer:
    """Who a staff member is, signed in or not (automatic messages go out in their name)."""
    if staff.user_id:
        viewer = viewer_for(staff.user)
        if viewer.staff is not None and viewer.staff.pk == staff.pk:
            return viewer
    if not staff.is_active:
        return Viewer(user_id=None)
    roles: dict[int, set[str]] = {}
    rows = staff.assignments.filter(school__is_active=True).values_list("school_id", "role")
    for school_id, role in rows:
        roles.setdefault(school_id, set()).add(role)
    return Viewer(user_id=None, staff=staff, roles_by_school=roles)


def staff_write_access(staff: StaffMember, conversation: Conversation) -> bool | None:
    """Whether a staff member may write into a conversation (None: no; False: yes, and they
    are not in it yet; True: yes, and they are). They write where they may read; into an
    announcement only when they may address its audience (what goes in reaches every family
    in it; `audiences.addressable`). One query."""
    viewer = viewer_of_staff(staff)
    if viewer.staff is None:
        return None
    writable = _staff_scope(viewer) & (Q(kind=Conversation.Kind.PRIVATE) | addressable(viewer))
    rows = (
        Conversation.objects.filter(writable, pk=conversation.pk)
        .annotate(joined=_staff_in(viewer.staff))
        .values_list("joined", flat=True)
    )
    return next(iter(rows), None)


def staff_may_write(staff: StaffMember, conversation: Conversation) -> bool:
    return staff_write_access(staff, conversation) is not None
