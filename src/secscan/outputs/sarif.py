"""secscan.sarif: SARIF 2.1.0 for GitHub code scanning, one run per scanner layer.

Stable across runs: each run has its own `automationDetails.id` (its code scanning
category), every result carries `partialFingerprints["secscan/v1"]` = the finding id,
artifact URIs are repo-relative, nothing depends on the clock. GitHub's upload limits
(runs, results per run, gzipped size) are enforced by dropping the least severe
results first and recording what was dropped in `run.properties`.
"""

from __future__ import annotations

import functools
import gzip
import json
import posixpath
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import quote

import orjson

from secscan import catalog
from secscan.findings.dedup import sort_key
from secscan.findings.model import LAYER_NAMES, Finding, LayerName, Severity
from secscan.outputs.safety import redacted_envelope, safe_url, shows_snippet
from secscan.report import LayerReport, Report

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "secscan/v1"

MAX_RUNS = 20
MAX_RESULTS_PER_RUN = 25_000
MAX_GZIP_BYTES = 10 * 1024 * 1024
MAX_TAGS = 10  # GitHub accepts 20 tags per rule but only shows 10

SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}
LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}


@dataclass(frozen=True)
class Driver:
    name: str
    information_uri: str


DRIVERS: dict[LayerName, Driver] = {
    cast(LayerName, layer): Driver(catalog.scanner_of(layer).driver, catalog.scanner_of(layer).information_uri)
    for layer in catalog.layer_names()
}

_STATUS_ORDER = {"new": 0, "existing": 1, "suppressed": 2}
_CWE = re.compile(r"CWE-(\d+)", re.IGNORECASE)


def keep_priority(finding: Finding) -> tuple[object, ...]:
    """Which results survive a limit: most severe first, then new before existing before suppressed."""
    return (-finding.severity.rank, _STATUS_ORDER[finding.status], *sort_key(finding))


# --- locations --------------------------------------------------------------------------


def _relative(path: str, root: str | None) -> str | None:
    """`path` relative to the repository root, or None when it lies outside it."""
    normalized = path.replace("\\", "/")
    if normalized.startswith("/"):
        if not root or not root.startswith("/"):
            return None
        base = posixpath.normpath(root.replace("\\", "/"))
        target = posixpath.normpath(normalized)
        if target != base and target.startswith(base.rstrip("/") + "/"):
            return target[len(base.rstrip("/")) + 1 :]
        return None
    while normalized.startswith("./"):
        normalized = normalized[2:]
    return normalized or None


@functools.lru_cache(maxsize=4096)
def _uri(path: str) -> str:
    return quote(path, safe="/")


def _image_name(target: str) -> str:
    """A stable name for an image: no tag or digest, no machine-specific directory."""
    name = target.split("@", 1)[0]
    head, _, last = name.rpartition("/")
    if ":" in last and not last.endswith((".tar", ".tar.gz", ".tgz")):
        last = last.split(":", 1)[0]
    return f"{head}/{last}" if head and not head.startswith("/") else last


def artifact_location(finding: Finding, root: str | None) -> dict[str, Any]:
    """Where GitHub anchors the alert. Image findings are anchored on the image itself.

    Finding fields are redacted (a Finding is redacted when it is made), so percent-encoding
    cannot hide a token from the redactor.
    """
    if not catalog.is_image_layer(finding.layer) and finding.path:
        relative = _relative(finding.path, root)
        if relative is not None:
            return {"uri": _uri(relative), "uriBaseId": SRCROOT}
        return {"uri": "file://" + _uri(posixpath.normpath(finding.path.replace("\\", "/")))}
    subject = finding.target or finding.path or finding.package or finding.rule_id
    relative = _relative(subject, root) if subject.startswith("/") else None
    if relative is not None:
        return {"uri": _uri(relative), "uriBaseId": SRCROOT}
    return {"uri": _uri(_image_name(subject) if catalog.is_image_layer(finding.layer) else subject)}


def _region(finding: Finding) -> dict[str, Any] | None:
    if not finding.line or finding.line < 1:
        return None
    region: dict[str, Any] = {"startLine": finding.line}
    if finding.end_line and finding.end_line >= finding.line:
        region["endLine"] = finding.end_line
    single_line = region.get("endLine", finding.line) == finding.line
    if finding.snippet and shows_snippet(finding) and single_line:
        region["snippet"] = {"text": finding.snippet}
    return region


def _logical_locations(finding: Finding) -> list[dict[str, Any]]:
    if not finding.package:
        return []
    version = f"@{finding.installed_version}" if finding.installed_version else ""
    where = finding.path if catalog.is_image_layer(finding.layer) and finding.path else finding.target
    qualified = f"{where}!{finding.package}{version}" if where else f"{finding.package}{version}"
    return [{"name": finding.package, "fullyQualifiedName": qualified, "kind": "module"}]


def location(finding: Finding, root: str | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": artifact_location(finding, root)}
    region = _region(finding)
    if region is not None:
        physical["region"] = region
    result: dict[str, Any] = {"physicalLocation": physical}
    logical = _logical_locations(finding)
    if logical:
        result["logicalLocations"] = logical
    return result


# --- rules and results ------------------------------------------------------------------


def _cwe_tags(cwe: Iterable[str]) -> list[str]:
    tags: list[str] = []
    for value in cwe:
        match = _CWE.search(value)
        if match:
            number = int(match.group(1))
            tags += [f"CWE-{number}", f"external/cwe/cwe-{number:03d}"]
    return tags


def rule_tags(findings: Sequence[Finding]) -> list[str]:
    cwe = [c for f in findings for c in f.cwe]
    owasp = [f"OWASP-{o.split(' ')[0]}" for f in findings for o in f.owasp]
    tags = ["security", findings[0].category.value, *_cwe_tags(cwe), *owasp]
    return list(dict.fromkeys(tags))[:MAX_TAGS]


def _help(fix: str, description: str, references: Sequence[str]) -> dict[str, str]:
    """Help text and Markdown from already redacted text (escaping first would hide tokens from the redactor)."""
    text = [f"Fix: {fix}"]
    markdown = [f"**Fix:** {_markdown_text(fix)}"]
    if description:
        text.append(description)
        markdown.append(_markdown_text(description))
    if references:
        text.append("References:\n" + "\n".join(f"- {r}" for r in references))
        markdown.append("**References:**\n\n" + "\n".join(f"- <{r}>" for r in references if safe_url(r)))
    return {"text": "\n\n".join(text), "markdown": "\n\n".join(markdown)}


def _markdown_text(text: str) -> str:
    return re.sub(r"([\\`*_{}\[\]()#+!|<>~])", r"\\\1", text)


def rule(rule_id: str, findings: Sequence[Finding]) -> dict[str, Any]:
    """One rule from the findings that cite it (in keep order: the first, the worst, speaks for the rule)."""
    worst = findings[0]
    title = worst.title
    description = worst.description or ""
    references = list(dict.fromkeys(worst.references))
    descriptor: dict[str, Any] = {
        "id": rule_id,
        "shortDescription": {"text": title[:1000] or rule_id},
        "fullDescription": {"text": (description or title)[:4000] or rule_id},
        "help": _help(worst.fix or "See the references.", description if description != title else "", references),
        "defaultConfiguration": {"level": LEVEL[worst.severity]},
        "properties": {
            "tags": rule_tags(findings),
            "security-severity": SECURITY_SEVERITY[worst.severity],
        },
    }
    web = [r for r in references if safe_url(r)]
    if web:
        descriptor["helpUri"] = web[0]
    return descriptor


def _message(finding: Finding) -> str:
    text = finding.title.rstrip(".")
    if finding.package:
        installed = f" {finding.installed_version}" if finding.installed_version else ""
        fixed = f", fixed in {finding.fixed_version}" if finding.fixed_version else ", no fix yet"
        text += f" ({finding.package}{installed}{fixed})"
    if finding.fix:
        text += f". Fix: {finding.fix}"
    return text[:4000]


def _result_properties(finding: Finding) -> dict[str, Any]:
    values: dict[str, Any] = {
        "severity": finding.severity.value,
        "category": finding.category.value,
        "status": finding.status,
        "layer": finding.layer,
        "scanners": finding.scanners or [finding.scanner],
        "scannerSeverity": finding.scanner_severity,
        "package": finding.package,
        "installedVersion": finding.installed_version,
        "fixedVersion": finding.fixed_version,
        "commit": finding.commit,
        "target": finding.target,
        "imagePath": finding.path if catalog.is_image_layer(finding.layer) else None,
        "inHead": finding.in_head,
        "cwe": finding.cwe or None,
    }
    return {key: value for key, value in values.items() if value is not None}


def _suppressions(finding: Finding) -> list[dict[str, Any]] | None:
    if finding.status != "suppressed":
        return None
    suppression = finding.suppression
    if suppression is None:
        return [{"kind": "external", "status": "accepted", "justification": "suppressed by the secscan policy"}]
    parts = [suppression.reason]
    if suppression.owner:
        parts.append(f"owner: {suppression.owner}")
    if suppression.expires:
        parts.append(f"expires: {suppression.expires}")
    kind = "inSource" if suppression.source == "inline" else "external"
    return [{"kind": kind, "status": "accepted", "justification": "; ".join(parts)}]


def result(finding: Finding, rule_index: int, root: str | None) -> dict[str, Any]:
    """A result from a finding's own fields, which were redacted when it was made."""
    entry: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVEL[finding.severity],
        "message": {"text": _message(finding)},
        "locations": [location(finding, root)],
        "partialFingerprints": {FINGERPRINT_KEY: finding.id},
        "properties": _result_properties(finding),
    }
    suppressions = _suppressions(finding)
    if suppressions is not None:
        entry["suppressions"] = suppressions
    return entry


# --- runs and limits --------------------------------------------------------------------


@dataclass(frozen=True)
class RunPlan:
    """One layer's run: the results it keeps and what it had to drop."""

    layer: LayerReport
    kept: list[Finding]
    dropped: Counter[Severity]
    reasons: tuple[str, ...] = ()

    def truncated(self, count: int, reason: str) -> RunPlan:
        """Keep the first `count` results (they are in keep order)."""
        removed = self.kept[count:]
        if not removed:
            return self
        reasons = self.reasons if reason in self.reasons else (*self.reasons, reason)
        return RunPlan(self.layer, self.kept[:count], self.dropped + Counter(f.severity for f in removed), reasons)


def runs_to_write(report: Report) -> list[LayerReport]:
    """Layers that ran: ok, or errored but still produced findings.

    An errored layer with no findings gets no run: an empty run would tell code
    scanning that every earlier alert of that category is fixed.
    """
    with_findings = {f.layer for f in report.findings}
    order = {name: index for index, name in enumerate(LAYER_NAMES)}
    layers = [
        layer
        for layer in report.layers
        if layer.status == "ok" or (layer.status == "error" and layer.name in with_findings)
    ]
    return sorted(layers, key=lambda layer: order[layer.name])[:MAX_RUNS]


def plan_runs(report: Report, max_results: int) -> list[RunPlan]:
    plans = []
    by_layer: dict[str, list[Finding]] = {}
    for finding in report.findings:
        by_layer.setdefault(finding.layer, []).append(finding)
    for layer in runs_to_write(report):
        findings = sorted(by_layer.get(layer.name, []), key=keep_priority)
        plan = RunPlan(layer, findings, Counter())
        if len(findings) > max_results:
            plan = plan.truncated(max_results, f"GitHub accepts at most {max_results} results per run")
        plans.append(plan)
    return plans


def shrink(plans: Sequence[RunPlan], keep: int, reason: str) -> list[RunPlan]:
    """Keep the `keep` most severe results over all runs."""
    ranked = sorted(((keep_priority(f), index) for index, plan in enumerate(plans) for f in plan.kept))
    survivors: dict[int, int] = Counter(index for _, index in ranked[:keep])
    return [plan.truncated(survivors.get(index, 0), reason) for index, plan in enumerate(plans)]


def _dropped_properties(plan: RunPlan) -> dict[str, Any]:
    by_severity = {s.value: plan.dropped.get(s, 0) for s in Severity}
    return {
        "total": sum(by_severity.values()),
        "bySeverity": by_severity,
        "reasons": list(plan.reasons),
        "note": "the least severe results were dropped; report.json has every finding",
    }


def _invocation(layer: LayerReport) -> dict[str, Any]:
    invocation: dict[str, Any] = {"executionSuccessful": layer.status == "ok"}
    if layer.error:
        invocation["toolExecutionNotifications"] = [{"level": "error", "message": {"text": layer.error}}]
    return invocation


def build_run(plan: RunPlan, report: Report) -> dict[str, Any]:
    root = report.target.path
    by_rule: dict[str, list[Finding]] = {}
    for finding in plan.kept:
        by_rule.setdefault(finding.rule_id, []).append(finding)
    rule_ids = sorted(by_rule)
    index = {rule_id: position for position, rule_id in enumerate(rule_ids)}
    driver_info = DRIVERS[plan.layer.name]
    driver: dict[str, Any] = {
        "name": driver_info.name,
        "informationUri": driver_info.information_uri,
        "rules": [rule(rule_id, by_rule[rule_id]) for rule_id in rule_ids],
    }
    if plan.layer.version:
        driver["version"] = plan.layer.version
    properties: dict[str, Any] = {"secscan": {"layer": plan.layer.name, "status": plan.layer.status}}
    if plan.dropped:
        properties["secscan"]["droppedResults"] = _dropped_properties(plan)
    return {
        "tool": {
            "driver": driver,
            "extensions": [{"name": "secscan", "version": report.secscan_version}],
        },
        "automationDetails": {"id": f"secscan/{plan.layer.name}/"},
        "originalUriBaseIds": {SRCROOT: _srcroot(root)},
        "invocations": [_invocation(plan.layer)],
        "results": [result(f, index[f.rule_id], root) for f in plan.kept],
        "properties": properties,
    }


def _srcroot(root: str | None) -> dict[str, Any]:
    description = {"text": "The root of the scanned repository"}
    if root and root.startswith("/"):
        return {"uri": "file://" + _uri(posixpath.normpath(root).rstrip("/") + "/"), "description": description}
    return {"description": description}


def document(plans: Sequence[RunPlan], report: Report) -> dict[str, Any]:
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [build_run(plan, report) for plan in plans],
    }


def serialize(sarif: dict[str, Any]) -> str:
    # Compact and key-sorted; 3 x 25,000 results must stay fast (orjson; json where it refuses).
    try:
        return orjson.dumps(sarif, option=orjson.OPT_SORT_KEYS).decode() + "\n"
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(sarif, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"


def gzipped_size(text: str) -> int:
    # mtime=0: gzip's header timestamp must not make sizes (or bytes) vary
    return len(gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0))


def fits_gzipped(text: str, limit: int) -> bool:
    """Whether gzip (level 6, as uploaders use) brings text under limit. Level 1 is ~4x faster
    and never smaller: when it fits, level 6 does too."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return True
    if len(gzip.compress(data, compresslevel=1, mtime=0)) <= limit:
        return True
    return gzipped_size(text) <= limit


class SarifReport:
    filename = "secscan.sarif"

    def __init__(self, max_results_per_run: int = MAX_RESULTS_PER_RUN, max_gzip_bytes: int = MAX_GZIP_BYTES) -> None:
        self.max_results_per_run = max_results_per_run
        self.max_gzip_bytes = max_gzip_bytes

    def render(self, report: Report) -> str:
        report = redacted_envelope(report)
        plans = plan_runs(report, self.max_results_per_run)
        text = serialize(document(plans, report))
        reason = f"GitHub accepts at most {self.max_gzip_bytes} bytes of gzipped SARIF"
        while not fits_gzipped(text, self.max_gzip_bytes):
            size = gzipped_size(text)
            total = sum(len(plan.kept) for plan in plans)
            if total == 0:
                break
            # Results dominate the size: cut in proportion, with a margin, until it fits.
            keep = min(total - 1, int(total * self.max_gzip_bytes / size * 0.9))
            plans = shrink(plans, max(keep, 0), reason)
            text = serialize(document(plans, report))
        return text
