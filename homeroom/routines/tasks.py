"""Background work of relationship routines. Tasks receive ids, never objects.

`remind_weekly_updates` belongs in the daily sweep: teachers who chose a reminder day hear
by email when a class's weekly update is not sent by then. `replan_rotations` keeps every
check-in plan in step with the roster (the nightly import changes classes).
"""

from django_tasks import task

from . import services
from .models import ContactPlan


@task()
def remind_weekly_updates() -> int:
    return services.remind_weekly_updates()


@task()
def replan_rotations() -> int:
    plans = ContactPlan.objects.all()
    return sum(services.replan_if_roster_changed(plan) for plan in plans.iterator())
