"""Shared goals: propose, agree, change, decline, notes, the end, renewal, reminders.

Views and the SMS answerer parse what was sent, ask `access` which side the person takes,
and call one of these. Every write is one transaction with its `GoalEvent`; translations
are made by a task once it commits (`translating.py`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from homeroom.languages import STAFF_LANGUAGE
from homeroom.messaging.services import catalogue_versions, send_about_child
from homeroom.people.models import Guardian, StaffMember, Student
from homeroom.translation.detection import detect_language

from . import access
from .models import (
    DEFAULT_DAYS,
    MAX_STRATEGIES,
    NOTE_MAX_CHARS,
    Agreement,
    Goal,
    GoalEvent,
    Note,
    Side,
    Strategy,
)


class GoalRefused(Exception):
    """What a person asked for cannot be done; the message says why, in their language."""


@dataclass(frozen=True)
class StrategyInput:
    text: str
    where: str
    who: str


@dataclass(frozen=True)
class Person:
    """Who acts, and on which side (from `access.side_for`)."""

    side: str
    staff: StaffMember | None = None
    guardian: Guardian | None = None

    @property
    def language(self) -> str:
        author = self.guardian or self.staff
        return getattr(author, "language", "") or STAFF_LANGUAGE


def _check_terms(ends_on: date, strategies: list[StrategyInput]) -> None:
    if ends_on <= timezone.localdate():
        raise GoalRefused(_("Choose an end date after today."))
    if not strategies:
        raise GoalRefused(_("Add at least one thing someone will do, at home or at school."))
    if len(strategies) > MAX_STRATEGIES:
        raise GoalRefused(
            _("Keep to %(max)d things to do at most; a goal works best with a few.")
            % {"max": MAX_STRATEGIES}
        )


def _language_of(texts: list[str], person: Person) -> str:
    words = " ".join(t for t in texts if t)
    return detect_language(words, prior=person.language).language


def _event(goal: Goal, kind: str, person: Person | None = None) -> GoalEvent:
    return GoalEvent.objects.create(
        goal=goal,
        kind=kind,
        version=goal.version,
        side=person.side if person else "",
        staff=person.staff if person else None,
        guardian=person.guardian if person else None,
    )


def _agree(goal: Goal, person: Person) -> bool:
    """Record `person`'s yes to the current version; False when they had said it."""
    _row, created = Agreement.objects.get_or_create(
        goal=goal,
        version=goal.version,
        staff=person.staff if person.side == Side.SCHOOL else None,
        guardian=person.guardian if person.side == Side.FAMILY else None,
        defaults={"side": person.side},
    )
    return created


def sides_agreed(goal: Goal) -> set[str]:
    return set(
        Agreement.objects.filter(goal=goal, version=goal.version).values_list("side", flat=True)
    )


def _write_strategies(goal: Goal, strategies: list[StrategyInput], language: str) -> None:
    Strategy.objects.bulk_create(
        [
            Strategy(
                goal=goal,
                text=item.text,
                where=item.where,
                who=item.who,
                language=language,
                position=index,
            )
            for index, item in enumerate(strategies)
        ]
    )


def _translate_later(goal: Goal) -> None:
    from .translating import translate_goal_task

    goal_id = goal.pk
    transaction.on_commit(lambda: translate_goal_task.enqueue(goal_id))


@transaction.atomic
def propose_goal(
    student: Student,
    person: Person,
    *,
    what: str,
    measure: str,
    strategies: list[StrategyInput],
    ends_on: date | None = None,
    remind_every_weeks: int | None = None,
    renewed_from: Goal | None = None,
) -> Goal:
    ends_on = ends_on or timezone.localdate() + timedelta(days=DEFAULT_DAYS)
    _check_terms(ends_on, strategies)
    language = _language_of([what, measure, *(s.text for s in strategies)], person)
    goal = Goal.objects.create(
        student=student,
        what=what,
        measure=measure,
        ends_on=ends_on,
        language=language,
        proposed_by=person.side,
        proposed_by_staff=person.staff,
        proposed_by_guardian=person.guardian,
        remind_every_weeks=remind_every_weeks or Goal._meta.get_field("remind_every_weeks").default,
        renewed_from=renewed_from,
        translation_pending=True,
    )
    _write_strategies(goal, strategies, language)
    _agree(goal, person)
    _event(goal, GoalEvent.Kind.RENEWED if renewed_from else GoalEvent.Kind.PROPOSED, person)
    _translate_later(goal)
    return goal


@transaction.atomic
def agree(goal: Goal, person: Person) -> Goal:
    """A yes from `person`: the other side's makes the goal active; on an active goal, a
    guardian (or a teacher) not yet part of it joins."""
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    if not goal.is_open:
        raise GoalRefused(_("This goal is closed; it can no longer be agreed to."))
    if not _agree(goal, person):
        return goal
    if goal.is_active:
        _event(goal, GoalEvent.Kind.JOINED, person)
        return goal
    _event(goal, GoalEvent.Kind.AGREED, person)
    if sides_agreed(goal) == {Side.FAMILY, Side.SCHOOL}:
        goal.status = Goal.Status.ACTIVE
        goal.activated_at = goal.activated_at or timezone.now()
        goal.save(update_fields=["status", "activated_at"])
        _event(goal, GoalEvent.Kind.ACTIVATED)
    return goal


@transaction.atomic
def change_goal(
    goal: Goal,
    person: Person,
    *,
    what: str,
    measure: str,
    ends_on: date,
    strategies: list[StrategyInput],
) -> Goal:
    """A new version, agreed by its editor; the other side agrees again before it is active."""
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    if not goal.is_open:
        raise GoalRefused(_("This goal is closed; propose a new one instead."))
    _check_terms(ends_on, strategies)
    goal.language = _language_of([what, measure, *(s.text for s in strategies)], person)
    goal.what, goal.measure, goal.ends_on = what, measure, ends_on
    goal.version += 1
    goal.status = Goal.Status.PROPOSED
    goal.translations = {}
    goal.translation_pending = True
    goal.save()
    goal.strategies.all().delete()
    _write_strategies(goal, strategies, goal.language)
    _agree(goal, person)
    _event(goal, GoalEvent.Kind.EDITED, person)
    _translate_later(goal)
    return goal


@transaction.atomic
def add_own_strategy(goal: Goal, person: Person, strategy: StrategyInput) -> Strategy:
    """A side adds what it will do itself (the school at school, the family at home): no one
    else takes on more, so the goal stays as agreed. Anything else is a change to agree."""
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    if not goal.is_open:
        raise GoalRefused(_("This goal is closed; propose a new one instead."))
    own_place = Strategy.Where.HOME if person.side == Side.FAMILY else Strategy.Where.SCHOOL
    if strategy.where != own_place:
        raise GoalRefused(_("Change the goal to ask the other side to do something more."))
    if goal.strategies.count() >= MAX_STRATEGIES:
        raise GoalRefused(
            _("Keep to %(max)d things to do at most; a goal works best with a few.")
            % {"max": MAX_STRATEGIES}
        )
    language = _language_of([strategy.text], person)
    row = Strategy.objects.create(
        goal=goal,
        text=strategy.text,
        where=strategy.where,
        who=strategy.who,
        language=language,
        position=goal.strategies.count(),
    )
    goal.translation_pending = True
    goal.save(update_fields=["translation_pending"])
    _event(goal, GoalEvent.Kind.EDITED, person)
    _translate_later(goal)
    return row


@transaction.atomic
def decline(goal: Goal, person: Person) -> Goal:
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    if goal.status != Goal.Status.PROPOSED or person.side in sides_agreed(goal):
        raise GoalRefused(_("Only a goal waiting for your agreement can be declined."))
    goal.status = Goal.Status.DECLINED
    goal.closed_at = timezone.now()
    goal.save(update_fields=["status", "closed_at"])
    _event(goal, GoalEvent.Kind.DECLINED, person)
    return goal


@transaction.atomic
def record_outcome(goal: Goal, person: Person, *, met: bool) -> Goal:
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    if not goal.is_active:
        raise GoalRefused(_("Only an active goal can be marked met or not met."))
    goal.status = Goal.Status.MET if met else Goal.Status.NOT_MET
    goal.closed_at = timezone.now()
    goal.save(update_fields=["status", "closed_at"])
    _event(goal, GoalEvent.Kind.MET if met else GoalEvent.Kind.NOT_MET, person)
    return goal


def renew(goal: Goal, person: Person, *, ends_on: date | None = None) -> Goal:
    """The same goal and strategies for another stretch, proposed by `person`'s side for the
    other to agree to; the old one is closed (met or not) first."""
    goal = Goal.objects.select_related("student").get(pk=goal.pk)
    if goal.status not in (Goal.Status.MET, Goal.Status.NOT_MET):
        raise GoalRefused(_("Say whether the goal was met before renewing it."))
    strategies = [StrategyInput(s.text, s.where, s.who) for s in goal.strategies.all()]
    return propose_goal(
        goal.student,
        person,
        what=goal.what,
        measure=goal.measure,
        strategies=strategies,
        ends_on=ends_on,
        remind_every_weeks=goal.remind_every_weeks,
        renewed_from=goal,
    )


@transaction.atomic
def add_note(
    goal: Goal,
    person: Person,
    *,
    text: str = "",
    kind: str = Note.Kind.TEXT,
    photo: tuple[str, bytes] | None = None,
    channel: str = Note.Channel.WEB,
) -> Note:
    """Progress from either side, on an active goal. The other side reads it in their
    language once the task has translated it; the original is kept."""
    text = (text or "").strip()
    if len(text) > NOTE_MAX_CHARS:
        raise GoalRefused(
            _("Keep a note to %(max)d characters (this one has %(count)d).")
            % {"max": NOTE_MAX_CHARS, "count": len(text)}
        )
    if kind == Note.Kind.TEXT and not text and photo is None:
        raise GoalRefused(_("Write a few words or add a photo."))
    locked = Goal.objects.select_for_update().get(pk=goal.pk)
    if not locked.is_active:
        raise GoalRefused(_("This goal is not active, so it takes no notes."))
    if photo is not None:
        kind = Note.Kind.PHOTO if kind == Note.Kind.TEXT else kind
    note = Note(
        goal=goal,
        side=person.side,
        kind=kind,
        author_staff=person.staff,
        author_guardian=person.guardian,
        text=text,
        language=_language_of([text], person) if text else person.language,
        channel=channel,
        translation_pending=bool(text),
    )
    if photo is not None:
        content_type, data = photo
        note.photo_type = content_type
        extension = content_type.rsplit("/", 1)[-1].replace("jpeg", "jpg")
        note.photo.save(f"{secrets.token_hex(12)}.{extension}", ContentFile(data), save=False)
    note.save()
    if text:
        from .translating import translate_note_task

        note_id = note.pk
        transaction.on_commit(lambda: translate_note_task.enqueue(note_id))
    return note


# ---- reminders and the end ---------------------------------------------------------------


def school_people(goal: Goal) -> list[StaffMember]:
    """The school side: the child's teachers now, and any counselor or liaison who agreed."""
    staff = {member.pk: member for member in access.school_of(goal)}
    agreed = StaffMember.objects.filter(
        is_active=True, pk__in=goal.agreements.filter(staff__isnull=False).values("staff")
    )
    for member in agreed:
        staff.setdefault(member.pk, member)
    return sorted(staff.values(), key=lambda member: member.pk)


def _tell_family(goal: Goal, author: StaffMember, render):
    with override(STAFF_LANGUAGE):
        text = render()
    return send_about_child(
        student=goal.student,
        staff=author,
        text=text,
        subject=text,
        prepared=catalogue_versions(render),
        subject_prepared=catalogue_versions(render),
    )


def _tell_staff(goal: Goal, staff: list[StaffMember], subject, body) -> None:
    link = settings.PUBLIC_BASE_URL.rstrip("/") + reverse("goals:goal", args=[goal.pk])
    for member in staff:
        if not member.email:
            continue
        with override(member.language or settings.LANGUAGE_CODE):
            send_mail(subject(), body() + "\n\n" + link, None, [member.email])


def _reminder_text(goal: Goal) -> str:
    return _(
        "How is %(name)s's goal going? Reply GOAL and a few words to tell the teacher, "
        "or open Homeroom to add a note."
    ) % {"name": goal.student.given_name}


def _end_text(goal: Goal) -> str:
    return _(
        "%(name)s's goal ends today. Was it met? Open Homeroom to say, and to renew it if you like."
    ) % {"name": goal.student.given_name}


def remind(goal: Goal, now: datetime) -> None:
    """One reminder to both sides: the family in their thread with the teacher (so quiet
    hours and channels apply), the school by email."""
    staff = school_people(goal)
    message = _tell_family(goal, staff[0], lambda: _reminder_text(goal)) if staff else None
    _tell_staff(
        goal,
        staff,
        lambda: _("A reminder about a shared goal"),
        lambda: (
            _("How is %(name)s's goal going? Add a note for the family.")
            % {"name": goal.student.full_name}
        ),
    )
    goal.last_reminded_at = now
    goal.save(update_fields=["last_reminded_at"])
    GoalEvent.objects.create(
        goal=goal, kind=GoalEvent.Kind.REMINDED, version=goal.version, message=message
    )


def ask_at_end(goal: Goal, now: datetime) -> None:
    staff = school_people(goal)
    message = _tell_family(goal, staff[0], lambda: _end_text(goal)) if staff else None
    _tell_staff(
        goal,
        staff,
        lambda: _("A shared goal ends today"),
        lambda: (
            _("%(name)s's goal ends today. Was it met? Say so, and renew it if you like.")
            % {"name": goal.student.full_name}
        ),
    )
    goal.end_asked_at = now
    goal.save(update_fields=["end_asked_at"])
    GoalEvent.objects.create(
        goal=goal, kind=GoalEvent.Kind.END_ASKED, version=goal.version, message=message
    )


def remind_goals(now: datetime | None = None) -> int:
    """Every active goal whose reminder is due (N weeks since it began or was last
    reminded) is reminded once; one reaching its end date is asked whether it was met
    instead. Claimed with a conditional update, so two runs never remind twice."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    done = 0
    for goal in Goal.objects.filter(status=Goal.Status.ACTIVE).select_related("student__school"):
        if goal.ends_on <= today:
            if goal.end_asked_at is None and _claim(goal, "end_asked_at", None, now):
                with transaction.atomic():
                    ask_at_end(goal, now)
                done += 1
            continue
        since = goal.last_reminded_at or goal.activated_at
        if since is None or now - since < timedelta(weeks=goal.remind_every_weeks):
            continue
        if _claim(goal, "last_reminded_at", goal.last_reminded_at, now):
            with transaction.atomic():
                remind(goal, now)
            done += 1
    return done


def _claim(goal: Goal, field: str, seen, now: datetime) -> bool:
    return bool(
        Goal.objects.filter(pk=goal.pk, **{field: seen}).update(**{field: now})
        if seen is not None
        else Goal.objects.filter(pk=goal.pk, **{f"{field}__isnull": True}).update(**{field: now})
    )


# The hourly sweep (`manage.py periodic`): reminders that are due, and the question at the end.
@task()
def remind_goals_task() -> int:
    return remind_goals()
