"""Build container images on disk for ``trivy image --input``.

Two output formats, both from the same in-memory description:

* :func:`build_oci_layout` - an OCI image layout directory (``oci-layout``,
  ``index.json``, ``blobs/sha256/...``).
* :func:`build_docker_save_tar` - a ``docker save`` style tarball
  (``manifest.json``, ``<config>.json``, ``<layer>/layer.tar``).

A layer is a ``{path: bytes}`` mapping (``str`` values are UTF-8 encoded);
layers are tarred deterministically (sorted entries, mtime 0, uid/gid 0,
parent directories added), so equal inputs give byte-identical images.

Content helpers return layer dicts that trivy recognises:

* :func:`alpine_root` - ``etc/alpine-release``, ``etc/os-release``,
  ``lib/apk/db/installed``.
* :func:`debian_root` - ``etc/debian_version``, ``etc/os-release``,
  ``var/lib/dpkg/status``.
* :func:`python_dist_info` - ``usr/lib/python3.11/site-packages/<name>-<ver>.dist-info/METADATA``.
* :func:`node_package` - ``usr/src/app/node_modules/<name>/package.json``.

Example::

    layers = [alpine_root("3.19.1", [("busybox", "1.36.1-r15")]),
              python_dist_info("requests", "2.19.0")]
    build_oci_layout(tmp_path / "oci", layers, env=["API_TOKEN=s3cr3t"])
    build_docker_save_tar(tmp_path / "img.tar", layers, env=["API_TOKEN=s3cr3t"])
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import tarfile
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

__all__ = [
    "DEFAULT_CREATED",
    "alpine_root",
    "build_docker_save_tar",
    "build_oci_layout",
    "debian_root",
    "image_config",
    "node_package",
    "python_dist_info",
    "tar_layer",
]

Layer = Mapping[str, bytes | str]
HistoryEntry = str | Mapping[str, Any]

DEFAULT_CREATED = "2024-01-01T00:00:00Z"

_OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
_OCI_INDEX = "application/vnd.oci.image.index.v1+json"
_OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
_OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"
_OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


# --------------------------------------------------------------------------
# Layers
# --------------------------------------------------------------------------


def _norm_path(path: str) -> str:
    p = PurePosixPath(path.lstrip("/"))
    if not p.parts or ".." in p.parts:
        raise ValueError(f"bad layer path {path!r}")
    return str(p)


def tar_layer(files: Layer) -> bytes:
    """Deterministic uncompressed tar of ``{path: content}``.

    Parent directories get explicit 0755 entries; files are 0644 (0755 when
    the path is under a ``bin``/``sbin`` directory).  Empty files whose name
    starts with ``.wh.`` work as OCI whiteouts.
    """
    file_data: dict[str, bytes] = {}
    for raw_path, content in files.items():
        file_data[_norm_path(raw_path)] = content.encode() if isinstance(content, str) else bytes(content)
    dirs = {str(parent) for path in file_data for parent in PurePosixPath(path).parents if str(parent) != "."}
    if clash := dirs & file_data.keys():
        raise ValueError(f"paths used both as file and directory: {sorted(clash)}")
    entries: dict[str, bytes | None] = {**dict.fromkeys(dirs), **file_data}
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(entries):
            data = entries[path]
            info = tarfile.TarInfo(path)
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if data is None:
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            else:
                info.type = tarfile.REGTYPE
                info.size = len(data)
                parts = PurePosixPath(path).parts
                info.mode = 0o755 if {"bin", "sbin"} & set(parts[:-1]) else 0o644
                tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


# --------------------------------------------------------------------------
# Image config
# --------------------------------------------------------------------------


def _history(
    n_layers: int,
    env: Sequence[str],
    history: Sequence[HistoryEntry] | None,
    created: str,
) -> list[dict[str, Any]]:
    if history is None:
        entries: list[dict[str, Any]] = [
            {
                "created": created,
                "created_by": f"COPY layer{i}/ / # buildkit",
                "comment": "buildkit.dockerfile.v0",
            }
            for i in range(n_layers)
        ]
        entries += [
            {
                "created": created,
                "created_by": f"ENV {e}",
                "comment": "buildkit.dockerfile.v0",
                "empty_layer": True,
            }
            for e in env
        ]
        return entries
    out = []
    for h in history:
        entry = {"created_by": h} if isinstance(h, str) else dict(h)
        entry.setdefault("created", created)
        out.append(entry)
    non_empty = sum(1 for h in out if not h.get("empty_layer"))
    if non_empty != n_layers:
        raise ValueError(
            f"history has {non_empty} non-empty entries but the image has {n_layers} layers "
            "(mark ENV/CMD/... entries with empty_layer=True)"
        )
    return out


def image_config(
    diff_ids: Sequence[str],
    env: Sequence[str] = (),
    *,
    history: Sequence[HistoryEntry] | None = None,
    cmd: Sequence[str] | None = None,
    entrypoint: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    user: str | None = None,
    working_dir: str | None = None,
    exposed_ports: Sequence[str] = (),
    architecture: str = "amd64",
    os: str = "linux",
    created: str = DEFAULT_CREATED,
) -> dict[str, Any]:
    """The OCI/Docker image config JSON (as a dict).

    ``history`` entries are strings (``created_by``) or dicts with
    ``created_by``/``empty_layer``/``comment``/``created``/``author``; the
    number of non-``empty_layer`` entries must equal the number of layers.
    Default history: one ``COPY layer<i>/ / # buildkit`` per layer followed by
    one ``ENV <k=v>`` empty-layer entry per ``env`` item (like BuildKit).
    """
    cfg: dict[str, Any] = {"Env": list(env)}
    if cmd is not None:
        cfg["Cmd"] = list(cmd)
    if entrypoint is not None:
        cfg["Entrypoint"] = list(entrypoint)
    if labels:
        cfg["Labels"] = dict(labels)
    if user is not None:
        cfg["User"] = user
    if working_dir is not None:
        cfg["WorkingDir"] = working_dir
    if exposed_ports:
        cfg["ExposedPorts"] = {p: {} for p in exposed_ports}
    return {
        "architecture": architecture,
        "os": os,
        "created": created,
        "config": cfg,
        "rootfs": {"type": "layers", "diff_ids": list(diff_ids)},
        "history": _history(len(diff_ids), env, history, created),
    }


# --------------------------------------------------------------------------
# Output formats
# --------------------------------------------------------------------------


def build_oci_layout(
    dest: Path,
    layers: Sequence[Layer],
    env: Sequence[str] = (),
    *,
    history: Sequence[HistoryEntry] | None = None,
    ref_name: str = "latest",
    compress: bool = True,
    annotations: Mapping[str, str] | None = None,
    **config_kwargs: Any,
) -> Path:
    """Write an OCI image layout directory at ``dest`` and return ``dest``.

    ``config_kwargs`` go to :func:`image_config` (``cmd``, ``entrypoint``,
    ``labels``, ``user``, ``working_dir``, ``exposed_ports``, ``architecture``,
    ``os``, ``created``).  Layers are gzip-compressed (mtime 0) unless
    ``compress=False``.  ``trivy image --input <dest>`` scans it.
    """
    dest = Path(dest)
    blobs = dest / "blobs" / "sha256"
    blobs.mkdir(parents=True, exist_ok=True)

    def put_blob(data: bytes) -> str:
        digest = _sha256(data)
        (blobs / digest.split(":", 1)[1]).write_bytes(data)
        return digest

    layer_descs = []
    diff_ids = []
    for files in layers:
        raw = tar_layer(files)
        diff_ids.append(_sha256(raw))
        blob = gzip.compress(raw, compresslevel=6, mtime=0) if compress else raw
        layer_descs.append(
            {
                "mediaType": _OCI_LAYER_GZIP if compress else _OCI_LAYER_TAR,
                "digest": put_blob(blob),
                "size": len(blob),
            }
        )
    config = _canonical_json(image_config(diff_ids, env, history=history, **config_kwargs))
    manifest: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": _OCI_MANIFEST,
        "config": {
            "mediaType": _OCI_CONFIG,
            "digest": put_blob(config),
            "size": len(config),
        },
        "layers": layer_descs,
    }
    if annotations:
        manifest["annotations"] = dict(annotations)
    manifest_bytes = _canonical_json(manifest)
    index = {
        "schemaVersion": 2,
        "mediaType": _OCI_INDEX,
        "manifests": [
            {
                "mediaType": _OCI_MANIFEST,
                "digest": put_blob(manifest_bytes),
                "size": len(manifest_bytes),
                "annotations": {"org.opencontainers.image.ref.name": ref_name},
            }
        ],
    }
    (dest / "index.json").write_bytes(_canonical_json(index))
    (dest / "oci-layout").write_bytes(_canonical_json({"imageLayoutVersion": "1.0.0"}))
    return dest


def _tar_member(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 0
    info.mode = 0o644
    info.uname = info.gname = ""
    tar.addfile(info, io.BytesIO(data))


def build_docker_save_tar(
    dest: Path,
    layers: Sequence[Layer],
    env: Sequence[str] = (),
    *,
    history: Sequence[HistoryEntry] | None = None,
    repo_tags: Sequence[str] = ("secscan-test:latest",),
    **config_kwargs: Any,
) -> Path:
    """Write a classic ``docker save`` tarball at ``dest`` and return ``dest``.

    Layout: ``manifest.json`` (``[{"Config", "RepoTags", "Layers"}]``),
    ``<config sha256>.json``, ``<diff id hex>/layer.tar`` (uncompressed) and
    ``repositories``.  ``config_kwargs`` as for :func:`build_oci_layout`.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    layer_tars = [tar_layer(files) for files in layers]
    diff_ids = [_sha256(raw) for raw in layer_tars]
    config = _canonical_json(image_config(diff_ids, env, history=history, **config_kwargs))
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    layer_names = [d.split(":", 1)[1] + "/layer.tar" for d in diff_ids]
    manifest = [{"Config": config_name, "RepoTags": list(repo_tags), "Layers": layer_names}]
    repositories: dict[str, dict[str, str]] = {}
    for tag in repo_tags:
        repo, _, t = tag.rpartition(":")
        if diff_ids:
            repositories.setdefault(repo, {})[t] = diff_ids[-1].split(":", 1)[1]
    with tarfile.open(dest, mode="w", format=tarfile.PAX_FORMAT) as tar:
        _tar_member(tar, config_name, config)
        seen = set()
        for name, raw in zip(layer_names, layer_tars, strict=True):
            if name not in seen:  # identical layers share one file
                seen.add(name)
                _tar_member(tar, name, raw)
        _tar_member(tar, "manifest.json", json.dumps(manifest).encode())
        _tar_member(tar, "repositories", json.dumps(repositories).encode())
    return dest


# --------------------------------------------------------------------------
# Content helpers
# --------------------------------------------------------------------------

OSPackage = tuple[str, str] | tuple[str, str, str]


def _os_release(id_: str, name: str, version_id: str, pretty: str, extra: str = "") -> str:
    return f'NAME="{name}"\nID={id_}\nVERSION_ID={version_id}\nPRETTY_NAME="{pretty}"\n{extra}'


def _apk_checksum(name: str, version: str) -> str:
    return "Q1" + base64.b64encode(hashlib.sha1(f"{name}-{version}".encode()).digest()).decode()


def alpine_root(
    release: str = "3.19.1",
    packages: Sequence[OSPackage] = (
        ("busybox", "1.36.1-r15"),
        ("musl", "1.2.4_git20230717-r4"),
    ),
    arch: str = "x86_64",
) -> dict[str, bytes]:
    """Files that make trivy detect Alpine ``release`` with ``packages``.

    ``packages`` are ``(name, version)`` or ``(name, version, origin)``
    tuples; trivy matches advisories against the origin (defaults to name).
    """
    minor = ".".join(release.split(".")[:2])
    blocks = []
    for pkg in packages:
        name, version = pkg[0], pkg[1]
        origin = pkg[2] if len(pkg) > 2 else name
        blocks.append(
            "\n".join(
                [
                    f"C:{_apk_checksum(name, version)}",
                    f"P:{name}",
                    f"V:{version}",
                    f"A:{arch}",
                    "S:100000",
                    "I:200000",
                    f"T:{name} (secscan test package)",
                    "U:https://example.invalid/",
                    "L:MIT",
                    f"o:{origin}",
                    "m:secscan tests <tests@example.invalid>",
                    "t:1700000000",
                    "c:0000000000000000000000000000000000000000",
                ]
            )
            + "\n"
        )
    return {
        "etc/alpine-release": f"{release}\n".encode(),
        "etc/os-release": _os_release(
            "alpine",
            "Alpine Linux",
            release,
            f"Alpine Linux v{minor}",
            'HOME_URL="https://alpinelinux.org/"\n',
        ).encode(),
        "lib/apk/db/installed": ("\n".join(blocks) + "\n").encode(),
    }


def debian_root(
    release: str = "12.5",
    packages: Sequence[OSPackage] = (("libssl3", "3.0.11-1~deb12u2", "openssl"),),
    arch: str = "amd64",
) -> dict[str, bytes]:
    """Files that make trivy detect Debian ``release`` with ``packages``.

    ``packages`` are ``(name, version)`` or ``(name, version, source)``; trivy
    matches Debian advisories against the source package.
    """
    major = release.split(".")[0]
    blocks = []
    for pkg in packages:
        name, version = pkg[0], pkg[1]
        source = pkg[2] if len(pkg) > 2 else None
        lines = [
            f"Package: {name}",
            "Status: install ok installed",
            "Priority: optional",
            "Section: libs",
            "Installed-Size: 100",
            "Maintainer: secscan tests <tests@example.invalid>",
            f"Architecture: {arch}",
        ]
        if source:
            lines.append(f"Source: {source}")
        lines += [f"Version: {version}", f"Description: {name} (secscan test package)"]
        blocks.append("\n".join(lines) + "\n")
    return {
        "etc/debian_version": f"{release}\n".encode(),
        "etc/os-release": _os_release(
            "debian",
            "Debian GNU/Linux",
            f'"{major}"',
            f"Debian GNU/Linux {major} (bookworm)",
            'VERSION_CODENAME=bookworm\nHOME_URL="https://www.debian.org/"\n',
        ).encode(),
        "var/lib/dpkg/status": ("\n".join(blocks)).encode(),
    }


def python_dist_info(
    name: str,
    version: str,
    *,
    site_packages: str = "usr/lib/python3.11/site-packages",
    license: str = "Apache 2.0",
) -> dict[str, bytes]:
    """An installed-distribution ``METADATA`` file trivy's python-pkg analyzer reads."""
    metadata = (
        "Metadata-Version: 2.1\n"
        f"Name: {name}\n"
        f"Version: {version}\n"
        f"Summary: {name} (secscan test package)\n"
        f"License: {license}\n"
        "\n"
    )
    dist = f"{name.replace('-', '_')}-{version}.dist-info"
    return {f"{site_packages}/{dist}/METADATA": metadata.encode()}


def node_package(name: str, version: str, *, app_dir: str = "usr/src/app") -> dict[str, bytes]:
    """``node_modules/<name>/package.json``, which trivy's node-pkg analyzer reads in images."""
    pkg = {"name": name, "version": version, "license": "MIT"}
    return {f"{app_dir}/node_modules/{name}/package.json": json.dumps(pkg, indent=2).encode()}
