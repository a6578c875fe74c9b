"""Forms families fill in: joining by code, and the preferences they set on joining and later."""

from django import forms
from django.conf.locale import LANG_INFO
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from homeroom.languages import LANGUAGE_NAMES, STAFF_LANGUAGE, base_language

from .models import Channel, FamilyAlerts, Guardian

# Names languages give themselves, where Django does not know them, so a reader finds their
# own language in the list whatever language the page is in.
_OWN_NAMES = {
    "so": "Soomaali",
    "ht": "Kreyòl ayisyen",
    "zh": "中文",
    "tl": "Tagalog",
    "hmn": "Hmoob",
    "am": "አማርኛ",
    "ps": "پښتو",
}


def _own_name(code: str) -> str:
    return _OWN_NAMES.get(code) or LANG_INFO.get(code, {}).get("name_local", "")


def language_choices() -> list[tuple[str, str]]:
    """Every language families can choose, labelled in itself and in the page's language."""
    choices = []
    for code, name in LANGUAGE_NAMES.items():
        own = capfirst(_own_name(code))
        here = capfirst(str(name))
        label = here if not own or own.lower() == here.lower() else f"{own} — {here}"
        choices.append((code, label))
    return choices


class JoinCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Invitation code"),
        max_length=40,
        help_text=_("The 8 letters and numbers in the text or email from your school."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "inputmode": "text",
            }
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_code(self) -> str:
        # People copy codes with spaces or dashes and in any case; the stored code has none.
        return "".join(self.cleaned_data["code"].split()).replace("-", "").upper()


class FamilyPreferencesForm(forms.Form):
    """Language, channel and quiet hours, checked against what the school has on file."""

    language = forms.ChoiceField(label=_("Language for messages"), choices=language_choices)
    channel = forms.ChoiceField(
        label=_("How should the school reach you?"),
        # Worded for families: "App" alone does not say it includes the website.
        choices=[
            (Channel.APP, _("In the Homeroom app or website")),
            (Channel.SMS, Channel.SMS.label),
            (Channel.EMAIL, Channel.EMAIL.label),
        ],
        widget=forms.RadioSelect,
    )
    quiet_start = forms.TimeField(
        label=_("Quiet hours start"),
        help_text=_("Messages sent during these hours wait until they end."),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    quiet_end = forms.TimeField(
        label=_("Quiet hours end"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )

    def __init__(self, *args, guardian: Guardian, **kwargs):
        self.guardian = guardian
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("initial", {})
        kwargs["initial"] = {
            "language": guardian.language.split("-")[0].lower(),
            "channel": guardian.channel,
            "quiet_start": guardian.quiet_start,
            "quiet_end": guardian.quiet_end,
            **kwargs["initial"],
        }
        super().__init__(*args, **kwargs)

    def clean_language(self) -> str:
        chosen = self.cleaned_data["language"]
        # Keep a regional tag the school recorded ("es-MX") when the base language is kept.
        current = self.guardian.language or ""
        if current.split("-")[0].lower() == chosen:
            return current
        return chosen

    def clean_channel(self) -> str:
        channel = self.cleaned_data["channel"]
        if channel == Channel.SMS and not self.guardian.phone:
            raise forms.ValidationError(
                _(
                    "The school has no mobile number for you, so it cannot text you. "
                    "Choose another way or ask the school office to add your number."
                ),
                code="no_phone",
            )
        if channel == Channel.EMAIL and not self.guardian.email:
            raise forms.ValidationError(
                _(
                    "The school has no email address for you. "
                    "Choose another way or ask the school office to add your email."
                ),
                code="no_email",
            )
        return channel

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("quiet_start"), cleaned.get("quiet_end")
        if start is not None and end is not None and start == end:
            self.add_error(
                "quiet_end",
                forms.ValidationError(
                    _("Quiet hours must end at a different time than they start."),
                    code="empty_quiet_hours",
                ),
            )
        return cleaned


WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class StaffPreferencesForm(forms.Form):
    """How a staff member reads and hears of families: their reading language, the emails
    that tell them a family wrote, and the office hours outside which nothing is sent."""

    language = forms.ChoiceField(
        label=_("Read families' messages in"),
        help_text=_(
            "Families' replies are translated into this language for you, with the original "
            "one tap away. Your reminder emails come in it too where Homeroom speaks it."
        ),
        choices=language_choices,
    )
    family_alerts = forms.ChoiceField(
        label=_("When a family writes to you"),
        choices=FamilyAlerts.choices,
        widget=forms.RadioSelect,
    )
    days = forms.TypedMultipleChoiceField(
        label=_("Office hours: days"),
        help_text=_(
            "Outside your office hours Homeroom sends you nothing, and families who write are "
            "told when you are back. Leave every day unticked to be reachable at any time."
        ),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    start = forms.TimeField(
        label=_("From"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    end = forms.TimeField(
        label=_("Until"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )

    def __init__(self, *args, staff, **kwargs):
        kwargs.setdefault("label_suffix", "")
        hours = staff.office_hours if isinstance(staff.office_hours, dict) else {}
        kwargs["initial"] = {
            "language": base_language(staff.language) or STAFF_LANGUAGE,
            "family_alerts": staff.family_alerts,
            "days": hours.get("days", []),
            "start": hours.get("start", "08:00"),
            "end": hours.get("end", "16:00"),
            **kwargs.get("initial", {}),
        }
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        days, start, end = cleaned.get("days"), cleaned.get("start"), cleaned.get("end")
        if days:
            if start is None or end is None:
                self.add_error(
                    "end" if start else "start",
                    forms.ValidationError(
                        _("Give the time your office hours start and end."), code="no_hours"
                    ),
                )
            elif start >= end:
                self.add_error(
                    "end",
                    forms.ValidationError(
                        _("Office hours must end after they start."), code="backwards_hours"
                    ),
                )
        return cleaned

    def office_hours(self) -> dict | None:
        days = self.cleaned_data.get("days")
        if not days:
            return None
        return {
            "days": sorted(set(days)),
            "start": self.cleaned_data["start"].strftime("%H:%M"),
            "end": self.cleaned_data["end"].strftime("%H:%M"),
        }


class LanguageSuggestionForm(forms.Form):
    """Staff take or leave the language a family's reply was written in."""

    action = forms.ChoiceField(choices=[("accept", "accept"), ("dismiss", "dismiss")])
