"""Run capplan the way a user does: a real process with real file descriptors.

In-process tests (CliRunner) swap Python's `sys.stdout` but not file descriptor 1,
so a C library writing there is invisible to them. Every test here starts
`python -m capplan` or the installed `capplan` console script instead.

    from tests.e2e.harness import run_capplan
    run = run_capplan("plan", path, "--format", "json")   # via="module" (default) or "script"
    assert run.returncode == 0, run
    document = run.json()

or take the `capplan` fixture (tests/e2e/conftest.py), which runs each test once per
way of starting capplan: `def test_x(capplan): run = capplan("validate", path)`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import capplan

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
MODELS = Path(__file__).resolve().parent / "models"
"""Small error models for the e2e tests, each with its expected outcome in a comment."""

Via = Literal["module", "script"]
VIAS: tuple[Via, ...] = ("module", "script")

_SOURCE_ROOT = str(Path(capplan.__file__).resolve().parents[1])
"""Where the capplan under test was imported from: `src/` of a worktree, or site-packages."""


@dataclass(frozen=True, repr=False)
class Run:
    """One finished capplan process."""

    args: tuple[str, ...]
    via: Via
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)

    def __repr__(self) -> str:  # what an assertion message shows
        return (
            f"capplan {' '.join(self.args)} (via {self.via}) exited {self.returncode}\n"
            f"--- stdout ---\n{self.stdout[:3000]}\n--- stderr ---\n{self.stderr[:3000]}"
        )


class Capplan(Protocol):
    """The `capplan` fixture: `run_capplan` with `via` already chosen."""

    def __call__(
        self,
        *args: str | Path,
        stdin: str | bytes | None = ...,
        cwd: Path | None = ...,
        env: dict[str, str] | None = ...,
        timeout: float = ...,
    ) -> Run: ...


def console_script() -> Path | None:
    """The `capplan` script installed beside the running interpreter, if there is one."""
    script = Path(sys.executable).parent / ("capplan.exe" if os.name == "nt" else "capplan")
    return script if script.is_file() else None


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def command(via: Via) -> list[str]:
    """argv of capplan started `via` the module or the console script."""
    if via == "module":
        return [sys.executable, "-m", "capplan"]
    script = console_script()
    if script is None:
        raise FileNotFoundError(f"no capplan console script beside {sys.executable}")
    return [str(script)]


def environment(via: Via, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The child's environment: `python -m` imports the capplan under test, whatever the cwd.

    A PYTHONPATH in `extra` comes first; the module variant appends the source root.
    """
    extra = dict(extra or {})
    env = dict(os.environ)
    paths = [extra.pop("PYTHONPATH")] if "PYTHONPATH" in extra else []
    if via == "module":
        paths.append(_SOURCE_ROOT)
    env.pop("PYTHONPATH", None)
    if paths:
        env["PYTHONPATH"] = os.pathsep.join(paths)
    env.pop("FORCE_COLOR", None)
    env["COLUMNS"] = "120"
    env.update(extra)
    return env


def start(
    *args: str | Path,
    via: Via = "module",
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    **popen: Any,
) -> subprocess.Popen[bytes]:
    """Start capplan without waiting (for tests that signal it or close its pipes)."""
    return subprocess.Popen(
        [*command(via), *map(str, args)],
        cwd=cwd or REPO,
        env=environment(via, env),
        **popen,
    )


def run_capplan(
    *args: str | Path,
    via: Via = "module",
    stdin: str | bytes | None = None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 300,
) -> Run:
    """Run capplan to the end; stdout and stderr are captured separately (UTF-8).

    The working directory is the repository root unless `cwd` says otherwise, so
    paths like `examples/nscale-2026.cap` work and diagnostics name them that way.
    stdin is empty (not the terminal) unless given.
    """
    data = stdin.encode() if isinstance(stdin, str) else stdin
    done = subprocess.run(
        [*command(via), *map(str, args)],
        input=data if data is not None else b"",
        capture_output=True,
        cwd=cwd or REPO,
        env=environment(via, env),
        timeout=timeout,
        check=False,
    )
    return Run(
        tuple(map(str, args)),
        via,
        done.returncode,
        done.stdout.decode("utf-8"),
        done.stderr.decode("utf-8"),
    )
