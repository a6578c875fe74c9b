"""Suggestions: sending one (web or text message), supporting one, the school's answers and
their history, telling the author and supporters, and the overdue list.

Who may see or send what is `voice.access` (its "suggestions" block). Texts are translated
when they are written, once per language of the school's families, and stored beside the
original, so reading a list translates nothing.
"""

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from homeroom.languages import STAFF_LANGUAGE, base_language
from homeroom.messaging import services as messaging
from homeroom.messaging.models import Conversation
from homeroom.messaging.writing import open_conversation
from homeroom.people.households import families_of
from homeroom.people.models import Guardian, School, StaffMember
from homeroom.translation.detection import detect_language
from homeroom.translation.services import Translation, TranslationUnavailable, translate

from .. import access as voice_access
from ..models import (
    DEFAULT_ANSWER_WITHIN_DAYS,
    SUGGESTION_ANSWER_MAX_CHARS,
    SUGGESTION_MAX_CHARS,
    Suggestion,
    SuggestionEvent,
    SuggestionSettings,
    Support,
)

Status = Suggestion.Status

# Where a suggestion may go from each status. Done and declined are the end of its life.
NEXT = {
    Status.RECEIVED: (Status.DISCUSSING, Status.ADOPTED, Status.DECLINED),
    Status.DISCUSSING: (Status.ADOPTED, Status.DECLINED),
    Status.ADOPTED: (Status.DONE, Status.DECLINED),
    Status.DONE: (),
    Status.DECLINED: (),
}
# What the "you said, we did" page lists.
SAID_AND_DONE = (Status.ADOPTED, Status.DONE)
STAFF_BASE = base_language(STAFF_LANGUAGE)


class SuggestionRefused(Exception):
    """What is wrong, in words for the person who asked."""


# ---- texts in the reader's language -------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    text: str
    original: str
    translated: bool  # `text` is a machine's translation: show the original one tap away
    untranslated: bool  # the reader's language has none: the original, with a note


def shown_in(original: str, source: str, translations: dict, reader: str) -> Shown:
    """A stored text as a reader of `reader` reads it."""
    reader = base_language(reader) or STAFF_BASE
    if not original or reader == base_language(source):
        return Shown(original, original, False, False)
    version = (translations or {}).get(reader)
    if version:
        return Shown(version, original, True, False)
    return Shown(original, original, False, True)


def _check_text(text: str, limit: int) -> str:
    text = (text or "").strip()
    if not text:
        raise SuggestionRefused(_("Write your suggestion."))
    if len(text) > limit:
        raise SuggestionRefused(
            _("A suggestion is at most %(limit)s characters; this one has %(count)s.")
            % {"limit": limit, "count": len(text)}
        )
    if "\x00" in text:
        raise SuggestionRefused(_("Null characters are not allowed."))
    return text


def _translations(text: str, source: str, targets, school: School, protect=()) -> dict:
    """`text` in each of `targets` an engine serves now; the others are left out (their
    readers see the original with a note)."""
    source = base_language(source)
    out = {}
    for target in sorted({base_language(t) for t in targets if t} - {source}):
        try:
            (done,) = translate([text], source, target, school=school, protect=list(protect))
        except TranslationUnavailable:
            continue
        out[target] = done.text
    return out


# ---- sending ------------------------------------------------------------------------------


def send_suggestion(
    guardian: Guardian,
    school: School,
    text: str,
    *,
    private: bool = False,
    channel: str = Suggestion.Channel.APP,
    now: datetime | None = None,
) -> Suggestion:
    """A family's suggestion to `school`, which the caller has found through `voice.access`
    (a school of one of the family's children that may write to it)."""
    text = _check_text(text, SUGGESTION_MAX_CHARS)
    language = base_language(detect_language(text, prior=guardian.language).language)
    if not language or language == "und":
        language = base_language(guardian.language) or STAFF_BASE
    targets = voice_access.family_languages_at(school) | {STAFF_BASE}
    translations = _translations(text, language, targets, school)
    now = now or timezone.now()
    return Suggestion.objects.create(
        school=school,
        guardian=guardian,
        text=text,
        language=language,
        translations=translations,
        private=private,
        channel=channel,
        created_at=now,
        updated_at=now,
    )


def set_private(suggestion: Suggestion, guardian: Guardian, private: bool) -> None:
    """Its author keeps a suggestion between the family and the school, or shows it."""
    if suggestion.guardian_id != guardian.pk:
        raise SuggestionRefused(_("Only the family that sent it may change this."))
    suggestion.private = private
    suggestion.save(update_fields=["private"])


def suggestion_link(suggestion: Suggestion) -> str:
    return settings.PUBLIC_BASE_URL + reverse("suggestions:detail", args=[suggestion.pk])


# ---- one support per family ----------------------------------------------------------------


def family_of(guardian: Guardian) -> tuple[int, set[int]]:
    """The family `guardian` belongs to (people.households): its key (the smallest guardian
    id of it) and its guardians."""
    family = families_of(voice_access.family_links_around(guardian))
    key = family.get(guardian.pk, guardian.pk)
    return key, {g for g, root in family.items() if root == key} | {guardian.pk}


def support(suggestion: Suggestion, guardian: Guardian, now: datetime | None = None) -> Support:
    if suggestion.private:
        raise SuggestionRefused(_("This suggestion is not open for support."))
    if suggestion.is_closed:
        raise SuggestionRefused(_("This suggestion is closed."))
    key, members = family_of(guardian)
    if suggestion.guardian_id in members:
        raise SuggestionRefused(_("Your family sent this suggestion."))
    already = _("Your family supports this suggestion already.")
    if Support.objects.filter(suggestion=suggestion, guardian_id__in=members).exists():
        raise SuggestionRefused(already)
    try:
        with transaction.atomic():
            row = Support.objects.create(
                suggestion=suggestion,
                guardian=guardian,
                family=key,
                created_at=now or timezone.now(),
            )
            Suggestion.objects.filter(pk=suggestion.pk).update(supporters=F("supporters") + 1)
    except IntegrityError:
        raise SuggestionRefused(already) from None
    return row


# ---- the school's side ----------------------------------------------------------------------


def assign_owner(suggestion: Suggestion, owner: StaffMember, by: StaffMember) -> None:
    """`owner` comes from `voice.access.suggestion_owners_at(suggestion.school)`."""
    with transaction.atomic():
        suggestion.owner = owner
        suggestion.updated_at = timezone.now()
        suggestion.save(update_fields=["owner", "updated_at"])
        SuggestionEvent.objects.create(suggestion=suggestion, owner=owner, by=by)


def change_status(
    suggestion: Suggestion,
    status: str,
    answer: str,
    by: StaffMember,
    now: datetime | None = None,
) -> SuggestionEvent:
    """Move a suggestion on (or answer it where it stands), with the school's answer; a
    decline carries its reason. The author and supporters are told on their channel."""
    now = now or timezone.now()
    answer = (answer or "").strip()
    if len(answer) > SUGGESTION_ANSWER_MAX_CHARS:
        raise SuggestionRefused(
            _("An answer is at most %(limit)s characters.") % {"limit": SUGGESTION_ANSWER_MAX_CHARS}
        )
    if "\x00" in answer:
        raise SuggestionRefused(_("Null characters are not allowed."))
    if status == suggestion.status:
        if suggestion.is_closed:
            raise SuggestionRefused(_("This suggestion is closed."))
        if not answer:
            raise SuggestionRefused(_("Write an answer, or choose where the suggestion goes."))
    elif status not in NEXT.get(suggestion.status, ()):
        raise SuggestionRefused(
            _("A suggestion that is %(now)s cannot become %(next)s.")
            % {"now": Status(suggestion.status).label, "next": _status_label(status)}
        )
    if status == Status.DECLINED and not answer:
        raise SuggestionRefused(_("Say why the suggestion is declined: families read it."))
    targets = voice_access.family_languages_at(suggestion.school)
    answer_translations = _translations(
        answer, STAFF_BASE, targets, suggestion.school, protect=[by.given_name, by.family_name]
    )
    with transaction.atomic():
        event = SuggestionEvent.objects.create(
            suggestion=suggestion,
            status=status,
            answer=answer,
            answer_translations=answer_translations,
            by=by,
            at=now,
        )
        suggestion.status = status
        suggestion.updated_at = now
        if answer:
            suggestion.answer = answer
            suggestion.answer_translations = answer_translations
        if suggestion.answered_at is None:
            suggestion.answered_at = now
        suggestion.save(
            update_fields=["status", "updated_at", "answer", "answer_translations", "answered_at"]
        )
    # After the change is stored: telling families translates, and may take a moment.
    tell_families(suggestion, event, by)
    return event


def _status_label(status: str) -> str:
    try:
        return str(Status(status).label)
    except ValueError:
        return status


# ---- telling the author and the supporters -------------------------------------------------

NEWS = gettext_noop(
    "%(school)s: the suggestion “%(excerpt)s” is now %(status)s. Follow it here: %(link)s"
)
NEWS_WITH_ANSWER = gettext_noop(
    "%(school)s: the suggestion “%(excerpt)s” is now %(status)s. The school says: %(answer)s "
    "Follow it here: %(link)s"
)
NEWS_SUBJECT = gettext_noop("A suggestion you follow")
EXCERPT_CHARS = 60


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rstrip() + "…"


def _news_text(suggestion, event, language: str) -> str:
    shown = shown_in(suggestion.text, suggestion.language, suggestion.translations, language)
    answer = shown_in(event.answer, STAFF_BASE, event.answer_translations, language)
    with translation.override(language):
        values = {
            "school": suggestion.school.name,
            "excerpt": _excerpt(shown.text),
            "status": str(Status(event.status).label).lower(),
            "link": suggestion_link(suggestion),
        }
        if event.answer:
            return _(NEWS_WITH_ANSWER) % {**values, "answer": answer.text}
        return _(NEWS) % values


def tell_families(suggestion: Suggestion, event: SuggestionEvent, by: StaffMember) -> None:
    """One message, through the outbox, to the author and every supporter the school may
    still write to: each on its channel, in its language, after its quiet hours."""
    ids = set(Support.objects.filter(suggestion=suggestion).values_list("guardian_id", flat=True))
    if suggestion.guardian_id:
        ids.add(suggestion.guardian_id)
    if not ids:
        return
    guardians = list(
        messaging.with_opt_out(voice_access.suggestion_readers_at(suggestion.school, ids))
        .only(*messaging.GUARDIAN_FIELDS)
        .order_by("pk")
    )
    if not guardians:
        return
    shipped = {base_language(code) for code, _name in settings.LANGUAGES}
    prepared: dict[str, Translation] = {}
    subjects: dict[str, str] = {}
    for language in {base_language(g.language) for g in guardians} & shipped - {STAFF_BASE}:
        with translation.override(language):
            subject = _(NEWS_SUBJECT)
            if subject == NEWS_SUBJECT:
                continue  # the catalogue lacks it: a machine translates the whole text
            subjects[language] = subject
        machine = bool(event.answer)
        prepared[language] = Translation(
            text=_news_text(suggestion, event, language),
            source=STAFF_BASE,
            target=language,
            provider="catalogue+machine" if machine else "catalogue",
            human_checked=not machine,
            machine=machine,
        )
    conversation = Conversation(
        kind=Conversation.Kind.ANNOUNCEMENT,
        district_id=suggestion.school.district_id,
        school=suggestion.school,
        audience={
            "kind": "suggestion",
            "suggestion": suggestion.pk,
            "school": suggestion.school_id,
        },
        subject=NEWS_SUBJECT,
        started_by=Conversation.StartedBy.SCHOOL,
    )
    open_conversation(
        conversation,
        staff=[by],
        guardians=guardians,
        text=_news_text(suggestion, event, STAFF_BASE),
        by_staff=by,
        protect=[by.given_name, by.family_name, suggestion.school.name],
        prepared=prepared,
        subject_prepared=subjects,
    )


# ---- overdue --------------------------------------------------------------------------------


def answer_within_days(school: School) -> int:
    settings_row = SuggestionSettings.objects.filter(school=school).first()
    return settings_row.answer_within_days if settings_row else DEFAULT_ANSWER_WITHIN_DAYS


def set_answer_within_days(school: School, days: int) -> None:
    SuggestionSettings.objects.update_or_create(
        school=school, defaults={"answer_within_days": days}
    )


def last_day_on_time(today: date, school_days: int) -> date:
    """The last day a suggestion may have come in and still not be overdue today: it is
    overdue once `school_days` school days (Monday to Friday; there is no school calendar)
    have passed since the day it came in."""
    day = today
    counted = 0
    while counted < school_days:
        if day.weekday() < 5:
            counted += 1
        day -= timedelta(days=1)
    return day


def overdue_for_staff(user, now: datetime | None = None) -> QuerySet[Suggestion]:
    """The user's schools' suggestions with no answer yet after each school's number of school
    days (in the school's time zone), oldest first."""
    now = now or timezone.now()
    suggestions = voice_access.suggestions_for_staff(user)
    schools = voice_access.suggestion_schools_for_staff(user)
    q = Q(pk__in=[])
    for school in schools:
        row = getattr(school, "suggestion_settings", None)
        days = row.answer_within_days if row else DEFAULT_ANSWER_WITHIN_DAYS
        zone = zoneinfo.ZoneInfo(school.time_zone)
        last = last_day_on_time(now.astimezone(zone).date(), days)
        cutoff = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=zone)
        q |= Q(school=school, created_at__lt=cutoff)
    return suggestions.filter(q, answered_at__isnull=True).exclude(
        status__in=[Status.DONE, Status.DECLINED]
    )
