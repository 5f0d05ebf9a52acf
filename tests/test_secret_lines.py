"""Lines that hold a secret are never shown; paths stay useful; redaction never garbles.

- A code line, autofix or context line overlapping a secret finding's lines (whichever scanner
  found the secret), and every check of the "secret in ENV/ARG" family (trivy DS-0031, semgrep
  hard-coded credential rules), is replaced by a marker in every output and in raw/.
- A path keeps its folders and a file name's leading word when a random part must go.
- Redaction keeps brackets balanced and reference links' ids (corpus autofix/reference fields).
"""

from __future__ import annotations

import json
import random
import secrets
import string
from pathlib import Path
from typing import Any

from conftest import REPO_ROOT
from fakes import GITLEAKS_FINDING, semgrep_report, semgrep_result
from reliability_support import assert_no_traceback, base_env, secscan, texts_of_tree

CORPUS = REPO_ROOT / "tests" / "fixtures" / "corpus"
MARKER = "[line hidden: it holds a secret]"


def low_entropy_value() -> str:
    """A credential no pattern can tell from a word: only the line's context says what it is."""
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(5)) + "Summer2024"


def trivy_ds0031(value: str, line: int = 2, target: str = "Dockerfile") -> dict[str, Any]:
    content = f"ENV DB_SETTING {value}"
    return {
        "SchemaVersion": 2,
        "Trivy": {"Version": "0.74.0"},
        "ArtifactName": ".",
        "ArtifactType": "filesystem",
        "Results": [
            {
                "Target": target,
                "Class": "config",
                "Type": "dockerfile",
                "MisconfSummary": {"Successes": 0, "Failures": 1},
                "Misconfigurations": [
                    {
                        "Type": "Dockerfile Security Check",
                        "ID": "DS-0031",
                        "AVDID": "AVD-DS-0031",
                        "Title": "Secrets passed via build-args or envs",
                        "Description": "Passing secrets via build-args or envs is unsafe.",
                        "Message": 'Possible exposure of secret env "DB_SETTING" in ENV',
                        "Namespace": "builtin.dockerfile.DS031",
                        "Resolution": "Use a secret mount",
                        "Severity": "CRITICAL",
                        "Status": "FAIL",
                        "Layer": {},
                        "PrimaryURL": "https://avd.aquasec.com/misconfig/ds-0031",
                        "References": ["https://avd.aquasec.com/misconfig/ds-0031"],
                        "CauseMetadata": {
                            "Provider": "Dockerfile",
                            "Service": "general",
                            "StartLine": line,
                            "EndLine": line,
                            "Code": {
                                "Lines": [
                                    {
                                        "Number": line,
                                        "Content": content,
                                        "IsCause": True,
                                        "Annotation": "",
                                        "Truncated": False,
                                        "Highlighted": content,
                                        "FirstCause": True,
                                        "LastCause": True,
                                    }
                                ]
                            },
                        },
                    }
                ],
            }
        ],
    }


def run_report(tmp_path: Path, source: Path | None = None, **documents: Any) -> Any:
    args: list[Any] = ["report"]
    for name, document in documents.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(document))
        args += [f"--{name}", path]
    if source is not None:
        args += ["--source", source]
    run = secscan(*args, "--no-ai", "--no-slack", env=base_env(), out=tmp_path / "out")
    assert_no_traceback(run)
    return run


def assert_nowhere(run: Any, out: Path, value: str) -> None:
    assert value not in run.stdout and value not in run.stderr
    for name, text in texts_of_tree(out):
        assert value not in text, f"{value!r} in {name}"


def test_secret_in_env_check_never_shows_its_line(tmp_path: Path) -> None:
    value = low_entropy_value()
    run = run_report(tmp_path, trivy=trivy_ds0031(value))
    [finding] = run.findings(rule_id="DS-0031")
    assert finding["snippet"] == MARKER
    raw = json.loads((tmp_path / "out" / "raw" / "trivy.json").read_text())
    line = raw["Results"][0]["Misconfigurations"][0]["CauseMetadata"]["Code"]["Lines"][0]
    assert line["Content"] == MARKER and line["Highlighted"] == MARKER
    assert_nowhere(run, tmp_path / "out", value)


def test_hardcoded_credential_rule_never_shows_its_line_or_autofix(tmp_path: Path) -> None:
    value = low_entropy_value()
    source = tmp_path / "src"
    source.mkdir()
    (source / "app.py").write_text(f"import db\ndef connect(password='{value}'):\n    return db.open(password)\n")
    result = semgrep_result(
        check_id="python.lang.security.audit.hardcoded-password-default-argument",
        path="app.py",
        line=2,
        message="Hardcoded password is used as a default argument to 'connect'.",
    )
    result["extra"]["lines"] = f"def connect(password='{value}'):"
    result["extra"]["fix"] = f"def connect(password=os.environ['{value}']):"
    result["extra"]["metadata"]["cwe"] = ["CWE-798: Use of Hard-coded Credentials"]
    run = run_report(tmp_path, source=source, semgrep=semgrep_report([result]))
    [finding] = run.report["findings"]
    assert finding["snippet"] == MARKER and MARKER in (finding.get("fix") or "")
    extra = json.loads((tmp_path / "out" / "raw" / "semgrep.json").read_text())["results"][0]["extra"]
    assert extra["lines"] == MARKER and extra["fix"] == MARKER
    assert_nowhere(run, tmp_path / "out", value)


def test_any_line_overlapping_a_secret_is_hidden_whoever_found_it(tmp_path: Path) -> None:
    """gitleaks found a secret on settings.py:3; semgrep flags eval on that very line and trivy a
    misconfiguration in a Dockerfile line gitleaks also found: both lines become the marker."""
    value = low_entropy_value()
    source = tmp_path / "src"
    source.mkdir()
    (source / "settings.py").write_text(f"import os\nDEBUG = True\nhandler = eval('{value}')\n")
    gitleaks = [
        {**GITLEAKS_FINDING, "File": "settings.py", "StartLine": 3, "EndLine": 3},
        {
            **GITLEAKS_FINDING,
            "File": "Dockerfile",
            "StartLine": 4,
            "EndLine": 4,
            "Fingerprint": "Dockerfile:generic-api-key:4",
        },
    ]
    result = semgrep_result(path="settings.py", line=3)
    result["extra"]["lines"] = f"handler = eval('{value}')"
    result["extra"]["fix"] = f"handler = ast.literal_eval('{value}')"
    trivy = trivy_ds0031(value, line=4)
    misconfig = trivy["Results"][0]["Misconfigurations"][0]
    misconfig.update(ID="DS-0002", AVDID="AVD-DS-0002", Title="Image user should not be 'root'")  # not a secret check
    run = run_report(tmp_path, source=source, gitleaks=gitleaks, semgrep=semgrep_report([result]), trivy=trivy)
    [code] = run.findings(layer="semgrep")
    assert code["snippet"] == MARKER and MARKER in code["fix"]
    [misconfiguration] = run.findings(rule_id="DS-0002")
    assert misconfiguration["snippet"] == MARKER
    semgrep_raw = json.loads((tmp_path / "out" / "raw" / "semgrep.json").read_text())["results"][0]["extra"]
    assert semgrep_raw["lines"] == MARKER and semgrep_raw["fix"] == MARKER
    trivy_raw = json.loads((tmp_path / "out" / "raw" / "trivy.json").read_text())
    assert trivy_raw["Results"][0]["Misconfigurations"][0]["CauseMetadata"]["Code"]["Lines"][0]["Content"] == MARKER
    assert_nowhere(run, tmp_path / "out", value)
    # and raw/ gives the same findings again (ids do not depend on the hidden lines)
    again = secscan(
        "report",
        "--raw",
        tmp_path / "out" / "raw",
        "--source",
        source,
        "--no-ai",
        "--no-slack",
        env=base_env(),
        out=tmp_path / "again",
    )
    assert sorted(f["id"] for f in again.report["findings"]) == sorted(f["id"] for f in run.report["findings"])


def test_a_line_without_a_secret_is_still_shown(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "app.py").write_text("import sys\nresult = eval(sys.argv[1])\n")
    run = run_report(tmp_path, source=source, semgrep=semgrep_report([semgrep_result()]))
    [finding] = run.report["findings"]
    assert finding["snippet"] == "result = eval(sys.argv[1])"


# --- paths stay useful -------------------------------------------------------------------------------


def test_a_random_file_name_keeps_its_folders_and_leading_word(tmp_path: Path) -> None:
    random_part = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(30))
    # a token-like name has letters and digits (all letters is a word-ish name, kept): one of each for sure
    random_part = (
        f"{random_part[:10]}{secrets.choice(string.digits)}{secrets.choice(string.ascii_letters)}{random_part[12:]}"
    )
    path = f"deploy/secrets/creds_{random_part}.txt"
    run = run_report(tmp_path, gitleaks=[{**GITLEAKS_FINDING, "File": path}])
    [finding] = run.report["findings"]
    assert finding["path"] == "deploy/secrets/creds_[REDACTED].txt"
    assert random_part[:12] not in json.dumps(run.report)


def test_ordinary_paths_are_never_masked() -> None:
    from secscan.findings.redact import redact_text

    for path in (
        "usr/local/tomcat/webapps/helloworld.war/WEB-INF/lib/spring-beans-5.3.15.jar",
        "terraform-aws-modules/s3-bucket/aws/main.tf",
        "node_modules/@babel/core/lib/config/files/configuration.js",
        "src/main/java/com/example/FooBarServiceImpl.java",
        "api/v1/users/12345/profile/settings.json",
    ):
        assert redact_text(path) == path


# --- no garbling ---------------------------------------------------------------------------------------


def _strings(value: Any, key: str = "") -> list[tuple[str, str]]:
    if isinstance(value, str):
        return [(key, value)]
    if isinstance(value, list):
        return [pair for item in value for pair in _strings(item, key)]
    if isinstance(value, dict):
        return [pair for k, item in value.items() for pair in _strings(item, str(k))]
    return []


_FIX_KEYS = {"fix", "fixed_lines", "replacement", "lines"}
_REFERENCE_KEYS = {"references", "References", "PrimaryURL", "helpUri", "source", "shortlink", "source-rule-url", "url"}


def corpus_fields(keys: set[str]) -> list[str]:
    found = []
    for path in sorted(CORPUS.glob("*/*")):
        if path.suffix not in (".json", ".sarif"):
            continue
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        found += [text for key, text in _strings(document) if key in keys]
    return found


def test_redaction_never_unbalances_brackets_in_corpus_autofixes() -> None:
    from secscan.findings.redact import redact_text

    fixes = corpus_fields(_FIX_KEYS)
    assert fixes, "no autofix fields in the corpus"
    extra = ["def f(password=None):", "connect(token=abc123def456ghi)", "x = {'secret': os.environ['S3CR3T_VALUE1']}"]
    for text in [*fixes, *extra]:
        done = redact_text(text)
        for opener, closer in ("()", "[]", "{}"):
            assert text.count(opener) - text.count(closer) == done.count(opener) - done.count(closer), (text, done)
    assert redact_text("password=None):") == "password=None):"


def test_reference_links_keep_their_ids() -> None:
    from secscan.findings.redact import redact_text

    references = corpus_fields(_REFERENCE_KEYS)
    assert len(references) > 100
    changed = [(url, redact_text(url)) for url in references if redact_text(url) != url]
    assert not changed, changed[:10]
    rng = random.Random(3)
    token = "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(32))
    for url in (
        f"https://lists.apache.org/thread/{token}",
        f"https://lists.apache.org/thread.html/r{token}%40%3Cdev.apache.org%3E",
        f"https://medium.com/@{token[:20]}/a-story-{token[:12]}",
        "https://github.com/advisories/GHSA-4w2v-q235-vp99",
        "https://nvd.nist.gov/vuln/detail/CVE-2023-12345",
    ):
        assert redact_text(url) == url, url
    leaked = f"https://example.com/callback?token={token}"
    assert token not in redact_text(leaked)


def test_reference_links_keep_their_ids_inside_text_and_in_a_batch() -> None:
    """A reference URL after other text, or redacted in one batch with other strings (how raw/ is
    redacted), keeps its id exactly as it does alone: the result never depends on what came before."""
    from secscan.findings.redact import redact_json, redact_text

    rng = random.Random(7)
    token = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(32))
    url = f"https://lists.fedoraproject.org/archives/list/package-announce@lists.fedoraproject.org/message/{token}/"
    assert redact_text(f"see {url} for details") == f"see {url} for details"
    leaked = f"https://example.com/callback?token={token}"
    document = {"References": [url, leaked, f"({url})"], "Title": f"advisory at {url}"}
    redacted = redact_json(document)
    assert redacted["References"][0] == url and redacted["References"][2] == f"({url})"
    assert redacted["Title"] == f"advisory at {url}"
    assert token not in redacted["References"][1]
