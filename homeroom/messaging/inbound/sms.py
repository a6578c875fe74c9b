"""Texts families send to the school's number, as Twilio posts them.

Nothing is read before the signature is checked and the payload validated. A repeated
MessageSid is answered and ignored. Carrier keywords (STOP, START, HELP and their Spanish
forms) are answered here, in the family's language; a text another module answers itself
(`answerers`: a survey's digits, a suggestion's keyword) goes to it; every other text is
threaded to the conversation that last texted the number and handed to `receive_reply`.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django import forms
from django.core.validators import RegexValidator
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_noop
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.twiml.messaging_response import MessagingResponse

from homeroom.messaging import attachments
from homeroom.messaging.models import Conversation, Delivery, InboundEvent, Message, SmsOptOut
from homeroom.messaging.outbox import family_link
from homeroom.messaging.signatures import twilio_signature_is_valid
from homeroom.people import access
from homeroom.people.models import Channel, Guardian, School

from .answerers import InboundText, first_answer
from .service import (
    ReplyRefused,
    open_liaison_conversation,
    receive_channel_reply,
)
from .wording import text_for_family

logger = logging.getLogger(__name__)

# Twilio's own limit on an inbound Body; our reply limit is higher, so this one binds.
MAX_SMS_CHARS = 1600
# A text threads to the conversation that last texted the number within this window.
THREAD_WINDOW = timedelta(days=30)

STOP, START, HELP = "stop", "start", "help"
KEYWORDS = {
    "STOP": STOP,
    "STOPALL": STOP,
    "UNSUBSCRIBE": STOP,
    "CANCEL": STOP,
    "END": STOP,
    "QUIT": STOP,
    "PARAR": STOP,
    "START": START,
    "UNSTOP": START,
    "YES": START,
    "COMENZAR": START,
    "HELP": HELP,
    "INFO": HELP,
    "AYUDA": HELP,
}
SPANISH_KEYWORDS = frozenset({"PARAR", "COMENZAR", "AYUDA"})
# A family reading a machine translation asks for the words as written ("ORIGINAL" in
# English, Spanish and most languages the texts are sent in).
ORIGINAL = "ORIGINAL"
SENT_STATUSES = (Delivery.Status.SENT, Delivery.Status.DELIVERED, Delivery.Status.READ)
# The original of a long message is cut to what a few texts carry, with the link after it.
ORIGINAL_MAX_CHARS = 600
# Carriers match these literally, so no translation may touch them.
KEYWORD_WORDS = ("STOP", "START", "HELP")

UNKNOWN_NUMBER = gettext_noop(
    "This number is not linked to a family in Homeroom. "
    "Please contact your child's school directly."
)
NOT_DELIVERED = gettext_noop(
    "Your message could not be delivered through Homeroom. "
    "Please contact your child's school directly."
)
STOPPED = gettext_noop(
    "You will no longer get text messages from %(school)s through Homeroom. "
    "Reply START to get them again."
)
STARTED = gettext_noop(
    "You will get text messages from %(school)s through Homeroom again. Reply STOP to stop."
)
HELP_WITH_CONTACT = gettext_noop(
    "Homeroom messages from %(school)s. To reach the school office: %(contact)s. "
    "Reply STOP to stop."
)
HELP_WITHOUT_CONTACT = gettext_noop(
    "Homeroom messages from %(school)s. To reach the school office, call or visit the "
    "school. Reply STOP to stop."
)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


class InboundSmsForm(forms.Form):
    """The fields we use from Twilio's POST; the many others it sends are ignored."""

    MessageSid = forms.CharField(
        max_length=34,
        validators=[
            RegexValidator(
                r"^(SM|MM)[0-9a-fA-F]{32}$",
                "MessageSid must be SM or MM followed by 32 hexadecimal digits.",
            )
        ],
        error_messages={"required": "MessageSid is missing."},
    )
    From = forms.CharField(
        max_length=16,
        validators=[
            RegexValidator(
                r"^\+[1-9][0-9]{1,14}$", "From must be a phone number in E.164 form (+15551234567)."
            )
        ],
        error_messages={"required": "From is missing."},
    )
    Body = forms.CharField(
        required=False,
        max_length=MAX_SMS_CHARS,
        strip=False,
        error_messages={
            "max_length": "Body is longer than %(limit_value)d characters (it has %(show_value)d).",
        },
    )
    # A picture texted by MMS: Twilio sends NumMedia and MediaUrlN / MediaContentTypeN.
    NumMedia = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=attachments.MAX_PER_MESSAGE,
        error_messages={
            "invalid": "NumMedia must be a whole number.",
            "min_value": "NumMedia cannot be negative.",
            "max_value": "NumMedia is at most %(limit_value)d.",
        },
    )

    def clean(self):
        cleaned = super().clean()
        count = cleaned.get("NumMedia") or 0
        media = []
        for index in range(count):
            url = self.data.get(f"MediaUrl{index}", "")
            content_type = self.data.get(f"MediaContentType{index}", "")
            if not url or not content_type:
                raise forms.ValidationError(
                    f"MediaUrl{index} and MediaContentType{index} are needed when NumMedia "
                    f"is {count}."
                )
            if not attachments.is_provider_url(url):
                raise forms.ValidationError(f"MediaUrl{index} is not an address of the provider.")
            media.append(attachments.IncomingMedia(url=url, content_type=content_type))
        cleaned["media"] = media
        if "Body" in cleaned and not cleaned["Body"].strip() and not media:
            raise forms.ValidationError("Body is empty: there is no text to deliver.")
        return cleaned


# -- answers ---------------------------------------------------------------------------------


def twiml(text: str = "") -> HttpResponse:
    if not text:
        return HttpResponse(EMPTY_TWIML, content_type="text/xml")
    response = MessagingResponse()
    response.message(text)
    return HttpResponse(str(response), content_type="text/xml")


def _plain(status: int, text: str) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


# -- the webhook -----------------------------------------------------------------------------


@csrf_exempt
@require_POST
def twilio_sms(request: HttpRequest) -> HttpResponse:
    if not twilio_signature_is_valid(request):
        return _plain(403, "The X-Twilio-Signature header is missing or does not match.")
    form = InboundSmsForm(request.POST)
    if not form.is_valid():
        problems = [str(error) for errors in form.errors.values() for error in errors]
        return _plain(400, "The text was not accepted. " + " ".join(problems))
    sid = form.cleaned_data["MessageSid"]
    phone = form.cleaned_data["From"]
    body = form.cleaned_data["Body"]
    media = form.cleaned_data["media"]

    if InboundEvent.objects.filter(provider_id=sid).exists():
        return twiml()

    guardians = list(Guardian.objects.filter(phone=phone, is_active=True).order_by("pk"))
    keyword = body.strip().strip(".!¡").strip().upper()
    if keyword in KEYWORDS:
        return _answer_keyword(KEYWORDS[keyword], keyword, sid, phone, body, guardians)
    if keyword == ORIGINAL and guardians:
        return _answer_original(sid, phone, body, guardians)
    if not guardians:
        _record(sid, phone, body, "unknown_number")
        return twiml(text_for_family("en", UNKNOWN_NUMBER).text)
    answered = _offer_to_answerers(InboundText(sid, phone, body, guardians, media))
    if answered is not None:
        return answered
    return _thread_reply(sid, phone, body, guardians, media)


def _offer_to_answerers(text: InboundText) -> HttpResponse | None:
    """A text another module answers itself (see `answerers`), acted on once."""
    try:
        with transaction.atomic():
            answered = first_answer(text)
            if answered is None:
                return None
            InboundEvent.objects.create(
                channel=Channel.SMS,
                provider_id=text.sid,
                from_address=text.phone,
                body=text.body,
                outcome=answered.outcome,
            )
    except IntegrityError:
        return twiml()  # Twilio retried while the first attempt was being answered
    return twiml(answered.reply)


def _record(sid: str, phone: str, body: str, outcome: str) -> None:
    try:
        with transaction.atomic():
            InboundEvent.objects.create(
                channel=Channel.SMS, provider_id=sid, from_address=phone, body=body, outcome=outcome
            )
    except IntegrityError:
        pass  # Twilio retried while the first attempt was being answered


def _thread_reply(
    sid: str, phone: str, body: str, guardians: list[Guardian], media: list
) -> HttpResponse:
    threaded = thread_for_number(phone, guardians)
    if threaded is not None:
        guardian, conversation = threaded
        refused = _deliver(guardian, conversation, sid, phone, body, media)
        # A family taken out of that thread since is heard by the family liaisons instead.
        if refused is None or refused.reason != "not_participant":
            return _answer_delivery(refused, sid, phone, body, guardian)
    else:
        guardian = guardians[0]
    conversation = open_liaison_conversation(guardian)
    if conversation is None:
        _record(sid, phone, body, "no_contactable_child")
        return twiml(_cannot_deliver_text(guardian))
    refused = _deliver(guardian, conversation, sid, phone, body, media)
    return _answer_delivery(refused, sid, phone, body, guardian)


def _deliver(
    guardian: Guardian,
    conversation: Conversation,
    sid: str,
    phone: str,
    body: str,
    media: list,
) -> ReplyRefused | None:
    try:
        receive_channel_reply(
            guardian,
            conversation,
            body,
            Channel.SMS,
            provider_id=sid,
            from_address=phone,
            media=media,
        )
    except ReplyRefused as refused:
        return refused
    return None


def _answer_delivery(
    refused: ReplyRefused | None, sid: str, phone: str, body: str, guardian: Guardian
) -> HttpResponse:
    if refused is None or refused.reason == "duplicate":
        return twiml()
    _record(sid, phone, body, f"refused:{refused.reason}")
    return twiml(_cannot_deliver_text(guardian))


def thread_for_number(
    phone: str, guardians: list[Guardian]
) -> tuple[Guardian, Conversation] | None:
    """The guardian and conversation that last exchanged a text with `phone` (30 days)."""
    since = timezone.now() - THREAD_WINDOW
    by_id = {guardian.pk: guardian for guardian in guardians}
    delivery = (
        Delivery.objects.filter(
            channel=Channel.SMS,
            to_address=phone,
            guardian_id__in=by_id,
            created_at__gte=since,
        )
        .select_related("message__conversation__school")
        .order_by("-created_at", "-pk")
        .first()
    )
    sent = (
        Message.objects.filter(
            author_guardian_id__in=by_id, channel=Channel.SMS, created_at__gte=since
        )
        .select_related("conversation__school")
        .order_by("-created_at", "-pk")
        .first()
    )
    candidates = []
    if delivery is not None:
        conversation = delivery.message.conversation
        candidates.append((delivery.created_at, delivery.guardian_id, conversation))
    if sent is not None:
        candidates.append((sent.created_at, sent.author_guardian_id, sent.conversation))
    if not candidates:
        return None
    _, guardian_id, conversation = max(candidates, key=lambda candidate: candidate[0])
    return by_id[guardian_id], conversation


def _answer_original(sid: str, phone: str, body: str, guardians: list[Guardian]) -> HttpResponse:
    """The last message texted to this number, as its author wrote it."""
    delivery = (
        Delivery.objects.filter(
            channel=Channel.SMS,
            to_address=phone,
            guardian__in=guardians,
            created_at__gte=timezone.now() - THREAD_WINDOW,
            status__in=SENT_STATUSES,
        )
        .select_related("message")
        .order_by("-created_at", "-pk")
        .first()
    )
    if delivery is None:
        _record(sid, phone, body, "original:none")
        return twiml()
    _record(sid, phone, body, "original")
    original = delivery.message.body.strip()
    if len(original) > ORIGINAL_MAX_CHARS:
        cut = original[:ORIGINAL_MAX_CHARS].rsplit(" ", 1)[0]
        original = f"{cut}… {family_link(delivery.message.conversation_id)}"
    return twiml(original)


# -- keywords --------------------------------------------------------------------------------


def _school_of(*guardians: Guardian) -> School | None:
    """The school a number's answer may name: the first its guardians may hear of."""
    for guardian in guardians:
        school = access.schools_a_guardian_may_hear_of(guardian).first()
        if school is not None:
            return school
    return None


def _answer_keyword(
    action: str, keyword: str, sid: str, phone: str, body: str, guardians: list[Guardian]
) -> HttpResponse:
    guardian = guardians[0] if guardians else None
    language = "es" if keyword in SPANISH_KEYWORDS else (guardian.language if guardian else "en")
    school = _school_of(*guardians)
    name = school.name if school else "Homeroom"
    protect = [*KEYWORD_WORDS, name]

    values = {"school": name}
    if action == STOP:
        # Carriers block further texts after STOP whatever we do; recording it lets the
        # outbox stop trying and staff see that SMS is off for this family.
        SmsOptOut.objects.get_or_create(phone=phone)
        outcome, wording = "opt_out", STOPPED
    elif action == START:
        SmsOptOut.objects.filter(phone=phone).delete()
        outcome, wording = "opt_in", STARTED
    else:
        outcome, wording = "help", HELP_WITHOUT_CONTACT
        contact = _school_contact(school)
        if contact:
            wording = HELP_WITH_CONTACT
            values["contact"] = contact
            protect.append(contact)
    _record(sid, phone, body, outcome)
    answer = text_for_family(language, wording, lambda: values, school=school, protect=protect)
    return twiml(answer.text)


def _school_contact(school: School | None) -> str:
    if school is None:
        return ""
    parts = []
    if school.phone:
        parts.append(school.phone.as_national)
    if school.email:
        parts.append(school.email)
    return ", ".join(parts)


def _cannot_deliver_text(guardian: Guardian) -> str:
    school = _school_of(guardian)
    return text_for_family(guardian.language, NOT_DELIVERED, school=school).text


def sms_is_off(guardian: Guardian) -> bool:
    """Whether the guardian's number texted STOP: staff see "SMS is off for this family"."""
    return bool(guardian.phone) and SmsOptOut.objects.filter(phone=str(guardian.phone)).exists()
