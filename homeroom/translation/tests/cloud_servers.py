"""Loopback servers speaking the documented contracts of the cloud translation services.

Each "translates" a text as "<target> text", checks credentials the way its service does,
refuses what its service refuses (an unknown language, too many texts), and answers
errors in its service's own shape. `server.fail_next(429, 500, retry_after=1)` answers the
next requests with those statuses; `server.requests` keeps every request for the tests.
"""

import hashlib
import hmac
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: object
    raw: bytes = field(repr=False, default=b"")


@dataclass
class Answer:
    status: int
    payload: object
    headers: dict[str, str] = field(default_factory=dict)


class FakeCloud:
    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.requests: list[Seen] = []
        self._cut = False
        self._failures: deque[tuple[int, str | None, object]] = deque()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def fail_next(self, *statuses: int, retry_after: str | None = None, code=None) -> None:
        """Answer the next requests with these statuses (`code`: the service's error code)."""
        self._failures.extend((status, retry_after, code) for status in statuses)

    def cut_next(self) -> None:
        """Cut the next answer short: the headers promise more body than is sent."""
        self._cut = True

    def paths(self) -> list[str]:
        return [f"{seen.method} {seen.path}" for seen in self.requests]

    def start(self):
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- what a subclass speaks ---------------------------------------------------------------

    def answer(self, seen: Seen) -> Answer:
        raise NotImplementedError

    def error(self, status: int, message: str, code=None) -> object:
        raise NotImplementedError

    def translated(self, text: str, target: str) -> str:
        return f"<{target}> {text}"

    # -- plumbing -----------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        seen = Seen(
            method,
            parts.path,
            {k: v[0] for k, v in parse_qs(parts.query).items()},
            {k.lower(): v for k, v in handler.headers.items()},
            body,
            raw,
        )
        self.requests.append(seen)
        if self.delay:
            time.sleep(self.delay)
        if self._failures:
            status, retry_after, code = self._failures.popleft()
            answer = Answer(status, self.error(status, "scripted failure", code))
            if retry_after is not None:
                answer.headers["Retry-After"] = retry_after
        else:
            answer = self.answer(seen)
        data = json.dumps(answer.payload).encode()
        declared = len(data)
        if self._cut:
            self._cut = False
            data = data[: len(data) // 2]
            handler.close_connection = True
        try:
            handler.send_response(answer.status)
            handler.send_header("Content-Type", "application/json; charset=utf-8")
            handler.send_header("Content-Length", str(declared))
            for name, value in answer.headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the time-out tests)

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):
                fake._handle(self, "GET")

            def do_POST(self):
                fake._handle(self, "POST")

        return Handler


# -- Google Cloud Translation v3 --------------------------------------------------------------

GOOGLE_LANGUAGES = [
    {"languageCode": "en", "supportSource": True, "supportTarget": True},
    {"languageCode": "es", "supportSource": True, "supportTarget": True},
    {"languageCode": "vi", "supportSource": True, "supportTarget": True},
    {"languageCode": "ar", "supportSource": True, "supportTarget": True},
    {"languageCode": "zh-CN", "supportSource": True, "supportTarget": True},
    {"languageCode": "ht", "supportSource": True, "supportTarget": False},
]
_GOOGLE_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


class FakeGoogle(FakeCloud):
    """`{parent}:translateText`, `{parent}/supportedLanguages`; google.rpc.Status errors."""

    def __init__(self, project="homeroom-district", token="ya29.token", glossaries=(), **kw):
        super().__init__(**kw)
        self.project = project
        self.token = token
        self.glossaries = set(glossaries)  # full resource names

    def error(self, status, message, code=None):
        return {
            "error": {"code": status, "message": message, "status": code or _GOOGLE_STATUS[status]}
        }

    def answer(self, seen):
        if seen.headers.get("authorization") != f"Bearer {self.token}":
            return Answer(401, self.error(401, "Request had invalid authentication credentials."))
        parent = f"/v3/projects/{self.project}/locations/"
        if not seen.path.startswith(parent):
            return Answer(403, self.error(403, "Permission denied on resource project."))
        if seen.method == "GET" and seen.path.endswith("/supportedLanguages"):
            return Answer(200, {"languages": GOOGLE_LANGUAGES})
        if seen.method == "POST" and seen.path.endswith(":translateText"):
            return self._translate(seen.body or {})
        return Answer(404, self.error(404, "Method not found."))

    def _translate(self, body):
        contents = body.get("contents")
        targets = {e["languageCode"] for e in GOOGLE_LANGUAGES if e["supportTarget"]}
        target = body.get("targetLanguageCode")
        if not isinstance(contents, list) or not contents:
            return Answer(400, self.error(400, "Empty contents."))
        if len(contents) > 1024:
            return Answer(400, self.error(400, "Number of text segments exceeds the limit."))
        if body.get("mimeType") not in (None, "text/plain", "text/html"):
            return Answer(400, self.error(400, "Unsupported mime type."))
        if target not in targets:
            return Answer(400, self.error(400, "Target language is invalid."))
        answer = {
            "translations": [{"translatedText": self.translated(t, target)} for t in contents]
        }
        glossary = (body.get("glossaryConfig") or {}).get("glossary")
        if glossary:
            if glossary not in self.glossaries:
                return Answer(404, self.error(404, f"Glossary not found: {glossary}"))
            answer["glossaryTranslations"] = [
                {
                    "translatedText": f"<{target} glossary> {t}",
                    "glossaryConfig": {"glossary": glossary},
                }
                for t in contents
            ]
        return Answer(200, answer)


# -- what every provider must keep ------------------------------------------------------------

PROTECTED = "Ana's conference with Mr. Bell is on Friday, October 3 at 6:30 pm in Rising Stars."
# For Spanish readers the date and time are rendered in Spanish before the engine sees them.
KEPT_IN_SPANISH = ("Ana", "Sr. Bell", "viernes 3 de octubre", "6:30 p. m.", "Rising Stars")
NEVER_SENT = ("Ana", "Bell", "October", "6:30", "Rising Stars")


def sent_texts(server: FakeCloud) -> list[str]:
    """Every text the server was asked to translate, whatever the request's shape."""
    texts: list[str] = []
    for seen in server.requests:
        body = seen.body
        if isinstance(body, dict):
            for key in ("contents", "text", "Text"):
                value = body.get(key)
                texts.extend(value if isinstance(value, list) else [value] if value else [])
        elif isinstance(body, list):
            texts.extend(item.get("Text", "") for item in body if isinstance(item, dict))
    return texts


# -- Azure Translator v3.0 --------------------------------------------------------------------

AZURE_LANGUAGES = ("en", "es", "vi", "ar", "zh-Hans", "fil")
_AZURE_MESSAGES = {
    400: (400000, "One of the request inputs is not valid."),
    401: (401000, "The request is not authorized because credentials are missing or invalid."),
    429: (
        429001,
        "The server rejected the request because the client has exceeded request limits.",
    ),
    500: (500000, "An unexpected error occurred."),
    503: (503000, "Service is temporarily unavailable."),
}


class FakeAzure(FakeCloud):
    """`POST /translate?api-version=3.0&from&to`, `GET /languages`; six-digit error codes."""

    def __init__(self, key="azure-key", region="eastus", **kw):
        super().__init__(**kw)
        self.key = key
        self.region = region

    def error(self, status, message, code=None):
        default_code, default_message = _AZURE_MESSAGES.get(status, (status * 1000, message))
        if message == "scripted failure":
            message = default_message
        return {"error": {"code": code or default_code, "message": message}}

    def answer(self, seen):
        if seen.query.get("api-version") != "3.0":
            return Answer(
                400, self.error(400, "The API version parameter is missing or invalid.", 400021)
            )
        if seen.method == "GET" and seen.path == "/languages":
            table = {
                code: {"name": code, "nativeName": code, "dir": "ltr"} for code in AZURE_LANGUAGES
            }
            return Answer(200, {"translation": table})
        if seen.method != "POST" or seen.path != "/translate":
            return Answer(404, self.error(404, "The requested resource was not found.", 404000))
        if seen.headers.get("ocp-apim-subscription-key") != self.key:
            return Answer(401, self.error(401, "scripted failure"))
        if self.region and seen.headers.get("ocp-apim-subscription-region") != self.region:
            return Answer(401, self.error(401, "The region of the resource is missing.", 401015))
        source, target, body = seen.query.get("from"), seen.query.get("to"), seen.body
        if source not in AZURE_LANGUAGES:
            return Answer(400, self.error(400, "The source language is not valid.", 400035))
        if target not in AZURE_LANGUAGES:
            return Answer(400, self.error(400, "The target language is not valid.", 400036))
        if not isinstance(body, list) or len(body) > 1000:
            return Answer(400, self.error(400, "The array can have at most 1000 elements.", 400077))
        if sum(len(item.get("Text", "")) for item in body) > 50_000:
            return Answer(400, self.error(400, "The request is too long.", 400050))
        return Answer(
            200,
            [
                {"translations": [{"text": self.translated(item["Text"], target), "to": target}]}
                for item in body
            ],
        )


# -- Amazon Translate (AWS JSON 1.1, SigV4) -----------------------------------------------------

AMAZON_LANGUAGES = ("en", "es", "vi", "ar", "zh", "tl", "ht", "so")
_AMAZON_ERRORS = {
    400: "ValidationException",
    429: "ThrottlingException",
    500: "InternalServerException",
    503: "ServiceUnavailableException",
}


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def sigv4_signature(seen: Seen, secret: str, region: str, service: str) -> tuple[str, str]:
    """(SignedHeaders, Signature) a request with these headers should carry, computed the
    way AWS's documentation spells it out, independently of the provider's code."""
    signed = seen.headers["authorization"].split("SignedHeaders=")[1].split(",")[0]
    names = signed.split(";")
    canonical = "\n".join(
        [
            seen.method,
            quote(seen.path, safe="/-_.~"),
            "&".join(
                f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}"
                for k, v in sorted(seen.query.items())
            ),
            "".join(f"{name}:{' '.join(seen.headers[name].split())}\n" for name in names),
            signed,
            hashlib.sha256(seen.raw).hexdigest(),
        ]
    )
    amz_date = seen.headers["x-amz-date"]
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    to_sign = (
        f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    )
    key = _hmac(f"AWS4{secret}".encode(), amz_date[:8])
    for part in (region, service, "aws4_request"):
        key = _hmac(key, part)
    return signed, hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


class FakeAmazon(FakeCloud):
    """TranslateText and ListLanguages on `POST /`, chosen by X-Amz-Target; SigV4 checked."""

    def __init__(
        self, access_key="AKIDHOMEROOM", secret_key="homeroom-secret", region="us-east-1", **kw
    ):
        super().__init__(**kw)
        self.access_key = access_key
        self.secret_key = secret_key
        self.region = region
        self.terminologies = {"school-terms"}

    def error(self, status, message, kind=None):
        kind = kind or _AMAZON_ERRORS.get(status, "InternalServerException")
        return {"__type": f"com.amazonaws.translate#{kind}", "message": message}

    def _refuse(self, kind, message, status=400):
        return Answer(status, self.error(status, message, kind), {"x-amzn-ErrorType": kind})

    def answer(self, seen):
        auth = seen.headers.get("authorization", "")
        day = seen.headers.get("x-amz-date", "")[:8]
        credential = f"Credential={self.access_key}/{day}/{self.region}/translate/aws4_request"
        if not auth.startswith("AWS4-HMAC-SHA256 ") or credential not in auth:
            return self._refuse(
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
            )
        signed, signature = sigv4_signature(seen, self.secret_key, self.region, "translate")
        if not {"host", "x-amz-date", "x-amz-target"} <= set(
            signed.split(";")
        ) or not auth.endswith(f"Signature={signature}"):
            return self._refuse(
                "InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided.",
            )
        if (
            seen.method != "POST"
            or seen.path != "/"
            or seen.headers.get("content-type") != "application/x-amz-json-1.1"
        ):
            return self._refuse("UnknownOperationException", "Unknown operation")
        action = seen.headers.get("x-amz-target", "")
        body = seen.body if isinstance(seen.body, dict) else {}
        if action == "AWSShineFrontendService_20170701.ListLanguages":
            return self._languages(body)
        if action == "AWSShineFrontendService_20170701.TranslateText":
            return self._translate(body)
        return self._refuse("UnknownOperationException", f"Unknown operation {action}")

    def _languages(self, body):
        # Two pages, to make the client follow NextToken.
        codes = list(AMAZON_LANGUAGES)
        page = codes[4:] if body.get("NextToken") == "page-2" else codes[:4]
        answer = {"Languages": [{"LanguageCode": c, "LanguageName": c} for c in page]}
        if not body.get("NextToken"):
            answer["NextToken"] = "page-2"
        return Answer(200, answer)

    def _translate(self, body):
        text, source, target = (
            body.get("Text"),
            body.get("SourceLanguageCode"),
            body.get("TargetLanguageCode"),
        )
        if not isinstance(text, str) or not text or len(text.encode()) > 10_000:
            return self._refuse(
                "ValidationException",
                "1 validation error detected: Value at 'text' failed to satisfy constraint",
            )
        if source not in AMAZON_LANGUAGES or target not in AMAZON_LANGUAGES or target == "so":
            return self._refuse(
                "UnsupportedLanguagePairException",
                f"Unsupported language pair: {source} to {target}.",
            )
        names = body.get("TerminologyNames") or []
        if any(name not in self.terminologies for name in names):
            return self._refuse(
                "ResourceNotFoundException", "The resource you are looking for has not been found."
            )
        prefix = f"<{target} terms>" if names else f"<{target}>"
        answer = {
            "TranslatedText": f"{prefix} {text}",
            "SourceLanguageCode": source,
            "TargetLanguageCode": target,
        }
        if names:
            answer["AppliedTerminologies"] = [{"Name": name, "Terms": []} for name in names]
        return Answer(200, answer)


# -- DeepL API v2 -----------------------------------------------------------------------------

DEEPL_SOURCES = ("EN", "ES", "AR", "ZH", "PT", "FR")
DEEPL_TARGETS = ("EN-US", "EN-GB", "ES", "AR", "ZH", "PT-BR", "PT-PT", "FR")
_DEEPL_MESSAGES = {
    400: "Bad request",
    403: "Authorization failure, check auth_key",
    429: "Too many requests",
    456: "Quota exceeded",
    500: "Internal server error",
    503: "Service unavailable",
}


class FakeDeepL(FakeCloud):
    """`POST /v2/translate`, `GET /v2/languages?type=`; errors as {"message": ...}."""

    def __init__(self, key="deepl-key:fx", glossaries=("gl-school-es",), **kw):
        super().__init__(**kw)
        self.key = key
        self.glossaries = set(glossaries)

    def error(self, status, message, code=None):
        if message == "scripted failure":
            message = _DEEPL_MESSAGES.get(status, "error")
        return {"message": message}

    def answer(self, seen):
        if seen.headers.get("authorization") != f"DeepL-Auth-Key {self.key}":
            return Answer(403, self.error(403, _DEEPL_MESSAGES[403]))
        if seen.method == "GET" and seen.path == "/v2/languages":
            codes = DEEPL_TARGETS if seen.query.get("type") == "target" else DEEPL_SOURCES
            return Answer(
                200, [{"language": c, "name": c, "supports_formality": False} for c in codes]
            )
        if seen.method == "POST" and seen.path == "/v2/translate":
            return self._translate(seen.body if isinstance(seen.body, dict) else {})
        return Answer(404, self.error(404, "Not found"))

    def _translate(self, body):
        texts, source, target = body.get("text"), body.get("source_lang"), body.get("target_lang")
        if not isinstance(texts, list) or not texts:
            return Answer(400, self.error(400, "Parameter 'text' not specified."))
        if len(texts) > 50:
            return Answer(413, self.error(413, "Request Entity Too Large"))
        if source not in DEEPL_SOURCES:
            return Answer(400, self.error(400, "Value for 'source_lang' not supported."))
        if target not in DEEPL_TARGETS:
            return Answer(400, self.error(400, "Value for 'target_lang' not supported."))
        if body.get("formality") not in (
            None,
            "default",
            "more",
            "less",
            "prefer_more",
            "prefer_less",
        ):
            return Answer(400, self.error(400, "Invalid formality."))
        glossary = body.get("glossary_id")
        if glossary and glossary not in self.glossaries:
            return Answer(404, self.error(404, "Glossary not found"))
        prefix = f"<{target} glossary>" if glossary else f"<{target}>"
        return Answer(
            200,
            {
                "translations": [
                    {"detected_source_language": source, "text": f"{prefix} {t}"} for t in texts
                ]
            },
        )
