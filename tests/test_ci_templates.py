"""The CI templates: pinned actions and Dagger CLI, SARIF uploads that cannot decide the job, the gate
last, optional credentials, and the module loaded where an engine exists."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FULL_SHA = re.compile(r"^[0-9a-f]{40}$")
WORKFLOWS = [ROOT / ".github/workflows/security-scan.yml", ROOT / ".github/workflows/tests.yml"]
ENGINE = json.loads((ROOT / "dagger.json").read_text())["engineVersion"].removeprefix("v")


def walk(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, dict):
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


def _yaml(path: Path) -> Any:
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load(path.read_text())


def _uses(document: Any) -> list[str]:
    return [node["uses"] for node in walk(document) if isinstance(node, dict) and "uses" in node]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflows_parse_and_pin_every_action(path: Path) -> None:
    workflow = _yaml(path)
    assert workflow["jobs"]
    uses = _uses(workflow)
    assert uses
    for reference in uses:
        if reference.startswith("./"):
            continue
        _, _, ref = reference.partition("@")
        assert FULL_SHA.match(ref), f"{path.name}: {reference} is not pinned to a commit SHA"
    for line in path.read_text().splitlines():
        if "uses:" in line and "@" in line:
            assert "#" in line, f"{path.name}: say which release the SHA is: {line.strip()}"


def _steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job["steps"])


def test_security_scan_workflow() -> None:
    path = ROOT / ".github/workflows/security-scan.yml"
    workflow = _yaml(path)
    text = path.read_text()
    steps_ = _steps(workflow["jobs"]["secscan"])
    checkout = next(s for s in steps_ if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    sarif = [s for s in steps_ if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    assert sarif and all(s["with"].get("category") for s in sarif)
    assert len({s["with"]["category"] for s in sarif}) == len(sarif)
    artifact = next(s for s in steps_ if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert "always()" in artifact["if"]
    assert "GITHUB_STEP_SUMMARY" in text and "report.md" in text
    assert "env://OPENAI_API_KEY" in text
    assert not re.search(r"sk-[A-Za-z0-9]{10,}|hooks\.slack\.com/services/T", text)


def test_sarif_uploads_never_decide_the_job() -> None:
    """Forks and Dependabot get no write token; a repository may not have code scanning on."""
    steps_ = _steps(_yaml(ROOT / ".github/workflows/security-scan.yml")["jobs"]["secscan"])
    (probe,) = [s for s in steps_ if s.get("id") == "sarif"]
    assert "head.repo.full_name != github.repository" in probe["env"]["FORK"]
    assert "dependabot[bot]" in probe["env"]["DEPENDABOT"]
    for step in steps_:
        if step.get("uses", "").startswith("github/codeql-action/upload-sarif@"):
            assert step.get("continue-on-error") is True, step["name"]
            assert "steps.sarif.outputs.upload == 'true'" in step["if"], step["name"]


def test_the_gate_decides_last_after_reports_and_artifacts() -> None:
    steps_ = _steps(_yaml(ROOT / ".github/workflows/security-scan.yml")["jobs"]["secscan"])
    gate = steps_[-1]
    assert gate["name"].startswith("Gate") and "always()" in gate["if"]
    assert "verdict" in gate["run"]
    names = [s.get("uses", "") for s in steps_]
    assert any(n.startswith("actions/upload-artifact@") for n in names[:-1])


def test_the_module_loads_and_runs_on_a_hosted_runner() -> None:
    job = _yaml(ROOT / ".github/workflows/security-scan.yml")["jobs"]["module"]
    assert job["runs-on"] == "ubuntu-latest"
    runs = [s.get("run", "") for s in _steps(job)]
    assert "dagger functions" in runs
    assert "dagger call security-scan --source ." in runs


def test_the_dagger_cli_is_pinned_everywhere_to_the_engine_version() -> None:
    workflow = _yaml(ROOT / ".github/workflows/security-scan.yml")
    installs = [
        s for s in walk(workflow) if isinstance(s, dict) and s.get("uses", "").startswith("dagger/dagger-for-github@")
    ]
    assert len(installs) == len(workflow["jobs"])
    assert all(s["with"]["version"] == ENGINE for s in installs)
    assert _yaml(ROOT / "ci/gitlab-ci.yml")["secscan"]["variables"]["DAGGER_VERSION"] == ENGINE
    assert f"DAGGER_VERSION = '{ENGINE}'" in (ROOT / "ci/Jenkinsfile").read_text()


def test_tests_workflow_runs_the_ci_script() -> None:
    workflow = _yaml(ROOT / ".github/workflows/tests.yml")
    runs = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert any("bash .ci/run" in run for run in runs)


def test_gitlab_template() -> None:
    gitlab = _yaml(ROOT / "ci/gitlab-ci.yml")
    text = json.dumps(gitlab)
    assert "docker:" in text and "dind" in text and "dagger call" in text


def test_jenkins_credentials_optional_cli_outside_the_workspace_no_stale_report() -> None:
    jenkins = (ROOT / "ci/Jenkinsfile").read_text()
    assert "pipeline {" in jenkins and re.search(r'dagger"? call "\$@"', jenkins)
    assert "credentials(" not in jenkins, "credentials() fails the build when one is not configured"
    assert "withCredentials(bindings)" in jenkins and "catch (ignored)" in jenkins
    for variable in ("OPENAI_API_KEY", "SLACK_WEBHOOK_URL", "SLACK_BOT_TOKEN"):
        assert f'if [ -n "${{{variable}:-}}" ]' in jenkins
    assert 'BIN_DIR="$WORKSPACE_TMP/' in jenkins and "$WORKSPACE/" not in jenkins
    script = jenkins[jenkins.index("rm -rf secscan-report") :]
    assert "outputs export --path=secscan-report" in script, "the old report is removed before the scan"


def test_docs_describe_ci_and_local_reproduction() -> None:
    text = (ROOT / "README.md").read_text()
    for heading in ("## Run it in CI", "## Reproduce a CI failure locally"):
        assert heading in text
    for needle in ("GitHub", "GitLab", "Jenkins", "dagger call", "secscan report"):
        assert needle in text
