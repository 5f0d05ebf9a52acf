"""Checks for the bundled Semgrep rule pack in src/secscan/rules.

1. ``semgrep --test`` passes for every rule (each rule has annotated test targets).
2. Every rule YAML is well formed: required fields and metadata, unique dot-free
   ids, at least 40 rules, test files beside each rule with enough annotated
   true positives and near-miss negatives, and no real-looking secrets in them.
3. ``semgrep scan --config src/secscan/rules`` over the rules folder reports no
   errors (the pack loads), and check ids end with the bare rule id.
4. The pack also loads under any other semgrep found (CI's ``.venv`` holds
   semgrep 1.52.0 from the ``[scanners]`` extra, SECSCAN_SEMGREP points at 1.185).

Only a few semgrep processes are started (module-scoped fixtures), so the file
stays reasonably quick.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml")

REPO_ROOT = Path(__file__).resolve().parents[1]
RULES_DIR = REPO_ROOT / "src" / "secscan" / "rules"
# Relative to REPO_ROOT, which is the cwd of every semgrep call below. Never pass
# a relative path starting with "r/" or "p/": semgrep reads those as registry names.
RULES_ARG = RULES_DIR.relative_to(REPO_ROOT).as_posix()

SEMGREP_FLAGS = ["--metrics=off", "--disable-version-check"]
SEMGREP_TIMEOUT = 1800
MIN_RULES = 120

# Legacy severities only: semgrep added CRITICAL/HIGH/MEDIUM/LOW in 1.72.0, and
# the package's ``[scanners]`` extra installs semgrep 1.52.0, which rejects a
# rule file using them (the whole pack would fail to load). secscan maps
# ERROR -> high, WARNING -> medium, INFO -> low.
ALLOWED_SEVERITIES = {"ERROR", "WARNING", "INFO"}
ALLOWED_CONFIDENCE = {"HIGH", "MEDIUM", "LOW"}

# folder -> (languages a rule there may declare, test-target suffixes)
LANGUAGE_DIRS: dict[str, tuple[set[str], tuple[str, ...]]] = {
    "python": ({"python"}, (".py",)),
    "javascript": ({"javascript", "typescript"}, (".js", ".jsx", ".ts", ".tsx")),
    "go": ({"go"}, (".go",)),
    "java": ({"java"}, (".java",)),
    "github-actions": ({"yaml"}, (".test.yaml", ".test.yml")),
    "dockerfile": ({"dockerfile"}, (".dockerfile",)),
}

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CWE_RE = re.compile(r"^CWE-\d+: \S.*")
OWASP_RE = re.compile(r"^A\d{2}:20\d{2} - \S.*")
URL_RE = re.compile(r"^https?://\S+$")
# "# ruleid: a, b" / "// ok: a" (semgrep --test also accepts <!-- -->).
ANNOTATION_RE = re.compile(r"(?:#|//|<!--)\s*(ruleid|ok|todoruleid|todook):\s*([^\n]*?)\s*(?:-->)?\s*$")

# Real-looking credentials must never be committed, not even in rule tests.
SECRET_PATTERNS = {
    "AWS access key id": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"),
    "GitHub fine-grained token": re.compile(r"\bgithub_pat_[A-Za-z0-9_]{20,}"),
    "Slack token": re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    "Stripe live key": re.compile(r"\b[sr]k_live_[A-Za-z0-9]{10,}"),
    "private key block": re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
}
# Long random-looking strings (API keys, real commit hashes) in test targets.
MIXED_TOKEN_RE = re.compile(r"[A-Za-z0-9+/_=-]{24,}")
HEX_TOKEN_RE = re.compile(r"\b[0-9a-fA-F]{32,}\b")


# --------------------------------------------------------------------------- helpers


def _semgrep_candidates() -> list[str]:
    """Semgrep binaries in order of preference, deduplicated by real path.

    SECSCAN_SEMGREP (the project's override, set by scripts/test.sh to the
    current semgrep) wins, then PATH, then the venv's bin dir next to
    ``sys.executable``.
    """
    found: list[str] = []
    explicit = os.environ.get("SECSCAN_SEMGREP")
    if explicit and Path(explicit).is_file():
        found.append(explicit)
    on_path = shutil.which("semgrep")
    if on_path:
        found.append(on_path)
    beside = Path(sys.executable).parent / ("semgrep.exe" if os.name == "nt" else "semgrep")
    if beside.is_file():
        found.append(str(beside))
    unique: list[str] = []
    seen: set[str] = set()
    for exe in found:
        real = os.path.realpath(exe)
        if real not in seen:
            seen.add(real)
            unique.append(exe)
    return unique


def _semgrep_env(exe: str) -> dict[str, str]:
    env = dict(os.environ)
    env["SEMGREP_SEND_METRICS"] = "off"
    env["SEMGREP_ENABLE_VERSION_CHECK"] = "0"
    # The `semgrep` wrapper hands most commands (scan --json, --test) to a
    # `pysemgrep` it looks up on PATH, and only *appends* its own bin dir. With
    # another semgrep earlier on PATH (CI: .venv has 1.52.0 while
    # SECSCAN_SEMGREP is 1.185), that other version would silently run.
    env["PATH"] = os.pathsep.join([str(Path(exe).parent), env.get("PATH", "")])
    return env


def _run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd,
        cwd=REPO_ROOT,
        env=_semgrep_env(cmd[0]),
        capture_output=True,
        text=True,
        timeout=SEMGREP_TIMEOUT,
        check=False,
    )


def _parse_json(proc: subprocess.CompletedProcess[str], what: str) -> dict[str, Any]:
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(
            f"{what} did not print JSON (exit {proc.returncode}).\n"
            f"stdout (tail):\n{proc.stdout[-3000:]}\nstderr (tail):\n{proc.stderr[-3000:]}"
        )


def _semgrep_version(exe: str) -> str:
    proc = _run([exe, "--version", *SEMGREP_FLAGS])
    lines = proc.stdout.strip().splitlines()
    return lines[-1].strip() if lines else "unknown"


def _rule_files() -> list[Path]:
    return sorted(p for p in RULES_DIR.rglob("*.yaml") if not p.name.endswith(".test.yaml"))


def _load_rules(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("rules"), list) and data["rules"], (
        f"{path}: expected a mapping with a non-empty 'rules' list"
    )
    return data["rules"]


def _test_files_for(rule_file: Path) -> list[Path]:
    """Files semgrep --test pairs with ``rule_file``: same folder, same name up to the first dot."""
    stem = rule_file.name.split(".", 1)[0]
    out = []
    for p in sorted(rule_file.parent.iterdir()):
        if p == rule_file or not p.is_file() or p.name.split(".", 1)[0] != stem:
            continue
        if ".fixed." in p.name:
            continue
        if p.suffix in {".yaml", ".yml"} and not p.name.endswith((".test.yaml", ".test.yml")):
            continue  # another rule file, not a target
        out.append(p)
    return out


def _annotations(path: Path) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {"ruleid": Counter(), "ok": Counter()}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = ANNOTATION_RE.search(line)
        if not m:
            continue
        kind = "ruleid" if m.group(1) in {"ruleid", "todoruleid"} else "ok"
        for rid in (r.strip() for r in m.group(2).split(",")):
            if rid:
                counts[kind][rid] += 1
    return counts


def _entropy(s: str) -> float:
    counts = Counter(s)
    return -sum(c / len(s) * math.log2(c / len(s)) for c in counts.values())


def _is_patterned(s: str) -> bool:
    """Obviously fake: mostly runs like 'abcdef' / '0123', or very few distinct characters."""
    steps = sum(1 for a, b in pairwise(s) if ord(b) - ord(a) in (0, 1))
    return steps >= 0.6 * (len(s) - 1) or len(set(s)) <= 4


def _looks_random(token: str) -> bool:
    if _is_patterned(token):
        return False
    if HEX_TOKEN_RE.fullmatch(token):
        return _entropy(token) > 3.0
    classes = sum((any(c.isupper() for c in token), any(c.islower() for c in token), any(c.isdigit() for c in token)))
    return classes == 3 and _entropy(token) > 4.0


ALL_RULE_FILES = _rule_files()


def _all_rules() -> list[tuple[Path, dict[str, Any]]]:
    return [(path, rule) for path in ALL_RULE_FILES for rule in _load_rules(path)]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def semgrep_bin() -> str:
    candidates = _semgrep_candidates()
    if not candidates:
        pytest.skip(
            "semgrep is not installed (not on PATH, not next to the Python interpreter, "
            "SECSCAN_SEMGREP unset): pip install semgrep"
        )
    return candidates[0]


@pytest.fixture(scope="module")
def semgrep_test_report(semgrep_bin: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    proc = _run([semgrep_bin, "--test", "--json", *SEMGREP_FLAGS, RULES_ARG])
    return proc, _parse_json(proc, "semgrep --test")


@pytest.fixture(scope="module")
def semgrep_scan_report(semgrep_bin: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    proc = _run([semgrep_bin, "scan", "--config", RULES_ARG, "--json", *SEMGREP_FLAGS, RULES_ARG])
    return proc, _parse_json(proc, "semgrep scan")


# --------------------------------------------------------------------------- 1. semgrep --test


@pytest.mark.scanners
@pytest.mark.slow
def test_semgrep_unit_tests_pass(semgrep_test_report) -> None:
    proc, report = semgrep_test_report
    problems: list[str] = []
    for err in report.get("config_with_errors", []):
        problems.append(f"config error in {err.get('filename')}: {str(err.get('error'))[-800:]}")
    for missing in report.get("config_missing_tests", []):
        problems.append(f"no test target for {missing}")
    tested_ids: set[str] = set()
    for config, result in report.get("results", {}).items():
        for check_id, check in result.get("checks", {}).items():
            tested_ids.add(check_id)
            if not check.get("passed"):
                detail = {
                    Path(f).name: {"expected": m.get("expected_lines"), "reported": m.get("reported_lines")}
                    for f, m in check.get("matches", {}).items()
                }
                problems.append(f"{check_id} ({config}) failed: {detail} errors={check.get('errors')}")
    assert not problems, "semgrep --test failures:\n" + "\n".join(problems)
    assert proc.returncode == 0, f"semgrep --test exited {proc.returncode}:\n{proc.stderr[-3000:]}"

    expected_ids = {rule["id"] for _, rule in _all_rules()}
    untested = expected_ids - tested_ids
    assert not untested, f"rules that semgrep --test did not exercise: {sorted(untested)}"


# --------------------------------------------------------------------------- 2. rule structure


def test_pack_size_and_layout() -> None:
    rules = _all_rules()
    assert len(rules) >= MIN_RULES, f"only {len(rules)} rules, need at least {MIN_RULES}"
    folders = {path.parent.name for path, _ in rules}
    assert folders == set(LANGUAGE_DIRS), f"rule folders {sorted(folders)} != {sorted(LANGUAGE_DIRS)}"
    for path, _ in rules:
        assert path.parent.parent == RULES_DIR, f"{path}: rules live one level below {RULES_DIR}"


def test_rule_ids_unique_and_dot_free() -> None:
    ids = [rule.get("id") for _, rule in _all_rules()]
    bad = [i for i in ids if not isinstance(i, str) or not ID_RE.match(i)]
    assert not bad, f"ids must be kebab-case without dots: {bad}"
    dupes = [i for i, n in Counter(ids).items() if n > 1]
    assert not dupes, f"duplicate rule ids: {dupes}"


@pytest.mark.parametrize("rule_file", ALL_RULE_FILES, ids=lambda p: p.relative_to(RULES_DIR).as_posix())
def test_rule_fields_and_metadata(rule_file: Path) -> None:
    folder = rule_file.parent.name
    assert folder in LANGUAGE_DIRS, f"{rule_file}: unknown language folder {folder!r}"
    allowed_langs, _ = LANGUAGE_DIRS[folder]
    rules = _load_rules(rule_file)
    if len(rules) == 1:
        assert rules[0].get("id") == rule_file.stem, "a single-rule file is named after its rule id"
    for rule in rules:
        rid = rule.get("id")
        where = f"{rule_file.name}:{rid}"
        message = rule.get("message")
        assert isinstance(message, str) and len(message) >= 120, f"{where}: message too short"
        assert "fix" in message.lower(), f"{where}: message must say how to fix the issue"
        # "$NAME" / "$1" in a message is metavariable interpolation; an unbound one
        # (e.g. a "$1" SQL placeholder in an example) makes semgrep emit duplicate findings.
        body = yaml.safe_dump({k: v for k, v in rule.items() if k not in ("message", "metadata")})
        for mv in set(re.findall(r"\$[A-Z0-9_]+\b", message)):
            assert re.search(re.escape(mv) + r"\b", body), f"{where}: message mentions unbound {mv}"
        assert rule.get("severity") in ALLOWED_SEVERITIES, (
            f"{where}: severity {rule.get('severity')!r} not in {sorted(ALLOWED_SEVERITIES)}"
        )
        langs = rule.get("languages")
        assert isinstance(langs, list) and langs, f"{where}: languages missing"
        assert set(langs) <= allowed_langs, f"{where}: languages {langs} do not belong in {folder}/"
        assert any(k in rule for k in ("pattern", "patterns", "pattern-either", "pattern-regex")) or (
            rule.get("mode") == "taint" and "pattern-sources" in rule and "pattern-sinks" in rule
        ), f"{where}: no pattern"

        meta = rule.get("metadata")
        assert isinstance(meta, dict), f"{where}: metadata missing"
        assert meta.get("category") == "security", f"{where}: metadata.category must be 'security'"
        cwe = meta.get("cwe")
        assert isinstance(cwe, list) and cwe and all(isinstance(c, str) and CWE_RE.match(c) for c in cwe), (
            f"{where}: metadata.cwe must be a list like 'CWE-89: ...', got {cwe!r}"
        )
        owasp = meta.get("owasp")
        assert isinstance(owasp, list) and owasp and all(isinstance(o, str) and OWASP_RE.match(o) for o in owasp), (
            f"{where}: metadata.owasp must be a list like 'A03:2021 - Injection', got {owasp!r}"
        )
        assert meta.get("confidence") in ALLOWED_CONFIDENCE, f"{where}: metadata.confidence"
        for field in ("likelihood", "impact"):
            assert meta.get(field) in ALLOWED_CONFIDENCE, f"{where}: metadata.{field} must be HIGH, MEDIUM or LOW"
        fix = meta.get("fix")
        # secscan shows metadata.fix as the finding's fix (reports' "Fix:" line): the safe API, form or setting.
        assert isinstance(fix, str) and len(fix) >= 40 and "see the rule" not in fix.lower(), (
            f"{where}: metadata.fix must say concretely how to fix the finding"
        )
        refs = meta.get("references")
        assert isinstance(refs, list) and refs and all(isinstance(r, str) and URL_RE.match(r) for r in refs), (
            f"{where}: metadata.references must be a list of URLs"
        )
        tech = meta.get("technology")
        assert isinstance(tech, list) and tech and all(isinstance(t, str) and t for t in tech), (
            f"{where}: metadata.technology must be a non-empty list"
        )


# Words in a rule id -> the CWE that must come first in its metadata.cwe (the primary, exact weakness).
PRIMARY_CWE = [
    (re.compile(r"hardcoded-(crypto|jwt|signing)"), "CWE-321"),
    (re.compile(r"hardcoded"), "CWE-798"),
    (re.compile(r"nosql"), "CWE-943"),
    (re.compile(r"sql-injection"), "CWE-89"),
    (re.compile(r"xxe"), "CWE-611"),
    (re.compile(r"weak-hash"), "CWE-328"),
    (re.compile(r"weak-cipher"), "CWE-327"),
    (re.compile(r"random"), "CWE-330"),
    (re.compile(r"httponly"), "CWE-1004"),
    (re.compile(r"cookie"), "CWE-614"),
    (re.compile(r"csrf"), "CWE-352"),
    (re.compile(r"ssrf"), "CWE-918"),
    (re.compile(r"open-redirect"), "CWE-601"),
    (re.compile(r"path-traversal"), "CWE-22"),
    (re.compile(r"ldap"), "CWE-90"),
    (re.compile(r"xpath"), "CWE-643"),
    (re.compile(r"(^|-)template-injection|ssti"), "CWE-1336"),
    (re.compile(r"tls|ssl|trust-all|hostname-verifier"), "CWE-295"),
    (re.compile(r"jwt"), "CWE-347"),
    (re.compile(r"redos|regexp-injection"), "CWE-1333"),
    (re.compile(r"plaintext-password"), "CWE-256"),
    (re.compile(r"trust-boundary"), "CWE-501"),
    (re.compile(r"deserializ|unsafe-load|xstream|xmldecoder"), "CWE-502"),
    (re.compile(r"xss|autoescape|inner-html|innerhtml|mark-safe|bypass-security"), "CWE-79"),
    (
        re.compile(r"eval|code-injection|function-constructor|timer-string-injection|file-injection|script-engine"),
        "CWE-94",
    ),
    (re.compile(r"command-injection|shell-injection|exec-injection|program-injection|child-process"), "CWE-78"),
]


def test_primary_cwe_matches_the_rule_class() -> None:
    problems = []
    for path, rule in _all_rules():
        if path.parent.name not in ("python", "javascript", "java", "go"):
            continue
        expected = next((cwe for words, cwe in PRIMARY_CWE if words.search(rule["id"])), None)
        first = rule["metadata"]["cwe"][0].split(":", 1)[0]
        if expected and first != expected:
            problems.append(f"{rule['id']}: first CWE is {first}, expected {expected}")
    assert not problems, "\n".join(problems)


def test_taint_rules_share_their_framework_sources() -> None:
    """Rules naming a source set (metadata.taint-sources) start with exactly the same sources."""
    groups: dict[str, list[tuple[str, Any]]] = {}
    for _, rule in _all_rules():
        name = rule["metadata"].get("taint-sources")
        if name is None:
            continue
        assert rule.get("mode") == "taint", f"{rule['id']}: taint-sources on a non-taint rule"
        groups.setdefault(name, []).append((rule["id"], rule["pattern-sources"][0]))
    assert {"python-web", "js-web", "java-web", "go-web"} <= set(groups), sorted(groups)
    for name, members in groups.items():
        first_id, first = members[0]
        for rid, sources in members[1:]:
            assert sources == first, f"{rid}: its {name} sources differ from {first_id}'s; keep the set identical"


@pytest.mark.parametrize("rule_file", ALL_RULE_FILES, ids=lambda p: p.relative_to(RULES_DIR).as_posix())
def test_rule_has_annotated_test_targets(rule_file: Path) -> None:
    _, suffixes = LANGUAGE_DIRS[rule_file.parent.name]
    targets = _test_files_for(rule_file)
    main_names = {rule_file.stem + s for s in suffixes}
    assert any(t.name in main_names for t in targets), (
        f"{rule_file.name}: expected a test file named one of {sorted(main_names)} next to it"
    )
    for t in targets:
        assert t.name.endswith(suffixes), f"{t.name}: test targets in {rule_file.parent.name}/ end with {suffixes}"
        if t.name.endswith((".test.yaml", ".test.yml")):
            yaml.safe_load(t.read_text(encoding="utf-8"))  # a broken workflow would only yield parse warnings

    rule_ids = {r["id"] for r in _load_rules(rule_file)}
    ruleid: Counter[str] = Counter()
    ok: Counter[str] = Counter()
    for t in targets:
        ann = _annotations(t)
        unknown = (set(ann["ruleid"]) | set(ann["ok"])) - rule_ids
        assert not unknown, f"{t.name}: annotations for rules not in {rule_file.name}: {sorted(unknown)}"
        ruleid.update(ann["ruleid"])
        ok.update(ann["ok"])
    for rid in rule_ids:
        assert ruleid[rid] >= 2, f"{rid}: needs at least 2 'ruleid' true positives, has {ruleid[rid]}"
        assert ok[rid] >= 2, f"{rid}: needs at least 2 'ok' near-miss negatives, has {ok[rid]}"


def test_no_real_looking_secrets_in_pack() -> None:
    problems: list[str] = []
    test_targets = {t for rule_file in ALL_RULE_FILES for t in _test_files_for(rule_file)}
    for path in sorted(p for p in RULES_DIR.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8", errors="replace")
        for name, pattern in SECRET_PATTERNS.items():
            for m in pattern.finditer(text):
                problems.append(f"{path.relative_to(RULES_DIR)}: {name}: {m.group(0)[:12]}...")
        if path not in test_targets:
            continue
        for regex in (HEX_TOKEN_RE, MIXED_TOKEN_RE):
            for m in regex.finditer(text):
                if _looks_random(m.group(0)):
                    problems.append(f"{path.relative_to(RULES_DIR)}: random-looking string {m.group(0)[:12]}...")
    assert not problems, "use obviously fake values in rule tests:\n" + "\n".join(problems)


def test_readme_counts_match() -> None:
    readme = RULES_DIR / "README.md"
    assert readme.is_file(), "src/secscan/rules/README.md is missing"
    text = readme.read_text(encoding="utf-8")
    per_folder = Counter(path.parent.name for path, _ in _all_rules())
    for folder, n in per_folder.items():
        assert re.search(rf"\|\s*`?{re.escape(folder)}/?`?\s*\|\s*{n}\s*\|", text), (
            f"README.md rule count for {folder}/ should be {n}"
        )
    assert re.search(rf"\|\s*\*\*total\*\*\s*\|\s*\*\*{sum(per_folder.values())}\*\*\s*\|", text), (
        "README.md total rule count is out of date"
    )


# --------------------------------------------------------------------------- 3. pack loads


@pytest.mark.scanners
@pytest.mark.slow
def test_pack_scan_has_no_errors(semgrep_scan_report) -> None:
    proc, report = semgrep_scan_report
    assert "results" in report, f"unexpected semgrep output keys: {sorted(report)}"
    assert report.get("errors") == [], "semgrep reported errors:\n" + json.dumps(report.get("errors"), indent=2)[:5000]
    assert proc.returncode in (0, 1), f"semgrep scan exited {proc.returncode}:\n{proc.stderr[-3000:]}"
    locations = Counter((r["check_id"], r["path"], r["start"]["offset"], r["end"]["offset"]) for r in report["results"])
    dupes = [loc for loc, n in locations.items() if n > 1]
    assert not dupes, f"duplicate findings (same rule and range): {dupes[:10]}"
    # secscan keeps only the last dotted component of a bundled rule's check_id.
    known = {rule["id"] for _, rule in _all_rules()}
    bare = {r["check_id"].rsplit(".", 1)[-1] for r in report["results"]}
    assert bare <= known, f"check ids that do not end with a rule id: {sorted(bare - known)}"


@pytest.mark.scanners
@pytest.mark.slow
def test_findings_carry_the_rules_fix(semgrep_scan_report) -> None:
    """secscan's semgrep parser turns each rule's metadata.fix into the finding's fix (what reports print)."""
    from secscan.scanners.semgrep import parse

    _, report = semgrep_scan_report
    fixes = {rule["id"]: " ".join(rule["metadata"]["fix"].split()) for _, rule in _all_rules()}
    parsed = parse(json.dumps(report).encode(), REPO_ROOT, (RULES_ARG,))
    assert parsed.findings, "the scan of the pack's own test targets found nothing"
    for finding in parsed.findings:
        assert finding.fix is not None and " ".join(finding.fix.split()) == fixes[finding.rule_id], finding.rule_id
