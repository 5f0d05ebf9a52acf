"""Keep secret values out of everything secscan writes, logs or sends.

Scanners are asked to redact (gitleaks --redact, trivy masks by default), but their
outputs still carry secrets in places they do not consider (image environment,
build history, semgrep metavariables, error messages). Every string that leaves
secscan goes through `redact_text`: well-known credential formats, quoted values
assigned to secret-looking names, high-entropy tokens, and any value registered
at run time (our own API keys and tokens).
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from typing import Any

MASK = "[REDACTED]"

_KNOWN_FORMATS = [
    r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|A3T[A-Z0-9])[A-Z0-9]{16}\b",
    r"\bgh[pousr]_[A-Za-z0-9]{30,}\b",
    r"\bgithub_pat_[A-Za-z0-9_]{40,}\b",
    r"\bglpat-[A-Za-z0-9_-]{20,}\b",
    r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b",
    r"https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9_/+-]+",
    r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}\b",
    r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}\b",
    r"\bAIza[0-9A-Za-z_-]{35}\b",
    r"\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}\b",
    r"\bnpm_[A-Za-z0-9]{36}\b",
    r"\bpypi-[A-Za-z0-9_-]{50,}\b",
    r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b",
    r"-----BEGIN[A-Z ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[A-Z ]*PRIVATE KEY(?: BLOCK)?-----|$)",
    r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@'\"]+:[^\s@/'\"]+@",
]
_SECRET_NAME = r"[A-Za-z0-9_.-]*(?:secret|token|passw(?:or)?d|pwd|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credential|auth)[A-Za-z0-9_.-]*"
_ASSIGNED_QUOTED = re.compile(
    rf"(?i)(\b{_SECRET_NAME}[\"']?\s*(?::=|=>|[:=])\s*)([\"'])([^\"'\n]{{6,}})\2"
)
_ASSIGNED_ENV = re.compile(rf"(?im)((?:^|[\s\"'\[,])(?:export\s+|ENV\s+|ARG\s+)?{_SECRET_NAME}=)([^\s\"',\]]{{6,}})")
_KNOWN = re.compile("|".join(f"(?:{p})" for p in _KNOWN_FORMATS))
_TOKEN = re.compile(r"(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_=-]{24,}(?![A-Za-z0-9+/_=-])")
_HEXISH = re.compile(r"^[0-9a-fA-F-]+$")
_DIGEST_PREFIX = re.compile(r"(?:sha(?:1|224|256|384|512)[-:]|md5[-:])$")
_ALREADY_MASKED = re.compile(r"^(?:\*+|REDACTED|\[REDACTED\]|<[^>]*>|\$\{[^}]*\}|\$\(.*\)|\{\{.*\}\})$")

_registered: set[str] = set()
_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Mask this exact value everywhere from now on (our own keys, tokens, webhook URLs).

    Short or spaced values ("a secret" in a scanner's test fixture) are not credentials
    and would mask ordinary words everywhere.
    """
    if value and len(value) >= 8 and not any(c.isspace() for c in value):
        with _lock:
            _registered.add(value)


def _entropy(token: str) -> float:
    counts = Counter(token)
    return -sum(n / len(token) * math.log2(n / len(token)) for n in counts.values())


def _looks_random(token: str) -> bool:
    if _HEXISH.match(token) or "/" in token.strip("/") and token.count("/") > 1:
        return False
    has_digit = any(c.isdigit() for c in token)
    has_alpha = any(c.isalpha() for c in token)
    return has_digit and has_alpha and _entropy(token) >= 4.0


def _mask_token(match: re.Match[str]) -> str:
    token = match.group(0)
    prefix_start = max(0, match.start() - 8)
    if _DIGEST_PREFIX.search(match.string[prefix_start : match.start()]):
        return token
    return MASK if _looks_random(token) else token


def _mask_quoted(match: re.Match[str]) -> str:
    value = match.group(3)
    if _ALREADY_MASKED.match(value) or " " in value.strip():
        return match.group(0)
    return f"{match.group(1)}{match.group(2)}{MASK}{match.group(2)}"


def _mask_env(match: re.Match[str]) -> str:
    value = match.group(2)
    if _ALREADY_MASKED.match(value) or value.startswith("$"):
        return match.group(0)
    return f"{match.group(1)}{MASK}"


def redact_text(text: str) -> str:
    """Mask every secret-looking value in text. Idempotent."""
    if not text:
        return text
    with _lock:
        registered = sorted(_registered, key=len, reverse=True)
    for value in registered:
        if value in text:
            text = text.replace(value, MASK)
    text = _KNOWN.sub(MASK, text)
    text = _ASSIGNED_QUOTED.sub(_mask_quoted, text)
    text = _ASSIGNED_ENV.sub(_mask_env, text)
    return _TOKEN.sub(_mask_token, text)


def redact_json(value: Any) -> Any:
    """Redact every string (keys included) inside a parsed JSON document."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, list):
        return [redact_json(item) for item in value]
    if isinstance(value, dict):
        return {redact_text(str(k)): redact_json(v) for k, v in value.items()}
    return value


def mask_env_values(entries: list[Any]) -> list[Any]:
    """`KEY=value` environment entries (image configs) keep their names, never their values."""
    masked: list[Any] = []
    for entry in entries:
        if isinstance(entry, str) and "=" in entry:
            name, _, value = entry.partition("=")
            masked.append(f"{name}={MASK}" if value else entry)
        else:
            masked.append(entry)
    return masked
