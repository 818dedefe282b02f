"""capplan owns its streams: only the document on stdout, quiet on a closed pipe, 130 on Ctrl-C."""

from __future__ import annotations

import json
import signal
import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.e2e.conftest import require
from tests.e2e.harness import EXAMPLES, VIAS, Capplan, Via, command, environment, start

EXAMPLE = EXAMPLES / "nscale-2026.cap"
NETWORK_TUTORIAL = EXAMPLES / "tutorial" / "04-network.cap"


def big_model(folder: Path, lots: int = 3000) -> Path:
    """A model whose `graph` is far larger than a pipe's buffer (64 KiB) plus capplan's (8 KiB).

    Each lot is a DOT node line and four edge lines of about 50 bytes: 3,000 lots give
    some 750 KB of DOT, with no planning to wait for.
    """
    head = textwrap.dedent(
        """
        plan p { start = 2026-01-01  end = 2026-12-31 }
        supplier nvidia { supplies = gpus }
        rack_type gb300 { gpus = 72  power = 1 kW  cooling = liquid }
        site s { power = 100 MW  hall a { positions = 100000  cooling = liquid } }
        """
    )
    body = "".join(
        f"lot lot_{i} {{ supplier = nvidia  rack_type = gb300  racks = 1  to = s.a"
        "  arrive = 2026-02-01 }\n"
        for i in range(lots)
    )
    path = folder / "big.cap"
    path.write_text(head + body, encoding="utf-8")
    return path


def test_the_solver_prints_nothing(capplan: Capplan) -> None:
    # The example and tutorial 4 have flows, so HiGHS runs (its banner once reached stdout).
    for model in (EXAMPLE, NETWORK_TUTORIAL):
        run = capplan("plan", model, "--format", "json")
        assert run.returncode == 0, run
        assert run.stdout.startswith("{"), run
        assert "HiGHS" not in run.stdout + run.stderr, run
        run.json()


def test_c_level_writes_to_fd_1_never_reach_stdout(capplan: Capplan, tmp_path: Path) -> None:
    """A C library printing to fd 1 in the middle of a command lands on stderr.

    `sitecustomize` (imported at start-up) adds an audit hook that calls libc's
    printf when capplan opens the model file, i.e. inside the command.
    """
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(
        textwrap.dedent(
            """
            import ctypes, sys
            _libc = ctypes.CDLL(None)
            def _noise(event, args):
                if event == "open" and str(args[0]).endswith(".cap"):
                    _libc.printf(b"noise from C\\n")
                    _libc.fflush(None)
            sys.addaudithook(_noise)
            """
        ),
        encoding="utf-8",
    )
    run = capplan("plan", EXAMPLE, "--format", "json", env={"PYTHONPATH": str(hooks)})
    assert run.returncode == 0, run
    assert "noise from C" in run.stderr, run  # the hook ran, and its output went to stderr
    assert "noise" not in run.stdout, run
    run.json()


@pytest.mark.parametrize("via", VIAS)
def test_a_closed_pipe_ends_capplan_by_sigpipe_silently(via: Via, tmp_path: Path) -> None:
    require(via)
    process = start(
        "graph", big_model(tmp_path), via=via, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before capplan writes its first byte
    stderr = process.stderr.read()
    assert process.wait(timeout=300) == -signal.SIGPIPE
    assert stderr == b""


def test_head_of_a_pipeline_is_quiet(tmp_path: Path) -> None:
    """`capplan graph F | head -3`: three lines, no message, the shell's status 141 for capplan."""
    argv = " ".join(f"'{part}'" for part in command("module"))
    done = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {argv} graph '{big_model(tmp_path)}' | head -3"],
        capture_output=True,
        env=environment("module"),
        timeout=300,
        check=False,
    )
    assert done.stdout.decode().splitlines() == [
        "digraph capplan {",
        "  rankdir=LR;",
        "  node [shape=box];",
    ]
    assert done.stderr == b""
    assert done.returncode == 128 + signal.SIGPIPE


@pytest.mark.parametrize("via", VIAS)
def test_ctrl_c_exits_130_with_one_line(via: Via, tmp_path: Path) -> None:
    require(via)
    process = start(
        "graph", big_model(tmp_path), via=via, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None
    # The first byte arrives once the command is writing its document; it then blocks on
    # the full pipe, since nobody reads: Ctrl-C lands inside the command.
    assert process.stdout.read(1) == b"d"
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 130
    assert stderr.decode() == "capplan: interrupted\n"


def _shell(line: str) -> subprocess.CompletedProcess[bytes]:
    argv = " ".join(f"'{part}'" for part in command("module"))
    return subprocess.run(
        ["bash", "-c", line.replace("CAPPLAN", argv)],
        capture_output=True,
        env=environment("module"),
        timeout=300,
        check=False,
    )


def test_a_closed_stdout_is_a_usage_error() -> None:
    done = _shell(f"CAPPLAN validate '{NETWORK_TUTORIAL}' --format json >&-")
    assert done.returncode == 2
    assert done.stderr.decode() == "error: standard output is closed\n"


def test_a_closed_stderr_leaves_the_document_intact() -> None:
    done = _shell(f"CAPPLAN plan '{NETWORK_TUTORIAL}' --format json 2>&-")
    assert done.returncode == 0
    assert json.loads(done.stdout)["plan"]["plan"] == "network"
