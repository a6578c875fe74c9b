"""Events: creating one with co-organising families, the candidate times put to the
audience, fixing a time, the invitation through the outbox, RSVPs with needs and a waitlist,
the barriers board, and the parent-academy session an event gathers. Who sees an event is
`gatherings.access`; whom staff may invite is `messaging.audiences.check_audience`."""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from homeroom.languages import STAFF_LANGUAGE, base_language
from homeroom.messaging import audiences
from homeroom.messaging.audiences import Audience
from homeroom.messaging.services import send_announcement, start_conversation
from homeroom.people.models import Guardian, StaffMember
from homeroom.voice import access as voice_access
from homeroom.voice.groups import services as group_services
from homeroom.voice.models import AcademySession

from . import access as gatherings_access
from .models import (
    MAX_CANDIDATES,
    MAX_CHILDREN,
    MIN_CANDIDATES,
    Availability,
    CandidateTime,
    Event,
    Rsvp,
)

SMALLEST_GROUP = 5


class EventRefused(Exception):
    """What is wrong with an event or an answer, in words for the person who sent it."""


@dataclass
class Slot:
    starts_at: datetime
    ends_at: datetime


# ---- building -------------------------------------------------------------------------------


def audience_of(event: Event) -> Audience:
    description = event.audience
    kind = description.get("kind")
    if kind == "section":
        return Audience.section(description["section"])
    if kind == "grade":
        return Audience.of_grade(description["school"], description["grade"])
    if kind == "group":
        raise ValueError("a parent-led group's event goes to its members, not an audience")
    if kind == "district":
        return Audience.district()
    return Audience.school(description["school"])


def _check_slot(slot: Slot, now: datetime) -> None:
    if slot.starts_at <= now:
        raise EventRefused(_("Choose a start in the future."))
    if slot.ends_at <= slot.starts_at:
        raise EventRefused(_("The end must come after the start."))


def create_event(
    staff: StaffMember,
    *,
    title: str,
    description: str,
    place: str,
    audience: Audience,
    capacity: int | None,
    when: Slot | None = None,
    candidates: list[Slot] = (),
    host=None,
    now: datetime | None = None,
) -> Event:
    """An event with its time fixed (`when`), or with two to five candidate times to put to
    the families before fixing one. Nothing is sent until `ask_for_times` or `invite`. An
    event for the whole district is held at `host`, one of the district's schools the
    district admin may organise at: its staff host it."""
    now = now or timezone.now()
    candidates = list(candidates)
    _check_times(capacity, when, candidates, now)
    school, section, _scope, described = audiences.check_audience(staff, audience)
    if described.get("kind") == "district":
        if (
            host is None
            or not gatherings_access.schools_to_host(staff.user).filter(pk=host.pk).exists()
        ):
            raise EventRefused(_("Choose the school where the district's event is held."))
        school = host
    if school is None:
        raise EventRefused(_("Choose a class, a grade or a school."))
    return _stored(
        candidates,
        school=school,
        created_by=staff,
        title=title,
        description=description,
        place=place,
        audience=described,
        section=section,
        grade=described.get("grade", ""),
        capacity=capacity,
        starts_at=when.starts_at if when else None,
        ends_at=when.ends_at if when else None,
    )


def create_group_event(
    leader: Guardian,
    group,
    *,
    title: str,
    description: str,
    place: str,
    capacity: int | None,
    when: Slot | None = None,
    candidates: list[Slot] = (),
    now: datetime | None = None,
) -> Event:
    """A parent leader's event for the members of their group: co-planned by a family from
    the start (the leader organises it), filed under the staff member who made the group, as
    its posts are. Only a leader of the group now."""
    now = now or timezone.now()
    if not voice_access.is_parent_leader(leader.user, group):
        raise Http404
    candidates = list(candidates)
    _check_times(capacity, when, candidates, now)
    event = _stored(
        candidates,
        school=group.school,
        created_by=group_services.sender_of(group),
        group=group,
        leader=leader,
        title=title,
        description=description,
        place=place,
        audience={"kind": "group", "group": group.pk, "school": group.school_id},
        capacity=capacity,
        starts_at=when.starts_at if when else None,
        ends_at=when.ends_at if when else None,
        co_planned=True,
    )
    event.co_organisers.add(leader)
    return event


def _check_times(capacity, when, candidates, now) -> None:
    if capacity is not None and capacity < 1:
        raise EventRefused(_("A capacity is at least one person; leave it empty for no limit."))
    if candidates:
        if not MIN_CANDIDATES <= len(candidates) <= MAX_CANDIDATES:
            raise EventRefused(
                _("Put between %(low)s and %(high)s times to families, or fix one time.")
                % {"low": MIN_CANDIDATES, "high": MAX_CANDIDATES}
            )
        if when is not None:
            raise EventRefused(_("Either fix a time or put candidate times, not both."))
        for slot in candidates:
            _check_slot(slot, now)
    elif when is None:
        raise EventRefused(_("Choose when the event is, or put candidate times to families."))
    else:
        _check_slot(when, now)


def _stored(candidates: list[Slot], **fields) -> Event:
    with transaction.atomic():
        event = Event.objects.create(**fields)
        CandidateTime.objects.bulk_create(
            CandidateTime(event=event, position=i, starts_at=s.starts_at, ends_at=s.ends_at)
            for i, s in enumerate(sorted(candidates, key=lambda s: s.starts_at), start=1)
        )
    return event


def update_event(event: Event, *, title: str, description: str, place: str) -> Event:
    """What organisers (staff or a co-organiser family) may change in the words."""
    event.title, event.description, event.place = title, description, place
    event.save(update_fields=["title", "description", "place"])
    return event


def link_academy_session(
    event: Event, session: AcademySession, now: datetime | None = None
) -> Event:
    """Let the event gather a parent-academy session's RSVPs: a coming session of the event's
    school, not gathered by another event. Which sessions an organiser may pick is
    `gatherings.access.sessions_to_link`."""
    now = now or timezone.now()
    if session.group.school_id != event.school_id or not session.group.is_academy:
        raise EventRefused(_("Choose a session of this school's parent academy."))
    if session.starts_at <= now:
        raise EventRefused(_("That session has already taken place."))
    taken = _("That session is already linked to another event.")
    if Event.objects.filter(academy_session=session).exclude(pk=event.pk).exists():
        raise EventRefused(taken)
    try:
        # The one-to-one column is unique: two organisers linking it at once get it once.
        with transaction.atomic():
            Event.objects.filter(pk=event.pk).update(academy_session=session)
    except IntegrityError:
        raise EventRefused(taken) from None
    event.academy_session = session
    return event


def unlink_academy_session(event: Event) -> Event:
    Event.objects.filter(pk=event.pk).update(academy_session=None)
    event.academy_session = None
    return event


def audience_families(event: Event):
    """The guardians the event's invitation reaches (the school may write to them)."""
    links = gatherings_access.audience_links(event)
    return Guardian.objects.filter(pk__in=links.values("guardian")).order_by(
        "family_name", "given_name", "pk"
    )


# A small audience's families are all offered as co-organisers; a larger one's, by name.
FAMILIES_LISTED = 30
FAMILIES_FOUND = 20


def families_to_offer(families, wanted: str = "") -> list[Guardian]:
    """The audience's families to offer as co-organisers: all of them when there are few,
    else those whose name holds `wanted` (two letters at least), at most FAMILIES_FOUND."""
    few = list(families[: FAMILIES_LISTED + 1])
    if len(few) <= FAMILIES_LISTED:
        return few
    words = wanted.split()
    if len(wanted) < 2 or not words:
        return []
    for word in words:
        families = families.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word))
    return list(families[:FAMILIES_FOUND])


def add_co_organiser(event: Event, guardian: Guardian) -> None:
    """Only a family of the event's audience co-organises it."""
    if not audience_families(event).filter(pk=guardian.pk).exists():
        raise EventRefused(_("Only a family the event is for can co-organise it."))
    with transaction.atomic():
        event.co_organisers.add(guardian)
        if not event.co_planned:
            event.co_planned = True
            event.save(update_fields=["co_planned"])


def host_name(event: Event) -> str:
    """Who invites: a parent-led group, the district for an event of the whole district, or
    the school."""
    if event.group_id:
        return event.group.name
    if event.audience.get("kind") == "district":
        return event.school.district.name
    return event.school.name


def event_link(event: Event) -> str:
    return settings.PUBLIC_BASE_URL + reverse("gatherings:family", args=[event.pk])


def _local(moment: datetime, event: Event) -> str:
    """A time in an event's messages, written out ("Friday, December 11, 18:00"): the shape the
    translation keeps whole and renders for the reader ("viernes 11 de diciembre, 18:00").
    Abbreviated, "Fri 11 Dec 18:00" reached Spanish families as "Fri 11 18 de diciembre:00"."""
    from zoneinfo import ZoneInfo

    local = timezone.localtime(moment, ZoneInfo(event.school.time_zone))
    return f"{local:%A, %B} {local.day}, {local:%H:%M}"


# ---- candidate times ------------------------------------------------------------------------


def candidates_message(event: Event, candidates: list[CandidateTime]) -> str:
    with override(STAFF_LANGUAGE):
        times = "; ".join(
            f"{number}) {_local(c.starts_at, event)}" for number, c in enumerate(candidates, 1)
        )
        return _(
            "%(school)s is planning %(title)s. Which of these times can you make? %(times)s. "
            "Reply with the numbers (for example 1 3) or answer here: %(link)s"
        ) % {
            "school": host_name(event),
            "title": event.title,
            "times": times,
            "link": event_link(event),
        }


def ask_for_times(event: Event, staff: StaffMember, now: datetime | None = None) -> None:
    """Put the candidate times to every family of the audience, through the outbox."""
    now = now or timezone.now()
    candidates = list(event.candidates.all())
    if event.is_fixed or not candidates:
        raise EventRefused(_("This event has no candidate times to put to families."))
    if event.times_asked_at is not None:
        raise EventRefused(_("The times have been put to families already."))
    conversation = _announce(event, candidates_message(event, candidates), staff)
    event.times_asked_at = now
    event.times_announcement = conversation
    event.save(update_fields=["times_asked_at", "times_announcement"])


def answer_times(
    event: Event, guardian: Guardian, time_ids: list[int], channel: str = "web"
) -> Availability:
    if event.is_fixed:
        raise EventRefused(_("The time has been fixed already."))
    chosen = list(event.candidates.filter(pk__in=time_ids))
    if len(chosen) != len(set(time_ids)):
        raise EventRefused(_("Choose among the times offered."))
    with transaction.atomic():
        availability, _created = Availability.objects.update_or_create(
            event=event, guardian=guardian, defaults={"channel": channel}
        )
        availability.times.set(chosen)
    return availability


@dataclass
class TimeCount:
    candidate: CandidateTime
    families: int
    by_language: dict[str, int] = field(default_factory=dict)


@dataclass
class TimeCounts:
    answered: int
    times: list[TimeCount]
    languages: list[tuple[str, int]]  # shown: (language, families who answered)
    hidden: int  # languages with fewer than SMALLEST_GROUP answers, left out


def time_counts(event: Event) -> TimeCounts:
    """Per candidate time, how many families can make it, and the same per reader language
    for the languages with at least SMALLEST_GROUP answers (three queries)."""
    candidates = list(event.candidates.all())
    answered: dict[str, int] = {}
    for language, n in (
        Availability.objects.filter(event=event)
        .values_list("guardian__language")
        .annotate(n=Count("pk"))
        .values_list("guardian__language", "n")
        .order_by()
    ):
        base = base_language(language) or STAFF_LANGUAGE
        answered[base] = answered.get(base, 0) + n
    shown = sorted(
        ((lang, n) for lang, n in answered.items() if n >= SMALLEST_GROUP),
        key=lambda pair: (-pair[1], pair[0]),
    )
    shown_set = {lang for lang, _n in shown}
    counts: dict[int, TimeCount] = {c.pk: TimeCount(c, 0) for c in candidates}
    for candidate_id, language, n in (
        Availability.times.through.objects.filter(availability__event=event)
        .values_list("candidatetime", "availability__guardian__language")
        .annotate(n=Count("pk"))
        .values_list("candidatetime", "availability__guardian__language", "n")
        .order_by()
    ):
        row = counts[candidate_id]
        row.families += n
        base = base_language(language) or STAFF_LANGUAGE
        if base in shown_set:
            row.by_language[base] = row.by_language.get(base, 0) + n
    return TimeCounts(
        answered=sum(answered.values()),
        times=[counts[c.pk] for c in candidates],
        languages=shown,
        hidden=len(answered) - len(shown),
    )


def fix_time(event: Event, candidate_id: int, now: datetime | None = None) -> Event:
    now = now or timezone.now()
    if event.is_fixed:
        raise EventRefused(_("The time has been fixed already."))
    candidate = event.candidates.filter(pk=candidate_id).first()
    if candidate is None:
        raise EventRefused(_("Choose one of the event's candidate times."))
    if candidate.starts_at <= now:
        raise EventRefused(_("Choose a start in the future."))
    event.starts_at, event.ends_at = candidate.starts_at, candidate.ends_at
    event.save(update_fields=["starts_at", "ends_at"])
    return event


# ---- the invitation -------------------------------------------------------------------------


def invite(event: Event, staff: StaffMember, now: datetime | None = None) -> None:
    """The invitation to every family of the audience, each on its channel and in its
    language, through the outbox, with the link to RSVP and the calendar file."""
    now = now or timezone.now()
    if not event.is_fixed:
        raise EventRefused(_("Fix the time before inviting families."))
    if event.is_past(now):
        raise EventRefused(_("This event has already started."))
    if event.invited_at is not None:
        raise EventRefused(_("The families have been invited already."))
    with override(STAFF_LANGUAGE):
        text = _(
            "%(school)s invites you to %(title)s on %(when)s at %(place)s. "
            "Reply YES and how many of you are coming (YES 3), or NO. "
            "Tell us what would help you come: %(link)s"
        ) % {
            "school": host_name(event),
            "title": event.title,
            "when": _local(event.starts_at, event),
            "place": event.place or event.school.name,
            "link": event_link(event),
        }
    _announce(event, text, staff)
    event.invited_at = now
    event.save(update_fields=["invited_at"])


def _announce(event: Event, text: str, sender):
    """To the event's audience through the outbox: a staff member's announcement or, for a
    parent-led group's event, its leader's post to the members (`sender` a guardian leading
    the group now). Returns the conversation that carried it."""
    if event.group_id is None:
        if not isinstance(sender, StaffMember):
            raise Http404
        try:
            return send_announcement(
                by_staff=sender, audience=audience_of(event), text=text, subject=event.title
            )
        except PermissionDenied:
            raise EventRefused(
                _("Only the district's admins send the messages of an event of the district.")
            ) from None
    if not isinstance(sender, Guardian) or not voice_access.is_parent_leader(
        sender.user, event.group
    ):
        raise EventRefused(_("Only the group's parent leaders send its event's messages."))
    try:
        post = group_services.post_to_group(event.group, sender, text)
    except group_services.GroupRefused as refusal:
        raise EventRefused(str(refusal)) from None
    return post.conversation


def calendar_file(event: Event) -> bytes:
    """The event as an iCalendar file any calendar app reads."""
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Homeroom//Gatherings//EN")
    calendar.add("version", "2.0")
    entry = icalendar.Event()
    entry.add("uid", f"event-{event.pk}@homeroom")
    entry.add("dtstamp", timezone.now())
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("summary", event.title)
    if event.description:
        entry.add("description", event.description)
    entry.add("location", event.place or event.school.name)
    entry.add("url", event_link(event))
    calendar.add_component(entry)
    return calendar.to_ical()


# ---- RSVPs ----------------------------------------------------------------------------------


@dataclass
class Needs:
    childcare: bool = False
    childcare_ages: str = ""
    interpreter_language: str = ""
    ride: bool = False
    meal: bool = False
    dietary_note: str = ""
    accessibility: bool = False
    accessibility_note: str = ""


def rsvp_of(event: Event, guardian: Guardian) -> Rsvp | None:
    return Rsvp.objects.filter(event=event, guardian=guardian).first()


def needs_of(rsvp: Rsvp) -> Needs:
    """The needs an RSVP carries (kept when a family changes its count by text)."""
    return Needs(**{name: getattr(rsvp, name) for name in Needs.__dataclass_fields__})


def _going_people(event: Event, exclude: int | None = None) -> int:
    going = Rsvp.objects.filter(event=event, status=Rsvp.Status.GOING)
    if exclude:
        going = going.exclude(pk=exclude)
    totals = going.aggregate(adults=Sum("adults"), children=Sum("children"))
    return (totals["adults"] or 0) + (totals["children"] or 0)


def respond(
    event: Event,
    guardian: Guardian,
    *,
    coming: bool,
    adults: int = 1,
    children: int = 0,
    needs: Needs | None = None,
    now: datetime | None = None,
) -> Rsvp:
    """A family says whether it comes, how many, and what would help. With a capacity, a
    family that does not fit waits, in the order families asked. The event's row is locked
    while places are counted, so two families taking the last place get one each way."""
    now = now or timezone.now()
    if not event.is_fixed or event.invited_at is None:
        raise EventRefused(_("This event is not open for answers yet."))
    if event.is_past(now):
        raise EventRefused(_("This event has already started."))
    if coming and adults < 1:
        raise EventRefused(_("Count at least one adult."))
    if children > MAX_CHILDREN:
        raise EventRefused(
            _("At most %(count)s children for one family.") % {"count": MAX_CHILDREN}
        )
    needs = needs or Needs()
    if not coming:
        return cancel(event, guardian, now=now) or _record_not_going(event, guardian)
    with transaction.atomic():
        Event.objects.select_for_update().filter(pk=event.pk).first()
        rsvp = Rsvp.objects.select_for_update().filter(event=event, guardian=guardian).first()
        was_going = rsvp is not None and rsvp.status == Rsvp.Status.GOING
        if rsvp is None:
            rsvp = Rsvp(event=event, guardian=guardian, asked_at=now)
        elif not was_going and rsvp.status == Rsvp.Status.NOT_GOING:
            rsvp.asked_at = now
        rsvp.adults, rsvp.children = adults, children
        for name, value in needs.__dict__.items():
            setattr(rsvp, name, value)
        room = (
            event.capacity is None
            or _going_people(event, exclude=rsvp.pk) + adults + children <= event.capacity
        )
        if was_going and not room:
            left = event.capacity - _going_people(event, exclude=rsvp.pk)
            raise EventRefused(
                _("Only %(count)s places are left: keep your count or ask the school.")
                % {"count": max(left, 0)}
            )
        rsvp.status = Rsvp.Status.GOING if room else Rsvp.Status.WAITLISTED
        try:
            with transaction.atomic():
                rsvp.save()
        except IntegrityError:
            raise EventRefused(_("This family has already answered.")) from None
        if was_going:
            _promote(event)
    return rsvp


def _record_not_going(event: Event, guardian: Guardian) -> Rsvp:
    rsvp, _created = Rsvp.objects.update_or_create(
        event=event, guardian=guardian, defaults={"status": Rsvp.Status.NOT_GOING}
    )
    return rsvp


def cancel(event: Event, guardian: Guardian, now: datetime | None = None) -> Rsvp | None:
    """ "Can't come after all": frees the family's places and promotes whoever waits."""
    with transaction.atomic():
        Event.objects.select_for_update().filter(pk=event.pk).first()
        rsvp = Rsvp.objects.select_for_update().filter(event=event, guardian=guardian).first()
        if rsvp is None:
            return None
        freed = rsvp.status == Rsvp.Status.GOING
        rsvp.status = Rsvp.Status.NOT_GOING
        rsvp.save(update_fields=["status", "updated_at"])
        if freed:
            _promote(event)
            # A family not coming neither drives nor rides: its seats or its place in a car
            # are freed, and the family on the other side of an agreed ride is told.
            from . import rides  # rides builds on this module

            rides.withdraw_offer(event, guardian)
            rides.withdraw_request(event, guardian)
    return rsvp


def _promote(event: Event) -> list[Rsvp]:
    """Waiting families in the order they asked, while the first of them fits; each is told
    through the outbox (after the commit)."""
    if event.capacity is None:
        waiting = list(event.rsvps.filter(status=Rsvp.Status.WAITLISTED))
    else:
        left = event.capacity - _going_people(event)
        waiting = []
        for rsvp in event.rsvps.filter(status=Rsvp.Status.WAITLISTED).order_by("asked_at", "pk"):
            if rsvp.people > left:
                break
            waiting.append(rsvp)
            left -= rsvp.people
    for rsvp in waiting:
        rsvp.status = Rsvp.Status.GOING
        rsvp.save(update_fields=["status", "updated_at"])
        transaction.on_commit(lambda pk=rsvp.pk: tell_promoted(pk))
    return waiting


def tell_promoted(rsvp_pk: int) -> None:
    """A private message to the promoted family about its child, in its language."""
    rsvp = Rsvp.objects.select_related("event__school", "event__created_by", "guardian").get(
        pk=rsvp_pk
    )
    event = rsvp.event
    student = gatherings_access.child_to_tell(event, rsvp.guardian)
    if student is None:
        return
    with override(STAFF_LANGUAGE):
        text = _(
            "A place opened up: you are now coming to %(title)s on %(when)s. "
            "If you can't come after all, tell us here: %(link)s"
        ) % {
            "title": event.title,
            "when": _local(event.starts_at, event),
            "link": event_link(event),
        }
    start_conversation(student=student, by_staff=event.created_by, text=text, subject=event.title)


# ---- the barriers board ---------------------------------------------------------------------

NEEDS = ("childcare", "interpreter", "ride", "meal", "accessibility")
# How many families each need lists while it is open (by name); the rest are counted, so a
# board of 5,000 answers stays a page an organiser works down.
OPEN_LISTED = 50
# What the board reads of an answer: its counts, its needs and the family's name.
_BOARD_FIELDS = (
    "id",
    "guardian_id",
    "status",
    "adults",
    "children",
    "childcare",
    "childcare_ages",
    "childcare_met",
    "interpreter_language",
    "interpreter_met",
    "ride",
    "ride_met",
    "meal",
    "dietary_note",
    "meal_met",
    "accessibility",
    "accessibility_note",
    "accessibility_met",
)


class OpenNeed(list):
    """The first families (by name) whose need is still open, at most OPEN_LISTED of them,
    and how many more wait behind them (`more`)."""

    def __init__(self, rsvps=(), more: int = 0):
        super().__init__(rsvps)
        self.more = more


@dataclass
class Board:
    going: int  # families
    people: int
    waitlisted: int
    childcare_children: int
    childcare_ages: tuple[int, int] | None
    interpreters: list[tuple[str, int]]  # (language, families)
    rides: int
    meals: list[tuple[str, int]]  # (dietary note, families)
    accessibility: int
    open_needs: dict[str, OpenNeed]
    met: dict[str, int]
    total: dict[str, int]


def _ages(text: str) -> list[int]:
    import re

    return [int(n) for n in re.findall(r"\d+", text) if int(n) <= 21]


def _from_values(model, values: dict, db: str):
    """A row read as values, as an instance of `model` (its other fields load on access)."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(db, names, [values[name] for name in names])


def _listed(event: Event, row: dict, db: str) -> Rsvp:
    rsvp = _from_values(Rsvp, {**row, "event_id": event.pk}, db)
    rsvp.guardian = _from_values(
        Guardian,
        {
            "id": row["guardian_id"],
            "given_name": row["guardian__given_name"],
            "family_name": row["guardian__family_name"],
        },
        db,
    )
    return rsvp


def barriers(event: Event) -> Board:
    """The needs of the families coming (or waiting), summed, with each need's met or open
    state and the first OPEN_LISTED families whose need is still open, by name (one query:
    the answers are read as plain values, and only the families listed become objects, so
    thousands of answers stay cheap)."""
    query = (
        event.rsvps.exclude(status=Rsvp.Status.NOT_GOING)
        .order_by("guardian__family_name", "guardian__given_name", "pk")
        .values(*_BOARD_FIELDS, "guardian__given_name", "guardian__family_name")
    )
    rows = list(query)
    going = [r for r in rows if r["status"] == Rsvp.Status.GOING]
    ages = [age for r in rows if r["childcare"] for age in _ages(r["childcare_ages"])]
    interpreters: dict[str, int] = {}
    meals: dict[str, int] = {}
    for r in rows:
        if r["interpreter_language"]:
            language = r["interpreter_language"]
            interpreters[language] = interpreters.get(language, 0) + 1
        if r["meal"]:
            note = r["dietary_note"].strip().casefold() or _("no dietary note")
            meals[note] = meals.get(note, 0) + 1
    open_needs, met, total = {}, {}, {}
    for need in NEEDS:
        has = "interpreter_language" if need == "interpreter" else need
        with_need = [r for r in rows if r[has]]
        still_open = [r for r in with_need if not r[f"{need}_met"]]
        total[need] = len(with_need)
        met[need] = total[need] - len(still_open)
        open_needs[need] = OpenNeed(
            [_listed(event, r, query.db) for r in still_open[:OPEN_LISTED]],
            more=max(0, len(still_open) - OPEN_LISTED),
        )
    return Board(
        going=len(going),
        people=sum(r["adults"] + r["children"] for r in going),
        waitlisted=sum(1 for r in rows if r["status"] == Rsvp.Status.WAITLISTED),
        childcare_children=sum(r["children"] for r in rows if r["childcare"]),
        childcare_ages=(min(ages), max(ages)) if ages else None,
        interpreters=sorted(interpreters.items(), key=lambda p: (-p[1], p[0])),
        rides=total["ride"],
        meals=sorted(meals.items(), key=lambda p: (-p[1], p[0])),
        accessibility=total["accessibility"],
        open_needs=open_needs,
        met=met,
        total=total,
    )


def mark_met(event: Event, rsvp_id: int, need: str, met: bool = True) -> Rsvp:
    """An organiser says a family's need is met (an interpreter assigned, childcare
    confirmed, a ride found) or open again."""
    if need not in NEEDS:
        raise EventRefused(_("Choose a need."))
    rsvp = event.rsvps.filter(pk=rsvp_id).first()
    if rsvp is None:
        raise EventRefused(_("Choose a family of this event."))
    setattr(rsvp, f"{need}_met", met)
    rsvp.save(update_fields=[f"{need}_met", "updated_at"])
    return rsvp


def counts(event: Event) -> dict[str, int]:
    """Families going and waiting, people going (for organisers and co-organisers)."""
    rows = event.rsvps.aggregate(
        going=Count("pk", filter=Q(status=Rsvp.Status.GOING)),
        waiting=Count("pk", filter=Q(status=Rsvp.Status.WAITLISTED)),
        adults=Sum("adults", filter=Q(status=Rsvp.Status.GOING)),
        children=Sum("children", filter=Q(status=Rsvp.Status.GOING)),
    )
    rows["people"] = (rows.pop("adults") or 0) + (rows.pop("children") or 0)
    return rows
