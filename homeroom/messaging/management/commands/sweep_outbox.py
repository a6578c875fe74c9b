"""Run the outbox sweep: operators run it every minute (cron, a systemd timer, or --every 60).

It puts deliveries whose worker died back in the queue, releases deliveries held for quiet
hours once the family's morning comes, and queues a task for due deliveries nobody waits for.
"""

import time

from django.core.management.base import BaseCommand

from homeroom.messaging import outbox


class Command(BaseCommand):
    help = "Put stuck, held and forgotten deliveries back on their way (run every minute)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Keep running, sweeping every SECONDS seconds (default: sweep once and exit).",
        )

    def handle(self, *args, every: int = 0, **options):
        while True:
            outcome = outbox.sweep()
            self.stdout.write(
                "{reset} back from sending, {failed} failed, {released} released, "
                "{requeued} queued again ({tasks} tasks)".format(**outcome)
            )
            if every <= 0:
                return
            time.sleep(every)
