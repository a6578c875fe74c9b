"""Every value the sign-up slot pages read (conference hours, bookings, volunteer shifts)."""

from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from homeroom.languages import language_name

from .forms import INTERPRETER_LANGUAGES, _text, _when
from .models import (
    MAX_BUFFER_MINUTES,
    MAX_SLOT_MINUTES,
    MIN_SLOT_MINUTES,
    PLACE_MAX_CHARS,
    TITLE_MAX_CHARS,
)

MAX_HEADCOUNT = 500


def _day(label):
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )


def _time(label):
    return forms.TimeField(
        label=label,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        input_formats=["%H:%M"],
    )


def _interpreter():
    return forms.ChoiceField(
        label=_("An interpreter"),
        required=False,
        choices=lambda: (
            [("", _("No interpreter needed"))]
            + [(code, language_name(code)) for code in INTERPRETER_LANGUAGES]
        ),
    )


class BlockForm(forms.Form):
    """A teacher's conference hours for one day: read in the school's time zone."""

    school = forms.ChoiceField(label=_("School"))
    day = _day(_("Day"))
    starts = _time(_("Starts"))
    ends = _time(_("Ends"))
    slot_minutes = forms.IntegerField(
        label=_("Each meeting (minutes)"),
        min_value=MIN_SLOT_MINUTES,
        max_value=MAX_SLOT_MINUTES,
        initial=15,
    )
    buffer_minutes = forms.IntegerField(
        label=_("Time between meetings (minutes)"),
        min_value=0,
        max_value=MAX_BUFFER_MINUTES,
        initial=5,
    )
    place = _text(_("Where"), PLACE_MAX_CHARS, required=False)

    def __init__(self, *args, schools=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.schools = {str(s.pk): s for s in schools}
        self.fields["school"].choices = [(str(s.pk), s.name) for s in schools]
        if len(self.schools) == 1:
            self.fields["school"].initial = next(iter(self.schools))

    def clean(self):
        data = super().clean()
        if data.get("starts") and data.get("ends") and data["ends"] <= data["starts"]:
            self.add_error("ends", _("The end must come after the start."))
        return data


class MoveForm(forms.Form):
    """Where a whole day's hours go (a snow day): its new day and start."""

    day = _day(_("New day"))
    starts = _time(_("New start"))


class StaffBookingForm(forms.Form):
    """Booking for a family who called: one of the block's free slots, one family link."""

    family = forms.ChoiceField(label=_("The family and child"))
    slot = forms.ChoiceField(label=_("The time"))
    interpreter = _interpreter()

    def __init__(self, *args, links=(), slots=(), label_of=str, **kwargs):
        super().__init__(*args, **kwargs)
        self.links = {str(link.pk): link for link in links}
        self.slots = {str(slot.pk): slot for slot in slots}
        self.fields["family"].choices = [
            (
                key,
                f"{link.student.given_name} {link.student.family_name} — "
                f"{link.guardian.given_name} {link.guardian.family_name}",
            )
            for key, link in self.links.items()
        ]
        self.fields["slot"].choices = [(key, label_of(slot)) for key, slot in self.slots.items()]


class FamilyBookingForm(forms.Form):
    """A family books a time with one of its child's teachers. The ids are checked against
    what the family may see."""

    student = forms.IntegerField(min_value=1)
    slot = forms.IntegerField(min_value=1, error_messages={"required": _("Choose a time.")})
    interpreter = _interpreter()


class SiblingBookingForm(forms.Form):
    """Two back-to-back times with one teacher, one for each of two children."""

    student = forms.IntegerField(min_value=1)
    sibling = forms.IntegerField(min_value=1)
    pair = forms.RegexField(
        regex=r"^[0-9]{1,12}:[0-9]{1,12}$", error_messages={"required": _("Choose a time.")}
    )
    interpreter = _interpreter()

    def clean(self):
        data = super().clean()
        if data.get("sibling") and data.get("sibling") == data.get("student"):
            self.add_error("sibling", _("Choose two different children."))
        return data

    def slot_ids(self) -> tuple[int, int]:
        first, second = self.cleaned_data["pair"].split(":")
        return int(first), int(second)


class SlotChoiceForm(forms.Form):
    """The one id a button posts (a booking to cancel, a shift to sign up for)."""

    pk = forms.IntegerField(min_value=1)


class ShiftForm(forms.Form):
    title = _text(_("What volunteers will do"), TITLE_MAX_CHARS)
    starts = _when(_("Starts"), required=True)
    ends = _when(_("Ends"), required=True)
    headcount = forms.IntegerField(
        label=_("Volunteers needed"), min_value=1, max_value=MAX_HEADCOUNT, initial=2
    )

    def __init__(self, *args, time_zone="UTC", **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = ZoneInfo(time_zone)

    def clean(self):
        data = super().clean()
        for name in ("starts", "ends"):
            if data.get(name):
                data[name] = data[name].replace(tzinfo=None).replace(tzinfo=self.zone)
        if data.get("starts") and data.get("ends") and data["ends"] <= data["starts"]:
            self.add_error("ends", _("The end must come after the start."))
        return data
