"""The layers' plans run in the scanners' pinned containers (the Dagger module's executor).

`ContainerExecutor` is an `Executor`: every command a layer runs (the scanner, its version probe,
the git it needs for history checks and in_head) becomes a `ContainerPlan`: the pinned image of the
scanner that binary belongs to (git runs in the gitleaks image, which ships it), the same argv,
the layer's own environment (never secscan's: no credential reaches a container), the same
working directory, and every local path the command names mounted at the same path, so the argv
needs no rewriting. A `runner` turns the plan into a container and returns what it left: exit
code, output, and the files the plan said it writes (the report), written back where the layer
reads them. The layer's judging is the local code, unchanged: one implementation, two executors.

Nothing here imports `dagger`: the module (`secscan.main`) supplies the runner that builds the
container; tests supply one that runs the same plan as local processes.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import anyio

from secscan import catalog
from secscan.errors import ScannerError
from secscan.scanners.process import Completed, Plan

# The gitleaks image ships git: git commands (history checks, blame, ls-files) run there.
GIT_IMAGE = catalog.GITLEAKS_IMAGE
# The container's own PATH and HOME, not the host's.
_HOST_ONLY = frozenset({"PATH", "HOME"})
_NEVER_MOUNTED = ("/dev", "/proc", "/sys")


@dataclass(frozen=True)
class ContainerPlan:
    image: str
    argv: tuple[str, ...]
    env: Mapping[str, str]
    workdir: str | None
    mounts: tuple[str, ...]  # local directories, each mounted at the same path
    timeout: float
    writes: tuple[str, ...]
    what: str


@dataclass(frozen=True)
class ContainerRun:
    exit_code: int
    stdout: bytes
    stderr: bytes
    files: Mapping[str, bytes] = field(default_factory=dict)  # of `writes`, those the command wrote


Runner = Callable[[ContainerPlan], Awaitable[ContainerRun]]


def image_for(binary: str) -> str:
    name = PurePosixPath(binary).name
    if name == "git":
        return GIT_IMAGE
    for spec in catalog.SCANNERS:
        if spec.binary == name:
            return spec.image
    raise ScannerError(f"no container image for {name!r}: not a scanner in secscan.catalog")


def _paths_named(plan: Plan) -> list[Path]:
    words = [*plan.argv[1:], *(value for key, value in plan.env.items() if key not in _HOST_ONLY)]
    candidates = [word.split("=", 1)[-1] for word in words] + [str(p) for p in plan.writes]
    if plan.cwd is not None:
        candidates.append(str(plan.cwd))
    return [Path(c) for c in candidates if c.startswith("/")]


def mounts_for(plan: Plan) -> tuple[str, ...]:
    """The outermost existing directories holding every local path the command names."""
    directories: set[Path] = set()
    for path in _paths_named(plan):
        if str(path).startswith(_NEVER_MOUNTED) or len(path.parts) < 3:
            continue
        directory = path if path.is_dir() else path.parent
        if directory.is_dir():
            directories.add(directory.resolve())
    outermost = [d for d in directories if not any(o != d and d.is_relative_to(o) for o in directories)]
    return tuple(sorted(str(d) for d in outermost))


def container_plan(plan: Plan) -> ContainerPlan:
    return ContainerPlan(
        image=image_for(plan.argv[0]),
        argv=(PurePosixPath(plan.argv[0]).name, *plan.argv[1:]),
        env={key: value for key, value in plan.env.items() if key not in _HOST_ONLY},
        workdir=str(plan.cwd.resolve()) if plan.cwd is not None else None,
        mounts=mounts_for(plan),
        timeout=plan.timeout,
        writes=tuple(str(path) for path in plan.writes),
        what=plan.what,
    )


class ContainerExecutor:
    """Runs each plan in its scanner's pinned container (see the module docstring)."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner

    def resolve(self, tool: str) -> str:
        return catalog.scanner(tool).binary  # on the image's PATH

    async def run(self, plan: Plan) -> Completed:
        container = container_plan(plan)
        try:
            with anyio.fail_after(plan.timeout):  # the same limit as a local run
                done = await self.runner(container)
        except TimeoutError:
            raise ScannerError(f"{plan.what}: timed out after {plan.timeout:g}s (raise scan.timeout_s)") from None
        for path, data in done.files.items():
            if path in container.writes:
                Path(path).write_bytes(data)
        return Completed(done.exit_code, done.stdout, done.stderr)


def describe(plan: ContainerPlan) -> str:
    """One line for logs: image and command."""
    return f"{plan.image.split('@')[0]}: {shlex.join(plan.argv)}"


# The engine caches a container step by everything that goes into it: image, mounted contents,
# environment, working directory, argv. The runtime's folders are fresh temp paths each run, so
# each mount moves to a fixed path named by its order of first mention: the same scan of the same
# content is the same step, which the engine can answer from its cache.
CONTAINER_ROOT = "/secscan"


@dataclass(frozen=True)
class Relocation:
    """A plan with its runtime paths moved to fixed container paths, and the way back."""

    plan: ContainerPlan  # every path as the container sees it
    mounts: tuple[tuple[str, str], ...]  # (runtime directory, container path)

    def _swap(self, data: bytes, pairs: list[tuple[str, str]]) -> bytes:
        for old, new in sorted(pairs, key=lambda pair: -len(pair[0])):
            # a whole path component only; the replacement is literal (no backslash escapes)
            pattern = re.escape(old.encode()) + rb"(?=/|$|[^A-Za-z0-9._-])"
            data = re.compile(pattern).sub(new.encode().replace(b"\\", b"\\\\"), data)
        return data

    def to_runtime(self, data: bytes) -> bytes:
        """Container paths in a command's output (a report, stderr) back to the runtime's."""
        return self._swap(data, [(inside, outside) for outside, inside in self.mounts])

    def inside(self, path: str) -> str:
        return self._swap(path.encode(), list(self.mounts)).decode()


def _first_mention(plan: ContainerPlan, mount: str) -> tuple[int, str]:
    text = "\0".join([*plan.argv, *(f"{k}={v}" for k, v in sorted(plan.env.items())), plan.workdir or "", *plan.writes])
    position = text.find(mount)
    return (position if position >= 0 else len(text), mount)


def relocate(plan: ContainerPlan) -> Relocation:
    ordered = sorted(plan.mounts, key=lambda mount: _first_mention(plan, mount))
    mounts = tuple((mount, f"{CONTAINER_ROOT}/{index}") for index, mount in enumerate(ordered))
    moved = Relocation(plan, mounts)
    inside = moved.inside
    relocated = ContainerPlan(
        image=plan.image,
        argv=tuple(inside(word) for word in plan.argv),
        env={key: inside(value) for key, value in plan.env.items()},
        workdir=inside(plan.workdir) if plan.workdir else None,
        mounts=tuple(container for _, container in mounts),
        timeout=plan.timeout,
        writes=tuple(inside(path) for path in plan.writes),
        what=plan.what,
    )
    return Relocation(relocated, mounts)
