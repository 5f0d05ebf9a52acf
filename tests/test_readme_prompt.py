"""README's "What the model sees" is the prompt secscan really builds (scripts/readme_prompt.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_readme_shows_the_real_prompt() -> None:
    spec = importlib.util.spec_from_file_location("readme_prompt", REPO / "scripts" / "readme_prompt.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    readme = (REPO / "README.md").read_text()
    start = readme.index("<!-- prompt-example:start -->\n") + len("<!-- prompt-example:start -->\n")
    shown = readme[start : readme.index("<!-- prompt-example:end -->")]
    assert shown == module.build(), "README is out of date: PYTHONPATH=src python scripts/readme_prompt.py"
    assert "untrusted_findings" in shown and '"flow"' in shown and '"ctx"' in shown
