"""Load grammar/capplan.lark once and derive the Lark parser and the lexer from it."""

from __future__ import annotations

import re
import re._constants as re_constants  # type: ignore[import-not-found]
import re._parser as re_parser  # type: ignore[import-not-found]
from dataclasses import dataclass
from functools import cache
from typing import Any

from lark import Lark

from capplan.resources import data_dir
from capplan.syntax import parser_cache

# Token types that never reach the parser.
IGNORED = frozenset({"WS", "COMMENT"})
# Pseudo-terminals for input no grammar terminal matches.
BAD_STRING = "BAD_STRING"
BAD_CHAR = "BAD_CHAR"


def grammar_text() -> str:
    return (data_dir("grammar") / "capplan.lark").read_text(encoding="utf-8")


_OPTIONS: dict[str, Any] = {
    "parser": "lalr",
    "lexer": "basic",
    "keep_all_tokens": True,  # templates know every token's role
    "maybe_placeholders": False,
}


@cache
def lark_parser() -> Lark:
    """The LALR parser, its tables from the user's cache when an earlier run built them.

    Building the tables takes about 0.1 s, a fifth of a small `validate`; loading
    them takes a hundredth of that (docs/performance.md, start-up).
    """
    text = grammar_text()
    path = parser_cache.tables_path(text, _OPTIONS)
    loaded = parser_cache.load(path) if path is not None else None
    if loaded is not None:
        return loaded
    parser = Lark(text, **_OPTIONS)
    if path is not None:
        parser_cache.save(parser, path)
    return parser


@dataclass(frozen=True)
class LexerTables:
    pattern: re.Pattern[str]
    keywords: dict[str, str]  # NAME text -> keyword terminal
    order: tuple[tuple[str, str], ...]  # (terminal, regex) in the order the lexer tries them
    gap: re.Pattern[str]  # whitespace and comments between tokens

    def slot(self, kind: str) -> str:
        """A regex matching exactly where the lexer would produce a `kind` token here.

        The lexer takes the first terminal (in `order`) that matches, then retypes
        keyword NAMEs; so a slot rules out every earlier terminal, is atomic (no
        backtracking into a token), and for NAME rules out the keywords.
        """
        target = "NAME" if kind in self.keywords.values() else kind
        parts: list[str] = []
        own = first_chars(dict(self.order)[target])
        for name, regex in self.order:
            if name == target:
                break
            theirs = first_chars(regex)
            if own is not None and theirs is not None and not own & theirs:
                continue  # cannot start at the same character: no need to rule it out
            parts.append(f"(?!{regex})")
        regex = dict(self.order)[target]
        boundary = "(?![A-Za-z0-9_-])"
        if kind != target:  # a keyword: the NAME token is exactly the word
            word = next(w for w, k in self.keywords.items() if k == kind)
            parts.append(f"({re.escape(word)}){boundary}")
        else:
            if target == "NAME":
                words = "|".join(re.escape(w) for w in sorted(self.keywords))
                parts.append(f"(?!(?:{words}){boundary})")
            parts.append(f"((?>{regex}))")
        return "".join(parts)


@cache
def reserved_terminals() -> frozenset[str]:
    """Terminals of reserved words: the string keywords (`import`, `x`, ...) and KIND."""
    return frozenset({*lexer_tables().keywords.values(), "KIND"})


@cache
def declaration_kinds() -> tuple[str, ...]:
    """The words of the KIND terminal (`plan`, `supplier`, ...), in the grammar's order."""
    terminal = next(t for t in lark_parser().terminals if t.name == "KIND")
    match = re.match(r"\(\?:([A-Za-z_|]+)\)", terminal.pattern.value)
    assert match is not None, "KIND is written (?:word|word...)(?!...) in the grammar"
    return tuple(match.group(1).split("|"))


@cache
def reserved_words() -> frozenset[str]:
    """Words that cannot name a declaration or a const: derived from the grammar only.

    The one list: the parser's messages use it, and a test checks that the
    grammar's QUANTITY lookahead and docs/language.md §2 name the same words.
    """
    return frozenset({*lexer_tables().keywords, *declaration_kinds()})


@cache
def first_chars(regex: str) -> frozenset[str] | None:
    """Characters a match of `regex` can start with; None when any character can."""
    chars, _ = _first(list(re_parser.parse(regex)))
    return None if chars is None else frozenset(chars)


def _first(items: list[tuple[Any, Any]]) -> tuple[set[str] | None, bool]:
    """(first characters or None for any, whether the sequence can match empty)."""
    found: set[str] = set()
    for op, av in items:
        chars, nullable = _first_one(op, av)
        if chars is None:
            return None, False
        found |= chars
        if not nullable:
            return found, False
    return found, True


def _first_one(op: Any, av: Any) -> tuple[set[str] | None, bool]:
    c = re_constants
    if op is c.LITERAL:
        return {chr(av)}, False
    if op is c.IN:
        return _first_in(av), False
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        low, _, sub = av
        chars, nullable = _first(list(sub))
        return chars, nullable or low == 0
    if op is c.SUBPATTERN:
        return _first(list(av[-1]))
    if op is c.ATOMIC_GROUP:
        return _first(list(av))
    if op is c.BRANCH:
        union: set[str] = set()
        nullable = False
        for branch in av[1]:
            chars, empty = _first(list(branch))
            if chars is None:
                return None, False
            union |= chars
            nullable = nullable or empty
        return union, nullable
    if op in (c.ASSERT, c.ASSERT_NOT, c.AT):
        return set(), True  # zero-width
    return None, False


def _first_in(av: Any) -> set[str] | None:
    c = re_constants
    chars: set[str] = set()
    for op, value in av:
        if op is c.LITERAL:
            chars.add(chr(value))
        elif op is c.RANGE:
            chars.update(chr(i) for i in range(value[0], value[1] + 1))
        else:  # NEGATE, CATEGORY (\s, \d ...): treat as any character
            return None
    return chars


@cache
def lexer_tables() -> LexerTables:
    """One master regex in the order Lark's basic lexer tries terminals.

    Keywords given as strings (`import`, `x`, ...) are matched as NAME and then
    retyped, exactly as Lark does, so the grammar stays the only definition.
    """
    parser = lark_parser()
    terminals = sorted(
        parser.terminals,
        key=lambda t: (-t.priority, -t.pattern.max_width, -len(t.pattern.value), t.name),
    )
    name_pattern = next(t for t in terminals if t.name == "NAME").pattern.to_regexp()
    name_re = re.compile(name_pattern)
    keywords: dict[str, str] = {}
    order: list[tuple[str, str]] = []
    for terminal in terminals:
        pattern = terminal.pattern
        if pattern.type == "str" and name_re.fullmatch(pattern.value):
            keywords[pattern.value] = terminal.name
            continue
        order.append((terminal.name, pattern.to_regexp()))
    order.append((BAD_STRING, '"(?:[^"\\\\\\n]|\\\\.)*\\\\?'))
    order.append((BAD_CHAR, "[\\s\\S]"))
    master = re.compile("|".join(f"(?P<{name}>{regex})" for name, regex in order))
    ignored = "|".join(regex for name, regex in order if name in IGNORED)
    gap = re.compile(f"(?:{ignored})*+")
    return LexerTables(master, keywords, tuple(order), gap)
