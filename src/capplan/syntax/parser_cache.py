"""The Lark parser's tables kept between runs, in the user's cache folder.

A file is named by a digest of everything the tables depend on (the grammar text,
the Lark options, Lark's and Python's versions), so a changed grammar or an upgraded
Lark never loads stale tables: it builds and saves new ones. The file is a pickle
(Lark's own `save` format), so it is only loaded from a folder and a file the user
owns that nobody else can write; anything unreadable, foreign or corrupt is ignored
and the tables are built as if there were no cache. Writing is atomic (a temporary
file renamed into place) and any failure to write is ignored: a read-only home costs
start-up time, never a run. `CAPPLAN_CACHE_DIR` moves the folder; set to an empty
string it turns the cache off (docs/security.md).
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

import lark
from lark import Lark

_ENV = "CAPPLAN_CACHE_DIR"


def cache_dir() -> Path | None:
    """`$CAPPLAN_CACHE_DIR`, else `$XDG_CACHE_HOME/capplan`, else `~/.cache/capplan`."""
    chosen = os.environ.get(_ENV)
    if chosen is not None:
        return Path(chosen) if chosen else None
    base = os.environ.get("XDG_CACHE_HOME")
    try:
        root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    except RuntimeError:  # no home directory can be determined
        return None
    return root / "capplan"


def tables_path(grammar: str, options: dict[str, Any]) -> Path | None:
    """Where the tables of this grammar, these options and this Lark are kept (None: no cache)."""
    folder = cache_dir()
    if folder is None:
        return None
    key = repr((grammar, sorted(options.items()), lark.__version__, sys.version_info[:2]))
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return folder / f"lark-{digest}.pickle"


def _private(path: Path) -> bool:
    """Owned by this user and writable by nobody else (on systems that have owners)."""
    if not hasattr(os, "getuid"):
        return True
    info = path.stat()
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def load(path: Path) -> Lark | None:
    """The saved parser, or None when there is none to trust."""
    try:
        if not (_private(path.parent) and _private(path)):
            return None
        with path.open("rb") as handle:
            loaded = Lark.load(handle)
    except Exception:  # missing, unreadable or corrupt: build instead
        return None
    return loaded if isinstance(loaded, Lark) else None


def save(parser: Lark, path: Path) -> None:
    """Write the tables atomically; a folder that cannot be written is no error."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, staged = tempfile.mkstemp(dir=path.parent, prefix=".lark-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                parser.save(out)
            os.replace(staged, path)
        except BaseException:
            os.unlink(staged)
            raise
    except OSError:
        return
