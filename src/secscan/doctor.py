"""`secscan doctor`: what is installed, what runs, what is configured."""

from __future__ import annotations

import json
import os
from pathlib import Path

import anyio

from secscan import catalog
from secscan.errors import ScannerError
from secscan.scanners.process import probe_version, resolve_binary


async def _probe(tool: str) -> tuple[str, str | None, str | None]:
    try:
        binary = resolve_binary(tool)
        version = await probe_version(binary, list(catalog.scanner(tool).version_args), tool)
    except ScannerError as exc:
        return tool, None, str(exc)
    return tool, binary, version


async def _probe_all() -> list[tuple[str, str | None, str | None]]:
    found: dict[str, tuple[str, str | None, str | None]] = {}

    async def one(tool: str) -> None:
        found[tool] = await _probe(tool)

    async with anyio.create_task_group() as group:
        for tool in catalog.scanner_names():
            group.start_soon(one, tool)
    return [found[tool] for tool in catalog.scanner_names()]


def _trivy_db() -> str:
    cache = Path(os.environ.get("TRIVY_CACHE_DIR") or Path.home() / ".cache" / "trivy")
    metadata = cache / "db" / "metadata.json"
    if not metadata.is_file():
        return f"no vulnerability DB in {cache} (trivy downloads it on first use; offline runs report a layer error)"
    try:
        data = json.loads(metadata.read_text())
    except (OSError, ValueError):
        return f"unreadable {metadata}"
    return (
        f"vulnerability DB in {cache}: updated {data.get('UpdatedAt', '?')}, next update {data.get('NextUpdate', '?')}"
    )


def run() -> int:
    from secscan import __version__
    from secscan.config import load_config
    from secscan.errors import ConfigError

    print(f"secscan {__version__}")
    missing = 0
    for tool, binary, detail in anyio.run(_probe_all):
        if binary is None:
            missing += 1
            print(f"  {tool:9} MISSING  {detail}")
        else:
            print(f"  {tool:9} {detail:10} {binary}")
    print(f"  trivy DB  {_trivy_db()}")
    try:
        config = load_config(None, Path.cwd())
        print(f"config: {config.source or 'defaults (no secscan.toml or [tool.secscan] here)'}")
        print(f"  layers {','.join(config.scan.layers)}; suppressions {len(config.suppress)}")
    except ConfigError as exc:
        print(f"config: INVALID: {exc}")
        missing += 1
    model = os.environ.get("SECSCAN_MODEL", "gpt-4o")
    if os.environ.get("OPENAI_API_KEY"):
        base = os.environ.get("OPENAI_BASE_URL", "the OpenAI API")
        print(f"AI synthesis: on (model {model}, endpoint {base})")
    else:
        print("AI synthesis: off (no OPENAI_API_KEY): the deterministic synthesis runs")
    if os.environ.get("SLACK_BOT_TOKEN") and os.environ.get("SLACK_CHANNEL"):
        print(f"Slack: Web API, channel {os.environ['SLACK_CHANNEL']}")
    elif os.environ.get("SLACK_WEBHOOK_URL"):
        print("Slack: incoming webhook")
    else:
        print("Slack: off (set SLACK_WEBHOOK_URL, or SLACK_BOT_TOKEN + SLACK_CHANNEL)")
    return 0 if missing == 0 else 1
