"""W404 and `order` dates: ordering months before the plan starts is the normal case."""

from __future__ import annotations

from typing import Any

from tests.conftest import run_cli

SOURCE = """
plan p { start = 2026-01-01  end = 2026-12-31 }
supplier nvidia { supplies = gpus  lead_time = 26w }
supplier nokia { supplies = optics  lead_time = 16w }
rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }
site s { power { 2025-12-01: 20 MW }  hall a { positions = 100  cooling = liquid } }
pop ix {}
lot early { supplier = nvidia  rack_type = gb300  racks = 10  to = s  order = 2025-09-01 }
lot late { supplier = nvidia  rack_type = gb300  racks = 10  to = s  order = 2027-03-01 }
link l { from = s  to = ix  capacity = 400 Gbps  supplier = nokia  order = 2025-10-01 }
"""


def w404_lines(write_cap: Any) -> list[tuple[int, str]]:
    result = run_cli("validate", str(write_cap(SOURCE)), "--format", "json")
    return [
        (d["range"]["start"]["line"], d["summary"])
        for d in result.json["diagnostics"]
        if d["code"] == "W404"
    ]


def test_order_before_the_start_is_not_w404_but_other_dates_are(write_cap: Any) -> None:
    found = w404_lines(write_cap)
    # line 5: the power step 2025-12-01 is before the start: still W404.
    # line 7 (lot `early`, order 2025-09-01) and line 9 (link `l`, order 2025-10-01):
    # orders before the start are normal, no W404.
    # line 8: an order after the end is still reported.
    assert found == [
        (5, "2025-12-01 lies before the plan starts (2026-01-01)"),
        (8, "2027-03-01 lies after the plan ends (2026-12-31)"),
    ]
