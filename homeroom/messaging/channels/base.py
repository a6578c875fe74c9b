"""What every channel offers: send one message to one reader, or say why it could not.

A channel gets the Delivery row (where to, which idempotency key) and the message as that
reader should read it (`Rendered`), formats it its own way, hands it to its provider and
returns what the provider said. Failures are one of two exceptions: TransientError (worth
trying again later) or PermanentError (trying again will not help; fall back to another
channel). Their message is written for the teacher who sent the message.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeroom.transports.errors import ChannelError, PermanentError, TransientError

if TYPE_CHECKING:
    from ..models import Delivery

__all__ = ["Channel", "ChannelError", "PermanentError", "Rendered", "SendResult", "TransientError"]


@dataclass(frozen=True)
class Rendered:
    """One message as one reader should read it, before a channel puts it in its own form."""

    text: str  # in the reader's language, or the original when no translation was available
    language: str  # the reader's language (BCP 47)
    original: str
    original_language: str
    machine_translated: bool
    untranslated: bool
    school_name: str
    sender_name: str
    subject: str
    link: str  # where the family reads the whole conversation and replies
    preferences_link: str  # where the family changes language, channel and quiet hours
    reply_token: str = ""  # the reader's Participant token: email replies come back by it
    # Set when a guardian wrote the message: their name, shown as its author.
    family_author: str = ""
    conversation_id: int | None = None
    is_urgent: bool = False
    # The child the conversation is about, as families call them ("" for an announcement).
    student_name: str = ""
    # Photos and files kept with the message: a text or an email points to them in Homeroom
    # (at `link`, after signing in) rather than carrying a child's picture around.
    attachments: int = 0


@dataclass(frozen=True)
class SendResult:
    provider_id: str = ""
    segments: int | None = None


class Channel(ABC):
    name: str

    def open(self) -> None:  # noqa: B027 - most channels hold no connection
        """Get ready for several sends in a row (an SMTP connection, an HTTP session)."""

    def close(self) -> None:  # noqa: B027
        """Let go of whatever `open` took; safe to call when nothing is open."""

    @abstractmethod
    def send(self, delivery: "Delivery", rendered: Rendered) -> SendResult:
        """Send `rendered` to `delivery.to_address`; raise TransientError or PermanentError."""
