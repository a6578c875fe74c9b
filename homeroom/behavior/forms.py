from django import forms
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from homeroom.forms import IdListField, PageForm, QueryForm
from homeroom.messaging.forms import MAX_MESSAGE_CHARS, TEXT_ERRORS

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
        label=_("Your message"),
        max_length=MAX_MESSAGE_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CorrectionForm(forms.Form):
    category = forms.IntegerField(label=_("Category"), widget=forms.Select)
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RecordForm(forms.Form):
    """Moments as posted: the students chosen, a category and an optional note (its length is
    the service's to check, with its own message)."""

    students = IdListField(required=False)
    category = forms.IntegerField(required=False)
    note = forms.CharField(required=False, strip=False)


class RecordQuery(QueryForm):
    """What a link may preselect on the recording page."""

    student = IdListField(required=False, initial=[])
    kind = forms.CharField(required=False, initial="")


class WithdrawForm(forms.Form):
    moments = IdListField(required=False)
    next = forms.CharField(required=False)

    def clean_next(self):
        """Back to the page the withdrawal was made on, and never to another site."""
        target = self.cleaned_data["next"]
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
            return target
        return ""


class RespondForm(forms.Form):
    kind = forms.CharField(required=False)
    text = forms.CharField(
        required=False, strip=False, max_length=MAX_MESSAGE_CHARS, error_messages=TEXT_ERRORS
    )


class LeadersQuery(PageForm):
    """The leaders' view filters: a school, a period, a breakdown."""

    school = forms.CharField(required=False, initial="")
    period = forms.CharField(required=False, initial="30")
    by = forms.CharField(required=False, initial="kind")
