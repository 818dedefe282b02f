"""Load grammar/capplan.lark once and derive the Lark parser and the lexer from it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from lark import Lark

from capplan.resources import data_dir

# Token types that never reach the parser.
IGNORED = frozenset({"WS", "COMMENT"})
# Pseudo-terminals for input no grammar terminal matches.
BAD_STRING = "BAD_STRING"
BAD_CHAR = "BAD_CHAR"


def grammar_text() -> str:
    return (data_dir("grammar") / "capplan.lark").read_text(encoding="utf-8")


@cache
def lark_parser() -> Lark:
    """The LALR parser; `keep_all_tokens` so that templates know every token's role."""
    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="basic",
        keep_all_tokens=True,
        maybe_placeholders=False,
    )


@dataclass(frozen=True)
class LexerTables:
    pattern: re.Pattern[str]
    keywords: dict[str, str]  # NAME text -> keyword terminal


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
    alternatives: list[str] = []
    for terminal in terminals:
        pattern = terminal.pattern
        if pattern.type == "str" and name_re.fullmatch(pattern.value):
            keywords[pattern.value] = terminal.name
            continue
        alternatives.append(f"(?P<{terminal.name}>{pattern.to_regexp()})")
    alternatives.append(f'(?P<{BAD_STRING}>"(?:[^"\\\\\\n]|\\\\.)*\\\\?)')
    alternatives.append(f"(?P<{BAD_CHAR}>[\\s\\S])")
    return LexerTables(re.compile("|".join(alternatives)), keywords)
