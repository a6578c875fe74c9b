"""The engagement-preferences survey: starting it, its texts per reader from the catalogues, the
preference changes a family's answers suggest, the barriers a school sees, and the reading API
other modules use (`barriers_for`, `best_times_for`, `topics_for`, `family_answers`).

Answers are read by the stable keys of `template.py` ("barrier:childcare"), never by text. A
family counts once: its latest answer to a built-in engagement survey (of the school, for the
school's figures). The survey is never anonymous — its answers update the family's own
preferences and the school plans with them — and the start page says so.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from homeroom.languages import LANGUAGE_NAMES, STAFF_LANGUAGE, base_language
from homeroom.messaging import audiences
from homeroom.messaging.audiences import Audience
from homeroom.people import access
from homeroom.people.forms import language_choices
from homeroom.people.models import Guardian, StaffMember

from .. import access as voice_access
from .. import services as survey_services
from ..models import (
    Answer,
    BuiltinSurvey,
    Option,
    OptionKey,
    Question,
    QuestionKey,
    Response,
    Survey,
)
from . import template

OPEN_DAYS = 21
SMALLEST_GROUP = survey_services.SMALLEST_GROUP


# ---- starting it ----------------------------------------------------------------------------


def catalogue_languages() -> list[str]:
    """The reader languages whose catalogue carries the survey (the site's languages)."""
    staff = base_language(STAFF_LANGUAGE)
    return [code for code, _name in settings.LANGUAGES if base_language(code) != staff]


def _option_text(spec: template.OptionSpec, language_labels: dict[str, str]) -> str:
    if spec.text is not None:
        return str(spec.text)
    return language_labels[spec.key.split(":", 1)[1]]


def _texts_by_key() -> dict[str, str]:
    """Every text of the template in the active language, by stable key ("title", "q:barriers",
    "barrier:childcare")."""
    labels = dict(language_choices())
    texts = {"title": str(template.TITLE), "intro": str(template.INTRO)}
    for question in template.QUESTIONS:
        texts[f"q:{question.key}"] = str(question.text)
        for option in question.options:
            texts[option.key] = _option_text(option, labels)
    return texts


def start_engagement_survey(
    staff: StaffMember,
    audience: Audience,
    *,
    closes_at: datetime | None = None,
    now: datetime | None = None,
) -> Survey:
    """A draft of the built-in survey for an audience the staff member may address; it is
    checked and sent on the usual check-and-send page. Its texts in each catalogue language
    are stored as the checked translations, so staff need no machine for them."""
    now = now or timezone.now()
    closes_at = closes_at or now + timedelta(days=OPEN_DAYS)
    if closes_at <= now:
        raise survey_services.SurveyRefused(_("Choose a closing date in the future."))
    school, section, _scope, description = audiences.check_audience(staff, audience)
    if school is None:
        raise survey_services.SurveyRefused(_("Choose a class, a grade or a school."))
    with override(STAFF_LANGUAGE):
        english = _texts_by_key()
    with transaction.atomic():
        survey = Survey.objects.create(
            district_id=school.district_id,
            school=school,
            created_by=staff,
            title=english["title"],
            intro=english["intro"],
            audience=description,
            section=section,
            grade=description.get("grade", ""),
            closes_at=closes_at,
            anonymous=False,
        )
        BuiltinSurvey.objects.create(survey=survey, template=template.TEMPLATE)
        for position, spec in enumerate(template.QUESTIONS, start=1):
            question = Question.objects.create(
                survey=survey,
                position=position,
                kind=spec.kind,
                text=english[f"q:{spec.key}"],
                required=spec.required,
            )
            QuestionKey.objects.create(question=question, key=spec.key)
            options = Option.objects.bulk_create(
                Option(question=question, position=index, text=english[option.key])
                for index, option in enumerate(spec.options, start=1)
            )
            OptionKey.objects.bulk_create(
                OptionKey(option=option, key=option_spec.key)
                for option, option_spec in zip(options, spec.options, strict=True)
            )
        questions = keyed_questions(survey)
        survey.translations = {
            language: catalogue_texts(survey, questions, language)
            for language in catalogue_languages()
        }
        survey.save(update_fields=["translations"])
    return survey


def is_builtin(survey: Survey) -> bool:
    return BuiltinSurvey.objects.filter(survey=survey, template=template.TEMPLATE).exists()


def get_builtin_for_family(user, pk) -> Survey:
    survey = voice_access.get_survey_for_family(user, pk)
    if not is_builtin(survey):
        raise Http404
    return survey


def keyed_questions(survey: Survey) -> list[Question]:
    """The survey's questions with their keys and options' keys joined (two queries)."""
    return list(
        survey.questions.select_related("stable_key").prefetch_related(
            Prefetch("options", Option.objects.select_related("stable_key"))
        )
    )


def _key_of(row) -> str | None:
    try:
        return row.stable_key.key
    except (QuestionKey.DoesNotExist, OptionKey.DoesNotExist):
        return None


# ---- texts per reader -----------------------------------------------------------------------


def catalogue_texts(survey: Survey, questions: list[Question], language: str) -> dict[str, str]:
    """The survey's texts ("title", "q<id>", "o<id>") as the catalogue of `language` has them."""
    with override(language):
        by_key = _texts_by_key()
    texts = {"title": by_key["title"], "intro": by_key["intro"]}
    for question in questions:
        key = _key_of(question)
        if key:
            texts[f"q{question.pk}"] = by_key[f"q:{key}"]
        for option in question.options.all():
            option_key = _key_of(option)
            if option_key in by_key:
                texts[f"o{option.pk}"] = by_key[option_key]
    return texts


def texts_for_reader(
    survey: Survey, questions: list[Question], language: str
) -> tuple[dict[str, str], bool]:
    """The texts a reader of `language` gets, and whether they are in that language: the
    catalogue's, with what staff corrected on the check-and-send page over them; a language
    with no catalogue gets what staff checked there (else the English, with a note)."""
    language = base_language(language) or STAFF_LANGUAGE
    if language == base_language(STAFF_LANGUAGE):
        return {}, True
    checked = (survey.translations or {}).get(language) or {}
    if language in catalogue_languages():
        return {**catalogue_texts(survey, questions, language), **checked}, True
    return survey_services.texts_in(survey, language)


# ---- a family's answers and its preferences -------------------------------------------------


def keys_of_response(response: Response | None) -> set[str]:
    if response is None:
        return set()
    return set(
        OptionKey.objects.filter(option__answers__response=response).values_list("key", flat=True)
    )


@dataclass
class PreferenceChanges:
    """What a family's answers say about how it wants to be reached, where that differs from
    what is on file. None: nothing to change."""

    channel: str | None = None
    language: str | None = None
    quiet_start: time | None = None
    quiet_end: time | None = None

    @property
    def quiet(self) -> bool:
        return self.quiet_start is not None

    def __bool__(self) -> bool:
        return bool(self.channel or self.language or self.quiet)


def reachable_window(keys: set[str]) -> tuple[time, time] | None:
    """From the earliest start to the latest end of the times a family said suit it."""
    chosen = [hours for key, hours in template.REACH_TIMES.items() if key in keys]
    if not chosen:
        return None
    return min(start for start, _end in chosen), max(end for _start, end in chosen)


def preference_changes(guardian: Guardian, keys: set[str]) -> PreferenceChanges:
    changes = PreferenceChanges()
    for key in keys:
        kind, _sep, value = key.partition(":")
        if kind == "channel" and value != guardian.channel:
            changes.channel = value
        elif (
            kind == "language"
            and value in LANGUAGE_NAMES
            and value != base_language(guardian.language)
        ):
            changes.language = value
    window = reachable_window(keys)
    if window is not None:
        start, end = window
        # Quiet from the latest time that suits the family to the earliest.
        if (guardian.quiet_start, guardian.quiet_end) != (end, start):
            changes.quiet_start, changes.quiet_end = end, start
    return changes


# ---- the reading API ------------------------------------------------------------------------


@dataclass
class Tally:
    """How many families answered, and how many chose each option, by stable key."""

    families: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, key: str) -> int:
        return self.counts.get(key, 0)


def _engagement_responses() -> QuerySet[Response]:
    return Response.objects.filter(
        survey__builtin__template=template.TEMPLATE, guardian__isnull=False
    )


def latest_keys(guardians) -> dict[int, set[str]]:
    """Each of these guardians' latest answer to an engagement survey, as its option keys
    (two queries, whatever the number of guardians)."""
    responses = _engagement_responses().filter(guardian__in=guardians)
    latest: dict[int, int] = {}
    for pk, guardian_id in responses.order_by("survey__sent_at", "pk").values_list(
        "pk", "guardian_id"
    ):
        latest[guardian_id] = pk
    wanted = {pk: guardian_id for guardian_id, pk in latest.items()}
    keys: dict[int, set[str]] = {guardian_id: set() for guardian_id in latest}
    for response_id, key in (
        Answer.options.through.objects.filter(answer__response__in=responses)
        .exclude(option__stable_key__isnull=True)
        .values_list("answer__response_id", "option__stable_key__key")
    ):
        if response_id in wanted:
            keys[wanted[response_id]].add(key)
    return keys


def tally(guardians, prefix: str | tuple[str, ...]) -> Tally:
    """Families among `guardians` who answered, and per option key starting with `prefix` how
    many chose it. `guardians` must come from `people.access` (the caller's scope); the counts
    are not hidden below SMALLEST_GROUP: a page showing them to anyone else must hide them."""
    prefixes = (prefix,) if isinstance(prefix, str) else prefix
    by_family = latest_keys(guardians)
    counts: dict[str, int] = defaultdict(int)
    for keys in by_family.values():
        for key in keys:
            if key.startswith(prefixes):
                counts[key] += 1
    return Tally(len(by_family), dict(counts))


def barriers_for(guardians) -> Tally:
    """{"barrier:childcare": 3, …} among the families that answered."""
    return tally(guardians, "barrier:")


def best_times_for(guardians, purpose: str = "visit") -> Tally:
    """Days and times that suit families: `purpose` "visit" (coming to school:
    "visit_day:tue", "visit_time:evening") or "reach" (being contacted)."""
    if purpose not in ("visit", "reach"):
        raise ValueError(f"unknown purpose {purpose!r}")
    return tally(guardians, (f"{purpose}_day:", f"{purpose}_time:"))


def topics_for(guardians) -> Tally:
    """Topics families want to learn about ("topic:reading") and who would help organise
    ("organise:yes", "organise:maybe")."""
    return tally(guardians, ("topic:", "organise:"))


def family_answers(user, guardian_id) -> set[str]:
    """One family's latest engagement answers, by key, for staff who may see that family
    (`people.access.get_guardian_for`: anyone else gets a 404)."""
    guardian = access.get_guardian_for(user, guardian_id)
    return latest_keys(Guardian.objects.filter(pk=guardian.pk)).get(guardian.pk, set())


# ---- the school's barriers ------------------------------------------------------------------


@dataclass
class Group:
    label: str
    families: int
    counts: dict[str, int]

    def rows(self, barriers):
        return [
            (self.counts.get(key, 0), round(100 * self.counts.get(key, 0) / self.families))
            for key, _label in barriers
        ]


@dataclass
class Grouping:
    title: str
    groups: list[Group]
    hidden: int


@dataclass
class BarrierReport:
    families: int
    barriers: list[tuple[str, str]]  # (key, label)
    groupings: list[Grouping]


def barrier_labels() -> list[tuple[str, str]]:
    return [(spec.key, str(spec.text)) for spec in template.BARRIERS]


def _grouping(title: str, groups: dict, labels: dict) -> Grouping:
    shown, hidden = [], 0
    for group_key, families in groups.items():
        if len(families) < SMALLEST_GROUP:
            hidden += 1
            continue
        counts: dict[str, int] = defaultdict(int)
        for keys in families.values():
            for key in keys:
                counts[key] += 1
        shown.append(Group(labels[group_key], len(families), dict(counts)))
    shown.sort(key=lambda group: (-group.families, group.label))
    return Grouping(title, shown, hidden)


def barrier_report(user) -> BarrierReport:
    """Barriers families named, summed by school, and (for a school's staff) by grade and by
    reader language; groups of fewer than SMALLEST_GROUP families are left out. Each family
    counts once per school, with its latest answer there (constant queries)."""
    responses = voice_access.engagement_responses_for(user)
    latest: dict[tuple[int, int], tuple[int, str]] = {}
    for pk, guardian_id, school_id, language in responses.order_by(
        "survey__sent_at", "pk"
    ).values_list("pk", "guardian_id", "survey__school_id", "guardian__language"):
        latest[(guardian_id, school_id)] = (pk, base_language(language) or STAFF_LANGUAGE)
    of_response = {pk: family for family, (pk, _language) in latest.items()}
    keys: dict[tuple[int, int], set[str]] = {family: set() for family in latest}
    for response_id, key in Answer.options.through.objects.filter(
        answer__response__in=responses, option__stable_key__key__startswith="barrier:"
    ).values_list("answer__response_id", "option__stable_key__key"):
        if response_id in of_response:
            keys[of_response[response_id]].add(key)
    school_ids = {school_id for _guardian, school_id in latest}
    names = dict(access.schools_for(user).filter(pk__in=school_ids).values_list("pk", "name"))

    by_school: dict[int, dict] = defaultdict(dict)
    for family, chosen in keys.items():
        by_school[family[1]][family] = chosen
    groupings = [_grouping(_("By school"), by_school, names)]
    if not voice_access.sees_by_school_only(user):
        by_grade: dict[tuple[int, str], dict] = defaultdict(dict)
        for guardian_id, school_id, grade in (
            voice_access.engagement_links_for(user)
            .filter(guardian__in=responses.values("guardian"))
            .exclude(student__grade="")
            .values_list("guardian_id", "student__school_id", "student__grade")
            .distinct()
        ):
            family = (guardian_id, school_id)
            if family in keys:
                by_grade[(school_id, grade)][family] = keys[family]
        several = len(names) > 1
        grade_labels = {
            (school_id, grade): (
                _("Grade %(grade)s, %(school)s") % {"grade": grade, "school": names[school_id]}
                if several
                else _("Grade %(grade)s") % {"grade": grade}
            )
            for school_id, grade in by_grade
        }
        by_language: dict[str, dict] = defaultdict(dict)
        for family, (_pk, language) in latest.items():
            by_language[language][family] = keys[family]
        language_labels = {code: str(LANGUAGE_NAMES.get(code, code)) for code in by_language}
        groupings.append(_grouping(_("By grade"), by_grade, grade_labels))
        groupings.append(_grouping(_("By language"), by_language, language_labels))
    return BarrierReport(len(keys), barrier_labels(), groupings)
