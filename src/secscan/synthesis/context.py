"""Source lines for the AI prompt: a few lines around a code finding and each dataflow step.

The scanned tree is hostile. Only regular files inside the root are read (no absolute paths,
no `..`, no symlink that leads out), at most 1 MB each, as text; every line goes through the
redactor, and a line that holds a secret finding (any layer, any status) is never sent: it is
replaced by a marker.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from secscan.findings.model import Category, Finding
from secscan.findings.redact import redact_text

MAX_FILE_BYTES = 1_000_000
MAX_LINE_CHARS = 160
WITHHELD = "[line withheld: a secret was found here]"


class SourceLines:
    def __init__(self, root: Path | None, findings: Sequence[Finding]) -> None:
        self.root = root.resolve() if root is not None else None
        self._files: dict[str, list[str] | None] = {}
        self.withheld: dict[str, set[int]] = {}
        for finding in findings:
            if finding.category is not Category.SECRET:
                continue
            if finding.path and finding.line:
                last = max(finding.line, finding.end_line or finding.line)
                self.withheld.setdefault(finding.path, set()).update(range(finding.line, last + 1))
            for sighting in finding.sightings:  # every place the same secret was seen
                if sighting.path and sighting.line:
                    self.withheld.setdefault(sighting.path, set()).add(sighting.line)

    @property
    def available(self) -> bool:
        return self.root is not None

    def holds_secret(self, path: str | None, first: int | None, last: int | None = None) -> bool:
        if not path or not first:
            return False
        lines = self.withheld.get(path, set())
        return any(n in lines for n in range(first, (last or first) + 1))

    def _read(self, path: str) -> list[str] | None:
        if path in self._files:
            return self._files[path]
        lines = self._load(path)
        self._files[path] = lines
        return lines

    def _load(self, path: str) -> list[str] | None:
        if self.root is None:
            return None
        relative = PurePosixPath(path)
        if relative.is_absolute() or ".." in relative.parts or not relative.parts:
            return None
        try:
            candidate = (self.root / relative).resolve()
            if not candidate.is_relative_to(self.root) or not candidate.is_file():
                return None
            if candidate.stat().st_size > MAX_FILE_BYTES:
                return None
            data = candidate.read_bytes()
        except (OSError, ValueError):
            return None
        if b"\0" in data:
            return None  # binary
        return data.decode("utf-8", errors="replace").splitlines()

    def around(self, path: str | None, line: int | None, radius: int, end_line: int | None = None) -> list[str]:
        """`N: code` for lines line-radius .. end_line+radius, redacted, secret lines withheld."""
        if not path or not line:
            return []
        lines = self._read(path)
        if not lines:
            return []
        first = max(1, line - radius)
        last = min(len(lines), max(line, end_line or line) + radius)
        withheld = self.withheld.get(path, set())
        shown = []
        for number in range(first, last + 1):
            if number in withheld:
                text = WITHHELD
            else:
                text = redact_text(lines[number - 1].rstrip())
                if len(text) > MAX_LINE_CHARS:
                    text = text[: MAX_LINE_CHARS - 1] + "…"
            shown.append(f"{number}: {text}")
        # Leading and trailing blank lines carry nothing.
        while shown and shown[0].endswith(": "):
            shown.pop(0)
        while shown and shown[-1].endswith(": "):
            shown.pop()
        return shown
