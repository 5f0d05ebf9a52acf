"""`secscan`: a thin shell over the pipeline. Exit 0 pass, 1 fail, 2 bad usage or config."""

from __future__ import annotations

import argparse
import gc
import json
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from secscan import catalog
from secscan.errors import AnalysisTimeout, ConfigError, OutputError, UsageError

if TYPE_CHECKING:
    from secscan.pipeline import Options
    from secscan.report import Report

EXIT_PASS, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
LAYER_CHOICES = catalog.layer_names()


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"secscan: {message} (see secscan {self.prog.split()[-1]} --help)\n")


def _layers(value: str) -> tuple[str, ...]:
    names = tuple(part.strip() for part in value.split(",") if part.strip())
    if not names:
        raise argparse.ArgumentTypeError(f"--layers is empty: name at least one of {','.join(LAYER_CHOICES)}")
    unknown = [n for n in names if n not in LAYER_CHOICES]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown layer(s) {', '.join(unknown)}: choose from {','.join(LAYER_CHOICES)}"
        )
    return tuple(dict.fromkeys(names))


def _policy_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, default=Path("secscan-report"), help="output folder (default ./secscan-report)"
    )
    parser.add_argument(
        "--config", type=Path, help="policy/config file (default: secscan.toml or [tool.secscan] in pyproject.toml)"
    )
    parser.add_argument(
        "--baseline", type=Path, help="an earlier report.json: only findings not in it can fail the gate"
    )
    parser.add_argument("--no-ai", action="store_true", help="no model call, even with OPENAI_API_KEY set")
    parser.add_argument("--no-slack", action="store_true", help="no Slack message, even when configured")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--quiet", "-q", action="store_true", help="print only the verdict line")
    output.add_argument("--json", action="store_true", help="print report.json to stdout (no other output on stdout)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="secscan", description="Secrets, code, dependency and image scanning behind one policy gate.")
    parser.add_argument("--version", action="version", version=f"secscan {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    scan = commands.add_parser("scan", help="run every layer on PATH locally, in parallel")
    scan.add_argument("path", nargs="?", type=Path, default=Path("."), help="what to scan (default .)")
    scan.add_argument(
        "--image",
        type=Path,
        metavar="TAR_OR_OCI_DIR",
        help=f"also scan a container image ({', '.join(catalog.image_layers())} layer)",
    )
    scan.add_argument("--layers", type=_layers, metavar="LIST", help=f"subset of {','.join(LAYER_CHOICES)}")
    scan.add_argument(
        "--semgrep-config",
        action="append",
        default=[],
        metavar="CONFIG",
        help="extra semgrep config (registry pack or rules path); repeatable",
    )
    scan.add_argument(
        "--since",
        metavar="REF|auto",
        help="diff-aware: scan what changed since merge-base(REF, HEAD); findings are new or existing against it "
        "(auto: the pull/merge request base from GITHUB_BASE_REF / GITHUB_EVENT_PATH, "
        "CI_MERGE_REQUEST_DIFF_BASE_SHA, CHANGE_TARGET)",
    )
    scan.add_argument("--no-cache", action="store_true", help="run every layer, even when its cached result would do")
    scan.add_argument(
        "--no-pr-comment", action="store_true", help="no pull request comment, even with GITHUB_TOKEN in a PR run"
    )
    _policy_options(scan)

    report = commands.add_parser("report", help="the same pipeline on scanner JSON produced elsewhere")
    for name in LAYER_CHOICES:
        report.add_argument(f"--{name}", type=Path, metavar="FILE", help=f"{name} JSON output")
    report.add_argument(
        "--raw",
        type=Path,
        metavar="DIR",
        help="an earlier run's raw/ folder: the same layers, errors and verdict again",
    )
    report.add_argument(
        "--source", type=Path, help="the scanned source tree, to read code lines and config from (optional)"
    )
    report.add_argument("--schema", action="store_true", help="print report.json's JSON Schema and exit")
    _policy_options(report)

    commands.add_parser("doctor", help="which scanners were found, their versions, what is configured")
    commands.add_parser("schema", help="print report.json's JSON Schema")
    return parser


def _version() -> str:
    from secscan import __version__

    return __version__


def _options(args: argparse.Namespace, **extra: object) -> Options:
    from secscan.pipeline import Options

    return Options(
        out_dir=args.out,
        config_path=args.config,
        baseline_path=args.baseline,
        no_ai=args.no_ai,
        no_slack=args.no_slack,
        **extra,  # type: ignore[arg-type]
    )


def _print_schema() -> int:
    from secscan.outputs.json_report import schema

    print(json.dumps(schema(), indent=2))
    return EXIT_PASS


def _finish(report: Report, args: argparse.Namespace) -> int:
    from secscan.outputs import terminal

    err = terminal.console(stderr=True)
    if args.json:
        from secscan.outputs.json_report import JsonReport

        sys.stdout.write(JsonReport().render(report))
    elif args.quiet:
        print(f"secscan: {report.verdict.upper()}" + (f" ({len(report.reasons)} reason(s))" if report.reasons else ""))
    else:
        terminal.print_summary(report, err)
        err.print(f"outputs: {terminal._escape(str(args.out))}/")
    if report.synthesis.error:  # OPENAI_API_KEY was set, but the model's answer could not be had or used
        reason = terminal._escape(report.synthesis.error)
        err.print(f"[yellow]ai[/]: not used, deterministic synthesis instead: {reason}")
    if report.slack is not None and report.slack.status == "failed":
        err.print(f"[yellow]slack[/]: not delivered: {terminal._escape(report.slack.detail or '')}")
    return EXIT_PASS if report.verdict == "pass" else EXIT_FAIL


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """One run builds millions of small objects and no cycles worth collecting: the cyclic
    collector would rescan them all, again and again (a third of a 100k-finding run).
    What the run leaves alive (the report) is frozen out of later collections too, or the
    first one after it would walk all of it once more."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _run(function: Callable[..., Awaitable[Report]], *args: Any) -> Report:
    """anyio.run, with the report handed back outside the event loop's main task.

    On exit asyncio's runner looks up the SIGINT handler it installed, whose repr holds the
    finished main task, whose repr holds its result: a 100,000-finding report took seconds
    to turn into a string nobody reads.
    """
    import anyio

    holder: list[Report] = []

    async def main() -> None:
        holder.append(await function(*args))

    with cyclic_gc_paused():  # the CLI owns its process; a library caller owns its GC
        anyio.run(main)
    return holder[0]


def _scan(args: argparse.Namespace) -> int:

    from secscan.outputs import terminal
    from secscan.pipeline import prepare, scan, selected_layers

    options = _options(
        args,
        layers=args.layers,
        image=args.image,
        semgrep_configs=tuple(args.semgrep_config),
        since=args.since,
        no_cache=args.no_cache,
        no_pr_comment=args.no_pr_comment,
    )
    if not args.path.is_dir():
        if args.path.exists():
            raise UsageError(f"{args.path}: is a file, not a directory: give the folder of the repository to scan")
        raise UsageError(f"{args.path}: no such directory")
    prepared = prepare(options, args.path)
    layers = selected_layers(options, prepared.config)
    if args.since is not None:  # a bad base is exit 2 before anything runs or is shown
        import anyio

        from secscan.scanners.diffscope import resolve

        anyio.run(resolve, args.since, args.path)
    err = terminal.console(stderr=True)
    if args.quiet or args.json:
        report = _run(scan, args.path, options)
    else:
        with terminal.LayerProgress(err, layers) as progress:
            report = _run(scan, args.path, options, progress.update)
    return _finish(report, args)


def _report(args: argparse.Namespace) -> int:

    from secscan.pipeline import report_from_files

    if args.schema:
        return _print_schema()
    from secscan.findings.model import LAYER_NAMES, LayerName

    inputs: dict[LayerName, Path | None] = {name: getattr(args, name.replace("-", "_")) for name in LAYER_NAMES}
    if args.raw is not None:
        if any(inputs.values()):
            raise UsageError(f"--raw replaces {'/'.join('--' + name for name in LAYER_CHOICES)}: give one or the other")
        import functools

        report = _run(functools.partial(report_from_files, raw_dir=args.raw), inputs, _options(args), args.source)
        return _finish(report, args)
    report = _run(report_from_files, inputs, _options(args), args.source)
    return _finish(report, args)


def _doctor() -> int:
    from secscan.doctor import run

    return run()


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        if args.command == "scan":
            return _scan(args)
        if args.command == "report":
            return _report(args)
        if args.command == "schema":
            return _print_schema()
        return _doctor()
    except ConfigError as exc:  # UsageError too
        from secscan.findings.redact import redact_text
        from secscan.outputs.printable import printable

        print(f"secscan: {printable(redact_text(str(exc)))}", file=sys.stderr)
        return EXIT_USAGE
    except (OutputError, AnalysisTimeout) as exc:
        from secscan.findings.redact import redact_text
        from secscan.outputs.printable import printable

        print(f"secscan: {printable(redact_text(str(exc)))}", file=sys.stderr)
        return EXIT_FAIL
    except KeyboardInterrupt:
        print("secscan: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `secscan doctor | head`
        sys.stderr.close()
        return EXIT_PASS
    except OSError as exc:  # a path on the command line the OS rejects outright (too long, …): bad usage
        from secscan.findings.redact import redact_text
        from secscan.outputs.printable import printable

        name = str(exc.filename) if exc.filename is not None else ""
        where = f"{name[:120]}…: " if len(name) > 120 else f"{name}: " if name else ""
        print(f"secscan: {printable(redact_text(where + (exc.strerror or str(exc))))}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    raise SystemExit(main())
