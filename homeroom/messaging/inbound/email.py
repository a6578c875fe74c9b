"""Email replies: an SMTP gate that takes mail for reply+<token>@REPLY_DOMAIN.

Every email Homeroom sends a family carries a reply address with that family member's
token in that conversation. The gate refuses any other recipient while the sending server
is still connected (so the family gets a bounce that says why, not silence), reads the
reply's own words — plain text preferred, HTML turned into text, quoted history and
signature blocks cut — and hands them to `receive_reply`, but only when the email comes
from that guardian's own address (the From: header and the envelope sender); any other is
held for staff to review. The Message-ID makes a repeated delivery harmless. Only a
passing failure (the database away) is answered 451; an email that can never be taken
gets a permanent refusal that says so.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import email.utils
import functools
import hashlib
import logging
import re
from dataclasses import dataclass
from email.message import EmailMessage
from html.parser import HTMLParser
from urllib.parse import urlsplit

from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    transaction,
)
from mailparser_reply import EmailReplyParser
from mailparser_reply.constants import MAIL_LANGUAGES

from homeroom.messaging.models import InboundEvent, Participant
from homeroom.people.models import Channel, Guardian

from ..attachments import IncomingMedia
from .service import MAX_REPLY_CHARS, ReplyRefused, receive_channel_reply

logger = logging.getLogger(__name__)

UNKNOWN_ADDRESS = (
    "550 5.1.1 This reply address is not known. Please reply from Homeroom or contact the school."
)
NOT_OURS = "550 5.7.1 This server only accepts replies to Homeroom messages."
NOTHING_TO_READ = (
    "550 5.6.0 We could not find your reply in this email. "
    "Please write your answer above the quoted message."
)
TOO_LONG = f"552 5.3.4 Your reply is longer than {MAX_REPLY_CHARS:,} characters. Please shorten it."
NOT_DELIVERED = (
    "550 5.7.1 Your reply could not be delivered through Homeroom. Please contact the school."
)
ACCEPTED = "250 2.0.0 Reply received"
HELD = "250 2.0.0 Reply received; the school will look at it before it is posted"
UNREADABLE = (
    "554 5.6.0 Your reply could not be read by Homeroom and will not be delivered. "
    "Please contact the school."
)
TRY_AGAIN = "451 4.3.0 The reply could not be processed now; it will be retried."
# Attachments are not kept, but a phone's photo should not make the sending server give up.
MAX_EMAIL_BYTES = 25 * 1024 * 1024

REPLY_LOCAL_PART = re.compile(r"^reply\+(?P<token>[A-Za-z0-9_-]{8,32})$")
# Every language mail-parser-reply knows how quoting clients introduce history in.
REPLY_LANGUAGES = [code for code, rules in MAIL_LANGUAGES.items() if rules.get("wrote_header")]


# -- addresses and tokens --------------------------------------------------------------------


def reply_domain() -> str:
    configured = getattr(settings, "REPLY_DOMAIN", "") or ""
    return (configured or urlsplit(settings.PUBLIC_BASE_URL).hostname or "localhost").lower()


def token_in(address: str) -> str | None:
    """The reply token in `address` when it is one of ours, else None."""
    local, at, domain = (address or "").strip().strip("<>").rpartition("@")
    if not at or domain.lower() != reply_domain():
        return None
    match = REPLY_LOCAL_PART.match(local)
    return match.group("token") if match else None


def participant_for(token: str) -> Participant | None:
    """The family member a reply token belongs to; staff tokens do not take email replies."""
    return (
        Participant.objects.filter(reply_token=token, guardian__isnull=False)
        .select_related("guardian__user", "conversation__school", "conversation__student")
        .first()
    )


# -- reading an email ------------------------------------------------------------------------


# PostgreSQL refuses NUL in text, and no encoding takes a lone surrogate (what an undecodable
# header byte becomes): an email carrying either is kept without them rather than refused.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """`text` without the characters a text column cannot hold (NUL goes; a lone surrogate
    becomes U+FFFD)."""
    return _UNSTORABLE.sub(lambda found: "" if found.group() == "\x00" else "\ufffd", text)


@dataclass(frozen=True)
class ReadEmail:
    message_id: str
    sender: str  # the From: header as written
    text: str  # the whole readable text, quoted history included
    reply: str  # the family's own words
    automatic: bool  # an out-of-office or a bounce, not a person writing
    media: tuple[IncomingMedia, ...] = ()  # photos and files attached


def read_email(raw: bytes) -> ReadEmail:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    text = storable(_readable_text(message))
    return ReadEmail(
        message_id=storable(_message_id(message, raw)),
        sender=storable(str(message.get("From", "") or "")),
        text=text,
        reply=strip_quoted(text),
        automatic=_is_automatic(message),
        media=_attached_files(message),
    )


# An inline picture smaller than this is a logo in a signature, not something the family sent.
SIGNATURE_IMAGE_BYTES = 10 * 1024


def _attached_files(message: EmailMessage) -> tuple[IncomingMedia, ...]:
    """Files attached, and pictures pasted into the text; not the text parts themselves."""
    files = []
    for part in message.walk():
        if part.is_multipart() or part.get_content_maintype() in {"text", "message"}:
            continue
        data = part.get_payload(decode=True) or b""
        if not data:
            continue
        inline = part.get_content_disposition() != "attachment"
        if inline and part.get_content_maintype() == "image" and len(data) < SIGNATURE_IMAGE_BYTES:
            continue
        files.append(IncomingMedia(content_type=storable(part.get_content_type()), data=data))
    return tuple(files)


def _message_id(message: EmailMessage, raw: bytes) -> str:
    value = str(message.get("Message-ID", "") or "").strip().strip("<>").strip()
    if not value:
        # Without a Message-ID the same bytes delivered twice still count as one email.
        return "sha256:" + hashlib.sha256(raw).hexdigest()
    if len(value) > 150:
        return "sha256:" + hashlib.sha256(value.encode()).hexdigest()
    return value


def _is_automatic(message: EmailMessage) -> bool:
    """RFC 3834 and the headers vacation responders use: answering them would start a loop."""
    auto = str(message.get("Auto-Submitted", "") or "").strip().lower()
    if auto and auto != "no":
        return True
    precedence = str(message.get("Precedence", "") or "").strip().lower()
    return (
        precedence in {"bulk", "junk", "auto_reply", "list"}
        or "X-Autoreply" in message
        or "X-Autorespond" in message
    )


def _readable_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = _decoded(part)
    if part.get_content_subtype() == "html":
        return html_to_text(content)
    return content


def _decoded(part: EmailMessage) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError):
        # An unknown or wrong charset label: UTF-8 is by far the likeliest truth today.
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", errors="replace")


_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6"}
)
_SKIPPED_TAGS = frozenset({"script", "style", "head", "title"})


class _TextExtractor(HTMLParser):
    """HTML to plain text; blockquoted history becomes '>' lines so it is cut like plain text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.quote_depth = 0
        self.skipping = 0

    def _break(self):
        line = " ".join("".join(self.current).split())
        self.current = []
        prefix = "> " * self.quote_depth
        self.lines.append((prefix + line).rstrip() if line else prefix.rstrip())

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED_TAGS:
            self.skipping += 1
        elif tag == "blockquote":
            self._break()
            self.quote_depth += 1
        elif tag in _BLOCK_TAGS:
            self._break()

    def handle_endtag(self, tag):
        if tag in _SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "blockquote":
            self._break()
            self.quote_depth = max(0, self.quote_depth - 1)
        elif tag in _BLOCK_TAGS:
            self._break()

    def handle_data(self, data):
        if not self.skipping:
            self.current.append(data)

    def text(self) -> str:
        self._break()
        return re.sub(r"\n{3,}", "\n\n", "\n".join(self.lines)).strip()


def html_to_text(html: str) -> str:
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    return extractor.text()


# -- the family's own words ------------------------------------------------------------------

_QUOTED = re.compile(r"^\s*>")
# An attribution line ends with a colon and names a date or an address ("On Mon, … wrote:").
_ATTRIBUTION = re.compile(r"(@|\d).*:\s*$")
_SEPARATOR = re.compile(r"^\s*(--|__)\s*$")
_SENT_FROM_PATTERNS = [
    rules["sent_from"] for rules in MAIL_LANGUAGES.values() if rules.get("sent_from")
]
_SENT_FROM = re.compile(r"^\s*(?:" + "|".join(_SENT_FROM_PATTERNS) + ")", flags=re.IGNORECASE)


def strip_quoted(text: str) -> str:
    """The newest part of a reply, without the history it quotes or a signature block."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    parsed = EmailReplyParser(languages=REPLY_LANGUAGES).read(text)
    newest = parsed.replies[0] if parsed.replies else None
    reply = newest.content if newest is not None else text
    if newest is not None and newest.signatures and _is_signature_block(newest.signatures):
        head, found, _ = reply.rpartition(newest.signatures)
        if found:
            reply = head
    # The parser knows clients' headers; a '>' block it did not recognise the header of
    # (Gmail in Spanish, a wrapped attribution) is cut here.
    reply = _cut_signature(_cut_quoted_blocks(reply))
    if not reply.strip():
        reply = _cut_signature(_cut_quoted_blocks(text))
    return reply.strip()


def _is_signature_block(signature: str) -> bool:
    """Only what is surely a signature goes: a '-- ' block or a 'Sent from my phone' line.

    A closing such as "Gracias, Rosa" is part of the family's message and stays; the
    parser would also take "Thanks, see you at 3" for a signature and lose it.
    """
    first = signature.strip().split("\n", 1)[0]
    return bool(_SEPARATOR.match(first) or _SENT_FROM.match(first))


def _cut_signature(text: str) -> str:
    lines = text.rstrip().split("\n")
    for index, line in enumerate(lines):
        if index > 0 and _SEPARATOR.match(line):
            lines = lines[:index]
            break
    if lines and _SENT_FROM.match(lines[-1]) and len(lines[-1].split()) <= 8:
        lines.pop()
    return "\n".join(lines)


def _is_quote_line(line: str) -> bool:
    return not line.strip() or bool(_QUOTED.match(line))


def _cut_quoted_blocks(text: str) -> str:
    """Drop a quoted block at the end (top-posting) or the start (bottom-posting), with the
    line that introduced it; quotes between the family's own lines stay, for context."""
    lines = text.rstrip().split("\n")
    end = len(lines)
    while end > 0 and _is_quote_line(lines[end - 1]):
        end -= 1
    if end < len(lines) and any(_QUOTED.match(line) for line in lines[end:]):
        lines = lines[:end]
        # Some clients wrap the attribution over two lines ("… <address>" / "wrote:").
        if lines and _ATTRIBUTION.search(lines[-1]):
            lines.pop()
        elif (
            len(lines) >= 2
            and lines[-1].rstrip().endswith(":")
            and _ATTRIBUTION.search(lines[-2] + " " + lines[-1])
        ):
            del lines[-2:]

    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    first_quote = start
    for span in (1, 2):
        head = " ".join(lines[start : start + span])
        after = start + span
        while after < len(lines) and not lines[after].strip():
            after += 1
        if (
            head.rstrip().endswith(":")
            and _ATTRIBUTION.search(head)
            and after < len(lines)
            and _QUOTED.match(lines[after])
        ):
            first_quote = after
            break
    if first_quote < len(lines) and _QUOTED.match(lines[first_quote]):
        begin = first_quote
        while begin < len(lines) and _is_quote_line(lines[begin]):
            begin += 1
        lines = lines[begin:]
    return "\n".join(lines)


# -- taking a reply --------------------------------------------------------------------------


def receive_email(raw: bytes, recipients: list[str], mail_from: str | None = None) -> str:
    """Deliver one email to the conversations its reply addresses name; an SMTP status.

    `mail_from` is the envelope sender (SMTP MAIL FROM; None when the email was handed over
    some other way). A reply goes in as the guardian its address was given to only when it
    comes from one of their addresses; any other is held for the school to review."""
    read = read_email(raw)
    tokens = list(dict.fromkeys(t for t in map(token_in, recipients) if t))
    if not tokens:
        return UNKNOWN_ADDRESS
    several = len(tokens) > 1
    statuses = [_deliver(read, token, mail_from, several=several) for token in tokens]
    for status in (ACCEPTED, HELD):
        if status in statuses:
            return status
    return statuses[0]


def normalised_address(address: str | None) -> str:
    """An address as compared: no display name, angle brackets or spaces, in lower case."""
    address = storable(address or "").strip()
    parsed = email.utils.parseaddr(address)[1] if "<" in address else address
    return parsed.strip().strip("<>").strip().casefold()


def addresses_of(guardian: Guardian) -> set[str]:
    """The addresses a guardian writes from: the family's on record and their sign-in."""
    known = {guardian.email, guardian.user.email if guardian.user_id else ""}
    return {normalised_address(address) for address in known if address} - {""}


def _sender_mismatch(read: ReadEmail, guardian: Guardian, mail_from: str | None) -> str:
    """Why this email is not surely from `guardian` ("" when it is): the From: header and,
    when known, the envelope sender must both be one of the guardian's addresses."""
    theirs = addresses_of(guardian)
    written = [address for _name, address in email.utils.getaddresses([read.sender])]
    senders = {normalised_address(address) for address in written} - {""}
    problems = []
    if not senders or not senders <= theirs:
        problems.append(f"From: {read.sender or '(none)'}")
    if mail_from is not None and normalised_address(mail_from) not in theirs:
        problems.append(f"envelope sender (MAIL FROM): {mail_from or '(none)'}")
    return "; ".join(problems)


def _deliver(read: ReadEmail, token: str, mail_from: str | None, *, several: bool) -> str:
    provider_id = f"{read.message_id}#{token}" if several else read.message_id
    if InboundEvent.objects.filter(provider_id=provider_id).exists():
        return ACCEPTED
    participant = participant_for(token)
    if participant is None:
        return UNKNOWN_ADDRESS
    sender = email.utils.parseaddr(read.sender)[1] or read.sender
    if read.automatic:
        _record(provider_id, sender, read.text, "automatic")
        return ACCEPTED
    mismatch = _sender_mismatch(read, participant.guardian, mail_from)
    if mismatch:
        # Anyone may hold a reply address (a forwarded email, a shared inbox): what they write
        # is not posted as the guardian's words, but kept for staff to look at.
        note = (
            f"Held for review: sent to the reply address of guardian {participant.guardian_id} "
            f"in conversation {participant.conversation_id}, but {mismatch} is not an address "
            "of this guardian. Not posted."
        )
        _record(provider_id, sender, f"{note}\n\n{read.text}", "held:sender_mismatch")
        logger.warning(
            "email reply to conversation %s held for review: the sender is not the guardian",
            participant.conversation_id,
        )
        return HELD
    try:
        receive_channel_reply(
            participant.guardian,
            participant.conversation,
            read.reply,
            Channel.EMAIL,
            provider_id=provider_id,
            from_address=sender[:254],
            original=read.text[: MAX_REPLY_CHARS * 10],
            media=read.media,
        )
    except ReplyRefused as refused:
        if refused.reason == "duplicate":
            return ACCEPTED
        _record(provider_id, sender, read.text, f"refused:{refused.reason}")
        return {"empty": NOTHING_TO_READ, "too_long": TOO_LONG}.get(refused.reason, NOT_DELIVERED)
    return ACCEPTED


def _record(provider_id: str, sender: str, body: str, outcome: str) -> None:
    try:
        with transaction.atomic():
            InboundEvent.objects.create(
                channel=Channel.EMAIL,
                provider_id=provider_id,
                from_address=sender[:254],
                body=body[: MAX_REPLY_CHARS * 10],
                outcome=outcome,
            )
    except IntegrityError:
        pass  # the same email, delivered twice at once


def recipient_status(address: str) -> str | None:
    """None to accept the recipient, else the SMTP refusal to give."""
    _, at, domain = (address or "").strip("<>").rpartition("@")
    if not at or domain.lower() != reply_domain():
        return NOT_OURS
    token = token_in(address)
    if token is None or participant_for(token) is None:
        return UNKNOWN_ADDRESS
    return None


# -- the SMTP server -------------------------------------------------------------------------


def _with_database(function, *args):
    """Run database work off the event loop, on a connection that is fresh and then let go."""
    close_old_connections()
    try:
        return function(*args)
    finally:
        close_old_connections()


# Failures worth a retry: the database or the file store is away. Anything else is permanent.
TRANSIENT = (OperationalError, InterfaceError, OSError)


class ReplyGate:
    """aiosmtpd handler: refuse unknown recipients at RCPT, deliver replies at DATA."""

    async def _off_loop(self, function, *args):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, functools.partial(_with_database, function, *args))

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refusal = await self._off_loop(recipient_status, address)
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", errors="surrogateescape")
        try:
            return await self._off_loop(
                receive_email, raw, list(envelope.rcpt_tos), envelope.mail_from or ""
            )
        except TRANSIENT as error:
            # The database or the file store is away for now: the sending server tries
            # again later, so nothing a family wrote is lost to a hiccup.
            logger.warning("email reply could not be processed now: %s", type(error).__name__)
            return TRY_AGAIN
        except Exception:
            # Anything else would fail the same way at every retry, and the family would
            # only hear of it days later: a permanent answer now tells them to call.
            logger.exception("email reply could not be processed")
            return UNREADABLE


class MailGate(Controller):
    """The threaded aiosmtpd controller, which may also be asked for a free port (port 0)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 8025, **kwargs):
        # aiosmtpd logs every sender and recipient address at INFO: families' addresses and
        # reply tokens have no place in the logs.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        kwargs.setdefault("data_size_limit", MAX_EMAIL_BYTES)
        kwargs.setdefault("server_hostname", reply_domain())
        super().__init__(ReplyGate(), hostname=host, port=port, **kwargs)

    def _trigger_server(self):
        if self.port == 0 and self.server is not None and self.server.sockets:
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()
