"""One run, all errors (issue 10, item 8): a declaration's second problem is not hidden
behind its first, and a hall named where a site is expected is E204, not E203."""

from __future__ import annotations

from typing import Any

from tests.conftest import run_cli

BASE = """
supplier acme { lead_time = 26w }
rack_type gb { gpus = 72  power = 132 kW  cooling = liquid }
site narvik {
  power = 10 MW
  hall h1 { positions = 10  cooling = liquid }
}
pop ix { country = NO }
"""  # seven lines once dedented; what follows starts on line 8


def found(write_cap: Any, text: str) -> list[tuple[str, int, int, str]]:
    result = run_cli("validate", str(write_cap(BASE + text)), "--format", "json")
    assert result.exit_code == 1
    out = []
    for d in result.diagnostics:
        start = d["range"]["start"]
        out.append((d["code"], start["line"], start["column"], d["summary"]))
    return out


def test_e206_is_not_hidden_behind_e205(write_cap: Any) -> None:
    # A link from `ix` to itself (E206) whose capacity is a power, not a bandwidth (E205).
    assert found(write_cap, "link k { from = ix  to = ix  capacity = 5 MW }\n") == [
        ("E206", 8, 6, "link `k` joins `ix` to itself"),
        ("E205", 8, 41, "expected a bandwidth such as `400 Gbps`, found power `5 MW`"),
    ]


def test_e209_and_e208_in_one_lot(write_cap: Any) -> None:
    # 100 GPUs is 1 rack of 72 and 28 GPUs over (E209); the tranche dates go backwards (E208).
    lot = "lot l { supplier = acme  rack_type = gb  gpus = 100  to = narvik\n  arrive { 2026-03-01: 1  2026-02-01: 1 } }\n"
    codes = [(code, line, column) for code, line, column, _ in found(write_cap, lot)]
    assert codes == [("E209", 8, 49), ("E208", 9, 27)]  # the second key


def test_a_hall_named_as_commitment_site_is_e204(write_cap: Any) -> None:
    assert found(write_cap, "commitment c { gpus = 72  site = h1 }\n") == [
        ("E204", 8, 34, "`h1` is a hall, expected a site"),
    ]


def test_a_site_hall_address_as_commitment_site_is_e204(write_cap: Any) -> None:
    assert found(write_cap, "commitment c { gpus = 72  sites = [narvik.h1] }\n") == [
        ("E204", 8, 36, "`narvik.h1` is a hall, expected a site"),
    ]


def test_an_unknown_name_is_still_e203(write_cap: Any) -> None:
    codes = [code for code, *_ in found(write_cap, "commitment c { gpus = 72  site = h9 }\n")]
    assert codes == ["E203"]
