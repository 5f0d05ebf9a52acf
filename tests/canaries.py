"""Secrets generated at run time, in formats gitleaks and trivy recognise.

Nothing here is a real credential; nothing real-looking is committed: every
value is random and made when the test runs.
"""

from __future__ import annotations

import base64
import secrets
import string
from dataclasses import dataclass

_UPPER_B32 = string.ascii_uppercase + "234567"
_ALNUM = string.ascii_letters + string.digits


def _pick(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


@dataclass(frozen=True)
class Canary:
    kind: str
    value: str
    gitleaks_rule: str

    def fragments(self) -> list[str]:
        """Pieces of the value long enough that finding one would mean a leak."""
        core = self.value.replace("\n", "")
        return [core[i : i + 16] for i in range(0, max(1, len(core) - 16), 16)] or [core]


def aws_access_key_id() -> Canary:
    return Canary("aws", "AKIA" + _pick(_UPPER_B32, 16), "aws-access-token")


def github_pat() -> Canary:
    return Canary("github", "ghp_" + _pick(_ALNUM, 36), "github-pat")


def slack_bot_token() -> Canary:
    value = f"xoxb-{_pick(string.digits, 12)}-{_pick(string.digits, 12)}-{_pick(_ALNUM, 24)}"
    return Canary("slack", value, "slack-bot-token")


def stripe_live_key() -> Canary:
    return Canary("stripe", "sk_live_" + _pick(_ALNUM, 32), "stripe-access-token")


def gitlab_pat() -> Canary:
    return Canary("gitlab", "glpat-" + _pick(_ALNUM, 20), "gitlab-pat")


def private_key() -> Canary:
    body = base64.encodebytes(secrets.token_bytes(600)).decode().strip()
    armour = "RSA " + "PRIVATE KEY-----"  # split: no key block stands in this file
    value = f"-----BEGIN {armour}\n{body}\n-----END {armour}"
    return Canary("private-key", value, "private-key")


def all_kinds() -> list[Canary]:
    return [aws_access_key_id(), github_pat(), slack_bot_token(), stripe_live_key(), gitlab_pat(), private_key()]
