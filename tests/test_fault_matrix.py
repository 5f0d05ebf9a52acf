"""The fault matrix: every way a layer, the model endpoint or Slack can fail, one cell each.

Every cell runs the real pipeline through the real command line (`python -m secscan scan` or
`secscan report` in a subprocess, so "no traceback on the terminal" is what a CI log shows) and
asserts the same things:

* all four output files and raw/ are written;
* the other layers' findings are intact (same ids, severities and statuses as a clean run);
* fail-closed: a layer that could not run is `status: error`, fails the gate (`layer X failed`)
  and exits 1; a model or Slack failure never changes the verdict or the exit code;
* the failure is explained in one actionable line, in report.json and on the terminal;
* no "Traceback" on stdout or stderr.

Rows (scanner layers) × columns (faults):

| layer \\ fault | binary missing | crash, no output | hang past timeout | garbage | valid but empty | exit 0, errors inside | shallow clone | no reachable DB |
|---|---|---|---|---|---|---|---|---|
| gitleaks    | x | x | x | x | x | x (ERR lines on stderr, as gitleaks 8.30 logs an unreadable object) | x | - |
| semgrep     | x | x | x | x | x | x (error-level `errors[]`) | - | - |
| trivy       | x | x | x | x | x | x (an error where a result list belongs) | - | x (real trivy) |
| trivy-image | x | x | x | x | x | x (same) | - | x (real trivy) |

Model endpoint × {429, persistent 5xx, timeout, connection refused, refusal, invalid JSON,
schema-violating JSON}; Slack (webhook and Web API) × {429, persistent 5xx, unreachable}.

Scanners are fakes (tests/fakes.py, chosen with SECSCAN_<TOOL>) except in the "no reachable
DB" cells, which run the real trivy against an empty cache and a DB repository on a closed
port. The trivy and trivy-image layers share one binary, so a trivy-image cell runs
gitleaks, semgrep and trivy-image (and a trivy cell gitleaks, semgrep and trivy).
Deeper checks of single cells live in tests/test_failure_modes.py (fakes, in-process),
tests/test_synthesis_ai.py and tests/test_slack.py (the clients against loopback servers).

The cells run concurrently (a thread pool of subprocesses); each test asserts its own cell.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from canaries import github_pat
from fakes import (
    ENV_VAR,
    GITLEAKS_FINDING,
    clean,
    fake_scanner,
    gitleaks_report,
    semgrep_report,
    semgrep_result,
    trivy_report,
    trivy_vulnerability,
    with_findings,
)
from openai_server import OpenAIServer, Reply, answer, completion, error
from planted_repo import GIT_ENV
from reliability_support import (
    Run,
    assert_no_traceback,
    assert_on_terminal,
    assert_one_line,
    assert_outputs_written,
    base_env,
    finding_keys,
    layer,
    real_binary,
    secscan,
)
from secscan import catalog
from slack_server import Reply as SlackReply
from slack_server import SlackServer, closed_port
from support.images import alpine_root, build_oci_layout

LAYERS = catalog.layer_names()
TOOL = {name: catalog.scanner_of(name).name for name in LAYERS}
FAULTS = ("binary-missing", "crash-no-output", "hang", "garbage", "valid-empty", "exit0-errors-inside")
SCANNER_CELLS = [f"{name}:{fault}" for name in LAYERS for fault in FAULTS] + [
    "gitleaks:shallow-clone",
    "trivy:no-reachable-db",
    "trivy-image:no-reachable-db",
]
MODEL_CELLS = [
    "model:429",
    "model:persistent-5xx",
    "model:timeout",
    "model:connection-refused",
    "model:refusal",
    "model:invalid-json",
    "model:schema-violating-json",
]
SLACK_CELLS = [
    f"slack-{mode}:{fault}" for fault in ("429", "persistent-5xx", "unreachable") for mode in ("webhook", "webapi")
]
ALL_CELLS = SCANNER_CELLS + MODEL_CELLS + SLACK_CELLS

# What each failing cell's one-line message must say (case-insensitive), besides the layer name.
EXPECTED_WORDS: dict[str, tuple[str, ...]] = {
    "binary-missing": ("no such file", "SECSCAN_"),
    "crash-no-output": ("signal",),
    "hang": ("timed out", "timeout"),
    "garbage": ("not JSON",),
    "shallow-clone": ("shallow", "fetch-depth: 0"),
    "no-reachable-db": ("vulnerability DB unavailable", "TRIVY_CACHE_DIR"),
}
ERRORS_INSIDE_WORDS = {
    "gitleaks": ("error(s) while scanning", "fatal: unable to read"),
    "semgrep": ("1 error", "InvalidRuleSchemaError"),
    "trivy": ("malformed", "Vulnerabilities"),
    "trivy-image": ("malformed", "Vulnerabilities"),
}
MODEL_WORDS = {
    "429": ("HTTP 429", "after 1 retry"),
    "persistent-5xx": ("HTTP 500", "after 1 retry"),
    "timeout": ("timed out",),
    "connection-refused": ("cannot reach the model endpoint",),
    "refusal": ("refused",),
    "invalid-json": ("does not fit the schema",),
    "schema-violating-json": ("does not fit the schema", "risk_score"),
}
SLACK_WORDS = {"429": ("429",), "persistent-5xx": ("HTTP 5", "retr"), "unreachable": ("cannot connect",)}

# Fast retries; generous timeouts (a loaded CI box must not turn a 429 into a timeout), except
# in the model-timeout cell, which sets [ai] timeout_s = 1.
CONFIG = """\
[ai]
timeout_s = {ai_timeout}
max_retries = 1

[slack]
timeout_s = 15
max_retries = 1
retry_budget_s = 8
"""
GARBAGE = "<html><body>502 Bad Gateway</body></html>\n"
# What gitleaks 8.30 prints when git cannot read an object, then exits 0 with an empty report.
GITLEAKS_ERR = (
    "\x1b[90m7:27PM\x1b[0m \x1b[31mERR\x1b[0m \x1b[1m[git] fatal: unable to read "
    "0439ed13a0f5df9b220d950e7ff898228944ae74\x1b[0m\n"
    '\x1b[90m7:27PM\x1b[0m \x1b[31mERR\x1b[0m \x1b[36merror=\x1b[0m\x1b[31m\x1b[1m"stderr is not empty"\x1b[0m\n'
)


# --- the workspace every scanner cell starts from --------------------------------------------------


def write_project(target: Path) -> None:
    target.mkdir(parents=True)
    (target / "settings.py").write_text("import os\n\napi_key = os.environ['API_KEY']\n")
    (target / "app.py").write_text("import sys\nresult = eval(sys.argv[1])\n")
    (target / "requirements.txt").write_text("requests==2.19.0\n")
    (target / "Dockerfile").write_text("FROM alpine:3.19\nRUN apk add --no-cache curl\n")


def good_fakes(bin_dir: Path) -> dict[str, str]:
    """SECSCAN_<TOOL> for fakes that each report one finding."""
    return {
        ENV_VAR[tool]: str(with_findings(bin_dir / f"{tool}-ok", tool)) for tool in ("gitleaks", "semgrep", "trivy")
    }


def layers_for(name: str) -> list[str]:
    """The layers a cell runs: the faulted one plus the others it can run beside (one trivy binary)."""
    if name == "trivy-image":
        return ["gitleaks", "semgrep", "trivy-image"]
    return ["gitleaks", "semgrep", "trivy"]


def faulty_binary(bin_dir: Path, name: str, fault: str) -> str:
    tool = TOOL[name]
    where = bin_dir / f"{tool}-{fault}"
    if fault == "binary-missing":
        return str(bin_dir / "nowhere" / tool)
    if fault == "crash-no-output":
        return str(fake_scanner(where, tool, signal=signal.SIGSEGV))
    if fault == "hang":
        return str(fake_scanner(where, tool, sleep=300))
    if fault == "garbage":
        return str(fake_scanner(where, tool, report=GARBAGE, stdout=GARBAGE))
    if fault == "valid-empty":
        return str(clean(where, tool))
    if fault == "exit0-errors-inside":
        if tool == "gitleaks":
            return str(fake_scanner(where, tool, report=[], stderr=GITLEAKS_ERR, exit_code=0))
        if tool == "semgrep":
            errors = [
                {
                    "code": 7,
                    "level": "error",
                    "type": "InvalidRuleSchemaError",
                    "message": "Invalid rule schema: missing `pattern`",
                    "path": "rules/broken.yaml",
                }
            ]
            return str(fake_scanner(where, tool, report=semgrep_report([semgrep_result()], errors), exit_code=0))
        report = trivy_report()
        report["Results"] = [
            {
                "Target": "requirements.txt",
                "Class": "lang-pkgs",
                "Vulnerabilities": "failed to detect vulnerabilities: db corrupted",
            }
        ]
        return str(fake_scanner(where, tool, report=report, stderr="ERROR\tdetection failed\n", exit_code=0))
    raise AssertionError(fault)


def shallow_clone(source: Path, target: Path) -> None:
    origin = target.parent / "origin"
    shutil.copytree(source, origin)
    env = {**base_env(), **GIT_ENV}

    def run(*args: str, cwd: Path) -> None:
        subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, timeout=60)

    run("init", "-q", "-b", "main", ".", cwd=origin)
    run("add", "-A", cwd=origin)
    run("commit", "-q", "-m", "one", cwd=origin)
    (origin / "more.py").write_text("print('two')\n")
    run("add", "-A", cwd=origin)
    run("commit", "-q", "-m", "two", cwd=origin)
    run("clone", "-q", "--depth", "1", f"file://{origin}", str(target), cwd=target.parent)


# --- cells -----------------------------------------------------------------------------------------


@dataclass
class Outcome:
    run: Run | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    failure: str | None = None  # the cell could not even be set up or run


@dataclass
class Shared:
    root: Path
    image: Path
    inputs: Path  # scanner JSON, as CI artifacts
    source: Path
    scan_reference: Run
    report_reference: Run

    def report_args(self, config: Path | None = None) -> list[str]:
        args = ["report", "--source", str(self.source), "--config", str(config or self.inputs / "secscan.toml")]
        for name in ("gitleaks", "semgrep", "trivy"):
            args += [f"--{name}", str(self.inputs / f"{name}.json")]
        return args


def run_scanner_cell(shared: Shared, cell: str, root: Path) -> Outcome:
    name, fault = cell.split(":")
    target = root / "project"
    bin_dir = root / "bin"
    env = base_env(TRIVY_CACHE_DIR=str(root / "trivy-cache"), **good_fakes(bin_dir))
    config = root / "secscan.toml"
    config_text = f"[scan]\nlayers = {json.dumps(layers_for(name))}\n"
    if fault == "shallow-clone":
        source = root / "source"
        write_project(source)
        shallow_clone(source, target)
    else:
        write_project(target)
    if fault == "no-reachable-db":
        trivy = real_binary("trivy")
        assert trivy is not None
        env[ENV_VAR["trivy"]] = trivy
        (root / "empty-cache").mkdir()
        env["TRIVY_CACHE_DIR"] = str(root / "empty-cache")
        config_text += f'trivy_db_repositories = ["127.0.0.1:{closed_port()}/secscan/trivy-db"]\n'
    elif fault != "shallow-clone":
        env[ENV_VAR[TOOL[name]]] = faulty_binary(bin_dir, name, fault)
    if fault == "hang":
        config_text += f'[scan.timeouts]\n"{name}" = 2\n'
    config.write_text(config_text)
    args: list[Any] = ["scan", target, "--config", config, "--no-ai", "--no-slack"]
    if name == "trivy-image":
        args += ["--image", shared.image]
    return Outcome(run=secscan(*args, env=env, out=root / "out", timeout=300))


def run_model_cell(shared: Shared, cell: str, root: Path) -> Outcome:
    fault = cell.split(":")[1]
    replies = {
        "429": error(429, "Rate limit reached for gpt-4o", headers={"retry-after-ms": "10"}),
        "persistent-5xx": error(
            500, "The server had an error processing your request", headers={"retry-after-ms": "10"}
        ),
        "timeout": Reply(hang_s=30),
        "refusal": Reply(body=completion(None, refusal="I can't help with that.")),
        "invalid-json": Reply(body=completion("Sure! Here is the synthesis: {summary: oops")),
        "schema-violating-json": Reply(body=completion(answer(risk_score="very high"))),
    }
    config = root / "secscan.toml"
    config.write_text(CONFIG.format(ai_timeout=1 if fault == "timeout" else 20))
    with OpenAIServer() as server:
        url = server.url
        if fault == "connection-refused":
            url = f"http://127.0.0.1:{closed_port()}/v1"
        else:
            server.script(replies[fault])
        env = base_env(OPENAI_API_KEY="sk-test-" + "k" * 40, OPENAI_BASE_URL=url)
        run = secscan(*shared.report_args(config), "--no-slack", env=env, out=root / "out", timeout=120)
        return Outcome(run=run, extra={"requests": len(server.requests)})


def run_slack_cell(shared: Shared, cell: str, root: Path) -> Outcome:
    mode, fault = cell.split(":")
    webhook = mode == "slack-webhook"
    token = "xoxb-" + "1" * 12 + "-" + "2" * 12 + "-" + "t" * 24
    with SlackServer(token=token) as server:
        path = "/webhook" if webhook else "/api/chat.postMessage"
        base = server.url if fault != "unreachable" else f"http://127.0.0.1:{closed_port()}"
        if fault == "429":
            body: Any = "rate_limited" if webhook else {"ok": False, "error": "ratelimited"}
            server.always(path, SlackReply(429, body, {"Retry-After": "1"}))
        elif fault == "persistent-5xx":
            server.always(path, SlackReply(500 if webhook else 503, "rollup_error"))
        config = root / "secscan.toml"
        config.write_text(CONFIG.format(ai_timeout=20) + f'api_url = "{base}/api/"\n')
        env = (
            base_env(SLACK_WEBHOOK_URL=f"{base}/webhook")
            if webhook
            else base_env(SLACK_BOT_TOKEN=token, SLACK_CHANNEL="#security")
        )
        run = secscan(*shared.report_args(config), "--no-ai", env=env, out=root / "out", timeout=120)
        return Outcome(run=run, extra={"requests": len(server.received)})


RUNNERS: dict[str, Callable[[Shared, str, Path], Outcome]] = {
    "model": run_model_cell,
    "slack-webhook": run_slack_cell,
    "slack-webapi": run_slack_cell,
}


def run_cell(shared: Shared, cell: str) -> Outcome:
    root = shared.root / f"cell-{ALL_CELLS.index(cell):02d}"  # no layer name in paths the messages may quote
    root.mkdir()
    runner = RUNNERS.get(cell.split(":")[0], run_scanner_cell)
    try:
        return runner(shared, cell, root)
    except Exception:  # noqa: BLE001 - reported by the cell's own test
        return Outcome(failure=traceback.format_exc())


def build_shared(root: Path) -> Shared:
    image = build_oci_layout(
        root / "image-oci",
        [alpine_root(), {"srv/app/.env": f"GITHUB_TOKEN={github_pat().value}\n"}],
        env=["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
    )
    # A clean run of every layer (fakes): what "the other layers' findings" must stay.
    reference_root = root / "reference"
    target = reference_root / "project"
    write_project(target)
    env = base_env(TRIVY_CACHE_DIR=str(reference_root / "trivy-cache"), **good_fakes(reference_root / "bin"))
    scan_reference = secscan(
        "scan",
        target,
        "--layers",
        "gitleaks,semgrep,trivy,trivy-image",
        "--image",
        image,
        "--no-ai",
        "--no-slack",
        env=env,
        out=reference_root / "out",
    )
    # Scanner JSON as CI artifacts, for the model and Slack cells (`secscan report`, no scanners).
    inputs = root / "inputs"
    inputs.mkdir()
    (inputs / "gitleaks.json").write_text(json.dumps(gitleaks_report(GITLEAKS_FINDING)))
    (inputs / "semgrep.json").write_text(json.dumps(semgrep_report([semgrep_result()])))
    (inputs / "trivy.json").write_text(json.dumps(trivy_report(trivy_vulnerability())))
    (inputs / "secscan.toml").write_text(CONFIG.format(ai_timeout=20))
    shared = Shared(root, image, inputs, target, scan_reference, scan_reference)
    shared.report_reference = secscan(
        *shared.report_args(), "--no-ai", "--no-slack", env=base_env(), out=root / "report-reference"
    )
    return shared


class Matrix:
    def __init__(self, shared: Shared, futures: dict[str, Future[Outcome]]) -> None:
        self.shared = shared
        self._futures = futures

    def outcome(self, cell: str) -> Outcome:
        outcome = self._futures[cell].result(timeout=600)
        assert outcome.failure is None, f"cell {cell} could not run:\n{outcome.failure}"
        return outcome


@pytest.fixture(scope="module")
def matrix(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    """Run every selected cell once, concurrently; tests collect their own cell's outcome."""
    selected = [
        item.callspec.params["cell"]
        for item in request.session.items
        if getattr(item, "module", None) is request.module
        and hasattr(item, "callspec")
        and "cell" in item.callspec.params
    ]
    shared = build_shared(tmp_path_factory.mktemp("fault-matrix"))
    assert shared.scan_reference.code == 1 and shared.report_reference.code == 1, (
        shared.scan_reference.stderr,
        shared.report_reference.stderr,
    )
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="cell") as pool:
        # the slow cells first, so they overlap with the quick ones
        order = sorted(dict.fromkeys(selected), key=lambda c: not c.endswith((":hang", ":timeout", "no-reachable-db")))
        futures = {cell: pool.submit(run_cell, shared, cell) for cell in order}
        yield Matrix(shared, futures)


def needs_real_trivy(cell: str) -> Any:
    if cell.endswith("no-reachable-db"):
        return pytest.param(
            cell, marks=pytest.mark.skipif(real_binary("trivy") is None, reason="real trivy not installed")
        )
    return cell


# --- the assertions every cell shares ------------------------------------------------------------------


def others_intact(run: Run, reference: Run, others: list[str]) -> None:
    for other in others:
        entry = run.layer(other)
        assert entry["status"] == "ok", entry
        assert entry["error"] is None
        expected = finding_keys(f for f in reference.report["findings"] if f["layer"] == other)
        actual = finding_keys(f for f in run.report["findings"] if f["layer"] == other)
        assert expected, f"the reference has no {other} findings"
        assert actual == expected, f"{other} findings changed: {actual} != {expected}"


@pytest.mark.parametrize("cell", [needs_real_trivy(c) for c in SCANNER_CELLS])
def test_scanner_layer_fault(matrix: Matrix, cell: str) -> None:
    name, fault = cell.split(":")
    outcome = matrix.outcome(cell)
    run = outcome.run
    assert run is not None
    assert_no_traceback(run)
    assert run.out is not None
    assert_outputs_written(run.out)
    report = run.report
    entry = layer(report, name)
    others = [other for other in layers_for(name) if other != name]
    others_intact(run, matrix.shared.scan_reference, others)

    if fault == "valid-empty":  # a clean scanner is fine: ok, nothing found, nothing to fail on
        assert entry["status"] == "ok" and entry["error"] is None, entry
        assert entry["findings"] == 0 and entry["version"]
        assert not any(reason.startswith("layer ") for reason in report["reasons"]), report["reasons"]
        assert run.code == (0 if report["verdict"] == "pass" else 1)
        assert run.code == 1  # the other layers' findings still fail the gate
        return

    # fail closed: the layer is an error, the gate fails because of it, exit 1
    assert entry["status"] == "error", entry
    message = assert_one_line(entry["error"])
    assert message.startswith(name), f"the message does not start with the layer's name: {message!r}"
    assert not message.startswith("trivy-image") or name == "trivy-image"
    words = ERRORS_INSIDE_WORDS[name] if fault == "exit0-errors-inside" else EXPECTED_WORDS[fault]
    for word in words:
        assert word.lower() in message.lower(), f"{word!r} not in {message!r}"
    assert report["verdict"] == "fail"
    assert any(reason.startswith(f"layer {name} failed") for reason in report["reasons"]), report["reasons"]
    assert run.code == 1, run.stderr
    assert_on_terminal(run, message)

    if fault == "binary-missing":
        assert ENV_VAR[TOOL[name]] in message
    if fault == "no-reachable-db":  # only the vulnerability part is lost
        kept = {f["category"] for f in report["findings"] if f["layer"] == name or name in f.get("scanners", [])}
        expected = {"misconfiguration"} if name == "trivy" else {"secret"}
        assert expected <= kept, report["findings"]
        assert not any(f["category"] == "vulnerability" and f["layer"] == name for f in report["findings"])
    if fault == "exit0-errors-inside" and name == "semgrep":  # what it did find is kept
        assert any(f["layer"] == "semgrep" for f in report["findings"])


def assert_gate_untouched(run: Run, reference: Run) -> None:
    """A model or Slack failure changes nothing the gate or a CI step reads."""
    report, expected = run.report, reference.report
    assert run.code == reference.code, run.stderr
    assert (report["verdict"], report["reasons"]) == (expected["verdict"], expected["reasons"])
    assert finding_keys(report["findings"]) == finding_keys(expected["findings"])
    assert [(entry["name"], entry["status"]) for entry in report["layers"]] == [
        (entry["name"], entry["status"]) for entry in expected["layers"]
    ]


@pytest.mark.parametrize("cell", MODEL_CELLS)
def test_model_endpoint_fault(matrix: Matrix, cell: str) -> None:
    fault = cell.split(":")[1]
    outcome = matrix.outcome(cell)
    run = outcome.run
    assert run is not None and run.out is not None
    assert_no_traceback(run)
    assert_outputs_written(run.out)
    assert_gate_untouched(run, matrix.shared.report_reference)
    synthesis = run.report["synthesis"]
    assert synthesis["source"] == "deterministic", synthesis
    assert (
        synthesis["summary"]
        and synthesis["risk_score"] == matrix.shared.report_reference.report["synthesis"]["risk_score"]
    )
    message = assert_one_line(synthesis["error"])
    for word in MODEL_WORDS[fault]:
        assert word.lower() in message.lower(), f"{word!r} not in {message!r}"
    assert "sk-test-" not in message
    assert_on_terminal(run, message)
    if fault in ("429", "persistent-5xx", "timeout"):
        assert outcome.extra["requests"] == 2, "one attempt and max_retries = 1 retry"


@pytest.mark.parametrize("cell", SLACK_CELLS)
def test_slack_fault(matrix: Matrix, cell: str) -> None:
    fault = cell.split(":")[1]
    outcome = matrix.outcome(cell)
    run = outcome.run
    assert run is not None and run.out is not None
    assert_no_traceback(run)
    assert_outputs_written(run.out)
    assert_gate_untouched(run, matrix.shared.report_reference)
    delivery = run.report["slack"]
    assert delivery is not None and delivery["status"] == "failed", delivery
    message = assert_one_line(delivery["detail"])
    for word in SLACK_WORDS[fault]:
        assert word.lower() in message.lower(), f"{word!r} not in {message!r}"
    assert "xoxb-" not in message and "/webhook" not in message
    assert "not delivered" in run.stderr
    assert_on_terminal(run, message)
    if fault != "unreachable":
        assert outcome.extra["requests"] >= 2, "retried once before giving up"


def test_matrix_is_complete() -> None:
    """The matrix has every cell the reliability issue lists (the one place to read them)."""
    assert len(SCANNER_CELLS) == len(LAYERS) * len(FAULTS) + 3
    assert {c.split(":")[1] for c in MODEL_CELLS} == set(MODEL_WORDS)
    assert {c.split(":")[1] for c in SLACK_CELLS} == set(SLACK_WORDS)
    assert len(set(ALL_CELLS)) == len(ALL_CELLS) == 27 + 7 + 6
