"""The test-support builders work with the REAL trivy binary, offline.

Skipped when no ``trivy`` is found on PATH or next to ``sys.executable``.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import os
import secrets
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest

try:  # run as `python -m pytest` from the repo root, or with tests/ as a package
    from tests.support import images, trivy_db
except ImportError:  # pragma: no cover - pytest rootdir-relative import
    from support import images, trivy_db  # type: ignore[no-redef]

Advisory = trivy_db.Advisory

TOKEN = "ghp_" + secrets.token_hex(18)  # generated at run time: nothing real-looking is committed

# --- advisories that must be reported --------------------------------------
REQUESTS = Advisory(
    ecosystem="pip",
    package="requests",
    vulnerability_id="CVE-2018-18074",
    vulnerable_versions="<2.20.0",
    fixed_version="2.20.0",
    severity="HIGH",
    title="requests: Redirect from HTTPS to HTTP leaks Authorization header (secscan test DB)",
    description="The Requests package before 2.20.0 sends an HTTP Authorization header to an http URI.",
    references=["https://nvd.nist.gov/vuln/detail/CVE-2018-18074"],
    cwe_ids=["CWE-522"],
    cvss_v3_vector="CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
    cvss_v3_score=7.5,
)
JINJA2 = Advisory(  # mixed-case name: exercises PEP 503 normalisation
    ecosystem="pip",
    package="Jinja2",
    vulnerability_id="CVE-2019-10906",
    vulnerable_versions="<2.10.1",
    fixed_version="2.10.1",
    severity="CRITICAL",
    title="jinja2: str.format_map allows sandbox escape (secscan test DB)",
)
LODASH = Advisory(
    ecosystem="npm",
    package="lodash",
    vulnerability_id="CVE-2021-23337",
    vulnerable_versions="<4.17.21",
    fixed_version="4.17.21",
    severity="HIGH",
    title="lodash: command injection via template (secscan test DB)",
)
BUSYBOX = Advisory(
    ecosystem="alpine",
    release="3.19",
    package="busybox",
    vulnerability_id="CVE-2023-42366",
    fixed_version="1.36.1-r16",
    severity="MEDIUM",
    title="busybox: heap-buffer-overflow in awk (secscan test DB)",
)
OPENSSL_DEB = Advisory(
    ecosystem="debian",
    release="12",
    package="openssl",  # source package of libssl3
    vulnerability_id="CVE-2023-5678",
    fixed_version="3.0.13-1~deb12u1",
    severity="MEDIUM",
    title="openssl: DH key generation is slow (secscan test DB)",
)
ZLIB_DEB_UNFIXED = Advisory(
    ecosystem="debian",
    release="12",
    package="zlib",
    vulnerability_id="CVE-2023-45853",
    severity="CRITICAL",
    title="zlib: integer overflow in minizip (secscan test DB, unfixed)",
)

# --- advisories whose range does NOT include the planted versions ----------
REQUESTS_OLD = Advisory(
    ecosystem="pip",
    package="requests",
    vulnerability_id="CVE-2014-1829",
    vulnerable_versions="<2.3.0",
    fixed_version="2.3.0",
    severity="MEDIUM",
    title="requests: old (secscan test DB)",
)
REQUESTS_NEWER = Advisory(  # lower bound above 2.19.0
    ecosystem="pip",
    package="requests",
    vulnerability_id="CVE-2024-35195",
    vulnerable_versions=">=2.25.0, <2.32.0",
    fixed_version="2.32.0",
    severity="MEDIUM",
    title="requests: newer range (secscan test DB)",
)
LODASH_OLD = Advisory(
    ecosystem="npm",
    package="lodash",
    vulnerability_id="CVE-2020-8203",
    vulnerable_versions="<4.17.19",
    fixed_version="4.17.19",
    severity="HIGH",
    title="lodash: old (secscan test DB)",
)
MUSL_FIXED_EARLIER = Advisory(
    ecosystem="alpine",
    release="3.19",
    package="musl",
    vulnerability_id="CVE-2025-26519",
    fixed_version="1.2.4_git20230717-r1",
    severity="HIGH",
    title="musl: fixed before the installed release (secscan test DB)",
)
BUSYBOX_OTHER_RELEASE = Advisory(  # right package, wrong alpine release
    ecosystem="alpine",
    release="3.20",
    package="busybox",
    vulnerability_id="CVE-2023-42363",
    fixed_version="1.36.1-r99",
    severity="MEDIUM",
    title="busybox: other release (secscan test DB)",
)

ALL_ADVISORIES = [
    REQUESTS,
    JINJA2,
    LODASH,
    BUSYBOX,
    OPENSSL_DEB,
    ZLIB_DEB_UNFIXED,
    REQUESTS_OLD,
    REQUESTS_NEWER,
    LODASH_OLD,
    MUSL_FIXED_EARLIER,
    BUSYBOX_OTHER_RELEASE,
]
NOT_REPORTED = {
    a.vulnerability_id
    for a in (
        REQUESTS_OLD,
        REQUESTS_NEWER,
        LODASH_OLD,
        MUSL_FIXED_EARLIER,
        BUSYBOX_OTHER_RELEASE,
    )
}

ALPINE_PACKAGES = [("busybox", "1.36.1-r15"), ("musl", "1.2.4_git20230717-r4")]


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def _find_trivy() -> str | None:
    found = shutil.which("trivy")
    if found:
        return found
    for name in ("trivy", "trivy.exe"):
        candidate = Path(sys.executable).parent / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


@pytest.fixture(scope="session")
def trivy_bin() -> str:
    path = _find_trivy()
    if path is None:
        pytest.skip("trivy binary not found on PATH nor next to sys.executable")
    return path


@pytest.fixture(scope="module")
def trivy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = tmp_path_factory.mktemp("trivy-cache")
    trivy_db.write_trivy_db(cache, ALL_ADVISORIES)
    return cache


def run_trivy(trivy: str, cache: Path, home: Path, *args: str) -> dict:
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIVY_")}
    env.update(
        HOME=str(home),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_CONFIG_HOME=str(home / ".config"),
    )
    cmd = [
        trivy,
        *args[:1],
        "--quiet",
        "--format",
        "json",
        *trivy_db.offline_flags(cache),
        *args[1:],
    ]
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, f"{cmd}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return json.loads(proc.stdout)


def reported(report: dict) -> set[tuple]:
    """(result type, id, package, installed, fixed, severity, title) of every finding."""
    return {
        (
            result.get("Type"),
            v["VulnerabilityID"],
            v["PkgName"],
            v["InstalledVersion"],
            v.get("FixedVersion"),
            v["Severity"],
            v.get("Title"),
        )
        for result in report.get("Results") or []
        for v in result.get("Vulnerabilities") or []
    }


def expected(adv: trivy_db.Advisory, result_type: str, pkg: str, installed: str) -> tuple:
    return (
        result_type,
        adv.vulnerability_id,
        pkg,
        installed,
        adv.fixed_version,
        adv.severity,
        adv.title,
    )


def image_layers() -> list[dict[str, bytes]]:
    return [
        images.alpine_root("3.19.1", ALPINE_PACKAGES),
        images.python_dist_info("requests", "2.19.0"),
        images.node_package("lodash", "4.17.20"),
    ]


IMAGE_EXPECTED = {
    expected(BUSYBOX, "alpine", "busybox", "1.36.1-r15"),
    expected(REQUESTS, "python-pkg", "requests", "2.19.0"),
    expected(LODASH, "node-pkg", "lodash", "4.17.20"),
}


def build_image(kind: str, dest_dir: Path, layers, **kwargs) -> Path:
    if kind == "oci":
        return images.build_oci_layout(dest_dir / "oci", layers, **kwargs)
    return images.build_docker_save_tar(dest_dir / "image.tar", layers, **kwargs)


# --------------------------------------------------------------------------
# pure-Python checks (no trivy needed)
# --------------------------------------------------------------------------


def test_bolt_file_roundtrips_and_meta_checksums(tmp_path: Path) -> None:
    db_dir = trivy_db.write_trivy_db(tmp_path, ALL_ADVISORIES)
    raw = (db_dir / "trivy.db").read_bytes()
    assert len(raw) % trivy_db.PAGE_SIZE == 0
    for pgid in (0, 1):
        body = raw[pgid * 4096 + 16 : pgid * 4096 + 16 + 56]
        checksum = int.from_bytes(raw[pgid * 4096 + 72 : pgid * 4096 + 80], "little")
        assert checksum == trivy_db._fnv64a(body) != 0
    tree = trivy_db.read_bolt(raw)
    assert set(tree) == {
        b"pip::GitHub Security Advisory pip",
        b"npm::GitHub Security Advisory npm",
        b"alpine 3.19",
        b"alpine 3.20",
        b"debian 12",
        b"vulnerability",
        b"data-source",
        b"trivy",
    }
    pip = tree[b"pip::GitHub Security Advisory pip"]
    assert set(pip) == {b"requests", b"jinja2"}
    assert json.loads(pip[b"requests"][b"CVE-2018-18074"]) == {
        "VulnerableVersions": ["<2.20.0"],
        "PatchedVersions": ["2.20.0"],
    }
    assert json.loads(tree[b"alpine 3.19"][b"busybox"][b"CVE-2023-42366"]) == {"FixedVersion": "1.36.1-r16"}
    assert json.loads(tree[b"debian 12"][b"zlib"][b"CVE-2023-45853"]) == {}
    vuln = json.loads(tree[b"vulnerability"][b"CVE-2018-18074"])
    assert vuln["Severity"] == "HIGH" and vuln["VendorSeverity"] == {"ghsa": 3}
    assert vuln["CVSS"] == {"nvd": {"V3Vector": REQUESTS.cvss_v3_vector, "V3Score": 7.5}}
    assert json.loads(tree[b"data-source"][b"alpine 3.19"])["ID"] == "alpine"

    meta = json.loads((db_dir / "metadata.json").read_text())
    assert meta["Version"] == 2
    next_update = dt.datetime.fromisoformat(meta["NextUpdate"])
    assert dt.datetime.now(dt.UTC) < next_update < dt.datetime.now(dt.UTC) + dt.timedelta(days=2)


def test_bolt_writer_handles_overflow_pages() -> None:
    tree: dict[bytes, Any] = {
        b"big": {f"k{i:05d}".encode(): b"v" * (i % 700) for i in range(3000)},
        b"nested": {b"a": {b"b": {b"c": b"deep"}}, b"empty": {}},
        b"huge-value": {b"x": b"y" * 50_000},
    }
    assert trivy_db.read_bolt(trivy_db.bolt_bytes(tree)) == tree


def test_advisory_validation() -> None:
    with pytest.raises(ValueError):
        trivy_db.Advisory("alpine", "busybox", "CVE-2023-42366", fixed_version="1")  # no release
    with pytest.raises(ValueError):
        trivy_db.Advisory("pip", "x", "CVE-2000-0001", fixed_version="1", severity="SEVERE")
    with pytest.raises(ValueError):
        trivy_db.Advisory("pip", "x", "CVE-2000-0001")  # no range at all
    with pytest.raises(ValueError):
        trivy_db.Advisory(
            "alpine",
            "x",
            "CVE-2000-0001",
            release="3.19",
            vulnerable_versions=">=1, <2",
        )
    with pytest.raises(ValueError):
        trivy_db.Advisory("cargo", "x", "CVE-2000-0001", fixed_version="1")
    short = trivy_db.Advisory("alpine", "x", "CVE-2000-0001", release="3.19.4", vulnerable_versions="<2-r0")
    assert short.fixed_version == "2-r0" and short.bucket == "alpine 3.19"
    pip = trivy_db.Advisory("pip", "Zope.Interface", "CVE-2000-0001", fixed_version="5", severity="low")
    assert pip.db_package_name == "zope-interface" and pip.severity == "LOW"
    assert pip.advisory_value() == {
        "VulnerableVersions": ["<5"],
        "PatchedVersions": ["5"],
    }


def test_image_builders_are_deterministic_and_consistent(tmp_path: Path) -> None:
    layers = image_layers()
    a = images.build_oci_layout(tmp_path / "a", layers, env=["A=1"])
    b = images.build_oci_layout(tmp_path / "b", layers, env=["A=1"])
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files_a == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    for rel in files_a:
        assert (a / rel).read_bytes() == (b / rel).read_bytes()
        if rel.parts[:2] == ("blobs", "sha256"):
            assert hashlib.sha256((a / rel).read_bytes()).hexdigest() == rel.name

    index = json.loads((a / "index.json").read_text())
    manifest = json.loads((a / "blobs/sha256" / index["manifests"][0]["digest"][7:]).read_text())
    config = json.loads((a / "blobs/sha256" / manifest["config"]["digest"][7:]).read_text())
    for desc, diff_id in zip(manifest["layers"], config["rootfs"]["diff_ids"], strict=True):
        blob = (a / "blobs/sha256" / desc["digest"][7:]).read_bytes()
        assert "sha256:" + hashlib.sha256(gzip.decompress(blob)).hexdigest() == diff_id
    assert config["config"]["Env"] == ["A=1"]

    t1 = images.build_docker_save_tar(tmp_path / "1.tar", layers, env=["A=1"])
    t2 = images.build_docker_save_tar(tmp_path / "2.tar", layers, env=["A=1"])
    assert t1.read_bytes() == t2.read_bytes()
    with tarfile.open(t1) as tar:

        def member(name: str) -> bytes:
            f = tar.extractfile(name)
            assert f is not None, name
            return f.read()

        (entry,) = json.loads(member("manifest.json"))
        cfg = json.loads(member(entry["Config"]))
        for name, diff_id in zip(entry["Layers"], cfg["rootfs"]["diff_ids"], strict=True):
            assert "sha256:" + hashlib.sha256(member(name)).hexdigest() == diff_id
        with tarfile.open(fileobj=io.BytesIO(member(entry["Layers"][0]))) as layer0:
            members = layer0.getmembers()
        names = [m.name for m in members]
        assert names == sorted(names)
        assert "etc" in names and "lib/apk/db/installed" in names
        assert all(m.mtime == 0 and m.uid == 0 for m in members)

    with pytest.raises(ValueError):  # a path cannot be both a file and a directory
        images.tar_layer({"etc": b"x", "etc/passwd": b"root"})
    with pytest.raises(ValueError):  # history must cover each layer
        images.build_oci_layout(tmp_path / "c", layers, history=["only one"])


# --------------------------------------------------------------------------
# the real trivy binary
# --------------------------------------------------------------------------


def test_trivy_fs_reports_exactly_the_planted_advisories(trivy_bin: str, trivy_cache: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "requirements.txt").write_text("requests==2.19.0\nJinja2==2.10\n")
    (project / "package.json").write_text(
        json.dumps({"name": "app", "version": "1.0.0", "dependencies": {"lodash": "4.17.20"}})
    )
    (project / "package-lock.json").write_text(
        json.dumps(
            {
                "name": "app",
                "version": "1.0.0",
                "lockfileVersion": 3,
                "requires": True,
                "packages": {
                    "": {
                        "name": "app",
                        "version": "1.0.0",
                        "dependencies": {"lodash": "4.17.20"},
                    },
                    "node_modules/lodash": {
                        "version": "4.17.20",
                        "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz",
                        "license": "MIT",
                    },
                },
            }
        )
    )
    report = run_trivy(
        trivy_bin,
        trivy_cache,
        tmp_path / "home",
        "fs",
        "--scanners",
        "vuln",
        str(project),
    )

    assert reported(report) == {
        expected(REQUESTS, "pip", "requests", "2.19.0"),
        expected(JINJA2, "pip", "Jinja2", "2.10"),
        expected(LODASH, "npm", "lodash", "4.17.20"),
    }
    vulns = {v["VulnerabilityID"]: v for r in report["Results"] for v in r.get("Vulnerabilities") or []}
    req = vulns["CVE-2018-18074"]
    assert req["References"] == list(REQUESTS.references)
    assert req["Description"] == REQUESTS.description
    assert req["CweIDs"] == ["CWE-522"]
    assert req["CVSS"]["nvd"]["V3Score"] == 7.5
    assert req["SeveritySource"] == "ghsa"
    assert req["DataSource"]["ID"] == "ghsa"
    assert req["Status"] == "fixed"
    assert NOT_REPORTED.isdisjoint(vulns)


@pytest.mark.parametrize("kind", ["oci", "docker"])
def test_trivy_image_reports_os_and_language_advisories(
    kind: str, trivy_bin: str, trivy_cache: Path, tmp_path: Path
) -> None:
    image = build_image(kind, tmp_path, image_layers(), env=["PATH=/usr/bin:/bin"])
    report = run_trivy(
        trivy_bin,
        trivy_cache,
        tmp_path / "home",
        "image",
        "--scanners",
        "vuln",
        "--input",
        str(image),
    )

    assert report["Metadata"]["OS"]["Family"] == "alpine"
    assert report["Metadata"]["OS"]["Name"] == "3.19.1"
    assert reported(report) == IMAGE_EXPECTED  # nothing from NOT_REPORTED either
    packages = {(p["Name"], p["Version"]) for r in report["Results"] for p in r.get("Packages") or []}
    assert {
        ("busybox", "1.36.1-r15"),
        ("musl", "1.2.4_git20230717-r4"),
        ("requests", "2.19.0"),
    } <= packages


def test_trivy_image_debian_fixed_and_unfixed(trivy_bin: str, trivy_cache: Path, tmp_path: Path) -> None:
    layers = [
        images.debian_root(
            "12.5",
            [
                ("libssl3", "3.0.11-1~deb12u2", "openssl"),
                ("zlib1g", "1:1.2.13.dfsg-1", "zlib (1.2.13.dfsg-1)"),
            ],
        )
    ]
    image = images.build_oci_layout(tmp_path / "oci", layers)
    report = run_trivy(
        trivy_bin,
        trivy_cache,
        tmp_path / "home",
        "image",
        "--scanners",
        "vuln",
        "--input",
        str(image),
    )
    assert report["Metadata"]["OS"] == {"Family": "debian", "Name": "12.5"}
    assert reported(report) == {
        expected(OPENSSL_DEB, "debian", "libssl3", "3.0.11-1~deb12u2"),
        expected(ZLIB_DEB_UNFIXED, "debian", "zlib1g", "1:1.2.13.dfsg-1"),
    }
    status = {v["VulnerabilityID"]: v["Status"] for r in report["Results"] for v in r["Vulnerabilities"]}
    assert status == {"CVE-2023-5678": "fixed", "CVE-2023-45853": "affected"}


def test_trivy_image_not_vulnerable_versions_are_not_reported(
    trivy_bin: str, trivy_cache: Path, tmp_path: Path
) -> None:
    layers = [
        images.alpine_root("3.19.1", [("busybox", "1.36.1-r16"), ("musl", "1.2.4_git20230717-r4")]),
        images.python_dist_info("requests", "2.20.0"),
        images.node_package("lodash", "4.17.21"),
    ]
    image = images.build_docker_save_tar(tmp_path / "image.tar", layers)
    report = run_trivy(
        trivy_bin,
        trivy_cache,
        tmp_path / "home",
        "image",
        "--scanners",
        "vuln",
        "--input",
        str(image),
    )
    assert reported(report) == set()
    packages = {p["Name"] for r in report["Results"] for p in r.get("Packages") or []}
    assert {"busybox", "requests", "lodash"} <= packages  # scanned, just not vulnerable


@pytest.mark.parametrize("kind", ["oci", "docker"])
def test_trivy_image_metadata_exposes_config_env_and_history(
    kind: str, trivy_bin: str, trivy_cache: Path, tmp_path: Path
) -> None:
    """Documents what secscan must redact: trivy copies the image config verbatim."""
    env = ["PATH=/usr/bin:/bin", f"API_TOKEN={TOKEN}"]
    history: list[dict[str, Any]] = [
        {"created_by": "COPY rootfs / # buildkit"},
        {"created_by": "RUN pip install requests==2.19.0 # buildkit"},
        {"created_by": "COPY node_modules /usr/src/app/node_modules # buildkit"},
        {"created_by": f"ENV API_TOKEN={TOKEN}", "empty_layer": True},
        {"created_by": f"/bin/sh -c #(nop)  LABEL secret={TOKEN}", "empty_layer": True},
    ]
    image = build_image(
        kind,
        tmp_path,
        image_layers(),
        env=env,
        history=history,
        labels={"secret": TOKEN},
        cmd=["python3"],
    )
    report = run_trivy(
        trivy_bin,
        trivy_cache,
        tmp_path / "home",
        "image",
        "--scanners",
        "vuln",
        "--input",
        str(image),
    )

    cfg = report["Metadata"]["ImageConfig"]
    assert cfg["config"]["Env"] == env
    assert cfg["config"]["Labels"] == {"secret": TOKEN}
    assert cfg["config"]["Cmd"] == ["python3"]
    assert [h["created_by"] for h in cfg["history"]] == [h["created_by"] for h in history]
    assert [h.get("empty_layer", False) for h in cfg["history"]] == [
        False,
        False,
        False,
        True,
        True,
    ]
    assert len(report["Metadata"]["Layers"]) == 3
    # Nowhere else in the report does the token appear.
    without_config = dict(
        report,
        Metadata={k: v for k, v in report["Metadata"].items() if k != "ImageConfig"},
    )
    assert TOKEN not in json.dumps(without_config)
    assert json.dumps(report).count(TOKEN) == 4  # Env, Labels, 2 history entries
