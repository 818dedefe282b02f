"""Network findings say only what is true (issue 10 item 7), through `capplan plan`.

E500 claims "every single cut fits" only when every cut was measured and fits; E501 is
judged only on days the protected flows are routable with every link up (LANGUAGE.md
§4); E501's text names the day its figures describe.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import CliResult, run_cli


def plan(write_cap: Any, text: str) -> CliResult:
    path: Path = write_cap(text)
    return run_cli("plan", str(path), "--format", "json")


def found(result: CliResult, code: str) -> list[dict[str, Any]]:
    return [d for d in result.json["diagnostics"]["diagnostics"] if d["code"] == code]


MISSED_CUT = """
plan p { start = 2026-01-01  end = 2026-12-31 }
pop n0 {}
pop n1 {}
pop n2 {}
pop n3 {}
link l0 { from = n0  to = n1  capacity = 400 Gbps }
link l1 { from = n0  to = n3  capacity = 300 Gbps }
link l2 { from = n1  to = n3  capacity = 300 Gbps }
link l3 { from = n2  to = n3  capacity = 200 Gbps }
link l4 { from = n1  to = n2  capacity = 400 Gbps }
flow f0 { from = n3  to = n2  rate = 200 Gbps }
flow f1 { from = n1  to = n3  rate = 500 Gbps }
flow f2 { from = n3  to = n0  rate = 600 Gbps }
flow f3 { from = n3  to = n0  rate = 100 Gbps }
flow f4 { from = n1  to = n3  rate = 200 Gbps }
"""


def test_e500_names_the_violated_cut_the_dual_balls_miss(write_cap: Any) -> None:
    # Leaving {n3}: f0 200 + f2 600 + f3 100 = 900 Gbps; links at n3: l1 300 + l2 300 +
    # l3 200 = 800 Gbps. The cut search around the LP's duals misses this cut (the old
    # text then said "every single cut fits"); with 4 nodes every cut is measured.
    assert 200 + 600 + 100 == 900 and 300 + 300 + 200 == 800
    result = plan(write_cap, MISSED_CUT)
    assert result.exit_code == 1
    [e500] = found(result, "E500")
    assert "flows `f0`, `f2`, `f3`" in e500["summary"]
    assert "need 900 Gbps across `l1`, `l2`, `l3`, which carry 800 Gbps" in e500["summary"]
    assert "every single cut fits" not in e500["detail"]
    # 900 / 800 = 112.5 %, over by 100 Gbps
    assert "(over by 100 Gbps, 112% of the bottleneck)" in e500["detail"]


K23 = """
plan p { start = 2026-01-01  end = 2026-12-31 }
pop a {}
pop b {}
pop u {}
pop v {}
pop w {}
link au { from = a  to = u  capacity = 100 Gbps }
link av { from = a  to = v  capacity = 100 Gbps }
link aw { from = a  to = w  capacity = 100 Gbps }
link bu { from = b  to = u  capacity = 100 Gbps }
link bv { from = b  to = v  capacity = 100 Gbps }
link bw { from = b  to = w  capacity = 100 Gbps }
flow fuv { from = u  to = v  rate = 100 Gbps }
flow fvu { from = v  to = u  rate = 100 Gbps }
flow fvw { from = v  to = w  rate = 100 Gbps }
flow fwv { from = w  to = v  rate = 100 Gbps }
flow fuw { from = u  to = w  rate = 100 Gbps }
flow fwu { from = w  to = u  rate = 100 Gbps }
flow fab { from = a  to = b  rate = 100 Gbps }
flow fba { from = b  to = a  rate = 100 Gbps }
"""


def test_every_single_cut_fits_is_said_when_it_was_proven(write_cap: Any) -> None:
    # K(2,3) (a, b each linked to u, v, w), 8 flows of 100 Gbps that each need two hops:
    # 8 x 100 x 2 = 1,600 Gbps-hops on 6 links x 2 directions x 100 = 1,200: infeasible,
    # yet every cut fits ({u}: 200 out vs 200). With 5 nodes all 2^5 - 2 = 30 cuts are measured, so the claim is a proof.
    assert 8 * 100 * 2 > 6 * 2 * 100
    result = plan(write_cap, K23)
    [e500] = found(result, "E500")
    assert "(every single cut fits)" in e500["detail"]


PROTECTED = """
plan p { start = 2026-01-01  end = 2026-12-31 }
pop a {}
pop b {}
pop c {}
link ab { from = a  to = b  capacity = 400 Gbps }
link ac { from = a  to = c  capacity = 400 Gbps  ready = 2026-07-01 }
flow fb { from = a  to = b  rate = 100 Gbps  protect = true }
flow fc { from = a  to = c  rate = 100 Gbps  protect = true }
"""


def test_e501_only_on_days_the_protected_flows_are_routable_intact(write_cap: Any) -> None:
    # Before 2026-07-01 `ac` is not ready: protected fc has no path with every link up, so
    # those days are E500 only. From 2026-07-01 both flows route; `ab` and `ac` are each the
    # only path of their flow, so losing either breaks protection (E501 from 2026-07-01).
    result = plan(write_cap, PROTECTED)
    assert result.exit_code == 1
    [e500] = found(result, "E500")
    assert "from 2026-01-01 until 2026-06-30" in e500["summary"]
    e501 = found(result, "E501")
    assert {d["summary"].split("losing link ")[1] for d in e501} == {
        "`ab` from 2026-07-01 until the plan end",
        "`ac` from 2026-07-01 until the plan end",
    }
    # the text names the day its figures describe (one checked day: 2026-07-01)
    assert all(d["detail"].startswith("on 2026-07-01: without `a") for d in e501)
    assert all("100 Gbps of protected traffic has no path" in d["detail"] for d in e501)
