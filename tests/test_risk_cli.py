"""`capplan risk` as a user runs it: degenerate ranges against `plan`, workers, Dask, usage."""

from __future__ import annotations

import logging
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import EXAMPLES, run_capplan

# Every kind of slip, each degenerate: a lot (10d), its supplier (3d) and its integrator
# (4d), a site's envelope steps after as_of (10d), a hall with and one without `ready`.
SLIPPED = """
plan p { start = 2026-01-01  end = 2026-12-31  as_of = 2026-02-01 }
supplier nv { lead_time = 8w  slip = 3d .. 3d }
supplier dell { slip = 4d .. 4d .. 4d }
rack_type r { gpus = 72  power = 100 kW  cooling = liquid  install = 1mo }
site a {
  power { 2026-01-01: 250 kW  2026-04-01: 1 MW }
  power_slip = 10d .. 10d
  hall h1 { positions = 4  cooling = liquid  ready = 2026-02-15  ready_slip = 2w .. 2w }
  hall h2 { positions = 10  cooling = liquid  ready_slip = 5d .. 5d .. 5d }
}
lot l1 { supplier = nv  via = dell  rack_type = r  racks = 6  to = a
         arrive { 2026-01-20: 2  2026-03-01: 4 }  slip = 10d .. 10d }
lot l2 { supplier = nv  rack_type = r  racks = 3  to = a.h2  order = 2026-01-05 }
commitment c { site = a  gpus { 2026-03-01: 144  2026-05-15: 648 }  price = 2.5 EUR/gpu-h }
"""
# The same model with every date moved by hand: l1 by 10 + 3 + 4 = 17 days
# (2026-01-20 -> 02-06, 03-01 -> 03-18), l2 by its supplier's 3 days (order + 8w =
# 03-02 -> 03-05), the envelope step after as_of by 10 days (04-01 -> 04-11; the
# 01-01 step is before as_of), h1 ready by 2w (02-15 -> 03-01) and h2 from the plan
# start by 5 days (01-01 -> 01-06).
SHIFTED = """
plan p { start = 2026-01-01  end = 2026-12-31  as_of = 2026-02-01 }
supplier nv { lead_time = 8w }
supplier dell {}
rack_type r { gpus = 72  power = 100 kW  cooling = liquid  install = 1mo }
site a {
  power { 2026-01-01: 250 kW  2026-04-11: 1 MW }
  hall h1 { positions = 4  cooling = liquid  ready = 2026-03-01 }
  hall h2 { positions = 10  cooling = liquid  ready = 2026-01-06 }
}
lot l1 { supplier = nv  via = dell  rack_type = r  racks = 6  to = a
         arrive { 2026-02-06: 2  2026-03-18: 4 } }
lot l2 { supplier = nv  rack_type = r  racks = 3  to = a.h2  order = 2026-01-05  arrive = 2026-03-05 }
commitment c { site = a  gpus { 2026-03-01: 144  2026-05-15: 648 }  price = 2.5 EUR/gpu-h }
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def test_degenerate_ranges_give_the_plan_of_the_hand_shifted_model(tmp_path: Path) -> None:
    risk = run_capplan(
        "risk", write(tmp_path, "slipped.cap", SLIPPED), "--samples", "7", "--format", "json"
    )
    shifted = run_capplan("plan", write(tmp_path, "shifted.cap", SHIFTED), "--format", "json")
    nominal = run_capplan("plan", tmp_path / "slipped.cap", "--format", "json")
    # risk exits on the nominal plan's diagnostics (met: 0); the shifted plan misses (E400: 1).
    assert (risk.returncode, shifted.returncode, nominal.returncode) == (0, 1, 0), risk
    report, plan = risk.json()["risk"], shifted.json()["plan"]
    rows = plan["commitments"]
    assert [(d["commitment"], d["day"], d["required"]) for d in report["commitments"]] == [
        (r["commitment"], r["day"], r["required"]) for r in rows
    ]
    for due, row in zip(report["commitments"], rows, strict=True):
        assert due["gpus_p10"] == due["gpus_p50"] == due["gpus_p90"] == row["live"], due
        assert due["probability_met"] == (1.0 if row["met"] else 0.0)
        assert due["expected_shortfall"] == row["shortfall"]
    lots = {lot["name"]: lot for lot in plan["lots"]}
    for lot in report["lots"]:
        assert lot["last_live_p50"] == lot["last_live_p90"] == lots[lot["lot"]]["last_live"]
        assert lot["probability_stranded"] == (1.0 if lots[lot["lot"]]["stranded_racks"] else 0.0)
    # The nominal columns are `plan` of the model as written (every slip 0).
    written = nominal.json()["plan"]
    assert [d["nominal_live"] for d in report["commitments"]] == [
        r["live"] for r in written["commitments"]
    ]
    assert [d["spearman"] for d in report["drivers"]] == [None] * 6  # nothing varies
    # Revenue at risk: every sample's is the shifted plan's (the cost model's figure).
    cost = plan["cost"]
    revenue = report["revenue_at_risk"]
    assert revenue["currency"] == cost["currency"] == "EUR"
    for row, planned in zip(revenue["commitments"], cost["commitments"], strict=True):
        assert row["commitment"] == planned["commitment"]
        assert row["p50"] == row["p90"] == planned["revenue_at_risk"] > 0, row
        assert row["price"] == planned["price"] == 2.5
    assert revenue["fleet"]["p50"] == revenue["fleet"]["p90"] == cost["revenue_at_risk"]
    # The nominal plan (every slip 0) meets every date: nothing at risk.
    assert revenue["fleet"]["nominal"] == written["cost"]["revenue_at_risk"] == 0.0
    # The shift matters: the hand-shifted plan misses a date the nominal plan meets.
    assert [r["met"] for r in written["commitments"]] != [r["met"] for r in rows]


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A Dask cluster in this process (threads), quiet: its address."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",  # the command runs in another process: inproc:// would not reach it
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as local:
        yield local.scheduler_address


def test_same_seed_same_bytes_on_1_2_4_workers_and_a_dask_cluster(cluster: str) -> None:
    example = EXAMPLES / "nscale-2026.cap"
    args = ("risk", example, "--samples", "120", "--seed", "11", "--format", "json")
    runs = [run_capplan(*args, "--workers", str(w)) for w in (1, 2, 4)]
    runs.append(run_capplan(*args, "--scheduler", cluster))
    assert all(run.returncode == 0 for run in runs), runs
    assert len({run.stdout for run in runs}) == 1
    assert runs[-1].stderr == ""  # nothing from Dask on the streams
    document = runs[0].json()["risk"]
    assert (document["samples"], document["seed"]) == (120, 11)
    other = run_capplan("risk", example, "--samples", "120", "--seed", "12", "--format", "json")
    assert other.stdout != runs[0].stdout


def test_text_and_markdown_show_the_same_figures() -> None:
    example = EXAMPLES / "nscale-2026.cap"
    text = run_capplan("risk", example, "--samples", "60", "--width", "200")
    markdown = run_capplan("risk", example, "--samples", "60", "--format", "markdown")
    document = run_capplan("risk", example, "--samples", "60", "--format", "json").json()
    assert text.returncode == markdown.returncode == 0
    first = document["risk"]["commitments"][0]
    cells = [first["commitment"], first["day"], f"{first['gpus_p50']:,}"]
    for output in (text.stdout, markdown.stdout):
        line = next(line for line in output.splitlines() if cells[0] in line)
        assert all(cell in line for cell in cells), line
    # Revenue at risk: each commitment's P90 in whole euros (the JSON keeps cents).
    revenue = document["risk"]["revenue_at_risk"]
    worst = max(revenue["commitments"], key=lambda row: row["p90"])
    cells = [worst["commitment"], f"{worst['price']:.2f}", f"{worst['p90']:,.0f}"]
    for output in (text.stdout, markdown.stdout):
        title = "Revenue at risk (EUR): short GPU-hours at the contract price"
        assert title in output
        after = output[output.index(title) :]
        line = next(line for line in after.splitlines() if cells[0] in line)
        assert all(cell in line for cell in cells), line
        fleet = revenue["fleet"]
        assert (
            f"revenue at risk (fleet, EUR): P50 {fleet['p50']:,.0f}  P90 {fleet['p90']:,.0f}"
            in output
        )
    assert markdown.stdout.startswith("# Risk: nscale_2026\n")
    assert "warning[W302]" in text.stderr and "W302" not in text.stdout  # diagnostics on stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--scheduler", "localhost"), "expected tcp://HOST:PORT"),
        (("--scheduler", "tcp://127.0.0.1:1", "--workers", "2"), "--workers is for local"),
        (("--samples", "0"), "--samples"),
        (("--seed", "-1"), "--seed"),
    ],
)
def test_usage_errors_exit_2_before_any_work(args: tuple[str, ...], message: str) -> None:
    run = run_capplan("risk", EXAMPLES / "nscale-2026.cap", *args)
    assert run.returncode == 2, run
    assert message in run.stderr and run.stdout == "", run


def test_scheduler_without_dask_is_a_usage_error(tmp_path: Path) -> None:
    # A `distributed` that cannot be imported stands for the extra not installed.
    fake = tmp_path / "nodask" / "distributed"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('No module named distributed')\n")
    run = run_capplan(
        "risk",
        EXAMPLES / "nscale-2026.cap",
        "--scheduler",
        "tcp://127.0.0.1:8786",
        env={"PYTHONPATH": str(fake.parent)},  # first on the path (harness.environment)
    )
    assert run.returncode == 2, run
    assert "pip install 'capplan[dask]'" in run.stderr and run.stdout == ""


def _stderr_on_a_terminal(args: tuple[str, ...], document: Path, env: dict[str, str]) -> str:
    """Run capplan with stderr on a pseudo-terminal and stdout into `document`; what the
    terminal received."""
    import errno
    import os
    import pty
    import subprocess

    from tests.e2e.harness import start

    master, slave = pty.openpty()
    with document.open("wb") as out:
        process = start(*args, stdin=subprocess.DEVNULL, stdout=out, stderr=slave, env=env)
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
        assert process.wait(timeout=300) == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_a_long_run_shows_progress_on_a_terminal_stderr_and_nothing_else_on_stdout(
    tmp_path: Path,
) -> None:
    example = EXAMPLES / "nscale-2026.cap"
    args = ("risk", str(example), "--samples", "400", "--format", "json")
    document = tmp_path / "out.json"
    colour = {"TERM": "xterm-256color", "NO_COLOR": ""}  # an empty NO_COLOR is not set
    stderr = _stderr_on_a_terminal(args, document, colour)
    assert "sampling" in stderr  # the bar (rich, transient) went to the terminal
    assert "\x1b[" in stderr  # drawn with cursor and colour codes
    piped = run_capplan(*args)  # stderr a pipe: no bar, and the same document
    assert piped.stderr == "" and document.read_text(encoding="utf-8") == piped.stdout


@pytest.mark.parametrize(
    "env", [{"NO_COLOR": "1", "TERM": "xterm-256color"}, {"TERM": "dumb", "NO_COLOR": ""}]
)
def test_no_color_or_a_dumb_terminal_get_plain_counter_lines(
    env: dict[str, str], tmp_path: Path
) -> None:
    """No bar, no escape code, no carriage return: a line each time another tenth of the
    samples is done, the last one the whole run."""
    model = tmp_path / "slipped.cap"
    model.write_text(SLIPPED, encoding="utf-8")
    args = ("risk", str(model), "--samples", "400", "--format", "json")
    stderr = _stderr_on_a_terminal(args, tmp_path / "out.json", env)
    assert "\x1b" not in stderr and "sampling" not in stderr
    lines = stderr.replace("\r\n", "\n").splitlines()  # the pty turns \n into \r\n
    assert "\r" not in "".join(lines)
    done = [int(m.group(1)) for m in map(re.compile(r"sampled (\d+) of 400").fullmatch, lines) if m]
    assert len(done) == len(lines) and 1 <= len(lines) <= 10, stderr
    assert done == sorted(set(done)) and done[-1] == 400
    # a line only when a new tenth (40 samples) is passed: no two in the same tenth
    tenths = [d * 10 // 400 for d in done]
    assert tenths == sorted(set(tenths))
