"""The "naive Lark LALR tree parse" baseline.

It uses the project's grammar, ``grammar/capplan.lark``, as a plain
``Lark(..., parser="lalr")`` tree parse, once that file exists. Until then it
uses the throwaway grammar ``bench/naive_cap.lark``, which covers what the
generator writes.
"""

from __future__ import annotations

from pathlib import Path

from lark import Lark

REPO_ROOT = Path(__file__).resolve().parent.parent
PROJECT_GRAMMAR = REPO_ROOT / "grammar" / "capplan.lark"
BENCH_GRAMMAR = Path(__file__).resolve().with_name("naive_cap.lark")


def default_grammar() -> Path:
    """The project grammar if it exists, else the bench's throwaway grammar."""
    return PROJECT_GRAMMAR if PROJECT_GRAMMAR.is_file() else BENCH_GRAMMAR


def grammar_label(path: Path) -> str:
    try:
        return path.resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return str(path)


def load_parser(grammar: Path | None = None) -> Lark:
    """A plain LALR parser (default contextual lexer, tree building) for ``grammar``."""
    path = grammar if grammar is not None else default_grammar()
    text = path.read_text(encoding="utf-8")
    return Lark(text, parser="lalr", import_paths=[str(path.parent)])
