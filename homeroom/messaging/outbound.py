"""One small door for texts Homeroom sends on its own behalf (sign-in codes, invitations).

Callers say what to send and to whom; the backend chosen by `OUTBOUND_BACKEND` decides how:
`console` prints, `file` appends JSON lines to `OUTBOUND_FILE`, `memory` keeps them in
`outbox` for tests. The messaging outbox replaces the backends, not this function.
"""

import json
import logging
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from django.conf import settings

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


def send(channel: str, to: str, body: str, *, subject: str = "", kind: str = "") -> Outgoing:
    if channel not in {"sms", "email"}:
        raise ValueError(f"cannot send on channel {channel!r}")
    if not to:
        raise ValueError("a message needs a recipient")
    message = Outgoing(channel=channel, to=to, body=body, subject=subject, kind=kind)
    backend = settings.OUTBOUND_BACKEND
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
