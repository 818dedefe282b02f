"""`capplan fmt` and `capplan explain` as real processes (streams and exit codes as a user sees)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def capplan(
    *args: str, stdin: str | None = None, cwd: Path = REPO
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if (REPO / "src").is_dir():  # a checkout: the source tree, as an installed wheel would be
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(REPO / "src"), env.get("PYTHONPATH")])
        )
    return subprocess.run(
        [sys.executable, "-m", "capplan", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


def test_explain_a_code_and_the_list() -> None:
    run = capplan("explain", "E203")
    assert run.returncode == 0, run
    assert run.stdout.startswith("### E203 — unknown reference\n")
    assert "**Fix.**" in run.stdout
    assert run.stderr == ""
    listed = capplan("explain")
    assert listed.returncode == 0, listed
    assert "E203  error    unknown reference\n" in listed.stdout


def test_explain_unknown_code() -> None:
    run = capplan("explain", "E999")
    assert (run.returncode, run.stdout) == (2, "")
    assert "unknown diagnostic code `E999`" in run.stderr


def test_fmt_check_diff_then_write(tmp_path: Path) -> None:
    plan = tmp_path / "plans" / "fleet.cap"
    plan.parent.mkdir()
    plan.write_text("pop oslo {country=NO}  # the IX\n", encoding="utf-8")
    check = capplan("fmt", "--check", "--diff", str(tmp_path))
    assert check.returncode == 1, check
    assert "+pop oslo { country = NO }  # the IX\n" in check.stdout
    assert plan.read_text() == "pop oslo {country=NO}  # the IX\n"
    write = capplan("fmt", cwd=tmp_path)  # no argument: every .cap file below the cwd
    assert write.returncode == 0, write
    assert write.stdout == "plans/fleet.cap\n"
    assert plan.read_text() == "pop oslo { country = NO }  # the IX\n"
    again = capplan("fmt", "--check", str(tmp_path))
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")


def test_fmt_stdin_and_a_syntax_error() -> None:
    run = capplan("fmt", "-", stdin="site s {power=1 MW}\n")
    assert (run.returncode, run.stdout) == (0, "site s { power = 1 MW }\n")
    bad = capplan("fmt", "-", stdin="site s { power = = 1 MW }\n")
    assert bad.returncode == 1
    assert bad.stdout == ""
    assert "error[E100]" in bad.stderr
