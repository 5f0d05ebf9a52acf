"""Semgrep: static analysis with the bundled rule pack (plus any configs the user adds).

Severity: semgrep's own levels, CRITICAL→critical, ERROR/HIGH→high,
WARNING/MEDIUM→medium, INFO/LOW→low, EXPERIMENT/INVENTORY→info. A rule's
numeric `metadata.security-severity` (the score GitHub reads) wins when present.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio
from pydantic import BaseModel, ConfigDict, ValidationError

from secscan.errors import ParseError, ScannerError
from secscan.findings.model import (
    Category,
    Evidence,
    Finding,
    FlowStep,
    LayerName,
    Severity,
    Suppression,
    parses_redacted_input,
)
from secscan.findings.redact import redact_text
from secscan.findings.secret_lines import SECRET_LINE, hide_in_semgrep_document, is_secret_check
from secscan.findings.titles import title_from_message
from secscan.results import LayerResult
from secscan.scanners.base import guarded, ingest, inline_marker, raw_text, read_report, read_source_line
from secscan.scanners.gitrepo import git_environment
from secscan.scanners.interface import ParsedOutput, ScanContext
from secscan.scanners.process import QUIET_ENV, beside_first_on_path, probe_version, resolve_binary, run_command

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
OFFLINE_FLAGS = ["--metrics=off", "--disable-version-check"]
OFFLINE_ENV: dict[str, str] = dict(QUIET_ENV)

_LEVELS = {
    "CRITICAL": Severity.CRITICAL,
    "ERROR": Severity.HIGH,
    "HIGH": Severity.HIGH,
    "WARNING": Severity.MEDIUM,
    "MEDIUM": Severity.MEDIUM,
    "INFO": Severity.LOW,
    "LOW": Severity.LOW,
    "EXPERIMENT": Severity.INFO,
    "INVENTORY": Severity.INFO,
}
_RULE_ID_LINE = re.compile(r"^\s*-?\s*id:\s*['\"]?([A-Za-z0-9_-]+)", re.MULTILINE)


@functools.cache
def bundled_rule_ids() -> frozenset[str]:
    ids: set[str] = set()
    for path in RULES_DIR.rglob("*.y*ml"):
        if path.suffix in (".yaml", ".yml") and ".test." not in path.name:
            try:
                ids.update(_RULE_ID_LINE.findall(path.read_text(encoding="utf-8")))
            except OSError:
                continue
    return frozenset(ids)


def _dotted(path: str) -> str:
    return ".".join(part for part in re.split(r"[/\\]", path.strip("/")) if part and part != ".")


_ANY_RULE_ID_LINE = re.compile(r"^\s*-?\s*id:\s*['\"]?([A-Za-z0-9_.-]+)", re.MULTILINE)


def config_rule_ids(configs: tuple[str, ...], base: Path | None = None) -> frozenset[str]:
    """The rule ids defined in local semgrep configs (rule files or folders; relative ones from `base`)."""
    ids: set[str] = set()
    for config in configs:
        if config.startswith(("p/", "r/", "s/", "http://", "https://")):
            continue
        path = Path(config)
        if not path.is_absolute() and base is not None:
            path = base / path
        try:
            files = [path] if path.is_file() else sorted(path.rglob("*.y*ml")) if path.is_dir() else []
            for file in files:
                if file.suffix in (".yaml", ".yml") and file.is_file():
                    ids.update(_ANY_RULE_ID_LINE.findall(file.read_text(encoding="utf-8", errors="replace")))
        except OSError:
            continue
    return frozenset(ids)


def rule_id(check_id: str, config_prefixes: tuple[str, ...] = (), known: frozenset[str] | None = None) -> str:
    """semgrep prefixes a rule id with the dotted path of its rule file's folder: take it off.

    For the bundled rules and for rules in local configs (`known`, else read from
    `config_prefixes`) the id is the one the rule file defines; registry ids stay whole.
    """
    last = check_id.rsplit(".", 1)[-1]
    if last in bundled_rule_ids():
        return last
    if known is None:
        known = config_rule_ids(config_prefixes)
    matches = [rule for rule in known if check_id == rule or check_id.endswith("." + rule)]
    if matches:
        return max(matches, key=len)
    for prefix in config_prefixes:
        dotted = _dotted(prefix)
        if dotted and check_id.startswith(dotted + "."):
            return check_id[len(dotted) + 1 :]
    return check_id


def severity_for(level: str, metadata: dict[str, Any]) -> Severity:
    score = metadata.get("security-severity")
    try:
        numeric = float(score) if score is not None else None
    except (TypeError, ValueError):
        numeric = None
    if numeric is not None:
        if numeric >= 9:
            return Severity.CRITICAL
        if numeric >= 7:
            return Severity.HIGH
        if numeric >= 4:
            return Severity.MEDIUM
        return Severity.LOW if numeric > 0 else Severity.INFO
    return _LEVELS.get(level.upper(), Severity.MEDIUM)


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(item) for item in value if isinstance(item, (str, int, float))]
    return []


def _confidence(metadata: dict[str, Any]) -> str | None:
    value = metadata.get("confidence")
    return value.lower() if isinstance(value, str) and value.lower() in ("high", "medium", "low") else None


def _cwe_ids(values: list[str]) -> list[str]:
    ids = []
    for value in values:
        match = re.search(r"CWE-\d+", value)
        if match:
            ids.append(match.group(0))
    return list(dict.fromkeys(ids))


class _Position(BaseModel):
    model_config = ConfigDict(extra="allow")
    line: int = 0


class _Extra(BaseModel):
    model_config = ConfigDict(extra="allow")
    message: str = ""
    severity: str = "WARNING"
    metadata: dict[str, Any] = {}
    is_ignored: bool = False
    fix: str | None = None
    dataflow_trace: Any = None


class _Result(BaseModel):
    model_config = ConfigDict(extra="allow")
    check_id: str
    path: str
    start: _Position
    end: _Position | None = None
    extra: _Extra


def _locations(node: Any) -> list[tuple[Any, str]]:
    """(location, content) pairs in a dataflow trace node, whatever its nesting: semgrep writes
    ["CliLoc", [location, content]] or ["CliCall", [[location, content], [variables], callee]]."""
    if isinstance(node, list):
        if len(node) == 2 and isinstance(node[0], dict) and "start" in node[0] and isinstance(node[1], str):
            return [(node[0], node[1])]
        return [pair for item in node for pair in _locations(item)]
    if isinstance(node, dict) and isinstance(node.get("location"), dict):
        return [(node["location"], str(node.get("content") or ""))]
    return []


def _flow(trace: Any) -> list[FlowStep]:
    """Source, intermediate variables, sink: in that order, at most 12 steps."""
    if not isinstance(trace, dict):
        return []
    steps: list[FlowStep] = []
    for key, kind in (("taint_source", "source"), ("intermediate_vars", "step"), ("taint_sink", "sink")):
        for location, content in _locations(trace.get(key)):
            start = location.get("start") if isinstance(location.get("start"), dict) else {}
            line = start.get("line")
            steps.append(
                FlowStep(
                    kind=kind,  # type: ignore[arg-type]
                    path=str(location["path"]) if isinstance(location.get("path"), str) else None,
                    line=line if isinstance(line, int) and line > 0 else None,
                    content=content[:200],
                )
            )
    return steps[:12]


def _evidence(metadata: dict[str, Any], trace: Any) -> Evidence | None:
    def level(key: str) -> str | None:
        value = metadata.get(key)
        return str(value)[:20] if isinstance(value, str | int | float) and str(value) else None

    evidence = Evidence(
        confidence=level("confidence"), likelihood=level("likelihood"), impact=level("impact"), flow=_flow(trace)
    )
    return evidence if evidence != Evidence() else None


def _error_text(error: Any) -> tuple[str, str]:
    """(level, one-line message) for a semgrep `errors[]` entry, whatever its shape."""
    if not isinstance(error, dict):
        return "error", redact_text(str(error))[:300]
    level = str(error.get("level", "error"))
    kind = error.get("type")
    kind_name = kind[0] if isinstance(kind, list) and kind else kind
    message = error.get("message") or error.get("short_msg") or error.get("long_msg") or ""
    where = error.get("path") or ""
    lines = [line.strip() for line in str(message).splitlines() if line.strip()]
    first = lines[0] if lines else ""
    text = f"{kind_name or 'error'}: {first[:240]}"
    if where:
        text += f" ({where})"
    return level, redact_text(text)


def _relative(path: str, root: Path | None) -> str:
    """semgrep reports paths as it was given the target: absolute ones made repository-relative."""
    if root is None or not path.startswith("/"):
        return path
    try:
        return Path(path).relative_to(root.resolve()).as_posix()
    except ValueError:
        return path


def _fix_text(autofix: str | None, metadata: dict[str, Any]) -> str | None:
    """The rule's autofix if it has one, else the how-to-fix text of `metadata.fix` (the bundled pack's)."""
    if autofix:
        return f"Suggested change: {autofix}"
    fix = metadata.get("fix")
    if not isinstance(fix, str) or not fix.strip():
        return None
    return fix.strip()


def parse(data: bytes, source_root: Path | None = None, config_prefixes: tuple[str, ...] = ()) -> ParsedOutput:
    document, _ = ingest(data, "semgrep", scrub)
    return parse_document(document, source_root, config_prefixes)


@parses_redacted_input
def parse_document(
    document: Any, source_root: Path | None = None, config_prefixes: tuple[str, ...] = ()
) -> ParsedOutput:
    """Findings from a semgrep report already through `ingest` (every string redacted)."""
    results, errors_raw = _checked(document)
    known = config_rule_ids(config_prefixes, source_root)
    findings = [
        _finding(_validated(raw, index), source_root, config_prefixes, known) for index, raw in enumerate(results)
    ]
    errors, notes = _problems(document, errors_raw)
    version = document.get("version") if isinstance(document.get("version"), str) else None
    return ParsedOutput(findings=findings, errors=errors, notes=notes, version=version)


def _checked(document: Any) -> tuple[list[Any], list[Any]]:
    """(results, errors) of a semgrep --json report; anything else is a ParseError, never "nothing found"."""
    if not isinstance(document, dict) or not isinstance(document.get("results"), list):
        # semgrep --json always writes `results`; SARIF (`runs`) must not read as "nothing found"
        kind = (
            " (it is SARIF: give the output of semgrep --json)"
            if isinstance(document, dict) and "runs" in document
            else ""
        )
        raise ParseError(f"semgrep output is not a semgrep JSON report (no `results` list){kind}")
    errors_raw = document.get("errors") or []
    if not isinstance(errors_raw, list):
        raise ParseError("semgrep output has a malformed `errors` field")
    return document["results"], errors_raw


def _validated(raw: Any, index: int) -> _Result:
    try:
        return _Result.model_validate(raw)
    except ValidationError as exc:
        raise ParseError(f"semgrep result #{index + 1} is malformed: {exc.errors()[0]['msg']}") from None


def _finding(
    result: _Result, source_root: Path | None, config_prefixes: tuple[str, ...], known: frozenset[str]
) -> Finding:
    metadata = result.extra.metadata if isinstance(result.extra.metadata, dict) else {}
    cwe = _cwe_ids(_strings(metadata.get("cwe")))
    references = _strings(metadata.get("references")) + _strings(metadata.get("source-rule-url"))
    message = result.extra.message.strip()
    title = title_from_message(message, result.check_id)
    path = _relative(result.path, source_root)
    snippet = read_source_line(source_root, path, result.start.line)
    # semgrep runs with --disable-nosem: secscan reads the marker itself (a listed exception)
    marker = inline_marker(snippet) or inline_marker(read_source_line(source_root, path, result.start.line - 1))
    ignored = result.extra.is_ignored or (marker is not None and marker.startswith("nosem"))
    if snippet and is_secret_check(result.check_id, cwe, str(metadata.get("category", ""))):
        snippet = SECRET_LINE
    return Finding(
        scanner="semgrep",
        layer="semgrep",
        category=Category.CODE,
        rule_id=rule_id(result.check_id, config_prefixes, known),
        severity=severity_for(result.extra.severity, metadata),
        scanner_severity=result.extra.severity,
        title=title,
        description=message or None,
        fix=_fix_text(result.extra.fix, metadata),
        path=path,
        line=result.start.line or None,
        end_line=result.end.line if result.end and result.end.line else None,
        references=list(dict.fromkeys(u for u in references if u.startswith("http"))),
        cwe=cwe,
        owasp=_strings(metadata.get("owasp"))[:5],
        confidence=_confidence(metadata),
        snippet=snippet,
        evidence=_evidence(metadata, result.extra.dataflow_trace),
        locator=snippet or f"{title}",
        status="suppressed" if ignored else "new",
        suppression=Suppression(reason="nosemgrep comment in the source", source="inline") if ignored else None,
    )


def _problems(document: dict[str, Any], errors_raw: list[Any]) -> tuple[list[str], list[str]]:
    """(errors, notes): what semgrep reported at level error fails the layer; warnings are notes."""
    errors: list[str] = []
    notes: list[str] = []
    for error in errors_raw:
        level, text = _error_text(error)
        (errors if level == "error" else notes).append(text)
    # semgrep lists a file whose name is not UTF-8 as scanned (with U+FFFD in its name) but cannot
    # open it: say so rather than let "no findings" stand for it.
    paths = document.get("paths")
    scanned = paths.get("scanned") if isinstance(paths, dict) else None
    unreadable = [p for p in scanned if isinstance(p, str) and "\ufffd" in p] if isinstance(scanned, list) else []
    if unreadable:
        notes.append(
            f"{len(unreadable)} file(s) with a name that is not valid UTF-8 could not be analysed by semgrep "
            f"(e.g. {redact_text(unreadable[0])[:120]}): rename them"
        )
    return errors, notes


def scrub(document: Any) -> Any:
    if isinstance(document, dict):
        results = document.get("results")
        for result in results if isinstance(results, list) else []:
            extra = result.get("extra") if isinstance(result, dict) else None
            metavars = extra.get("metavars") if isinstance(extra, dict) else None
            if isinstance(metavars, dict):
                # metavariable values are pieces of the scanned code, where secrets live
                for metavar in metavars.values():
                    if isinstance(metavar, dict) and "abstract_content" in metavar:
                        metavar["abstract_content"] = str(metavar["abstract_content"])
    hide_in_semgrep_document(document)
    return document


def redact_raw(data: bytes) -> str:
    return raw_text(data, "semgrep", scrub)


# What semgrep prints when a config could not be downloaded (the Dagger module reads it too).
_FETCH_FAILURE = re.compile(
    r"(?i)(failed to download|could not download|unable to download|network|connection|resolve host|name resolution|registry)"  # noqa: E501
)
_REGISTRY_PREFIXES = ("p/", "r/", "s/", "c/", "http://", "https://")


def needs_registry(config: str) -> bool:
    """Configs semgrep downloads (registry packs, `auto`, URLs), as opposed to local rule files."""
    return config == "auto" or (config.startswith(_REGISTRY_PREFIXES) and not Path(config).exists())


async def registry_reachable(timeout: float = 5.0) -> bool:
    """Can the semgrep registry (SEMGREP_URL, default semgrep.dev) be reached at all?"""
    url = urlsplit(os.environ.get("SEMGREP_URL") or "https://semgrep.dev")
    host = url.hostname or "semgrep.dev"
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with anyio.fail_after(timeout):
            stream = await anyio.connect_tcp(host, port)
            await stream.aclose()
    except (OSError, TimeoutError):
        return False
    return True


# semgrep's own filters that a repository controls, switched off: `nosemgrep` comments (secscan
# reads them and lists each as an exception) and .semgrepignore files (with them, semgrep's
# built-in default ignores: tests/, vendor/, build/ …, which a repository could otherwise rely on).
ISOLATION_FLAGS = ("--disable-nosem", "--x-ignore-semgrepignore-files")
# What secscan skips instead: dependency and tool folders nobody reviews as the project's code.
DEFAULT_EXCLUDES = ("node_modules", ".venv", "venv", ".tox", "*.min.js")
MAX_TARGET_BYTES = 5_000_000  # semgrep's default is 1 MB; larger files are listed in the report


def oversized_files(root: Path, limit: int = MAX_TARGET_BYTES, cap: int = 20) -> list[str]:
    """Files semgrep will skip for their size (repository-relative), at most `cap` of them."""
    found: list[str] = []
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = [d for d in subdirs if d != ".git" and d not in DEFAULT_EXCLUDES]
        for name in files:
            path = Path(directory) / name
            try:
                if path.is_file() and not path.is_symlink() and path.stat().st_size > limit:
                    found.append(path.relative_to(root).as_posix())
            except OSError:
                continue
            if len(found) >= cap:
                return found
    return found


class SemgrepLayer:
    name: LayerName = "semgrep"
    binary = "semgrep"

    def parse(self, data: bytes, source_root: Path | None = None) -> ParsedOutput:
        return parse(data, source_root)

    def redact_raw(self, data: bytes) -> str:
        return redact_raw(data)

    def ingest(self, data: bytes) -> tuple[Any, str]:
        return ingest(data, "semgrep", scrub)

    def parse_document(self, document: Any, source_root: Path | None = None) -> ParsedOutput:
        return parse_document(document, source_root)

    def command(
        self,
        binary: str,
        configs: list[str],
        report: Path,
        excludes: list[str],
        timeout: float,
        paths: tuple[str, ...] | None = None,
        target: str = ".",
    ) -> list[str]:
        """The repository's own ignore files and `nosemgrep` comments never apply here: semgrep's
        default ignores and .semgrepignore files are off, `DEFAULT_EXCLUDES` (shown in every report)
        and the operator's excludes replace them, and secscan lists nosemgrep lines itself."""
        command = [binary, "scan"]
        for config in configs:
            command += ["--config", config]
        # --dataflow-traces: taint findings carry source -> steps -> sink (the AI synthesis shows them)
        command += [
            "--json",
            "--dataflow-traces",
            "--output",
            str(report),
            *OFFLINE_FLAGS,
            "--quiet",
            "--timeout",
            "30",
            *ISOLATION_FLAGS,
            f"--max-target-bytes={MAX_TARGET_BYTES}",
        ]
        for pattern in [*DEFAULT_EXCLUDES, *excludes]:
            command += ["--exclude", pattern]
        if paths is None:
            command.append(target)
        else:  # --since: the changed files, each anchored under the target so no name reads as an option
            command += [f"{target}/{path}" for path in paths]
        return command

    async def run(self, context: ScanContext) -> LayerResult:
        return await guarded("semgrep", lambda version: self._run(context, version))

    async def _run(self, context: ScanContext, report_version: Any) -> LayerResult:
        binary = resolve_binary("semgrep")

        async def probe() -> str:
            return await probe_version(binary, ["--version"], "semgrep", timeout=min(60, context.timeout("semgrep")))

        # No `semgrep --version` before the scan: it is a whole semgrep start-up (~3 CPU-s, on
        # the critical path of every scan), and the JSON report names its version. A binary
        # that is not semgrep cannot write a semgrep report: when the scan fails, the probe
        # runs then and says so ("does not run as semgrep") instead of the scan's error.
        try:
            result = await self._scan_all(binary, context)
        except ScannerError:
            report_version(await probe())
            raise
        if result.version is None:  # a report without its version (older releases)
            result = result.model_copy(update={"version": await probe()})
        report_version(result.version)
        return result

    async def _scan_all(self, binary: str, context: ScanContext) -> LayerResult:
        target = context.target.resolve()
        extra = [*context.config.scan.semgrep_config, *context.semgrep_configs]
        notes: list[str] = []
        registry = [c for c in extra if needs_registry(c)]
        if registry and not await registry_reachable():
            # Offline, semgrep retries the download for ~2 minutes and then exits 2 in silence.
            notes.append(f"semgrep registry unreachable: {', '.join(registry)} not fetched; ran the other rules")
            extra = [c for c in extra if c not in registry]
        bundled = [str(RULES_DIR)]
        if context.paths is not None:  # --since: only the rules for the changed files' languages
            from secscan.scanners.diffscope import rule_files_for

            selected = rule_files_for(context.paths, RULES_DIR)
            bundled = [str(RULES_DIR)] if selected is None else selected
            if not bundled and not extra:
                note = "--since: no bundled rule applies to the changed files' languages"
                return LayerResult(name="semgrep", status="ok", notes=[note])  # its version: probed by the caller
        parsed, raw = await self._scan(binary, [*bundled, *extra], target, context)
        if extra and parsed is None:
            notes.append(f"extra semgrep configs could not be loaded ({', '.join(extra)}): ran the bundled rules only")
            parsed, raw = await self._scan(binary, [str(RULES_DIR)], target, context)
        if parsed is None:
            raise ScannerError(raw)
        notes += parsed.notes
        notes.append(
            f"semgrep skipped only secscan's own list: {', '.join(DEFAULT_EXCLUDES)} (no .semgrepignore, no "
            "default ignores)"
        )
        big = oversized_files(target)
        if big:
            notes.append(
                f"semgrep skipped {len(big)}{'+' if len(big) >= 20 else ''} file(s) larger than "
                f"{MAX_TARGET_BYTES // 1_000_000} MB: {', '.join(big[:5])}"
            )
        return LayerResult(
            name="semgrep",
            status="error" if parsed.errors else "ok",
            error=f"semgrep reported {len(parsed.errors)} error(s): {parsed.errors[0]}" if parsed.errors else None,
            version=parsed.version,
            findings=parsed.findings,
            raw=raw,
            notes=notes,
        )

    async def _scan(
        self, binary: str, configs: list[str], target: Path, context: ScanContext
    ) -> tuple[ParsedOutput | None, str]:
        """(parsed, raw/ text) on success; (None, one-line error) when semgrep could not load its configs."""
        report = context.workdir / "semgrep.json"
        report.unlink(missing_ok=True)
        completed = await run_command(
            self.command(
                binary,
                configs,
                report,
                context.config.scan.exclude,
                context.timeout("semgrep"),
                context.paths,
                str(target),
            ),
            timeout=context.timeout("semgrep"),
            env={**OFFLINE_ENV, **git_environment(target), **beside_first_on_path(binary)},
            cwd=context.workdir,
            what="semgrep",
            writes=(report,),
        )
        prefixes = tuple(c for c in configs if not c.startswith(("p/", "r/", "s/", "http")))
        try:
            document, raw = ingest(read_report(report, "semgrep"), "semgrep", scrub)
            parsed = parse_document(document, target, prefixes)
        except ParseError:
            if completed.returncode == 0:
                raise
            message = completed.failure("semgrep")
            if len(configs) > 1:  # an extra config broke the run: the bundled rules still can
                return None, message
            raise ScannerError(message) from None
        if completed.returncode not in (0, 1) and not (parsed.errors or parsed.notes):
            raise ScannerError(completed.failure("semgrep"))
        if len(configs) > 1 and completed.returncode not in (0, 1) and parsed.errors:
            # an extra config could not be loaded: run the bundled pack alone (it says so)
            return None, parsed.errors[0]
        return parsed, raw


LAYER = SemgrepLayer()
