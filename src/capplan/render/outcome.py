"""Results of a render, returned as values: user errors never raise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ProblemCode = Literal[
    "unknown-target",
    "templates-dir",
    "template-error",
    "template-path",
    "bad-output",
    "output-conflict",
    "unsafe-path",
    "foreign-file",
    "manifest-invalid",
    "write-failed",
    "locked",
]
"""Stable problem codes, so that a CLI or CI can react to a kind of failure."""

ChangeKind = Literal["added", "changed", "removed"]


@dataclass(frozen=True)
class Problem:
    """Something that stopped the render; nothing was written when there is one."""

    code: ProblemCode
    message: str
    path: str | None = None
    """Output path or template name the problem is about, if any."""
    line: int | None = None
    """Line in the template, for template errors when known."""

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "
        return f"error[{self.code}]: {where}{self.message}"


@dataclass(frozen=True, order=True)
class FileChange:
    """A file that a render added, changed or removed (or would, in check mode)."""

    path: str
    kind: ChangeKind

    def __str__(self) -> str:
        return f"{self.kind}: {self.path}"


@dataclass(frozen=True)
class RenderOutcome:
    """What `render_tree` did.

    In check mode `changes` lists what a render *would* change and nothing is written;
    a CI job fails (exit 1) if `changes` or `problems` is non-empty. In write mode
    `changes` lists what was changed. `files` lists every file the selected targets
    generate (paths relative to the output directory, `/`-separated, sorted).
    """

    check: bool
    problems: tuple[Problem, ...] = ()
    changes: tuple[FileChange, ...] = ()
    files: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """No problem: the tree was written (or, in check mode, could be)."""
        return not self.problems

    @property
    def up_to_date(self) -> bool:
        """No problem and nothing to change: what `--check` wants."""
        return not self.problems and not self.changes
