"""Google Cloud Translation (Advanced, v3): `translateText`, with a glossary per pair."""

import json
import urllib.parse
from pathlib import Path

from homeroom.languages import base_language

from . import http
from .base import PermanentError

DEFAULT_URL = "https://translation.googleapis.com"
# Documented limits of one translateText call (1,024 strings, 30,000 code points in all).
MAX_ITEMS = 1024
MAX_CHARS = 30_000
# Google names some languages by region or by an older code.
CODES = {"zh": "zh-CN"}

_PERMANENT_STATUS = {
    400: "the request was refused",
    401: "the access token was refused or has expired (GOOGLE_TRANSLATE_TOKEN)",
    403: "the project may not use the Translation API (check its permissions and billing)",
    404: "no such project, location or glossary",
}


def classify(refusal: http.Refusal) -> tuple[bool, str]:
    """google.rpc.Status errors: {"error": {"code", "message", "status"}}."""
    error = refusal.body.get("error") if isinstance(refusal.body, dict) else None
    status = str(error.get("status", "")) if isinstance(error, dict) else ""
    message = str(error.get("message", "")) if isinstance(error, dict) else ""
    message = message or _PERMANENT_STATUS.get(refusal.status, refusal.reason)
    if status:
        message = f"{status}: {message}"
    transient = status in {"RESOURCE_EXHAUSTED", "UNAVAILABLE", "INTERNAL", "DEADLINE_EXCEEDED"}
    return transient or http.status_is_transient(refusal.status), message


class GoogleTranslateProvider(http.CloudProvider):
    name = "google"
    service = "Google Cloud Translation"

    def __init__(
        self,
        project: str,
        token: str = "",
        token_file: str = "",
        location: str = "global",
        glossaries: dict[str, str] | None = None,
        url: str = "",
        timeout: float = 10,
        retries: int = 2,
        backoff: float = 0.5,
    ) -> None:
        self.project = (project or "").strip()
        self.location = (location or "global").strip()
        self.token = (token or "").strip()
        self.token_file = token_file or ""
        self.glossaries = glossaries or {}
        self.url = http.check_url("GOOGLE_TRANSLATE_URL", url or DEFAULT_URL)
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff

    @property
    def parent(self) -> str:
        return f"projects/{self.project}/locations/{self.location}"

    def missing_settings(self) -> str:
        missing = []
        if not self.project:
            missing.append("GOOGLE_TRANSLATE_PROJECT")
        if not (self.token or self.token_file):
            missing.append("GOOGLE_TRANSLATE_TOKEN")
        return ", ".join(missing)

    def cache_key(self) -> str:
        return f"google {self.url} {self.parent}"

    def source_code(self, language: str) -> str:
        base = base_language(language)
        return CODES.get(base, base)

    target_code = source_code

    def glossary(self, source: str, target: str) -> str | None:
        """The full resource name of the pair's glossary, if one is set."""
        glossary = self.glossaries.get(f"{base_language(source)}:{base_language(target)}")
        if not glossary:
            return None
        return (
            glossary if glossary.startswith("projects/") else f"{self.parent}/glossaries/{glossary}"
        )

    def load_languages(self) -> tuple[frozenset[str], frozenset[str]]:
        answer = self._call("GET", f"/v3/{self.parent}/supportedLanguages", None)
        languages = answer.get("languages") if isinstance(answer, dict) else None
        if not isinstance(languages, list):
            raise PermanentError(
                "Google Cloud Translation supportedLanguages did not list languages"
            )
        entries = [entry for entry in languages if isinstance(entry, dict)]
        return (
            http.codes(e.get("languageCode") for e in entries if e.get("supportSource")),
            http.codes(e.get("languageCode") for e in entries if e.get("supportTarget")),
        )

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[str]:
        if not texts:
            return []
        self._require(source, target)
        glossary = self.glossary(source, target)
        out: list[str] = []
        for batch in http.chunks(texts, MAX_ITEMS, MAX_CHARS, self.service):
            payload: dict = {
                "contents": batch,
                "sourceLanguageCode": self.source_code(source),
                "targetLanguageCode": self.target_code(target),
                "mimeType": "text/plain",
            }
            if glossary:
                payload["glossaryConfig"] = {"glossary": glossary}
            answer = self._call("POST", f"/v3/{self.parent}:translateText", payload)
            out.extend(self._translations(answer, len(batch), bool(glossary)))
        return out

    def _translations(self, answer: object, expected: int, glossary: bool) -> list[str]:
        # With a glossary Google answers both; the glossary's are the ones the school asked for.
        key = "glossaryTranslations" if glossary else "translations"
        items = answer.get(key) if isinstance(answer, dict) else None
        if glossary and items is None and isinstance(answer, dict):
            items = answer.get("translations")
        if (
            not isinstance(items, list)
            or len(items) != expected
            or not all(isinstance(item, dict) for item in items)
        ):
            raise PermanentError(
                "Google Cloud Translation answered a batch with a different number of texts"
            )
        return [
            str(item.get("translatedText", "")) if isinstance(item, dict) else "" for item in items
        ]

    def _headers(self) -> dict[str, str]:
        token = self.token
        if self.token_file:
            # Access tokens live an hour; whatever refreshes the file is read on each call.
            try:
                token = Path(self.token_file).read_text().strip()
            except OSError as exc:
                raise PermanentError(f"GOOGLE_TRANSLATE_TOKEN_FILE cannot be read: {exc}") from exc
        return {"Authorization": f"Bearer {token}"}

    def _call(self, method: str, path: str, payload: dict | None) -> object:
        data = None
        headers = self._headers()
        if payload is not None:
            data = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json; charset=utf-8"
        return http.call(
            self.service,
            method,
            self.url + urllib.parse.quote(path, safe="/:"),
            classify=classify,
            data=data,
            headers=headers,
            timeout=self.timeout,
            retries=self.retries,
            backoff=self.backoff,
        )
