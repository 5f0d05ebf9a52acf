"""Exceptions: every exclusion or suppression, where it came from, and what it hid.

Operator exceptions (excludes and `[[suppress]]` in `--config`) always apply. Exceptions
that come from the scanned repository (its secscan.toml's excludes and suppressions, the
scanners' own control files and inline markers) apply only when the operator's
`policy.repository_exceptions` is `honour`; under `report` they are listed with the findings
they would hide, which stay `new` and count; under `refuse` they fail the gate.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from secscan import catalog
from secscan.config import Config, SuppressionEntry
from secscan.findings.model import Finding, Suppression
from secscan.policy.suppressions import describe, matches

ExceptionKind = Literal["exclude", "suppress", "inline", "ignore-file"]
Origin = Literal["operator", "repository"]

# The scanners' own control files secscan never lets them read (they run with secscan's own
# configuration, from a directory of their own): listed so nobody thinks they applied.
IGNORED_CONTROL_FILES = (
    ".gitleaks.toml",
    "trivy.yaml",
    "trivy.yml",
    "trivy-secret.yaml",
    ".trivyignore.yaml",
)
_FILE_COUNT_LIMIT = 200_000


class ExceptionEntry(BaseModel):
    """One exclusion or suppression: its source, whether it applied, the findings it hid."""

    model_config = ConfigDict(frozen=True)

    kind: ExceptionKind
    origin: Origin
    source: str = Field(description="the file (or file:line) it came from")
    pattern: str = Field(description="the glob, rule, finding id or fingerprint")
    applied: bool = Field(description="false: listed only; the findings it names still count")
    hid: list[str] = Field(default_factory=list, description="ids of the findings it hid (or would hide)")
    files: int | None = Field(default=None, description="excludes: files in the tree the glob matches")
    note: str | None = None


@dataclass(frozen=True)
class Outcome:
    findings: list[Finding]
    exceptions: list[ExceptionEntry]
    warnings: list[str]
    refused: list[str]  # gate reasons when the policy refuses repository exceptions


def operator_config_name(config: Config) -> str:
    """The operator's config file as exceptions name it (its name: the path is in report.config)."""
    names = [f"{Path(f.path).name} (--config)" for f in config.trust.files if f.role == "operator"]
    return names[0] if names else "operator config"


def excluded(finding: Finding, patterns: Sequence[str]) -> bool:
    return finding.path is not None and any(fnmatchcase(finding.path, p) for p in patterns)


def _tree_files(root: Path | None) -> list[str] | None:
    """Repository-relative paths of the files under root (not .git), for counting what a glob removes."""
    if root is None or not root.is_dir():
        return None
    found: list[str] = []
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = [d for d in subdirs if d != ".git"]
        base = Path(directory).relative_to(root)
        for name in files:
            found.append((base / name).as_posix() if str(base) != "." else name)
            if len(found) >= _FILE_COUNT_LIMIT:
                return found
    return found


def _semgrepignore_globs(line: str) -> list[str]:
    """A .semgrepignore (gitignore syntax) line as fnmatch globs on repository-relative paths."""
    pattern = line.strip()
    if not pattern or pattern.startswith(("#", "!")):
        return []
    pattern = pattern.rstrip("/")
    if ":include" in pattern:
        return []
    if "/" in pattern.strip("/"):
        anchored = pattern.lstrip("/")
        return [anchored, f"{anchored}/*"]
    name = pattern.lstrip("/")
    return [name, f"*/{name}", f"{name}/*", f"*/{name}/*"]


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()[:10_000]
    except OSError:
        return []


@dataclass(frozen=True)
class _Candidate:
    kind: ExceptionKind
    source: str
    pattern: str
    hides: Callable[[Finding], bool]
    reason: str
    files: int | None = None
    owner: str | None = None
    expires: str | None = None


def _suppress_candidates(
    entries: Iterable[SuppressionEntry], source: str, today: dt.date, warnings: list[str]
) -> list[_Candidate]:
    found = []
    for entry in entries:
        if entry.expires < today:
            warnings.append(
                f"suppression for {describe(entry)} in {source} expired on {entry.expires.isoformat()}: "
                "no longer suppressing"
            )
            continue
        found.append(
            _Candidate(
                "suppress",
                source,
                describe(entry),
                lambda f, e=entry: matches(e, f),  # type: ignore[misc]
                entry.reason,
                owner=entry.owner,
                expires=entry.expires.isoformat(),
            )
        )
    return found


_IGNORE_FILES = (".gitleaksignore", ".trivyignore", ".semgrepignore")


def _native_candidates(root: Path | None) -> tuple[list[_Candidate], list[str]]:
    """The scanners' own ignore files in the tree, read by secscan (the scanners never see them)."""
    if root is None or not root.is_dir():
        return [], []
    candidates: list[_Candidate] = []
    warnings = [
        f"repository file {name} ignored: secscan runs the scanners with its own configuration"
        for name in IGNORED_CONTROL_FILES
        if (root / name).is_file()
    ]
    gitleaks, trivy, semgrep = (catalog.ignore_file_owner(name).name for name in _IGNORE_FILES)
    for line in _lines(root / ".gitleaksignore"):
        fingerprint = line.split("#", 1)[0].strip()
        parts = fingerprint.split(":")
        if len(parts) < 3:
            continue
        commit = parts[0] if len(parts) >= 4 else None
        path, rule, line_no = ":".join(parts[1:-2] if commit else parts[:-2]), parts[-2], parts[-1]

        def hides(f: Finding, c: str | None = commit, p: str = path, r: str = rule, n: str = line_no) -> bool:
            same_place = f.rule_id == r and f.path == p and str(f.line) == n
            return f.scanner == gitleaks and same_place and (c is None or f.commit == c)

        candidates.append(_Candidate("ignore-file", ".gitleaksignore", fingerprint, hides, "listed in .gitleaksignore"))
    for line in _lines(root / ".trivyignore"):
        rule = line.split("#", 1)[0].strip().split(" ")[0] if line.strip() else ""
        if not rule:
            continue
        candidates.append(
            _Candidate(
                "ignore-file",
                ".trivyignore",
                rule,
                lambda f, r=rule: f.scanner == trivy and f.rule_id == r,  # type: ignore[misc]
                "listed in .trivyignore",
            )
        )
    for line in _lines(root / ".semgrepignore"):
        globs = _semgrepignore_globs(line)
        if globs:
            candidates.append(
                _Candidate(
                    "ignore-file",
                    ".semgrepignore",
                    line.strip(),
                    lambda f, g=globs: f.scanner == semgrep and excluded(f, g),  # type: ignore[misc]
                    "listed in .semgrepignore",
                )
            )
    return candidates, warnings


def _inline_exceptions(result: list[Finding], mode: str) -> list[ExceptionEntry]:
    """Inline markers (nosemgrep) the parsers recognised: repository exceptions like the rest;
    outside `honour` the findings they marked are `new` again (in place)."""
    found = []
    for index, finding in enumerate(result):
        if finding.suppression is None or finding.suppression.source != "inline":
            continue
        if mode != "honour":
            result[index] = finding.model_copy(update={"status": "new", "suppression": None})
        where = f"{finding.path}:{finding.line}" if finding.line else (finding.path or "?")
        found.append(
            ExceptionEntry(
                kind="inline",
                origin="repository",
                source=where,
                pattern=finding.suppression.reason,
                applied=mode == "honour",
                hid=[finding.id],
            )
        )
    return found


def apply_exceptions(findings: list[Finding], config: Config, root: Path | None, today: dt.date) -> Outcome:
    """Operator excludes and suppressions applied; repository exceptions as the policy says."""
    warnings: list[str] = list(config.trust.warnings)
    exceptions: list[ExceptionEntry] = []
    tree: list[str] | None = None

    def files_matching(pattern: str) -> int | None:
        nonlocal tree
        if tree is None:
            tree = _tree_files(root) or []
        return sum(1 for path in tree if fnmatchcase(path, pattern)) if root is not None else None

    operator_source = operator_config_name(config)
    # Operator excludes: the scanners were told to skip them too; findings under them are dropped.
    for pattern in config.scan.exclude:
        hidden = [f.id for f in findings if excluded(f, [pattern])]
        exceptions.append(
            ExceptionEntry(
                kind="exclude",
                origin="operator",
                source=operator_source,
                pattern=pattern,
                applied=True,
                hid=hidden,
                files=files_matching(pattern),
            )
        )
    if config.scan.exclude:
        findings = [f for f in findings if not excluded(f, config.scan.exclude)]

    mode = config.policy.repository_exceptions
    repo_source = config.trust.repository_source or "secscan.toml"
    candidates: list[_Candidate] = [
        _Candidate(
            "exclude",
            repo_source,
            pattern,
            lambda f, p=pattern: excluded(f, [p]),  # type: ignore[misc]
            f"excluded by {repo_source}: {pattern}",
            files=files_matching(pattern),
        )
        for pattern in config.trust.repository_exclude
    ]
    candidates += _suppress_candidates(config.trust.repository_suppress, repo_source, today, warnings)
    native, native_warnings = _native_candidates(root)
    candidates += native
    warnings += native_warnings

    result = list(findings)
    exceptions += _inline_exceptions(result, mode)

    for candidate in candidates:
        hidden_ids: list[str] = []
        for index, finding in enumerate(result):
            if finding.status == "suppressed" or not candidate.hides(finding):
                continue
            hidden_ids.append(finding.id)
            if mode == "honour":
                result[index] = finding.model_copy(
                    update={
                        "status": "suppressed",
                        "suppression": Suppression(
                            reason=candidate.reason,
                            owner=candidate.owner,
                            expires=candidate.expires,
                            source="repository",
                        ),
                    }
                )
        exceptions.append(
            ExceptionEntry(
                kind=candidate.kind,
                origin="repository",
                source=candidate.source,
                pattern=candidate.pattern,
                applied=mode == "honour",
                hid=hidden_ids,
                files=candidate.files,
            )
        )

    refused: list[str] = []
    repository_count = sum(1 for e in exceptions if e.origin == "repository")
    if repository_count and mode == "refuse":
        named = {e.source if e.kind != "inline" else "inline markers" for e in exceptions if e.origin == "repository"}
        sources = ", ".join(sorted(named))
        refused.append(
            f"policy.repository_exceptions = refuse: the repository adds {repository_count} exception(s) ({sources})"
        )
    elif repository_count and mode == "report":
        would = sum(len(e.hid) for e in exceptions if e.origin == "repository")
        warnings.append(
            f"{repository_count} repository exception(s) listed but not applied "
            f"(policy.repository_exceptions = report): the {would} finding(s) they name still count"
        )
    return Outcome(findings=result, exceptions=exceptions, warnings=warnings, refused=refused)
