"""The model's and Slack's credentials travel as explicit values (`Options.credentials`): the
Dagger module hands them over without touching os.environ, and a run given credentials uses
those, not whatever the process environment holds."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

from openai_server import OpenAIServer, Reply, answer, completion
from secscan.credentials import Credentials, reveal
from secscan.findings.redact import redact_text
from secscan.pipeline import Options, report_from_files
from slack_server import SlackServer

ENV_NAMES = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_API_VERSION",
    "AZURE_OPENAI_ENDPOINT",
    "SECSCAN_MODEL",
    "SLACK_WEBHOOK_URL",
    "SLACK_BOT_TOKEN",
    "SLACK_CHANNEL",
)


@pytest.fixture(autouse=True)
def no_credentials_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def model() -> Iterator[OpenAIServer]:
    with OpenAIServer() as running:
        yield running


def test_from_environment_reads_each_name_and_strips_blanks() -> None:
    key, token = "sk-" + secrets.token_hex(16), "xoxb-" + secrets.token_hex(12)
    credentials = Credentials.from_environment(
        {
            "OPENAI_API_KEY": f" {key} ",
            "SECSCAN_MODEL": "gpt-4o-mini",
            "SLACK_BOT_TOKEN": token,
            "SLACK_CHANNEL": "#sec",
            "SLACK_WEBHOOK_URL": "   ",
        }
    )
    assert reveal(credentials.openai_api_key) == key and credentials.model == "gpt-4o-mini"
    assert reveal(credentials.slack_bot_token) == token and credentials.slack_channel == "#sec"
    assert credentials.slack_webhook_url is None, "a blank value is no credential"
    assert sorted(credentials.secret_values()) == sorted([key, token])
    assert key not in repr(credentials) and token not in repr(credentials), "repr never shows a secret"


def test_explicit_credentials_drive_the_model_and_slack(
    model: OpenAIServer, corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "sk-test-" + secrets.token_hex(20)
    model.script(Reply(body=completion(answer(ai_verdict="fail", summary="from the explicit key"))))
    with SlackServer(token="xoxb-" + secrets.token_hex(12)) as slack:
        credentials = Credentials(
            openai_api_key=key, openai_base_url=model.url, model="gpt-4o-mini", slack_webhook_url=slack.webhook_url
        )
        options = Options(out_dir=tmp_path / "out", credentials=credentials)
        report = anyio.run(report_from_files, {"gitleaks": corpus_dir / "gitleaks" / "json_simple.json"}, options)
        posted = slack.messages()
    assert report.synthesis.source == "ai" and report.synthesis.summary == "from the explicit key"
    (request,) = model.requests
    assert request.headers.get("authorization") == f"Bearer {key}" and request.json["model"] == "gpt-4o-mini"
    assert report.slack is not None and report.slack.status == "sent" and posted
    assert redact_text(f"key={key}") != f"key={key}", "the run registered the key with the redactor"
    written = "".join(p.read_text(errors="replace") for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert key not in written


def test_without_credentials_the_environment_is_read_once_at_the_start(
    model: OpenAIServer, corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model.script(Reply(body=completion(answer(ai_verdict="fail", summary="from the environment"))))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-" + secrets.token_hex(20))
    monkeypatch.setenv("OPENAI_BASE_URL", model.url)
    options = Options(out_dir=tmp_path / "out")
    report = anyio.run(report_from_files, {"gitleaks": corpus_dir / "gitleaks" / "json_simple.json"}, options)
    assert report.synthesis.source == "ai" and report.synthesis.summary == "from the environment"


def test_empty_credentials_mean_no_model_whatever_the_environment(
    model: OpenAIServer, corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-" + secrets.token_hex(20))
    monkeypatch.setenv("OPENAI_BASE_URL", model.url)
    options = Options(out_dir=tmp_path / "out", credentials=Credentials())
    report = anyio.run(report_from_files, {"gitleaks": corpus_dir / "gitleaks" / "json_simple.json"}, options)
    assert report.synthesis.source == "deterministic" and not model.requests
