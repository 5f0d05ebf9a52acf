"""`--since REF`: scan what a change touched, and tell what it brought in from what was there.

- gitleaks walks only the commits in `merge-base(REF, HEAD)..HEAD` (a secret added and
  removed again inside them still counts): everything it finds is new.
- semgrep scans only the changed files; a result on a line the change added is new, one on
  an unchanged line of a changed file was already there (existing).
- trivy runs when a manifest, lockfile or IaC file changed: its findings are compared with
  its result for the base (from the result cache, else a scan of the base tree exported
  from git). When none changed, the base's result is reused from the cache (all existing),
  or, without one, trivy runs in full and only findings on added lines count as new.
- trivy-image scans the image as always: an image has no base here, its findings are new.

REF comes from the operator (command line, CI variables); it is still checked: no option
injection into git, and it must name a commit.
"""

from __future__ import annotations

import io
import json
import os
import re
import tarfile
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from secscan.errors import ConfigError, ScannerError
from secscan.findings.fingerprint import identity_key
from secscan.findings.model import Finding, LayerName
from secscan.results import LayerResult
from secscan.scanners.cache import SAFE_GIT, KeyExtras, LayerRunner, clean_tree_state
from secscan.scanners.gitrepo import git, git_environment
from secscan.scanners.interface import ScanContext
from secscan.scanners.process import run_command
from secscan.scanners.registry import LAYERS

_SHA = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")
_BAD_REF = re.compile(r"[\x00-\x20\x7f]|\.\.|^-|^$")
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
# Files whose change can change trivy's answer: manifests, lockfiles and IaC.
_MANIFESTS = re.compile(
    r"(?i)(^|/)(requirements[^/]*\.(txt|in)|pipfile(\.lock)?|poetry\.lock|pyproject\.toml|setup\.(py|cfg)|uv\.lock|"
    r"pdm\.lock|conda[^/]*\.ya?ml|environment\.ya?ml|package(-lock)?\.json|npm-shrinkwrap\.json|yarn\.lock|"
    r"pnpm-lock\.yaml|bun\.lockb?|go\.(mod|sum|work)|cargo\.(toml|lock)|gemfile(\.lock)?|[^/]*\.gemspec|"
    r"composer\.(json|lock)|pom\.xml|[^/]*\.gradle(\.kts)?|gradle\.lockfile|[^/]*\.(cs|fs|vb)proj|"
    r"packages\.(lock\.json|config)|[^/]*\.deps\.json|mix\.lock|pubspec\.(yaml|lock)|podfile\.lock|"
    r"package\.resolved|conan\.lock|[^/]*dockerfile[^/]*|containerfile|[^/]*\.(tf|tfvars|tf\.json|hcl|yaml|yml|"
    r"json|bicep|template)|chart\.lock|[^/]*\.(jar|war|ear|whl|egg)|trivy\.yaml|\.trivyignore(\.yaml)?)$"
)
MAX_SEMGREP_TARGETS = 2000
# semgrep picks a file's language by its name: a rule only ever runs on files of its languages.
_LANGUAGES = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".jsx": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".ts": "typescript",
    ".tsx": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".go": "go",
    ".java": "java",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".rb": "ruby",
    ".php": "php",
    ".cs": "csharp",
    ".kt": "kotlin",
    ".kts": "kotlin",
    ".rs": "rust",
    ".sh": "bash",
    ".bash": "bash",
    ".tf": "terraform",
    ".hcl": "hcl",
    ".c": "c",
    ".h": "c",
    ".cpp": "cpp",
    ".cc": "cpp",
    ".hpp": "cpp",
    ".scala": "scala",
    ".swift": "swift",
    ".html": "html",
    ".md": "markdown",
    ".txt": "text",
    ".toml": "toml",
}
_ALWAYS = frozenset({"generic", "regex", "none"})
# `languages: [python, go]`, or a block list (`languages:` then `- python` lines, as YAML dumps it).
_RULE_LANGUAGES = re.compile(r"^\s*languages:\s*(?:\[([^\]]*)\]|\n((?:[ \t]*-[ \t]*[^\n]+\n?)+))", re.MULTILINE)


@dataclass(frozen=True)
class DiffScope:
    """The change under review: its base, and what it touched in the working tree."""

    since: str  # what was asked (a ref, or what `auto` found)
    merge_base: str
    head: str
    added: Mapping[str, frozenset[int] | None]  # path -> lines the change added (None: the whole file is new)
    deleted: frozenset[str]

    @property
    def commit_range(self) -> str:
        return f"{self.merge_base}..{self.head}"

    def changed_paths(self) -> list[str]:
        return sorted(self.added)

    def manifest_changed(self) -> bool:
        return any(_MANIFESTS.search(path) for path in [*self.added, *self.deleted])

    def is_new(self, finding: Finding) -> bool:
        """Does the finding sit on something the change added?"""
        if finding.path is None or finding.path not in self.added:
            return False
        lines = self.added[finding.path]
        if lines is None or finding.line is None:
            return True
        end = max(finding.end_line or finding.line, finding.line)
        return any(line in lines for line in range(finding.line, end + 1))


def _file_languages(path: str) -> set[str] | None:
    """The semgrep languages a file is analysed as; None when its name does not say (a shebang may)."""
    name = path.rsplit("/", 1)[-1].lower()
    if "dockerfile" in name or name == "containerfile":
        return {"dockerfile"}
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    return {_LANGUAGES[suffix]} if suffix in _LANGUAGES else set() if suffix else None


def rule_files_for(paths: tuple[str, ...], rules_dir: Path) -> list[str] | None:
    """The bundled rule files that can match these files (by language); None: all of them.

    Loading rules is most of what semgrep spends on a small change: a Python-only change
    needs the Python rules only (half the CPU of the whole pack)."""
    wanted = set(_ALWAYS)
    for path in paths:
        languages = _file_languages(path)
        if languages is None:
            return None
        wanted |= languages
    if "typescript" in wanted or "javascript" in wanted:
        wanted |= {"javascript", "typescript", "js", "ts"}
    selected = []
    for rule_file in sorted(rules_dir.rglob("*.y*ml")):
        if ".test." in rule_file.name or rule_file.suffix not in (".yaml", ".yml"):
            continue
        try:
            declared = _RULE_LANGUAGES.findall(rule_file.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            return None
        items = [
            item
            for inline, block in declared
            for item in (inline.split(",") if inline else [line.strip()[1:] for line in block.splitlines()])
        ]
        languages = {item.strip().strip("'\"").lower() for item in items if item.strip()}
        if not languages or languages & wanted:  # a rule whose languages cannot be read always runs
            selected.append(str(rule_file))
    return selected


def check_ref(ref: str) -> str:
    """A ref or commit name as the operator gave it: never an option, never a range."""
    if _BAD_REF.search(ref) or len(ref) > 255:
        raise ConfigError(f"--since {ref[:80]!r}: not a branch, tag or commit name")
    return ref


def auto_base(environ: Mapping[str, str] | None = None) -> str | None:
    """The pull/merge request's base from the CI's own variables, or None outside one."""
    env = os.environ if environ is None else environ
    event_path = env.get("GITHUB_EVENT_PATH")
    if event_path:
        try:
            event = json.loads(Path(event_path).read_text(encoding="utf-8"))
            sha = event["pull_request"]["base"]["sha"]
            if isinstance(sha, str) and _SHA.match(sha):
                return sha
        except (OSError, ValueError, KeyError, TypeError):
            pass
    if env.get("CI_MERGE_REQUEST_DIFF_BASE_SHA"):
        return env["CI_MERGE_REQUEST_DIFF_BASE_SHA"]
    for variable in ("GITHUB_BASE_REF", "CHANGE_TARGET"):  # GitHub Actions, Jenkins multibranch
        if env.get(variable):
            return f"origin/{env[variable]}"
    return None


async def _git(target: Path, *args: str) -> str:
    code, out, err = await git([*SAFE_GIT, *args], target)
    if code != 0:
        raise ConfigError(f"--since: git {args[0]} failed: {err.splitlines()[-1] if err else f'exit {code}'}")
    return out


async def _commit(target: Path, ref: str) -> str:
    code, out, _ = await git(
        [*SAFE_GIT, "rev-parse", "--verify", "-q", "--end-of-options", f"{ref}^{{commit}}"], target
    )
    if code != 0 or not _SHA.match(out):
        raise ConfigError(f"--since {ref}: no such commit in {target} (fetch it first, e.g. fetch-depth: 0)")
    return out


def _unquote(path: str) -> str:
    """git's C-style quoting of unusual file names ("a\\tb", octal UTF-8 bytes)."""
    if not (path.startswith('"') and path.endswith('"')):
        return path
    raw = path[1:-1].encode("latin-1", errors="backslashreplace").decode("unicode_escape").encode("latin-1")
    return raw.decode("utf-8", errors="surrogateescape")


def parse_added_lines(diff: str) -> tuple[dict[str, frozenset[int] | None], set[str]]:
    """(path -> added lines, deleted paths) from `git diff -U0` output."""
    added: dict[str, set[int] | None] = {}
    deleted: set[str] = set()
    current: str | None = None
    old: str | None = None
    for line in diff.splitlines():
        if line.startswith("--- "):
            old = None if line[4:] == "/dev/null" else _unquote(line[4:]).removeprefix("a/")
        elif line.startswith("+++ "):
            if line[4:] == "/dev/null":
                current = None
                if old is not None:
                    deleted.add(old)
            else:
                current = _unquote(line[4:]).removeprefix("b/")
                added[current] = None if old is None else set()
        elif line.startswith("Binary files ") and line.endswith(" differ"):
            match = re.match(r"Binary files (.+) and (.+) differ$", line)
            if match and match.group(2) != "/dev/null":
                added[_unquote(match.group(2)).removeprefix("b/")] = None
        elif current is not None and (hunk := _HUNK.match(line)):
            start, count = int(hunk.group(1)), int(hunk.group(2) or 1)
            lines = added.get(current)
            if lines is not None:
                lines.update(range(start, start + count))
    return {path: None if lines is None else frozenset(lines) for path, lines in added.items()}, deleted


async def resolve(since: str, target: Path, environ: Mapping[str, str] | None = None) -> DiffScope | None:
    """The scope of `--since` on target; None for `auto` outside a pull/merge request."""
    target = target.resolve()
    if since == "auto":
        found = auto_base(environ)
        if found is None:
            return None
        since = found
    ref = check_ref(since)
    top = await _git(target, "rev-parse", "--show-toplevel")
    if Path(top).resolve() != target:
        raise ConfigError(f"--since needs the root of a git repository: {target} is not one")
    if (await _git(target, "rev-parse", "--is-shallow-repository")) == "true":
        raise ConfigError("--since: shallow clone, the base cannot be found: fetch the history (fetch-depth: 0)")
    base = await _commit(target, ref)
    head = await _commit(target, "HEAD")
    merge_base = await _git(target, "merge-base", "--end-of-options", base, head)
    # tracked files, base against the working tree (so uncommitted edits count), then untracked files
    diff = await _git(
        target,
        "-c",
        "core.quotePath=true",
        "diff",
        "-U0",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--find-renames",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        "--end-of-options",
        merge_base,
    )
    added, deleted = parse_added_lines(diff)
    untracked = await _git(target, "ls-files", "--others", "--exclude-standard", "-z")
    for path in untracked.split("\0"):
        if path:
            added[path] = None
    return DiffScope(since=since, merge_base=merge_base, head=head, added=added, deleted=frozenset(deleted))


def _mark(result: LayerResult, is_new: Callable[[Finding], bool]) -> LayerResult:
    findings = [
        f if f.status == "suppressed" or is_new(f) else f.model_copy(update={"status": "existing"})
        for f in result.findings
    ]
    return result.model_copy(update={"findings": findings})


def _scannable(target: Path, path: str) -> bool:
    candidate = target / path
    return candidate.is_file() and not candidate.is_symlink()


async def run_scoped(name: LayerName, context: ScanContext, scope: DiffScope, runner: LayerRunner) -> LayerResult:
    """One layer of a diff scan; `runner` runs (or reuses) a layer on a context."""
    run = runner.run
    target = context.target.resolve()
    if name == "gitleaks":
        # Always run (the range is small): the values it finds are what masks them in the other
        # layers' fresh output, and the cache never keeps them (full scans: `LayerRunner.prefetch`).
        scoped = replace(context, commit_range=scope.commit_range)
        result = await LAYERS[name].run(scoped)
        return result.model_copy(update={"scope": f"commits {scope.merge_base[:12]}..{scope.head[:12]}"})
    if name == "semgrep":
        paths = [p for p in scope.changed_paths() if _scannable(target, p)]
        if not paths:
            return LayerResult(
                name=name, status="ok", scope="no changed files to scan", notes=["--since: no changed file to scan"]
            )
        if len(paths) > MAX_SEMGREP_TARGETS:
            result = await run(name, context, KeyExtras())
            scope_text = f"all files ({len(paths)} changed: more than {MAX_SEMGREP_TARGETS})"
        else:
            result = await run(name, replace(context, paths=tuple(paths)), KeyExtras(parts=tuple(paths)))
            scope_text = f"{len(paths)} changed file(s)"
        return _mark(result, scope.is_new).model_copy(update={"scope": scope_text})
    if name == "trivy":
        return await _trivy(context, scope, runner)
    result = await run(name, context, KeyExtras())
    return result.model_copy(update={"scope": "the whole image (no base to compare with)"})


async def _base_tree(target: Path, scope: DiffScope) -> str:
    return await _git(target, "rev-parse", "--verify", f"{scope.merge_base}^{{tree}}")


async def _trivy(context: ScanContext, scope: DiffScope, runner: LayerRunner) -> LayerResult:
    run = runner.run
    target = context.target.resolve()
    base_extras = KeyExtras(tree=clean_tree_state(await _base_tree(target, scope)))
    if not scope.manifest_changed():
        base = await runner.lookup("trivy", context, base_extras)
        if base is not None:
            return _mark(
                base, scope.is_new
            ).model_copy(
                update={
                    "duration_s": 0.0,  # reused: the base scan's own time is not this run's
                    "scope": f"reused its result for the base {scope.merge_base[:12]} "
                    "(no manifest, lockfile or IaC file changed)",
                }
            )
        result = await run("trivy", context, KeyExtras())
        return _mark(result, scope.is_new).model_copy(
            update={
                "scope": "ran in full (no manifest changed, but no cached result for the base): new = on added lines"
            }
        )
    result = await run("trivy", context, KeyExtras())
    if result.status != "ok":
        return result.model_copy(update={"scope": "ran in full (a manifest, lockfile or IaC file changed)"})
    base = await _run_on_base(context, scope, runner, base_extras)
    if base is None or base.status != "ok":
        return _mark(result, scope.is_new).model_copy(
            update={"scope": "ran in full (a manifest changed; the base could not be scanned): new = on added lines"}
        )
    known = Counter(identity_key(f) for f in base.findings)

    def is_new(finding: Finding) -> bool:
        key = identity_key(finding)
        if known[key] > 0:
            known[key] -= 1
            return False
        return True

    return _mark(result, is_new).model_copy(
        update={
            "scope": "ran in full (a manifest, lockfile or IaC file changed), "
            f"compared with the base {scope.merge_base[:12]}"
        }
    )


async def _run_on_base(
    context: ScanContext, scope: DiffScope, runner: LayerRunner, extras: KeyExtras
) -> LayerResult | None:
    """trivy on the base commit's files (git archive into a private folder)."""
    target = context.target.resolve()
    with tempfile.TemporaryDirectory(prefix="secscan-base-") as folder:
        try:
            completed = await run_command(
                ["git", "-C", str(target), *SAFE_GIT, "archive", "--format=tar", "--end-of-options", scope.merge_base],
                timeout=context.timeout("trivy"),
                env=git_environment(target),
                what="git archive",
            )
        except ScannerError:
            return None
        if completed.returncode != 0:
            return None
        with tarfile.open(fileobj=io.BytesIO(completed.stdout)) as archive:
            archive.extractall(folder, filter="data")
        base_context = replace(context, target=Path(folder), workdir=context.workdir)
        return await runner.run("trivy", base_context, extras)
