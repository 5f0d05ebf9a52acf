"""Who a secret is, without keeping what it is: a keyed hash of its value, and what a JWT says about itself.

The key is made once per process (one run) and never written anywhere: the hash tells two sightings
of one value apart from two values, and nothing else (it cannot be checked against a guess later).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from typing import Any

_RUN_KEY = secrets.token_bytes(32)
IDENTITY_PREFIX = "hmac-sha256:"


def secret_identity(value: str) -> str:
    """A keyed hash of a secret's value (whitespace at its ends ignored): equal for equal values."""
    digest = hmac.new(_RUN_KEY, value.strip().encode("utf-8", errors="surrogatepass"), hashlib.sha256)
    return IDENTITY_PREFIX + digest.hexdigest()[:32]


def _b64url_json(part: str) -> Any:
    padded = part + "=" * (-len(part) % 4)
    try:
        return json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (binascii.Error, UnicodeError, ValueError):
        return None


def jwt_facts(value: str) -> dict[str, Any] | None:
    """For a JSON Web Token: its algorithm and expiry (header and payload only; the signature is
    never read, nothing is verified). None for anything that is not a JWT."""
    token = value.strip().strip("\"'")
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].startswith("eyJ"):
        return None
    header, payload = _b64url_json(parts[0]), _b64url_json(parts[1])
    if not isinstance(header, dict) or not isinstance(payload, dict):
        return None
    expiry = payload.get("exp")
    facts: dict[str, Any] = {"alg": str(header.get("alg", ""))[:20] or None}
    facts["exp"] = int(expiry) if isinstance(expiry, (int, float)) and not isinstance(expiry, bool) else None
    return facts
