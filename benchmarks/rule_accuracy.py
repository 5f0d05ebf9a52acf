#!/usr/bin/env python3
"""Precision and recall of the bundled Semgrep rule pack on real code.

    python benchmarks/rule_accuracy.py TARGET_DIR [--sample 20] [--seed 19] [--semgrep BIN] [--json OUT]

Runs `semgrep scan --config src/secscan/rules` (offline flags, default ignores) over TARGET_DIR,
prints the number of findings per rule, and a reproducible random sample of findings (rule,
file:line, code line) for hand review: mark each sample TP / FP to get a true-positive rate.
The README "Accuracy" section lists what was measured on the Django 5.1 sdist, OWASP NodeGoat,
pygoat, juice-shop and WebGoat (fetch them yourself; nothing third-party is kept in the repo).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
RULES = REPO / "src" / "secscan" / "rules"


def run_pack(semgrep: str, target: Path) -> dict[str, Any]:
    env = dict(os.environ, SEMGREP_ENABLE_VERSION_CHECK="0", SEMGREP_SEND_METRICS="off")
    proc = subprocess.run(
        [semgrep, "scan", "--config", str(RULES), "--json", "--metrics=off", "--disable-version-check", str(target)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    try:
        report: dict[str, Any] = json.loads(proc.stdout)
    except json.JSONDecodeError:
        sys.exit(f"semgrep did not print JSON (exit {proc.returncode}): {proc.stderr[-2000:]}")
    return report


def code_line(target: Path, path: str, line: int) -> str:
    try:
        lines = (target / path if not Path(path).is_absolute() else Path(path)).read_text(errors="replace").splitlines()
        return lines[line - 1].strip()[:160] if 0 < line <= len(lines) else ""
    except OSError:
        return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", type=Path)
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--semgrep", default=os.environ.get("SECSCAN_SEMGREP") or shutil.which("semgrep") or "semgrep")
    parser.add_argument("--json", type=Path, help="write the findings (rule, path, line, code) here")
    args = parser.parse_args()

    report = run_pack(args.semgrep, args.target)
    findings = [
        {
            "rule": r["check_id"].rsplit(".", 1)[-1],
            "path": r["path"],
            "line": r["start"]["line"],
            "code": code_line(args.target, r["path"], r["start"]["line"]),
        }
        for r in report["results"]
    ]
    errors = [e for e in report.get("errors", []) if e.get("level") == "error"]
    print(f"{len(findings)} findings, {len(errors)} errors")
    for rule, n in Counter(f["rule"] for f in findings).most_common():
        print(f"  {n:4d}  {rule}")
    sample = random.Random(args.seed).sample(findings, min(args.sample, len(findings)))
    print(f"\nrandom sample of {len(sample)} (seed {args.seed}) for hand review:")
    for f in sorted(sample, key=lambda f: (f["rule"], f["path"], f["line"])):
        print(f"  {f['rule']}  {f['path']}:{f['line']}  {f['code']}")
    if args.json:
        args.json.write_text(json.dumps({"findings": findings, "sample": sample}, indent=2))


if __name__ == "__main__":
    main()
