"""The Dagger engine's install of the module, reproduced without an engine.

The engine's Python runtime puts the SDK it generates into the module's source directory as
`sdk/` (dagger-io's sources, version 0.0.0), then installs the module one of two ways: with a
uv.lock, `uv sync --no-dev` (`--locked` for trusted sources); without one, `uv pip install -e ./sdk
-e .` followed by `uv pip check`. Then it imports the main object and registers its functions.
Each step here is the engine's own command, run with uv on a copy of the repository as a fresh
clone has it (no sdk/, no .venv), with an sdk/ built the engine's way (scripts/engine_sdk.py).

A copy of the pyproject.toml / dagger.json from before the module had its own package
(tests/fixtures/engine_install/) shows the failure the engine hit: "dagger-io 0.0.0 is installed".
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "engine_install"
UV = shutil.which("uv") or str(Path(sys.executable).parent / "uv")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(UV).exists(), reason="uv is not installed (pip install uv: it is in the dev extra)"),
]

# What the runtime's entrypoint does to find and register the module (dagger.mod.cli), minus the
# engine connection: load the main object through the entry point, then list what it registers.
PROBE = """
import json, sys
from dagger.mod.cli import get_entry_point
cls = get_entry_point().load()
module = cls.__dagger_module__
objects = {}
for name, obj in module._objects.items():
    objects[name] = {
        "functions": {
            fn.original_name: {"args": list(fn.parameters), "cache": fn.cache_policy}
            for fn in obj.functions.values()
        },
        "fields": sorted(obj.fields),
    }
import dagger, importlib.metadata
print(json.dumps({"main": cls.__name__, "sdk": importlib.metadata.version("dagger-io"),
                  "secscan": importlib.metadata.version("secscan"), "objects": objects}))
"""


def _engine_sdk() -> Any:
    spec = importlib.util.spec_from_file_location("engine_sdk", ROOT / "scripts" / "engine_sdk.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fresh_clone(destination: Path) -> Path:
    """The repository's files as a clone has them: tracked and new files, nothing git ignores."""
    listed = (
        subprocess.run(
            ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for relative in filter(None, listed):
        source = ROOT / relative
        if source.is_file():
            (destination / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / relative)
    assert not (destination / ".dagger" / "sdk").exists() and not (destination / ".venv").exists()
    return destination


def new_venv(path: Path) -> Path:
    done = uv("venv", "--python", sys.executable, str(path), cwd=path.parent)
    assert done.returncode == 0, done.stderr
    return path / "bin" / "python"


def uv(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV", "PIP_"))}
    environment.update({"UV_LINK_MODE": "copy", **(env or {})})
    return subprocess.run(
        [UV, *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=600, check=False
    )


def probe(python: Path, cwd: Path) -> dict[str, Any]:
    # What the runtime sets (DAGGER_MAIN_OBJECT is read when dagger.mod is imported).
    env = {**os.environ, "DAGGER_MAIN_OBJECT": "Secscan", "DAGGER_DEFAULT_PYTHON_PACKAGE": "secscan_module"}
    env.pop("PYTHONPATH", None)  # only what the install put into the environment
    done = subprocess.run(
        [str(python), "-c", PROBE], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def assert_registered(loaded: dict[str, Any]) -> None:
    assert loaded["main"] == "Secscan"
    assert loaded["sdk"] == "0.0.0", "the engine's SDK, not a release from the index"
    functions = loaded["objects"]["Secscan"]["functions"]
    assert {"security_scan", "scan", "gitleaks", "semgrep", "trivy_fs", "trivy_image"} <= set(functions)
    assert functions["security_scan"]["args"][0] == "source"
    assert functions["security_scan"]["cache"] == "never"
    assert {"verdict", "summary", "report", "outputs"} <= set(loaded["objects"]["ScanResult"]["fields"])


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh clone with the engine's sdk/ generated into the module's source directory."""
    root = fresh_clone(tmp_path_factory.mktemp("context"))
    source = root / json.loads((root / "dagger.json").read_text())["source"]
    _engine_sdk().build(source / "sdk")
    return root


def test_dagger_json_points_at_the_module_package() -> None:
    config = json.loads((ROOT / "dagger.json").read_text())
    assert config["name"] == "secscan" and config["source"] == ".dagger"
    assert (ROOT / ".dagger" / "pyproject.toml").is_file() and (ROOT / ".dagger" / "uv.lock").is_file()


def test_the_lock_names_only_the_package_index() -> None:
    lock = (ROOT / ".dagger" / "uv.lock").read_text()
    sources = {line.split("source = ", 1)[1] for line in lock.splitlines() if line.startswith("source = ")}
    assert sources == {
        '{ registry = "https://pypi.org/simple" }',
        '{ editable = "sdk" }',
        '{ editable = "../" }',
        '{ editable = "." }',
    }
    for fragment in ("file://", "/opt/", str(ROOT), str(Path.home()), sys.prefix, sys.base_prefix):
        assert fragment not in lock


def test_locked_install_the_engine_runs(context: Path, tmp_path: Path) -> None:
    """`uv sync --no-dev --locked`: the committed uv.lock matches the engine's SDK and the repository."""
    venv = tmp_path / "venv"
    done = uv(
        "sync",
        "--no-dev",
        "--locked",
        "--python",
        sys.executable,
        cwd=context / ".dagger",
        env={"UV_PROJECT_ENVIRONMENT": str(venv)},
    )
    assert done.returncode == 0, done.stderr[-3000:] + "\n(after a dependency change: cd .dagger && uv lock)"
    assert_registered(probe(venv / "bin" / "python", context / ".dagger"))


def test_unlocked_install_the_engine_runs(context: Path, tmp_path: Path) -> None:
    """Without a lock: `uv pip install -e ./sdk -e .` and `uv pip check`, as the runtime does."""
    python = new_venv(tmp_path / "venv")
    install = uv("pip", "install", "--python", str(python), "-e", "./sdk", "-e", ".", cwd=context / ".dagger")
    assert install.returncode == 0, install.stderr[-3000:]
    check = uv("pip", "check", "--python", str(python), cwd=context / ".dagger")
    assert check.returncode == 0, check.stdout + check.stderr
    assert_registered(probe(python, context / ".dagger"))


def test_the_old_layout_fails_as_the_engine_did(tmp_path: Path) -> None:
    """The module as it was: pyproject.toml at the root requiring dagger-io>=0.21,<0.22."""
    root = fresh_clone(tmp_path / "context")
    shutil.copy(FIXTURES / "old-pyproject.toml", root / "pyproject.toml")
    shutil.copy(FIXTURES / "old-dagger.json", root / "dagger.json")
    assert json.loads((root / "dagger.json").read_text())["source"] == "."
    _engine_sdk().build(root / "sdk")
    python = new_venv(tmp_path / "venv")
    install = uv("pip", "install", "--python", str(python), "-e", "./sdk", "-e", ".", cwd=root)
    check = uv("pip", "check", "--python", str(python), cwd=root) if install.returncode == 0 else install
    assert check.returncode != 0
    message = check.stdout + check.stderr
    assert "dagger-io" in message and "0.0.0" in message, message[-2000:]


def test_plain_installs_need_no_sdk(tmp_path: Path) -> None:
    """`uv pip install .` on a fresh clone (no sdk/): secscan without dagger-io."""
    root = fresh_clone(tmp_path / "clone")
    python = new_venv(tmp_path / "venv")
    done = uv("pip", "install", "--python", str(python), ".", cwd=root)
    assert done.returncode == 0, done.stderr[-3000:]
    listed = uv("pip", "list", "--python", str(python), "--format", "json", cwd=root)
    names = {item["name"] for item in json.loads(listed.stdout)}
    assert "secscan" in names and "dagger-io" not in names
