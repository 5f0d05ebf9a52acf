"""Counting prompt tokens: exactly with tiktoken's o200k_base when its file is on disk, else a safe upper bound.

tiktoken downloads encoding files on first use; secscan runs offline (CI runners,
air-gapped hosts), so the exact encoder is used only when the file is already
cached. Otherwise the count is an over-estimate, so a prompt that fits by
the estimate fits for real.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

_O200K_URL = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"
_O200K_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"

# Random strings (keys, hashes) tokenize at about 1.5 bytes per token, English at about 4 and
# compact JSON at 2-3, so bytes / 1.5 is above the real count for anything secscan sends.
BYTES_PER_TOKEN = 1.5
# An ASCII approximation of o200k's pre-tokenizer: every piece is at least one token, which
# keeps the bound honest for punctuation-dense text where bytes / 1.5 alone could fall short.
_PIECES = re.compile(
    r"[^\r\n\w]?[A-Z]*[a-z]+|[^\r\n\w]?[A-Z]+[a-z]*|[^\r\n\w]?[^\W\d_]+|\d{1,3}|(?:[^\s\w]|_)+[\r\n/]*|\s*[\r\n]+|\s+"
)


def _cache_file() -> Path | None:
    if "TIKTOKEN_CACHE_DIR" in os.environ:
        directory = os.environ["TIKTOKEN_CACHE_DIR"]
    elif "DATA_GYM_CACHE_DIR" in os.environ:
        directory = os.environ["DATA_GYM_CACHE_DIR"]
    else:
        directory = os.path.join(tempfile.gettempdir(), "data-gym-cache")
    if not directory:
        return None
    return Path(directory) / hashlib.sha1(_O200K_URL.encode()).hexdigest()


@functools.cache
def _exact_encoder() -> Callable[[str], int] | None:
    """o200k_base if its file is cached and intact (tiktoken would try to download it otherwise)."""
    path = _cache_file()
    try:
        if path is None or not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != _O200K_SHA256:
            return None
        import tiktoken

        encoding = tiktoken.get_encoding("o200k_base")
    except Exception:  # noqa: BLE001 - any failure here just means "estimate instead"
        return None

    def count(text: str) -> int:
        return len(encoding.encode(text, disallowed_special=()))

    return count


def estimate(text: str) -> int:
    """An upper bound on o200k tokens for text secscan produces (see BYTES_PER_TOKEN)."""
    if not text:
        return 0
    by_bytes = math.ceil(len(text.encode()) / BYTES_PER_TOKEN)
    return max(by_bytes, len(_PIECES.findall(text)))


def exact_available() -> bool:
    return _exact_encoder() is not None


def count_tokens(text: str) -> int:
    encoder = _exact_encoder()
    return encoder(text) if encoder is not None else estimate(text)


def method() -> str:
    return "o200k_base" if exact_available() else f"estimate (bytes/{BYTES_PER_TOKEN})"
