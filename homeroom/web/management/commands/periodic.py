"""Enqueue the recurring work of every module on its interval; the task workers do it.

Run exactly one of these per deployment (the tasks themselves are safe to run twice, but
there is no point). `make run` starts it beside the web server and the worker.
"""

import time

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

# (app, dotted path of a task, every N seconds)
SCHEDULE = [
    ("homeroom.messaging", "homeroom.messaging.outbox.sweep_task", 60),
    ("homeroom.messaging", "homeroom.messaging.inbound.notify.alert_staff_task", 60),
    (
        "homeroom.messaging",
        "homeroom.messaging.inbound.translating.sweep_untranslated_replies_task",
        60,
    ),
    ("homeroom.behavior", "homeroom.behavior.notices.sweep", 300),
    ("homeroom.routines", "homeroom.routines.weekly.send_weekly_reminders", 3600),
    ("homeroom.routines", "homeroom.routines.checkins.replan_rotations", 3600),
    ("homeroom.goals", "homeroom.goals.services.remind_goals_task", 3600),
    ("homeroom.gatherings", "homeroom.gatherings.slots.remind_volunteers_task", 3600),
    # gatherings: the day-before reminder, and "how was it?" after an event
    ("homeroom.gatherings", "homeroom.gatherings.followups.follow_up_task", 3600),
    # insights: yesterday's roll-up, recomputed each hour (idempotent)
    ("homeroom.insights", "homeroom.insights.tasks.roll_up_insights", 3600),
]


def due_tasks(last_run: dict[str, float], now: float) -> list[str]:
    """The tasks whose interval has passed since they were last enqueued (all, at first)."""
    return [
        path
        for app, path, every in SCHEDULE
        if apps.is_installed(app) and now - last_run.get(path, float("-inf")) >= every
    ]


class Command(BaseCommand):
    help = "Enqueue the recurring tasks (outbox sweep, digests, reminders) on their intervals."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Enqueue what is due and exit.")

    def handle(self, *args, once: bool = False, **options):
        last_run: dict[str, float] = {}
        while True:
            now = time.monotonic()
            for path in due_tasks(last_run, now):
                import_string(path).enqueue()
                last_run[path] = now
                self.stdout.write(f"enqueued {path.rsplit('.', 1)[-1]} ({path})")
            if once:
                return
            time.sleep(5)
