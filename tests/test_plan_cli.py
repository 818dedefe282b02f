"""`capplan plan` as a command: exit codes, output forms, `--at`, and the nscale example.

Exit codes (LANGUAGE.md §5): 0 success (warnings allowed), 1 the model has
errors, 2 usage error. The example test checks figures computed by hand from
examples/nscale-2026.cap and the files it imports.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, CliResult, run_cli
from tests.test_plan import beyond_install

# 10 racks arrive 2026-02-01 at a 1 MW site (pue 1, reserve 0): 1,000,000 // 132,000 = 7
# go live that day and 3 when the envelope steps to 2 MW on 2026-03-01 (W302 only).
WARNINGS_ONLY = """
plan p { start = 2026-01-01  end = 2026-12-31 }
supplier nvidia { supplies = gpus }
rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }
site s {
  power { 2026-01-01: 1 MW  2026-03-01: 2 MW }
  hall a { positions = 100  cooling = liquid  ready = 2025-12-01 }
}
lot l1 { supplier = nvidia  rack_type = gb300  racks = 10  to = s.a  arrive = 2026-02-01 }
"""


def plan_json(path: Path, *extra: str) -> CliResult:
    return run_cli("plan", str(path), "--format", "json", *extra)


def codes(result: CliResult) -> list[str]:
    return sorted(d["code"] for d in result.json["diagnostics"]["diagnostics"])


def test_exit_0_with_warnings_only(write_cap: Any) -> None:
    result = plan_json(write_cap(WARNINGS_ONLY))
    assert codes(result) == ["W302", "W404"]  # waited for site power; hall ready 2025-12-01
    assert result.json["diagnostics"]["valid"] is True
    assert result.json["diagnostics"]["error_count"] == 0
    assert result.json["diagnostics"]["warning_count"] == 2
    assert result.exit_code == 0


def test_exit_1_with_errors(write_cap: Any) -> None:
    # positions = 8 for 10 racks: 2 stranded (E301)
    result = plan_json(write_cap(WARNINGS_ONLY.replace("positions = 100", "positions = 8")))
    assert "E301" in codes(result)
    assert result.json["diagnostics"]["valid"] is False
    assert result.exit_code == 1
    # the plan is still reported next to the errors it explains
    assert result.json["plan"]["stranded_racks"] == 2


def test_exit_1_with_static_error_and_no_plan(write_cap: Any) -> None:
    result = plan_json(write_cap(WARNINGS_ONLY.replace("racks = 10", "racks = 0")))
    # `racks = 0` (E206): the model is not built, so nothing is scheduled or checked further
    assert codes(result) == ["E206"]
    assert result.json["plan"] is None
    assert result.exit_code == 1


def test_json_document_has_plan_and_diagnostics(write_cap: Any) -> None:
    result = plan_json(write_cap(WARNINGS_ONLY))
    document = result.json
    assert list(document) == ["format_version", "plan", "diagnostics"]
    assert list(document["diagnostics"]) == [
        "format_version",
        "valid",
        "error_count",
        "warning_count",
        "diagnostics",
    ]
    report = document["plan"]
    assert report["start"] == "2026-01-01" and report["end"] == "2026-12-31"
    assert report["gpus_planned"] == 10 * 72
    assert report["gpus_live_at_end"] == 10 * 72
    assert report["lots"][0]["go_live"] == [
        {"day": "2026-02-01", "racks": 7, "hall": "s.a"},
        {"day": "2026-03-01", "racks": 3, "hall": "s.a"},
    ]


def test_at_reports_the_state_on_a_day(write_cap: Any) -> None:
    result = plan_json(write_cap(WARNINGS_ONLY), "--at", "2026-02-15")
    at = result.json["plan"]["at"]
    assert at["day"] == "2026-02-15"
    assert at["gpus_live"] == 7 * 72
    assert at["lots"] == [["l1", 7, 7 * 72]]
    [state] = at["sites"]
    assert state["racks"] == 7
    assert state["it_mw"] == 0.924  # 7 x 132 kW
    assert state["headroom_mw"] == 0.076  # 1 MW - 0.924 MW


def test_text_form_prints_diagnostics_on_stderr(write_cap: Any) -> None:
    path = write_cap(WARNINGS_ONLY.replace("positions = 100", "positions = 8"))
    result = run_cli("plan", str(path))
    assert result.exit_code == 1
    assert "error[E301]" in result.stderr
    assert "main.cap:8:5" in result.stderr  # `l1` in `lot l1 {`
    assert "error[E301]" not in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("plan", "does-not-exist.cap"),
        ("plan", "FILE", "--at", "2026-02-30"),
        ("plan", "FILE", "--format", "yaml"),
    ],
    ids=["unreadable-file", "bad-at-date", "bad-format"],
)
def test_exit_2_on_usage_error(write_cap: Any, tmp_path: Path, args: tuple[str, ...]) -> None:
    path = write_cap(WARNINGS_ONLY)
    argv = [
        str(path) if a == "FILE" else str(tmp_path / a) if a.endswith(".cap") else a for a in args
    ]
    result = run_cli(*argv)
    assert result.exit_code == 2


# --------------------------------------------------------------------------- nscale example


NSCALE = EXAMPLES / "nscale-2026.cap"


def days(first: str, last_exclusive: str) -> int:
    return (date.fromisoformat(last_exclusive) - date.fromisoformat(first)).days


def test_nscale_example_figures_by_hand() -> None:
    result = plan_json(NSCALE)
    assert result.exit_code == 0, codes(result)
    report = result.json["plan"]
    sites = {s["name"]: s for s in report["sites"]}
    lots = {x["name"]: x for x in report["lots"]}

    # GPUs planned per site = sum of lot racks x rack GPUs (nscale/*.cap)
    gpus = {
        "narvik": (112 + 160 + 224 + 224) * 72,  # openai_p1, msft_t1, msft_t2 (16,128 / 72), t3
        "glomfjord": 80 * 32 + 120 * 32,  # dgx_h100, hgx_b200_air (3,840 / 32 racks)
        "stargate_uk": 112 * 72,
        "loughton": 320 * 72,
        "sines": 175 * 72,  # 12,600 / 72
    }
    assert gpus == {
        "narvik": 51_840,
        "glomfjord": 6_400,
        "stargate_uk": 8_064,
        "loughton": 23_040,
        "sines": 12_600,
    }
    assert {name: s["gpus_planned"] for name, s in sites.items()} == gpus
    assert report["gpus_planned"] == sum(gpus.values()) == 101_944
    assert report["stranded_racks"] == 0
    assert report["gpus_live_at_end"] == 101_944

    # Narvik: 20 MW x 95% / 1.10 = 17,272,727 W of IT -> 130 GB300 racks until 2026-06-01.
    phase1 = 20_000_000 * 95 // 110 // 132_000
    assert phase1 == 130
    # openai_p1 (priority 10, 112 racks) lands 2026-01-15 (40) and 2026-02-16 (72), live
    # after 2w of install; msft_t1's first 80 are ready 2026-03-16 + 14 = 2026-03-30: only
    # 130 - 112 = 18 fit; 62 + the second tranche's 80 (ready 2026-04-15 + 14 = 04-29)
    # wait for 230 MW on 2026-06-01.
    assert [(p["day"], p["racks"]) for p in lots["narvik_openai_p1"]["go_live"]] == [
        ("2026-01-29", 40),
        ("2026-03-02", 72),
    ]
    t1 = [(p["day"], p["racks"]) for p in lots["narvik_msft_t1"]["go_live"]]
    assert t1[0] == ("2026-03-30", phase1 - 112)
    assert sum(r for d, r in t1[1:] if d == "2026-06-01") == 160 - 18 == 142
    narvik_before_phase2 = [
        row["racks"] for row in sites["narvik"]["timeline"] if row["day"] < "2026-06-01"
    ]
    assert max(narvik_before_phase2) == phase1
    waited = 62 * 72 * days("2026-03-30", "2026-06-01") + 80 * 72 * days("2026-04-29", "2026-06-01")
    assert waited == 62 * 72 * 63 + 80 * 72 * 33 == 471_312
    assert beyond_install(lots["narvik_msft_t1"]) == {"site_power": waited}
    # msft_t3 is only ordered: 2026-02-02 + 26w = 2026-08-03, + 2w install = 2026-08-17
    assert lots["narvik_msft_t3"]["first_live"] == "2026-08-17"

    # Loughton: 50 MW x 95% / 1.25 = 38 MW of IT -> 287 racks until 90 MW on 2027-03-01;
    # tranche 2 is ready 2027-02-08 + 14 = 2027-02-22: 287 - 160 = 127 fit, 33 wait 7 days
    assert 50_000_000 * 95 // 125 // 132_000 == 287
    loughton = {row["day"]: row["racks"] for row in sites["loughton"]["timeline"]}
    assert loughton["2027-02-22"] == 287
    assert loughton["2027-03-01"] == 320
    # v0.2 rule 5: read in the hall the 33 go live in (not data_hall_1, the first liquid
    # hall, which is full): there only the site envelope holds them back -> site power
    assert beyond_install(lots["loughton_p1"]) == {"site_power": 33 * 72 * 7}  # 16,632

    # commitments of the same scope add up: openai_narvik 8,000 + msft_narvik 10,000 on
    # 2026-06-30; live then: 130 + 142 (2026-06-01) + 112 (msft_t2 ready 2026-06-29)
    rows = {(r["commitment"], r["day"]): r for r in report["commitments"]}
    june = rows[("msft_narvik", "2026-06-30")]
    assert june["required"] == 8_000 + 10_000
    assert june["live"] == (130 + 142 + 112) * 72 == 27_648
    assert all(r["met"] for r in report["commitments"])

    # idle GPU-days overall: the two waits above; no other cause
    idle = report["idle_gpu_days"]
    assert idle["site_power"] == 471_312 + 16_632 == 487_944
    assert idle["hall_power"] == idle["hall_not_ready"] == idle["cooling"] == idle["positions"] == 0
    assert codes(result) == ["W302", "W302"]
