"""Files a user hands secscan (scanner JSON, a baseline): regular files under a size cap.

A FIFO blocks whoever opens it for reading until a writer comes, /dev/zero never ends: each is
refused on its type, from the descriptor of a non-blocking open, before a byte is read."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from secscan.errors import ConfigError


def read_regular_file(path: Path, what: str, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; ConfigError (exit 2) otherwise."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise ConfigError(f"{what} {path}: no such file") from None
    except IsADirectoryError:
        raise ConfigError(f"{what} {path}: is a directory") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{what} {path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    info = os.fstat(descriptor)
    problem = (
        "is a directory" if stat.S_ISDIR(info.st_mode)
        else "not a regular file" if not stat.S_ISREG(info.st_mode)
        else f"larger than {limit} bytes" if info.st_size > limit
        else None
    )  # fmt: skip
    if problem is not None:
        os.close(descriptor)
        raise ConfigError(f"{what} {path}: {problem}")
    with os.fdopen(descriptor, "rb") as handle:
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise ConfigError(f"{what} {path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:  # grew while being read
        raise ConfigError(f"{what} {path}: larger than {limit} bytes")
    return data
