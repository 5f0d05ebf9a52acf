"""What the three scanner modules share: timing, error capture, JSON loading."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson

from secscan.errors import ParseError, ScannerError
from secscan.findings.model import LayerName
from secscan.findings.redact import redact_json, redact_text
from secscan.results import LayerResult


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
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        pass  # NaN, lone surrogates, numbers out of range: the standard module decides
    try:
        return json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ParseError(f"{tool} output is not JSON ({exc.msg if hasattr(exc, 'msg') else exc})") from None
    except RecursionError:
        raise ParseError(f"{tool} output is nested too deeply to be a {tool} report") from None


def dump_json(document: Any) -> str:
    """Indented, key-sorted JSON text (orjson; the standard module where orjson refuses a value)."""
    try:
        return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode()
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)


def ingest(data: bytes, tool: str, scrub: Callable[[Any], Any]) -> tuple[Any, str]:
    """Read a scanner's JSON once: (document, raw). `scrub` does what only this scanner's schema
    tells (drop code lines, mask image env); then every string is redacted, so the parser,
    the findings and raw/ all see the redacted document and nothing needs redacting again.

    Raises ParseError when the data is not JSON; a document too deeply nested to redact
    raises it too (nothing unredacted is ever kept or parsed)."""
    document = load_json(data, tool)
    try:
        document = redact_json(scrub(document))
        return document, dump_json(document)
    except RecursionError:
        raise ParseError(f"{tool} output is nested too deeply to be a {tool} report") from None


def raw_text(data: bytes, tool: str, scrub: Callable[[Any], Any]) -> str:
    """What raw/ keeps of any output: the redacted document's text, or the redacted text
    itself when it is not JSON."""
    try:
        return ingest(data, tool, scrub)[1]
    except ParseError:
        return redact_text(data.decode(errors="replace"))


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


_INLINE = re.compile(r"(?i)\bnosem(?:grep)?\b|gitleaks:allow|trivy:ignore")


def inline_marker(text: str | None) -> str | None:
    """The inline suppression marker on a source line, if any (`nosemgrep`, `gitleaks:allow`, …)."""
    if not text:
        return None
    match = _INLINE.search(text)
    return match.group(0).lower() if match else None
