"""Every scanner layer, by name."""

from __future__ import annotations

from secscan.findings.model import LayerName
from secscan.scanners.gitleaks import LAYER as GITLEAKS
from secscan.scanners.interface import Layer
from secscan.scanners.semgrep import LAYER as SEMGREP
from secscan.scanners.trivy import FS_LAYER as TRIVY
from secscan.scanners.trivy import IMAGE_LAYER as TRIVY_IMAGE

LAYERS: dict[LayerName, Layer] = {
    "gitleaks": GITLEAKS,
    "semgrep": SEMGREP,
    "trivy": TRIVY,
    "trivy-image": TRIVY_IMAGE,
}
