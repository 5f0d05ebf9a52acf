"""What the three scanner modules share: timing, error capture, JSON loading."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from secscan.errors import ParseError, ScannerError
from secscan.findings.model import LayerName
from secscan.findings.redact import redact_json, redact_text
from secscan.scanners.interface import LayerResult


async def guarded(name: LayerName, body: Callable[[Callable[[str], None]], Awaitable[LayerResult]]) -> LayerResult:
    """Run a layer body; any failure becomes a one-line `status: error` result, never an exception.

    The body reports the scanner version through the callback as soon as it knows it,
    so an error later on still carries the version.
    """
    started = time.perf_counter()
    version: list[str] = []
    try:
        result = await body(version.append)
    except ScannerError as exc:
        message = " ".join(redact_text(str(exc)).split())  # one line, whatever the scanner said
        return LayerResult(
            name=name,
            status="error",
            # every message starts with its layer (trivy and trivy-image share a binary and a parser)
            error=message if message.startswith(name) else f"{name}: {message}",
            version=version[-1] if version else None,
            duration_s=round(time.perf_counter() - started, 3),
        )
    except Exception as exc:  # noqa: BLE001 - a bug of ours must still fail closed, not crash the run
        return LayerResult(
            name=name,
            status="error",
            error=" ".join(redact_text(f"{name}: internal error: {type(exc).__name__}: {exc}").split())[:400],
            version=version[-1] if version else None,
            duration_s=round(time.perf_counter() - started, 3),
        )
    return result.model_copy(update={"duration_s": round(time.perf_counter() - started, 3)})


def load_json(data: bytes, tool: str) -> Any:
    if not data.strip():
        raise ParseError(f"{tool} produced no output")
    try:
        return json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ParseError(f"{tool} output is not JSON ({exc.msg if hasattr(exc, 'msg') else exc})") from None
    except RecursionError:
        raise ParseError(f"{tool} output is nested too deeply to be a {tool} report") from None


def dump_redacted(document: Any, tool: str) -> str:
    """A parsed scanner document for raw/, every string redacted; a note instead when it is
    nested too deeply to walk (nothing unredacted is ever kept)."""
    try:
        return json.dumps(redact_json(document), indent=1, sort_keys=True)
    except RecursionError:
        return json.dumps({"secscan": f"{tool} output nested too deeply to redact: not kept"})


def read_report(path: Path, tool: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ParseError(f"{tool} wrote no report file") from None
    except OSError as exc:
        raise ParseError(f"{tool} report unreadable: {exc.strerror or exc}") from None


def read_source_line(root: Path | None, relative: str | None, line: int | None) -> str | None:
    """The line as it is in the scanned file (semgrep no longer returns it), redacted."""
    if root is None or relative is None or not line or line < 1:
        return None
    try:
        candidate = (root / relative).resolve()
        candidate.relative_to(root.resolve())
        with candidate.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if number == line:
                    text = raw[:500].decode(errors="replace").strip()
                    return redact_text(text)
    except (OSError, ValueError):
        return None
    return None
