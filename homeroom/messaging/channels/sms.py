"""Text messages: a conversation's message as a text, through the SMS transport.

A text costs money per segment and a long one arrives in pieces, so a message longer than
MAX_SEGMENTS segments is not sent whole: the family gets a short text in their language,
with the school's name and a link to read it in Homeroom.
"""

from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from homeroom.people.middleware import interface_language
from homeroom.translation.sms import sms_segments
from homeroom.transports.sms import SmsTransport

from .base import Channel, PermanentError, Rendered, SendResult

if TYPE_CHECKING:
    from ..models import Delivery

MAX_SEGMENTS = 3


class SmsChannel(SmsTransport, Channel):
    name = "sms"

    def send(self, delivery: "Delivery", rendered: Rendered) -> SendResult:
        if not delivery.to_address:
            raise PermanentError(_("There is no mobile number for this family."))
        with translation.override(interface_language(rendered.language)):
            context = {"rendered": rendered}
            body = render_to_string("messaging/sms/message.txt", context).strip()
            if sms_segments(body).segments > MAX_SEGMENTS:
                body = render_to_string("messaging/sms/long_message.txt", context).strip()
        provider_id = self.send_text(delivery.to_address, body)
        return SendResult(provider_id=provider_id, segments=sms_segments(body).segments)
