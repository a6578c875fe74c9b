"""A reminder to both sides every N weeks, on their channels; at the end, the question."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from homeroom.goals import services
from homeroom.goals.models import Goal, GoalEvent
from homeroom.messaging.models import Delivery, Message

from .builders import active


def test_a_reminder_goes_to_both_sides_once_every_two_weeks(world, awake):
    goal = active(world)
    world.rivera.email = world.rivera.email or "rivera@example.org"
    world.rivera.save(update_fields=["email"])
    now = timezone.now()

    assert services.remind_goals(now + timedelta(days=13)) == 0
    assert services.remind_goals(now + timedelta(days=15)) == 1
    assert services.remind_goals(now + timedelta(days=16)) == 0

    message = Message.objects.get(author_staff=world.rivera)
    assert "GOAL" in message.body
    guardians = set(Delivery.objects.filter(message=message).values_list("guardian", flat=True))
    assert {world.rosa.pk, world.marco.pk} <= guardians
    assert any("goal" in email.subject.lower() for email in mail.outbox)
    assert goal.events.filter(kind=GoalEvent.Kind.REMINDED).count() == 1


def test_at_the_end_date_both_sides_are_asked_whether_it_was_met(world, awake):
    goal = active(world, ends_on=timezone.localdate() + timedelta(days=3))

    assert services.remind_goals(timezone.now() + timedelta(days=4)) == 1
    assert services.remind_goals(timezone.now() + timedelta(days=5)) == 0

    goal.refresh_from_db()
    assert goal.end_asked_at is not None
    assert goal.status == Goal.Status.ACTIVE  # until a side says
    assert "met" in Message.objects.get(author_staff=world.rivera).body


def test_a_proposed_goal_is_not_reminded(world, awake):
    from .builders import proposed

    proposed(world)

    assert services.remind_goals(timezone.now() + timedelta(weeks=3)) == 0
