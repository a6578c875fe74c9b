"""Every value a decision page reads goes through one of these forms."""

from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homeroom.voice.forms import _text
from homeroom.voice.models import (
    DECISION_MAX_OPTIONS,
    DECISION_TEXT_MAX_CHARS,
    INTRO_MAX_CHARS,
    OPTION_MAX_CHARS,
    QUESTION_MAX_CHARS,
)

OPTION_LINES_MAX_CHARS = DECISION_MAX_OPTIONS * (OPTION_MAX_CHARS + 1)


class DecisionForm(forms.Form):
    question = _text(_("The question"), QUESTION_MAX_CHARS)
    intro = _text(_("A few words for families"), INTRO_MAX_CHARS, required=False, textarea=True)
    options = _text(
        _("Options, one per line (2 to 12)"), OPTION_LINES_MAX_CHARS, textarea=True, rows=5
    )
    audience = forms.ChoiceField(label=_("Who votes"))
    closes_on = forms.DateField(
        label=_("Voting closes on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ranked = forms.BooleanField(
        label=_("Ranked choice: families put the options in order of preference"),
        required=False,
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = {choice.key: choice for choice in choices}
        self.fields["audience"].choices = [(c.key, c.label) for c in choices]

    def clean_options(self):
        lines = [line.strip() for line in self.cleaned_data["options"].splitlines()]
        lines = [line for line in lines if line]
        for line in lines:
            if len(line) > OPTION_MAX_CHARS:
                raise forms.ValidationError(
                    _("Keep each option under %(count)s characters.") % {"count": OPTION_MAX_CHARS}
                )
        if len(lines) < 2:
            raise forms.ValidationError(_("Give at least two options to choose from."))
        if len(lines) > DECISION_MAX_OPTIONS:
            raise forms.ValidationError(
                _("At most %(count)s options.") % {"count": DECISION_MAX_OPTIONS}
            )
        return lines

    def clean_closes_on(self):
        day = self.cleaned_data["closes_on"]
        closes_at = timezone.make_aware(datetime.combine(day, time(23, 59)))
        if closes_at <= timezone.now():
            raise forms.ValidationError(_("Choose a deadline in the future."))
        self.cleaned_data["closes_at"] = closes_at
        return day

    @property
    def closes_at(self):
        return self.cleaned_data["closes_at"]


class VoteForm(forms.Form):
    """One choice, or — ranked choice — a rank for each option (1 = first; blank = not
    ranked); the ranks must be distinct and start at 1 without gaps."""

    def __init__(self, *args, options, texts: dict[str, str], ranked: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = options
        self.ranked = ranked
        labels = {option.pk: texts.get(f"o{option.pk}") or option.text for option in options}
        if ranked:
            ranks = [(str(n), str(n)) for n in range(1, len(options) + 1)]
            for option in options:
                self.fields[f"rank_{option.pk}"] = forms.TypedChoiceField(
                    label=labels[option.pk],
                    choices=[("", _("Not ranked")), *ranks],
                    coerce=int,
                    empty_value=None,
                    required=False,
                )
        else:
            self.fields["choice"] = forms.TypedChoiceField(
                label=_("Your family's vote"),
                choices=[(str(option.pk), labels[option.pk]) for option in options],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose an option.")},
            )

    def clean(self):
        data = super().clean()
        if self.ranked and not self.errors:
            ranks = {
                option.pk: data.get(f"rank_{option.pk}")
                for option in self.options
                if data.get(f"rank_{option.pk}") is not None
            }
            if not ranks:
                raise forms.ValidationError(_("Put at least your first choice: rank it 1."))
            if sorted(ranks.values()) != list(range(1, len(ranks) + 1)):
                raise forms.ValidationError(
                    _("Give each rank once, from 1 upwards with no gaps (1, 2, 3…).")
                )
        return data

    def ranking(self) -> list[int]:
        if not self.ranked:
            return [self.cleaned_data["choice"]]
        ranks = {
            option.pk: self.cleaned_data.get(f"rank_{option.pk}")
            for option in self.options
            if self.cleaned_data.get(f"rank_{option.pk}") is not None
        }
        return sorted(ranks, key=ranks.get)


def initial_vote(ballot, ranked: bool) -> dict:
    if ballot is None:
        return {}
    if not ranked:
        return {"choice": str(ballot.ranking[0])} if ballot.ranking else {}
    return {f"rank_{pk}": str(index) for index, pk in enumerate(ballot.ranking, start=1)}


class OutcomeForm(forms.Form):
    outcome = forms.TypedChoiceField(label=_("What the school decided"), coerce=int)
    reason = _text(
        _("Why (families read this, translated into their language)"),
        DECISION_TEXT_MAX_CHARS,
        required=False,
        textarea=True,
        rows=4,
    )

    def __init__(self, *args, options, **kwargs):
        super().__init__(*args, **kwargs)
        self.by_id = {option.pk: option for option in options}
        self.fields["outcome"].choices = [(str(o.pk), o.text) for o in options]

    @property
    def option(self):
        return self.by_id[self.cleaned_data["outcome"]]
