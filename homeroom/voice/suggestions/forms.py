"""Every value a suggestion page reads goes through one of these forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..forms import no_bidi_controls
from ..models import SUGGESTION_ANSWER_MAX_CHARS, SUGGESTION_MAX_CHARS, Suggestion
from .services import NEXT

MAX_ANSWER_WITHIN_DAYS = 60


class SuggestionForm(forms.Form):
    school = forms.ModelChoiceField(
        label=_("To which school"), queryset=None, empty_label=None, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Your suggestion"),
        help_text=_("In any language. Other families never see your name."),
        max_length=SUGGESTION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
        validators=[no_bidi_controls],
    )
    private = forms.BooleanField(
        label=_("Keep it between my family and the school (not on the list other families see)"),
        required=False,
    )

    def __init__(self, *args, schools, only=None, **kwargs):
        """`schools`: where this family may send (`voice.access`); `only`: the one school,
        when there is one, asked for no choice."""
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        if only is not None:
            self.fields["school"].initial = only.pk
            self.fields["school"].widget = forms.HiddenInput()


class VisibilityForm(forms.Form):
    """The detail page's one button: a choice of two words, so a garbled value is refused
    rather than read as "yes"."""

    private = forms.TypedChoiceField(
        choices=[("yes", "yes"), ("no", "no")], coerce=lambda value: value == "yes"
    )


class OwnerForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Owner on staff"), queryset=None)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda staff: staff.full_name


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Where it goes"))
    answer = forms.CharField(
        label=_("The school's answer"),
        help_text=_("Families read it in their language. A decline must say why."),
        max_length=SUGGESTION_ANSWER_MAX_CHARS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[no_bidi_controls],
    )

    def __init__(self, *args, suggestion: Suggestion, **kwargs):
        super().__init__(*args, **kwargs)
        current = Suggestion.Status(suggestion.status)
        choices = [
            (
                current.value,
                _("Stays %(status)s (an answer only)") % {"status": current.label.lower()},
            )
        ]
        choices += [(s.value, s.label) for s in NEXT[current]]
        self.fields["status"].choices = choices

    def clean(self):
        data = super().clean()
        if (
            data.get("status") == Suggestion.Status.DECLINED
            and not (data.get("answer") or "").strip()
        ):
            self.add_error("answer", _("Say why the suggestion is declined: families read it."))
        return data


class AnswerWithinForm(forms.Form):
    answer_within_days = forms.IntegerField(
        label=_("Answer every suggestion within (school days)"),
        min_value=1,
        max_value=MAX_ANSWER_WITHIN_DAYS,
    )


class StaffFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False, choices=[("", _("Every status")), *Suggestion.Status.choices]
    )
    page = forms.IntegerField(required=False, min_value=1)


class PageForm(forms.Form):
    page = forms.IntegerField(required=False, min_value=1)
