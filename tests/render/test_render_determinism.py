"""Same context, same bytes: across processes, hash seeds, locales, time zones, folders."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from capplan.render import render_tree

from .render_fixtures import small_context

HERE = Path(__file__).resolve().parent

SCRIPT = """
import hashlib, os, sys
from pathlib import Path
sys.path.insert(0, {tests!r})
from render.render_fixtures import small_context
from capplan.render import render_tree
out = Path(sys.argv[1])
outcome = render_tree(small_context(), out)
assert outcome.ok, outcome.problems
digest = hashlib.sha256()
for folder, _, names in sorted(os.walk(out)):
    for name in sorted(names):
        path = Path(folder) / name
        digest.update(path.relative_to(out).as_posix().encode() + b"\\0" + path.read_bytes())
print(digest.hexdigest())
"""


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for folder, _, names in sorted(os.walk(root)):
        for name in sorted(names):
            path = Path(folder) / name
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def render_in_subprocess(out: Path, **env: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(tests=str(HERE.parent)), str(out)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return result.stdout.strip()


def test_bytes_do_not_depend_on_hash_seed_locale_or_time_zone(tmp_path: Path) -> None:
    digests = {
        render_in_subprocess(tmp_path / "a", PYTHONHASHSEED="0", LC_ALL="C", TZ="UTC"),
        render_in_subprocess(
            tmp_path / "b", PYTHONHASHSEED="4242", LC_ALL="C.UTF-8", TZ="Pacific/Auckland"
        ),
        render_in_subprocess(tmp_path / "c", PYTHONHASHSEED="random", LANG="nb_NO.UTF-8"),
    }
    assert len(digests) == 1
    render_tree(small_context(), tmp_path / "d")
    assert digests == {tree_digest(tmp_path / "d")}
