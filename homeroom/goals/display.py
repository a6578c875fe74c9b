"""A goal and its notes as one reader reads them: their language, the original to hand."""

from django.db.models import Prefetch

from homeroom.languages import STAFF_LANGUAGE, base_language, reading_language, same_language
from homeroom.people.access import viewer_for

from . import access
from .models import Goal, Note, NoteTranslation


def reader_of(viewer) -> str:
    if viewer.guardian is not None and not viewer.is_staff_member:
        return base_language(viewer.guardian.language) or STAFF_LANGUAGE
    return reading_language(viewer.staff)


def show_goal(goal: Goal, reader: str) -> Goal:
    """Sets `shown_what`, `shown_measure` (and each strategy's `shown_text`) to the reader's
    copy when the goal was written in another language; `shown_language` says which."""
    goal.shown_language = ""
    copies = goal.translations or {}
    copy = {} if same_language(goal.language, reader) else copies.get(reader) or {}
    goal.shown_what = copy.get("what", "")
    goal.shown_measure = copy.get("measure", "")
    if copy:
        goal.shown_language = reader
    for strategy in goal.strategies.all():
        strategy.shown_text = ""
        if not same_language(strategy.language, reader):
            strategy.shown_text = (strategy.translations or {}).get(reader, "")
    return goal


def notes_with_copies(notes, reader: str):
    return notes.select_related("author_staff", "author_guardian").prefetch_related(
        Prefetch(
            "translations",
            NoteTranslation.objects.filter(language__in={reader, STAFF_LANGUAGE}),
            to_attr="readable_copies",
        )
    )


def show_note(note: Note, reader: str) -> Note:
    note.shown_text = ""
    if not note.text or same_language(note.language, reader):
        return note
    copies = {copy.language: copy for copy in note.readable_copies}
    copy = copies.get(reader) or copies.get(STAFF_LANGUAGE)
    if copy is not None and not same_language(note.language, copy.language):
        note.shown_text = copy.text
        note.shown_language = copy.language
    return note


def family_goals(user, student) -> list[Goal]:
    """The goals under way (and waiting for an answer) for the family's page of a child, in
    the family's language: active first, then the soonest to end."""
    reader = reader_of(viewer_for(user))
    goals = (
        access.active_goals_for_family(user, student)
        .prefetch_related("strategies")
        .order_by("status", "ends_on", "pk")
    )
    return [show_goal(goal, reader) for goal in goals]
