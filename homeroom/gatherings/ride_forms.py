"""Every value the ride pages read goes through one of these forms."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from homeroom.voice.forms import no_bidi_controls

from .models import MAX_RIDE_COORDINATE_KM, MAX_RIDE_SEATS, RIDE_AREA_NAME_MAX_CHARS

AREAS_MAX_CHARS = 20_000
AREAS_FILE_MAX_BYTES = 100_000


def _km(label):
    return forms.DecimalField(
        label=label,
        max_digits=7,
        decimal_places=2,
        min_value=Decimal(-MAX_RIDE_COORDINATE_KM),
        max_value=Decimal(MAX_RIDE_COORDINATE_KM),
    )


def _area_choice(areas):
    return [(str(a.pk), a.name) for a in areas]


class AreaForm(forms.Form):
    """One area typed on the page: its name and where it is on the school's grid."""

    name = forms.CharField(
        label=_("Area (a neighbourhood or a postal code)"),
        max_length=RIDE_AREA_NAME_MAX_CHARS,
        validators=[no_bidi_controls],
    )
    x_km = _km(_("Kilometres east of the school's centre point (west: negative)"))
    y_km = _km(_("Kilometres north of the school's centre point (south: negative)"))

    def rows(self) -> list[tuple[str, str, str]]:
        data = self.cleaned_data
        return [(data["name"], str(data["x_km"]), str(data["y_km"]))]


class AreasFileForm(forms.Form):
    """Many areas at once: lines of `area,x,y`, pasted or as a CSV file."""

    text = forms.CharField(
        label=_("Lines of area,x,y (kilometres)"),
        required=False,
        max_length=AREAS_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
        validators=[no_bidi_controls],
    )
    file = forms.FileField(label=_("Or a CSV file of area,x,y"), required=False)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > AREAS_FILE_MAX_BYTES:
                raise forms.ValidationError(_("The file is too large: keep it under 100 kB."))
            try:
                data["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(
                    _("Save the file as CSV (UTF-8) and try again.")
                ) from None
            no_bidi_controls(data["text"])
        if not (data.get("text") or "").strip():
            raise forms.ValidationError(_("Give at least one area."))
        return data


class RidePolicyForm(forms.Form):
    drivers_need_approval = forms.BooleanField(
        label=_("Drivers are approved by staff before they are matched"), required=False
    )


class OfferChoiceForm(forms.Form):
    offer = forms.IntegerField(min_value=1)


class OfferForm(forms.Form):
    """ "I can drive: N seats from <area>." """

    seats = forms.IntegerField(
        label=_("Seats I can offer"), min_value=1, max_value=MAX_RIDE_SEATS, initial=3
    )
    area = forms.ChoiceField(label=_("Driving from"))

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = _area_choice(areas)


class RequestForm(forms.Form):
    """ "We need a ride from <area>": who rides, and the guardian's consent for children."""

    area = forms.ChoiceField(label=_("We need a ride from"))
    adults = forms.IntegerField(
        label=_("Adults riding"), min_value=0, max_value=MAX_RIDE_SEATS, initial=1
    )
    children = forms.IntegerField(
        label=_("Children riding"), min_value=0, max_value=MAX_RIDE_SEATS, initial=0
    )
    children_consent = forms.BooleanField(
        label=_("I agree that my children may ride with the family that drives"),
        required=False,
    )

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = _area_choice(areas)

    def clean(self):
        data = super().clean()
        adults, children = data.get("adults"), data.get("children")
        if adults is None or children is None:
            return data
        if adults + children < 1:
            self.add_error("adults", _("Count at least one person riding."))
        elif adults + children > MAX_RIDE_SEATS:
            self.add_error(
                "children",
                _("At most %(count)s people fit in one car.") % {"count": MAX_RIDE_SEATS},
            )
        if children and not data.get("children_consent"):
            self.add_error(
                "children_consent",
                _(
                    "Tick that your children may ride with the family driving, "
                    "or count only adults."
                ),
            )
        return data


class MatchForm(forms.Form):
    match = forms.IntegerField(min_value=1)
