"""Surveys: building one, its texts per language, sending it through the outbox, answers and
results. Who may see a survey is `voice.access`; who staff may ask is
`messaging.audiences.check_audience`."""

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override
from django_tasks import task

from homeroom.languages import STAFF_LANGUAGE, base_language, same_language
from homeroom.messaging import audiences, previews
from homeroom.messaging.audiences import Audience
from homeroom.messaging.models import Participant
from homeroom.messaging.services import send_announcement
from homeroom.messaging.writing import staff_readers
from homeroom.people.models import Guardian, StaffMember
from homeroom.translation.detection import detect_language
from homeroom.translation.services import TranslationUnavailable, translate

from . import access
from .groups import services as group_services
from .models import (
    MAX_OPTIONS,
    SCALE_MIN_OPTIONS,
    Answer,
    AnswerTranslation,
    Option,
    Question,
    Response,
    Survey,
)


class SurveyRefused(Exception):
    """What is wrong with a survey or an answer, in words for the person who sent it."""


# ---- anonymity ------------------------------------------------------------------------------


def respondent_key(survey: Survey, guardian: Guardian) -> str:
    """The same guardian always gets the same key for a survey, so they answer once and can
    change their answer; without the deployment's secret the key says nothing of who they are."""
    message = f"voice-response:{survey.pk}:{guardian.pk}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


# ---- building -------------------------------------------------------------------------------


@dataclass
class QuestionDraft:
    kind: str
    text: str
    required: bool = True
    options: list[str] = field(default_factory=list)


def audience_of(survey: Survey) -> Audience:
    description = survey.audience
    kind = description.get("kind")
    if kind == "section":
        return Audience.section(description["section"])
    if kind == "grade":
        return Audience.of_grade(description["school"], description["grade"])
    if kind == "district":
        return Audience.district()
    if kind == "families":
        return Audience.families(description["school"], description.get("guardians") or ())
    if kind == "group":
        raise ValueError("a parent-led group's survey goes to its members, not an audience")
    return Audience.school(description["school"])


def check_questions(questions: list[QuestionDraft]) -> None:
    if not questions:
        raise SurveyRefused(_("Add at least one question."))
    for number, question in enumerate(questions, start=1):
        if question.kind not in Question.Kind.values:
            raise SurveyRefused(_("Question %(number)s: choose its kind.") % {"number": number})
        with_options = question.kind in (
            Question.Kind.SINGLE,
            Question.Kind.MULTIPLE,
            Question.Kind.SCALE,
        )
        if not with_options and question.options:
            raise SurveyRefused(
                _("Question %(number)s: a written answer has no options.") % {"number": number}
            )
        if with_options and len(question.options) < 2:
            raise SurveyRefused(
                _("Question %(number)s: give at least two options.") % {"number": number}
            )
        if question.kind == Question.Kind.SCALE and len(question.options) < SCALE_MIN_OPTIONS:
            raise SurveyRefused(
                _(
                    "Question %(number)s: a scale needs at least %(count)s labelled answers, "
                    "from one end to the other."
                )
                % {"number": number, "count": SCALE_MIN_OPTIONS}
            )
        if len(question.options) > MAX_OPTIONS:
            raise SurveyRefused(
                _("Question %(number)s: at most %(count)s options.")
                % {"number": number, "count": MAX_OPTIONS}
            )
        if len({option.casefold() for option in question.options}) != len(question.options):
            raise SurveyRefused(
                _("Question %(number)s: each option only once.") % {"number": number}
            )


def create_survey(
    staff: StaffMember,
    *,
    title: str,
    intro: str,
    closes_at: datetime,
    anonymous: bool,
    audience: Audience,
    questions: list[QuestionDraft],
    now: datetime | None = None,
) -> Survey:
    """A draft survey: nothing is sent until `send_survey`."""
    now = now or timezone.now()
    if closes_at <= now:
        raise SurveyRefused(_("Choose a closing date in the future."))
    check_questions(questions)
    school, section, _scope, description = audiences.check_audience(staff, audience)
    if school is None and description.get("kind") != "district":
        raise SurveyRefused(_("Choose a class, a grade or a school."))
    return _stored(
        questions,
        district_id=staff.district_id,
        school=school,
        created_by=staff,
        title=title,
        intro=intro,
        audience=description,
        section=section,
        grade=description.get("grade", ""),
        closes_at=closes_at,
        anonymous=anonymous,
    )


def create_group_survey(
    leader: Guardian,
    group,
    *,
    title: str,
    intro: str,
    closes_at: datetime,
    anonymous: bool,
    questions: list[QuestionDraft],
    now: datetime | None = None,
) -> Survey:
    """A parent leader's draft survey for the members of their group: filed under the staff
    member who made the group, as the group's posts are. Only a leader of the group now."""
    now = now or timezone.now()
    if not access.is_parent_leader(leader.user, group):
        raise Http404
    if closes_at <= now:
        raise SurveyRefused(_("Choose a closing date in the future."))
    check_questions(questions)
    return _stored(
        questions,
        district_id=group.school.district_id,
        school=group.school,
        created_by=group_services.sender_of(group),
        group=group,
        leader=leader,
        title=title,
        intro=intro,
        audience={"kind": "group", "group": group.pk, "school": group.school_id},
        closes_at=closes_at,
        anonymous=anonymous,
    )


def _stored(questions: list[QuestionDraft], **fields) -> Survey:
    with transaction.atomic():
        survey = Survey.objects.create(**fields)
        for position, draft in enumerate(questions, start=1):
            question = Question.objects.create(
                survey=survey,
                position=position,
                kind=draft.kind,
                text=draft.text,
                required=draft.required,
            )
            Option.objects.bulk_create(
                Option(question=question, position=index, text=text)
                for index, text in enumerate(draft.options, start=1)
            )
        if fields["audience"].get("kind") == "families":
            survey.families.set(fields["audience"]["guardians"])
    return survey


def questions_of(survey: Survey) -> list[Question]:
    return list(survey.questions.prefetch_related("options"))


# ---- texts per language ---------------------------------------------------------------------


def source_texts(survey: Survey, questions: list[Question]) -> dict[str, str]:
    """Every text of the survey by key: "title", "intro", "q<id>", "o<id>"."""
    texts = {"title": survey.title, "intro": survey.intro}
    for question in questions:
        texts[f"q{question.pk}"] = question.text
        for option in question.options.all():
            texts[f"o{option.pk}"] = option.text
    return {key: text for key, text in texts.items() if text}


def language_groups(survey: Survey) -> list[previews.LanguageGroup]:
    """The languages of the families the survey reaches, with how many read each."""
    if survey.audience.get("kind") == "group":
        members = access.members_of(survey.group).values("guardian_id")
        scope = Q(student__school=survey.school_id, guardian__in=members)
    else:
        _school, _section, scope, _description = audiences.check_audience(
            survey.created_by, audience_of(survey)
        )
    choice = audiences.AudienceChoice(
        key="", label="", audience=None, school=survey.school, scope=scope
    )
    district = getattr(survey, "district_id", None) or survey.school.district_id
    return previews.language_groups(
        previews.audience_count(choice), school=survey.school, district=district
    )


def draft_translations(
    survey: Survey, questions: list[Question], groups
) -> dict[str, dict[str, str] | None]:
    """Each audience language's texts: the ones staff checked, else a machine's; None for a
    language no engine serves (its families read the English with a note)."""
    texts = source_texts(survey, questions)
    keys = list(texts)
    stored = survey.translations or {}
    wanted = {
        group.language: list(texts.values())
        for group in groups
        if not group.is_source and group.available and group.language not in stored
    }
    protect = [survey.created_by.given_name, survey.created_by.family_name]
    district = getattr(survey, "district_id", None) or survey.school.district_id
    rendered = previews.preview_translations(wanted, survey.school, protect, district=district)
    result: dict[str, dict[str, str] | None] = {}
    for group in groups:
        if group.is_source:
            continue
        if group.language in stored:
            result[group.language] = {key: stored[group.language].get(key, "") for key in keys}
            continue
        done = [rendered.get((group.language, texts[key])) for key in keys]
        if not group.available or any(item is None for item in done):
            result[group.language] = None
        else:
            result[group.language] = {
                key: item.text for key, item in zip(keys, done, strict=True) if item
            }
    return result


def save_translations(survey: Survey, checked: dict[str, dict[str, str]]) -> None:
    """Keep the texts staff checked, per language; an empty field falls back to English."""
    survey.translations = {
        language: {key: text for key, text in texts.items() if text.strip()}
        for language, texts in checked.items()
    }
    survey.save(update_fields=["translations"])


def texts_in(survey: Survey, language: str) -> tuple[dict[str, str], bool]:
    """The survey's texts for a reader of `language`, and whether they are translated (False:
    the original, to show with a note)."""
    language = base_language(language) or STAFF_LANGUAGE
    translated = (survey.translations or {}).get(language)
    if language == base_language(STAFF_LANGUAGE) or not translated:
        return {}, language == base_language(STAFF_LANGUAGE)
    return translated, True


def survey_link(survey: Survey) -> str:
    return settings.PUBLIC_BASE_URL + reverse("voice:answer", args=[survey.pk])


def send_survey(survey: Survey, staff: StaffMember, now: datetime | None = None) -> None:
    """Send the link to every family of the audience, through the outbox, each on its channel
    and in its language."""
    now = now or timezone.now()
    if survey.is_sent:
        raise SurveyRefused(_("This survey has been sent already."))
    if survey.closes_at <= now:
        raise SurveyRefused(_("Choose a closing date in the future."))
    questions = questions_of(survey)
    conversation = send_announcement(
        by_staff=staff,
        audience=audience_of(survey),
        text=announcement_text(survey, questions),
        subject=survey.title,
        prepared=announcement_versions(survey, questions),
        subject_prepared={
            language: texts["title"]
            for language, texts in (survey.translations or {}).items()
            if texts.get("title")
        },
    )
    survey.sent_at = now
    survey.announcement = conversation
    survey.reached = conversation.participants.filter(guardian__isnull=False).count()
    survey.save(update_fields=["sent_at", "announcement", "reached"])


def send_group_survey(survey: Survey, leader: Guardian, now: datetime | None = None) -> None:
    """A parent leader sends their group's survey: a post to the group with the link, which
    reaches each member (the leader excluded) on their channel, in their language."""
    now = now or timezone.now()
    if survey.group_id is None or not access.is_parent_leader(leader.user, survey.group):
        raise Http404
    if survey.is_sent:
        raise SurveyRefused(_("This survey has been sent already."))
    if survey.closes_at <= now:
        raise SurveyRefused(_("Choose a closing date in the future."))
    questions = questions_of(survey)
    language = base_language(leader.language) or STAFF_LANGUAGE
    prepared = announcement_versions(survey, questions)
    prepared[STAFF_LANGUAGE] = announcement_text(survey, questions)
    text = prepared.get(language) or prepared[STAFF_LANGUAGE]
    try:
        post = group_services.post_to_group(survey.group, leader, text, prepared=prepared)
    except group_services.GroupRefused as refusal:
        raise SurveyRefused(str(refusal)) from None
    survey.sent_at = now
    survey.announcement = post.conversation
    survey.reached = (
        post.conversation.participants.filter(guardian__isnull=False).count()
        if post.conversation
        else 0
    )
    survey.save(update_fields=["sent_at", "announcement", "reached"])


# ---- the announcement, and answers by text --------------------------------------------------

ASK = gettext_noop("%(school)s asks for your opinion: %(title)s. Answer here: %(link)s")
ASK_BY_TEXT = gettext_noop(
    "%(school)s asks for your opinion: %(title)s. %(question)s\n%(options)s\n"
    "Reply %(numbers)s or %(last)s. Or answer here: %(link)s"
)
TEXT_ANSWER_KINDS = (Question.Kind.SINGLE, Question.Kind.SCALE)


def sms_question(survey: Survey, questions: list[Question]) -> Question | None:
    """The question a family may answer by texting a number: the survey's only question,
    with one choice, in a survey that is not anonymous (a text reaches the school with the
    number that sent it, and the SMS provider keeps both)."""
    if survey.anonymous or len(questions) != 1 or questions[0].kind not in TEXT_ANSWER_KINDS:
        return None
    if survey.group_id:  # a group's survey is posted to the group, answered on its page
        return None
    return questions[0]


def option_text(option: Option, texts: dict[str, str]) -> str:
    return texts.get(f"o{option.pk}") or option.text


def numbered_options(options: list[Option], texts: dict[str, str]) -> str:
    return "\n".join(
        f"{number} {option_text(option, texts)}" for number, option in enumerate(options, 1)
    )


def announcement_text(
    survey: Survey, questions: list[Question], language: str = STAFF_LANGUAGE
) -> str:
    """What the announcement says in `language` (the checked texts of the survey in it): the
    link, and for a survey answered by text its question with the options numbered."""
    texts, _translated = texts_in(survey, language)
    values = {
        "school": survey.sender_name,
        "title": texts.get("title") or survey.title,
        "link": survey_link(survey),
    }
    question = sms_question(survey, questions)
    with override(language):
        if question is None:
            return _(ASK) % values
        options = list(question.options.all())
        values.update(
            question=texts.get(f"q{question.pk}") or question.text,
            options=numbered_options(options, texts),
            numbers=", ".join(str(number) for number in range(1, len(options))),
            last=str(len(options)),
        )
        return _(ASK_BY_TEXT) % values


def announcement_versions(survey: Survey, questions: list[Question]) -> dict[str, str]:
    """The announcement in each language staff checked the survey's texts in and whose
    catalogue has its wording; the other languages are translated as any announcement is."""
    msgid = ASK if sms_question(survey, questions) is None else ASK_BY_TEXT
    versions = {}
    for language in survey.translations or {}:
        with override(language):
            in_catalogue = _(msgid) != msgid
        if in_catalogue:
            versions[language] = announcement_text(survey, questions, language)
    return versions


# ---- answering ------------------------------------------------------------------------------


def response_of(survey: Survey, guardian: Guardian) -> Response | None:
    return (
        Response.objects.filter(survey=survey, respondent_key=respondent_key(survey, guardian))
        .prefetch_related("answers__options")
        .first()
    )


def answer_survey(
    survey: Survey,
    guardian: Guardian,
    answers: dict[int, list[int] | str],
    now: datetime | None = None,
) -> Response:
    """Store a family's answers (question id -> option ids or text), replacing any earlier
    ones. `answers` has been checked against the survey's questions by the answer form."""
    now = now or timezone.now()
    if not survey.is_open(now):
        raise SurveyRefused(_("This survey is closed."))
    key = respondent_key(survey, guardian)
    with transaction.atomic():
        response, _created = Response.objects.get_or_create(
            survey=survey,
            respondent_key=key,
            defaults={"guardian": None if survey.anonymous else guardian},
        )
        response.answers.all().delete()
        written = False
        for question_id, value in answers.items():
            if value in ("", [], None):
                continue
            if isinstance(value, str):
                Answer.objects.create(
                    response=response,
                    question_id=question_id,
                    text=value,
                    translation_pending=True,
                )
                written = True
            else:
                answer = Answer.objects.create(response=response, question_id=question_id)
                answer.options.set(value)
        if written:
            response_id = response.pk
            transaction.on_commit(lambda: translate_answers_task.enqueue(response_id))
    return response


# ---- written answers translated for staff ----------------------------------------------------


def translate_answers(response_id: int) -> int:
    """The written answers of a response, each in the language it is written in (detected,
    the family's own as the likely one) and translated into the staff's reading languages
    (the staff language, and the survey's author's own). Made once, after the answer is
    stored, never on a page view; a language no engine serves is left out (staff read the
    original). Returns how many answers were done; safe to run twice."""
    answers = list(
        Answer.objects.filter(response_id=response_id, translation_pending=True).select_related(
            "response__guardian",
            "response__survey__school",
            "response__survey__created_by",
            "response__survey__leader",
        )
    )
    done = 0
    for answer in answers:
        survey = answer.response.survey
        guardian = answer.response.guardian
        prior = guardian.language if guardian is not None else None
        detected = detect_language(answer.text, prior=prior)
        source = base_language(detected.language if detected.confident or not prior else prior)
        copies = []
        readers = staff_readers([survey.created_by])
        if survey.leader is not None:  # a group's survey: its leader reads the answers too
            readers = sorted({*readers, base_language(survey.leader.language) or STAFF_LANGUAGE})
        for reader in readers:
            if same_language(reader, source):
                continue
            try:
                (translation,) = translate(
                    [answer.text], source, reader, school=survey.school, district=survey.district_id
                )
            except TranslationUnavailable:
                continue
            copies.append(
                AnswerTranslation(
                    answer=answer,
                    language=reader,
                    text=translation.text,
                    provider=translation.provider[:30],
                    machine=translation.machine,
                )
            )
        with transaction.atomic():
            if not Answer.objects.filter(pk=answer.pk, translation_pending=True).update(
                translation_pending=False, language=source
            ):
                continue  # another run got there first, or the family changed its answer
            AnswerTranslation.objects.bulk_create(copies, ignore_conflicts=True)
            done += 1
    return done


@task()
def translate_answers_task(response_id: int) -> int:
    return translate_answers(response_id)


# ---- results --------------------------------------------------------------------------------


@dataclass
class OptionResult:
    option: Option
    count: int
    percent: int


@dataclass
class QuestionResult:
    question: Question
    answered: int
    options: list[OptionResult]
    texts: list["WrittenAnswer"]


@dataclass
class WrittenAnswer:
    text: str  # as the family wrote it
    language: str  # what it is written in ("" until detected)
    translation: str  # in the staff member's reading language ("" when none is needed or made)
    pending: bool  # not translated yet

    def __str__(self):
        return self.text


def written_answers(survey: Survey, reader: str) -> dict[int, list[WrittenAnswer]]:
    """Each question's written answers, with their translation for a staff member reading
    `reader` (else the staff language's): two queries."""
    reader = base_language(reader) or STAFF_LANGUAGE
    rows = list(
        Answer.objects.filter(response__survey=survey)
        .exclude(text="")
        .order_by("pk")
        .values_list("pk", "question", "text", "language", "translation_pending")
    )
    copies: dict[int, dict[str, str]] = {}
    if rows:
        for answer_id, language, text in AnswerTranslation.objects.filter(
            answer__response__survey=survey, language__in={reader, STAFF_LANGUAGE}
        ).values_list("answer", "language", "text"):
            copies.setdefault(answer_id, {})[language] = text
    out: dict[int, list[WrittenAnswer]] = {}
    for pk, question_id, text, language, pending in rows:
        mine = copies.get(pk, {})
        translation = "" if same_language(language or reader, reader) else mine.get(reader, "")
        if not translation and language and not same_language(language, reader):
            translation = mine.get(STAFF_LANGUAGE, "")
        out.setdefault(question_id, []).append(WrittenAnswer(text, language, translation, pending))
    return out


def results(
    survey: Survey, questions: list[Question], reader: str = STAFF_LANGUAGE
) -> tuple[int, list[QuestionResult]]:
    """How many families answered, and per question the count and share of each option (of
    those who answered it) or the written answers."""
    responses = survey.responses.count()
    per_option = dict(
        Option.objects.filter(question__survey=survey)
        .annotate(n=Count("answers"))
        .values_list("pk", "n")
    )
    per_question = dict(
        Answer.objects.filter(response__survey=survey)
        .values_list("question")
        .annotate(n=Count("pk"))
        .values_list("question", "n")
    )
    texts = written_answers(survey, reader)
    out = []
    for question in questions:
        answered = per_question.get(question.pk, 0)
        options = [
            OptionResult(
                option,
                per_option.get(option.pk, 0),
                round(100 * per_option.get(option.pk, 0) / answered) if answered else 0,
            )
            for option in question.options.all()
        ]
        out.append(QuestionResult(question, answered, options, texts.get(question.pk, [])))
    return responses, out


SMALLEST_GROUP = 5


@dataclass
class LanguageBreakdown:
    """Each option's share per reader language, for the languages with at least
    SMALLEST_GROUP answers; `hidden` languages had fewer and are left out."""

    languages: list[tuple[str, int]]  # (base language, responses)
    hidden: int
    shares: dict[tuple[int, str], int]  # (option id, language) -> percent of that language
    # Base language -> share of the families reading it who answered (None: not known).
    rates: dict[str, int | None] = field(default_factory=dict)


def by_language(survey: Survey) -> LanguageBreakdown | None:
    """None for an anonymous survey: its answers hold no language, nothing to break down."""
    if survey.anonymous:
        return None
    responses: dict[str, int] = {}
    for language, n in (
        Response.objects.filter(survey=survey)
        .values_list("guardian__language")
        .annotate(n=Count("pk"))
        .values_list("guardian__language", "n")
        .order_by()
    ):
        base = base_language(language) or STAFF_LANGUAGE
        responses[base] = responses.get(base, 0) + n
    shown = sorted(
        ((lang, n) for lang, n in responses.items() if n >= SMALLEST_GROUP),
        key=lambda pair: (-pair[1], pair[0]),
    )
    counts: dict[tuple[int, str], int] = {}
    for option_id, language, n in (
        Answer.objects.filter(response__survey=survey, options__isnull=False)
        .values_list("options", "response__guardian__language")
        .annotate(n=Count("response", distinct=True))
        .values_list("options", "response__guardian__language", "n")
        .order_by()
    ):
        key = (option_id, base_language(language) or STAFF_LANGUAGE)
        counts[key] = counts.get(key, 0) + n
    sizes = dict(shown)
    shares = {key: round(100 * n / sizes[key[1]]) for key, n in counts.items() if key[1] in sizes}
    reached: dict[str, int] = {}
    if survey.announcement_id:
        for language, n in (
            Participant.objects.filter(
                conversation_id=survey.announcement_id, guardian__isnull=False
            )
            .values_list("guardian__language")
            .annotate(n=Count("pk"))
            .values_list("guardian__language", "n")
            .order_by()
        ):
            base = base_language(language) or STAFF_LANGUAGE
            reached[base] = reached.get(base, 0) + n
    rates = {
        language: round(100 * n / reached[language]) if reached.get(language) else None
        for language, n in shown
    }
    return LanguageBreakdown(shown, len(responses) - len(shown), shares, rates)


# ---- figures by grade, program and school -----------------------------------------------------

# What a family's answer is counted under: its children's in the audience (a family with
# children in two grades, or a child in two programs, counts in each).
GROUP_FIELDS = {
    "grade": "student__grade",
    "program": "student__programs__name",
    "school": "student__school__name",
}


@dataclass
class Group:
    key: str
    responses: int
    reached: int | None  # None: not known (a survey sent before the announcement was kept)

    @property
    def rate(self) -> int | None:
        if not self.reached:
            return None
        return round(100 * self.responses / self.reached)


@dataclass
class GroupBreakdown:
    """Each option's share and the response rate per group, for the groups with at least
    SMALLEST_GROUP answers; `hidden` groups had fewer (or none) and are left out."""

    dimension: str  # "grade", "program" or "school"
    groups: list[Group]
    hidden: int
    shares: dict[tuple[int, str], int]  # (option id, group key) -> percent of that group


def by_group(survey: Survey, dimension: str) -> GroupBreakdown | None:
    """None for an anonymous survey (its answers hold no family, so no grade, program or
    school) and where there is only one group to show: it would repeat the totals. Counted
    in the database: three queries, whatever the number of answers."""
    if survey.anonymous:
        return None
    if dimension == "school" and survey.audience.get("kind") != "district":
        return None  # a class, a grade or a school: one school, nothing to break down
    field_name = GROUP_FIELDS[dimension]
    links = access.audience_links(survey)
    responses = _counted(
        links.filter(guardian__survey_responses__survey=survey), field_name, "guardian"
    )
    reached = None
    if survey.announcement_id:
        # EXISTS per link, not IN (a list): SQLite would probe the list for every link.
        asked = Participant.objects.filter(
            conversation_id=survey.announcement_id, guardian=OuterRef("guardian_id")
        )
        reached = _counted(links.filter(Exists(asked)), field_name, "guardian")
    keys = set(responses) | set(reached or ())
    if len(keys) < 2:
        return None
    groups = [
        Group(key, responses.get(key, 0), reached.get(key, 0) if reached is not None else None)
        for key in keys
    ]
    shown = sorted(
        (group for group in groups if group.responses >= SMALLEST_GROUP),
        key=lambda group: (-group.responses, group.key),
    )
    sizes = {group.key: group.responses for group in shown}
    shares = {}
    for option_id, key, n in (
        links.filter(
            guardian__survey_responses__survey=survey,
            guardian__survey_responses__answers__options__isnull=False,
        )
        .values_list("guardian__survey_responses__answers__options", field_name)
        .annotate(n=Count("guardian", distinct=True))
        .values_list("guardian__survey_responses__answers__options", field_name, "n")
        .order_by()
    ):
        key = key or ""
        if key in sizes:
            shares[(option_id, key)] = round(100 * n / sizes[key])
    return GroupBreakdown(dimension, shown, len(groups) - len(shown), shares)


def _counted(links, field_name: str, counted: str) -> dict[str, int]:
    rows = (
        links.values_list(field_name)
        .annotate(n=Count(counted, distinct=True))
        .values_list(field_name, "n")
        .order_by()
    )
    out: dict[str, int] = {}
    for key, n in rows:
        out[key or ""] = out.get(key or "", 0) + n
    return out


def response_rate(survey: Survey, responses: int) -> int:
    return round(100 * responses / survey.reached) if survey.reached else 0


def csv_rows(survey: Survey, questions: list[Question]):
    """One row per response, one column per question; no name, even when not anonymous."""
    yield [question.text for question in questions]
    responses = survey.responses.prefetch_related("answers__options").order_by("pk")
    for response in responses:
        by_question = {answer.question_id: answer for answer in response.answers.all()}
        row = []
        for question in questions:
            answer = by_question.get(question.pk)
            if answer is None:
                row.append("")
            elif question.has_options:
                row.append("; ".join(option.text for option in answer.options.all()))
            else:
                row.append(answer.text)
        yield row
