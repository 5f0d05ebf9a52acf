"""The engine-free half of the Dagger module (`secscan.main`).

Everything here is plain Python and runs without a Dagger engine, so tests can
exercise it directly: the pinned scanner images, the scanner command lines (built
by the very `command()` methods the local layers use, so the flags cannot drift),
how a scanner container's exit code / stderr / report are judged, and the
analysis: scanner outputs written to a temp dir and handed to
`secscan.pipeline.report_from_files`, the same pipeline as `secscan report`.

Nothing in this module imports `dagger`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from secscan import catalog
from secscan.config import Config
from secscan.errors import ConfigError, ParseError
from secscan.findings.model import LAYER_NAMES, LayerName
from secscan.pipeline import Options, report_from_files
from secscan.report import Report
from secscan.results import LayerResult
from secscan.scanners import gitleaks as gitleaks_scanner
from secscan.scanners import semgrep as semgrep_scanner
from secscan.scanners import trivy as trivy_scanner
from secscan.scanners.interface import ScanContext
from secscan.scanners.process import last_meaningful_line

# The pinned scanner images (tag and digest, with where each digest was read) live in the catalog.
GITLEAKS_IMAGE = catalog.GITLEAKS_IMAGE
SEMGREP_IMAGE = catalog.SEMGREP_IMAGE
TRIVY_IMAGE = catalog.TRIVY_IMAGE
IMAGES: Mapping[str, str] = {spec.name: spec.image for spec in catalog.SCANNERS}
PINNED_IMAGE = catalog.PINNED_IMAGE

# Where things live inside the scanner containers.
SOURCE_PATH = "/src"
RULES_PATH = "/secscan/rules"
IMAGE_TARBALL_PATH = "/secscan/image.tar"
REPORT_DIR = "/tmp"  # writable in all three images
TRIVY_CACHE_VOLUME = "secscan-trivy-cache"
TRIVY_CACHE_PATH = "/root/.cache/trivy"  # the trivy image runs as root
# mirror.gcr.io first (no GitHub rate limits), ghcr.io as the fall-back.
TRIVY_DB_REPOSITORIES: tuple[str, ...] = ("mirror.gcr.io/aquasec/trivy-db:2", "ghcr.io/aquasecurity/trivy-db:2")
# Set on trivy execs so the layer cache cannot serve yesterday's vulnerability results.
TRIVY_DB_DAY_VARIABLE = "SECSCAN_TRIVY_DB_DAY"

# The output files (see CONTRACT.md "Outputs").
REPORT_JSON = "report.json"
SARIF = "secscan.sarif"
MARKDOWN = "report.md"
HTML = "report.html"


def report_path(layer: LayerName) -> str:
    return f"{REPORT_DIR}/{layer}.json"


# ---------------------------------------------------------------------------------------------
# Command lines: the local layers' own `command()` methods, pointed at container paths.
# ---------------------------------------------------------------------------------------------


def gitleaks_command(mode: str) -> list[str]:
    """`gitleaks git|dir ...` with exactly the local layer's flags, run in /src.

    `dir` mode reports paths as given: scanning "." from /src keeps them repo-relative.
    """
    target = Path(".") if mode == "dir" else Path(SOURCE_PATH)
    return gitleaks_scanner.LAYER.command("gitleaks", mode, target, Path(report_path("gitleaks")))


def git_env() -> dict[str, str]:
    """Let git read /src whoever owns it (the local layer's safe.directory settings, for /src)."""
    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "safe.directory",
        "GIT_CONFIG_VALUE_0": SOURCE_PATH,
        "GIT_TERMINAL_PROMPT": "0",
    }


def semgrep_configs(config: Config, bundled_only: bool = False) -> list[str]:
    """The bundled rule pack (mounted at RULES_PATH) plus any configs the user's config adds."""
    return [RULES_PATH] if bundled_only else [RULES_PATH, *config.scan.semgrep_config]


def semgrep_command(config: Config, bundled_only: bool = False) -> list[str]:
    """`semgrep scan ... .` (run in /src) with the local layer's offline flags."""
    return semgrep_scanner.LAYER.command(
        "semgrep",
        semgrep_configs(config, bundled_only),
        Path(report_path("semgrep")),
        list(config.scan.exclude),
        config.scan.timeout_for("semgrep"),
    )


def semgrep_env() -> dict[str, str]:
    offline: dict[str, str] = semgrep_scanner.OFFLINE_ENV
    return {**offline, **git_env()}


def with_db_repositories(config: Config) -> Config:
    """The user's trivy DB repositories, or ours (mirror.gcr.io, then ghcr.io)."""
    if config.scan.trivy_db_repositories:
        return config
    scan = config.scan.model_copy(update={"trivy_db_repositories": list(TRIVY_DB_REPOSITORIES)})
    return config.model_copy(update={"scan": scan})


def trivy_command(layer: LayerName, config: Config, scanners: tuple[str, ...] | None = None) -> list[str]:
    """`trivy fs /src` or `trivy image --input IMAGE_TARBALL_PATH`, with the local layer's flags.

    The cache dir is the cache volume's mount point; the DB repositories come from the config, or
    are ours when the config names none.
    """
    trivy_layer = trivy_scanner.IMAGE_LAYER if catalog.is_image_layer(layer) else trivy_scanner.FS_LAYER
    context = ScanContext(target=Path(SOURCE_PATH), workdir=Path(REPORT_DIR), config=with_db_repositories(config))
    subject = ["--input", IMAGE_TARBALL_PATH] if catalog.is_image_layer(layer) else [SOURCE_PATH]
    # The local layer reads TRIVY_CACHE_DIR from the environment: build the command with it set
    # to the container's cache path (synchronous, so nothing else can see the temporary value).
    with scoped_environ({"TRIVY_CACHE_DIR": TRIVY_CACHE_PATH}):
        return trivy_layer.command(
            "trivy", subject, Path(report_path(layer)), scanners or trivy_layer.scanners, context
        )


def trivy_scanners(layer: LayerName) -> tuple[str, ...]:
    return (trivy_scanner.IMAGE_LAYER if catalog.is_image_layer(layer) else trivy_scanner.FS_LAYER).scanners


def db_day(now: dt.datetime | None = None) -> str:
    return (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d")


# ---------------------------------------------------------------------------------------------
# Judging a scanner container: by its exit code, stderr and report, never by the exec failing.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScannerRun:
    """What a scanner container left behind (its exec always 'succeeds': expect=ANY)."""

    layer: LayerName
    exit_code: int
    stderr: str
    report: str | None  # the JSON report file, None when the scanner wrote none


@dataclass(frozen=True)
class Judged:
    """A layer's scanner output for the pipeline, or why there is none."""

    layer: LayerName
    output: str | None = None  # raw scanner JSON, as the scanner wrote it
    error: str | None = None  # set: the layer is an error (findings in `output`, if any, are kept)
    notes: tuple[str, ...] = ()
    db_unavailable: bool = False  # trivy could not get its vulnerability DB: re-run without `vuln`


def _line(run: ScannerRun) -> str:
    return last_meaningful_line(run.stderr, 300) or f"exit code {run.exit_code}"


def judge_gitleaks(run: ScannerRun) -> Judged:
    # --exit-code 2: 0 = nothing found, 2 = leaks found; anything else is gitleaks failing.
    if run.exit_code not in (0, 2):
        return Judged(run.layer, error=f"gitleaks failed (exit {run.exit_code}): {_line(run)}")
    if run.report is None:
        return Judged(run.layer, error="gitleaks wrote no report")
    return Judged(run.layer, output=run.report)


def judge_semgrep(run: ScannerRun) -> Judged:
    # 0 = clean, 1 = findings; another code is a failure unless semgrep's report explains it
    # (then the pipeline turns the report's own `errors` into the layer error, as locally).
    if run.report is None:
        return Judged(run.layer, error=f"semgrep failed (exit {run.exit_code}): {_line(run)}")
    if run.exit_code in (0, 1):
        return Judged(run.layer, output=run.report)
    try:
        parsed = semgrep_scanner.parse(run.report.encode())
    except ParseError as exc:
        return Judged(run.layer, error=f"semgrep failed (exit {run.exit_code}): {_line(run)} ({exc})")
    if not parsed.errors:
        return Judged(run.layer, error=f"semgrep failed (exit {run.exit_code}): {_line(run)}")
    return Judged(run.layer, output=run.report)


def semgrep_fetch_failed(judged: Judged, run: ScannerRun) -> bool:
    """An extra (registry) config could not be fetched: worth a re-run with the bundled rules only."""
    text = run.stderr + (judged.error or "")
    if judged.output is not None and run.exit_code not in (0, 1):
        with contextlib.suppress(ParseError):
            text += " ".join(semgrep_scanner.parse(judged.output.encode()).errors)
    return bool(semgrep_scanner._FETCH_FAILURE.search(text)) and run.exit_code not in (0, 1)


def judge_trivy(run: ScannerRun) -> Judged:
    if run.exit_code != 0:
        if trivy_scanner._DB_FAILURE.search(run.stderr):
            return Judged(run.layer, db_unavailable=True, error=db_unavailable_error(run.layer, _line(run)))
        return Judged(run.layer, error=f"{run.layer} failed (exit {run.exit_code}): {_line(run)}")
    if run.report is None:
        return Judged(run.layer, error=f"{run.layer} wrote no report")
    return Judged(run.layer, output=run.report)


def judge(run: ScannerRun) -> Judged:
    if run.layer == "gitleaks":
        return judge_gitleaks(run)
    if run.layer == "semgrep":
        return judge_semgrep(run)
    if catalog.scanner_of(run.layer).name == "trivy":  # an unknown layer is a ConfigError, never trivy
        return judge_trivy(run)
    raise ConfigError(f"no judge for layer {run.layer!r}")


def db_unavailable_error(layer: LayerName, detail: str) -> str:
    """The local layer's message for a trivy run whose vulnerability DB was out of reach."""
    from secscan.scanners.trivy import db_unavailable_message

    return db_unavailable_message(layer, detail[:160])


# ---------------------------------------------------------------------------------------------
# The analysis: the same pipeline as `secscan report`.
# ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def scoped_environ(values: Mapping[str, str | None]) -> Iterator[None]:
    """Set environment variables for the duration of a block, then restore exactly what was there."""
    saved = {name: os.environ.get(name) for name in values}
    try:
        for name, value in values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


def write_inputs(outputs: Mapping[LayerName, str | None], directory: Path) -> dict[LayerName, Path | None]:
    """Each scanner output as `<layer>.json`, in the layer order `secscan report` uses."""
    inputs: dict[LayerName, Path | None] = {}
    for layer in LAYER_NAMES:
        text = outputs.get(layer)
        if text is None:
            inputs[layer] = None
            continue
        path = directory / f"{layer}.json"
        path.write_text(text, encoding="utf-8")
        inputs[layer] = path
    return inputs


def _with_issue(result: LayerResult, judged: Judged | None) -> LayerResult:
    if judged is None or (judged.error is None and not judged.notes):
        return result
    update: dict[str, object] = {"notes": [*result.notes, *judged.notes]}
    if judged.error is not None:
        error = judged.error if result.status != "error" or not result.error else f"{result.error}; {judged.error}"
        update.update(status="error", error=error)
    return result.model_copy(update=update)


async def analyze_outputs(
    outputs: Mapping[LayerName, str | None],
    options: Options,
    source_root: Path | None = None,
    issues: Mapping[LayerName, Judged] | None = None,
) -> Report:
    """The scanner outputs through the `secscan report` pipeline; writes every output to options.out_dir.

    `outputs` maps a layer to its raw JSON; a layer that is absent or None was not run (skipped).
    `issues` carries layer errors / notes found while judging the containers; without any, this is
    exactly `report_from_files` on the outputs written as files.
    """
    problems = {layer: judged for layer, judged in (issues or {}).items() if judged.error or judged.notes}
    with tempfile.TemporaryDirectory(prefix="secscan-inputs-") as scratch:
        inputs = write_inputs(outputs, Path(scratch))
        if not problems:
            return await report_from_files(inputs, options, source_root)
        return await report_from_files(
            inputs, options, source_root, adjust=lambda result: _with_issue(result, problems.get(result.name))
        )


def summary_text(report: Report, width: int = 110) -> str:
    """The terminal summary (`secscan scan`'s), as plain text."""
    from rich.console import Console

    from secscan.outputs.terminal import print_summary

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False, highlight=False)
    print_summary(report, console)
    return buffer.getvalue()


def secret_environment(
    openai_api_key: str | None,
    slack_webhook: str | None,
    slack_token: str | None,
    slack_channel: str | None,
    model: str | None,
) -> dict[str, str | None]:
    """The pipeline's environment contract (CONTRACT.md "Environment") for one analysis.

    Every variable is named, set or not, so `scoped_environ` also clears a stale value.
    """
    return {
        "OPENAI_API_KEY": openai_api_key or None,
        "SECSCAN_MODEL": model or None,
        "SLACK_WEBHOOK_URL": slack_webhook or None,
        "SLACK_BOT_TOKEN": slack_token or None,
        "SLACK_CHANNEL": slack_channel or None,
    }


def git_environment(commit: str | None, ref: str | None) -> dict[str, str | None]:
    """Commit and branch for the report header, through the variables the pipeline already reads.

    The module runtime has no git and no CI variables; without these, report.json would name no
    commit. Only set when known, and never over a value that is already there.
    """
    values: dict[str, str | None] = {}
    if commit and not os.environ.get("GIT_COMMIT"):
        values["GIT_COMMIT"] = commit
    if ref and not os.environ.get("BRANCH_NAME"):
        values["BRANCH_NAME"] = ref.removeprefix("refs/heads/")
    return values


def safe_name(name: str | None, fallback: str) -> str:
    """A file or directory name taken from the engine, reduced to one harmless path component."""
    base = (name or "").replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    base = re.sub(r"[^A-Za-z0-9._-]", "_", base).lstrip(".")
    return base or fallback
