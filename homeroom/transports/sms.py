"""One text to one phone through Twilio's Messages API, or printed / written to a file in
development; Twilio's errors in a teacher's words."""

import json
import logging
import threading
import uuid
from datetime import UTC, datetime

import requests
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from .errors import PermanentError, TransientError

STATUS_CALLBACK_PATH = "/webhooks/twilio/status"

# Twilio error codes that no retry will cure, in the words a teacher reads on the message.
# https://www.twilio.com/docs/api/errors
PERMANENT_ERRORS = {
    21211: gettext_noop("The phone number is not valid."),
    21212: gettext_noop("The school's sending number is not valid."),
    21408: gettext_noop("Texts to this country are not enabled."),
    21610: gettext_noop("The family has texted STOP to this number."),
    21612: gettext_noop("This number cannot receive texts from the school."),
    21614: gettext_noop("The number is not a mobile phone."),
    30003: gettext_noop("The phone is switched off or out of reach."),
    30004: gettext_noop("The number blocks texts."),
    30005: gettext_noop("The number is unknown to its carrier."),
    30006: gettext_noop("The number is a landline or cannot receive texts."),
    30007: gettext_noop("The carrier filtered the text out."),
    30008: gettext_noop("The text could not be delivered."),
}
OPTED_OUT = 21610

# The Twilio client logs every request; nothing about families goes into our logs.
_quiet_http_logger = logging.getLogger("homeroom.transports.sms.http")
_quiet_http_logger.setLevel(logging.WARNING)
_file_lock = threading.Lock()


def status_callback_url() -> str:
    return settings.PUBLIC_BASE_URL + STATUS_CALLBACK_PATH


def permanent_reason(code: int | None) -> str:
    reason = PERMANENT_ERRORS.get(code or 0)
    if reason:
        return _(reason)
    if not code:
        return _("The text could not be delivered.")
    return _("The text could not be delivered (provider error %(code)s).") % {"code": code}


class SmsTransport:
    """Sends one text: through Twilio, or printed / written to SMS_FILE in development."""

    def __init__(self, backend: str | None = None) -> None:
        self.backend = backend or settings.SMS_BACKEND
        self._client = None

    def send_text(self, to: str, body: str) -> str:
        """Send one text; return the provider's id for it."""
        if self.backend == "twilio":
            return self._send_twilio(to, body)
        sid = "DEV" + uuid.uuid4().hex
        if self.backend == "file":
            record = {
                "sid": sid,
                "to": to,
                "body": body,
                "sent_at": datetime.now(UTC).isoformat(),
            }
            path = settings.SMS_FILE
            path.parent.mkdir(parents=True, exist_ok=True)
            with _file_lock, path.open("a", encoding="utf-8") as f:
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            print(f"[sms to {to}] {body}", flush=True)
        return sid

    # -- Twilio --------------------------------------------------------------------------------

    def close(self) -> None:
        self._client = None

    def client(self):
        if self._client is None:
            http = TwilioHttpClient(timeout=settings.TWILIO_TIMEOUT, logger=_quiet_http_logger)
            client = Client(
                settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http
            )
            if settings.TWILIO_API_BASE_URL:
                client.api.base_url = settings.TWILIO_API_BASE_URL
            self._client = client
        return self._client

    def _send_twilio(self, to: str, body: str) -> str:
        if not (settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN):
            raise TransientError(
                _("Texting is not set up yet; an administrator must add the Twilio account.")
            )
        sender = {}
        if settings.TWILIO_MESSAGING_SERVICE_SID:
            sender["messaging_service_sid"] = settings.TWILIO_MESSAGING_SERVICE_SID
        else:
            sender["from_"] = settings.TWILIO_FROM_NUMBER
        try:
            message = self.client().messages.create(
                to=to, body=body, status_callback=status_callback_url(), **sender
            )
        except TwilioRestException as exc:
            raise _as_error(exc) from exc
        except (requests.RequestException, TwilioException, OSError) as exc:
            self._client = None
            raise TransientError(_("The texting service could not be reached.")) from exc
        return message.sid


def _as_error(exc) -> TransientError | PermanentError:
    status = exc.status
    code = exc.code if isinstance(exc.code, int) else None
    if status == 429 or status >= 500:
        return TransientError(_("The texting service is busy; trying again shortly."), code=code)
    if status in (401, 403) or code == 20003:
        # Credentials are the school's to fix; the family's number is not at fault.
        return TransientError(
            _("The texting service refused Homeroom's account; an administrator must check it."),
            code=code,
        )
    return PermanentError(permanent_reason(code), code=code, opted_out=code == OPTED_OUT)
