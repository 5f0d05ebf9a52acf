"""report.json: the whole result. Field names up to `usage` are the contract's."""

from __future__ import annotations

from collections import Counter
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from secscan.config import ConfigFile, RepositoryExceptions
from secscan.findings.model import Finding, LayerName, Severity
from secscan.findings.redact import redact_text
from secscan.policy.exceptions import ExceptionEntry
from secscan.synthesis.model import Synthesis, Usage


class LayerReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: LayerName
    status: Literal["ok", "error", "skipped"]
    error: str | None = None
    version: str | None = None
    findings: int = 0
    duration_s: float = 0.0
    notes: list[str] = Field(default_factory=list)
    cached: bool = Field(default=False, description="the result was reused from the result cache")
    scope: str | None = Field(default=None, description="--since: what this layer scanned (null: everything)")


class RawLayer(BaseModel):
    """One layer as raw/manifest.json records it: enough to judge it again from raw/."""

    model_config = ConfigDict(frozen=True)

    name: LayerName
    status: Literal["ok", "error", "skipped"]
    error: str | None = None
    version: str | None = None
    notes: list[str] = Field(default_factory=list)
    file: str | None = Field(default=None, description="its raw output beside the manifest, if any")


class RawManifest(BaseModel):
    """raw/manifest.json: each layer's status, error and version beside the raw outputs, so
    `secscan report --raw DIR` gives the verdict the run gave (a layer that failed still fails)."""

    model_config = ConfigDict(frozen=True)

    manifest_version: Literal[1] = 1
    secscan_version: str
    layers: list[RawLayer]

    @classmethod
    def of(cls, report: Report, raw_files: set[str]) -> RawManifest:
        return cls(
            secscan_version=report.secscan_version,
            layers=[
                RawLayer(
                    name=layer.name,
                    status=layer.status,
                    error=redact_text(layer.error) if layer.error else None,
                    version=layer.version,
                    notes=[redact_text(note) for note in layer.notes],
                    file=f"{layer.name}.json" if layer.name in raw_files else None,
                )
                for layer in report.layers
            ],
        )


class Target(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: str | None = None
    repository: str | None = None
    ref: str | None = None
    commit: str | None = None
    image: str | None = None
    run_url: str | None = None


class DiffReport(BaseModel):
    """--since: the change this report is about, and what it brought in."""

    model_config = ConfigDict(frozen=True)

    since: str = Field(description="the base as asked (a ref, or what --since auto found)")
    merge_base: str
    head: str
    changed_files: int
    new: int = Field(description="findings this change brought in (they can fail the gate)")
    existing: int = Field(description="findings already on the base")
    summary: str


class Delivery(BaseModel):
    """What happened to a notification (Slack)."""

    model_config = ConfigDict(frozen=True)

    status: Literal["sent", "failed", "skipped"]
    detail: str | None = None


class ConfigProvenance(BaseModel):
    """Which config files this run used, and what repository exceptions were allowed to do."""

    model_config = ConfigDict(frozen=True)

    files: list[ConfigFile] = Field(default_factory=list)
    repository_exceptions: RepositoryExceptions = "report"


class Report(BaseModel):
    model_config = ConfigDict(frozen=True)

    schema_version: Literal[1] = 1
    verdict: Literal["pass", "fail"]
    reasons: list[str]
    layers: list[LayerReport]
    findings: list[Finding]
    synthesis: Synthesis
    usage: Usage | None = None

    secscan_version: str
    generated_at: str = Field(description="the only field that differs between two runs on the same input")
    mode: Literal["scan", "report"]
    target: Target = Field(default_factory=Target)
    counts: dict[str, dict[str, int]] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)
    slack: Delivery | None = None
    pr_comment: Delivery | None = Field(default=None, description="the pull request comment (GitHub), when one was due")
    diff: DiffReport | None = None
    config: ConfigProvenance = Field(default_factory=ConfigProvenance)
    exceptions: list[ExceptionEntry] = Field(
        default_factory=list, description="each exclusion or suppression: its source, whether it applied, what it hid"
    )

    def exceptions_hid_anything(self) -> bool:
        """True when an applied exception removed or suppressed a finding (a report must not say clean)."""
        applied = any(e.applied and (e.hid or e.files) for e in self.exceptions)
        return applied or any(f.status == "suppressed" for f in self.findings)

    def new_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.status == "new"]


def count_findings(findings: list[Finding]) -> dict[str, dict[str, int]]:
    """Counts by severity, by layer, by category and by status (all keys present, sorted)."""
    by_severity = Counter(f.severity.value for f in findings if f.status != "suppressed")
    by_layer = Counter(f.layer for f in findings if f.status != "suppressed")
    by_category = Counter(f.category.value for f in findings if f.status != "suppressed")
    by_status = Counter(f.status for f in findings)
    return {
        "severity": {s.value: by_severity.get(s.value, 0) for s in Severity},
        "layer": dict(sorted(by_layer.items())),
        "category": dict(sorted(by_category.items())),
        "status": {s: by_status.get(s, 0) for s in ("new", "existing", "suppressed")},
    }


def describe_exception(entry: ExceptionEntry) -> str:
    """One line for an exception: who set it, where, whether it applied, what it hid."""
    state = "applied" if entry.applied else "listed, not applied"
    hid = f"{len(entry.hid)} finding(s)" + (f", {entry.files} file(s) matched" if entry.files else "")
    verb = "hid" if entry.applied else "would hide"
    return f"[{entry.origin}, {state}] {entry.kind} {entry.pattern!r} from {entry.source}: {verb} {hid}"


def exceptions_notice(report: Report) -> str | None:
    """What to say instead of "no findings" when exceptions removed something."""
    if not report.exceptions_hid_anything():
        return None
    hidden = sum(len(e.hid) for e in report.exceptions if e.applied)
    files = sum(e.files or 0 for e in report.exceptions if e.applied and e.kind == "exclude")
    return f"exceptions hid {hidden} finding(s) and excluded {files} file(s): see the exceptions list"
