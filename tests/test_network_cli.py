"""Bandwidth checks (E500, E501, E502) through `capplan plan --format json`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import CliResult, run_cli

HEADER = """
plan p { start = 2026-01-01  end = 2026-12-31 }
site a { power = 10 MW }
site c { power = 10 MW }
pop b {}
pop m {}
"""


def plan(write_cap: Any, body: str) -> CliResult:
    path: Path = write_cap(HEADER + body)
    return run_cli("plan", str(path), "--format", "json")


def diagnostics(result: CliResult, code: str) -> list[dict[str, Any]]:
    return [d for d in result.json["diagnostics"]["diagnostics"] if d["code"] == code]


def test_flow_that_fits_only_by_splitting_over_two_paths(write_cap: Any) -> None:
    result = plan(
        write_cap,
        """
link ab { from = a  to = b  capacity = 400 Gbps }
link am { from = a  to = m  capacity = 400 Gbps }
link mb { from = m  to = b  capacity = 400 Gbps }
flow f { from = a  to = b  rate = 600 Gbps }
""",
    )
    # 600 Gbps > 400 Gbps on either path alone, but fits over both (800 Gbps).
    assert result.exit_code == 0
    assert not [d for d in result.json["diagnostics"]["diagnostics"] if d["code"].startswith("E5")]
    links = {link["link"]: link for link in result.json["plan"]["network"]["links"]}
    # The reported routing is the least congested one: 300 Gbps on each path,
    # 300 / 400 = 75% on every link.
    assert {name: row["peak_load_gbps"] for name, row in links.items()} == {
        "ab": 300.0,
        "am": 300.0,
        "mb": 300.0,
    }
    assert links["ab"]["peak_utilisation"] == 0.75


def test_two_flows_exceeding_a_cut_name_the_cut(write_cap: Any) -> None:
    result = plan(
        write_cap,
        """
link am { from = a  to = m  capacity = 1 Tbps }
link cm { from = c  to = m  capacity = 1 Tbps }
link mb { from = m  to = b  capacity = 500 Gbps }
flow fa { from = a  to = b  rate = 300 Gbps }
flow fc { from = c  to = b  rate = 300 Gbps }
""",
    )
    # 300 + 300 = 600 Gbps must cross m-b, which carries 500 Gbps.
    assert result.exit_code == 1
    [e500] = diagnostics(result, "E500")
    assert "`fa`, `fc`" in e500["summary"]
    assert "need 600 Gbps across `mb`, which carry 500 Gbps" in e500["summary"]
    assert "from 2026-01-01 until the plan end" in e500["summary"]


def test_protected_flow_broken_by_losing_one_link(write_cap: Any) -> None:
    result = plan(
        write_cap,
        """
link direct { from = a  to = b  capacity = 400 Gbps }
link am { from = a  to = m  capacity = 400 Gbps }
link mb { from = m  to = b  capacity = 100 Gbps }
flow f { from = a  to = b  rate = 200 Gbps  protect = true }
""",
    )
    # Intact: 200 Gbps fit on `direct`. Without `direct` only 100 Gbps get through m.
    # Losing `am` or `mb` leaves `direct` (400 >= 200): only `direct` breaks protection.
    assert result.exit_code == 1
    [e501] = diagnostics(result, "E501")
    assert "after losing link `direct`" in e501["summary"]
    assert not diagnostics(result, "E500")
    [row] = result.json["plan"]["network"]["protection"]
    assert row["worst_link"] == "direct"
    assert row["congestion_after_loss"] == 2.0  # 200 Gbps over the 100 Gbps left


def test_protected_flow_with_a_diverse_path_survives(write_cap: Any) -> None:
    result = plan(
        write_cap,
        """
link direct { from = a  to = b  capacity = 400 Gbps }
link am { from = a  to = m  capacity = 400 Gbps }
link mb { from = m  to = b  capacity = 400 Gbps }
flow f { from = a  to = b  rate = 200 Gbps  protect = true }
""",
    )
    assert result.exit_code == 0
    assert not diagnostics(result, "E501")


def test_flow_fits_only_from_the_links_ready_day(write_cap: Any) -> None:
    result = plan(
        write_cap,
        """
link ab { from = a  to = b  capacity = 400 Gbps  ready = 2026-06-01 }
flow f { from = a  to = b  rate = 100 Gbps }
""",
    )
    # No capacity before 2026-06-01: E500 from the plan start to the day before ready.
    [e500] = diagnostics(result, "E500")
    assert "from 2026-01-01 until 2026-05-31" in e500["summary"]
    assert "`ab`" in e500["summary"]


def test_per_gpu_flow_outgrows_its_link_on_the_day_racks_go_live(write_cap: Any) -> None:
    result = plan(
        write_cap,
        """
supplier v { supplies = racks }
rack_type r { gpus = 72  power = 10 kW  cooling = air }
site s {
  power = 10 MW
  hall h { positions = 100  cooling = air }
}
lot first  { supplier = v  rack_type = r  racks = 5  to = s.h  arrive = 2026-02-01 }
lot second { supplier = v  rack_type = r  racks = 5  to = s.h  arrive = 2026-03-01 }
link sb { from = s  to = b  capacity = 10 Gbps }
flow egress { from = s  to = b  rate = 25 Mbps/gpu }
""",
    )
    # 5 racks x 72 = 360 GPUs x 25 Mbps = 9 Gbps <= 10 Gbps from 2026-02-01;
    # 10 racks = 720 GPUs x 25 Mbps = 18 Gbps > 10 Gbps from 2026-03-01, the first day it fails.
    [e500] = diagnostics(result, "E500")
    assert "`egress` not routable from 2026-03-01" in e500["summary"]
    assert "need 18 Gbps across `sb`, which carry 10 Gbps" in e500["summary"]
    # It points at the flow's rate: the header is lines 1-5, a blank line 6, the flow line 16.
    assert e500["range"]["start"]["line"] == 16


def test_endpoints_never_connected(write_cap: Any) -> None:
    result = plan(
        write_cap,
        """
link ab { from = a  to = b  capacity = 100 Gbps }
flow lonely { from = c  to = b  rate = 1 Gbps }
""",
    )
    [e502] = diagnostics(result, "E502")
    assert e502["summary"] == "flow `lonely`: `c` and `b` are never connected"
    assert not diagnostics(result, "E500"), "no E500 on top of E502 for the same flow"


def test_flows_before_any_link_is_ready_say_when_the_link_comes_up(write_cap: Any) -> None:
    result = plan(
        write_cap,
        """
link ab { from = a  to = b  capacity = 400 Gbps  ready = 2026-05-01 }
flow f { from = a  to = b  rate = 100 Gbps }
""",
    )
    e500 = diagnostics(result, "E500")
    assert len(e500) == 1
    # 2026-01-01 .. 2026-04-30 the only link is not ready: a date problem, so the
    # message says when the link comes up instead of "which carry 0 bit/s".
    assert e500[0]["summary"] == (
        "flows `f` not routable from 2026-01-01 until 2026-04-30: they need 100 Gbps "
        "before any link between their endpoints is up (`ab` is ready on 2026-05-01)"
    )
    assert "0 bit/s" not in e500[0]["summary"] + e500[0]["detail"]
    assert (
        e500[0]["detail"]
        == "on 2026-01-01 no link with capacity joins them yet; 1 checked day fails"
    )
    assert e500[0]["related"][0]["message"] == "`ab` is ready on 2026-05-01"
