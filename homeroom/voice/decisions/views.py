"""Decision pages: the list (staff: their schools'; a family: its own), the builder, the check
of each language before sending, the family's vote and result, and the staff's count with the
school's decision."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from homeroom.languages import STAFF_LANGUAGE, base_language, language_name
from homeroom.messaging import audiences
from homeroom.people import access
from homeroom.voice import access as voice_access
from homeroom.voice import services as surveys
from homeroom.voice.forms import TranslationsForm

from . import services
from .forms import DecisionForm, OutcomeForm, VoteForm, initial_vote

LIST_SIZE = 100


def _staff_or_404(request):
    viewer = access.viewer_for(request.user)
    if not viewer.is_staff_member:
        raise Http404
    return viewer.staff


def _choices(user):
    # As surveys: a class, a grade or a school, one school's families.
    return [c for c in audiences.audience_choices(user) if c.audience.kind != "district"]


@login_required
def decision_list(request):
    viewer = access.viewer_for(request.user)
    now = timezone.now()
    if viewer.is_staff_member:
        decisions = list(
            voice_access.decisions_for_staff(request.user)
            .select_related("school", "created_by", "outcome")
            .annotate(votes=Count("ballots", distinct=True))
            .order_by("-created_at", "-pk")[:LIST_SIZE]
        )
        return render(
            request,
            "voice/decisions/list.html",
            {"decisions": decisions, "may_create": bool(_choices(request.user)), "now": now},
        )
    if not viewer.is_guardian:
        raise Http404
    language = base_language(viewer.guardian.language) or STAFF_LANGUAGE
    decisions = list(
        voice_access.decisions_for_family(request.user)
        .select_related("school")
        .order_by("-sent_at", "-pk")[:LIST_SIZE]
    )
    for decision in decisions:
        texts, _translated = services.texts_in(decision, language)
        decision.family_question = texts.get("question") or decision.question
    return render(request, "voice/decisions/family_list.html", {"decisions": decisions, "now": now})


@login_required
def decision_new(request):
    staff = _staff_or_404(request)
    choices = _choices(request.user)
    if not choices:
        raise PermissionDenied(_("You have no families to ask."))
    form = DecisionForm(request.POST if request.method == "POST" else None, choices=choices)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                decision = services.create_decision(
                    staff,
                    question=form.cleaned_data["question"].strip(),
                    intro=form.cleaned_data["intro"].strip(),
                    options=form.cleaned_data["options"],
                    closes_at=form.closes_at,
                    ranked=form.cleaned_data["ranked"],
                    audience=form.choices[form.cleaned_data["audience"]].audience,
                )
            except services.DecisionRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                return redirect("decisions:preview", decision.pk)
        status = 400
    return render(request, "voice/decisions/new.html", {"form": form}, status=status)


@login_required
def decision_preview(request, pk):
    staff = _staff_or_404(request)
    decision = voice_access.get_decision_for_staff(request.user, pk)
    if decision.is_sent:
        return redirect("decisions:results", decision.pk)
    options = services.options_of(decision)
    groups = services.language_groups(decision)
    versions = services.draft_translations(decision, options, groups)
    form = TranslationsForm(
        request.POST or None,
        versions=versions,
        labels=services.source_texts(decision, options),
        option_sets=[[f"o{option.pk}" for option in options]],
    )
    status = 200
    if request.method == "POST":
        # Only someone who may ask these families sends (or changes) the decision.
        audiences.check_audience(staff, surveys.audience_of(decision))
        if form.is_valid():
            try:
                services.save_translations(decision, form.checked())
                services.send_decision(decision, staff)
            except services.DecisionRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(
                    request,
                    _("The question has been put to %(count)s families.")
                    % {"count": decision.reached},
                )
                return redirect("decisions:results", decision.pk)
        status = 400
    languages = [
        {
            "group": group,
            "fields": form.fields_of(group.language),
            "untranslated": versions.get(group.language) is None,
        }
        for group in groups
        if not group.is_source
    ]
    return render(
        request,
        "voice/decisions/preview.html",
        {
            "decision": decision,
            "options": options,
            "families": sum(group.families for group in groups),
            "decision_languages": languages,
            "form": form,
        },
        status=status,
    )


@login_required
def decision_results(request, pk):
    """The count as it stands (and, after the deadline, where staff record the decision)."""
    staff = _staff_or_404(request)
    decision = voice_access.get_decision_for_staff(request.user, pk)
    options = services.options_of(decision)
    for option in options:
        option.label = option.text
    counted = services.tally(decision, options)
    now = timezone.now()
    may_decide = decision.is_closed(now) and not decision.is_decided
    form = None
    status = 200
    if may_decide:
        initial = {"outcome": str(counted.winner.pk)} if counted.winner else {}
        form = OutcomeForm(
            request.POST if request.method == "POST" else None, options=options, initial=initial
        )
    if request.method == "POST":
        if form is None:
            messages.error(
                request, _("The school's decision can be recorded once, after the deadline.")
            )
            return redirect("decisions:results", decision.pk)
        audiences.check_audience(staff, surveys.audience_of(decision))
        if form.is_valid():
            try:
                services.record_outcome(
                    decision, staff, outcome=form.option, reason=form.cleaned_data["reason"]
                )
            except services.DecisionRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(
                    request, _("The decision is recorded; families are being told the result.")
                )
                return redirect("decisions:results", decision.pk)
        status = 400
    return render(
        request,
        "voice/decisions/results.html",
        {
            "decision": decision,
            "tally": counted,
            "form": form,
            "is_open": decision.is_open(now),
            "turnout": services._percent(counted.ballots, decision.reached),
        },
        status=status,
    )


@login_required
def decision_vote(request, pk):
    """The family's page: the question in its language (the original one tap away), its vote
    while open, and the result with the school's decision and reason once recorded."""
    guardian = access.viewer_for(request.user).guardian
    if guardian is None:
        raise Http404
    decision = voice_access.get_decision_for_family(request.user, pk)
    options = services.options_of(decision)
    language = base_language(guardian.language) or STAFF_LANGUAGE
    show_original = request.GET.get("original") == "1"
    texts, translated = services.texts_in(decision, language)
    if show_original:
        texts = {}
    for option in options:
        option.label = texts.get(f"o{option.pk}") or option.text
    ballot = services.family_ballot(decision, guardian)
    now = timezone.now()
    is_open = decision.is_open(now)
    mine = ballot is not None and ballot.cast_by_id == guardian.pk
    form = VoteForm(
        request.POST if request.method == "POST" else None,
        options=options,
        texts=texts,
        ranked=decision.ranked,
        initial=initial_vote(ballot, decision.ranked),
    )
    status = 200
    if request.method == "POST":
        if not is_open:
            form.add_error(None, _("Voting has closed."))
        elif ballot is not None and not mine:
            form.add_error(None, services.already_voted(ballot))
        elif form.is_valid():
            try:
                services.cast_vote(decision, guardian, form.ranking())
            except services.DecisionRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, _("Thank you: your family's vote is saved."))
                return redirect("decisions:vote", decision.pk)
        status = 400
    context = {
        "decision": decision,
        "question": texts.get("question") or decision.question,
        "intro": texts.get("intro", decision.intro) if texts else decision.intro,
        "form": form,
        "is_open": is_open,
        "ballot": ballot,
        "mine": mine,
        "voted_for": _labels(ballot, options),
        "translated": translated and not show_original,
        "untranslated": not translated,
        "show_original": show_original,
        "language_name": language_name(language),
    }
    if decision.is_decided:
        counted = services.tally(decision, options)
        if show_original:
            reason, reason_translated, reason_machine = decision.reason, True, False
        else:
            reason, reason_translated, reason_machine = services.reason_for_reader(
                decision, language
            )
        context.update(
            tally=counted,
            outcome_label=texts.get(f"o{decision.outcome_id}") or decision.outcome.text,
            reason=reason,
            reason_untranslated=not reason_translated,
            reason_machine=reason_machine,
            differs=counted.winner != decision.outcome,
        )
    return render(request, "voice/decisions/vote.html", context, status=status)


def _labels(ballot, options) -> list[str]:
    if ballot is None:
        return []
    by_id = {option.pk: option.label for option in options}
    return [by_id[pk] for pk in ballot.ranking if pk in by_id]
