"""Usage errors exit 2 before any work (LANGUAGE.md §5), and `-` reads the model from stdin.

"Before any work" is visible from outside: the flags are checked before the model is
read, so a model with a syntax error gets no E100; `--at` is checked against the
horizon before planning, so a model with a missed commitment gets no E400.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.e2e.harness import EXAMPLES, MODELS, command, environment, run_capplan

SYNTAX_ERROR = MODELS / "syntax-error.cap"  # any reading of it reports E100
MISSED = MODELS / "missed-commitment.cap"  # any planning of it reports E400
UNKNOWN = MODELS / "unknown-reference.cap"  # E203
FIRST_SITE = EXAMPLES / "tutorial" / "01-first-site.cap"


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--target", "nope"], "error[unknown-target]: no target 'nope'; available: kueue,"),
        (["--templates", "no/such/folder"], "error[templates-dir]: no/such/folder: templates"),
    ],
    ids=["unknown-target", "missing-templates"],
)
def test_render_flags_are_checked_before_the_model_is_read(
    flags: list[str], message: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run = run_capplan("render", SYNTAX_ERROR, "-o", out, *flags)
    assert run.returncode == 2, run
    assert run.stderr.startswith(message), run
    assert "E100" not in run.stderr, run  # the model was never read
    assert run.stdout == "", run
    assert not out.exists()


def test_render_into_a_file_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("mine\n", encoding="utf-8")
    run = run_capplan("render", SYNTAX_ERROR, "-o", target)
    assert run.returncode == 2, run
    assert run.stderr == f"error: -o {target}: is a file; render writes into a folder\n", run
    assert target.read_text(encoding="utf-8") == "mine\n"


@pytest.mark.parametrize("width", ["-5", "0", "39"])
def test_a_negative_or_tiny_width_is_a_usage_error(width: str) -> None:
    run = run_capplan("plan", SYNTAX_ERROR, "--width", width)
    assert run.returncode == 2, run
    assert "--width" in run.stderr, run
    assert "E100" not in run.stderr, run
    assert run.stdout == "", run


def test_the_narrowest_width_is_accepted() -> None:
    run = run_capplan("plan", FIRST_SITE, "--width", "40")
    assert run.returncode == 0, run
    assert run.stdout.startswith("first_site  2026-01-01 .. 2026-12-31"), run
    assert max(len(line) for line in run.stdout.splitlines()) <= 40, run


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_an_unreadable_file_among_several_is_reported_and_the_others_checked(
    fmt: str, tmp_path: Path
) -> None:
    missing = tmp_path / "missing.cap"
    run = run_capplan("validate", FIRST_SITE, missing, UNKNOWN, "--format", fmt)
    assert run.returncode == 2, run  # the worst: a usage error (2) over model errors (1)
    assert f"error: cannot read {missing}: No such file or directory\n" in run.stderr, run
    if fmt == "json":
        document = run.json()
        # Not every file was read, so the document cannot say the input is valid.
        assert document["valid"] is False, run
        assert [d["code"] for d in document["diagnostics"]] == ["E203"], run
        assert document["diagnostics"][0]["range"]["filename"] == str(UNKNOWN), run
    else:
        assert "error[E203]: unknown rack_type `gb200`" in run.stderr, run


def test_an_unreadable_file_alone_is_never_called_valid(tmp_path: Path) -> None:
    run = run_capplan("validate", tmp_path / "missing.cap", "--format", "json")
    assert run.returncode == 2, run
    document = run.json()
    assert (document["valid"], document["error_count"], document["diagnostics"]) == (False, 0, [])


def test_the_model_can_come_from_stdin() -> None:
    text = FIRST_SITE.read_text(encoding="utf-8")
    run = run_capplan("plan", "-", "--format", "json", stdin=text)
    assert run.returncode == 0, run
    plan = run.json()["plan"]
    # 32 racks x 72 GPUs = 2,304, live on 2026-03-02 + 2 weeks install = 2026-03-16.
    assert plan["plan"] == "first_site"
    assert plan["gpus_planned"] == 32 * 72
    run = run_capplan("validate", "-", "--format", "json", stdin=UNKNOWN.read_bytes())
    assert run.returncode == 1, run
    (diagnostic,) = run.json()["diagnostics"]
    assert (diagnostic["code"], diagnostic["range"]["filename"]) == ("E203", "<stdin>")


def test_imports_from_stdin_are_found_from_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / "catalogue.cap").write_text(
        "rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }\n", encoding="utf-8"
    )
    model = MISSED.read_text(encoding="utf-8").replace(
        "rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }", 'import "catalogue.cap"'
    )
    run = run_capplan("plan", "-", "--format", "json", stdin=model, cwd=tmp_path)
    assert run.returncode == 1, run  # the E400 of the model: 720 of 1,000 GPUs
    assert [d["code"] for d in run.json()["diagnostics"]["diagnostics"]] == ["E400"], run


def test_stdin_twice_or_closed_is_a_usage_error() -> None:
    run = run_capplan("validate", "-", "-", stdin="")
    assert run.returncode == 2, run
    assert run.stderr == "error: `-` (standard input) can be given once\n", run
    argv = " ".join(f"'{part}'" for part in command("module"))
    closed = subprocess.run(
        ["bash", "-c", f"{argv} plan - <&-"],
        capture_output=True,
        env=environment("module"),
        timeout=300,
        check=False,
    )
    assert closed.returncode == 2
    assert closed.stderr.decode() == "error: cannot read standard input: it is closed\n"


@pytest.mark.parametrize("command_line", [["plan"], ["render", "-o", "OUT"]])
def test_at_outside_the_horizon_is_a_usage_error_before_planning(
    command_line: list[str], tmp_path: Path
) -> None:
    args = [str(tmp_path / "out") if part == "OUT" else part for part in command_line]
    for day in ("2025-12-31", "2027-01-01"):  # the horizon is 2026-01-01 .. 2026-12-31
        run = run_capplan(args[0], MISSED, *args[1:], "--at", day)
        assert run.returncode == 2, run
        assert run.stderr == (
            f"error: --at {day} is outside the plan horizon 2026-01-01 .. 2026-12-31\n"
        ), run  # and no E400: nothing was planned
        assert run.stdout == "", run
    assert not (tmp_path / "out").exists()


def test_at_on_the_last_day_of_the_horizon_is_planned() -> None:
    run = run_capplan("plan", MISSED, "--at", "2026-12-31", "--format", "json")
    assert run.returncode == 1, run  # planned: the E400 is found
    assert run.json()["plan"]["at"]["day"] == "2026-12-31", run
