"""A family's home: one stream across their children of what is new.

What waits for an answer comes first (unread messages, a home visit to choose a time for),
then the days, newest first: within a day good news before anything else and needs-work
last. Each source says what it holds through the access helpers of its app; this module
only merges, orders and pages them.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Exists, OuterRef, Prefetch, Subquery
from django.utils import timezone

from homeroom.behavior import feeds
from homeroom.behavior.models import FamilyResponse, Moment, MomentNotice
from homeroom.languages import STAFF_LANGUAGE, base_language
from homeroom.messaging import access as messaging_access
from homeroom.messaging import display
from homeroom.messaging.models import Message
from homeroom.messaging.views.common import children_in
from homeroom.people import access
from homeroom.people.models import Enrollment, Student
from homeroom.routines import access as routines_access
from homeroom.routines.models import Framing, UpdateSentence, VisitStatus
from homeroom.voice import access as voice_access
from homeroom.voice import services as voice

PAGE_SIZE = 12
WAITING_SIZE = 5

GOOD, NEUTRAL, NEEDS_WORK = 0, 1, 2


@dataclass
class Item:
    kind: str  # "moment", "message", "visit", "survey" or "decision"
    at: datetime
    tone: int
    children: list
    obj: object
    unread: bool = False


@dataclass
class Day:
    day: date
    items: list = field(default_factory=list)


@dataclass
class Stream:
    children: list
    waiting: list
    days: list
    older: datetime | None  # where the next page starts, if there is one
    untranslated: bool = False


def children_of(user) -> list[Student]:
    """The guardian's children whose records they may see, with their active classes (to
    tell which child an announcement to a class concerns)."""
    enrollments = Enrollment.objects.filter(is_active=True, section__is_active=True)
    links = (
        access.own_children_links(user)
        .select_related("student", "student__school")
        .prefetch_related(
            Prefetch("student__enrollments", queryset=enrollments, to_attr="active_enrollments")
        )
        .order_by("student__given_name", "student__family_name", "pk")
    )
    return [link.student for link in links]


def family_stream(user, *, before: datetime | None = None) -> Stream:
    viewer = access.viewer_for(user)
    guardian = viewer.guardian
    reader = base_language(guardian.language) or STAFF_LANGUAGE
    children = children_of(user)
    by_id = {child.pk: child for child in children}
    waiting = [] if before else _waiting(user, viewer, reader, children)
    shown_waiting = {item.obj.pk for item in waiting if item.kind == "message"}

    moments = _moments(guardian, before)
    messages = _messages(user, reader, before, exclude=shown_waiting)
    merged = sorted(
        [Item("moment", m.created_at, GOOD if m.positive else NEEDS_WORK, [], m) for m in moments]
        + [Item("message", m.created_at, _tone(m), [], m) for m in messages],
        key=lambda item: item.at,
        reverse=True,
    )
    more = len(merged) > PAGE_SIZE
    page = merged[:PAGE_SIZE]
    for item in page:
        if item.kind == "moment":
            item.children = [by_id.get(item.obj.student_id, item.obj.student)]
    _present_messages([i.obj for i in page if i.kind == "message"], viewer, reader, children)
    for item in page:
        if item.kind == "message":
            item.children = item.obj.children
    untranslated = _translate_moments([i.obj for i in page if i.kind == "moment"], reader)
    days = _by_day(page)
    return Stream(
        children=children,
        waiting=waiting,
        days=days,
        older=page[-1].at if more else None,
        untranslated=untranslated,
    )


# -- sources ----------------------------------------------------------------------------------


def _moments(guardian, before) -> list[Moment]:
    mine = FamilyResponse.objects.filter(guardian=guardian).order_by("created_at", "pk")
    moments = feeds.family_stream(guardian)
    if before:
        moments = moments.filter(created_at__lt=before)
    return list(
        moments.select_related("category", "recorded_by", "school", "student").prefetch_related(
            Prefetch("responses", queryset=mine, to_attr="my_responses")
        )[: PAGE_SIZE + 1]
    )


def _school_messages(user, reader, *, unread=False):
    """What the school wrote to the family, without the messages that carried a moment (the
    moment itself is in the stream), each with its weekly-update framing if it is one."""
    sentence = UpdateSentence.objects.filter(message=OuterRef("pk"))
    return (
        messaging_access.school_words_for_family(user, unread=unread)
        .exclude(Exists(MomentNotice.objects.filter(message=OuterRef("pk"))))
        .annotate(framing=Subquery(sentence.values("framing")[:1]))
        .select_related(
            "author_staff",
            "author_guardian",
            "conversation",
            "conversation__student",
            "conversation__school",
            "conversation__section",
        )
        .prefetch_related(display.translations_prefetch(reader, as_family=True))
    )


def _messages(user, reader, before, *, exclude) -> list[Message]:
    messages = _school_messages(user, reader).exclude(pk__in=exclude)
    if before:
        messages = messages.filter(created_at__lt=before)
    return list(messages.order_by("-created_at", "-pk")[: PAGE_SIZE + 1])


def _waiting(user, viewer, reader, children) -> list[Item]:
    unread = list(
        _school_messages(user, reader, unread=True).order_by("-created_at", "-pk")[:WAITING_SIZE]
    )
    _present_messages(unread, viewer, reader, children)
    items = [Item("message", m.created_at, _tone(m), m.children, m, unread=True) for m in unread]
    by_id = {child.pk: child for child in children}
    visits = (
        routines_access.family_visits_for(user)
        .filter(status=VisitStatus.PROPOSED)
        .select_related("staff")
        .order_by("-created_at", "-pk")[:WAITING_SIZE]
    )
    items += [
        Item("visit", v.created_at, GOOD, [by_id[v.student_id]], v)
        for v in visits
        if v.student_id in by_id
    ]
    surveys = voice_access.open_unanswered_for_family(user, timezone.now())[:WAITING_SIZE]
    for survey in surveys:
        texts, _translated = voice.texts_in(survey, reader)
        survey.family_title = texts.get("title") or survey.title
    items += [Item("survey", s.sent_at, GOOD, [], s) for s in surveys]
    items += _waiting_decisions(user, reader)
    return items


# -- decisions put to families ----------------------------------------------------------------


def _waiting_decisions(user, reader) -> list[Item]:
    """Open decisions the family has not voted on, in its language (one query)."""
    from homeroom.voice.decisions import services as decisions

    found = voice_access.open_unvoted_decisions_for_family(user, timezone.now())[:WAITING_SIZE]
    for decision in found:
        texts, _translated = decisions.texts_in(decision, reader)
        decision.family_question = texts.get("question") or decision.question
    return [Item("decision", d.sent_at, GOOD, [], d) for d in found]


# -- presenting -------------------------------------------------------------------------------


def _tone(message) -> int:
    if message.framing == Framing.POSITIVE:
        return GOOD
    return NEUTRAL


def _present_messages(messages, viewer, reader, children) -> None:
    for message in messages:
        display.present(message, viewer, reader, as_family=True)
        message.children = children_in(message.conversation, children)
        message.is_weekly = message.framing is not None
        message.conversation.shown_subject = message.conversation.subject_in(reader)


def _translate_moments(moments, reader) -> bool:
    """Category names and notes in the reader's language, one batch per school (its own
    dictionary). True when some could not be translated just now."""
    untranslated = False
    by_school: dict[int, list[Moment]] = {}
    for moment in moments:
        by_school.setdefault(moment.school_id, []).append(moment)
    for group in by_school.values():
        names = {n for m in group for n in _names(m) if n}
        done = feeds.translate_moments(group, reader, group[0].school, sorted(names))
        untranslated = untranslated or done is None
    return untranslated


def _names(moment) -> tuple:
    student, author = moment.student, moment.recorded_by
    names = (student.given_name, student.family_name, student.preferred_name)
    if author is not None:
        names += (author.given_name, author.family_name)
    return names


def _by_day(items) -> list[Day]:
    days: dict[date, Day] = {}
    for item in items:
        day = timezone.localtime(item.at).date()
        days.setdefault(day, Day(day)).items.append(item)
    for entry in days.values():
        entry.items.sort(key=lambda item: (item.tone, -item.at.timestamp()))
    return sorted(days.values(), key=lambda entry: entry.day, reverse=True)
