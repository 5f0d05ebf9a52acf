"""Gitleaks: secrets over the full git history (or a plain folder's files).

Severity: gitleaks has none. A credential for a cloud provider, a code host, a
payment or messaging API, or a private key is `critical`; every other secret
(generic API keys, passwords, JWTs) is `high`. The default policy fails on any.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from secscan.errors import ParseError, ScannerError
from secscan.findings.identity import jwt_facts, secret_identity
from secscan.findings.model import Category, Finding, LayerName, Severity, Sighting, parses_redacted_input
from secscan.findings.redact import MASK, register_secret
from secscan.findings.titles import title_from_message
from secscan.results import LayerResult
from secscan.scanners.base import guarded, ingest, raw_text, read_report
from secscan.scanners.gitrepo import LOG_HARDENING, git, git_environment
from secscan.scanners.interface import ParsedOutput, ScanContext
from secscan.scanners.process import last_meaningful_line, probe_version, resolve_binary, run_command
from secscan.scanners.secret_places import CommitRefs, HeadPlace, commit_refs, head_places

CRITICAL_RULE_PREFIXES = (
    "private-key",
    "aws-",
    "gcp-",
    "azure-",
    "github-",
    "gitlab-",
    "stripe-",
    "slack-",
    "openai-",
    "anthropic-",
    "npm-",
    "pypi-",
    "digitalocean-",
    "heroku-",
    "twilio-",
    "sendgrid-",
    "shopify-",
    "hashicorp-",
    "doppler-",
    "databricks-",
)
_REDACTED = {"", "REDACTED", MASK}


def severity_for(rule_id: str) -> Severity:
    return Severity.CRITICAL if rule_id.lower().startswith(CRITICAL_RULE_PREFIXES) else Severity.HIGH


class GitleaksItem(BaseModel):
    model_config = ConfigDict(extra="allow")

    RuleID: str
    Description: str = ""
    StartLine: int = 0
    EndLine: int = 0
    Match: str = ""
    Secret: str = ""
    File: str = ""
    Commit: str = ""
    Date: str = ""
    Tags: list[str] | None = None
    SecretIdentity: str | None = None  # added by `scrub`: a keyed hash of the value
    SecretJwt: dict[str, Any] | None = None  # added by `scrub`: a JWT's alg and exp
    SecretShape: str | None = None  # added by `scrub`: "hex digest", "no key material" (not a credential)


def _title(item: GitleaksItem) -> str:
    return title_from_message(item.Description, f"Secret matching {item.RuleID}")


def _relative(path: str, root: Path | None) -> str:
    """`gitleaks dir /abs/root` reports absolute paths: make them relative to the scanned root."""
    if root is None or not path.startswith("/"):
        return path
    try:
        return str(PurePosixPath(path).relative_to(root.as_posix()))
    except ValueError:
        return path


def parse(data: bytes, source_root: Path | None = None) -> ParsedOutput:
    document, _ = ingest(data, "gitleaks", scrub)
    return parse_document(document, source_root)


@parses_redacted_input
def parse_document(document: Any, source_root: Path | None = None) -> ParsedOutput:
    """Findings from a gitleaks report already through `ingest` (secrets masked): one per secret
    (`scrub` gave each value a keyed hash), with every place it was seen as a sighting."""
    if document is None:
        document = []
    if not isinstance(document, list):
        raise ParseError("gitleaks output is not a JSON array of findings")
    sightings = []
    for index, raw in enumerate(document):
        try:
            item = GitleaksItem.model_validate(raw)
        except ValidationError as exc:
            raise ParseError(f"gitleaks finding #{index + 1} is malformed: {exc.errors()[0]['msg']}") from None
        sightings.append(_sighting_finding(item, source_root))
    return ParsedOutput(findings=group_by_identity(sightings))


def _expired(jwt: dict[str, Any] | None, now: dt.datetime) -> bool | None:
    expiry = jwt.get("exp") if jwt else None
    if not isinstance(expiry, int):
        return None
    return expiry < now.timestamp()


def _sighting_finding(item: GitleaksItem, source_root: Path | None) -> Finding:
    path = _relative(item.File, source_root) or None
    return Finding(
        scanner="gitleaks",
        layer="gitleaks",
        category=Category.SECRET,
        rule_id=item.RuleID,
        severity=severity_for(item.RuleID),
        scanner_severity=None,
        title=_title(item),
        description=item.Description or None,
        fix=FIX,
        path=path,
        line=item.StartLine or None,
        end_line=item.EndLine or None,
        commit=item.Commit or None,
        locator=item.Match,  # the secret in it is masked (`scrub`)
        cwe=["CWE-798"],
        identity=item.SecretIdentity if isinstance(item.SecretIdentity, str) else None,
        expired=_expired(item.SecretJwt, dt.datetime.now(dt.UTC)),
        # a value that does not look like a credential (a hash; key markers around code): low confidence
        confidence="low" if item.SecretShape else None,
        sightings=[
            Sighting(commit=item.Commit or None, path=path, line=item.StartLine or None, date=item.Date or None)
        ],
    )


FIX = (
    "Revoke and rotate this credential now, then remove it from the code and "
    "its git history; load it from a secret store or environment variable instead."
)
_GENERIC_RULES = ("generic-", "jwt")


def _specificity(finding: Finding) -> tuple[int, int, str]:
    """Which rule names a secret best: the most severe, a specific rule over a generic one."""
    return (finding.severity.rank, not finding.rule_id.startswith(_GENERIC_RULES), finding.rule_id)


def _newest_first(sighting: Sighting) -> tuple[str, str, int, str]:
    return (sighting.date or "", sighting.path or "", -(sighting.line or 0), sighting.commit or "")


def group_by_identity(findings: Sequence[Finding]) -> list[Finding]:
    """One finding per secret value: sightings of one identity merge. The rule is the most specific
    one that matched; path/line/commit are the newest sighting until `locate` knows better; the id
    comes from the first sighting (where the secret was introduced), which history never changes."""
    groups: dict[str, list[Finding]] = {}
    alone: list[Finding] = []
    for finding in findings:
        if finding.identity is None:
            alone.append(finding)
        else:
            groups.setdefault(finding.identity, []).append(finding)
    merged = [_merge_sightings(members) for members in groups.values()]
    return merged + alone


def _merge_sightings(members: list[Finding]) -> Finding:
    if len(members) == 1:
        return _with_id_basis(members[0], members[0])
    best = max(members, key=_specificity)
    unique = {(s.commit, s.path, s.line): s for m in members for s in m.sightings}
    sightings = sorted(unique.values(), key=_newest_first, reverse=True)
    newest = max(members, key=lambda m: _newest_first(m.sightings[0]))
    first = min(members, key=lambda m: _newest_first(m.sightings[0]))
    merged = best.model_copy(
        update={
            "path": newest.path,
            "line": newest.line,
            "end_line": newest.end_line,
            "commit": newest.commit,
            "sightings": sightings,
            "expired": next((m.expired for m in members if m.expired is not None), None),
        }
    )
    return _with_id_basis(merged, first)


def _with_id_basis(finding: Finding, first: Finding) -> Finding:
    # The id's content: where the secret was first seen and what matched there (masked).
    return finding.model_copy(update={"locator": f"{first.path or ''}|{first.locator}"})


def scrub(document: Any) -> Any:
    """Mask each finding's secret wherever it appears in that finding, as `--redact` does
    (a report written without it), and remember the value so no output can repeat it. What
    stays of the value: a keyed hash (`SecretIdentity`) and, for a JWT, its alg and expiry."""
    return scrubber(None)(document)


_HEX_DIGEST = re.compile(r"(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64})")


_KEY_MATERIAL = re.compile(r"[A-Za-z0-9+/]{40,}")  # a run of base64: what a key block is made of


def _shape(rule: str, secret: str) -> str | None:
    """What a value looks like when it is probably not a credential at all."""
    if rule.startswith(_GENERIC_RULES) and _HEX_DIGEST.fullmatch(secret.strip()):
        return "hex digest"  # an MD5/SHA-1/SHA-256 sized hex string: a password hash or checksum
    if rule == "private-key" and not _KEY_MATERIAL.search(secret):
        return "no key material"  # BEGIN/END markers around code (a PEM being built or parsed)
    return None


def _masked(secret: str) -> bool:
    """A value a redacting tool has already masked (`REDACTED`, stars): not a secret to tell apart."""
    return secret in _REDACTED or not secret.strip("*") or "REDACTED" in secret or MASK in secret


def scrubber(values: dict[str, str] | None) -> Callable[[Any], Any]:
    """`scrub`, also handing each value to `values` (identity -> value) for the HEAD search."""

    def scrub_document(document: Any) -> Any:
        if not isinstance(document, list):
            return document
        return [_scrub_item(item, values) if isinstance(item, dict) else item for item in document]

    return scrub_document


def _scrub_item(item: dict[str, Any], values: dict[str, str] | None) -> dict[str, Any]:
    secret = item.get("Secret")
    if isinstance(secret, str) and not _masked(secret):
        register_secret(secret)
        identity = secret_identity(secret)
        if values is not None:
            values[identity] = secret
        jwt = jwt_facts(secret)
        item = {
            key: value.replace(secret, "REDACTED") if isinstance(value, str) else value for key, value in item.items()
        }
        item["SecretIdentity"] = identity
        if jwt is not None:
            item["SecretJwt"] = jwt
        shape = _shape(str(item.get("RuleID", "")), secret)
        if shape:
            item["SecretShape"] = shape
    elif not isinstance(item.get("SecretIdentity"), str) or not item["SecretIdentity"].startswith("hmac-sha256:"):
        item.pop("SecretIdentity", None)  # only ours: a report cannot make two secrets one
    if "Secret" in item:
        item["Secret"] = "REDACTED"
    return item


def redact_raw(data: bytes) -> str:
    return raw_text(data, "gitleaks", scrub)


async def _repository_root(target: Path) -> Path | None:
    try:
        code, out, err = await git(["rev-parse", "--show-toplevel"], target)
    except ScannerError as exc:
        if "cannot start git" in str(exc):
            raise ScannerError("gitleaks: git is not installed; it is needed to scan history") from None
        raise
    if code != 0:
        if "dubious ownership" in err:
            raise ScannerError(f"gitleaks: git refuses {target} (dubious ownership); run as the repository's owner")
        return None
    return Path(out).resolve()


async def locate(findings: list[Finding], repo: Path, values: dict[str, str], workdir: Path) -> list[Finding]:
    """Each secret's refs and whether its value is still in HEAD's files (wherever it moved to);
    path/line/commit become the most relevant sighting: in HEAD, else on the scanned branch, else
    the newest. Unknown stays unknown (`in_head: null`): a value too short to look for, a report
    without values, a git that could not answer."""
    commits = {s.commit for f in findings for s in f.sightings if s.commit}
    refs = await commit_refs(commits, repo)
    places = await head_places(values, repo, workdir) if values else {}
    return [_located(finding, refs, places) for finding in findings]


def _located(finding: Finding, refs: CommitRefs, places: dict[str, list[HeadPlace]] | None) -> Finding:
    sightings = [s.model_copy(update={"refs": refs.refs_of(s.commit)}) for s in finding.sightings]
    here = places.get(finding.identity) if places is not None and finding.identity else None
    in_head = None if here is None else bool(here)
    head = [
        Sighting(commit=refs.head_sha, refs=[refs.branch], path=p.path, line=p.line, in_head=True) for p in here or []
    ]
    on_branch = [s for s in sightings if s.commit in refs.on_head]
    candidates = head or on_branch or sightings
    representative = candidates[0] if candidates else None
    update: dict[str, Any] = {
        "sightings": head
        + [s.model_copy(update={"in_head": False if in_head is False else s.in_head}) for s in sightings],
        "in_head": in_head,
        "on_scanned_branch": bool(head or on_branch) if sightings or head else None,
        "in_comment": all(p.in_comment for p in here) if here else None,
    }
    if representative is not None:
        span = (finding.end_line - finding.line) if finding.end_line and finding.line else 0
        update.update(
            path=representative.path,
            line=representative.line,
            end_line=representative.line + span if representative.line else None,
            # in HEAD: the commit that brought it onto the branch (stable while the code moves around it)
            commit=on_branch[0].commit if head and on_branch else representative.commit,
            refs=representative.refs,
        )
        if not (head or on_branch) and representative.commit:
            names = representative.refs
            shown = (
                ", ".join(names[:3]) + (f" +{len(names) - 3}" if len(names) > 3 else "")
                if names
                else "no branch or tag"
            )
            update["title"] = f"{finding.title} (only on {shown}, not on {refs.branch})"
    return finding.model_copy(update=update)


def in_working_tree(findings: list[Finding]) -> list[Finding]:
    """`gitleaks dir`: every place it reports is a file of the folder as it is now."""
    return [
        f.model_copy(
            update={"in_head": True, "sightings": [s.model_copy(update={"in_head": True}) for s in f.sightings]}
        )
        for f in findings
    ]


# gitleaks logs what it could not scan (`7:27PM ERR [git] fatal: unable to read <sha>`) and still
# exits 0 with the findings of what it did read: those lines make the layer's result incomplete.
_LOGGED_ERROR = re.compile(r"^(?:\S+\s+)?(?:ERR|FTL)\s+(\S.*)$")


def logged_errors(stderr: bytes) -> list[str]:
    """The ERR/FTL lines gitleaks logged (ANSI colours stripped, redacted)."""
    found = []
    for line in stderr.decode(errors="replace").splitlines():
        match = _LOGGED_ERROR.match(last_meaningful_line(line, 300))
        if match:
            found.append(match.group(1))
    return found


# gitleaks' own `git log` options (used when --log-opts is not given), kept as they are.
GIT_LOG_OPTIONS = ("--full-history", "--all", "--diff-filter=tuxdb")
# gitleaks' default rules, and nothing from the repository (`useDefault` is its built-in config).
OWN_CONFIG = "# secscan: gitleaks' default rules, no repository allowlist\n[extend]\nuseDefault = true\n"


def own_control_files(workdir: Path) -> tuple[Path, Path]:
    """(our gitleaks config, an empty folder to look for a .gitleaksignore in), in the layer's own folder."""
    config = workdir / "gitleaks-config.toml"
    config.write_text(OWN_CONFIG, encoding="utf-8")
    ignore_dir = workdir / "gitleaks-ignore"
    ignore_dir.mkdir(exist_ok=True)
    return config, ignore_dir


async def unreadable_names(target: Path) -> list[str]:
    """gitleaks loses files whose names git quotes with a backslash in `git log -p` (a name with
    a backslash or a line break): their history is not scanned. Say which (trivy reads them in HEAD)."""
    code, out, _ = await git(["ls-files", "-z"], target)
    names = [name for name in out.split("\0") if "\\" in name or "\n" in name] if code == 0 else []
    if not names:
        return []
    shown = ", ".join(repr(name)[1:-1][:80] for name in names[:3])
    return [
        f"history of {len(names)} file(s) not read by gitleaks (a backslash or line break in the name): {shown}; "
        "only trivy's scan of the current files covers them"
    ]


async def _git_dir(target: Path) -> Path:
    code, out, _ = await git(["rev-parse", "--absolute-git-dir"], target)
    if code != 0 or not out:
        raise ScannerError(f"gitleaks: cannot find the git directory of {target}")
    return Path(out)


class GitleaksLayer:
    name: LayerName = "gitleaks"
    binary = "gitleaks"

    def parse(self, data: bytes, source_root: Path | None = None) -> ParsedOutput:
        return parse(data, source_root)

    def redact_raw(self, data: bytes) -> str:
        return redact_raw(data)

    def ingest(self, data: bytes) -> tuple[Any, str]:
        return ingest(data, "gitleaks", scrub)

    def parse_document(self, document: Any, source_root: Path | None = None) -> ParsedOutput:
        return parse_document(document, source_root)

    def command(
        self,
        binary: str,
        mode: str,
        target: Path,
        report: Path,
        *,
        redact: bool = True,
        commit_range: str | None = None,
        own_config: Path | None = None,
        own_ignore_dir: Path | None = None,
    ) -> list[str]:
        """redact=False only for a report in a private folder that secscan reads and removes at once:
        the values are needed to tell secrets apart (a keyed hash) and to find them in HEAD.

        The repository's own allowlists never apply: `gitleaks:allow` comments are ignored,
        `own_config` (gitleaks' default rules) replaces any .gitleaks.toml, `own_ignore_dir` (empty)
        is where gitleaks looks for a .gitleaksignore, and `git log` shows every file as text."""
        command = [
            binary,
            mode,
            str(target),
            *(["--redact"] if redact else []),
            "--report-format",
            "json",
            "--report-path",
            str(report),
            "--exit-code",
            "2",
            "--no-banner",
            "--log-level",
            "error",
            "--ignore-gitleaks-allow",
        ]
        if own_config is not None:
            command += ["--config", str(own_config)]
        if own_ignore_dir is not None:
            command += ["--gitleaks-ignore-path", str(own_ignore_dir)]
        if mode == "git":
            # --since: two full shas, checked by diffscope (a range, so not --all)
            scope = [commit_range] if commit_range is not None else list(GIT_LOG_OPTIONS)
            command.append("--log-opts=" + " ".join([*scope, *LOG_HARDENING]))
        return command

    async def run(self, context: ScanContext) -> LayerResult:
        return await guarded("gitleaks", lambda version: self._run(context, version))

    async def _run(self, context: ScanContext, report_version: Any) -> LayerResult:
        binary = resolve_binary("gitleaks")
        version = await probe_version(binary, ["version"], "gitleaks", timeout=min(60, context.timeout("gitleaks")))
        report_version(version)
        target = context.target.resolve()
        notes: list[str] = []
        repo = await _repository_root(target)
        mode = "dir"
        if repo is not None:
            code, shallow, _ = await git(["rev-parse", "--is-shallow-repository"], target)
            if code == 0 and shallow == "true":
                raise ScannerError(
                    "gitleaks: shallow clone, history cannot be scanned: fetch the full history "
                    "(actions/checkout fetch-depth: 0, or git fetch --unshallow)"
                )
            has_head, _, _ = await git(["rev-parse", "--verify", "-q", "HEAD"], target)
            if has_head != 0:
                notes.append("repository has no commits yet: scanned the files only")
            elif repo != target:
                notes.append(f"{target} is inside the repository {repo}: scanned its files only, not history")
            else:
                mode = "git"
        else:
            notes.append("not a git repository: scanned the files only (no history)")
        report = context.workdir / "gitleaks.json"
        report.unlink(missing_ok=True)
        own_config, own_ignore_dir = own_control_files(context.workdir)
        # git mode: the repository's git directory as gitleaks' source, so the .gitleaksignore
        # gitleaks always reads from its source folder cannot be one the change committed.
        source = await _git_dir(target) if mode == "git" else target
        values: dict[str, str] = {}
        try:
            completed = await run_command(
                self.command(
                    binary,
                    mode,
                    source,
                    report,
                    redact=False,
                    commit_range=context.commit_range,
                    own_config=own_config,
                    own_ignore_dir=own_ignore_dir,
                ),
                timeout=context.timeout("gitleaks"),
                env=git_environment(target),
                cwd=context.workdir,
                what="gitleaks",
                writes=(report,),
            )
            if completed.returncode not in (0, 2):
                raise ScannerError(completed.failure("gitleaks"))
            data = read_report(report, "gitleaks")
        finally:
            report.unlink(missing_ok=True)  # it holds the values: gone as soon as it is read
        document, raw = ingest(data, "gitleaks", scrubber(values))
        del data
        parsed = parse_document(document, target)
        findings = parsed.findings
        try:
            findings = (
                await locate(findings, target, values, context.workdir) if mode == "git" else in_working_tree(findings)
            )
        finally:
            values.clear()
        problems = logged_errors(completed.stderr)
        if mode == "git":
            notes += await unreadable_names(target)
        return LayerResult(
            name="gitleaks",
            status="error" if problems else "ok",
            error=f"gitleaks logged {len(problems)} error(s) while scanning, results are incomplete: {problems[0]}"
            if problems
            else None,
            version=version,
            findings=findings,
            raw=raw,
            notes=notes,
        )


LAYER = GitleaksLayer()
