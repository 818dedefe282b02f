"""Scenarios (LANGUAGE.md §9): `override` / `remove`, by import and by `--scenario`.

The base model, by hand (pue 1, reserve 0, rack 100 kW, 72 GPUs):
- l1: 5 racks arrive 2026-01-10 into hall h (1 MW until 2026-03-01): live that day.
- l2: 10 racks arrive 2026-02-01; 5 more fit under 1 MW (10 x 100 kW = 1 MW), the other
  5 wait for the 2 MW step of 2026-03-01: 5 racks x 72 GPUs x 28 days = 10,080 idle
  GPU-days for hall power (the hall's limit is checked before the site's).
- commitment c: 720 GPUs by 2026-02-15; live then 10 racks = 720: met.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import CliResult, run_cli
from tests.test_plan import beyond_install

BASE = """
plan p { start = 2026-01-01  end = 2026-12-31 }
supplier nv { supplies = gpus }
rack_type r { gpus = 72  power = 100 kW  cooling = liquid }
site s {
  power { 2026-01-01: 1 MW  2026-03-01: 2 MW }
  hall h { positions = 100  cooling = liquid  power { 2026-01-01: 1 MW  2026-03-01: 2 MW } }
}
lot l1 { supplier = nv  rack_type = r  racks = 5  to = s.h  arrive = 2026-01-10 }
lot l2 { supplier = nv  rack_type = r  racks = 10  to = s.h  arrive = 2026-02-01 }
commitment c { site = s  gpus { 2026-02-15: 720 } }
"""


def plan_json(path: Path, *extra: str) -> CliResult:
    return run_cli("plan", str(path), "--format", "json", *extra)


def lots(result: CliResult) -> dict[str, dict[str, Any]]:
    return {lot["name"]: lot for lot in result.json["plan"]["lots"]}


def codes(result: CliResult) -> list[str]:
    return sorted(d["code"] for d in result.json["diagnostics"]["diagnostics"])


def test_override_by_import_replaces_an_attribute(write_cap: Any) -> None:
    write_cap(BASE, "base.cap")
    # l2 now arrives 2026-02-20: 5 racks live that day, 5 wait to 03-01 (9 days):
    # 5 x 72 x 9 = 3,240 GPU-days; on 02-15 only l1's 360 GPUs are live: 720 - 360 = 360 short.
    scenario = write_cap('import "base.cap"\noverride lot l2 { arrive = 2026-02-20 }\n', "late.cap")
    result = plan_json(scenario)
    assert result.exit_code == 1
    l2 = lots(result)["l2"]
    assert (l2["first_live"], l2["last_live"]) == ("2026-02-20", "2026-03-01")
    assert beyond_install(l2) == {"hall_power": 3240}
    (row,) = result.json["plan"]["commitments"]
    assert (row["live"], row["shortfall"], row["met"]) == (360, 360, False)
    assert "E400" in codes(result)


def test_override_by_scenario_flag_and_order(write_cap: Any, tmp_path: Path) -> None:
    base = write_cap(BASE, "base.cap")
    first = write_cap("override lot l2 { arrive = 2026-02-20 }\n", "scen/a.cap")
    # applied after the first: l2 arrives 2026-03-05, after the step: all 10 live that day.
    second = write_cap("override lot l2 { arrive = 2026-03-05 }\n", "scen/b.cap")
    result = plan_json(base, "--scenario", str(first), "--scenario", str(second))
    l2 = lots(result)["l2"]
    assert (l2["first_live"], l2["last_live"], beyond_install(l2)) == (
        "2026-03-05",
        "2026-03-05",
        {},
    )
    # validate and render take the flag as well
    assert run_cli("validate", str(base), "--scenario", str(first)).exit_code == 0
    # (with the commitment moved to 03-31, when all 15 racks = 1,080 GPUs are live)
    moved = write_cap("override commitment c { gpus { 2026-03-31: 1080 } }\n", "scen/c.cap")
    out = tmp_path / "out"
    rendered = run_cli(
        "render", str(base), "-o", str(out), "--scenario", str(second), "--scenario", str(moved)
    )
    assert rendered.exit_code == 0, rendered.stderr


def test_map_replaced_as_a_whole_and_hall_override(write_cap: Any) -> None:
    base = write_cap(BASE, "base.cap")
    # The hall's power schedule is replaced by a plain 2 MW level and the site's envelope
    # by 2 MW from the start: nothing waits, l2 is live on arrival.
    scenario = write_cap(
        "override hall s.h { power = 2 MW }\noverride site s { power = 2 MW }\n", "x.cap"
    )
    result = plan_json(base, "--scenario", str(scenario))
    assert result.exit_code == 0
    l2 = lots(result)["l2"]
    assert (l2["first_live"], l2["last_live"], beyond_install(l2)) == (
        "2026-02-01",
        "2026-02-01",
        {},
    )


def test_override_site_adds_a_hall(write_cap: Any) -> None:
    base = write_cap(BASE, "base.cap")
    scenario = write_cap(
        "override site s { hall h2 { positions = 10  cooling = liquid } }\n"
        "override lot l2 { to = s.h2 }\n",
        "x.cap",
    )
    result = plan_json(base, "--scenario", str(scenario))
    # l2 goes to h2 (no hall power) but the site envelope is still 1 MW until 03-01:
    # l1 holds 0.5 MW, so 5 of l2's racks go live 02-01 and 5 wait for the site step
    # (28 days x 5 x 72 = 10,080 GPU-days, now for site power).
    l2 = lots(result)["l2"]
    assert l2["hall"] == "h2"
    assert beyond_install(l2) == {"site_power": 10080}


def test_remove_leaves_a_dangling_reference(write_cap: Any) -> None:
    base = write_cap(BASE, "base.cap")
    scenario = write_cap("remove rack_type r\n", "x.cap")
    result = run_cli("validate", str(base), "--scenario", str(scenario), "--format", "json")
    assert result.exit_code == 1
    dangling = [d for d in result.diagnostics if d["code"] == "E203"]
    # both lots' `rack_type = r` are now references to nothing, reported where they are written
    assert [d["range"]["start"]["line"] for d in dangling] == [8, 9]
    assert {d["range"]["filename"] for d in dangling} == {str(base)}


def test_remove_a_lot(write_cap: Any) -> None:
    base = write_cap(BASE, "base.cap")
    scenario = write_cap("remove lot l1\n", "x.cap")
    result = plan_json(base, "--scenario", str(scenario))
    assert list(lots(result)) == ["l2"]
    # without l1, 10 racks of l2 fit under 1 MW on 02-01: 720 live on 02-15, met
    (row,) = result.json["plan"]["commitments"]
    assert (row["live"], row["met"]) == (720, True)


def test_scenario_errors(write_cap: Any) -> None:
    base = write_cap(BASE, "base.cap")
    scenario = write_cap(
        "override lot l22 { racks = 1 }\n"  # E203, closest l2
        "override site l1 { power = 1 MW }\n"  # E204
        "override lot l2 { rakcs = 3 }\n"  # E200, closest racks
        "override hall s.hh { positions = 3 }\n"  # E203, closest s.h
        "remove lot l1\n"
        "override lot l1 { racks = 2 }\n",  # E203: removed above
        "x.cap",
    )
    result = run_cli("validate", str(base), "--scenario", str(scenario), "--format", "json")
    assert result.exit_code == 1
    found = [
        (d["code"], d["range"]["start"]["line"], d["suggestions"])
        for d in result.diagnostics
        if d["range"]["filename"] == str(scenario)
    ]
    assert found == [
        ("E203", 1, ["did you mean `l2`?"]),
        ("E204", 2, ["write `override lot l1`"]),
        ("E200", 3, ["did you mean `racks`?"]),
        ("E203", 4, ["did you mean `s.h`?"]),
        ("E203", 6, []),
    ]


def test_override_and_remove_are_reserved(write_cap: Any) -> None:
    path = write_cap("pop override { }\n")
    result = run_cli("validate", str(path), "--format", "json")
    assert result.exit_code == 1
    assert result.first("E100")["suggestions"] == [
        "`override` is a reserved word and cannot name a declaration"
    ]


def test_scenario_file_not_readable_is_usage_error(write_cap: Any, tmp_path: Path) -> None:
    base = write_cap(BASE, "base.cap")
    result = run_cli("plan", str(base), "--scenario", str(tmp_path / "nope.cap"))
    assert result.exit_code == 2
    assert "cannot read" in result.stderr


def test_scenario_imports_are_relative_to_itself(write_cap: Any) -> None:
    base = write_cap(BASE, "model/base.cap")
    write_cap("override lot l1 { racks = 2 }\n", "scen/more.cap")
    escaping = write_cap('import "../model/base.cap"\n', "scen/escape.cap")
    inner = write_cap('import "more.cap"\n', "scen/inner.cap")
    ok = plan_json(base, "--scenario", str(inner))
    assert lots(ok)["l1"]["racks"] == 2
    # E112 is judged from the scenario's own directory
    bad = run_cli("validate", str(base), "--scenario", str(escaping), "--format", "json")
    assert bad.exit_code == 1
    assert bad.first("E112")["range"]["filename"] == str(escaping)


def test_diagnostics_on_overridden_values_point_into_the_scenario(write_cap: Any) -> None:
    base = write_cap(BASE, "base.cap")
    scenario = write_cap(
        "override lot l2 { arrive = 2026-02-30  to = s.hx }\n"  # E102 col 28, E203 col 45
        "override rack_type r { power = 3 mW }\n"  # E103 at the unit, col 34
        "override site s { hall h2 { positions = 0  cooling = liquid } }\n",  # E206 col 41
        "x.cap",
    )
    result = run_cli("validate", str(base), "--scenario", str(scenario), "--format", "json")
    found = sorted(
        (
            d["code"],
            d["range"]["filename"],
            d["range"]["start"]["line"],
            d["range"]["start"]["column"],
        )
        for d in result.diagnostics
    )
    where = str(scenario)
    assert found == [
        ("E102", where, 1, 28),
        ("E103", where, 2, 34),
        ("E203", where, 1, 45),
        ("E206", where, 3, 41),
    ]


def test_checks_point_at_an_overridden_step(write_cap: Any) -> None:
    base = write_cap(BASE, "base.cap")
    # The hall stays at 1 MW for good: l2's last 5 racks never go live (E301), and the
    # diagnostic's note points at the override that set the hall's power.
    scenario = write_cap("override hall s.h { power = 1 MW }\n", "x.cap")
    result = plan_json(base, "--scenario", str(scenario))
    stranded = result.json["diagnostics"]["diagnostics"][0]
    assert stranded["code"] == "E301"
    assert stranded["range"]["filename"] == str(base)
    (related,) = stranded["related"]
    assert (related["range"]["filename"], related["range"]["start"]["line"]) == (str(scenario), 1)
