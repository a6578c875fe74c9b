"""The district's translation routes, one choice per language families may read."""

from itertools import permutations

from django import forms
from django.utils.translation import gettext_lazy as _

from homeroom.languages import LANGUAGE_NAMES, STAFF_LANGUAGE, base_language

from .models import ENGLISH, INTERPRETER, validate_route
from .providers import NAMES
from .services import provider_label


def route_choices() -> list[tuple[str, str]]:
    """The deployment's default, each provider, each provider with another behind it, an
    interpreter, English with a note."""
    choices = [("", _("As the deployment is set up"))]
    choices += [(name, provider_label(name)) for name in NAMES]
    for first, then in permutations(NAMES, 2):
        label = _("%(first)s, then %(then)s") % {
            "first": provider_label(first),
            "then": provider_label(then),
        }
        choices.append((f"{first}+{then}", label))
    choices += [(INTERPRETER, _("An interpreter first")), (ENGLISH, _("English with a note"))]
    return choices


def route_languages() -> list[str]:
    """Every language families may choose, but the staff's own."""
    staff = base_language(STAFF_LANGUAGE)
    return [code for code in LANGUAGE_NAMES if code != staff]


class LanguageRoutesForm(forms.Form):
    """One select per language; only the routes offered are accepted."""

    def __init__(self, *args, current: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        current = current or {}
        choices = route_choices()
        for code in route_languages():
            self.fields[code] = forms.ChoiceField(
                label=LANGUAGE_NAMES[code],
                choices=choices,
                required=False,
                initial=current.get(code, ""),
                validators=[_validate_chosen],
            )

    def routes(self) -> dict[str, str]:
        return {code: self.cleaned_data[code] for code in route_languages()}


def _validate_chosen(value: str) -> None:
    if value:
        validate_route(value)
