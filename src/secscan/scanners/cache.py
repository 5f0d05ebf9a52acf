"""A layer's result, reused when everything it was computed from is the same.

The key is a digest of every input of a layer run: secscan's own code and bundled rules,
the scanner binary, the scanned content (git tree + uncommitted changes, or a content hash
of a plain folder), the refs gitleaks walks, the commit range of a diff scan, trivy's DB,
the scan configuration, the scanner-facing environment and the image. Entries hold what
raw/ holds (redacted) and nothing else: an entry redaction would change is not written.

Entries live under `$SECSCAN_CACHE_DIR`, else `$XDG_CACHE_HOME/secscan`, else
`~/.cache/secscan`: a folder only its owner can use (0700), each entry 0600 and signed
with an HMAC whose key lives beside them. An entry that is unreadable, unsigned, signed
with another key (another user's, a copied cache) or for another key is ignored with a
note, and the layer runs.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import secrets
import stat
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from secscan.errors import ScannerError
from secscan.findings.model import Finding, LayerName
from secscan.findings.redact import redact_json
from secscan.results import LayerResult
from secscan.scanners.gitrepo import git
from secscan.scanners.interface import ScanContext
from secscan.scanners.process import resolve_binary

FORMAT = 1
_PACKAGE = Path(__file__).resolve().parent.parent
_ENV_PREFIXES = ("SECSCAN_", "SEMGREP_", "TRIVY_", "GITLEAKS_")
_ENV_IGNORED = frozenset({"SECSCAN_CACHE_DIR"})
_TOOL = {"gitleaks": "gitleaks", "semgrep": "semgrep", "trivy": "trivy", "trivy-image": "trivy"}
# git never runs repository-configured programs for us (fsmonitor hooks, diff drivers)
SAFE_GIT = ["-c", "core.fsmonitor=false", "-c", "core.untrackedCache=false"]


def default_root() -> Path:
    explicit = os.environ.get("SECSCAN_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "secscan"


@functools.cache
def code_digest() -> str:
    """secscan's own code and bundled rules: a changed parser, command line or rule is a new key."""
    digest = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*")):
        if "__pycache__" in path.parts or not path.is_file():
            continue
        digest.update(str(path.relative_to(_PACKAGE)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _file_identity(path: Path) -> str:
    try:
        info = path.lstat()
    except OSError:
        return "missing"
    if stat.S_ISLNK(info.st_mode):
        try:
            return "link:" + os.readlink(path)
        except OSError:
            return "link"
    if not stat.S_ISREG(info.st_mode):
        return f"type:{stat.S_IFMT(info.st_mode)}"  # FIFOs, sockets, devices: never opened
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        return f"unreadable:{exc.errno}"
    return f"{info.st_mode & 0o111:o}:{digest.hexdigest()}"


def content_digest(root: Path) -> str:
    """Every name, link target and regular file's content under root (links are not followed)."""
    digest = hashlib.sha256()
    for directory, folders, files in os.walk(root, followlinks=False):
        folders.sort()
        relative = os.path.relpath(directory, root)
        for name in sorted(files) + [f + "/" for f in folders if os.path.islink(os.path.join(directory, f))]:
            path = Path(directory, name.rstrip("/"))
            digest.update(os.fsencode(os.path.join(relative, name)) + b"\0")
            digest.update(_file_identity(path).encode() + b"\0")
    return digest.hexdigest()


async def _git_out(args: list[str], path: Path) -> str | None:
    try:
        code, out, _ = await git([*SAFE_GIT, *args], path)
    except ScannerError:
        return None
    return out if code == 0 else None


async def repository_root(target: Path) -> Path | None:
    top = await _git_out(["rev-parse", "--show-toplevel"], target)
    return Path(top).resolve() if top else None


async def tree_state(target: Path, *, include_ignored: bool = False) -> str:
    """What the scanners see of target: the git tree of HEAD plus every uncommitted change
    (modified, added, deleted, untracked files by content), or a content hash outside git."""
    target = target.resolve()
    if include_ignored or await repository_root(target) != target:
        return "content:" + content_digest(target)
    tree = await _git_out(["rev-parse", "--verify", "-q", "HEAD^{tree}"], target)
    if tree is None:
        return "content:" + content_digest(target)
    status = await _git_out(
        ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames", "--ignore-submodules=none"], target
    )
    if status is None:
        return "content:" + content_digest(target)
    if not status:
        return clean_tree_state(tree)
    digest = hashlib.sha256(f"tree:{tree}\0".encode())
    for entry in sorted(e for e in status.split("\0") if len(e) > 3):
        relative = entry[3:]
        digest.update(entry.encode(errors="surrogateescape") + b"\0")
        digest.update(_file_identity(target / relative).encode() + b"\0")
    return "git:" + digest.hexdigest()


def clean_tree_state(tree: str) -> str:
    """A committed tree with nothing uncommitted on top (a base commit, a clean checkout)."""
    return "git:" + hashlib.sha256(f"tree:{tree}\0".encode()).hexdigest()


async def refs_state(target: Path) -> str:
    """HEAD and every ref (`gitleaks git` walks --all)."""
    head = await _git_out(["rev-parse", "--verify", "-q", "HEAD"], target) or ""
    refs = await _git_out(["for-each-ref", "--format=%(objectname) %(refname)"], target) or ""
    return hashlib.sha256(f"{head}\0{refs}".encode()).hexdigest()


def _trivy_db_state() -> str:
    root = Path(os.environ.get("TRIVY_CACHE_DIR") or Path.home() / ".cache" / "trivy")
    parts = []
    for relative in ("db/metadata.json", "db/trivy.db", "java-db/metadata.json"):
        path = root / relative
        try:
            info = path.stat()
        except OSError:
            parts.append(f"{relative}:missing")
            continue
        if path.suffix == ".json":
            parts.append(f"{relative}:{hashlib.sha256(path.read_bytes()).hexdigest()}")
        else:
            parts.append(f"{relative}:{info.st_size}:{info.st_mtime_ns}")
    return ";".join(parts)


def _binary_identity(tool: str) -> str:
    binary = Path(resolve_binary(tool))
    real = binary.resolve()
    info = real.stat()
    identity = f"{binary}:{real}:{info.st_size}:{info.st_mtime_ns}"
    if info.st_size < 1 << 20:  # an entry-point script (semgrep's, a wrapper): its content too
        identity += ":" + hashlib.sha256(real.read_bytes()).hexdigest()
    return identity


def _environment() -> str:
    selected = sorted(
        (name, value)
        for name, value in os.environ.items()
        if name.startswith(_ENV_PREFIXES) and name not in _ENV_IGNORED
    )
    return hashlib.sha256(json.dumps(selected).encode()).hexdigest()


def _local_configs(configs: Iterable[str]) -> list[str] | None:
    """Local rule files by content; None when one comes from a registry (it changes upstream)."""
    from secscan.scanners.semgrep import needs_registry

    identities = []
    for config in configs:
        if needs_registry(config):
            return None
        path = Path(config)
        identities.append(f"{config}:{content_digest(path) if path.is_dir() else _file_identity(path)}")
    return identities


@dataclass(frozen=True)
class KeyExtras:
    """What a caller adds to a layer's key: a diff scan's range and targets, a base tree."""

    parts: tuple[str, ...] = ()
    tree: str | None = None  # the scanned tree, when the caller knows it (a base commit's tree)


async def layer_key(name: LayerName, context: ScanContext, extras: KeyExtras = KeyExtras()) -> str | None:
    """The cache key of one layer run, or None when it cannot be cached."""
    try:
        binary = _binary_identity(_TOOL[name])
    except (ScannerError, OSError):
        return None  # the layer will report the missing binary itself
    configs = (
        _local_configs([*context.config.scan.semgrep_config, *context.semgrep_configs]) if name == "semgrep" else []
    )
    if configs is None:
        return None
    parts: dict[str, Any] = {
        "format": FORMAT,
        "layer": name,
        "code": code_digest(),
        "binary": binary,
        "scan": context.config.scan.model_dump(mode="json", exclude={"cache_dir"}),
        "configs": configs,
        "env": _environment(),
        "extras": list(extras.parts),
    }
    if name == "trivy-image":
        if context.image is None:
            return None
        image = context.image
        parts["image"] = content_digest(image) if image.is_dir() else _file_identity(image)
    else:
        include_ignored = name == "trivy" and not context.config.scan.respect_gitignore
        parts["tree"] = extras.tree or await tree_state(context.target, include_ignored=include_ignored)
        if name == "gitleaks" and extras.tree is None:
            parts["refs"] = await refs_state(context.target.resolve())
    if name in ("trivy", "trivy-image"):
        parts["trivy_db"] = _trivy_db_state()
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _redacted_already(entry: dict[str, Any]) -> bool:
    raw = entry["raw"]
    try:
        document = orjson.loads(raw) if raw else None
    except orjson.JSONDecodeError:
        document = raw  # raw/ text that was not JSON: checked as the text it is
    shell = {**entry, "raw": None}
    redacted = redact_json(document)
    return redact_json(shell) is shell and (redacted is document or redacted == document)


@dataclass
class LayerCache:
    """Signed, owner-only entries, one file per key."""

    root: Path
    notes: list[str] = field(default_factory=list)
    _secret: bytes | None = None
    _usable: bool | None = None

    def _prepare(self) -> bool:
        if self._usable is not None:
            return self._usable
        self._usable = False
        try:
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            info = self.root.lstat()
            if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
                self.notes.append(
                    f"result cache {self.root} not used: it must be a folder only you can use (chmod 700)"
                )
                return False
            key_file = self.root / "hmac.key"
            if not key_file.exists():
                descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
                with os.fdopen(descriptor, "wb") as handle:
                    handle.write(secrets.token_bytes(32))
            key_info = key_file.lstat()
            if not stat.S_ISREG(key_info.st_mode) or key_info.st_uid != os.getuid() or key_info.st_mode & 0o077:
                self.notes.append(f"result cache {self.root} not used: {key_file.name} is not a private file of yours")
                return False
            self._secret = key_file.read_bytes()
        except FileExistsError:
            return self._prepare_retry()
        except OSError as exc:
            self.notes.append(f"result cache {self.root} not used: {exc.strerror or exc}")
            return False
        self._usable = len(self._secret) == 32
        return self._usable

    def _prepare_retry(self) -> bool:  # another secscan created the key at the same moment
        self._usable = None
        return self._prepare()

    def _entry(self, key: str) -> Path:
        return self.root / "layers" / key[:2] / f"{key}.json"

    def _sign(self, body: bytes) -> str:
        assert self._secret is not None
        return hmac.new(self._secret, body, hashlib.sha256).hexdigest()

    def load(self, key: str, name: LayerName) -> LayerResult | None:
        if not self._prepare():
            return None
        path = self._entry(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            self.notes.append(f"{name}: cache entry unreadable ({exc.strerror or exc}): ignored, scanned again")
            return None
        signature, _, body = data.partition(b"\n")
        if not hmac.compare_digest(signature.decode(errors="replace"), self._sign(body)):
            self.notes.append(
                f"{name}: cache entry {key[:12]} is not signed by this cache (corrupt or foreign): "
                "ignored, scanned again"
            )
            return None
        try:
            entry = orjson.loads(body)
            if entry.get("format") != FORMAT or entry.get("key") != key or entry.get("layer") != name:
                raise ValueError("entry for another key")
            findings = [Finding.model_validate(item) for item in entry["findings"]]
            result = LayerResult.model_validate({**entry["result"], "findings": findings, "raw": entry["raw"]})
        except (ValueError, KeyError, TypeError, ValidationError, orjson.JSONDecodeError):
            self.notes.append(f"{name}: cache entry {key[:12]} is malformed: ignored, scanned again")
            return None
        return result.model_copy(update={"cached": True})

    def store(self, key: str, result: LayerResult) -> None:
        """Keep an `ok` result (an error is never reused: the next run tries again)."""
        if result.status != "ok" or not self._prepare():
            return
        entry = {
            "format": FORMAT,
            "key": key,
            "layer": result.name,
            "result": result.model_dump(mode="json", exclude={"findings", "raw", "cached"}),
            "findings": [{**f.model_dump(mode="json"), "locator": f.locator} for f in result.findings],
            "raw": result.raw,
        }
        if not _redacted_already(entry):  # belt and braces: what raw/ would not hold, the cache does not either
            self.notes.append(f"{result.name}: result not cached: it holds text redaction would mask")
            return
        body = orjson.dumps(entry)
        path = self._entry(key)
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".entry.", suffix=".tmp")
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(self._sign(body).encode() + b"\n" + body)
            os.replace(temporary, path)
        except OSError as exc:
            self.notes.append(f"{result.name}: result not cached: {exc.strerror or exc}")


@dataclass
class LayerRunner:
    """Runs a layer, or reuses its cached result; collects what the cache had to say."""

    cache: LayerCache | None
    _keys: dict[LayerName, str | None] = field(default_factory=dict)
    _hits: dict[LayerName, LayerResult] = field(default_factory=dict)

    async def prefetch(self, names: list[LayerName], context: ScanContext) -> None:
        """Look every layer up before any runs. gitleaks' result is reused only when every layer's
        is: a layer that runs fresh needs the secret values gitleaks finds (never cached) to mask
        them wherever they reappear."""
        if self.cache is None:
            return
        for name in names:
            key = self._keys[name] = await layer_key(name, context)
            hit = self.cache.load(key, name) if key is not None else None
            if hit is not None:
                self._hits[name] = hit
        if "gitleaks" in self._hits and len(self._hits) < len(names):
            del self._hits["gitleaks"]

    async def lookup(
        self, name: LayerName, context: ScanContext, extras: KeyExtras = KeyExtras()
    ) -> LayerResult | None:
        if self.cache is None:
            return None
        key = await layer_key(name, context, extras)
        return self.cache.load(key, name) if key is not None else None

    async def run(self, name: LayerName, context: ScanContext, extras: KeyExtras = KeyExtras()) -> LayerResult:
        from secscan.scanners.registry import LAYERS

        if self.cache is None:
            return await LAYERS[name].run(context)
        started = time.perf_counter()
        prefetched = name in self._keys and extras == KeyExtras()  # looked up already (`prefetch`)
        key = self._keys[name] if prefetched else await layer_key(name, context, extras)
        hit = self._hits.get(name) if prefetched else self.cache.load(key, name) if key is not None else None
        if hit is not None:
            return hit.model_copy(update={"duration_s": round(time.perf_counter() - started, 3)})
        result = await LAYERS[name].run(context)
        if key is not None:
            self.cache.store(key, result)
        return result

    def take_notes(self, name: LayerName) -> tuple[list[str], list[str]]:
        """(this layer's notes, the cache's own) collected so far, each handed out once."""
        mine = (
            [n.removeprefix(f"{name}: ") for n in self.cache.notes if n.startswith(f"{name}: ")] if self.cache else []
        )
        general = (
            [n for n in self.cache.notes if not n.startswith(tuple(f"{x}: " for x in _TOOL))] if self.cache else []
        )
        if self.cache:
            self.cache.notes = [
                n
                for n in self.cache.notes
                if n.startswith(tuple(f"{x}: " for x in _TOOL)) and not n.startswith(f"{name}: ")
            ]
        return mine, general
