"""Values at the edges of the calendar and of magnitude: coded diagnostics, never a crash.

Issue 11 (resolver part): order/lead time/install past 9999-12-31, the default
horizon past 9999-12-31, 0001-01-01 and 9999-12-31 as ordinary dates (no
internal sentinels), a model with no date (E201, never the clock), 10^400 GW
and 10^400 x 400 Gbps (E206 at validate, bound 10^15), a chain of 1,000 consts
in linear time, and duplicate label keys (E207).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.conftest import run_cli

# Six lines; whatever follows starts on line 7.
BASE = """
supplier acme { lead_time = 26w }
rack_type gb { gpus = 72  power = 132 kW  cooling = liquid }
site narvik {
  power = 10 MW
  hall h1 { positions = 10  cooling = liquid }
}
"""

BIG = "1" + "0" * 400  # 10^400


def validate(path: Path) -> Any:
    return run_cli("validate", str(path), "--format", "json")


def plan(path: Path) -> Any:
    return run_cli("plan", str(path), "--format", "json")


def codes_at(result: Any) -> list[tuple[str, int, int]]:
    out = []
    for d in result.diagnostics:
        start = d["range"]["start"]
        out.append((d["code"], start["line"], start["column"]))
    return out


def test_order_plus_lead_time_past_9999_is_e206(write_cap: Any) -> None:
    # 9999-11-01 + 26 weeks (182 days) is in year 10000; the default end
    # (9999-11-01 + 365 days) is past 9999-12-31 too: both are E206.
    lot = "lot l { supplier = acme  rack_type = gb  racks = 2  to = narvik  order = 9999-11-01 }\n"
    result = validate(write_cap(BASE + lot))
    assert result.exit_code == 1
    assert codes_at(result) == [("E206", 7, 66), ("E206", 7, 74)]
    arrival = result.diagnostics[0]
    assert arrival["summary"] == (
        "value out of range: the arrival, 9999-11-01 + 26w, is after 9999-12-31"
    )
    assert plan(write_cap(BASE + lot)).exit_code == 1


def test_a_huge_lead_time_is_e206_not_a_crash(write_cap: Any) -> None:
    source = BASE.replace("lead_time = 26w", "lead_time = 999999999999w") + (
        "lot l { supplier = acme  rack_type = gb  racks = 2  to = narvik  order = 2026-01-01 }\n"
        "plan p { end = 2027-01-01 }\n"
    )
    result = validate(write_cap(source))
    assert result.exit_code == 1
    assert [c for c, _, _ in codes_at(result)] == ["E206"]


def test_link_order_plus_lead_time_past_9999_is_e206(write_cap: Any) -> None:
    source = BASE + (
        "pop ix { country = NO }\n"
        "link k { from = narvik  to = ix  capacity = 400 Gbps  order = 9999-10-01  supplier = acme }\n"
        "plan p { end = 9999-12-31 }\n"
    )
    result = validate(write_cap(source))
    assert result.exit_code == 1
    assert [c for c, _, _ in codes_at(result)] == ["E206"]
    assert result.diagnostics[0]["summary"] == (
        "value out of range: the link's ready day, 9999-10-01 + 26w, is after 9999-12-31"
    )


def test_install_past_9999_is_e206(write_cap: Any) -> None:
    # 9999-12-25 + 2 weeks = year 10000.
    source = BASE.replace("cooling = liquid }", "cooling = liquid  install = 2w }", 1) + (
        "lot l { supplier = acme  rack_type = gb  racks = 2  to = narvik  arrive = 9999-12-25 }\n"
        "plan p { end = 9999-12-31 }\n"
    )
    result = validate(write_cap(source))
    assert result.exit_code == 1
    assert codes_at(result) == [("E206", 7, 66)]
    assert (
        "installing `gb` racks, 9999-12-25 + 2w, is after 9999-12-31"
        in result.diagnostics[0]["summary"]
    )


def test_default_horizon_past_9999_is_e206(write_cap: Any) -> None:
    lot = "lot l { supplier = acme  rack_type = gb  racks = 2  to = narvik  arrive = 9999-06-01 }\n"
    result = validate(write_cap(BASE + lot))
    assert result.exit_code == 1
    assert codes_at(result) == [("E206", 7, 75)]
    assert result.diagnostics[0]["suggestions"] == [
        "give the plan an `end` on or before 9999-12-31"
    ]


def test_a_schedule_key_of_0001_01_01_is_an_ordinary_date(write_cap: Any) -> None:
    # It used to be the marker of "plan start" and crashed plan. Start = 0001-01-01,
    # the default end = 0001-01-01 + 365 days = 0002-01-01 (year 1 is not a leap year).
    lot = "lot l { supplier = acme  rack_type = gb  racks = 2  to = narvik  arrive { 0001-01-01: 2 } }\n"
    result = plan(write_cap(BASE + lot))
    assert result.exit_code == 0, result.stdout
    report = result.json["plan"]
    assert (report["start"], report["end"]) == ("0001-01-01", "0002-01-01")
    assert report["lots"][0]["first_live"] == "0001-01-01"
    assert report["gpus_live_at_end"] == 144  # 2 racks x 72 GPUs


def test_only_calendar_edge_dates_never_read_the_clock(write_cap: Any) -> None:
    source = BASE + (
        "lot l { supplier = acme  rack_type = gb  racks = 2  to = narvik\n"
        "        arrive { 0001-01-01: 1  9999-12-31: 1 } }\n"
        "plan p { end = 9999-12-31 }\n"
    )
    result = plan(write_cap(source))
    assert result.exit_code == 0, result.stdout
    report = result.json["plan"]
    assert (report["start"], report["end"]) == ("0001-01-01", "9999-12-31")
    assert report["lots"][0]["last_live"] == "9999-12-31"


def test_a_model_without_dates_has_no_horizon(write_cap: Any) -> None:
    # validate accepts it (nothing is wrong with it); plan reports E201 at the
    # first declaration (line 1, column 10: `acme`) instead of using today.
    path = write_cap(BASE)
    assert validate(path).exit_code == 0
    result = plan(path)
    assert result.exit_code == 1
    assert result.json["plan"] is None
    diagnostics = result.json["diagnostics"]["diagnostics"]
    assert [
        (d["code"], d["range"]["start"]["line"], d["range"]["start"]["column"]) for d in diagnostics
    ] == [("E201", 1, 10)]
    assert diagnostics[0]["summary"] == "the model has no date, so no plan horizon"


def test_a_dateless_plan_block_gets_the_e201(write_cap: Any) -> None:
    result = plan(write_cap(BASE + 'plan p { description = "no dates" }\n'))
    assert result.exit_code == 1
    (diagnostic,) = result.json["diagnostics"]["diagnostics"]
    assert diagnostic["code"] == "E201"
    assert diagnostic["range"]["start"] == {
        "line": 7,
        "column": 6,
        "byte": diagnostic["range"]["start"]["byte"],
    }


def test_huge_power_is_e206_at_validate(write_cap: Any) -> None:
    result = validate(write_cap(BASE.replace("power = 10 MW", f"power = {BIG} GW")))
    assert result.exit_code == 1
    assert codes_at(result) == [("E206", 4, 11)]
    assert result.diagnostics[0]["summary"] == "value out of range: power is at most 10^15 W"


def test_huge_product_bandwidth_is_e206_at_validate(write_cap: Any) -> None:
    source = BASE + (
        "pop ix { country = NO }\n"
        f"link k {{ from = narvik  to = ix  capacity = {BIG} x 400 Gbps }}\n"
    )
    result = validate(write_cap(source))
    assert result.exit_code == 1
    assert codes_at(result) == [("E206", 8, 45)]  # the count before `x`
    assert plan(write_cap(source)).exit_code == 1  # refused, not an internal error


def test_the_bound_itself_is_accepted(write_cap: Any) -> None:
    # 10^15 W = 1,000,000 GW exactly is allowed; one watt more is not.
    ok = BASE.replace("power = 10 MW", "power = 1_000_000 GW") + (
        "lot l { supplier = acme  rack_type = gb  racks = 2  to = narvik  arrive = 2026-01-01 }\n"
    )
    assert validate(write_cap(ok)).exit_code == 0
    over = BASE.replace("power = 10 MW", "power = 1_000_000_000_000_001 W")
    assert [c for c, _, _ in codes_at(validate(write_cap(over)))] == ["E206"]


def test_huge_counts_are_e206(write_cap: Any) -> None:
    lot = f"lot l {{ supplier = acme  rack_type = gb  racks = {BIG}  to = narvik  arrive = 2026-01-01 }}\n"
    result = validate(write_cap(BASE + lot))
    assert codes_at(result) == [("E206", 7, 50)]


def test_a_chain_of_1000_consts_resolves_in_linear_time(write_cap: Any) -> None:
    def source(n: int) -> str:
        lines = ["const c0 = 5 MW", *(f"const c{i} = c{i - 1}" for i in range(1, n))]
        return "\n".join([*lines, f"site s {{ power = c{n - 1} }}", ""])

    def seconds(n: int) -> float:
        path = write_cap(source(n), f"chain{n}.cap")
        started = time.process_time()
        assert validate(path).exit_code == 0
        return time.process_time() - started

    seconds(100)  # warm-up
    small, large = min(seconds(250) for _ in range(2)), min(seconds(1000) for _ in range(2))
    # Linear: 4x the consts costs about 4x (cubic was 64x); allow noise up to 10x.
    assert large < 10 * small + 0.05, (small, large)


def test_a_const_cycle_is_reported_once(write_cap: Any) -> None:
    source = "const a = c\nconst b = a\nconst c = b\nsite s { power = b }\n"
    result = validate(write_cap(source))
    assert [c for c, _, _ in codes_at(result)] == ["E211"]


def test_duplicate_label_keys_are_e207(write_cap: Any) -> None:
    source = 'pop ix { labels { "team": "net"  "tier": "1"  "team": "ops" } }\n'
    result = validate(write_cap(source))
    assert result.exit_code == 1
    assert codes_at(result) == [("E207", 1, 47)]  # the second `"team"`
    diagnostic = result.diagnostics[0]
    assert diagnostic["summary"] == "label `team` is given twice"
    assert diagnostic["related"][0]["message"] == "first given here"
