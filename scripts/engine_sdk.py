"""Build the `sdk/` directory the Dagger engine generates for a Python module, without an engine.

The engine's Python runtime copies the SDK's sources (the dagger-io package, whose version is
0.0.0 in the engine: it is not a release) into the module's source directory as `sdk/`, then
installs the module with it. This rebuilds that directory from the dagger-io release matching
dagger.json's engineVersion, from PyPI (its sdist: the sources, not a wheel), so the engine's
install can be reproduced and the module's uv.lock kept in step.

    python scripts/engine_sdk.py .dagger/sdk          # from the repository root
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What the runtime copies from the SDK's source directory (its +ignore list): the rest is left out.
KEPT = re.compile(
    r"^(pyproject\.toml|uv\.lock|LICENSE|README\.md|src/.*\.(py|typed)|codegen/.*\.py|codegen/pyproject\.toml)$"
)

CODEGEN_STAND_IN = """[project]
name = "codegen"
version = "0.0.0"
requires-python = ">=3.10"
dependencies = []

[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"
"""


def engine_version(root: Path = ROOT) -> str:
    return str(json.loads((root / "dagger.json").read_text(encoding="utf-8"))["engineVersion"]).removeprefix("v")


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "secscan" / "dagger-io-sdist"


def sdist(version: str) -> Path:
    """dagger-io's sdist for `version`, downloaded once (pip, from the package index)."""
    directory = cache_dir()
    found = sorted(directory.glob(f"dagger_io-{version}.tar.gz"))
    if found:
        return found[0]
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--no-binary",
            "dagger-io",
            "--dest",
            str(directory),
            f"dagger-io=={version}",
        ],
        check=True,
    )
    return next(directory.glob(f"dagger_io-{version}.tar.gz"))


def build(target: Path, version: str | None = None) -> Path:
    """Write the engine's sdk/ into `target` (replaced if there)."""
    version = version or engine_version()
    archive = sdist(version)
    with tempfile.TemporaryDirectory() as scratch, tarfile.open(archive) as tar:
        tar.extractall(scratch, filter="data")
        (top,) = Path(scratch).iterdir()
        if target.exists():
            shutil.rmtree(target)
        for path in sorted(top.rglob("*")):
            relative = path.relative_to(top).as_posix()
            if path.is_file() and KEPT.match(relative):
                (target / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target / relative)
    project = target / "pyproject.toml"
    text = project.read_text(encoding="utf-8")
    text, count = re.subn(r'(?m)^version = "[^"]*"$', 'version = "0.0.0"', text, count=1)
    if count != 1:
        raise SystemExit(f"{archive.name}: no static version in pyproject.toml to replace")
    project.write_text(text, encoding="utf-8")
    codegen = target / "codegen" / "pyproject.toml"
    if "codegen" in text and not codegen.exists():
        # The engine's sdk/ has the SDK's `codegen` workspace member (a dev tool); the sdist leaves it
        # out, and uv cannot read the SDK's pyproject without it. A stand-in with its name: the
        # module never installs it (it is only in the SDK's dev group).
        codegen.parent.mkdir(parents=True, exist_ok=True)
        codegen.write_text(CODEGEN_STAND_IN, encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", type=Path, help="where to write sdk/ (e.g. .dagger/sdk)")
    parser.add_argument("--version", help="dagger-io version (default: dagger.json's engineVersion)")
    args = parser.parse_args(argv)
    print(build(args.target, args.version))
    return 0


if __name__ == "__main__":
    sys.exit(main())
