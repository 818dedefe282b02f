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
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from capplan.render.layout import GENERATED_KEY, GENERATED_NOTICE
from capplan.render.outcome import ChangeKind, FileChange, Problem
from capplan.render.serialise import json_text

MANIFEST_NAME = ".capplan-manifest.json"
MANIFEST_FORMAT = 1
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


@dataclass(frozen=True)
class TargetRecord:
    """What the manifest says about one target: its provenance and its files."""

    provenance: Mapping[str, Any]
    files: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {**self.provenance, "files": sorted(self.files)}


@dataclass(frozen=True)
class WritePlan:
    """The difference between the desired tree and the one on disk."""

    root: Path
    writes: Mapping[str, bytes]
    """Added or changed files (not the manifest)."""
    removals: tuple[str, ...]
    manifest: bytes
    interim_manifest: bytes
    """Manifest listing old and new files, in place while files move (crash safety)."""
    changes: tuple[FileChange, ...]
    stale_staging: tuple[Path, ...] = ()
    """Staging folders of killed renders, removed by this render."""


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


def plan_write(
    out_dir: Path, files: Mapping[str, bytes], records: Mapping[str, TargetRecord]
) -> tuple[WritePlan | None, list[Problem]]:
    """Compare the desired files of the rendered targets with the output directory."""
    root = Path(os.path.abspath(out_dir))
    if root.exists() and not root.is_dir():
        return None, [Problem("unsafe-path", "output path is not a folder", str(out_dir))]
    old_records, problems = read_manifest(root)
    owned = {rel for record in old_records.values() for rel in record.files}
    if not problems:
        problems = [p for rel in sorted(files) for p in _path_problems(root, rel)]
        problems += [p for rel in sorted(owned) for p in _path_problems(root, rel, True)]
    if problems:
        return None, problems
    writes, changes, problems = _file_changes(root, files, owned)
    if problems:
        return None, problems
    removals = _stale_files(root, files, old_records, records)
    changes += [FileChange(rel, "removed") for rel in removals]
    manifest, interim = _manifests(old_records, records)
    kind, _ = _compare(root, MANIFEST_NAME, manifest, {MANIFEST_NAME})
    if kind is not None:
        changes.append(FileChange(MANIFEST_NAME, kind))
    leftovers = stale_staging(root)
    # A leftover inside the tree (output on a mount point) makes the tree out of date.
    changes += [FileChange(path.name, "removed") for path in leftovers if path.parent == root]
    plan = WritePlan(
        root, writes, tuple(removals), manifest, interim, tuple(sorted(changes)), tuple(leftovers)
    )
    return plan, []


def _file_changes(
    root: Path, files: Mapping[str, bytes], owned: set[str]
) -> tuple[dict[str, bytes], list[FileChange], list[Problem]]:
    """The desired files that differ from disk, and any file in the way."""
    writes: dict[str, bytes] = {}
    changes: list[FileChange] = []
    problems: list[Problem] = []
    for rel in sorted(files):
        kind, problem = _compare(root, rel, files[rel], owned)
        if problem is not None:
            problems.append(problem)
        elif kind is not None:
            writes[rel] = files[rel]
            changes.append(FileChange(rel, kind))
    return writes, changes, problems


def _manifests(
    old_records: Mapping[str, TargetRecord], records: Mapping[str, TargetRecord]
) -> tuple[bytes, bytes]:
    """The final manifest, and the interim one listing old and new files of each target.

    Records of targets not rendered now are carried over unchanged.
    """
    final = {**old_records, **records}
    interim = {
        name: TargetRecord(
            record.provenance,
            tuple(sorted(set(record.files) | set(old_records.get(name, record).files))),
        )
        for name, record in final.items()
    }
    return _manifest_bytes(final), _manifest_bytes(interim)


def read_manifest(root: Path) -> tuple[dict[str, TargetRecord], list[Problem]]:
    """The per-target records of the manifest in `root` ({} if there is none yet)."""
    path = root / MANIFEST_NAME
    if not os.path.lexists(path):
        return {}, []
    try:
        if path.is_symlink():
            raise ValueError("it is a symlink")
        data = json.loads(path.read_text(encoding="utf-8"))
        return _parse_manifest(data), []
    except (OSError, UnicodeDecodeError, ValueError) as error:
        return {}, [
            Problem(
                "manifest-invalid",
                f"cannot read the manifest ({error}); capplan cannot tell its files from "
                "yours, so it writes nothing. Restore the file from git, or delete it to "
                "start over (then capplan refuses to overwrite files it finds in its way)",
                MANIFEST_NAME,
            )
        ]


def _parse_manifest(data: Any) -> dict[str, TargetRecord]:
    if not isinstance(data, dict) or data.get("format_version") != MANIFEST_FORMAT:
        raise ValueError(f"not a format {MANIFEST_FORMAT} capplan manifest")
    targets = data.get("targets")
    if not isinstance(targets, dict):
        raise ValueError("no 'targets' object")
    records: dict[str, TargetRecord] = {}
    for name, entry in targets.items():
        files = entry.get("files") if isinstance(entry, dict) else None
        if not isinstance(files, list) or not all(isinstance(rel, str) for rel in files):
            raise ValueError(f"target {name!r} has no list of files")
        strays = [rel for rel in files if not rel.startswith(f"{name}/")]
        if strays:
            raise ValueError(f"target {name!r} lists files outside its folder: {strays[0]!r}")
        provenance = {key: value for key, value in entry.items() if key != "files"}
        records[name] = TargetRecord(provenance, tuple(files))
    return records


def _manifest_bytes(records: Mapping[str, TargetRecord]) -> bytes:
    document = {
        GENERATED_KEY: f"{GENERATED_NOTICE}: the files capplan generated here, and from what",
        "format_version": MANIFEST_FORMAT,
        "targets": {name: records[name].as_json() for name in sorted(records)},
    }
    return json_text(document).encode("utf-8")


def _path_problems(root: Path, rel: str, from_manifest: bool = False) -> list[Problem]:
    """Refuse any path that could resolve outside `root` or through a symlinked folder."""
    origin = "the manifest lists" if from_manifest else "refusing to write"
    parts = rel.split("/")
    if (
        not rel
        or rel.startswith("/")
        or "\\" in rel
        or "\0" in rel
        or any(part in {"", ".", ".."} for part in parts)
        or rel == MANIFEST_NAME
    ):
        return [Problem("unsafe-path", f"{origin} a path outside the output folder", rel)]
    folder = root
    for part in parts[:-1]:
        folder = folder / part
        if folder.is_symlink():
            return [Problem("unsafe-path", f"{origin} a path through the symlink {folder}", rel)]
        if folder.exists() and not folder.is_dir():
            return [Problem("output-conflict", f"{folder} is a file, not a folder", rel)]
    parent = (root / rel).parent.resolve()
    if not parent.is_relative_to(root.resolve()):
        return [Problem("unsafe-path", f"{origin} a path outside the output folder", rel)]
    return []


def _compare(
    root: Path, rel: str, data: bytes, owned: set[str]
) -> tuple[ChangeKind | None, Problem | None]:
    """'added', 'changed' or None (identical) for one desired file, or a problem.

    A file that is not capplan's but already holds exactly the desired bytes is
    adopted (nothing is lost by that); one with other bytes is never overwritten.
    """
    dest = root / rel
    if not os.path.lexists(dest):
        return "added", None
    if dest.is_dir() and not dest.is_symlink():
        return None, Problem("output-conflict", "a folder stands where a file goes", rel)
    if rel in owned and dest.is_symlink():
        return "changed", None
    if dest.is_symlink():
        return None, _foreign(rel)
    try:
        current = dest.read_bytes()
    except OSError as error:
        return None, Problem("write-failed", f"cannot read the current file: {error}", rel)
    if current == data:
        return None, None
    return ("changed", None) if rel in owned else (None, _foreign(rel))


def _foreign(rel: str) -> Problem:
    return Problem(
        "foreign-file",
        "a file capplan did not generate is in the way; capplan never overwrites such "
        "files: move or delete it, or render into another folder",
        rel,
    )


def _stale_files(
    root: Path,
    files: Mapping[str, bytes],
    old_records: Mapping[str, TargetRecord],
    records: Mapping[str, TargetRecord],
) -> list[str]:
    """Files the rendered targets generated last time, no longer generate, and still exist."""
    stale = {
        rel
        for target in records
        for rel in old_records.get(target, TargetRecord({}, ())).files
        if rel not in files
    }
    return sorted(rel for rel in stale if _is_file_or_link(root / rel))


def _is_file_or_link(path: Path) -> bool:
    """Something to remove: a file or a symlink (never a folder someone made there)."""
    return path.is_symlink() or (path.exists() and not path.is_dir())


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
