"""What the cloud providers share: JSON over HTTP(S) with retries, and a cached language list.

Each service words its errors its own way; a provider hands `call` a function that reads the
status and body of a refusal and says whether trying again may help. Retries wait the
server's `Retry-After` when it gives one, otherwise a doubling backoff, never more than
MAX_RETRY_WAIT seconds a time: a worker is better re-queued than held.
"""

import http.client
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from homeroom.languages import base_language

from .base import PermanentError, Provider, ProviderError, TransientError

logger = logging.getLogger(__name__)

LANGUAGES_TTL = 600.0
LANGUAGES_FAILURE_TTL = 30.0
MAX_RETRY_WAIT = 5.0


@dataclass(frozen=True)
class Refusal:
    """What a server answered instead of a result: the status and its JSON body, if any."""

    status: int
    body: object
    reason: str


# (retryable, message an administrator can act on)
Classifier = Callable[[Refusal], tuple[bool, str]]


class Retryable(Exception):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def check_url(setting: str, url: str) -> str:
    url = (url or "").rstrip("/")
    if url and not url.startswith(("http://", "https://")):
        raise PermanentError(f"{setting} must be http(s), not {url!r}")
    return url


def call(
    service: str,
    method: str,
    url: str,
    *,
    classify: Classifier,
    data: bytes | None = None,
    headers: Callable[[], dict[str, str]] | dict[str, str] | None = None,
    timeout: float = 10,
    retries: int = 2,
    backoff: float = 0.5,
) -> object:
    """The JSON a server answers, trying again on what `classify` calls retryable.

    `headers` may be a function, called for every attempt (a signature carries the time).
    """
    attempt = 0
    while True:
        try:
            current = headers() if callable(headers) else dict(headers or {})
            return _request(service, method, url, data, current, timeout, classify)
        except Retryable as exc:
            if attempt >= retries:
                raise TransientError(str(exc)) from exc
            wait = exc.retry_after if exc.retry_after is not None else backoff * 2**attempt
            time.sleep(min(wait, MAX_RETRY_WAIT))
            attempt += 1


def _request(service, method, url, data, headers, timeout, classify) -> object:
    headers.setdefault("Accept", "application/json")
    # Every URL is checked to be http(s) by the provider that builds it.
    request = urllib.request.Request(  # noqa: S310
        url, data=data, headers=headers, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = response.read()
    except urllib.error.HTTPError as exc:
        refusal = Refusal(exc.code, _json_or_none(exc.read()), str(exc.reason or "error"))
        retryable, message = classify(refusal)
        message = f"{service} {exc.code}: {message}"
        if retryable:
            raise Retryable(message, _retry_after(exc)) from exc
        raise PermanentError(message) from exc
    except TimeoutError as exc:
        raise Retryable(f"{service} did not answer within {timeout}s") from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise Retryable(f"{service} did not answer within {timeout}s") from exc
        raise Retryable(f"{service} unreachable: {exc.reason}") from exc
    except (OSError, http.client.HTTPException) as exc:
        # A connection reset or an answer cut short: the next attempt may get through.
        raise Retryable(f"{service} connection failed: {exc!r}") from exc
    try:
        return json.loads(body)
    except ValueError as exc:
        raise PermanentError(f"{service} answered something other than JSON") from exc


def _json_or_none(raw: bytes) -> object:
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return None


def _retry_after(exc: urllib.error.HTTPError) -> float | None:
    value = exc.headers.get("Retry-After") if exc.headers else None
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None


def status_is_transient(status: int) -> bool:
    """Busy (429), timed out (408) or failing (5xx): worth another try."""
    return status in (408, 429) or status >= 500


def chunks(texts: list[str], max_items: int, max_chars: int, service: str) -> Iterator[list[str]]:
    """`texts` in order, cut into requests within a service's item and character limits."""
    batch: list[str] = []
    size = 0
    for text in texts:
        if len(text) > max_chars:
            raise PermanentError(
                f"{service} takes at most {max_chars} characters a request; "
                f"one text has {len(text)}"
            )
        if batch and (len(batch) >= max_items or size + len(text) > max_chars):
            yield batch
            batch, size = [], 0
        batch.append(text)
        size += len(text)
    if batch:
        yield batch


class LanguageCache:
    """A service's languages, looked up once per TTL; a failure is remembered for less."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, object, str]] = {}
        self._lock = threading.Lock()

    def get(self, key: str, load: Callable[[], object]) -> tuple[object | None, str]:
        now = time.monotonic()
        with self._lock:
            cached = self._entries.get(key)
        if cached and cached[0] > now:
            return cached[1], cached[2]
        try:
            value, error, ttl = load(), "", LANGUAGES_TTL
        except ProviderError as exc:
            value, error, ttl = None, str(exc), LANGUAGES_FAILURE_TTL
            logger.warning("%s languages unavailable: %s", key, exc)
        with self._lock:
            self._entries[key] = (now + ttl, value, error)
        return value, error

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


languages_cache = LanguageCache()


def codes(values: Iterable[object]) -> frozenset[str]:
    return frozenset(str(value) for value in values if value)


class CloudProvider(Provider):
    """A translation service reached over HTTP, whose language list says what it supports."""

    service: str  # the name administrators know it by

    def missing_settings(self) -> str:
        """The settings still to fill in, in words; empty when the provider is configured."""
        return ""

    def cache_key(self) -> str:
        return self.name

    def load_languages(self) -> tuple[frozenset[str], frozenset[str]]:
        """(source codes, target codes) in the service's own spelling."""
        raise NotImplementedError

    def source_code(self, language: str) -> str:
        return base_language(language)

    def target_code(self, language: str) -> str:
        return base_language(language)

    def _languages(self) -> tuple[tuple[frozenset[str], frozenset[str]] | None, str]:
        return languages_cache.get(self.cache_key(), self.load_languages)  # type: ignore[return-value]

    def supports(self, source: str, target: str) -> bool:
        if self.missing_settings():
            return False
        languages = self._languages()[0]
        if languages is None:
            return False
        sources, targets = languages
        return self.source_code(source) in sources and self.target_code(target) in targets

    def unavailable_reason(self, source: str, target: str) -> str:
        missing = self.missing_settings()
        if missing:
            return f"{self.service} is not configured ({missing})"
        languages, error = self._languages()
        if languages is None:
            return f"{self.service} did not list its languages: {error}"
        return f"{self.service} does not translate {source} to {target}"

    def unavailable_is_temporary(self, source: str, target: str) -> bool:
        return not self.missing_settings() and self._languages()[0] is None

    def _require(self, source: str, target: str) -> None:
        missing = self.missing_settings()
        if missing:
            raise PermanentError(f"{self.service} is not configured ({missing})")
