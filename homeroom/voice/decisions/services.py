"""Decisions put to families: building one, its texts per language, sending it, the votes
(one per family), the count, and what the school decided and why.

A family is what `people.households` says it is: the guardians joined by a shared household
among the links the decision reaches. One vote per family holds through `FamilySeat`: a
ballot claims a seat for every guardian of the voter's family, and a seat is unique per
decision and guardian, so a second guardian of the family (or the same one twice, at the
same instant) is refused by the database itself. The guardian who voted may change the
family's vote until the deadline; another guardian of the family is told it has voted.

Who may see a decision is `voice.access`; who staff may ask is
`messaging.audiences.check_audience`, as for surveys.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from homeroom.languages import STAFF_LANGUAGE, base_language
from homeroom.messaging import audiences, previews
from homeroom.messaging.audiences import Audience
from homeroom.messaging.services import send_announcement
from homeroom.people import households
from homeroom.people.models import Guardian, StaffMember
from homeroom.translation import services as translation
from homeroom.voice import services as surveys
from homeroom.voice.models import (
    DECISION_MAX_OPTIONS,
    DECISION_MIN_OPTIONS,
    Ballot,
    Decision,
    DecisionOption,
    FamilySeat,
)

from . import ranked


class DecisionRefused(Exception):
    """What is wrong with a decision, a vote or an outcome, in words for whoever sent it."""


# ---- building -------------------------------------------------------------------------------


def check_options(options: list[str]) -> None:
    if len(options) < DECISION_MIN_OPTIONS:
        raise DecisionRefused(_("Give at least two options to choose from."))
    if len(options) > DECISION_MAX_OPTIONS:
        raise DecisionRefused(_("At most %(count)s options.") % {"count": DECISION_MAX_OPTIONS})
    if len({option.casefold() for option in options}) != len(options):
        raise DecisionRefused(_("Give each option only once."))


def create_decision(
    staff: StaffMember,
    *,
    question: str,
    intro: str,
    options: list[str],
    closes_at: datetime,
    ranked: bool,
    audience: Audience,
    now: datetime | None = None,
) -> Decision:
    """A draft: nothing reaches families until `send_decision`."""
    now = now or timezone.now()
    if closes_at <= now:
        raise DecisionRefused(_("Choose a deadline in the future."))
    check_options(options)
    school, section, _scope, description = audiences.check_audience(staff, audience)
    if school is None:
        raise DecisionRefused(_("Choose a class, a grade or a school."))
    with transaction.atomic():
        decision = Decision.objects.create(
            school=school,
            created_by=staff,
            question=question,
            intro=intro,
            audience=description,
            section=section,
            grade=description.get("grade", ""),
            closes_at=closes_at,
            ranked=ranked,
        )
        DecisionOption.objects.bulk_create(
            DecisionOption(decision=decision, position=index, text=text)
            for index, text in enumerate(options, start=1)
        )
    return decision


def options_of(decision: Decision) -> list[DecisionOption]:
    return list(decision.options.all())


# ---- texts per language (as a survey's: staff check each before sending) --------------------


def source_texts(decision: Decision, options: list[DecisionOption]) -> dict[str, str]:
    texts = {"question": decision.question, "intro": decision.intro}
    texts.update({f"o{option.pk}": option.text for option in options})
    return {key: text for key, text in texts.items() if text}


def language_groups(decision: Decision) -> list[previews.LanguageGroup]:
    return surveys.language_groups(decision)


def draft_translations(decision: Decision, options, groups) -> dict[str, dict[str, str] | None]:
    """Each audience language's texts: those staff checked, else a machine's; None where no
    engine serves the language (its families read the English with a note)."""
    texts = source_texts(decision, options)
    keys = list(texts)
    stored = decision.translations or {}
    wanted = {
        group.language: list(texts.values())
        for group in groups
        if not group.is_source and group.available and group.language not in stored
    }
    protect = [decision.created_by.given_name, decision.created_by.family_name]
    rendered = previews.preview_translations(wanted, decision.school, protect)
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


def save_translations(decision: Decision, checked: dict[str, dict[str, str]]) -> None:
    surveys.save_translations(decision, checked)


def texts_in(decision: Decision, language: str) -> tuple[dict[str, str], bool]:
    return surveys.texts_in(decision, language)


def decision_link(decision: Decision) -> str:
    return settings.PUBLIC_BASE_URL + reverse("decisions:vote", args=[decision.pk])


def send_decision(decision: Decision, staff: StaffMember, now: datetime | None = None) -> None:
    """The question, with its link, to every family of the audience through the outbox."""
    now = now or timezone.now()
    if decision.is_sent:
        raise DecisionRefused(_("This decision has been put to families already."))
    if decision.closes_at <= now:
        raise DecisionRefused(_("Choose a deadline in the future."))
    with override(STAFF_LANGUAGE):
        text = _("%(school)s asks your family to vote: %(question)s. Vote here: %(link)s") % {
            "school": decision.school.name,
            "question": decision.question,
            "link": decision_link(decision),
        }
    conversation = send_announcement(
        by_staff=staff, audience=surveys.audience_of(decision), text=text, subject=decision.question
    )
    decision.sent_at = now
    decision.reached = households.count_families(
        audiences.recipient_links(
            audiences.audience_filter(decision.audience, decision.school_id)
        ).filter(guardian__in=conversation.participants.values("guardian"))
    ).families
    decision.save(update_fields=["sent_at", "reached"])


# ---- voting ---------------------------------------------------------------------------------


def audience_links(decision: Decision):
    return audiences.recipient_links(
        audiences.audience_filter(decision.audience, decision.school_id)
    )


def family_of(decision: Decision, guardian: Guardian) -> set[int]:
    """The guardians of `guardian`'s family among the links the decision reaches (one query
    per step outwards; two in the usual case)."""
    links = audience_links(decision)
    family = {guardian.pk}
    while True:
        students = links.filter(guardian__in=family).values("student")
        rows = list(
            links.filter(student__in=students)
            .order_by()
            .values_list("guardian_id", "student_id", "household", "lives_with")
            .distinct()
        )
        of = households.families_of(rows)
        home = of.get(guardian.pk, guardian.pk)
        grown = {member for member, root in of.items() if root == home} | {guardian.pk}
        if grown <= family:
            return family
        family |= grown


def family_ballot(decision: Decision, guardian: Guardian) -> Ballot | None:
    """The vote of this guardian's family, if it has voted (whoever of it cast it)."""
    seat = (
        FamilySeat.objects.filter(decision=decision, guardian=guardian)
        .select_related("ballot__cast_by")
        .first()
    )
    return seat.ballot if seat else None


def check_ranking(decision: Decision, options: list[DecisionOption], ranking: list[int]) -> None:
    ids = {option.pk for option in options}
    if not ranking:
        raise DecisionRefused(_("Choose an option."))
    if len(set(ranking)) != len(ranking) or not set(ranking) <= ids:
        raise DecisionRefused(_("Rank each option at most once."))
    if not decision.ranked and len(ranking) != 1:
        raise DecisionRefused(_("Choose one option."))


def cast_vote(
    decision: Decision,
    guardian: Guardian,
    ranking: list[int],
    now: datetime | None = None,
) -> Ballot:
    """The family's vote, or the change of it by the guardian who cast it. Refused after the
    deadline, and when another guardian of the family has voted."""
    now = now or timezone.now()
    if not decision.is_open(now):
        raise DecisionRefused(_("Voting has closed."))
    check_ranking(decision, options_of(decision), ranking)
    existing = family_ballot(decision, guardian)
    if existing is not None:
        if existing.cast_by_id != guardian.pk:
            raise DecisionRefused(already_voted(existing))
        existing.ranking = ranking
        existing.changed_at = now
        existing.save(update_fields=["ranking", "changed_at"])
        return existing
    family = family_of(decision, guardian)
    try:
        with transaction.atomic():
            ballot = Ballot.objects.create(
                decision=decision, cast_by=guardian, ranking=ranking, cast_at=now
            )
            FamilySeat.objects.bulk_create(
                FamilySeat(decision=decision, guardian_id=member, ballot=ballot)
                for member in sorted(family)
            )
    except IntegrityError:
        raise DecisionRefused(_("Your family has voted already: one vote per family.")) from None
    return ballot


def already_voted(ballot: Ballot) -> str:
    return _(
        "Your family has voted already: %(name)s voted for it. One vote per family; "
        "only %(name)s can change it, until the deadline."
    ) % {"name": ballot.cast_by.given_name}


# ---- the count ------------------------------------------------------------------------------


@dataclass
class OptionRow:
    option: DecisionOption
    votes: int
    percent: int


@dataclass
class RoundRow:
    number: int
    rows: list[OptionRow]
    exhausted: int
    eliminated: DecisionOption | None


@dataclass
class Tally:
    ballots: int
    first: list[OptionRow]  # first preferences (the whole count when not ranked)
    rounds: list[RoundRow]  # ranked choice only
    winner: DecisionOption | None
    tied: list[DecisionOption]


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def tally(decision: Decision, options: list[DecisionOption]) -> Tally:
    """The count, in one query: plurality of first choices, or instant runoff when ranked."""
    ballots = list(decision.ballots.values_list("ranking", flat=True))
    ids = [option.pk for option in options]
    by_id = {option.pk: option for option in options}
    count = (ranked.instant_runoff if decision.ranked else ranked.plurality)(ids, ballots)
    rounds = []
    for number, this in enumerate(count.rounds, start=1):
        rows = [
            OptionRow(by_id[pk], votes, _percent(votes, this.continuing))
            for pk, votes in this.counts.items()
        ]
        eliminated = by_id.get(this.eliminated) if this.eliminated else None
        rounds.append(RoundRow(number, rows, this.exhausted, eliminated))
    first = rounds[0].rows if rounds else []
    return Tally(
        ballots=len(ballots),
        first=first,
        rounds=rounds if decision.ranked else [],
        winner=by_id.get(count.winner) if count.winner else None,
        tied=[by_id[pk] for pk in count.tied],
    )


# ---- what the school decided ----------------------------------------------------------------


def record_outcome(
    decision: Decision,
    staff: StaffMember,
    *,
    outcome: DecisionOption,
    reason: str,
    now: datetime | None = None,
) -> None:
    """What the school decided and why, once the vote has closed; then families are told on
    their channel that the result is out. When the school's choice is not the vote's winner
    (or the vote had none), the reason is required."""
    now = now or timezone.now()
    if not decision.is_sent:
        raise DecisionRefused(_("Put the decision to families first."))
    if not decision.is_closed(now):
        raise DecisionRefused(_("The vote is still open: record the decision after the deadline."))
    if decision.is_decided:
        raise DecisionRefused(_("The school's decision has been recorded already."))
    if outcome.decision_id != decision.pk:
        raise DecisionRefused(_("Choose one of the decision's options."))
    counted = tally(decision, options_of(decision))
    if counted.winner != outcome and not reason.strip():
        raise DecisionRefused(
            _("The school's decision is not what the vote chose: say why, so families understand.")
        )
    with transaction.atomic():
        updated = Decision.objects.filter(pk=decision.pk, decided_at__isnull=True).update(
            outcome=outcome, reason=reason.strip(), decided_at=now, decided_by=staff
        )
        if not updated:
            raise DecisionRefused(_("The school's decision has been recorded already."))
        decision.refresh_from_db()
        with override(STAFF_LANGUAGE):
            # Short, to fit one text in most languages: the page holds the count and the reason.
            text = _("%(school)s has decided: %(question)s See the result and why: %(link)s") % {
                "school": decision.school.name,
                "question": decision.question,
                "link": decision_link(decision),
            }
        send_announcement(
            by_staff=staff,
            audience=surveys.audience_of(decision),
            text=text,
            subject=decision.question,
        )


def reason_for_reader(decision: Decision, language: str) -> tuple[str, bool, bool]:
    """The school's reason in the reader's language: the text, whether it is translated
    (False: the original, to show with a note) and whether a machine translated it (to mark
    so, with the original one tap away). Translated once per language, kept in the memory."""
    target = base_language(language) or STAFF_LANGUAGE
    if not decision.reason or target == base_language(STAFF_LANGUAGE):
        return decision.reason, True, False
    staff = decision.decided_by
    protect = [staff.given_name, staff.family_name] if staff else []
    try:
        (done,) = translation.translate(
            [decision.reason], STAFF_LANGUAGE, target, school=decision.school, protect=protect
        )
    except translation.TranslationUnavailable:
        return decision.reason, False, False
    return done.text, True, done.machine and not done.human_checked
