"""Counting prompt tokens exactly, offline: tiktoken's o200k_base (or cl100k_base for older models).

tiktoken downloads its encoding files on first use; secscan runs offline (CI runners,
air-gapped hosts). The vocabulary is taken, in this order, from

1. tiktoken's own cache (`TIKTOKEN_CACHE_DIR`, `DATA_GYM_CACHE_DIR`, or the temp dir), when
   the file is there;
2. the `quicktok-v1` package (MIT), which ships both vocabularies in its own binary layout:
   rebuilt into tiktoken's text format they must hash to exactly the SHA-256 tiktoken pins,
   else they are not used. Only its data files are read, its extension is never loaded.

With neither, `estimate` gives a measured upper bound (see `estimate`), so a prompt that
fits by the estimate fits for real.
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import functools
import hashlib
import importlib.util
import math
import os
import re
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import tiktoken


@dataclass(frozen=True)
class _Vocabulary:
    name: str
    url: str
    sha256: str  # tiktoken's expected_hash for the file at `url`
    quicktok_file: str
    pat_str: str
    special_tokens: dict[str, int]


# The patterns and special tokens are tiktoken_ext.openai_public's (a test compares them).
_O200K_PAT = "|".join(  # one alternative per line, as tiktoken writes it
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)
_CL100K_PAT = r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""  # noqa: E501

VOCABULARIES = {
    "o200k_base": _Vocabulary(
        name="o200k_base",
        url="https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
        sha256="446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        quicktok_file="o200k.vocab",
        pat_str=_O200K_PAT,
        special_tokens={"<|endoftext|>": 199999, "<|endofprompt|>": 200018},
    ),
    "cl100k_base": _Vocabulary(
        name="cl100k_base",
        url="https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
        sha256="223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        quicktok_file="cl100k.vocab",
        pat_str=_CL100K_PAT,
        special_tokens={
            "<|endoftext|>": 100257,
            "<|fim_prefix|>": 100258,
            "<|fim_middle|>": 100259,
            "<|fim_suffix|>": 100260,
            "<|endofprompt|>": 100276,
        },
    ),
}

# Models that predate o200k. Everything else (gpt-4o, gpt-4.1, o-series, gpt-5, and
# non-OpenAI models, whose tokenizers are of the same size class) is counted with o200k.
_CL100K_MODELS = re.compile(r"^(?:gpt-4(?:-turbo|-32k|-0\d{3}|-1106|-0125)?|gpt-3\.5)(?:$|[-.])")


def encoding_for(model: str | None) -> str:
    name = (model or "").lower().rsplit("/", 1)[-1]
    if name.startswith(("gpt-4o", "gpt-4.", "gpt-4-o")):
        return "o200k_base"
    return "cl100k_base" if _CL100K_MODELS.match(name) else "o200k_base"


def _tiktoken_cache_file(vocabulary: _Vocabulary) -> Path | None:
    if "TIKTOKEN_CACHE_DIR" in os.environ:
        directory = os.environ["TIKTOKEN_CACHE_DIR"]
    elif "DATA_GYM_CACHE_DIR" in os.environ:
        directory = os.environ["DATA_GYM_CACHE_DIR"]
    else:
        directory = os.path.join(tempfile.gettempdir(), "data-gym-cache")
    if not directory:
        return None
    return Path(directory) / hashlib.sha1(vocabulary.url.encode()).hexdigest()


def _ranks_from_tiktoken_file(data: bytes) -> dict[bytes, int]:
    return {base64.b64decode(token): int(rank) for token, rank in (line.split() for line in data.splitlines() if line)}


def _quicktok_vocab(vocabulary: _Vocabulary) -> bytes | None:
    """The raw vocabulary file from an installed quicktok-v1, located without importing it."""
    spec = importlib.util.find_spec("quicktok")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        path = Path(location) / "data" / vocabulary.quicktok_file
        if path.is_file():
            return path.read_bytes()
    return None


def quicktok_as_tiktoken(data: bytes) -> bytes:
    """quicktok's layout (u32 count, then per token: u16 length, bytes, u32 rank) as a .tiktoken file."""
    (count,) = struct.unpack_from("<I", data, 0)
    offset = 4
    lines = []
    for _ in range(count):
        (length,) = struct.unpack_from("<H", data, offset)
        offset += 2
        token = data[offset : offset + length]
        offset += length
        (rank,) = struct.unpack_from("<I", data, offset)
        offset += 4
        lines.append(base64.b64encode(token) + b" " + str(rank).encode() + b"\n")
    if offset != len(data):
        raise ValueError("trailing bytes after the last token")
    return b"".join(lines)


def _verified_file(vocabulary: _Vocabulary) -> tuple[bytes, str] | None:
    """The .tiktoken file's bytes and where they came from, only if they hash to tiktoken's pin."""
    cached = _tiktoken_cache_file(vocabulary)
    if cached is not None and cached.is_file():
        data = cached.read_bytes()
        if hashlib.sha256(data).hexdigest() == vocabulary.sha256:
            return data, "tiktoken cache"
    raw = _quicktok_vocab(vocabulary)
    if raw is not None:
        try:
            data = quicktok_as_tiktoken(raw)
        except (struct.error, ValueError):
            return None
        if hashlib.sha256(data).hexdigest() == vocabulary.sha256:
            return data, "quicktok-v1"
    return None


@functools.cache
def _exact_encoder(name: str = "o200k_base") -> tuple[tiktoken.Encoding, str] | None:
    """The encoding and where its vocabulary came from, or None (estimate instead)."""
    vocabulary = VOCABULARIES[name]
    try:
        found = _verified_file(vocabulary)
        if found is None:
            return None
        data, origin = found
        encoding = tiktoken.Encoding(
            name=vocabulary.name,
            pat_str=vocabulary.pat_str,
            mergeable_ranks=_ranks_from_tiktoken_file(data),
            special_tokens=vocabulary.special_tokens,
        )
    except Exception:  # noqa: BLE001 - any failure here just means "estimate instead"
        return None
    return encoding, origin


def _encoding(name: str) -> tiktoken.Encoding | None:
    found = _exact_encoder(name)
    return found[0] if found is not None else None


# The fallback, measured (tests/test_tokens.py): per pre-tokenizer piece, a word that looks like
# natural language (vowels, no run of 4 consonants, at most 14 letters) is 1 token per 5 letters
# started, any other letter run (identifiers, hex, base64) 1 token per 1.5 bytes, punctuation up to
# 3 bytes 1 token and longer runs 1 per 1.5 bytes, digits (1-3) and whitespace 1. On the corpus
# prompts, Python source and scanner JSON it is 1.02-1.8x the exact o200k/cl100k count (the
# prompt: 1.23x), never below. Random letter strings can tokenize worse (up to 2x the bound):
# secscan sends none of those knowingly, secret values are redacted before counting.
WORD_LETTERS_PER_TOKEN = 5
OTHER_BYTES_PER_TOKEN = 1.5
# An ASCII approximation of o200k's pre-tokenizer (non-ASCII letters count as word pieces).
_PIECES = re.compile(
    r"[^\r\n\w]?[A-Z]*[a-z]+(?:'[a-z]{1,2})?|[^\r\n\w]?[A-Z]+[a-z]*|[^\r\n\w]?[^\W\d_]+|\d{1,3}"
    r"| ?(?:[^\s\w]|_)+[\r\n/]*|\s*[\r\n]+|\s+"
)
_WORD = re.compile(r"[^\w\s]?([A-Za-z]+)")
_VOWELS = frozenset("aeiouyAEIOUY")
_CONSONANT_RUN = re.compile(r"[^aeiouyAEIOUY]{4,}")


def _piece_bound(piece: str) -> int:
    stripped = piece.strip()
    if not stripped or stripped.isdigit():
        return 1
    word = _WORD.fullmatch(stripped)
    if word:
        letters = word.group(1)
        vowels = sum(1 for c in letters if c in _VOWELS)
        if len(letters) <= 14 and vowels * 4 >= len(letters) and not _CONSONANT_RUN.search(letters):
            return 1 + len(letters) // WORD_LETTERS_PER_TOKEN
        return math.ceil(len(letters) / OTHER_BYTES_PER_TOKEN) + (len(stripped) > len(letters))
    size = len(piece.encode())
    return 1 if size <= 3 else math.ceil(size / OTHER_BYTES_PER_TOKEN)


def estimate(text: str) -> int:
    """The measured bound on o200k (and cl100k) tokens for text secscan sends (see above)."""
    return sum(_piece_bound(piece) for piece in _PIECES.findall(text)) if text else 0


_CURRENT: contextvars.ContextVar[str] = contextvars.ContextVar("secscan_token_encoding", default="o200k_base")


@contextlib.contextmanager
def counting_for(model: str | None) -> Iterator[str]:
    """Within the block, `count_tokens` counts with the encoding of `model`."""
    token = _CURRENT.set(encoding_for(model))
    try:
        yield _CURRENT.get()
    finally:
        _CURRENT.reset(token)


def exact_available(encoding: str | None = None) -> bool:
    return _exact_encoder(encoding or _CURRENT.get()) is not None


def count_tokens(text: str, encoding: str | None = None) -> int:
    exact = _encoding(encoding or _CURRENT.get())
    # Data is counted as plain text: "<|endoftext|>" in a finding is not a special token.
    return len(exact.encode_ordinary(text)) if exact is not None else estimate(text)


def method(encoding: str | None = None) -> str:
    encoding = encoding or _CURRENT.get()
    found = _exact_encoder(encoding)
    if found is None:
        return "estimate (measured bound per piece)"
    return f"{encoding} exact ({found[1]})"
