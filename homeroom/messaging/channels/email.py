"""Email through Django's email backend (SMTP in production, console in development).

Each message has a text and an HTML part rendered in the reader's language, comes From the
school's name, and carries the headers a family's mail program needs: Reply-To that threads
a reply back into the conversation, List-Unsubscribe, and a Message-ID derived from the
delivery's idempotency key, so a receiving server can recognise a repeat.
"""

import contextlib
import smtplib
from dataclasses import asdict
from email.utils import formataddr, make_msgid, parseaddr
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from homeroom.people.middleware import interface_language

from .base import Channel, PermanentError, Rendered, SendResult, TransientError

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


class EmailChannel(Channel):
    name = "email"

    def __init__(self) -> None:
        self.connection = None
        self._batch = False  # between open() and close(): keep one connection for every send

    def open(self) -> None:
        self._batch = True
        self._connect()

    def close(self) -> None:
        self._batch = False
        self._drop_connection()

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

    def send_text(self, to: str, body: str, *, subject: str = "", message_id: str = "") -> str:
        """A plain text Homeroom writes itself (a sign-in code, an invitation)."""
        message_id = message_id or make_msgid(domain=settings.REPLY_DOMAIN)
        message = EmailMessage(
            subject=subject, body=body, to=[to], headers={"Message-ID": message_id}
        )
        self._transmit(message)
        return message_id

    def _transmit(self, message: EmailMessage) -> None:
        self._connect()
        try:
            sent = self.connection.send_messages([message])
        except (smtplib.SMTPException, OSError) as exc:
            if not isinstance(exc, smtplib.SMTPRecipientsRefused):
                # The conversation with the server is in an unknown state: start afresh.
                self._drop_connection()
            raise _as_channel_error(exc) from exc
        finally:
            if not self._batch:
                self._drop_connection()
        if not sent:
            raise TransientError(_("The mail server did not take the message."))

    def _connect(self) -> None:
        if self.connection is None:
            self.connection = get_connection(fail_silently=False)
        try:
            self.connection.open()
        except (smtplib.SMTPException, OSError) as exc:
            self._drop_connection()
            raise _as_channel_error(exc) from exc

    def _drop_connection(self) -> None:
        if self.connection is None:
            return
        with contextlib.suppress(smtplib.SMTPException, OSError):
            self.connection.close()
        self.connection = None


def _as_channel_error(exc: Exception) -> TransientError | PermanentError:
    """SMTP's answer in a teacher's words: 5xx about the recipient is final, the rest passes."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _reply in exc.recipients.values()] or [0]
        code = min(codes)
        if 500 <= code < 600:
            return PermanentError(
                _("The family's email address was refused by their mail server."), code=code
            )
        return TransientError(_("The family's mail server asked us to try again later."), code=code)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return TransientError(
            _(
                "The school's mail server refused Homeroom's sign-in; an administrator must check "
                "the email settings."
            ),
            code=exc.smtp_code,
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        if 500 <= code < 600 and isinstance(exc, smtplib.SMTPDataError | smtplib.SMTPSenderRefused):
            return PermanentError(_("The mail server refused this message."), code=code)
        return TransientError(_("The mail server asked us to try again later."), code=code)
    return TransientError(_("The mail server could not be reached."))
