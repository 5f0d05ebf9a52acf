"""Print the README's "What the model sees" example: the real prompt secscan builds for three files
of the recorded scanner corpus (tests/fixtures/corpus), with a small source tree for the code finding.

    PYTHONPATH=src python scripts/readme_prompt.py > /tmp/prompt.md

tests/test_readme_prompt.py checks that README.md holds exactly this text.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "fixtures" / "corpus"
FILES = {
    "gitleaks": "gitleaks/json_simple.json",
    "semgrep": "semgrep/json_output_with_dataflow_traces.json",
    "trivy": "trivy/pip.json",
}
TAINT_FILE = "targets/taint/taint_trace.cpp"
# The source the recorded semgrep finding points into (semgrep's own test target, abridged).
TAINT_SOURCE = """\
#include <string>

int SOURCE();
void sink(int);

void test() {
  int curBase = 0;
  for (int i = 0; i < 2; i++) {
    // the tainted value reaches sink() on the loop's second pass
  int res1 = SOURCE();
  if (i > 0) {
  int res2 = curBase;
  }
  if (i == 0) {
    curBase = res1;
  }
    sink(res2);
  }
}
"""


def build() -> str:
    sys.path.insert(0, str(REPO / "src"))
    from secscan.config import Config
    from secscan.pipeline import gate_findings, results_from_files
    from secscan.policy import LayerOutcome, evaluate
    from secscan.synthesis.interface import SynthesisInput
    from secscan.synthesis.prompt import SCHEMA_INSTRUCTION, build_prompt

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / TAINT_FILE).parent.mkdir(parents=True)
        (root / TAINT_FILE).write_text(TAINT_SOURCE)
        results = results_from_files({name: CORPUS / path for name, path in FILES.items()}, root)  # type: ignore[misc]
        config = Config()
        findings, _ = gate_findings(results, config, None, dt.date(2026, 1, 2))
        outcomes = [LayerOutcome(name=r.name, status=r.status, error=r.error) for r in results]
        decision = evaluate(findings, outcomes, config.policy)
        data = SynthesisInput(findings=findings, gate=decision, repository="acme/shop", source_root=root)
        prompt = build_prompt(data, config.ai.prompt_budget_tokens, config.ai.context_lines)
    schema = json.dumps(prompt.schema_object, indent=1)
    return (
        f"System message ({SCHEMA_INSTRUCTION.strip()!r} and the schema follow it only for servers without "
        "`json_schema` support):\n\n"
        f"```text\n{prompt.system}\n```\n\n"
        f"User message ({prompt.tokens:,} tokens in all, o200k_base):\n\n"
        f"```text\n{prompt.user}\n```\n\n"
        f"Answer schema (`response_format: json_schema`, strict):\n\n"
        f"```json\n{schema}\n```\n"
    )


if __name__ == "__main__":
    sys.stdout.write(build())
