"""Fuzzing every parser of user- or scanner-supplied input with hypothesis.

The property, for each: it returns, or it raises one of our typed errors
(`secscan.errors.SecscanError` subclasses: ParseError, ConfigError, …); never another
exception, never a hang. Inputs are arbitrary bytes, arbitrary JSON, and documents shaped
like the real thing with wrong types, missing fields, huge numbers and deep nesting.

Covered: the gitleaks, semgrep and trivy (fs and image) JSON parsers and their `redact_raw`
(what goes to raw/), `secscan report`'s whole pipeline on fuzzed files, the config file
(TOML text → `parse_config` / `load_config`), the suppressions file (`load_suppressions`) and
baseline reports (`load_baseline`).
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import json
import math
import shutil
import signal
import tempfile
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secscan.config import load_config, load_suppressions, parse_config
from secscan.errors import SecscanError
from secscan.pipeline import Options, report_from_files
from secscan.policy import load_baseline
from secscan.scanners import gitleaks, semgrep, trivy

FAST = settings(
    max_examples=100,
    deadline=dt.timedelta(seconds=5),  # per example; most take milliseconds
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    database=None,  # nothing written into the checkout; failures print a reproduction blob
    print_blob=True,
)
HANG_S = 20  # one example running this long counts as a hang


class Hang(Exception):
    pass


@contextlib.contextmanager
def no_hang(seconds: float = HANG_S) -> Iterator[None]:
    """Interrupt the body after `seconds` (a hang becomes a test failure, not a stuck run)."""

    def alarm(signum: int, frame: object) -> None:
        raise Hang(f"still running after {seconds}s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def only_typed_errors(call: Callable[[], Any]) -> Any:
    """Run call: a result or a SecscanError is fine; anything else fails the example."""
    with no_hang():
        try:
            return call()
        except SecscanError:
            return None


@pytest.fixture(autouse=True, scope="module")
def no_secret_registration() -> Iterator[None]:
    """The gitleaks parser registers every secret value it reads, for the rest of the process:
    fuzzed "secrets" would then be masked in every later test's output."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(gitleaks, "register_secret", lambda value: None)
        yield


SOURCE = Path(tempfile.mkdtemp(prefix="secscan-fuzz-src-"))
atexit.register(shutil.rmtree, SOURCE, ignore_errors=True)
(SOURCE / "app.py").write_text("import os\npassword = 'hunter2hunter2'\nresult = eval(os.environ['X'])\n")

# --- JSON strategies -------------------------------------------------------------------------

HUGE = st.sampled_from([2**63, -(2**63) - 1, 10**30, -(10**30), 2**1000, 0, -1])
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | HUGE
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
)
ANY_JSON = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=24,
)
DEEP_MARK = "\u0000deep\u0000"
# A placeholder replaced by "[[[…]]]" of this depth in the serialized text (too deep to build as objects).
DEEP = st.integers(min_value=50, max_value=3_000).map(lambda depth: f"{DEEP_MARK}{depth}{DEEP_MARK}")


def wild(typical: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the right kind of value, sometimes anything at all."""
    return st.one_of(typical, typical, ANY_JSON, HUGE, DEEP)


def serialize(document: Any) -> bytes:
    text = json.dumps(document, allow_nan=False)
    parts = text.split(json.dumps(DEEP_MARK)[1:-1])
    # parts alternate: text, depth, text, depth, …  (the mark is always inside a JSON string)
    out = []
    for index, part in enumerate(parts):
        if index % 2 == 1:
            depth = int(part)
            out[-1] = out[-1][:-1]  # drop the string's opening quote
            out.append("[" * depth + "]" * depth)
        else:
            out.append(part[1:] if index > 0 else part)  # drop the string's closing quote
    return "".join(out).encode()


def obj(
    required: dict[str, st.SearchStrategy[Any]] | None = None, **optional: st.SearchStrategy[Any]
) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(required or {}, optional=optional)


SEVERITY_WORDS = st.sampled_from(
    ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN", "ERROR", "WARNING", "INFO", "", "bogus"]
)
SHORT = st.text(max_size=30)
PATHS = st.sampled_from(["app.py", "../../etc/passwd", "/abs/path", "", "a\x00b", "dir/", "ü/ß.py", "x" * 300])
LINES = st.one_of(st.integers(min_value=-5, max_value=10), HUGE)

GITLEAKS_ITEM = obj(
    RuleID=wild(st.sampled_from(["aws-access-token", "generic-api-key", "private-key", ""]) | SHORT),
    Description=wild(SHORT),
    StartLine=wild(LINES),
    EndLine=wild(LINES),
    Match=wild(SHORT),
    Secret=wild(st.sampled_from(["REDACTED", ""]) | SHORT),
    File=wild(PATHS),
    Commit=wild(st.sampled_from(["", "0" * 40]) | SHORT),
    Tags=wild(st.lists(SHORT, max_size=3)),
    Fingerprint=wild(SHORT),
)
GITLEAKS_DOC = wild(st.lists(wild(GITLEAKS_ITEM), max_size=4))

POSITION = obj(line=wild(LINES), col=wild(LINES), offset=wild(LINES))
SEMGREP_RESULT = obj(
    check_id=wild(st.sampled_from(["rules.python.python-eval-exec-injection", "x", ""]) | SHORT),
    path=wild(PATHS),
    start=wild(POSITION),
    end=wild(POSITION),
    extra=wild(
        obj(
            message=wild(SHORT),
            severity=wild(SEVERITY_WORDS),
            metadata=wild(
                obj(
                    cwe=wild(st.lists(st.sampled_from(["CWE-798: x", "CWE-89", "nope"]), max_size=3)),
                    references=wild(st.lists(st.sampled_from(["https://x.test", "ftp://y"]), max_size=3)),
                    owasp=wild(st.lists(SHORT, max_size=3)),
                    category=wild(st.sampled_from(["security", "secret"])),
                    **{"security-severity": wild(st.floats(allow_nan=False) | SHORT), "source-rule-url": wild(SHORT)},
                )
            ),
            is_ignored=wild(st.booleans()),
            fix=wild(SHORT),
            metavars=wild(st.dictionaries(SHORT, obj(abstract_content=wild(SHORT)), max_size=2)),
            lines=wild(SHORT),
        )
    ),
)
SEMGREP_ERROR = obj(
    level=wild(st.sampled_from(["error", "warn", "info"])),
    type=wild(st.sampled_from(["InvalidRuleSchemaError", "PartialParsing"]) | st.lists(SHORT, max_size=2)),
    message=wild(SHORT),
    short_msg=wild(SHORT),
    path=wild(PATHS),
    code=wild(LINES),
)
SEMGREP_DOC = wild(
    obj(
        {"results": wild(st.lists(wild(SEMGREP_RESULT), max_size=4))},
        errors=wild(st.lists(wild(SEMGREP_ERROR), max_size=3)),
        version=wild(st.just("1.185.0")),
        paths=wild(obj(scanned=wild(st.lists(PATHS, max_size=3)))),
    )
)

VULN = obj(
    VulnerabilityID=wild(st.sampled_from(["CVE-2018-18074", ""]) | SHORT),
    PkgName=wild(SHORT),
    PkgPath=wild(PATHS),
    InstalledVersion=wild(SHORT),
    FixedVersion=wild(SHORT),
    Severity=wild(SEVERITY_WORDS),
    Title=wild(SHORT),
    Description=wild(SHORT),
    PrimaryURL=wild(SHORT),
    References=wild(st.lists(SHORT, max_size=3)),
    CweIDs=wild(st.lists(SHORT, max_size=3)),
)
CAUSE = obj(
    Resource=wild(SHORT),
    StartLine=wild(LINES),
    EndLine=wild(LINES),
    Code=wild(obj(Lines=wild(st.lists(wild(obj(Content=wild(SHORT), IsCause=wild(st.booleans()))), max_size=3)))),
)
MISCONFIG = obj(
    ID=wild(SHORT),
    AVDID=wild(SHORT),
    Status=wild(st.sampled_from(["FAIL", "PASS"])),
    Severity=wild(SEVERITY_WORDS),
    Title=wild(SHORT),
    Message=wild(SHORT),
    Description=wild(SHORT),
    Resolution=wild(SHORT),
    PrimaryURL=wild(SHORT),
    References=wild(st.lists(SHORT, max_size=2)),
    CauseMetadata=wild(CAUSE),
)
SECRET = obj(
    RuleID=wild(SHORT),
    Severity=wild(SEVERITY_WORDS),
    Title=wild(SHORT),
    StartLine=wild(LINES),
    EndLine=wild(LINES),
    Match=wild(SHORT),
    Code=wild(ANY_JSON),
)
LICENCE = obj(
    Name=wild(SHORT),
    Category=wild(SHORT),
    PkgName=wild(SHORT),
    Severity=wild(SEVERITY_WORDS),
    FilePath=wild(PATHS),
    Link=wild(SHORT),
)
TRIVY_RESULT = obj(
    Target=wild(st.sampled_from(["requirements.txt", "Python", "", "alpine 3.19 (alpine 3.19.1)"]) | PATHS),
    Class=wild(SHORT),
    Vulnerabilities=wild(st.lists(wild(VULN), max_size=3)),
    Misconfigurations=wild(st.lists(wild(MISCONFIG), max_size=3)),
    Secrets=wild(st.lists(wild(SECRET), max_size=3)),
    Licenses=wild(st.lists(wild(LICENCE), max_size=3)),
)
TRIVY_DOC = wild(
    obj(
        {"SchemaVersion": wild(st.just(2))},
        ArtifactName=wild(SHORT),
        ArtifactType=wild(st.sampled_from(["container_image", "filesystem"])),
        Results=wild(st.lists(wild(TRIVY_RESULT), max_size=3)),
        Trivy=wild(obj(Version=wild(st.just("0.76.0")))),
        Metadata=wild(
            obj(
                ImageConfig=wild(
                    obj(
                        config=wild(obj(Env=wild(st.lists(SHORT, max_size=3)))),
                        history=wild(st.lists(wild(obj(created_by=wild(SHORT))), max_size=3)),
                    )
                )
            )
        ),
    )
)

PARSERS: dict[str, Callable[[bytes], Any]] = {
    "gitleaks": lambda data: gitleaks.parse(data, SOURCE),
    "semgrep": lambda data: semgrep.parse(data, SOURCE),
    "trivy": lambda data: trivy.parse(data, SOURCE, "trivy"),
    "trivy-image": lambda data: trivy.parse(data, SOURCE, "trivy-image"),
}
REDACTORS: dict[str, Callable[[bytes], str]] = {
    "gitleaks": gitleaks.redact_raw,
    "semgrep": semgrep.redact_raw,
    "trivy": trivy.redact_raw,
    "trivy-image": trivy.redact_raw,
}
SHAPED = {"gitleaks": GITLEAKS_DOC, "semgrep": SEMGREP_DOC, "trivy": TRIVY_DOC, "trivy-image": TRIVY_DOC}


def check_layer(name: str, data: bytes) -> None:
    only_typed_errors(lambda: PARSERS[name](data))
    with no_hang():
        redacted = REDACTORS[name](data)  # raw/ must always be writable: it never raises
    assert isinstance(redacted, str)


@pytest.mark.parametrize("name", list(PARSERS))
@FAST
@given(data=st.binary(max_size=300))
def test_parsers_take_arbitrary_bytes(name: str, data: bytes) -> None:
    check_layer(name, data)


@pytest.mark.parametrize("name", list(PARSERS))
@FAST
@given(document=ANY_JSON)
def test_parsers_take_arbitrary_json(name: str, document: Any) -> None:
    check_layer(name, json.dumps(document).encode())


@pytest.mark.parametrize("name", list(PARSERS))
@FAST
@given(data=st.data())
def test_parsers_take_schema_shaped_documents(name: str, data: st.DataObject) -> None:
    check_layer(name, serialize(data.draw(SHAPED[name])))


@pytest.mark.parametrize("name", list(PARSERS))
@pytest.mark.parametrize("depth", [100, 400, 800, 990, 1_500, 100_000])
def test_deep_nesting_at_every_depth(name: str, depth: int) -> None:
    """Around the interpreter's recursion limit both json and our own walkers must hold."""
    nested = "[" * depth + "]" * depth
    shapes = {
        "gitleaks": f'[{{"RuleID": "x", "Secret": "REDACTED", "Extra": {nested}}}]',
        "semgrep": f'{{"results": [], "errors": [], "paths": {nested}}}',
        "trivy": f'{{"SchemaVersion": 2, "Results": [], "Metadata": {nested}}}',
        "trivy-image": f'{{"SchemaVersion": 2, "Results": [{{"Target": "x", "Secrets": [{{"Code": {nested}}}]}}]}}',
    }
    for text in (nested, shapes[name]):
        check_layer(name, text.encode())


@settings(FAST, max_examples=40)
@given(data=st.data())
def test_secscan_report_pipeline_never_raises(data: st.DataObject, tmp_path_factory: pytest.TempPathFactory) -> None:
    """`secscan report` on fuzzed files: a layer error or a report, never an exception."""
    root = tmp_path_factory.mktemp("fuzz-report")
    inputs: dict[str, Path | None] = {}
    for name in ("gitleaks", "semgrep", "trivy", "trivy-image"):
        choice = data.draw(st.sampled_from(["none", "shaped", "json"]), label=name)
        if choice == "none":
            inputs[name] = None
            continue
        document = data.draw(SHAPED[name] if choice == "shaped" else ANY_JSON, label=f"{name} document")
        path = root / f"{name}.json"
        path.write_bytes(serialize(document) if choice == "shaped" else json.dumps(document).encode())
        inputs[name] = path
    if not any(inputs.values()):
        inputs["semgrep"] = root / "semgrep.json"
        inputs["semgrep"].write_text('{"results": []}')
    options = Options(out_dir=root / "out", no_ai=True, no_slack=True)
    with no_hang(30):
        report = anyio.run(report_from_files, inputs, options, SOURCE)
    assert report.verdict in ("pass", "fail")
    assert (root / "out" / "report.json").is_file()
    for entry in report.layers:
        if entry.status == "error":
            assert entry.error and "\n" not in entry.error and "internal error" not in entry.error, entry.error
        if inputs[entry.name] is not None and entry.status == "error":
            assert report.verdict == "fail"


# --- TOML: config and suppressions -------------------------------------------------------------


def _toml_string(text: str) -> str:
    escaped = []
    for char in text:
        if char in '"\\':
            escaped.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def _toml_key(key: str) -> str:
    if key and all((c.isalnum() and c.isascii()) or c in "-_" for c in key):
        return key
    return _toml_string(key)  # a basic string is a valid quoted key


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


def to_toml(document: dict[str, Any]) -> str:
    lines = []
    tables = {}
    arrays = {}
    for key, value in document.items():
        if isinstance(value, dict):
            tables[key] = value
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            arrays[key] = value
        else:
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    for key, table in tables.items():
        lines.append(f"[{_toml_key(key)}]")
        lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in table.items()]
    for key, entries in arrays.items():
        for entry in entries:
            lines.append(f"[[{_toml_key(key)}]]")
            lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in entry.items()]
    return "\n".join(lines) + "\n"


TOML_SCALARS = (
    st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats()
    | st.text(max_size=20)
    | st.dates()
    | st.datetimes(timezones=st.none() | st.just(dt.UTC))
)
TOML_ANY = st.recursive(
    TOML_SCALARS,
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(min_size=1, max_size=8), c, max_size=3),
    max_leaves=10,
)


def twild(typical: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(typical, typical, TOML_ANY)


THRESHOLDS = st.sampled_from(["critical", "high", "medium", "low", "info", "none", "severe", ""])
LAYER_NAMES = st.lists(st.sampled_from(["gitleaks", "semgrep", "trivy", "trivy-image", "bogus"]), max_size=4)
TIMEOUTS = st.floats() | st.integers(min_value=-5, max_value=10**6) | st.sampled_from([math.inf, 0.0, 1e-300])
SUPPRESS_ENTRY = st.fixed_dictionaries(
    {},
    optional={
        "id": twild(st.text(max_size=20)),
        "rule": twild(st.sampled_from(["generic-api-key", ""])),
        "path": twild(st.sampled_from(["*.py", "[", "**/x"])),
        "reason": twild(st.text(max_size=10)),
        "owner": twild(st.text(max_size=10)),
        "expires": twild(st.dates()),
        "extra": TOML_ANY,
    },
)
CONFIG_DOC = st.fixed_dictionaries(
    {},
    optional={
        "policy": twild(
            st.fixed_dictionaries(
                {},
                optional={
                    "secret": twild(THRESHOLDS),
                    "code": twild(THRESHOLDS),
                    "vulnerability": twild(THRESHOLDS),
                    "misconfiguration": twild(THRESHOLDS),
                    "license": twild(THRESHOLDS),
                    "vulnerability_requires_fix": twild(st.booleans()),
                    "optional_layers": twild(LAYER_NAMES),
                    "ai_can_fail": twild(st.booleans()),
                    "bogus": TOML_ANY,
                },
            )
        ),
        "scan": twild(
            st.fixed_dictionaries(
                {},
                optional={
                    "layers": twild(LAYER_NAMES),
                    "exclude": twild(st.lists(st.text(max_size=10), max_size=3)),
                    "timeout_s": twild(TIMEOUTS),
                    "timeouts": twild(
                        st.dictionaries(st.sampled_from(["gitleaks", "trivy-image", "x"]), TIMEOUTS, max_size=2)
                    ),
                    "semgrep_config": twild(st.lists(st.text(max_size=10), max_size=2)),
                    "trivy_db_repositories": twild(st.lists(st.text(max_size=10), max_size=2)),
                    "respect_gitignore": twild(st.booleans()),
                },
            )
        ),
        "ai": twild(
            st.fixed_dictionaries(
                {},
                optional={
                    "model": twild(st.text(max_size=10)),
                    "prompt_budget_tokens": twild(st.integers()),
                    "max_completion_tokens": twild(st.integers()),
                    "timeout_s": twild(TIMEOUTS),
                    "max_retries": twild(st.integers(min_value=-3, max_value=20)),
                    "prices": twild(
                        st.dictionaries(
                            st.text(max_size=6),
                            st.fixed_dictionaries(
                                {},
                                optional={"prompt_per_million": TOML_SCALARS, "completion_per_million": TOML_SCALARS},
                            ),
                            max_size=2,
                        )
                    ),
                },
            )
        ),
        "slack": twild(
            st.fixed_dictionaries(
                {},
                optional={
                    "enabled": twild(st.booleans()),
                    "max_top_findings": twild(st.integers()),
                    "api_url": twild(st.sampled_from(["https://slack.com/api/", "ftp://x", "http:// spaced"])),
                    "timeout_s": twild(TIMEOUTS),
                    "max_retries": twild(st.integers()),
                    "retry_budget_s": twild(TIMEOUTS),
                    "thread_details": twild(st.booleans()),
                    "attach_report": twild(st.booleans()),
                },
            )
        ),
        "suppress": twild(st.lists(SUPPRESS_ENTRY, max_size=3)),
        "suppressions_file": twild(st.sampled_from(["missing.toml", "suppress.toml", "", "/", "\x00", "x" * 5000])),
        "bogus": TOML_ANY,
    },
)
FUZZ_DIR = Path(tempfile.mkdtemp(prefix="secscan-fuzz-toml-"))
atexit.register(shutil.rmtree, FUZZ_DIR, ignore_errors=True)
(FUZZ_DIR / "suppress.toml").write_text(
    "[[suppress]]\nrule = 'generic-api-key'\nreason = 'fixture'\nowner = 'sec'\nexpires = 2099-01-01\n"
)


@FAST
@given(document=CONFIG_DOC)
def test_config_documents(document: dict[str, Any]) -> None:
    text = to_toml(document)
    parsed = tomllib.loads(text)  # the generator writes valid TOML: what secscan sees is `document`
    only_typed_errors(lambda: parse_config(parsed, "fuzz.toml"))
    path = FUZZ_DIR / "secscan.toml"
    path.write_text(text, encoding="utf-8")
    only_typed_errors(lambda: load_config(path, None))
    only_typed_errors(lambda: load_config(None, FUZZ_DIR))
    pyproject = FUZZ_DIR / "pyproject.toml"
    pyproject.write_text(to_toml({"tool": {"secscan": document}}) if document else "[project]\n", encoding="utf-8")
    only_typed_errors(lambda: load_config(pyproject, None))


@FAST
@given(text=st.text(max_size=300) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_config_arbitrary_text(text: str) -> None:
    path = FUZZ_DIR / "text.toml"
    path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
    only_typed_errors(lambda: load_config(path, None))
    only_typed_errors(lambda: load_suppressions(path))


@FAST
@given(
    entries=twild(st.lists(SUPPRESS_ENTRY, max_size=4)),
    extra=st.dictionaries(st.text(min_size=1, max_size=6), TOML_ANY, max_size=2),
)
def test_suppressions_file(entries: Any, extra: dict[str, Any]) -> None:
    path = FUZZ_DIR / "suppressions.toml"
    document = {**extra, "suppress": entries}
    path.write_text(to_toml(document), encoding="utf-8")
    result = only_typed_errors(lambda: load_suppressions(path))
    assert result is None or isinstance(result, list)


# --- baseline reports --------------------------------------------------------------------------

BASELINE_FINDING = obj(id=wild(st.text(max_size=20)), rule_id=wild(SHORT), severity=wild(SEVERITY_WORDS))
BASELINE_DOC = wild(obj(findings=wild(st.lists(wild(BASELINE_FINDING), max_size=4)), schema_version=wild(st.just(1))))


@FAST
@given(document=BASELINE_DOC | ANY_JSON, raw=st.none() | st.binary(max_size=100))
def test_baseline_reports(document: Any, raw: bytes | None) -> None:
    path = FUZZ_DIR / "baseline.json"
    path.write_bytes(raw if raw is not None else serialize(document))
    result = only_typed_errors(lambda: load_baseline(path))
    assert result is None or isinstance(result, frozenset)
