"""Output formats, one module each; `FORMATS` names every file written to --out."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from secscan.errors import OutputError
from secscan.findings.model import LAYER_NAMES
from secscan.findings.redact import redact_text
from secscan.outputs.gitlab import GITLAB_REPORTS
from secscan.outputs.html import HtmlReport
from secscan.outputs.interface import OutputFormat
from secscan.outputs.json_report import JsonReport
from secscan.outputs.junit import JunitReport
from secscan.outputs.markdown import MarkdownReport
from secscan.outputs.safety import utf8_safe
from secscan.outputs.sarif import SarifReport
from secscan.report import RawManifest, Report


def formats() -> list[OutputFormat]:
    """Every file format written to --out (report.json first)."""
    return [JsonReport(), SarifReport(), MarkdownReport(), HtmlReport(), JunitReport(), *GITLAB_REPORTS]


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def write_atomic(path: Path, content: str | bytes) -> None:
    """Readers never see half a file: write beside it, then rename. Bytes are UTF-8 already."""
    if isinstance(content, bytes):
        data = content
    else:
        try:
            data = content.encode("utf-8")
        except UnicodeEncodeError:  # a non-UTF-8 path must not cost the file
            data = utf8_safe(content).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o666 & ~_UMASK)  # mkstemp makes 0600; artifacts are meant to be read
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def symlinked_output(out_dir: Path) -> Path | None:
    """The first symbolic link on the way to out_dir or its raw/ (None: there is none).

    A scanned repository may commit `secscan-report -> elsewhere` (or `secscan-report/raw ->
    elsewhere`): writing through it would put our files wherever it points. A relative --out is
    checked component by component; an absolute one the operator chose is trusted up to itself."""
    parts = out_dir.parts
    start = len(parts) - 1 if out_dir.is_absolute() else 0
    candidates = [Path(*parts[: index + 1]) for index in range(start, len(parts))]
    for candidate in [*candidates, out_dir / "raw"]:
        if candidate.name in ("", ".", "..") and candidate != out_dir / "raw":
            continue
        try:
            if candidate.is_symlink():
                return candidate
        except (OSError, ValueError):
            return None  # not a path the OS can look up: creating it fails with its own message
    return None


def write_outputs(report: Report, raw: dict[str, str], out_dir: Path) -> list[str]:
    """Write raw/ and every format but report.json (written last, with these problems in it)."""
    problems: list[str] = []
    link = symlinked_output(out_dir)
    if link is not None:  # appeared after the run was prepared
        raise OutputError(f"--out {out_dir}: {link} is a symbolic link: refusing to write through it")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"--out {out_dir}: cannot create: {exc.strerror or exc}") from None
    for name, content in sorted(raw.items()):
        try:
            # redacted when it was read (LayerResult.raw): a second pass over megabytes buys nothing
            write_atomic(out_dir / "raw" / f"{name}.json", content)
        except OSError as exc:
            _remove_stale(out_dir / "raw" / f"{name}.json")
            problems.append(f"raw/{name}.json not written: {exc.strerror or exc}")
    # One run, one set of files: an earlier run's raw/ output of a layer this run did not
    # produce would be read as this run's (`secscan report` on raw/).
    for name in LAYER_NAMES:
        if name not in raw:
            _remove_stale(out_dir / "raw" / f"{name}.json")
    written = {name for name in raw if (out_dir / "raw" / f"{name}.json").is_file()}
    manifest = RawManifest.of(report, written)
    try:
        write_atomic(out_dir / "raw" / "manifest.json", manifest.model_dump_json(indent=2) + "\n")
    except OSError as exc:
        _remove_stale(out_dir / "raw" / "manifest.json")
        problems.append(f"raw/manifest.json not written: {exc.strerror or exc}")
    for output in formats():
        if output.filename == "report.json":
            continue
        applies = getattr(output, "applies", None)
        if applies is not None and not applies(report):  # e.g. container scanning without an image
            _remove_stale(out_dir / output.filename)
            continue
        try:
            write_atomic(out_dir / output.filename, output.render(report))
        except Exception as exc:  # noqa: BLE001 - one broken format must not cost the others
            _remove_stale(out_dir / output.filename)
            problems.append(f"{output.filename} not written: {type(exc).__name__}: {redact_text(str(exc))[:200]}")
    return problems


def _remove_stale(path: Path) -> None:
    """An earlier run's file of this name: gone, so it cannot pass for this run's."""
    try:
        if path.is_file() and not path.is_symlink():
            path.unlink()
    except OSError:
        pass


def write_report_json(report: Report, out_dir: Path) -> None:
    try:
        write_atomic(out_dir / "report.json", JsonReport().render_bytes(report))
    except OSError as exc:
        raise OutputError(f"{out_dir / 'report.json'}: cannot write: {exc.strerror or exc}") from None
