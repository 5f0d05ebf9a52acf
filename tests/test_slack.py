"""Slack delivery against a real HTTP server on 127.0.0.1 playing the webhook and the Web API."""

from __future__ import annotations

import json
import re
import secrets
import string
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import anyio
import pytest

from conftest import corpus_path
from secscan.config import Config, PolicyConfig, SlackConfig
from secscan.findings.model import Category, Finding, LayerName, Severity
from secscan.findings.redact import register_secret
from secscan.outputs import slack
from secscan.policy.gate import LayerOutcome, evaluate
from secscan.report import Delivery, LayerReport, Report, Target, count_findings
from secscan.synthesis import deterministic
from secscan.synthesis.interface import SynthesisInput
from secscan.synthesis.model import TopRisk, Usage
from slack_server import CHANNEL_ID, Reply, SlackServer, block_problems, closed_port  # tests/ is on sys.path

CORPUS = corpus_path()
RUN_URL = "https://ci.example.com/acme/shop/actions/runs/42"
VERSIONS: dict[LayerName, str] = {"gitleaks": "8.30.0", "semgrep": "1.93.0", "trivy": "0.76.1", "trivy-image": "0.76.1"}
_SCANNER = {"gitleaks": "gitleaks", "semgrep": "semgrep", "trivy": "trivy", "trivy-image": "trivy"}
_CATEGORY = {
    "gitleaks": Category.SECRET,
    "semgrep": Category.CODE,
    "trivy": Category.VULNERABILITY,
    "trivy-image": Category.VULNERABILITY,
}
SEVERITIES = list(Severity)


# --------------------------------------------------------------------------- builders


def make_finding(i: int, layer: LayerName = "semgrep", **extra: Any) -> Finding:
    fields: dict[str, Any] = {
        "id": f"f{i:05d}",
        "scanner": _SCANNER[layer],
        "category": _CATEGORY[layer],
        "rule_id": f"{layer}-rule-{i % 7}",
        "severity": SEVERITIES[i % 4],
        "title": f"Finding number {i}",
        "path": f"src/module_{i}.py",
        "line": i + 1,
        "layer": layer,
        "fix": f"Fix number {i}.",
    }
    if _CATEGORY[layer] is Category.VULNERABILITY:
        fields.update(package=f"pkg{i}", installed_version="1.0.0", fixed_version="1.0.1")
    fields.update(extra)
    return Finding(**fields)


def make_report(
    findings: list[Finding],
    *,
    layers: list[LayerReport] | None = None,
    target: Target | None = None,
    **updates: Any,
) -> Report:
    """A report the way the pipeline builds one: the real gate and the deterministic synthesis."""
    if layers is None:
        names = sorted({f.layer for f in findings}) or ["semgrep"]
        layers = [
            LayerReport(name=n, status="ok", version=VERSIONS[n], findings=sum(f.layer == n for f in findings))
            for n in names
        ]
    outcomes = [LayerOutcome(name=layer.name, status=layer.status, error=layer.error) for layer in layers]
    gate = evaluate(findings, outcomes, PolicyConfig())
    synthesis = deterministic.build(SynthesisInput(findings=findings, gate=gate, repository="acme/shop"))
    report = Report(
        verdict=gate.verdict,
        reasons=gate.reasons,
        layers=layers,
        findings=findings,
        synthesis=synthesis,
        secscan_version="0.1.0",
        generated_at="2025-01-01T00:00:00+00:00",
        mode="report",
        target=target or Target(repository="acme/shop", ref="main", commit="0123456789abcdef", run_url=RUN_URL),
        counts=count_findings(findings),
    )
    return report.model_copy(update=updates)


def small_report() -> Report:
    findings = [
        make_finding(0, "gitleaks", severity=Severity.HIGH, title="AWS access key", snippet="aws_key = [REDACTED]"),
        make_finding(1, "semgrep", severity=Severity.HIGH, title="SQL injection"),
        make_finding(2, "semgrep", severity=Severity.MEDIUM, title="Flask debug mode", status="existing"),
        make_finding(3, "trivy", severity=Severity.CRITICAL, title="requests leaks Authorization header"),
        make_finding(4, "semgrep", severity=Severity.LOW, title="Weak random", status="suppressed"),
    ]
    layers = [
        LayerReport(name="gitleaks", status="ok", version=VERSIONS["gitleaks"], findings=1, duration_s=0.4),
        LayerReport(name="semgrep", status="ok", version=VERSIONS["semgrep"], findings=3, duration_s=3.2),
        LayerReport(name="trivy", status="error", error="trivy: DB download failed", findings=1, duration_s=1.0),
        LayerReport(name="trivy-image", status="skipped"),
    ]
    report = make_report(findings, layers=layers)
    synthesis = report.synthesis.model_copy(update={"source": "ai", "model": "gpt-4o-mini", "ai_verdict": "fail"})
    return report.model_copy(
        update={"synthesis": synthesis, "usage": Usage(prompt_tokens=1234, completion_tokens=567, cost_usd=0.0123)}
    )


def big_report(count: int = 10_000) -> Report:
    layers: list[LayerName] = ["gitleaks", "semgrep", "trivy", "trivy-image"]
    statuses = ["new", "new", "existing", "suppressed"]
    findings = [
        make_finding(
            i,
            layers[i % 4],
            title=f"Finding number {i}: " + "a rather long and descriptive title " * 3,
            path=f"services/component_{i % 97}/deeply/nested/package/module_{i}.py",
            status=statuses[(i // 4) % 4],
        )
        for i in range(count)
    ]
    report = make_report(findings)
    # The model may name many risks, each about many findings.
    risks = [
        TopRisk(
            finding_ids=[f"f{j:05d}" for j in range(k, count, 500)],
            title=f"Risk {k}: " + "x" * 180,
            why_it_matters="w" * 400,
            fix="f" * 600,
            urgency="immediate",
        )
        for k in range(40)
    ]
    synthesis = report.synthesis.model_copy(update={"top_risks": risks, "summary": "s" * 5000})
    return report.model_copy(
        update={"synthesis": synthesis, "reasons": [f"reason {i} " + "r" * 300 for i in range(40)]}
    )


# --------------------------------------------------------------------------- helpers


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def all_text(message: dict[str, Any]) -> str:
    return "\n".join(strings(message))


def assert_valid(message: dict[str, Any]) -> None:
    blocks = message["blocks"]
    assert block_problems(blocks) == []
    assert 0 < len(blocks) <= 50
    assert len(json.dumps(blocks, ensure_ascii=False)) <= 12_000
    for block in blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= 3000
        for item in block.get("fields", []):
            assert len(item["text"]) <= 2000
        assert len(block.get("elements", [])) <= 10
    assert message["text"] and len(message["text"]) <= 3000


def config_for(server: SlackServer | None = None, **slack_settings: Any) -> Config:
    settings: dict[str, Any] = {"timeout_s": 5, "retry_budget_s": 10, **slack_settings}
    if server is not None:
        settings["api_url"] = server.api_url
    return Config(slack=SlackConfig(**settings))


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SLACK_WEBHOOK_URL", "SLACK_BOT_TOKEN", "SLACK_CHANNEL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID", "CI_PIPELINE_URL", "CI_JOB_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> Iterator[SlackServer]:
    with SlackServer(token="xoxb-" + secrets.token_hex(12)) as running:
        yield running


def use_webhook(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("SLACK_WEBHOOK_URL", url)


def use_web_api(monkeypatch: pytest.MonkeyPatch, server: SlackServer, channel: str = "#security") -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", server.token)
    monkeypatch.setenv("SLACK_CHANNEL", channel)


def write_attachments(directory: Path, extra: str = "") -> dict[str, str]:
    files = {
        "report.md": f"# secscan report\n\nFAIL\n{extra}\n",
        "report.html": f"<html><body>FAIL {extra}</body></html>",
    }
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (directory / name).write_text(content, encoding="utf-8")
    return files


# --------------------------------------------------------------------------- configuration


def test_configured_needs_a_webhook_or_a_token_and_a_channel(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not slack.configured()
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-only-a-token")
    assert not slack.configured()
    monkeypatch.setenv("SLACK_CHANNEL", "#security")
    assert slack.configured()
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    monkeypatch.setenv("SLACK_WEBHOOK_URL", "http://127.0.0.1:9/webhook")
    assert slack.configured()


def test_not_configured_or_disabled_is_skipped(monkeypatch: pytest.MonkeyPatch, server: SlackServer) -> None:
    assert slack.post_report(small_report(), config_for()).status == "skipped"
    use_webhook(monkeypatch, server.webhook_url)
    assert slack.post_report(small_report(), config_for(enabled=False)).status == "skipped"
    assert server.received == []


# --------------------------------------------------------------------------- success


def test_webhook_message_has_everything(monkeypatch: pytest.MonkeyPatch, server: SlackServer) -> None:
    use_webhook(monkeypatch, server.webhook_url)
    report = small_report()

    delivery = slack.post_report(report, config_for())

    assert delivery.status == "sent", delivery.detail
    assert delivery.detail and "\n" not in delivery.detail
    [request] = server.requests_to("/webhook")
    message = request.json()
    assert_valid(message)
    assert message["unfurl_links"] is False
    header = message["blocks"][0]
    assert header["type"] == "header"
    assert "FAIL" in header["text"]["text"] and "acme/shop @ main" in header["text"]["text"]
    text = all_text(message)
    assert "FAIL" in message["text"] and "acme/shop" in message["text"]
    assert f"*Risk score:* {report.synthesis.risk_score}/100" in text
    assert report.synthesis.summary.split(".")[0] in text
    for expected in ("critical: 1", "high: 2", "medium: 1", "new: 3", "existing: 1", "suppressed: 1"):
        assert expected in text
    assert "semgrep: 2" in text and "trivy: error" in text
    for risk in report.synthesis.top_risks:
        assert risk.fix in text
    assert "`src/module_3.py:4`" in text  # where the top risk is
    assert "*Why the gate failed*" in text
    assert "layer trivy failed" in text
    assert f"<{RUN_URL}|View the CI run>" in text
    footer = message["blocks"][-1]
    assert footer["type"] == "context"
    footer_text = all_text(footer)
    for expected in (
        "semgrep 1.93.0",
        "gitleaks 8.30.0",
        "synthesis: ai (gpt-4o-mini)",
        "1,234 in / 567 out",
        "$0.0123",
    ):
        assert expected in footer_text
    # A webhook cannot thread: the findings are listed in the message itself; suppressed ones are not.
    assert "SQL injection" in text and "Weak random" not in text
    assert "aws_key" not in text  # snippets are never sent


def test_web_api_posts_message_thread_and_files(
    monkeypatch: pytest.MonkeyPatch, server: SlackServer, tmp_path: Path
) -> None:
    use_web_api(monkeypatch, server)
    use_webhook(monkeypatch, server.webhook_url)  # the bot token wins when both are set
    files = write_attachments(tmp_path)

    delivery = slack.post_report(small_report(), config_for(server), attachments_dir=tmp_path)

    assert delivery.status == "sent", delivery.detail
    assert server.requests_to("/webhook") == []
    assert all(
        r.headers.get("authorization") == f"Bearer {server.token}"
        for r in server.received
        if r.path.startswith("/api/")
    )
    main, *replies = [r.json() for r in server.requests_to("/api/chat.postMessage")]
    assert main["channel"] == "#security" and "thread_ts" not in main
    assert_valid(main)
    assert "*Findings*" not in all_text(main)  # the findings go to the thread, per layer
    main_ts = "1700000000.000001"
    assert [r["thread_ts"] for r in replies] == [main_ts] * 3  # the skipped layer gets no reply
    assert {r["channel"] for r in replies} == {CHANNEL_ID}
    for reply, layer in zip(replies, ("gitleaks", "semgrep", "trivy"), strict=True):
        assert_valid(reply)
        assert f"*{layer}*" in all_text(reply)
    assert "SQL injection" in all_text(replies[1])
    assert "DB download failed" in all_text(replies[2])

    # files_upload_v2: one URL per file, the bytes to it, then one completion into the thread.
    asked = [r.form() for r in server.requests_to("/api/files.getUploadURLExternal")]
    assert {a["filename"] for a in asked} == set(files)
    uploads = [r for r in server.received if r.path.startswith("/upload/")]
    assert sorted(u.text for u in uploads) == sorted(files.values())
    assert {int(a["length"]) for a in asked} == {len(c.encode()) for c in files.values()}
    [complete] = [r.form() for r in server.requests_to("/api/files.completeUploadExternal")]
    assert complete["channel_id"] == CHANNEL_ID and complete["thread_ts"] == main_ts
    assert {f["id"] for f in json.loads(complete["files"])} == {u.path.removeprefix("/upload/") for u in uploads}
    assert delivery.detail and "3 thread replies" in delivery.detail and "report.md" in delivery.detail


def test_web_api_without_out_dir_attaches_a_rendered_report(
    monkeypatch: pytest.MonkeyPatch, server: SlackServer
) -> None:
    use_web_api(monkeypatch, server)
    delivery = slack.post_report(small_report(), config_for(server, thread_details=False))
    assert delivery.status == "sent", delivery.detail
    names = {r.form()["filename"] for r in server.requests_to("/api/files.getUploadURLExternal")}
    assert names and names <= {"report.md", "report.html", "report.json"}


# --------------------------------------------------------------------------- retries and failures


def test_webhook_rate_limit_honours_retry_after(monkeypatch: pytest.MonkeyPatch, server: SlackServer) -> None:
    use_webhook(monkeypatch, server.webhook_url)
    server.script("/webhook", Reply(429, "rate_limited", {"Retry-After": "1"}))
    started = time.monotonic()
    delivery = slack.post_report(small_report(), config_for())
    elapsed = time.monotonic() - started
    assert delivery.status == "sent", delivery.detail
    assert len(server.requests_to("/webhook")) == 2
    assert 1.0 <= elapsed < 5


def test_web_api_rate_limit_then_success(monkeypatch: pytest.MonkeyPatch, server: SlackServer) -> None:
    use_web_api(monkeypatch, server)
    server.script("/api/chat.postMessage", Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}))
    delivery = slack.post_report(small_report(), config_for(server, thread_details=False, attach_report=False))
    assert delivery.status == "sent", delivery.detail
    assert len(server.requests_to("/api/chat.postMessage")) == 2


def test_retry_after_beyond_the_budget_fails_without_waiting(
    monkeypatch: pytest.MonkeyPatch, server: SlackServer
) -> None:
    use_webhook(monkeypatch, server.webhook_url)
    server.always("/webhook", Reply(429, "rate_limited", {"Retry-After": "3600"}))
    started = time.monotonic()
    delivery = slack.post_report(small_report(), config_for())
    assert time.monotonic() - started < 3
    assert delivery.status == "failed" and delivery.detail and "429" in delivery.detail
    assert len(server.requests_to("/webhook")) == 1


def test_persistent_server_error_fails_after_retries(monkeypatch: pytest.MonkeyPatch, server: SlackServer) -> None:
    use_webhook(monkeypatch, server.webhook_url)
    server.always("/webhook", Reply(500, "rollup_error"))
    started = time.monotonic()
    delivery = slack.post_report(small_report(), config_for(max_retries=2))
    assert time.monotonic() - started < 8
    assert delivery == Delivery(status="failed", detail=delivery.detail)
    assert delivery.detail and "HTTP 500" in delivery.detail and "2 retries" in delivery.detail
    assert server.webhook_url not in delivery.detail
    assert len(server.requests_to("/webhook")) == 3


def test_web_api_server_error_fails(monkeypatch: pytest.MonkeyPatch, server: SlackServer) -> None:
    use_web_api(monkeypatch, server)
    server.always("/api/chat.postMessage", Reply(503, "Service Unavailable"))
    delivery = slack.post_report(small_report(), config_for(server, max_retries=1))
    assert delivery.status == "failed" and delivery.detail and "503" in delivery.detail
    assert len(server.requests_to("/api/chat.postMessage")) == 2
    assert server.requests_to("/api/files.getUploadURLExternal") == []


def test_web_api_error_is_reported(monkeypatch: pytest.MonkeyPatch, server: SlackServer) -> None:
    use_web_api(monkeypatch, server, channel="#nowhere")
    server.always("/api/chat.postMessage", Reply(200, {"ok": False, "error": "channel_not_found"}))
    delivery = slack.post_report(small_report(), config_for(server))
    assert delivery.status == "failed" and delivery.detail and "channel_not_found" in delivery.detail


def test_dropped_connection_is_retried(monkeypatch: pytest.MonkeyPatch, server: SlackServer) -> None:
    use_webhook(monkeypatch, server.webhook_url)
    server.script("/webhook", Reply(drop=True))
    delivery = slack.post_report(small_report(), config_for())
    assert delivery.status == "sent", delivery.detail
    assert len(server.requests_to("/webhook")) == 2


@pytest.mark.parametrize("mode", ["webhook", "web-api"])
def test_unreachable_host_fails_quickly(monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    port = closed_port()
    if mode == "webhook":
        use_webhook(monkeypatch, f"http://127.0.0.1:{port}/services/T000/B000/{secrets.token_hex(12)}")
        config = config_for()
    else:
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-" + secrets.token_hex(12))
        monkeypatch.setenv("SLACK_CHANNEL", "#security")
        config = config_for(api_url=f"http://127.0.0.1:{port}/api/")
    started = time.monotonic()
    delivery = slack.post_report(small_report(), config)
    assert time.monotonic() - started < 5
    assert delivery.status == "failed" and delivery.detail and "cannot connect" in delivery.detail
    assert "\n" not in delivery.detail and "xoxb-" not in delivery.detail


def test_slow_server_times_out(monkeypatch: pytest.MonkeyPatch, server: SlackServer) -> None:
    use_webhook(monkeypatch, server.webhook_url)
    server.always("/webhook", Reply(delay_s=3))
    started = time.monotonic()
    delivery = slack.post_report(small_report(), config_for(timeout_s=1, max_retries=0))
    assert time.monotonic() - started < 2.5
    assert delivery.status == "failed" and delivery.detail and "no answer within 1 s" in delivery.detail


def test_thread_detail_failure_keeps_the_message_sent(
    monkeypatch: pytest.MonkeyPatch, server: SlackServer, tmp_path: Path
) -> None:
    use_web_api(monkeypatch, server)
    write_attachments(tmp_path)
    server.always("/api/files.getUploadURLExternal", Reply(200, {"ok": False, "error": "not_allowed_token_type"}))
    delivery = slack.post_report(small_report(), config_for(server), attachments_dir=tmp_path)
    assert delivery.status == "sent"
    assert delivery.detail and "attachment not sent" in delivery.detail and "not_allowed_token_type" in delivery.detail


# --------------------------------------------------------------------------- limits


def _findings_shown_and_more(message: dict[str, Any]) -> tuple[int, int]:
    text = all_text(message)
    shown = len(set(re.findall(r"\*Finding number (\d+):", text)))
    more = re.search(r"…and ([\d,]+) more findings", text)
    assert more, "no '…and N more findings' pointer"
    return shown, int(more.group(1).replace(",", ""))


def test_ten_thousand_findings_webhook_message_fits(monkeypatch: pytest.MonkeyPatch, server: SlackServer) -> None:
    use_webhook(monkeypatch, server.webhook_url)
    report = big_report()
    started = time.monotonic()
    delivery = slack.post_report(report, config_for())
    assert time.monotonic() - started < 10
    assert delivery.status == "sent", delivery.detail
    [message] = server.messages()
    assert_valid(message)
    text = all_text(message)
    shown, more = _findings_shown_and_more(message)
    active = sum(f.status != "suppressed" for f in report.findings)
    assert shown > 0 and shown + more == active
    assert re.search(r"…and [\d,]+ more top risks", text)
    assert re.search(r"…and [\d,]+ more reasons in report.json", text)
    assert f"<{RUN_URL}|View the CI run>" in text  # the tail survives the squeeze
    assert message["blocks"][-1]["type"] == "context"


def test_ten_thousand_findings_web_api_messages_fit(
    monkeypatch: pytest.MonkeyPatch, server: SlackServer, tmp_path: Path
) -> None:
    use_web_api(monkeypatch, server)
    write_attachments(tmp_path)
    delivery = slack.post_report(big_report(), config_for(server), attachments_dir=tmp_path)
    assert delivery.status == "sent", delivery.detail
    messages = server.messages()
    assert len(messages) == 5
    for message in messages:
        assert_valid(message)
    for reply in messages[1:]:
        assert re.search(r"…and [\d,]+ more — see report.html \(attached in the thread\)", all_text(reply))


def test_every_block_fits_with_huge_fields() -> None:
    """Oversized text anywhere is cut to Slack's limits without cutting an escape sequence in half."""
    huge = "&" * 5000
    findings = [make_finding(i, title=huge, path=huge, rule_id=huge) for i in range(30)]
    report = make_report(
        findings,
        layers=[LayerReport(name="semgrep", status="error", error=huge, version=huge, notes=[huge] * 12)],
        target=Target(repository=huge, ref=huge, commit=huge, run_url="https://ci.example.com/" + "a" * 5000),
        warnings=[huge] * 3,
    )
    synthesis = report.synthesis.model_copy(update={"summary": huge, "model": huge, "error": huge})
    report = report.model_copy(update={"synthesis": synthesis, "reasons": [huge] * 5})
    config = config_for()
    for rendered in (
        slack.build_message(report, config, include_findings=True),
        slack.build_layer_reply(report, report.layers[0]),
    ):
        message = {"text": rendered.text, "blocks": rendered.blocks}
        assert_valid(message)
        for value in strings(message):
            assert not re.search(r"&(?!amp;)", value), "a cut escape sequence"


# --------------------------------------------------------------------------- hostile text and secrets

HOSTILE = (
    "<!channel> <!here|here> <@U024BE7LH> <#C024BE7LH> <http://evil.example|click me> @here @channel @everyone & co"
)


def hostile_report() -> Report:
    findings = [
        make_finding(1, "semgrep", title=HOSTILE, path=f"src/{HOSTILE}.py", rule_id=HOSTILE),
        make_finding(2, "trivy", title=HOSTILE, package=HOSTILE, installed_version=HOSTILE, fixed_version=HOSTILE),
    ]
    layers = [
        LayerReport(name="semgrep", status="error", error=HOSTILE, version=HOSTILE, notes=[HOSTILE], findings=1),
        LayerReport(name="trivy", status="ok", version="0.76.1", findings=1),
    ]
    report = make_report(
        findings,
        layers=layers,
        target=Target(repository=f"acme/{HOSTILE}", ref=HOSTILE, commit=HOSTILE, run_url=RUN_URL),
        warnings=[HOSTILE],
    )
    risk = TopRisk(finding_ids=["f00001"], title=HOSTILE, why_it_matters=HOSTILE, fix=HOSTILE, urgency="immediate")
    synthesis = report.synthesis.model_copy(
        update={"summary": HOSTILE, "top_risks": [risk], "source": "ai", "model": HOSTILE, "verdict_reason": HOSTILE}
    )
    return report.model_copy(update={"synthesis": synthesis, "reasons": [HOSTILE, *report.reasons]})


@pytest.mark.parametrize("mode", ["webhook", "web-api"])
def test_hostile_text_is_escaped(monkeypatch: pytest.MonkeyPatch, server: SlackServer, mode: str) -> None:
    if mode == "webhook":
        use_webhook(monkeypatch, server.webhook_url)
    else:
        use_web_api(monkeypatch, server)
    delivery = slack.post_report(hostile_report(), config_for(server, attach_report=False))
    assert delivery.status == "sent", delivery.detail
    messages = server.messages()
    assert len(messages) == (1 if mode == "webhook" else 3)
    for message in messages:
        assert_valid(message)
        for value in strings(message):
            # The only angle-bracket syntax that reaches Slack is our own link to the CI run.
            for token in re.findall(r"<[^>]*>", value):
                assert token == f"<{RUN_URL}|View the CI run>", token
            assert not re.search(r"@(here|channel|everyone)\b", value), value
            assert "& co" not in value
    text = "\n".join(all_text(m) for m in messages)
    assert "&lt;!channel&gt;" in text and "&lt;http://evil.example|click me&gt;" in text and "&amp; co" in text
    if mode == "web-api":
        assert all(m.get("link_names") is False and m.get("parse") == "none" for m in messages)


@pytest.mark.parametrize("mode", ["webhook", "web-api"])
def test_planted_secrets_never_leave(
    monkeypatch: pytest.MonkeyPatch, server: SlackServer, tmp_path: Path, mode: str
) -> None:
    slack_token = "xoxb-" + secrets.token_hex(12)
    github_token = "ghp_" + secrets.token_hex(18)
    aws_key = "AKIA" + "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(16))
    own_value = "correct-horse-" + secrets.token_hex(6)  # no known format: found only because it is registered
    snippet_only = "hunter2-" + secrets.token_hex(4)  # in a snippet, which is never sent
    planted = [slack_token, github_token, aws_key, own_value]
    for value in planted:
        register_secret(value)
    mixed = " ".join(planted)
    findings = [
        make_finding(1, "gitleaks", title=f"Slack token {slack_token}", snippet=f"token = {snippet_only}"),
        make_finding(2, "gitleaks", title=f"GitHub token {github_token}", path=f"config/{aws_key}.env"),
        make_finding(3, "semgrep", title=f"uses {own_value}", rule_id=own_value, description=snippet_only),
    ]
    report = make_report(
        findings,
        layers=[
            LayerReport(name="gitleaks", status="ok", version="8.30.0", findings=2),
            LayerReport(name="semgrep", status="error", error=f"crashed near {mixed}", notes=[mixed], findings=1),
        ],
        target=Target(repository="acme/shop", ref=own_value, run_url=f"{RUN_URL}?t={own_value}"),
        warnings=[mixed],
    )
    risk = TopRisk(
        finding_ids=["f00001"], title=mixed, why_it_matters=mixed, fix=f"rotate {mixed}", urgency="immediate"
    )
    synthesis = report.synthesis.model_copy(update={"summary": mixed, "top_risks": [risk], "error": mixed})
    report = report.model_copy(update={"synthesis": synthesis, "reasons": [mixed]})
    write_attachments(tmp_path, extra=mixed)
    if mode == "webhook":
        use_webhook(monkeypatch, server.webhook_url)
    else:
        use_web_api(monkeypatch, server)

    delivery = slack.post_report(report, config_for(server), attachments_dir=tmp_path)

    assert delivery.status == "sent", delivery.detail
    assert len(server.received) == (1 if mode == "webhook" else 8)
    for request in server.received:
        for body in (request.text, unquote_plus(request.text)):
            for value in [*planted, snippet_only, server.token]:
                assert value not in body, f"{value} sent to {request.path}"
    assert "[REDACTED]" in "\n".join(r.text for r in server.received)


# --------------------------------------------------------------------------- the pipeline

CORPUS_INPUTS: dict[LayerName, Path | None] = {
    "gitleaks": CORPUS / "gitleaks" / "json_simple.json",
    "semgrep": CORPUS / "semgrep" / "join_multiple-rules.json",
    "trivy": CORPUS / "trivy" / "secrets.json",
    "trivy-image": CORPUS / "trivy" / "alpine-310.json",
}


def _report_from_corpus(out_dir: Path, no_slack: bool = False) -> Report:
    from secscan.pipeline import Options, report_from_files

    options = Options(out_dir=out_dir, no_ai=True, no_slack=no_slack)
    report: Report = anyio.run(report_from_files, CORPUS_INPUTS, options)
    return report


def test_pipeline_corpus_report_posts_a_valid_message(
    monkeypatch: pytest.MonkeyPatch, server: SlackServer, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    use_webhook(monkeypatch, server.webhook_url)
    report = _report_from_corpus(tmp_path / "out")
    assert report.slack is not None and report.slack.status == "sent", report.slack
    [message] = server.messages()
    assert_valid(message)
    stored = json.loads((tmp_path / "out" / "report.json").read_text())
    assert stored["slack"]["status"] == "sent"
    # trivy's fixture carries a dummy GitHub token in the scanned code lines.
    assert "ghp_" + "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" not in server.received[0].text


def test_pipeline_records_a_slack_failure_and_carries_on(
    monkeypatch: pytest.MonkeyPatch, server: SlackServer, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    use_webhook(monkeypatch, server.webhook_url)
    server.always("/webhook", Reply(500, "rollup_error"))

    report = _report_from_corpus(tmp_path / "with-slack")
    quiet = _report_from_corpus(tmp_path / "without-slack", no_slack=True)

    assert report.slack is not None and report.slack.status == "failed"
    assert report.slack.detail and "HTTP 500" in report.slack.detail
    stored = json.loads((tmp_path / "with-slack" / "report.json").read_text())
    assert stored["slack"]["status"] == "failed"
    assert quiet.slack is None
    assert (report.verdict, report.reasons, report.findings) == (quiet.verdict, quiet.reasons, quiet.findings)
    written = sorted(p.name for p in (tmp_path / "with-slack").iterdir())
    assert written == sorted(p.name for p in (tmp_path / "without-slack").iterdir())
    assert {"report.json", "secscan.sarif"} <= set(written) or "report.json" in written


def test_cli_exit_code_is_the_gates_when_slack_fails(
    monkeypatch: pytest.MonkeyPatch, server: SlackServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from secscan.cli import main

    monkeypatch.chdir(tmp_path)
    use_webhook(monkeypatch, server.webhook_url)
    server.always("/webhook", Reply(500, "rollup_error"))
    args = ["report", "--out", str(tmp_path / "out"), "--no-ai"]
    for layer, path in CORPUS_INPUTS.items():
        args += [f"--{layer}", str(path)]

    code = main(args)

    stored = json.loads((tmp_path / "out" / "report.json").read_text())
    assert stored["slack"]["status"] == "failed"
    assert code == (0 if stored["verdict"] == "pass" else 1)
    assert "not delivered" in capsys.readouterr().err
    assert server.requests_to("/webhook")
