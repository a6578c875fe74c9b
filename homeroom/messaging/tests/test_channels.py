"""Each channel against a real counterpart: aiosmtpd for email, a loopback server speaking
Twilio's Messages API for SMS. What arrives, with which headers, and which failures are
worth a retry."""

import json
import subprocess

import pytest
from django.utils import translation
from django.utils.translation import gettext

from homeroom.messaging import routing
from homeroom.messaging.channels import (
    PermanentError,
    Rendered,
    TransientError,
    get_channel,
)
from homeroom.messaging.channels.email import EmailChannel, message_id_for
from homeroom.messaging.channels.sms import MAX_SEGMENTS, SmsChannel
from homeroom.messaging.models import Delivery
from homeroom.testing.servers import FakeTwilio, SmtpServer
from homeroom.testing.settings_import import PRODUCTION as DEPLOYED
from homeroom.testing.settings_import import import_settings
from homeroom.translation.sms import sms_segments
from homeroom.transports import outbound

pytestmark = pytest.mark.usefixtures("messaging_settings")


NOTE = " (Traducido por computadora; responda ORIGINAL)"


def rendered(**changes) -> Rendered:
    values = {
        "text": "Ana trabajó duro hoy.",
        "language": "es",
        "original": "Ana worked hard today.",
        "original_language": "en",
        "machine_translated": True,
        "untranslated": False,
        "school_name": "North Elementary",
        "sender_name": "Maria Rivera",
        "subject": "",
        "link": "https://homeroom.example/family/",
        "preferences_link": "https://homeroom.example/welcome/",
        "reply_token": "tok123",
        "conversation_id": 7,
        "is_urgent": False,
    }
    return Rendered(**{**values, **changes})


def said_in(language: str, words: str, **values) -> str:
    with translation.override(language):
        return gettext(words) % values if values else gettext(words)


def delivery(channel: str, to: str, key: str = "a" * 64) -> Delivery:
    return Delivery(channel=channel, to_address=to, idempotency_key=key)


# -- email --------------------------------------------------------------------------------------


def test_an_email_arrives_with_both_parts_and_the_headers_a_family_needs(smtp_server):
    result = EmailChannel().send(delivery("email", "rosa@family.example"), rendered())
    (message,) = smtp_server.messages
    assert message["To"] == "rosa@family.example"
    assert message["From"] == "North Elementary <homeroom@homeroom.example>"
    assert message["Reply-To"] == "reply+tok123@reply.homeroom.example"
    assert message["Message-ID"] == "<" + "a" * 32 + "@reply.homeroom.example>"
    assert result.provider_id == message["Message-ID"]
    assert message["References"] == "<conversation-7@reply.homeroom.example>"
    unsubscribe = message["List-Unsubscribe"]
    assert "<mailto:reply+tok123@reply.homeroom.example?subject=unsubscribe>" in unsubscribe
    assert "<https://homeroom.example/welcome/>" in unsubscribe
    # Rendered in Rosa's language (the words come from the Spanish catalogue).
    assert message["Subject"] == said_in(
        "es", "A message from %(school)s", school="North Elementary"
    )
    text = SmtpServer.text_of(message)
    assert "Ana trabajó duro hoy." in text
    assert "Ana worked hard today." in text  # machine-translated: the original goes along
    assert "https://homeroom.example/family/" in text
    html = SmtpServer.html_of(message)
    assert '<html lang="es"' in html  # rendered inside the reader's language
    assert 'lang="es" dir="auto"' in html
    assert "Ana trabajó duro hoy." in html


def test_the_html_part_escapes_what_people_wrote(smtp_server):
    EmailChannel().send(
        delivery("email", "rosa@family.example"),
        rendered(text="<script>alert(1)</script> & more", machine_translated=False),
    )
    html = SmtpServer.html_of(smtp_server.messages[0])
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    # The text part is plain text: nothing to escape there.
    assert "<script>alert(1)</script> & more" in SmtpServer.text_of(smtp_server.messages[0])


def test_an_untranslated_email_says_so_and_an_urgent_one_too(smtp_server):
    EmailChannel().send(
        delivery("email", "pat@family.example"),
        rendered(
            language="so",
            text="Ben was kind.",
            machine_translated=False,
            untranslated=True,
            is_urgent=True,
            subject="Ben",
        ),
    )
    message = smtp_server.messages[0]
    assert message["Subject"] == "Urgent: Ben"
    assert "could not translate this message" in SmtpServer.text_of(message)


def test_a_refused_recipient_is_permanent(smtp_server):
    smtp_server.refuse["gone@family.example"] = "550 5.1.1 No such user"
    with pytest.raises(PermanentError) as caught:
        EmailChannel().send(delivery("email", "gone@family.example"), rendered())
    assert str(caught.value) == "The family's email address was refused by their mail server."
    assert smtp_server.messages == []


def test_a_recipient_deferred_with_4xx_is_transient(smtp_server):
    smtp_server.refuse["busy@family.example"] = "451 4.7.1 Try again later"
    with pytest.raises(TransientError):
        EmailChannel().send(delivery("email", "busy@family.example"), rendered())


def test_a_mail_server_that_is_down_is_transient(smtp_server):
    smtp_server.stop()
    with pytest.raises(TransientError) as caught:
        EmailChannel().send(delivery("email", "rosa@family.example"), rendered())
    assert str(caught.value) == "The mail server could not be reached."


def test_one_connection_serves_a_batch(smtp_server):
    channel = EmailChannel()
    channel.open()
    connection = channel.connection
    for n in range(3):
        channel.send(delivery("email", f"p{n}@family.example", key=str(n) * 64), rendered())
    assert channel.connection is connection
    channel.close()
    assert channel.connection is None
    assert len(smtp_server.message_ids()) == 3


def test_no_email_address_is_permanent():
    with pytest.raises(PermanentError):
        EmailChannel().send(delivery("email", ""), rendered())


# -- SMS through Twilio's API -------------------------------------------------------------------


def test_a_text_goes_to_twilios_messages_api_with_a_status_callback(twilio_server):
    result = SmsChannel().send(delivery("sms", "+16125550111"), rendered())
    (sent,) = twilio_server.messages
    assert sent["To"] == "+16125550111"
    assert sent["From"] == "+16125550199"
    assert sent["StatusCallback"] == "https://homeroom.example/webhooks/twilio/status"
    assert sent["Body"] == "Maria Rivera (North Elementary): Ana trabajó duro hoy." + NOTE
    assert result.provider_id == sent["sid"] and result.provider_id.startswith("SM")
    assert result.segments == sms_segments(sent["Body"]).segments == 2  # UCS-2: "ó"


def test_a_messaging_service_sends_instead_of_a_number_when_configured(settings, twilio_server):
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "1" * 32
    SmsChannel().send(delivery("sms", "+16125550111"), rendered())
    (sent,) = twilio_server.messages
    assert sent["MessagingServiceSid"] == "MG" + "1" * 32
    assert "From" not in sent


def test_wrong_credentials_are_the_schools_to_fix_not_the_familys(settings, twilio_server):
    settings.TWILIO_AUTH_TOKEN = "wrong"
    with pytest.raises(TransientError):
        SmsChannel().send(delivery("sms", "+16125550111"), rendered())
    assert twilio_server.messages == []


def test_a_long_message_becomes_a_short_text_with_a_link(twilio_server):
    long_text = "Ana trabajó muy duro hoy en matemáticas y ayudó a sus compañeros. " * 5
    assert sms_segments(long_text).segments > MAX_SEGMENTS
    result = SmsChannel().send(delivery("sms", "+16125550111"), rendered(text=long_text))
    (sent,) = twilio_server.messages
    assert "North Elementary" in sent["Body"]
    assert "https://homeroom.example/family/" in sent["Body"]
    assert long_text.strip() not in sent["Body"]
    assert result.segments <= MAX_SEGMENTS


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (21211, "The phone number is not valid."),
        (21614, "The number is not a mobile phone."),
        (21610, "The family has texted STOP to this number."),
    ],
)
def test_twilio_errors_no_retry_cures_are_permanent_in_plain_words(twilio_server, code, reason):
    twilio_server.errors_for["+16125550111"] = code
    with pytest.raises(PermanentError) as caught:
        SmsChannel().send(delivery("sms", "+16125550111"), rendered())
    assert str(caught.value) == reason
    assert caught.value.code == code
    assert caught.value.opted_out == (code == 21610)


@pytest.mark.parametrize("status", [500, 429])
def test_a_busy_or_broken_twilio_is_transient(twilio_server, status):
    twilio_server.answer_next(status)
    with pytest.raises(TransientError):
        SmsChannel().send(delivery("sms", "+16125550111"), rendered())
    assert twilio_server.messages == []


def test_twilio_out_of_reach_is_transient(settings, twilio_server):
    twilio_server.stop()
    with pytest.raises(TransientError) as caught:
        SmsChannel().send(delivery("sms", "+16125550111"), rendered())
    assert str(caught.value) == "The texting service could not be reached."


def test_the_file_backend_writes_json_lines(settings, tmp_path):
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE = tmp_path / "sms.jsonl"
    SmsChannel().send(delivery("sms", "+16125550111"), rendered(is_urgent=True))
    (line,) = settings.SMS_FILE.read_text().splitlines()
    record = json.loads(line)
    assert record["to"] == "+16125550111"
    urgent = said_in("es", "Urgent:")
    assert (
        record["body"] == f"{urgent} Maria Rivera (North Elementary): Ana trabajó duro hoy.{NOTE}"
    )


def test_the_console_backend_prints(capsys):
    SmsChannel(backend="console").send(delivery("sms", "+16125550111"), rendered())
    assert (
        "[sms to +16125550111] Maria Rivera (North Elementary): Ana trabajó duro hoy." + NOTE
        in capsys.readouterr().out
    )


def test_an_untranslated_text_says_so(settings, tmp_path):
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE = tmp_path / "sms.jsonl"
    SmsChannel().send(
        delivery("sms", "+16125550115"),
        rendered(language="so", text="Ben was kind.", untranslated=True),
    )
    assert json.loads(settings.SMS_FILE.read_text())["body"].endswith("(not translated)")


# -- in the app -------------------------------------------------------------------------------


def test_in_the_app_there_is_nothing_to_send():
    result = get_channel("app").send(delivery("app", ""), rendered())
    assert result.provider_id == "" and result.segments is None


def test_channels_are_found_by_name():
    assert isinstance(get_channel("sms"), SmsChannel)
    assert isinstance(get_channel("email"), EmailChannel)
    with pytest.raises(ValueError):
        get_channel("pigeon")


# -- texts Homeroom sends on its own behalf -------------------------------------------------------


def test_the_channels_backend_sends_codes_and_invitations_through_the_real_channels(
    settings, twilio_server, smtp_server
):
    settings.OUTBOUND_BACKEND = "channels"
    sms = outbound.send("sms", "+16125550111", "Your code is 123456", kind="login_code")
    mail = outbound.send(
        "email", "rosa@family.example", "Join us", subject="Invitation", kind="invitation"
    )
    assert [m["Body"] for m in twilio_server.to("+16125550111")] == ["Your code is 123456"]
    assert sms.provider_id == twilio_server.messages[0]["sid"] and sms.error == ""
    (message,) = smtp_server.to("rosa@family.example")
    assert message["Subject"] == "Invitation"
    assert mail.provider_id == message["Message-ID"]
    assert outbound.outbox == []  # the memory backend is not involved


def test_the_channels_backend_reports_failure_without_raising(settings, twilio_server):
    settings.OUTBOUND_BACKEND = "channels"
    twilio_server.errors_for["+16125550100"] = 21614
    result = outbound.send("sms", "+16125550100", "Your code is 123456", kind="login_code")
    assert result.error == "The number is not a mobile phone."


def test_message_ids_follow_the_idempotency_key(settings):
    key = routing.idempotency_key(1, 2, "email", 0)
    assert message_id_for(key) == f"<{key[:32]}@reply.homeroom.example>"


def test_the_fake_twilio_refuses_requests_outside_its_contract(twilio_server):
    import requests

    url = f"{twilio_server.url}/2010-04-01/Accounts/{twilio_server.account_sid}/Messages.json"
    anonymous = requests.post(url, data={"To": "+16125550111", "Body": "x"}, timeout=5)
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == 20003
    signed = requests.post(
        url,
        data={"To": "+16125550111", "Body": "x"},
        auth=(twilio_server.account_sid, twilio_server.auth_token),
        timeout=5,
    )
    assert signed.status_code == 400 and signed.json()["code"] == 21603  # no From
    assert isinstance(twilio_server, FakeTwilio)


# -- settings -----------------------------------------------------------------------------------


def load_settings(**environ) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with only the given environment."""
    return import_settings("print(s.SMS_BACKEND)", **environ)


PRODUCTION = {**DEPLOYED, "SMS_BACKEND": "twilio"}


def test_production_refuses_twilio_without_credentials():
    result = load_settings(**PRODUCTION)
    assert result.returncode != 0
    assert "SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN" in result.stderr
    without_sender = load_settings(
        **PRODUCTION, TWILIO_ACCOUNT_SID="AC" + "1" * 32, TWILIO_AUTH_TOKEN="secret"
    )
    assert without_sender.returncode != 0
    assert "TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID" in without_sender.stderr


def test_production_starts_with_twilio_credentials_from_files(tmp_path):
    token = tmp_path / "token"
    token.write_text("secret-from-a-file\n")
    result = load_settings(
        **PRODUCTION,
        TWILIO_ACCOUNT_SID="AC" + "1" * 32,
        TWILIO_AUTH_TOKEN_FILE=str(token),
        TWILIO_FROM_NUMBER="+16125550199",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["twilio"]


def test_an_unknown_sms_backend_is_an_error():
    result = load_settings(SMS_BACKEND="pigeon")
    assert result.returncode != 0
    assert "SMS_BACKEND='pigeon'" in result.stderr
