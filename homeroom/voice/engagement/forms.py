"""Every value the engagement pages read: who is asked and until when, and which changes a
family takes."""

from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homeroom.languages import language_name

from .template import CHANNEL_TEXTS


class StartForm(forms.Form):
    audience = forms.ChoiceField(label=_("Who is asked"), required=False)
    closes_on = forms.DateField(
        label=_("Closes on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Three weeks from today if left empty."),
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = {choice.key: choice for choice in choices}
        self.fields["audience"].choices = [(c.key, c.label) for c in choices]

    def clean_audience(self):
        key = self.cleaned_data["audience"]
        if not key:
            # One click from the surveys page: the widest audience the person may ask (a
            # school admin's school, else a teacher's only class).
            schools = [c for c in self.choices.values() if c.audience.kind == "school"]
            if schools:
                return schools[0].key
            if len(self.choices) == 1:
                return next(iter(self.choices))
            raise forms.ValidationError(_("Choose who is asked."), code="required")
        return key

    def clean_closes_on(self):
        day = self.cleaned_data["closes_on"]
        if day is None:
            self.cleaned_data["closes_at"] = None
            return day
        closes_at = timezone.make_aware(datetime.combine(day, time(23, 59)))
        if closes_at <= timezone.now():
            raise forms.ValidationError(_("Choose a closing date in the future."))
        self.cleaned_data["closes_at"] = closes_at
        return day

    @property
    def chosen_audience(self):
        return self.choices[self.cleaned_data["audience"]].audience

    @property
    def closes_at(self):
        return self.cleaned_data.get("closes_at")


class ConfirmForm(forms.Form):
    """The changes a family's answers suggest; each is taken only when ticked."""

    use_channel = forms.BooleanField(required=False)
    use_language = forms.BooleanField(required=False)
    use_quiet = forms.BooleanField(required=False)

    def __init__(self, *args, changes, **kwargs):
        super().__init__(*args, **kwargs)
        self.changes = changes
        for name, wanted in (
            ("use_channel", changes.channel),
            ("use_language", changes.language),
            ("use_quiet", changes.quiet),
        ):
            if not wanted:
                del self.fields[name]
            else:
                self.initial[name] = True
        if changes.channel:
            self.fields["use_channel"].label = _("Send me messages by: %(channel)s") % {
                "channel": CHANNEL_TEXTS[changes.channel]
            }
        if changes.language:
            self.fields["use_language"].label = _("Send me messages in %(language)s") % {
                "language": language_name(changes.language)
            }
        if changes.quiet:
            self.fields["use_quiet"].label = _("No messages before %(start)s or after %(end)s") % {
                "start": changes.quiet_end.strftime("%H:%M"),
                "end": changes.quiet_start.strftime("%H:%M"),
            }

    def preferences_data(self, guardian) -> dict[str, str]:
        """What the family settings form receives: what is on file, with the ticked changes."""
        data = {
            "language": guardian.language.split("-")[0].lower(),
            "channel": guardian.channel,
            "quiet_start": guardian.quiet_start.strftime("%H:%M"),
            "quiet_end": guardian.quiet_end.strftime("%H:%M"),
        }
        cleaned = self.cleaned_data
        if cleaned.get("use_channel"):
            data["channel"] = self.changes.channel
        if cleaned.get("use_language"):
            data["language"] = self.changes.language
        if cleaned.get("use_quiet"):
            data["quiet_start"] = self.changes.quiet_start.strftime("%H:%M")
            data["quiet_end"] = self.changes.quiet_end.strftime("%H:%M")
        return data

    def taken_fields(self) -> set[str]:
        """The family settings fields the ticked changes touch."""
        cleaned = self.cleaned_data
        fields = set()
        if cleaned.get("use_channel"):
            fields.add("channel")
        if cleaned.get("use_language"):
            fields.add("language")
        if cleaned.get("use_quiet"):
            fields |= {"quiet_start", "quiet_end"}
        return fields

    @property
    def any_taken(self) -> bool:
        return any(self.cleaned_data.get(name) for name in self.fields)
