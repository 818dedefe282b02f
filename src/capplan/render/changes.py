"""What a render would change in the output folder, computed without writing anything.

Check mode reports this plan and `writer.apply_write` carries it out. The desired
files are compared with the disk and the old manifest; any path that could leave the
folder, and any file capplan did not generate that stands in the way, is refused.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from capplan.render.lock import stale_staging
from capplan.render.manifest import MANIFEST_NAME, TargetRecord, manifests, read_manifest
from capplan.render.outcome import ChangeKind, FileChange, Problem


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
    manifest, interim = manifests(old_records, records)
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
