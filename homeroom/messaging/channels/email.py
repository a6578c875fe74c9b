"""Email through Django's email backend (SMTP in production, console in development).

Each message has a text and an HTML part rendered in the reader's language, comes From the
school's name, and carries the headers a family's mail program needs: Reply-To that threads
a reply back into the conversation, List-Unsubscribe, and a Message-ID derived from the
delivery's idempotency key, so a receiving server can recognise a repeat.
"""

from dataclasses import asdict
from email.utils import formataddr, parseaddr
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from homeroom.people.middleware import interface_language
from homeroom.transports.email import EmailTransport

from .base import Channel, PermanentError, Rendered, SendResult

if TYPE_CHECKING:
    from ..models import Delivery


def message_id_for(idempotency_key: str) -> str:
    # Half the key is plenty to be unique and keeps the header on one line.
    return f"<{idempotency_key[:32]}@{settings.REPLY_DOMAIN}>"


def reply_address(reply_token: str) -> str:
    return f"reply+{reply_token}@{settings.REPLY_DOMAIN}"


def from_address(name: str) -> str:
    """The school's name before the address Homeroom sends from."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL
    return formataddr((name, address)) if name else settings.DEFAULT_FROM_EMAIL


class EmailChannel(EmailTransport, Channel):
    name = "email"

    def send(self, delivery: "Delivery", rendered: Rendered) -> SendResult:
        if not delivery.to_address:
            raise PermanentError(_("There is no email address for this family."))
        context = {**asdict(rendered), "rendered": rendered}
        with translation.override(interface_language(rendered.language)):
            subject = render_to_string("messaging/email/message_subject.txt", context)
            text = render_to_string("messaging/email/message.txt", context)
            html = render_to_string("messaging/email/message.html", context)
        message_id = message_id_for(delivery.idempotency_key)
        unsubscribe = [f"<{rendered.preferences_link}>"]
        if rendered.reply_token:
            mailto = f"<mailto:{reply_address(rendered.reply_token)}?subject=unsubscribe>"
            unsubscribe.insert(0, mailto)
        headers = {"Message-ID": message_id, "List-Unsubscribe": ", ".join(unsubscribe)}
        if rendered.conversation_id is not None:
            # Mail programs thread by References: every message of a conversation shares one.
            thread = f"<conversation-{rendered.conversation_id}@{settings.REPLY_DOMAIN}>"
            headers["References"] = thread
            headers["In-Reply-To"] = thread
        if rendered.is_urgent:
            headers["Importance"] = "high"
        message = EmailMultiAlternatives(
            subject=" ".join(subject.split()),
            body=text,
            from_email=from_address(rendered.family_author or rendered.school_name),
            to=[delivery.to_address],
            reply_to=[reply_address(rendered.reply_token)] if rendered.reply_token else None,
            headers=headers,
        )
        message.attach_alternative(html, "text/html")
        self._transmit(message)
        return SendResult(provider_id=message_id)
