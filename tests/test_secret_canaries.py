"""Secret canaries: random secrets planted at run time must never leave secscan.

A git repository is generated with secrets of six kinds (AWS, GitHub, Slack, Stripe, GitLab,
RSA private key): five in the current code, the Stripe key only in git history. A container
image (OCI layout, passed with --image) carries two more: a GitLab token in a file of one of
its layers and a GitHub token in its config Env (and so in its build history). The scan runs
with the real scanners, the AI layer on (loopback chat-completions server, through
OPENAI_API_KEY/OPENAI_BASE_URL) and Slack on through the Web API (SLACK_BOT_TOKEN +
SLACK_CHANNEL: message, thread replies and file uploads).

Then not one 12-character piece of any secret (nor of the API key or the bot token) may appear
in any file of the output folder (recursively), on stdout or stderr, in any request the model
endpoint received, or in any Slack payload (messages, thread replies, uploaded files).
"""

from __future__ import annotations

import json
import secrets
import string
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

import pytest

from canaries import Canary, github_pat, gitlab_pat
from openai_server import OpenAIServer
from planted_repo import PlantedRepo, build
from reliability_support import (
    WINDOW,
    Run,
    assert_no_traceback,
    assert_outputs_written,
    leaked,
    real_scanner_env,
    require_real,
    secret_windows,
    secscan,
    texts_of_tree,
)
from slack_server import SlackServer
from support.images import alpine_root, build_oci_layout, python_dist_info

pytestmark = [pytest.mark.scanners, pytest.mark.slow]


@dataclass
class CanaryRun:
    planted: PlantedRepo
    image_layer_secret: Canary
    image_env_secret: Canary
    api_key: str
    bot_token: str
    run: Run
    model_requests: list[Any]
    slack_requests: list[Any]

    @property
    def secrets(self) -> dict[str, str]:
        values = {f"repo {c.kind} ({path})": c.value for path, c in self.planted.head_secrets.items()}
        assert self.planted.history_secret is not None
        values[f"history-only {self.planted.history_secret.kind}"] = self.planted.history_secret.value
        values["image layer file (gitlab)"] = self.image_layer_secret.value
        values["image config Env (github)"] = self.image_env_secret.value
        values["OPENAI_API_KEY"] = self.api_key
        values["SLACK_BOT_TOKEN"] = self.bot_token
        return values


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


@pytest.fixture(scope="module")
def canary_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CanaryRun]:
    require_real("gitleaks", "semgrep", "trivy")
    root = tmp_path_factory.mktemp("canaries")
    planted = build(root)
    layer_secret, env_secret = gitlab_pat(), github_pat()
    image = build_oci_layout(
        root / "image",
        [
            alpine_root(),
            python_dist_info("requests", "2.19.0"),
            {"srv/app/config/.env": f"GITLAB_TOKEN={layer_secret.value}\nDEBUG=false\n"},
        ],
        env=["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", f"GITHUB_TOKEN={env_secret.value}"],
    )
    api_key = "sk-proj-" + _random(string.ascii_letters + string.digits, 48)
    bot_token = f"xoxb-{_random(string.digits, 12)}-{_random(string.digits, 12)}-{_random(string.ascii_letters, 24)}"
    with OpenAIServer() as model, SlackServer(token=bot_token) as slack:
        config = root / "secscan.toml"
        config.write_text(
            "[ai]\ntimeout_s = 20\nmax_retries = 0\n\n"
            f'[slack]\napi_url = "{slack.api_url}"\ntimeout_s = 10\nmax_retries = 0\n'
        )
        env = real_scanner_env(
            planted.trivy_cache,
            OPENAI_API_KEY=api_key,
            OPENAI_BASE_URL=model.url,
            SLACK_BOT_TOKEN=bot_token,
            SLACK_CHANNEL="#security",
        )
        run = secscan(
            "scan", planted.path, "--image", image, "--config", config, env=env, out=root / "out", timeout=900
        )
        yield CanaryRun(
            planted, layer_secret, env_secret, api_key, bot_token, run, list(model.requests), list(slack.received)
        )


def test_the_scan_found_the_canaries_and_everything_was_exercised(canary_run: CanaryRun) -> None:
    """Without this, "nothing leaked" could mean "nothing was looked at"."""
    run = canary_run.run
    assert_no_traceback(run)
    assert run.code == 1, run.stderr
    assert run.out is not None
    assert_outputs_written(run.out)
    report = run.report
    assert {entry["name"]: entry["status"] for entry in report["layers"]} == {
        "gitleaks": "ok",
        "semgrep": "ok",
        "trivy": "ok",
        "trivy-image": "ok",
    }, report["layers"]
    history = run.findings(category="secret", path="legacy_settings.py")
    assert history and history[0]["in_head"] is False, "the history-only secret was not found"
    for path in canary_run.planted.head_secrets:
        assert run.findings(category="secret", path=path), f"no finding for the secret in {path}"
    image_secrets = [f for f in report["findings"] if f["layer"] == "trivy-image" and f["category"] == "secret"]
    assert image_secrets, "the secret in the image layer was not found"
    assert report["synthesis"]["source"] == "ai", report["synthesis"]
    assert len(canary_run.model_requests) == 1
    assert report["slack"] is not None and report["slack"]["status"] == "sent", report["slack"]
    paths = [request.path for request in canary_run.slack_requests]
    assert paths.count("/api/chat.postMessage") >= 2, f"no thread replies: {paths}"
    assert any(p.startswith("/upload/") for p in paths), f"no file uploaded: {paths}"
    assert "/api/files.completeUploadExternal" in paths


def _check(where: str, text: str, pieces: set[str], names: dict[str, str]) -> None:
    piece = leaked(text, pieces)
    if piece is not None:
        owner = next(name for name, value in names.items() if piece in value)
        at = text.index(piece)
        pytest.fail(f"{owner} leaked into {where}: …{text[max(0, at - 40) : at + 40]!r}…")


def test_no_secret_in_any_output_file(canary_run: CanaryRun) -> None:
    names = canary_run.secrets
    pieces = secret_windows(names.values())
    assert canary_run.run.out is not None
    files = list(texts_of_tree(canary_run.run.out))
    assert len(files) >= 8, [name for name, _ in files]  # four reports and four raw files
    for name, text in files:
        _check(f"{name} in the output folder", text, pieces, names)


def test_no_secret_on_the_terminal(canary_run: CanaryRun) -> None:
    names = canary_run.secrets
    pieces = secret_windows(names.values())
    assert "FAIL" in canary_run.run.stderr
    _check("stdout", canary_run.run.stdout, pieces, names)
    _check("stderr", canary_run.run.stderr, pieces, names)


def test_no_secret_reaches_the_model(canary_run: CanaryRun) -> None:
    names = canary_run.secrets
    pieces = secret_windows(names.values())
    for request in canary_run.model_requests:
        body = request.raw.decode("utf-8", errors="replace")
        _check("the model request body", body, pieces, names)
        _check("the model request (decoded)", json.dumps(request.json, ensure_ascii=False), pieces, names)
        headers = {name.lower(): value for name, value in request.headers.items()}
        assert headers.get("authorization") == f"Bearer {canary_run.api_key}"  # only where it belongs


def test_no_secret_reaches_slack(canary_run: CanaryRun) -> None:
    names = canary_run.secrets
    pieces = secret_windows(names.values())
    assert canary_run.slack_requests
    for request in canary_run.slack_requests:
        text = request.text
        for body in (text, unquote_plus(text)):
            _check(f"the Slack request to {request.path}", body, pieces, names)


def test_the_leak_check_itself_works() -> None:
    """The detector finds a 12-character piece anywhere, and ignores PEM armour lines."""
    value = "glpat-" + "A1b2C3d4E5f6G7h8J9k0"
    armour = "RSA " + "PRIVATE KEY-----"  # split: no private-key block stands in this file
    pieces = secret_windows([value, f"-----BEGIN {armour}\nQUJDREVGR0hJSktMTU5PUFFSU1RVVldY\n-----END {armour}"])
    assert leaked(f"xx {value[3 : 3 + WINDOW]} yy", pieces) == value[3 : 3 + WINDOW]
    assert leaked(f"token: [REDACTED] -----BEGIN {armour} [REDACTED]", pieces) is None
    assert leaked("…UUldY…", pieces) is None and leaked("xxREVGR0hJSktMxx", pieces) == "REVGR0hJSktM"
