"""Trivy: dependencies, IaC misconfigurations, secrets and licences (filesystem), and images.

Severity: trivy's own CRITICAL/HIGH/MEDIUM/LOW map one to one. UNKNOWN (no
score published yet) maps to medium: not knowing is not a reason to ignore it.
Only misconfigurations with Status FAIL are findings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from secscan.errors import ParseError, ScannerError
from secscan.findings.model import Category, Evidence, Finding, LayerName, Severity, parses_redacted_input
from secscan.findings.redact import MASK, mask_env_values
from secscan.findings.secret_lines import SECRET_LINE, hide_in_trivy_document
from secscan.findings.titles import shorten
from secscan.results import LayerResult
from secscan.scanners.base import guarded, ingest, raw_text, read_report
from secscan.scanners.gitrepo import git_environment, ignored_paths
from secscan.scanners.interface import ParsedOutput, ScanContext
from secscan.scanners.process import Completed, operator_trivy_cache, probe_version, resolve_binary, run_command

OFFLINE_FLAGS = [
    "--skip-check-update",
    "--disable-telemetry",
    "--skip-version-check",
    "--offline-scan",
]
_SEVERITY = {
    "CRITICAL": Severity.CRITICAL,
    "HIGH": Severity.HIGH,
    "MEDIUM": Severity.MEDIUM,
    "LOW": Severity.LOW,
    "UNKNOWN": Severity.MEDIUM,
}
# trivy's names for results that are not files: package groups (langpkg.PkgTargets) and licence groups
_PSEUDO_TARGETS = frozenset(
    {"Python", "Conda", "Ruby", "Node.js", "Java", "Kubernetes", "OS Packages", "Loose File License(s)"}
)
_NO_FIX_YET = "No fixed version yet: assess exposure, mitigate or replace the package."
_ROTATE = (
    "Revoke and rotate this credential now, then remove it and load it from a secret store "
    "or environment variable instead."
)
_DB_FAILURE = re.compile(r"(?i)(DB error|vulnerability DB|trivy-db|failed to download|db\.Init|database)")


def _db_problem(stderr: str) -> str:
    """The gist of trivy's DB error (it nests five wrapped errors on one line)."""
    match = re.search(r"DB error:\s*([^:\n]+)", stderr)
    if match:
        return match.group(1).strip()
    return "trivy could not open or download it"


def db_unavailable_message(layer: LayerName, problem: str) -> str:
    """What failed, and the commands that fix it: pre-load the DB, point at a mirror, or go on without it."""
    return (
        f"{layer}: vulnerability DB unavailable ({problem}): no vulnerability results, other results kept. "
        "Fix: where the network is reachable run `TRIVY_CACHE_DIR=/path/to/cache trivy image --download-db-only` "
        "and give this run the same TRIVY_CACHE_DIR (or set scan.trivy_db_repositories to a reachable mirror); "
        f'or scan without it: --layers without {layer}, or policy.optional_layers = ["{layer}"] to accept the gap'
    )


def java_db_present(cache_dir: str | None) -> bool:
    """trivy's Java DB is in the cache (trivy's default cache when `cache_dir` is None)."""
    base = Path(cache_dir) if cache_dir else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "trivy"
    return (base / "java-db" / "metadata.json").is_file()


def severity_for(value: Any) -> Severity:
    return _SEVERITY.get(str(value or "UNKNOWN").upper(), Severity.MEDIUM)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _strings(value: Any) -> list[str]:
    """The strings of a list field (References, CweIDs); anything else counts as none."""
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _records(what: str) -> BeforeValidator:
    """A list of objects, or none: anything else is a malformed report (not "no findings")."""

    def check(value: Any) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise ParseError(f"trivy output has a malformed `{what}` list")
        return value

    return BeforeValidator(check)


class _Record(BaseModel):
    """One of trivy's JSON records, typed (the fields secscan reads; trivy omits empty ones)."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class TrivyVulnerability(_Record):
    VulnerabilityID: str | None = None
    PkgName: str | None = None
    PkgPath: str | None = None
    InstalledVersion: str | None = None
    FixedVersion: str | None = None
    Severity: str | None = None
    SeveritySource: str | None = None
    Title: str | None = None
    Description: str | None = None
    PrimaryURL: str | None = None
    References: list[str] | None = None
    CweIDs: list[str] | None = None
    Status: str | None = None
    CVSS: dict[str, Any] | None = None
    Layer: dict[str, Any] | None = None


class TrivyCause(_Record):
    Resource: str | None = None
    StartLine: int | None = None
    EndLine: int | None = None
    Code: dict[str, Any] | None = None

    @property
    def line(self) -> str:
        """The code line trivy marks as the cause ("" when none is)."""
        lines = (self.Code or {}).get("Lines")
        for line in lines if isinstance(lines, list) else []:
            if isinstance(line, dict) and line.get("IsCause"):
                return _text(line.get("Content")).strip()
        return ""


class TrivyMisconfiguration(_Record):
    ID: str | None = None
    AVDID: str | None = None
    Status: Any = "FAIL"
    Severity: str | None = None
    Title: str | None = None
    Message: str | None = None
    Description: str | None = None
    Resolution: str | None = None
    PrimaryURL: str | None = None
    References: list[str] | None = None
    CauseMetadata: TrivyCause | None = None


class TrivySecret(_Record):
    RuleID: str | None = None
    Severity: str | None = None
    Title: str | None = None
    Match: str | None = None
    StartLine: int | None = None
    EndLine: int | None = None


class TrivyLicense(_Record):
    Name: str | None = None
    Category: str | None = None
    PkgName: str | None = None
    FilePath: str | None = None
    Link: str | None = None
    Severity: str | None = None


class TrivyResult(_Record):
    Target: str | None = None
    Vulnerabilities: Annotated[list[TrivyVulnerability], _records("Vulnerabilities")] = []
    Misconfigurations: Annotated[list[TrivyMisconfiguration], _records("Misconfigurations")] = []
    Secrets: Annotated[list[TrivySecret], _records("Secrets")] = []
    Licenses: Annotated[list[TrivyLicense], _records("Licenses")] = []
    Packages: Any = None


class TrivyReport(_Record):
    ArtifactType: str | None = None
    ArtifactName: str | None = None
    Results: Annotated[list[TrivyResult], _records("Results")] = []
    Trivy: dict[str, Any] | None = None


def parse(data: bytes, source_root: Path | None = None, layer: LayerName = "trivy") -> ParsedOutput:
    document, _ = ingest(data, "trivy", scrub)
    return parse_document(document, source_root, layer)


def _relationships(packages: Any) -> dict[tuple[str, str], str]:
    """(name, version) -> direct/transitive, from the result's package list (trivy --list-all-pkgs)."""
    found: dict[tuple[str, str], str] = {}
    for package in packages if isinstance(packages, list) else []:
        if not isinstance(package, dict):
            continue
        relationship = package.get("Relationship")
        if relationship not in ("direct", "indirect") and package.get("Indirect") is True:
            relationship = "indirect"
        if relationship in ("direct", "indirect"):
            found[(_text(package.get("Name")).lower(), _text(package.get("Version")))] = relationship
    return found


def _cvss(vuln: TrivyVulnerability) -> tuple[float | None, str | None]:
    """The highest-priority CVSS v3 (else v4, v2) score and vector: NVD, then the severity source, then any."""
    sources = vuln.CVSS or {}
    for name in ["nvd", vuln.SeveritySource or "", *sorted(sources)]:
        entry = sources.get(name)
        if not isinstance(entry, dict):
            continue
        for version in ("V3", "V40", "V2"):
            score = entry.get(f"{version}Score")
            if isinstance(score, int | float) and score > 0:
                return float(score), _text(entry.get(f"{version}Vector"))[:120] or None
    return None, None


def _vulnerability_evidence(vuln: TrivyVulnerability, relationships: dict[tuple[str, str], str]) -> Evidence | None:
    score, vector = _cvss(vuln)
    relationship = relationships.get(((vuln.PkgName or "").lower(), vuln.InstalledVersion or ""))
    evidence = Evidence(
        cvss_score=score,
        cvss_vector=vector,
        dependency="direct" if relationship == "direct" else "transitive" if relationship == "indirect" else None,
        scanner_status=(vuln.Status or "")[:20] or None,
        image_layer=_text((vuln.Layer or {}).get("DiffID"))[:19] or None,
    )
    return evidence if evidence != Evidence() else None


def _web(primary: str | None, others: list[str] | None = None) -> list[str]:
    """The http(s) references, each once, at most ten."""
    return list(dict.fromkeys(url for url in [primary or "", *(others or [])] if url.startswith("http")))[:10]


@dataclass(frozen=True)
class _Place:
    """Where a result's findings are, worked out once per result."""

    layer: LayerName
    path: str | None  # the result's file (None: a package group, an image's OS packages)
    target: str | None  # the image, for an image's findings
    relationships: dict[tuple[str, str], str]

    def finding(self, **fields: Any) -> Finding:
        return Finding(scanner="trivy", layer=self.layer, target=self.target, **fields)


def _vulnerability(vuln: TrivyVulnerability, at: _Place) -> Finding:
    if not vuln.VulnerabilityID:
        raise ParseError("trivy vulnerability without a VulnerabilityID")
    package, fixed = vuln.PkgName or None, vuln.FixedVersion or None
    return at.finding(
        category=Category.VULNERABILITY,
        rule_id=vuln.VulnerabilityID,
        severity=severity_for(vuln.Severity),
        scanner_severity=vuln.Severity or None,
        title=shorten(vuln.Title or f"{vuln.VulnerabilityID} in {package}", 200),
        description=(vuln.Description or "")[:2000] or None,
        fix=f"Upgrade {package} to {fixed} or later." if fixed else _NO_FIX_YET,
        path=vuln.PkgPath or at.path,
        package=package,
        installed_version=vuln.InstalledVersion or None,
        fixed_version=fixed,
        references=_web(vuln.PrimaryURL, vuln.References),
        cwe=vuln.CweIDs or [],
        evidence=_vulnerability_evidence(vuln, at.relationships),
    )


def _misconfiguration(misconfig: TrivyMisconfiguration, at: _Place) -> Finding | None:
    if str(misconfig.Status).upper() != "FAIL":
        return None  # PASS and EXCEPTION results are checks that held
    check_id = misconfig.ID or misconfig.AVDID or ""
    cause = misconfig.CauseMetadata or TrivyCause()
    return at.finding(
        category=Category.MISCONFIGURATION,
        rule_id=check_id or "misconfiguration",
        severity=severity_for(misconfig.Severity),
        scanner_severity=misconfig.Severity or None,
        title=shorten(misconfig.Title or check_id, 200),
        description=(misconfig.Message or misconfig.Description or "")[:2000] or None,
        fix=misconfig.Resolution or None,
        path=at.path,
        line=_int(cause.StartLine),
        end_line=_int(cause.EndLine),
        references=_web(misconfig.PrimaryURL, misconfig.References),
        snippet=cause.line or None,
        locator=f"{cause.Resource or ''}|{_misconfig_anchor(misconfig, cause.line)}",
    )


def _misconfig_anchor(misconfig: TrivyMisconfiguration, line: str) -> str:
    """What identifies the misconfiguration in its file: the cause line, or the message when there is none
    or when the line is hidden (secret_lines: what the finding's description says instead)."""
    if line == SECRET_LINE:
        return (misconfig.Message or misconfig.Description or "")[:2000]
    return line or misconfig.Message or ""


def _secret(secret: TrivySecret, at: _Place) -> Finding:
    rule = secret.RuleID or "secret"
    return at.finding(
        category=Category.SECRET,
        rule_id=rule,
        severity=severity_for(secret.Severity),
        scanner_severity=secret.Severity or None,
        title=shorten(secret.Title or f"Secret matching {rule}", 200),
        fix=_ROTATE,
        path=at.path,
        line=_int(secret.StartLine),
        end_line=_int(secret.EndLine),
        locator=secret.Match or "",  # its stars are "REDACTED" already (`scrub`)
        cwe=["CWE-798"],
        # trivy fs reads the checked-out files: the secret is in the current code; an image's is not the repo's
        in_head=None if at.target else True,
    )


def _licence(licence: TrivyLicense, at: _Place) -> Finding:
    name, category, package = licence.Name or "unknown", licence.Category or "", licence.PkgName or None
    return at.finding(
        category=Category.LICENSE,
        rule_id=name,
        severity=severity_for(licence.Severity),
        scanner_severity=licence.Severity or None,
        title=f"{name} licence" + (f" ({category})" if category else "") + (f" in {package}" if package else ""),
        license_category=category.lower() or None,
        fix="Check the licence against your distribution model; replace the package or get approval.",
        path=licence.FilePath or at.path,
        package=package,
        references=_web(licence.Link),
    )


def _result_findings(result: TrivyResult, report: TrivyReport, layer: LayerName) -> list[Finding]:
    is_image = report.ArtifactType == "container_image" or layer == "trivy-image"
    target = result.Target or ""
    not_a_file = not target.strip() or target in _PSEUDO_TARGETS
    at = _Place(
        layer=layer,
        path=None if not_a_file or (is_image and not target.startswith("/") and " " in target) else target,
        target=(report.ArtifactName or None) if is_image else None,
        relationships=_relationships(result.Packages),
    )
    misconfigurations = (_misconfiguration(m, at) for m in result.Misconfigurations)
    return [
        *(_vulnerability(v, at) for v in result.Vulnerabilities),
        *(f for f in misconfigurations if f is not None),
        *(_secret(s, at) for s in result.Secrets),
        *(_licence(licence, at) for licence in result.Licenses),
    ]


@parses_redacted_input
def parse_document(document: Any, source_root: Path | None = None, layer: LayerName = "trivy") -> ParsedOutput:
    """Findings from a trivy report already through `ingest` (every string redacted)."""
    if not isinstance(document, dict):
        raise ParseError("trivy output is not a trivy JSON report (expected an object)")
    if "runs" in document or not ("SchemaVersion" in document or "Results" in document):
        # e.g. SARIF or CycloneDX: reading it as "no results" would pass the gate on nothing
        kind = "SARIF" if "runs" in document else "not trivy's JSON"
        raise ParseError(f"trivy output is {kind} (no SchemaVersion/Results): give the output of trivy --format json")
    try:
        report = TrivyReport.model_validate(document)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        raise ParseError(f"trivy output is malformed at {where}: {error['msg']}") from None
    findings = [finding for result in report.Results for finding in _result_findings(result, report, layer)]
    return ParsedOutput(findings=findings, version=_text((report.Trivy or {}).get("Version")) or None)


_STARS = re.compile(r"\*{3,}")
_ENV_IN_COMMAND = re.compile(r"((?:^|\s)(?:ENV|ARG)\s+)(.*)$", re.MULTILINE)


def _mask_build_command(command: str) -> str:
    def mask(match: re.Match[str]) -> str:
        assignments = re.sub(r"(\b[A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|'[^']*'|\S+)", rf"\1={MASK}", match.group(2))
        if "=" not in match.group(2):  # legacy `ENV NAME value` form
            name, _, value = match.group(2).partition(" ")
            assignments = f"{name} {MASK}" if value else name
        return match.group(1) + assignments

    return _ENV_IN_COMMAND.sub(mask, command)


def scrub(document: Any) -> Any:
    """Image env values and build history masked, secrets' code lines dropped."""
    if isinstance(document, dict):
        image_config = (
            (document.get("Metadata") or {}).get("ImageConfig") if isinstance(document.get("Metadata"), dict) else None
        )
        if isinstance(image_config, dict):
            for key in ("config", "container_config"):
                section = image_config.get(key)
                if isinstance(section, dict) and isinstance(section.get("Env"), list):
                    section["Env"] = mask_env_values(section["Env"])
            history = image_config.get("history")
            for entry in history if isinstance(history, list) else []:
                if isinstance(entry, dict) and isinstance(entry.get("created_by"), str):
                    entry["created_by"] = _mask_build_command(entry["created_by"])
        results = document.get("Results")
        for result in results if isinstance(results, list) else []:
            secrets = result.get("Secrets") if isinstance(result, dict) else None
            for secret in secrets if isinstance(secrets, list) else []:
                if isinstance(secret, dict):
                    secret.pop("Code", None)
                    if isinstance(secret.get("Match"), str):
                        secret["Match"] = _STARS.sub("REDACTED", secret["Match"])
    hide_in_trivy_document(document)
    return document


def redact_raw(data: bytes) -> str:
    """Trivy's JSON, safe to keep (see `scrub`)."""
    return raw_text(data, "trivy", scrub)


# trivy's built-in secret "allow rules" that skip whole paths (anything named *example*, test
# folders, vendor/, Markdown): a secret committed there is still a secret.
DISABLED_ALLOW_RULES = ("tests", "examples", "vendor", "markdown", "locale-dir")
OWN_SECRET_CONFIG = "disable-allow-rules:\n" + "".join(f"  - {rule}\n" for rule in DISABLED_ALLOW_RULES)


def own_control_files(workdir: Path) -> tuple[Path, Path, Path]:
    """(trivy.yaml, .trivyignore, trivy-secret.yaml) of secscan's own, in the layer's folder."""
    config = workdir / "trivy-config.yaml"
    ignorefile = workdir / "trivyignore"
    secret_config = workdir / "trivy-secret.yaml"
    config.write_text("# secscan: every setting is on the command line\n{}\n", encoding="utf-8")
    ignorefile.write_text("", encoding="utf-8")
    secret_config.write_text(OWN_SECRET_CONFIG, encoding="utf-8")
    return config, ignorefile, secret_config


def cache_dir(repositories: list[str]) -> str:
    """The operator's trivy cache; a DB from a non-default repository gets a folder of its own
    inside it, so it can never stand in for the default DB other scans read."""
    base = operator_trivy_cache()
    if not repositories:
        return base
    digest = hashlib.sha256("\n".join(repositories).encode()).hexdigest()[:16]
    return os.path.join(base, "db-repositories", digest)


_MAX_DB_VALIDITY = dt.timedelta(days=7)


def implausible_db(cache: Path, now: dt.datetime | None = None) -> str | None:
    """Why the cached DB's metadata cannot be a real trivy DB's (None when it is plausible or absent).

    A real DB promises its next update within a day or so; one that claims to be fresh for years
    would stop trivy from ever replacing it (an empty DB then hides every CVE)."""
    path = cache / "db" / "metadata.json"
    if not path.is_file():
        return None
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
        next_update = dt.datetime.fromisoformat(str(meta["NextUpdate"]).replace("Z", "+00:00"))
        updated = dt.datetime.fromisoformat(str(meta["UpdatedAt"]).replace("Z", "+00:00"))
    except (OSError, ValueError, KeyError, TypeError):
        return f"{path}: unreadable metadata"
    now = now or dt.datetime.now(dt.UTC)
    if next_update - updated > _MAX_DB_VALIDITY or next_update - now > _MAX_DB_VALIDITY:
        return f"{path}: NextUpdate {next_update.date().isoformat()} is implausibly far ahead"
    db = cache / "db" / "trivy.db"
    if not db.is_file() or db.stat().st_size == 0:
        return f"{db}: missing or empty"
    return None


class _TrivyLayer:
    binary = "trivy"
    name: LayerName
    subcommand: str
    scanners: tuple[str, ...]

    def parse(self, data: bytes, source_root: Path | None = None) -> ParsedOutput:
        return parse(data, source_root, self.name)

    def redact_raw(self, data: bytes) -> str:
        return redact_raw(data)

    def ingest(self, data: bytes) -> tuple[Any, str]:
        return ingest(data, "trivy", scrub)

    def parse_document(self, document: Any, source_root: Path | None = None) -> ParsedOutput:
        return parse_document(document, source_root, self.name)

    def command(
        self,
        binary: str,
        subject: list[str],
        report: Path,
        scanners: tuple[str, ...],
        context: ScanContext,
        skip: tuple[list[str], list[str]] = ([], []),
        *,
        own_files: tuple[Path, Path, Path] | None = None,
        cache: str | None = None,
    ) -> list[str]:
        """`own_files` (from `own_control_files`) replace the repository's trivy.yaml, .trivyignore
        and trivy-secret.yaml; `cache` is the DB cache (default: TRIVY_CACHE_DIR when set)."""
        command = [
            binary,
            self.subcommand,
            "--scanners",
            ",".join(scanners),
            "--format",
            "json",
            "--output",
            str(report),
            *OFFLINE_FLAGS,
            "--quiet",
            "--timeout",
            f"{max(1, math.ceil(context.timeout(self.name)))}s",
        ]
        if self.subcommand == "image":
            command += ["--image-config-scanners", "secret"]
        if own_files is not None:
            config, ignorefile, secret_config = own_files
            command += ["--config", str(config), "--ignorefile", str(ignorefile), "--secret-config", str(secret_config)]
        cache = cache or os.environ.get("TRIVY_CACHE_DIR")
        if cache:
            command += ["--cache-dir", cache]
        if java_db_present(cache):
            # Only then: on a first run (a fresh cache, every ephemeral CI runner) trivy refuses the
            # flag ("cannot be specified on the first run") for any target with JARs.
            command.insert(command.index("--quiet"), "--skip-java-db-update")
        for repository in context.config.scan.trivy_db_repositories:
            command += ["--db-repository", repository]
        if self.subcommand == "fs":
            for pattern in context.config.scan.exclude:
                flag = "--skip-dirs" if pattern.endswith("/**") else "--skip-files"
                command += [flag, pattern.removesuffix("/**")]
            directories, files = skip
            for directory in directories:
                command += ["--skip-dirs", directory]
            for file in files:
                command += ["--skip-files", file]
        return command + subject

    def subject(self, context: ScanContext) -> list[str]:
        raise NotImplementedError

    async def run(self, context: ScanContext) -> LayerResult:
        return await guarded(self.name, lambda version: self._run(context, version))

    async def _skip(self, context: ScanContext) -> tuple[list[str], list[str]]:
        return [], []

    async def _execute(self, binary: str, scanners: tuple[str, ...], context: ScanContext) -> tuple[Completed, Path]:
        report = context.workdir / f"{self.name}.json"
        report.unlink(missing_ok=True)
        completed = await run_command(
            self.command(
                binary,
                self.subject(context),
                report,
                scanners,
                context,
                await self._skip(context),
                own_files=own_control_files(context.workdir),
                cache=cache_dir(context.config.scan.trivy_db_repositories),
            ),
            timeout=context.timeout(self.name),
            env=git_environment(context.target.resolve()),
            cwd=context.workdir,  # never the repository: trivy reads trivy.yaml, .trivyignore … from here
            what=self.name,
            writes=(report,),
        )
        return completed, report

    async def _run(self, context: ScanContext, report_version: Any) -> LayerResult:
        binary = resolve_binary("trivy")
        version = await probe_version(binary, ["--version"], "trivy", timeout=min(60, context.timeout(self.name)))
        report_version(version)
        error = None
        scanners = self.scanners
        refused = implausible_db(Path(cache_dir(context.config.scan.trivy_db_repositories)))
        if refused:
            error = f"{self.name}: vulnerability DB refused ({refused}): no vulnerability results, other results kept"
            scanners = tuple(s for s in scanners if s != "vuln")
        completed, report = await self._execute(binary, scanners, context)
        if completed.returncode != 0 and error is None:
            stderr = completed.stderr.decode(errors="replace")
            if not _DB_FAILURE.search(stderr):
                raise ScannerError(completed.failure(self.name))
            # The vulnerability DB is out of reach: keep every other scanner's findings.
            error = db_unavailable_message(self.name, _db_problem(stderr))
            remaining = tuple(s for s in self.scanners if s != "vuln")
            completed, report = await self._execute(binary, remaining, context)
            if completed.returncode != 0:
                raise ScannerError(completed.failure(self.name))
        try:
            document, raw = ingest(read_report(report, self.name), "trivy", scrub)
            parsed = parse_document(document, context.target.resolve(), self.name)
        except ParseError as exc:
            if self.name in str(exc):
                raise
            raise ParseError(f"{self.name}: {exc}") from None  # which of the two trivy layers
        return LayerResult(
            name=self.name,
            status="error" if error else "ok",
            error=error,
            version=version,
            findings=parsed.findings,
            raw=raw,
        )


class TrivyFsLayer(_TrivyLayer):
    name: LayerName = "trivy"
    subcommand = "fs"
    scanners = ("vuln", "secret", "misconfig", "license")

    def subject(self, context: ScanContext) -> list[str]:
        return [str(context.target.resolve())]

    async def _skip(self, context: ScanContext) -> tuple[list[str], list[str]]:
        # What git ignores (virtualenvs, build output, caches) is not the project's code:
        # semgrep skips it too, and in a CI clone it does not exist at all.
        if not context.config.scan.respect_gitignore:
            return [], []
        return await ignored_paths(context.target.resolve())


class TrivyImageLayer(_TrivyLayer):
    name: LayerName = "trivy-image"
    subcommand = "image"
    scanners = ("vuln", "secret")

    def subject(self, context: ScanContext) -> list[str]:
        if context.image is None:
            raise ScannerError("trivy-image: no image given (--image TAR_OR_OCI_DIR)")
        if not context.image.exists():
            raise ScannerError(f"trivy-image: {context.image}: no such file or directory")
        return ["--input", str(context.image.resolve())]


FS_LAYER = TrivyFsLayer()
IMAGE_LAYER = TrivyImageLayer()
