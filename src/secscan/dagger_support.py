"""The engine-free half of the Dagger module (`secscan.main`).

The module runs `secscan.pipeline.scan`, the very pipeline of `secscan scan`, with a
`ContainerExecutor` (`secscan.scanners.containers`): each command a layer runs becomes a
`ContainerPlan` in that scanner's pinned image. What the module adds is here, plain Python that
tests run without an engine: how a plan's container is laid out (its cache volume, the day that
keeps the layer cache from serving yesterday's vulnerability data), the names of the outputs, the
summary text, and how operator secrets reach the pipeline for one run.

Nothing in this module imports `dagger`.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping

from secscan import catalog
from secscan.report import Report
from secscan.scanners.containers import ContainerPlan

# The pinned scanner images (tag and digest, with where each digest was read) live in the catalog.
GITLEAKS_IMAGE = catalog.GITLEAKS_IMAGE
SEMGREP_IMAGE = catalog.SEMGREP_IMAGE
TRIVY_IMAGE = catalog.TRIVY_IMAGE
IMAGES: Mapping[str, str] = {spec.name: spec.image for spec in catalog.SCANNERS}
PINNED_IMAGE = catalog.PINNED_IMAGE

TRIVY_CACHE_VOLUME = "secscan-trivy-cache"
TRIVY_CACHE_PATH = "/root/.cache/trivy"  # trivy's default in its image (it runs as root)
# Set on trivy execs so the layer cache cannot serve yesterday's vulnerability results.
TRIVY_DB_DAY_VARIABLE = "SECSCAN_TRIVY_DB_DAY"

# The output files (see CONTRACT.md "Outputs").
REPORT_JSON = "report.json"
SARIF = "secscan.sarif"
MARKDOWN = "report.md"
HTML = "report.html"


def db_day(now: dt.datetime | None = None) -> str:
    return (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d")


def trivy_cache_path(plan: ContainerPlan) -> str | None:
    """Where the trivy cache volume goes for this plan: its --cache-dir, else trivy's default.
    None for a plan that does not run trivy."""
    if plan.image != catalog.scanner("trivy").image or plan.argv[0] != catalog.scanner("trivy").binary:
        return None
    argv = list(plan.argv)
    if "--cache-dir" in argv[:-1]:
        return argv[argv.index("--cache-dir") + 1]
    return plan.env.get("TRIVY_CACHE_DIR") or TRIVY_CACHE_PATH


def directory_mounts(plan: ContainerPlan) -> tuple[str, ...]:
    """The plan's mounts, less any inside the trivy cache (the cache volume is mounted there)."""
    cache = trivy_cache_path(plan)
    if cache is None:
        return plan.mounts
    return tuple(m for m in plan.mounts if not (m == cache or m.startswith(cache.rstrip("/") + "/")))


def summary_text(report: Report, width: int = 110) -> str:
    """The terminal summary (`secscan scan`'s), as plain text."""
    from rich.console import Console

    from secscan.outputs.terminal import print_summary

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False, highlight=False)
    print_summary(report, console)
    return buffer.getvalue()


def safe_name(name: str | None, fallback: str) -> str:
    """A file or directory name taken from the engine, reduced to one harmless path component."""
    base = (name or "").replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    base = re.sub(r"[^A-Za-z0-9._-]", "_", base).lstrip(".")
    return base or fallback
