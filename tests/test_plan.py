"""Acceptance tests of the planner: `capplan plan --format json` on small models.

Each test feeds a `.cap` file through the real CLI and asserts what a user sees:
the plan report (`plan.lots[..].go_live`, `plan.sites[..].timeline`,
`plan.commitments`, `plan.idle_gpu_days`) and the diagnostics (code, and the
line and column the range starts at). Every expected number is computed by hand
from the model with the arithmetic written in the test (LANGUAGE.md §4).

Conventions used in the arithmetic:
- a site holds IT power envelope x (1 - reserve) / pue; with pue 1.10 and
  reserve 5% that is envelope x 95 / 110 (integers: floor);
- idle GPU-days = racks x GPUs per rack x days waited, where a rack that goes
  live on day d waited the days [arrival, d), and a stranded rack waited up to
  and including the plan end.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from tests.conftest import CliResult, run_cli

# --------------------------------------------------------------------------- helpers


def days(first: str, last_exclusive: str) -> int:
    """Days from `first` up to (not including) `last_exclusive`."""
    return (date.fromisoformat(last_exclusive) - date.fromisoformat(first)).days


def plan(path: Path) -> CliResult:
    return run_cli("plan", str(path), "--format", "json")


def report(result: CliResult) -> dict[str, Any]:
    document = result.json
    assert document["plan"] is not None, result.stdout
    return document["plan"]  # type: ignore[no-any-return]


def diagnostics(result: CliResult, code: str | None = None) -> list[dict[str, Any]]:
    found = result.json["diagnostics"]["diagnostics"]
    return [d for d in found if code is None or d["code"] == code]


def codes(result: CliResult) -> list[str]:
    return [d["code"] for d in diagnostics(result)]


def only(result: CliResult, code: str) -> dict[str, Any]:
    found = diagnostics(result, code)
    assert len(found) == 1, (code, codes(result))
    return found[0]


def where(diagnostic: dict[str, Any]) -> tuple[int, int]:
    start = diagnostic["range"]["start"]
    return start["line"], start["column"]


def beyond_install(lot: dict[str, Any]) -> dict[str, int]:
    """A lot's idle GPU-days by cause beyond install, causes that cost nothing left out.

    The JSON map holds all six causes, install included (format 2).
    """
    idle: dict[str, int] = lot["idle_gpu_days"]
    return {cause: days for cause, days in idle.items() if cause != "install" and days}


def lot(result: CliResult, name: str) -> dict[str, Any]:
    return next(x for x in report(result)["lots"] if x["name"] == name)


def site(result: CliResult, name: str) -> dict[str, Any]:
    return next(x for x in report(result)["sites"] if x["name"] == name)


def go_live(result: CliResult, name: str) -> list[tuple[str, int, str]]:
    return [(p["day"], p["racks"], p["hall"]) for p in lot(result, name)["go_live"]]


def timeline(result: CliResult, name: str) -> list[tuple[str, int]]:
    return [(row["day"], row["racks"]) for row in site(result, name)["timeline"]]


def assert_firm(result: CliResult) -> None:
    """No site ever draws more than its usable envelope (§4 rule 2 (d))."""
    for s in report(result)["sites"]:
        for row in s["timeline"]:
            assert row["facility_mw"] <= row["usable_mw"], (s["name"], row)
            assert row["headroom_mw"] >= 0, (s["name"], row)


GB300 = 72  # GPUs per gb300 rack in every model below
H100 = 32  # GPUs per h100 rack
RACK_W = 132_000  # IT watts per gb300 rack


# --------------------------------------------------------------------------- 1. site envelope


ENVELOPE = """
plan p { start = 2026-01-01  end = 2026-12-31 }
supplier nvidia { supplies = gpus }
rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }
site narvik {
  pue = 1.10  reserve = 5%
  power { 2026-01-01: 20 MW  2026-06-01: 40 MW }
  hall a { positions = 500  cooling = liquid }
}
lot l1 { supplier = nvidia  rack_type = gb300  racks = 200  to = narvik.a  arrive = 2026-02-01 }
"""


def test_partial_energization_under_envelope_with_pue_and_reserve(write_cap: Any) -> None:
    result = plan(write_cap(ENVELOPE))
    # IT the site may hold: 20 MW x (1 - 5%) / 1.10 = 17,272,727 W -> 130 racks of 132 kW
    it_cap_w = 20_000_000 * 95 // 110
    assert it_cap_w == 17_272_727
    first_day = it_cap_w // RACK_W
    assert first_day == 130
    assert (first_day + 1) * RACK_W * 110 // 100 > 20_000_000 * 95 // 100  # a 131st breaks (d)
    # 40 MW -> 34,545,454 W -> 261 racks: the 70 others all fit on the step day
    assert 40_000_000 * 95 // 110 // RACK_W >= 200
    assert go_live(result, "l1") == [
        ("2026-02-01", 130, "narvik.a"),
        ("2026-06-01", 200 - 130, "narvik.a"),
    ]
    assert timeline(result, "narvik") == [
        ("2026-01-01", 0),
        ("2026-02-01", 130),
        ("2026-06-01", 200),
    ]
    row = site(result, "narvik")["timeline"][1]
    assert row["it_mw"] == 130 * 0.132  # 17.16 MW IT
    assert row["facility_mw"] == 18.876  # x 1.10
    assert row["usable_mw"] == 19.0  # 20 MW x 95%
    assert_firm(result)
    # the 70 late racks waited from 2026-02-01 to 2026-06-01 for site power
    idle = 70 * GB300 * days("2026-02-01", "2026-06-01")
    assert idle == 604_800
    assert beyond_install(lot(result, "l1")) == {"site_power": idle}
    assert report(result)["idle_gpu_days"]["site_power"] == idle
    warning = only(result, "W302")
    assert where(warning) == (9, 5)  # `l1` in `lot l1 {`
    assert "604,800" in warning["summary"] and "site power" in warning["summary"]
    # the envelope step that released the racks is shown: `2026-06-01: 40 MW` on line 6
    release = warning["related"][0]
    assert "2026-06-01" in release["message"]
    assert release["range"]["start"]["line"] == 6
    assert release["range"]["start"]["column"] == 30
    assert result.exit_code == 0  # a warning only


def test_rack_that_exactly_fits_the_envelope_goes_live(write_cap: Any) -> None:
    # 10 racks x 132 kW x pue 1.10 = 1,452,000 W of facility power; with reserve 0 an
    # envelope of exactly 1,452 kW takes all ten on the first day (no rounding loss).
    source = """
    plan p { start = 2026-01-01  end = 2026-12-31 }
    supplier nvidia { supplies = gpus }
    rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }
    site s {
      pue = 1.10
      power = 1452 kW
      hall a { positions = 50  cooling = liquid }
    }
    lot l1 { supplier = nvidia  rack_type = gb300  racks = 11  to = s.a  arrive = 2026-02-01 }
    """
    assert 10 * RACK_W * 110 // 100 == 1_452_000
    result = plan(write_cap(source))
    assert go_live(result, "l1") == [("2026-02-01", 10, "s.a")]
    assert lot(result, "l1")["stranded_racks"] == 1
    assert_firm(result)


# --------------------------------------------------------------------------- 2. step-down envelope


STEP_DOWN = """
plan p { start = 2026-01-01  end = 2026-12-31 }
supplier nvidia { supplies = gpus }
rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }
site narvik {
  pue = 1.10  reserve = 5%
  power { 2026-01-01: 20 MW  2026-06-01: 10 MW  2026-09-01: 30 MW }
  hall a { positions = 500  cooling = liquid }
}
lot early { supplier = nvidia  rack_type = gb300  racks = 100  to = narvik.a  arrive = 2026-02-01 }
lot late  { supplier = nvidia  rack_type = gb300  racks = 10   to = narvik.a  arrive = 2026-07-01 }
"""


def test_step_down_envelope_is_firm_capacity(write_cap: Any) -> None:
    result = plan(write_cap(STEP_DOWN))
    # 20 MW alone would hold 130 racks, but from 2026-06-01 the site holds only
    # 10 MW x 95 / 110 = 8,636,363 W -> 65 racks, and racks are never switched off:
    # only 65 may go live before the drop, the other 35 wait for 30 MW on 2026-09-01.
    assert 20_000_000 * 95 // 110 // RACK_W == 130
    after_drop = 10_000_000 * 95 // 110 // RACK_W
    assert after_drop == 65
    assert 30_000_000 * 95 // 110 // RACK_W == 196  # >= 100 + 10: everything fits then
    assert go_live(result, "early") == [
        ("2026-02-01", 65, "narvik.a"),
        ("2026-09-01", 100 - 65, "narvik.a"),
    ]
    # `late` arrives into the 10 MW window, which is full: it waits for 30 MW too
    assert go_live(result, "late") == [("2026-09-01", 10, "narvik.a")]
    assert timeline(result, "narvik") == [
        ("2026-01-01", 0),
        ("2026-02-01", 65),
        ("2026-06-01", 65),  # the drop: nothing goes dark, nothing was over the new level
        ("2026-09-01", 110),
    ]
    drop = site(result, "narvik")["timeline"][2]
    assert drop["envelope_mw"] == 10.0
    assert drop["usable_mw"] == 9.5
    assert drop["facility_mw"] == 9.438  # 65 x 132 kW x 1.10 = 9,438,000 W
    assert_firm(result)
    assert beyond_install(lot(result, "early")) == {
        "site_power": 35 * GB300 * days("2026-02-01", "2026-09-01")  # 35 x 72 x 212
    }
    assert beyond_install(lot(result, "late")) == {
        "site_power": 10 * GB300 * days("2026-07-01", "2026-09-01")  # 10 x 72 x 62
    }
    assert report(result)["idle_gpu_days"]["site_power"] == 35 * 72 * 212 + 10 * 72 * 62
    assert sorted(codes(result)) == ["W302", "W302"]
    assert result.exit_code == 0


# --------------------------------------------------------------------------- 3. hall power


def test_hall_power_limits_it_load_without_pue(write_cap: Any) -> None:
    source = """
    plan p { start = 2026-01-01  end = 2026-12-31 }
    supplier nvidia { supplies = gpus }
    rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }
    site s {
      power = 100 MW  pue = 1.5
      hall a {
        positions = 100  cooling = liquid
        power { 2026-01-01: 1 MW  2026-04-01: 2 MW }
      }
    }
    lot l1 { supplier = nvidia  rack_type = gb300  racks = 12  to = s.a  arrive = 2026-02-01 }
    """
    result = plan(write_cap(source))
    # hall power is IT power: 1,000,000 // 132,000 = 7 racks (PUE 1.5 does not apply),
    # then 2,000,000 // 132,000 = 15 >= 12: the other 5 go live on the step
    assert 1_000_000 // RACK_W == 7
    assert 2_000_000 // RACK_W == 15
    assert go_live(result, "l1") == [("2026-02-01", 7, "s.a"), ("2026-04-01", 5, "s.a")]
    idle = 5 * GB300 * days("2026-02-01", "2026-04-01")  # 5 x 72 x 59
    assert idle == 21_240
    assert beyond_install(lot(result, "l1")) == {"hall_power": idle}
    assert report(result)["idle_gpu_days"]["hall_power"] == idle
    warning = only(result, "W302")
    assert where(warning) == (11, 5)
    assert "hall power" in warning["summary"]
    # the related ranges show the hall power step that released them (line 8)
    lines = [r["range"]["start"]["line"] for r in warning["related"]]
    assert lines[0] == 8
    assert "2026-04-01" in warning["related"][0]["message"]


def test_hall_power_step_down_is_firm_too(write_cap: Any) -> None:
    source = """
    plan p { start = 2026-01-01  end = 2026-12-31 }
    supplier nvidia { supplies = gpus }
    rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }
    site s {
      power = 100 MW
      hall a {
        positions = 100  cooling = liquid
        power { 2026-01-01: 2 MW  2026-06-01: 1 MW }
      }
    }
    lot l1 { supplier = nvidia  rack_type = gb300  racks = 12  to = s.a  arrive = 2026-02-01 }
    """
    result = plan(write_cap(source))
    # 2 MW would take 15 racks, but 1 MW from 2026-06-01 on holds only 7 for good
    assert go_live(result, "l1") == [("2026-02-01", 1_000_000 // RACK_W, "s.a")]
    stranded = only(result, "E301")
    assert stranded["summary"].startswith("5 of 12 racks of lot `l1`")
    assert stranded["summary"].endswith(": hall power")


def test_waiting_cause_is_the_first_that_blocks(write_cap: Any) -> None:
    # Hall power releases on 2026-03-01, site power only on 2026-05-01. While both block,
    # the day is booked under hall power (it comes first in rule 5), then under site power.
    source = """
    plan p { start = 2026-01-01  end = 2026-12-31 }
    supplier nvidia { supplies = gpus }
    rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }
    site s {
      power { 2026-01-01: 1 MW  2026-05-01: 3 MW }
      hall a {
        positions = 100  cooling = liquid
        power { 2026-01-01: 1 MW  2026-03-01: 3 MW }
      }
    }
    lot l1 { supplier = nvidia  rack_type = gb300  racks = 10  to = s.a  arrive = 2026-02-01 }
    """
    result = plan(write_cap(source))
    assert go_live(result, "l1") == [("2026-02-01", 7, "s.a"), ("2026-05-01", 3, "s.a")]
    assert beyond_install(lot(result, "l1")) == {
        "hall_power": 3 * GB300 * days("2026-02-01", "2026-03-01"),  # 3 x 72 x 28
        "site_power": 3 * GB300 * days("2026-03-01", "2026-05-01"),  # 3 x 72 x 61
    }
    warning = only(result, "W302")
    assert warning["detail"] == "hall power: 6,048 GPU-days, site power: 13,176 GPU-days"
    assert "mostly for site power" in warning["summary"]


# --------------------------------------------------------------------------- 4. positions


def test_positions_limit_strands_the_rest(write_cap: Any) -> None:
    source = """
    plan p { start = 2026-01-01  end = 2026-12-31 }
    supplier nvidia { supplies = gpus }
    rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }
    site s {
      power = 100 MW
      hall a { positions = 8  cooling = liquid }
    }
    lot l1 { supplier = nvidia  rack_type = gb300  racks = 12  to = s.a  arrive = 2026-02-01 }
    """
    result = plan(write_cap(source))
    assert go_live(result, "l1") == [("2026-02-01", 8, "s.a")]
    assert lot(result, "l1")["stranded_racks"] == 12 - 8
    assert report(result)["stranded_racks"] == 4
    stranded = only(result, "E301")
    assert where(stranded) == (8, 5)
    assert stranded["summary"].startswith("4 of 12 racks of lot `l1`")
    assert stranded["summary"].endswith("positions")
    assert stranded["detail"].startswith(f"{4 * GB300} GPUs stranded")  # 288
    # the constraint is shown: `positions = 8` at line 6, column 12
    assert stranded["related"][0]["message"] == "8 positions"
    assert where(stranded["related"][0]) == (6, 12)
    # the 4 waited from arrival through the plan end (2026-02-01 .. 2026-12-31 inclusive)
    idle = 4 * GB300 * days("2026-02-01", "2027-01-01")  # 4 x 72 x 334
    assert report(result)["idle_gpu_days"]["positions"] == idle == 96_192
    assert site(result, "s")["gpus_live_at_end"] == 8 * GB300
    assert report(result)["gpus_planned"] == 12 * GB300
    assert result.exit_code == 1


# --------------------------------------------------------------------------- 5. cooling


def test_air_rack_into_liquid_hall_is_e300_at_the_lots_to(write_cap: Any) -> None:
    source = """
    plan p { start = 2026-01-01  end = 2026-12-31 }
    supplier nvidia { supplies = gpus }
    rack_type h100 { gpus = 32  power = 40 kW  cooling = air }
    site s {
      power = 100 MW
      hall a { positions = 500  cooling = liquid }
    }
    lot l1 {
      supplier = nvidia  rack_type = h100  racks = 12
      to = s.a
      arrive = 2026-02-01
    }
    """
    result = plan(write_cap(source))
    never = only(result, "E300")
    assert where(never) == (10, 3)  # `to = s.a`
    assert "`h100`" in never["summary"] and "`s.a`" in never["summary"]
    assert "liquid" in never["detail"] and "air" in never["detail"]
    assert "`l1` (12 racks)" in never["detail"]
    # the two cooling attributes are shown: the hall's (line 6) and the rack's (line 3)
    assert sorted(where(r) for r in never["related"]) == [(3, 44), (6, 29)]
    assert "E301" not in codes(result)  # not also reported as stranded
    assert result.exit_code == 1


def test_air_rack_sent_to_site_of_liquid_halls_is_e300(write_cap: Any) -> None:
    source = """
    plan p { start = 2026-01-01  end = 2026-12-31 }
    supplier nvidia { supplies = gpus }
    rack_type h100 { gpus = 32  power = 40 kW  cooling = air }
    site s {
      power = 100 MW
      hall a { positions = 500  cooling = liquid }
      hall b { positions = 500  cooling = liquid }
    }
    lot l1 { supplier = nvidia  rack_type = h100  racks = 12  to = s  arrive = 2026-02-01 }
    """
    result = plan(write_cap(source))
    never = only(result, "E300")
    assert where(never) == (9, 59)  # `to = s`
    assert result.exit_code == 1


def test_rack_over_site_or_hall_power_at_every_day_is_e300(write_cap: Any) -> None:
    source = """
    plan p { start = 2026-01-01  end = 2026-12-31 }
    supplier nvidia { supplies = gpus }
    rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }
    site s {
      pue = 1.10  reserve = 5%
      power = 150 kW
      hall a { positions = 10  cooling = liquid }
    }
    site t {
      power = 10 MW
      hall a { positions = 10  cooling = liquid  power = 100 kW }
    }
    lot l1 { supplier = nvidia  rack_type = gb300  racks = 2  to = s.a  arrive = 2026-02-01 }
    lot l2 { supplier = nvidia  rack_type = gb300  racks = 2  to = t    arrive = 2026-02-01 }
    """
    # s: 150 kW x 95 / 110 = 129,545 W of IT < 132 kW; t: its only hall holds 100 kW < 132 kW
    assert 150_000 * 95 // 110 == 129_545
    result = plan(write_cap(source))
    errors = diagnostics(result, "E300")
    assert [where(d) for d in errors] == [(13, 59), (14, 59)]  # each lot's `to`
    site_error, hall_error = errors
    assert "`s.a`" in site_error["summary"]
    assert (
        "(150 kW envelope x (1 - 5% reserve) / PUE 1.10 = 129.545 kW IT)" in (site_error["detail"])
    )
    assert "`t`" in hall_error["summary"]
    assert "more than hall `t.a` ever has (100 kW)" in hall_error["detail"]
    assert result.exit_code == 1


def test_hybrid_hall_takes_an_air_rack(write_cap: Any) -> None:
    source = """
    plan p { start = 2026-01-01  end = 2026-12-31 }
    supplier nvidia { supplies = gpus }
    rack_type h100 { gpus = 32  power = 40 kW  cooling = air }
    site s {
      power = 100 MW
      hall a { positions = 500  cooling = hybrid }
    }
    lot l1 { supplier = nvidia  rack_type = h100  racks = 12  to = s.a  arrive = 2026-02-01 }
    """
    result = plan(write_cap(source))
    assert go_live(result, "l1") == [("2026-02-01", 12, "s.a")]
    assert codes(result) == []
    assert result.exit_code == 0


# --------------------------------------------------------------------------- 6. priorities


PRIORITIES = """
plan p { start = 2026-01-01  end = 2026-12-31 }
supplier nvidia { supplies = gpus }
rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }
site s {
  power { 2026-01-01: 2 MW  2026-05-01: 4 MW }
  hall a { positions = 100  cooling = liquid }
}
lot low  { supplier = nvidia  rack_type = gb300  racks = 10  to = s.a  arrive = 2026-02-01 }
lot high { supplier = nvidia  rack_type = gb300  racks = 10  to = s.a  arrive = 2026-02-01 PRIORITY }
"""


def test_higher_priority_goes_first_when_capacity_is_short(write_cap: Any) -> None:
    # pue 1, reserve 0: 2 MW // 132 kW = 15 racks for 20 ready on 2026-02-01; 4 MW -> 30
    assert 2_000_000 // RACK_W == 15
    assert 4_000_000 // RACK_W >= 20
    result = plan(write_cap(PRIORITIES.replace("PRIORITY", "priority = 5")))
    assert go_live(result, "high") == [("2026-02-01", 10, "s.a")]
    assert go_live(result, "low") == [("2026-02-01", 5, "s.a"), ("2026-05-01", 5, "s.a")]
    assert beyond_install(lot(result, "high")) == {}
    assert beyond_install(lot(result, "low")) == {
        "site_power": 5 * GB300 * days("2026-02-01", "2026-05-01")  # 5 x 72 x 89
    }


def test_equal_priority_goes_in_declaration_order(write_cap: Any) -> None:
    result = plan(write_cap(PRIORITIES.replace("PRIORITY", "")))
    assert go_live(result, "low") == [("2026-02-01", 10, "s.a")]
    assert go_live(result, "high") == [("2026-02-01", 5, "s.a"), ("2026-05-01", 5, "s.a")]


def test_priority_does_not_override_an_earlier_ready_day(write_cap: Any) -> None:
    # rule 1 sorts by ready day first: `low` is ready a day earlier and takes 10 of 15
    source = PRIORITIES.replace("PRIORITY", "priority = 5").replace(
        "racks = 10  to = s.a  arrive = 2026-02-01 }", "racks = 10  to = s.a  arrive = 2026-01-31 }"
    )
    result = plan(write_cap(source))
    assert go_live(result, "low") == [("2026-01-31", 10, "s.a")]
    assert go_live(result, "high") == [("2026-02-01", 5, "s.a"), ("2026-05-01", 5, "s.a")]


# --------------------------------------------------------------------------- 7. hall ready


def test_hall_ready_date_holds_racks_back(write_cap: Any) -> None:
    source = """
    plan p { start = 2026-01-01  end = 2026-12-31 }
    supplier nvidia { supplies = gpus }
    rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }
    site s {
      power = 100 MW
      hall a { positions = 100  cooling = liquid  ready = 2026-03-01 }
      hall b { positions = 100  cooling = liquid  ready = 2026-01-15 }
    }
    lot to_a { supplier = nvidia  rack_type = gb300  racks = 10  to = s.a  arrive = 2026-02-01 }
    lot to_b { supplier = nvidia  rack_type = gb300  racks = 10  to = s.b  arrive = 2026-02-01 }
    """
    result = plan(write_cap(source))
    assert go_live(result, "to_a") == [("2026-03-01", 10, "s.a")]
    assert go_live(result, "to_b") == [("2026-02-01", 10, "s.b")]  # ready before arrival
    idle = 10 * GB300 * days("2026-02-01", "2026-03-01")  # 10 x 72 x 28
    assert idle == 20_160
    assert beyond_install(lot(result, "to_a")) == {"hall_not_ready": idle}
    assert beyond_install(lot(result, "to_b")) == {}
    assert report(result)["idle_gpu_days"]["hall_not_ready"] == idle
    warning = only(result, "W302")
    assert where(warning) == (9, 5)
    assert "hall not ready" in warning["summary"]
    assert where(warning["related"][0]) == (6, 47)  # `ready = 2026-03-01`


# --------------------------------------------------------------------------- 8. install time


def test_install_time_delays_go_live_and_is_counted_apart(write_cap: Any) -> None:
    source = """
    plan p { start = 2026-01-01  end = 2026-12-31 }
    supplier nvidia { supplies = gpus }
    rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid  install = 2w }
    site s {
      power = 100 MW
      hall a { positions = 100  cooling = liquid }
      hall late { positions = 100  cooling = liquid  ready = 2026-02-20 }
    }
    lot l1 { supplier = nvidia  rack_type = gb300  racks = 10  to = s.a     arrive = 2026-02-01 }
    lot l2 { supplier = nvidia  rack_type = gb300  racks = 5   to = s.late  arrive = 2026-02-01 }
    """
    result = plan(write_cap(source))
    # ready = max(arrival + 14 days, hall ready)
    assert go_live(result, "l1") == [("2026-02-15", 10, "s.a")]
    assert go_live(result, "l2") == [("2026-02-20", 5, "s.late")]
    assert lot(result, "l1")["idle_gpu_days"]["install"] == 10 * GB300 * 14 == 10_080
    assert beyond_install(lot(result, "l1")) == {}
    # l2: 14 days of install, then 5 more (2026-02-15 .. 2026-02-20) for the hall
    assert lot(result, "l2")["idle_gpu_days"]["install"] == 5 * GB300 * 14
    assert beyond_install(lot(result, "l2")) == {
        "hall_not_ready": 5 * GB300 * days("2026-02-15", "2026-02-20")
    }
    idle = report(result)["idle_gpu_days"]
    assert idle["install"] == (10 + 5) * GB300 * 14
    assert idle["hall_not_ready"] == 5 * 72 * 5
    # install alone is not "waiting beyond install": W302 only for l2
    assert [where(d) for d in diagnostics(result, "W302")] == [(10, 5)]
    assert result.exit_code == 0


# --------------------------------------------------------------------------- 9. stranded


STRANDED = """
plan p { start = 2026-01-01  end = 2026-12-31 }
supplier nvidia { supplies = gpus }
rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }
rack_type slow { gpus = 8  power = 10 kW  cooling = liquid  install = 2w }
site narvik {
  pue = 1.10  reserve = 5%
  power { 2026-01-01: 20 MW  2026-06-01: 10 MW }
  hall a { positions = 500  cooling = liquid }
}
lot big  { supplier = nvidia  rack_type = gb300  racks = 100  to = narvik.a  arrive = 2026-02-01 }
lot tail { supplier = nvidia  rack_type = slow   racks = 3    to = narvik.a  arrive = 2026-12-25 }
"""


def test_stranded_racks_at_plan_end(write_cap: Any) -> None:
    result = plan(write_cap(STRANDED))
    # after the drop the site holds 10 MW x 95 / 110 // 132 kW = 65 gb300 racks for good;
    # `tail` (3 x 10 kW) fits beside them: 65 x 132 + 30 = 8,610 kW <= 8,636,363 W
    assert 10_000_000 * 95 // 110 // RACK_W == 65
    assert 65 * RACK_W + 3 * 10_000 <= 10_000_000 * 95 // 110
    assert go_live(result, "big") == [("2026-02-01", 65, "narvik.a")]
    # `tail` arrives 2026-12-25 and needs 14 days of install: ready 2027-01-08 > plan end
    assert go_live(result, "tail") == []
    assert lot(result, "big")["stranded_racks"] == 35
    assert lot(result, "tail")["stranded_racks"] == 3
    assert report(result)["stranded_racks"] == 38
    errors = diagnostics(result, "E301")
    assert [where(d) for d in errors] == [(10, 5), (11, 5)]
    big, tail = errors
    assert big["summary"] == (
        "35 of 100 racks of lot `big` are not live by the plan end (2026-12-31): site power"
    )
    assert big["detail"] == f"{35 * GB300} GPUs stranded; 35 waiting on site power"  # 2520
    assert where(big["related"][0]) == (7, 3)  # the site envelope
    assert tail["summary"].startswith("3 of 3 racks of lot `tail`")
    assert tail["summary"].endswith(": install")
    # idle GPU-days by cause: through the plan end, i.e. up to 2027-01-01 exclusive
    site_power = 35 * GB300 * days("2026-02-01", "2027-01-01")  # 35 x 72 x 334
    assert site_power == 841_680
    install = 3 * 8 * days("2026-12-25", "2027-01-01")  # 3 x 8 x 7: install inside the horizon
    idle = report(result)["idle_gpu_days"]
    assert idle == {
        "install": install,
        "hall_not_ready": 0,
        "cooling": 0,
        "positions": 0,
        "hall_power": 0,
        "site_power": site_power,
    }
    assert lot(result, "tail")["idle_gpu_days"]["install"] == install
    # W302 for `big` only (install is not waiting beyond install), detail by cause
    waited = only(result, "W302")
    assert where(waited) == (10, 5)
    assert waited["detail"] == "site power: 841,680 GPU-days"
    assert site(result, "narvik")["gpus_live_at_end"] == 65 * GB300
    assert result.exit_code == 1


def test_lot_arriving_after_plan_end_is_stranded(write_cap: Any) -> None:
    source = """
    plan p { start = 2026-01-01  end = 2026-12-31 }
    supplier nvidia { supplies = gpus }
    rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }
    site s {
      power = 100 MW
      hall a { positions = 500  cooling = liquid }
    }
    lot l1 { supplier = nvidia  rack_type = gb300  racks = 4  to = s.a  arrive = 2027-02-01 }
    """
    result = plan(write_cap(source))
    assert go_live(result, "l1") == []
    stranded = only(result, "E301")
    assert stranded["summary"].startswith("4 of 4 racks of lot `l1`")
    assert "after the plan end" in stranded["summary"]
    assert where(only(result, "W404")) == (8, 78)  # `2027-02-01`
    # it never waited inside the horizon: no idle GPU-days
    assert sum(report(result)["idle_gpu_days"].values()) == 0


def test_stranded_cause_for_site_lot_points_at_the_consulted_hall(write_cap: Any) -> None:
    # rule 5: for a lot sent to a site the hall consulted is the first whose cooling
    # accepts the rack: `b` (air), not `a` (liquid, declared first)
    source = """
    plan p { start = 2026-01-01  end = 2026-12-31 }
    supplier nvidia { supplies = gpus }
    rack_type h100 { gpus = 32  power = 40 kW  cooling = air }
    site s {
      power = 100 MW
      hall a { positions = 500  cooling = liquid }
      hall b { positions = 10  cooling = air }
    }
    lot l1 { supplier = nvidia  rack_type = h100  racks = 12  to = s  arrive = 2026-02-01 }
    """
    result = plan(write_cap(source))
    assert go_live(result, "l1") == [("2026-02-01", 10, "s.b")]
    stranded = only(result, "E301")
    assert stranded["summary"].endswith(": positions")
    assert stranded["related"][0]["message"] == "10 positions"
    assert where(stranded["related"][0]) == (7, 12)  # hall b's `positions = 10`
    assert report(result)["idle_gpu_days"]["positions"] == 2 * H100 * days(
        "2026-02-01", "2027-01-01"
    )


# --------------------------------------------------------------------------- 10. commitments


COMMITMENTS = """
plan p { start = 2026-01-01  end = 2026-12-31 }
supplier nvidia { supplies = gpus }
rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }
site s {
  power { 2026-01-01: 2 MW  2026-05-01: 4 MW }
  hall a { positions = 100  cooling = liquid }
}
lot l1 { supplier = nvidia  rack_type = gb300  racks = 20  to = s.a  arrive = 2026-02-01 }
commitment alpha {
  customer = "Alpha"  site = s
  gpus { 2026-03-01: 720  2026-04-01: 1080  2026-06-01: 1440 }
}
commitment beta { site = s  gpus { 2026-04-01: 360  2026-06-01: 720 } }
"""


def test_commitments_met_and_missed_with_shared_scope(write_cap: Any) -> None:
    result = plan(write_cap(COMMITMENTS))
    # 2 MW // 132 kW = 15 racks from 2026-02-01 (1,080 GPUs), all 20 (1,440) from 2026-05-01
    assert go_live(result, "l1") == [("2026-02-01", 15, "s.a"), ("2026-05-01", 5, "s.a")]
    live = {"2026-03-01": 15 * GB300, "2026-04-01": 15 * GB300, "2026-06-01": 20 * GB300}
    # the requirement on a date is the sum of the levels of both commitments of scope {s}
    # (beta's level before its first date is 0)
    required = {
        "2026-03-01": 720 + 0,
        "2026-04-01": 1080 + 360,
        "2026-06-01": 1440 + 720,
    }
    rows = {(r["commitment"], r["day"]): r for r in report(result)["commitments"]}
    assert sorted(rows) == [
        ("alpha", "2026-03-01"),
        ("alpha", "2026-04-01"),
        ("alpha", "2026-06-01"),
        ("beta", "2026-04-01"),
        ("beta", "2026-06-01"),
    ]
    for (_name, day), row in rows.items():
        assert row["required"] == required[day]
        assert row["live"] == live[day]
        assert row["met"] is (live[day] >= required[day])
        assert row["shortfall"] == max(0, required[day] - live[day])
    assert rows[("alpha", "2026-03-01")]["met"] is True  # 1,080 >= 720
    assert rows[("alpha", "2026-04-01")]["shortfall"] == 1440 - 1080 == 360
    assert rows[("alpha", "2026-06-01")]["shortfall"] == 2160 - 1440 == 720
    assert rows[("alpha", "2026-03-01")]["customer"] == "Alpha"
    # one E400 per commitment date missed, at that date's entry
    missed = diagnostics(result, "E400")
    assert [where(d) for d in missed] == [(11, 27), (11, 45), (13, 36), (13, 53)]
    april = missed[0]
    assert april["summary"] == (
        "commitment `alpha` for Alpha not met on 2026-04-01: 1,080 of 1,440 GPUs live, "
        "short 360 (site power)"
    )
    assert april["detail"].splitlines()[0] == (
        "on 2026-04-01: required 1,440 GPUs at s, live 1,080, shortfall 360"
    )
    # on 2026-04-01 the 5 racks not live wait for site power: 5 x 72 = 360 GPUs
    assert april["detail"].splitlines()[1] == (
        "GPUs in scope not live on 2026-04-01: 360 waiting for site power"
    )
    assert "`beta` 360" in april["detail"]
    assert april["related"][0]["message"] == "`beta` shares this scope"
    # on 2026-06-01 every planned rack is live: the shortfall is not planned at all
    june = missed[1]
    assert "short 720 (not enough GPUs planned)" in june["summary"]
    assert "not live on 2026-06-01: 720 not planned in any lot" in june["detail"]
    assert result.exit_code == 1


def test_commitment_scope_is_sites_and_rack_type(write_cap: Any) -> None:
    source = """
    plan p { start = 2026-01-01  end = 2026-12-31 }
    supplier nvidia { supplies = gpus }
    rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }
    rack_type h100 { gpus = 32  power = 40 kW  cooling = air }
    site s1 {
      power = 100 MW
      hall a { positions = 100  cooling = hybrid }
    }
    site s2 {
      power = 100 MW
      hall a { positions = 100  cooling = hybrid }
    }
    lot g1 { supplier = nvidia  rack_type = gb300  racks = 10  to = s1  arrive = 2026-02-01 }
    lot h1 { supplier = nvidia  rack_type = h100   racks = 10  to = s1  arrive = 2026-02-01 }
    lot g2 { supplier = nvidia  rack_type = gb300  racks = 5   to = s2  arrive = 2026-02-01 }
    commitment gb_only { site = s1  rack_type = gb300  gpus { 2026-03-01: 720 } }
    commitment any_s1  { site = s1  gpus { 2026-03-01: 1000 } }
    commitment pool    { sites = [s1, s2]  gpus = 1400 }
    """
    result = plan(write_cap(source))
    rows = {r["commitment"]: r for r in report(result)["commitments"]}
    # different scopes are not added together
    assert rows["gb_only"]["required"] == 720
    assert rows["gb_only"]["live"] == 10 * GB300  # the h100s do not count
    assert rows["any_s1"]["required"] == 1000
    assert rows["any_s1"]["live"] == 10 * GB300 + 10 * H100 == 1040
    # a plain count is due at the plan end, over both sites
    assert rows["pool"]["day"] == "2026-12-31"
    assert rows["pool"]["live"] == 10 * 72 + 10 * 32 + 5 * 72 == 1400
    assert all(r["met"] for r in rows.values())
    assert "E400" not in codes(result)
    assert result.exit_code == 0


def test_commitment_main_cause_counts_each_waiting_rack(write_cap: Any) -> None:
    # 160 racks arrive 2026-02-01 at a hall of 60 positions, with no site power before
    # 2026-06-01. On 2026-05-01: 60 racks wait for site power, the other 100 can never
    # find a position: positions holds back more GPUs and is the main cause.
    source = """
    plan p { start = 2026-01-01  end = 2026-12-31 }
    supplier nvidia { supplies = gpus }
    rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }
    site s {
      power { 2026-06-01: 100 MW }
      hall a { positions = 60  cooling = liquid }
    }
    lot l1 { supplier = nvidia  rack_type = gb300  racks = 160  to = s.a  arrive = 2026-02-01 }
    commitment c { site = s  gpus { 2026-05-01: 11520 } }
    """
    result = plan(write_cap(source))
    assert go_live(result, "l1") == [("2026-06-01", 60, "s.a")]
    missed = only(result, "E400")
    assert where(missed) == (9, 33)
    assert missed["summary"].endswith(f"short {160 * GB300:,} (positions)")  # 11,520
    assert missed["detail"].splitlines()[1] == (
        "GPUs in scope not live on 2026-05-01: "
        f"{100 * GB300:,} waiting for free positions, {60 * GB300:,} waiting for site power"
    )


def test_commitment_shortfall_not_delivered_yet(write_cap: Any) -> None:
    source = """
    plan p { start = 2026-01-01  end = 2026-12-31 }
    supplier nvidia { supplies = gpus }
    rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }
    site s {
      power = 100 MW
      hall a { positions = 60  cooling = liquid }
    }
    lot l1 { supplier = nvidia  rack_type = gb300  racks = 10  to = s.a  arrive = 2026-04-01 }
    commitment c { site = s  gpus { 2026-03-31: 720 } }
    """
    result = plan(write_cap(source))
    missed = only(result, "E400")
    assert "0 of 720 GPUs live, short 720 (not delivered by then)" in missed["summary"]


# --------------------------------------------------------------------------- 11. lead times


def test_lot_arriving_before_order_plus_lead_time_is_e401(write_cap: Any) -> None:
    source = """
    plan p { start = 2026-01-01  end = 2026-12-31 }
    supplier nvidia { supplies = gpus  lead_time = 10w }
    rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }
    site s {
      power = 100 MW
      hall a { positions = 100  cooling = liquid }
    }
    lot l1 {
      supplier = nvidia  rack_type = gb300  racks = 10  to = s.a
      order = 2026-01-05
      arrive { 2026-03-01: 4  2026-03-16: 6 }
    }
    lot l2 { supplier = nvidia  rack_type = gb300  racks = 1  to = s.a  order = 2026-01-05 }
    """
    result = plan(write_cap(source))
    # 2026-01-05 + 10 weeks = 2026-01-05 + 70 days = 2026-03-16: the first tranche is early
    early = only(result, "E401")
    assert where(early) == (11, 12)  # the `2026-03-01: 4` entry
    assert early["summary"] == (
        "lot `l1` arrives 2026-03-01, before order + lead time (2026-03-16)"
    )
    assert "4 racks in 1 tranche" in early["detail"]
    assert f"{days('2026-03-01', '2026-03-16')} days early" in early["detail"]  # 15
    assert [where(r) for r in early["related"]] == [(10, 3), (2, 36)]  # order, lead_time
    assert result.exit_code == 1


def test_arrival_derived_from_order_is_not_early(write_cap: Any) -> None:
    source = """
    plan p { start = 2026-01-01  end = 2026-12-31 }
    supplier nvidia { supplies = gpus  lead_time = 10w }
    rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }
    site s {
      power = 100 MW
      hall a { positions = 100  cooling = liquid }
    }
    lot l2 { supplier = nvidia  rack_type = gb300  racks = 2  to = s.a  order = 2026-01-05 }
    """
    result = plan(write_cap(source))
    # arrive = order + lead time = 2026-01-05 + 70 days
    assert go_live(result, "l2") == [("2026-03-16", 2, "s.a")]
    assert lot(result, "l2")["arrivals"] == [["2026-03-16", 2]]
    assert codes(result) == []
    assert result.exit_code == 0


def test_link_ready_before_order_plus_lead_time_is_e403(write_cap: Any) -> None:
    source = """
    plan p { start = 2026-01-01  end = 2026-12-31 }
    supplier nokia { supplies = optics  lead_time = 16w }
    site s { power = 1 MW }
    pop ix { }
    link early {
      from = s  to = ix  capacity = 400 Gbps
      supplier = nokia  order = 2026-01-05
      ready = 2026-04-01
    }
    link on_time {
      from = s  to = ix  capacity = 400 Gbps
      supplier = nokia  order = 2026-01-05
      ready = 2026-04-27
    }
    """
    result = plan(write_cap(source))
    # 2026-01-05 + 16 weeks = 2026-01-05 + 112 days = 2026-04-27
    late = only(result, "E403")
    assert where(late) == (8, 3)  # `ready = 2026-04-01` of link `early`
    assert late["summary"] == (
        "link `early` is ready 2026-04-01, before order + lead time (2026-04-27)"
    )
    assert [where(r) for r in late["related"]] == [(7, 21), (2, 37)]
    assert result.exit_code == 1


# --------------------------------------------------------------------------- 12. allocations


ALLOCATION = """
plan p { start = 2026-01-01  end = 2026-12-31 }
supplier nvidia { supplies = gpus  allocation = 10 racks/mo }
supplier dell {
  supplies = integration
  allocation { 2026-01-01: 400 gpus/w  2026-04-08: 2000 gpus/w }
}
rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }
site s {
  power = 100 MW
  hall a { positions = 1000  cooling = liquid }
}
lot n1 { supplier = nvidia  rack_type = gb300  racks = 12  to = s.a
         arrive { 2026-02-27: 8  2026-03-02: 4 } }
lot n2 { supplier = nvidia  via = dell  rack_type = gb300  racks = 6  to = s.a
         arrive { 2026-02-28: 3  2026-03-01: 3 } }
lot d1 { supplier = dell  rack_type = gb300  racks = 6  to = s.a  arrive = 2026-04-09 }
lot d2 { supplier = dell  rack_type = gb300  racks = 5  to = s.a  arrive = 2026-04-13 }
"""


def test_allocation_exceeded_by_month_and_by_iso_week(write_cap: Any) -> None:
    result = plan(write_cap(ALLOCATION))
    errors = diagnostics(result, "E402")
    by_summary = {d["summary"]: d for d in errors}
    # nvidia, racks per calendar month, counting n1 (supplier) and n2 (supplier, via dell):
    #   2026-02: n1 8 (02-27) + n2 3 (02-28) = 11 > 10
    #   2026-03: n1 4 (03-02) + n2 3 (03-01) = 7 <= 10
    feb = "`nvidia` allocation exceeded in 2026-02: 11 racks scheduled, 10 allowed"
    assert 8 + 3 == 11
    # dell, GPUs per ISO week (Monday..Sunday), counting n2 (via) and d1, d2 (supplier):
    #   2026-W09 is Mon 2026-02-23 .. Sun 2026-03-01: it spans the month boundary and is
    #   one period: n2 3 + 3 racks = 6 x 72 = 432 GPUs > 400
    #   2026-W10 (03-02 ..): nothing from dell
    #   2026-W15 is Mon 2026-04-06 .. Sun 04-12: d1 6 x 72 = 432 GPUs, against the level in
    #   force on the Monday (400; 2000 only from Wednesday 2026-04-08) -> exceeded
    #   2026-W16 (Mon 04-13): d2 5 x 72 = 360 <= 2000
    assert date(2026, 2, 23).isocalendar()[1:] == (9, 1)
    assert date(2026, 3, 1).isocalendar()[1:] == (9, 7)
    assert date(2026, 4, 6).isocalendar()[1:] == (15, 1)
    assert date(2026, 4, 9).isocalendar()[1:] == (15, 4)
    w09 = f"`dell` allocation exceeded in 2026-W09: {6 * GB300} gpus scheduled, 400 allowed"
    w15 = f"`dell` allocation exceeded in 2026-W15: {6 * GB300} gpus scheduled, 400 allowed"
    assert sorted(by_summary) == sorted([feb, w09, w15])  # one per supplier and period
    assert len(errors) == 3
    assert where(by_summary[feb]) == (2, 49)  # `10 racks/mo`
    assert where(by_summary[w09]) == (5, 16)  # the `2026-01-01: 400 gpus/w` entry
    assert where(by_summary[w15]) == (5, 16)  # still the entry in force on the Monday
    assert by_summary[feb]["detail"].startswith("over by 1 racks")
    assert by_summary[w09]["detail"].startswith(f"over by {432 - 400} gpus")
    # the lots that deliver in the period are shown
    assert [r["message"] for r in by_summary[feb]["related"]] == [
        "`n1` delivers in 2026-02",
        "`n2` delivers in 2026-02",
    ]
    assert [r["message"] for r in by_summary[w09]["related"]] == ["`n2` delivers in 2026-W09"]
    assert result.exit_code == 1


def test_plain_allocation_holds_in_the_plans_first_partial_period(write_cap: Any) -> None:
    # A plain allocation holds from the plan start. The plan starts mid-month and on a
    # Thursday: the first month/week begins before the plan, yet the allocation applies.
    source = """
    plan p { start = 2026-01-15  end = 2026-12-31 }
    supplier nvidia { supplies = gpus  allocation = 10 racks/mo }
    supplier dell { supplies = integration  allocation = 1000 gpus/w }
    rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }
    site s {
      power = 100 MW
      hall a { positions = 1000  cooling = liquid }
    }
    lot l1 { supplier = nvidia  via = dell  rack_type = gb300  racks = 2  to = s.a
             arrive = 2026-01-16 }
    """
    assert date(2026, 1, 15).isoweekday() == 4
    result = plan(write_cap(source))
    # 2 racks <= 10 racks/mo; 2 x 72 = 144 GPUs <= 1000 gpus/w
    assert "E402" not in codes(result)
    assert result.exit_code == 0


# --------------------------------------------------------------------------- 13. W404


def test_date_outside_the_horizon_is_only_a_warning(write_cap: Any) -> None:
    source = """
    plan p { start = 2026-01-01  end = 2026-12-31 }
    supplier nvidia { supplies = gpus }
    rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }
    site s {
      power = 100 MW
      hall a { positions = 100  cooling = liquid  ready = 2025-12-01 }
    }
    lot l1 { supplier = nvidia  rack_type = gb300  racks = 2  to = s.a  arrive = 2026-01-16 }
    """
    result = plan(write_cap(source))
    warning = only(result, "W404")
    assert where(warning) == (6, 55)  # `2025-12-01`
    assert warning["severity"] == "warning"
    assert warning["summary"] == "2025-12-01 lies before the plan starts (2026-01-01)"
    assert go_live(result, "l1") == [("2026-01-16", 2, "s.a")]
    assert result.json["diagnostics"]["valid"] is True
    assert result.json["diagnostics"]["warning_count"] == 1
    assert result.exit_code == 0


# --------------------------------------------------------------------------- 14. lot to a site


def test_site_lot_fills_halls_in_declaration_order(write_cap: Any) -> None:
    source = """
    plan p { start = 2026-01-01  end = 2026-12-31 }
    supplier nvidia { supplies = gpus }
    rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }
    site s {
      power = 100 MW
      hall air  { positions = 100  cooling = air }
      hall first  { positions = 4  cooling = liquid }
      hall second { positions = 5  cooling = liquid }
      hall third  { positions = 5  cooling = hybrid }
    }
    lot l1 { supplier = nvidia  rack_type = gb300  racks = 7  to = s  arrive = 2026-01-16 }
    lot l2 { supplier = nvidia  rack_type = gb300  racks = 5  to = s  arrive = 2026-01-20 }
    """
    result = plan(write_cap(source))
    # `air` does not accept liquid racks; `first` takes 4, the 3 others spill into `second`
    assert go_live(result, "l1") == [("2026-01-16", 4, "s.first"), ("2026-01-16", 3, "s.second")]
    # then `second` has 5 - 3 = 2 positions left and `third` (hybrid) takes the rest
    assert go_live(result, "l2") == [("2026-01-20", 2, "s.second"), ("2026-01-20", 3, "s.third")]
    assert codes(result) == []


def test_site_lot_takes_the_earliest_day_before_declaration_order(write_cap: Any) -> None:
    source = """
    plan p { start = 2026-01-01  end = 2026-12-31 }
    supplier nvidia { supplies = gpus }
    rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }
    site s {
      power = 100 MW
      hall a { positions = 100  cooling = liquid  ready = 2026-03-01 }
      hall b { positions = 4  cooling = liquid }
    }
    lot l1 { supplier = nvidia  rack_type = gb300  racks = 6  to = s  arrive = 2026-02-01 }
    """
    result = plan(write_cap(source))
    # on 2026-02-01 only `b` accepts racks: 4 there; the other 2 go to `a` when it is ready
    assert go_live(result, "l1") == [("2026-02-01", 4, "s.b"), ("2026-03-01", 2, "s.a")]
    # the hall consulted for the waiting cause is `a` (first in declaration order)
    assert beyond_install(lot(result, "l1")) == {
        "hall_not_ready": 2 * GB300 * days("2026-02-01", "2026-03-01")
    }


# --------------------------------------------------------------------------- several errors


def test_supply_error_does_not_hide_schedule_errors(write_cap: Any) -> None:
    source = """
    plan p { start = 2026-01-01  end = 2026-12-31 }
    supplier nvidia { supplies = gpus  lead_time = 10w }
    rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }
    site s {
      power = 100 MW
      hall a { positions = 8  cooling = liquid }
    }
    lot l1 { supplier = nvidia  rack_type = gb300  racks = 12  to = s.a
             order = 2026-01-05  arrive = 2026-02-01 }
    commitment c { site = s  gpus { 2026-03-01: 864 } }
    """
    result = plan(write_cap(source))
    # 2026-01-05 + 70 days = 2026-03-16 > 2026-02-01: E401; 8 positions for 12 racks: E301;
    # 12 x 72 = 864 GPUs due, 8 x 72 = 576 live: E400; the 4 stranded racks wait on
    # positions from 2026-02-01 through 2026-12-31 (334 days): W302 gives those GPU-days
    assert sorted(codes(result)) == ["E301", "E400", "E401", "W302"]
    assert go_live(result, "l1") == [("2026-02-01", 8, "s.a")]
