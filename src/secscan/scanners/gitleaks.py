"""Gitleaks: secrets over the full git history (or a plain folder's files).

Severity: gitleaks has none. A credential for a cloud provider, a code host, a
payment or messaging API, or a private key is `critical`; every other secret
(generic API keys, passwords, JWTs) is `high`. The default policy fails on any.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from secscan.errors import ParseError, ScannerError
from secscan.findings.model import Category, Finding, LayerName, Severity, parses_redacted_input
from secscan.findings.redact import MASK, register_secret
from secscan.findings.titles import title_from_message
from secscan.results import LayerResult
from secscan.scanners.base import guarded, ingest, raw_text, read_report
from secscan.scanners.gitrepo import git, git_environment
from secscan.scanners.interface import ParsedOutput, ScanContext
from secscan.scanners.process import last_meaningful_line, probe_version, resolve_binary, run_command

CRITICAL_RULE_PREFIXES = (
    "private-key", "aws-", "gcp-", "azure-", "github-", "gitlab-", "stripe-", "slack-",
    "openai-", "anthropic-", "npm-", "pypi-", "digitalocean-", "heroku-", "twilio-",
    "sendgrid-", "shopify-", "hashicorp-", "doppler-", "databricks-",
)
_REDACTED = {"", "REDACTED", MASK}


def severity_for(rule_id: str) -> Severity:
    return Severity.CRITICAL if rule_id.lower().startswith(CRITICAL_RULE_PREFIXES) else Severity.HIGH


class GitleaksItem(BaseModel):
    model_config = ConfigDict(extra="allow")

    RuleID: str
    Description: str = ""
    StartLine: int = 0
    EndLine: int = 0
    Match: str = ""
    Secret: str = ""
    File: str = ""
    Commit: str = ""
    Tags: list[str] | None = None


def _title(item: GitleaksItem) -> str:
    return title_from_message(item.Description, f"Secret matching {item.RuleID}")


def _relative(path: str, root: Path | None) -> str:
    """`gitleaks dir /abs/root` reports absolute paths: make them relative to the scanned root."""
    if root is None or not path.startswith("/"):
        return path
    try:
        return str(PurePosixPath(path).relative_to(root.as_posix()))
    except ValueError:
        return path


def parse(data: bytes, source_root: Path | None = None) -> ParsedOutput:
    document, _ = ingest(data, "gitleaks", scrub)
    return parse_document(document, source_root)


@parses_redacted_input
def parse_document(document: Any, source_root: Path | None = None) -> ParsedOutput:
    """Findings from a gitleaks report already through `ingest` (secrets masked)."""
    if document is None:
        document = []
    if not isinstance(document, list):
        raise ParseError("gitleaks output is not a JSON array of findings")
    findings = []
    for index, raw in enumerate(document):
        try:
            item = GitleaksItem.model_validate(raw)
        except ValidationError as exc:
            raise ParseError(f"gitleaks finding #{index + 1} is malformed: {exc.errors()[0]['msg']}") from None
        findings.append(
            Finding(
                scanner="gitleaks",
                layer="gitleaks",
                category=Category.SECRET,
                rule_id=item.RuleID,
                severity=severity_for(item.RuleID),
                scanner_severity=None,
                title=_title(item),
                description=item.Description or None,
                fix="Revoke and rotate this credential now, then remove it from the code and "
                "its git history; load it from a secret store or environment variable instead.",
                path=_relative(item.File, source_root) or None,
                line=item.StartLine or None,
                end_line=item.EndLine or None,
                commit=item.Commit or None,
                locator=item.Match,  # the secret in it is masked (`scrub`)
                cwe=["CWE-798"],
            )
        )
    return ParsedOutput(findings=findings)


def scrub(document: Any) -> Any:
    """Mask each finding's secret wherever it appears in that finding, as `--redact` does
    (a report written without it), and remember the value so no output can repeat it."""
    if not isinstance(document, list):
        return document
    cleaned = []
    for item in document:
        if isinstance(item, dict):
            secret = item.get("Secret")
            if isinstance(secret, str) and secret not in _REDACTED:
                register_secret(secret)
                item = {key: value.replace(secret, "REDACTED") if isinstance(value, str) else value for key, value in item.items()}
            if "Secret" in item:
                item["Secret"] = "REDACTED"
        cleaned.append(item)
    return cleaned


def redact_raw(data: bytes) -> str:
    return raw_text(data, "gitleaks", scrub)


async def _repository_root(target: Path) -> Path | None:
    try:
        code, out, err = await git(["rev-parse", "--show-toplevel"], target)
    except ScannerError as exc:
        if "cannot start git" in str(exc):
            raise ScannerError("gitleaks: git is not installed; it is needed to scan history") from None
        raise
    if code != 0:
        if "dubious ownership" in err:
            raise ScannerError(f"gitleaks: git refuses {target} (dubious ownership); run as the repository's owner")
        return None
    return Path(out).resolve()


async def in_head(findings: list[Finding], repo: Path) -> list[Finding]:
    """Mark each history finding with whether its line is still in HEAD (git blame, one per file)."""
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.path and finding.commit:
            by_path[finding.path].append(finding)
    # (commit, line in that commit) -> line in HEAD, for every line of HEAD
    alive: dict[str, dict[tuple[str, int], int]] = {}
    for path in by_path:
        if "\ufffd" in path:
            continue  # a name that is not UTF-8 arrives mangled: git cannot look it up, in_head stays unknown
        code, out, _ = await git(["blame", "--porcelain", "HEAD", "--", path], repo)
        lines: dict[tuple[str, int], int] = {}
        if code == 0:
            for header in re.finditer(r"^([0-9a-f]{40}) (\d+) (\d+)", out, re.MULTILINE):
                lines[(header.group(1), int(header.group(2)))] = int(header.group(3))
        alive[path] = lines
    updated = []
    for finding in findings:
        if finding.path in alive and finding.commit:
            head_line = alive[finding.path].get((finding.commit, finding.line or 0))
            update: dict[str, Any] = {"in_head": head_line is not None}
            if head_line is not None and finding.line and head_line != finding.line:
                # Still in HEAD, but moved since that commit: report where it is now (where trivy
                # sees it, where the fix goes), so the two scanners' findings still merge.
                update["line"] = head_line
                if finding.end_line:
                    update["end_line"] = finding.end_line + head_line - finding.line
            finding = finding.model_copy(update=update)
        updated.append(finding)
    return updated


# gitleaks logs what it could not scan (`7:27PM ERR [git] fatal: unable to read <sha>`) and still
# exits 0 with the findings of what it did read: those lines make the layer's result incomplete.
_LOGGED_ERROR = re.compile(r"^(?:\S+\s+)?(?:ERR|FTL)\s+(\S.*)$")


def logged_errors(stderr: bytes) -> list[str]:
    """The ERR/FTL lines gitleaks logged (ANSI colours stripped, redacted)."""
    found = []
    for line in stderr.decode(errors="replace").splitlines():
        match = _LOGGED_ERROR.match(last_meaningful_line(line, 300))
        if match:
            found.append(match.group(1))
    return found


class GitleaksLayer:
    name: LayerName = "gitleaks"
    binary = "gitleaks"

    def parse(self, data: bytes, source_root: Path | None = None) -> ParsedOutput:
        return parse(data, source_root)

    def redact_raw(self, data: bytes) -> str:
        return redact_raw(data)

    def ingest(self, data: bytes) -> tuple[Any, str]:
        return ingest(data, "gitleaks", scrub)

    def parse_document(self, document: Any, source_root: Path | None = None) -> ParsedOutput:
        return parse_document(document, source_root)

    def command(self, binary: str, mode: str, target: Path, report: Path) -> list[str]:
        return [
            binary, mode, str(target),
            "--redact", "--report-format", "json", "--report-path", str(report),
            "--exit-code", "2", "--no-banner", "--log-level", "error",
        ]

    async def run(self, context: ScanContext) -> LayerResult:
        return await guarded("gitleaks", lambda version: self._run(context, version))

    async def _run(self, context: ScanContext, report_version: Any) -> LayerResult:
        binary = resolve_binary("gitleaks")
        version = await probe_version(binary, ["version"], "gitleaks", timeout=min(60, context.timeout("gitleaks")))
        report_version(version)
        target = context.target.resolve()
        notes: list[str] = []
        repo = await _repository_root(target)
        mode = "dir"
        if repo is not None:
            code, shallow, _ = await git(["rev-parse", "--is-shallow-repository"], target)
            if code == 0 and shallow == "true":
                raise ScannerError(
                    "gitleaks: shallow clone, history cannot be scanned: fetch the full history "
                    "(actions/checkout fetch-depth: 0, or git fetch --unshallow)"
                )
            has_head, _, _ = await git(["rev-parse", "--verify", "-q", "HEAD"], target)
            if has_head != 0:
                notes.append("repository has no commits yet: scanned the files only")
            elif repo != target:
                notes.append(f"{target} is inside the repository {repo}: scanned its files only, not history")
            else:
                mode = "git"
        else:
            notes.append("not a git repository: scanned the files only (no history)")
        report = context.workdir / "gitleaks.json"
        report.unlink(missing_ok=True)
        completed = await run_command(
            self.command(binary, mode, target, report),
            timeout=context.timeout("gitleaks"),
            env=git_environment(target),
            what="gitleaks",
        )
        if completed.returncode not in (0, 2):
            raise ScannerError(completed.failure("gitleaks"))
        document, raw = ingest(read_report(report, "gitleaks"), "gitleaks", scrub)
        parsed = parse_document(document, target)
        findings = parsed.findings
        if mode == "git":
            findings = await in_head(findings, target)
        problems = logged_errors(completed.stderr)
        return LayerResult(
            name="gitleaks",
            status="error" if problems else "ok",
            error=f"gitleaks logged {len(problems)} error(s) while scanning, results are incomplete: {problems[0]}"
            if problems
            else None,
            version=version,
            findings=findings,
            raw=raw,
            notes=notes,
        )


LAYER = GitleaksLayer()
