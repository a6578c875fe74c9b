"""What recognition refuses, in words the user can act on."""


class MomentRefused(ValueError):
    """A moment cannot be recorded or changed as asked; the message says what to fix."""
