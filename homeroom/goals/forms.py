"""What people type into a goal, checked before anything is stored."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homeroom.messaging.forms import AttachmentMixin

from .models import (
    MEASURE_MAX_CHARS,
    NOTE_MAX_CHARS,
    STRATEGY_MAX_CHARS,
    WHAT_MAX_CHARS,
    WHO_MAX_CHARS,
    Note,
    Strategy,
    default_end,
)
from .services import StrategyInput

STRATEGY_ROWS = 3
REMIND_CHOICES = [(1, _("Every week")), (2, _("Every 2 weeks")), (4, _("Every 4 weeks"))]


class StrategyForm(forms.Form):
    text = forms.CharField(
        label=_("What we will do"),
        max_length=STRATEGY_MAX_CHARS,
        error_messages={"max_length": _("Keep each thing to do short.")},
    )
    where = forms.ChoiceField(label=_("Where"), choices=Strategy.Where.choices)
    who = forms.CharField(label=_("Who does it"), max_length=WHO_MAX_CHARS)

    def strategy(self) -> StrategyInput:
        data = self.cleaned_data
        return StrategyInput(data["text"].strip(), data["where"], data["who"].strip())


class GoalForm(forms.Form):
    what = forms.CharField(
        label=_("What is the goal?"),
        max_length=WHAT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    measure = forms.CharField(
        label=_("How will we know it is met?"),
        max_length=MEASURE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    ends_on = forms.DateField(
        label=_("By when?"),
        initial=default_end,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    remind_every_weeks = forms.TypedChoiceField(
        label=_("Remind us"), choices=REMIND_CHOICES, coerce=int, initial=2
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Rows of what each side will do; an empty row is left out.
        for row in range(STRATEGY_ROWS):
            self.fields[f"s{row}_text"] = forms.CharField(
                label=_("What we will do"), max_length=STRATEGY_MAX_CHARS, required=False
            )
            self.fields[f"s{row}_where"] = forms.ChoiceField(
                label=_("Where"), choices=Strategy.Where.choices, required=False
            )
            self.fields[f"s{row}_who"] = forms.CharField(
                label=_("Who does it"), max_length=WHO_MAX_CHARS, required=False
            )

    def strategy_rows(self):
        return [
            (self[f"s{row}_text"], self[f"s{row}_where"], self[f"s{row}_who"])
            for row in range(STRATEGY_ROWS)
        ]

    def clean_ends_on(self):
        ends_on = self.cleaned_data["ends_on"]
        if ends_on <= timezone.localdate():
            raise forms.ValidationError(_("Choose an end date after today."))
        return ends_on

    def clean(self):
        cleaned = super().clean()
        strategies = []
        for row in range(STRATEGY_ROWS):
            text = (cleaned.get(f"s{row}_text") or "").strip()
            if not text:
                continue
            where, who = cleaned.get(f"s{row}_where"), (cleaned.get(f"s{row}_who") or "").strip()
            if not where:
                self.add_error(f"s{row}_where", _("Say where: at home or at school."))
            if not who:
                self.add_error(f"s{row}_who", _("Say who does it."))
            strategies.append(StrategyInput(text, where or "", who))
        if not strategies and not any(f"s{row}_text" in self.errors for row in range(3)):
            self.add_error(
                "s0_text", _("Add at least one thing someone will do, at home or at school.")
            )
        cleaned["strategies"] = strategies
        return cleaned

    @classmethod
    def initial_for(cls, goal) -> dict:
        initial = {
            "what": goal.what,
            "measure": goal.measure,
            "ends_on": goal.ends_on,
            "remind_every_weeks": goal.remind_every_weeks,
        }
        for row, strategy in enumerate(list(goal.strategies.all())[:STRATEGY_ROWS]):
            initial.update(
                {
                    f"s{row}_text": strategy.text,
                    f"s{row}_where": strategy.where,
                    f"s{row}_who": strategy.who,
                }
            )
        return initial


class NoteForm(AttachmentMixin):
    text = forms.CharField(
        label=_("How is it going?"),
        required=False,
        max_length=NOTE_MAX_CHARS,
        error_messages={"max_length": _("Keep a note to %(limit_value)d characters.")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # The one-tap "we practised tonight": a fixed value, so anything else is refused.
    practised = forms.ChoiceField(
        required=False, choices=[("", ""), ("yes", "yes")], widget=forms.HiddenInput
    )

    field_order = ["text", "photo"]

    def clean(self):
        cleaned = super().clean()
        nothing = not (cleaned.get("text") or "").strip() and not cleaned.get("photo")
        if nothing and not cleaned.get("practised") and not self.errors:
            self.add_error("text", _("Write a few words or add a photo."))
        return cleaned

    @property
    def kind(self) -> str:
        return (
            Note.Kind.PRACTISED if self.cleaned_data.get("practised") == "yes" else Note.Kind.TEXT
        )


class OutcomeForm(forms.Form):
    met = forms.TypedChoiceField(
        label=_("Was the goal met?"),
        choices=[("yes", _("Yes, it was met")), ("no", _("Not this time"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )


class RenewForm(forms.Form):
    ends_on = forms.DateField(
        label=_("Until when?"),
        initial=default_end,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_ends_on(self):
        ends_on = self.cleaned_data["ends_on"]
        if ends_on <= timezone.localdate():
            raise forms.ValidationError(_("Choose an end date after today."))
        return ends_on
