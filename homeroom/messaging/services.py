"""Conversations and the outbox: every write that matters, named in the product's words.

Contract (the signatures other modules code against):

- start_conversation(*, student, by_staff=None, by_guardian=None, staff=(), text,
  subject="", urgent_reason="", channel="app", language=None, prepared=None) -> Conversation
    A private conversation about `student` between staff and the student's contactable
    guardians (active guardianship with may_contact, active guardian), each a Participant.
    By staff: `by_staff` and the colleagues in `staff`. By a guardian: the staff in `staff`
    (the student's teachers or other staff of the school), or the school office (its family
    liaisons, else its school admins) when `staff` is empty; of the guardians, only the
    author's household (a family's words never reach the child's other household).
- send_message(conversation, *, text, by_staff=None, by_guardian=None, urgent_reason="",
  channel="app", automatic=False, language=None, prepared=None, quote="") -> Message
    One transaction: the Message (in `language`, else the author's: staff write in English,
    a guardian in their own language), one MessageTranslation per other reader language,
    and one Delivery per guardian recipient on the channel that can reach them; delivery is
    queued when the transaction commits. Staff read in the app (no Delivery).
    Raises PermissionDenied, writing nothing, when `by_staff` may not write there
    (messaging/access.py `staff_may_write`: an announcement only by those who may address
    its audience, a district-wide one only by the district's admins).
- conversation_about(student, staff, *, guardian=None) -> Conversation | None
    The standing conversation between a staff member and the family about one child.
- send_about_child(*, student, staff, text, by_guardian=None, subject="", quote="", ...)
  -> Message
    A message in that conversation, started with it when there is none: the weekly
    update's sentences, a family's answer to a moment (quoting it) and the replies.
- send_announcement(*, by_staff, audience: Audience, text, subject="",
  urgent_reason="", subject_prepared=None, prepared=None) -> Conversation
    Raises Http404 for a section or school outside the sender's scope and PermissionDenied
    for one they may see but not announce to.
- reply_to_announcement(announcement, *, guardian, text, channel) -> Conversation
- mark_read(conversation, *, staff=None, guardian=None) -> None
- receive_reply (in messaging/inbound/service.py) is the one path for everything families
  send: web form, SMS webhook, email gate.

A non-empty `urgent_reason` makes a message urgent: it is sent during quiet hours too.
Translation happens before the write transaction (a translation engine may take a second;
the database is not held meanwhile); a language no engine serves gets the original text and
its deliveries are marked `untranslated`.
The writer every path shares (`open_conversation`, `write_message`, `_translate`) is in
messaging/writing.py; who may announce to whom, in messaging/audiences.py.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from homeroom.languages import STAFF_LANGUAGE
from homeroom.people import access
from homeroom.people.models import (
    Assignment,
    Guardian,
    Role,
    School,
    StaffMember,
    Student,
)
from homeroom.translation.protection import names_of
from homeroom.translation.services import (
    Translation,
)

from . import access as messaging_access
from . import audiences
from .attachments import IncomingMedia
from .audiences import Audience
from .limits import check_length
from .models import (
    Conversation,
    Delivery,
    Message,
    Participant,
    SmsOptOut,
)
from .writing import (
    _base,
    _source_language,
    _translate,
    open_conversation,
    quote_versions,
    staff_readers,
    write_message,
)

# What send_announcement and the bulk path need of each guardian, and nothing more.
GUARDIAN_FIELDS = (
    "id",
    "given_name",
    "family_name",
    "language",
    "channel",
    "email",
    "quiet_start",
    "quiet_end",
    "time_zone",
)


# -- conversations ----------------------------------------------------------------------------


def start_conversation(
    *,
    student: Student,
    by_staff: StaffMember | None = None,
    by_guardian: Guardian | None = None,
    staff: Iterable[StaffMember] = (),
    text: str,
    subject: str = "",
    urgent_reason: str = "",
    channel: str = "app",
    language: str | None = None,
    prepared: Mapping[str, str | Translation] | None = None,
    subject_prepared: Mapping[str, str] | None = None,
    standing: bool = False,
    quote: str = "",
    quote_prepared: Mapping[str, str] | None = None,
    media: Sequence[IncomingMedia] = (),
) -> Conversation:
    _check_author(by_staff, by_guardian)
    _check_text(text)
    student = Student.objects.select_related("school").get(pk=student.pk)
    guardians = list(with_opt_out(_contactable_guardians(Q(student=student), about_the_child=True)))
    if by_staff is not None:
        if not access.students_for(by_staff.user).filter(pk=student.pk).exists():
            raise Http404
        colleagues = _check_staff_of(student, staff)
        members = _unique([by_staff, *colleagues])
        started_by = Conversation.StartedBy.SCHOOL
    else:
        if by_guardian.pk not in {guardian.pk for guardian in guardians}:
            raise Http404
        # A family's words reach the staff and its own household, never the other one.
        household = set(
            messaging_access.family_words_readers(by_guardian, student).values_list("pk", flat=True)
        )
        guardians = [g for g in guardians if g.pk == by_guardian.pk or g.pk in household]
        members = _unique(_check_staff_of(student, staff)) or school_office(student.school)
        started_by = Conversation.StartedBy.FAMILY
    conversation = Conversation(
        kind=Conversation.Kind.PRIVATE,
        school=student.school,
        student=student,
        subject=subject,
        started_by=started_by,
        standing=standing,
    )
    return open_conversation(
        conversation,
        staff=members,
        guardians=guardians,
        text=text,
        by_staff=by_staff,
        by_guardian=by_guardian,
        urgent_reason=urgent_reason,
        channel=channel,
        language=language,
        protect=names_of(student, *guardians, *members),
        prepared=prepared,
        subject_prepared=subject_prepared,
        quote=quote,
        quote_prepared=quote_prepared,
        media=media,
    )


def send_message(
    conversation: Conversation,
    *,
    text: str,
    by_staff: StaffMember | None = None,
    by_guardian: Guardian | None = None,
    urgent_reason: str = "",
    channel: str = "app",
    automatic: bool = False,
    language: str | None = None,
    prepared: Mapping[str, str | Translation] | None = None,
    media: Sequence[IncomingMedia] = (),
    quote: str = "",
    quote_prepared: Mapping[str, str] | None = None,
) -> Message:
    _check_author(by_staff, by_guardian)
    _check_text(text, media)
    if by_guardian is not None:
        if conversation.kind != Conversation.Kind.PRIVATE:
            raise ValueError("families answer an announcement with reply_to_announcement")
        if not Participant.objects.filter(conversation=conversation, guardian=by_guardian).exists():
            raise Http404
    else:
        joined = messaging_access.staff_write_access(by_staff, conversation)
        if joined is None:
            raise PermissionDenied(_("You cannot write in this conversation."))
        if not joined:
            # A colleague or leader who writes in a thread joins it, so they see the answers.
            Participant.objects.create(conversation=conversation, staff=by_staff)
    recipients = list(with_opt_out(_recipients(conversation, by_guardian)))
    staff_rows = list(
        Participant.objects.filter(conversation=conversation, staff__isnull=False).values_list(
            "staff__given_name", "staff__family_name", "staff__language"
        )
    )
    staff_names = [(given, family) for given, family, _language in staff_rows]
    if conversation.kind == Conversation.Kind.PRIVATE and conversation.student_id:
        protect = names_of(conversation.student, *recipients)
    else:
        protect = []  # an announcement's families are not named in it
    protect += [name for pair in staff_names for name in pair]
    source = _source_language(language, by_staff, by_guardian)
    readers = [guardian.language for guardian in recipients]
    if staff_rows:
        readers += staff_readers(StaffMember(language=language) for *_n, language in staff_rows)
    school = conversation.school
    translations = _translate(
        text,
        source,
        readers,
        school=school,
        district=conversation.district_id,
        protect=protect,
        prepared=prepared,
    )
    quotes = quote_versions(
        quote,
        [*readers, *([by_guardian.language] if by_guardian is not None else [])],
        school=school,
        district=conversation.district_id,
        protect=protect,
        prepared=quote_prepared,
    )
    with transaction.atomic():
        message, _deliveries = write_message(
            conversation,
            text=text,
            language=source,
            by_staff=by_staff,
            by_guardian=by_guardian,
            channel=channel,
            urgent_reason=urgent_reason,
            automatic=automatic,
            recipients=recipients,
            translations=translations,
            media=media,
            quote=quote,
            quote_translations=quotes,
        )
    return message


def conversation_about(
    student: Student, staff: StaffMember, *, guardian: Guardian | None = None
) -> Conversation | None:
    """The standing conversation between `staff` and the family about `student`, or None.

    For the school (no `guardian`): the one the school started, which reaches every
    contactable guardian of the child; else one a family started that already holds every
    one of them (a family of one household). For a guardian: the latest one they are in,
    whoever started it; in one both households share, their words still reach only their
    own household (`family_words_readers`)."""
    standing = Conversation.objects.filter(
        Exists(Participant.objects.filter(conversation=OuterRef("pk"), staff=staff)),
        kind=Conversation.Kind.PRIVATE,
        standing=True,
        student=student,
    ).order_by("-last_message_at", "-pk")
    if guardian is not None:
        theirs = Participant.objects.filter(conversation=OuterRef("pk"), guardian=guardian)
        return standing.filter(Exists(theirs)).first()
    by_school = standing.filter(started_by=Conversation.StartedBy.SCHOOL).first()
    if by_school is not None:
        return by_school
    missing = _contactable_guardians(Q(student=student), about_the_child=True).filter(
        ~Exists(
            Participant.objects.filter(
                conversation=OuterRef(OuterRef("pk")), guardian=OuterRef("pk")
            )
        )
    )
    return standing.filter(~Exists(missing)).first()


def send_about_child(
    *,
    student: Student,
    staff: StaffMember | None,
    text: str,
    by_guardian: Guardian | None = None,
    subject: str = "",
    subject_prepared: Mapping[str, str] | None = None,
    prepared: Mapping[str, str | Translation] | None = None,
    quote: str = "",
    quote_prepared: Mapping[str, str] | None = None,
    channel: str = "app",
) -> Message:
    """A message in the standing conversation between a staff member and the family about
    one child (`conversation_about`), started with this message when there is none, so the
    week's sentence, a family's answer to a moment and the teacher's reply read as one
    thread. Written by `staff` when no `by_guardian` is given; else the guardian writes to
    `staff` (to the school office when there is no active one: a moment's author who left).

    A conversation the school starts reaches every contactable guardian of the child, and a
    guardian who became one since joins it with the next staff message; one a family starts
    holds its own household only. The subject stays the one the conversation began with."""
    if by_guardian is None:
        if staff is None:
            raise ValueError("a staff message about a child needs its author")
        conversation = conversation_about(student, staff)
        if conversation is None:
            conversation = start_conversation(
                student=student,
                by_staff=staff,
                text=text,
                subject=subject,
                subject_prepared=subject_prepared,
                prepared=prepared,
                standing=True,
                quote=quote,
                quote_prepared=quote_prepared,
            )
            return conversation.messages.get()
        _join_new_guardians(conversation, student)
        return send_message(
            conversation,
            text=text,
            by_staff=staff,
            prepared=prepared,
            quote=quote,
            quote_prepared=quote_prepared,
        )
    office = staff is None or not staff.is_active
    members = school_office(student.school) if office else [staff]
    conversation = conversation_about(student, members[0], guardian=by_guardian)
    if conversation is None:
        conversation = start_conversation(
            student=student,
            by_guardian=by_guardian,
            staff=members,
            text=text,
            channel=channel,
            standing=True,
            quote=quote,
            quote_prepared=quote_prepared,
        )
        return conversation.messages.get()
    return send_message(
        conversation,
        text=text,
        by_guardian=by_guardian,
        channel=channel,
        quote=quote,
        quote_prepared=quote_prepared,
    )


def _join_new_guardians(conversation: Conversation, student: Student) -> None:
    """A conversation the school started reaches every contactable guardian of the child,
    including one who became contactable after it began."""
    if conversation.started_by != Conversation.StartedBy.SCHOOL:
        return
    in_it = Participant.objects.filter(conversation=conversation, guardian=OuterRef("pk"))
    newcomers = _contactable_guardians(Q(student=student), about_the_child=True).filter(
        ~Exists(in_it)
    )
    Participant.objects.bulk_create(
        [Participant(conversation=conversation, guardian=guardian) for guardian in newcomers]
    )


def catalogue_versions(render: Callable[[], str], source: str = STAFF_LANGUAGE) -> dict[str, str]:
    """A system text in every interface language we ship with reviewed strings, other than
    the source: `render` is called inside each language, so its gettext strings come from
    the catalogue rather than from a machine. Pass the result as `prepared`.

    A language whose catalogue does not have the text yet (it renders as the source does) is
    left out, so its families get the machine translation rather than English passed off as
    their language."""
    with translation.override(source):
        original = render()
    versions = {}
    for code, _name in settings.LANGUAGES:
        if _base(code) != _base(source):
            with translation.override(code):
                version = render()
            if version != original:
                versions[code] = version
    return versions


def send_announcement(
    *,
    by_staff: StaffMember,
    audience: Audience,
    text: str,
    subject: str = "",
    urgent_reason: str = "",
    subject_prepared: Mapping[str, str] | None = None,
    prepared: Mapping[str, str | Translation] | None = None,
) -> Conversation:
    _check_text(text)
    school, section, scope, description = audiences.check_audience(by_staff, audience)
    guardians = list(
        with_opt_out(_contactable_guardians(scope)).only(*GUARDIAN_FIELDS).order_by("pk")
    )
    conversation = Conversation(
        kind=Conversation.Kind.ANNOUNCEMENT,
        district_id=by_staff.district_id,
        school=school,
        section=section,
        audience=description,
        subject=subject,
        started_by=Conversation.StartedBy.SCHOOL,
    )
    return open_conversation(
        conversation,
        staff=[by_staff],
        guardians=guardians,
        text=text,
        by_staff=by_staff,
        urgent_reason=urgent_reason,
        channel="app",
        protect=[by_staff.given_name, by_staff.family_name, conversation.sender_name],
        subject_prepared=subject_prepared,
        prepared=prepared,
    )


def reply_to_announcement(
    announcement: Conversation,
    *,
    guardian: Guardian,
    text: str,
    channel: str,
    media: Sequence[IncomingMedia] = (),
) -> Conversation:
    """A family answers an announcement: a private thread with its sender about their child.

    A second answer to the same announcement lands in the same thread.
    """
    _check_text(text, media)
    if announcement.kind != Conversation.Kind.ANNOUNCEMENT:
        raise ValueError("only an announcement can be replied to this way")
    if not Participant.objects.filter(conversation=announcement, guardian=guardian).exists():
        raise Http404
    thread = (
        Conversation.objects.filter(
            kind=Conversation.Kind.PRIVATE,
            reply_to_announcement=announcement,
            participants__guardian=guardian,
        )
        .order_by("pk")
        .first()
    )
    if thread is not None:
        send_message(thread, text=text, by_guardian=guardian, channel=channel, media=media)
        return thread
    sender = _announcement_sender(announcement)
    # The thread is about the family's child, at the child's school (an announcement to the
    # whole district belongs to no school).
    child = _first_child_in_audience(announcement, guardian)
    school = child.school if child else announcement.school
    if school is None:
        raise ValueError("no child of this family can be written about")
    guardians = list(with_opt_out(Guardian.objects.filter(pk=guardian.pk)))
    conversation = Conversation(
        kind=Conversation.Kind.PRIVATE,
        school=school,
        student=child,
        subject=_reply_subject(announcement),
        started_by=Conversation.StartedBy.FAMILY,
        reply_to_announcement=announcement,
    )
    return open_conversation(
        conversation,
        staff=[sender] if sender else school_office(school),
        guardians=guardians,
        text=text,
        by_guardian=guardian,
        channel=channel,
        protect=names_of(child, guardian, sender),
        subject_prepared=_reply_subjects(announcement),
        media=media,
    )


def _reply_subject(announcement: Conversation) -> str:
    """ "Re: <the announcement's subject>", as staff read it."""
    if not announcement.subject:
        return ""
    with translation.override(STAFF_LANGUAGE):
        return _("Re: %(subject)s") % {"subject": announcement.subject}


def _reply_subjects(announcement: Conversation) -> dict[str, str]:
    """The reply thread's subject in each language the announcement's subject was read in."""
    versions = {}
    for language in announcement.subject_translations or {}:
        with translation.override(language):
            versions[language] = _("Re: %(subject)s") % {
                "subject": announcement.subject_in(language)
            }
    return versions


def mark_read(
    conversation: Conversation,
    *,
    staff: StaffMember | None = None,
    guardian: Guardian | None = None,
) -> None:
    """Someone opened the conversation: their read marker moves, app deliveries become read."""
    _check_author(staff, guardian)
    now = timezone.now()
    person = {"staff": staff} if staff is not None else {"guardian": guardian}
    Participant.objects.filter(conversation=conversation, **person).update(last_read_at=now)
    if guardian is not None:
        Delivery.objects.filter(
            message__conversation=conversation,
            guardian=guardian,
            channel="app",
            status__in=[Delivery.Status.SENT, Delivery.Status.DELIVERED],
        ).update(status=Delivery.Status.READ, read_at=now)


# -- who ------------------------------------------------------------------------------------


def _contactable_guardians(scope: Q, *, about_the_child: bool = False) -> QuerySet[Guardian]:
    """Active guardians with an active, contactable link to an active student in `scope`;
    `about_the_child` (a private thread about one student) also needs the link's records."""
    links = access.contactable_links(about_the_child=about_the_child).filter(
        scope, guardian=OuterRef("pk")
    )
    return Guardian.objects.filter(Exists(links), is_active=True)


def with_opt_out(guardians: QuerySet[Guardian]) -> QuerySet[Guardian]:
    """Whether each guardian's number texted STOP, and the number as stored (outbox.phone_of)."""
    return guardians.annotate(
        sms_opted_out=Exists(SmsOptOut.objects.filter(phone=OuterRef("phone"))),
        phone_text=Cast("phone", output_field=CharField()),
    )


def _recipients(conversation: Conversation, author: Guardian | None) -> QuerySet[Guardian]:
    """The conversation's guardians who may still be contacted, and told about its child (a
    court order can come later)."""
    scope = Q()
    about_the_child = conversation.kind == Conversation.Kind.PRIVATE and conversation.student_id
    if about_the_child:
        scope = Q(student_id=conversation.student_id)
    in_conversation = Participant.objects.filter(conversation=conversation, guardian=OuterRef("pk"))
    guardians = _contactable_guardians(scope, about_the_child=bool(about_the_child)).filter(
        Exists(in_conversation)
    )
    if author is not None:
        # A family's words: to its own household only (and to no one without a child).
        readers = messaging_access.family_words_readers(author, conversation.student)
        guardians = guardians.filter(pk__in=readers.values("pk"))
    return guardians


def _check_staff_of(student: Student, staff: Iterable[StaffMember]) -> list[StaffMember]:
    """The staff members given, each of whom must work at the student's school."""
    staff = list(staff)
    if not staff:
        return []
    at_school = set(
        Assignment.objects.filter(
            school_id=student.school_id, staff__in=staff, staff__is_active=True
        ).values_list("staff_id", flat=True)
    )
    outside = [member for member in staff if member.pk not in at_school]
    if outside:
        raise ValueError("every staff member in a conversation must work at the student's school")
    return staff


def school_office(school: School) -> list[StaffMember]:
    """Who answers a family that did not pick anyone: the liaisons, else the school admins."""
    for role in (Role.FAMILY_LIAISON, Role.SCHOOL_ADMIN):
        office = list(
            StaffMember.objects.filter(
                assignments__school=school, assignments__role=role, is_active=True
            )
            .distinct()
            .order_by("pk")
        )
        if office:
            return office
    raise ValueError("the school has no family liaison or admin to receive the message")


def _announcement_sender(announcement: Conversation) -> StaffMember | None:
    first = (
        Message.objects.filter(conversation=announcement, author_staff__isnull=False)
        .select_related("author_staff")
        .order_by("created_at", "pk")
        .first()
    )
    if first is not None and first.author_staff.is_active:
        return first.author_staff
    return None


def _first_child_in_audience(announcement: Conversation, guardian: Guardian) -> Student | None:
    links = access.contactable_links().filter(guardian=guardian).select_related("student__school")
    order = ("student__family_name", "student__given_name", "student_id")
    in_audience = links.filter(
        audiences.audience_filter(announcement.audience, announcement.school_id)
    )
    link = in_audience.order_by(*order).first() or links.order_by(*order).first()
    return link.student if link else None


# -- small helpers ----------------------------------------------------------------------------


def _check_author(staff, guardian) -> None:
    if (staff is None) == (guardian is None):
        raise ValueError("a message has exactly one author: a staff member or a guardian")


def _check_text(text: str, media: Sequence[IncomingMedia] = ()) -> None:
    check_length(text)
    if not (text or "").strip() and not media:
        raise ValueError("a message needs some text")


def _unique(staff: Iterable[StaffMember]) -> list[StaffMember]:
    seen, out = set(), []
    for member in staff:
        if member.pk not in seen:
            seen.add(member.pk)
            out.append(member)
    return out
