"""The output folder's lock, and the staging folders that killed renders left behind."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from capplan.render.outcome import Problem

STAGING_PREFIX = ".capplan-staging-"
KEPT_MARKER = "KEPT-BACKUPS"
"""In a staging folder kept on purpose (its backups could not be restored): never cleaned."""


@contextlib.contextmanager
def output_lock(root: Path, write: bool) -> Iterator[Problem | None]:
    """Hold an advisory lock on the output folder for a whole render (or check).

    Two renders into one folder would both plan against the same old manifest and
    leave files neither owns. The lock is `flock` on the folder itself (no lock file
    to commit or clean up): exclusive for a render, shared for a check. A render
    creates the folder to lock it (and removes it again if it stays empty); a check of
    a folder that does not exist needs no lock. Yields a `locked` problem when another
    render holds it.
    """
    created = False
    if write and not root.exists():
        try:
            root.mkdir(parents=True)
            created = True
        except OSError:
            pass
    try:
        descriptor = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        yield None  # nothing to lock (no folder yet, or not one): the writer reports it
        return
    try:
        try:
            fcntl.flock(descriptor, (fcntl.LOCK_EX if write else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except OSError:
            yield Problem(
                "locked",
                "another capplan render is writing this folder; run again when it has ended",
                str(root),
            )
            return
        yield None
    finally:
        os.close(descriptor)
        if created:
            with contextlib.suppress(OSError):
                root.rmdir()  # only succeeds if nothing was written


def stale_staging(root: Path) -> list[Path]:
    """Staging folders a killed render left beside `root` or inside it (mount point).

    Called under the exclusive lock, so no live render owns one. Folders kept on
    purpose (backups a failed rollback could not restore) are left for the user.
    """
    found = [
        *(root.parent.glob(f".{glob_escape(root.name)}{STAGING_PREFIX}*") if root.name else []),
        *(root.glob(f"{STAGING_PREFIX}*") if root.is_dir() and not root.is_symlink() else []),
    ]
    return sorted(
        path
        for path in found
        if path.is_dir() and not path.is_symlink() and not (path / KEPT_MARKER).exists()
    )


def glob_escape(name: str) -> str:
    """`name` with glob metacharacters escaped."""
    return "".join(f"[{char}]" if char in "*?[" else char for char in name)
