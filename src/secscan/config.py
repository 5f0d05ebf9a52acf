"""Configuration: `secscan.toml`, or `[tool.secscan]` in pyproject.toml, validated strictly.

Two sources with a trust boundary between them. *Operator* configuration (`--config FILE`,
environment variables, Dagger arguments) may set anything. *Repository* configuration (a
`secscan.toml` or `[tool.secscan]` inside the scanned tree) is written by whoever wrote the
change being gated: it may only make the gate stricter, and its exceptions (excludes,
suppressions) are recorded for every report to list. `merge_repository` is that boundary.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from secscan import catalog
from secscan.errors import ConfigError
from secscan.findings.model import Category, LayerName, Severity

Threshold = Literal["critical", "high", "medium", "low", "info", "none"]
# What exceptions that come from the scanned repository do: `honour` applies them (the findings
# they hide are `suppressed`, listed); `report` lists them and what they would hide, but the
# findings stay `new` and count toward the gate; `refuse` lists them and fails the gate.
RepositoryExceptions = Literal["honour", "report", "refuse"]
_EXCEPTIONS_STRICTNESS: dict[str, int] = {"honour": 0, "report": 1, "refuse": 2}
_THRESHOLD_RANK: dict[str, int] = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4, "none": 5}

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
    repository_exceptions: RepositoryExceptions = Field(
        default="report",
        description="What exceptions from the scanned repository do: honour, report (listed, still count), refuse.",
    )

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
        default_factory=lambda: list(DEFAULT_LAYERS),
        min_length=1,
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


class ConfigFile(_Strict):
    path: str
    role: Literal["operator", "repository"]


class Trust(_Strict):
    """What the repository's own config asked for, kept apart from what the operator set."""

    files: list[ConfigFile] = Field(default_factory=list)
    repository_exclude: list[str] = Field(default_factory=list)
    repository_suppress: list[SuppressionEntry] = Field(default_factory=list)
    repository_source: str | None = None
    warnings: list[str] = Field(default_factory=list, description="Repository values ignored because they loosen.")


class Config(_Strict):
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    scan: ScanConfig = Field(default_factory=ScanConfig)
    ai: AIConfig = Field(default_factory=AIConfig)
    slack: SlackConfig = Field(default_factory=SlackConfig)
    suppress: list[SuppressionEntry] = Field(default_factory=list)
    suppressions_file: str | None = None
    source: str | None = Field(default=None, exclude=True, description="Where this config was read from.")
    trust: Trust = Field(default_factory=Trust, exclude=True)


_RESERVED_KEYS = frozenset({"source", "trust"})  # set by the loader, never by a file


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
    reserved = sorted(_RESERVED_KEYS & set(data))
    if reserved:
        raise ConfigError(f"{where}: {reserved[0]}: Extra inputs are not permitted")
    try:
        return Config.model_validate({**data, "source": where})
    except ValidationError as exc:
        raise ConfigError(_one_line(exc, where)) from None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except (OSError, ValueError):
        return False


def _repository_file(search_root: Path) -> tuple[Path, dict[str, Any]] | None:
    """The scanned tree's own secscan.toml, else its pyproject.toml's [tool.secscan]."""
    for name in ("secscan.toml", "pyproject.toml"):
        candidate = search_root / name
        if _is_file(candidate):
            section = _section(candidate, read_toml(candidate))
            if section is not None:
                return candidate, section
    return None


def load_config(explicit: Path | None, search_root: Path | None) -> Config:
    """The operator's config (--config FILE, else the defaults), tightened by the scanned tree's own
    secscan.toml / [tool.secscan] (repository config, see `merge_repository`).

    `--config` naming the repository's own file makes it operator config: the operator chose it."""
    config = Config()
    if explicit is not None:
        if not _is_file(explicit):
            raise ConfigError(f"--config {explicit}: no such file")
        section = _section(explicit, read_toml(explicit))
        if section is None:
            raise ConfigError(f"{explicit}: has no [tool.secscan] table")
        config = _with_suppressions_file(parse_config(section, str(explicit)), explicit.parent)
        config = config.model_copy(update={"trust": Trust(files=[ConfigFile(path=str(explicit), role="operator")])})
    if search_root is not None and search_root.is_dir():
        found = _repository_file(search_root)
        if found is not None and not (explicit is not None and _same_file(found[0], explicit)):
            config = merge_repository(config, found[1], found[0], search_root)
    return config


def _stricter_threshold(operator: str, repository: str) -> bool:
    return _THRESHOLD_RANK[repository] < _THRESHOLD_RANK[operator]


def _inside(root: Path, relative: str) -> Path | None:
    """root/relative when it stays inside root (no absolute path, no `..` escape), else None."""
    try:
        resolved_root = root.resolve()
        candidate = (resolved_root / relative).resolve()
        candidate.relative_to(resolved_root)
    except (OSError, ValueError):
        return None
    return candidate


def merge_repository(operator: Config, data: dict[str, Any], path: Path, root: Path) -> Config:
    """Fold the repository's config into the operator's: only what tightens the gate is taken.

    Thresholds may only get stricter; layers, timeouts, DB repositories, AI and Slack settings
    are the operator's alone; excludes and suppressions become repository exceptions that the
    report lists (whether they apply is `policy.repository_exceptions`, an operator setting).
    Every value ignored for loosening becomes a warning every report shows."""
    where = f"repository config {path.name}"
    repository = parse_config(data, str(path))
    ignored: list[str] = []

    def ignore(key: str, why: str) -> None:
        ignored.append(f"{where}: {key} ignored ({why})")

    policy_update = _tightened_policy(operator.policy, repository.policy, ignore)
    scan_update = _tightened_scan(operator.scan, repository.scan, root, ignore)
    for section, model in (("ai", repository.ai), ("slack", repository.slack)):
        if model.model_fields_set:
            keys = ", ".join(f"{section}.{key}" for key in sorted(model.model_fields_set))
            ignore(keys, f"{section} settings (endpoints, models, budgets, prices, retries) are the operator's")

    suppress = list(repository.suppress)
    if repository.suppressions_file:
        inside = _inside(root, repository.suppressions_file)
        if inside is None:
            ignore(f"suppressions_file {repository.suppressions_file!r}", "outside the repository")
        else:
            suppress += load_suppressions(inside)

    trust = operator.trust.model_copy(
        update={
            "files": [*operator.trust.files, ConfigFile(path=str(path), role="repository")],
            "repository_exclude": [*operator.trust.repository_exclude, *repository.scan.exclude],
            "repository_suppress": [*operator.trust.repository_suppress, *suppress],
            "repository_source": path.name,
            "warnings": [*operator.trust.warnings, *ignored],
        }
    )
    return operator.model_copy(
        update={
            "policy": operator.policy.model_copy(update=policy_update),
            "scan": operator.scan.model_copy(update=scan_update),
            "trust": trust,
            "source": operator.source or str(path),
        }
    )


def _tightened_thresholds(
    op_policy: PolicyConfig, repo_policy: PolicyConfig, ignore: Callable[[str, str], None]
) -> dict[str, Any]:
    policy_update: dict[str, Any] = {}
    for key in ("secret", "code", "vulnerability", "misconfiguration", "license"):
        if key not in repo_policy.model_fields_set:
            continue
        mine, theirs = getattr(op_policy, key), getattr(repo_policy, key)
        if _stricter_threshold(mine, theirs):
            policy_update[key] = theirs
        elif theirs != mine:
            ignore(f"policy.{key} = {theirs!r}", f"looser than the operator's {mine!r}")
    if "repository_exceptions" in repo_policy.model_fields_set:
        mine_mode, theirs_mode = op_policy.repository_exceptions, repo_policy.repository_exceptions
        if _EXCEPTIONS_STRICTNESS[theirs_mode] > _EXCEPTIONS_STRICTNESS[mine_mode]:
            policy_update["repository_exceptions"] = theirs_mode
        elif theirs_mode != mine_mode:
            ignore(f"policy.repository_exceptions = {theirs_mode!r}", f"looser than the operator's {mine_mode!r}")
    return policy_update


def _tightened_policy(
    op_policy: PolicyConfig, repo_policy: PolicyConfig, ignore: Callable[[str, str], None]
) -> dict[str, Any]:
    """The policy values the repository set that are at least as strict as the operator's."""
    policy_update = _tightened_thresholds(op_policy, repo_policy, ignore)
    if "vulnerability_requires_fix" in repo_policy.model_fields_set:
        if op_policy.vulnerability_requires_fix and not repo_policy.vulnerability_requires_fix:
            policy_update["vulnerability_requires_fix"] = False
        elif repo_policy.vulnerability_requires_fix != op_policy.vulnerability_requires_fix:
            ignore("policy.vulnerability_requires_fix = true", "looser than the operator's")
    if "ai_can_fail" in repo_policy.model_fields_set:
        if repo_policy.ai_can_fail and not op_policy.ai_can_fail:
            policy_update["ai_can_fail"] = True
        elif repo_policy.ai_can_fail != op_policy.ai_can_fail:
            ignore("policy.ai_can_fail = false", "only the operator may stop the AI verdict from failing the gate")
    if "optional_layers" in repo_policy.model_fields_set:
        kept = [layer for layer in op_policy.optional_layers if layer in repo_policy.optional_layers]
        added = [layer for layer in repo_policy.optional_layers if layer not in op_policy.optional_layers]
        policy_update["optional_layers"] = kept
        if added:
            ignore(f"policy.optional_layers {added}", "only the operator may let a layer fail")

    return policy_update


def _tightened_scan(
    op_scan: ScanConfig, repo_scan: ScanConfig, root: Path, ignore: Callable[[str, str], None]
) -> dict[str, Any]:
    """The scan settings a repository may add to: rule files inside it, respect_gitignore off."""
    scan_update: dict[str, Any] = {}
    operator_only = {
        "layers": "the operator chooses the layers",
        "timeout_s": "timeouts are the operator's",
        "timeouts": "timeouts are the operator's",
        "trivy_db_repositories": "DB repositories are the operator's",
    }
    for key, why in operator_only.items():
        if key in repo_scan.model_fields_set and getattr(repo_scan, key) != getattr(op_scan, key):
            ignore(f"scan.{key}", why)
    if "respect_gitignore" in repo_scan.model_fields_set:
        if op_scan.respect_gitignore and not repo_scan.respect_gitignore:
            scan_update["respect_gitignore"] = False
        elif repo_scan.respect_gitignore != op_scan.respect_gitignore:
            ignore("scan.respect_gitignore = true", "would skip more files than the operator's setting")
    extra_rules: list[str] = []
    for rule_config in repo_scan.semgrep_config:
        remote = rule_config.startswith(("p/", "r/", "s/", "c/", "http:", "https:"))
        local = None if remote else _inside(root, rule_config)
        if local is None or not local.exists():
            ignore(f"scan.semgrep_config {rule_config!r}", "only rule files inside the repository are taken from it")
        else:
            extra_rules.append(str(local))
    if extra_rules:
        scan_update["semgrep_config"] = [*op_scan.semgrep_config, *extra_rules]

    return scan_update


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
