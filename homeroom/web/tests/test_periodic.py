"""The scheduler enqueues each module's recurring task, and only when its interval passed."""

from io import StringIO

import pytest
from django.core.management import call_command

from homeroom.web.management.commands.periodic import SCHEDULE, due_tasks


def test_everything_is_due_at_first_then_only_what_its_interval_allows():
    first = due_tasks({}, now=0.0)
    assert "homeroom.messaging.outbox.sweep_task" in first
    assert "homeroom.behavior.notices.sweep" in first
    last_run = dict.fromkeys(first, 0.0)
    assert due_tasks(last_run, now=59.0) == []
    assert due_tasks(last_run, now=60.0) == [
        "homeroom.messaging.outbox.sweep_task",
        "homeroom.messaging.inbound.notify.alert_staff_task",
        "homeroom.messaging.inbound.translating.sweep_untranslated_replies_task",
    ]
    assert "homeroom.behavior.notices.sweep" in due_tasks(last_run, now=300.0)


@pytest.mark.django_db
def test_once_runs_every_installed_task(settings):
    out = StringIO()
    call_command("periodic", "--once", stdout=out)
    installed = [path for app, path, _ in SCHEDULE if app in settings.INSTALLED_APPS]
    for path in installed:
        assert f"({path})" in out.getvalue()
