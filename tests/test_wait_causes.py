"""The wait cause tells the truth (LANGUAGE.md v0.2 §4 rule 5), through the real CLI.

For a lot sent to a site the cause is read in the hall the rack goes live in; the
first accepting hall only for stranded racks; cooling when no hall of the site
accepts the rack. Idle GPU-days = racks x GPUs per rack x days waited.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from tests.conftest import CliResult, run_cli


def days(first: str, last_exclusive: str) -> int:
    return (date.fromisoformat(last_exclusive) - date.fromisoformat(first)).days


def plan(path: Path, *extra: str) -> CliResult:
    return run_cli("plan", str(path), *extra)


def only(result: CliResult, code: str) -> dict[str, Any]:
    found = [d for d in result.json["diagnostics"]["diagnostics"] if d["code"] == code]
    assert len(found) == 1, [d["code"] for d in result.json["diagnostics"]["diagnostics"]]
    return found[0]


SITE_POWER = """
plan p { start = 2026-01-01  end = 2026-12-31 }
supplier nvidia { supplies = racks }
rack_type gb300 { gpus = 72  power = 100 kW  cooling = liquid }
site s {
  power { 2026-01-01: 300 kW  2026-06-01: 1 MW }
  hall a { positions = 2  cooling = liquid }
  hall b { positions = 10  cooling = liquid }
}
lot l { supplier = nvidia  rack_type = gb300  racks = 5  to = s  arrive = 2026-03-02 }
commitment c { gpus { 2026-04-30: 360 }  site = s }
"""


def test_racks_waiting_for_site_power_while_the_first_hall_is_full(write_cap: Any) -> None:
    # 300 kW holds 3 racks of 100 kW (pue 1, no reserve). On 2026-03-02 hall a takes 2
    # (its positions), hall b takes 1; the other 2 wait in hall b, which has room: only the
    # envelope holds them, until 1 MW on 2026-06-01. Read in b, the cause is site power
    # (v0.1 read it in a, the first liquid hall, which is full: "positions").
    path = write_cap(SITE_POWER)
    result = plan(path, "--format", "json")
    lot = result.json["plan"]["lots"][0]
    assert [(p["day"], p["racks"], p["hall"]) for p in lot["go_live"]] == [
        ("2026-03-02", 2, "s.a"),
        ("2026-03-02", 1, "s.b"),
        ("2026-06-01", 2, "s.b"),
    ]
    waited = 2 * 72 * days("2026-03-02", "2026-06-01")
    assert waited == 2 * 72 * (30 + 30 + 31) == 13_104
    assert lot["idle_gpu_days"]["site_power"] == waited
    assert lot["idle_gpu_days"]["positions"] == 0
    assert lot["main_cause"] == "site_power"

    w302 = only(result, "W302")
    assert w302["summary"] == (
        "racks of lot `l` wait 13,104 idle GPU-days beyond install, mostly for site power"
    )
    assert w302["detail"] == "site power: 13,104 GPU-days"

    # 2026-04-30: required 360 = 5 x 72, live 3 x 72 = 216, short 144 = the 2 racks above
    e400 = only(result, "E400")
    assert e400["summary"] == (
        "commitment `c` not met on 2026-04-30: 216 of 360 GPUs live, short 144 (site power)"
    )
    assert "GPUs in scope not live on 2026-04-30: 144 waiting for site power" in e400["detail"]

    # the lots table of the text report names the same cause
    text = plan(path).stdout
    row = next(line for line in text.splitlines() if line.startswith("│ l "))
    assert "13,104" in row and "site power" in row


AIR_TO_LIQUID = """
plan p { start = 2026-01-01  end = 2026-03-31 }
supplier s { supplies = racks }
rack_type air1 { gpus = 8  power = 10 kW  cooling = air }
site x1 {
  power = 1 MW
  hall liquid { positions = 10  cooling = liquid  ready = 2026-02-01 }
}
lot l { supplier = s  rack_type = air1  racks = 1  to = x1  arrive = 2026-01-01 }
"""


def test_no_accepting_hall_is_cooling_not_hall_not_ready(write_cap: Any) -> None:
    # The site's only hall is liquid-cooled: no hall accepts the air rack, so every day it
    # waits is "cooling" (v0.1 booked "hall not ready" until 2026-02-01 first). E300 says
    # it can never go live, and the lots table counts 1 x 8 x 90 days (Jan 31 + Feb 28 +
    # Mar 31 = 90, to the plan end inclusive) under cooling.
    result = plan(write_cap(AIR_TO_LIQUID), "--format", "json")
    assert [d["code"] for d in result.json["diagnostics"]["diagnostics"]] == ["E300"]
    lot = result.json["plan"]["lots"][0]
    assert lot["idle_gpu_days"]["cooling"] == 1 * 8 * (31 + 28 + 31) == 720
    assert lot["idle_gpu_days"]["hall_not_ready"] == 0
