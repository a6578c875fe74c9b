"""DeepL API: `POST /v2/translate`, with a glossary per pair."""

import json
import urllib.parse

from homeroom.languages import base_language

from . import http
from .base import PermanentError

PRO_URL = "https://api.deepl.com"
FREE_URL = "https://api-free.deepl.com"
# At most 50 texts a request, and a request under 128 KiB: 30,000 characters are at most
# 120,000 bytes of UTF-8, leaving room for the rest of the body.
MAX_ITEMS = 50
MAX_CHARS = 30_000
# DeepL wants a variant for some target languages; families in US schools read these.
TARGET_CODES = {"en": "EN-US", "pt": "PT-BR", "zh": "ZH"}

_REASONS = {
    403: "the key was refused (check DEEPL_API_KEY)",
    404: "no such resource (check DEEPL_GLOSSARIES)",
    413: "the request was too large",
    456: "the DeepL character quota for this billing period is used up; raise the plan's "
    "limit or wait for the next period",
}


def classify(refusal: http.Refusal) -> tuple[bool, str]:
    """Errors as {"message": "...", "detail": "..."}; 456 is the quota, and it stays spent."""
    body = refusal.body if isinstance(refusal.body, dict) else {}
    said = " ".join(str(body[k]) for k in ("message", "detail") if body.get(k))
    reason = _REASONS.get(refusal.status)
    message = f"{reason} ({said})" if reason and said else reason or said or refusal.reason
    if refusal.status == 456:
        return False, message
    return http.status_is_transient(refusal.status), message


class DeepLProvider(http.CloudProvider):
    name = "deepl"
    service = "DeepL"

    def __init__(
        self,
        api_key: str,
        glossaries: dict[str, str] | None = None,
        url: str = "",
        timeout: float = 10,
        retries: int = 2,
        backoff: float = 0.5,
    ) -> None:
        self.api_key = (api_key or "").strip()
        self.glossaries = glossaries or {}
        # Free-plan keys end in ":fx" and are only accepted by the free API's host.
        default = FREE_URL if self.api_key.endswith(":fx") else PRO_URL
        self.url = http.check_url("DEEPL_URL", url or default)
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff

    def missing_settings(self) -> str:
        return "" if self.api_key else "DEEPL_API_KEY"

    def cache_key(self) -> str:
        return f"deepl {self.url}"

    def source_code(self, language: str) -> str:
        return base_language(language).upper()

    def target_code(self, language: str) -> str:
        base = base_language(language)
        return TARGET_CODES.get(base, base.upper())

    def load_languages(self) -> tuple[frozenset[str], frozenset[str]]:
        lists = []
        for kind in ("source", "target"):
            answer = self._call("GET", f"/v2/languages?type={kind}", None)
            if not isinstance(answer, list):
                raise PermanentError(f"DeepL did not list its {kind} languages")
            lists.append(
                frozenset(
                    str(e["language"]).upper()
                    for e in answer
                    if isinstance(e, dict) and e.get("language")
                )
            )
        return lists[0], lists[1]

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[str]:
        if not texts:
            return []
        self._require(source, target)
        glossary = self.glossaries.get(f"{base_language(source)}:{base_language(target)}")
        out: list[str] = []
        for batch in http.chunks(texts, MAX_ITEMS, MAX_CHARS, self.service):
            payload: dict = {
                "text": batch,
                "source_lang": self.source_code(source),
                "target_lang": self.target_code(target),
                # Families are addressed formally (usted, Sie, vous) where the language has
                # the distinction; DeepL ignores the preference where it has not.
                "formality": "prefer_more",
            }
            if glossary:
                payload["glossary_id"] = glossary
            answer = self._call("POST", "/v2/translate", payload)
            items = answer.get("translations") if isinstance(answer, dict) else None
            if (
                not isinstance(items, list)
                or len(items) != len(batch)
                or not all(isinstance(item, dict) for item in items)
            ):
                raise PermanentError("DeepL answered a batch with a different number of texts")
            out.extend(str(item.get("text", "")) for item in items)
        return out

    def _call(self, method: str, path: str, payload: dict | None) -> object:
        headers = {"Authorization": f"DeepL-Auth-Key {self.api_key}"}
        data = None
        if payload is not None:
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        return http.call(
            self.service,
            method,
            self.url + urllib.parse.quote(path, safe="/?=&"),
            classify=classify,
            data=data,
            headers=headers,
            timeout=self.timeout,
            retries=self.retries,
            backoff=self.backoff,
        )
