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
        for name, regex in self.order:
            if name == target:
                break
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
