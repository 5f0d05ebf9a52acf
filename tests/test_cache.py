"""The result cache: a warm rescan reuses every layer and writes the same report; the cache
never holds a secret, never trusts an entry it did not sign, and follows every input."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest

from conftest import require_scanners
from planted_repo import build, git
from secscan.scanners.cache import content_digest, tree_state

TIMING = ("generated_at", "duration_s", "cached")


def _scan(
    repo: Path, out: Path, cache: Path, trivy_cache: Path, *args: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SLACK_"))}
    env.update(SECSCAN_CACHE_DIR=str(cache), TRIVY_CACHE_DIR=str(trivy_cache))
    completed = subprocess.run(
        [sys.executable, "-m", "secscan", "scan", str(repo), "--out", str(out), "--no-ai", "--no-slack", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=600,
    )
    return completed, json.loads((out / "report.json").read_text())


def _without_timing(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_timing(v) for k, v in value.items() if k not in TIMING}
    if isinstance(value, list):
        return [_without_timing(v) for v in value]
    return value


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    require_scanners("gitleaks", "semgrep", "trivy")
    root = tmp_path_factory.mktemp("cache")
    planted = build(root)
    cache = root / "cache"
    cold = _scan(planted.path, root / "cold", cache, planted.trivy_cache)
    warm = _scan(planted.path, root / "warm", cache, planted.trivy_cache)
    return {"root": root, "planted": planted, "cache": cache, "cold": cold, "warm": warm}


def test_warm_rescan_reuses_every_layer_and_reports_the_same(runs: dict[str, Any]) -> None:
    (cold_run, cold), (warm_run, warm) = runs["cold"], runs["warm"]
    assert cold_run.returncode == warm_run.returncode == 1
    assert [layer["cached"] for layer in cold["layers"]] == [False, False, False]
    assert [layer["cached"] for layer in warm["layers"]] == [True, True, True], warm["layers"]
    assert "cached" in warm_run.stderr
    assert _without_timing(cold) == _without_timing(warm)
    # byte for byte, once the time stamp, the layer timings and the cache flags are set equal
    cold_text = (runs["root"] / "cold" / "report.json").read_text()
    warm_text = (runs["root"] / "warm" / "report.json").read_text()
    normalized = json.dumps(_without_timing(json.loads(warm_text)))
    assert normalized == json.dumps(_without_timing(json.loads(cold_text)))
    for name in ("secscan.sarif", "report.md"):
        assert (runs["root"] / "cold" / name).read_bytes() == (runs["root"] / "warm" / name).read_bytes(), name
    for raw in (runs["root"] / "cold" / "raw").glob("*.json"):
        if raw.name != "manifest.json":
            assert raw.read_bytes() == (runs["root"] / "warm" / "raw" / raw.name).read_bytes(), raw.name


def test_the_cache_holds_no_secret_and_is_private(runs: dict[str, Any]) -> None:
    cache: Path = runs["cache"]
    entries = list((cache / "layers").rglob("*.json"))
    assert len(entries) == 3
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    for entry in [*entries, cache / "hmac.key"]:
        assert stat.S_IMODE(entry.stat().st_mode) == 0o600, entry
    everything = b"".join(entry.read_bytes() for entry in entries)
    for canary in runs["planted"].all_secrets:
        for fragment in canary.fragments():
            assert fragment.encode() not in everything, canary.kind


def test_a_changed_file_misses_and_no_cache_forces_a_run(runs: dict[str, Any]) -> None:
    planted, root, cache = runs["planted"], runs["root"], runs["cache"]
    (planted.path / "notes.txt").write_text("uncommitted, untracked\n")
    try:
        _completed, report = _scan(planted.path, root / "dirty", cache, planted.trivy_cache)
        cached = {layer["name"]: layer["cached"] for layer in report["layers"]}
        assert cached["semgrep"] is False and cached["trivy"] is False, cached
    finally:
        (planted.path / "notes.txt").unlink()
    _, report = _scan(planted.path, root / "forced", cache, planted.trivy_cache, "--no-cache")
    assert [layer["cached"] for layer in report["layers"]] == [False, False, False]


def test_tampered_and_foreign_entries_are_ignored_with_a_note(runs: dict[str, Any]) -> None:
    planted, root, cache = runs["planted"], runs["root"], runs["cache"]
    entries = sorted((cache / "layers").rglob("*.json"))
    original = {entry: entry.read_bytes() for entry in entries}
    try:
        for index, entry in enumerate(entries):
            signature, _, body = original[entry].partition(b"\n")
            if index % 3 == 0:  # the same JSON, but not the bytes that were signed
                entry.write_bytes(signature + b"\n" + body.replace(b'"ok"', b'"ok" ', 1))
            elif index % 3 == 1:  # signed with another key (another user's cache, a copied entry)
                entry.write_bytes(b"0" * 64 + b"\n" + body)
            else:
                entry.write_bytes(b"not an entry at all")
        completed, report = _scan(planted.path, root / "tampered", cache, planted.trivy_cache)
        assert [layer["cached"] for layer in report["layers"]] == [False, False, False], report["layers"]
        notes = " ".join(note for layer in report["layers"] for note in layer["notes"])
        assert notes.count("not signed by this cache") == 3, notes
        assert completed.returncode == 1
    finally:
        for entry, data in original.items():
            entry.write_bytes(data)


def test_a_cache_folder_others_can_write_is_not_used(runs: dict[str, Any], tmp_path: Path) -> None:
    planted = runs["planted"]
    shared = tmp_path / "shared-cache"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    _, report = _scan(planted.path, tmp_path / "out", shared, planted.trivy_cache, "--layers", "gitleaks")
    assert report["layers"][0]["cached"] is False
    assert any("only you can use" in note for note in report["layers"][0]["notes"]), report["layers"]
    assert not (shared / "layers").exists()


def test_tree_state_follows_uncommitted_changes(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "a.py").write_text("x = 1\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "a")
    states = [anyio.run(tree_state, repo)]
    (repo / "a.py").write_text("x = 2\n")  # modified, not committed
    states.append(anyio.run(tree_state, repo))
    (repo / "a.py").write_text("x = 1\n")
    assert anyio.run(tree_state, repo) == states[0]
    (repo / "b.py").write_text("y = 1\n")  # untracked
    states.append(anyio.run(tree_state, repo))
    (repo / "b.py").write_text("y = 2\n")
    states.append(anyio.run(tree_state, repo))
    assert len(set(states)) == 4, states


def test_content_digest_of_a_plain_folder(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "f.txt").write_text("one")
    first = content_digest(tmp_path)
    os.mkfifo(tmp_path / "fifo")  # never opened: no hang
    (tmp_path / "loop").symlink_to(tmp_path)  # never followed
    second = content_digest(tmp_path)
    (tmp_path / "d" / "f.txt").write_text("two")
    assert len({first, second, content_digest(tmp_path)}) == 3


def test_gitleaks_runs_again_when_another_layer_does(runs: dict[str, Any]) -> None:
    """A new trivy DB: trivy scans again, semgrep is reused, and gitleaks runs too: a fresh
    layer's text must be masked with the secret values gitleaks finds (the cache keeps none)."""
    planted, root, cache = runs["planted"], runs["root"], runs["cache"]
    database = planted.trivy_cache / "db" / "trivy.db"
    info = database.stat()
    os.utime(database, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    _, report = _scan(planted.path, root / "new-db", cache, planted.trivy_cache)
    cached = {layer["name"]: layer["cached"] for layer in report["layers"]}
    assert cached == {"gitleaks": False, "semgrep": True, "trivy": False}, cached
