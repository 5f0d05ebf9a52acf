"""The package's shape, checked: one error hierarchy, imports in one direction, no path outside the repository."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import secscan
from secscan import errors

SRC = Path(secscan.__file__).resolve().parent
TESTS = Path(__file__).resolve().parent


def _modules() -> list[str]:
    found = ["secscan"]
    for info in pkgutil.walk_packages(secscan.__path__, "secscan."):
        if info.name.startswith("secscan.rules") or info.name == "secscan.__main__":  # that one runs the CLI
            continue
        if info.name == "secscan.main" and importlib.util.find_spec("dagger") is None:
            continue  # the Dagger module: its SDK is in the module's environment (.dagger/.venv)
        found.append(info.name)
    return found


def _imports(path: Path) -> set[str]:
    """Every module a source file imports, at any depth (lazy imports inside functions too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _sources(package: str) -> list[Path]:
    return sorted((SRC / package).rglob("*.py"))


@pytest.mark.parametrize("module", _modules())
def test_every_exception_class_lives_in_errors(module: str) -> None:
    loaded = importlib.import_module(module)
    own = [
        name
        for name, value in vars(loaded).items()
        if inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == module
    ]
    if module == "secscan.errors":
        assert all(issubclass(getattr(errors, name), errors.SecscanError) for name in own)
    else:
        assert own == [], f"{module} defines {own}: put them in secscan/errors.py, under SecscanError"


@pytest.mark.parametrize("path", _sources("outputs"), ids=lambda p: p.name)
def test_renderers_never_import_a_scanner_or_the_gate(path: Path) -> None:
    bad = sorted(n for n in _imports(path) if n.startswith(("secscan.scanners", "secscan.policy", "secscan.pipeline")))
    assert bad == [], f"{path.name} imports {bad}: read the report model (secscan.report) instead"


@pytest.mark.parametrize("path", _sources("synthesis"), ids=lambda p: p.name)
def test_the_synthesis_reads_the_decision_as_data(path: Path) -> None:
    bad = sorted(n for n in _imports(path) if n.startswith(("secscan.scanners", "secscan.policy", "secscan.outputs")))
    assert bad == [], f"{path.name} imports {bad}: the synthesis reads results (secscan.report), not the stages"


@pytest.mark.parametrize(
    "path",
    sorted(p for p in TESTS.rglob("*.py") if p.name != Path(__file__).name),
    ids=lambda p: str(p.relative_to(TESTS)),
)
def test_no_test_names_a_path_outside_the_repository(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    outside = re.findall(r"""["']/work/[^"']+["']|\.\./shared|/ "shared" /""", text)
    assert outside == [], f"{path.name} names {outside}: tests read tests/fixtures (see tests/corpus.py)"
