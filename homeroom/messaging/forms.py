"""What staff and families type into conversations, checked before anything is stored."""

from django import forms
from django.utils.translation import gettext_lazy as _

from homeroom.forms import QueryForm, SearchForm

from .limits import MAX_MESSAGE_CHARS, TOO_LONG

MAX_SUBJECT_CHARS = 200
MAX_REASON_CHARS = 300

TEXT_ERRORS = {
    "required": _("Write a message first."),
    "max_length": TOO_LONG,
}


def message_field(label):
    return forms.CharField(
        label=label,
        max_length=MAX_MESSAGE_CHARS,
        error_messages=TEXT_ERRORS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class UrgentMixin(forms.Form):
    """ "Urgent" goes through quiet hours, so it must say why."""

    urgent = forms.BooleanField(
        label=_("Urgent: send now, even during families' quiet hours"), required=False
    )
    urgent_reason = forms.CharField(
        label=_("Why can it not wait?"),
        max_length=MAX_REASON_CHARS,
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("urgent") and not cleaned.get("urgent_reason"):
            self.add_error(
                "urgent_reason",
                _(
                    "Say why this cannot wait until morning: an urgent message reaches "
                    "families during their quiet hours."
                ),
            )
        return cleaned

    @property
    def reason(self) -> str:
        """The reason to send with, or "" for a message that may wait for quiet hours."""
        if self.cleaned_data.get("urgent"):
            return self.cleaned_data.get("urgent_reason", "")
        return ""


SEND_IN_ENGLISH = "english"
ASK_INTERPRETER = "interpreter"


class UntranslatedMixin(forms.Form):
    """When some families read a language no engine serves, the sender decides what they get:
    the English text with a note saying so, or a person's translation first."""

    untranslated = forms.ChoiceField(
        label=_("For families whose language has no translation"),
        choices=[
            (SEND_IN_ENGLISH, _("Send in English with a note saying it is not translated")),
            (ASK_INTERPRETER, _("Ask an interpreter first: they get it once it is translated")),
        ],
        widget=forms.RadioSelect,
        required=False,
        error_messages={
            "required": _(
                "Choose what the families without a translation get: the English text with "
                "a note, or an interpreter's translation."
            )
        },
    )

    def __init__(self, *args, untranslatable=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.untranslatable = list(untranslatable)
        self.fields["untranslated"].required = bool(self.untranslatable)

    @property
    def ask_interpreter(self) -> bool:
        return bool(self.untranslatable) and (
            self.cleaned_data.get("untranslated") == ASK_INTERPRETER
        )


# What a family may add to a reply, told apart by the file's first bytes, never its name.
PHOTO_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)
HEIF_BRANDS = {b"heic", b"heix", b"heif", b"mif1", b"msf1"}
MAX_PHOTO_BYTES = 5 * 1024 * 1024


def sniff_type(head: bytes) -> str | None:
    """The kind of file these first bytes start, among those a family may send; else None."""
    for signature, content_type in PHOTO_SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return "image/heic"
    return None


class AttachmentMixin(forms.Form):
    """One photo or PDF with a message, from a family or from staff: checked by its first
    bytes and its size before anything is stored."""

    photo = forms.FileField(
        label=_("Add a photo or a PDF (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"}),
    )

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if not photo:
            return None
        if photo.size > MAX_PHOTO_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB; send a smaller one."))
        data = photo.read()
        content_type = sniff_type(data[:16])
        if content_type is None:
            raise forms.ValidationError(
                _("Send a photo (JPEG, PNG, GIF, WebP or HEIC) or a PDF; this file is neither.")
            )
        return content_type, data

    def media_items(self) -> list:
        from .attachments import IncomingMedia

        photo = self.cleaned_data.get("photo")
        if not photo:
            return []
        content_type, data = photo
        return [IncomingMedia(content_type=content_type, data=data)]


class FamilyReplyForm(AttachmentMixin):
    text = message_field(_("Your message"))

    field_order = ["text", "photo"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].required = False

    def clean(self):
        cleaned = super().clean()
        nothing = not (cleaned.get("text") or "").strip() and not cleaned.get("photo")
        if nothing and not self.has_error("photo"):
            self.add_error("text", TEXT_ERRORS["required"])
        return cleaned


class StaffReplyForm(UntranslatedMixin, UrgentMixin, AttachmentMixin):
    text = message_field(_("Your message"))

    field_order = ["text", "photo", "urgent", "urgent_reason", "untranslated"]


class StaffComposeForm(UntranslatedMixin, UrgentMixin, AttachmentMixin):
    subject = forms.CharField(
        label=_("Subject (optional)"), max_length=MAX_SUBJECT_CHARS, required=False
    )
    text = message_field(_("Message"))

    field_order = ["subject", "text", "photo", "urgent", "urgent_reason", "untranslated"]


OFFICE = "office"


class FamilyComposeForm(forms.Form):
    """A family writes to one of the child's teachers or to the school office."""

    to = forms.ChoiceField(label=_("To"), widget=forms.RadioSelect)
    text = message_field(_("Message"))

    def __init__(self, *args, teachers=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(teacher.pk), teacher.choice_label) for teacher in teachers]
        choices.append((OFFICE, _("The school office")))
        self.fields["to"].choices = choices
        self.fields["to"].initial = choices[0][0]
        self._teachers = {str(teacher.pk): teacher for teacher in teachers}

    @property
    def recipients(self) -> list:
        """The staff chosen; empty for the school office (the service finds who answers)."""
        chosen = self._teachers.get(self.cleaned_data["to"])
        return [chosen] if chosen else []


class AnnouncementForm(UntranslatedMixin, UrgentMixin):
    audience = forms.ChoiceField(label=_("Send to"))
    subject = forms.CharField(
        label=_("Subject (optional)"), max_length=MAX_SUBJECT_CHARS, required=False
    )
    text = message_field(_("Message"))

    field_order = ["audience", "subject", "text", "urgent", "urgent_reason", "untranslated"]

    def __init__(self, *args, audiences=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience"].choices = [(a.key, a.label) for a in audiences]
        self._audiences = {a.key: a for a in audiences}

    @property
    def chosen(self):
        return self._audiences[self.cleaned_data["audience"]]


class InboxQuery(SearchForm):
    """The inbox's address: a search, a page, and for staff who are also family, which
    inbox; for admins, whether to list every conversation."""

    view = forms.CharField(required=False, initial="")
    all = forms.CharField(required=False, initial="")


class ThreadQuery(QueryForm):
    before = forms.IntegerField(required=False)


class ComposeQuery(SearchForm):
    student = forms.IntegerField(required=False)
