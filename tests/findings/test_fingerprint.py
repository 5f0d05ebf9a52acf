"""Finding ids, directly: what changes an id and what must not."""

from __future__ import annotations

from secscan.findings.fingerprint import assign_ids
from secscan.findings.model import Category, Finding, Severity
from support.findings import make_finding

C, S, V, L = Category.CODE, Category.SECRET, Category.VULNERABILITY, Category.LICENSE


def one_id(finding: Finding) -> str:
    [with_id] = assign_ids([finding])
    return with_id.id


def test_an_id_is_twenty_hex_digits_and_deterministic() -> None:
    finding = make_finding(C, locator="eval(user_input)")
    assert one_id(finding) == one_id(finding)
    assert len(one_id(finding)) == 20 and int(one_id(finding), 16) >= 0


def test_code_moving_to_another_line_keeps_its_id() -> None:
    before = make_finding(C, line=3, end_line=4, locator="eval(user_input)")
    after = make_finding(C, line=120, end_line=121, locator="eval(user_input)")
    assert one_id(before) == one_id(after)


def test_whitespace_in_the_locator_does_not_change_the_id() -> None:
    assert one_id(make_finding(C, locator="eval(  user_input )")) == one_id(
        make_finding(C, locator="eval( user_input )")
    )


def test_what_the_problem_is_changes_the_id() -> None:
    base = make_finding(C, locator="eval(user_input)")
    others = [
        make_finding(C, rule="other-rule", locator="eval(user_input)"),
        make_finding(C, path="other.py", locator="eval(user_input)"),
        make_finding(C, locator="eval(other)"),
        make_finding(Category.MISCONFIGURATION, locator="eval(user_input)", layer="semgrep"),
    ]
    assert len({one_id(base), *(one_id(o) for o in others)}) == 1 + len(others)


def test_severity_title_and_commit_do_not_change_the_id() -> None:
    base = make_finding(C, locator="x")
    same = make_finding(C, severity=Severity.LOW, title="reworded", commit="a" * 40, locator="x")
    assert one_id(base) == one_id(same)


def test_a_vulnerability_is_package_version_and_place() -> None:
    vuln = make_finding(
        V, rule="CVE-2018-18074", package="requests", installed_version="2.19.0", path="requirements.txt"
    )
    assert one_id(vuln) == one_id(vuln.model_copy(update={"line": 40, "fixed_version": "2.20.0"}))
    assert one_id(vuln) != one_id(vuln.model_copy(update={"installed_version": "2.19.1"}))
    assert one_id(vuln) != one_id(vuln.model_copy(update={"path": "sub/requirements.txt"}))


def test_an_image_finding_ignores_where_the_tarball_was() -> None:
    here = make_finding(V, rule="CVE-1", package="openssl", layer="trivy-image", path=None, target="/tmp/a/image.tar")
    there = here.model_copy(update={"target": "/builds/x/image.tar"})
    assert one_id(here) == one_id(there)


def test_a_licence_is_package_and_place() -> None:
    lic = make_finding(L, rule="GPL-3.0", package="readline", path=None, line=None)
    assert one_id(lic) == one_id(lic.model_copy(update={"title": "other"}))
    assert one_id(lic) != one_id(lic.model_copy(update={"package": "bash"}))


def test_repeats_of_one_problem_get_distinct_ids_numbered_by_line() -> None:
    first = make_finding(C, line=10, locator="eval(x)")
    second = make_finding(C, line=20, locator="eval(x)")
    ids = {f.line: f.id for f in assign_ids([second, first])}
    assert ids[10] != ids[20]
    assert ids[10] == one_id(first)  # the first occurrence keeps the id it has alone
    again = {f.line: f.id for f in assign_ids([first, second])}
    assert again == ids  # input order does not matter


def test_a_secret_with_sightings_keeps_its_id_wherever_it_moved() -> None:
    from secscan.findings.model import Sighting

    seen = [Sighting(commit="a" * 40, path="old.py", line=1)]
    first = make_finding(S, rule="aws-access-token", path="old.py", line=1, locator="old.py:REDACTED", sightings=seen)
    moved = first.model_copy(update={"path": "new/place.py", "line": 77})
    assert one_id(first) == one_id(moved)


def test_fill_scanners_sets_an_empty_scanners_list() -> None:
    [filled] = assign_ids([make_finding(C)], fill_scanners=True)
    assert filled.scanners == ["semgrep"]
    [untouched] = assign_ids([make_finding(C)])
    assert untouched.scanners == []
