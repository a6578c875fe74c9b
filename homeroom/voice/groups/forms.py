"""Every value a group page reads goes through one of these forms."""

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homeroom.people.forms import language_choices

from ..forms import no_bidi_controls
from ..models import (
    GROUP_DESCRIPTION_MAX_CHARS,
    GROUP_NAME_MAX_CHARS,
    PLACE_MAX_CHARS,
    POST_MAX_CHARS,
    TOPIC_DETAILS_MAX_CHARS,
    TOPIC_MAX_CHARS,
)

HIDE_REASON_MAX_CHARS = 300


def _text(label, max_length, *, required=True, textarea=False, rows=3, help_text=""):
    widget = forms.Textarea(attrs={"rows": rows}) if textarea else forms.TextInput
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=widget,
        help_text=help_text,
        validators=[no_bidi_controls],
    )


class GroupForm(forms.Form):
    school = forms.ModelChoiceField(label=_("School"), queryset=None, empty_label=None)
    name = _text(_("Name"), GROUP_NAME_MAX_CHARS)
    description = _text(
        _("What the group is for"), GROUP_DESCRIPTION_MAX_CHARS, required=False, textarea=True
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages it meets in"), choices=(), widget=forms.CheckboxSelectMultiple
    )
    is_academy = forms.BooleanField(
        label=_("A parent academy: families propose topics and vote for them"), required=False
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        self.fields["languages"].choices = language_choices()


class LeaderForm(forms.Form):
    guardian = forms.ModelChoiceField(label=_("Parent leader"), queryset=None)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guardian"].queryset = candidates.order_by("family_name", "given_name", "pk")
        self.fields["guardian"].label_from_instance = lambda guardian: guardian.full_name


class RemoveLeaderForm(forms.Form):
    guardian = forms.IntegerField(min_value=1)


class TopicForm(forms.Form):
    title = _text(_("Topic"), TOPIC_MAX_CHARS)
    details = _text(
        _("Why it matters to you (optional)"),
        TOPIC_DETAILS_MAX_CHARS,
        required=False,
        textarea=True,
    )


class SessionForm(forms.Form):
    title = _text(_("Title"), TOPIC_MAX_CHARS)
    topic = forms.ModelChoiceField(label=_("Topic (optional)"), queryset=None, required=False)
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}))
    place = _text(_("Place"), PLACE_MAX_CHARS)
    language = forms.ChoiceField(label=_("Language"), choices=())

    def __init__(self, *args, group, topics, time_zone, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone
        self.fields["topic"].queryset = topics
        names = dict(language_choices())
        self.fields["language"].choices = [
            (code, names.get(code, code)) for code in group.languages
        ] or language_choices()

    def clean(self):
        data = super().clean()
        day, start = data.get("day"), data.get("start")
        if day and start:
            starts_at = timezone.make_aware(datetime.combine(day, start), self.time_zone)
            if starts_at <= timezone.now():
                self.add_error("day", _("Choose a date and time in the future."))
            data["starts_at"] = starts_at
        return data


class PostForm(forms.Form):
    text = _text(_("Your post"), POST_MAX_CHARS, textarea=True, rows=5)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The composer shows the group's rule beside the field (#group-rule).
        self.fields["text"].widget.attrs["aria-describedby"] = "group-rule"


class HideForm(forms.Form):
    reason = _text(_("Why it is hidden"), HIDE_REASON_MAX_CHARS)
