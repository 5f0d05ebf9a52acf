"""junit.xml: the gate as a test report, for any CI that shows test results.

One test suite, one test case per gate rule (each layer's run, each finding category's
threshold, the AI flag): a rule that failed the gate is a failed test case carrying its
reason; the findings behind it are in report.json.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree

from secscan.findings.model import Category
from secscan.outputs.safety import redacted_envelope
from secscan.report import Report

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    """Only characters XML 1.0 can hold (control characters become U+FFFD); redacted already (outputs/safety.py)."""
    return _NOT_XML.sub("\ufffd", text)


def _cases(report: Report) -> list[tuple[str, str, list[str]]]:
    """(class name, test name, reasons it failed) for every rule of the gate."""
    reasons = list(report.reasons)
    cases: list[tuple[str, str, list[str]]] = []

    def claim(prefix: str) -> list[str]:
        mine = [r for r in reasons if r.startswith(prefix)]
        for reason in mine:
            reasons.remove(reason)
        return mine

    for layer in report.layers:
        cases.append(
            ("secscan.layers", f"layer {layer.name} ran ({layer.status})", claim(f"layer {layer.name} failed"))
        )
    for category in Category:
        cases.append(
            ("secscan.policy", f"no new {category.value} findings over the threshold", claim(f"{category.value}:"))
        )
    cases.append(("secscan.ai", "the AI synthesis did not flag the change", claim("AI flagged:")))
    if reasons:  # a rule this file does not know yet still fails a test
        cases.append(("secscan.policy", "other gate rules", reasons))
    return cases


class JunitReport:
    filename = "junit.xml"

    def render(self, report: Report) -> str:
        report = redacted_envelope(report)
        cases = _cases(report)
        failures = sum(1 for *_, failed in cases if failed)
        suite = ElementTree.Element(
            "testsuite",
            name="secscan gate",
            tests=str(len(cases)),
            failures=str(failures),
            errors="0",
            skipped="0",
            time=f"{sum(layer.duration_s for layer in report.layers):.3f}",
        )
        for classname, name, failed in cases:
            case = ElementTree.SubElement(suite, "testcase", classname=classname, name=_xml_text(name), time="0")
            if failed:
                failure = ElementTree.SubElement(
                    case, "failure", message=_xml_text(failed[0])[:1000], type="secscan.gate"
                )
                failure.text = _xml_text("\n".join(failed))
        status = report.counts.get("status", {})
        properties = ElementTree.SubElement(suite, "properties")
        for name, value in (
            ("verdict", report.verdict),
            ("new_findings", str(status.get("new", 0))),
            ("existing_findings", str(status.get("existing", 0))),
        ):
            ElementTree.SubElement(properties, "property", name=name, value=value)
        suite.insert(0, suite[-1])  # properties first, as the JUnit schema orders them
        del suite[-1]
        root = ElementTree.Element("testsuites", name="secscan", tests=suite.get("tests", "0"), failures=str(failures))
        root.append(suite)
        ElementTree.indent(root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"
