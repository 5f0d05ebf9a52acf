"""--since building blocks on their own: the diff parser, the CI base, ref checks, rule selection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from secscan.errors import ConfigError
from secscan.scanners.diffscope import auto_base, check_ref, parse_added_lines, rule_files_for
from secscan.scanners.semgrep import RULES_DIR

DIFF = """\
diff --git a/app.py b/app.py
index 1111111..2222222 100644
--- a/app.py
+++ b/app.py
@@ -3,0 +4,2 @@ def f():
+    x = 1
+    y = 2
@@ -10 +12 @@ def g():
-    old
+    new
diff --git a/old.py b/old.py
deleted file mode 100644
--- a/old.py
+++ /dev/null
@@ -1,2 +0,0 @@
-a
-b
diff --git a/new.py b/new.py
new file mode 100644
--- /dev/null
+++ b/new.py
@@ -0,0 +1,3 @@
+a
+b
+c
diff --git "a/we\\303\\251ird\\tname.py" "b/we\\303\\251ird\\tname.py"
--- "a/we\\303\\251ird\\tname.py"
+++ "b/we\\303\\251ird\\tname.py"
@@ -1 +1 @@
-x
+y
diff --git a/logo.png b/logo.png
Binary files a/logo.png and b/logo.png differ
"""


def test_added_lines_from_git_diff() -> None:
    added, deleted = parse_added_lines(DIFF)
    assert added["app.py"] == frozenset({4, 5, 12})
    assert added["new.py"] is None  # a new file: every line is new
    assert added["weéird\tname.py"] == frozenset({1})
    assert added["logo.png"] is None
    assert deleted == {"old.py"}


def test_auto_base_from_each_ci(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"base": {"sha": "a" * 40}}}))
    assert auto_base({"GITHUB_EVENT_PATH": str(event), "GITHUB_BASE_REF": "main"}) == "a" * 40
    assert auto_base({"GITHUB_BASE_REF": "main"}) == "origin/main"
    assert auto_base({"CI_MERGE_REQUEST_DIFF_BASE_SHA": "b" * 40}) == "b" * 40
    assert auto_base({"CHANGE_TARGET": "develop"}) == "origin/develop"
    push = tmp_path / "push.json"
    push.write_text(json.dumps({"ref": "refs/heads/main"}))
    assert auto_base({"GITHUB_EVENT_PATH": str(push)}) is None
    assert auto_base({}) is None


@pytest.mark.parametrize("ref", ["-x", "--upload-pack=evil", "a..b", "a b", "a\nb", "", "x" * 300])
def test_refs_that_are_not_names_are_refused(ref: str) -> None:
    with pytest.raises(ConfigError):
        check_ref(ref)


@pytest.mark.parametrize("ref", ["main", "origin/main", "v1.2.3", "a" * 40, "HEAD~3", "release/2026-12"])
def test_names_pass(ref: str) -> None:
    assert check_ref(ref) == ref


def test_rules_follow_the_changed_files_languages() -> None:
    python = rule_files_for(("a.py",), RULES_DIR)
    assert python and all("/python/" in path for path in python)
    both = rule_files_for(("a.py", "web/b.ts"), RULES_DIR)
    assert both is not None and set(python) < set(both) and any("/javascript/" in p for p in both)
    assert rule_files_for(("docs/readme.md",), RULES_DIR) == []  # no bundled rule can match it
    assert rule_files_for(("bin/tool",), RULES_DIR) is None  # no extension: a shebang may say python


def test_the_cache_folder_comes_from_the_operator_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """scan.cache_dir from a config inside the scanned tree is ignored; SECSCAN_CACHE_DIR wins over all."""
    from secscan.config import load_config
    from secscan.pipeline import cache_root

    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "secscan.toml").write_text(f'[scan]\ncache_dir = "{tmp_path / "planted-by-the-repo"}"\n')
    operator = tmp_path / "operator.toml"
    operator.write_text(f'[scan]\ncache_dir = "{tmp_path / "operator-cache"}"\n')
    monkeypatch.delenv("SECSCAN_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root(load_config(None, repo), repo) == tmp_path / "xdg" / "secscan"
    assert cache_root(load_config(operator, repo), repo) == tmp_path / "operator-cache"
    monkeypatch.setenv("SECSCAN_CACHE_DIR", str(tmp_path / "env-cache"))
    assert cache_root(load_config(operator, repo), repo) == tmp_path / "env-cache"
