"""--baseline: an earlier report.json; findings already in it cannot fail the gate."""

from __future__ import annotations

import json
from pathlib import Path

from secscan.errors import ConfigError
from secscan.findings.model import Finding
from secscan.input_files import read_regular_file

MAX_BASELINE_BYTES = 2 << 30


def load_baseline(path: Path) -> frozenset[str]:
    """The finding ids of an earlier report.json."""
    data = read_regular_file(path, "--baseline", MAX_BASELINE_BYTES)
    try:
        document = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        raise ConfigError(f"--baseline {path}: not JSON (expected an earlier secscan report.json)") from None
    if not isinstance(document, dict) or not isinstance(document.get("findings"), list):
        raise ConfigError(f"--baseline {path}: not a secscan report.json (no `findings` list)")
    ids = set()
    for item in document["findings"]:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
            raise ConfigError(f"--baseline {path}: a finding without a string `id`")
        ids.add(item["id"])
    return frozenset(ids)


def apply_baseline(findings: list[Finding], known: frozenset[str]) -> list[Finding]:
    return [f.model_copy(update={"status": "existing"}) if f.status == "new" and f.id in known else f for f in findings]
