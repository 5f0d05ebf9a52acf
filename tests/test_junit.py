"""junit.xml: one test case per gate rule; a rule that failed the gate is a failure carrying its reason."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

from outputs_fixtures import MIXED, build_report
from secscan.outputs.junit import JunitReport

PASSING = """
[policy]
secret = "none"
code = "none"
vulnerability = "none"
misconfiguration = "none"
"""


def _cases(xml: str) -> dict[str, ElementTree.Element]:
    root = ElementTree.fromstring(xml)
    assert root.tag == "testsuites"
    return {case.get("name", ""): case for case in root.iter("testcase")}


def test_failed_rules_are_failures_with_their_reasons(tmp_path: Path) -> None:
    report = build_report(tmp_path, dict(MIXED))
    assert report.verdict == "fail" and report.reasons
    xml = JunitReport().render(report)
    cases = _cases(xml)
    failures = {name: case.find("failure") for name, case in cases.items() if case.find("failure") is not None}
    texts = "\n".join((f.text or "") for f in failures.values() if f is not None)
    for reason in report.reasons:
        assert reason in texts  # every reason is carried by a failed test case
    suite = ElementTree.fromstring(xml).find("testsuite")
    assert suite is not None
    assert int(suite.get("failures", "-1")) == len(failures) > 0
    assert int(suite.get("tests", "-1")) == len(cases)
    # one case per layer and per category, whether it failed or not
    assert {f"layer {layer.name} ran ({layer.status})" for layer in report.layers} <= set(cases)
    assert sum(name.startswith("no new ") for name in cases) == 5


def test_a_passing_gate_has_no_failures(tmp_path: Path) -> None:
    report = build_report(tmp_path, {"semgrep": MIXED["semgrep"]}, policy=PASSING)
    assert report.verdict == "pass"
    cases = _cases(JunitReport().render(report))
    assert cases and all(case.find("failure") is None for case in cases.values())
