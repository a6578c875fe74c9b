"""How a send fails: worth trying again later, or not. `str(error)` says why in words a teacher
understands (it is shown on the message's delivery report)."""


class ChannelError(Exception):
    """A send failed; `str(error)` says why in words a teacher understands."""

    def __init__(self, reason: str, *, code: int | str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.code = code


class TransientError(ChannelError):
    """Worth trying again later: a server down or busy, a timeout, a 4xx SMTP reply, a 429."""


class PermanentError(ChannelError):
    """Trying again will not help: a refused address, a number that cannot take texts."""

    def __init__(self, reason: str, *, code: int | str | None = None, opted_out: bool = False):
        super().__init__(reason, code=code)
        # The provider says the family texted STOP: remember it, so no text goes there again.
        self.opted_out = opted_out
