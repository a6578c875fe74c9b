"""Providers for tests, routed by dotted path through TRANSLATION_ROUTES (no patching)."""

import re
import threading

from homeroom.translation.protection import NAME_PLACEHOLDERS
from homeroom.translation.providers.base import Provider, TransientError


class CountingProvider(Provider):
    """Marks each text as translated and records every call, across instances."""

    name = "counting"
    name_placeholders = True
    calls: list[tuple[str, str, list[str]]] = []
    lock = threading.Lock()

    def supports(self, source: str, target: str) -> bool:
        return True

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[str]:
        with self.lock:
            type(self).calls.append((source, target, list(texts)))
        return [f"{text} ({target})" for text in texts]

    @classmethod
    def reset(cls) -> None:
        cls.calls = []


class DroppingProvider(CountingProvider):
    """Loses every placeholder name and bracket token, as a careless engine might."""

    name = "dropping"
    _tokens = re.compile(r"\[\[\d+\]\]|\b(?:" + "|".join(NAME_PLACEHOLDERS) + r")\b")

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[str]:
        super().translate_batch(texts, source, target)
        return [self._tokens.sub("someone", f"{text} ({target})") for text in texts]


class BusyProvider(CountingProvider):
    name = "busy"

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[str]:
        super().translate_batch(texts, source, target)
        raise TransientError("engine busy")


class NothingProvider(CountingProvider):
    name = "nothing"

    def supports(self, source: str, target: str) -> bool:
        return False

    def unavailable_reason(self, source: str, target: str) -> str:
        return "the nothing engine translates nothing"
