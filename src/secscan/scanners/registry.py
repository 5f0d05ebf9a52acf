"""Every scanner layer's implementation, by the name the catalog gives it (`secscan.catalog`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from secscan import catalog
from secscan.findings.model import LayerName
from secscan.findings.secret_lines import hide_overlapping_in_semgrep_document, hide_overlapping_in_trivy_document
from secscan.scanners.gitleaks import LAYER as GITLEAKS
from secscan.scanners.interface import Layer
from secscan.scanners.semgrep import LAYER as SEMGREP
from secscan.scanners.trivy import FS_LAYER as TRIVY
from secscan.scanners.trivy import IMAGE_LAYER as TRIVY_IMAGE

_IMPLEMENTED: dict[str, Layer] = {layer.name: layer for layer in (GITLEAKS, SEMGREP, TRIVY, TRIVY_IMAGE)}
if set(_IMPLEMENTED) != set(catalog.layer_names()):  # a catalog entry without a plug-in, or the reverse
    raise ImportError(f"catalog layers {catalog.layer_names()} != implemented layers {sorted(_IMPLEMENTED)}")

# How each scanner's raw document hides the code lines that hold a secret (raw/ keeps no such line);
# a scanner without one keeps no code lines in its raw output.
RAW_LINE_HIDERS: dict[str, Callable[[Any, set[tuple[str, int]]], None]] = {
    "semgrep": hide_overlapping_in_semgrep_document,
    "trivy": hide_overlapping_in_trivy_document,
}

# In the catalog's order (the order reports list layers in).
LAYERS: dict[LayerName, Layer] = {cast(LayerName, name): _IMPLEMENTED[name] for name in catalog.layer_names()}


def layer(name: str) -> Layer:
    """The implementation of a layer; an unknown name is a ConfigError, never a guess."""
    catalog.layer(name)
    return _IMPLEMENTED[name]
