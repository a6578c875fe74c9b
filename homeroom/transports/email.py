"""One email through Django's email backend (SMTP in production, console in development), over
one connection for a batch; the mail server's refusals in a teacher's words."""

import contextlib
import smtplib
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils.translation import gettext as _

from .errors import PermanentError, TransientError


class EmailTransport:
    """Sends email through Django's email backend; between open() and close(), over one
    connection."""

    def __init__(self) -> None:
        self.connection = None
        self._batch = False  # between open() and close(): keep one connection for every send

    def open(self) -> None:
        self._batch = True
        self._connect()

    def close(self) -> None:
        self._batch = False
        self._drop_connection()

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
            raise _as_error(exc) from exc
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
            raise _as_error(exc) from exc

    def _drop_connection(self) -> None:
        if self.connection is None:
            return
        with contextlib.suppress(smtplib.SMTPException, OSError):
            self.connection.close()
        self.connection = None


def _as_error(exc: Exception) -> TransientError | PermanentError:
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
