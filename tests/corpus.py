"""The scanner-output corpus the tests read: tests/fixtures/corpus, as the scanners wrote it.

The in-repository copy (see tests/fixtures/corpus/README.md) spells the one token-shaped dummy
in trivy's secrets fixture as a JSON escape (`\\u0067hp_...`), so no token stands literally in
the repository. The tests read a session copy where the escape is undone: byte for byte what
trivy's own golden file holds.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "corpus"

# (as stored in the repository, as the scanner wrote it)
_RESTORED = ((b"\\u0067hp_", b"ghp_"),)


@cache
def corpus_root() -> Path:
    """A per-process copy of tests/fixtures/corpus with the escaped dummy tokens restored."""
    copy = Path(tempfile.mkdtemp(prefix="secscan-corpus-")) / "corpus"
    atexit.register(shutil.rmtree, copy.parent, True)
    shutil.copytree(FIXTURES, copy)
    for path in copy.rglob("*.json"):
        data = path.read_bytes()
        restored = data
        for stored, original in _RESTORED:
            restored = restored.replace(stored, original)
        if restored != data:
            path.write_bytes(restored)
    return copy
