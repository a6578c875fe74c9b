"""Text the running server as a family would, through Twilio's webhook, signed as Twilio signs.

    manage.py simulate_text --from +16125550111 "Gracias, allí estaré."

posts one inbound text to PUBLIC_BASE_URL/webhooks/twilio/sms (or --url) with an
X-Twilio-Signature computed by twilio's RequestValidator with TWILIO_AUTH_TOKEN (or
--token), and prints what the server answered the family. In development the token is the
fixed development one, so a text can go the whole way without a Twilio account.
"""

import html
import re
import uuid

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from twilio.request_validator import RequestValidator

# Twilio's documented test number, used as the school's when none is configured.
DEFAULT_SCHOOL_NUMBER = "+15005550006"


def webhook_url() -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("twilio_sms")


def inbound_fields(phone: str, body: str, to: str) -> dict[str, str]:
    """The form fields Twilio posts for one inbound text (the ones Homeroom reads and a few)."""
    sid = "SM" + uuid.uuid4().hex
    return {
        "MessageSid": sid,
        "SmsMessageSid": sid,
        "SmsSid": sid,
        "AccountSid": settings.TWILIO_ACCOUNT_SID or "AC" + "0" * 32,
        "From": phone,
        "To": to,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }


_MESSAGE = re.compile(r"<Message>(.*?)</Message>", flags=re.DOTALL)


def answer_text(twiml: str) -> str:
    """The text of the TwiML <Message> the server answered, or "" for none."""
    return "".join(html.unescape(text) for text in _MESSAGE.findall(twiml))


class Command(BaseCommand):
    help = "Send the running server one inbound text, signed as Twilio signs it."

    def add_arguments(self, parser):
        parser.add_argument("body", help="What the family writes.")
        parser.add_argument(
            "--from",
            dest="phone",
            required=True,
            help="The family's mobile number in E.164 form (+16125550111).",
        )
        parser.add_argument(
            "--to",
            default="",
            help="The school's number (default TWILIO_FROM_NUMBER, else Twilio's test number).",
        )
        parser.add_argument(
            "--url",
            default="",
            help="The webhook Twilio would call (default PUBLIC_BASE_URL/webhooks/twilio/sms).",
        )
        parser.add_argument(
            "--token", default="", help="The auth token to sign with (default TWILIO_AUTH_TOKEN)."
        )
        parser.add_argument("--timeout", type=float, default=30, help="Seconds to wait.")

    def handle(self, *args, body, phone, to, url, token, timeout, **options):
        url = url or webhook_url()
        token = token or settings.TWILIO_AUTH_TOKEN
        if not token:
            raise CommandError("No auth token: set TWILIO_AUTH_TOKEN or pass --token.")
        fields = inbound_fields(
            phone, body, to or settings.TWILIO_FROM_NUMBER or DEFAULT_SCHOOL_NUMBER
        )
        # Twilio signs the address it calls and the fields it posts.
        signature = RequestValidator(token).compute_signature(url, fields)
        try:
            response = requests.post(
                url, data=fields, headers={"X-Twilio-Signature": signature}, timeout=timeout
            )
        except requests.RequestException as error:
            raise CommandError(f"Could not reach {url}: {error}") from None
        if response.status_code == 403:
            raise CommandError(
                f"{url} refused the text (403): {response.text.strip()} The server checks the "
                "signature with its TWILIO_AUTH_TOKEN over its PUBLIC_BASE_URL; sign with the "
                "same token (--token) and post to that address (--url)."
            )
        if response.status_code != 200:
            raise CommandError(
                f"{url} answered {response.status_code}: {response.text.strip()[:500]}"
            )
        self.stdout.write(f"Texted {url} from {phone} ({fields['MessageSid']}).")
        reply = answer_text(response.text)
        if reply:
            self.stdout.write(f"The server answered the family: {reply}")
        else:
            self.stdout.write("Taken; no answer to the family.")
