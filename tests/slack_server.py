"""A real HTTP server on 127.0.0.1 that plays Slack for the tests.

It serves an incoming webhook (`/webhook`), the Web API methods secscan uses
(`/api/chat.postMessage`, `/api/files.getUploadURLExternal`,
`/api/files.completeUploadExternal`) and the upload URLs it hands out (`/upload/<id>`).
Like Slack, it rejects messages that break Block Kit's limits (`invalid_blocks`).
Every request is recorded; replies can be scripted per path (429, 500, dropped connections,
slow answers).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl

CHANNEL_ID = "C0SECSCAN"

# Slack's limits, written out independently of the code under test.
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_CONTEXT_ELEMENTS = 10
MAX_BLOCKS_CHARS = 12_000


def block_problems(blocks: Any) -> list[str]:
    """Every way these blocks break Slack's limits (empty when Slack would accept them)."""
    if not isinstance(blocks, list):
        return ["blocks is not a list"]
    problems = []
    if len(blocks) > MAX_BLOCKS:
        problems.append(f"{len(blocks)} blocks > {MAX_BLOCKS}")
    size = len(json.dumps(blocks, ensure_ascii=False))
    if size > MAX_BLOCKS_CHARS:
        problems.append(f"blocks are {size} characters > {MAX_BLOCKS_CHARS}")
    for index, block in enumerate(blocks):
        kind = block.get("type")
        check = _BLOCK_CHECKS.get(kind)
        where = f"block {index} ({kind})"
        problems += [f"{where}: {p}" for p in check(block)] if check else [f"{where}: unexpected block type"]
    return problems


def _header_problems(block: dict[str, Any]) -> list[str]:
    text = block.get("text", {})
    problems = [] if text.get("type") == "plain_text" else ["header text must be plain_text"]
    if len(text.get("text", "")) > MAX_HEADER_TEXT:
        problems.append(f"header text {len(text['text'])} > {MAX_HEADER_TEXT}")
    return problems


def _section_problems(block: dict[str, Any]) -> list[str]:
    text, fields = block.get("text"), block.get("fields")
    problems = ["neither text nor fields"] if text is None and not fields else []
    if text is not None and len(text.get("text", "")) > MAX_SECTION_TEXT:
        problems.append(f"text {len(text['text'])} > {MAX_SECTION_TEXT}")
    if fields is not None and len(fields) > MAX_FIELDS:
        problems.append(f"{len(fields)} fields > {MAX_FIELDS}")
    for item in fields or []:
        if len(item.get("text", "")) > MAX_FIELD_TEXT:
            problems.append(f"field {len(item['text'])} > {MAX_FIELD_TEXT}")
    return problems


def _context_problems(block: dict[str, Any]) -> list[str]:
    elements = block.get("elements", [])
    if not elements or len(elements) > MAX_CONTEXT_ELEMENTS:
        return [f"{len(elements)} elements (1..{MAX_CONTEXT_ELEMENTS})"]
    return []


_BLOCK_CHECKS: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "header": _header_problems,
    "section": _section_problems,
    "context": _context_problems,
    "divider": lambda block: [],
}


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes | str | dict[str, Any] = b"ok"
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the connection without answering
    delay_s: float = 0.0  # answer this late


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.text, keep_blank_values=True))

    def payload(self) -> dict[str, Any]:
        """The message a webhook or chat.postMessage request carries (JSON or form-encoded)."""
        if self.headers.get("content-type", "").startswith("application/json"):
            data: dict[str, Any] = self.json()
            return data
        form: dict[str, Any] = self.form()
        if isinstance(form.get("blocks"), str):
            form["blocks"] = json.loads(form["blocks"])
        return form


class SlackServer:
    """`with SlackServer() as slack:` starts it on a free port; `slack.received` has every request."""

    def __init__(self, token: str = "xoxb-test-token") -> None:
        self.token = token
        self.received: list[Received] = []
        self._scripted: dict[str, deque[Reply]] = {}
        self._always: dict[str, Reply] = {}
        self._lock = threading.Lock()
        self._counter = 0
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    # ---------------------------------------------------------------- lifecycle and addresses

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def webhook_url(self) -> str:
        return f"{self.url}/webhook"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    # ---------------------------------------------------------------- scripting

    def script(self, path: str, *replies: Reply) -> None:
        """These replies first, in order, for requests to `path`; then the normal behaviour."""
        with self._lock:
            self._scripted.setdefault(path, deque()).extend(replies)

    def always(self, path: str, reply: Reply) -> None:
        with self._lock:
            self._always[path] = reply

    # ---------------------------------------------------------------- what was received

    def requests_to(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.path == path]

    def messages(self) -> list[dict[str, Any]]:
        """Every message payload received (webhook posts and chat.postMessage calls), in order."""
        with self._lock:
            received = list(self.received)
        return [r.payload() for r in received if r.path in ("/webhook", "/api/chat.postMessage")]

    # ---------------------------------------------------------------- behaviour

    def _next_id(self) -> int:
        with self._lock:
            self._counter += 1
            return self._counter

    def _reply_for(self, request: Received) -> Reply:
        with self._lock:
            queue = self._scripted.get(request.path)
            if queue:
                return queue.popleft()
            if request.path in self._always:
                return self._always[request.path]
        if request.path == "/webhook":
            problems = block_problems(request.payload().get("blocks", []))
            return Reply(400, "invalid_blocks") if problems else Reply(200, "ok")
        if request.path.startswith("/upload/"):
            return Reply(200, f"OK - {len(request.body)}")
        if request.path.startswith("/api/"):
            if request.headers.get("authorization") != f"Bearer {self.token}":
                return Reply(200, {"ok": False, "error": "invalid_auth"})
            return self._api(request.path.removeprefix("/api/"), request)
        return Reply(404, "not found")

    def _api(self, method: str, request: Received) -> Reply:
        if method == "chat.postMessage":
            payload = request.payload()
            if block_problems(payload.get("blocks", [])):
                return Reply(200, {"ok": False, "error": "invalid_blocks"})
            ts = f"1700000000.{self._next_id():06d}"
            return Reply(200, {"ok": True, "channel": CHANNEL_ID, "ts": ts, "message": {"ts": ts}})
        if method == "files.getUploadURLExternal":
            form = request.form()
            if not form.get("filename") or not form.get("length", "").isdigit():
                return Reply(200, {"ok": False, "error": "invalid_arguments"})
            file_id = f"F{self._next_id():06d}"
            return Reply(200, {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id})
        if method == "files.completeUploadExternal":
            files = json.loads(request.form().get("files", "[]"))
            return Reply(200, {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]})
        return Reply(200, {"ok": False, "error": "unknown_method"})

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Received(
                    method="POST",
                    path=self.path.split("?", 1)[0],
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                with server._lock:
                    server.received.append(request)
                reply = server._reply_for(request)
                time.sleep(reply.delay_s)
                if reply.drop:
                    self.close_connection = True
                    return
                data = reply.body
                if isinstance(data, dict):
                    payload, content_type = json.dumps(data).encode(), "application/json; charset=utf-8"
                else:
                    payload = data.encode() if isinstance(data, str) else data
                    content_type = "text/plain; charset=utf-8"
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up first (timeout tests)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
