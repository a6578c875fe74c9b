"""Real parts on loopback for the outbox tests: an SMTP server and Twilio's Messages API.

`SmtpServer` is aiosmtpd on 127.0.0.1. It can be stopped and started again on the same
port, refuse chosen recipients with an SMTP code, and take its time over each message.
A message counts as received only once the server has answered 250 to a client still there:
a client that dies while the server holds its message is not counted, as with real servers
that take responsibility only when they say so.

`FakeTwilio` is an HTTP server speaking the documented contract of
`POST /2010-04-01/Accounts/{AccountSid}/Messages.json` (basic auth with the account sid and
auth token; form fields To, From or MessagingServiceSid, Body, StatusCallback; 201 with the
message resource as JSON; errors as `{"code", "message", "more_info", "status"}`). It can
answer chosen statuses for the next requests, refuse chosen numbers with a Twilio error
code, and take its time over each request; like the SMTP server it counts a message only
when the client is still connected to get the answer.

Also here: fixtures that point settings at both servers, a translation provider that counts
its calls (routed by dotted path, as a deployment would add its own), and `seed_outbox`,
which fills a fresh database for the worker-process tests.
"""

import asyncio
import base64
import email
import email.policy
import json
import select
import socket
import threading
import time
import uuid
from collections import Counter, deque
from datetime import time as clock
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from aiosmtpd.controller import Controller

from homeroom.translation.providers.base import Provider, TransientError

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "test-auth-token-0123456789"
FROM_NUMBER = "+16125550199"
NO_QUIET_HOURS = {"quiet_start": clock(0, 0), "quiet_end": clock(0, 0)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- SMTP ---------------------------------------------------------------------------------------


class _Handler:
    def __init__(self, server: "SmtpServer"):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refusal = self.server.refuse.get(address.lower())
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        owner = self.server
        owner.in_flight.set()
        try:
            if owner.delay:
                # A client that goes away meanwhile cancels this coroutine: nothing is kept.
                await asyncio.sleep(owner.delay)
        finally:
            owner.in_flight.clear()
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with owner.lock:
            owner.messages.append(parsed)
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self.messages: list[email.message.EmailMessage] = []
        self.refuse: dict[str, str] = {}  # address -> SMTP reply, e.g. "550 No such user"
        self.delay = 0.0
        self.lock = threading.Lock()
        self.in_flight = threading.Event()
        self._controller: Controller | None = None

    def start(self) -> "SmtpServer":
        if self._controller is None:
            self._controller = Controller(_Handler(self), hostname=self.host, port=self.port)
            self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def message_ids(self) -> Counter:
        with self.lock:
            return Counter(str(m["Message-ID"]) for m in self.messages)

    def to(self, address: str) -> list:
        with self.lock:
            return [m for m in self.messages if address in str(m["To"])]

    @staticmethod
    def text_of(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    @staticmethod
    def html_of(message) -> str:
        return message.get_body(preferencelist=("html",)).get_content()


# -- Twilio's Messages API ----------------------------------------------------------------------


TWILIO_ERRORS = {
    20003: (401, "Authenticate"),
    20429: (429, "Too Many Requests"),
    20500: (500, "Internal Server Error"),
    21211: (400, "The 'To' number is not a valid phone number."),
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21614: (400, "'To' number is not a valid mobile number"),
}


def _client_gone(connection: socket.socket) -> bool:
    """Whether the client hung up: its socket reads as closed without sending anything."""
    readable, _, _ = select.select([connection], [], [], 0)
    if not readable:
        return False
    try:
        return connection.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


class FakeTwilio:
    def __init__(self, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.messages: list[dict] = []  # accepted: the form fields plus the sid we gave
        self.requests: list[dict] = []  # every request that reached the endpoint
        self.errors_for: dict[str, int] = {}  # number -> Twilio error code
        self.delay = 0.0
        # Called (in the server's thread) with each accepted message's fields: lets a test act
        # as another worker would while the sender waits for the answer.
        self.on_message = None
        self.lock = threading.Lock()
        self.in_flight = threading.Event()
        self._statuses: deque[int] = deque()
        # Media of inbound MMS, by path; fetched with GET and removed with DELETE.
        self.media: dict[str, tuple[bytes, str]] = {}
        self.media_fetches: list[str] = []
        self.media_deleted: list[str] = []
        self.media_statuses: deque[int] = deque()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._stopped = False

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def answer_next(self, *statuses: int) -> None:
        """Answer the next requests with these HTTP statuses (500, 429…) instead of sending."""
        self._statuses.extend(statuses)

    def add_media(self, data: bytes, content_type: str, message_sid: str | None = None) -> str:
        """Keep a file as Twilio keeps an MMS's media; returns its MediaUrl."""
        message_sid = message_sid or "MM" + uuid.uuid4().hex
        path = (
            f"/2010-04-01/Accounts/{self.account_sid}/Messages/{message_sid}/Media/"
            f"ME{uuid.uuid4().hex}"
        )
        with self.lock:
            self.media[path] = (data, content_type)
        return self.url + path

    def start(self) -> "FakeTwilio":
        self._thread.start()
        return self

    def stop(self) -> None:
        if not self._stopped:
            self._stopped = True
            self._server.shutdown()
            self._server.server_close()

    def to(self, number: str) -> list[dict]:
        with self.lock:
            return [m for m in self.messages if m["To"] == number]

    def count_by_recipient(self) -> Counter:
        with self.lock:
            return Counter(m["To"] for m in self.messages)

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; without this, Nagle's algorithm and the
            # client's delayed ACK add 40 ms to every answer.
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                with fake.lock:
                    fake.requests.append(form)
                expected = f"/2010-04-01/Accounts/{fake.account_sid}/Messages.json"
                if self.path != expected:
                    return self._error(20404, 404, "The requested resource was not found")
                if not self._authorised():
                    return self._error(20003, 401, "Authenticate")
                if fake._statuses:
                    status = fake._statuses.popleft()
                    code = {429: 20429, 500: 20500}.get(status, 20500)
                    return self._error(code, status, TWILIO_ERRORS[code][1])
                if "To" not in form or "Body" not in form:
                    return self._error(21604, 400, "A 'To' phone number is required.")
                if "From" not in form and "MessagingServiceSid" not in form:
                    return self._error(21603, 400, "A 'From' phone number is required.")
                code = fake.errors_for.get(form["To"])
                if code:
                    status, text = TWILIO_ERRORS[code]
                    return self._error(code, status, text)
                fake.in_flight.set()
                try:
                    if fake.delay:
                        time.sleep(fake.delay)
                    if _client_gone(self.connection):
                        return  # the sender died waiting: the message is not taken
                    sid = "SM" + uuid.uuid4().hex
                    with fake.lock:
                        fake.messages.append({**form, "sid": sid})
                    if fake.on_message is not None:
                        fake.on_message(form)
                    self._send(201, self._resource(form, sid))
                finally:
                    fake.in_flight.clear()

            def do_GET(self):
                with fake.lock:
                    fake.media_fetches.append(self.path)
                if not self._authorised():
                    return self._error(20003, 401, "Authenticate")
                if fake.media_statuses:
                    status = fake.media_statuses.popleft()
                    return self._error(20500, status, TWILIO_ERRORS[20500][1])
                with fake.lock:
                    found = fake.media.get(self.path)
                if found is None:
                    return self._error(20404, 404, "The requested resource was not found")
                data, content_type = found
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_DELETE(self):
                if not self._authorised():
                    return self._error(20003, 401, "Authenticate")
                with fake.lock:
                    found = fake.media.pop(self.path, None)
                    if found is not None:
                        fake.media_deleted.append(self.path)
                if found is None:
                    return self._error(20404, 404, "The requested resource was not found")
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _authorised(self) -> bool:
                header = self.headers.get("Authorization", "")
                if not header.startswith("Basic "):
                    return False
                user, _, password = base64.b64decode(header[6:]).decode().partition(":")
                return user == fake.account_sid and password == fake.auth_token

            def _resource(self, form: dict, sid: str) -> dict:
                from homeroom.translation.sms import sms_segments

                now = format_datetime(time_now_utc())
                base = f"/2010-04-01/Accounts/{fake.account_sid}/Messages/{sid}"
                return {
                    "account_sid": fake.account_sid,
                    "api_version": "2010-04-01",
                    "body": form["Body"],
                    "date_created": now,
                    "date_sent": None,
                    "date_updated": now,
                    "direction": "outbound-api",
                    "error_code": None,
                    "error_message": None,
                    "from": form.get("From"),
                    "messaging_service_sid": form.get("MessagingServiceSid"),
                    "num_media": "0",
                    "num_segments": str(sms_segments(form["Body"]).segments),
                    "price": None,
                    "price_unit": "USD",
                    "sid": sid,
                    "status": "queued",
                    "subresource_uris": {"media": f"{base}/Media.json"},
                    "to": form["To"],
                    "uri": f"{base}.json",
                }

            def _error(self, code: int, status: int, message: str) -> None:
                self._send(
                    status,
                    {
                        "code": code,
                        "message": message,
                        "more_info": f"https://www.twilio.com/docs/errors/{code}",
                        "status": status,
                    },
                )

            def _send(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


def time_now_utc():
    from datetime import UTC, datetime

    return datetime.now(UTC)


# -- a translation provider that counts -------------------------------------------------------


class CountingTranslator(Provider):
    """Marks each text with its target language and records every call (routed by path)."""

    name = "counting"
    name_placeholders = True
    calls: list[tuple[str, str, list[str]]] = []
    lock = threading.Lock()

    def supports(self, source: str, target: str) -> bool:
        return target != "so"  # no engine for Somali, as with no LibreTranslate configured

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[str]:
        with self.lock:
            type(self).calls.append((source, target, list(texts)))
        return [f"[{target}] {text}" for text in texts]


class BrokenTranslator(CountingTranslator):
    """Says it serves every pair, then fails on the call, as a server going down would."""

    name = "broken"

    def supports(self, source: str, target: str) -> bool:
        return True

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[str]:
        super().translate_batch(texts, source, target)
        raise TransientError("the translation server stopped answering")


COUNTING = "homeroom.testing.servers.CountingTranslator"
BROKEN = "homeroom.testing.servers.BrokenTranslator"


# -- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(name="smtp_server")
def smtp_server_fixture(settings):
    """A real SMTP server on loopback, with Django's SMTP backend pointed at it."""
    server = SmtpServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


@pytest.fixture(name="twilio_server")
def twilio_server_fixture(settings):
    """A loopback server speaking Twilio's Messages API, with the SMS channel pointed at it."""
    server = FakeTwilio().start()
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = server.account_sid
    settings.TWILIO_AUTH_TOKEN = server.auth_token
    settings.TWILIO_FROM_NUMBER = FROM_NUMBER
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    settings.TWILIO_API_BASE_URL = server.url
    settings.TWILIO_TIMEOUT = 5
    yield server
    server.stop()


@pytest.fixture(name="counting_translator")
def counting_translator_fixture(settings):
    settings.TRANSLATION_ROUTES = {"*": [COUNTING]}
    CountingTranslator.calls = []
    return CountingTranslator


@pytest.fixture(name="messaging_settings")
def messaging_settings_fixture(settings):
    """The same outbox settings in every messaging test, whatever the environment says."""
    settings.PUBLIC_BASE_URL = "https://homeroom.example"
    settings.REPLY_DOMAIN = "reply.homeroom.example"
    settings.DEFAULT_FROM_EMAIL = "Homeroom <homeroom@homeroom.example>"
    settings.SMS_BACKEND = "console"
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    settings.OUTBOX_MAX_ATTEMPTS = 6
    settings.OUTBOX_STUCK_AFTER_SECONDS = 300
    settings.OUTBOX_TASK_SIZE = 100
    # Real Apertium for English↔Spanish; no LibreTranslate, so other languages go untranslated.
    settings.LIBRETRANSLATE_URL = ""
    settings.TRANSLATION_ROUTES = {
        "en:es": ["apertium"],
        "es:en": ["apertium"],
        "*": ["libretranslate"],
    }
    from django.utils import translation

    from homeroom.translation.providers.libretranslate import clear_languages_cache

    clear_languages_cache()
    # Start in the staff's language whatever an earlier test left active in this thread.
    translation.activate(settings.LANGUAGE_CODE)
    yield settings
    translation.deactivate()


def awake(*guardians) -> None:
    """Give these guardians no quiet hours, so a test does not depend on the clock."""
    for guardian in guardians:
        for field, value in NO_QUIET_HOURS.items():
            setattr(guardian, field, value)
        guardian.save(update_fields=list(NO_QUIET_HOURS))


# -- a database for worker processes ------------------------------------------------------------


def seed_outbox(families: int) -> dict:
    """Fill a fresh database: the persona world plus `families` more in Math 6 (half by SMS,
    half by email), none with quiet hours, and one announcement to all of them, whose
    delivery tasks are queued on commit. Run in a process whose settings point at it."""
    from homeroom.messaging.models import Delivery
    from homeroom.messaging.services import Audience, send_announcement
    from homeroom.people.models import Enrollment, Guardian, Guardianship, Student
    from homeroom.testing.personas import build_world

    world = build_world()
    for n in range(families):
        student = Student.objects.create(
            school=world.north, given_name=f"Kid{n}", family_name=f"Family{n}", grade="6"
        )
        Enrollment.objects.create(section=world.math, student=student)
        guardian = Guardian.objects.create(
            district=world.district,
            given_name=f"Parent{n}",
            family_name=f"Family{n}",
            language="en",
            channel="sms" if n % 2 == 0 else "email",
            phone=f"+1612555{3000 + n:04d}",
            email=f"parent{n}@family.example",
            **NO_QUIET_HOURS,
        )
        Guardianship.objects.create(guardian=guardian, student=student)
    Guardian.objects.update(**NO_QUIET_HOURS)
    conversation = send_announcement(
        by_staff=world.rivera,
        audience=Audience.section(world.math),
        text="Picture day is on Friday. Please send your child in their best smile.",
        subject="Picture day",
    )
    deliveries = Delivery.objects.filter(message__conversation=conversation)
    return {
        "conversation": conversation.pk,
        "sms": deliveries.filter(channel="sms").count(),
        "email": deliveries.filter(channel="email").count(),
        "app": deliveries.filter(channel="app").count(),
    }
