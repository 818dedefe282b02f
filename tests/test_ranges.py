"""Ranges and slip attributes (LANGUAGE.md section 8): syntax, model, E205/E206, fmt, nominal plans."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from capplan.api import compile_text, plan
from capplan.diagnostics import Diagnostic
from capplan.fmt import format_text
from capplan.model.decls import Slip
from capplan.source import SourceFile
from capplan.syntax import ast, parse_source
from tests.e2e.harness import EXAMPLES, run_capplan
from tests.test_parser_fast_path import SETTINGS, same

BASE = """
plan p { start = 2026-01-01  end = 2026-12-31 }
supplier nv { lead_time = 4w  slip = 0d .. 1mo }
rack_type r { gpus = 72  power = 100 kW  cooling = liquid  install = 1w }
site a {
  power { 2026-01-01: 1 MW  2026-06-01: 10 MW }
  power_slip = 0d .. 1mo .. 4mo
  hall h { positions = 10  cooling = liquid  ready = 2026-02-01  ready_slip = 1w .. 2w }
}
pop ix {}
link up { from = a  to = ix  capacity = 1 Tbps  ready = 2026-01-10  ready_slip = 3d .. 3d }
lot l { supplier = nv  rack_type = r  racks = 2  to = a  arrive = 2026-02-01  slip = 0d .. 2w .. 10w }
commitment c { site = a  gpus { 2026-03-01: 144 } }
"""


def written(diagnostic: Diagnostic) -> str:
    """The source text a diagnostic points at."""
    span = diagnostic.span
    return span.source.text[span.start : span.end] if span else ""


def errors(text: str) -> list[tuple[str, str]]:
    compilation = compile_text(text, "r.cap")
    return [(d.code, written(d)) for d in compilation.diagnostics]


def test_a_range_parses_with_two_or_three_bounds() -> None:
    source = SourceFile("r.cap", "lot l { slip = 0d .. 2w .. 10w  other = 1d..2d }\n")
    members = parse_source(source).file.items[0].members  # type: ignore[union-attr]
    triangular, uniform = members[0].value, members[1].value  # type: ignore[union-attr]
    assert isinstance(triangular, ast.Range) and isinstance(uniform, ast.Range)
    assert [b.text for b in triangular.bounds] == ["0d", "2w", "10w"]  # type: ignore[union-attr]
    assert uniform.mode is None and [b.text for b in uniform.bounds] == ["1d", "2d"]  # type: ignore[union-attr]
    assert source.text[triangular.start : triangular.end] == "0d .. 2w .. 10w"


def test_slip_attributes_are_read_in_days_with_mo_as_30_4375_days() -> None:
    compilation = compile_text(BASE, "r.cap")
    assert not compilation.diagnostics.has_errors, [d.summary for d in compilation.diagnostics]
    model = compilation.model
    assert model is not None
    assert model.lots["l"].slip == Slip(
        low=Decimal(0),
        mode=Decimal(14),
        high=Decimal(70),
        span=model.lots["l"].slip.span,  # type: ignore[union-attr]
    )  # 2w = 14 days, 10w = 70 days
    supplier = model.suppliers["nv"].slip
    assert supplier is not None and (supplier.low, supplier.mode, supplier.high) == (
        0,
        None,
        Decimal("30.4375"),  # 1mo inside a range = 365.25 / 12 days
    )
    power = model.sites["a"].power_slip
    assert power is not None and (power.mode, power.high) == (
        Decimal("30.4375"),
        Decimal("121.75"),  # 4 x 30.4375
    )
    ready = model.sites["a"].halls["h"].ready_slip
    assert ready is not None and (ready.low, ready.high) == (7, 14)
    link = model.links["up"].ready_slip
    assert link is not None and (link.low, link.high) == (3, 3)


def test_a_const_may_hold_a_range_and_a_plain_duration_is_a_fixed_slip() -> None:
    text = BASE.replace("slip = 0d .. 2w .. 10w", "slip = gpu_slip") + (
        "const gpu_slip = 1w .. 3w\nlot m { supplier = nv  rack_type = r  racks = 1  to = a"
        "  arrive = 2026-02-01  slip = 5d }\n"
    )
    compilation = compile_text(text, "r.cap")
    assert not compilation.diagnostics.has_errors, [d.summary for d in compilation.diagnostics]
    model = compilation.model
    assert model is not None
    assert (model.lots["l"].slip.low, model.lots["l"].slip.high) == (7, 21)  # type: ignore[union-attr]
    fixed = model.lots["m"].slip
    assert fixed is not None and (fixed.low, fixed.mode, fixed.high) == (5, None, 5)


def test_bounds_out_of_order_are_e206() -> None:
    text = BASE.replace("0d .. 2w .. 10w", "0d .. 12w .. 10w").replace("1w .. 2w", "2w .. 1w")
    assert errors(text) == [("E206", "2w .. 1w"), ("E206", "0d .. 12w .. 10w")]


def test_a_range_outside_a_slip_attribute_is_e205() -> None:
    text = BASE.replace("power = 100 kW", "power = 100 kW .. 120 kW").replace(
        "install = 1w", "install = 1w .. 2w"
    )
    found = compile_text(text, "r.cap").diagnostics
    assert [(d.code, written(d)) for d in found] == [
        ("E205", "100 kW .. 120 kW"),
        ("E205", "1w .. 2w"),
    ]
    assert all("slip attributes" in " ".join(d.suggestions) for d in found)


def test_a_bound_that_is_not_a_duration_is_e205() -> None:
    found = errors(BASE.replace("0d .. 2w .. 10w", "0 .. 5 MW"))
    assert found == [("E205", "0"), ("E205", "5 MW")]


def test_nominal_plan_ignores_every_slip() -> None:
    slipped = plan(compile_text(BASE, "r.cap"))
    plain = BASE
    for attribute in (
        "  slip = 0d .. 1mo",
        "  power_slip = 0d .. 1mo .. 4mo",
        "  ready_slip = 1w .. 2w",
        "  ready_slip = 3d .. 3d",
        "  slip = 0d .. 2w .. 10w",
    ):
        plain = plain.replace(attribute, "")
    nominal = plan(compile_text(plain, "r.cap"))
    assert slipped is not None and nominal is not None
    assert slipped.schedule.lots["l"].parts == nominal.schedule.lots["l"].parts
    assert [d.code for d in slipped.diagnostics] == [d.code for d in nominal.diagnostics]


def test_fmt_writes_ranges_with_spaced_dots() -> None:
    formatted = format_text("lot l { slip = 0d..2w ..10w }\nsite s { power_slip=1w..2mo }\n")
    assert formatted.text == "lot l { slip = 0d .. 2w .. 10w }\nsite s { power_slip = 1w .. 2mo }\n"


def test_fmt_check_passes_on_the_example_with_slips() -> None:
    run = run_capplan("fmt", "--check", EXAMPLES)
    assert run.returncode == 0, run


DURATION = st.sampled_from(["0d", "1d", "2w", "10w", "1mo", "4 mo", "3", "x", "a.b"])


@SETTINGS
@given(st.lists(DURATION, min_size=1, max_size=4), st.sampled_from(["..", " .. ", ". .", "..."]))
def test_fast_path_equals_lark_on_ranges(bounds: list[str], dots: str) -> None:
    value = dots.join(bounds)
    same("".join(f"lot l{i} {{ slip = {value}  racks = {i} }}\n" for i in range(12)))


def test_semantic_tokens_mark_each_bound_of_a_range_as_a_number() -> None:
    from capplan.lsp.tokens import TOKEN_TYPES, semantic_tokens

    source = SourceFile("t.cap", "lot l { slip = 0d .. 2w .. low }\n")
    items = parse_source(source).file.items
    data = semantic_tokens(source, items, [], {"low"})
    decoded, column = [], 0
    for index in range(0, len(data), 5):
        _, delta_col, length, kind, _ = data[index : index + 5]
        column += delta_col  # one line: columns are relative to the previous token
        decoded.append((column, length, TOKEN_TYPES[kind]))
    assert decoded == [
        (0, 3, "keyword"),  # lot
        (4, 1, "class"),  # l
        (8, 4, "property"),  # slip
        (15, 2, "number"),  # 0d
        (21, 2, "number"),  # 2w
        (27, 3, "variable"),  # low: a const
    ]
