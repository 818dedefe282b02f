"""The shape fast path builds exactly what Lark's derivation builds, for any input."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from capplan.source import SourceFile
from capplan.syntax import parser
from tests.test_fuzz_validate import TOKENS, mutated


def parse_both(text: str) -> tuple[object, object]:
    """Parse with the fast path off (every item through Lark), then warm (fast path on)."""
    slow = parser.Parser(recent=0).parse(SourceFile("a.cap", text))
    warm = parser.Parser(compile_after=2)  # the rule is the same at any threshold
    for _ in range(warm.compile_after):  # warm the cache: every shape's regex compiled
        warm.parse(SourceFile("a.cap", text))
    fast = warm.parse(SourceFile("a.cap", text))
    return slow, fast


def same(text: str) -> None:
    slow, fast = parse_both(text)
    assert fast.file.items == slow.file.items  # type: ignore[attr-defined]
    spans = [(d.code, d.span.start, d.span.end) for d in fast.diagnostics]  # type: ignore[attr-defined]
    assert spans == [(d.code, d.span.start, d.span.end) for d in slow.diagnostics]  # type: ignore[attr-defined]


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(mutated())
def test_fast_path_equals_lark_on_mutated_examples(text: str) -> None:
    same(text)


@SETTINGS
@given(
    st.lists(
        st.sampled_from([*TOKENS, "lot", "a", "b", "{", "}", "=", "1", "pop"]), max_size=80
    ).map(" ".join)
)
def test_fast_path_equals_lark_on_token_soup(text: str) -> None:
    same(text)


def test_repeated_items_take_the_fast_path() -> None:
    item = "lot r{i} {{ supplier = nvidia rack_type = gb300 racks = 1 to = narvik.a arrive = 2026-01-20 }}\n"
    text = "".join(item.format(i=i) for i in range(200))
    fresh = parser.Parser()  # the default threshold: 128 items, then the regex
    result = fresh.parse(SourceFile("inv.cap", text))
    assert len(result.file.items) == 200
    shapes = fresh.shapes
    assert len(shapes) == 1  # one shape learned from Lark, the rest matched by its regex
    assert next(iter(shapes.values())).seen == fresh.compile_after  # then no more slow path


def test_a_keyword_where_a_name_was_learned_is_not_matched_as_a_name() -> None:
    # `x = 1` as an attribute is a syntax error (x is reserved), though `y = 1` has the same look.
    result = parser.parse_source(SourceFile("k.cap", "pop a { y = 1 }\npop b { x = 1 }\n"))
    assert [d.code for d in result.diagnostics] == ["E100"]
    assert len(result.file.items) == 1


def test_trailing_garbage_joins_the_item_it_follows() -> None:
    result = parser.parse_source(SourceFile("g.cap", "pop a { }\npop b { } ]\npop c { }\n"))
    assert [d.code for d in result.diagnostics] == ["E100"]
    assert [item.name for item in result.file.items] == ["a", "c"]  # type: ignore[union-attr]
