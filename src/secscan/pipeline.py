"""The one pipeline behind `secscan scan`, `secscan report` and the Dagger module.

layers (concurrently) → normalized findings → suppressions/baseline → gate →
synthesis (may only make the gate stricter) → outputs → Slack.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import cast

import anyio
from pydantic import ValidationError

from secscan import __version__, budget, catalog
from secscan.budget import analysis_budget, check
from secscan.config import Config, load_config
from secscan.credentials import Credentials
from secscan.errors import ConfigError, ScannerError
from secscan.findings import LAYER_NAMES, Finding, LayerName, normalize, redact_text, register_secret
from secscan.findings.model import Category, Triage
from secscan.findings.risk import with_risk
from secscan.findings.secret_lines import (
    hidden,
    overlapping,
    secret_ranges,
)
from secscan.input_files import read_regular_file
from secscan.outputs.safety import utf8_safe
from secscan.policy import LayerOutcome, apply_baseline, apply_suppressions, load_baseline
from secscan.policy.exceptions import ExceptionEntry, apply_exceptions, operator_config_name
from secscan.policy.exceptions import Outcome as ExceptionOutcome
from secscan.policy.gate import AIFlag, GateFacts, decide, layer_error_line, stricter
from secscan.policy.licenses import apply_license_policy
from secscan.policy.suppressions import describe, matches
from secscan.report import (
    ConfigProvenance,
    Delivery,
    DiffReport,
    LayerReport,
    RawLayer,
    RawManifest,
    Report,
    Target,
    count_findings,
)
from secscan.results import GateDecision, LayerResult
from secscan.scanners.cache import LayerCache, LayerRunner, default_root
from secscan.scanners.diffscope import DiffScope, resolve, run_scoped
from secscan.scanners.gitrepo import git_environment
from secscan.scanners.interface import ScanContext
from secscan.scanners.process import EXECUTOR, Executor, scanner_environment
from secscan.scanners.registry import LAYERS, RAW_LINE_HIDERS
from secscan.synthesis.interface import SynthesisInput, SynthesisResult
from secscan.synthesis.model import FindingTriage

ProgressCallback = Callable[[LayerName, str, LayerResult | None], None]


@dataclass(frozen=True)
class Options:
    """What a user can ask for, on the command line or through the Dagger module."""

    out_dir: Path = Path("secscan-report")
    config_path: Path | None = None
    baseline_path: Path | None = None
    no_ai: bool = False
    no_slack: bool = False
    layers: tuple[LayerName, ...] | None = None
    image: Path | None = None
    semgrep_configs: tuple[str, ...] = ()
    since: str | None = None  # --since REF|auto: diff-aware scan against that base
    no_cache: bool = False  # --no-cache: run every layer even when its cached result would do
    no_pr_comment: bool = False  # --no-pr-comment: no pull request comment even with GITHUB_TOKEN
    today: dt.date | None = None
    analysis_budget_s: float | None = None  # None: budget.DEFAULT_ANALYSIS_BUDGET_S
    # Who runs the layers' commands: None = local subprocesses; the Dagger module passes a
    # ContainerExecutor (the scanners' pinned images). The layers judge the results the same way.
    executor: Executor | None = None
    # The scanned commit and ref when the caller knows them (the Dagger module: from the source's
    # .git, the runtime has no git); else CI variables, else git.
    commit: str | None = None
    ref: str | None = None
    # The model's and Slack's credentials; None: read from the environment once, when the run starts.
    credentials: Credentials | None = None
    now: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))


@dataclass(frozen=True)
class Prepared:
    config: Config
    baseline: frozenset[str] | None
    credentials: Credentials = field(default_factory=Credentials.from_environment)


def prepare(options: Options, search_root: Path | None) -> Prepared:
    """Everything that can be wrong with the user's input, checked before any work (exit 2)."""
    credentials = options.credentials or Credentials.from_environment()
    for value in [*credentials.secret_values(), os.environ.get("GITHUB_TOKEN")]:
        register_secret(value)
    config = load_config(options.config_path, search_root)
    baseline = load_baseline(options.baseline_path) if options.baseline_path else None
    from secscan.outputs import symlinked_output

    link = symlinked_output(options.out_dir)
    if link is not None:
        raise ConfigError(f"--out {options.out_dir}: {link} is a symbolic link: refusing to write through it")
    if options.out_dir.exists() and not options.out_dir.is_dir():
        raise ConfigError(f"--out {options.out_dir}: exists and is not a directory")
    if options.image is not None and not options.image.exists():
        raise ConfigError(f"--image {options.image}: no such file or directory")
    return Prepared(config, baseline, credentials)


def selected_layers(options: Options, config: Config) -> list[LayerName]:
    if options.layers is not None:
        layers = list(options.layers)
    else:
        layers = list(config.scan.layers)
        if options.image is not None:
            layers += [cast(LayerName, name) for name in catalog.image_layers()]
    layers = list(dict.fromkeys(layers))  # each layer once: they share a work folder by name
    if not layers:
        raise ConfigError("no layers selected: nothing would be scanned")
    for name in layers:
        if catalog.is_image_layer(name) and options.image is None:
            raise ConfigError(f"layer {name} needs --image TAR_OR_OCI_DIR")
    return layers


async def run_layers(
    target: Path,
    options: Options,
    prepared: Prepared,
    progress: ProgressCallback | None = None,
    scope: DiffScope | None = None,
) -> list[LayerResult]:
    """Run the selected layers concurrently (or reuse their cached results); each result lands in its own slot."""
    layers = selected_layers(options, prepared.config)
    workdir = Path(tempfile.mkdtemp(prefix="secscan-"))
    results: dict[LayerName, LayerResult] = {}
    cached = not options.no_cache and options.executor is None
    runner = LayerRunner(LayerCache(cache_root(prepared.config, target)) if cached else None)
    token = EXECUTOR.set(options.executor)
    try:
        context = ScanContext(
            target=target,
            workdir=workdir,
            config=prepared.config,
            image=options.image,
            semgrep_configs=tuple(_absolute_config(c) for c in options.semgrep_configs),
        )

        async def run_one(name: LayerName) -> None:
            if progress:
                progress(name, "running", None)
            layer_dir = workdir / name
            layer_dir.mkdir()
            layer_context = replace(context, workdir=layer_dir)
            if scope is None:
                result = await runner.run(name, layer_context)
            else:
                result = await run_scoped(name, layer_context, scope, runner)
            mine, general = runner.take_notes(name)
            if mine or general:
                result = result.model_copy(update={"notes": [*result.notes, *mine, *general]})
            results[name] = result
            if progress:
                progress(name, result.status, result)

        if scope is None:
            await runner.prefetch(layers, context)
        async with anyio.create_task_group() as group:
            for name in layers:
                group.start_soon(run_one, name)
    finally:
        EXECUTOR.reset(token)
        shutil.rmtree(workdir, ignore_errors=True)
    return [results[name] for name in layers]


def cache_root(config: Config, target: Path) -> Path:
    """SECSCAN_CACHE_DIR, else the operator's `scan.cache_dir`, else the user cache dir.
    A config file inside the scanned tree never picks where the cache is."""
    if os.environ.get("SECSCAN_CACHE_DIR") or not config.scan.cache_dir or _inside(config.source, target):
        return default_root()
    return Path(config.scan.cache_dir).expanduser()


def _inside(source: str | None, target: Path) -> bool:
    if source is None:
        return True
    try:
        Path(source).resolve().relative_to(target.resolve())
    except (ValueError, OSError):
        return False
    return True


def _absolute_config(config: str) -> str:
    candidate = Path(config)
    return str(candidate.resolve()) if candidate.exists() else config


def _git_target(target: Path, commit: str | None = None, ref: str | None = None) -> Target:
    """Repository, ref and commit for the report header: as given, else from CI variables, else from git."""
    env = os.environ
    repository = env.get("GITHUB_REPOSITORY") or env.get("CI_PROJECT_PATH") or env.get("JOB_NAME")
    ref = (
        ref
        or env.get("GITHUB_HEAD_REF")
        or env.get("GITHUB_REF_NAME")
        or env.get("CI_COMMIT_REF_NAME")
        or env.get("BRANCH_NAME")
    )
    commit = commit or env.get("GITHUB_SHA") or env.get("CI_COMMIT_SHA") or env.get("GIT_COMMIT")
    run_url = None
    if env.get("GITHUB_SERVER_URL") and env.get("GITHUB_REPOSITORY") and env.get("GITHUB_RUN_ID"):
        run_url = f"{env['GITHUB_SERVER_URL']}/{env['GITHUB_REPOSITORY']}/actions/runs/{env['GITHUB_RUN_ID']}"
    run_url = run_url or env.get("CI_PIPELINE_URL") or env.get("CI_JOB_URL") or env.get("BUILD_URL")
    if not (ref and commit) and (target / ".git").exists():
        hardened = scanner_environment(git_environment(target))

        def git(*args: str) -> str | None:
            try:
                done = subprocess.run(
                    ["git", "-C", str(target), *args],
                    capture_output=True,
                    text=True,
                    timeout=10,
                    env=hardened,
                    check=False,
                )
            except (OSError, subprocess.SubprocessError):
                return None
            return done.stdout.strip() or None if done.returncode == 0 else None

        ref = ref or git("rev-parse", "--abbrev-ref", "HEAD")
        commit = commit or git("rev-parse", "HEAD")
    # utf8_safe: a checkout in a folder whose name is not UTF-8 must not make the report unwritable
    name = utf8_safe(repository or target.resolve().name)
    return Target(path=utf8_safe(str(target)), repository=name, ref=ref, commit=commit, run_url=run_url)


@dataclass(frozen=True)
class Analysis:
    report: Report
    raw: dict[str, str]


def hide_secret_lines(results: Sequence[LayerResult]) -> list[LayerResult]:
    """Every layer's code lines and autofixes that overlap a secret's lines (whichever scanner
    found the secret) replaced by SECRET_LINE, in the findings and in raw/."""
    ranges = secret_ranges(f for r in results for f in r.findings)
    if not ranges:
        return list(results)
    hidden_results = []
    for result in results:
        found = overlapping(result.findings, ranges)
        if not found:
            hidden_results.append(result)
            continue
        findings = list(result.findings)
        for index, finding in found:
            findings[index] = hidden(finding)
        places = {(f.path or "", f.line or 0) for _, f in found}
        hidden_results.append(
            result.model_copy(update={"findings": findings, "raw": _hide_in_raw(result.name, result.raw, places)})
        )
    return hidden_results


def _hide_in_raw(layer: str, raw: str | None, places: set[tuple[str, int]]) -> str | None:
    hide = RAW_LINE_HIDERS.get(catalog.scanner_of(layer).name)
    if raw is None or hide is None:
        return raw
    import json

    try:
        document = json.loads(raw)
    except (ValueError, RecursionError):
        return raw
    hide(document, places)
    return json.dumps(document, indent=2, ensure_ascii=False)


def gate_findings(
    results: Sequence[LayerResult],
    config: Config,
    baseline: frozenset[str] | None,
    today: dt.date,
    source_root: Path | None = None,
) -> tuple[list[Finding], list[str]]:
    outcome = gate_outcome(results, config, baseline, today, source_root)
    return outcome.findings, outcome.warnings


def gate_outcome(
    results: Sequence[LayerResult],
    config: Config,
    baseline: frozenset[str] | None,
    today: dt.date,
    source_root: Path | None = None,
) -> ExceptionOutcome:
    """Normalized findings with every exception (operator, repository) and the baseline applied."""
    licensed = apply_license_policy([f for r in results for f in r.findings], config.policy.licenses)
    findings = normalize(licensed.findings)
    outcome = apply_exceptions(findings, config, source_root, today)
    findings, warnings = apply_suppressions(outcome.findings, list(config.suppress), today)
    if licensed.note:
        warnings = [*warnings, licensed.note]
    exceptions = list(outcome.exceptions)
    for entry in config.suppress:
        hid = [
            f.id
            for f in findings
            if f.suppression is not None and f.suppression.source == "policy" and matches(entry, f)
        ]
        exceptions.append(
            ExceptionEntry(
                kind="suppress",
                origin="operator",
                source=operator_config_name(config),
                pattern=describe(entry),
                applied=True,
                hid=hid,
            )
        )
    if baseline is not None:
        findings = apply_baseline(findings, baseline)
    findings = with_risk(findings, config.policy.threshold(Category.LICENSE))
    return ExceptionOutcome(
        findings=findings, exceptions=exceptions, warnings=[*outcome.warnings, *warnings], refused=outcome.refused
    )


async def analyze(
    results: Sequence[LayerResult],
    prepared: Prepared,
    options: Options,
    *,
    mode: str,
    target: Target,
    source_root: Path | None = None,
) -> Analysis:
    """From layer results to the final report (nothing written yet), within the time budget.
    `source_root`: the scanned tree, if there is one (the AI prompt then shows source lines)."""
    with analysis_budget(
        budget.DEFAULT_ANALYSIS_BUDGET_S if options.analysis_budget_s is None else options.analysis_budget_s
    ):
        return await _analyze(results, prepared, options, mode=mode, target=target, source_root=source_root)


async def _analyze(
    results: Sequence[LayerResult],
    prepared: Prepared,
    options: Options,
    *,
    mode: str,
    target: Target,
    source_root: Path | None = None,
) -> Analysis:
    now = options.now()
    today = options.today or now.date()
    config = prepared.config
    results = hide_secret_lines(results)
    gated = gate_outcome(results, config, prepared.baseline, today, source_root)
    findings, warnings = gated.findings, list(gated.warnings)
    check("the policy gate")
    facts = GateFacts(
        findings, [LayerOutcome(name=r.name, status=r.status, error=r.error) for r in results], config.policy
    )
    decision = _with_refusals(decide(facts), gated.refused)
    layer_errors = [layer_error_line(r.name, r.error) for r in results if r.status == "error" and r.error]
    synthesis = await synthesize(
        SynthesisInput(
            findings=findings,
            gate=decision,
            layer_errors=layer_errors,
            repository=target.repository,
            source_root=source_root,
            exceptions_notice=_exceptions_notice(gated.exceptions, findings),
        ),
        config,
        options,
    )
    check("the synthesis")
    final = decision
    triaged = with_triage(findings, synthesis.synthesis.triage)
    if synthesis.synthesis.source == "ai" and synthesis.synthesis.ai_verdict == "fail":
        final = stricter(decision, facts, AIFlag(synthesis.synthesis.verdict_reason or "risk too high"))
    for result in results:
        warnings += [f"{result.name}: {note}" for note in result.notes]
    per_layer = Counter(f.layer for f in findings)
    report = Report(
        verdict=final.verdict,
        reasons=final.reasons,
        layers=[
            LayerReport(
                name=r.name,
                status=r.status,
                error=r.error,
                version=r.version,
                findings=per_layer[r.name],
                duration_s=r.duration_s,
                notes=r.notes,
                cached=r.cached,
                scope=r.scope,
            )
            for r in results
        ],
        findings=triaged,
        synthesis=synthesis.synthesis,
        usage=synthesis.usage,
        secscan_version=__version__,
        generated_at=now.replace(microsecond=0).isoformat(),
        mode="scan" if mode == "scan" else "report",
        target=target,
        counts=count_findings(findings),
        warnings=warnings,
        config=ConfigProvenance(
            files=list(config.trust.files), repository_exceptions=config.policy.repository_exceptions
        ),
        exceptions=gated.exceptions,
    )
    return Analysis(report=report, raw={r.name: r.raw for r in results if r.raw is not None})


def with_triage(findings: list[Finding], triage: Sequence[FindingTriage]) -> list[Finding]:
    """Each finding with the model's label, if it gave one: shown in the reports, never read by the gate."""
    if not triage:
        return findings
    by_id = {t.finding_id: Triage(label=t.label, reason=t.reason) for t in triage}
    return [f.model_copy(update={"triage": by_id[f.id]}) if f.id in by_id else f for f in findings]


def _exceptions_notice(exceptions: Sequence[ExceptionEntry], findings: Sequence[Finding]) -> str | None:
    hidden = sum(len(e.hid) for e in exceptions if e.applied)
    files = sum(e.files or 0 for e in exceptions if e.applied and e.kind == "exclude")
    if not hidden and not files:
        return None
    return f"exceptions hid {hidden} finding(s) and excluded {files} file(s): see the exceptions list"


def _with_refusals(decision: GateDecision, refused: list[str]) -> GateDecision:
    if not refused:
        return decision
    return decision.model_copy(update={"verdict": "fail", "reasons": [*refused, *decision.reasons]})


def _credentials(options: Options) -> Credentials:
    """The run's credentials: the caller's, else the environment's (a caller of `analyze` alone)."""
    return options.credentials or Credentials.from_environment()


async def synthesize(data: SynthesisInput, config: Config, options: Options) -> SynthesisResult:
    """The AI synthesis when a key is configured; the deterministic one otherwise or on any failure."""
    from secscan.synthesis import deterministic

    credentials = _credentials(options)
    if not options.no_ai and credentials.openai_api_key is not None:
        try:
            from secscan.synthesis import ai
        except ImportError as exc:
            return SynthesisResult(
                synthesis=deterministic.build(data, error=f"AI layer unavailable: {exc}"), usage=None
            )
        return await ai.synthesize_or_fall_back(data, config, credentials)
    return SynthesisResult(synthesis=deterministic.build(data), usage=None)


def deliver(report: Report, options: Options, config: Config) -> Report:
    """Post to Slack and the pull request when configured; a failure is recorded, never fatal."""
    report = comment_on_pull_request(report, options)
    if options.no_slack or not config.slack.enabled:
        return report
    try:
        from secscan.outputs import slack
    except ImportError:
        return report
    credentials = _credentials(options)
    if not slack.configured(credentials):
        return report
    outcome: Delivery = slack.post_report(report, config, attachments_dir=options.out_dir, credentials=credentials)
    return report.model_copy(update={"slack": outcome})


def comment_on_pull_request(report: Report, options: Options) -> Report:
    """The one secscan comment on the pull request (GitHub Actions, GITHUB_TOKEN given)."""
    if options.no_pr_comment or report.mode != "scan":
        return report
    from secscan.outputs import github_comment

    pull = github_comment.target()
    if pull is None:
        return report
    outcome = pull if isinstance(pull, Delivery) else github_comment.post_or_update(report, pull)
    return report.model_copy(update={"pr_comment": outcome})


# Far above any real scanner output we have seen (a 100,000-finding gitleaks report is ~60 MB).
MAX_INPUT_BYTES = 2 << 30


def read_input_file(path: Path, what: str) -> bytes:
    """A regular file under MAX_INPUT_BYTES (`input_files.read_regular_file`)."""
    return read_regular_file(path, f"--{what}", MAX_INPUT_BYTES)


def results_from_files(
    inputs: dict[LayerName, Path | None], source_root: Path | None, *, allow_empty: bool = False
) -> list[LayerResult]:
    """`secscan report`: each given file parsed by its layer; layers with no file are skipped."""
    if not allow_empty and not any(inputs.values()):
        flags = ", ".join(f"--{name}" for name in catalog.layer_names())
        raise ConfigError(f"secscan report needs at least one of {flags}")
    results = []
    for name, path in inputs.items():
        if path is None:
            results.append(LayerResult(name=name, status="skipped"))
            continue
        data = read_input_file(path, name)
        layer = LAYERS[name]
        raw: str | None = None
        try:
            document, raw = layer.ingest(data)
            parsed = layer.parse_document(document, source_root)
        except Exception as exc:  # noqa: BLE001 - a bug of ours fails closed as a layer error, not a crash
            if isinstance(exc, ScannerError):
                error = f"{path.name}: {exc}"
            else:
                error = " ".join(
                    redact_text(f"{path.name}: {name}: internal error: {type(exc).__name__}: {exc}")[:400].split()
                )
            if raw is None:  # not even read as JSON: keep the text, masked
                raw = redact_text(data.decode(errors="replace"))
            results.append(LayerResult(name=name, status="error", error=error, raw=raw))
            continue
        results.append(
            LayerResult(
                name=name,
                status="error" if parsed.errors else "ok",
                error=f"{name} reported {len(parsed.errors)} error(s): {parsed.errors[0]}" if parsed.errors else None,
                version=parsed.version,
                findings=parsed.findings,
                raw=raw,
                notes=parsed.notes,
            )
        )
    return results


def results_from_raw(raw_dir: Path, source_root: Path | None) -> list[LayerResult]:
    """`secscan report --raw DIR`: the layers as an earlier run recorded them in raw/.

    With raw/manifest.json each layer comes back with the status, error and version the run
    recorded (a layer that failed fails again; one whose output went missing is an error);
    without one (raw/ of an older secscan), each <layer>.json present is read as its input."""
    if not raw_dir.is_dir():
        raise ConfigError(f"--raw {raw_dir}: not a directory")
    manifest_path = raw_dir / "manifest.json"
    if not manifest_path.exists():
        inputs = {name: raw_dir / f"{name}.json" for name in LAYER_NAMES if (raw_dir / f"{name}.json").exists()}
        if not inputs:
            raise ConfigError(f"--raw {raw_dir}: no manifest.json and no <layer>.json in it")
        return results_from_files({name: inputs.get(name) for name in LAYER_NAMES}, source_root)
    try:
        manifest = RawManifest.model_validate_json(read_input_file(manifest_path, "raw"))
    except ValidationError as exc:
        raise ConfigError(f"--raw {manifest_path}: not a secscan raw/ manifest: {exc.errors()[0]['msg']}") from None
    results = []
    for entry in {layer.name: layer for layer in manifest.layers}.values():
        results.append(_restored(entry, raw_dir, source_root))
    return results


def _restored(entry: RawLayer, raw_dir: Path, source_root: Path | None) -> LayerResult:
    if entry.status == "skipped":
        return LayerResult(name=entry.name, status="skipped", version=entry.version)
    path = raw_dir / entry.file if entry.file and Path(entry.file).name == entry.file else None
    if path is not None and path.exists():
        [parsed] = results_from_files({entry.name: path}, source_root)
    elif entry.status == "ok":
        missing = entry.file or f"{entry.name}.json"
        return LayerResult(
            name=entry.name,
            status="error",
            version=entry.version,
            error=f"raw/{missing} is missing: the layer's output cannot be judged again",
        )
    else:
        parsed = LayerResult(name=entry.name, status="error")
    if entry.status == "error":  # as it failed then: its partial output is kept, the gate still fails
        return parsed.model_copy(
            update={
                "status": "error",
                "error": entry.error or parsed.error or "failed (no message recorded)",
                "version": entry.version or parsed.version,
                "notes": entry.notes or parsed.notes,
            }
        )
    return parsed.model_copy(update={"version": parsed.version or entry.version, "notes": entry.notes or parsed.notes})


def finish(analysis: Analysis, options: Options, config: Config) -> Report:
    """Write every output, then notify; report.json is written last and records the delivery."""
    from secscan.outputs import write_outputs, write_report_json

    report = analysis.report
    problems = write_outputs(report, analysis.raw, options.out_dir)
    if problems:
        report = report.model_copy(update={"warnings": [*report.warnings, *problems]})
    write_report_json(report, options.out_dir)
    delivered = deliver(report, options, config)
    if delivered is not report:
        report = delivered
        write_report_json(report, options.out_dir)
    return report


async def scan(target: Path, options: Options, progress: ProgressCallback | None = None) -> Report:
    if not target.exists():
        raise ConfigError(f"{target}: no such file or directory")
    if not target.is_dir():
        raise ConfigError(f"{target}: is a file, not a directory: give the folder of the repository to scan")
    prepared = prepare(options, target)
    options = replace(options, credentials=prepared.credentials)
    selected_layers(options, prepared.config)
    scope = await resolve_scope(options, target)
    results = await run_layers(target, options, prepared, progress, scope)
    analysis = await analyze(
        results,
        prepared,
        options,
        mode="scan",
        target=_git_target(target.resolve(), options.commit, options.ref),
        source_root=target.resolve(),
    )
    if options.since is not None:
        analysis = Analysis(report=with_diff(analysis.report, options.since, scope), raw=analysis.raw)
    if options.image is not None:
        analysis = Analysis(
            report=analysis.report.model_copy(
                update={"target": analysis.report.target.model_copy(update={"image": utf8_safe(str(options.image))})}
            ),
            raw=analysis.raw,
        )
    return finish(analysis, options, prepared.config)


async def resolve_scope(options: Options, target: Path) -> DiffScope | None:
    """--since: the change's scope, with git run by the run's executor (in a container for the module)."""
    if options.since is None:
        return None
    token = EXECUTOR.set(options.executor)
    try:
        return await resolve(options.since, target)
    finally:
        EXECUTOR.reset(token)


def with_diff(report: Report, since: str, scope: DiffScope | None) -> Report:
    """The report of a --since scan: its base, and "N new in this change, M already on the base"."""
    if scope is None:  # --since auto outside a pull/merge request
        note = (
            f"--since {since}: no pull/merge request base found (GITHUB_BASE_REF, GITHUB_EVENT_PATH, "
            "CI_MERGE_REQUEST_DIFF_BASE_SHA, CHANGE_TARGET): scanned everything"
        )
        return report.model_copy(update={"warnings": [*report.warnings, note]})
    status = report.counts.get("status", {})
    new, existing = status.get("new", 0), status.get("existing", 0)
    diff = DiffReport(
        since=utf8_safe(redact_text(scope.since)),
        merge_base=scope.merge_base,
        head=scope.head,
        changed_files=len(scope.added) + len(scope.deleted),
        new=new,
        existing=existing,
        summary=f"{new} new in this change, {existing} already on the base",
    )
    return report.model_copy(update={"diff": diff})


async def report_from_files(
    inputs: dict[LayerName, Path | None],
    options: Options,
    source_root: Path | None = None,
    *,
    adjust: Callable[[LayerResult], LayerResult] | None = None,
    raw_dir: Path | None = None,
) -> Report:
    """The same pipeline on scanner JSON produced elsewhere (CI artifacts, the Dagger module).

    `adjust` lets a caller that ran the scanners itself (the Dagger module) fold what it saw
    while running them (a layer error, a note) into each layer's result.
    """
    # The repository config is the scanned tree's (--source); without one, the working directory's,
    # and only when no operator config was given (as before: --config alone decides then).
    prepared = prepare(options, source_root or (Path.cwd() if options.config_path is None else None))
    options = replace(options, credentials=prepared.credentials)
    if raw_dir is not None:
        results = results_from_raw(raw_dir, source_root)
    else:
        results = results_from_files(inputs, source_root, allow_empty=adjust is not None)
    if adjust is not None:
        results = [adjust(result) for result in results]
    target = _git_target(source_root.resolve()) if source_root else Target()
    analysis = await analyze(results, prepared, options, mode="report", target=target, source_root=source_root)
    return finish(analysis, options, prepared.config)
