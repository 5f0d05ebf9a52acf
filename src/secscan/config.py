"""Configuration: `secscan.toml`, or `[tool.secscan]` in pyproject.toml, validated strictly."""

from __future__ import annotations

import contextlib
import datetime as dt
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from secscan import catalog
from secscan.errors import ConfigError
from secscan.findings.model import Category, LayerName, Severity

Threshold = Literal["critical", "high", "medium", "low", "info", "none"]

DEFAULT_LAYERS: list[LayerName] = cast("list[LayerName]", catalog.default_layers())


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LicensePolicy(_Strict):
    """Which licences are findings: SPDX ids or trivy categories (forbidden, restricted, reciprocal,
    notice, permissive, unencumbered, unknown). An id beats a category; deny beats allow."""

    allow: list[str] = Field(
        default_factory=lambda: ["notice", "permissive", "unencumbered"],
        description="Licences that are no findings at all.",
    )
    deny: list[str] = Field(
        default_factory=lambda: ["forbidden", "restricted"], description="Licences that are always findings."
    )
    unlisted: Literal["report", "ignore"] = Field(
        default="report", description="What neither list names (by default: reciprocal and unknown licences)."
    )


class PolicyConfig(_Strict):
    """The gate. A threshold is the lowest severity that fails; "none" never fails."""

    secret: Threshold = "info"
    code: Threshold = "high"
    vulnerability: Threshold = "high"
    misconfiguration: Threshold = "critical"
    license: Threshold = "none"
    licenses: LicensePolicy = Field(default_factory=LicensePolicy)
    vulnerability_requires_fix: bool = Field(
        default=True, description="Only vulnerabilities with a fixed version can fail the gate."
    )
    optional_layers: list[LayerName] = Field(default_factory=list)
    fail_on_existing: bool = Field(
        default=False,
        description="--since / --baseline: findings already on the base (existing) fail the gate too, not only new.",
    )
    ai_can_fail: bool = Field(default=True, description="An AI verdict of fail fails the gate.")

    @property
    def thresholds(self) -> dict[Category, Severity | None]:
        """The lowest severity that fails, by category (None: that category never fails)."""
        given: dict[Category, Threshold] = {
            Category.SECRET: self.secret,
            Category.CODE: self.code,
            Category.VULNERABILITY: self.vulnerability,
            Category.MISCONFIGURATION: self.misconfiguration,
            Category.LICENSE: self.license,
        }
        return {category: None if value == "none" else Severity(value) for category, value in given.items()}

    def threshold(self, category: Category) -> Severity | None:
        return self.thresholds[category]


class SuppressionEntry(_Strict):
    id: str | None = None
    rule: str | None = None
    path: str | None = None
    reason: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    expires: dt.date

    @model_validator(mode="after")
    def _names_a_finding(self) -> SuppressionEntry:
        if not self.id and not self.rule:
            raise ValueError("a suppression needs `id`, or `rule` (with an optional `path` glob)")
        return self


class ScanConfig(_Strict):
    layers: list[LayerName] = Field(
        default_factory=lambda: list(DEFAULT_LAYERS), min_length=1,
        description="Layers `secscan scan` runs (an empty list would pass the gate on nothing).",
    )
    exclude: list[str] = Field(default_factory=list, description="Path globs no layer reports on.")
    timeout_s: float = Field(default=900, gt=0, allow_inf_nan=False)  # trivy needs a number of seconds
    timeouts: dict[LayerName, Annotated[float, Field(gt=0, allow_inf_nan=False)]] = Field(default_factory=dict)
    semgrep_config: list[str] = Field(
        default_factory=list, description="Extra semgrep configs (registry packs, rule files)."
    )
    trivy_db_repositories: list[str] = Field(default_factory=list)
    respect_gitignore: bool = Field(
        default=True, description="trivy skips what .gitignore excludes (semgrep does so by itself)."
    )
    cache_dir: str | None = Field(
        default=None,
        description="Result cache folder (operator config only; SECSCAN_CACHE_DIR wins; default ~/.cache/secscan).",
    )

    def timeout_for(self, layer: LayerName) -> float:
        return self.timeouts.get(layer, self.timeout_s)


class Price(_Strict):
    prompt_per_million: float = Field(ge=0)
    completion_per_million: float = Field(ge=0)


class AIConfig(_Strict):
    model: str | None = Field(default=None, description="SECSCAN_MODEL wins; default gpt-4o.")
    prompt_budget_tokens: int = Field(
        default=8000, ge=1000, description="Upper bound on prompt tokens; findings beyond it are summarized."
    )
    max_completion_tokens: int = Field(default=4096, ge=256, description="Cap on the answer (and its cost).")
    context_lines: int = Field(
        default=8, ge=0, le=40, description="Source lines each side of a code finding in the prompt, budget permitting."
    )
    timeout_s: float = Field(default=60, gt=0, description="Per HTTP attempt (reading the answer).")
    connect_timeout_s: float = Field(
        default=5, gt=0, le=60, description="Per connection attempt: an unreachable endpoint fails fast."
    )
    max_retries: int = Field(default=2, ge=0, le=10, description="SDK retries on 429, 5xx, timeouts.")
    azure_api_version: str | None = Field(
        default=None,
        description="Classic Azure OpenAI (endpoint + deployment + api-version); OPENAI_API_VERSION wins. "
        "Not needed for Azure's /openai/v1/ endpoint (set OPENAI_BASE_URL).",
    )
    prices: dict[str, Price] = Field(
        default_factory=dict, description="USD per million tokens by model name; overrides the built-in table."
    )


class SlackConfig(_Strict):
    enabled: bool = True
    max_top_findings: int = Field(default=10, ge=0, le=40, description="Top risks shown in the message.")
    api_url: str = Field(
        default="https://slack.com/api/",
        pattern=r"^https?://\S+$",
        description="Web API base URL (e.g. https://slack-gov.com/api/ for GovSlack).",
    )
    timeout_s: float = Field(default=15, gt=0, le=300, description="Per HTTP request.")
    max_retries: int = Field(
        default=2, ge=0, le=10, description="Per request, on rate limits, server errors and dropped connections."
    )
    retry_budget_s: float = Field(
        default=60, ge=0, le=600, description="No retry starts later than this after the first request."
    )
    thread_details: bool = Field(default=True, description="Web API: per-layer details as thread replies.")
    attach_report: bool = Field(default=True, description="Web API: attach report.md/report.html to the thread.")


class Config(_Strict):
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    scan: ScanConfig = Field(default_factory=ScanConfig)
    ai: AIConfig = Field(default_factory=AIConfig)
    slack: SlackConfig = Field(default_factory=SlackConfig)
    suppress: list[SuppressionEntry] = Field(default_factory=list)
    suppressions_file: str | None = None
    source: str | None = Field(default=None, exclude=True, description="Where this config was read from.")


def _one_line(error: ValidationError, where: str) -> str:
    problems = []
    for item in error.errors()[:3]:
        loc = ".".join(str(part) for part in item["loc"]) or "(top level)"
        problems.append(f"{loc}: {item['msg']}")
    more = f" (+{error.error_count() - 3} more)" if error.error_count() > 3 else ""
    return f"{where}: " + "; ".join(problems) + more


def _is_file(path: Path) -> bool:
    """Path.is_file(), false for a path the OS cannot even look up (too long, a NUL byte)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


# Deeper than any real configuration: a file nested past it is refused before anything walks it.
MAX_NESTING = 32
MAX_CONFIG_BYTES = 4 << 20


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES >> 20} MiB: not a configuration file")
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested deeper than {MAX_NESTING} levels") from None
    if _depth(document) > MAX_NESTING:
        raise ConfigError(f"{path}: nested deeper than {MAX_NESTING} levels") from None
    return document


def _depth(value: Any) -> int:
    """How deeply tables and arrays nest (iteratively: the value may be very deep)."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, level = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, level + 1)
        if deepest > MAX_NESTING:
            return deepest
        pending.extend((child, level + 1) for child in children)
    return deepest


def _section(path: Path, data: dict[str, Any]) -> dict[str, Any] | None:
    if path.name == "pyproject.toml":
        section = data.get("tool", {}).get("secscan")
        return section if isinstance(section, dict) else None
    return data


def parse_config(data: dict[str, Any], where: str) -> Config:
    try:
        return Config.model_validate({**data, "source": where})
    except ValidationError as exc:
        raise ConfigError(_one_line(exc, where)) from None


def load_config(explicit: Path | None, search_root: Path | None) -> Config:
    """--config FILE wins; else secscan.toml, else [tool.secscan] in pyproject.toml under the root."""
    if explicit is not None:
        if not _is_file(explicit):
            raise ConfigError(f"--config {explicit}: no such file")
        section = _section(explicit, read_toml(explicit))
        if section is None:
            raise ConfigError(f"{explicit}: has no [tool.secscan] table")
        config = parse_config(section, str(explicit))
        return _with_suppressions_file(config, explicit.parent)
    if search_root is not None and search_root.is_dir():
        for name in ("secscan.toml", "pyproject.toml"):
            candidate = search_root / name
            if _is_file(candidate):
                section = _section(candidate, read_toml(candidate))
                if section is not None:
                    return _with_suppressions_file(parse_config(section, str(candidate)), search_root)
    return Config()


def _with_suppressions_file(config: Config, base: Path) -> Config:
    if not config.suppressions_file:
        return config
    path = base / config.suppressions_file
    with contextlib.suppress(OSError, ValueError):  # not a path the OS can look up: load_suppressions says so
        path = path.resolve()
    return config.model_copy(update={"suppress": [*config.suppress, *load_suppressions(path)]})


def load_suppressions(path: Path) -> list[SuppressionEntry]:
    if not _is_file(path):
        raise ConfigError(f"suppressions file {path}: no such file")
    data = read_toml(path)
    entries = data.get("suppress", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: `suppress` must be an array of tables ([[suppress]])")
    try:
        return [SuppressionEntry.model_validate(entry) for entry in entries]
    except ValidationError as exc:
        raise ConfigError(_one_line(exc, str(path))) from None
