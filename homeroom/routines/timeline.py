"""The contact timeline: every contact with a student's families that a user may see."""

from django.db.models import CharField, F, Prefetch, Value

from homeroom.behavior.models import Moment
from homeroom.goals import access as goals_access
from homeroom.goals import display as goals_display
from homeroom.goals.models import Note as GoalNote
from homeroom.goals.models import Side as GoalSide
from homeroom.languages import STAFF_LANGUAGE, base_language
from homeroom.messaging.access import log_reviews
from homeroom.messaging.models import Message, MessageTranslation
from homeroom.people.models import Student

from . import access as routines_access
from .models import ContactLog


def _timeline_sources(student: Student, user):
    messages = (
        routines_access.timeline_messages_for(user, student)
        .order_by()
        .annotate(k=Value("message", CharField()), t=F("created_at"), i=F("pk"))
    )
    logs = (
        routines_access.contact_logs_for(user, student)
        .order_by()
        .annotate(k=Value("contact", CharField()), t=F("at"), i=F("pk"))
    )
    sources = [messages.values_list("k", "t", "i"), logs.values_list("k", "t", "i")]
    moments = (
        Moment.objects.filter(student=student, withdrawn_at__isnull=True)
        .order_by()
        .annotate(k=Value("moment", CharField()), t=F("created_at"), i=F("pk"))
    )
    sources.append(moments.values_list("k", "t", "i"))
    # ---- shared goals: a family's progress note is a family-initiated contact ---------------
    goal_notes = (
        goals_access.notes_for(user, student)
        .filter(side=GoalSide.FAMILY)
        .order_by()
        .annotate(k=Value("goal_note", CharField()), t=F("created_at"), i=F("pk"))
    )
    sources.append(goal_notes.values_list("k", "t", "i"))
    return sources


def contact_timeline(student: Student, user):
    """Every contact with the student's families that `user` may see, newest first, as
    (kind, at, id) rows ready to paginate; `timeline_items` turns one page of them into
    objects."""
    first, *rest = _timeline_sources(student, user)
    return first.union(*rest, all=True).order_by("-t", "-i")


def timeline_items(rows, user, *, reader: str = STAFF_LANGUAGE) -> list[dict]:
    """One page of (kind, at, id) rows as objects: one query per kind, whatever the page.
    A message written in another language than the reader's (a base language) is shown in
    the reader's (`shown_text`, `shown_language`), else in the staff language's copy. The
    conversations `user` reads there without being part of them are logged."""
    ids: dict[str, list[int]] = {"message": [], "contact": [], "moment": [], "goal_note": []}
    for kind, _at, pk in rows:
        ids[kind].append(pk)
    sources = {
        "message": Message.objects.select_related(
            "author_staff", "author_guardian"
        ).prefetch_related(
            Prefetch(
                "translations",
                MessageTranslation.objects.filter(language__in={reader, STAFF_LANGUAGE}),
                to_attr="readable_copies",
            )
        ),
        "contact": ContactLog.objects.select_related("staff", "guardian"),
        "moment": Moment.objects.select_related("category", "recorded_by"),
        "goal_note": goals_display.notes_with_copies(GoalNote.objects.all(), reader),
    }
    found = {
        kind: {obj.pk: obj for obj in queryset.filter(pk__in=ids[kind]).order_by()}
        for kind, queryset in sources.items()
    }
    items = []
    for kind, at, pk in rows:
        obj = found.get(kind, {}).get(pk)
        if obj is not None:
            items.append({"kind": kind, "at": at, "object": obj})
    for message in found["message"].values():
        _show_in(message, reader)
    for note in found["goal_note"].values():
        goals_display.show_note(note, reader)
    log_reviews(user, {message.conversation_id for message in found["message"].values()})
    return items


def _show_in(message, reader: str) -> None:
    message.shown_text = ""
    if not message.body.strip() or base_language(message.language) == reader:
        return
    copies = {copy.language: copy for copy in message.readable_copies}
    copy = copies.get(reader) or copies.get(STAFF_LANGUAGE)
    if copy is not None and base_language(message.language) != copy.language:
        message.shown_text = copy.text
        message.shown_language = copy.language
