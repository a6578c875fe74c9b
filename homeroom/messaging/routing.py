"""Where and when a delivery goes: the channel that reaches a guardian (their choice first,
then the fallbacks), the address on it, the delivery's idempotency key, and the end of the
family's quiet hours. Pure rules over a guardian's row; the outbox plans and sends with them.
"""

import functools
import hashlib
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from homeroom.people.models import Channel as ChannelName
from homeroom.people.models import Guardian

# When a channel fails for good, the next one in this order takes over; the app never fails,
# so a message always ends up somewhere the family can read it.
FALLBACK_ORDER = (ChannelName.SMS, ChannelName.EMAIL, ChannelName.APP)
# Channels that buzz a phone, and so wait for the end of quiet hours.
QUIET_CHANNELS = frozenset({ChannelName.SMS, ChannelName.EMAIL})

# -- choosing a channel -----------------------------------------------------------------------


def channel_chain(preferred: str) -> list[str]:
    """The channels to try for a family, their own choice first."""
    rest = [channel for channel in FALLBACK_ORDER if channel != preferred]
    return [preferred, *rest] if preferred in FALLBACK_ORDER else list(FALLBACK_ORDER)


def can_use(channel: str, *, phone: str, email: str, sms_opted_out: bool) -> bool:
    if channel == ChannelName.SMS:
        return bool(phone) and not sms_opted_out
    if channel == ChannelName.EMAIL:
        return bool(email)
    return channel == ChannelName.APP


def phone_of(guardian: Guardian) -> str:
    """The guardian's number as stored (E.164).

    Bulk queries annotate it as `phone_text`: turning 50,000 stored numbers into PhoneNumber
    objects and validating each again would cost more than writing the whole outbox.
    """
    text = getattr(guardian, "phone_text", None)
    if text is not None:
        return text
    return guardian.phone.as_e164 if guardian.phone else ""


def choose_channel(
    guardian: Guardian, *, sms_opted_out: bool, tried: Iterable[str] = ()
) -> str | None:
    """The first channel of the family's chain that can reach them and was not tried yet."""
    tried = set(tried)
    phone, email = phone_of(guardian), guardian.email or ""
    for channel in channel_chain(guardian.channel):
        if channel not in tried and can_use(
            channel, phone=phone, email=email, sms_opted_out=sms_opted_out
        ):
            return channel
    return None


def address_for(guardian: Guardian, channel: str) -> str:
    if channel == ChannelName.SMS:
        return phone_of(guardian)
    if channel == ChannelName.EMAIL:
        return guardian.email or ""
    return ""


def idempotency_key(message_id: int, guardian_id: int, channel: str, depth: int) -> str:
    """Stable for one message, one family member, one channel, one step down the fallbacks."""
    raw = f"{message_id}:{guardian_id}:{channel}:{depth}"
    return hashlib.sha256(raw.encode()).hexdigest()


# -- quiet hours ------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def zone_named(*names: str) -> ZoneInfo:
    """The first valid time zone among `names` (the family's, then the school's), else UTC."""
    for name in names:
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def quiet_hours_end(now: datetime, zone: ZoneInfo, start: time, end: time) -> datetime | None:
    """When quiet hours end (in UTC) if `now` falls inside them, else None.

    Quiet hours may wrap past midnight (20:00–07:00). Equal start and end means none.
    """
    if start is None or end is None or start == end:
        return None
    local = now.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    today = local.date()
    if start < end:
        if not start <= clock < end:
            return None
        ends_on = today
    elif clock >= start:
        ends_on = today + timedelta(days=1)
    elif clock < end:
        ends_on = today
    else:
        return None
    return _local(ends_on, end, zone).astimezone(UTC)


def _local(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock).replace(tzinfo=zone)


def hold_until(
    guardian: Guardian, channel: str, *, urgent: bool, school_time_zone: str, now: datetime
) -> datetime | None:
    if urgent or channel not in QUIET_CHANNELS:
        return None
    if guardian.quiet_start is None or guardian.quiet_start == guardian.quiet_end:
        return None  # no quiet hours: no time zone to look up
    zone = zone_named(guardian.time_zone, school_time_zone)
    return quiet_hours_end(now, zone, guardian.quiet_start, guardian.quiet_end)
