from django.core.management.base import BaseCommand

from homeroom.behavior import notices


class Command(BaseCommand):
    help = "Send the moment digests that are due and remove moments past their retention."

    def handle(self, *args, **options):
        digests = notices.send_moment_digests()
        purged = notices.purge_old_moments()
        self.stdout.write(f"{digests} digest(s) sent, {purged} old moment(s) removed")
