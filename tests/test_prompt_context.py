"""What the model sees of the code: source lines around each code finding and each dataflow step
when the scanned tree is given, redacted, never a line that holds a secret, never a file outside
the tree; and the per-finding evidence (rule confidence, CVSS, dependency, trivy status, upgrades)."""

from __future__ import annotations

import json
import os
import secrets
import string
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

from canaries import aws_access_key_id
from conftest import corpus_path
from openai_server import OpenAIServer, Reply, answer, completion, untrusted_block
from secscan.findings import Finding
from secscan.findings.model import Category, Evidence, FlowStep, Severity, Sighting
from secscan.pipeline import Options, report_from_files
from secscan.results import GateDecision
from secscan.synthesis.context import WITHHELD, SourceLines
from secscan.synthesis.interface import SynthesisInput
from secscan.synthesis.prompt import build_prompt, short_rule

API_KEY = "sk-test-" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(40))
TAINT_FILE = "targets/taint/taint_trace.cpp"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenAIServer]:
    with OpenAIServer() as running:
        monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
        monkeypatch.setenv("OPENAI_BASE_URL", running.url)
        monkeypatch.delenv("SECSCAN_MODEL", raising=False)
        yield running


def _rows(user: str) -> list[dict[str, object]]:
    return list(json.loads(untrusted_block(user))["findings"])


def test_report_with_source_shows_lines_around_the_finding_and_each_dataflow_step(
    server: OpenAIServer, tmp_path: Path
) -> None:
    """semgrep's recorded taint finding (source line 10, steps 10/15/12, sink 17) on a tree that holds the file."""
    source = tmp_path / "src"
    code = source / TAINT_FILE
    code.parent.mkdir(parents=True)
    code.write_text("".join(f"int line_{n} = {n}; // L{n}\n" for n in range(1, 31)))
    server.script(Reply(body=completion(answer(ai_verdict="fail"))))
    inputs = {"semgrep": corpus_path() / "semgrep/json_output_with_dataflow_traces.json"}
    options = Options(out_dir=tmp_path / "out", no_slack=True)
    anyio.run(report_from_files, inputs, options, source)  # type: ignore[arg-type]
    (request,) = server.requests
    (row,) = [r for r in _rows(request.content("user")) if r["c"] == "code"]
    context = row["ctx"]
    assert isinstance(context, list)
    assert "17: int line_17 = 17; // L17" in context, "the finding's own line"
    assert context[0].startswith("9: ") and context[-1].startswith("25: "), "8 lines each side (the default)"
    flow = row["flow"]
    assert [step[0] for step in flow] == ["source", "step", "step", "step", "sink"]  # type: ignore[index]
    assert flow[0] == ["source", f"{TAINT_FILE}:10", "int line_10 = 10; // L10"]
    assert flow[-1] == ["sink", f"{TAINT_FILE}:17", "int line_17 = 17; // L17"]

    # Without the tree: the steps are still there, with semgrep's own content, and no source lines.
    server.requests.clear()
    anyio.run(report_from_files, inputs, options, None)  # type: ignore[arg-type]
    (row,) = [r for r in _rows(server.requests[0].content("user")) if r["c"] == "code"]
    assert "ctx" not in row and row["flow"][0] == ["source", f"{TAINT_FILE}:10", "SOURCE()"]  # type: ignore[index]


def _code_finding(path: str, line: int, flow: list[FlowStep] | None = None) -> Finding:
    return Finding(
        id=f"{path}:{line}".encode().hex()[:20],
        scanner="semgrep",
        layer="semgrep",
        category=Category.CODE,
        rule_id="python.django.security.injection.sql.sql-injection-using-raw-query",
        severity=Severity.HIGH,
        title="SQL built from request data",
        path=path,
        line=line,
        fix="Use query parameters.",
        evidence=Evidence(confidence="HIGH", likelihood="MEDIUM", impact="HIGH", flow=flow or []),
    )


def _secret(path: str, line: int) -> Finding:
    return Finding(
        id="s" * 20,
        scanner="gitleaks",
        layer="gitleaks",
        category=Category.SECRET,
        rule_id="aws-access-token",
        severity=Severity.CRITICAL,
        title="AWS key",
        path=path,
        line=line,
        sightings=[
            Sighting(commit="c" * 40, path=path, line=line, date="2024-05-01T10:00:00Z"),
            Sighting(commit="d" * 40, path="old.py", line=7, date="2023-01-02T10:00:00Z"),
        ],
    )


def _prompt_rows(findings: list[Finding], root: Path | None) -> list[dict[str, object]]:
    data = SynthesisInput(
        findings=findings,
        gate=GateDecision(verdict="fail", reasons=[], failing_ids=frozenset({findings[0].id})),
        source_root=root,
    )
    return _rows(build_prompt(data, 8_000).user)


def test_a_line_that_holds_a_secret_is_never_sent(tmp_path: Path) -> None:
    key = aws_access_key_id()
    (tmp_path / "app.py").write_text(
        "import boto3\n"
        f"KEY = '{key.value}'\n"
        "def handler(request):\n"
        "    q = request.GET['q']\n"
        "    return db.raw('SELECT * FROM t WHERE x=' + q)\n"
    )
    flow = [FlowStep(kind="source", path="app.py", line=2, content="KEY"), FlowStep(kind="sink", path="app.py", line=5)]
    rows = _prompt_rows([_code_finding("app.py", 5, flow), _secret("app.py", 2)], tmp_path)
    text = json.dumps(rows)
    assert key.value not in text and key.value[4:16] not in text
    (code,) = [r for r in rows if r["c"] == "code"]
    assert f"2: {WITHHELD}" in code["ctx"]  # type: ignore[operator]
    assert "5:     return db.raw('SELECT * FROM t WHERE x=' + q)" in code["ctx"]  # type: ignore[operator]
    assert code["flow"][0] == ["source", "app.py:2", WITHHELD]  # type: ignore[index]
    assert (code["conf"], code["lik"], code["imp"], code["fix"]) == ("HIGH", "MEDIUM", "HIGH", "Use query parameters.")
    assert code["gf"] == 1 and code["r"] == "…security.injection.sql.sql-injection-using-raw-query"
    (secret,) = [r for r in rows if r["c"] == "secret"]
    assert secret["h"] == "unknown" and secret["date"] == "2023-01-02" and secret["seen"] == 2


def test_files_outside_the_tree_are_never_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text("TOP_SECRET_OUTSIDE = 1\n" * 5)
    root = tmp_path / "repo"
    root.mkdir()
    os.symlink(outside, root / "link.py")
    (root / "big.py").write_text("x = 1\n" * 300_000)
    lines = SourceLines(root, [])
    assert lines.around("../outside.py", 1, 2) == []
    assert lines.around(str(outside), 1, 2) == []
    assert lines.around("link.py", 1, 2) == [], "a symlink that leads out of the tree"
    assert lines.around("big.py", 1, 2) == [], "larger than 1 MB"
    rows = _prompt_rows([_code_finding("../outside.py", 1), _code_finding("link.py", 2)], root)
    assert "TOP_SECRET_OUTSIDE" not in json.dumps(rows)


def test_vulnerability_evidence_and_one_upgrade_line_per_package() -> None:
    vulns = [
        Finding(
            id=f"v{n}".ljust(20, "0"),
            scanner="trivy",
            layer="trivy",
            category=Category.VULNERABILITY,
            rule_id=f"CVE-2024-000{n}",
            severity=Severity.HIGH,
            title=f"flaw {n}",
            path="poetry.lock",
            package="werkzeug",
            installed_version="0.14",
            fixed_version=fixed,
            evidence=Evidence(
                cvss_score=7.5, cvss_vector="CVSS:3.0/AV:N/AC:L", dependency="direct", scanner_status="fixed"
            ),
        )
        for n, fixed in ((1, "0.15.3"), (2, "0.15.5, 1.0.1"))
    ]
    rows = _prompt_rows(vulns, None)
    assert rows[0]["cvss"] == "7.5 CVSS:3.0/AV:N/AC:L" and rows[0]["dep"] == "direct" and rows[0]["ts"] == "fixed"
    data = SynthesisInput(findings=vulns, gate=GateDecision(verdict="fail", reasons=[]))
    block = json.loads(untrusted_block(build_prompt(data, 8_000).user))
    assert block["upgrades"] == ["upgrade werkzeug 0.14 → 0.15.5 fixes [1, 2]"]


def test_rule_ids_are_shortened_from_the_front() -> None:
    long = "python.django.security.injection.sql.sql-injection-using-raw-query-with-format-string"
    short = short_rule(long, 60)
    assert len(short) <= 60 and short.startswith("…") and short.endswith("with-format-string")
    assert short_rule("eqeq-bad") == "eqeq-bad"


def test_the_corpus_prompt_lists_every_critical_and_high_finding_within_8000_exact_tokens() -> None:
    from secscan.synthesis import tokens
    from synthesis_corpus import corpus_input

    assert tokens.exact_available()
    data = corpus_input(corpus_path())
    prompt = build_prompt(data, 8_000)
    assert prompt.tokens <= 8_000
    exact = (
        tokens.count_tokens(prompt.system)
        + tokens.count_tokens("Answer with one JSON object that validates against this JSON Schema:\n" + prompt.schema)
        + tokens.count_tokens(prompt.user)
    )
    assert exact <= prompt.tokens
    must = {
        f.id for f in data.findings if f.severity in (Severity.CRITICAL, Severity.HIGH) and f.status != "suppressed"
    }
    listed = {prompt.refs[str(row["id"])] for row in _rows(prompt.user)}
    assert must and must <= listed, f"{len(must - listed)} critical/high findings not listed one by one"
