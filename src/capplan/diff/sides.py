"""The two sides of a diff: a file path, or `REV:PATH` read from git through git itself.

`REV:PATH` reads the root file and every file it imports as they are at that
revision (`git cat-file blob REV:path`), so a diff against the merge base needs
no checkout. PATH is relative to the current directory, like a plain path.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from capplan.load import DISK, FileReader


class SideError(Exception):
    """A side that cannot be read at all: a usage error (exit 2)."""


@dataclass(frozen=True)
class Side:
    """Where one side of the comparison comes from."""

    label: str  # as the user wrote it
    path: Path  # the root file (absolute for a git side)
    reader: FileReader
    revision: str | None = None


class GitReader:
    """Files at one git revision, addressed by their path in the working tree."""

    def __init__(self, toplevel: Path, revision: str) -> None:
        self.toplevel = toplevel
        self.revision = revision

    def _relative(self, path: Path) -> str:
        try:
            return Path(os.path.normpath(path)).relative_to(self.toplevel).as_posix()
        except ValueError:
            raise OSError(2, "outside the git repository") from None

    def read(self, path: Path) -> bytes:
        spec = f"{self.revision}:{self._relative(path)}"
        done = _git(self.toplevel, "cat-file", "blob", spec)
        if done.returncode != 0:
            raise FileNotFoundError(2, f"not in revision {self.revision}")
        return done.stdout

    def resolve(self, path: Path) -> Path:
        """A revision's files are addressed by their normalised path (no link to follow)."""
        return Path(os.path.normpath(path))

    def cap_files(self, folder: Path) -> list[str]:
        try:
            relative = self._relative(folder)
        except OSError:
            return []
        prefix = "" if relative == "." else relative + "/"
        done = _git(self.toplevel, "ls-tree", "--name-only", self.revision, prefix)
        if done.returncode != 0:
            return []
        names = done.stdout.decode("utf-8", "replace").splitlines()
        return sorted(Path(n).name for n in names if n.endswith(".cap"))


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, check=False, stdin=subprocess.DEVNULL
        )
    except OSError as exc:  # git not installed
        raise SideError(f"cannot run git: {exc.strerror}") from exc


def split_revision(argument: str) -> tuple[str, str] | None:
    """(REV, PATH) when `argument` is `REV:PATH` and not an existing file's name."""
    if Path(argument).exists() or ":" not in argument:
        return None
    revision, _, path = argument.partition(":")
    if not revision or not path:
        return None
    return revision, path


def open_side(argument: str, cwd: Path | None = None) -> Side:
    """A side from a command-line argument; raises SideError for a usage error."""
    here = (cwd or Path.cwd()).resolve()
    split = split_revision(argument)
    if split is None:
        return Side(argument, Path(argument), DISK)
    revision, path = split
    top = _git(here, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise SideError(f"{argument}: not inside a git repository (needed for REV:PATH)")
    toplevel = Path(top.stdout.decode().strip()).resolve()
    verified = _git(toplevel, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    if verified.returncode != 0:
        raise SideError(f"{argument}: unknown revision `{revision}`")
    commit = verified.stdout.decode().strip()
    target = Path(os.path.normpath(here / path))
    reader = GitReader(toplevel, commit)
    try:
        reader.read(target)
    except OSError:
        raise SideError(f"{argument}: `{path}` does not exist in revision `{revision}`") from None
    return Side(argument, target, reader, revision)
