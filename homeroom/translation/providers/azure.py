"""Microsoft Azure AI Translator (Text Translation v3.0): `POST /translate`."""

import json
import urllib.parse

from homeroom.languages import base_language

from . import http
from .base import PermanentError

DEFAULT_ENDPOINT = "https://api.cognitive.microsofttranslator.com"
API_VERSION = "3.0"
# Documented limits of one request: 1,000 array elements, 50,000 characters in all.
MAX_ITEMS = 1000
MAX_CHARS = 50_000
# Azure's names for languages Homeroom knows by their ISO 639-1 code.
CODES = {"zh": "zh-Hans", "tl": "fil"}

# Azure's six-digit codes that mean "not now" rather than "never": rate limits, a custom
# model still loading, a server error.
_TRANSIENT_CODES = {408001, 408002, 429000, 429001, 429002, 500000, 503000}


def classify(refusal: http.Refusal) -> tuple[bool, str]:
    """Errors as {"error": {"code": 400036, "message": "The target language is not valid."}}."""
    error = refusal.body.get("error") if isinstance(refusal.body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    message = str(error.get("message", "")) if isinstance(error, dict) else ""
    message = f"{code} {message or refusal.reason}" if code else message or refusal.reason
    transient = code in _TRANSIENT_CODES or http.status_is_transient(refusal.status)
    if refusal.status in (401, 403) and not transient:
        message += " (check AZURE_TRANSLATOR_KEY and AZURE_TRANSLATOR_REGION)"
    return transient, message


class AzureTranslatorProvider(http.CloudProvider):
    name = "azure"
    service = "Azure Translator"

    def __init__(
        self,
        key: str,
        region: str = "",
        endpoint: str = "",
        timeout: float = 10,
        retries: int = 2,
        backoff: float = 0.5,
    ) -> None:
        self.key = (key or "").strip()
        self.region = (region or "").strip()
        self.endpoint = http.check_url("AZURE_TRANSLATOR_ENDPOINT", endpoint or DEFAULT_ENDPOINT)
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff

    def missing_settings(self) -> str:
        return "" if self.key else "AZURE_TRANSLATOR_KEY"

    def cache_key(self) -> str:
        return f"azure {self.endpoint}"

    def source_code(self, language: str) -> str:
        base = base_language(language)
        return CODES.get(base, base)

    target_code = source_code

    def load_languages(self) -> tuple[frozenset[str], frozenset[str]]:
        # Translator translates between any two languages of its list.
        answer = self._call("GET", "/languages", {"scope": "translation"}, None)
        table = answer.get("translation") if isinstance(answer, dict) else None
        if not isinstance(table, dict):
            raise PermanentError("Azure Translator did not list its languages")
        languages = http.codes(table)
        return languages, languages

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[str]:
        if not texts:
            return []
        self._require(source, target)
        query = {"from": self.source_code(source), "to": self.target_code(target)}
        out: list[str] = []
        for batch in http.chunks(texts, MAX_ITEMS, MAX_CHARS, self.service):
            answer = self._call("POST", "/translate", query, [{"Text": text} for text in batch])
            out.extend(self._translations(answer, len(batch)))
        return out

    def _translations(self, answer: object, expected: int) -> list[str]:
        if not isinstance(answer, list) or len(answer) != expected:
            raise PermanentError(
                "Azure Translator answered a batch with a different number of texts"
            )
        out = []
        for item in answer:
            translations = item.get("translations") if isinstance(item, dict) else None
            if not translations or not isinstance(translations[0], dict):
                raise PermanentError("Azure Translator answered a text without its translation")
            out.append(str(translations[0].get("text", "")))
        return out

    def _call(self, method: str, path: str, query: dict, payload: list | None) -> object:
        url = f"{self.endpoint}{path}?" + urllib.parse.urlencode(
            {"api-version": API_VERSION, **query}
        )
        headers = {"Ocp-Apim-Subscription-Key": self.key}
        if self.region:
            headers["Ocp-Apim-Subscription-Region"] = self.region
        data = None
        if payload is not None:
            data = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json; charset=UTF-8"
        return http.call(
            self.service,
            method,
            url,
            classify=classify,
            data=data,
            headers=headers,
            timeout=self.timeout,
            retries=self.retries,
            backoff=self.backoff,
        )
