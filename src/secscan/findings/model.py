"""The one finding model every scanner is normalized into."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import Enum
from functools import wraps
from typing import Any, Literal, ParamSpec, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field, model_validator

from secscan import catalog
from secscan.findings.redact import redact_text


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
# The literals spell out secscan.catalog for type checkers (tests/test_catalog.py keeps them equal).
LAYER_NAMES: tuple[LayerName, ...] = cast("tuple[LayerName, ...]", catalog.layer_names())


def _redacted_strings(data: Any) -> Any:
    """A model's input with its string fields redacted (a model made from text not redacted yet)."""
    if not isinstance(data, dict) or _FROM_REDACTED_INPUT.get():
        return data
    return {key: redact_text(value) if isinstance(value, str) else value for key, value in data.items()}


class Suppression(BaseModel):
    """Why a finding is suppressed: a suppressions-file entry, or the scanner's own inline marker.
    Redacted when it is made, like a Finding (a reason can quote what it hides)."""

    model_config = ConfigDict(frozen=True)

    reason: str
    owner: str | None = None
    expires: str | None = None
    source: Literal["policy", "inline", "repository"] = "policy"

    @model_validator(mode="before")
    @classmethod
    def _redacted(cls, data: Any) -> Any:
        return _redacted_strings(data)


class FlowStep(BaseModel):
    """One step of a semgrep dataflow trace: where tainted data comes from, passes, and lands."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["source", "step", "sink"]
    path: str | None = None
    line: int | None = None
    content: str = ""


class Evidence(BaseModel):
    """What a scanner said about a finding beyond the contract's fields: the context a reviewer
    (and the AI synthesis) needs to judge it. Not written to report.json."""

    model_config = ConfigDict(frozen=True)

    confidence: str | None = None  # semgrep rule metadata
    likelihood: str | None = None
    impact: str | None = None
    flow: list[FlowStep] = Field(default_factory=list)
    cvss_score: float | None = None  # trivy
    cvss_vector: str | None = None
    dependency: Literal["direct", "transitive"] | None = None
    scanner_status: str | None = None  # trivy's Status: fixed, affected, will_not_fix, ...
    image_layer: str | None = None


class Triage(BaseModel):
    """The AI's per-finding label and its one-line reason (redacted when it is made)."""

    model_config = ConfigDict(frozen=True)

    label: Literal["likely_true_positive", "likely_false_positive", "needs_review"]
    reason: str

    @model_validator(mode="before")
    @classmethod
    def _redacted(cls, data: Any) -> Any:
        return _redacted_strings(data)


class Risk(BaseModel):
    """A finding's place in the ranking (policy.risk): the score 0-100 and the factors that made it."""

    model_config = ConfigDict(frozen=True)

    score: int
    factors: list[str] = Field(default_factory=list)


class Sighting(BaseModel):
    """One place a secret was seen: a commit (with the refs that contain it), a file and line."""

    model_config = ConfigDict(frozen=True)

    commit: str | None = None
    refs: list[str] = Field(default_factory=list)
    path: str | None = None
    line: int | None = None
    date: str | None = Field(default=None, description="the commit's author date (ISO 8601)")
    in_head: bool | None = Field(default=None, description="this place is in the HEAD tree")


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
    sightings: list[Sighting] = Field(
        default_factory=list,
        description="secrets: every commit/ref/path/line where the same value was seen; path/line/commit "
        "above are the most relevant one",
    )
    refs: list[str] = Field(
        default_factory=list, description="secrets: the branches/tags holding the commit of path/line/commit"
    )
    on_scanned_branch: bool | None = Field(
        default=None, description="secrets: false when seen only on other branches (see refs)"
    )
    expired: bool | None = Field(default=None, description="a token whose expiry date has passed (JWT `exp`)")
    in_comment: bool | None = Field(default=None, description="the secret's line in HEAD is a comment")
    confidence: str | None = Field(default=None, description="the rule's own confidence (high, medium, low)")
    risk: Risk | None = Field(default=None, description="the risk model's score and factors: the report's order")
    license_category: str | None = Field(
        default=None, description="licences: trivy's category (forbidden, restricted, reciprocal, notice, ...)"
    )
    suppression: Suppression | None = None
    # The model's advisory label (contract: `triage`); never read by the gate or the policy.
    triage: Triage | None = None
    evidence: Evidence | None = Field(default=None, exclude=True, repr=False)
    # Stable content the fingerprint is computed from (code line, resource, redacted match);
    # never a secret, never a line number.
    locator: str = Field(default="", exclude=True, repr=False)
    # A keyed hash of a secret's value (HMAC with a per-run key, never the value): one finding per secret.
    identity: str | None = Field(default=None, exclude=True, repr=False)

    @model_validator(mode="before")
    @classmethod
    def _redacted(cls, data: Any) -> Any:
        """A finding is redacted when it is made, whoever makes it: every output can then
        write it as it is. Strings the scanners' documents gave are redacted already
        (`scanners.base.ingest`), so this costs a memo lookup per field for them."""
        if not isinstance(data, dict) or _FROM_REDACTED_INPUT.get():
            return data
        return {
            key: redact_text(value)
            if isinstance(value, str) and key not in _VERBATIM
            else [redact_text(v) if isinstance(v, str) else v for v in value]
            if isinstance(value, list)
            else value
            for key, value in data.items()
        }

    @property
    def location(self) -> str:
        if self.path is None:
            return self.target or ""
        return f"{self.path}:{self.line}" if self.line else self.path


# Values from closed sets or made by secscan itself: nothing to mask.
_VERBATIM = frozenset(
    {
        "id",
        "scanner",
        "category",
        "severity",
        "status",
        "layer",
        "commit",
        "line",
        "end_line",
        "identity",
        "sightings",
        "risk",
    }
)


_FROM_REDACTED_INPUT: ContextVar[bool] = ContextVar("secscan_from_redacted_input", default=False)
_P = ParamSpec("_P")
_R = TypeVar("_R")


@contextmanager
def made_from_redacted_input() -> Iterator[None]:
    """Findings made inside are built only from text that was redacted already (a scanner
    document through `scanners.base.ingest`, source lines read through `redact_text`):
    the per-field check at construction is skipped (100,000 findings: seconds)."""
    token = _FROM_REDACTED_INPUT.set(True)
    try:
        yield
    finally:
        _FROM_REDACTED_INPUT.reset(token)


def parses_redacted_input(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """Decorator form of `made_from_redacted_input`, for a scanner's `parse_document`."""

    @wraps(function)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with made_from_redacted_input():
            return function(*args, **kwargs)

    return wrapper
