"""A goal's words and its notes, translated for the other side's readers after they are
stored (as families' replies are: `messaging.inbound.translating`).

The family reads in each guardian's language; the school in the staff language and each of
the child's teachers' own. The original is always kept and shown beside the copy. A pair no
engine serves is left out: its readers see the original.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django_tasks import task

from homeroom.languages import same_language
from homeroom.messaging.writing import staff_readers
from homeroom.translation.protection import names_of
from homeroom.translation.services import TranslationUnavailable, translate_for_readers

from . import access
from .models import Goal, Note, NoteTranslation, Side

logger = logging.getLogger(__name__)


def readers(goal: Goal, side: str | None = None) -> list[str]:
    """The languages `side` reads in (both sides when None)."""
    languages: set[str] = set()
    if side in (None, Side.FAMILY):
        languages |= {g.language for g in access.family_of(goal) if g.language}
    if side in (None, Side.SCHOOL):
        from .services import school_people

        languages |= set(staff_readers(school_people(goal)))
    return sorted(languages)


def _translated(text: str, source: str, targets: list[str], goal: Goal) -> dict[str, str]:
    out: dict[str, str] = {}
    protect = names_of(goal.student)
    for target in targets:
        if same_language(target, source) or not text.strip():
            continue
        try:
            done = translate_for_readers(
                text, source, [target], school=goal.student.school, protect=protect
            )
        except TranslationUnavailable as exc:
            logger.warning("goal text left untranslated into %s: %s", target, exc.reason)
            continue
        out[target] = done[target].text
    return out


def translate_goal(goal_id: int) -> bool:
    goal = Goal.objects.select_related("student__school").filter(pk=goal_id).first()
    if goal is None:
        return False
    targets = readers(goal)
    copies: dict[str, dict[str, str]] = {}
    for part in ("what", "measure"):
        for language, text in _translated(
            getattr(goal, part), goal.language, targets, goal
        ).items():
            copies.setdefault(language, {})[part] = text
    strategies = list(goal.strategies.all())
    for strategy in strategies:
        strategy.translations = _translated(strategy.text, strategy.language, targets, goal)
    with transaction.atomic():
        # A change made meanwhile has its own task: a stale copy is not written over it.
        if not Goal.objects.filter(pk=goal.pk, version=goal.version).update(
            translations=copies, translation_pending=False
        ):
            return False
        for strategy in strategies:
            type(strategy).objects.filter(pk=strategy.pk).update(translations=strategy.translations)
    return True


def translate_note(note_id: int) -> bool:
    note = (
        Note.objects.select_related("goal__student__school")
        .filter(pk=note_id, translation_pending=True)
        .first()
    )
    if note is None:
        return False
    other = Side.SCHOOL if note.side == Side.FAMILY else Side.FAMILY
    copies = _translated(note.text, note.language, readers(note.goal, other), note.goal)
    with transaction.atomic():
        if not Note.objects.filter(pk=note.pk, translation_pending=True).update(
            translation_pending=False
        ):
            return False
        NoteTranslation.objects.bulk_create(
            [
                NoteTranslation(note=note, language=language, text=text)
                for language, text in sorted(copies.items())
            ],
            ignore_conflicts=True,
        )
    return True


@task()
def translate_goal_task(goal_id: int) -> bool:
    return translate_goal(goal_id)


@task()
def translate_note_task(note_id: int) -> bool:
    return translate_note(note_id)
