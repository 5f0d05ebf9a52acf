"""Hostile repositories: git repositories built at run time by someone who wants the gate open.

Each technique gets its own repository holding one real (generated) secret or vulnerable line,
plus the trick that tries to hide it, steal a credential or point secscan somewhere else.
`Listener` is a loopback HTTP server that records every request: the canary credentials put
in secscan's environment must never reach it.
"""

from __future__ import annotations

import json
import secrets
import string
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from canaries import github_pat
from planted_repo import GIT_ENV
from reliability_support import Run, real_scanner_env, secscan


def git(path: Path, *args: str) -> str:
    import os

    done = subprocess.run(
        ["git", "-C", str(path), *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **GIT_ENV},
    )
    return done.stdout.strip()


@dataclass
class Hostile:
    """A hostile repository: `secret` is committed in it (in `secret_path`)."""

    root: Path
    secret: str
    secret_path: str

    def write(self, relative: str, content: str | bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    def commit(self, message: str = "change") -> None:
        git(self.root, "add", "-A")
        git(self.root, "commit", "-q", "--no-verify", "-m", message)


def hostile_repo(root: Path, secret_path: str = "config.py", *, commit: bool = True) -> Hostile:
    """A git repository with one GitHub token committed in `secret_path` (the gate must fail on it)."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    token = github_pat().value
    repo = Hostile(root, token, secret_path)
    repo.write(secret_path, f'TOKEN = "{token}"\n')
    if commit:
        repo.commit("add config")
    return repo


def canary(prefix: str) -> str:
    return prefix + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Listener:
    """A loopback HTTP server that accepts anything and records it."""

    requests: list[Request] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def received(self, *values: str) -> list[str]:
        """Which of `values` arrived in any request (path, headers or body)."""
        seen = []
        for request in self.requests:
            blob = request.path + json.dumps(request.headers) + request.body.decode(errors="replace")
            seen += [value for value in values if value in blob]
        return seen


@contextmanager
def listener() -> Iterator[Listener]:
    record = Listener()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            record.requests.append(Request(self.command, self.path, dict(self.headers), body))
            payload = b'{"ok": true, "ts": "1.0", "channel": "C1"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = _any

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    record.server = server
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield record
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Canaries:
    openai: str
    slack: str
    webhook_path: str

    def values(self) -> list[str]:
        return [self.openai, self.slack, self.webhook_path]


def make_canaries() -> Canaries:
    return Canaries(openai=canary("sk-canary"), slack=canary("canary-slack-"), webhook_path=canary("/hooks/"))


def scan(
    repo: Path,
    out: Path,
    trivy_cache: Path,
    *args: str,
    layers: str = "gitleaks",
    env: dict[str, str] | None = None,
) -> Run:
    """`secscan scan REPO --layers LAYERS` with the real scanners, offline."""
    full_env = real_scanner_env(trivy_cache, **(env or {}))
    argv = ["scan", str(repo), "--layers", layers, *args]
    return secscan(*argv, env=full_env, out=out, timeout=600)


def outputs_text(out: Path) -> dict[str, str]:
    return {name: (out / name).read_text(encoding="utf-8") for name in ("report.json", "report.md", "report.html")}


def assert_shown_everywhere(run: Run, fragment: str) -> None:
    """A warning or an exception is in report.json, report.md, report.html and on the terminal."""
    assert run.out is not None
    for name, text in outputs_text(run.out).items():
        if name == "report.html":
            import html

            text = html.unescape(text)
        assert fragment in text, f"{fragment!r} not in {name}"
    assert fragment in " ".join(run.stderr.split()), f"{fragment!r} not on the terminal:\n{run.stderr[-3000:]}"


def secret_found(run: Run, repo: Hostile) -> bool:
    return any(f["category"] == "secret" and f["status"] == "new" for f in run.report["findings"])
