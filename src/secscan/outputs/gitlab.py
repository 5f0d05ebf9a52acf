"""GitLab security reports: what the merge request widget and the vulnerability report read.

`gl-secret-detection-report.json` (secrets), `gl-sast-report.json` (code and IaC
misconfigurations), `gl-dependency-scanning-report.json` (vulnerable dependencies) and,
when an image was scanned, `gl-container-scanning-report.json`, in the format of GitLab's
security report schemas 15.0.7 (tests validate them against the published schemas).
Suppressed findings are left out; GitLab tells new from existing itself, against the target
branch's pipeline. Every text is a finding's, redacted when the finding was made.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from secscan import __version__, catalog
from secscan.findings.model import Category, Finding, Severity
from secscan.outputs.safety import redacted_envelope
from secscan.report import LayerReport, Report

SCHEMA_VERSION = "15.0.7"
_SCHEMA_URL = "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v{version}/dist/{kind}-report-format.json"
_SEVERITY = {
    Severity.CRITICAL: "Critical",
    Severity.HIGH: "High",
    Severity.MEDIUM: "Medium",
    Severity.LOW: "Low",
    Severity.INFO: "Info",
}
_VENDORS = {"gitleaks": "Gitleaks", "semgrep": "Semgrep", "trivy": "Aqua Security"}
_URLS = {
    "gitleaks": "https://github.com/gitleaks/gitleaks",
    "semgrep": "https://semgrep.dev",
    "trivy": "https://trivy.dev",
}
_NAMESPACE = uuid.UUID("5d0c8d1e-2f4b-4f7e-9a53-5ecc5ca11e55")


def _time(report: Report) -> str:
    return report.generated_at[:19] if len(report.generated_at) >= 19 else "1970-01-01T00:00:00"


def _identifiers(finding: Finding) -> list[dict[str, str]]:
    primary_type = f"{finding.scanner}_rule" if finding.category is not Category.VULNERABILITY else "cve"
    if finding.category is Category.VULNERABILITY and not finding.rule_id.upper().startswith("CVE-"):
        primary_type = "advisory"
    primary: dict[str, str] = {"type": primary_type, "name": finding.rule_id[:255], "value": finding.rule_id[:255]}
    url = next((r for r in finding.references if r.startswith(("https://", "http://"))), None)
    if url:
        primary["url"] = url
    identifiers = [primary]
    for cwe in finding.cwe:
        number = cwe.removeprefix("CWE-")
        if number.isdigit():
            identifiers.append(
                {
                    "type": "cwe",
                    "name": cwe,
                    "value": number,
                    "url": f"https://cwe.mitre.org/data/definitions/{number}.html",
                }
            )
    return identifiers


def _vulnerability(finding: Finding, location: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": str(uuid.uuid5(_NAMESPACE, finding.id or json.dumps(finding.model_dump(mode="json"), sort_keys=True))),
        "name": finding.title[:255],
        "description": (finding.description or finding.title)[:1_000_000],
        "severity": _SEVERITY[finding.severity],
        "identifiers": _identifiers(finding),
        "location": location,
    }
    if finding.fix:
        entry["solution"] = finding.fix[:7000]
    links = [{"url": url} for url in dict.fromkeys(finding.references) if url.startswith(("https://", "http://"))]
    if links:
        entry["links"] = links[:20]
    return entry


def _file_location(finding: Finding) -> dict[str, Any]:
    location: dict[str, Any] = {"file": finding.path or finding.target or "(unknown)"}
    if finding.line:
        location["start_line"] = finding.line
        location["end_line"] = max(finding.end_line or finding.line, finding.line)
    return location


def _secret_location(report: Report) -> Callable[[Finding], dict[str, Any]]:
    def location(finding: Finding) -> dict[str, Any]:
        sha = finding.commit or report.target.commit or "0000000000000000000000000000000000000000"
        return {**_file_location(finding), "commit": {"sha": sha}}

    return location


def _dependency(finding: Finding) -> dict[str, Any]:
    return {"package": {"name": finding.package or finding.rule_id}, "version": finding.installed_version or "unknown"}


def _dependency_location(finding: Finding) -> dict[str, Any]:
    return {"file": finding.path or "(unknown)", "dependency": _dependency(finding)}


def _container_location(report: Report) -> Callable[[Finding], dict[str, Any]]:
    def location(finding: Finding) -> dict[str, Any]:
        return {
            "dependency": _dependency(finding),
            "operating_system": "unknown",
            "image": finding.target or report.target.image or "image",
        }

    return location


def _scan(report: Report, kind: str, layer: LayerReport | None) -> dict[str, Any]:
    scanner = layer.name.removesuffix("-image") if layer else "secscan"
    version = (layer.version if layer else None) or "unknown"
    stamp = _time(report)
    scan: dict[str, Any] = {
        "analyzer": {"id": "secscan", "name": "secscan", "version": __version__, "vendor": {"name": "secscan"}},
        "scanner": {
            "id": scanner,
            "name": scanner.capitalize(),
            "version": version,
            "vendor": {"name": _VENDORS.get(scanner, "secscan")},
        },
        "type": kind,
        "start_time": stamp,
        "end_time": stamp,
        "status": "failure" if layer is not None and layer.status == "error" else "success",
    }
    if scanner in _URLS:
        scan["scanner"]["url"] = _URLS[scanner]
    if layer is not None and layer.error:
        scan["messages"] = [{"level": "fatal", "value": layer.error[:1000] or "layer failed"}]
    return scan


class _GitlabReport:
    filename: str
    kind: str  # the schema's scan type, and its file name
    layer: str

    def selected(self, finding: Finding) -> bool:
        raise NotImplementedError

    def location(self, report: Report) -> Callable[[Finding], dict[str, Any]]:
        return _file_location

    def render(self, report: Report) -> str:
        report = redacted_envelope(report)
        layer = next((layer for layer in report.layers if layer.name == self.layer), None)
        where = self.location(report)
        document: dict[str, Any] = {
            "version": SCHEMA_VERSION,
            "schema": _SCHEMA_URL.format(version=SCHEMA_VERSION, kind=self.kind.replace("_", "-")),
            "scan": _scan(report, self.kind, layer),
            "vulnerabilities": [
                _vulnerability(f, where(f)) for f in report.findings if f.status != "suppressed" and self.selected(f)
            ],
        }
        if self.kind == "dependency_scanning":
            files = sorted({v["location"]["file"] for v in document["vulnerabilities"]})
            document["dependency_files"] = [
                {"path": path, "package_manager": "unknown", "dependencies": []} for path in files
            ]
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


class SecretDetectionReport(_GitlabReport):
    filename = "gl-secret-detection-report.json"
    kind = "secret_detection"
    layer = "gitleaks"

    def selected(self, finding: Finding) -> bool:
        return finding.category is Category.SECRET and not catalog.is_image_layer(finding.layer)

    def location(self, report: Report) -> Callable[[Finding], dict[str, Any]]:
        return _secret_location(report)


class SastReport(_GitlabReport):
    filename = "gl-sast-report.json"
    kind = "sast"
    layer = "semgrep"

    def selected(self, finding: Finding) -> bool:
        return finding.category in (Category.CODE, Category.MISCONFIGURATION) and not catalog.is_image_layer(
            finding.layer
        )


class DependencyScanningReport(_GitlabReport):
    filename = "gl-dependency-scanning-report.json"
    kind = "dependency_scanning"
    layer = "trivy"

    def selected(self, finding: Finding) -> bool:
        return finding.category is Category.VULNERABILITY and catalog.layer(finding.layer).kind == "source"

    def location(self, report: Report) -> Callable[[Finding], dict[str, Any]]:
        return _dependency_location


class ContainerScanningReport(_GitlabReport):
    filename = "gl-container-scanning-report.json"
    kind = "container_scanning"
    layer = "trivy-image"

    def selected(self, finding: Finding) -> bool:
        return catalog.is_image_layer(finding.layer) and finding.category is Category.VULNERABILITY

    def applies(self, report: Report) -> bool:
        """Written only when an image was scanned."""
        return any(catalog.is_image_layer(layer.name) and layer.status != "skipped" for layer in report.layers)

    def location(self, report: Report) -> Callable[[Finding], dict[str, Any]]:
        return _container_location(report)


GITLAB_REPORTS: list[_GitlabReport] = [
    SecretDetectionReport(),
    SastReport(),
    DependencyScanningReport(),
    ContainerScanningReport(),
]
