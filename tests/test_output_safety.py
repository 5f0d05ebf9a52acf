"""The output-safety boundary (secscan.outputs.safety): one envelope, one safe_url, and every format behind them."""

from __future__ import annotations

import io
import json
import secrets
import string

import pytest
from rich.console import Console

import outputs_fixtures as fx
from secscan.config import Config
from secscan.findings import redact
from secscan.findings.model import LayerName, Severity, Suppression
from secscan.outputs import formats
from secscan.outputs.safety import redacted_envelope, safe_url
from secscan.outputs.slack import build_message
from secscan.outputs.terminal import print_summary
from secscan.report import LayerReport, Report
from secscan.synthesis.model import Synthesis


def test_the_redaction_fast_path_is_on() -> None:
    # redact.py derives its shortcuts from the patterns as they are; a changed pattern switches them
    # off silently (still correct, ~100x slower on megabytes of raw/). Re-derive the hints, then update
    # the pattern digest in redact.py.
    assert redact._FAST, "findings/redact.py: the patterns changed; re-check the hints and update _FAST's digest"


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/a?b=1&c=2",
        "http://nvd.nist.gov/vuln/detail/CVE-2018-18074",
        "HTTPS://EXAMPLE.COM/x",
    ],
)
def test_plain_web_urls_may_be_links(url: str) -> None:
    assert safe_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "javascript:alert(1)",
        "data:text/html,<b>x</b>",
        "ftp://example.com/file",
        "//example.com/protocol-relative",
        "https://example.com/a b",
        "https://example.com/\nsecond-line",
        'https://example.com/"onmouseover="x',
        "https://example.com/'x",
        "https://example.com/`x`",
        "https://example.com/a|b",
        "https://example.com/<script>",
        "https://example.com/a\\b",
    ],
)
def test_anything_else_is_shown_as_text(url: str | None) -> None:
    assert safe_url(url) is None


def test_a_url_with_a_secret_in_it_is_never_a_link() -> None:
    token = "ghp_" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(36))
    assert safe_url(f"https://example.com/?token={token}") is None
    planted = "x" + secrets.token_hex(12)
    redact.register_secret(planted)
    assert safe_url(f"https://ci.example.com/{planted}/run") is None


@pytest.fixture
def planted() -> str:
    value = "canary-" + secrets.token_hex(16)
    redact.register_secret(value)
    return value


def _report_with_text_everywhere(secret: str) -> Report:
    """Every report-level string, a suppression reason and the synthesis carry the registered value."""
    layers: list[LayerName] = ["gitleaks", "semgrep"]
    findings = [
        fx.make_finding(1, "semgrep", Severity.HIGH, references=[f"https://example.com/{secret}"]),
        fx.make_finding(
            2,
            "semgrep",
            Severity.LOW,
            status="suppressed",
            suppression=Suppression(reason=f"accepted: {secret}", owner=f"owner {secret}"),
        ),
    ]
    base = fx.generated_report(findings, layers)
    return base.model_copy(
        update={
            "reasons": [f"code: 1 new finding near {secret}"],
            "warnings": [f"warning about {secret}"],
            "layers": [
                LayerReport(name="gitleaks", status="error", error=f"gitleaks: exit 2: {secret}", version=secret),
                LayerReport(name="semgrep", status="ok", version="1.0", findings=2, notes=[f"note {secret}"]),
            ],
            "synthesis": Synthesis(source="deterministic", summary=f"summary {secret}", risk_score=10),
            "target": base.target.model_copy(update={"repository": f"acme/{secret}", "run_url": f"https://x/{secret}"}),
        }
    )


def test_the_envelope_redacts_every_string_outside_the_findings(planted: str) -> None:
    report = _report_with_text_everywhere(planted)
    assert planted in report.model_dump_json(exclude={"findings"})
    assert planted not in redacted_envelope(report).model_dump_json()


def test_a_suppression_is_redacted_when_it_is_made(planted: str) -> None:
    assert Suppression(reason=f"see {planted}", owner=planted) == Suppression(
        reason="see [REDACTED]", owner="[REDACTED]"
    )


@pytest.mark.parametrize("output", formats(), ids=lambda o: o.filename)
def test_no_file_format_writes_report_text_unredacted(output: object, planted: str) -> None:
    rendered = output.render(_report_with_text_everywhere(planted))  # type: ignore[attr-defined]
    assert planted not in rendered
    assert planted[:12] not in rendered


def test_the_terminal_and_slack_go_through_the_envelope(planted: str) -> None:
    report = _report_with_text_everywhere(planted)
    buffer = io.StringIO()
    print_summary(report, Console(file=buffer, width=200, color_system=None))
    assert planted not in buffer.getvalue()
    message = build_message(report, Config(), include_findings=True)
    assert planted not in message.text + json.dumps(message.blocks)
