"""Energy, cost and carbon (LANGUAGE.md §7): hand-computed figures, API and real CLI.

Every expected figure is worked out in the comments from the model's numbers.
Conventions of the arithmetic:
- a rack-day of energy is power x load x PUE x 24 h; 1 MWh = 1,000 kWh;
- 1 gCO2/kWh = 1 kg CO2/MWh, so tonnes = MWh x g/kWh / 1000;
- depreciation per rack-day = price / life in days (`mo` = 365/12 days);
- carrying cost per waiting rack-day = price x capital_rate / 365;
- a rack live from day g is live on g and every later day; a rack waits on the
  days arrival <= d < go-live.

The API tests compare exact `Fraction`s; the CLI tests read the JSON document
(money rounded to 2 decimals, energy and carbon to 3).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from capplan import api
from capplan.cost import Costs, compute_costs
from tests.e2e.harness import run_capplan

WriteCap = Callable[..., Path]

# One site, one hall, 10 racks arriving on the plan start. The envelope holds
# 8 racks in January: 1 MW x (1 - 0) / PUE 1.25 = 800 kW IT = 8 racks of 100 kW;
# it rises to 10 MW on 2026-02-01, when the last 2 go live (site power).
BASE = """
plan p { start = 2026-01-01  end = 2026-03-31  capital_rate = 10% }
supplier nv { supplies = gpus }
rack_type gb {
  gpus = 72  power = 100 kW  cooling = liquid
  price = 3_650_000 EUR  life = 12mo  load = 80%
}
site s {
  power { 2026-01-01: 1 MW  2026-02-01: 10 MW }  pue = 1.25
  energy_price { 2026-01-01: 40 EUR/MWh  2026-03-01: 20 EUR/MWh }
  carbon = 100 gCO2/kWh
  hall h { positions = 100  cooling = liquid }
}
lot l { supplier = nv  rack_type = gb  racks = 10  to = s  arrive = 2026-01-01 }
commitment c { site = s  gpus { 2026-01-15: 720 }  price = 2.5 EUR/gpu-h }
"""

# Energy of one live rack-day: 100 kW x 80% x 1.25 x 24 h = 2,400 kWh = 2.4 MWh.
RACK_DAY_MWH = Fraction(100) * Fraction(8, 10) * Fraction(125, 100) * 24 / 1000
# Rack-days live: January 8 x 31 = 248; February 10 x 28 = 280; March 10 x 31 = 310.
JAN, FEB, MAR = 8 * 31, 10 * 28, 10 * 31


def costs_of(write_cap: WriteCap, text: str, until: date | None = None) -> Costs:
    compilation = api.compile_file(write_cap(text))
    planned = api.plan(compilation, network=False)
    assert planned is not None, [d.summary for d in compilation.diagnostics]
    return compute_costs(planned.model, planned.schedule, until)


def cli_cost(path: Path, *extra: str) -> dict[str, Any]:
    run = run_capplan("plan", path, "--format", "json", *extra)
    # Two racks wait for site power (W302) and commitment c is missed (E400).
    assert run.returncode == 1, run
    assert [d["code"] for d in run.json()["diagnostics"]["diagnostics"]] == ["W302", "E400"]
    cost: dict[str, Any] = run.json()["plan"]["cost"]
    return cost


def test_energy_with_pue_and_load(write_cap: WriteCap) -> None:
    costs = costs_of(write_cap, BASE)
    # (248 + 280 + 310) rack-days x 2.4 MWh = 838 x 2.4 = 2,011.2 MWh
    assert costs.fleet.energy_mwh == Fraction(20112, 10)
    assert costs.fleet.energy_mwh == (JAN + FEB + MAR) * RACK_DAY_MWH


def test_price_schedule_changing_mid_horizon(write_cap: WriteCap) -> None:
    costs = costs_of(write_cap, BASE)
    # January and February at 40 EUR/MWh: (248 + 280) x 2.4 x 40 = 1,267.2 x 40 = 50,688;
    # March at 20 EUR/MWh: 310 x 2.4 x 20 = 744 x 20 = 14,880; total 65,568 EUR.
    assert costs.fleet.energy_cost == 50_688 + 14_880 == 65_568
    months = {day: figures.energy_cost for day, figures in costs.sites[0].months}
    assert months == {
        date(2026, 1, 1): 248 * RACK_DAY_MWH * 40,  # 595.2 x 40 = 23,808
        date(2026, 2, 1): 280 * RACK_DAY_MWH * 40,  # 672 x 40 = 26,880
        date(2026, 3, 1): 310 * RACK_DAY_MWH * 20,  # 744 x 20 = 14,880
    }


def test_carbon(write_cap: WriteCap) -> None:
    costs = costs_of(write_cap, BASE)
    # 2,011.2 MWh x 100 kg/MWh = 201,120 kg = 201.12 t
    assert costs.fleet.carbon_t == Fraction(20112, 100)
    # A carbon schedule: 100 g/kWh in January, 20 g/kWh from February:
    # 595.2 x 100 / 1000 + (672 + 744) x 20 / 1000 = 59.52 + 28.32 = 87.84 t
    text = BASE.replace(
        "carbon = 100 gCO2/kWh", "carbon { 2026-01-01: 100 gCO2/kWh  2026-02-01: 20 gCO2/kWh }"
    )
    assert costs_of(write_cap, text).fleet.carbon_t == Fraction(8784, 100)


def test_depreciation_and_carrying_cost(write_cap: WriteCap) -> None:
    costs = costs_of(write_cap, BASE)
    # life 12mo = 12 x 365/12 = 365 days: 3,650,000 / 365 = 10,000 EUR per rack-day;
    # 838 live rack-days x 10,000 = 8,380,000 EUR.
    assert costs.fleet.depreciation == 8_380_000
    # 2 racks wait 2026-01-01 .. 2026-01-31 (31 days) for site power:
    # 2 x 31 x 3,650,000 x 10% / 365 = 62 x 1,000 = 62,000 EUR.
    assert costs.fleet.carrying == 62_000


def test_depreciation_capped_at_life(write_cap: WriteCap) -> None:
    # A 30-day life inside a 90-day horizon: each rack depreciates 30 days only,
    # 10 racks x 3,650,000 = 36,500,000 EUR in all, whatever the horizon's length.
    costs = costs_of(write_cap, BASE.replace("life = 12mo", "life = 30d"))
    assert costs.fleet.depreciation == 10 * 3_650_000
    # A `1mo` life is 365/12 = 30 5/12 days: 30 whole days and 5/12 of the 31st,
    # 3,650,000 / (365/12) = 120,000 EUR a day: 30 x 120,000 + 5/12 x 120,000 =
    # 3,600,000 + 50,000 = 3,650,000 per rack, the price exactly.
    costs = costs_of(write_cap, BASE.replace("life = 12mo", "life = 1mo"))
    assert costs.fleet.depreciation == 10 * 3_650_000


def test_cost_per_gpu_hour(write_cap: WriteCap) -> None:
    costs = costs_of(write_cap, BASE)
    # GPU-hours: 838 rack-days x 72 GPUs x 24 h = 1,448,064.
    assert costs.fleet.gpu_hours == 838 * 72 * 24 == 1_448_064
    # (65,568 + 8,380,000 + 62,000) / 1,448,064 = 8,507,568 / 1,448,064 = 5.87513...
    assert costs.fleet.cost_per_gpu_hour == Fraction(8_507_568, 1_448_064)


def test_revenue_at_risk(write_cap: WriteCap) -> None:
    costs = costs_of(write_cap, BASE)
    # 720 GPUs due from 2026-01-15; 8 x 72 = 576 live until 2026-02-01: short 144 GPUs
    # on 17 days (Jan 15..31): 144 x 17 x 24 = 58,752 GPU-hours; x 2.5 = 146,880 EUR.
    (row,) = costs.commitments
    assert row.short_gpu_hours == 144 * 17 * 24 == 58_752
    assert row.revenue_at_risk == Fraction(146_880)


def test_shared_scope_splits_the_shortfall_by_levels(write_cap: WriteCap) -> None:
    text = BASE.replace(
        "commitment c { site = s  gpus { 2026-01-15: 720 }  price = 2.5 EUR/gpu-h }",
        """
        commitment a { site = s  gpus { 2026-01-01: 480 }  price = 2 EUR/gpu-h }
        commitment b { site = s  gpus { 2026-01-11: 240 } }
        """,
    )
    costs = costs_of(write_cap, textwrap.dedent(text))
    a, b = costs.commitments
    # 2026-01-01..10: required 480, live 576: nothing short.
    # 2026-01-11..31 (21 days): required 480 + 240 = 720, live 576, short 144 GPUs,
    # split 480:240 = 2/3 : 1/3 -> a 96 GPUs, b 48 GPUs.
    # a: 96 x 21 x 24 = 48,384 GPU-hours, x 2 EUR = 96,768 EUR.
    # b: 48 x 21 x 24 = 24,192 GPU-hours; no price: revenue at risk absent.
    assert a.short_gpu_hours == 96 * 21 * 24 == 48_384
    assert a.revenue_at_risk == 96_768
    assert b.short_gpu_hours == 48 * 21 * 24 == 24_192
    assert b.revenue_at_risk is None


IDLE = """
plan p { start = 2026-01-01  end = 2026-01-31  capital_rate = 36.5% }
supplier nv { supplies = gpus }
rack_type gb { gpus = 72  power = 100 kW  cooling = liquid  price = 1_000_000 EUR  install = 2d }
site s {
  power { 2026-01-01: 10 MW  2026-01-11: 20 MW }
  hall h { positions = 2  cooling = liquid }
}
site t {
  power { 2026-01-01: 100 kW  2026-01-21: 1 MW }
  hall k { positions = 10  cooling = liquid }
}
lot a { supplier = nv  rack_type = gb  racks = 3  to = s  arrive = 2026-01-01 }
lot b { supplier = nv  rack_type = gb  racks = 2  to = t  arrive = 2026-01-01 }
"""


def test_idle_cost_by_cause(write_cap: WriteCap) -> None:
    costs = costs_of(write_cap, IDLE)
    # A waiting rack-day costs 1,000,000 x 36.5% / 365 = 1,000 EUR.
    # Site s: 3 racks arrive 01-01, installed 01-03 (2 days of install each: 3 x 2 = 6);
    # 2 positions: the third rack waits for positions from 01-03 to the plan end
    # (stranded: 01-03..01-31 = 29 days).
    # Site t: 100 kW holds one rack; 2 racks install 01-01..02 (2 x 2 = 4 rack-days),
    # one goes live 01-03, the other waits for site power 01-03..01-20 (18 days).
    assert costs.idle == {
        "install": (6 + 4) * 1_000,
        "hall_not_ready": 0,
        "cooling": 0,
        "positions": 29 * 1_000,
        "hall_power": 0,
        "site_power": 18 * 1_000,
    }
    # The causes add up to the carrying cost: 10 + 29 + 18 = 57 rack-days.
    assert costs.fleet.carrying == 57_000
    s, t = costs.sites
    assert s.idle["positions"] == 29_000 and s.idle["site_power"] == 0
    assert t.idle["site_power"] == 18_000


def test_at_sums_to_that_day(write_cap: WriteCap) -> None:
    costs = costs_of(write_cap, BASE, until=date(2026, 2, 10))
    # 2026-01-01 .. 2026-02-10: January 248 live rack-days, February 1..10 10 x 10 = 100.
    assert costs.last == date(2026, 2, 10)
    assert costs.fleet.energy_mwh == (248 + 100) * RACK_DAY_MWH  # 835.2 MWh
    assert costs.fleet.depreciation == (248 + 100) * 10_000
    (row,) = costs.commitments
    assert row.short_gpu_hours == 144 * 17 * 24  # the shortfall ended on 02-01


def test_missing_inputs_are_absent_not_zero(write_cap: WriteCap) -> None:
    text = (
        BASE.replace("price = 3_650_000 EUR", "")
        .replace("energy_price { 2026-01-01: 40 EUR/MWh  2026-03-01: 20 EUR/MWh }", "")
        .replace("carbon = 100 gCO2/kWh", "")
    )
    costs = costs_of(write_cap, text)
    assert costs.fleet.energy_mwh == (JAN + FEB + MAR) * RACK_DAY_MWH  # always computable
    assert costs.fleet.energy_cost is None
    assert costs.fleet.carbon_t is None
    assert costs.fleet.depreciation is None
    assert costs.fleet.carrying is None
    assert costs.fleet.cost_per_gpu_hour is None
    # An energy price starting in February leaves January's energy unpriced.
    late = BASE.replace("2026-01-01: 40 EUR/MWh", "2026-02-01: 40 EUR/MWh")
    months = dict(costs_of(write_cap, late).sites[0].months)
    assert months[date(2026, 1, 1)].energy_cost is None
    assert months[date(2026, 2, 1)].energy_cost == 280 * RACK_DAY_MWH * 40


# --------------------------------------------------------------------------- real CLI


def test_plan_json_cost_section(write_cap: WriteCap) -> None:
    cost = cli_cost(write_cap(BASE))
    assert cost["currency"] == "EUR"
    assert (cost["start"], cost["end"]) == ("2026-01-01", "2026-03-31")
    assert cost["fleet"] == {
        "energy_mwh": 2011.2,  # 838 x 2.4
        "energy_cost": 65568.0,  # 50,688 + 14,880
        "carbon_t": 201.12,  # 2,011.2 x 100 / 1000
        "depreciation": 8380000.0,  # 838 x 10,000
        "carrying_cost": 62000.0,  # 2 x 31 x 1,000
        "total_cost": 8507568.0,  # 65,568 + 8,380,000 + 62,000
        "gpu_hours": 1448064,  # 838 x 72 x 24
        "cost_per_gpu_hour": 5.8751,  # 8,507,568 / 1,448,064 = 5.87513.. (4 decimals)
    }
    assert cost["idle_cost"]["site_power"] == 62000.0
    (site,) = cost["sites"]
    assert [m["month"] for m in site["monthly"]] == ["2026-01", "2026-02", "2026-03"]
    assert [m["energy_mwh"] for m in site["monthly"]] == [595.2, 672.0, 744.0]
    assert cost["commitments"] == [
        {
            "commitment": "c",
            "customer": None,
            "price": 2.5,
            "short_gpu_hours": 58752.0,
            "revenue_at_risk": 146880.0,
        }
    ]


def test_plan_json_at(write_cap: WriteCap) -> None:
    cost = cli_cost(write_cap(BASE), "--at", "2026-02-10")
    assert cost["end"] == "2026-02-10"
    # (248 + 100) rack-days x 2.4 MWh = 835.2 MWh; x 40 EUR = 33,408 EUR.
    assert cost["fleet"]["energy_mwh"] == 835.2
    assert cost["fleet"]["energy_cost"] == 33408.0
    assert [m["month"] for m in cost["sites"][0]["monthly"]] == ["2026-01", "2026-02"]


def test_missing_inputs_are_null_in_json(write_cap: WriteCap) -> None:
    cost = cli_cost(write_cap(BASE.replace("price = 2.5 EUR/gpu-h", "")))
    assert cost["commitments"][0]["revenue_at_risk"] is None
    assert cost["commitments"][0]["price"] is None


def test_e212_second_currency_through_the_cli(write_cap: WriteCap) -> None:
    path = write_cap(BASE.replace("price = 2.5 EUR/gpu-h", "price = 2.5 USD/gpu-h"))
    run = run_capplan("validate", path, "--format", "json")
    assert run.returncode == 1, run
    (diagnostic,) = run.json()["diagnostics"]
    assert diagnostic["code"] == "E212"
    # The commitment is on the last line of the file (line 14), the rack's price on line 5.
    assert diagnostic["range"]["start"]["line"] == 14
    assert "USD" in diagnostic["summary"] and "EUR" in diagnostic["summary"]
    assert diagnostic["related"][0]["range"]["start"]["line"] == 5


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("load = 80%", "load = 120%", "E206"),  # a share over 100%
        ("load = 80%", "load = 0%", "E206"),  # a rack that draws nothing
        ("load = 80%", "load = 80 kW", "E205"),  # a power, not a share
        ("life = 12mo", "life = 0d", "E206"),
        ("life = 12mo", "life = 12 EUR", "E205"),
        ("capital_rate = 10%", "capital_rate = 150%", "E206"),
        ("price = 3_650_000 EUR", "price = 3 MW", "E205"),
        ("carbon = 100 gCO2/kWh", "carbon = 100 EUR/MWh", "E205"),
        ("price = 2.5 EUR/gpu-h", "price = 2.5 EUR/MWh", "E205"),
        ("2026-03-01: 20 EUR/MWh", "2026-03-01: 20 EUR", "E205"),
    ],
)
def test_dimension_and_range_errors_through_the_cli(
    write_cap: WriteCap, old: str, new: str, code: str
) -> None:
    assert old in BASE
    run = run_capplan("validate", write_cap(BASE.replace(old, new)), "--format", "json")
    assert run.returncode == 1, run
    assert [d["code"] for d in run.json()["diagnostics"]] == [code]


@pytest.mark.parametrize("format", ["text", "markdown"])
def test_plan_text_and_markdown_show_the_totals_and_largest_items(
    write_cap: WriteCap, format: str
) -> None:
    run = run_capplan("plan", write_cap(BASE), "--format", format, "--width", "160")
    assert run.returncode == 1, run  # E400: commitment c is missed
    out = run.stdout
    # The fleet row: 2,011.2 MWh, 65,568 EUR, 201.12 t (1 decimal), 8,380,000,
    # 62,000, 1,448,064 GPU-hours, 8,507,568 / 1,448,064 = 5.875.. -> 5.88.
    fleet = next(line for line in out.splitlines() if "fleet " in line and "2,011.2" in line)
    cells = ["2,011.2", "65,568", "201.1", "8,380,000", "62,000", "1,448,064", "5.88"]
    assert [c for c in cells if c not in fleet] == [], fleet
    assert "fleet cost 8,507,568 EUR over 1,448,064 GPU-hours live: 5.88 EUR per GPU-hour" in out
    # The 2 racks waiting 31 days for site power: one line, 62,000 EUR.
    assert "idle-capacity cost by cause: site power 62,000 EUR" in out
    # 58,752 short GPU-hours x 2.50 = 146,880 EUR at risk.
    row = next(line for line in out.splitlines() if "58,752" in line)
    assert "2.50" in row and "146,880" in row
    # Largest items: 8,380,000 / 8,507,568 = 98.5%, 65,568 / 8,507,568 = 0.8%.
    assert "depreciation at s 8,380,000 (98.5%); energy at s 65,568 (0.8%)" in out


def test_absent_figures_read_a_dash_in_text(write_cap: WriteCap) -> None:
    # No energy price: the energy cost, the total and the cost per GPU-hour are absent.
    text = BASE.replace("energy_price { 2026-01-01: 40 EUR/MWh  2026-03-01: 20 EUR/MWh }", "")
    run = run_capplan("plan", write_cap(text), "--format", "markdown")
    fleet = next(line for line in run.stdout.splitlines() if line.startswith("| fleet |"))
    # | fleet | 2,011.2 | - | 201.1 | 8,380,000 | 62,000 | 1,448,064 | - |
    assert fleet.split(" | ")[1:] == [
        "2,011.2",
        "-",
        "201.1",
        "8,380,000",
        "62,000",
        "1,448,064",
        "- |",
    ]


def test_a_horizon_to_9999_keeps_a_hundred_years_of_months_and_every_day_in_the_totals(
    write_cap: WriteCap,
) -> None:
    long = BASE.replace("end = 2026-03-31", "end = 9999-12-31")
    costs = costs_of(write_cap, long)
    (site,) = costs.sites
    # 1,200 calendar months from 2026-01: 2026-01 .. 2125-12; the series leaves out 2126-01 on.
    assert len(site.months) == 1200
    assert (site.months[0][0], site.months[-1][0]) == (date(2026, 1, 1), date(2125, 12, 1))
    assert site.series_end == date(2126, 1, 1)
    # Every day counts in the totals: 8 racks live from 2026-01-01 and 10 from 2026-02-01
    # to 9999-12-31, each rack-day 2.4 MWh.
    days = date(9999, 12, 31).toordinal() - date(2026, 1, 1).toordinal() + 1
    assert costs.fleet.energy_mwh == (8 * days + 2 * (days - 31)) * RACK_DAY_MWH
    # The series holds the first hundred years: 2026-01-01 .. 2125-12-31.
    series = date(2126, 1, 1).toordinal() - date(2026, 1, 1).toordinal()
    in_series = sum(figures.energy_mwh for _, figures in site.months)
    assert in_series == (8 * series + 2 * (series - 31)) * RACK_DAY_MWH
    run = run_capplan("plan", write_cap(long), "--format", "json")
    (json_site,) = run.json()["plan"]["cost"]["sites"]
    assert (len(json_site["monthly"]), json_site["monthly_ends"]) == (1200, "2126-01")
    short = run_capplan("plan", write_cap(BASE), "--format", "json").json()
    assert short["plan"]["cost"]["sites"][0]["monthly_ends"] is None
