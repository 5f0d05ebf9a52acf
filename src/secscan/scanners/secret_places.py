"""Where a secret lives now: the refs that hold each commit it was seen in, and its places in the HEAD tree.

In HEAD is decided by looking for the value itself in HEAD's files (`git grep -F`), not by blaming
the line gitleaks reported: a secret that was moved, renamed or re-indented since it was committed is
still found. The values are written to a private pattern file (never on a command line), read by git,
and the file is removed at once.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from secscan.errors import ScannerError
from secscan.findings.redact import redact_text
from secscan.scanners.gitrepo import git

MIN_PATTERN_LENGTH = 8  # shorter values would be found by coincidence
MAX_CONTAINS_CALLS = 64  # `for-each-ref --contains` per off-branch commit; the rest are named by `name-rev`
_COMMENT_START = re.compile(r"^\s*(#|//|/\*|\*|<!--|--|;|%|rem\s|')", re.IGNORECASE)
_REF_NAMESPACES = ["refs/heads", "refs/remotes", "refs/tags"]


@dataclass(frozen=True)
class HeadPlace:
    path: str
    line: int | None
    in_comment: bool


@dataclass
class CommitRefs:
    """The scanned branch's name and, per commit, whether HEAD holds it and which refs do."""

    branch: str = "HEAD"
    head_sha: str | None = None
    on_head: set[str] = field(default_factory=set)
    refs: dict[str, list[str]] = field(default_factory=dict)

    def refs_of(self, commit: str | None) -> list[str]:
        if commit is None:
            return []
        if commit in self.on_head:
            return [self.branch]
        return self.refs.get(commit, [])


def pattern_for(value: str) -> str | None:
    """What `git grep` looks for: the value, or the longest line of a multi-line one (a key block)."""
    lines = [line.strip() for line in value.splitlines() if line.strip()]
    if not lines:
        return None
    pattern = max(lines, key=len)
    return pattern if len(pattern) >= MIN_PATTERN_LENGTH else None


def is_comment(line: str) -> bool:
    return bool(_COMMENT_START.match(line))


async def head_places(values: Mapping[str, str], repo: Path, workdir: Path) -> dict[str, list[HeadPlace]] | None:
    """identity -> every place of HEAD's tree holding that value; None when git could not tell.

    An identity whose value is too short to look for is absent from the answer (unknown)."""
    patterns: dict[str, list[str]] = defaultdict(list)
    for identity, value in values.items():
        pattern = pattern_for(value)
        if pattern is not None:
            patterns[pattern].append(identity)
    found: dict[str, list[HeadPlace]] = {identity: [] for ids in patterns.values() for identity in ids}
    if not patterns:
        return found
    pattern_file = workdir / "head-patterns"
    descriptor = os.open(pattern_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", errors="surrogateescape") as handle:
            handle.write("".join(pattern + "\n" for pattern in patterns))
        code, out, _ = await git(
            [
                "-c",
                "grep.patternType=fixed",
                "grep",
                "-F",
                "-n",
                "-z",
                "--full-name",
                "--no-color",
                "-f",
                str(pattern_file),
                "HEAD",
                "--",
            ],
            repo,
        )
    except ScannerError:
        return None
    finally:
        pattern_file.unlink(missing_ok=True)
    if code not in (0, 1):
        return None
    matcher = re.compile("|".join(re.escape(p) for p in sorted(patterns, key=len, reverse=True)))
    for record in out.splitlines():
        for identity, place in _places_in(record, matcher, patterns):
            found[identity].append(place)
    return {identity: sorted(set(places), key=lambda p: (p.path, p.line or 0)) for identity, places in found.items()}


def _places_in(
    record: str, matcher: re.Pattern[str], patterns: Mapping[str, list[str]]
) -> Iterable[tuple[str, HeadPlace]]:
    """`HEAD:path\\0line\\0text` (or `Binary file HEAD:path matches`) -> (identity, place) pairs."""
    # `Binary file HEAD:path matches` does not show which value it holds: none is claimed
    parts = record.split("\0", 2)
    if len(parts) != 3 or not parts[0].startswith("HEAD:") or not parts[1].isdigit():
        return []
    path, line, text = redact_text(parts[0][len("HEAD:") :]), int(parts[1]), parts[2]
    comment = is_comment(text)
    return [
        (identity, HeadPlace(path=path, line=line, in_comment=comment))
        for match in dict.fromkeys(m.group(0) for m in matcher.finditer(text))
        for identity in patterns[match]
    ]


async def commit_refs(commits: set[str], repo: Path) -> CommitRefs:
    """Which refs hold each commit: the scanned branch (one `rev-list HEAD`) or, for the commits it
    does not hold, the branches and tags that do (`for-each-ref --contains`, then `name-rev` in one
    batch past MAX_CONTAINS_CALLS)."""
    answer = CommitRefs()
    code, branch, _ = await git(["symbolic-ref", "-q", "--short", "HEAD"], repo)
    answer.branch = redact_text(branch) if code == 0 and branch else "HEAD"
    code, head_sha, _ = await git(["rev-parse", "--verify", "-q", "HEAD"], repo)
    answer.head_sha = head_sha if code == 0 and head_sha else None
    if not commits:
        return answer
    code, listed, _ = await git(["rev-list", "HEAD"], repo, timeout=300)
    if code == 0:
        answer.on_head = commits & set(listed.split())
    elsewhere = sorted(commits - answer.on_head)
    for commit in elsewhere[:MAX_CONTAINS_CALLS]:
        code, out, _ = await git(
            ["for-each-ref", "--format=%(refname:short)", "--contains", commit, *_REF_NAMESPACES], repo
        )
        if code == 0:
            answer.refs[commit] = [redact_text(ref) for ref in out.splitlines() if ref and not ref.endswith("/HEAD")]
    rest = elsewhere[MAX_CONTAINS_CALLS:]
    for start in range(0, len(rest), 500):
        batch = rest[start : start + 500]
        code, out, _ = await git(
            ["name-rev", "--name-only", *[f"--refs={ns}/*" for ns in _REF_NAMESPACES], *batch], repo
        )
        if code == 0:
            for commit, name in zip(batch, out.splitlines(), strict=False):
                ref = re.sub(r"[~^].*$", "", name.strip())
                answer.refs[commit] = [redact_text(ref)] if ref and ref != "undefined" else []
    return answer
