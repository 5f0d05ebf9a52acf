#!/usr/bin/env python3
"""Bounded work on one hostile file: N secrets in a single file, through `secscan report`.

    python benchmarks/one_file.py [--findings 100000] [--work DIR]

Writes a gitleaks report (N/2 secrets, one per line of `bundle.min.js`) and a trivy report
(N/2 secrets on the same lines: every one merges with gitleaks'), then times the in-process
analysis (parse → de-duplicate → fingerprint → gate) and the whole `secscan report` command.
Target (issue #14): 100,000 findings in one file analyse in under 10 s on the 2-core
reference machine; the pairwise de-duplication this replaced took over 10 minutes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 10.0


def write_inputs(n: int, directory: Path) -> dict[str, Path]:
    half = n // 2
    gitleaks = [
        {
            "RuleID": "generic-api-key",
            "Description": "Generic API Key",
            "StartLine": i,
            "EndLine": i,
            "StartColumn": 1,
            "EndColumn": 40,
            "Match": "key = REDACTED",
            "Secret": "REDACTED",
            "File": "bundle.min.js",
            "SymlinkFile": "",
            "Commit": "",
            "Entropy": 4.5,
            "Author": "",
            "Email": "",
            "Date": "",
            "Message": "",
            "Tags": [],
            "Fingerprint": f"bundle.min.js:generic-api-key:{i}",
        }
        for i in range(1, half + 1)
    ]
    trivy = {
        "SchemaVersion": 2,
        "Trivy": {"Version": "0.74.0"},
        "ArtifactName": ".",
        "ArtifactType": "filesystem",
        "Results": [
            {
                "Target": "bundle.min.js",
                "Class": "secret",
                "Secrets": [
                    {
                        "RuleID": "generic-secret",
                        "Category": "Generic",
                        "Severity": "HIGH",
                        "Title": "Secret",
                        "StartLine": i,
                        "EndLine": i,
                        "Match": "key = *****",
                        "Code": {"Lines": []},
                    }
                    for i in range(1, n - half + 1)
                ],
            }
        ],
    }
    directory.mkdir(parents=True, exist_ok=True)
    paths = {"gitleaks": directory / "gitleaks.json", "trivy": directory / "trivy.json"}
    paths["gitleaks"].write_text(json.dumps(gitleaks))
    paths["trivy"].write_text(json.dumps(trivy))
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--work", type=Path)
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="secscan-one-file-"))
    paths = write_inputs(args.findings, work)

    from secscan.cli import cyclic_gc_paused
    from secscan.findings import normalize
    from secscan.pipeline import results_from_files

    with cyclic_gc_paused():  # as the pipeline runs it
        started = time.perf_counter()
        results = results_from_files({"gitleaks": paths["gitleaks"], "trivy": paths["trivy"]}, None)
        parsed = time.perf_counter()
        findings = normalize([f for r in results for f in r.findings])
        analysed = time.perf_counter()
    command = [
        sys.executable,
        "-m",
        "secscan",
        "report",
        "--gitleaks",
        str(paths["gitleaks"]),
        "--trivy",
        str(paths["trivy"]),
        "--no-ai",
        "--no-slack",
        "-q",
        "--out",
        str(work / "out"),
    ]
    begun = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    whole = time.perf_counter() - begun
    row = {
        "findings_in": args.findings,
        "findings_out": len(findings),
        "parse_s": round(parsed - started, 2),
        "dedup_fingerprint_order_s": round(analysed - parsed, 2),
        "analysis_s": round(analysed - started, 2),
        "secscan_report_s": round(whole, 2),
        "exit": done.returncode,
        "target_s": TARGET_S,
        "met": analysed - started < TARGET_S,
    }
    print(json.dumps(row, indent=2))
    return 0 if done.returncode in (0, 1) else 1


if __name__ == "__main__":
    raise SystemExit(main())
