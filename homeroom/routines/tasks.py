"""Background work of relationship routines. Tasks receive ids, never objects.

`remind_weekly_updates` belongs in the daily sweep: teachers who chose a reminder day hear
by email when a class's weekly update is not sent by then.
"""

from django_tasks import task

from . import services


@task()
def remind_weekly_updates() -> int:
    return services.remind_weekly_updates()
