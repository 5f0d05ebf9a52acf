"""One pull request comment with the report's top part: created once, then updated in place.

Posted only inside a GitHub Actions pull request run (`GITHUB_EVENT_PATH` names a
`pull_request` event) and only when the operator gives a token (`GITHUB_TOKEN`, with
`pull-requests: write`). A pull request from a fork gets nothing unless the operator says
so (`SECSCAN_PR_COMMENT_FORKS=1`, e.g. under `pull_request_target`): its token is read-only,
and its code is not trusted with one. The comment is found again by a hidden marker, among
comments written by a bot (a person cannot make us edit theirs). The API base comes from
`GITHUB_API_URL` (GitHub Enterprise), never from the scanned repository. A failure is
recorded in report.json and never changes the exit code.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from secscan.findings.redact import redact_text
from secscan.outputs.markdown import MarkdownReport
from secscan.report import Delivery, Report

MARKER = "<!-- secscan:pull-request-comment -->"
COMMENT_BUDGET = 30_000  # the report's top part: verdict, reasons, synthesis, counts, the first findings
MAX_PAGES = 20
_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_API = re.compile(r"^https?://[^\s/]+(?:/[^\s]*)?$")


class PullRequest:
    """Where the comment goes: the repository, the pull request number, the API, the token."""

    def __init__(self, repository: str, number: int, api_url: str, token: str) -> None:
        self.repository = repository
        self.number = number
        self.api_url = api_url.rstrip("/")
        self.token = token


def _event(environ: Mapping[str, str]) -> dict[str, Any] | None:
    path = environ.get("GITHUB_EVENT_PATH")
    if not path:
        return None
    try:
        event = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return event if isinstance(event, dict) and isinstance(event.get("pull_request"), dict) else None


def target(environ: Mapping[str, str] | None = None) -> PullRequest | Delivery | None:
    """The pull request to comment on; a Delivery saying why not (skipped); None outside a PR run."""
    env = os.environ if environ is None else environ
    event = _event(env)
    if event is None:
        return None
    token = env.get("GITHUB_TOKEN")
    if not token:
        return Delivery(status="skipped", detail="no GITHUB_TOKEN given: no pull request comment")
    pull = event["pull_request"]
    number = pull.get("number") or event.get("number")
    repository = env.get("GITHUB_REPOSITORY") or ""
    api = env.get("GITHUB_API_URL") or "https://api.github.com"
    if not isinstance(number, int) or not _REPOSITORY.match(repository) or not _API.match(api):
        return Delivery(status="skipped", detail="pull request event without a usable number, repository or API URL")
    head = (pull.get("head") or {}).get("repo") or {}
    base = (pull.get("base") or {}).get("repo") or {}
    from_fork = isinstance(head, dict) and isinstance(base, dict) and head.get("full_name") != base.get("full_name")
    if from_fork and env.get("SECSCAN_PR_COMMENT_FORKS") != "1":
        return Delivery(
            status="skipped", detail="pull request from a fork: no comment (SECSCAN_PR_COMMENT_FORKS=1 allows it)"
        )
    return PullRequest(repository, number, api, token)


def body(report: Report) -> str:
    return f"{MARKER}\n{MarkdownReport(budget=COMMENT_BUDGET).render(report)}"


def _ours(comment: Any) -> bool:
    if not isinstance(comment, dict) or not isinstance(comment.get("body"), str) or MARKER not in comment["body"]:
        return False
    user = comment.get("user")
    return isinstance(user, dict) and user.get("type") == "Bot" and isinstance(comment.get("id"), int)


def _existing(client: httpx.Client, pull: PullRequest) -> int | None:
    url = f"{pull.api_url}/repos/{pull.repository}/issues/{pull.number}/comments"
    for page in range(1, MAX_PAGES + 1):
        response = client.get(url, params={"per_page": 100, "page": page})
        response.raise_for_status()
        comments = response.json()
        if not isinstance(comments, list):
            return None
        mine = [c["id"] for c in comments if _ours(c)]
        if mine:
            return int(min(mine))
        if len(comments) < 100:
            return None
    return None


def post_or_update(report: Report, pull: PullRequest, timeout_s: float = 15) -> Delivery:
    """Create the comment, or update the one an earlier run made; never raises."""
    headers = {
        "Authorization": f"Bearer {pull.token}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
        "User-Agent": "secscan",
    }
    text = body(report)
    try:
        with httpx.Client(headers=headers, timeout=timeout_s, follow_redirects=False, trust_env=False) as client:
            existing = _existing(client, pull)
            if existing is not None:
                url = f"{pull.api_url}/repos/{pull.repository}/issues/comments/{existing}"
                response = client.patch(url, json={"body": text})
                what = f"updated comment {existing}"
            else:
                url = f"{pull.api_url}/repos/{pull.repository}/issues/{pull.number}/comments"
                response = client.post(url, json={"body": text})
                what = "created a comment"
            response.raise_for_status()
    except httpx.HTTPStatusError as exc:
        code = exc.response.status_code
        hint = " (the token needs pull-requests: write; a fork's token is read-only)" if code in (401, 403, 404) else ""
        return Delivery(status="failed", detail=f"GitHub API answered {code}{hint}")
    except (httpx.HTTPError, ValueError) as exc:
        return Delivery(
            status="failed", detail=redact_text(f"GitHub API unreachable: {type(exc).__name__}: {exc}")[:300]
        )
    return Delivery(status="sent", detail=f"pull request #{pull.number}: {what}")
