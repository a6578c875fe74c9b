from django import forms
from django.utils.translation import gettext_lazy as _

from .models import NOTE_MAX_CHARS


class NotificationForm(forms.Form):
    moment_notifications = forms.ChoiceField(
        label=_("Tell me about moments"),
        choices=[
            ("each", _("Good news at once; the rest at the end of the day")),
            ("daily", _("Once a day")),
            ("weekly", _("Once a week, on Fridays")),
        ],
        widget=forms.RadioSelect,
    )
    daily_time = forms.RegexField(
        label=_("At"),
        regex=r"^([01]\d|2[0-3]):[0-5]\d$",
        error_messages={"invalid": _("Give a time as hours and minutes, such as 18:00.")},
        widget=forms.TimeInput(attrs={"type": "time"}),
    )


class FamilyMessageForm(forms.Form):
    text = forms.CharField(
        label=_("Your message"), max_length=1600, widget=forms.Textarea(attrs={"rows": 3})
    )


class CorrectionForm(forms.Form):
    category = forms.IntegerField(label=_("Category"), widget=forms.Select)
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
