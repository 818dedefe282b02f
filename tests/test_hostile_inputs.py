"""Issue 11: hostile files and file systems get a coded, located diagnostic, never a crash.

Each test builds the hostile input in a temp folder and runs the real CLI.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from capplan import load
from capplan.api import compile_text
from capplan.diagnostics.text import render_text
from capplan.source import SourceFile
from tests.conftest import run_cli

BASE = (
    "plan p { start = 2026-01-01 end = 2026-12-31 }\n"
    "supplier nv { supplies = gpus }\n"
    "rack_type r { gpus = 72 power = 132 kW cooling = liquid }\n"
    "site s { power = 10 MW hall h { positions = 40 cooling = liquid } }\n"
)
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and symlinks")


def validate(root: Path) -> Any:
    return run_cli("validate", "--format", "json", str(root))


def diagnostics_of(result: Any) -> list[dict[str, Any]]:
    """The diagnostics of `validate --format json` or of `plan --format json`."""
    document = result.json["diagnostics"]
    return list(document["diagnostics"] if isinstance(document, dict) else document)


def where(diagnostic: dict[str, Any]) -> tuple[int, int]:
    start = diagnostic["range"]["start"]
    return start["line"], start["column"]


@posix_only
def test_fifo_import_is_refused_without_opening_it(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.cap")  # opening it for reading would block forever
    (tmp_path / "main.cap").write_text('import "pipe.cap"\n')
    result = validate(tmp_path / "main.cap")
    assert result.exit_code == 1
    diagnostic = result.first("E110")
    assert "not a regular file" in diagnostic["summary"]
    assert where(diagnostic) == (1, 8)


@posix_only
def test_symlink_out_of_the_root_folder_is_e112_and_discloses_nothing(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:the-secret-line\n")
    root_dir = tmp_path / "repo"
    root_dir.mkdir()
    os.symlink(secret, root_dir / "link.cap")
    (root_dir / "main.cap").write_text('pop a { country = NO }\nimport "link.cap"\n')
    result = validate(root_dir / "main.cap")
    assert result.codes() == ["E112"]
    assert where(result.first("E112")) == (2, 8)
    text = run_cli("validate", str(root_dir / "main.cap"))
    assert "the-secret-line" not in text.stdout + text.stderr


@posix_only
def test_symlink_to_dev_zero_is_refused(tmp_path: Path) -> None:
    os.symlink("/dev/zero", tmp_path / "zero.cap")
    (tmp_path / "main.cap").write_text('import "zero.cap"\n')
    assert validate(tmp_path / "main.cap").codes() == ["E112"]  # /dev is outside the root


@posix_only
def test_symlink_inside_the_root_folder_is_followed(tmp_path: Path) -> None:
    (tmp_path / "real.cap").write_text("pop a { country = NO }\n")
    os.symlink("real.cap", tmp_path / "alias.cap")
    (tmp_path / "main.cap").write_text('import "alias.cap"\nimport "real.cap"\n')
    result = validate(tmp_path / "main.cap")
    assert result.exit_code == 0, result.stdout  # one file by its real path: no E202


def test_folder_import_is_refused(tmp_path: Path) -> None:
    (tmp_path / "sub.cap").mkdir()
    (tmp_path / "main.cap").write_text('import "sub.cap"\n')
    assert "is a folder" in validate(tmp_path / "main.cap").first("E110")["summary"]


def test_nul_byte_in_import_path_is_e110(tmp_path: Path) -> None:
    (tmp_path / "main.cap").write_bytes(b'import "a\x00b.cap"\n')
    result = validate(tmp_path / "main.cap")
    diagnostic = result.first("E110")
    assert "NUL" in diagnostic["summary"]
    assert where(diagnostic) == (1, 8)


def test_import_larger_than_the_cap_is_refused(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(load, "MAX_FILE_BYTES", 1000)
    (tmp_path / "big.cap").write_text("# " + "x" * 2000 + "\n")
    (tmp_path / "main.cap").write_text('import "big.cap"\n')
    assert "larger than" in validate(tmp_path / "main.cap").first("E110")["summary"]


def test_import_chain_500_deep_loads_without_recursion(tmp_path: Path) -> None:
    for i in range(500):
        (tmp_path / f"f{i}.cap").write_text(f'import "f{i + 1}.cap"\n')
    (tmp_path / "f500.cap").write_text("pop deep { country = NO }\n")
    (tmp_path / "main.cap").write_text('import "f0.cap"\npop top { country = NO }\n')
    result = run_cli("graph", "--format", "mermaid", str(tmp_path / "main.cap"))
    assert result.exit_code == 0, result.stderr
    assert "deep" in result.stdout and "top" in result.stdout  # the 501st file's pop is there
    assert validate(tmp_path / "main.cap").exit_code == 0


def test_cycle_at_the_end_of_a_deep_chain_lists_a_bounded_chain(tmp_path: Path) -> None:
    for i in range(100):
        (tmp_path / f"f{i}.cap").write_text(f'import "f{i + 1}.cap"\n')
    (tmp_path / "f100.cap").write_text('import "f0.cap"\n')
    (tmp_path / "main.cap").write_text('import "f0.cap"\n')
    diagnostic = validate(tmp_path / "main.cap").first("E111")
    assert diagnostic["range"]["filename"].endswith("f100.cap")
    # 100 imports lead here (main's and f0..f98's): the innermost 20 and one note for the rest
    assert len(diagnostic["related"]) == load.MAX_CYCLE_SHOWN + 1
    assert diagnostic["related"][0]["message"] == "and 81 imports before these"


@posix_only
def test_two_folder_symlinks_to_dot_load_each_file_once(tmp_path: Path) -> None:
    os.symlink(".", tmp_path / "a")
    os.symlink(".", tmp_path / "b")
    (tmp_path / "leaf.cap").write_text('pop leaf { country = NO }\nimport "a/b/a/b/x.cap"\n')
    (tmp_path / "x.cap").write_text('pop xx { country = NO }\nimport "b/a/leaf.cap"\n')
    imports = "".join(
        f'import "{"/".join("ab"[(i >> k) & 1] for k in range(10))}/leaf.cap"\n' for i in range(64)
    )
    (tmp_path / "main.cap").write_text(imports)
    result = validate(tmp_path / "main.cap")
    # leaf and x import each other through the links: one E111 (by real path), no E202
    assert result.codes() == ["E111"]
    assert result.first("E111")["range"]["filename"] == str(tmp_path / "x.cap")


def test_lists_nested_500_deep_are_e100(tmp_path: Path) -> None:
    (tmp_path / "main.cap").write_text(
        BASE + "pop q { country = NO tags = " + "[" * 500 + "]" * 500 + " }\n"
    )
    for command in ("validate", "plan"):
        result = run_cli(command, "--format", "json", str(tmp_path / "main.cap"))
        assert result.exit_code == 1
        (diagnostic,) = diagnostics_of(result)
        assert "nested deeper than 64" in diagnostic["summary"]
        # `pop q {` is level 1, so the 64th `[` opens level 65: after the 28 characters
        # of `pop q { country = NO tags = ` and 63 brackets, at column 28 + 63 + 1
        assert where(diagnostic) == (5, 28 + 63 + 1)


def test_halls_nested_500_deep_are_e100() -> None:
    text = "site s { " + "hall h { " * 500 + "}" * 501 + "\n"
    compilation = compile_text(text, "deep.cap")
    assert [d.code for d in compilation.diagnostics] == ["E100"]


def test_six_thousand_errors_on_one_line_print_a_bounded_text() -> None:
    text = " ".join(f"site s{i} {{ @ }}" for i in range(6000)) + "\n"  # 101 KB, one line
    compilation = compile_text(text, "wide.cap")
    assert len(compilation.diagnostics) == 6000
    rendered = render_text(compilation.diagnostics.sorted())
    # 200 diagnostics with a source window of at most 120 columns (about 0.4 KB each),
    # 5,800 in two lines (about 60 bytes each): well under 1 MB (was 900 MB).
    assert len(rendered) < 1_000_000
    assert max(len(line) for line in rendered.splitlines()) < 200
    assert "--> wide.cap:1:100887" in rendered  # the last one still located
    assert rendered.rstrip().endswith("--format json has all)")


def test_window_keeps_the_caret_under_the_error_on_a_long_line() -> None:
    text = (
        "".join(f"pop p{i} {{ country = NO }} " for i in range(200)) + "site s { power = 5 mW }\n"
    )
    compilation = compile_text(text, "long.cap")
    rendered = render_text(compilation.diagnostics.sorted())
    lines = rendered.splitlines()
    source_line = next(line for line in lines if line.startswith("1 | "))
    caret_line = lines[lines.index(source_line) + 1]
    caret = caret_line.index("^")
    assert source_line[caret : caret + 2] == "mW"  # E103 marks the unit
    assert source_line.startswith("1 | …") and source_line.endswith("…") is False


def test_control_characters_are_shown_not_sent_to_the_terminal() -> None:
    compilation = compile_text("pop p { \x1b[31m = 1 }\n", "esc.cap")
    rendered = render_text(compilation.diagnostics.sorted())
    assert "\x1b" not in rendered
    assert "␛" in rendered


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=1200), st.data())
def test_byte_offsets_from_the_table_equal_encoding_the_prefix(text: str, data: Any) -> None:
    source = SourceFile("u.cap", text)
    offset = data.draw(st.integers(0, len(text)))
    assert source.byte_offset(offset) == len(text[:offset].encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize(
    ("item", "code"),
    [
        (
            "lot l { supplier = far rack_type = r racks = 1 to = s.h order = 2026-01-05"
            " arrive = 2026-03-02 }",
            "E401",
        ),
        (
            "pop q { country = NO }\nlink k { from = s to = q capacity = 4 x 400 Gbps"
            " supplier = far order = 2026-01-05 ready = 2026-05-04 }",
            "E403",
        ),
    ],
)
def test_order_plus_lead_time_past_9999_is_too_early_not_a_crash(
    tmp_path: Path, item: str, code: str
) -> None:
    # 2026-01-05 + 3,000,000 days is past 9999-12-31: any arrival or ready date is too early
    supplier = "supplier far { supplies = optics lead_time = 3000000d }\n"
    (tmp_path / "main.cap").write_text(BASE + supplier + item + "\n")
    for command in ("validate", "plan"):
        result = run_cli(command, "--format", "json", str(tmp_path / "main.cap"))
        assert result.exit_code == 1
        found = [d for d in diagnostics_of(result) if d["code"] == code]
        assert found and "after 9999-12-31" in found[0]["summary"]


def test_e500_before_any_link_is_up_names_at_most_eight_links(tmp_path: Path) -> None:
    # Twelve s–ix links, k<i> ready on 2026-02-<i + 1>; the flow runs from 2026-01-01, so
    # in January no link is up. The message names the eight up soonest (k0 … k7, in the
    # finding's order) and counts the other four; one related location per named link.
    links = "".join(
        f"link k{i} {{ from = s to = ix capacity = 400 Gbps ready = 2026-02-{i + 1:02d} }}\n"
        for i in range(12)
    )
    root = tmp_path / "links.cap"
    root.write_text(
        BASE + "pop ix { country = NO }\n" + links + "flow f { from = s to = ix rate = 1 Gbps }\n"
    )
    result = run_cli("plan", "--format", "json", str(root))
    assert result.exit_code == 1
    [e500] = [d for d in diagnostics_of(result) if d["code"] == "E500"]
    named = "; ".join(f"`k{i}` is ready on 2026-02-{i + 1:02d}" for i in range(8))
    assert e500["summary"] == (
        "flows `f` not routable from 2026-01-01 until 2026-01-31: they need 1 Gbps before any "
        f"link between their endpoints is up ({named}; 4 more links are down)"
    )
    assert [r["message"] for r in e500["related"]] == [
        f"`k{i}` is ready on 2026-02-{i + 1:02d}" for i in range(8)
    ]


def test_e500_across_a_cut_of_many_links_names_sixteen(tmp_path: Path) -> None:
    # Twenty 1 Gbps s–ix links carry 20 Gbps; the flow needs 100. The cut is all twenty:
    # the message names the first sixteen by name (k0, k1, k10 … k19, k2 … k5) and counts
    # the other four (k6 … k9); one related location per named link.
    links = "".join(f"link k{i} {{ from = s to = ix capacity = 1 Gbps }}\n" for i in range(20))
    root = tmp_path / "cut.cap"
    root.write_text(
        BASE + "pop ix { country = NO }\n" + links + "flow f { from = s to = ix rate = 100 Gbps }\n"
    )
    result = run_cli("plan", "--format", "json", str(root))
    assert result.exit_code == 1
    [e500] = [d for d in diagnostics_of(result) if d["code"] == "E500"]
    named = sorted(f"k{i}" for i in range(20))[:16]
    assert named[:3] == ["k0", "k1", "k10"] and named[-1] == "k5"
    cut = ", ".join(f"`{n}`" for n in named)
    assert e500["summary"] == (
        "flows `f` not routable from 2026-01-01 until the plan end: "
        f"need 100 Gbps across {cut} and 4 more links, which carry 20 Gbps"
    )
    assert [r["message"] for r in e500["related"]] == [f"`{n}` carries 1 Gbps" for n in named]
