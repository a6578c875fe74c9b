"""Run the SMTP gate that takes families' email replies (reply+<token>@REPLY_DOMAIN).

Put it behind the mail server that receives REPLY_DOMAIN's mail (an MX relay or an LMTP/SMTP
transport), or expose it directly on port 25. It keeps running until stopped.
"""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from homeroom.messaging.inbound.email import MailGate, reply_domain


class Command(BaseCommand):
    help = "Accept email replies from families and thread them into their conversations."

    def add_arguments(self, parser):
        parser.add_argument(
            "--host", default=getattr(settings, "MAILGATE_HOST", "127.0.0.1"), help="Address."
        )
        parser.add_argument(
            "--port", type=int, default=getattr(settings, "MAILGATE_PORT", 8025), help="Port."
        )

    def handle(self, *args, host, port, **options):
        gate = MailGate(host=host, port=port)
        gate.start()
        self.stdout.write(
            f"Taking replies for reply+…@{reply_domain()} on {gate.hostname}:{gate.port}"
        )
        stopped = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stopped.set())
        try:
            stopped.wait()
        finally:
            gate.stop()
            self.stdout.write("Mail gate stopped.")
