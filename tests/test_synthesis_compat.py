"""Endpoint compatibility, each against a real loopback server: servers that reject
max_completion_tokens, classic Azure OpenAI next to Azure's /openai/v1/, a connect timeout apart
from the read timeout, prices of dated snapshots, and no private SDK import."""

from __future__ import annotations

import ast
import contextlib
import secrets
import socket
import string
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

from openai_server import OpenAIServer, Recorded, Reply, answer, completion, error
from secscan.config import AIConfig, Config
from secscan.credentials import Credentials
from secscan.findings import Finding
from secscan.findings.model import Category, Severity
from secscan.results import GateDecision
from secscan.synthesis import ai
from secscan.synthesis.interface import SynthesisInput, SynthesisResult

API_KEY = "sk-test-" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(40))
SOURCE = Path(__file__).resolve().parents[1] / "src" / "secscan"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenAIServer]:
    with OpenAIServer() as running:
        for name in ("OPENAI_API_VERSION", "AZURE_OPENAI_ENDPOINT", "SECSCAN_MODEL", "OPENAI_BASE_URL"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
        yield running


def _data() -> SynthesisInput:
    sqli = Finding(
        id="a" * 20,
        scanner="semgrep",
        layer="semgrep",
        category=Category.CODE,
        rule_id="python.sql-injection",
        severity=Severity.HIGH,
        title="SQL built from request data",
        path="app/db.py",
        line=12,
    )
    return SynthesisInput(findings=[sqli], gate=GateDecision(verdict="fail", reasons=["code: 1 new finding"]))


def _run(config: AIConfig | None = None) -> SynthesisResult:
    return anyio.run(ai.synthesize_or_fall_back, _data(), Config(ai=config or AIConfig(timeout_s=5, max_retries=0)))


def _root(server: OpenAIServer) -> str:
    return server.url.removesuffix("/v1")


def test_a_server_rejecting_max_completion_tokens_gets_max_tokens_once(
    server: OpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def old_proxy(request: Recorded) -> Reply:
        if "max_completion_tokens" in request.json:
            return error(400, "Unrecognized request argument supplied: max_completion_tokens")
        return Reply(body=completion(answer(ai_verdict="fail", summary="via max_tokens")))

    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    server.script(old_proxy)
    result = _run(AIConfig(max_completion_tokens=777, max_retries=0))
    assert result.synthesis.source == "ai", result.synthesis.error
    assert result.synthesis.summary == "via max_tokens"
    first, second = server.requests
    assert first.json["max_completion_tokens"] == 777 and "max_tokens" not in first.json
    assert second.json["max_tokens"] == 777 and "max_completion_tokens" not in second.json
    assert second.json["response_format"]["type"] == "json_schema", "still strict structured outputs"


def test_max_tokens_is_tried_once_only(server: OpenAIServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    server.script(error(400, "Unsupported parameter: 'max_completion_tokens' and 'max_tokens'"))
    result = _run()
    assert result.synthesis.source == "deterministic" and "HTTP 400" in (result.synthesis.error or "")
    assert len(server.requests) == 2


def test_classic_azure_openai_endpoint_deployment_and_api_version(
    server: OpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", _root(server))
    monkeypatch.setenv("OPENAI_API_VERSION", "2024-10-21")
    monkeypatch.setenv("SECSCAN_MODEL", "prod-gpt4o")  # the deployment name
    server.script(Reply(body=completion(answer(ai_verdict="fail"), model="gpt-4o-2024-11-20")))
    result = _run()
    assert result.synthesis.source == "ai", result.synthesis.error
    (request,) = server.requests
    assert request.path == "/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21"
    assert request.headers["api-key"] == API_KEY and "authorization" not in {h.lower() for h in request.headers}
    assert result.synthesis.model == "gpt-4o-2024-11-20"


def test_azure_api_version_from_operator_config(server: OpenAIServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", _root(server))
    monkeypatch.setenv("SECSCAN_MODEL", "dep")
    server.script(Reply(body=completion(answer(ai_verdict="fail"))))
    assert _run(AIConfig(azure_api_version="2025-01-01-preview", max_retries=0)).synthesis.source == "ai"
    assert server.requests[0].path == "/openai/deployments/dep/chat/completions?api-version=2025-01-01-preview"


def test_azure_v1_endpoint_is_a_plain_base_url(server: OpenAIServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", _root(server) + "/openai/v1/")
    monkeypatch.setenv("SECSCAN_MODEL", "prod-gpt4o")
    server.script(Reply(body=completion(answer(ai_verdict="fail"))))
    assert _run().synthesis.source == "ai"
    (request,) = server.requests
    assert request.path == "/openai/v1/chat/completions"
    assert request.json["model"] == "prod-gpt4o"


def test_connect_timeout_is_short_and_apart_from_the_read_timeout(
    server: OpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An endpoint that never accepts the connection (a full listen backlog on 127.0.0.1) fails after
    the connect timeout per attempt, not the 60 s read timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(8):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.2)
    try:
        monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{port}/v1")
        config = AIConfig(timeout_s=60, connect_timeout_s=1, max_retries=1)
        client = ai.client_for(API_KEY, Config(ai=config), Credentials.from_environment())
        assert (client.timeout.connect, client.timeout.read) == (1, 60)  # type: ignore[union-attr]
        started = time.monotonic()
        result = _run(config)
        elapsed = time.monotonic() - started
    finally:
        for filler in fillers:
            filler.close()
        listener.close()
    assert result.synthesis.source == "deterministic"
    assert "timed out" in (result.synthesis.error or "") or "reach" in (result.synthesis.error or "")
    assert elapsed < 15, f"two attempts with a 1 s connect timeout took {elapsed:.1f}s"


def test_dated_snapshots_are_priced_as_themselves(server: OpenAIServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    server.script(Reply(body=completion(answer(ai_verdict="fail"), model="gpt-4o-2024-05-13"), usage=(1_000_000, 0)))
    result = _run()
    assert result.usage is not None and result.usage.priced
    assert result.usage.cost_usd == pytest.approx(5.00)  # not gpt-4o's 2.50
    from secscan.synthesis import pricing

    assert pricing.price_for("gpt-4o-2024-08-06") == pricing.PRICES["gpt-4o"]
    assert pricing.price_for("gpt-3.5-turbo-1106") != pricing.PRICES["gpt-3.5-turbo"]


def test_no_private_sdk_module_is_imported() -> None:
    """openai's underscore modules (openai.lib._pydantic, openai._models...) change without notice."""
    offenders = []
    for path in SOURCE.rglob("*.py"):
        if "rules" in path.relative_to(SOURCE).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] in ("openai", "slack_sdk", "tiktoken") and any(p.startswith("_") for p in parts[1:]):
                    offenders.append(f"{path.relative_to(SOURCE)}: {name}")
    assert offenders == []
