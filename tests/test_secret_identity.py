"""Secrets by identity, not by sighting (issue 16, point 1), on a real git repository and the real
gitleaks and trivy: one finding per secret value with every place it was seen; `in_head` from the
value in HEAD's files (a file renamed and re-indented since the secret came in is still in HEAD);
a secret seen only on another branch says which; an expired JWT in a comment says both."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from canaries import Canary, aws_access_key_id, github_pat, private_key, stripe_live_key
from planted_repo import git
from reliability_support import real_scanner_env, require_real, secscan
from secscan.findings.identity import jwt_facts, secret_identity
from secscan.scanners import gitleaks
from support.trivy_db import write_trivy_db


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def expired_jwt() -> str:
    """A token whose `exp` passed a year ago (random subject and signature: made at run time)."""
    header = _b64({"alg": "HS256", "typ": "JWT"})
    payload = _b64(
        {"sub": base64.b32encode(time.time_ns().to_bytes(8, "big")).decode(), "exp": int(time.time()) - 365 * 86400}
    )
    signature = base64.urlsafe_b64encode(__import__("secrets").token_bytes(32)).decode().rstrip("=")
    return f"{header}.{payload}.{signature}"


@dataclass
class Repo:
    path: Path
    stripe: Canary
    feature: Canary
    history: Canary
    jwt: str


def build(root: Path) -> Repo:
    """main: a Stripe key in config/settings.py, later renamed to app/conf/settings.py and re-indented
    into a class, and copied into deploy/env.py; an AWS key added and deleted again (history only);
    an expired JWT in a commented-out line. Branch feature/leak: a GitHub token main never had."""
    repo = root / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    stripe, feature, history, jwt = stripe_live_key(), github_pat(), aws_access_key_id(), expired_jwt()
    (repo / "config").mkdir()
    (repo / "config" / "settings.py").write_text(f'DEBUG = False\nSTRIPE_KEY = "{stripe.value}"\n')
    (repo / "static").mkdir()
    (repo / "static" / "app.js").write_text(
        f'function go() {{\n  // headers.append("Authorization", "Bearer {jwt}");\n}}\n'
    )
    (repo / "aws.py").write_text(f'AWS_ACCESS_KEY_ID = "{history.value}"\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "settings")
    (repo / "aws.py").unlink()
    (repo / "app" / "conf").mkdir(parents=True)
    git(repo, "mv", "config/settings.py", "app/conf/settings.py")
    (repo / "app" / "conf" / "settings.py").write_text(
        f'"""Settings."""\n\n\nclass Settings:\n    debug = False\n\n    stripe_key = \'{stripe.value}\'\n'
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "settings as a class, drop aws")
    (repo / "deploy").mkdir()
    (repo / "deploy" / "env.py").write_text(f'import os\n\nKEY = os.environ.get("STRIPE", "{stripe.value}")\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "deploy")
    git(repo, "checkout", "-q", "-b", "feature/leak")
    (repo / "feature.py").write_text(f'TOKEN = "{feature.value}"\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "feature")
    git(repo, "checkout", "-q", "main")
    return Repo(path=repo, stripe=stripe, feature=feature, history=history, jwt=jwt)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Repo, Path, dict[str, Any]]:
    require_real("gitleaks", "trivy")
    root = tmp_path_factory.mktemp("identity")
    repo = build(root)
    cache = root / "trivy-cache"
    write_trivy_db(cache, [])
    out = root / "out"
    run = secscan(
        "scan",
        repo.path,
        "--layers",
        "gitleaks,trivy",
        "--no-ai",
        "--no-slack",
        "--quiet",
        env=real_scanner_env(cache),
        out=out,
    )
    assert run.code == 1, run.stderr
    report = run.report
    assert {layer["name"]: layer["status"] for layer in report["layers"]} == {"gitleaks": "ok", "trivy": "ok"}, report[
        "layers"
    ]
    return repo, out, report


def _secrets(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["category"] == "secret"]


def _one(report: dict[str, Any], rule_prefix: str) -> dict[str, Any]:
    found = [f for f in _secrets(report) if f["rule_id"].startswith(rule_prefix)]
    assert len(found) == 1, [(f["rule_id"], f["scanners"], f["path"], f["line"]) for f in _secrets(report)]
    return found[0]


def test_each_secret_value_is_one_finding(scanned: tuple[Repo, Path, dict[str, Any]]) -> None:
    _, _, report = scanned
    # four values, four findings: gitleaks' sightings and trivy's working-tree hits all merged
    assert len(_secrets(report)) == 4, [(f["rule_id"], f["scanners"], f["path"]) for f in _secrets(report)]
    stripe = _one(report, "stripe")
    assert "trivy" in stripe["scanners"]  # trivy saw the key in both HEAD files: merged, not two more findings
    places = {(s["path"], s["in_head"]) for s in stripe["sightings"]}
    assert {("app/conf/settings.py", True), ("deploy/env.py", True), ("config/settings.py", None)} <= places


def test_a_secret_renamed_and_reindented_since_it_came_in_is_in_head(
    scanned: tuple[Repo, Path, dict[str, Any]],
) -> None:
    repo, _, report = scanned
    stripe = _one(report, "stripe")
    assert stripe["in_head"] is True
    # path/line: where it is now, in HEAD (the fix goes there), not where it was committed first
    head_lines = (repo.path / "app" / "conf" / "settings.py").read_text().splitlines()
    assert stripe["path"] in ("app/conf/settings.py", "deploy/env.py")
    if stripe["path"] == "app/conf/settings.py":
        assert repo.stripe.value in head_lines[stripe["line"] - 1]
    first = [s for s in stripe["sightings"] if s["path"] == "config/settings.py"]
    assert first and first[0]["date"] and first[0]["refs"] == ["main"]


def test_a_secret_deleted_from_the_branch_is_history_only(scanned: tuple[Repo, Path, dict[str, Any]]) -> None:
    _, _, report = scanned
    aws = _one(report, "aws")
    assert aws["in_head"] is False and aws["on_scanned_branch"] is True
    assert aws["path"] == "aws.py" and aws["refs"] == ["main"]


def test_a_secret_on_another_branch_says_which(scanned: tuple[Repo, Path, dict[str, Any]]) -> None:
    _, _, report = scanned
    token = _one(report, "github")
    assert token["in_head"] is False and token["on_scanned_branch"] is False
    assert token["refs"] == ["feature/leak"]
    assert "only on feature/leak" in token["title"] and "not on main" in token["title"]
    why = [r["why_it_matters"] for r in report["synthesis"]["top_risks"] if token["id"] in r["finding_ids"]]
    assert why and "only on other branches (feature/leak)" in why[0]


def test_an_expired_token_in_a_comment_says_so(scanned: tuple[Repo, Path, dict[str, Any]]) -> None:
    _, _, report = scanned
    jwt = _one(report, "jwt")
    assert jwt["in_head"] is True and jwt["expired"] is True and jwt["in_comment"] is True


def test_no_value_leaves_and_report_mode_groups_the_same(
    scanned: tuple[Repo, Path, dict[str, Any]], tmp_path: Path
) -> None:
    repo, out, _ = scanned
    values = [repo.stripe.value, repo.feature.value, repo.history.value, repo.jwt]
    for file in out.rglob("*"):
        if file.is_file():
            text = file.read_text(errors="replace")
            assert not any(v in text for v in values), file
    raw = json.loads((out / "raw" / "gitleaks.json").read_text())
    assert all(item["SecretIdentity"].startswith("hmac-sha256:") for item in raw)
    again = secscan(
        "report",
        "--gitleaks",
        out / "raw" / "gitleaks.json",
        "--no-ai",
        "--no-slack",
        "--quiet",
        env=real_scanner_env(tmp_path),
        out=tmp_path / "again",
    )
    grouped = [f for f in again.report["findings"] if f["scanner"] == "gitleaks"]
    assert len(grouped) == 4
    # without a repository nobody knows what HEAD holds: unknown, and the summary does not claim it
    assert {f["in_head"] for f in grouped} == {None}
    summary = again.report["synthesis"]["summary"]
    assert "in the current code: rotate first" not in summary and "it is unknown whether" in summary


def test_identity_is_keyed_and_jwts_are_read_without_the_signature() -> None:
    value = stripe_live_key().value
    assert secret_identity(value) == secret_identity(f"  {value}\n")
    assert secret_identity(value) != secret_identity(value[:-1])
    assert value not in secret_identity(value)
    facts = jwt_facts(expired_jwt())
    assert facts is not None and facts["alg"] == "HS256" and facts["exp"] < time.time()
    assert jwt_facts("not.a.token") is None


def test_a_report_cannot_merge_secrets_with_an_identity_of_its_own() -> None:
    """Two sightings in a hand-made report claiming one identity stay two findings."""
    item = {
        "RuleID": "generic-api-key",
        "Description": "x",
        "StartLine": 1,
        "EndLine": 1,
        "Match": "k = REDACTED",
        "Secret": "REDACTED",
        "File": "a.py",
        "Commit": "",
        "SecretIdentity": "forged",
    }
    other = {**item, "File": "b.py"}
    parsed = gitleaks.parse(json.dumps([item, other]).encode())
    assert len(parsed.findings) == 2


def test_a_generic_match_that_looks_like_a_hash_is_low_confidence() -> None:
    """A password hash in a fixture matched by `generic-api-key` still shows, with low confidence."""
    import secrets as random_bytes

    def item(value: str, path: str) -> dict[str, Any]:
        return {
            "RuleID": "generic-api-key",
            "Description": "x",
            "StartLine": 1,
            "EndLine": 1,
            "Match": f'password = "{value}"',
            "Secret": value,
            "File": path,
            "Commit": "",
        }

    digest, token = random_bytes.token_hex(16), "Zx" + random_bytes.token_urlsafe(24)
    parsed = gitleaks.parse(json.dumps([item(digest, "a.py"), item(token, "b.py")]).encode())
    by_path = {f.path: f for f in parsed.findings}
    assert by_path["a.py"].confidence == "low" and by_path["b.py"].confidence is None
    assert digest not in json.dumps([f.model_dump(mode="json") for f in parsed.findings])


def test_key_markers_around_code_are_low_confidence_and_a_real_key_is_not() -> None:
    armour = "PRIVATE" + " KEY-----"  # split: no key block stands in this file
    code = f'pem = pem.replace("-----BEGIN {armour}", "");\n    pem = pem.replace("-----END {armour}", "");'
    key = private_key().value
    items = [
        {
            "RuleID": "private-key",
            "Description": "x",
            "StartLine": 1,
            "EndLine": 2,
            "Match": value,
            "Secret": value,
            "File": path,
            "Commit": "",
        }
        for value, path in ((code, "Crypto.java"), (key, "deploy.pem"))
    ]
    by_path = {f.path: f for f in gitleaks.parse(json.dumps(items).encode()).findings}
    assert by_path["Crypto.java"].confidence == "low" and by_path["deploy.pem"].confidence is None


def test_a_secret_trivy_read_in_the_checked_out_files_is_in_head_and_an_images_is_unknown() -> None:
    from fakes import trivy_report
    from secscan.scanners import trivy

    document = trivy_report()
    document["Results"] = [
        {
            "Target": "settings.py",
            "Class": "secret",
            "Secrets": [
                {
                    "RuleID": "github-pat",
                    "Severity": "CRITICAL",
                    "Title": "GitHub token",
                    "StartLine": 3,
                    "EndLine": 3,
                    "Match": "TOKEN = *****",
                }
            ],
        }
    ]
    fs = trivy.parse(json.dumps(document).encode()).findings
    image = trivy.parse(
        json.dumps({**document, "ArtifactType": "container_image"}).encode(), layer="trivy-image"
    ).findings
    assert [f.in_head for f in fs] == [True] and [f.in_head for f in image] == [None]
