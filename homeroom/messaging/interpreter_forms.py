"""What people type when they translate by hand or flag a translation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .interpreters import MAX_NOTE_CHARS

MAX_TRANSLATION_CHARS = 10_000


class CorrectionForm(forms.Form):
    text = forms.CharField(
        label=_("Corrected translation"),
        max_length=MAX_TRANSLATION_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Write the corrected translation first: an empty one is not saved."),
            "max_length": _("Keep the translation to %(limit_value)d characters or fewer."),
        },
    )

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(self.fields["text"].error_messages["required"])
        return text


class ConfusingForm(forms.Form):
    note = forms.CharField(
        label=_("What is unclear? (optional)"),
        max_length=MAX_NOTE_CHARS,
        required=False,
    )
