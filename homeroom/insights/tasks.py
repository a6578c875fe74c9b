"""The roll-up as a task: the `periodic` scheduler enqueues it every hour, and each run
recomputes yesterday for every district (idempotent: the day's rows are replaced), so a
day is rolled up soon after it ends and a missed run costs nothing."""

from django_tasks import task

from . import facts


@task()
def roll_up_insights() -> int:
    return facts.roll_up_yesterday()
