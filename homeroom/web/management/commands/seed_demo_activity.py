"""Give the demo district a few days of school life (once)."""

from django.core.management.base import BaseCommand

from homeroom.web.demo_activity import seed_activity


class Command(BaseCommand):
    help = "Record good news and a teacher's message for the demo family (only the first time)."

    def handle(self, *args, **options):
        added = seed_activity()
        if added:
            self.stdout.write(f"Added {added} moments and messages for the demo family.")
