"""Amazon Translate: `TranslateText` over the AWS JSON 1.1 protocol, signed with SigV4.

The API takes one text a call, so a batch is as many calls, made in order. Signature
Version 4 is written out here (stdlib hmac and hashlib) and checked in the tests against
AWS's published test vectors.
"""

import datetime
import hashlib
import hmac
import json
import urllib.parse

from homeroom.languages import base_language

from . import http
from .base import PermanentError

TARGET_PREFIX = "AWSShineFrontendService_20170701."
CONTENT_TYPE = "application/x-amz-json-1.1"
SERVICE = "translate"
# TranslateText takes at most 10,000 bytes of UTF-8 in its one Text.
MAX_BYTES = 10_000

_TRANSIENT_TYPES = {
    "ThrottlingException",
    "TooManyRequestsException",
    "ServiceUnavailableException",
    "InternalServerException",
    "InternalFailure",
    "RequestTimeout",
    "RequestTimeoutException",
}


# -- Signature Version 4 ----------------------------------------------------------------------


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


def _quote(value: str) -> str:
    return urllib.parse.quote(value, safe="-_.~")


def signing_key(secret_key: str, date: str, region: str, service: str) -> bytes:
    key = _hmac(("AWS4" + secret_key).encode("utf-8"), date)
    for part in (region, service, "aws4_request"):
        key = _hmac(key, part)
    return key


def canonical_request(method: str, url: str, headers: dict[str, str], body: bytes) -> str:
    parts = urllib.parse.urlsplit(url)
    path = urllib.parse.quote(parts.path or "/", safe="/-_.~")
    pairs = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    query = "&".join(f"{_quote(k)}={_quote(v)}" for k, v in sorted(pairs))
    lines = sorted((name.lower(), " ".join(str(value).split())) for name, value in headers.items())
    canonical_headers = "".join(f"{name}:{value}\n" for name, value in lines)
    signed = ";".join(name for name, _ in lines)
    payload = hashlib.sha256(body).hexdigest()
    return "\n".join([method, path, query, canonical_headers, signed, payload])


def authorization(
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes,
    *,
    access_key: str,
    secret_key: str,
    region: str,
    service: str,
) -> str:
    """The Authorization header for a request whose `headers` include Host and X-Amz-Date."""
    amz_date = next(v for k, v in headers.items() if k.lower() == "x-amz-date")
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    request = canonical_request(method, url, headers, body)
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(request.encode()).hexdigest()]
    )
    key = signing_key(secret_key, amz_date[:8], region, service)
    signature = hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    signed = ";".join(sorted(name.lower() for name in headers))
    return (
        f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, "
        f"SignedHeaders={signed}, Signature={signature}"
    )


# -- the provider -----------------------------------------------------------------------------


def classify(refusal: http.Refusal) -> tuple[bool, str]:
    """JSON 1.1 errors: {"__type": "com.amazonaws.translate#ThrottlingException", "message"}."""
    body = refusal.body if isinstance(refusal.body, dict) else {}
    kind = str(body.get("__type", "")).rsplit("#", 1)[-1]
    message = str(body.get("message") or body.get("Message") or refusal.reason)
    if kind:
        message = f"{kind}: {message}"
    if kind in (
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "AccessDeniedException",
    ):
        message += " (check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION)"
    if kind:
        return kind in _TRANSIENT_TYPES, message
    return http.status_is_transient(refusal.status), message


class AmazonTranslateProvider(http.CloudProvider):
    name = "amazon"
    service = "Amazon Translate"

    def __init__(
        self,
        access_key: str,
        secret_key: str,
        region: str,
        session_token: str = "",
        terminologies: dict[str, str] | None = None,
        url: str = "",
        timeout: float = 10,
        retries: int = 2,
        backoff: float = 0.5,
    ) -> None:
        self.access_key = (access_key or "").strip()
        self.secret_key = (secret_key or "").strip()
        self.region = (region or "").strip()
        self.session_token = (session_token or "").strip()
        self.terminologies = terminologies or {}
        default = f"https://translate.{self.region}.amazonaws.com" if self.region else ""
        self.url = http.check_url("AWS_TRANSLATE_URL", url or default)
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff

    def missing_settings(self) -> str:
        names = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION")
        values = (self.access_key, self.secret_key, self.region)
        return ", ".join(name for name, value in zip(names, values, strict=True) if not value)

    def cache_key(self) -> str:
        return f"amazon {self.url} {self.region}"

    def load_languages(self) -> tuple[frozenset[str], frozenset[str]]:
        # Amazon Translate translates between any two languages of its list.
        languages: set[str] = set()
        token = None
        while True:
            payload: dict = {"MaxResults": 500}
            if token:
                payload["NextToken"] = token
            answer = self._call("ListLanguages", payload)
            entries = answer.get("Languages") if isinstance(answer, dict) else None
            if not isinstance(entries, list):
                raise PermanentError("Amazon Translate did not list its languages")
            languages |= http.codes(e.get("LanguageCode") for e in entries if isinstance(e, dict))
            token = answer.get("NextToken")
            if not token:
                break
        return frozenset(languages), frozenset(languages)

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[str]:
        if not texts:
            return []
        self._require(source, target)
        for text in texts:
            size = len(text.encode("utf-8"))
            if size > MAX_BYTES:
                raise PermanentError(
                    f"Amazon Translate takes at most {MAX_BYTES} bytes a text; one has {size}"
                )
        src, tgt = base_language(source), base_language(target)
        terminology = self.terminologies.get(f"{src}:{tgt}")
        out = []
        for text in texts:
            if not text.strip():
                out.append(text)  # the API refuses an empty Text
                continue
            payload: dict = {"Text": text, "SourceLanguageCode": src, "TargetLanguageCode": tgt}
            if terminology:
                payload["TerminologyNames"] = [terminology]
            answer = self._call("TranslateText", payload)
            translated = answer.get("TranslatedText") if isinstance(answer, dict) else None
            if not isinstance(translated, str):
                raise PermanentError("Amazon Translate answered without a TranslatedText")
            out.append(translated)
        return out

    def _call(self, action: str, payload: dict) -> object:
        data = json.dumps(payload).encode()
        url = self.url + "/"

        def signed_headers() -> dict[str, str]:
            now = datetime.datetime.now(datetime.UTC)
            headers = {
                "Content-Type": CONTENT_TYPE,
                "Host": urllib.parse.urlsplit(url).netloc,
                "X-Amz-Date": now.strftime("%Y%m%dT%H%M%SZ"),
                "X-Amz-Target": TARGET_PREFIX + action,
            }
            if self.session_token:
                headers["X-Amz-Security-Token"] = self.session_token
            headers["Authorization"] = authorization(
                "POST",
                url,
                headers,
                data,
                access_key=self.access_key,
                secret_key=self.secret_key,
                region=self.region,
                service=SERVICE,
            )
            return headers

        return http.call(
            self.service,
            "POST",
            url,
            classify=classify,
            data=data,
            headers=signed_headers,
            timeout=self.timeout,
            retries=self.retries,
            backoff=self.backoff,
        )
