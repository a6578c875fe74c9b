"""What pages read from the address (searches, page numbers, filters) and the small pieces the
apps' forms share. Every request value goes through a form: a value a form refuses (a NUL
byte, an id that is not a number) never reaches the database."""

from django import forms
from django.http import HttpResponseBadRequest
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

MAX_QUERY_CHARS = 100


class QueryForm(forms.Form):
    """A form over query parameters. A value it refuses is read as the field's default, so
    the page shows its normal result rather than an error."""

    def __init__(self, data=None, **kwargs):
        super().__init__(data if data is not None else {}, **kwargs)
        self.is_valid()

    def value(self, name):
        found = self.cleaned_data.get(name)
        if found in (None, "", [], ()):
            return self.fields[name].initial
        return found


class PageForm(QueryForm):
    page = forms.CharField(required=False, max_length=20)


class SearchForm(PageForm):
    q = forms.CharField(required=False, initial="")

    def clean_q(self):
        return self.cleaned_data["q"][:MAX_QUERY_CHARS]


def page_number(request):
    """The `page=` asked for, or None (the paginator then shows the first page)."""
    return PageForm(request.GET).value("page")


class IdListField(forms.Field):
    """Ids posted under one name (checkboxes, hidden inputs): all whole numbers, or refused."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": _("Choose from the list.")}

    def to_python(self, value):
        ids = []
        for raw in value or []:
            try:
                ids.append(int(raw))
            except (TypeError, ValueError):
                message = self.error_messages["invalid"]
                raise forms.ValidationError(message, code="invalid") from None
        return ids


def first_error(form) -> str:
    """The first thing wrong with a form, to say in a notice or a partial."""
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return ""


def refused(form) -> HttpResponseBadRequest:
    """A 400 that says what was wrong, for posts with nowhere to show a form's errors."""
    return HttpResponseBadRequest(escape(first_error(form)))
