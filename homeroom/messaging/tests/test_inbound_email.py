"""Families answer by email: the mail gate takes mail for reply+<token>@REPLY_DOMAIN, keeps
only the family's own words and threads them by token into the conversation."""

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.urls import reverse

from homeroom.messaging.inbound.email import (
    NOT_DELIVERED,
    MailGate,
    html_to_text,
    read_email,
    receive_email,
    strip_quoted,
    token_in,
)
from homeroom.messaging.models import (
    Attachment,
    InboundEvent,
    Message,
    MessageTranslation,
    Participant,
)
from homeroom.people.models import Guardianship

from .builders import JPEG, PDF, private_thread

DOMAIN = "reply.homeroom.example"
MARCO = "Marco Lopez <marco.lopez@family.example>"

GMAIL_ENGLISH = """\
Thank you, I will be there at 3.

On Mon, Nov 23, 2026 at 9:00 AM Ms Rivera <reply+abcdefgh1234@reply.homeroom.example> wrote:
> Ana did well on her fractions test today.
> Could you come to a short meeting on Thursday?
"""

GMAIL_SPANISH = """\
Gracias maestra, allí estaré el jueves a las tres.

El lun, 23 nov 2026 a las 9:00, Maria Rivera (<reply+abcdefgh1234@reply.homeroom.example>) \
escribió:
> Ana trabajó muy bien hoy.
> ¿Puede venir a una reunión el jueves?
"""


@pytest.fixture(autouse=True)
def _reply_domain(settings):
    settings.REPLY_DOMAIN = DOMAIN
    settings.LIBRETRANSLATE_URL = ""
    settings.TRANSLATION_ROUTES = {
        "en:es": ["apertium"],
        "es:en": ["apertium"],
        "*": ["libretranslate"],
    }


# -- the family's own words ---------------------------------------------------------------------


def test_a_gmail_reply_loses_the_quoted_history():
    assert strip_quoted(GMAIL_ENGLISH) == "Thank you, I will be there at 3."


def test_a_spanish_gmail_reply_loses_the_quoted_history():
    assert strip_quoted(GMAIL_SPANISH) == "Gracias maestra, allí estaré el jueves a las tres."


def test_an_attribution_wrapped_over_two_lines_goes_with_the_quote():
    text = (
        "Sí, gracias.\n\nEl lun, 23 nov 2026 a las 9:00, Maria Rivera <reply+x@reply.example>\n"
        "escribió:\n\n> ¿Puede venir?\n"
    )
    assert strip_quoted(text) == "Sí, gracias."


def test_an_outlook_reply_loses_the_original_message():
    text = (
        "Ana will be absent on Friday.\n\n"
        "From: Maria Rivera <reply+abcdefgh1234@reply.homeroom.example>\n"
        "Sent: Monday, November 23, 2026 9:00 AM\n"
        "To: Marco Lopez <marco@example.com>\n"
        "Subject: Ana's week\n\n"
        "Ana did well on her fractions test today.\n"
    )
    assert strip_quoted(text) == "Ana will be absent on Friday."


def test_a_signature_block_and_a_phone_footer_go():
    assert strip_quoted("Yes please.\n\n-- \nRosa Lopez\nMain St Bakery\n") == "Yes please."
    assert strip_quoted("Yes please.\n\nSent from my iPhone\n") == "Yes please."
    assert strip_quoted("Sí, por favor.\n\nEnviado desde mi iPhone\n") == "Sí, por favor."


def test_a_closing_that_carries_the_message_stays():
    assert strip_quoted("Hi Ms Rivera,\nThanks, I'll come at 3.\nRosa") == (
        "Hi Ms Rivera,\nThanks, I'll come at 3.\nRosa"
    )
    assert strip_quoted("Nos vemos el jueves.\nGracias,\nRosa") == (
        "Nos vemos el jueves.\nGracias,\nRosa"
    )


def test_an_answer_written_below_the_quote_is_kept():
    text = "On Mon, Nov 23, 2026 at 9:00 AM Ms Rivera <r@x.example> wrote:\n> Can you come?\n\nYes."
    assert strip_quoted(text) == "Yes."


def test_answers_between_quoted_questions_keep_their_questions():
    text = "> Can Ana stay late?\nYes she can.\n> And on Friday?\nNo, sorry."
    assert strip_quoted(text) == "Yes she can.\n> And on Friday?\nNo, sorry."


def test_html_becomes_text_and_its_quoted_history_goes():
    html = (
        '<div dir="ltr">Ana is <b>sick</b> today &amp; will stay home.<br>Rosa</div>'
        '<div class="gmail_quote"><div class="gmail_attr">On Mon, Nov 23, 2026 at 9:00 AM '
        "Ms Rivera &lt;reply+x@reply.example&gt; wrote:<br></div>"
        "<blockquote>Ana did well<br>today</blockquote></div>"
        "<script>alert(1)</script><style>p{color:red}</style>"
    )
    text = html_to_text(html)
    assert "<" not in text.replace("<reply+x@reply.example>", "")
    assert "alert" not in text and "color" not in text
    assert strip_quoted(text) == "Ana is sick today & will stay home.\nRosa"


# -- reading the email itself ----------------------------------------------------------------


def family_email(
    body: str | None = "Thanks!",
    *,
    to: str = f"reply+abcdefgh1234@{DOMAIN}",
    sender: str = "Rosa Lopez <rosa.lopez@family.example>",
    html: str | None = None,
    charset: str = "utf-8",
    message_id: str | None = None,
    headers: dict | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = "Re: Ana's week"
    message["Message-ID"] = message_id or make_msgid(domain="mail.family.example")
    for name, value in (headers or {}).items():
        message[name] = value
    if body is not None:
        message.set_content(body, charset=charset)
        if html is not None:
            message.add_alternative(html, subtype="html")
    else:
        message.set_content(html, subtype="html")
    return message


def test_the_plain_part_is_preferred_to_the_html_one():
    raw = family_email("Plain words.", html="<p>HTML words.</p>").as_bytes()
    assert read_email(raw).reply == "Plain words."


def test_an_html_only_email_is_read_as_text():
    raw = family_email(None, html="<p>Ana will <b>stay home</b> today.</p>").as_bytes()
    assert read_email(raw).reply == "Ana will stay home today."


def test_the_declared_charset_is_honoured():
    raw = family_email("Mañana llegará tarde; ¿está bien?", charset="iso-8859-1").as_bytes()
    assert b'charset="iso-8859-1"' in raw
    assert read_email(raw).reply == "Mañana llegará tarde; ¿está bien?"


def test_an_unknown_charset_label_falls_back_to_utf8():
    raw = (
        b"From: rosa.lopez@family.example\r\nTo: reply+abcdefgh1234@" + DOMAIN.encode() + b"\r\n"
        b"Message-ID: <x1@family.example>\r\nContent-Type: text/plain; charset=x-unknown-8bit\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\nMa\xc3\xb1ana s\xc3\xad.\r\n"
    )
    read = read_email(raw)
    assert read.reply == "Mañana sí."
    assert read.message_id == "x1@family.example"


def test_an_out_of_office_answer_is_recognised():
    raw = family_email("I am away", headers={"Auto-Submitted": "auto-replied"}).as_bytes()
    assert read_email(raw).automatic
    assert not read_email(family_email("I am here").as_bytes()).automatic


def test_reply_addresses_are_ours_only_on_our_domain():
    assert token_in(f"reply+abcdefgh1234@{DOMAIN}") == "abcdefgh1234"
    assert token_in(f"<reply+abcdefgh1234@{DOMAIN.upper()}>") == "abcdefgh1234"
    assert token_in("reply+abcdefgh1234@elsewhere.example") is None
    assert token_in(f"office@{DOMAIN}") is None
    assert token_in(f"reply+bad/token@{DOMAIN}") is None


# -- through a real SMTP server on loopback --------------------------------------------------


@pytest.fixture
def gate():
    server = MailGate(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.stop()


def reply_address(conversation, guardian) -> str:
    token = Participant.objects.get(conversation=conversation, guardian=guardian).reply_token
    return f"reply+{token}@{DOMAIN}"


def send(gate, message: EmailMessage, to: str, *, envelope_from: str | None = None):
    with smtplib.SMTP(gate.hostname, gate.port, timeout=60) as smtp:
        return smtp.send_message(message, from_addr=envelope_from, to_addrs=[to])


@pytest.mark.django_db(transaction=True)
def test_an_emailed_reply_lands_in_its_conversation_without_the_quote(
    world,
    gate,
    apertium,
):
    conversation = private_thread(world, world.rosa, world.marco)
    address = reply_address(conversation, world.rosa)
    email = family_email(GMAIL_SPANISH, to=address, message_id="<CAF1234@mail.gmail.com>")

    refused = send(gate, email, address)

    assert refused == {}
    message = Message.objects.get()
    assert message.conversation == conversation
    assert message.author_guardian == world.rosa
    assert message.channel == "email"
    assert message.body == "Gracias maestra, allí estaré el jueves a las tres."
    assert message.language == "es"
    english = MessageTranslation.objects.get(message=message, language="en").text
    assert "Thursday" in english
    event = InboundEvent.objects.get()
    assert event.provider_id == "CAF1234@mail.gmail.com"
    assert event.from_address == "rosa.lopez@family.example"
    assert event.message == message
    assert "Ana trabajó muy bien hoy" in event.body  # the whole email is kept on the event

    # The sending server retries (it did not hear our answer): still one message.
    assert send(gate, email, address) == {}
    assert Message.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_unknown_reply_address_is_bounced_at_rcpt(world, gate):
    private_thread(world, world.rosa)
    address = f"reply+NoSuchToken123@{DOMAIN}"

    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(gate, family_email(to=address), address)

    code, text = refused.value.recipients[address]
    assert code == 550
    assert text.decode() == (
        "5.1.1 This reply address is not known. Please reply from Homeroom or contact the school."
    )
    assert not InboundEvent.objects.exists() and not Message.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_mail_for_another_domain_is_refused(world, gate):
    address = "principal@north.example"

    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(gate, family_email(to=address), address)

    assert refused.value.recipients[address][0] == 550
    assert not InboundEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_staff_members_token_takes_no_email(world, gate):
    conversation = private_thread(world, world.rosa)
    token = Participant.objects.get(conversation=conversation, staff=world.rivera).reply_token
    address = f"reply+{token}@{DOMAIN}"

    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(gate, family_email(to=address), address)
    assert not Message.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_email_with_nothing_but_the_quote_is_bounced_with_a_reason(world, gate):
    conversation = private_thread(world, world.marco)
    address = reply_address(conversation, world.marco)
    quote_only = "On Mon, Nov 23, 2026 at 9:00 AM Ms Rivera <r@x.example> wrote:\n> Hello\n"

    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(gate, family_email(quote_only, to=address, sender=MARCO), address)

    assert refused.value.smtp_code == 550
    assert b"write your answer above the quoted message" in refused.value.smtp_error
    assert InboundEvent.objects.get().outcome == "refused:empty"
    assert not Message.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_html_in_an_email_reply_is_stored_as_text(world, gate):
    conversation = private_thread(world, world.marco)
    address = reply_address(conversation, world.marco)
    html = "<p>Ana will <b>stay home</b> today &amp; tomorrow.</p><script>alert(1)</script>"

    send(gate, family_email(None, to=address, html=html, sender=MARCO), address)

    assert Message.objects.get().body == "Ana will stay home today & tomorrow."


@pytest.mark.django_db(transaction=True)
def test_an_out_of_office_answer_is_not_posted(world, gate):
    conversation = private_thread(world, world.marco)
    address = reply_address(conversation, world.marco)
    auto = family_email(
        "I am out of the office until Monday.",
        to=address,
        headers={"Auto-Submitted": "auto-replied"},
    )

    assert send(gate, auto, address) == {}

    assert InboundEvent.objects.get().outcome == "automatic"
    assert not Message.objects.exists()


def test_a_guardian_barred_since_is_not_posted(world):
    conversation = private_thread(world, world.marco)
    address = reply_address(conversation, world.marco)
    Guardianship.objects.filter(guardian=world.marco).update(may_contact=False)

    status = receive_email(family_email("Hello?", to=address, sender=MARCO).as_bytes(), [address])

    assert status == NOT_DELIVERED
    assert InboundEvent.objects.get().outcome == "refused:not_contactable"
    assert not Message.objects.exists()


def test_an_email_answering_an_announcement_becomes_a_private_thread(world, apertium):
    from homeroom.messaging import services

    announcement = services.send_announcement(
        by_staff=world.rivera,
        audience=services.Audience.section(world.math),
        text="Picture day is on Friday.",
    )
    address = reply_address(announcement, world.marco)

    email = family_email("What time?", to=address, sender=MARCO)
    status = receive_email(email.as_bytes(), [address])

    assert status.startswith("250")
    reply = Message.objects.get(author_guardian=world.marco)
    assert reply.conversation.reply_to_announcement == announcement
    assert reply.channel == "email"
    assert InboundEvent.objects.get().message == reply


# -- by email: the files are in the email itself ---------------------------------------------


def _emailed(world, *files, body="Here is the note from the doctor."):
    conversation = private_thread(world, world.rosa)
    address = reply_address(conversation, world.rosa)
    message = family_email(body, to=address)
    for data, maintype, subtype, disposition in files:
        message.add_attachment(
            data, maintype=maintype, subtype=subtype, disposition=disposition, filename="f"
        )
    return conversation, address, message


@pytest.mark.django_db(transaction=True)
def test_an_emailed_photo_and_pdf_are_kept_and_a_signature_logo_is_not(world, gate, login):
    photo = JPEG + b"\0" * 20_000  # a phone photo is large; a signature logo is small
    conversation, address, email = _emailed(
        world,
        (photo, "image", "jpeg", "inline"),
        (PDF, "application", "pdf", "attachment"),
        (JPEG, "image", "png", "inline"),  # the logo in a signature
    )

    assert send(gate, email, address) == {}

    message = Message.objects.get(conversation=conversation, author_guardian=world.rosa)
    assert message.body == "Here is the note from the doctor."
    kept = list(message.attachments.order_by("pk"))
    assert [(a.content_type, a.status, a.size) for a in kept] == [
        ("image/jpeg", "stored", len(photo)),
        ("application/pdf", "stored", len(PDF)),
    ]
    assert kept[1].file.read() == PDF
    page = login(world.rivera).get(reverse("conversation", args=[conversation.pk]))
    assert f'src="{reverse("attachment", args=[kept[0].pk])}"' in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_an_email_with_only_a_photo_is_taken(world, gate):
    photo = JPEG + b"\0" * 20_000
    conversation, address, email = _emailed(world, (photo, "image", "jpeg", "attachment"), body="")

    assert send(gate, email, address) == {}

    message = Message.objects.get(conversation=conversation, author_guardian=world.rosa)
    assert message.body == ""
    assert message.attachments.get().status == Attachment.Status.STORED


# -- whose reply it is: the sender must be the guardian the address was given to ------------

STRANGER = "Someone Else <someone.else@elsewhere.example>"


def held_event():
    event = InboundEvent.objects.get()
    assert event.outcome == "held:sender_mismatch"
    assert event.message is None
    return event


@pytest.mark.django_db(transaction=True)
def test_a_reply_from_another_address_is_held_for_review_not_posted(world, gate):
    conversation = private_thread(world, world.rosa)
    address = reply_address(conversation, world.rosa)
    forged = family_email("Please let Ana leave with my friend today.", to=address, sender=STRANGER)

    assert send(gate, forged, address) == {}

    assert not Message.objects.exists()
    assert not conversation.messages.exists()
    event = held_event()
    assert event.from_address == "someone.else@elsewhere.example"
    assert "Please let Ana leave with my friend today." in event.body
    assert "not an address of this guardian" in event.body  # the note for staff


@pytest.mark.django_db(transaction=True)
def test_an_envelope_sender_that_is_not_the_guardians_is_held(world, gate):
    conversation = private_thread(world, world.rosa)
    address = reply_address(conversation, world.rosa)
    email = family_email("Ana is sick today.", to=address)  # From: says Rosa

    assert send(gate, email, address, envelope_from="someone.else@elsewhere.example") == {}

    assert not Message.objects.exists()
    event = held_event()
    assert "someone.else@elsewhere.example" in event.body


@pytest.mark.django_db(transaction=True)
def test_the_guardians_address_is_matched_whatever_its_case(world, gate):
    conversation = private_thread(world, world.rosa)
    address = reply_address(conversation, world.rosa)
    email = family_email(
        "Ana is sick today.", to=address, sender="Rosa <ROSA.Lopez@Family.Example>"
    )

    assert send(gate, email, address, envelope_from=" Rosa.LOPEZ@family.example ") == {}

    assert Message.objects.get().author_guardian == world.rosa
    assert InboundEvent.objects.get().outcome == "received"


@pytest.mark.django_db(transaction=True)
def test_the_guardians_sign_in_address_is_theirs_too(world, gate):
    world.rosa.user.email = "rosa@work.example"
    world.rosa.user.save()
    conversation = private_thread(world, world.rosa)
    address = reply_address(conversation, world.rosa)
    email = family_email("Writing from work.", to=address, sender="Rosa <rosa@work.example>")

    assert send(gate, email, address) == {}

    assert Message.objects.get().author_guardian == world.rosa


def test_a_reply_handed_over_without_an_envelope_is_checked_by_its_from_header(world):
    conversation = private_thread(world, world.rosa)
    address = reply_address(conversation, world.rosa)
    forged = family_email("Hello", to=address, sender=world.marco.email)  # Marco, not Rosa

    status = receive_email(forged.as_bytes(), [address])

    assert status.startswith("250")
    assert not Message.objects.exists()
    held_event()


# -- a reply that cannot be stored as it came ----------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_reply_with_a_nul_byte_is_filed_without_it(world, gate):
    conversation = private_thread(world, world.rosa)
    address = reply_address(conversation, world.rosa)
    email = family_email("Ana will be late\x00 tomorrow.", to=address)
    email.replace_header("Subject", "Re: Ana\x00's week")

    assert send(gate, email, address) == {}

    message = Message.objects.get()
    assert message.conversation == conversation
    assert message.body == "Ana will be late tomorrow."
    event = InboundEvent.objects.get()
    assert "\x00" not in event.body and event.message == message


@pytest.mark.django_db(transaction=True)
def test_a_reply_that_can_never_be_processed_is_refused_for_good(world, gate, monkeypatch):
    conversation = private_thread(world, world.rosa)
    address = reply_address(conversation, world.rosa)

    def unreadable(*args, **kwargs):
        raise ValueError("this email cannot be stored")

    monkeypatch.setattr("homeroom.messaging.inbound.email.receive_channel_reply", unreadable)

    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(gate, family_email("Hello", to=address), address)

    assert 500 <= refused.value.smtp_code < 600
    assert b"could not be read" in refused.value.smtp_error
    assert not Message.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_database_that_is_down_asks_the_sender_to_try_again(world, gate, monkeypatch):
    from django.db import OperationalError

    conversation = private_thread(world, world.rosa)
    address = reply_address(conversation, world.rosa)

    def database_down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("homeroom.messaging.inbound.email.receive_channel_reply", database_down)

    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(gate, family_email("Hello", to=address), address)

    assert refused.value.smtp_code == 451
