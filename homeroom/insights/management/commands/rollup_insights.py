"""Roll up one day's figures (yesterday by default) for every district, replacing that day's
rows: what the scheduler runs, by hand (a backfill, or a day recomputed after a fix)."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from homeroom.insights import facts
from homeroom.people.models import District


class Command(BaseCommand):
    help = "Compute a day's insights roll-up (default: yesterday) for every district."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to roll up, YYYY-MM-DD (default: yesterday).")

    def handle(self, *args, date: str | None = None, **options):
        if date:
            try:
                day = _parse(date)
            except ValueError as error:
                raise CommandError(f"--date must be YYYY-MM-DD: {error}") from error
        else:
            day = timezone.localdate() - timedelta(days=1)
        for district in District.objects.order_by("pk"):
            written = facts.roll_up(district, day)
            self.stdout.write(f"{district.name}: {written} rows for {day.isoformat()}")


def _parse(text: str):
    return date.fromisoformat(text)
