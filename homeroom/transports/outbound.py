"""One small door for texts Homeroom sends on its own behalf (sign-in codes, invitations).

Callers say what to send and to whom; the backend chosen by `OUTBOUND_BACKEND` decides how:
`console` prints, `file` appends JSON lines to `OUTBOUND_FILE`, `memory` keeps them in
`outbox` for tests, and `channels` sends at once through the email and SMS transports
(the same SMTP server and Twilio account as conversations, without messaging's outbox: a
sign-in code is worth nothing a minute late). Callers never see a channel's error: it is
logged and returned in `Outgoing.error`.

`send_later` is for texts a request sends (sign-in codes): with the `channels` backend the
provider's round trip happens in a worker (`deliver_outgoing`), so how long the request takes
does not tell whether the phone or address has an account; `send_nothing_later` does the same
work for one that has none. The text travels to the worker sealed (encrypted and dated with a
key derived from SECRET_KEY), never in plain words in the task queue, and is never logged.
The local backends have no round trip to hide and record at once, so in development codes
still appear on the console as they are asked for.
"""

import base64
import hashlib
import json
import logging
import threading
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import transaction
from django.utils import translation
from django_tasks import task

from .email import EmailTransport
from .errors import ChannelError
from .sms import SmsTransport

logger = logging.getLogger(__name__)

# Filled only by the memory backend; tests read and clear it.
outbox: list["Outgoing"] = []
_file_lock = threading.Lock()
# A sealed text a worker has not sent within this is dropped: any code in it has expired.
SEALED_FOR_SECONDS = 60 * 60


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


def _check(channel: str, to: str) -> None:
    if channel not in {"sms", "email"}:
        raise ValueError(f"cannot send on channel {channel!r}")
    if not to:
        raise ValueError("a message needs a recipient")


def send(channel: str, to: str, body: str, *, subject: str = "", kind: str = "") -> Outgoing:
    _check(channel, to)
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
    try:
        # The body is already in the reader's language; errors are for staff and the logs.
        with translation.override(settings.LANGUAGE_CODE):
            if message.channel == "sms":
                provider_id = SmsTransport().send_text(message.to, message.body)
            else:
                provider_id = EmailTransport().send_text(
                    message.to, message.body, subject=message.subject
                )
    except ChannelError as error:
        # Only the kind and the reason: the address and the text stay out of the logs.
        logger.warning("could not send %s by %s: %s", message.kind, message.channel, error)
        return replace(message, error=str(error))
    return replace(message, provider_id=provider_id)


# ---- sent by a worker -------------------------------------------------------------------------


def send_later(channel: str, to: str, body: str, *, subject: str = "", kind: str = "") -> None:
    """Send from a worker once the request's transaction commits (the `channels` backend)."""
    _check(channel, to)
    if settings.OUTBOUND_BACKEND != "channels":
        send(channel, to, body, subject=subject, kind=kind)
        return
    _enqueue({"channel": channel, "to": to, "body": body, "subject": subject}, kind)


def send_nothing_later(channel: str, *, kind: str = "") -> None:
    """What `send_later` costs the request, for someone Homeroom does not know: the worker
    opens it and sends nothing."""
    if settings.OUTBOUND_BACKEND == "channels":
        _enqueue({"channel": channel, "to": "", "body": "", "subject": ""}, kind)


def _enqueue(fields: dict, kind: str) -> None:
    sealed = _sealer().encrypt(json.dumps(fields).encode()).decode()
    transaction.on_commit(lambda: deliver_outgoing.enqueue(sealed, kind))


def _sealer() -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [
            Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"outbound:{key}".encode()).digest()))
            for key in secrets
        ]
    )


# Ahead of digests and reminders: someone is waiting at the sign-in page.
@task(priority=50)
def deliver_outgoing(sealed: str, kind: str = "") -> str:
    """Send one text sealed by `send_later`; the outcome says nothing of who it was for."""
    try:
        fields = json.loads(_sealer().decrypt(sealed.encode(), ttl=SEALED_FOR_SECONDS))
    except (InvalidToken, ValueError):
        logger.warning("dropped a %s that could not be opened or waited too long", kind)
        return "done"
    if not fields["to"]:
        return "done"
    message = Outgoing(
        channel=fields["channel"],
        to=fields["to"],
        body=fields["body"],
        subject=fields["subject"],
        kind=kind,
    )
    _send_through_channel(message)
    return "done"
