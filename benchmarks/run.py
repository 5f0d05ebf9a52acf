#!/usr/bin/env python3
"""secscan benchmarks: one command, one table, one JSON file.

    python benchmarks/run.py [--quick] [--out benchmarks/results.json]

P1  wall time of `secscan scan` against the three scanners run alone (the very commands the
    layers build), their sum, and the three started together; on a small planted repository
    and on Django (sdist unpacked into a git repository with three commits). Floor =
    max(slowest scanner alone, the three together). Target: secscan <= 1.15 x floor.
P2  `secscan report` on synthetic scanner outputs (real schemas) of 1k/10k/100k findings:
    wall time and peak RSS of the whole command. Targets: 100k in <= 2 s and <= 400 MB,
    time growing linearly.
P3  prompt tokens the AI layer would send, against sending the scanners' raw JSON.
P4  start-up: `secscan --help` (target <= 0.5 s) and `secscan doctor`.
P5  a one-commit pull request (one changed Python file) on Django: `secscan scan --since main`
    against a full scan of the same head (`--no-cache`), measured in the same run. Two cases:
    the CI restored the result cache of the base branch's scan (what the cache is for: trivy
    reuses the base's result), and no cache at all (trivy runs in full). Target: <= 20 %.
P6  an unchanged rescan with a warm result cache against the same full scan. Target: <= 10 %.

Every measurement is a fresh subprocess; wall time, CPU time (user+sys) and peak RSS come
from os.wait4. Variants are interleaved within each repeat, and the median is reported, so
load from other processes on the machine spreads over all of them alike.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tests"))  # the planted repository and the tiny trivy DB writer

import synthetic  # noqa: E402 (after the sys.path line above)

PARTS = ("p1", "p2", "p3", "p4", "p5")
P1_TARGET = 1.15
P2_TARGET_S, P2_TARGET_MB = 2.0, 400.0
P4_TARGET_S = 0.5
P5_TARGET, P6_TARGET = 0.20, 0.10
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


# ---------------------------------------------------------------------------------------------
# measuring one subprocess


@dataclass
class Run:
    wall_s: float
    cpu_s: float
    rss_mb: float
    returncode: int


def _rusage_run(started: float, status: int, usage: Any) -> Run:
    return Run(
        wall_s=time.perf_counter() - started,
        cpu_s=usage.ru_utime + usage.ru_stime,
        rss_mb=usage.ru_maxrss / 1024,  # KiB on Linux
        returncode=os.waitstatus_to_exitcode(status),
    )


def measure(command: Sequence[str], *, env: dict[str, str], cwd: Path | None = None, ok: Sequence[int] = (0,)) -> Run:
    started = time.perf_counter()
    process = subprocess.Popen(
        list(command), env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    stderr = process.stderr.read() if process.stderr else b""  # type: ignore[union-attr]
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    run = _rusage_run(started, status, usage)
    if run.returncode not in ok:
        tail = stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise RuntimeError(
            f"{command[0]} {command[1] if len(command) > 1 else ''} exited {run.returncode}: {' | '.join(tail)}"
        )
    return run


def measure_together(commands: Sequence[tuple[Sequence[str], Path | None, dict[str, str], Sequence[int]]]) -> Run:
    """Start every command at once; wall time until the last one ends, CPU summed, RSS the largest."""
    started = time.perf_counter()
    processes = [
        (
            subprocess.Popen(
                list(c), env=e, cwd=d, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            ),
            ok,
        )
        for c, d, e, ok in commands
    ]
    cpu, rss, worst = 0.0, 0.0, 0
    for process, ok in processes:
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = code = os.waitstatus_to_exitcode(status)
        cpu += usage.ru_utime + usage.ru_stime
        rss = max(rss, usage.ru_maxrss / 1024)
        if code not in ok:
            worst = code
    wall = time.perf_counter() - started
    if worst:
        raise RuntimeError(f"a scanner started together with the others exited {worst}")
    return Run(wall_s=wall, cpu_s=cpu, rss_mb=rss, returncode=0)


def median(runs: Sequence[Run], field: str) -> float:
    return statistics.median(getattr(r, field) for r in runs)


# ---------------------------------------------------------------------------------------------
# environment


def secscan_command() -> list[str]:
    beside = Path(sys.executable).parent / "secscan"
    return [str(beside)] if beside.is_file() else [sys.executable, "-m", "secscan"]


def child_env(trivy_cache: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SLACK_", "SECSCAN_MODEL"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["SEMGREP_ENABLE_VERSION_CHECK"] = "0"
    env["SEMGREP_SEND_METRICS"] = "off"
    if trivy_cache is not None:
        env["TRIVY_CACHE_DIR"] = str(trivy_cache)
    return env


def machine() -> dict[str, Any]:
    from secscan import __version__

    return {
        "date": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "secscan": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
    }


# ---------------------------------------------------------------------------------------------
# P1: wall time of a scan


def _git(path: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(path), *args], check=True, capture_output=True, env={**os.environ, **GIT_IDENTITY})


def django_repo(work: Path, source: Path | None) -> Path:
    """The Django sdist unpacked into a git repository with three commits (cached in work/)."""
    repo = work / "django-repo"
    if (repo / ".git").is_dir():
        return repo
    if source is not None and source.is_dir():
        tree = source
    else:
        archive = source
        if archive is None:
            download = work / "download"
            found = sorted(download.glob("[Dd]jango-*.tar.gz")) if download.is_dir() else []
            if not found:
                print("P1: downloading the Django sdist (pip download django==5.1.*) ...", file=sys.stderr)
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "pip",
                        "download",
                        "--no-deps",
                        "--no-binary",
                        ":all:",
                        "django==5.1.*",
                        "-d",
                        str(download),
                    ],
                    check=True,
                    capture_output=True,
                )
                found = sorted(download.glob("[Dd]jango-*.tar.gz"))
            archive = found[-1]
        unpack = work / "django-unpack"
        shutil.rmtree(unpack, ignore_errors=True)
        with tarfile.open(archive) as bundle:
            bundle.extractall(unpack, filter="data")  # no foreign uid: git would call it dubious
        (tree,) = list(unpack.iterdir())
    staging = work / "django-repo.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(tree, staging, symlinks=True)
    _git(staging, "init", "-q", "-b", "main")
    for step, pathspec in enumerate((["django"], ["docs"], ["-A"])):
        _git(staging, "add", *pathspec)
        _git(staging, "commit", "-qm", f"import step {step + 1}")
    staging.rename(repo)
    return repo


def small_repo(work: Path) -> Path:
    import planted_repo

    root = work / "small"
    if (root / "repo" / ".git").is_dir():
        return root / "repo"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    return planted_repo.build(root).path


def trivy_cache(work: Path) -> Path:
    from planted_repo import ADVISORIES
    from support.trivy_db import write_trivy_db

    cache = work / "trivy-cache"
    if not (cache / "db" / "metadata.json").is_file():
        write_trivy_db(cache, ADVISORIES)
    return cache


def scanner_commands(
    target: Path, reports: Path, env: dict[str, str]
) -> dict[str, tuple[list[str], Path | None, dict[str, str], tuple[int, ...]]]:
    """The exact commands the three layers run (their own command builders), with cwd and env."""
    import anyio

    from secscan.config import load_config
    from secscan.scanners.gitleaks import LAYER as GITLEAKS
    from secscan.scanners.gitrepo import git_environment, ignored_paths
    from secscan.scanners.interface import ScanContext
    from secscan.scanners.process import QUIET_ENV, resolve_binary
    from secscan.scanners.semgrep import LAYER as SEMGREP
    from secscan.scanners.semgrep import RULES_DIR
    from secscan.scanners.trivy import FS_LAYER as TRIVY

    saved = dict(os.environ)
    os.environ.update(env)  # resolve_binary and the trivy builder read the environment
    try:
        target = target.resolve()
        config = load_config(None, target)
        context = ScanContext(target=target, workdir=reports, config=config)
        skip = anyio.run(ignored_paths, target) if config.scan.respect_gitignore else ([], [])
        gitleaks = GITLEAKS.command(resolve_binary("gitleaks"), "git", target, reports / "gitleaks.json")
        semgrep = SEMGREP.command(
            resolve_binary("semgrep"),
            [str(RULES_DIR), *config.scan.semgrep_config],
            reports / "semgrep.json",
            config.scan.exclude,
            config.scan.timeout_for("semgrep"),
        )
        trivy = TRIVY.command(
            resolve_binary("trivy"), TRIVY.subject(context), reports / "trivy.json", TRIVY.scanners, context, skip
        )
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return {
        "gitleaks": (gitleaks, None, {**env, **git_environment(target)}, (0, 2)),
        "semgrep": (semgrep, target, {**env, **QUIET_ENV}, (0, 1)),
        "trivy": (trivy, None, env, (0,)),
    }


def bench_scan(name: str, target: Path, cache: Path, work: Path, repeat: int) -> dict[str, Any]:
    env = child_env(cache)
    reports = work / "p1-reports" / name
    reports.mkdir(parents=True, exist_ok=True)
    scanners = scanner_commands(target, reports, env)
    out = work / "p1-out" / name
    # --no-cache: every run scans (the result cache would make the 2nd and 3rd runs free: that is P6)
    secscan = [
        *secscan_command(),
        "scan",
        str(target),
        "--no-ai",
        "--no-slack",
        "--out",
        str(out),
        "--quiet",
        "--no-cache",
    ]
    variants = ["secscan", "gitleaks", "semgrep", "trivy", "together"]
    runs: dict[str, list[Run]] = {v: [] for v in variants}
    layers: list[dict[str, Any]] = []
    load = [os.getloadavg()[0]]
    for index in range(repeat):
        order = variants[index % len(variants) :] + variants[: index % len(variants)]
        for variant in order:
            print(f"P1 {name}: run {index + 1}/{repeat}: {variant} ...", file=sys.stderr, flush=True)
            if variant == "secscan":
                runs[variant].append(measure(secscan, env=env, cwd=work, ok=(0, 1)))
                report = json.loads((out / "report.json").read_text())
                layers.append({layer["name"]: [layer["status"], layer["duration_s"]] for layer in report["layers"]})
                bad = [f"{layer['name']}: {layer['error']}" for layer in report["layers"] if layer["status"] != "ok"]
                if bad:
                    raise RuntimeError(
                        f"secscan scan {name}: a layer did not run cleanly, the comparison would be void: {bad}"
                    )
            elif variant == "together":
                runs[variant].append(measure_together(list(scanners.values())))
            else:
                command, cwd, scanner_env, ok = scanners[variant]
                runs[variant].append(measure(command, env=scanner_env, cwd=cwd, ok=ok))
            load.append(os.getloadavg()[0])
    med = {v: round(median(runs[v], "wall_s"), 2) for v in variants}
    cpu = {v: round(median(runs[v], "cpu_s"), 2) for v in variants}
    alone = max(med["gitleaks"], med["semgrep"], med["trivy"])
    floor = max(alone, med["together"])
    ratio = med["secscan"] / floor
    return {
        "repo": name,
        "target": str(target),
        "files": sum(1 for p in target.rglob("*") if p.is_file() and ".git" not in p.parts),
        "repeat": repeat,
        "wall_s": med,
        "sum_of_three_s": round(med["gitleaks"] + med["semgrep"] + med["trivy"], 2),
        "floor_s": round(floor, 2),
        "ratio": round(ratio, 3),
        "target_ratio": P1_TARGET,
        "met": ratio <= P1_TARGET,
        "cpu_s": cpu,
        "secscan_extra_cpu_s": round(cpu["secscan"] - cpu["together"], 2),
        "all_wall_s": {v: [round(r.wall_s, 2) for r in runs[v]] for v in variants},
        "secscan_layer_durations": layers,
        "loadavg_1min": {"min": round(min(load), 2), "max": round(max(load), 2)},
        "commands": {k: v[0] for k, v in scanners.items()},
    }


# ---------------------------------------------------------------------------------------------
# P5 / P6: a pull request, and an unchanged rescan

PR_FILE = "django/utils/text.py"
PR_CHANGE = "\n\ndef _bench_pr_helper(value):\n    return value.strip()\n"


def pr_repo(work: Path, base: Path) -> Path:
    """A clone of the Django repository with one commit on a branch: one Python file changed."""
    repo = work / "django-pr"
    if (repo / ".git").is_dir():
        return repo
    staging = work / "django-pr.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    subprocess.run(
        ["git", "clone", "-q", str(base), str(staging)],
        check=True,
        capture_output=True,
        env={**os.environ, **GIT_IDENTITY},
    )
    _git(staging, "checkout", "-qb", "pr")
    with (staging / PR_FILE).open("a", encoding="utf-8") as handle:
        handle.write(PR_CHANGE)
    _git(staging, "commit", "-qam", "one changed Python file")
    staging.rename(repo)
    return repo


def _layers(out: Path) -> dict[str, Any]:
    report = json.loads((out / "report.json").read_text())
    bad = [f"{layer['name']}: {layer['error']}" for layer in report["layers"] if layer["status"] != "ok"]
    if bad:
        raise RuntimeError(f"a layer did not run cleanly, the comparison would be void: {bad}")
    return {
        layer["name"]: {"cached": layer.get("cached"), "scope": layer.get("scope"), "s": layer["duration_s"]}
        for layer in report["layers"]
    }


def bench_pr(work: Path, base: Path, trivy: Path, repeat: int) -> dict[str, Any]:
    """P5 and P6 against a full scan of the same head, interleaved in one run."""
    env = child_env(trivy)
    repo = pr_repo(work, base)
    scratch = work / "p5"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    scan = [*secscan_command(), "scan", str(repo), "--no-ai", "--no-slack", "--quiet"]
    # what a CI restores: the result cache of the base branch's own scan (untimed, once)
    base_cache = scratch / "base-cache"
    measure(
        [*secscan_command(), "scan", str(base), "--no-ai", "--no-slack", "--quiet", "--out", str(scratch / "base-out")],
        env={**env, "SECSCAN_CACHE_DIR": str(base_cache)},
        ok=(0, 1),
    )
    # what an unchanged rescan finds: this head's own results (untimed, once)
    warm_cache = scratch / "warm-cache"
    measure([*scan, "--out", str(scratch / "warm-prime")], env={**env, "SECSCAN_CACHE_DIR": str(warm_cache)}, ok=(0, 1))
    variants = ["full", "pr_base_cached", "pr_cold", "rescan_warm"]
    runs: dict[str, list[Run]] = {v: [] for v in variants}
    layers: dict[str, dict[str, Any]] = {}
    for index in range(repeat):
        order = variants[index % len(variants) :] + variants[: index % len(variants)]
        for variant in order:
            print(f"P5/P6: run {index + 1}/{repeat}: {variant} ...", file=sys.stderr, flush=True)
            out = scratch / f"out-{variant}"
            cache = scratch / f"cache-{variant}-{index}"
            if variant == "pr_base_cached":
                shutil.copytree(base_cache, cache, symlinks=True)  # a fresh copy each run: a run adds entries
            elif variant == "rescan_warm":
                cache = warm_cache
            command = {
                "full": [*scan, "--no-cache"],
                "pr_base_cached": [*scan, "--since", "main"],
                "pr_cold": [*scan, "--since", "main"],
                "rescan_warm": scan,
            }[variant]
            runs[variant].append(
                measure([*command, "--out", str(out)], env={**env, "SECSCAN_CACHE_DIR": str(cache)}, ok=(0, 1))
            )
            layers[variant] = _layers(out)
    med = {v: round(median(runs[v], "wall_s"), 2) for v in variants}
    full = med["full"]
    return {
        "repo": "django",
        "change": f"1 commit on main: {PR_FILE} (+{PR_CHANGE.count(chr(10))} lines)",
        "repeat": repeat,
        "wall_s": med,
        "cpu_s": {v: round(median(runs[v], "cpu_s"), 2) for v in variants},
        "all_wall_s": {v: [round(r.wall_s, 2) for r in runs[v]] for v in variants},
        "p5_ratio": round(med["pr_base_cached"] / full, 3),
        "p5_cold_ratio": round(med["pr_cold"] / full, 3),
        "p5_target": P5_TARGET,
        "p5_met": med["pr_base_cached"] / full <= P5_TARGET,
        "p5_cold_met": med["pr_cold"] / full <= P5_TARGET,
        "p6_ratio": round(med["rescan_warm"] / full, 3),
        "p6_target": P6_TARGET,
        "p6_met": med["rescan_warm"] / full <= P6_TARGET,
        "layers": layers,
    }


# ---------------------------------------------------------------------------------------------
# P2: `secscan report` at scale


def inputs_for(work: Path, n: int) -> dict[str, Path]:
    directory = work / "synthetic" / str(n)
    paths = {name: directory / f"{name}.json" for name in ("gitleaks", "semgrep", "trivy")}
    if not all(p.is_file() for p in paths.values()):
        paths = synthetic.write_inputs(n, directory)
    return paths


def bench_report(work: Path, sizes: Sequence[int], repeat: int) -> list[dict[str, Any]]:
    env = child_env()
    rows = []
    for n in sizes:
        inputs = inputs_for(work, n)
        out = work / "p2-out" / str(n)
        command = [
            *secscan_command(),
            "report",
            *(a for name, p in inputs.items() for a in (f"--{name}", str(p))),
            "--out",
            str(out),
            "--no-ai",
            "--no-slack",
            "--quiet",
        ]
        parse_only = [
            sys.executable,
            "-c",
            "import json, sys\nfor p in sys.argv[1:]:\n    json.loads(open(p, 'rb').read())",
            *map(str, inputs.values()),
        ]
        runs, json_runs = [], []
        for index in range(repeat):
            print(f"P2 {n:,} findings: run {index + 1}/{repeat} ...", file=sys.stderr, flush=True)
            shutil.rmtree(out, ignore_errors=True)
            runs.append(measure(command, env=env, cwd=work, ok=(0, 1)))
            json_runs.append(measure(parse_only, env=env, cwd=work))
        report = json.loads((out / "report.json").read_text())
        wall, rss = median(runs, "wall_s"), max(r.rss_mb for r in runs)
        rows.append(
            {
                "findings": n,
                "findings_in_report": len(report["findings"]),
                "input_mb": round(sum(p.stat().st_size for p in inputs.values()) / 2**20, 2),
                "wall_s": round(wall, 3),
                "cpu_s": round(median(runs, "cpu_s"), 3),
                "peak_rss_mb": round(rss, 1),
                "json_parse_only_s": round(median(json_runs, "wall_s"), 3),
                "us_per_finding": round(wall / n * 1e6, 1),
                "outputs": sorted(p.name for p in out.iterdir()),
                "all_wall_s": [round(r.wall_s, 3) for r in runs],
            }
        )
    by_n = {r["findings"]: r for r in rows}
    for row in rows:
        if row["findings"] == 100_000:
            row["target"] = f"<= {P2_TARGET_S:g} s and <= {P2_TARGET_MB:g} MB"
            row["met"] = row["wall_s"] <= P2_TARGET_S and row["peak_rss_mb"] <= P2_TARGET_MB
    if 10_000 in by_n and 100_000 in by_n:
        # linear: the per-finding cost at 100k is at most 25% above the one at 10k
        growth = by_n[100_000]["wall_s"] / by_n[10_000]["wall_s"]
        by_n[100_000]["growth_10k_to_100k"] = round(growth, 2)
        by_n[100_000]["linear"] = growth <= 12.5
    return rows


# ---------------------------------------------------------------------------------------------
# P3: prompt size


def bench_prompt(work: Path, sizes: Sequence[int]) -> dict[str, Any]:
    try:
        from secscan.findings.model import Severity
        from secscan.synthesis.prompt import build_prompt
        from secscan.synthesis.tokens import count_tokens, estimate, exact_available, method
    except ImportError as exc:
        return {"status": f"n/a (AI layer missing: {exc})", "rows": []}
    from secscan.config import Config
    from secscan.pipeline import gate_findings, results_from_files
    from secscan.policy import LayerOutcome, evaluate
    from secscan.synthesis.interface import SynthesisInput

    config = Config()
    budget = config.ai.prompt_budget_tokens
    exact = exact_available()
    rows = []
    for n in sizes:
        print(f"P3 {n:,} findings ...", file=sys.stderr, flush=True)
        inputs = inputs_for(work, n)
        results = results_from_files({**inputs, "trivy-image": None}, None)  # type: ignore[dict-item]
        findings, _ = gate_findings(results, config, None, dt.date.today())
        decision = evaluate(
            findings, [LayerOutcome(name=r.name, status=r.status, error=r.error) for r in results], config.policy
        )
        started = time.perf_counter()
        prompt = build_prompt(SynthesisInput(findings=findings, gate=decision, repository="bench"), budget)
        build_s = time.perf_counter() - started
        raw_bytes = sum(p.stat().st_size for p in inputs.values())
        prompt_bytes = len((prompt.system_with_schema + prompt.user).encode())
        raw_tokens = (
            sum(count_tokens(p.read_text()) for p in inputs.values())
            if exact and raw_bytes < 50 * 2**20
            else raw_bytes // 4
        )
        must = {f.id for f in findings if f.status != "suppressed" and f.severity.rank >= Severity.HIGH.rank}
        block = json.loads(prompt.user[prompt.user.index("{") : prompt.user.rindex("}") + 1])
        listed = {prompt.refs[str(row["id"])] for row in block.get("findings", [])}
        rows.append(
            {
                "findings": n,
                "prompt_tokens": prompt.tokens,  # the AI layer's own count (what it holds to the budget)
                "critical_high": len(must),
                "critical_high_listed": len(must & listed),  # one row each (the rest are in groups)
                "rows": len(listed),
                "prompt_tokens_fallback_bound": estimate(prompt.system)
                + estimate(prompt.user)
                + estimate(prompt.schema),
                "prompt_tokens_4b": prompt_bytes // 4,  # same yardstick as the raw column
                "raw_json_bytes": raw_bytes,
                "raw_json_tokens": raw_tokens,
                "raw_over_prompt": round(raw_tokens / max(1, prompt_bytes // 4 if not exact else prompt.tokens), 1),
                "strategy": prompt.strategy,
                "build_prompt_s": round(build_s, 3),
                "note": prompt.note,
            }
        )
    return {
        "status": "ok",
        "budget_tokens": budget,
        "token_method": method(),
        "raw_token_method": "o200k_base" if exact else "bytes/4",
        "rows": rows,
    }


# ---------------------------------------------------------------------------------------------
# P4: start-up


def bench_startup(work: Path, cache: Path | None, repeat: int) -> list[dict[str, Any]]:
    env = child_env(cache)
    rows = []
    cases = [  # doctor starts the three scanners (semgrep's Python start is slow): fewer runs
        ("python -c pass (interpreter alone)", [sys.executable, "-c", "pass"], (0,), None, 5),
        ("secscan --help", [*secscan_command(), "--help"], (0,), P4_TARGET_S, 5),
        ("secscan doctor", [*secscan_command(), "doctor"], (0, 1), None, repeat),
    ]
    for label, command, ok, target, count in cases:
        runs = [measure(command, env=env, cwd=work, ok=ok) for _ in range(count)]
        row: dict[str, Any] = {
            "command": label,
            "wall_s": round(median(runs, "wall_s"), 3),
            "all_wall_s": [round(r.wall_s, 3) for r in runs],
        }
        if target is not None:
            row["target_s"] = target
            row["met"] = row["wall_s"] <= target
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------------------------
# the table


def table(results: dict[str, Any]) -> str:
    lines: list[str] = []
    add = lines.append
    for row in results.get("p1", []):
        w = row["wall_s"]
        add(f"P1 scan wall time, {row['repo']} ({row['files']:,} files, median of {row['repeat']})")
        add(f"  {'secscan scan':28} {w['secscan']:8.2f} s   cpu {row['cpu_s']['secscan']:7.2f} s")
        for tool in ("gitleaks", "semgrep", "trivy"):
            add(f"  {tool + ' alone':28} {w[tool]:8.2f} s   cpu {row['cpu_s'][tool]:7.2f} s")
        add(f"  {'sum of the three':28} {row['sum_of_three_s']:8.2f} s")
        add(f"  {'three started together':28} {w['together']:8.2f} s   cpu {row['cpu_s']['together']:7.2f} s")
        add(f"  {'floor':28} {row['floor_s']:8.2f} s")
        add(
            f"  secscan / floor = {row['ratio']:.3f}  (target <= {row['target_ratio']})  "
            f"{'MET' if row['met'] else 'MISSED'}"
            f"   [load avg {row['loadavg_1min']['min']}-{row['loadavg_1min']['max']}]"
        )
        add("")
    if results.get("p2"):
        add("P2 secscan report on synthetic scanner outputs")
        add(
            f"  {'findings':>9} {'input MB':>9} {'wall s':>8} {'cpu s':>7} {'peak MB':>8} {'json only s':>11} "
            f"{'us/finding':>10}"
        )
        for row in results["p2"]:
            verdict = ""
            if "met" in row:
                verdict = f"  target {row['target']}: {'MET' if row['met'] else 'MISSED'}"
                if "linear" in row:
                    verdict += (
                        f"; x{row['growth_10k_to_100k']} from 10k ({'linear' if row['linear'] else 'NOT linear'})"
                    )
            add(
                f"  {row['findings']:>9,} {row['input_mb']:>9.1f} {row['wall_s']:>8.2f} {row['cpu_s']:>7.2f} "
                f"{row['peak_rss_mb']:>8.0f} {row['json_parse_only_s']:>11.2f} {row['us_per_finding']:>10.1f}{verdict}"
            )
        add("")
    p3 = results.get("p3")
    if p3:
        if p3["status"] != "ok":
            add(f"P3 prompt size: {p3['status']}")
        else:
            add(
                f"P3 prompt tokens (budget {p3['budget_tokens']:,}; AI layer counts by {p3['token_method']}; raw "
                f"JSON by {p3['raw_token_method']})"
            )
            add(
                f"  {'findings':>9} {'prompt tok':>10} {'bound':>7} {'crit/high':>9} {'one by one':>10} "
                f"{'raw JSON tok':>13} "
                f"{'raw/prompt':>10}  strategy"
            )
            for row in p3["rows"]:
                add(
                    f"  {row['findings']:>9,} {row['prompt_tokens']:>10,} "
                    f"{row.get('prompt_tokens_fallback_bound', 0):>7,} "
                    f"{row.get('critical_high', 0):>9,} {row.get('critical_high_listed', 0):>10,} "
                    f"{row['raw_json_tokens']:>13,} "
                    f"{row['raw_over_prompt']:>9}x  {row['strategy']}"
                )
        add("")
    p5 = results.get("p5")
    if p5:
        w = p5["wall_s"]
        add(f"P5/P6 {p5['repo']}: {p5['change']} (median of {p5['repeat']})")
        add(f"  {'full scan (--no-cache)':40} {w['full']:8.2f} s")
        add(
            f"  {'P5 --since main, base cache restored':40} {w['pr_base_cached']:8.2f} s   "
            f"{p5['p5_ratio']:.1%} of full "
            f"(target <= {p5['p5_target']:.0%}): {'MET' if p5['p5_met'] else 'MISSED'}"
        )
        add(
            f"  {'P5 --since main, no cache at all':40} {w['pr_cold']:8.2f} s   {p5['p5_cold_ratio']:.1%} of full "
            f"({'MET' if p5['p5_cold_met'] else 'MISSED'})"
        )
        add(
            f"  {'P6 unchanged rescan, warm cache':40} {w['rescan_warm']:8.2f} s   {p5['p6_ratio']:.1%} of full "
            f"(target <= {p5['p6_target']:.0%}): {'MET' if p5['p6_met'] else 'MISSED'}"
        )
        add("")
    if results.get("p4"):
        add("P4 start-up (median)")
        for row in results["p4"]:
            verdict = (
                f"  target <= {row['target_s']} s: {'MET' if row['met'] else 'MISSED'}" if "target_s" in row else ""
            )
            add(f"  {row['command']:36} {row['wall_s']:6.3f} s{verdict}")
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small repository only for P1, 2 repeats")
    parser.add_argument(
        "--out", type=Path, default=HERE / "results.json", help="JSON results (default benchmarks/results.json)"
    )
    parser.add_argument(
        "--parts", default=",".join(PARTS), help="subset of p1,p2,p3,p4,p5 (default all; p5 = P5 and P6)"
    )
    parser.add_argument("--repeat", type=int, help="runs per measurement (default 3; 2 with --quick)")
    parser.add_argument(
        "--scan-repeat", type=int, help="runs per P1 variant (default: --repeat); a busy machine needs more"
    )
    parser.add_argument("--sizes", default="1000,10000,100000", help="P2 finding counts (default 1000,10000,100000)")
    parser.add_argument("--prompt-sizes", default="10,1000,100000", help="P3 finding counts (default 10,1000,100000)")
    parser.add_argument(
        "--django", type=Path, help="a Django sdist .tar.gz or unpacked tree (default: pip download django==5.1.*)"
    )
    parser.add_argument("--work", type=Path, default=REPO / ".bench", help="scratch and cache folder (default .bench/)")
    args = parser.parse_args(argv)
    parts = [p.strip().lower() for p in args.parts.split(",") if p.strip()]
    if unknown := [p for p in parts if p not in PARTS]:
        parser.error(f"unknown part(s): {', '.join(unknown)}")
    repeat = args.repeat or (2 if args.quick else 3)
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    scan_repeat = args.scan_repeat or repeat
    results: dict[str, Any] = {
        "machine": machine(),
        "args": {"quick": args.quick, "parts": parts, "repeat": repeat, "scan_repeat": scan_repeat},
    }
    if "p1" in parts:
        cache = trivy_cache(work)
        results["p1"] = [bench_scan("small", small_repo(work), cache, work, scan_repeat)]
        if not args.quick:
            results["p1"].append(bench_scan("django", django_repo(work, args.django), cache, work, scan_repeat))
    if "p5" in parts:
        results["p5"] = bench_pr(work, django_repo(work, args.django), trivy_cache(work), scan_repeat)
    if "p2" in parts:
        results["p2"] = bench_report(work, [int(s) for s in args.sizes.split(",")], repeat)
    if "p3" in parts:
        results["p3"] = bench_prompt(work, [int(s) for s in args.prompt_sizes.split(",")])
    if "p4" in parts:
        results["p4"] = bench_startup(work, trivy_cache(work), repeat)
    results["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    text = table(results)
    results["table"] = text
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    sys.stdout.write(text)
    print(f"results: {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
