"""The one finding model every scanner is normalized into."""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Severity(str, Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse: critical=4 … info=0."""
        return _RANK[self]

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank


_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}


class Category(str, Enum):
    SECRET = "secret"
    CODE = "code"
    VULNERABILITY = "vulnerability"
    MISCONFIGURATION = "misconfiguration"
    LICENSE = "license"


ScannerName = Literal["gitleaks", "semgrep", "trivy"]
LayerName = Literal["gitleaks", "semgrep", "trivy", "trivy-image"]
FindingStatus = Literal["new", "existing", "suppressed"]
LAYER_NAMES: tuple[LayerName, ...] = ("gitleaks", "semgrep", "trivy", "trivy-image")


class Suppression(BaseModel):
    """Why a finding is suppressed: a suppressions-file entry, or the scanner's own inline marker."""

    model_config = ConfigDict(frozen=True)

    reason: str
    owner: str | None = None
    expires: str | None = None
    source: Literal["policy", "inline"] = "policy"


class Finding(BaseModel):
    """A normalized finding. Fields up to `status` are the contract's; the rest are extras."""

    model_config = ConfigDict(frozen=True)

    id: str = ""
    scanner: ScannerName
    category: Category
    rule_id: str
    severity: Severity
    title: str
    path: str | None = None
    line: int | None = None
    commit: str | None = None
    package: str | None = None
    installed_version: str | None = None
    fixed_version: str | None = None
    status: FindingStatus = "new"

    layer: LayerName
    scanners: list[ScannerName] = Field(default_factory=list)
    end_line: int | None = None
    description: str | None = None
    fix: str | None = None
    references: list[str] = Field(default_factory=list)
    cwe: list[str] = Field(default_factory=list)
    owasp: list[str] = Field(default_factory=list)
    snippet: str | None = None
    scanner_severity: str | None = None
    target: str | None = None
    in_head: bool | None = None
    suppression: Suppression | None = None
    # Stable content the fingerprint is computed from (code line, resource, redacted match);
    # never a secret, never a line number.
    locator: str = Field(default="", exclude=True, repr=False)

    @property
    def location(self) -> str:
        if self.path is None:
            return self.target or ""
        return f"{self.path}:{self.line}" if self.line else self.path
