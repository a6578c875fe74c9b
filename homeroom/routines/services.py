"""Relationship routines, named in the product's words: save_sentence, send_weekly_update,
weekly_coverage, remind_weekly_updates, plan_rotation, log_contact, contact_timeline,
positive_first."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from homeroom.behavior.models import Moment
from homeroom.messaging.access import log_reviews
from homeroom.messaging.models import Conversation, Delivery, Message
from homeroom.messaging.services import catalogue_versions, start_conversation
from homeroom.people import access
from homeroom.people.models import (
    Enrollment,
    Guardian,
    School,
    Section,
    StaffMember,
    Student,
)
from homeroom.translation.codes import base_language
from homeroom.translation.detection import detect_language
from homeroom.translation.services import TranslationUnavailable, translate

from . import access as timeline_access
from .models import (
    NOTE_MAX_CHARS,
    SENTENCE_MAX_CHARS,
    STORY_MAX_CHARS,
    VISIT_NOTE_MAX_CHARS,
    ContactKind,
    ContactLog,
    ContactPlan,
    Direction,
    FamilyStory,
    Framing,
    HomeVisit,
    Outcome,
    PlannedContact,
    StoryInvitation,
    Tone,
    UpdateSentence,
    VisitStatus,
    WeeklyUpdate,
)

MIN_SPECIFIC_WORDS = 5
VAGUE_PHRASES = ("doing fine", "good job", "is great", "doing well", "great job", "is fine")
SCHOOL_YEAR_START = (8, 1)  # 1 August
STAFF_LANGUAGE = "en"


class RoutineRefused(ValueError):
    """Input a routine cannot take; the message says what to fix."""


# ---- the weekly one-sentence update ----------------------------------------------------------


def week_start_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def local_today(school=None) -> date:
    zone = ZoneInfo(school.time_zone) if school else timezone.get_current_timezone()
    return timezone.now().astimezone(zone).date()


def weekly_update_for(section: Section, staff: StaffMember, week_start: date) -> WeeklyUpdate:
    update, _created = WeeklyUpdate.objects.get_or_create(
        section=section, week_start=week_start, defaults={"created_by": staff}
    )
    return update


def roster(section: Section) -> QuerySet[Student]:
    """The class's active students, in roster order."""
    enrolled = Enrollment.objects.filter(section=section, is_active=True).values("student_id")
    return Student.objects.filter(pk__in=enrolled, is_active=True).order_by(
        "family_name", "given_name", "pk"
    )


def is_vague(text: str) -> bool:
    """A sentence too short or too general to tell a family what happened or what to do."""
    text = " ".join(text.split())
    if not text:
        return False
    if len(text.split()) < MIN_SPECIFIC_WORDS:
        return True
    lowered = text.lower()
    if any(phrase in lowered for phrase in VAGUE_PHRASES):
        # "is doing well in fractions: she solved all five word problems" names a detail.
        return len(text.split()) < 10
    return False


def save_sentence(
    update: WeeklyUpdate, student: Student, text: str, framing: str = Framing.POSITIVE
) -> UpdateSentence:
    """Keep what the teacher wrote for one student. An empty sentence is a skip."""
    text = " ".join((text or "").split())
    if len(text) > SENTENCE_MAX_CHARS:
        raise RoutineRefused(
            _("Keep it to one sentence of at most %(max)d characters (this one has %(count)d).")
            % {"max": SENTENCE_MAX_CHARS, "count": len(text)}
        )
    if framing not in Framing.values:
        framing = Framing.POSITIVE
    sentence, _created = UpdateSentence.objects.get_or_create(update=update, student=student)
    if sentence.message_id:
        raise RoutineRefused(_("This sentence has been sent already."))
    sentence.text = text
    sentence.framing = framing
    sentence.skipped = not text
    sentence.saved_at = timezone.now()
    sentence.save()
    return sentence


def skip_student(update: WeeklyUpdate, student: Student) -> UpdateSentence:
    return save_sentence(update, student, "")


@dataclass
class Tally:
    praise: int = 0
    next_steps: int = 0
    skipped: int = 0


def tally(sentences) -> Tally:
    counts = Tally()
    for sentence in sentences:
        if sentence.skipped or not sentence.text:
            counts.skipped += sentence.skipped
        elif sentence.framing == Framing.NEXT_STEP:
            counts.next_steps += 1
        else:
            counts.praise += 1
    return counts


def _contactable_links():
    return access.contactable_links(about_the_child=True)


@dataclass
class SendResult:
    sent: int = 0
    no_family: list = field(default_factory=list)


def send_weekly_update(update: WeeklyUpdate, staff: StaffMember) -> SendResult:
    """Every written sentence goes to its student's families, each on their own channel."""
    result = SendResult()
    sentences = list(
        update.sentences.filter(skipped=False, message__isnull=True)
        .exclude(text="")
        .select_related("student")
        .annotate(families=timeline_access.families_reached())
    )
    subject = _("Weekly update")
    for sentence in sentences:
        if not sentence.families:
            result.no_family.append(sentence.student)
            continue
        conversation = start_conversation(
            student=sentence.student, by_staff=staff, text=sentence.text, subject=subject
        )
        sentence.message = conversation.messages.order_by("pk").first()
        sentence.save(update_fields=["message"])
        result.sent += 1
    update.sent_at = timezone.now()
    update.save(update_fields=["sent_at"])
    return result


def _replied():
    """A family replied: a guardian wrote in the thread after the sentence was sent."""
    return Exists(
        Message.objects.filter(
            conversation_id=OuterRef("message__conversation_id"),
            author_guardian__isnull=False,
            created_at__gt=OuterRef("message__created_at"),
        )
    )


def weekly_coverage(section: Section) -> list[dict]:
    """Per week, newest first: sentences sent, students skipped, families who replied."""
    rows = (
        UpdateSentence.objects.filter(update__section=section)
        .annotate(replied=_replied())
        .values("update__week_start", "update__sent_at")
        .annotate(
            sent=Count("pk", filter=Q(message__isnull=False)),
            skipped=Count("pk", filter=Q(skipped=True)),
            replied_count=Count("pk", filter=Q(replied=True, message__isnull=False)),
        )
        .order_by("-update__week_start")
    )
    return [
        {
            "week_start": row["update__week_start"],
            "sent_at": row["update__sent_at"],
            "sent": row["sent"],
            "skipped": row["skipped"],
            "replied": row["replied_count"],
        }
        for row in rows
    ]


def set_reminder_day(staff: StaffMember, day: int | None) -> None:
    if day is None:
        staff.metadata.pop("weekly_update_day", None)
    elif not 0 <= day <= 6:
        raise RoutineRefused(_("Choose a day of the week."))
    else:
        staff.metadata["weekly_update_day"] = day
    staff.save(update_fields=["metadata"])


def remind_weekly_updates(today: date | None = None) -> int:
    """Email each teacher who chose a reminder day, has reached it, and has a class whose
    update for this week is not sent yet. Once a week at most. Returns emails sent."""
    today = today or timezone.localdate()
    week = week_start_of(today)
    teachers = StaffMember.objects.filter(
        is_active=True, metadata__has_key="weekly_update_day"
    ).exclude(email="")
    sent = 0
    for staff in teachers:
        day = staff.metadata.get("weekly_update_day")
        if not isinstance(day, int) or today.weekday() < day:
            continue
        if staff.metadata.get("weekly_update_reminded") == week.isoformat():
            continue
        pending = list(
            access.sections_taught_by(staff)
            .exclude(weekly_updates__week_start=week, weekly_updates__sent_at__isnull=False)
            .order_by("title")
        )
        if not pending:
            continue
        with override(staff.metadata.get("language") or settings.LANGUAGE_CODE):
            lines = [
                f"- {section.title}: "
                + settings.PUBLIC_BASE_URL.rstrip("/")
                + reverse("routines:weekly", args=[section.pk])
                for section in pending
            ]
            body = _(
                "Hello %(name)s,\n\nYour one-sentence update to families is not sent yet "
                "this week:\n%(classes)s\n\nA sentence per student, praise or one next step: "
                "a few minutes that help students succeed."
            ) % {"name": staff.given_name, "classes": "\n".join(lines)}
            send_mail(_("Your weekly update to families"), body, None, [staff.email])
        staff.metadata["weekly_update_reminded"] = week.isoformat()
        staff.save(update_fields=["metadata"])
        sent += 1
    return sent


# ---- planned positive check-ins ----------------------------------------------------------------


def create_plan(
    staff: StaffMember,
    *,
    cycle_days: int,
    call_days: list[int],
    section: Section | None = None,
    start: date | None = None,
) -> ContactPlan:
    if not isinstance(cycle_days, int) or cycle_days < 1:
        raise RoutineRefused(_("A cycle lasts at least one day."))
    days = sorted({int(day) for day in call_days})
    if any(day < 0 or day > 6 for day in days):
        raise RoutineRefused(_("Choose days of the week."))
    with transaction.atomic():
        plan = ContactPlan.objects.create(
            staff=staff, section=section, cycle_days=cycle_days, call_days=days
        )
        plan_rotation(plan, start=start)
    return plan


def _plan_links(plan: ContactPlan):
    sections = timeline_access.sections_of_plan(plan)
    students = Enrollment.objects.filter(section__in=sections, is_active=True).values("student_id")
    return _contactable_links().filter(student_id__in=students)


def last_reached():
    """When a guardian was last in touch: a logged contact, a message to or from them."""
    by_log = ContactLog.objects.filter(guardian=OuterRef("guardian_id")).values("guardian")
    by_delivery = Delivery.objects.filter(guardian=OuterRef("guardian_id")).values("guardian")
    by_reply = Message.objects.filter(author_guardian=OuterRef("guardian_id")).values(
        "author_guardian"
    )
    return {
        "last_log": Subquery(by_log.annotate(last=Max("at")).values("last")[:1]),
        "last_delivery": Subquery(by_delivery.annotate(last=Max("created_at")).values("last")[:1]),
        "last_reply": Subquery(by_reply.annotate(last=Max("created_at")).values("last")[:1]),
    }


def cycle_days_of(plan: ContactPlan, start: date) -> list[date]:
    days = [start + timedelta(days=offset) for offset in range(plan.cycle_days)]
    chosen = [day for day in days if day.weekday() in set(plan.call_days or [])]
    return chosen or days


def replan_if_roster_changed(plan: ContactPlan, today: date | None = None) -> bool:
    """Re-plan when the families of the plan's classes are not the ones planned this cycle:
    a family joined or left a class, a court order arrived, or the cycle ran out."""
    today = today or timezone.localdate()
    families = set(_plan_links(plan).values_list("guardian_id", "student_id"))
    planned = plan.contacts.filter(due_date__gt=today - timedelta(days=plan.cycle_days))
    in_cycle = set(planned.values_list("guardian_id", "student_id"))
    still_open = set(planned.filter(done_at__isnull=True).values_list("guardian_id", "student_id"))
    if families - in_cycle or still_open - families:
        plan_rotation(plan, start=today)
        return True
    return False


def plan_rotation(plan: ContactPlan, start: date | None = None) -> list[PlannedContact]:
    """Plan one check-in per contactable guardian of the plan's students over one cycle from
    `start`, spread evenly across the chosen days, longest-unreached first. Calling it again
    (the roster changed) keeps done contacts and replans the open ones."""
    start = start or timezone.localdate()
    links = (
        _plan_links(plan)
        .annotate(**last_reached())
        .values("guardian_id", "student_id", "last_log", "last_delivery", "last_reply")
        .order_by("guardian_id", "student_id")
    )
    cycle_began = start - timedelta(days=plan.cycle_days)
    since = timezone.make_aware(datetime.combine(cycle_began, datetime.min.time()))
    done = set(plan.contacts.filter(done_at__gte=since).values_list("guardian_id", flat=True))
    chosen: dict[int, dict] = {}
    for row in links:
        if row["guardian_id"] in done or row["guardian_id"] in chosen:
            continue
        chosen[row["guardian_id"]] = row
    never = datetime.min.replace(tzinfo=ZoneInfo("UTC"))

    def last(row):
        moments = [row[key] for key in ("last_log", "last_delivery", "last_reply") if row[key]]
        return max(moments) if moments else never

    ordered = sorted(chosen.values(), key=lambda row: (last(row), row["guardian_id"]))
    days = cycle_days_of(plan, start)
    planned = [
        PlannedContact(
            plan=plan,
            guardian_id=row["guardian_id"],
            student_id=row["student_id"],
            due_date=days[index * len(days) // len(ordered)],
        )
        for index, row in enumerate(ordered)
    ]
    with transaction.atomic():
        plan.contacts.filter(done_at__isnull=True).delete()
        PlannedContact.objects.bulk_create(planned, batch_size=1000)
    return planned


def todays_checkins(staff: StaffMember, today: date) -> QuerySet[PlannedContact]:
    """Open check-ins due today or overdue, of the plans of this staff member."""
    return (
        PlannedContact.objects.filter(plan__staff=staff, done_at__isnull=True, due_date__lte=today)
        .select_related("guardian", "student")
        .order_by("due_date", "guardian__family_name", "guardian__given_name", "pk")
    )


def log_contact(
    staff: StaffMember,
    student: Student,
    *,
    kind: str,
    tone: str = Tone.NEUTRAL,
    direction: str = Direction.SCHOOL,
    outcome: str = "",
    note: str = "",
    guardian=None,
    at: datetime | None = None,
    planned: PlannedContact | None = None,
) -> ContactLog:
    if kind not in ContactKind.values:
        raise RoutineRefused(_("Choose call, visit, conference or note."))
    if tone not in Tone.values:
        raise RoutineRefused(_("Choose positive, neutral or concern."))
    if direction not in Direction.values:
        raise RoutineRefused(_("Say who initiated the contact."))
    if outcome and outcome not in Outcome.values:
        raise RoutineRefused(_("Choose how the call went."))
    note = (note or "").strip()
    if len(note) > NOTE_MAX_CHARS:
        raise RoutineRefused(
            _("A note is at most %(max)d characters (this one has %(count)d).")
            % {"max": NOTE_MAX_CHARS, "count": len(note)}
        )
    with transaction.atomic():
        log = ContactLog.objects.create(
            school_id=student.school_id,
            student=student,
            guardian=guardian,
            staff=staff,
            kind=kind,
            tone=tone,
            direction=direction,
            outcome=outcome,
            note=note,
            at=at or timezone.now(),
        )
        if planned is not None:
            PlannedContact.objects.filter(pk=planned.pk).update(done_at=log.at, log=log)
    return log


# ---- the contact timeline ----------------------------------------------------------------------


def _timeline_sources(student: Student, user):
    messages = (
        timeline_access.timeline_messages_for(user)
        .filter(conversation__student=student, conversation__kind=Conversation.Kind.PRIVATE)
        .order_by()
        .annotate(k=Value("message", CharField()), t=F("created_at"), i=F("pk"))
    )
    logs = (
        timeline_access.contact_logs_for(user)
        .filter(student=student)
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
    return sources


def contact_timeline(student: Student, user):
    """Every contact with the student's families that `user` may see, newest first, as
    (kind, at, id) rows ready to paginate; `timeline_items` turns one page of them into
    objects."""
    first, *rest = _timeline_sources(student, user)
    return first.union(*rest, all=True).order_by("-t", "-i")


def timeline_items(rows, user) -> list[dict]:
    """One page of (kind, at, id) rows as objects: one query per kind, whatever the page.
    The conversations `user` reads there without being part of them are logged."""
    ids: dict[str, list[int]] = {"message": [], "contact": [], "moment": []}
    for kind, _at, pk in rows:
        ids[kind].append(pk)
    sources = {
        "message": Message.objects.select_related("author_staff", "author_guardian"),
        "contact": ContactLog.objects.select_related("staff", "guardian"),
        "moment": Moment.objects.select_related("category", "recorded_by"),
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
    log_reviews(user, {message.conversation_id for message in found["message"].values()})
    return items


# ---- positive first ----------------------------------------------------------------------------


def school_year_start(today: date) -> date:
    month, day = SCHOOL_YEAR_START
    year = today.year if (today.month, today.day) >= (month, day) else today.year - 1
    return date(year, month, day)


def _first(queryset, field_name: str, ordering: str):
    return Subquery(queryset.order_by(ordering).values(field_name)[:1])


def positive_first(students: QuerySet[Student], today: date | None = None) -> dict:
    """For each student's family: was the first contact of this school year good news?

    A logged contact counts by its tone, a recognition moment by whether it is good news, and
    a message from school is neutral unless it was a weekly-update sentence of praise."""
    start = school_year_start(today or timezone.localdate())
    since = timezone.make_aware(datetime.combine(start, datetime.min.time()))
    logs = ContactLog.objects.filter(student=OuterRef("pk"), at__gte=since)
    messages = Message.objects.filter(
        conversation__student=OuterRef("pk"), author_staff__isnull=False, created_at__gte=since
    )
    annotations = {
        "first_log_at": _first(logs, "at", "at"),
        "first_log_tone": _first(logs, "tone", "at"),
        "first_message_at": _first(messages, "created_at", "created_at"),
        "first_message_id": _first(messages, "pk", "created_at"),
    }
    moments = Moment.objects.filter(
        student=OuterRef("pk"), withdrawn_at__isnull=True, created_at__gte=since
    )
    annotations["first_moment_at"] = _first(moments, "created_at", "created_at")
    annotations["first_moment_positive"] = _first(moments, "positive", "created_at")
    praise = UpdateSentence.objects.filter(
        message_id=OuterRef("first_message_id"), framing=Framing.POSITIVE
    )
    rows = (
        students.annotate(**annotations)
        .annotate(first_message_praise=Exists(praise))
        .select_related("school")
        .order_by("family_name", "given_name", "pk")
    )
    result = {"positive": 0, "contacted": 0, "waiting": [], "by_school": {}, "start": start}
    for student in rows:
        firsts = []
        if student.first_log_at:
            firsts.append((student.first_log_at, student.first_log_tone == Tone.POSITIVE))
        if student.first_message_at:
            firsts.append((student.first_message_at, bool(student.first_message_praise)))
        if getattr(student, "first_moment_at", None):
            firsts.append((student.first_moment_at, bool(student.first_moment_positive)))
        school = result["by_school"].setdefault(
            student.school_id, {"school": student.school, "positive": 0, "contacted": 0}
        )
        if not firsts:
            result["waiting"].append(student)
            continue
        good = min(firsts, key=lambda pair: pair[0])[1]
        result["contacted"] += 1
        school["contacted"] += 1
        if good:
            result["positive"] += 1
            school["positive"] += 1
    result["rate"] = rate(result["positive"], result["contacted"])
    for school in result["by_school"].values():
        school["rate"] = rate(school["positive"], school["contacted"])
    return result


def rate(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


# ---- "tell me about your child" ------------------------------------------------------------


def school_year_of(day: date) -> int:
    """The school year a day belongs to, named by the year it starts (1 August)."""
    return school_year_start(day).year


def story_link(student: Student) -> str:
    return settings.PUBLIC_BASE_URL + reverse("routines:story", args=[student.pk])


@dataclass
class InviteResult:
    sent: int = 0
    already: int = 0
    no_family: list = field(default_factory=list)


def _story_invitation_text(student: Student) -> str:
    # Rendered in the active language: the staff copy, and (through catalogue_versions) a
    # reviewed copy per language we ship; messaging translates it for any other language.
    return _(
        "Tell us about %(name)s, in your own words and in any language: what they love, "
        "what they are good at, what worries you, how they learn best. Write it here: "
        "%(link)s"
    ) % {"name": student.preferred_name or student.given_name, "link": story_link(student)}


def _with_staff_language(render, *args) -> str:
    with override(STAFF_LANGUAGE):
        return render(*args)


def invite_family_stories(
    section_or_school, by_staff: StaffMember, today: date | None = None
) -> InviteResult:
    """Invite each student's contactable families to tell us about the child, once a year."""
    if isinstance(section_or_school, School):
        students = Student.objects.filter(school=section_or_school, is_active=True)
    else:
        students = roster(section_or_school)
    students = students.filter(pk__in=access.students_for(by_staff.user).values("pk"))
    school_year = school_year_of(today or timezone.localdate())
    reachable = Exists(_contactable_links().filter(student=OuterRef("pk")))
    result = InviteResult()
    for student in students.annotate(reachable=reachable).order_by("family_name", "pk"):
        if not student.reachable:
            result.no_family.append(student)
            continue
        try:
            with transaction.atomic():
                invitation = StoryInvitation.objects.create(
                    student=student, school_year=school_year, invited_by=by_staff
                )
        except IntegrityError:
            result.already += 1
            continue
        conversation = start_conversation(
            student=student,
            by_staff=by_staff,
            text=_with_staff_language(_story_invitation_text, student),
            prepared=catalogue_versions(lambda student=student: _story_invitation_text(student)),
            subject=_("Tell us about your child"),
        )
        invitation.message = conversation.messages.order_by("pk").first()
        invitation.save(update_fields=["message"])
        result.sent += 1
    return result


def story_for(student: Student, guardian: Guardian, today: date | None = None):
    """This school year's story by this guardian, or None."""
    school_year = school_year_of(today or timezone.localdate())
    return FamilyStory.objects.filter(
        student=student, guardian=guardian, school_year=school_year
    ).first()


def save_story(
    student: Student, guardian: Guardian, text: str, today: date | None = None
) -> FamilyStory:
    """Keep a family's story of their child (this school year's; saving again edits it) and
    its English translation for staff."""
    text = (text or "").strip()
    if not text:
        raise RoutineRefused(_("Write a few words about your child before saving."))
    if len(text) > STORY_MAX_CHARS:
        raise RoutineRefused(
            _(
                "Your story is %(count)s characters long; we can keep up to %(max)s. "
                "Please shorten it and save again."
            )
            % {
                "count": number_format(len(text), force_grouping=True),
                "max": number_format(STORY_MAX_CHARS, force_grouping=True),
            }
        )
    language = detect_language(text, prior=guardian.language or None).language
    translated = text if base_language(language) == STAFF_LANGUAGE else ""
    if not translated:
        names = [
            student.given_name,
            student.family_name,
            student.preferred_name,
            guardian.given_name,
            guardian.family_name,
        ]
        try:
            (translation,) = translate(
                [text],
                language,
                STAFF_LANGUAGE,
                school=student.school,
                protect=[name for name in names if name],
            )
            translated = translation.text
        except TranslationUnavailable:
            translated = ""  # staff read the original, marked untranslated
    now = timezone.now()
    story, _created = FamilyStory.objects.update_or_create(
        student=student,
        guardian=guardian,
        school_year=school_year_of(today or timezone.localdate()),
        defaults={
            "text": text,
            "language": language,
            "translated_text": translated,
            "updated_at": now,
        },
        create_defaults={
            "text": text,
            "language": language,
            "translated_text": translated,
            "created_at": now,
            "updated_at": now,
        },
    )
    return story


def stories_for_staff(user, student: Student) -> list[FamilyStory]:
    """The families' stories of a student, for staff who may see the student; else none."""
    viewer = access.viewer_for(user)
    if not viewer.is_staff_member:
        return []
    if not access.students_for(user).filter(pk=student.pk).exists():
        return []
    return list(FamilyStory.objects.filter(student=student).select_related("guardian"))


# ---- home visits ---------------------------------------------------------------------------


def visit_link(visit: HomeVisit) -> str:
    return settings.PUBLIC_BASE_URL + reverse("routines:visit", args=[visit.pk])


def propose_home_visit(
    staff: StaffMember,
    student: Student,
    guardian: Guardian,
    slots: list[datetime],
    now: datetime | None = None,
) -> HomeVisit:
    """Offer a family a few times for a home visit and send them the link to choose one."""
    now = now or timezone.now()
    slots = [slot for slot in slots if slot is not None]
    if not slots:
        raise RoutineRefused(_("Offer at least one time for the visit."))
    for slot in slots:
        if slot <= now:
            raise RoutineRefused(
                _("Each time must be in the future: %(when)s has passed.")
                % {"when": formats.date_format(timezone.localtime(slot), "DATETIME_FORMAT")}
            )
    if not _contactable_links().filter(student=student, guardian=guardian).exists():
        raise RoutineRefused(_("This family cannot be contacted."))
    visit = HomeVisit.objects.create(
        student=student,
        guardian=guardian,
        staff=staff,
        proposed_slots=sorted(slot.isoformat() for slot in slots),
    )

    def invitation() -> str:
        return _(
            "%(staff)s would like to visit you at home, to get to know your family and "
            "hear your hopes for %(name)s. Choose a time or propose another: %(link)s"
        ) % {
            "staff": staff.full_name,
            "name": student.preferred_name or student.given_name,
            "link": visit_link(visit),
        }

    with override(STAFF_LANGUAGE):
        text = invitation()
        subject = _("A home visit")
    start_conversation(
        student=student,
        by_staff=staff,
        text=text,
        subject=subject,
        prepared=catalogue_versions(invitation),
    )
    return visit


def visit_slots(visit: HomeVisit) -> list[datetime]:
    return [datetime.fromisoformat(slot) for slot in visit.proposed_slots]


def answer_home_visit(
    visit: HomeVisit, *, slot: str = "", proposal: str = "", decline: bool = False
) -> HomeVisit:
    """The family picks one of the times offered, proposes another, or declines."""
    if visit.status == VisitStatus.DONE:
        raise RoutineRefused(_("This visit has taken place already."))
    proposal = (proposal or "").strip()
    if decline:
        visit.status = VisitStatus.DECLINED
        visit.confirmed_at = None
    elif slot:
        chosen = next((s for s in visit_slots(visit) if s.isoformat() == slot), None)
        if chosen is None:
            raise RoutineRefused(_("Pick one of the times offered, or propose another."))
        visit.status = VisitStatus.CONFIRMED
        visit.confirmed_at = chosen
    elif proposal:
        if len(proposal) > NOTE_MAX_CHARS:
            raise RoutineRefused(_("Keep it to %(max)d characters.") % {"max": NOTE_MAX_CHARS})
        visit.status = VisitStatus.PROPOSED
        visit.confirmed_at = None
        visit.family_proposal = proposal
    else:
        raise RoutineRefused(_("Pick one of the times offered, or propose another."))
    visit.save()
    return visit


def record_home_visit(
    visit: HomeVisit,
    *,
    hopes: str = "",
    worries: str = "",
    learning: str = "",
    share_with_teachers: bool = False,
) -> HomeVisit:
    """What the family shared, kept by the visitor; teachers read it only with consent."""
    notes = {
        "notes_hopes": (hopes or "").strip(),
        "notes_worries": (worries or "").strip(),
        "notes_learning": (learning or "").strip(),
    }
    if not any(notes.values()):
        raise RoutineRefused(_("Write down at least one thing the family shared."))
    if any(len(value) > VISIT_NOTE_MAX_CHARS for value in notes.values()):
        raise RoutineRefused(
            _("Keep each note to %(max)d characters.") % {"max": VISIT_NOTE_MAX_CHARS}
        )
    for name, value in notes.items():
        setattr(visit, name, value)
    visit.share_with_teachers = share_with_teachers
    visit.status = VisitStatus.DONE
    visit.save()
    return visit


def visits_for_staff(user, student: Student) -> list[HomeVisit]:
    """A student's home visits for a staff member who may see the student. The notes of a
    visit are theirs if they made it, and everyone's only when the family agreed."""
    viewer = access.viewer_for(user)
    if not viewer.is_staff_member:
        return []
    if not access.students_for(user).filter(pk=student.pk).exists():
        return []
    visits = list(HomeVisit.objects.filter(student=student).select_related("guardian", "staff"))
    for visit in visits:
        visit.notes_visible = visit.staff_id == viewer.staff.pk or visit.share_with_teachers
        visit.mine = visit.staff_id == viewer.staff.pk
    return [visit for visit in visits if visit.mine or visit.share_with_teachers]
