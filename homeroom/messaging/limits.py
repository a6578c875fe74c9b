"""How long a message may be, wherever it is written: the reply box, a new conversation, an
announcement, a family's answer to a moment. Every service that writes a message calls
check_length first, and the forms use the same limit."""

from django.utils.translation import gettext_lazy as _

MAX_MESSAGE_CHARS = 10_000

TOO_LONG = _("The message is %(show_value)d characters long; keep it to %(limit_value)d or fewer.")


class MessageTooLong(ValueError):
    """The text is over MAX_MESSAGE_CHARS; the message says so in the reader's language."""


def check_length(text: str | None) -> None:
    length = len(text or "")
    if length > MAX_MESSAGE_CHARS:
        raise MessageTooLong(TOO_LONG % {"show_value": length, "limit_value": MAX_MESSAGE_CHARS})
