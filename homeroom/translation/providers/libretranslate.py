"""LibreTranslate, a self-hosted HTTP server for every pair Apertium does not cover."""

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from homeroom.languages import base_language

from .base import PermanentError, Provider, ProviderError, TransientError

logger = logging.getLogger(__name__)

# How long the server's language list is trusted; a failed look-up is retried sooner so a
# server that comes back is noticed, without each message waiting on a dead one.
LANGUAGES_TTL = 600.0
LANGUAGES_FAILURE_TTL = 30.0
MAX_RETRY_WAIT = 5.0

_languages_cache: dict[str, tuple[float, dict[str, frozenset[str]] | None, str]] = {}
_languages_lock = threading.Lock()


@dataclass(frozen=True)
class DetectedLanguage:
    language: str
    confidence: float  # 0–100, as LibreTranslate reports it


def clear_languages_cache() -> None:
    with _languages_lock:
        _languages_cache.clear()


class LibreTranslateProvider(Provider):
    name = "libretranslate"

    def __init__(
        self,
        url: str,
        api_key: str | None = "",
        timeout: float = 10,
        retries: int = 2,
        backoff: float = 0.5,
    ) -> None:
        self.url = (url or "").rstrip("/")
        if self.url and not self.url.startswith(("http://", "https://")):
            raise PermanentError(f"LIBRETRANSLATE_URL must be http(s), not {self.url!r}")
        self.api_key = api_key or ""
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff

    # -- the Provider interface --------------------------------------------------------------

    def supports(self, source: str, target: str) -> bool:
        if not self.url:
            return False
        pairs = self._cached_pairs()[0]
        if pairs is None:
            return False
        return base_language(target) in pairs.get(base_language(source), frozenset())

    def unavailable_reason(self, source: str, target: str) -> str:
        if not self.url:
            return "no LibreTranslate server is configured (LIBRETRANSLATE_URL)"
        pairs, error = self._cached_pairs()
        if pairs is None:
            return f"the LibreTranslate server did not answer: {error}"
        return f"the LibreTranslate server does not offer {source} to {target}"

    def unavailable_is_temporary(self, source: str, target: str) -> bool:
        return bool(self.url) and self._cached_pairs()[0] is None

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[str]:
        if not texts:
            return []
        if not self.url:
            raise PermanentError(self.unavailable_reason(source, target))
        payload = {
            "q": list(texts),
            "source": base_language(source),
            "target": base_language(target),
            "format": "text",
        }
        answer = self._call("POST", "/translate", payload)
        translated = answer.get("translatedText") if isinstance(answer, dict) else None
        if isinstance(translated, str) and len(texts) == 1:
            translated = [translated]
        if not isinstance(translated, list) or len(translated) != len(texts):
            raise PermanentError("LibreTranslate answered a batch with a different number of texts")
        return [str(item) for item in translated]

    # -- more of the server's API ------------------------------------------------------------

    def language_pairs(self) -> dict[str, frozenset[str]]:
        """{source: {targets}} from `GET /languages`."""
        answer = self._call("GET", "/languages", None)
        if not isinstance(answer, list):
            raise PermanentError("LibreTranslate /languages did not answer a list")
        return {
            str(entry["code"]): frozenset(str(code) for code in entry.get("targets", ()))
            for entry in answer
            if isinstance(entry, dict) and "code" in entry
        }

    def detect(self, text: str) -> list[DetectedLanguage]:
        answer = self._call("POST", "/detect", {"q": text})
        if not isinstance(answer, list):
            raise PermanentError("LibreTranslate /detect did not answer a list")
        return [
            DetectedLanguage(str(item["language"]), float(item.get("confidence", 0)))
            for item in answer
            if isinstance(item, dict) and "language" in item
        ]

    # -- plumbing ------------------------------------------------------------------------------

    def _cached_pairs(self) -> tuple[dict[str, frozenset[str]] | None, str]:
        now = time.monotonic()
        with _languages_lock:
            cached = _languages_cache.get(self.url)
        if cached and cached[0] > now:
            return cached[1], cached[2]
        try:
            pairs, error, ttl = self.language_pairs(), "", LANGUAGES_TTL
        except ProviderError as exc:
            pairs, error, ttl = None, str(exc), LANGUAGES_FAILURE_TTL
            logger.warning("LibreTranslate languages unavailable: %s", exc)
        with _languages_lock:
            _languages_cache[self.url] = (now + ttl, pairs, error)
        return pairs, error

    def _call(self, method: str, path: str, payload: dict | None) -> object:
        attempt = 0
        while True:
            try:
                return self._request(method, path, payload)
            except _Retryable as exc:
                if attempt >= self.retries:
                    raise TransientError(str(exc)) from exc
                wait = exc.retry_after if exc.retry_after is not None else self.backoff * 2**attempt
                time.sleep(min(wait, MAX_RETRY_WAIT))
                attempt += 1

    def _request(self, method: str, path: str, payload: dict | None) -> object:
        data = None
        headers = {"Accept": "application/json"}
        if payload is not None:
            if self.api_key:
                payload = {**payload, "api_key": self.api_key}
            data = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        # The scheme is checked in __init__: only http(s) reaches urlopen.
        request = urllib.request.Request(  # noqa: S310
            self.url + path, data=data, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read()
        except urllib.error.HTTPError as exc:
            message = _error_message(exc)
            if exc.code in (429, 500, 502, 503, 504):
                raise _Retryable(
                    f"LibreTranslate {exc.code}: {message}", _retry_after(exc)
                ) from exc
            raise PermanentError(f"LibreTranslate {exc.code}: {message}") from exc
        except TimeoutError as exc:
            raise _Retryable(f"LibreTranslate did not answer within {self.timeout}s") from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise _Retryable(f"LibreTranslate did not answer within {self.timeout}s") from exc
            raise _Retryable(f"LibreTranslate unreachable: {exc.reason}") from exc
        except (ConnectionError, OSError) as exc:
            raise _Retryable(f"LibreTranslate connection failed: {exc}") from exc
        try:
            return json.loads(body)
        except ValueError as exc:
            raise PermanentError("LibreTranslate answered something other than JSON") from exc


class _Retryable(Exception):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _error_message(exc: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(exc.read() or b"{}")
    except ValueError:
        return exc.reason or "error"
    if isinstance(body, dict) and body.get("error"):
        return str(body["error"])
    return str(exc.reason or "error")


def _retry_after(exc: urllib.error.HTTPError) -> float | None:
    value = exc.headers.get("Retry-After") if exc.headers else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
