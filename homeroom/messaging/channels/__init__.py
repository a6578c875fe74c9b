"""Channels a message reaches a family by: one small module each, one interface (base.py)."""

from .base import (
    Channel,
    ChannelError,
    PermanentError,
    Rendered,
    SendResult,
    TransientError,
)
from .email import EmailChannel
from .inapp import InAppChannel
from .sms import SmsChannel

CHANNELS: dict[str, type[Channel]] = {
    "app": InAppChannel,
    "email": EmailChannel,
    "sms": SmsChannel,
}


def get_channel(name: str) -> Channel:
    """A fresh channel for `name`, built from the current settings."""
    try:
        return CHANNELS[name]()
    except KeyError:
        raise ValueError(f"no channel is called {name!r}") from None


__all__ = [
    "CHANNELS",
    "Channel",
    "ChannelError",
    "PermanentError",
    "Rendered",
    "SendResult",
    "TransientError",
    "get_channel",
]
