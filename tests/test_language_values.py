"""Values of LANGUAGE.md section 1 as the typed model sees them (API level)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from capplan.api import compile_file, compile_text
from capplan.model.decls import Model

CATALOGUE = """
plan p { start = 2026-01-01  end = 2027-12-31 }
supplier nvidia { supplies = gpus  lead_time = 1mo  allocation = 1_000 racks/mo }
rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid  install = 2w  weight = 1.5 t }
"""


def model_of(text: str) -> Model:
    compilation = compile_text(CATALOGUE + text, "v.cap")
    assert not compilation.diagnostics.has_errors, [d.summary for d in compilation.diagnostics]
    assert compilation.model is not None
    return compilation.model


def test_numbers_with_underscores_are_numbers_not_units() -> None:
    model = model_of("site s { power = 100_000 kW }\ncommitment c { site = s  gpus = 8_000 }\n")
    assert model.sites["s"].power[0].value == Decimal(100_000_000)  # 100,000 kW = 100 MW in W
    assert model.commitments["c"].gpus[0].value == 8000
    assert model.commitments["c"].gpus[0].day == date(
        2027, 12, 31
    )  # a plain count is due at plan end


def test_units_scale_to_canonical() -> None:
    model = model_of(
        "site s { power = 1.5 GW  pue = 1.25  reserve = 12.5% }\n"
        "pop ix {}\n"
        "link l { from = s  to = ix  capacity = 16 x 400 Gbps  distance = 80 km }\n"
        "flow f { from = s  to = ix  rate = 2 Tbps }\n"
    )
    site = model.sites["s"]
    assert site.power[0].value == Decimal("1.5e9")
    assert (site.pue, site.reserve) == (Decimal("1.25"), Decimal("0.125"))
    assert model.links["l"].capacity[0].value == Decimal(16 * 400 * 10**9)  # 6.4 Tbps
    assert model.links["l"].distance == Decimal(80_000)
    assert model.flows["f"].rate[0].value == Decimal(2 * 10**12)
    assert model.rack_types["gb300"].weight == Decimal(1500)


def test_dates_day_month_quarter() -> None:
    model = model_of("site s { power { 2026-03: 1 MW  2026-Q3: 2 MW  2026-11-15: 3 MW } }\n")
    assert [step.day for step in model.sites["s"].power] == [
        date(2026, 3, 1),  # a month is its first day
        date(2026, 7, 1),  # Q3 starts in July
        date(2026, 11, 15),
    ]


def test_consts_as_values_and_as_schedule_keys() -> None:
    model = model_of(
        "const phase2 = 2026-06-01\n"
        "const big = 230 MW\n"
        "site s { power { 2026-01-01: 20 MW  phase2: big } }\n"
    )
    steps = model.sites["s"].power
    assert [(s.day, s.value) for s in steps] == [
        (date(2026, 1, 1), Decimal(20_000_000)),
        (date(2026, 6, 1), Decimal(230_000_000)),
    ]


def test_order_plus_calendar_month_lead_time_clamps_the_day() -> None:
    model = model_of(
        "site s { power = 10 MW  hall a { positions = 10  cooling = liquid } }\n"
        "lot l { supplier = nvidia  rack_type = gb300  racks = 2  to = s.a  order = 2026-01-31 }\n"
    )
    # 2026-01-31 + 1 calendar month = 2026-02-28 (February has 28 days in 2026)
    assert model.lots["l"].tranches[0].day == date(2026, 2, 28)


def test_gpus_on_a_lot_become_racks() -> None:
    model = model_of(
        "site s { power = 10 MW  hall a { positions = 20  cooling = liquid } }\n"
        "lot l { supplier = nvidia  rack_type = gb300  gpus = 1_440  to = s  arrive = 2026-03-01 }\n"
    )
    assert model.lots["l"].racks == 20  # 1,440 / 72


def test_imports_inline_in_order_and_read_a_shared_file_once(tmp_path: Path) -> None:
    (tmp_path / "catalogue.cap").write_text(CATALOGUE)
    (tmp_path / "north.cap").write_text('import "catalogue.cap"\nsite north { power = 1 MW }\n')
    (tmp_path / "south.cap").write_text('import "catalogue.cap"\nsite south { power = 1 MW }\n')
    root = tmp_path / "fleet.cap"
    root.write_text('import "north.cap"\nimport "south.cap"\nsite local { power = 1 MW }\n')
    compilation = compile_file(root)
    assert not compilation.diagnostics.has_errors
    assert compilation.model is not None
    assert list(compilation.model.sites) == ["north", "south", "local"]


def test_compile_file_takes_a_path_or_a_string(tmp_path: Path) -> None:
    root = tmp_path / "fleet.cap"
    root.write_text("site s { power = 1 MW }\n")
    by_path, by_string = compile_file(root), compile_file(str(root))
    assert by_path.model is not None and by_string.model is not None
    assert list(by_string.model.sites) == list(by_path.model.sites) == ["s"]
