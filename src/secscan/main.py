"""secscan as a Dagger module: `secscan scan`'s own pipeline, each scanner command in its pinned image.

The source (with its .git: gitleaks scans history, in_head needs it; filtered by .gitignore as the
local layers filter it) is exported into the module runtime and `secscan.pipeline.scan` runs on it
with a `ContainerExecutor`: every command a layer runs (the scanner, git for the history checks)
becomes a container of that scanner's pinned image with the same argv, the layer's own
environment, the same timeout and the paths it names mounted. The layers judge the results with
the same code as a local run, so a CI run and `secscan scan` give the same report.

    dagger call security-scan --source .                       # summary; fails when the gate fails
    dagger call scan --source . outputs export --path secscan-report   # every output, pass or fail
    dagger call gitleaks --source . export --path gitleaks.json        # one layer's redacted JSON
"""

# No `from __future__ import annotations`: the SDK reads field docs from the evaluated annotations.
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import dagger
from dagger import DefaultPath, Doc, ReturnType, dag, field, function, object_type
from pydantic import SecretStr

from secscan import catalog
from secscan import dagger_support as support
from secscan.credentials import Credentials
from secscan.errors import GateFailed, ScanFailed, ScannerError, SecscanError
from secscan.findings.model import LayerName
from secscan.pipeline import Options, scan
from secscan.report import Report
from secscan.scanners.containers import ContainerExecutor, ContainerPlan, ContainerRun, Relocation, relocate

SourceArg = Annotated[
    dagger.Directory,
    DefaultPath("/"),
    Doc(
        "The repository to scan, with its .git directory (gitleaks scans the full history). Default: the "
        "repository root"
    ),
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
    Doc(
        "secscan policy/config file (secscan.toml, or a pyproject.toml with [tool.secscan]). Default: the one in "
        "the source"
    ),
]
BaselineArg = Annotated[
    dagger.File | None,
    Doc("An earlier report.json: only findings not in it can fail the gate"),
]
SinceArg = Annotated[
    str | None,
    Doc(
        "Diff-aware: scan what changed since merge-base(REF, HEAD), findings new or existing against it; "
        "`auto` reads the CI's pull/merge request base (pass its variables to the module to use it)"
    ),
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
# The runner: a ContainerPlan as a Dagger container. Only the files a plan names leave the runtime.
# ---------------------------------------------------------------------------------------------


def _host_directory(path: str, scratch: Path) -> dagger.Directory:
    """A directory of the runtime's file system as a Dagger Directory (copied under the module's
    workdir first when it lies outside it, e.g. the installed rule pack)."""
    local, cwd = Path(path), Path.cwd()
    if not local.is_relative_to(cwd):
        copy = Path(tempfile.mkdtemp(prefix="mount-", dir=scratch))
        shutil.copytree(local, copy, dirs_exist_ok=True, symlinks=True)
        local = copy
    return dag.current_module().workdir(str(local.relative_to(cwd)) or ".")


def build_container(plan: ContainerPlan, scratch: Path, day: str | None = None) -> dagger.Container:
    """The lazy container for a plan: pinned image, the plan's directories mounted at fixed paths
    (`relocate`: the same scan of the same content is a step the engine can cache), env, workdir, exec."""
    return _container(relocate(plan), scratch, day)


def _container(moved: Relocation, scratch: Path, day: str | None = None) -> dagger.Container:
    plan = moved.plan
    container = dag.container().from_(plan.image)
    cache = support.trivy_cache_path(plan)
    if cache is not None:
        # LOCKED: one trivy at a time on the cache (its BoltDB does not take concurrent writers).
        container = container.with_mounted_cache(
            cache, dag.cache_volume(support.TRIVY_CACHE_VOLUME), sharing=dagger.CacheSharingMode.LOCKED
        ).with_env_variable(support.TRIVY_DB_DAY_VARIABLE, day or support.db_day())
    inside = set(support.directory_mounts(plan))
    for runtime_path, container_path in moved.mounts:
        if container_path in inside:
            container = container.with_mounted_directory(container_path, _host_directory(runtime_path, scratch))
    for name, value in sorted(plan.env.items()):
        container = container.with_env_variable(name, value)
    if plan.workdir:
        container = container.with_workdir(plan.workdir)
    # root: the mounted work folders are the runtime's (mode 0700), whatever user the image sets
    return container.with_user("0").with_exec(list(plan.argv), expect=ReturnType.ANY)


def dagger_runner(scratch: Path) -> Callable[[ContainerPlan], Awaitable[ContainerRun]]:
    async def run(plan: ContainerPlan) -> ContainerRun:
        moved = relocate(plan)
        container = _container(moved, scratch)
        try:
            exit_code = await container.exit_code()
            stdout, stderr = await container.stdout(), await container.stderr()
        except dagger.QueryError as exc:  # the container itself could not run (image pull, engine)
            raise ScannerError(f"{plan.what}: the scanner container could not run: {exc}"[:600]) from None
        files: dict[str, bytes] = {}
        for path in plan.writes:
            try:
                written = await container.file(moved.inside(path)).contents()
            except dagger.QueryError:
                continue  # not written: the layer says so as it would locally
            files[path] = moved.to_runtime(written.encode())
        return ContainerRun(exit_code, moved.to_runtime(stdout.encode()), moved.to_runtime(stderr.encode()), files)

    return run


# ---------------------------------------------------------------------------------------------
# One run's inputs, taken once.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inputs:
    source: dagger.Directory
    image: dagger.Container | None = None
    image_tarball: dagger.File | None = None
    openai_api_key: dagger.Secret | None = None
    slack_webhook: dagger.Secret | None = None
    slack_token: dagger.Secret | None = None
    slack_channel: str | None = None
    model: str | None = None
    config: dagger.File | None = None
    baseline: dagger.File | None = None
    layers: tuple[LayerName, ...] | None = None
    since: str | None = None


async def _export_file(file: dagger.File, directory: Path, fallback: str) -> Path:
    path = directory / support.safe_name(await file.name(), fallback)
    await file.export(str(path))
    return path


async def _git_metadata(source: dagger.Directory) -> tuple[str | None, str | None]:
    """HEAD's commit and ref, best effort (None when not a git repository)."""
    try:
        head = source.as_git().head()
        return await head.commit(), (await head.ref()).removeprefix("refs/heads/")
    except dagger.DaggerError:
        return None, None


def _tarball(image: dagger.Container | None, image_tarball: dagger.File | None) -> dagger.File | None:
    if image is not None and image_tarball is not None:
        raise ScanFailed("give --image or --image-tarball, not both")
    return image.as_tarball() if image is not None else image_tarball


async def _plaintext(secret: dagger.Secret | None) -> SecretStr | None:
    return SecretStr(await secret.plaintext()) if secret is not None else None


async def run(inputs: Inputs) -> tuple[Report, Path]:
    """Scan and analyze; every output under the runtime's workdir. (report, output dir)."""
    work = Path(tempfile.mkdtemp(prefix="secscan-", dir=Path.cwd()))
    scratch = work / "tmp"
    scratch.mkdir()
    # Every temporary folder the layers make must be mountable into a container: under the workdir.
    tempfile.tempdir = str(scratch)
    source = work / "source"
    # Filtered as the local layers filter it (what git ignores is not the project's code); with .git.
    await inputs.source.filter(gitignore=True).export(str(source))
    tarball = _tarball(inputs.image, inputs.image_tarball)
    image = await _export_file(tarball, work, "image.tar") if tarball is not None else None
    config = await _export_file(inputs.config, work, "secscan.toml") if inputs.config is not None else None
    baseline = await _export_file(inputs.baseline, work, "baseline.json") if inputs.baseline is not None else None
    commit, ref = await _git_metadata(inputs.source)
    options = Options(
        out_dir=work / "out",
        config_path=config,
        baseline_path=baseline,
        image=image,
        layers=inputs.layers,
        no_cache=True,
        since=inputs.since,
        executor=ContainerExecutor(dagger_runner(scratch)),
        commit=commit,
        ref=ref,
        # Secrets become plaintext here, only in this process, handed to the pipeline as values
        # (never through the process environment, never into a container).
        credentials=Credentials(
            openai_api_key=await _plaintext(inputs.openai_api_key),
            model=inputs.model,
            slack_webhook_url=await _plaintext(inputs.slack_webhook),
            slack_bot_token=await _plaintext(inputs.slack_token),
            slack_channel=inputs.slack_channel,
        ),
    )
    try:
        report = await scan(source, options)
    except SecscanError as exc:
        raise ScanFailed(f"secscan: {exc}") from None
    finally:
        tempfile.tempdir = None
        shutil.rmtree(source, ignore_errors=True)
    return report, work / "out"


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


def _workdir(path: Path) -> dagger.Directory:
    return dag.current_module().workdir(str(path.relative_to(Path.cwd())))


async def _layer_file(source: dagger.Directory, layer: LayerName, **more: object) -> dagger.File:
    """One layer alone, through the same pipeline: its redacted JSON (raw/), or its error."""
    report, out = await run(Inputs(source=source, layers=(layer,), **more))  # type: ignore[arg-type]
    (result,) = [entry for entry in report.layers if entry.name == layer]
    if result.status == "error":
        raise ScanFailed(result.error or f"{layer}: error")
    raw = out / "raw" / f"{layer}.json"
    if not raw.is_file():
        raise ScanFailed(f"{layer}: no output")
    return _workdir(out).file(f"raw/{layer}.json")


@object_type
class Secscan:
    """Gitleaks, Semgrep and Trivy in parallel behind one deterministic policy gate."""

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
        since: SinceArg = None,
    ) -> str:
        """Run every layer and the policy gate; print the summary, fail when the gate fails.

        Never cached: it may call a model and post to Slack.
        """
        report, _ = await run(
            Inputs(
                source=source,
                image=image,
                image_tarball=image_tarball,
                openai_api_key=openai_api_key,
                slack_webhook=slack_webhook,
                slack_token=slack_token,
                slack_channel=slack_channel,
                model=model,
                config=config,
                baseline=baseline,
                since=since,
            )
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
        since: SinceArg = None,
    ) -> ScanResult:
        """Run every layer and the policy gate; return every output, whatever the verdict.

        e.g. `dagger call scan --source . outputs export --path secscan-report`, then read
        report.json's verdict. Never cached: it may call a model and post to Slack.
        """
        report, out = await run(
            Inputs(
                source=source,
                image=image,
                image_tarball=image_tarball,
                openai_api_key=openai_api_key,
                slack_webhook=slack_webhook,
                slack_token=slack_token,
                slack_channel=slack_channel,
                model=model,
                config=config,
                baseline=baseline,
                since=since,
            )
        )
        outputs = _workdir(out)
        return ScanResult(  # type: ignore[call-arg]  # mypy misses object_type's dataclass_transform
            verdict=report.verdict,
            summary=support.summary_text(report),
            outputs=outputs,
            report=outputs.file(support.REPORT_JSON),
            sarif=outputs.file(support.SARIF),
            markdown=outputs.file(support.MARKDOWN),
            html=outputs.file(support.HTML),
        )

    @function
    async def gitleaks(self, source: SourceArg) -> dagger.File:
        """Gitleaks alone (full git history when .git is there): its JSON report, secret values redacted."""
        return await _layer_file(source, "gitleaks")

    @function
    async def semgrep(self, source: SourceArg, config: ConfigArg = None) -> dagger.File:
        """Semgrep alone, with secscan's bundled rules (and any the config adds): its JSON report, redacted."""
        return await _layer_file(source, "semgrep", config=config)

    # vulnerability data changes daily: cached for a session only
    @function(cache="session")  # type: ignore[call-overload, untyped-decorator]
    async def trivy_fs(self, source: SourceArg, config: ConfigArg = None) -> dagger.File:
        """Trivy on the source alone (vulnerabilities, secrets, misconfigurations, licences): its JSON, redacted."""
        return await _layer_file(source, "trivy", config=config)

    @function(cache="session")  # type: ignore[call-overload, untyped-decorator]
    async def trivy_image(
        self,
        source: SourceArg,
        image: ImageArg = None,
        image_tarball: ImageTarballArg = None,
        config: ConfigArg = None,
    ) -> dagger.File:
        """Trivy on a container image alone (vulnerabilities, secrets), from its tarball: its JSON, redacted."""
        if image is None and image_tarball is None:
            raise ScanFailed("trivy-image needs --image or --image-tarball")
        (layer,) = catalog.image_layers()
        return await _layer_file(source, layer, image=image, image_tarball=image_tarball, config=config)  # type: ignore[arg-type]
