"""`capplan fmt`: the canonical layout, comments kept, idempotent, the same model."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from capplan.api import compile_file, compile_text
from capplan.diagnostics import Span
from capplan.fmt import format_text, scan_comments
from capplan.source import SourceFile
from capplan.syntax import ast, parse_source
from tests.conftest import EXAMPLES, run_cli


def fmt(text: str) -> str:
    result = format_text(text)
    assert result.ok, result.diagnostics.items
    return result.text


def _plain(value: Any) -> Any:
    """A model dump without source positions (they move when the layout changes)."""
    if isinstance(value, Span):
        return None
    if isinstance(value, dict) and set(value) == {"source", "start", "end"}:
        return None  # a Span, as model_dump gives it
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def meaning(text: str) -> tuple[Any, list[tuple[str, str]]]:
    """What a file compiles to: the model (positions aside) and its diagnostics."""
    compilation = compile_text(text, "main.cap")
    model = None if compilation.model is None else _plain(compilation.model.model_dump())
    return model, sorted((d.code, d.summary) for d in compilation.diagnostics)


def comments(text: str) -> list[str]:
    return [c.text for c in scan_comments(text)]


# -- the layout rules, by example ------------------------------------------------------


def test_spacing_indent_and_alignment() -> None:
    source = (
        "site s{pue=1.1\n"
        "     reserve   =5%\n"
        "  power{2026-01-01:20MW 2026-06-01 : 30 MW}\n"
        "hall h {positions=10 cooling=liquid}}\n"
    )
    assert fmt(source) == (
        "site s {\n"
        "  pue     = 1.1\n"  # `=` aligned over the run of one-line attributes
        "  reserve = 5%\n"
        "  power { 2026-01-01: 20MW  2026-06-01: 30 MW }\n"  # `20MW` keeps its spelling
        "  hall h { positions = 10  cooling = liquid }\n"  # written inline, stays inline
        "}\n"
    )


def test_one_line_block_stays_inline_and_long_one_breaks() -> None:
    short = "supplier nvidia {supplies=gpus   lead_time=26w}\n"
    assert fmt(short) == "supplier nvidia { supplies = gpus  lead_time = 26w }\n"
    names = ", ".join(f"site_number_{i}" for i in range(8))
    long = f'commitment c {{ customer = "C"  sites = [{names}]  gpus = 100 }}\n'
    assert len(long) > 100
    lines = fmt(long).splitlines()
    assert lines[0] == "commitment c {"
    assert lines[1] == '  customer = "C"'
    assert lines[2] == "  sites = ["  # the list alone is over 100 columns: one item a line
    assert lines[3] == "    site_number_0,"
    assert lines[-2] == "  gpus = 100"


def test_values_kept_as_written() -> None:
    source = 'const a = 8_000\nconst b = 2026-Q2\nconst c = 16 x 400 Gbps\nconst d = "x\\ty"\n'
    assert fmt(source) == (
        'const a = 8_000\nconst b = 2026-Q2\nconst c = 16 x 400 Gbps\nconst d = "x\\ty"\n'
    )
    assert fmt("lot l { to = narvik . hall_a  install = 2w  share = 5 %}\n") == (
        "lot l { to = narvik.hall_a  install = 2w  share = 5 % }\n"
    )


def test_blank_lines_between_declarations() -> None:
    source = (
        'import "a.cap"\nimport "b.cap"\n\n\n\n'
        "pop p1 { country = NO }\npop p2 { country = NO }\n"
        "site s {\n\n  power = 1 MW\n\n\n  pue = 1.2\n\n}\npop p3 { country = NO }\n"
    )
    assert fmt(source) == (
        'import "a.cap"\nimport "b.cap"\n\n'  # at most one blank line in a row
        "pop p1 { country = NO }\npop p2 { country = NO }\n\n"  # one-line ones keep none
        "site s {\n  power = 1 MW\n\n  pue = 1.2\n}\n\n"  # none after `{`, before `}`
        "pop p3 { country = NO }\n"  # exactly one around a multi-line declaration
    )


def test_comments_stay_where_they_are() -> None:
    source = (
        "# header\n\n"
        "# about s\n"
        "site s {  # opening\n"
        "  power = 1 MW   # trailing\n"
        "  # before pue\n"
        "  pue   = 1.2\n"
        "  sites = [a, # first\n b]\n"
        "  # closing\n"
        "}  # after\n"
        "# end\n"
    )
    assert fmt(source) == (
        "# header\n\n"
        "# about s\n"
        "site s {  # opening\n"
        "  power = 1 MW  # trailing\n"
        "  # before pue\n"  # a standalone comment starts a new alignment run
        "  pue = 1.2\n"
        "  sites = [\n    a,  # first\n    b,\n  ]\n"  # a comment inside a list breaks it
        "  # closing\n"
        "}  # after\n"
        "# end\n"
    )


def test_scenario_items() -> None:
    source = "override lot l {racks=3}\nremove   lot l2\noverride hall s.h {\npositions=4\n}\n"
    assert fmt(source) == (
        "override lot l { racks = 3 }\nremove lot l2\n\noverride hall s.h {\n  positions = 4\n}\n"
    )


def test_syntax_error_leaves_the_file_alone() -> None:
    result = format_text("site s { power == 1 MW }\n")
    assert not result.ok
    assert [d.code for d in result.diagnostics] == ["E100"]
    assert result.text == "site s { power == 1 MW }\n"


# -- the examples ----------------------------------------------------------------------


def example_files() -> list[Path]:
    return sorted(EXAMPLES.rglob("*.cap"))


def test_examples_are_formatted() -> None:
    # `capplan fmt --check examples/` in CI: every shipped example is in the canonical layout.
    unformatted = [
        str(p)
        for p in example_files()
        if fmt(p.read_text(encoding="utf-8")) != p.read_text(encoding="utf-8")
    ]
    assert not unformatted, "run `capplan fmt examples/`"


def test_formatting_the_example_tree_compiles_to_the_same_model(tmp_path: Path) -> None:
    root = EXAMPLES / "nscale-2026.cap"
    for path in (EXAMPLES / "nscale").glob("*.cap"):
        (tmp_path / "nscale").mkdir(exist_ok=True)
        (tmp_path / "nscale" / path.name).write_text(fmt(path.read_text(encoding="utf-8")))
    (tmp_path / root.name).write_text(fmt(root.read_text(encoding="utf-8")))
    before = compile_file(root)
    after = compile_file(tmp_path / root.name)
    assert before.model is not None and after.model is not None
    assert _plain(after.model.model_dump()) == _plain(before.model.model_dump())
    assert len(after.diagnostics) == len(before.diagnostics)


# -- properties: mutated examples ------------------------------------------------------

GAPS = [" ", "  ", "\n", "\n\n\n", "\n      ", " \t "]


def _gaps(file: ast.File) -> list[tuple[int, int]]:
    """Whitespace runs between items, members and entries: safe to re-space freely."""
    runs: list[tuple[int, int]] = []

    def between(nodes: list[Any]) -> None:
        spans = [
            (n.key.start, n.value.end) if isinstance(n, ast.Entry) else (n.start, n.end)
            for n in nodes
        ]
        runs.extend((left[1], right[0]) for left, right in itertools.pairwise(spans))

    def members(nodes: list[ast.Member]) -> None:
        between(nodes)
        for node in nodes:
            if isinstance(node, ast.Decl):
                members(node.members)
            elif isinstance(node, ast.MapMember):
                between(node.entries)

    between(file.items)
    for item in file.items:
        if isinstance(item, ast.Decl | ast.Override):
            members(item.members)
    return runs


def mutate(text: str, choices: list[int]) -> str:
    file = parse_source(SourceFile("m", text)).file
    spots = [(a, b) for a, b in _gaps(file) if text[a:b].strip() == "" and b > a]
    out = text
    for (start, end), choice in sorted(zip(spots, choices, strict=False), reverse=True):
        out = out[:start] + GAPS[choice % len(GAPS)] + out[end:]
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    index=st.integers(min_value=0, max_value=100),
    choices=st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=400),
)
def test_mutated_examples_format_to_the_same_model(index: int, choices: list[int]) -> None:
    files = example_files()
    text = files[index % len(files)].read_text(encoding="utf-8")
    mutated = mutate(text, choices)
    once = fmt(mutated)
    assert fmt(once) == once  # idempotent
    assert comments(once) == comments(text)  # every comment, in order
    assert meaning(once) == meaning(mutated)


# -- properties: generated models ------------------------------------------------------

NAMES = st.sampled_from(["narvik", "sines", "oslo_ix", "hall_a", "b2", "x_1"])
DATES = st.sampled_from(["2026-01-01", "2026-03", "2026-Q3", "2027-02-28", "2026-13-01"])
UNITS = st.sampled_from(["MW", "kW", "mW", "Gbps", "w", "d", "%", "racks/mo"])
NUMBERS = st.sampled_from(["1", "20", "8_000", "1.10", "0.5", "132"])
SPACE = st.sampled_from([" ", "  ", "", "\t"])
COMMENT = st.one_of(st.just(""), st.sampled_from(["# note", "#x", "# ASSUMED: 2 = 3 {"]))


@st.composite
def values(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 6))
    if kind == 0:
        return draw(NUMBERS)
    if kind == 1:
        return draw(NUMBERS) + draw(st.sampled_from(["", " "])) + draw(UNITS)
    if kind == 2:
        return f"{draw(st.integers(1, 32))} x {draw(NUMBERS)} Gbps"
    if kind == 3:
        return draw(DATES)
    if kind == 4:
        return '"' + draw(st.sampled_from(["NO", "a # not a comment", "é", 'x\\"y'])) + '"'
    if kind == 5:
        names = draw(st.lists(NAMES, max_size=3))
        return "[" + draw(st.sampled_from([",", ", ", " ,\n"])).join(names) + "]"
    return ".".join(draw(st.lists(NAMES, min_size=1, max_size=2)))


@st.composite
def members(draw: st.DrawFn, depth: int) -> list[str]:
    found = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.integers(0, 5 if depth == 0 else 4))
        name = draw(st.sampled_from(["power", "pue", "racks", "to", "description", "gpus"]))
        if kind <= 3:
            found.append(f"{name}{draw(SPACE)}={draw(SPACE)}{draw(values())}")
        elif kind == 4:
            entries = [
                f"{draw(DATES)}{draw(SPACE)}:{draw(SPACE)}{draw(values())}"
                for _ in range(draw(st.integers(0, 3)))
            ]
            found.append(f"{name} {{" + draw(st.sampled_from([" ", "\n"])).join(entries) + "}")
        else:
            found.append(draw(block(f"hall {draw(NAMES)}", depth + 1)))
    return found


@st.composite
def block(draw: st.DrawFn, head: str, depth: int = 0) -> str:
    body = draw(members(depth))
    if draw(st.booleans()):
        return f"{head} {{ " + "  ".join(body) + " }"
    lines = []
    for member in body:
        if draw(st.booleans()):
            lines.append(draw(COMMENT))
        comment = draw(COMMENT)
        lines.append(draw(SPACE) + member + (f"  {comment}" if comment else ""))
    return f"{head} {{\n" + "\n".join(lines) + "\n}"


@st.composite
def models(draw: st.DrawFn) -> str:
    items = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["plan", "site", "lot", "pop", "const", "import", "remove"]))
        name = draw(NAMES)
        if kind == "const":
            items.append(f"const {name} = {draw(values())}")
        elif kind == "import":
            items.append('import "other.cap"')
        elif kind == "remove":
            items.append(f"remove lot {name}")
        else:
            items.append(draw(block(f"{kind} {name}")))
        comment = draw(COMMENT)
        if comment:
            items.append(comment)
    return draw(st.sampled_from(["\n", "\n\n", "\n\n\n"])).join(items) + "\n"


@settings(max_examples=150, deadline=None)
@given(models())
def test_generated_models_format_idempotently_to_the_same_model(text: str) -> None:
    result = format_text(text)
    if not result.ok:  # a generated syntax error: the file is left alone
        assert result.text == text
        return
    once = result.text
    assert fmt(once) == once
    assert comments(once) == comments(text)
    assert meaning(once) == meaning(text)


# -- the command -----------------------------------------------------------------------


def test_fmt_check_diff_and_write(tmp_path: Path) -> None:
    path = tmp_path / "main.cap"
    path.write_text("pop p {country=NO}\n", encoding="utf-8")
    checked = run_cli("fmt", str(path), "--check")
    assert checked.exit_code == 1
    assert checked.stdout == f"{path}\n"
    assert path.read_text() == "pop p {country=NO}\n"  # --check writes nothing
    diffed = run_cli("fmt", str(path), "--check", "--diff")
    assert diffed.exit_code == 1
    assert "-pop p {country=NO}\n+pop p { country = NO }\n" in diffed.stdout
    written = run_cli("fmt", str(tmp_path))
    assert written.exit_code == 0
    assert path.read_text() == "pop p { country = NO }\n"
    again = run_cli("fmt", str(tmp_path), "--check")
    assert (again.exit_code, again.stdout) == (0, "")


def test_fmt_reports_a_syntax_error_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "bad.cap"
    path.write_text("pop p { country == NO }\n", encoding="utf-8")
    result = run_cli("fmt", str(path))
    assert result.exit_code == 1
    assert re.search(r"error\[E100\]", result.stderr)
    assert path.read_text() == "pop p { country == NO }\n"
