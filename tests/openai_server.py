"""A real HTTP server on 127.0.0.1 that speaks the chat-completions protocol, for the AI tests.

`POST /v1/chat/completions` answers from a script (one `Reply` per request, in order; the last
one repeats), or from a function of the request. Every request is recorded: headers, raw
body, parsed JSON, arrival time. A reply can be a status with headers (429 with Retry-After,
500, 400), a hang (the client's timeout must fire), or a chat completion built by
`completion()`. Unless a reply says otherwise, the usage it reports is the o200k token count of
the prompt it received (the messages and the response format's schema), counted by quicktok's
own tokenizer, an implementation independent of the tiktoken one secscan uses, so a test can
read "what did the prompt cost" from the report like it would from OpenAI.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

OPEN = "<untrusted_findings>"
CLOSE = "</untrusted_findings>"


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Any = None  # dict -> JSON; str/bytes as is; None with 200 -> a valid empty synthesis
    headers: dict[str, str] = field(default_factory=dict)
    hang_s: float = 0.0  # sleep before answering (the client should have given up by then)
    usage: tuple[int, int] | None = None  # (prompt, completion); None: estimated from the request


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    raw: bytes
    json: Any
    at: float

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.json.get("messages", [])) if isinstance(self.json, dict) else []

    def content(self, role: str) -> str:
        return "\n".join(str(m.get("content") or "") for m in self.messages if m.get("role") == role)

    @property
    def prompt_text(self) -> str:
        """Everything the model reads: the messages, and the response format (the schema)."""
        parts = [str(m.get("content") or "") for m in self.messages]
        response_format = self.json.get("response_format") if isinstance(self.json, dict) else None
        if isinstance(response_format, dict):
            schema = (response_format.get("json_schema") or {}).get("schema")
            if schema is not None:
                parts.append(json.dumps(schema, separators=(",", ":")))
        return "\n".join(parts)


def estimate_tokens(text: str) -> int:
    """o200k tokens, as the OpenAI API would count the content (quicktok's native tokenizer)."""
    try:
        import quicktok
    except ImportError:  # pragma: no cover - the dev install has it
        return math.ceil(len(text.encode()) / 1.5)
    return len(quicktok.get_encoding("o200k_base").encode(text))


def answer(**fields: Any) -> dict[str, Any]:
    """A SynthesisOutput-shaped answer; fields override the defaults."""
    base: dict[str, Any] = {
        "summary": "Two problems need attention.",
        "risk_score": 42,
        "ai_verdict": "pass",
        "verdict_reason": "Nothing beyond the policy's findings.",
        "top_risks": [],
        "triage": [],
        "next_actions": ["Rotate the credential."],
    }
    base.update(fields)
    return base


def completion(
    content: str | dict[str, Any] | None,
    *,
    refusal: str | None = None,
    finish_reason: str = "stop",
    model: str = "gpt-4o-2024-08-06",
    choices: bool = True,
) -> dict[str, Any]:
    text = json.dumps(content) if isinstance(content, dict) else content
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": (
            [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text, "refusal": refusal},
                    "finish_reason": finish_reason,
                    "logprobs": None,
                }
            ]
            if choices
            else []
        ),
    }


Responder = Callable[[Recorded], Reply]


class OpenAIServer:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._script: list[Reply | Responder] = [Reply(body=completion(answer()))]
        self._lock = threading.Lock()
        self._stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    parsed = json.loads(raw)
                except ValueError:
                    parsed = None
                record = Recorded(self.path, dict(self.headers.items()), raw, parsed, time.monotonic())
                with server._lock:
                    server.requests.append(record)
                    step = server._script[0] if len(server._script) == 1 else server._script.pop(0)
                reply = step(record) if callable(step) else step
                if reply.hang_s:
                    server._stop.wait(reply.hang_s)
                    if server._stop.is_set():
                        return
                self._send(record, reply)

            def _send(self, record: Recorded, reply: Reply) -> None:
                body = reply.body
                if isinstance(body, dict) and "choices" in body and "usage" not in body:
                    prompt, done = reply.usage or (estimate_tokens(record.prompt_text), 120)
                    body = {
                        **body,
                        "usage": {"prompt_tokens": prompt, "completion_tokens": done, "total_tokens": prompt + done},
                    }
                if isinstance(body, dict):
                    data = json.dumps(body).encode()
                    content_type = "application/json"
                elif isinstance(body, str):
                    data, content_type = body.encode(), "text/plain"
                else:
                    data, content_type = body or b"", "application/octet-stream"
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def script(self, *replies: Reply | Responder) -> None:
        """Replies for the next requests, in order; the last one answers every request after that."""
        with self._lock:
            self._script = list(replies)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()


def error(status: int, message: str, *, code: str | None = None, headers: dict[str, str] | None = None) -> Reply:
    """An error in OpenAI's shape: {"error": {"message", "type", "param", "code"}}."""
    body = {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": code}}
    return Reply(status=status, body=body, headers=headers or {})


def untrusted_block(text: str) -> str:
    """The part of a user message between the data delimiters."""
    start = text.index(OPEN) + len(OPEN)
    return text[start : text.index(CLOSE, start)]
