"""Write a tiny trivy vulnerability DB so the real ``trivy`` binary can run offline.

trivy keeps its vulnerability DB in ``<cache-dir>/db/trivy.db`` (a bbolt file)
next to ``<cache-dir>/db/metadata.json``.  With ``--skip-db-update`` trivy only
checks that ``metadata.json`` says ``"Version": 2`` and then reads the bbolt
file.  :func:`write_trivy_db` writes both from a list of :class:`Advisory`.

Bucket layout written (the same as trivy-db v2 builds it)::

    "pip::GitHub Security Advisory pip"      (root bucket, one per language source)
        "<normalized package name>"          (nested bucket)
            "<CVE id>" -> {"VulnerableVersions": ["<2.20.0"], "PatchedVersions": ["2.20.0"]}
    "npm::GitHub Security Advisory npm"      (same shape)
    "alpine 3.19"                            (root bucket, one per OS release)
        "<source package name>"
            "<CVE id>" -> {"FixedVersion": "1.36.1-r16"}
    "debian 12"                              (same shape as alpine; no FixedVersion = unfixed)
    "vulnerability"
        "<CVE id>" -> {"Title", "Description", "Severity", "VendorSeverity": {"ghsa": 3},
                       "CVSS", "References", "PublishedDate", "LastModifiedDate"}
    "data-source"
        "<root bucket name>" -> {"ID": "ghsa", "Name": "...", "URL": "..."}
    "trivy" / "metadata" / "data" -> metadata (legacy copy of metadata.json)

trivy looks language advisories up by the prefix ``"<ecosystem>::"`` and OS
advisories by ``"<os> <release>"``; the severity it reports is
``VendorSeverity[<data-source ID>]`` (falling back to ``Severity``).

The bbolt file is produced by a small self-contained writer (:func:`bolt_bytes`)
rather than the ``boltdb`` PyPI package (0.0.2): that port leaves both meta
checksums at 0 (trivy then fails with "failed to open db: checksum error")
and writes freelist ids at the wrong offsets (count=1 but slot 0 holds page 0);
with the checksums patched trivy does read it, but a writer of our own is
deterministic, fast and has no such caveats.  Every bucket is written as one
leaf page (with overflow pages when large), which is valid bbolt and needs no
branch pages.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "ECOSYSTEMS",
    "PAGE_SIZE",
    "SEVERITIES",
    "Advisory",
    "bolt_bytes",
    "metadata",
    "offline_flags",
    "read_bolt",
    "trivy_db_tree",
    "write_trivy_db",
]

SEVERITIES = ("UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL")

# ecosystem -> (root bucket name or format, data source)
_LANG_SOURCES: dict[str, tuple[str, dict[str, str]]] = {
    "pip": (
        "pip::GitHub Security Advisory pip",
        {
            "ID": "ghsa",
            "Name": "GitHub Security Advisory pip",
            "URL": "https://github.com/advisories?query=type%3Areviewed+ecosystem%3Apip",
        },
    ),
    "npm": (
        "npm::GitHub Security Advisory npm",
        {
            "ID": "ghsa",
            "Name": "GitHub Security Advisory npm",
            "URL": "https://github.com/advisories?query=type%3Areviewed+ecosystem%3Anpm",
        },
    ),
}

_OS_SOURCES: dict[str, dict[str, str]] = {
    "alpine": {
        "ID": "alpine",
        "Name": "Alpine Secdb",
        "URL": "https://secdb.alpinelinux.org/",
    },
    "debian": {
        "ID": "debian",
        "Name": "Debian Security Tracker",
        "URL": "https://salsa.debian.org/security-tracker-team/security-tracker",
    },
}

ECOSYSTEMS = tuple(_LANG_SOURCES) + tuple(_OS_SOURCES)


@dataclass(frozen=True)
class Advisory:
    """One (package, vulnerability) pair to plant in the DB.

    * ``ecosystem``: ``"pip"``, ``"npm"``, ``"alpine"`` or ``"debian"``.
    * ``release``: required for OS ecosystems (``"3.19"`` for alpine, ``"12"``
      for debian); it selects the bucket ``"alpine 3.19"``.  Ignored for
      language ecosystems.
    * ``vulnerable_versions``: language ecosystems only, a trivy/GHSA
      constraint such as ``"<2.20.0"`` or ``">=1.0.0, <1.2.3"``; defaults to
      ``"<fixed_version"``.  For OS ecosystems trivy only knows "installed <
      fixed": ``fixed_version`` decides (``None`` = unfixed, every installed
      version is reported); a ``vulnerable_versions`` of exactly ``"<X"`` is
      accepted as shorthand for ``fixed_version="X"``.
    * ``package``: for alpine the *origin* (``o:``) package, for debian the
      *source* package; trivy matches OS advisories against source packages.
    """

    ecosystem: str
    package: str
    vulnerability_id: str
    vulnerable_versions: str | None = None
    fixed_version: str | None = None
    severity: str = "HIGH"
    title: str = ""
    description: str = ""
    references: Sequence[str] = field(default_factory=tuple)
    release: str | None = None
    cwe_ids: Sequence[str] = field(default_factory=tuple)
    cvss_v3_vector: str | None = None
    cvss_v3_score: float | None = None
    published: str | None = "2018-12-09T19:29:00Z"
    last_modified: str | None = "2023-11-07T02:56:00Z"

    def __post_init__(self) -> None:
        if self.ecosystem not in ECOSYSTEMS:
            raise ValueError(f"unsupported ecosystem {self.ecosystem!r}; expected one of {ECOSYSTEMS}")
        sev = self.severity.upper()
        if sev not in SEVERITIES:
            raise ValueError(f"unsupported severity {self.severity!r}; expected one of {SEVERITIES}")
        object.__setattr__(self, "severity", sev)
        object.__setattr__(self, "references", tuple(self.references))
        object.__setattr__(self, "cwe_ids", tuple(self.cwe_ids))
        if self.is_os:
            if not self.release:
                raise ValueError(f"{self.ecosystem} advisory {self.vulnerability_id} needs release=")
            vv = (self.vulnerable_versions or "").strip()
            if vv:
                m = re.fullmatch(r"<\s*([^\s,<>=]+)", vv)
                if not m or (self.fixed_version and self.fixed_version != m.group(1)):
                    raise ValueError(
                        f"{self.ecosystem} advisories only support 'installed < fixed_version'; "
                        f"got vulnerable_versions={vv!r}"
                    )
                object.__setattr__(self, "fixed_version", m.group(1))
        elif not self.vulnerable_versions and not self.fixed_version:
            raise ValueError(
                f"{self.ecosystem} advisory {self.vulnerability_id} needs vulnerable_versions or fixed_version"
            )

    @property
    def is_os(self) -> bool:
        return self.ecosystem in _OS_SOURCES

    @property
    def bucket(self) -> str:
        """Root bucket this advisory lives in."""
        if self.is_os:
            return f"{self.ecosystem} {_os_bucket_release(self.ecosystem, self.release or '')}"
        return _LANG_SOURCES[self.ecosystem][0]

    @property
    def data_source(self) -> dict[str, str]:
        if self.is_os:
            return dict(_OS_SOURCES[self.ecosystem])
        return dict(_LANG_SOURCES[self.ecosystem][1])

    @property
    def db_package_name(self) -> str:
        if self.ecosystem == "pip":
            # PEP 503 normalisation, as trivy does before the lookup.
            return re.sub(r"[-_.]+", "-", self.package).lower()
        return self.package

    def advisory_value(self) -> dict[str, Any]:
        if self.is_os:
            return {"FixedVersion": self.fixed_version} if self.fixed_version else {}
        value: dict[str, Any] = {
            "VulnerableVersions": [self.vulnerable_versions or f"<{self.fixed_version}"],
        }
        if self.fixed_version:
            value["PatchedVersions"] = [self.fixed_version]
        return value


def _os_bucket_release(ecosystem: str, release: str) -> str:
    parts = release.split(".")
    if ecosystem == "alpine":
        return ".".join(parts[:2])  # 3.19.1 -> 3.19
    if ecosystem == "debian":
        return parts[0]  # 12.5 -> 12
    return release


_SEVERITY_INT = {name: i for i, name in enumerate(SEVERITIES)}


def _vulnerability_value(adv: Advisory, vendor_severity: Mapping[str, int]) -> dict[str, Any]:
    value: dict[str, Any] = {
        "Title": adv.title,
        "Description": adv.description,
        "Severity": adv.severity,
        "VendorSeverity": dict(sorted(vendor_severity.items())),
        "References": list(adv.references),
    }
    if adv.cwe_ids:
        value["CweIDs"] = list(adv.cwe_ids)
    if adv.cvss_v3_vector or adv.cvss_v3_score is not None:
        cvss: dict[str, Any] = {}
        if adv.cvss_v3_vector:
            cvss["V3Vector"] = adv.cvss_v3_vector
        if adv.cvss_v3_score is not None:
            cvss["V3Score"] = adv.cvss_v3_score
        value["CVSS"] = {"nvd": cvss}
    if adv.published:
        value["PublishedDate"] = adv.published
    if adv.last_modified:
        value["LastModifiedDate"] = adv.last_modified
    return value


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), sort_keys=False).encode()


def _rfc3339(t: _dt.datetime) -> str:
    return t.astimezone(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def metadata(now: _dt.datetime | None = None) -> dict[str, Any]:
    """The metadata.json content: Version 2, NextUpdate a day ahead (as a real DB's: trivy does not
    try to update it, and secscan refuses a DB that claims to stay fresh for years)."""
    now = now or _dt.datetime.now(_dt.UTC)
    return {
        "Version": 2,
        "NextUpdate": _rfc3339(now + _dt.timedelta(days=1)),
        "UpdatedAt": _rfc3339(now),
        "DownloadedAt": _rfc3339(now),
    }


# {key: value bytes | nested bucket}; kept loose so plain dict literals type-check
Tree = Mapping[bytes, Any]


def trivy_db_tree(advisories: Iterable[Advisory], meta: Mapping[str, Any] | None = None) -> dict[bytes, Any]:
    """The nested bucket tree (bytes keys; dict = bucket, bytes = value)."""
    advisories = list(advisories)
    tree: dict[bytes, Any] = {}
    data_sources: dict[bytes, bytes] = {}
    vendor_sev: dict[str, dict[str, int]] = {}
    first: dict[str, Advisory] = {}
    for adv in advisories:
        root = tree.setdefault(adv.bucket.encode(), {})
        pkg = root.setdefault(adv.db_package_name.encode(), {})
        key = adv.vulnerability_id.encode()
        if key in pkg:
            raise ValueError(f"duplicate advisory {adv.vulnerability_id} for {adv.bucket}/{adv.package}")
        pkg[key] = _json(adv.advisory_value())
        data_sources[adv.bucket.encode()] = _json(adv.data_source)
        ds_id = adv.data_source["ID"]
        sev = vendor_sev.setdefault(adv.vulnerability_id, {})
        if sev.get(ds_id, _SEVERITY_INT[adv.severity]) != _SEVERITY_INT[adv.severity]:
            raise ValueError(f"conflicting {ds_id} severities for {adv.vulnerability_id}")
        sev[ds_id] = _SEVERITY_INT[adv.severity]
        first.setdefault(adv.vulnerability_id, adv)
    tree[b"vulnerability"] = {
        vid.encode(): _json(_vulnerability_value(adv, vendor_sev[vid])) for vid, adv in first.items()
    }
    tree[b"data-source"] = data_sources
    if meta is not None:
        tree[b"trivy"] = {b"metadata": {b"data": _json(dict(meta))}}
    return tree


def write_trivy_db(
    cache_dir: Path,
    advisories: Iterable[Advisory],
    *,
    now: _dt.datetime | None = None,
) -> Path:
    """Create ``<cache_dir>/db/trivy.db`` and ``<cache_dir>/db/metadata.json``.

    Returns the ``db`` directory.  Run trivy with ``--cache-dir <cache_dir>
    --skip-db-update`` (see :data:`OFFLINE_FLAGS`).
    """
    db_dir = Path(cache_dir) / "db"
    db_dir.mkdir(parents=True, exist_ok=True)
    meta = metadata(now)
    (db_dir / "trivy.db").write_bytes(bolt_bytes(trivy_db_tree(advisories, meta)))
    (db_dir / "metadata.json").write_text(json.dumps(meta))
    return db_dir


def offline_flags(cache_dir: Path) -> list[str]:
    """trivy flags for a fully offline run against the DB in ``cache_dir``."""
    return [
        "--cache-dir",
        str(cache_dir),
        "--skip-db-update",
        "--skip-java-db-update",
        "--skip-check-update",
        "--skip-version-check",
        "--disable-telemetry",
        "--offline-scan",
    ]


# --------------------------------------------------------------------------
# Minimal bbolt writer / reader
# --------------------------------------------------------------------------

PAGE_SIZE = 4096
_MAGIC = 0xED0CDAED
_VERSION = 2
_BRANCH, _LEAF, _META, _FREELIST = 0x01, 0x02, 0x04, 0x10
_BUCKET_LEAF_FLAG = 0x01
_PAGE_HEADER = struct.Struct("<QHHI")  # id, flags, count, overflow
_LEAF_ELEM = struct.Struct("<IIII")  # flags, pos, ksize, vsize
_BRANCH_ELEM = struct.Struct("<IIQ")  # pos, ksize, pgid
_BUCKET_HEADER = struct.Struct("<QQ")  # root pgid, sequence
_META_BODY = struct.Struct("<IIIIQQQQQ")  # magic..txid (56 bytes); checksum follows


def _fnv64a(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def _meta_page(pgid: int, root: int, freelist: int, high_water: int, txid: int) -> bytes:
    body = _META_BODY.pack(_MAGIC, _VERSION, PAGE_SIZE, 0, root, 0, freelist, high_water, txid)
    page = _PAGE_HEADER.pack(pgid, _META, 0, 0) + body + struct.pack("<Q", _fnv64a(body))
    return page.ljust(PAGE_SIZE, b"\0")


def bolt_bytes(tree: Tree) -> bytes:
    """Serialise a nested ``{bytes: bytes | dict}`` tree as a bbolt v2 file.

    Page 0/1: meta (txid 0/1, checksummed), page 2: empty freelist, then one
    leaf page (plus overflow pages) per bucket; nested buckets are written
    before their parent so every bucket header points at an existing page.
    """
    pages: dict[int, bytes] = {}
    next_pgid = 3

    def write_bucket(bucket: Tree) -> int:
        nonlocal next_pgid
        items: list[tuple[int, bytes, bytes]] = []
        for key in sorted(bucket):
            if not isinstance(key, (bytes, bytearray)) or not key:
                raise TypeError(f"bucket keys must be non-empty bytes, got {key!r}")
            value = bucket[key]
            if isinstance(value, Mapping):
                items.append(
                    (
                        _BUCKET_LEAF_FLAG,
                        bytes(key),
                        _BUCKET_HEADER.pack(write_bucket(value), 0),
                    )
                )
            elif isinstance(value, (bytes, bytearray)):
                items.append((0, bytes(key), bytes(value)))
            else:
                raise TypeError(f"value for {key!r} must be bytes or a mapping, got {type(value)}")
        if len(items) >= 0xFFFF:
            raise ValueError("too many keys in one bucket for a single leaf page")
        elems = bytearray()
        data = bytearray()
        base = _LEAF_ELEM.size * len(items)
        for i, (flags, key, value) in enumerate(items):
            pos = base + len(data) - i * _LEAF_ELEM.size  # relative to this element
            elems += _LEAF_ELEM.pack(flags, pos, len(key), len(value))
            data += key + value
        body = bytes(elems + data)
        n_pages = max(1, -(-(_PAGE_HEADER.size + len(body)) // PAGE_SIZE))
        pgid = next_pgid
        next_pgid += n_pages
        raw = _PAGE_HEADER.pack(pgid, _LEAF, len(items), n_pages - 1) + body
        pages[pgid] = raw.ljust(n_pages * PAGE_SIZE, b"\0")
        return pgid

    root = write_bucket(tree)
    high_water = next_pgid
    out = bytearray()
    out += _meta_page(0, root, 2, high_water, 0)
    out += _meta_page(1, root, 2, high_water, 1)
    out += _PAGE_HEADER.pack(2, _FREELIST, 0, 0).ljust(PAGE_SIZE, b"\0")
    for pgid in sorted(pages):
        assert len(out) == pgid * PAGE_SIZE
        out += pages[pgid]
    assert len(out) == high_water * PAGE_SIZE
    return bytes(out)


def read_bolt(data: bytes) -> dict[bytes, Any]:
    """Parse a bbolt file into a nested dict (for tests of the writer)."""
    metas = []
    for pgid in (0, 1):
        off = pgid * PAGE_SIZE + _PAGE_HEADER.size
        body = data[off : off + _META_BODY.size]
        (checksum,) = struct.unpack_from("<Q", data, off + _META_BODY.size)
        fields = _META_BODY.unpack(body)
        if fields[0] == _MAGIC and checksum == _fnv64a(body):
            metas.append(fields)
    if not metas:
        raise ValueError("no valid meta page")
    meta = max(metas, key=lambda m: m[8])
    page_size = meta[2]

    def read_page(page: bytes) -> dict[bytes, Any]:
        _pid, flags, count, _ovf = _PAGE_HEADER.unpack_from(page, 0)
        out: dict[bytes, Any] = {}
        for i in range(count):
            eoff = _PAGE_HEADER.size + i * (_LEAF_ELEM.size if flags & _LEAF else _BRANCH_ELEM.size)
            if flags & _LEAF:
                eflags, pos, ksize, vsize = _LEAF_ELEM.unpack_from(page, eoff)
                key = page[eoff + pos : eoff + pos + ksize]
                value = page[eoff + pos + ksize : eoff + pos + ksize + vsize]
                if eflags & _BUCKET_LEAF_FLAG:
                    sub_root, _seq = _BUCKET_HEADER.unpack_from(value, 0)
                    out[key] = read_page(value[_BUCKET_HEADER.size :]) if sub_root == 0 else read_pgid(sub_root)
                else:
                    out[key] = value
            elif flags & _BRANCH:
                pos, _ksize, child = _BRANCH_ELEM.unpack_from(page, eoff)
                out.update(read_pgid(child))
        return out

    def read_pgid(pgid: int) -> dict[bytes, Any]:
        _pid, _flags, _count, overflow = _PAGE_HEADER.unpack_from(data, pgid * page_size)
        return read_page(data[pgid * page_size : (pgid + overflow + 1) * page_size])

    return read_pgid(meta[4])
