"""Lines that hold a secret are never shown.

A scanner that is not looking for secrets still prints the code it flags: semgrep's matched
lines and autofix, trivy's misconfiguration code lines. Where that code is a credential, the line
is replaced by SECRET_LINE in the finding and in raw/:

- always, for the checks whose very subject is a secret in code or config: trivy's "secret in
  ENV/ARG" (DS-0031) and Kubernetes secret checks, semgrep rules for hard-coded credentials
  (CWE-798/259/321, a `secret` category, a secret-ish rule id) -- `hide_in_*_document` at ingest;
- and for any finding whose lines overlap a secret finding's lines in the same file, whichever
  scanner found the secret -- `hide_overlapping`, once every layer is in.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from secscan.findings.model import Category, Finding

SECRET_LINE = "[line hidden: it holds a secret]"

# trivy checks about secrets in Dockerfiles / manifests (IDs old and new style)
_TRIVY_SECRET_CHECKS = re.compile(r"(?i)^(?:AVD-)?(?:DS-?0?031|KSV-?0?109|KSV-?0?1010|KSV-?01010|DS-?0?026S)$")
_SECRET_CWES = {"CWE-798", "CWE-259", "CWE-321", "CWE-522", "CWE-312"}
_SECRET_WORDS = re.compile(
    r"(?i)secret|passw|credential|hard-?coded-?(?:key|token|cred)|api[-_]?key|private[-_]?key|access[-_]?token|jwt[-_.]?token"
)


def is_secret_check(rule_id: str, cwe: Iterable[str] = (), category: str = "") -> bool:
    if _TRIVY_SECRET_CHECKS.match(rule_id):
        return True
    if any(c.split(":")[0].strip().upper() in _SECRET_CWES for c in cwe):
        return True
    # a semgrep check id is dotted with the rule file's folders (`…secrets.rules.python.x`): the rule's own name is last
    return "secret" in category.lower() or _SECRET_WORDS.search(rule_id.rsplit(".", 1)[-1]) is not None


def hide_in_semgrep_document(document: Any) -> None:
    """semgrep results of secret rules: matched lines and autofix replaced (in place)."""
    results = document.get("results") if isinstance(document, dict) else None
    for result in results if isinstance(results, list) else []:
        extra = result.get("extra") if isinstance(result, dict) else None
        if not isinstance(extra, dict):
            continue
        metadata: dict[str, Any] = extra["metadata"] if isinstance(extra.get("metadata"), dict) else {}
        cwe = metadata.get("cwe")
        cwes = (
            [cwe] if isinstance(cwe, str) else [c for c in cwe if isinstance(c, str)] if isinstance(cwe, list) else []
        )
        if is_secret_check(str(result.get("check_id", "")), cwes, str(metadata.get("category", ""))):
            _hide_semgrep_extra(extra)


def _hide_semgrep_extra(extra: dict[str, Any]) -> None:
    for key in ("lines", "fix", "fixed_lines"):
        if isinstance(extra.get(key), str) and extra[key]:
            extra[key] = SECRET_LINE
    if isinstance(extra.get("fix_regex"), dict):
        extra["fix_regex"] = {"regex": SECRET_LINE, "replacement": SECRET_LINE}


def hide_in_trivy_document(document: Any) -> None:
    """trivy misconfigurations about secrets: their code lines replaced (in place)."""
    results = document.get("Results") if isinstance(document, dict) else None
    for result in results if isinstance(results, list) else []:
        misconfigs = result.get("Misconfigurations") if isinstance(result, dict) else None
        for misconfig in misconfigs if isinstance(misconfigs, list) else []:
            if isinstance(misconfig, dict) and (
                is_secret_check(str(misconfig.get("ID", ""))) or is_secret_check(str(misconfig.get("AVDID", "")))
            ):
                _hide_trivy_code(misconfig)


def _hide_trivy_code(misconfig: dict[str, Any]) -> None:
    cause = misconfig.get("CauseMetadata")
    code = cause.get("Code") if isinstance(cause, dict) else None
    lines = code.get("Lines") if isinstance(code, dict) else None
    for line in lines if isinstance(lines, list) else []:
        if isinstance(line, dict):
            for key in ("Content", "Highlighted"):
                if isinstance(line.get(key), str) and line[key]:
                    line[key] = SECRET_LINE


def _span(finding: Finding) -> tuple[int, int] | None:
    if finding.path is None or not finding.line:
        return None
    return finding.line, max(finding.end_line or finding.line, finding.line)


def secret_ranges(findings: Iterable[Finding]) -> dict[str, list[tuple[int, int]]]:
    ranges: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for finding in findings:
        span = _span(finding)
        if finding.category is Category.SECRET and span is not None and finding.path is not None:
            ranges[finding.path].append(span)
    return ranges


class _Lines:
    """Which lines of which files hold a secret (each secret's range, by file)."""

    def __init__(self, ranges: dict[str, list[tuple[int, int]]]) -> None:
        self._lines: dict[str, set[int]] = {}
        self._wide: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for path, spans in ranges.items():
            lines = self._lines.setdefault(path, set())
            for start, end in spans:
                if end - start > 4096:
                    self._wide[path].append((start, end))
                else:
                    lines.update(range(start, end + 1))

    def overlaps(self, path: str | None, start: int, end: int) -> bool:
        if path is None:
            return False
        lines = self._lines.get(path, set())
        if end - start <= 4096 and any(line in lines for line in range(start, end + 1)):
            return True
        if end - start > 4096 and any(start <= line <= end for line in lines):
            return True
        return any(s <= end and start <= e for s, e in self._wide.get(path, ()))


def hidden(finding: Finding) -> Finding:
    """The finding with its code (snippet, autofix) replaced by SECRET_LINE."""
    update: dict[str, Any] = {}
    if finding.snippet:
        update["snippet"] = SECRET_LINE
    if finding.category is Category.CODE and finding.fix:  # an autofix: code (semgrep's)
        update["fix"] = f"Suggested change: {SECRET_LINE}"
    if finding.category is Category.MISCONFIGURATION:  # its locator holds the cause line (trivy's)
        resource = finding.locator.split("|", 1)[0]
        update["locator"] = f"{resource}|{finding.description or ''}"  # what the parser makes of a hidden line
    return finding.model_copy(update=update) if update else finding


def overlapping(findings: Iterable[Finding], ranges: dict[str, list[tuple[int, int]]]) -> list[tuple[int, Finding]]:
    """(index, finding) of every non-secret finding with code that overlaps a secret's lines."""
    lines = _Lines(ranges)
    found = []
    for index, finding in enumerate(findings):
        span = _span(finding)
        if finding.category is Category.SECRET or span is None or not (finding.snippet or finding.fix):
            continue
        if finding.snippet == SECRET_LINE:
            continue
        if lines.overlaps(finding.path, *span):
            found.append((index, finding))
    return found


def hide_overlapping_in_semgrep_document(document: Any, places: set[tuple[str, int]]) -> None:
    results = document.get("results") if isinstance(document, dict) else None
    for result in results if isinstance(results, list) else []:
        if not isinstance(result, dict) or not isinstance(result.get("extra"), dict):
            continue
        start: dict[str, Any] = result["start"] if isinstance(result.get("start"), dict) else {}
        line = start.get("line")
        if isinstance(line, int) and (str(result.get("path")), line) in places:
            _hide_semgrep_extra(result["extra"])


def hide_overlapping_in_trivy_document(document: Any, places: set[tuple[str, int]]) -> None:
    results = document.get("Results") if isinstance(document, dict) else None
    for result in results if isinstance(results, list) else []:
        if not isinstance(result, dict):
            continue
        target = str(result.get("Target"))
        misconfigs = result.get("Misconfigurations")
        for misconfig in misconfigs if isinstance(misconfigs, list) else []:
            cause = misconfig.get("CauseMetadata") if isinstance(misconfig, dict) else None
            if isinstance(cause, dict) and (target, cause.get("StartLine")) in places:
                _hide_trivy_code(misconfig)
