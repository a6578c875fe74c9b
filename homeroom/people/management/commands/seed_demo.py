"""Load the demo district (Riverside Unified) and print how to sign in to it."""

import time

from django.core.management.base import BaseCommand, CommandError

from homeroom.people import demo
from homeroom.people.models import District


class Command(BaseCommand):
    help = "Build the demo district: two schools, 600 students, 900 guardians, demo sign-ins."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (but print the sign-ins) when the database already holds a district.",
        )
        group.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo district, everyone in it included, and build it again.",
        )

    def handle(self, *args, if_empty=False, reset=False, verbosity=1, **options):
        existing = demo.demo_district()
        if if_empty and District.objects.exists():
            if existing is None:
                self.stdout.write(
                    "The database already holds a district; the demo district was not loaded."
                )
                return
            self.stdout.write(f"The demo district {existing.name} is loaded already.")
            self._print_sign_ins()
            return
        if existing is not None:
            if not reset:
                raise CommandError(
                    f"The demo district {existing.name} exists already: "
                    "use --reset to build it again."
                )
            self.stdout.write(f"Removing the demo district {existing.name}…")
            demo.remove_district(existing)

        started = time.monotonic()
        say = self.stdout.write if verbosity > 1 else None
        built = demo.seed_demo(progress=say)
        counts = built.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"Built {built.district.name} in {time.monotonic() - started:.1f} s: "
                f"{counts['schools']} schools, {counts['staff']} staff, "
                f"{counts['students']} students, {counts['guardians']} guardians "
                f"({counts['joined']} joined)."
            )
        )
        self._print_sign_ins()

    def _print_sign_ins(self):
        for line in demo.sign_in_lines():
            self.stdout.write(line)
