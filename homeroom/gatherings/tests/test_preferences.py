"""The candidate times beside what the start-of-year survey says: for each time, how many of
the audience's families said that weekday and that part of the day suit them."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from homeroom.gatherings import preferences, services
from homeroom.gatherings.services import Slot
from homeroom.messaging.audiences import Audience
from homeroom.voice import services as survey_services
from homeroom.voice.tests.test_engagement import answers, started_and_sent

CHICAGO = ZoneInfo("America/Chicago")


def next_weekday(weekday: int, hour: int) -> datetime:
    """The next such weekday (0 Monday) at least two days ahead, at `hour` in Chicago."""
    day = timezone.localdate() + timedelta(days=2)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, tzinfo=CHICAGO)


def event_with_times(world):
    times = [next_weekday(1, 18), next_weekday(3, 9), next_weekday(1, 9)]  # Tue eve, Thu am, Tue am
    return services.create_event(
        world.rivera,
        title="Family math night",
        description="",
        place="Cafeteria",
        audience=Audience.section(world.math),
        capacity=None,
        candidates=[Slot(start, start + timedelta(hours=1)) for start in times],
    )


def test_each_candidate_time_shows_who_said_it_suits_them(awake, login):
    world = awake
    survey = started_and_sent(world)
    channel = ["channel:sms", "language:es"]
    survey_services.answer_survey(
        survey, world.rosa, answers(survey, *channel, "visit_day:tue", "visit_time:evening")
    )
    survey_services.answer_survey(
        survey,
        world.gina,
        answers(survey, *channel, "visit_day:tue", "visit_day:thu", "visit_time:morning"),
    )
    survey_services.answer_survey(survey, world.pat, answers(survey, *channel))  # no times
    event = event_with_times(world)
    candidates = list(event.candidates.all())
    suits = preferences.suiting(event, candidates)
    assert suits.answered == 2  # Pat (not in Math 6, and no days) does not count
    assert [suits.by_candidate[c.pk] for c in candidates] == [1, 1, 1]
    page = login(world.rivera).get(reverse("gatherings:organise", args=[event.pk]))
    assert "Said this suits them" in page.content.decode()


def test_nothing_is_shown_before_anyone_answers_the_survey(awake, login):
    event = event_with_times(awake)
    page = login(awake.rivera).get(reverse("gatherings:organise", args=[event.pk]))
    assert "Said this suits them" not in page.content.decode()


def test_a_family_outside_the_audience_or_barred_is_not_counted(awake):
    world = awake
    survey = started_and_sent(world)
    keys = ["channel:sms", "language:es", "visit_day:tue", "visit_time:evening"]
    survey_services.answer_survey(survey, world.rosa, answers(survey, *keys))
    world.rosa.guardianships.update(may_contact=False)
    event = event_with_times(world)
    assert preferences.suiting(event, list(event.candidates.all())).answered == 0


def test_parts_of_the_day_follow_the_survey():
    assert [preferences.part_of_day(h) for h in (7, 10, 11, 13, 14, 16, 17, 21)] == [
        "morning",
        "morning",
        "midday",
        "midday",
        "afternoon",
        "afternoon",
        "evening",
        "evening",
    ]
