"""Fake scanner binaries for tests: small executable Python scripts written to a tmp folder.

Each fake answers the version probe like the real tool (`gitleaks version`,
`semgrep --version`, `trivy --version`) unless told not to, then behaves as asked:
write a report (to the path after `--report-path` / `--output`), print, sleep,
crash, record its argv and pid. Select one with `SECSCAN_<TOOL>=<path>`.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from secscan import catalog

VERSION_ARGS: dict[str, list[str]] = {"gitleaks": ["version"], "semgrep": ["--version"], "trivy": ["--version"]}
VERSION_OUTPUT: dict[str, str] = {
    "gitleaks": "8.30.1\n",
    "semgrep": "1.185.0\n",
    "trivy": "Version: 0.76.0\nVulnerability DB:\n  Version: 2\n",
}
REPORT_FLAG: dict[str, str] = {"gitleaks": "--report-path", "semgrep": "--output", "trivy": "--output"}
ENV_VAR: dict[str, str] = {spec.name: spec.env_override for spec in catalog.SCANNERS}

_SCRIPT = r"""
import json, os, signal, subprocess, sys, time

CONFIG = json.loads(__CONFIG__)
args = sys.argv[1:]
if args == CONFIG["version_args"]:
    if CONFIG["version_sleep"]:
        time.sleep(CONFIG["version_sleep"])
    if CONFIG["version"] is None:
        sys.stderr.write(CONFIG["version_stderr"])
        sys.exit(CONFIG["version_exit"])
    sys.stdout.write(CONFIG["version"])
    sys.exit(0)
if CONFIG["record"]:
    with open(CONFIG["record"], "a") as handle:
        handle.write(json.dumps(args) + "\n")
if CONFIG["pidfile"]:
    pids = [os.getpid()]
    if CONFIG["spawn_child"]:
        child = subprocess.Popen(["sleep", "300"])
        pids.append(child.pid)
    with open(CONFIG["pidfile"], "w") as handle:
        handle.write(" ".join(str(p) for p in pids))
report = CONFIG["report"]
flag = CONFIG["report_flag"]
if report is not None and flag in args:
    with open(args[args.index(flag) + 1], "w") as handle:
        handle.write(report)
sys.stdout.write(CONFIG["stdout"])
sys.stdout.flush()
sys.stderr.write(CONFIG["stderr"])
sys.stderr.flush()
if CONFIG["sleep"]:
    time.sleep(CONFIG["sleep"])
if CONFIG["signal"]:
    os.kill(os.getpid(), CONFIG["signal"])
sys.exit(CONFIG["exit_code"])
"""


def fake_scanner(
    directory: Path,
    tool: str,
    *,
    report: str | dict[str, Any] | list[Any] | None = None,
    stdout: str = "",
    stderr: str = "",
    exit_code: int = 0,
    sleep: float = 0,
    signal: int = 0,
    version: str | None = "default",
    version_exit: int = 1,
    version_stderr: str = "",
    version_sleep: float = 0,
    record: Path | None = None,
    pidfile: Path | None = None,
    spawn_child: bool = False,
    name: str | None = None,
) -> Path:
    """Write an executable fake `tool` into `directory` and return its path.

    `report` (text, or JSON-able) is written to the report path the layer asks for;
    `version=None` makes the version probe fail (exit `version_exit`).
    """
    if version == "default":
        version = VERSION_OUTPUT[tool]
    if report is not None and not isinstance(report, str):
        report = json.dumps(report)
    config = {
        "version_args": VERSION_ARGS[tool],
        "version": version,
        "version_exit": version_exit,
        "version_stderr": version_stderr,
        "version_sleep": version_sleep,
        "report": report,
        "report_flag": REPORT_FLAG[tool],
        "stdout": stdout,
        "stderr": stderr,
        "exit_code": exit_code,
        "sleep": sleep,
        "signal": signal,
        "record": str(record) if record else None,
        "pidfile": str(pidfile) if pidfile else None,
        "spawn_child": spawn_child,
    }
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (name or f"fake-{tool}")
    body = _SCRIPT.replace("__CONFIG__", repr(json.dumps(config)))
    path.write_text(f"#!{sys.executable}\n{body}")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def recorded_calls(record: Path) -> list[list[str]]:
    """The argv of each scan call a fake made (version probes are not recorded)."""
    if not record.exists():
        return []
    return [json.loads(line) for line in record.read_text().splitlines() if line.strip()]


def process_alive(pid: int) -> bool:
    """True while `pid` runs; a zombie (killed, not yet reaped) counts as dead."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - someone else's pid
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


# --- canned outputs: one finding each, in the real tools' shapes --------------------------

GITLEAKS_FINDING: dict[str, Any] = {
    "RuleID": "generic-api-key",
    "Description": "Detected a Generic API Key, potentially exposing access to various services.",
    "StartLine": 3,
    "EndLine": 3,
    "StartColumn": 1,
    "EndColumn": 30,
    "Match": "api_key = REDACTED",
    "Secret": "REDACTED",
    "File": "settings.py",
    "SymlinkFile": "",
    "Commit": "",
    "Entropy": 4.5,
    "Author": "",
    "Email": "",
    "Date": "",
    "Message": "",
    "Tags": [],
    "Fingerprint": "settings.py:generic-api-key:3",
}


def gitleaks_report(*findings: dict[str, Any]) -> list[dict[str, Any]]:
    return [dict(f) for f in findings]


def semgrep_result(
    check_id: str = "fake.rules.python-eval-used",
    path: str = "app.py",
    line: int = 2,
    severity: str = "ERROR",
    message: str = "eval() on user input allows code injection.",
) -> dict[str, Any]:
    return {
        "check_id": check_id,
        "path": path,
        "start": {"line": line, "col": 1, "offset": 0},
        "end": {"line": line, "col": 20, "offset": 19},
        "extra": {
            "message": message,
            "metadata": {"cwe": ["CWE-95: Eval Injection"]},
            "severity": severity,
            "fingerprint": "requires login",
            "lines": "requires login",
            "is_ignored": False,
            "validation_state": "NO_VALIDATOR",
            "engine_kind": "OSS",
        },
    }


def semgrep_report(results: Sequence[dict[str, Any]] = (), errors: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    return {
        "version": "1.185.0",
        "results": list(results),
        "errors": list(errors),
        "paths": {"scanned": ["app.py"]},
        "skipped_rules": [],
        "interfile_languages_used": [],
    }


def trivy_vulnerability(
    vuln_id: str = "CVE-2018-18074",
    package: str = "requests",
    installed: str = "2.19.0",
    fixed: str | None = "2.20.0",
    severity: str = "HIGH",
) -> dict[str, Any]:
    vuln: dict[str, Any] = {
        "VulnerabilityID": vuln_id,
        "PkgName": package,
        "InstalledVersion": installed,
        "Status": "fixed" if fixed else "affected",
        "Severity": severity,
        "Title": f"{package}: fake advisory {vuln_id}",
        "PrimaryURL": f"https://avd.aquasec.com/nvd/{vuln_id.lower()}",
    }
    if fixed:
        vuln["FixedVersion"] = fixed
    return vuln


def trivy_report(*vulnerabilities: dict[str, Any], target: str = "requirements.txt") -> dict[str, Any]:
    document: dict[str, Any] = {
        "SchemaVersion": 2,
        "Trivy": {"Version": "0.76.0"},
        "ArtifactName": ".",
        "ArtifactType": "filesystem",
        "Metadata": {},
    }
    if vulnerabilities:
        document["Results"] = [
            {"Target": target, "Class": "lang-pkgs", "Type": "pip", "Vulnerabilities": list(vulnerabilities)}
        ]
    return document


def with_findings(directory: Path, tool: str, **kwargs: Any) -> Path:
    """A fake `tool` that runs cleanly and reports one finding."""
    report: Any = {
        "gitleaks": gitleaks_report(GITLEAKS_FINDING),
        "semgrep": semgrep_report([semgrep_result()]),
        "trivy": trivy_report(trivy_vulnerability()),
    }[tool]
    return fake_scanner(directory, tool, report=report, exit_code=2 if tool == "gitleaks" else 0, **kwargs)


def clean(directory: Path, tool: str, **kwargs: Any) -> Path:
    """A fake `tool` that runs cleanly and finds nothing (the real tools' empty outputs)."""
    report: Any = {"gitleaks": [], "semgrep": semgrep_report(), "trivy": trivy_report()}[tool]
    return fake_scanner(directory, tool, report=report, **kwargs)
