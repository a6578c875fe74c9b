"""A small LibreTranslate on loopback that speaks the documented API, for the provider tests.

GET /languages, POST /translate (q a string or a list), POST /detect; errors as
{"error": "..."} with 400 (bad language), 403 (bad key), 429 and 500. Failures can be
scripted: `server.fail_next(429, 500)` answers the next two requests with those codes.
"""

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

LANGUAGES = [
    {"code": "en", "name": "English", "targets": ["es", "vi", "ar", "so", "fr", "zh"]},
    {"code": "es", "name": "Spanish", "targets": ["en", "vi"]},
    {"code": "vi", "name": "Vietnamese", "targets": ["en", "es"]},
    {"code": "ar", "name": "Arabic", "targets": ["en"]},
]


class FakeLibreTranslate:
    def __init__(self, api_key: str | None = None, delay: float = 0.0) -> None:
        self.api_key = api_key
        self.delay = delay
        self.requests: list[tuple[str, str, dict]] = []
        self._failures: deque[int] = deque()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def fail_next(self, *statuses: int) -> None:
        self._failures.extend(statuses)

    def paths(self) -> list[str]:
        return [f"{method} {path}" for method, path, _ in self.requests]

    def start(self) -> "FakeLibreTranslate":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):
                fake.requests.append(("GET", self.path, {}))
                if self._scripted_failure():
                    return
                if self.path == "/languages":
                    self._send(200, LANGUAGES)
                else:
                    self._send(404, {"error": "Not Found"})

            def do_POST(self):
                body = self._body()
                fake.requests.append(("POST", self.path, body))
                if fake.delay:
                    time.sleep(fake.delay)
                if self._scripted_failure():
                    return
                if fake.api_key is not None and body.get("api_key") != fake.api_key:
                    self._send(403, {"error": "Invalid API key"})
                elif self.path == "/translate":
                    self._translate(body)
                elif self.path == "/detect":
                    self._send(200, [{"confidence": 92.0, "language": "vi"}])
                else:
                    self._send(404, {"error": "Not Found"})

            def _translate(self, body):
                source, target, q = body.get("source"), body.get("target"), body.get("q")
                codes = {entry["code"]: entry["targets"] for entry in LANGUAGES}
                if source not in codes and source != "auto":
                    self._send(400, {"error": f"{source} is not supported"})
                elif source != "auto" and target not in codes[source]:
                    self._send(400, {"error": f"{target} is not supported"})
                elif q is None:
                    self._send(400, {"error": "Invalid request: missing q parameter"})
                elif isinstance(q, list):
                    self._send(200, {"translatedText": [f"<{target}> {t}" for t in q]})
                else:
                    self._send(200, {"translatedText": f"<{target}> {q}"})

            def _scripted_failure(self) -> bool:
                if not fake._failures:
                    return False
                status = fake._failures.popleft()
                messages = {429: "Slowdown: 1 per 1 second", 500: "Cannot translate text"}
                self._send(status, {"error": messages.get(status, "error")})
                return True

            def _body(self) -> dict:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    return json.loads(raw or b"{}")
                return {k: v[0] for k, v in parse_qs(raw.decode()).items()}

            def _send(self, status: int, payload) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
