"""Redaction driven by the scanners' own rule sets (tests/secret_formats.py).

1. The table is the scanners' rules: the real gitleaks and trivy detect one generated sample of
   every entry under that entry's rule id, and the table's size plus the rules it leaves out (with
   why) is each scanner's rule count.
2. The redactor masks a random value of every format in every key/value shape (`k = v`, `k: v`,
   JSON, YAML, env, URL query, Dockerfile ENV/ARG, headers, `(k=v)`, `=> v`), and bare wherever
   the format stands alone; no 12-character window of a value survives.
3. End to end: values in every textual field of gitleaks, semgrep and trivy JSON, through
   `secscan report` with the AI layer (loopback model) and Slack (loopback Web API): nothing
   reaches an output file, raw/, a model request, a Slack payload or the terminal.
"""

from __future__ import annotations

import collections
import json
import random
import secrets
import string
import subprocess
from pathlib import Path
from urllib.parse import unquote_plus

import pytest

from openai_server import OpenAIServer
from reliability_support import assert_no_traceback, base_env, real_binary, require_real, secscan, texts_of_tree
from secret_formats import (
    BARE_SHAPES,
    FORMATS,
    NOT_COVERED,
    SCANNER_RULE_COUNTS,
    Format,
    generate,
    secret_windows,
    shapes,
)
from slack_server import SlackServer

# Formats the scanners only report with a context around the value (an XML element, a `-u`
# option, `sig=`, an HCL password argument): the value alone is short random text, like any id.
CONTEXT_ONLY = {
    ("gitleaks", "hashicorp-tf-password"),
    ("gitleaks", "nuget-config-password"),
    ("gitleaks", "curl-auth-user"),
    ("trivy", "maven-settings-password"),
    ("trivy", "maven-settings-passphrase"),
    ("trivy", "maven-settings-security-master"),
    ("trivy", "azure-sas-token"),
}


def stands_alone(fmt: Format) -> bool:
    return fmt.keyword is None and (fmt.scanner, fmt.rule) not in CONTEXT_ONLY


def test_table_covers_every_built_in_rule() -> None:
    by_scanner = collections.Counter(f.scanner for f in FORMATS)
    ids = [(f.scanner, f.rule) for f in FORMATS]
    assert len(ids) == len(set(ids))
    assert not set(ids) & set(NOT_COVERED)
    for scanner, count in SCANNER_RULE_COUNTS.items():
        left_out = sum(1 for s, _ in NOT_COVERED if s == scanner)
        assert by_scanner[scanner] + left_out == count, (scanner, by_scanner[scanner], left_out)


def _write_samples(root: Path, scanner: str, rng: random.Random) -> dict[str, Format]:
    where: dict[str, Format] = {}
    for fmt in FORMATS:
        if fmt.scanner != scanner:
            continue
        for attempt in range(3):  # a rule's own allowlist (stop words) may drop one random sample
            folder = root / f"{fmt.rule}-{attempt}"
            folder.mkdir(parents=True)
            (folder / fmt.file_name).write_text(fmt.sample_line(generate(fmt, rng)) + "\n")
            where[folder.name] = fmt
    return where


@pytest.mark.scanners
def test_gitleaks_detects_every_gitleaks_entry(tmp_path: Path) -> None:
    require_real("gitleaks")
    samples = tmp_path / "samples"
    where = _write_samples(samples, "gitleaks", random.Random(7))
    report = tmp_path / "gitleaks.json"
    subprocess.run(
        [
            str(real_binary("gitleaks")),
            "dir",
            str(samples),
            "--report-format",
            "json",
            "--report-path",
            str(report),
            "--exit-code",
            "0",
            "--no-banner",
            "--log-level",
            "error",
        ],
        check=True,
        timeout=600,
        cwd=tmp_path,
    )
    found = collections.defaultdict(set)
    for item in json.loads(report.read_text()):
        found[Path(item["File"]).parent.name].add(item["RuleID"])
    _assert_each_detected(where, found)


@pytest.mark.scanners
def test_trivy_detects_every_trivy_entry(tmp_path: Path) -> None:
    require_real("trivy")
    samples = tmp_path / "samples"
    where = _write_samples(samples, "trivy", random.Random(7))
    report = tmp_path / "trivy.json"
    subprocess.run(
        [
            str(real_binary("trivy")),
            "fs",
            "--scanners",
            "secret",
            "--format",
            "json",
            "--output",
            str(report),
            "--cache-dir",
            str(tmp_path / "cache"),
            "--quiet",
            str(samples),
        ],
        check=True,
        timeout=600,
        cwd=tmp_path,
        env=base_env(),
    )
    found = collections.defaultdict(set)
    for result in json.loads(report.read_text()).get("Results") or []:
        for item in result.get("Secrets") or []:
            found[Path(result["Target"]).parent.name].add(item["RuleID"])
    _assert_each_detected(where, found)


def _assert_each_detected(where: dict[str, Format], found: dict[str, set[str]]) -> None:
    detected = {(f.scanner, f.rule) for folder, f in where.items() if f.rule in found[folder]}
    missing = sorted({(f.scanner, f.rule) for f in where.values()} - detected)
    assert not missing, f"table entries the scanner does not report under their id: {missing}"


@pytest.mark.parametrize("seed", [1, 2])
def test_every_format_is_masked_in_every_shape(seed: int) -> None:
    from secscan.findings.redact import redact_text

    rng = random.Random(seed)
    leaks = []
    for fmt in FORMATS:
        for _ in range(3):
            value = generate(fmt, rng)
            pieces = secret_windows(fmt, value, rng)
            for shape, text in shapes(fmt.name, value).items():
                if shape in BARE_SHAPES and not stands_alone(fmt):
                    continue
                masked = redact_text(text)
                if any(piece in masked for piece in pieces):
                    leaks.append(f"{fmt.scanner}:{fmt.rule} [{shape}] {text[:80]!r} -> {masked[:80]!r}")
    assert not leaks, f"{len(leaks)} leaks:\n" + "\n".join(leaks[:40])


def test_a_value_a_scanner_reported_is_masked_bare_too() -> None:
    from secscan.findings.redact import redact_text, register_secret

    rng = random.Random(5)
    for fmt in FORMATS:
        if stands_alone(fmt):
            continue
        value = generate(fmt, rng)
        register_secret(value)
        assert value not in redact_text(f"see {value} here"), fmt


# --- end to end -------------------------------------------------------------------------------------


def _sample_texts(rng: random.Random) -> tuple[list[str], list[str], list[str]]:
    """(texts, values gitleaks reports, values no scanner reports). A reported value appears in
    every shape; an unreported one only where the redactor must recognize it alone."""
    texts: list[str] = []
    reported: list[str] = []
    unreported: list[str] = []
    for fmt in FORMATS:
        told = generate(fmt, rng)
        reported.append(told)
        texts.extend(shapes(fmt.name, told).values())
        alone = generate(fmt, rng)
        unreported.append(alone)
        texts.extend(t for shape, t in shapes(fmt.name, alone).items() if shape not in BARE_SHAPES or stands_alone(fmt))
    rng.shuffle(texts)
    return texts, reported, unreported


def _scanner_inputs(root: Path, texts: list[str], reported: list[str]) -> dict[str, Path]:
    chunks = [texts[i : i + 6] for i in range(0, len(texts), 6)]
    gitleaks = [
        {
            "RuleID": "generic-api-key",
            "Description": f"Generic API key. {' '.join(chunk[:1])}",
            "StartLine": i + 1,
            "EndLine": i + 1,
            "StartColumn": 1,
            "EndColumn": 40,
            "Match": chunk[1] if len(chunk) > 1 else "x",
            "Secret": value,
            "File": f"config/settings_{i}.py",
            "SymlinkFile": "",
            "Commit": "",
            "Entropy": 4.5,
            "Author": "dev",
            "Email": "dev@example.invalid",
            "Date": "",
            "Message": " ".join(chunk[2:3]),
            "Tags": [],
            "Fingerprint": f"config/settings_{i}.py:generic-api-key:{i + 1}",
        }
        for i, (chunk, value) in enumerate(
            zip(chunks * (len(reported) // max(1, len(chunks)) + 1), reported, strict=False)
        )
    ]
    semgrep_results = [
        {
            "check_id": f"rules.python.audit-{i % 7}",
            "path": f"app/module_{i}.py",
            "start": {"line": 3, "col": 1, "offset": 0},
            "end": {"line": 3, "col": 40, "offset": 39},
            "extra": {
                "message": "\n".join(chunk[:2]),
                "lines": "\n".join(chunk[2:4]),
                "fix": "\n".join(chunk[4:5]),
                "metadata": {
                    "cwe": ["CWE-798: Use of Hard-coded Credentials"],
                    "references": ["https://example.invalid/doc"],
                    "description": " ".join(chunk[5:]),
                },
                "severity": "ERROR",
                "fingerprint": "requires login",
                "is_ignored": False,
                "validation_state": "NO_VALIDATOR",
                "engine_kind": "OSS",
            },
        }
        for i, chunk in enumerate(chunks)
    ]
    semgrep = {
        "version": "1.185.0",
        "results": semgrep_results,
        "errors": [],
        "paths": {"scanned": []},
        "skipped_rules": [],
    }
    misconfigs = [
        {
            "Type": "Dockerfile Security Check",
            "ID": "DS-0031",
            "AVDID": "AVD-DS-0031",
            "Title": "Secrets passed via build-args or envs",
            "Description": chunk[0],
            "Message": chunk[1] if len(chunk) > 1 else "m",
            "Namespace": "builtin.dockerfile.DS031",
            "Resolution": chunk[2] if len(chunk) > 2 else "r",
            "Severity": "CRITICAL",
            "PrimaryURL": "https://avd.aquasec.com/misconfig/ds-0031",
            "References": ["https://avd.aquasec.com/misconfig/ds-0031"],
            "Status": "FAIL",
            "Layer": {},
            "CauseMetadata": {
                "Provider": "Dockerfile",
                "Service": "general",
                "StartLine": 2,
                "EndLine": 2,
                "Code": {
                    "Lines": [
                        {
                            "Number": 2,
                            "Content": line,
                            "IsCause": True,
                            "Annotation": "",
                            "Truncated": False,
                            "Highlighted": line,
                            "FirstCause": True,
                            "LastCause": True,
                        }
                        for line in chunk[3:]
                    ]
                },
            },
        }
        for chunk in chunks
    ]
    trivy = {
        "SchemaVersion": 2,
        "Trivy": {"Version": "0.74.0"},
        "ArtifactName": ".",
        "ArtifactType": "filesystem",
        "Results": [
            {
                "Target": "Dockerfile",
                "Class": "config",
                "Type": "dockerfile",
                "MisconfSummary": {"Successes": 0, "Failures": len(misconfigs)},
                "Misconfigurations": misconfigs,
            },
            {
                "Target": "config/app.env",
                "Class": "secret",
                "Secrets": [
                    {
                        "RuleID": "generic-secret",
                        "Category": "Generic",
                        "Severity": "HIGH",
                        "Title": chunk[0],
                        "StartLine": i + 1,
                        "EndLine": i + 1,
                        "Match": chunk[1] if len(chunk) > 1 else "m",
                        "Code": {"Lines": [{"Number": i + 1, "Content": line, "IsCause": True} for line in chunk[2:]]},
                    }
                    for i, chunk in enumerate(chunks)
                ],
            },
        ],
    }
    paths = {name: root / f"{name}.json" for name in ("gitleaks", "semgrep", "trivy")}
    for name, document in (("gitleaks", gitleaks), ("semgrep", semgrep), ("trivy", trivy)):
        paths[name].write_text(json.dumps(document))
    return paths


@pytest.mark.scanners
def test_no_generated_secret_reaches_any_channel(tmp_path: Path) -> None:
    rng = random.Random(2026)
    texts, reported, unreported = _sample_texts(rng)
    inputs = _scanner_inputs(tmp_path, texts, reported)
    pieces: set[str] = set()
    for fmt, value in zip(FORMATS, reported, strict=False):
        pieces |= secret_windows(fmt, value, rng)
    for fmt, value in zip(FORMATS, unreported, strict=False):
        pieces |= secret_windows(fmt, value, rng)
    api_key = "sk-proj-" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(48))
    bot_token = (
        "xoxb-"
        + "".join(secrets.choice(string.digits) for _ in range(12))
        + "-"
        + "".join(secrets.choice(string.ascii_letters) for _ in range(24))
    )
    with OpenAIServer() as model, SlackServer(token=bot_token) as slack:
        config = tmp_path / "secscan.toml"
        config.write_text(
            f'[ai]\ntimeout_s = 60\nmax_retries = 0\n\n[slack]\napi_url = "{slack.api_url}"\ntimeout_s = '
            "20\nmax_retries = 0\n"
        )
        env = base_env(
            OPENAI_API_KEY=api_key, OPENAI_BASE_URL=model.url, SLACK_BOT_TOKEN=bot_token, SLACK_CHANNEL="#security"
        )
        run = secscan(
            "report",
            "--gitleaks",
            inputs["gitleaks"],
            "--semgrep",
            inputs["semgrep"],
            "--trivy",
            inputs["trivy"],
            "--config",
            config,
            env=env,
            out=tmp_path / "out",
            timeout=900,
        )
        model_requests = list(model.requests)
        slack_requests = list(slack.received)
    assert_no_traceback(run)
    assert run.code == 1, run.stderr
    assert run.report["synthesis"]["source"] == "ai", run.report["synthesis"]
    assert model_requests and slack_requests
    channels: list[tuple[str, str]] = [("stdout", run.stdout), ("stderr", run.stderr)]
    channels += [(f"out/{name}", text) for name, text in texts_of_tree(tmp_path / "out")]
    assert any(name.startswith("out/raw/") for name, _ in channels)
    channels += [("model request", r.raw.decode("utf-8", errors="replace")) for r in model_requests]
    channels += [("model request (decoded)", json.dumps(r.json, ensure_ascii=False)) for r in model_requests]
    channels += [(f"slack {r.path}", r.text) for r in slack_requests]
    channels += [(f"slack {r.path} (decoded)", unquote_plus(r.text)) for r in slack_requests]
    leaks = []
    for where, text in channels:
        found = _first_piece(text, pieces)
        if found is not None:
            at = text.index(found)
            leaks.append(f"{where}: …{text[max(0, at - 60) : at + 40]!r}…")
    assert not leaks, "\n".join(leaks[:20])


def _first_piece(text: str, pieces: set[str]) -> str | None:
    for index in range(len(text) - 11):
        if text[index : index + 12] in pieces:
            return text[index : index + 12]
    return None


def test_the_fast_path_is_on() -> None:
    """The shortcuts switch themselves off when a core pattern changes (always correct, much
    slower: raw/ redaction of a 100k-finding run); a change must re-derive them, not disable them."""
    from secscan.findings import redact

    assert redact._FAST, "redact._FAST is off: update the hints and the pattern digest together"
