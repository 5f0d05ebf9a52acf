"""A real HTTP server on 127.0.0.1 that plays GitHub's issue-comments API for the tests.

GET/POST /repos/{owner}/{repo}/issues/{number}/comments (paginated by per_page/page),
PATCH /repos/{owner}/{repo}/issues/comments/{id}. Comments the token's bot makes have
`user.type: "Bot"`; comments seeded as a person's cannot be edited with the token (403),
as on GitHub. Every request is recorded; a read-only token gets 403 on writes.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

BOT = {"login": "github-actions[bot]", "type": "Bot"}
_LIST = re.compile(r"^/repos/([^/]+/[^/]+)/issues/(\d+)/comments$")
_ONE = re.compile(r"^/repos/([^/]+/[^/]+)/issues/comments/(\d+)$")


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class GitHubState:
    write_token: str
    read_token: str = "read-only-token"
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    next_id: int = 1000

    def add(self, repository: str, number: int, body: str, user: dict[str, str]) -> dict[str, Any]:
        self.next_id += 1
        comment = {"id": self.next_id, "body": body, "user": dict(user), "repository": repository, "issue": number}
        self.comments[self.next_id] = comment
        return comment

    def on(self, repository: str, number: int) -> list[dict[str, Any]]:
        return [c for c in self.comments.values() if c["repository"] == repository and c["issue"] == number]


class _Handler(BaseHTTPRequestHandler):
    state: GitHubState

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _reply(self, code: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self, method: str) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        state = self.state
        state.requests.append(Request(method, url.path, parse_qs(url.query), dict(self.headers.items()), body))
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        if token not in (state.write_token, state.read_token):
            self._reply(401, {"message": "Bad credentials"})
            return
        listing, single = _LIST.match(url.path), _ONE.match(url.path)
        if method == "GET" and listing:
            query = parse_qs(url.query)
            per_page, page = int(query.get("per_page", ["30"])[0]), int(query.get("page", ["1"])[0])
            comments = sorted(state.on(listing.group(1), int(listing.group(2))), key=lambda c: c["id"])
            self._reply(200, comments[(page - 1) * per_page : page * per_page])
        elif method == "POST" and listing and isinstance(body, dict) and isinstance(body.get("body"), str):
            if token != state.write_token:
                self._reply(403, {"message": "Resource not accessible by integration"})
                return
            self._reply(201, state.add(listing.group(1), int(listing.group(2)), body["body"], BOT))
        elif method == "PATCH" and single and isinstance(body, dict) and isinstance(body.get("body"), str):
            comment = state.comments.get(int(single.group(2)))
            if comment is None or comment["repository"] != single.group(1):
                self._reply(404, {"message": "Not Found"})
            elif token != state.write_token or comment["user"] != BOT:
                self._reply(403, {"message": "Resource not accessible by integration"})
            else:
                comment["body"] = body["body"]
                self._reply(200, comment)
        else:
            self._reply(404, {"message": "Not Found"})

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")


class GitHubServer:
    def __init__(self, write_token: str) -> None:
        self.state = GitHubState(write_token=write_token)
        handler = type("Handler", (_Handler,), {"state": self.state})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
