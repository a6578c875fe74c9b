"""Invite every family of a school who has not joined yet, after a roster import."""

from django.core.management.base import BaseCommand, CommandError

from homeroom.people import access
from homeroom.people.models import School
from homeroom.people.services import guardians_to_invite, invite_guardians


class Command(BaseCommand):
    help = (
        "Send an invitation to every contactable family of a school who has not joined yet "
        "(families with an open invitation get it again)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--school-id", type=int, required=True)

    def handle(self, *args, school_id, **options):
        school = School.objects.filter(pk=school_id, is_active=True).first()
        if school is None:
            raise CommandError(f"No active school with id {school_id}.")
        guardians = guardians_to_invite(access.contactable_links().filter(student__school=school))
        invitations = invite_guardians(guardians, school=school, invited_by=None)
        by_channel = {"sms": 0, "email": 0}
        for invitation in invitations:
            by_channel[invitation.channel] += 1
        self.stdout.write(
            self.style.SUCCESS(
                f"{school.name}: invited {len(invitations)} families "
                f"({by_channel['sms']} by text, {by_channel['email']} by email)."
            )
        )
