"""Every value a gatherings page reads goes through one of these forms."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homeroom.languages import language_name
from homeroom.voice.forms import no_bidi_controls

from .models import (
    DESCRIPTION_MAX_CHARS,
    MAX_ADULTS,
    MAX_CANDIDATES,
    MAX_CHILDREN,
    NOTE_MAX_CHARS,
    PLACE_MAX_CHARS,
    TITLE_MAX_CHARS,
)
from .services import NEEDS, Needs, Slot

INTERPRETER_LANGUAGES = ["es", "ar", "vi", "so", "hmn", "zh", "fr", "ht", "pt", "ru"]


def _text(label, max_length, *, required=True, textarea=False):
    widget = forms.Textarea(attrs={"rows": 3}) if textarea else forms.TextInput
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=widget,
        validators=[no_bidi_controls],
    )


def _when(label, required=False):
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class EventForm(forms.Form):
    """A new event: a fixed time, or two to five candidate times (start and end), read in
    the school's time zone."""

    title = _text(_("Title"), TITLE_MAX_CHARS)
    description = _text(_("What it is"), DESCRIPTION_MAX_CHARS, required=False, textarea=True)
    place = _text(_("Where"), PLACE_MAX_CHARS, required=False)
    audience = forms.ChoiceField(label=_("Who is invited"))
    capacity = forms.IntegerField(
        label=_("Places (people, adults and children; empty for no limit)"),
        required=False,
        min_value=1,
        max_value=100_000,
    )
    starts = _when(_("Starts"))
    ends = _when(_("Ends"))

    def __init__(self, *args, choices=(), time_zone="UTC", hosts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = ZoneInfo(time_zone)
        self.choices = {choice.key: choice for choice in choices}
        self.fields["audience"].choices = [(c.key, c.label) for c in choices]
        # An event for the whole district is held at one of its schools (`hosts`: those the
        # person may organise at); its staff host it with the district's admins.
        if hosts is not None and any(c.audience.kind == "district" for c in choices):
            self.fields["host"] = forms.ModelChoiceField(
                label=_("Held at (for an event of the whole district)"),
                queryset=hosts,
                required=False,
            )
        for n in range(1, MAX_CANDIDATES + 1):
            self.fields[f"c{n}_starts"] = _when(_("Candidate time %(n)s starts") % {"n": n})
            self.fields[f"c{n}_ends"] = _when(_("Candidate time %(n)s ends") % {"n": n})

    def _aware(self, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=None).replace(tzinfo=self.zone)

    def _slot(self, starts_name, ends_name) -> Slot | None:
        starts = self._aware(self.cleaned_data.get(starts_name))
        ends = self._aware(self.cleaned_data.get(ends_name))
        if starts is None and ends is None:
            return None
        if starts is None or ends is None:
            raise forms.ValidationError(_("Give both a start and an end."))
        return Slot(starts, ends)

    def clean(self):
        data = super().clean()
        choice = self.choices.get(data.get("audience"))
        if choice is not None and choice.audience.kind == "district" and not data.get("host"):
            self.add_error("host", _("Choose the school where the district's event is held."))
        try:
            data["when"] = self._slot("starts", "ends")
            data["candidates"] = [
                slot
                for n in range(1, MAX_CANDIDATES + 1)
                if (slot := self._slot(f"c{n}_starts", f"c{n}_ends")) is not None
            ]
        except forms.ValidationError as error:
            self.add_error(None, error)
        return data

    def candidate_fields(self):
        return [(n, self[f"c{n}_starts"], self[f"c{n}_ends"]) for n in range(1, MAX_CANDIDATES + 1)]


class GroupEventForm(EventForm):
    """A parent leader's event: for the group's members, so no audience to choose."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["audience"]


class EditForm(forms.Form):
    title = _text(_("Title"), TITLE_MAX_CHARS)
    description = _text(_("What it is"), DESCRIPTION_MAX_CHARS, required=False, textarea=True)
    place = _text(_("Where"), PLACE_MAX_CHARS, required=False)


class GuardianChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, guardian):
        return f"{guardian.given_name} {guardian.family_name}"


class CoOrganiserForm(forms.Form):
    """A family of the audience to plan the event with: `guardians` is every family the
    invitation reaches (an id outside it is not a valid choice); `shown`, the few offered."""

    guardian = GuardianChoiceField(
        label=_("A family to plan it with"), queryset=None, widget=forms.RadioSelect
    )

    def __init__(self, *args, guardians=None, shown=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["guardian"]
        field.queryset = guardians
        # Only the families found are drawn; the full queryset checks what is posted.
        field.widget.choices = [(g.pk, field.label_from_instance(g)) for g in shown]


class FamilySearchForm(forms.Form):
    family = _text(_("Find a family by name"), 100, required=False)


class SessionChoiceField(forms.ModelChoiceField):
    zone = ZoneInfo("UTC")

    def label_from_instance(self, session):
        start = timezone.localtime(session.starts_at, self.zone)
        return f"{session.group.name}: {session.title} ({start:%a %d %b %Y, %H:%M})"


class AcademySessionForm(forms.Form):
    """A coming session of the school's parent academy for the event to gather: one of
    `gatherings.access.sessions_to_link`, so any other id is not a valid choice."""

    session = SessionChoiceField(
        label=_("A session of the parent academy"),
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, sessions, time_zone="UTC", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions
        self.fields["session"].zone = ZoneInfo(time_zone)


class TimesForm(forms.Form):
    """Which candidate times a family can make (none is an answer too)."""

    times = forms.MultipleChoiceField(
        label=_("Which of these times can you make?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, candidates=(), label_of=str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["times"].choices = [(str(c.pk), label_of(c)) for c in candidates]

    def chosen(self) -> list[int]:
        return [int(v) for v in self.cleaned_data["times"]]


class FixForm(forms.Form):
    candidate = forms.ChoiceField(label=_("The time"), widget=forms.RadioSelect)

    def __init__(self, *args, candidates=(), label_of=str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidate"].choices = [(str(c.pk), label_of(c)) for c in candidates]


class RsvpForm(forms.Form):
    coming = forms.TypedChoiceField(
        label=_("Can you come?"),
        choices=[("yes", _("Yes, we're coming")), ("no", _("No, we can't come"))],
        widget=forms.RadioSelect,
        coerce=lambda v: v == "yes",
    )
    adults = forms.IntegerField(label=_("Adults"), min_value=0, max_value=MAX_ADULTS, initial=1)
    children = forms.IntegerField(
        label=_("Children"), min_value=0, max_value=MAX_CHILDREN, initial=0
    )
    childcare = forms.BooleanField(label=_("Childcare during the event"), required=False)
    childcare_ages = _text(_("Children's ages (for childcare)"), NOTE_MAX_CHARS, required=False)
    interpreter = forms.ChoiceField(label=_("An interpreter"), required=False)
    ride = forms.BooleanField(label=_("A ride to the event"), required=False)
    meal = forms.BooleanField(label=_("A meal"), required=False)
    dietary_note = _text(_("Dietary needs"), NOTE_MAX_CHARS, required=False)
    accessibility = forms.BooleanField(label=_("Accessibility"), required=False)
    accessibility_note = _text(
        _("What would make it accessible for you"), NOTE_MAX_CHARS, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interpreter"].choices = [("", _("No interpreter needed"))] + [
            (code, language_name(code)) for code in INTERPRETER_LANGUAGES
        ]

    def clean(self):
        data = super().clean()
        if data.get("coming") and data.get("adults") == 0:
            self.add_error("adults", _("Count at least one adult."))
        if data.get("childcare") and not data.get("children"):
            self.add_error("children", _("Say how many children need childcare."))
        return data

    def needs(self) -> Needs:
        data = self.cleaned_data
        return Needs(
            childcare=data["childcare"],
            childcare_ages=data["childcare_ages"].strip() if data["childcare"] else "",
            interpreter_language=data["interpreter"],
            ride=data["ride"],
            meal=data["meal"],
            dietary_note=data["dietary_note"].strip() if data["meal"] else "",
            accessibility=data["accessibility"],
            accessibility_note=(
                data["accessibility_note"].strip() if data["accessibility"] else ""
            ),
        )


class MetForm(forms.Form):
    rsvp = forms.IntegerField(min_value=1)
    need = forms.ChoiceField(choices=[(n, n) for n in NEEDS])
    met = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1")
