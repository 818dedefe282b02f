"""Writing a generated tree into a GitOps repository without ever leaving it half-done.

Guarantees (tested in `tests/render/test_render_writer.py`):

- Everything is rendered in memory before the output directory is touched.
- Files are staged in a temporary directory *beside* the output (same filesystem, so
  renames are atomic), each fsynced; only then are they moved into place. Any failure
  before that leaves the previous tree byte-for-byte intact; a failure while moving
  files in is rolled back from hard-link backups of the replaced files.
- `.capplan-manifest.json` records, per target, the files capplan generated and their
  provenance (capplan version, input hash, plan, date, template digest; no
  timestamps). Files a target generated before and no longer generates are removed.
  Files capplan did not generate are never modified or removed; if one stands where
  capplan wants to write, the render stops with a `foreign-file` problem.
- Unchanged files are not rewritten (their mtime stays), so a no-op render is a no-op.
- No path can leave the output directory: generated paths and paths read back from
  the manifest are checked, and a symlinked folder inside the tree is refused.
- Check mode computes the same plan and writes nothing.

This module carries a plan out (staging, the journal of moves, rollback); the plan
is computed in `changes.py`, the manifest is `manifest.py`, the lock `lock.py`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from capplan.render.changes import WritePlan
from capplan.render.lock import KEPT_MARKER, STAGING_PREFIX
from capplan.render.manifest import MANIFEST_NAME
from capplan.render.outcome import Problem


def _move(source: Path, dest: Path) -> None:
    """Atomic rename within one filesystem (the one place files move into the tree)."""
    os.replace(source, dest)


@dataclass
class _Journal:
    """Every move made into the output tree, so a failure can undo them in reverse."""

    root: Path
    backups: Path
    entries: list[tuple[str, str, Path | None]] = field(default_factory=list)
    created_dirs: list[Path] = field(default_factory=list)

    def _backup(self, dest: Path) -> Path:
        backup = self.backups / f"{len(self.entries):06d}"
        try:
            os.link(dest, backup, follow_symlinks=False)
        except (OSError, NotImplementedError):
            shutil.copy2(dest, backup, follow_symlinks=False)
        return backup

    def ensure_parents(self, rel: str) -> None:
        folder = self.root
        for part in PurePosixPath(rel).parts[:-1]:
            folder = folder / part
            if not folder.exists():
                folder.mkdir()
                self.created_dirs.append(folder)

    def replace(self, rel: str, staged: Path) -> None:
        dest = self.root / rel
        self.ensure_parents(rel)
        backup = self._backup(dest) if os.path.lexists(dest) else None
        _move(staged, dest)
        self.entries.append(("replaced", rel, backup))

    def remove(self, rel: str) -> None:
        backup = self.backups / f"{len(self.entries):06d}"
        _move(self.root / rel, backup)
        self.entries.append(("removed", rel, backup))

    def rollback(self) -> None:
        """Undo in reverse order: restore backups, drop new files and folders."""
        for kind, rel, backup in reversed(self.entries):
            dest = self.root / rel
            if backup is not None:
                _move(backup, dest)
            elif kind == "replaced":
                os.unlink(dest)
        for folder in reversed(self.created_dirs):
            with contextlib.suppress(OSError):
                folder.rmdir()


def apply_write(plan: WritePlan) -> list[Problem]:
    """Stage, fsync and move the planned files into place; roll back on failure.

    Call it under `output_lock(root, write=True)`: it first removes the staging folders
    of renders killed before (kill -9 cannot clean up after itself).
    """
    for leftover in plan.stale_staging:
        shutil.rmtree(leftover, ignore_errors=True)
    if not plan.changes or all(change.path.startswith(STAGING_PREFIX) for change in plan.changes):
        return []
    try:
        plan.root.parent.mkdir(parents=True, exist_ok=True)
        staging = _make_staging(plan.root)
    except OSError as error:
        return [Problem("write-failed", f"cannot create a staging folder: {error}")]
    keep_staging = False
    try:
        problems, keep_staging = _stage_and_swap(plan, staging)
    finally:
        if not keep_staging:
            shutil.rmtree(staging, ignore_errors=True)
    if not problems:
        _prune_empty_folders(plan.root, plan.removals)
    return problems


def _stage_and_swap(plan: WritePlan, staging: Path) -> tuple[list[Problem], bool]:
    """Problems, and whether the staging folder holds backups that must be kept."""
    new, old = staging / "new", staging / "old"
    try:
        _stage(new, plan)
        old.mkdir()
    except OSError as error:
        return [Problem("write-failed", f"{error}; the output folder was not touched")], False
    journal = _Journal(plan.root, old)
    try:
        _swap(plan, new, journal)
    except BaseException as error:  # also on KeyboardInterrupt: undo, then re-raise
        return _roll_back(journal, error)
    return [], False


def _roll_back(journal: _Journal, error: BaseException) -> tuple[list[Problem], bool]:
    """Undo the moves made before `error`; report, or re-raise what is not an OSError."""
    try:
        journal.rollback()
    except OSError as rollback_error:
        message = (
            f"{error}; rolling back also failed ({rollback_error}): the replaced files are "
            f"kept in {journal.backups}"
        )
        with contextlib.suppress(OSError):
            (journal.backups.parent / KEPT_MARKER).write_text(message + "\n", encoding="utf-8")
        return [Problem("write-failed", message)], True
    if not isinstance(error, OSError):
        raise error
    return [Problem("write-failed", f"{error}; the previous tree was restored")], False


def _make_staging(root: Path) -> Path:
    """A temporary folder on the same filesystem as `root`, beside it if possible."""
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}{STAGING_PREFIX}", dir=root.parent))
    if root.exists() and os.stat(staging).st_dev != os.stat(root).st_dev:
        # `root` is a mount point: a rename from its parent would not be atomic.
        shutil.rmtree(staging)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=root))
    return staging


def _stage(new: Path, plan: WritePlan) -> None:
    """Write every file to be moved into place, fsynced, with the mode it will keep."""
    for rel, data in plan.writes.items():
        _write_synced(new / rel, data, _mode_of(plan.root / rel))
    _write_synced(new / MANIFEST_NAME, plan.manifest, _mode_of(plan.root / MANIFEST_NAME))
    _write_synced(new / "interim-manifest", plan.interim_manifest, None)


def _mode_of(path: Path) -> int | None:
    """Permission bits of an existing regular file (kept when it is replaced).

    Never through a symlink: an owned file replaced by a symlink is replaced by a
    regular file with the default mode, not the link's 0777 or its target's mode.
    """
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return stat.S_IMODE(info.st_mode) if stat.S_ISREG(info.st_mode) else None


def _write_synced(path: Path, data: bytes, mode: int | None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
        if mode is not None:
            os.fchmod(descriptor, mode)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _swap(plan: WritePlan, new: Path, journal: _Journal) -> None:
    """Move staged files into the tree: interim manifest, files, removals, manifest."""
    if not plan.root.exists():
        plan.root.mkdir()
        journal.created_dirs.append(plan.root)
    journal.replace(MANIFEST_NAME, new / "interim-manifest")
    for rel in plan.writes:
        journal.replace(rel, new / rel)
    for rel in plan.removals:
        journal.remove(rel)
    journal.replace(MANIFEST_NAME, new / MANIFEST_NAME)
    touched = {plan.root} | {(plan.root / rel).parent for rel in [*plan.writes, *plan.removals]}
    _fsync_folders(touched)


def _fsync_folders(folders: Iterable[Path]) -> None:
    """Make the renames durable (best effort: not every platform can fsync a folder)."""
    for folder in sorted(folders):
        try:
            descriptor = os.open(folder, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.fsync(descriptor)
        except OSError:
            pass
        finally:
            os.close(descriptor)


def _prune_empty_folders(root: Path, removed: Iterable[str]) -> None:
    """Remove folders emptied by removing stale files (never `root` itself)."""
    for rel in removed:
        folder = (root / rel).parent
        while folder != root and root in folder.parents:
            try:
                folder.rmdir()
            except OSError:
                break
            folder = folder.parent
