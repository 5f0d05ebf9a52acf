"""Reading a scanner's output once: `ingest` redacts the document before anything parses it,
findings are redacted when they are made, and raw/ is the redacted document's text.

Secrets here are generated at run time (none stands in this file).
"""

from __future__ import annotations

import json
import secrets
import string
from typing import Any

import pytest

from fakes import semgrep_report, trivy_report, trivy_vulnerability
from secscan.errors import ParseError
from secscan.findings import Category, Finding, Severity
from secscan.findings.model import made_from_redacted_input
from secscan.scanners import gitleaks, semgrep, trivy
from secscan.scanners.base import dump_json, ingest, load_json


def _github_token() -> str:
    return "ghp_" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(36))


def _opaque() -> str:
    return secrets.token_urlsafe(18)  # no known format: only an assignment or entropy gives it away


def _gitleaks_item(secret: str, **extra: Any) -> dict[str, Any]:
    return {
        "RuleID": "github-pat",
        "Description": "GitHub Personal Access Token",
        "StartLine": 3,
        "EndLine": 3,
        "Match": f'token = "{secret}"',
        "Secret": secret,
        "File": "app/settings.py",
        "Commit": "a" * 40,
        "Message": f"add config {secret}",
        **extra,
    }


def test_gitleaks_report_without_redact_is_masked_before_parsing() -> None:
    token, opaque = _github_token(), _opaque()
    data = json.dumps([_gitleaks_item(token), _gitleaks_item(opaque, File="b.py")]).encode()
    document, raw = ingest(data, "gitleaks", gitleaks.scrub)
    assert token not in raw and opaque not in raw
    assert token not in json.dumps(document) and opaque not in json.dumps(document)
    assert [item["Secret"] for item in document] == ["REDACTED", "REDACTED"]
    assert json.loads(raw) == document  # raw/ is the document the parser read
    parsed = gitleaks.parse_document(document)
    assert len(parsed.findings) == 2
    for finding in parsed.findings:
        text = finding.model_dump_json()
        assert token not in text and opaque not in text
    # the value is remembered: another scanner's output repeating it is masked too
    _, other = ingest(
        json.dumps(
            semgrep_report(
                [
                    {
                        "check_id": "x",
                        "path": "a.py",
                        "start": {"line": 1},
                        "extra": {"message": f"uses {opaque}", "severity": "ERROR"},
                    }
                ]
            )
        ).encode(),
        "semgrep",
        semgrep.scrub,
    )
    assert opaque not in other


def test_every_string_of_the_document_is_redacted_keys_too() -> None:
    token = _github_token()
    vulnerability = trivy_vulnerability()
    vulnerability["Description"] = f"set GITHUB_TOKEN={token} to reproduce"
    report = trivy_report(vulnerability)
    report["Metadata"] = {token: "a key that is a secret", "note": f"password = '{_opaque()}'"}
    document, raw = ingest(json.dumps(report).encode(), "trivy", trivy.scrub)
    assert token not in raw
    assert "[REDACTED]" in raw
    parsed = trivy.parse_document(document)
    assert parsed.findings and all(token not in (f.description or "") for f in parsed.findings)


def test_not_json_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="not JSON"):
        ingest(b"{oops", "semgrep", semgrep.scrub)
    with pytest.raises(ParseError, match="no output"):
        ingest(b"  \n", "semgrep", semgrep.scrub)


def test_json_that_the_fast_parser_refuses_is_still_read() -> None:
    """NaN and lone surrogates are JSON to Python's json module (scanners have written both)."""
    document = load_json(b'{"score": NaN, "path": "a\\ud800b.py", "results": []}', "semgrep")
    assert document["path"] == "a\ud800b.py"
    text = dump_json(document)  # orjson refuses both: the standard module writes it
    assert "NaN" in text and json.loads(text)["results"] == []


def test_a_finding_is_redacted_when_it_is_made() -> None:
    token, opaque = _github_token(), _opaque()
    finding = Finding(
        scanner="semgrep",
        layer="semgrep",
        category=Category.CODE,
        rule_id="rule",
        severity=Severity.HIGH,
        title=f"hard-coded {token}",
        snippet=f'client = Client(api_key="{opaque}")',
        references=[f"https://x/{token}"],
        commit="b" * 40,
    )
    assert token not in finding.model_dump_json() and opaque not in finding.model_dump_json()
    assert finding.commit == "b" * 40


def test_findings_from_redacted_input_are_taken_as_they_are() -> None:
    """Inside `made_from_redacted_input` the per-field check is skipped: the parsers only use
    it on documents that went through `ingest` (tested above), so it costs nothing twice."""
    text = "already redacted by ingest: " + "x" * 8
    with made_from_redacted_input():
        finding = Finding(
            scanner="trivy", layer="trivy", category=Category.CODE, rule_id="r", severity=Severity.LOW, title=text
        )
    assert finding.title == text
    plain = Finding(
        scanner="trivy", layer="trivy", category=Category.CODE, rule_id="r", severity=Severity.LOW, title=text
    )
    assert plain == finding
