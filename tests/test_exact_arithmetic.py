"""Exact arithmetic (LANGUAGE.md §4): exact fits fit, and no display hides an excess.

Each model goes through the real CLI (`capplan plan --format json`); the arithmetic
behind every expected figure is written out with integers or exact fractions.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

from tests.conftest import CliResult, run_cli


def plan(path: Path) -> CliResult:
    return run_cli("plan", str(path), "--format", "json")


def found(result: CliResult) -> list[dict[str, Any]]:
    document = result.json
    if "plan" in document:  # plan's document wraps validate's
        document = document["diagnostics"]
    return document["diagnostics"]  # type: ignore[no-any-return]


def codes(result: CliResult) -> list[str]:
    return [d["code"] for d in found(result)]


def only(result: CliResult, code: str) -> dict[str, Any]:
    hits = [d for d in found(result) if d["code"] == code]
    assert len(hits) == 1, codes(result)
    return hits[0]


def go_live(result: CliResult, name: str) -> list[tuple[str, int]]:
    lot = next(x for x in result.json["plan"]["lots"] if x["name"] == name)
    return [(p["day"], p["racks"]) for p in lot["go_live"]]


ONE_WATT = """
plan p { start = 2026-01-01  end = 2026-12-31 }
supplier s { supplies = racks }
rack_type tiny { gpus = 1  power = 1 W  cooling = air }
site dc {
  pue = 1.0005
  power = 1.0005 W
  hall h { positions = 10  cooling = air }
}
lot l { supplier = s  rack_type = tiny  racks = RACKS  to = dc.h  arrive = 2026-02-01 }
"""


def test_one_watt_rack_fits_a_one_watt_envelope_at_pue_1_0005(write_cap: Any) -> None:
    # facility draw = 1 W x 1.0005 = 1.0005 W = the envelope: an exact fit (floored to whole
    # milliwatts, 1000 mW x 1.0005 > 1000 mW of envelope, it used to strand with E301).
    assert Fraction(1) * Fraction("1.0005") == Fraction("1.0005")
    result = plan(write_cap(ONE_WATT.replace("RACKS", "1")))
    assert result.exit_code == 0, codes(result)
    assert codes(result) == []
    assert go_live(result, "l") == [("2026-02-01", 1)]


def test_second_one_watt_rack_waits_and_strands_on_site_power(write_cap: Any) -> None:
    # two racks: 2 W x 1.0005 = 2.001 W > 1.0005 W, so one is live and one strands
    assert 2 * Fraction("1.0005") > Fraction("1.0005")
    result = plan(write_cap(ONE_WATT.replace("RACKS", "2")))
    assert result.exit_code == 1
    assert codes(result) == ["E301", "W302"]
    assert go_live(result, "l") == [("2026-02-01", 1)]
    assert "site power" in only(result, "E301")["summary"]


FOURTEEN = """
plan p { start = 2026-01-01  end = 2026-12-31 }
supplier s { supplies = racks }
rack_type odd { gpus = 8  power = 43.90033 kW  cooling = liquid }
site dc {
  pue = 1.1  reserve = 20%
  power = 845.0813525 kW
  hall h { positions = 20  cooling = liquid }
}
lot l { supplier = s  rack_type = odd  racks = RACKS  to = dc  arrive = 2026-03-02 }
"""


def test_fourteen_racks_fit_an_envelope_sized_to_the_milliwatt_fraction(write_cap: Any) -> None:
    # 14 x 43,900.33 W = 614,604.62 W IT; x 1.1 = 676,065.082 W facility;
    # usable = 845,081.3525 W x (1 - 20%) = 676,065.082 W: an exact fit.
    it = 14 * Fraction("43900.33")
    assert it == Fraction("614604.62")
    assert (
        it * Fraction("1.1") == Fraction("845081.3525") * Fraction("0.8") == Fraction("676065.082")
    )
    result = plan(write_cap(FOURTEEN.replace("RACKS", "14")))
    assert result.exit_code == 0, codes(result)
    assert codes(result) == []
    assert go_live(result, "l") == [("2026-03-02", 14)]
    row = result.json["plan"]["sites"][0]["timeline"][-1]  # the go-live day
    assert (row["day"], row["racks"], row["headroom_mw"]) == ("2026-03-02", 14, 0.0)


def test_fifteenth_rack_strands_and_e300_agrees_one_rack_can_fit(write_cap: Any) -> None:
    # 15 racks: the 15th would need 15 x 43,900.33 x 1.1 = 724,355.445 W > 676,065.082 W.
    assert 15 * Fraction("43900.33") * Fraction("1.1") > Fraction("676065.082")
    result = plan(write_cap(FOURTEEN.replace("RACKS", "15")))
    # One rack alone fits (43,900.33 W <= 614,604.62 W of IT), so no E300: E301 for the 15th.
    assert codes(result) == ["E301", "W302"]
    assert go_live(result, "l") == [("2026-03-02", 14)]
    e301 = only(result, "E301")
    assert e301["summary"].startswith("1 of 15 racks of lot `l`")
    assert e301["detail"] == "8 GPUs stranded; 1 waiting on site power"


NEVER = """
plan p { start = 2026-01-01  end = 2026-12-31 }
supplier s { supplies = racks }
rack_type big { gpus = 8  power = 1000.0001 W  cooling = air }
site dc {
  power = 1 kW
  hall h { positions = 2  cooling = air }
}
lot l { supplier = s  rack_type = big  racks = 1  to = dc.h  arrive = 2026-02-01 }
"""


def test_e300_shows_the_excess_that_rounding_would_hide(write_cap: Any) -> None:
    # 1,000.0001 W > 1,000 W of IT (pue 1, no reserve): E300; at 3 decimals both would
    # read "1 kW", so the figures get the digits that tell them apart (1.0000001 kW).
    assert Fraction("1000.0001") > 1000
    result = run_cli("validate", str(write_cap(NEVER)), "--format", "json")
    assert result.exit_code == 1
    e300 = only(result, "E300")
    assert "draws 1.0000001 kW IT" in e300["detail"]
    assert "= 1 kW IT" in e300["detail"]


E500 = """
plan p { start = 2026-01-01  end = 2026-12-31 }
site a { power = 10 MW }
pop b {}
link ap { from = a  to = b  capacity = 400 Gbps }
flow f { from = a  to = b  rate = 400_000.001 Mbps }
"""


def test_e500_message_shows_the_excess(write_cap: Any) -> None:
    # 400,000.001 Mbps = 400,000,001,000 bit/s; 400 Gbps = 400,000,000,000 bit/s:
    # over by 1,000 bit/s, 400,000,001,000 / 400,000,000,000 = 100.00000025 %, shown with
    # the first precision that reads above 100 % (7 decimals: 100.0000002 %).
    assert 400_000_001_000 - 400_000_000_000 == 1_000
    result = plan(write_cap(E500))
    assert result.exit_code == 1
    e500 = only(result, "E500")
    assert "need 400.000001 Gbps across `ap`, which carry 400 Gbps" in e500["summary"]
    assert "over by 1,000 bit/s, 100.0000002% of the bottleneck" in e500["detail"]
