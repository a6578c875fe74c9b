"""What every translation provider offers: one batch in, one batch out, in order."""

from abc import ABC, abstractmethod


class ProviderError(Exception):
    """A provider could not translate a batch."""


class TransientError(ProviderError):
    """Worth trying again later: a timeout, a busy server (429), a server error (500)."""


class PermanentError(ProviderError):
    """Trying again will not help: a pair the provider lacks, a refused key, bad input."""


class Provider(ABC):
    name: str
    # Whether names may be masked with placeholder names (see protection.NAME_PLACEHOLDERS)
    # rather than bracketed numbers: only for engines checked to leave those names alone.
    name_placeholders: bool = False

    @abstractmethod
    def supports(self, source: str, target: str) -> bool:
        """Whether the pair (BCP 47 base languages) can be translated right now."""

    @abstractmethod
    def translate_batch(self, texts: list[str], source: str, target: str) -> list[str]:
        """Translations of `texts`, one per text and in the same order.

        Raises TransientError or PermanentError; never returns a list of another length.
        """

    def unavailable_reason(self, source: str, target: str) -> str:
        """Why `supports` says no, in words an administrator can act on."""
        return f"{self.name} does not translate {source} to {target}"

    def unavailable_is_temporary(self, source: str, target: str) -> bool:
        """Whether `supports` may say yes again soon (a server down, not a pair missing)."""
        return False
