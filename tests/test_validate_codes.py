"""Every static code E100-E211, fed through `capplan validate --format json`.

Each case asserts the code and the exact line and column of the range start
(lines and columns from 1, columns in characters).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli

# BASE is 6 lines once write_cap strips the leading newline; a lot after it starts on line 7.
BASE = """
supplier nvidia { supplies = gpus  lead_time = 26w }
rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }
site narvik {
  power = 20 MW
  hall a { positions = 10  cooling = liquid }
}
"""


def validate(path: Path) -> Any:
    result = run_cli("validate", str(path), "--format", "json")
    assert result.exit_code == 1, result.stdout
    return result


def where(diagnostic: dict[str, Any]) -> tuple[int, int]:
    start = diagnostic["range"]["start"]
    return start["line"], start["column"]


CASES: list[tuple[str, str, tuple[int, int]]] = [
    # code, source (line 1 is the first line), (line, column) of the reported range
    ("E100", "site s {\n  power = = 5 MW\n}\n", (2, 11)),
    ("E101", 'pop p { region = "Nordic }\n', (1, 18)),
    (
        "E102",
        BASE + "lot l { supplier = nvidia rack_type = gb300 racks = 1 to = narvik\n"
        "        arrive = 2026-02-30 }\n",
        (8, 18),
    ),
    ("E103", "site s {\n  power = 5 mW\n}\n", (2, 13)),
    ("E200", "site s {\n  power = 5 MW\n  pwer_factor = 1\n}\n", (3, 3)),
    ("E201", "rack_type r {\n  gpus = 8\n  cooling = air\n}\n", (1, 11)),
    ("E202", "pop ix {}\npop ix {}\n", (2, 5)),
    (
        "E203",
        BASE + "lot l { supplier = nvidai rack_type = gb300 racks = 1 to = narvik\n"
        "        arrive = 2026-02-01 }\n",
        (7, 20),
    ),
    (
        "E204",
        BASE + "lot l { supplier = gb300 rack_type = gb300 racks = 1 to = narvik\n"
        "        arrive = 2026-02-01 }\n",
        (7, 20),
    ),
    ("E205", "site s {\n  power = 400 Gbps\n}\n", (2, 11)),
    ("E206", "site s {\n  power = 5 MW\n  pue = 0.9\n}\n", (3, 9)),
    ("E207", "site s {\n  power = 5 MW\n  power = 6 MW\n}\n", (3, 3)),
    ("E208", "site s {\n  power { 2026-06-01: 5 MW  2026-01-01: 6 MW }\n}\n", (2, 29)),
    (
        "E209",
        BASE + "lot l { supplier = nvidia rack_type = gb300 gpus = 100 to = narvik\n"
        "        arrive = 2026-02-01 }\n",
        (7, 52),
    ),
    (
        "E210",
        BASE + "lot l { supplier = nvidia rack_type = gb300 racks = 10 to = narvik\n"
        "        arrive { 2026-02-01: 4  2026-03-01: 5 } }\n",
        (8, 9),
    ),
    # a cycle is reported once, in the first const of the cycle: the `b` in `const a = b`
    ("E211", "const a = b\nconst b = a\nsite s { power = a }\n", (1, 11)),
]


@pytest.mark.parametrize(("code", "source", "position"), CASES, ids=[c[0] for c in CASES])
def test_each_code_through_cli_json(
    write_cap: Any, code: str, source: str, position: tuple[int, int]
) -> None:
    result = validate(write_cap(source))
    diagnostic = result.first(code)
    assert where(diagnostic) == position
    assert diagnostic["severity"] == "error"
    assert diagnostic["range"]["filename"].endswith("main.cap")


def test_const_cycle_reported_once(write_cap: Any) -> None:
    result = validate(
        write_cap("const a = b\nconst b = a\nsite s { power = a }\nsite t { power = b }\n")
    )
    assert result.codes().count("E211") == 1


def test_undefined_const_is_e211(write_cap: Any) -> None:
    result = validate(write_cap("site s {\n  power = phase1\n}\n"))
    diagnostic = result.first("E211")
    assert where(diagnostic) == (2, 11)
    assert "phase1" in diagnostic["summary"]


def test_e110_missing_import(write_cap: Any) -> None:
    path = write_cap('import "catalogue.cap"\n')
    diagnostic = validate(path).first("E110")
    assert where(diagnostic) == (1, 8)


def test_e111_import_cycle(write_cap: Any) -> None:
    write_cap('import "b.cap"\npop a_ix {}\n', "a.cap")
    write_cap('pop b_ix {}\n\nimport "a.cap"\n', "b.cap")
    root = write_cap('import "a.cap"\n', "main.cap")
    diagnostic = validate(root).first("E111")
    assert diagnostic["range"]["filename"].endswith("b.cap")
    assert where(diagnostic) == (3, 8)
    assert diagnostic["related"], "the cycle's other imports are shown"


def test_e112_import_escapes_root(write_cap: Any, tmp_path: Path) -> None:
    (tmp_path / "outside.cap").write_text("pop x_ix {}\n")
    root = write_cap('pop a {}\nimport "../outside.cap"\n', "sub/main.cap")
    diagnostic = validate(root).first("E112")
    assert where(diagnostic) == (2, 8)


def test_unknown_attribute_suggests_closest(write_cap: Any) -> None:
    result = validate(write_cap("site s {\n  power = 5 MW\n  reserv = 5%\n}\n"))
    assert result.first("E200")["suggestions"] == ["did you mean `reserve`?"]


def test_unknown_reference_suggests_closest(write_cap: Any) -> None:
    source = BASE + (
        "lot l { supplier = nvidia rack_type = gb300 racks = 1 to = narvk.a\n"
        "        arrive = 2026-02-01 }\n"
    )
    result = validate(write_cap(source))
    assert result.first("E203")["suggestions"] == ["did you mean `narvik`?"]


def test_wrong_unit_case_is_explained(write_cap: Any) -> None:
    result = validate(write_cap("site s {\n  power = 5 mW\n}\n"))
    diagnostic = result.first("E103")
    assert diagnostic["summary"] == "unknown unit `mW`"
    assert diagnostic["suggestions"] == ["units are case-sensitive: did you mean `MW`?"]


def test_three_syntax_errors_in_three_declarations(write_cap: Any) -> None:
    source = (
        "site a { power = = 5 MW }\n"  # line 1: `=` where a value belongs
        "pop b { region = }\n"  # line 2: `}` where a value belongs
        "site c { power = 5 MW\n"  # line 3: not closed before line 4
        "pop d { country = NO }\n"
    )
    result = validate(write_cap(source))
    syntax = [d for d in result.diagnostics if d["code"] == "E100"]
    assert [where(d) for d in syntax] == [(1, 18), (2, 18), (3, 18)]


def test_all_errors_in_one_run(write_cap: Any) -> None:
    source = "site s {\n  power = 5 mW\n  pue = 0.5\n  colour = red\n}\n"
    result = validate(write_cap(source))
    assert sorted(result.codes()) == ["E103", "E200", "E206"]


def test_json_document_matches_section_5_field_for_field(write_cap: Any) -> None:
    result = validate(write_cap("site s {\n  pwr = 5 MW\n}\n"))
    document = result.json
    assert list(document) == [
        "format_version",
        "valid",
        "error_count",
        "warning_count",
        "diagnostics",
    ]
    assert document["format_version"] == "1"
    assert document["valid"] is False
    assert document["error_count"] == 2  # E200 for `pwr`, E201 for the missing `power`
    assert document["warning_count"] == 0
    unknown = result.first("E200")
    assert list(unknown) == [
        "severity",
        "code",
        "summary",
        "detail",
        "range",
        "related",
        "suggestions",
        "url",  # added by issue 16: the code's documentation section
    ]
    assert unknown["url"] == "docs/diagnostics.md#e200--unknown-attribute"
    # `pwr` is on line 2, columns 3..6 (end exclusive); bytes count from 0: "site s {\n" is 9 bytes.
    assert unknown["range"] == {
        "filename": unknown["range"]["filename"],
        "start": {"line": 2, "column": 3, "byte": 11},
        "end": {"line": 2, "column": 6, "byte": 14},
    }
    assert isinstance(unknown["related"], list)
    assert unknown["suggestions"] == ["did you mean `power`?"]


def test_bytes_differ_from_columns_after_non_ascii(write_cap: Any) -> None:
    # "é" is one character but two UTF-8 bytes, so bytes run one ahead of columns.
    result = validate(write_cap('pop p { region = "é"  colour = 1 }\n'))
    start = result.first("E200")["range"]["start"]
    assert (start["column"], start["byte"]) == (23, 23)


def test_valid_file_exits_zero_with_empty_json(write_cap: Any) -> None:
    path = write_cap(BASE)
    result = run_cli("validate", str(path), "--format", "json")
    assert result.exit_code == 0
    assert result.json == {
        "format_version": "1",
        "valid": True,
        "error_count": 0,
        "warning_count": 0,
        "diagnostics": [],
    }


def test_unreadable_file_is_usage_error(tmp_path: Path) -> None:
    result = run_cli("validate", str(tmp_path / "missing.cap"))
    assert result.exit_code == 2
    assert "cannot read" in result.stderr


def test_bad_flag_is_usage_error(write_cap: Any) -> None:
    result = run_cli("validate", str(write_cap(BASE)), "--format", "yaml")
    assert result.exit_code == 2


def test_unused_const_values_are_still_checked(write_cap: Any) -> None:
    result = validate(write_cap("const u = 5 mW\nconst d = 2026-13\npop p {}\n"))
    assert sorted(result.codes()) == ["E102", "E103"]
    assert where(result.first("E103")) == (1, 13)
    assert where(result.first("E102")) == (2, 11)


def test_a_bad_const_used_twice_is_reported_once(write_cap: Any) -> None:
    result = validate(write_cap("const u = 5 mW\nsite a { power = u }\nsite b { power = u }\n"))
    assert result.codes() == ["E103"]
