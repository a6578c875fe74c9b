"""The forms of an event's follow-up: who came (organisers) and how it was (families)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from homeroom.voice.forms import no_bidi_controls

from .models import NOTE_MAX_CHARS, FeedbackRating


class AttendanceForm(forms.Form):
    present = forms.TypedMultipleChoiceField(
        label=_("Who came"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, rsvps=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [
            (rsvp.pk, f"{rsvp.guardian.given_name} {rsvp.guardian.family_name}") for rsvp in rsvps
        ]


class HowWasItForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How was it?"),
        coerce=int,
        choices=FeedbackRating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one of the answers.")},
    )
    comment = forms.CharField(
        label=_("Anything to tell the organisers? (optional)"),
        required=False,
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[no_bidi_controls],
    )
