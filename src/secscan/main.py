"""secscan as a Dagger module: the scanners in pinned containers, the analysis in the module runtime.

Gitleaks, Semgrep and Trivy run concurrently, each in its official image pinned by digest, on the
source directory (with its `.git`, for the history scan). Their raw JSON comes back to this module
and goes through `secscan.pipeline.report_from_files`, the same pipeline as `secscan report`, so a
CI run and a local run on the same scanner outputs give the same report.

    dagger call security-scan --source .                       # summary; fails when the gate fails
    dagger call scan --source . outputs export --path secscan-report   # every output, pass or fail
    dagger call gitleaks --source . export --path gitleaks.json        # one layer's redacted JSON
"""

# No `from __future__ import annotations`: the SDK reads field docs from the evaluated annotations.
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Annotated, cast

import anyio
import dagger
from dagger import DefaultPath, Doc, ReturnType, dag, field, function, object_type

from secscan import catalog
from secscan import dagger_support as support
from secscan.config import Config, load_config
from secscan.errors import GateFailed, ScanFailed, SecscanError
from secscan.findings.model import LayerName
from secscan.pipeline import Options
from secscan.report import Report

SourceArg = Annotated[
    dagger.Directory,
    DefaultPath("/"),
    Doc("The repository to scan, with its .git directory (gitleaks scans the full history). Default: the repository root"),
]
ImageArg = Annotated[
    dagger.Container | None,
    Doc("A container image to scan too (trivy-image layer), e.g. --image alpine:3.20 or a container built earlier"),
]
ImageTarballArg = Annotated[
    dagger.File | None,
    Doc("A container image to scan too, as a docker-save or OCI tarball (instead of --image)"),
]
ConfigArg = Annotated[
    dagger.File | None,
    Doc("secscan policy/config file (secscan.toml, or a pyproject.toml with [tool.secscan]). Default: the one in the source"),
]
BaselineArg = Annotated[
    dagger.File | None,
    Doc("An earlier report.json: only findings not in it can fail the gate"),
]
OpenAIKeyArg = Annotated[
    dagger.Secret | None,
    Doc("OpenAI (or compatible) API key: turns the AI synthesis on. Pass it as a secret, e.g. env://OPENAI_API_KEY"),
]
SlackWebhookArg = Annotated[
    dagger.Secret | None,
    Doc("Slack incoming-webhook URL, as a secret (e.g. env://SLACK_WEBHOOK_URL): post the report there"),
]
SlackTokenArg = Annotated[
    dagger.Secret | None,
    Doc("Slack bot token, as a secret (e.g. env://SLACK_BOT_TOKEN): post through the Web API (needs --slack-channel)"),
]
SlackChannelArg = Annotated[str | None, Doc("Slack channel for --slack-token, e.g. #security")]
ModelArg = Annotated[str | None, Doc("Model for the AI synthesis (default gpt-4o)")]


# ---------------------------------------------------------------------------------------------
# Scanner containers. These only build lazy queries: nothing runs until a result is awaited.
# ---------------------------------------------------------------------------------------------


def _with_env(container: dagger.Container, env: dict[str, str]) -> dagger.Container:
    for name, value in sorted(env.items()):
        container = container.with_env_variable(name, value)
    return container


def gitleaks_container(source: dagger.Directory, mode: str) -> dagger.Container:
    """gitleaks on /src (`git` mode: the full history from .git; `dir` mode: the files only)."""
    container = (
        dag.container()
        .from_(support.GITLEAKS_IMAGE)
        .with_mounted_directory(support.SOURCE_PATH, source)
        .with_workdir(support.SOURCE_PATH)
    )
    return _with_env(container, support.git_env()).with_exec(support.gitleaks_command(mode), expect=ReturnType.ANY)


def rules_directory() -> dagger.Directory:
    """secscan's bundled semgrep rules, from this module's own source."""
    return dag.current_module().source().directory("src/secscan/rules")


def semgrep_container(
    source: dagger.Directory, rules: dagger.Directory, config: Config, bundled_only: bool = False
) -> dagger.Container:
    container = (
        dag.container()
        .from_(support.SEMGREP_IMAGE)
        .with_mounted_directory(support.SOURCE_PATH, source)
        .with_mounted_directory(support.RULES_PATH, rules)
        .with_workdir(support.SOURCE_PATH)
    )
    command = support.semgrep_command(config, bundled_only)
    return _with_env(container, support.semgrep_env()).with_exec(command, expect=ReturnType.ANY)


def trivy_container(
    layer: LayerName,
    config: Config,
    source: dagger.Directory | None = None,
    tarball: dagger.File | None = None,
    scanners: tuple[str, ...] | None = None,
    day: str | None = None,
) -> dagger.Container:
    """`trivy fs /src` or `trivy image --input` on a tarball (no Docker socket), DBs in a cache volume."""
    container = (
        dag.container()
        .from_(support.TRIVY_IMAGE)
        # LOCKED: one trivy at a time on the cache (its BoltDB does not take concurrent writers).
        .with_mounted_cache(
            support.TRIVY_CACHE_PATH,
            dag.cache_volume(support.TRIVY_CACHE_VOLUME),
            sharing=dagger.CacheSharingMode.LOCKED,
        )
        .with_env_variable(support.TRIVY_DB_DAY_VARIABLE, day or support.db_day())
    )
    if source is not None:
        container = container.with_mounted_directory(support.SOURCE_PATH, source)
    if tarball is not None:
        container = container.with_mounted_file(support.IMAGE_TARBALL_PATH, tarball)
    command = support.trivy_command(layer, config, scanners)
    return container.with_workdir(support.REPORT_DIR).with_exec(command, expect=ReturnType.ANY)


async def collect(layer: LayerName, container: dagger.Container) -> support.ScannerRun:
    """Exit code, stderr and report of a scanner exec that was allowed to exit with anything."""
    exit_code = await container.exit_code()
    stderr = await container.stderr()
    try:
        report: str | None = await container.file(support.report_path(layer)).contents()
    except dagger.QueryError:
        report = None
    return support.ScannerRun(layer=layer, exit_code=exit_code, stderr=stderr, report=report)


async def _run(layer: LayerName, container: dagger.Container) -> tuple[support.Judged, support.ScannerRun | None]:
    try:
        run = await collect(layer, container)
    except dagger.QueryError as exc:  # the container itself could not run (image pull, engine)
        return support.Judged(layer, error=f"{layer}: the scanner container could not run: {exc}"[:600]), None
    return support.judge(run), run


async def run_gitleaks(source: dagger.Directory) -> support.Judged:
    if not await source.exists(".git"):
        judged, _ = await _run("gitleaks", gitleaks_container(source, "dir"))
        note = "not a git repository: scanned the files only (no history)"
        return support.Judged("gitleaks", output=judged.output, error=judged.error, notes=(note,))
    if await source.exists(".git/shallow"):
        return support.Judged(
            "gitleaks",
            error="gitleaks: shallow clone, history cannot be scanned: fetch the full history "
            "(actions/checkout fetch-depth: 0, or git fetch --unshallow)",
        )
    judged, _ = await _run("gitleaks", gitleaks_container(source, "git"))
    return judged


async def run_semgrep(source: dagger.Directory, config: Config) -> support.Judged:
    rules = rules_directory()
    judged, run = await _run("semgrep", semgrep_container(source, rules, config))
    if config.scan.semgrep_config and run is not None and support.semgrep_fetch_failed(judged, run):
        # An extra (registry) config could not be fetched: the bundled rules still run, with a note.
        extra = ", ".join(config.scan.semgrep_config)
        again, _ = await _run("semgrep", semgrep_container(source, rules, config, bundled_only=True))
        note = f"extra semgrep configs could not be loaded ({extra}): ran the bundled rules only"
        return support.Judged("semgrep", output=again.output, error=again.error, notes=(note,))
    return judged


async def run_trivy(
    layer: LayerName, config: Config, source: dagger.Directory | None = None, tarball: dagger.File | None = None
) -> support.Judged:
    judged, _ = await _run(layer, trivy_container(layer, config, source, tarball))
    if not judged.db_unavailable:
        return judged
    # The vulnerability DB is out of reach: keep every other scanner's findings, fail the layer.
    remaining = tuple(s for s in support.trivy_scanners(layer) if s != "vuln")
    again, _ = await _run(layer, trivy_container(layer, config, source, tarball, scanners=remaining))
    if again.error:
        return again
    return support.Judged(layer, output=again.output, error=judged.error)


# ---------------------------------------------------------------------------------------------
# Inputs from the engine into the runtime's file system.
# ---------------------------------------------------------------------------------------------


async def _export_file(file: dagger.File, directory: Path, fallback: str) -> Path:
    name = support.safe_name(await file.name(), fallback)
    path = directory / name
    await file.export(str(path))
    return path


async def _git_metadata(source: dagger.Directory) -> tuple[str | None, str | None]:
    """HEAD's commit and ref, best effort (None when not a git repository)."""
    try:
        head = source.as_git().head()
        return await head.commit(), await head.ref()
    except dagger.DaggerError:
        return None, None


async def _source_name(source: dagger.Directory) -> str:
    try:
        return support.safe_name(await source.name(), "source")
    except dagger.DaggerError:
        return "source"


def _tarball(image: dagger.Container | None, image_tarball: dagger.File | None) -> dagger.File | None:
    if image is not None and image_tarball is not None:
        raise ScanFailed("give --image or --image-tarball, not both")
    return image.as_tarball() if image is not None else image_tarball


def _load_config(config_path: Path | None, source_root: Path) -> Config:
    try:
        return load_config(config_path, source_root)
    except SecscanError as exc:
        raise ScanFailed(f"secscan: {exc}") from None


def _layers(config: Config, tarball: dagger.File | None) -> list[LayerName]:
    layers = list(config.scan.layers)
    if tarball is not None:
        layers += [cast(LayerName, name) for name in catalog.image_layers() if name not in layers]
    for name in layers:
        if catalog.is_image_layer(name) and tarball is None:
            raise ScanFailed(f"secscan: layer {name} needs --image or --image-tarball")
    return layers


async def run_layers(
    source: dagger.Directory, config: Config, layers: list[LayerName], tarball: dagger.File | None
) -> dict[LayerName, support.Judged]:
    """Every selected layer, concurrently; each result lands in its own slot."""
    results: dict[LayerName, support.Judged] = {}

    async def one(layer: LayerName) -> None:
        if layer == "gitleaks":
            results[layer] = await run_gitleaks(source)
        elif layer == "semgrep":
            results[layer] = await run_semgrep(source, config)
        elif catalog.is_image_layer(layer):
            results[layer] = await run_trivy(layer, config, tarball=tarball)
        elif layer == "trivy":
            results[layer] = await run_trivy(layer, config, source=source)
        else:
            raise ScanFailed(f"secscan: no runner for layer {layer!r}")

    async with anyio.create_task_group() as group:
        for layer in layers:
            group.start_soon(one, layer)
    return results


# ---------------------------------------------------------------------------------------------
# The module's objects.
# ---------------------------------------------------------------------------------------------


@object_type
class ScanResult:
    """Every output of one secscan run, whatever the verdict."""

    verdict: Annotated[str, Doc("pass or fail: the policy gate's decision")] = field()
    summary: Annotated[str, Doc("The human summary (what `secscan scan` prints)")] = field()
    outputs: Annotated[
        dagger.Directory, Doc("report.json, secscan.sarif, report.md, report.html and raw/ (redacted scanner JSON)")
    ] = field()
    report: Annotated[dagger.File, Doc("report.json")] = field()
    sarif: Annotated[dagger.File, Doc("secscan.sarif (SARIF 2.1.0, one run per scanner)")] = field()
    markdown: Annotated[dagger.File, Doc("report.md, for a PR comment or $GITHUB_STEP_SUMMARY")] = field()
    html: Annotated[dagger.File, Doc("report.html, one self-contained page")] = field()


@object_type
class Secscan:
    """Gitleaks, Semgrep and Trivy in parallel behind one deterministic policy gate."""

    async def _analyze(
        self,
        source: dagger.Directory,
        image: dagger.Container | None,
        image_tarball: dagger.File | None,
        openai_api_key: dagger.Secret | None,
        slack_webhook: dagger.Secret | None,
        slack_token: dagger.Secret | None,
        slack_channel: str | None,
        model: str | None,
        config: dagger.File | None,
        baseline: dagger.File | None,
    ) -> tuple[Report, str]:
        """Scan, analyze, write every output under the runtime's workdir; (report, that dir, relative)."""
        tarball = _tarball(image, image_tarball)
        work = Path(tempfile.mkdtemp(prefix="secscan-", dir=Path.cwd()))
        inputs = work / "inputs"
        inputs.mkdir()
        # The source, without its history, for config discovery and the code lines in findings.
        source_root = work / "source" / await _source_name(source)
        await source.without_directory(".git").export(str(source_root))
        config_path = await _export_file(config, inputs, "secscan.toml") if config is not None else None
        baseline_path = await _export_file(baseline, inputs, "baseline.json") if baseline is not None else None
        loaded = _load_config(config_path, source_root)
        layers = _layers(loaded, tarball)
        judged = await run_layers(source, loaded, layers, tarball)
        commit, ref = await _git_metadata(source)

        out_dir = work / "out"
        options = Options(out_dir=out_dir, config_path=config_path, baseline_path=baseline_path)
        outputs = {layer: result.output for layer, result in judged.items()}
        # Secrets become plaintext here, only for the pipeline call that makes the HTTP requests,
        # only in this process's environment, and are removed right after.
        environment = support.secret_environment(
            openai_api_key=await openai_api_key.plaintext() if openai_api_key is not None else None,
            slack_webhook=await slack_webhook.plaintext() if slack_webhook is not None else None,
            slack_token=await slack_token.plaintext() if slack_token is not None else None,
            slack_channel=slack_channel,
            model=model,
        )
        try:
            with support.scoped_environ({**environment, **support.git_environment(commit, ref)}):
                report = await support.analyze_outputs(outputs, options, source_root, judged)
        except SecscanError as exc:
            raise ScanFailed(f"secscan: {exc}") from None
        finally:
            environment.clear()
            shutil.rmtree(source_root, ignore_errors=True)
        return report, str(out_dir.relative_to(Path.cwd()))

    # `cache` is accepted by dagger.function but missing from its typing overloads.
    @function(cache="never")  # type: ignore[call-overload, untyped-decorator]
    async def security_scan(
        self,
        source: SourceArg,
        image: ImageArg = None,
        image_tarball: ImageTarballArg = None,
        openai_api_key: OpenAIKeyArg = None,
        slack_webhook: SlackWebhookArg = None,
        slack_token: SlackTokenArg = None,
        slack_channel: SlackChannelArg = None,
        model: ModelArg = None,
        config: ConfigArg = None,
        baseline: BaselineArg = None,
    ) -> str:
        """Run every layer and the policy gate; print the summary, fail when the gate fails.

        Never cached: it may call a model and post to Slack.
        """
        report, _ = await self._analyze(
            source, image, image_tarball, openai_api_key, slack_webhook, slack_token, slack_channel, model, config,
            baseline,
        )
        summary = support.summary_text(report)
        if report.verdict != "pass":
            print(summary, file=sys.stderr)
            raise GateFailed(summary)
        return summary

    @function(cache="never")  # type: ignore[call-overload, untyped-decorator]
    async def scan(
        self,
        source: SourceArg,
        image: ImageArg = None,
        image_tarball: ImageTarballArg = None,
        openai_api_key: OpenAIKeyArg = None,
        slack_webhook: SlackWebhookArg = None,
        slack_token: SlackTokenArg = None,
        slack_channel: SlackChannelArg = None,
        model: ModelArg = None,
        config: ConfigArg = None,
        baseline: BaselineArg = None,
    ) -> ScanResult:
        """Run every layer and the policy gate; return every output, whatever the verdict.

        e.g. `dagger call scan --source . outputs export --path secscan-report`, then read
        report.json's verdict. Never cached: it may call a model and post to Slack.
        """
        report, out_dir = await self._analyze(
            source, image, image_tarball, openai_api_key, slack_webhook, slack_token, slack_channel, model, config,
            baseline,
        )
        outputs = dag.current_module().workdir(out_dir)
        return ScanResult(  # type: ignore[call-arg]  # mypy misses object_type's dataclass_transform
            verdict=report.verdict,
            summary=support.summary_text(report),
            outputs=outputs,
            report=outputs.file(support.REPORT_JSON),
            sarif=outputs.file(support.SARIF),
            markdown=outputs.file(support.MARKDOWN),
            html=outputs.file(support.HTML),
        )

    async def _layer_file(self, judged: support.Judged) -> dagger.File:
        """One layer's redacted JSON as a File; an error when the scanner did not produce one."""
        from secscan.scanners.registry import LAYERS

        if judged.output is None or judged.error is not None:
            raise ScanFailed(judged.error or f"{judged.layer}: no output")
        directory = Path(tempfile.mkdtemp(prefix=f"secscan-{judged.layer}-", dir=Path.cwd()))
        path = directory / f"{judged.layer}.json"
        path.write_text(LAYERS[judged.layer].redact_raw(judged.output.encode()), encoding="utf-8")
        return dag.current_module().workdir_file(str(path.relative_to(Path.cwd())))

    async def _config_for(self, source: dagger.Directory | None, config: dagger.File | None) -> Config:
        """The config a layer's command line needs (excludes, extra semgrep configs, DB repositories)."""
        work = Path(tempfile.mkdtemp(prefix="secscan-config-", dir=Path.cwd()))
        root = work / "source"
        if source is not None:  # whole tree: the config may name a suppressions file beside it
            await source.without_directory(".git").export(str(root))
        config_path = await _export_file(config, work, "secscan.toml") if config is not None else None
        try:
            return _load_config(config_path, root)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    @function
    async def gitleaks(self, source: SourceArg) -> dagger.File:
        """Gitleaks alone (full git history when .git is there): its JSON report, secret values redacted."""
        return await self._layer_file(await run_gitleaks(source))

    @function
    async def semgrep(self, source: SourceArg, config: ConfigArg = None) -> dagger.File:
        """Semgrep alone, with secscan's bundled rules (and any the config adds): its JSON report, redacted."""
        loaded = await self._config_for(source, config)
        return await self._layer_file(await run_semgrep(source, loaded))

    # vulnerability data changes daily: cached for a session only
    @function(cache="session")  # type: ignore[call-overload, untyped-decorator]
    async def trivy_fs(self, source: SourceArg, config: ConfigArg = None) -> dagger.File:
        """Trivy on the source alone (vulnerabilities, secrets, misconfigurations, licences): its JSON, redacted."""
        loaded = await self._config_for(source, config)
        return await self._layer_file(await run_trivy("trivy", loaded, source=source))

    @function(cache="session")  # type: ignore[call-overload, untyped-decorator]
    async def trivy_image(
        self, image: ImageArg = None, image_tarball: ImageTarballArg = None, config: ConfigArg = None
    ) -> dagger.File:
        """Trivy on a container image alone (vulnerabilities, secrets), from its tarball: its JSON, redacted."""
        tarball = _tarball(image, image_tarball)
        if tarball is None:
            raise ScanFailed("trivy-image needs --image or --image-tarball")
        loaded = await self._config_for(None, config)
        return await self._layer_file(await run_trivy("trivy-image", loaded, tarball=tarball))
