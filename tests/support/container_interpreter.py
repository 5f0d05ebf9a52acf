"""Run a `ContainerPlan` (what the Dagger module would run in a pinned container) as a local process.

The same argv, the plan's environment and working directory, and the scanner binary installed here
in place of the image's. It checks the plan is complete the way a container would: every absolute
path the command names must lie under one of the plan's mounts (a container sees nothing else).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path, PurePosixPath

import anyio

from secscan import catalog
from secscan.scanners.containers import GIT_IMAGE, ContainerPlan, ContainerRun
from secscan.scanners.process import EXECUTOR, resolve_binary


def local_binary(plan: ContainerPlan) -> str:
    name = plan.argv[0]
    if name == "git" and plan.image == GIT_IMAGE:
        return name
    matches = [spec for spec in catalog.SCANNERS if spec.image == plan.image and spec.binary == name]
    assert matches, f"{name} is not the binary of the image {plan.image}"
    token = EXECUTOR.set(None)  # this machine's binary, not the container's name for it
    try:
        return resolve_binary(matches[0].name)
    finally:
        EXECUTOR.reset(token)


def unmounted(plan: ContainerPlan) -> list[str]:
    """Absolute paths in argv/env/workdir that no mount covers (the container could not see them)."""
    words = [*plan.argv[1:], *plan.env.values(), *([plan.workdir] if plan.workdir else []), *plan.writes]
    paths = [word.split("=", 1)[-1] for word in words]
    mounts = [Path(m) for m in plan.mounts]
    missing = []
    for path in paths:
        if not path.startswith("/") or path.startswith(("/dev/", "/proc/")) or path == "/dev/null":
            continue
        resolved = Path(path).resolve()
        visible = Path(path).exists() or resolved.parent.exists()
        if visible and not any(resolved.is_relative_to(m) for m in mounts):
            missing.append(path)
    return missing


async def run_locally(plan: ContainerPlan) -> ContainerRun:
    assert catalog.PINNED_IMAGE.match(plan.image), plan.image
    missing = unmounted(plan)
    assert not missing, f"{plan.what}: not mounted in the container: {missing}"
    binary = local_binary(plan)
    path = os.environ.get("PATH", os.defpath)
    if os.sep in binary:
        path = f"{PurePosixPath(binary).parent}{os.pathsep}{path}"  # what the image's PATH gives its binary
    env = {"PATH": path, "HOME": os.environ.get("HOME", "/root"), **plan.env}
    done = await anyio.run_process(
        [binary, *plan.argv[1:]], env=env, cwd=plan.workdir, check=False, stdin=subprocess.DEVNULL
    )
    files = {name: Path(name).read_bytes() for name in plan.writes if Path(name).is_file()}
    return ContainerRun(done.returncode, done.stdout, done.stderr, files)
