"""Synthetic scanner outputs in the scanners' real JSON schemas, for `secscan report` at scale.

The shapes follow what gitleaks 8.30, semgrep 1.185 and trivy 0.76 actually write (fields,
nesting, formatting: gitleaks indents by 1, semgrep writes compact JSON, trivy indents by 2),
so parsing, redaction of raw/ and every output see realistic work. N findings are split
across the three layers (a third each; trivy's third split between Vulnerabilities,
Misconfigurations and a few Secrets). Every finding is distinct (no dedup collapse), but
rules, packages and files repeat the way they do in real repositories. Deterministic: the
same N always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

_WORDS = [
    "request",
    "user",
    "input",
    "value",
    "handler",
    "query",
    "template",
    "config",
    "session",
    "token",
    "cache",
    "service",
    "client",
    "server",
    "response",
    "payload",
    "record",
    "account",
    "order",
    "invoice",
    "report",
    "export",
    "import",
    "upload",
    "download",
    "admin",
    "view",
    "model",
]

_GITLEAKS_RULES = [
    (
        "generic-api-key",
        "Detected a Generic API Key, potentially exposing access to various services and sensitive operations.",
    ),
    (
        "aws-access-token",
        "Identified a pattern that may indicate AWS credentials, risking unauthorized cloud resource access and data "
        "breaches on AWS platforms.",
    ),
    (
        "github-pat",
        "Uncovered a GitHub Personal Access Token, potentially leading to unauthorized repository access and "
        "sensitive content exposure.",
    ),
    (
        "slack-bot-token",
        "Identified a Slack Bot token, which may compromise bot integrations and communication channel security.",
    ),
    (
        "private-key",
        "Identified a Private Key, which may compromise cryptographic security and sensitive data encryption.",
    ),
    (
        "stripe-access-token",
        "Found a Stripe Access Token, posing a risk to payment processing services and sensitive financial data.",
    ),
    (
        "jwt",
        "Uncovered a JSON Web Token, which may lead to unauthorized access to web applications and sensitive "
        "user data.",
    ),
]

_SEMGREP_RULES = [
    (
        "python-sql-injection",
        "ERROR",
        "CWE-89: Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection')",
    ),
    (
        "python-os-command-injection",
        "ERROR",
        "CWE-78: Improper Neutralization of Special Elements used in an OS Command ('OS Command Injection')",
    ),
    (
        "python-eval-exec-injection",
        "ERROR",
        "CWE-95: Improper Neutralization of Directives in Dynamically Evaluated Code ('Eval Injection')",
    ),
    (
        "python-path-traversal-request-data",
        "WARNING",
        "CWE-22: Improper Limitation of a Pathname to a Restricted Directory ('Path Traversal')",
    ),
    ("python-ssrf-request-data", "WARNING", "CWE-918: Server-Side Request Forgery (SSRF)"),
    ("python-insecure-random-secret", "WARNING", "CWE-330: Use of Insufficiently Random Values"),
    (
        "js-dom-innerhtml-xss",
        "WARNING",
        "CWE-79: Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')",
    ),
    (
        "js-eval-injection",
        "ERROR",
        "CWE-95: Improper Neutralization of Directives in Dynamically Evaluated Code ('Eval Injection')",
    ),
    ("js-regexp-injection", "INFO", "CWE-1333: Inefficient Regular Expression Complexity"),
    ("python-jwt-decode-without-verification", "ERROR", "CWE-347: Improper Verification of Cryptographic Signature"),
]

_PACKAGES = [
    "requests",
    "urllib3",
    "jinja2",
    "pyyaml",
    "django",
    "flask",
    "werkzeug",
    "cryptography",
    "pillow",
    "lxml",
    "lodash",
    "minimist",
    "axios",
    "express",
    "jsonwebtoken",
    "node-fetch",
    "moment",
    "handlebars",
    "ws",
    "semver",
]
_SEVERITIES = ["CRITICAL", "HIGH", "HIGH", "MEDIUM", "MEDIUM", "MEDIUM", "LOW", "UNKNOWN"]

_MISCONFIGS = [
    ("Kubernetes Security Check", "KSV-0017", "Privileged container", "kubernetes", "Kubernetes"),
    ("Kubernetes Security Check", "KSV-0001", "Can elevate its own privileges", "kubernetes", "Kubernetes"),
    ("Dockerfile Security Check", "DS-0001", "':latest' tag used", "dockerfile", "Dockerfile"),
    ("Dockerfile Security Check", "DS-0002", "Image user should not be 'root'", "dockerfile", "Dockerfile"),
    (
        "Terraform Security Check",
        "AWS-0104",
        "A security group rule should not allow unrestricted egress to any IP address.",
        "terraform",
        "AWS",
    ),
    ("Terraform Security Check", "AWS-0086", "S3 Access block should block public ACL", "terraform", "AWS"),
]


def _language(rule: str) -> str:
    return "javascript" if rule.startswith("js-") else "python"


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words))


def _sha(*parts: object) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()


def _path(rng: random.Random, index: int, ext: str) -> str:
    return f"src/{rng.choice(_WORDS)}_{index % 97}/{rng.choice(_WORDS)}_{index % 389}.{ext}"


def gitleaks_report(n: int, rng: random.Random) -> list[dict[str, object]]:
    """What `gitleaks git --redact --report-format json` writes."""
    items = []
    for i in range(n):
        rule, description = _GITLEAKS_RULES[i % len(_GITLEAKS_RULES)]
        path = _path(rng, i, rng.choice(["py", "js", "env", "yaml"]))
        commit = _sha("commit", i // 50)
        line = 1 + (i * 7) % 900
        name = f"{rng.choice(_WORDS).upper()}_{rule.upper().replace('-', '_')}"
        items.append(
            {
                "RuleID": rule,
                "Description": description,
                "StartLine": line,
                "EndLine": line,
                "StartColumn": 2,
                "EndColumn": 60,
                "Match": f'{name} = "REDACTED"',
                "Secret": "REDACTED",
                "File": path,
                "SymlinkFile": "",
                "Commit": commit,
                "Entropy": round(3.5 + rng.random() * 2, 6),
                "Author": "Dev Eloper",
                "Email": "dev@example.invalid",
                "Date": "2025-06-01T12:00:00Z",
                "Message": _sentence(rng, 6),
                "Tags": [],
                "Fingerprint": f"{commit}:{path}:{rule}:{line}",
            }
        )
    return items


def semgrep_report(n: int, rng: random.Random) -> dict[str, object]:
    """What `semgrep scan --json` writes (bundled rules, so check ids carry the rules folder prefix)."""
    results = []
    scanned: set[str] = set()
    for i in range(n):
        rule, level, cwe = _SEMGREP_RULES[i % len(_SEMGREP_RULES)]
        path = _path(rng, i, "js" if rule.startswith("js-") else "py")
        scanned.add(path)
        line = 1 + (i * 13) % 1500
        results.append(
            {
                "check_id": f"home.runner.work.app.src.secscan.rules.{_language(rule)}.{rule}",
                "path": path,
                "start": {"line": line, "col": 5, "offset": line * 40 + 5},
                "end": {"line": line, "col": 61, "offset": line * 40 + 61},
                "extra": {
                    "message": f"{_sentence(rng, 12).capitalize()}. "
                    f"An attacker who controls the {rng.choice(_WORDS)} can "
                    f"change what the {rng.choice(_WORDS)} does. Fix: validate the {rng.choice(_WORDS)} and use the "
                    f"safe API instead ({rule}).",
                    "metadata": {
                        "category": "security",
                        "subcategory": ["vuln"],
                        "technology": ["python"] if rule.startswith("python-") else ["javascript", "node.js"],
                        "cwe": [cwe],
                        "owasp": ["A03:2021 - Injection"],
                        "confidence": "MEDIUM",
                        "likelihood": "MEDIUM",
                        "impact": "HIGH",
                        "references": [
                            f"https://cwe.mitre.org/data/definitions/{cwe.split(':')[0].removeprefix('CWE-')}.html",
                            "https://owasp.org/Top10/A03_2021-Injection/",
                        ],
                    },
                    "severity": level,
                    "fingerprint": "requires login",
                    "lines": "requires login",
                    "validation_state": "NO_VALIDATOR",
                    "engine_kind": "OSS",
                },
            }
        )
    return {
        "version": "1.185.0",
        "results": results,
        "errors": [],
        "paths": {"scanned": sorted(scanned)},
        "time": {"rules": [], "rules_parse_time": 0.19},
        "engine_requested": "OSS",
        "skipped_rules": [],
        "profiling_results": [],
    }


def _vulnerability(i: int, rng: random.Random) -> dict[str, object]:
    package = _PACKAGES[i % len(_PACKAGES)]
    installed = f"{1 + i % 5}.{i % 13}.{i % 7}"
    fixed = f"{2 + i % 5}.0.{i % 3}" if i % 4 else ""
    cve = f"CVE-{2018 + i % 7}-{10000 + i}"
    severity = _SEVERITIES[i % len(_SEVERITIES)]
    vuln: dict[str, object] = {
        "VulnerabilityID": cve,
        "PkgName": package,
        "PkgIdentifier": {"PURL": f"pkg:pypi/{package}@{installed}", "UID": _sha("uid", i)[:16]},
        "InstalledVersion": installed,
        "Status": "fixed" if fixed else "affected",
        "SeveritySource": "ghsa",
        "PrimaryURL": f"https://avd.aquasec.com/nvd/{cve.lower()}",
        "DataSource": {
            "ID": "ghsa",
            "Name": "GitHub Security Advisory pip",
            "URL": "https://github.com/advisories?query=type%3Areviewed+ecosystem%3Apip",
        },
        "Fingerprint": "sha256:" + hashlib.sha256(cve.encode()).hexdigest(),
        "Title": f"{package}: {_sentence(rng, 7)}",
        "Description": f"{package} before {fixed or 'any release'} allows {_sentence(rng, 30)}. "
        f"An attacker may {_sentence(rng, 20)}.",
        "Severity": severity,
        "CweIDs": [f"CWE-{20 + i % 900}"],
        "VendorSeverity": {"ghsa": 1 + i % 4, "nvd": 1 + (i + 1) % 4},
        "CVSS": {"ghsa": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "V3Score": 9.8}},
        "References": [
            f"https://github.com/advisories/GHSA-{_sha('ghsa', i)[:4]}-{_sha('g', i)[:4]}-{_sha('h', i)[:4]}",
            f"https://nvd.nist.gov/vuln/detail/{cve}",
            f"https://github.com/{package}/{package}/security/advisories",
        ],
        "PublishedDate": "2023-05-26T18:15:00Z",
        "LastModifiedDate": "2024-02-01T01:00:00Z",
    }
    if fixed:
        vuln["FixedVersion"] = fixed
    return vuln


def _misconfiguration(i: int, rng: random.Random) -> dict[str, object]:
    kind, check, title, _, provider = _MISCONFIGS[i % len(_MISCONFIGS)]
    start = 3 + (i * 5) % 400
    lines = [
        {
            "Number": start + k,
            "Content": f"  {rng.choice(_WORDS)}: {rng.choice(_WORDS)}",
            "IsCause": k == 1,
            "Annotation": "",
            "Truncated": False,
            "Highlighted": f"  \u001b[38;5;33m{rng.choice(_WORDS)}\u001b[0m: {rng.choice(_WORDS)}",
            "FirstCause": k == 1,
            "LastCause": k == 1,
        }
        for k in range(3)
    ]
    return {
        "Type": kind,
        "ID": check,
        "AVDID": check.replace("-0", "-"),
        "Title": title,
        "Description": f"{_sentence(rng, 25)}.",
        "Message": f"Resource '{rng.choice(_WORDS)}_{i}' should {_sentence(rng, 6)}",
        "Namespace": f"builtin.{provider.lower()}.{check}",
        "Query": f"data.builtin.{provider.lower()}.{check}.deny",
        "Resolution": f"Set {rng.choice(_WORDS)} to {rng.choice(_WORDS)}",
        "Severity": _SEVERITIES[(i + 3) % len(_SEVERITIES)],
        "PrimaryURL": f"https://avd.aquasec.com/misconfig/{check.lower()}",
        "References": [f"https://avd.aquasec.com/misconfig/{check.lower()}"],
        "Status": "FAIL",
        "Layer": {},
        "CauseMetadata": {
            "Resource": f"{rng.choice(_WORDS)}.{rng.choice(_WORDS)}_{i}",
            "Provider": provider,
            "Service": "general",
            "StartLine": start + 1,
            "EndLine": start + 1,
            "Code": {"Lines": lines},
        },
    }


def _secret(i: int) -> dict[str, object]:
    masked = "*" * 20
    return {
        "RuleID": "aws-access-key-id",
        "Category": "AWS",
        "Severity": "CRITICAL",
        "Title": "AWS Access Key ID",
        "StartLine": 1 + i % 50,
        "EndLine": 1 + i % 50,
        "Code": {
            "Lines": [
                {
                    "Number": 1 + i % 50,
                    "Content": f'AWS_ACCESS_KEY_ID = "{masked}"',
                    "IsCause": True,
                    "Annotation": "",
                    "Truncated": False,
                    "Highlighted": f'AWS_ACCESS_KEY_ID = "{masked}"',
                    "FirstCause": True,
                    "LastCause": True,
                }
            ]
        },
        "Match": f'AWS_ACCESS_KEY_ID = "{masked}"',
        "Layer": {},
        "Offset": 21,
    }


def trivy_report(n: int, rng: random.Random) -> dict[str, object]:
    """What `trivy fs --scanners vuln,secret,misconfig,license --format json` writes."""
    secrets = n // 50
    vulnerabilities = (n - secrets) * 2 // 3
    misconfigurations = n - secrets - vulnerabilities
    results: list[dict[str, object]] = []
    per_target = 40
    for start in range(0, vulnerabilities, per_target):
        index = start // per_target
        results.append(
            {
                "Target": f"services/{rng.choice(_WORDS)}-{index}/requirements.txt",
                "Class": "lang-pkgs",
                "Type": "pip",
                "Vulnerabilities": [
                    _vulnerability(i, rng) for i in range(start, min(start + per_target, vulnerabilities))
                ],
            }
        )
    for start in range(0, misconfigurations, 10):
        index = start // 10
        kind = _MISCONFIGS[start % len(_MISCONFIGS)][3]
        target = {
            "kubernetes": f"k8s/app-{index}.yaml",
            "dockerfile": f"docker/{index}/Dockerfile",
            "terraform": f"infra/m{index}/main.tf",
        }[kind]
        block = [_misconfiguration(i, rng) for i in range(start, min(start + 10, misconfigurations))]
        results.append(
            {
                "Target": target,
                "Class": "config",
                "Type": kind,
                "MisconfSummary": {"Successes": 40, "Failures": len(block)},
                "Misconfigurations": block,
            }
        )
    for i in range(secrets):
        results.append({"Target": f"config/settings_{i}.py", "Class": "secret", "Secrets": [_secret(i)]})
    return {
        "SchemaVersion": 2,
        "Trivy": {"Version": "0.76.0"},
        "ReportID": "01a21413-8a07-718e-9779-811e8144f0e8",
        "CreatedAt": "2025-06-01T12:00:00.000000000Z",
        "ArtifactID": "sha256:" + "0" * 64,
        "ArtifactName": ".",
        "ArtifactType": "repository",
        "Metadata": {
            "Branch": "main",
            "Commit": _sha("head"),
            "CommitMsg": "app",
            "Author": "Dev <dev@example.invalid>",
            "Committer": "Dev <dev@example.invalid>",
        },
        "Results": results,
    }


def write_inputs(n: int, directory: Path, seed: int = 1) -> dict[str, Path]:
    """Write gitleaks.json, semgrep.json and trivy.json holding n findings in all; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    share = [n // 3 + (1 if k < n % 3 else 0) for k in range(3)]
    documents = {
        "gitleaks": (gitleaks_report(share[0], rng), {"indent": 1}),
        "semgrep": (semgrep_report(share[1], rng), {"separators": (",", ":")}),
        "trivy": (trivy_report(share[2], rng), {"indent": 2}),
    }
    paths = {}
    for name, (document, style) in documents.items():
        path = directory / f"{name}.json"
        path.write_text(json.dumps(document, **style) + "\n", encoding="utf-8")  # type: ignore[arg-type]
        paths[name] = path
    return paths
