"""Suppressions, directly: what an entry hides, what it records, and what it warns about."""

from __future__ import annotations

import datetime as dt
from typing import Any

from secscan.config import SuppressionEntry
from secscan.findings.model import Category, Suppression
from secscan.policy.suppressions import apply_suppressions
from support.findings import make_finding

TODAY = dt.date(2026, 6, 1)


def entry(**fields: Any) -> SuppressionEntry:
    values: dict[str, Any] = {"reason": "accepted risk", "owner": "sec@example.com", "expires": TODAY}
    values.update(fields)
    return SuppressionEntry(**values)


def test_an_id_suppresses_exactly_that_finding_and_records_why() -> None:
    target = make_finding(rule="eval", id="abc")
    other = make_finding(rule="eval", id="def", line=9)
    result, warnings = apply_suppressions([target, other], [entry(id="abc")], TODAY)
    assert [f.status for f in result] == ["suppressed", "new"]
    assert result[0].suppression == Suppression(reason="accepted risk", owner="sec@example.com", expires="2026-06-01")
    assert warnings == []


def test_a_rule_with_a_path_glob_suppresses_only_there() -> None:
    inside = make_finding(rule="eval", path="tests/unit/test_x.py")
    outside = make_finding(rule="eval", path="src/app.py")
    nowhere = make_finding(Category.LICENSE, rule="eval", path=None)
    result, _ = apply_suppressions([inside, outside, nowhere], [entry(rule="eval", path="tests/*")], TODAY)
    assert [f.status for f in result] == ["suppressed", "new", "new"]


def test_a_rule_without_a_path_suppresses_it_everywhere() -> None:
    findings = [make_finding(rule="eval", path=p) for p in ("a.py", "b/c.py")] + [make_finding(rule="exec")]
    result, _ = apply_suppressions(findings, [entry(rule="eval")], TODAY)
    assert [f.status for f in result] == ["suppressed", "suppressed", "new"]


def test_an_expired_entry_suppresses_nothing_and_says_so() -> None:
    finding = make_finding(rule="eval")
    yesterday = TODAY - dt.timedelta(days=1)
    result, warnings = apply_suppressions([finding], [entry(rule="eval", expires=yesterday)], TODAY)
    assert result[0].status == "new"
    assert warnings == [
        "suppression for rule eval (owner sec@example.com) expired on 2026-05-31: no longer suppressing"
    ]


def test_an_entry_expiring_today_still_applies() -> None:
    result, warnings = apply_suppressions([make_finding(rule="eval")], [entry(rule="eval")], TODAY)
    assert result[0].status == "suppressed" and warnings == []


def test_an_entry_that_matches_nothing_is_reported() -> None:
    _, warnings = apply_suppressions([make_finding(rule="eval")], [entry(rule="exec", path="x/*")], TODAY)
    assert warnings == ["suppression for rule exec on x/* (owner sec@example.com) matched no finding"]


def test_the_first_matching_entry_wins_and_the_second_is_reported_unused() -> None:
    first = entry(rule="eval", reason="first")
    second = entry(rule="eval", reason="second", owner="other@example.com")
    result, warnings = apply_suppressions([make_finding(rule="eval")], [first, second], TODAY)
    assert result[0].suppression is not None and result[0].suppression.reason == "first"
    assert warnings == ["suppression for rule eval (owner other@example.com) matched no finding"]


def test_a_finding_suppressed_inline_keeps_its_own_record() -> None:
    inline = Suppression(reason="nosemgrep", source="inline")
    finding = make_finding(rule="eval", status="suppressed", suppression=inline)
    result, warnings = apply_suppressions([finding], [entry(rule="eval")], TODAY)
    assert result[0].suppression == inline
    assert warnings == ["suppression for rule eval (owner sec@example.com) matched no finding"]
