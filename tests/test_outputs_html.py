"""report.html: self-contained, escaped, deterministic; and it really works in a browser.

The browser tests drive Debian's chromium (headless) over the Chrome DevTools protocol
on a pipe (`--remote-debugging-pipe`, standard library only): they collect every
uncaught exception, console error and CSP violation, and read the DOM after the page's
script ran. Without /usr/bin/chromium they are skipped (CI installs it:
`apt-get install -y chromium`). The harness proves it would notice a broken page.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import importlib.resources
import json
import os
import re
import select
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from secscan.findings.model import Severity
from secscan.findings.redact import redact_text
from secscan.outputs import formats
from secscan.outputs.html import HtmlReport
from secscan.report import Report

try:
    from tests import outputs_fixtures as fx
except ImportError:  # pragma: no cover - tests/ on sys.path (pytest rootdir-relative import)
    import outputs_fixtures as fx  # type: ignore[no-redef]

CHROMIUM = os.environ.get("SECSCAN_CHROMIUM", "/usr/bin/chromium")
DATA_BLOCK = re.compile(r'<script type="application/json" id="secscan-data">(.*?)</script>', re.DOTALL)
HOSTILE_TITLE = '</script><script>window.pwned=1</script><img src=x onerror="window.pwned=2"> & "quotes" | pipe'


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return fx.rich_report(tmp_path_factory.mktemp("rich"))


def shown(text: str) -> str:
    """What a page shows for a scanner's text: it is redacted once more on the way out."""
    return redact_text(text)


def data_of(html: str) -> dict[str, Any]:
    [block] = DATA_BLOCK.findall(html)
    document: dict[str, Any] = json.loads(block)
    return document


def hostile_report() -> Report:
    findings = [
        fx.make_finding(
            1,
            "semgrep",
            Severity.HIGH,
            title=HOSTILE_TITLE,
            description="<b>not bold</b>",
            fix="</SCRIPT><!-- comment",
            references=["javascript:window.pwned=3", "https://example.com/a?b=1&c=2"],
        ),
        fx.make_finding(2, "trivy", Severity.LOW, title="plain"),
    ]
    report = fx.generated_report(findings)
    synthesis = report.synthesis.model_copy(update={"summary": "<script>window.pwned=4</script> summary"})
    return report.model_copy(update={"synthesis": synthesis, "reasons": ["<img src=x onerror=window.pwned=5> reason"]})


# --- static checks ----------------------------------------------------------------------


def test_is_registered_as_an_output_format() -> None:
    assert "report.html" in [f.filename for f in formats()]


def test_self_contained(rich: Report) -> None:
    html = HtmlReport().render(rich)
    tags = re.findall(r"<[a-zA-Z][^>]*>", DATA_BLOCK.sub("", html))
    for tag in tags:
        assert not re.search(
            r"\s(src|srcset|href|data|poster|action)\s*=\s*[\"']?\s*(https?:)?//", tag, re.IGNORECASE
        ) or tag.startswith("<a "), tag
    assert not re.search(r"<link\b", html, re.IGNORECASE)
    assert not re.search(r"@import|url\(", html, re.IGNORECASE)
    assert html.count("<script") == 2  # the data block and the one inline script, nothing with src=
    assert not re.search(r"<script[^>]*\ssrc=", html, re.IGNORECASE)
    assert "default-src 'none'" in html


def test_csp_hashes_match_the_inline_style_and_script(rich: Report) -> None:
    html = HtmlReport().render(rich)
    [style] = re.findall(r"<style>(.*?)</style>", html, re.DOTALL)
    [script] = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    [csp] = re.findall(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html)

    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    assert f"style-src {digest(style)}" in csp
    assert f"script-src {digest(script)}" in csp


def test_embedded_data_is_every_finding(rich: Report) -> None:
    data = data_of(HtmlReport().render(rich))
    assert [f["id"] for f in data["findings"]] == [f.id for f in rich.findings]
    by_id = {f.id: f for f in rich.findings}
    for item in data["findings"]:
        finding = by_id[item["id"]]
        assert (item["severity"], item["layer"], item["category"], item["status"]) == (
            finding.severity.value,
            finding.layer,
            finding.category.value,
            finding.status,
        )
        if finding.category.value == "secret":
            assert item["snippet"] is None


def test_hostile_text_cannot_break_out() -> None:
    html = HtmlReport().render(hostile_report())
    data = data_of(html)  # the data block ends where it should ...
    assert data["findings"][0]["title"] == HOSTILE_TITLE  # ... and carries the text unchanged
    assert data["findings"][0]["fix"] == "</SCRIPT><!-- comment"
    block = DATA_BLOCK.findall(html)[0]
    assert not re.search(r"</script|<!--|<script", block, re.IGNORECASE)
    assert "<img src=x" not in html and "<script>window" not in html and "<b>not bold" not in html
    assert "&lt;img src=x onerror=window.pwned=5&gt; reason" in html
    assert "&lt;script&gt;window.pwned=4&lt;/script&gt; summary" in html


def test_no_secret_values(rich: Report) -> None:
    html = HtmlReport().render(rich)
    assert fx.CORPUS_TOKEN not in html
    token = "ghp_" + "Z9y8X7w6" * 5
    planted = fx.make_finding(
        1,
        "semgrep",
        Severity.HIGH,
        title=f"token {token}",
        snippet=f"key = '{token}'",
        description=token,
        path=f"src/{token}.py",
    )
    assert token not in HtmlReport().render(fx.generated_report([planted]))


def test_deterministic(rich: Report) -> None:
    assert HtmlReport().render(rich) == HtmlReport().render(rich)


# --- a real browser ---------------------------------------------------------------------


class PageProblems(AssertionError):
    pass


class DevTools:
    """Chromium over the DevTools protocol on a pipe: fd 3 carries commands in, fd 4 replies out."""

    def __init__(self, profile: Path) -> None:
        to_chrome_read, to_chrome_write = os.pipe()
        from_chrome_read, from_chrome_write = os.pipe()
        # Above 10, so placing them on 3 and 4 cannot clobber one with the other.
        child_in = fcntl.fcntl(to_chrome_read, fcntl.F_DUPFD_CLOEXEC, 10)
        child_out = fcntl.fcntl(from_chrome_write, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(to_chrome_read)
        os.close(from_chrome_write)

        flags = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
            "--disable-extensions",
            "--disable-breakpad",
            "--remote-debugging-pipe",
            f"--user-data-dir={profile}",
            "about:blank",
        ]
        # posix_spawn's dup2 clears close-on-exec on 3 and 4; Python's other fds are close-on-exec (PEP 446).
        self.pid = os.posix_spawn(
            CHROMIUM,
            [CHROMIUM, *flags],
            dict(os.environ),
            file_actions=[
                (os.POSIX_SPAWN_DUP2, child_in, 3),
                (os.POSIX_SPAWN_DUP2, child_out, 4),
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
            ],
            setsid=True,
        )
        os.close(child_in)
        os.close(child_out)
        self._out = to_chrome_write
        self._in = from_chrome_read
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._in], [], [], remaining)[0]:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self._in, 1 << 16)
            if not chunk:
                raise ConnectionError("chromium closed the DevTools pipe")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        parsed: dict[str, Any] = json.loads(message)
        return parsed

    def call(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None, timeout: float = 30
    ) -> dict[str, Any]:
        self._next_id += 1
        command: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            command["sessionId"] = session
        os.write(self._out, json.dumps(command).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            message = self._read_message(deadline)
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            self.events.append(message)

    def wait_for(self, method: str, session: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout

        def seen() -> bool:
            return any(e.get("method") == method and e.get("sessionId") == session for e in self.events)

        while not seen():
            self.events.append(self._read_message(deadline))

    def _exited(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if os.waitpid(self.pid, os.WNOHANG)[0] == self.pid:
                return True
            time.sleep(0.05)
        return False

    def close(self) -> None:
        with contextlib.suppress(OSError, RuntimeError, TimeoutError):
            self.call("Browser.close", timeout=5)
        if not self._exited(10):
            os.killpg(self.pid, signal.SIGKILL)  # its own session and group (setsid): only what we started
            os.waitpid(self.pid, 0)
        os.close(self._out)
        os.close(self._in)


class Tab:
    """One page: its session, and everything that went wrong in it."""

    def __init__(self, browser: DevTools, url: str) -> None:
        self.browser = browser
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.target = target
        self.session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime.enable", "Log.enable", "Page.enable"):
            browser.call(domain, session=self.session)
        browser.call("Page.navigate", {"url": url}, session=self.session)
        browser.wait_for("Page.loadEventFired", self.session)

    def evaluate(self, expression: str) -> Any:
        reply = self.browser.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session=self.session,
        )
        if "exceptionDetails" in reply:
            raise RuntimeError(f"{expression}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def problems(self) -> list[str]:
        """Uncaught exceptions, console.error/assert, and browser log errors (CSP violations, failed loads)."""
        self.evaluate("0")  # flush events that arrived before this point
        found = []
        for event in self.browser.events:
            if event.get("sessionId") != self.session:
                continue
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                found.append(
                    "exception: " + str(details.get("exception", {}).get("description") or details.get("text"))
                )
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append("console: " + " ".join(str(a.get("value", a.get("description"))) for a in params["args"]))
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(f"log ({params['entry'].get('source')}): {params['entry']['text']}")
        return found

    def ready(self, timeout: float = 10) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.evaluate("document.body && document.body.dataset.ready") == "true":
                return True
            time.sleep(0.05)
        return False

    def assert_clean(self) -> None:
        problems = self.problems()
        if problems:
            raise PageProblems("\n".join(problems))

    def close(self) -> None:
        self.browser.call("Target.closeTarget", {"targetId": self.target})


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTools]:
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"no chromium at {CHROMIUM}: install it with `apt-get install -y chromium` (CI: .ci/run does)")
    devtools = DevTools(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield devtools
    finally:
        devtools.close()


def open_page(browser: DevTools, path: Path, html: str) -> Tab:
    path.write_text(html, encoding="utf-8")
    return Tab(browser, path.resolve().as_uri())


def rows(tab: Tab) -> list[dict[str, Any]]:
    return tab.evaluate(  # type: ignore[no-any-return]
        "Array.from(document.querySelectorAll('#findings-body tr.finding')).map(r => ({id: r.dataset.id,"
        " cells: Array.from(r.cells).map(c => c.textContent)}))"
    )


def test_browser_renders_every_finding_without_errors(browser: DevTools, rich: Report, tmp_path: Path) -> None:
    tab = open_page(browser, tmp_path / "report.html", HtmlReport().render(rich))
    try:
        assert tab.ready()
        tab.assert_clean()
        table = rows(tab)
        assert [r["id"] for r in table] == [f.id for f in rich.findings]  # already worst-first
        by_id = {f.id: f for f in rich.findings}
        for row in table:
            finding = by_id[row["id"]]
            assert row["cells"][0] == finding.severity.value
            assert row["cells"][1].startswith(shown(finding.title))
            assert row["cells"][3:] == [finding.layer, finding.category.value, finding.status]
        count = tab.evaluate("document.getElementById('findings-count').textContent")
        assert (
            count
            == f"Showing {len(rich.findings)} of {len(rich.findings)} matching findings ({len(rich.findings)} in total)"
        )
        assert tab.evaluate("document.querySelectorAll('#severity-chart rect').length") > 0
        assert tab.evaluate("document.getElementById('verdict').textContent").startswith("FAIL The gate failed")
    finally:
        tab.close()


def test_browser_filters_sorts_and_shows_details(browser: DevTools, rich: Report, tmp_path: Path) -> None:
    tab = open_page(browser, tmp_path / "report.html", HtmlReport().render(rich))
    try:
        assert tab.ready()

        def choose(select: str, value: str) -> None:
            tab.evaluate(
                f"(() => {{ const s = document.getElementById('{select}'); s.value = {json.dumps(value)};"
                " s.dispatchEvent(new Event('change')); })()"
            )

        choose("filter-status", "suppressed")
        assert rows(tab) and {r["cells"][5] for r in rows(tab)} == {"suppressed"}
        assert len(rows(tab)) == sum(f.status == "suppressed" for f in rich.findings)
        choose("filter-status", "")
        severity = next(f.severity for f in rich.findings if f.layer == "trivy-image")
        choose("filter-layer", "trivy-image")
        choose("filter-severity", severity.value)
        expected = [f.id for f in rich.findings if f.layer == "trivy-image" and f.severity is severity]
        assert expected and [r["id"] for r in rows(tab)] == expected
        choose("filter-layer", "")
        choose("filter-severity", "")
        choose("filter-category", "secret")
        assert rows(tab) and {r["cells"][4] for r in rows(tab)} == {"secret"}
        choose("filter-category", "")

        tab.evaluate(
            "(() => { const i = document.getElementById('filter-text'); i.value = 'DEPLOY.SH';"
            " i.dispatchEvent(new Event('input')); })()"
        )
        assert {r["cells"][2].split(":")[0] for r in rows(tab)} == {"deploy.sh"}
        tab.evaluate(
            "(() => { const i = document.getElementById('filter-text'); i.value = '';"
            " i.dispatchEvent(new Event('input')); })()"
        )

        # the default order is the risk model's (report order); severity sorts worst first, then ascending
        tab.evaluate("document.querySelector('th[data-sort=severity] button').click()")
        descending = [Severity(r["cells"][0]).rank for r in rows(tab)]
        assert descending == sorted(descending, reverse=True)
        tab.evaluate("document.querySelector('th[data-sort=severity] button').click()")  # now ascending
        ranks = [Severity(r["cells"][0]).rank for r in rows(tab)]
        assert ranks == sorted(ranks) and ranks[0] < ranks[-1]
        assert tab.evaluate("document.querySelector('th[data-sort=severity]').getAttribute('aria-sort')") == "ascending"
        tab.evaluate("document.querySelector('th[data-sort=title] button').click()")
        titles = [r["cells"][1] for r in rows(tab)]
        assert titles == sorted(titles, key=str.lower)

        finding = next(f for f in rich.findings if f.references and f.description)
        tab.evaluate(f"document.querySelector('tr.finding[data-id=\"{finding.id}\"]').click()")
        detail = tab.evaluate(f"document.querySelector('tr.detail[data-detail-for=\"{finding.id}\"]').textContent")
        assert shown(finding.description or "")[:80] in detail
        assert finding.id in detail
        links = tab.evaluate(
            f"Array.from(document.querySelectorAll('tr.detail[data-detail-for=\"{finding.id}\"] a')).map(a => a.href)"
        )
        assert links == list(dict.fromkeys(finding.references))
        tab.assert_clean()
    finally:
        tab.close()


def test_browser_pages_long_tables(browser: DevTools, tmp_path: Path) -> None:
    report = fx.generated_report(fx.many_findings(450, "semgrep"))
    tab = open_page(browser, tmp_path / "report.html", HtmlReport().render(report))
    try:
        assert tab.ready()
        assert len(rows(tab)) == 200
        tab.evaluate("document.getElementById('findings-more').click()")
        tab.evaluate("document.getElementById('findings-more').click()")
        assert len(rows(tab)) == 450
        assert tab.evaluate("document.getElementById('findings-more').hidden") is True
        tab.assert_clean()
    finally:
        tab.close()


def test_browser_shows_hostile_text_as_text(browser: DevTools, tmp_path: Path) -> None:
    tab = open_page(browser, tmp_path / "report.html", HtmlReport().render(hostile_report()))
    try:
        assert tab.ready()
        tab.assert_clean()
        assert tab.evaluate("window.pwned === undefined")
        assert tab.evaluate("document.querySelectorAll('img, b, main script').length") == 0
        assert rows(tab)[0]["cells"][1].startswith(HOSTILE_TITLE)
        tab.evaluate("document.querySelector('tr.finding').click()")
        hrefs = tab.evaluate("Array.from(document.querySelectorAll('tr.detail a')).map(a => a.href)")
        assert hrefs == ["https://example.com/a?b=1&c=2"]  # javascript: is shown as text, not linked
        assert tab.evaluate("window.pwned === undefined")
    finally:
        tab.close()


# The harness must notice a broken page, or a green test above would mean nothing.


def small_report() -> Report:
    return fx.generated_report(fx.many_findings(30, "semgrep"))


def _with_script(html: str, script: str) -> str:
    """Swap the page's script and its CSP hash, as a real change to the script would."""
    [old] = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)

    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    return html.replace(digest(old), digest(script)).replace(f"<script>{old}</script>", f"<script>{script}</script>")


def test_harness_catches_an_uncaught_exception(browser: DevTools, tmp_path: Path) -> None:
    html = HtmlReport().render(small_report())
    [script] = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    broken = _with_script(html, script + "\nsetTimeout(() => { throw new Error('deliberate failure'); }, 0);\n")
    tab = open_page(browser, tmp_path / "report.html", broken)
    try:
        assert tab.ready()  # the table still rendered ...
        time.sleep(0.2)
        with pytest.raises(PageProblems, match="deliberate failure"):  # ... and the error is still caught
            tab.assert_clean()
    finally:
        tab.close()


def test_harness_catches_a_script_that_cannot_start(browser: DevTools, tmp_path: Path) -> None:
    html = (
        HtmlReport()
        .render(small_report())
        .replace(
            '<script type="application/json" id="secscan-data">{',
            '<script type="application/json" id="secscan-data">{,',
            1,
        )
    )
    tab = open_page(browser, tmp_path / "report.html", html)
    try:
        assert not tab.ready(timeout=1)
        with pytest.raises(PageProblems, match="SyntaxError"):
            tab.assert_clean()
        banner = tab.evaluate("document.getElementById('script-error').textContent")
        assert banner.startswith("The findings table could not be built")
    finally:
        tab.close()


def test_harness_catches_a_blocked_network_asset(browser: DevTools, tmp_path: Path) -> None:
    html = (
        HtmlReport()
        .render(small_report())
        .replace("</main>", '<img src="https://example.invalid/pixel.png"></main>', 1)
    )
    tab = open_page(browser, tmp_path / "report.html", html)
    try:
        assert tab.ready()
        with pytest.raises(PageProblems, match="Content Security Policy"):
            tab.assert_clean()
    finally:
        tab.close()


def test_synthesis_is_shown(rich: Report) -> None:
    from secscan.synthesis.model import LikelyFalsePositive

    doubt = LikelyFalsePositive(finding_ids=["abc123"], reason="looks like <test> data")
    synthesis = rich.synthesis.model_copy(update={"likely_false_positives": [doubt]})
    html = HtmlReport().render(rich.model_copy(update={"synthesis": synthesis}))
    assert f"Risk {rich.synthesis.risk_score}/100" in html
    for risk in rich.synthesis.top_risks:
        assert html_escape(redact_text(risk.title)) in html
    assert "looks like &lt;test&gt; data" in html


def html_escape(text: str) -> str:
    from html import escape

    return escape(text, quote=True)


def test_the_page_runs_exactly_the_shipped_style_and_script() -> None:
    page = importlib.resources.files("secscan.outputs") / "page"
    css, js = (page / "report.css").read_text(encoding="utf-8"), (page / "report.js").read_text(encoding="utf-8")
    html = HtmlReport().render(fx.generated_report(fx.many_findings(3, "semgrep")))
    assert f"<style>{css}</style>" in html and f"<script>{js}</script>" in html

    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    assert f"style-src {digest(css)};" in html and f"script-src {digest(js)};" in html
