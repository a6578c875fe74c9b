"""manage.py import_roster PATH: import a OneRoster 1.1 CSV export from a folder or a .zip."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from homeroom.people.models import District, RosterImport
from homeroom.people.roster import import_roster


class Command(BaseCommand):
    help = "Import rosters from a OneRoster 1.1 CSV bulk export (a folder or a .zip)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="folder or .zip holding the CSV files")
        parser.add_argument(
            "--district-id",
            type=int,
            help="district to import into (default: the one the bundle names, or the only one)",
        )

    def handle(self, *args, path: Path, district_id: int | None, **options):
        district = None
        if district_id is not None:
            district = District.objects.filter(pk=district_id).first()
            if district is None:
                raise CommandError(f"There is no district with id {district_id}.")
        record = import_roster(path, district=district, progress=self.show_progress)
        self.show_outcome(record)
        if record.status != RosterImport.Status.SUCCEEDED:
            raise CommandError(
                f"The bundle was rejected with {len(record.errors)} problem(s); "
                "nothing was changed."
            )

    def show_progress(self, percent: int, stage: str) -> None:
        self.stdout.write(f"{percent:3d}% {stage}")

    def show_outcome(self, record: RosterImport) -> None:
        for outcome, by_kind in record.counts.items():
            done = ", ".join(f"{kind} {n}" for kind, n in by_kind.items() if n) or "nothing"
            self.stdout.write(f"{outcome}: {done}")
        for problem in record.warnings:
            self.stdout.write(self.style.WARNING(f"warning {_describe(problem)}"))
        for problem in record.errors:
            self.stderr.write(f"error {_describe(problem)}")


def _describe(problem: dict) -> str:
    return f"{problem['file']}:{problem['line']} {problem['column']}: {problem['message']}"
