"""What every scanner layer looks like: how it runs, how its output is parsed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from secscan.config import Config
from secscan.findings.model import Finding, LayerName

# Re-exported for code written before these moved to secscan.results; import them from there.
from secscan.results import LayerResult as LayerResult
from secscan.results import LayerStatus as LayerStatus


class ParsedOutput(BaseModel):
    """A scanner's output, parsed: findings, the errors the scanner reported inside it (they fail the
    layer), and its notes (warnings it reported: shown, never failing)."""

    model_config = ConfigDict(frozen=True)

    findings: list[Finding] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    version: str | None = None


@dataclass(frozen=True)
class ScanContext:
    """Everything a layer needs to run against a target."""

    target: Path
    workdir: Path
    config: Config
    image: Path | None = None
    semgrep_configs: tuple[str, ...] = field(default_factory=tuple)
    # --since: the commits gitleaks walks (`base..head`, both full shas) and the files semgrep scans
    commit_range: str | None = None
    paths: tuple[str, ...] | None = None

    def timeout(self, layer: LayerName) -> float:
        return self.config.scan.timeout_for(layer)


class Layer(Protocol):
    """One scanner layer. Each module in `scanners/` provides one or two of these."""

    name: LayerName
    binary: str

    async def run(self, context: ScanContext) -> LayerResult:
        """Run the scanner; never raises: every failure becomes `status: error`."""
        ...

    def parse(self, data: bytes, source_root: Path | None = None) -> ParsedOutput:
        """Parse the scanner's JSON output; raises ParseError on unusable input."""
        ...

    def redact_raw(self, data: bytes) -> str:
        """The scanner's own output with every secret value masked, for `raw/`."""
        ...

    def ingest(self, data: bytes) -> tuple[Any, str]:
        """Read the output once: (the document with every string redacted, its raw/ text).
        Raises ParseError when it is not JSON."""
        ...

    def parse_document(self, document: Any, source_root: Path | None = None) -> ParsedOutput:
        """`parse` on a document from `ingest`; raises ParseError on an unusable shape."""
        ...
