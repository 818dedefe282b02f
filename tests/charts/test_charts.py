"""The charts: their data is the plan JSON's, and their SVG the same bytes anywhere."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import date

import pytest

from capplan import api
from capplan.charts import mermaid, specs
from capplan.charts import series as chart_rows
from capplan.charts.svg import spec_svg, spec_text
from capplan.report import build_report
from tests.e2e.harness import REPO, run_capplan

EXAMPLE = "examples/nscale-2026.cap"


@pytest.fixture(scope="module")
def plan_json() -> dict:  # type: ignore[type-arg]
    run = run_capplan("plan", EXAMPLE, "--format", "json")
    assert run.returncode == 0, run
    return json.loads(run.stdout)["plan"]


@pytest.fixture(scope="module")
def report():  # type: ignore[no-untyped-def]
    planned = api.plan(api.compile_file(REPO / EXAMPLE))
    assert planned is not None
    return build_report(planned)


def _layer(spec: dict, index: int) -> list[dict]:  # type: ignore[type-arg]
    return spec["layer"][index]["data"]["values"]  # type: ignore[no-any-return]


def test_power_steps_are_the_plan_json_envelope(report, plan_json) -> None:  # type: ignore[no-untyped-def]
    narvik_json = next(s for s in plan_json["sites"] if s["name"] == "narvik")
    narvik = next(s for s in report.sites if s.name == "narvik")
    points = _layer(specs.power_chart(report, narvik), 0)
    envelope = [(p["date"], p["mw"]) for p in points if p["series"] == "grid envelope"]
    # the JSON timeline's envelope on each of its days, then held to the plan end
    expected = [(row["day"], row["envelope_mw"]) for row in narvik_json["timeline"]]
    assert envelope == [*expected, ("2027-06-30", 520.0)]
    # the steps of sites-norway.cap: 20 MW from 2025-12-01, 230 from 2026-06-01, 520 from 2027-04-01
    steps = [(d, mw) for i, (d, mw) in enumerate(envelope) if i == 0 or envelope[i - 1][1] != mw]
    assert steps == [("2025-12-01", 20.0), ("2026-06-01", 230.0), ("2027-04-01", 520.0)]
    usable = [p["mw"] for p in points if p["series"].startswith("usable envelope")]
    assert usable[-1] == 494.0  # 520 MW x (1 - 5% reserve)
    assert specs.power_chart(report, narvik)["layer"][0]["mark"]["interpolate"] == "step-after"


def test_commitment_levels_at_their_dates(report, plan_json) -> None:  # type: ignore[no-untyped-def]
    spec = specs.gpus_chart(report, "fleet")
    # the live area, its edge, the required steps, the stems, the due-date points, the plan date
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["area", "line", "line", "rule", "point", "rule", "text"]
    steps = _layer(spec, 2)
    stems = spec["layer"][3]
    points = _layer(spec, 4)
    series = chart_rows.commitment_series(report)
    for row in plan_json["commitments"]:
        step = {"date": row["day"], "series": series[row["commitment"]], "gpus": row["required"]}
        assert step in steps
        point = next(
            p for p in points if (p["date"], p["commitment"]) == (row["day"], row["commitment"])
        )
        assert point["live"] == row["live"] and point["required"] == row["required"]
        assert point["on the date"] == ("met" if row["met"] else "short")
    # the stem of each point runs from the level required to the GPUs live in its scope
    assert stems["data"]["values"] is points
    assert (stems["encoding"]["y"]["field"], stems["encoding"]["y2"]["field"]) == (
        "required",
        "live",
    )
    # openai_narvik and openai_stargate_uk both require 8,000 GPUs from 2026-03-31: one line,
    # named for both, since the second would hide the first exactly
    shared = "openai_narvik, openai_stargate_uk"
    assert series["openai_narvik"] == series["openai_stargate_uk"] == shared
    assert [(p["date"], p["gpus"]) for p in steps if p["series"] == shared] == [
        ("2026-03-31", 8000),
        ("2027-06-30", 8000),
    ]
    assert len({p["series"] for p in steps}) == 6  # the example's 7 commitments on 6 lines
    live = _layer(spec, 0)
    # the fleet holds 101,944 GPUs live from its last go-live to the plan end
    assert live[-1] == {"date": "2027-06-30", "gpus": 101_944, "series": "GPUs live (fleet)"}


def test_link_chart_is_the_json_history(report, plan_json) -> None:  # type: ignore[no-untyped-def]
    link = plan_json["network"]["links"][0]
    spec = specs.links_chart(report, report.network.links, "fleet")
    values = spec["data"]["values"]
    mine = [p for p in values if p["link"] == link["link"]]
    capacity = [(p["date"], p["gbps"]) for p in mine if p.get("series") == "capacity"]
    assert capacity[:-1] == [(h["day"], h["capacity_gbps"]) for h in link["history"]]
    # the panel is headed by the JSON's peak utilisation, as the links table prints it
    assert link["link"] == "glomfjord_oslo" and link["peak_utilisation"] == 0.291692  # 29.2 %
    heading = "glomfjord_oslo: peak 29.2% of capacity on 2026-08-17"
    assert {p["panel"] for p in mine} == {heading} and link["peak_day"] == "2026-08-17"
    # its axis ends on axis_top of its 800 Gbps capacity: 840 over steps of 100 -> 900
    assert [p["top"] for p in mine if "top" in p] == [900.0]
    # the example's 8 links in two columns of 4 panels
    assert spec["columns"] == 2 and len({p["panel"] for p in values}) == 8


def test_lot_timeline_runs_from_arrival_to_go_live(report) -> None:  # type: ignore[no-untyped-def]
    rows = chart_rows.lot_rows(report, report.lots)
    first = next(r for r in rows if r["lot"] == "narvik_openai_p1")
    # arrives 2026-01-15 (first tranche), last racks live 2026-03-02 (plan text's lots table)
    assert (first["from"], first["to"], first["state"]) == (
        "2026-01-15",
        "2026-03-02",
        "arrival to go-live",
    )


def test_no_reserve_draws_one_envelope_line_named_for_both(report) -> None:  # type: ignore[no-untyped-def]
    """sines has no reserve: its usable envelope is its envelope, and a second line on it
    would hide the first exactly, so one line is drawn and the legend says it is both."""
    sines = next(s for s in report.sites if s.name == "sines")
    assert sines.reserve == 0
    spec = specs.power_chart(report, sines)
    points = _layer(spec, 0)
    assert sorted({p["series"] for p in points}) == [
        "facility power (IT x PUE)",
        "grid envelope = usable (no reserve)",
    ]
    assert spec["layer"][0]["encoding"]["color"]["scale"]["range"] == [specs.BLUE, specs.GREY]
    assert max(p["mw"] for p in points if p["series"].startswith("grid")) == 30.0  # 30 MW grid
    # narvik keeps 5 %: its three lines, the usable one 5 % under the envelope
    narvik = next(s for s in report.sites if s.name == "narvik")
    assert chart_rows.power_names(narvik)[1:] == ["grid envelope", "usable envelope (reserve 5%)"]
    # and the Mermaid form on stdout: two lines, the caption naming the grey one as both
    text = mermaid.power(report, sines)
    assert text.count("\n    line [") == 2 and '"#1f77b4, #7f7f7f"' in text
    assert "grid envelope = usable (no reserve) #7f7f7f;" in mermaid.power_caption(report, sines)


def test_axes_end_on_a_round_value_above_the_peak(report) -> None:  # type: ignore[no-untyped-def]
    # the peak plus 5 %, up to the next 1-2-2.5-5 step of at most ten steps:
    assert specs.axis_top(520) == 600  # 546 over steps of 100: 5.46, up to 6 steps
    assert specs.axis_top(30) == 35  # 31.5 over steps of 5: 6.3, up to 7 (30 would be the edge)
    assert specs.axis_top(15) == 16  # 15.75 over steps of 2: 7.9, up to 8
    assert specs.axis_top(25) == 30  # 26.25 over steps of 5: 5.25, up to 6
    assert specs.axis_top(0) == 1
    sines = next(s for s in report.sites if s.name == "sines")  # 30 MW envelope
    y = specs.power_chart(report, sines)["layer"][0]["encoding"]["y"]["scale"]
    assert y == {"domain": [0, 35.0], "nice": False}
    # the fleet's 101,944 GPUs: 107,041 over steps of 20,000: 5.35, up to 6
    gpus = specs.gpus_chart(report, "fleet")["layer"][0]["encoding"]["y"]["scale"]
    assert gpus["domain"] == [0, 120_000]
    assert 'y-axis "MW" 0 --> 35\n' in mermaid.power(report, sines)


def _plan_label(spec: dict) -> dict:  # type: ignore[type-arg]
    return next(layer["mark"] for layer in spec["layer"] if layer["mark"]["type"] == "text")


def test_plan_date_label_sits_above_the_plot(report) -> None:  # type: ignore[no-untyped-def]
    """Above the plot, in the gap under the title, no line can run through it (stargate_uk's
    25 MW envelope is the top of its plot: the label used to sit on it)."""
    stargate = next(s for s in report.sites if s.name == "stargate_uk")
    spec = specs.power_chart(report, stargate)
    label = _plan_label(spec)
    assert (label["baseline"], label["y"]) == ("bottom", -3)  # its foot 3 px above the plot
    assert spec["title"]["offset"] == specs.TITLE_GAP >= 3 + 11  # room for an 11 px label
    # the horizon is 2025-09-01 .. 2027-06-30, 667 days; its last quarter starts after
    # day 667 x 3/4 = 500.25 (2027-01-14). as_of 2026-01-15 is day 136: right of the rule
    assert (label["align"], label["dx"]) == ("left", 3)
    # 2027-06-01 is day 638: left of the rule, so the label does not run off the chart
    late = report.model_copy(update={"as_of": date(2027, 6, 1)})
    assert (_plan_label(specs.lots_chart(late, late.lots, "fleet"))["align"]) == "right"


def test_a_missed_commitment_is_named_in_both_charts() -> None:
    """missed-commitment.cap: 10 racks x 72 = 720 GPUs live from 2026-02-01 against 1,000
    due 2026-06-30, short 280 (E400; the plan is still reported)."""
    planned = api.plan(api.compile_file(REPO / "tests/e2e/models/missed-commitment.cap"))
    assert planned is not None
    missed = build_report(planned)
    lots = specs.lots_chart(missed, missed.lots, "fleet")
    rule = next(layer for layer in lots["layer"] if "datum" in layer["encoding"].get("color", {}))
    assert rule["data"]["values"] == [{"date": "2026-06-30", "label": "missed: c"}]
    assert rule["encoding"]["color"]["datum"] == "missed commitment date"  # a legend entry
    gpus = specs.gpus_chart(missed, "fleet")
    stems, points = gpus["layer"][3], _layer(gpus, 4)
    assert [(p["required"], p["live"], p["on the date"]) for p in points] == [(1000, 720, "short")]
    assert stems["encoding"]["color"]["condition"]["value"] == specs.RED  # the 280 short, red


def test_steps_are_drawn_as_vertical_and_horizontal_segments(report) -> None:  # type: ignore[no-untyped-def]
    narvik = next(s for s in report.sites if s.name == "narvik")
    svg = spec_svg(spec_text(specs.power_chart(report, narvik)))
    assert svg.startswith("<svg ") and "id=" not in svg
    assert 'font-family="Liberation Sans, Arial, Helvetica, sans-serif"' in svg


_SCRIPT = """
import hashlib, sys
sys.path.insert(0, "src")
from capplan import api
from capplan.charts import catalog
from capplan.charts.svg import spec_svg
from capplan.report import build_report
report = build_report(api.plan(api.compile_file("examples/nscale-2026.cap")))
for chart in catalog.fleet_charts(report, {}):
    print(chart.file, hashlib.sha256(spec_svg(chart.spec).encode()).hexdigest())
"""


def _hashes(**env: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return done.stdout


def test_svg_bytes_do_not_depend_on_hash_seed_time_zone_or_locale() -> None:
    first = _hashes(PYTHONHASHSEED="0", TZ="UTC", LC_ALL="C")
    assert len(first.splitlines()) == 8  # gpus, lots, links and 5 power charts
    assert _hashes(PYTHONHASHSEED="12345", TZ="Pacific/Auckland", LC_ALL="C.UTF-8") == first
    assert _hashes(PYTHONHASHSEED="random", TZ="America/Los_Angeles", LANG="de_DE.UTF-8") == first
    # and they are what an in-process render of the same chart gives
    assert hashlib.sha256(b"").hexdigest() not in first
