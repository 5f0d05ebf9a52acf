"""One scanner = one entry in secscan.catalog; every table reads it, nothing else names a scanner.

The tests parametrize over the catalog, so a new scanner is covered by adding its entry. The last
test reads the package's source: a scanner or layer name spelled out in a comparison, a dict key or
a tuple/list/set anywhere outside scanners/ and the catalog fails it (each of those is a table that
would silently miss a new scanner).
"""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path
from typing import get_args

import pytest

import secscan
from secscan import catalog, cli, config, doctor
from secscan.errors import ConfigError, ScannerError
from secscan.findings import dedup
from secscan.findings.model import LAYER_NAMES, LayerName, ScannerName
from secscan.outputs.sarif import DRIVERS
from secscan.scanners.process import resolve_binary
from secscan.scanners.registry import LAYERS, layer

SRC = Path(secscan.__file__).resolve().parent
NAMES = set(catalog.layer_names()) | set(catalog.scanner_names())
SCANNERS = [pytest.param(spec, id=spec.name) for spec in catalog.SCANNERS]
ALL_LAYERS = [pytest.param(name, id=name) for name in catalog.layer_names()]


def test_the_model_literals_are_the_catalog() -> None:
    assert get_args(LayerName) == catalog.layer_names() == LAYER_NAMES
    assert get_args(ScannerName) == catalog.scanner_names()


def test_every_catalog_layer_has_one_implementation() -> None:
    assert tuple(LAYERS) == catalog.layer_names()
    for name, implementation in LAYERS.items():
        assert implementation.name == name
        assert implementation.binary == catalog.scanner_of(name).binary


@pytest.mark.parametrize("name", ["trivy-images", "bogus", "", "TRIVY"])
def test_an_unknown_layer_is_a_clear_error_never_trivy(name: str) -> None:
    for lookup in (catalog.layer, catalog.scanner_of, catalog.is_image_layer, layer):
        with pytest.raises(ConfigError, match="unknown layer"):
            lookup(name)


@pytest.mark.parametrize("spec", SCANNERS)
def test_the_env_override_comes_from_the_catalog(spec: catalog.ScannerSpec, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(spec.env_override, "/nonexistent/secscan-test-binary")
    with pytest.raises(ScannerError, match=spec.env_override):
        resolve_binary(spec.name)


@pytest.mark.parametrize("spec", SCANNERS)
def test_doctor_probes_every_scanner_with_its_version_args(
    spec: catalog.ScannerSpec, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = tmp_path / spec.binary
    fake.write_text(f'#!/bin/sh\n[ "$*" = "{" ".join(spec.version_args)}" ] && echo "{spec.name} 9.8.7" || exit 3\n')
    fake.chmod(0o755)
    monkeypatch.setenv(spec.env_override, str(fake))
    probed = {tool: (binary, detail) for tool, binary, detail in asyncio.run(doctor._probe_all())}
    assert tuple(probed) == catalog.scanner_names()
    assert probed[spec.name] == (str(fake), "9.8.7")


def test_cli_choices_and_report_flags_are_the_catalog_layers() -> None:
    assert catalog.layer_names() == cli.LAYER_CHOICES
    report = cli.build_parser()._subparsers._group_actions[0].choices["report"]  # type: ignore[union-attr]
    flags = {option for action in report._actions for option in action.option_strings}
    assert {f"--{name}" for name in catalog.layer_names()} <= flags


def test_config_defaults_are_the_catalog_defaults() -> None:
    defaults = [spec.name for spec in catalog.SCANNERS for spec in spec.layers if spec.default]
    assert config.Config().scan.layers == defaults == config.DEFAULT_LAYERS
    assert not any(catalog.is_image_layer(name) for name in defaults), "an image layer needs an image"


def test_dedup_preference_is_the_merge_rank() -> None:
    assert {spec.name: spec.merge_rank for spec in catalog.SCANNERS} == dedup._SCANNER_PREFERENCE
    assert len({spec.merge_rank for spec in catalog.SCANNERS}) == len(catalog.SCANNERS), "ranks must order"


@pytest.mark.parametrize("name", ALL_LAYERS)
def test_sarif_driver_per_layer(name: str) -> None:
    spec = catalog.scanner_of(name)
    assert DRIVERS[name].name == spec.driver  # type: ignore[index]
    assert DRIVERS[name].information_uri == spec.information_uri  # type: ignore[index]


@pytest.mark.parametrize("spec", SCANNERS)
def test_every_image_is_pinned(spec: catalog.ScannerSpec) -> None:
    from secscan import dagger_support

    assert catalog.PINNED_IMAGE.match(spec.image), spec.image
    assert dagger_support.IMAGES[spec.name] == spec.image


def _named(tree: ast.AST, *, tables: bool) -> list[tuple[int, str]]:
    """Scanner/layer names as string constants in comparisons (and, with `tables`, in dict keys,
    tuples, lists and sets)."""
    found: list[tuple[int, str]] = []

    def constants(nodes: list[ast.expr | None]) -> None:
        for node in nodes:
            if isinstance(node, ast.Constant) and node.value in NAMES:
                found.append((node.lineno, node.value))

    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            constants([node.left, *node.comparators])
        elif tables and isinstance(node, ast.Dict):
            constants(list(node.keys))
        elif tables and isinstance(node, ast.Tuple | ast.List | ast.Set) and not _inside_literal(tree, node):
            constants(list(node.elts))
    return found


def _inside_literal(tree: ast.AST, target: ast.AST) -> bool:
    for node in ast.walk(tree):
        is_literal = isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "Literal"
        if is_literal and any(child is target for child in ast.walk(node.slice)):  # type: ignore[attr-defined]
            return True
    return False


def _relative(path: Path) -> str:
    return path.relative_to(SRC).as_posix()


# Where a scanner's name is its own business: its implementation, and the Dagger module's layer
# functions (one per layer, by design).
OWN = ("scanners/", "catalog.py", "main.py", "dagger_support.py")
# The tables that once listed every scanner (the list): they must be built from the catalog.
TABLES = (
    "findings/model.py",
    "findings/dedup.py",
    "config.py",
    "cli.py",
    "doctor.py",
    "outputs/sarif.py",
    "pipeline.py",
    "scanners/process.py",
)
SOURCES = [p for p in sorted(SRC.rglob("*.py")) if "rules" not in p.relative_to(SRC).parts]


@pytest.mark.parametrize("path", [p for p in SOURCES if not _relative(p).startswith(OWN)], ids=_relative)
def test_no_code_decides_by_a_layer_name(path: Path) -> None:
    named = _named(ast.parse(path.read_text(encoding="utf-8")), tables=False)
    assert named == [], f"{_relative(path)} compares with {named}: ask secscan.catalog (the layer's kind)"


@pytest.mark.parametrize("path", [p for p in SOURCES if _relative(p) in TABLES], ids=_relative)
def test_no_table_names_a_scanner_outside_the_catalog(path: Path) -> None:
    named = _named(ast.parse(path.read_text(encoding="utf-8")), tables=True)
    assert named == [], f"{_relative(path)} names {named}: build the table from secscan.catalog"


def test_the_checks_catch_a_table_and_a_comparison() -> None:
    """The checks above are not vacuous: the tables this change replaced would fail them."""
    old = 'X = {"gitleaks": 0, "semgrep": 1}\nif layer == "trivy-image":\n    pass\nY = ("trivy", "gitleaks")\n'
    assert [name for _, name in _named(ast.parse(old), tables=True)] == [
        "gitleaks",
        "semgrep",
        "trivy-image",
        "trivy",
        "gitleaks",
    ]
    assert [name for _, name in _named(ast.parse(old), tables=False)] == ["trivy-image"]


def test_layer_kinds() -> None:
    kinds = {name: catalog.layer(name).kind for name in catalog.layer_names()}
    assert set(kinds.values()) <= {"source", "image"}
    assert catalog.image_layers() == tuple(name for name, kind in kinds.items() if kind == "image")
