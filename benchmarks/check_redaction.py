#!/usr/bin/env python3
"""Differential check: the fast `redact_text` gives exactly what the plain regex sequence gives.

    python benchmarks/check_redaction.py [--cases N] [--seed S] [FILE ...]

The reference is the definition: registered values, then `_KNOWN`, `_ASSIGNED_QUOTED`,
`_ASSIGNED_ENV` and `_TOKEN` substituted over the whole text, one after the other. Inputs are
random texts built from the pieces those patterns care about (credential formats, secret-looking
names, quotes, `=`/`:`, `export`/`ENV`, separators, long token runs, URLs, non-ASCII case
variants such as U+017F and U+212A), short and long (the long ASCII path works differently),
plus every string of and the whole text of any JSON FILE given.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from secscan.findings import redact

PIECES = [
    "AKIA" + "ABCDEFGHIJKLMNOP",
    "ASIA" + "1234567890ABCDEF",
    "A3TX" + "Q" * 16,
    "ghp_" + "a1B2" * 9,
    "github_pat_" + "x_9" * 15,
    "glpat-" + "a-_b" * 6,
    "xoxb-" + "12-ab" * 3,
    "https://hooks.slack.com/services/T0/B1/x",
    "sk_live_" + "a1" * 6,
    "rk_test_" + "abcdefghij12",
    "sk-proj-" + "A" * 22,
    "AIza" + "b" * 35,
    "SG." + "c" * 16 + "." + "d" * 16,
    "npm_" + "e" * 36,
    "pypi-" + "f" * 52,
    "eyJhbGciOiJIUzI1.eyJzdWIiOiIx.SflKxwRJSMeKK",
    "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIE\n",
    "-----END RSA PRIVATE KEY-----",
    "postgres://user:pa55word@db",
    "git+ssh://u:p@h",
    "http://",
    "://",
    "a://b:c@",
    "secret",
    "SECRET",
    "Token",
    "api_key",
    "API-KEY",
    "apikey",
    "access_key",
    "private-key",
    "passwd",
    "Password",
    "pwd",
    "credential",
    "AUTH",
    "author",
    "ſecret",
    "credentıal",
    "\u212aey",
    "tokén",
    "é",
    "—",
    "\u00a0",
    "=",
    ":",
    ":=",
    "=>",
    " = ",
    ": ",
    '"',
    "'",
    "`",
    "[",
    "]",
    ",",
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "\x1c",
    "export ",
    "ENV ",
    "arg\t",
    "export\n",
    "$HOME",
    "${VAR}",
    "<value>",
    "***",
    "REDACTED",
    "[REDACTED]",
    "hunter2hunter2",
    "abcdef",
    "Zx9Qw8Er7Ty6Ui5Op4As3Df2",
    "0123456789abcdef0123456789abcdef",
    "sha256:",
    "x" * 23,
    "aB3" * 9,
    "aB3/" * 8,
    "+/=-_",
    "a.b-c_d",
    "path/to/file.py",
    "requirements.txt",
    "..",
    "gh",
    "ssh",
    # the scanners' other formats (redact._extras)
    "SK" + "0a1b" * 8,
    "pubkey-" + "ab12" * 8,
    "live_" + "0a" * 16,
    "pat.",
    ".atlasv1.",
    "pk.",
    "Q~",
    "1Q~",
    "|",
    "%7C",
    "1234567890123456|",
    "_mmk",
    "x.webhook.office.com/webhookb2/",
    "hooks.slack.com/services/",
    "sig=",
    "dapi",
    "glc_",
    "ThisTokenIsNotSo" + "SecretChangeIt",
    "ENV ",
    "ARG ",
    "\nENV ",
    "<password>",
    "</password>",
    '<add key="Password" value="',
    "-u ",
    "--user=",
    "admin:pa55",
    "Bearer ",
    "basic ",
    "client_id",
    "X-Api-Key: ",
    "sid",
    "sc_",
    ".acc_",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCY",
    "lists.apache.org/thread/",
    "https://medium.com/@",
    "None):",
    "(",
    ")",
    "?",
    "&",
    ";",
]


def reference(text: str) -> str:
    if not text:
        return text
    for value in sorted(redact._registered, key=len, reverse=True):
        if value in text:
            text = text.replace(value, redact.MASK)
    text = redact._KNOWN.sub(redact.MASK, text)
    text = redact._ASSIGNED_QUOTED.sub(redact._mask_quoted, text)
    text = redact._ASSIGNED_ENV.sub(redact._mask_env, text)
    text = redact._extras(text, fast=False)
    return redact._TOKEN.sub(redact._mask_token, text)


ASCII_PIECES = [p for p in PIECES if p.isascii()]
NAMES = [
    "ADOBE_CLIENT_ID",
    "x-api-key",
    "twilio_sid",
    "secret",
    "DB_PASSWORD",
    "api-key",
    "x.authToken",
    "my_apikey",
    "ACCESS_KEY",
    "pwd",
    "Credential",
    "client.secret.v2",
    "-key",
    "key-",
    "_token_",
    "ſecret",
    "passwd",
    "auth",
    "monkey",
    "tokens",
    "password1",
]
VALUES = [
    "abc123def456ghi",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "None):",
    "hunter2hunter2",
    "s3cr3t-VALUE",
    "abc",
    "a b c d e f",
    "${SECRET}",
    "$HOME_DIR",
    "<placeholder>",
    "***",
    "REDACTED",
    "[REDACTED]",
    "{{ vault }}",
    "$(cat f)",
    "x" * 30,
    "Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1",
    "é-accent-value",
]


def assignment(rng: random.Random) -> str:
    """The shapes _ASSIGNED_QUOTED and _ASSIGNED_ENV look for, and near misses."""
    quote = rng.choice(['"', "'", ""])
    before = rng.choice(["", " ", "\n", "\t", "[", ",", '"', "'", "export ", "ENV  ", "arg\t", "  export\n", "x", "."])
    name_quote = rng.choice(["", '"', "'"])
    operator = rng.choice(["=", ":", ":=", "=>", " = ", ": ", " :", "=\n", " ", " => "])
    after = rng.choice(["", ",", " ", "\n", "]"])
    return f"{before}{rng.choice(NAMES)}{name_quote}{operator}{quote}{rng.choice(VALUES)}{quote}{after}"


def random_texts(count: int, seed: int) -> Iterator[str]:
    rng = random.Random(seed)
    for index in range(count):
        pieces = rng.randint(1, 12) if index % 5 else rng.randint(40, 300)  # one in five is long
        pool = ASCII_PIECES if index % 2 else PIECES  # half ASCII only (its long texts take another path)
        parts = []
        for _ in range(pieces):
            roll = rng.random()
            if roll < 0.35:
                part = assignment(rng)
                parts.append(part if pool is PIECES or part.isascii() else part.encode("ascii", "replace").decode())
            elif roll < 0.85:
                parts.append(rng.choice(pool))
            else:
                parts.append(rng.choice("abcXYZ019_.-/+=") * rng.randint(1, 30))
        yield "".join(parts)


def reference_json(value: Any) -> Any:
    if isinstance(value, str):
        return reference(value)
    if isinstance(value, list):
        return [reference_json(item) for item in value]
    if isinstance(value, dict):
        return {reference(str(k)): reference_json(v) for k, v in value.items()}
    return value


def random_documents(count: int, seed: int) -> Iterator[Any]:
    """JSON-like documents of fuzz texts (redact_json redacts many strings as one text)."""
    rng = random.Random(seed)
    texts = list(random_texts(count * 4, seed + 1000))
    for _ in range(count):
        chosen = rng.sample(texts, min(len(texts), rng.randint(1, 40)))
        yield {
            "items": [{"k": t, t[:20] or "empty": [t, 1, None, True]} for t in chosen],
            "n": 3.5,
            "s": rng.choice(chosen),
        }


def check_documents(documents: Iterator[Any]) -> tuple[int, list[Any]]:
    checked, failures = 0, []
    for document in documents:
        checked += 1
        if redact.redact_json(document) != reference_json(document):
            failures.append(document)
    return checked, failures


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from strings(item)


def check(texts: Iterator[str]) -> tuple[int, list[str]]:
    checked, failures = 0, []
    for text in texts:
        checked += 1
        if redact.redact_text(text) != reference(text):
            failures.append(text)
    return checked, failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args(argv)
    if not redact._FAST:
        print("redact fast paths are off (a pattern changed): nothing to compare", file=sys.stderr)
    redact.register_secret("registered-Value-123")
    checked, failures = check(random_texts(args.cases, args.seed))
    documents, bad_documents = check_documents(random_documents(max(1, args.cases // 20), args.seed))
    for path in args.files:
        text = path.read_text(encoding="utf-8", errors="replace")
        more, bad = check(iter([text, *(strings(json.loads(text)) if path.suffix == ".json" else [])]))
        checked += more
        failures += bad
        if path.suffix == ".json":
            more, bad = check_documents(iter([json.loads(text)]))
            documents += more
            bad_documents += bad
    for text in failures[:5]:
        print(f"MISMATCH: {text[:300]!r}", file=sys.stderr)
    for document in bad_documents[:2]:
        print(f"MISMATCH (redact_json): {json.dumps(document)[:300]}", file=sys.stderr)
    print(
        f"redaction equivalence: {checked:,} texts and {documents:,} documents, {len(failures) + len(bad_documents)} "
        "mismatches"
    )
    return 1 if failures or bad_documents else 0


if __name__ == "__main__":
    raise SystemExit(main())
