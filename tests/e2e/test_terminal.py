"""The text plan in a terminal: its width, whole names and dates, colour only on a TTY.

Real processes (tests/e2e/harness.py); the terminal is a pseudo-terminal whose size
is set with TIOCSWINSZ, so the width capplan reads is the one a user's terminal has.
"""

from __future__ import annotations

import errno
import fcntl
import os
import pty
import struct
import subprocess
import termios
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion

from tests.e2e.harness import MODELS, run_capplan, start

EXAMPLE = "examples/nscale-2026.cap"
MISSED = MODELS / "missed-commitment.cap"  # E400: SHORT 280 in the commitments table
ESC = "\x1b"


def in_terminal(*args: str, columns: int, env: dict[str, str] | None = None) -> str:
    """Run capplan with stdout and stderr on a pseudo-terminal `columns` wide; all it wrote."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {"COLUMNS": "", "NO_COLOR": "", "TERM": "xterm", **(env or {})}
    process = start(*args, env=env, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError as exc:  # EIO: the child closed its end
            if exc.errno != errno.EIO:
                raise
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    process.wait(timeout=300)
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def plan_json() -> Any:
    run = run_capplan("plan", EXAMPLE, "--format", "json")
    assert run.returncode == 0, run
    return run.json()["plan"]


def names_and_dates(plan: Any) -> set[str]:
    """Every name and date the text plan shows in a cell."""
    words = {plan["start"], plan["end"]}
    for site in plan["sites"]:
        words.add(site["name"])
        words |= {row["day"] for row in site["timeline"]}
        words |= {hall["hall"] for hall in site["hall_use"]}
    for lot in plan["lots"]:
        words.add(lot["name"])
        words |= {day for day, _ in lot["arrivals"]}
        words |= {day for day in (lot["first_live"], lot["last_live"]) if day}
    for row in plan["commitments"]:
        words |= {row["commitment"], row["day"], *row["sites"]}
    for link in plan["network"]["links"]:
        words |= {link["link"], link["a"], link["b"], link["peak_day"]}
    return words


@pytest.mark.parametrize("columns", [80, 200])
def test_text_plan_at_a_width(columns: int, snapshot: SnapshotAssertion) -> None:
    run = run_capplan("plan", EXAMPLE, env={"COLUMNS": str(columns)})
    assert run.returncode == 0, run
    lines = run.stdout.splitlines()
    assert max(len(line) for line in lines) <= columns
    assert "…" not in run.stdout  # nothing is cut
    tokens = set(run.stdout.replace("│", " ").replace("┃", " ").split())
    missing = {word for word in names_and_dates(plan_json()) if word not in tokens}
    assert not missing, f"names or dates cut or wrapped at {columns} columns: {missing}"
    assert ESC not in run.stdout + run.stderr  # a pipe: no colour
    assert run.stdout == snapshot


def test_width_option_overrides_columns() -> None:
    run = run_capplan("plan", EXAMPLE, "--width", "100", env={"COLUMNS": "200"})
    assert run.returncode == 0, run
    widest = max(len(line) for line in run.stdout.splitlines())
    assert 80 < widest <= 100, run


def test_a_terminal_gets_its_width_and_colour() -> None:
    out = in_terminal("plan", str(MISSED), columns=90)
    assert f"{ESC}[" in out
    # SHORT is bad news: red on a terminal; so is the error's header on stderr
    assert f"{ESC}[1;31mSHORT 280" in out
    assert f"{ESC}[1;31merror[E400]{ESC}[0m" in out
    plain = [line for line in out.splitlines() if ESC not in line]
    assert max(len(line) for line in plain) <= 90


@pytest.mark.parametrize("variable", ["NO_COLOR", "TERM"])
def test_no_color_and_a_dumb_terminal_give_no_escape_codes(variable: str) -> None:
    value = "dumb" if variable == "TERM" else "1"
    out = in_terminal("plan", str(MISSED), columns=90, env={variable: value})
    assert "SHORT 280" in out and "error[E400]" in out
    assert ESC not in out


def test_a_pipe_gives_no_escape_codes() -> None:
    run = run_capplan("plan", MISSED)
    assert run.returncode == 1
    assert "SHORT 280" in run.stdout and "error[E400]" in run.stderr
    assert ESC not in run.stdout + run.stderr
