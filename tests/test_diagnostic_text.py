"""Snapshot tests pinning the rustc-style text rendering of diagnostics."""

from __future__ import annotations

from syrupy.assertion import SnapshotAssertion

from capplan.api import compile_text
from capplan.diagnostics.text import render_text

SAMPLES = {
    "syntax": "site a {\n  power = = 5 MW\n}\nsite b { power = 5 MW\n",
    "unterminated": 'pop p { region = "Nordic }\n',
    "unknown_unit": "site s {\n  power = 5 mW\n}\n",
    "unknown_attribute": "site s {\n  power = 5 MW\n  reserv = 5%\n}\n",
    "duplicate": "pop ix { country = NO }\npop ix { country = SE }\n",
    "unknown_reference": (
        "supplier nvidia { lead_time = 26w }\n"
        "rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }\n"
        "site narvik { power = 20 MW  hall a { positions = 10  cooling = liquid } }\n"
        "lot l { supplier = nvidia  rack_type = gb300  racks = 1\n"
        "        to = narvik.b  arrive = 2026-02-01 }\n"
    ),
    "tranches": (
        "supplier nvidia { lead_time = 26w }\n"
        "rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }\n"
        "site narvik { power = 20 MW  hall a { positions = 10  cooling = liquid } }\n"
        "lot l { supplier = nvidia  rack_type = gb300  racks = 10  to = narvik\n"
        "        arrive {\n"
        "          2026-02-01: 4\n"
        "          2026-03-01: 5\n"
        "        }\n"
        "}\n"
    ),
    "schedule_order": "site s {\n  power {\n    2026-06-01: 5 MW\n    2026-01-01: 6 MW\n  }\n}\n",
    "gpus_multiple": (
        "supplier nvidia { lead_time = 26w }\n"
        "rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }\n"
        "site narvik { power = 20 MW }\n"
        "lot l { supplier = nvidia  rack_type = gb300  gpus = 1000  to = narvik\n"
        "        arrive = 2026-02-01 }\n"
    ),
}


def render(name: str) -> str:
    compilation = compile_text(SAMPLES[name], "fleet.cap")
    return render_text(compilation.diagnostics.sorted())


def test_syntax(snapshot: SnapshotAssertion) -> None:
    assert render("syntax") == snapshot


def test_unterminated(snapshot: SnapshotAssertion) -> None:
    assert render("unterminated") == snapshot


def test_unknown_unit(snapshot: SnapshotAssertion) -> None:
    assert render("unknown_unit") == snapshot


def test_unknown_attribute(snapshot: SnapshotAssertion) -> None:
    assert render("unknown_attribute") == snapshot


def test_duplicate(snapshot: SnapshotAssertion) -> None:
    assert render("duplicate") == snapshot


def test_unknown_reference(snapshot: SnapshotAssertion) -> None:
    assert render("unknown_reference") == snapshot


def test_tranches(snapshot: SnapshotAssertion) -> None:
    assert render("tranches") == snapshot


def test_schedule_order(snapshot: SnapshotAssertion) -> None:
    assert render("schedule_order") == snapshot


def test_gpus_multiple(snapshot: SnapshotAssertion) -> None:
    assert render("gpus_multiple") == snapshot
