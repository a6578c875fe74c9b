"""One small door for texts Homeroom sends on its own behalf (sign-in codes, invitations).

Callers say what to send and to whom; the backend chosen by `OUTBOUND_BACKEND` decides how:
`console` prints, `file` appends JSON lines to `OUTBOUND_FILE`, `memory` keeps them in
`outbox` for tests, and `channels` sends at once through the messaging email and SMS
channels (the same SMTP server and Twilio account as conversations, without the outbox: a
sign-in code is worth nothing a minute late). Callers never see a channel's error: it is
logged and returned in `Outgoing.error`.
"""

import json
import logging
import threading
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime

from django.conf import settings
from django.utils import translation

logger = logging.getLogger(__name__)

# Filled only by the memory backend; tests read and clear it.
outbox: list["Outgoing"] = []
_file_lock = threading.Lock()


@dataclass(frozen=True)
class Outgoing:
    channel: str  # "sms" or "email"
    to: str  # E.164 phone number or email address
    body: str
    subject: str = ""
    kind: str = ""  # what it is: "login_code", "invitation", …
    sent_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    provider_id: str = ""
    error: str = ""  # why the channel could not send it, in a teacher's words


def send(channel: str, to: str, body: str, *, subject: str = "", kind: str = "") -> Outgoing:
    if channel not in {"sms", "email"}:
        raise ValueError(f"cannot send on channel {channel!r}")
    if not to:
        raise ValueError("a message needs a recipient")
    message = Outgoing(channel=channel, to=to, body=body, subject=subject, kind=kind)
    backend = settings.OUTBOUND_BACKEND
    if backend == "channels":
        return _send_through_channel(message)
    if backend == "memory":
        outbox.append(message)
    elif backend == "file":
        path = settings.OUTBOUND_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        with _file_lock, path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(asdict(message), ensure_ascii=False) + "\n")
    else:
        print(f"[{channel} to {to}] {subject + ': ' if subject else ''}{body}", flush=True)
    return message


def _send_through_channel(message: Outgoing) -> Outgoing:
    from .channels import ChannelError
    from .channels.email import EmailChannel
    from .channels.sms import SmsChannel

    try:
        # The body is already in the reader's language; errors are for staff and the logs.
        with translation.override(settings.LANGUAGE_CODE):
            if message.channel == "sms":
                provider_id = SmsChannel().send_text(message.to, message.body)
            else:
                provider_id = EmailChannel().send_text(
                    message.to, message.body, subject=message.subject
                )
    except ChannelError as error:
        # Only the kind and the reason: the address and the text stay out of the logs.
        logger.warning("could not send %s by %s: %s", message.kind, message.channel, error)
        return replace(message, error=str(error))
    return replace(message, provider_id=provider_id)
