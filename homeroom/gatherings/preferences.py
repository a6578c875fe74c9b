"""What the start-of-year engagement survey says about an event's candidate times: for each,
how many of the audience's families said that day and that part of the day suit them for
coming to school (`voice.engagement`, "visit_day:tue" and "visit_time:evening")."""

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone

from homeroom.voice.engagement import services as engagement

from . import access as gatherings_access
from .models import CandidateTime, Event

DAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def part_of_day(hour: int) -> str:
    """The engagement survey's parts of the day: when school starts, around lunchtime, when
    school ends, the evening."""
    if hour < 11:
        return "morning"
    if hour < 14:
        return "midday"
    if hour < 17:
        return "afternoon"
    return "evening"


def keys_of(candidate: CandidateTime, time_zone: str) -> tuple[str, str]:
    local = timezone.localtime(candidate.starts_at, ZoneInfo(time_zone))
    return f"visit_day:{DAY_CODES[local.weekday()]}", f"visit_time:{part_of_day(local.hour)}"


@dataclass
class Suiting:
    answered: int  # the audience's guardians who told the survey when they can come
    by_candidate: dict[int, int]


def suiting(event: Event, candidates: list[CandidateTime]) -> Suiting:
    """Per candidate time, the audience's guardians whose latest engagement answers name both
    its weekday and its part of the day (three queries, whatever the audience's size). For
    staff only: the counts are not hidden below five."""
    guardians = gatherings_access.reachable_guardians(event)
    keys = {
        guardian: chosen
        for guardian, chosen in engagement.latest_keys(guardians).items()
        if any(key.startswith(("visit_day:", "visit_time:")) for key in chosen)
    }
    counts = {}
    for candidate in candidates:
        day, part = keys_of(candidate, event.school.time_zone)
        counts[candidate.pk] = sum(
            1 for chosen in keys.values() if day in chosen and part in chosen
        )
    return Suiting(answered=len(keys), by_candidate=counts)
