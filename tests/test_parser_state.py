"""Issue 12 item 4: the parser's state is an object (bounded, thread-safe); one reserved list."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from capplan.source import SourceFile
from capplan.syntax import parser
from capplan.syntax.grammar import declaration_kinds, grammar_text, reserved_words

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO.parent / "shared" / "LANGUAGE.md"  # beside the repository in the team's layout

INVENTORY = "".join(
    f"lot r{i} {{ supplier = nv rack_type = g racks = {i + 1} to = s.a arrive = 2026-01-20 }}\n"
    for i in range(200)
)


def test_reserved_words_come_from_the_grammar_and_the_quantity_rule_agrees() -> None:
    words = reserved_words()
    assert {"import", "const", "true", "false", "x", "hall"} <= words
    assert set(declaration_kinds()) <= words
    # The QUANTITY terminal refuses a reserved word as a unit: its list is the same list.
    quantity = next(line for line in grammar_text().splitlines() if line.startswith("QUANTITY"))
    listed = re.search(r"\(\?!\(\?:([a-z_|]+)\)", quantity)
    assert listed is not None
    assert set(listed.group(1).split("|")) == words


def test_reserved_words_match_the_language_guide() -> None:
    text = (REPO / "docs" / "language.md").read_text(encoding="utf-8")
    table = text[text.index("**Reserved words.**") : text.index("Inside a block, the decl")]
    documented = set(re.findall(r"`([a-z_]+)`", table))
    assert documented == reserved_words()


@pytest.mark.skipif(not SPEC.exists(), reason="the spec is not beside this checkout")
def test_reserved_words_match_the_spec() -> None:
    text = SPEC.read_text(encoding="utf-8")
    sentence = text[text.index("- Identifier:") : text.index("cannot name a declaration")]
    spec_words = set(re.findall(r"`([a-z_]+)`", sentence))
    assert spec_words <= reserved_words()
    assert reserved_words() - spec_words <= {"hall", *declaration_kinds()}


def test_every_reserved_terminal_has_a_display_name() -> None:
    from capplan.syntax.grammar import reserved_terminals

    assert reserved_terminals() <= set(parser.TOKEN_NAMES)


def test_learnt_shapes_are_bounded() -> None:
    small = parser.Parser(max_shapes=4)
    text = "".join(f"pop p{i} {{ {' '.join(f'a{j} = 1' for j in range(i))} }}\n" for i in range(20))
    result = small.parse(SourceFile("many.cap", text))
    assert len(result.file.items) == 20 and not result.diagnostics.items
    assert len(small.shapes) == 4  # twenty shapes seen, the four most recent kept


def test_one_parser_shared_by_threads_gives_each_the_same_tree() -> None:
    expected = parser.Parser(recent=0).parse(SourceFile("inv.cap", INVENTORY)).file.items
    shared = parser.Parser(recent=2, compile_after=2)

    def parse(_: int) -> object:
        return shared.parse(SourceFile("inv.cap", INVENTORY)).file.items

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(parse, range(32)))
    assert all(items == expected for items in results)
