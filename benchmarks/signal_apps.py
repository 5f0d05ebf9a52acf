"""Signal, not noise: secscan on public, deliberately vulnerable applications (README "Accuracy" → "Signal").

For each app: clone it with its full history (every branch), run `secscan scan --no-ai --no-slack`
with the bundled rules, and measure what a user sees: findings (and by category), secret findings
against distinct secret values (from raw/gitleaks.json's keyed hashes), secrets seen only on other
branches and whether they say which, cross-scanner merges, the app's documented headline
vulnerabilities (detected at all; in the top 10 findings; in the synthesis' top risks), where the
first hygiene item sits against the last injection/RCE finding, and a seeded sample of 20 findings
for hand review (labels in benchmarks/signal_review.json, keyed by rule, path and line).

    python benchmarks/signal_apps.py                          # clone into .bench/apps, scan, print the table
    python benchmarks/signal_apps.py --before-src OLD/src     # also scan with an older secscan (its src/ folder)
    python benchmarks/signal_apps.py --source NodeGoat=/path/to/clone-or-bare-repo --apps NodeGoat
    python benchmarks/signal_apps.py --sample                 # print the 20 findings per app to review

The vulnerability DB cannot be downloaded offline: the trivy layer then reports its DB error and
keeps secrets, misconfigurations and licences (the table says so); give TRIVY_CACHE_DIR a loaded DB
to include dependency vulnerabilities. Nothing fetched is ever written inside this repository.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REVIEW = Path(__file__).resolve().parent / "signal_review.json"
SOURCES = {
    "NodeGoat": "https://github.com/OWASP/NodeGoat",
    "pygoat": "https://github.com/adeyosemanputra/pygoat",
    "juice-shop": "https://github.com/juice-shop/juice-shop",
    "WebGoat": "https://github.com/WebGoat/WebGoat",
}
sys.path.insert(0, str(ROOT / "src"))
from secscan.findings.risk import CLIENT_INJECTION, CODE_EXECUTION, SERVER_INJECTION  # noqa: E402


@dataclass(frozen=True)
class Headline:
    """A vulnerability the app documents (its tutorial, challenge list or lesson plan)."""

    name: str
    rule: str  # regular expression on rule_id
    path: str  # regular expression on path


# Each app's documented injection/RCE headline vulnerabilities (the app's own docs name them).
HEADLINES: dict[str, list[Headline]] = {
    "NodeGoat": [  # the OWASP Top 10 tutorial, A1
        Headline(
            "A1 server-side JS injection: eval() of form input",
            r"eval|function-constructor|timer-string",
            r"app/routes/contributions\.js",
        ),
        Headline("A1 NoSQL injection: $where with user input", r"nosql|where", r"app/data/allocations-dao\.js"),
    ],
    "pygoat": [  # the A1/A8 labs
        Headline("SQL injection lab", r"sql-injection", r"introduction/views\.py"),
        Headline("command injection lab (shell=True)", r"subprocess-shell|os-command", r"introduction/views\.py"),
        Headline("code injection lab (eval)", r"eval-exec", r"introduction/views\.py"),
        Headline("insecure deserialization lab (pickle)", r"unsafe-deserialization", r"introduction/views\.py"),
        Headline("SSRF lab", r"ssrf", r"introduction/"),
    ],
    "juice-shop": [  # the challenge list: Login Admin, Database Schema, NoSQL, RCE
        Headline("SQL injection in login", r"sql-injection", r"routes/login\.ts"),
        Headline("SQL injection in product search", r"sql-injection", r"routes/search\.ts"),
        Headline(
            "NoSQL injection in product reviews",
            r"nosql|where",
            r"routes/(likeProductReviews|updateProductReviews|showProductReviews)\.ts",
        ),
        Headline("RCE through eval/vm in B2B orders", r"eval|code-injection|vm", r"routes/b2bOrder\.ts"),
    ],
    "WebGoat": [  # the lesson plan
        Headline("SQL injection lessons (JDBC)", r"sql-injection", r"sqlinjection/"),
        Headline("XXE lesson", r"xxe", r"xxe/"),
        Headline("insecure deserialization lesson", r"deserialization", r"deserialization/|vulnerable-components|jwt/"),
        Headline("path traversal lesson", r"path-traversal", r"pathtraversal/"),
    ],
}


def sh(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def clone(name: str, source: str, work: Path) -> Path:
    target = work / name
    if not target.exists():
        done = sh("git", "clone", "--quiet", "--no-single-branch", source, str(target))
        if done.returncode:
            sys.exit(f"{name}: git clone failed: {done.stderr.strip()}")
    stand_in_missing_blobs(target)
    return target


def stand_in_missing_blobs(repo: Path) -> int:
    """A snapshot without its largest blobs (some mirrors drop files of 4 MiB and more) cannot be read
    by `git log -p`: an empty blob stands in for each (`git replace`, local to this clone)."""
    listed = sh("git", "rev-list", "--all", "--objects", "--missing=print", cwd=repo).stdout.splitlines()
    missing = [line[1:] for line in listed if line.startswith("?")]
    if missing:
        empty = sh("git", "hash-object", "-w", "--stdin", cwd=repo).stdout.strip()
        for sha in missing:
            sh("git", "replace", "-f", sha, empty, cwd=repo)
    return len(missing)


def scan(app: Path, out: Path, src: Path) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SLACK_"))}
    env.update(PYTHONPATH=str(src), SEMGREP_ENABLE_VERSION_CHECK="0", SEMGREP_SEND_METRICS="off")
    started = time.monotonic()
    sh(
        sys.executable,
        "-m",
        "secscan",
        "scan",
        str(app),
        "--out",
        str(out),
        "--no-ai",
        "--no-slack",
        "--quiet",
        env=env,
    )
    if not (out / "report.json").is_file():
        sys.exit(f"{app.name}: no report.json in {out}")
    return time.monotonic() - started


def live(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["status"] != "suppressed"]


def matches(finding: dict[str, Any], headline: Headline) -> bool:
    return bool(re.search(headline.rule, finding["rule_id"], re.I) and re.search(headline.path, finding["path"] or ""))


def is_injection(finding: dict[str, Any]) -> bool:
    """Code execution or server-side injection, by CWE (the risk model's classes; older reports too)."""
    return finding["category"] == "code" and bool(set(finding.get("cwe") or []) & (CODE_EXECUTION | SERVER_INJECTION))


def is_hygiene(finding: dict[str, Any]) -> bool:
    if finding["category"] in ("misconfiguration", "license"):
        return True
    classes = CODE_EXECUTION | SERVER_INJECTION | CLIENT_INJECTION
    return finding["category"] == "code" and not set(finding.get("cwe") or []) & classes


def measure(name: str, out: Path) -> dict[str, Any]:
    report = json.loads((out / "report.json").read_text())
    findings = live(report)
    by_category: dict[str, int] = {}
    for f in findings:
        by_category[f["category"]] = by_category.get(f["category"], 0) + 1
    secrets = [f for f in findings if f["category"] == "secret"]
    raw = out / "raw" / "gitleaks.json"
    identities = {i.get("SecretIdentity") for i in json.loads(raw.read_text())} - {None} if raw.is_file() else set()
    with_identity = [f for f in secrets if "gitleaks" in f.get("scanners", [])]
    elsewhere = [f for f in secrets if f.get("on_scanned_branch") is False]
    top10 = findings[:10]
    top_risk_ids = {i for risk in report["synthesis"]["top_risks"] for i in risk["finding_ids"]}
    headlines = []
    for headline in HEADLINES.get(name, []):
        hits = [f for f in findings if matches(f, headline)]
        headlines.append(
            {
                "name": headline.name,
                "detected": bool(hits),
                "in_top10": any(f in top10 for f in hits),
                "in_top_risks": any(f["id"] in top_risk_ids for f in hits),
            }
        )
    injections = [i for i, f in enumerate(findings) if is_injection(f)]
    hygiene = [i for i, f in enumerate(findings) if is_hygiene(f)]
    layers = {
        layer["name"]: layer["status"] + (f" ({layer['error'][:60]})" if layer.get("error") else "")
        for layer in report["layers"]
    }
    return {
        "findings": len(findings),
        "by_category": by_category,
        "secret_findings": len(secrets),
        "distinct_secret_values": len(identities),
        "gitleaks_secret_findings": len(with_identity),
        "secrets_only_elsewhere": len(elsewhere),
        "elsewhere_say_which": sum(1 for f in elsewhere if f.get("refs") and "only on" in f["title"]),
        "in_head": {str(k): sum(1 for f in secrets if f.get("in_head") is k) for k in (True, False, None)},
        "merged_across_scanners": sum(1 for f in findings if len(f.get("scanners", [])) > 1),
        "headlines": headlines,
        "injection_findings": len(injections),
        "hygiene_in_top10": sum(1 for f in top10 if is_hygiene(f)),
        "first_hygiene_rank": hygiene[0] + 1 if hygiene else None,
        "last_injection_rank": injections[-1] + 1 if injections else None,
        "top10": [f"{f['rule_id']} {f['path']}:{f['line']} ({(f.get('risk') or {}).get('score')})" for f in top10],
        "layers": layers,
    }


def sample(name: str, out: Path, count: int = 20, seed: int = 16) -> list[dict[str, Any]]:
    findings = live(json.loads((out / "report.json").read_text()))
    findings.sort(key=lambda f: (f["rule_id"], f["path"] or "", f["line"] or 0))  # not the ranking: a stable draw
    picked = random.Random(f"{seed}:{name}").sample(findings, min(count, len(findings)))
    return [
        {
            "key": f"{f['rule_id']}|{f['path']}|{f['line']}",
            "title": f["title"],
            "category": f["category"],
            "snippet": f.get("snippet"),
            "in_head": f.get("in_head"),
        }
        for f in picked
    ]


def reviewed(name: str, out: Path) -> dict[str, int]:
    labels = json.loads(REVIEW.read_text()).get(name, {}) if REVIEW.is_file() else {}
    tally = {"TP": 0, "FP": 0, "unreviewed": 0}
    for item in sample(name, out):
        verdict = (labels.get(item["key"]) or {}).get("verdict")
        tally[verdict if verdict in ("TP", "FP") else "unreviewed"] += 1
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=ROOT / ".bench" / "apps")
    parser.add_argument("--apps", nargs="*", default=list(SOURCES))
    parser.add_argument("--source", action="append", default=[], metavar="NAME=URL_OR_PATH")
    parser.add_argument("--before-src", type=Path, help="an older secscan's src/ folder: scan with it too")
    parser.add_argument("--sample", action="store_true", help="print the 20 findings per app to review")
    parser.add_argument("--no-scan", action="store_true", help="measure the outputs already in --work")
    args = parser.parse_args()
    sources = dict(SOURCES, **dict(item.split("=", 1) for item in args.source))
    results: dict[str, Any] = {}
    for name in args.apps:
        repo = clone(name, sources[name], args.work)
        after = args.work / "out-after" / name
        entry: dict[str, Any] = {}
        if not args.no_scan:
            entry["after_s"] = round(scan(repo, after, ROOT / "src"), 1)
            if args.before_src:
                entry["before_s"] = round(scan(repo, args.work / "out-before" / name, args.before_src), 1)
        entry["after"] = measure(name, after)
        before = args.work / "out-before" / name
        if (before / "report.json").is_file():
            entry["before"] = measure(name, before)
        entry["review"] = reviewed(name, after)
        if args.sample:
            entry["sample"] = sample(name, after)
        results[name] = entry
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
