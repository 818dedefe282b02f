"""Parse a `.cap` source into a syntax tree with spans, reporting every syntax error.

Lark's LALR parser is the only parser. Two facts make it fast and resilient:

* Top-level items are separated before parsing: an item starts at one of
  `ITEM_STARTS` (`import STRING`, `const NAME`, `KIND NAME`), token pairs that
  occur nowhere inside a valid item. Each item is parsed on its own, so a
  syntax error costs only that item and the parser resumes at the next one.
* An LALR derivation depends only on the sequence of token *types*. The first
  item of each shape is parsed by Lark and its derivation kept as a recipe
  (syntax/recipes.py); later items of the same shape (an inventory file
  repeats a handful of shapes) are built from the recipe without running the
  parser again.

The learnt shapes belong to a `Parser` object: bounded (least recently used
shapes are forgotten) and safe to share between threads (a language server
parses from several requests). `parse_source` uses one shared instance.
Nesting deeper than `MAX_DEPTH` brackets is E100: every stage after the
parser walks values recursively, and no planning input nests more than a few.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from lark import Token
from lark.exceptions import UnexpectedInput

from capplan.diagnostics import Diagnostic, Diagnostics, Span, error
from capplan.diagnostics.codes import Code
from capplan.perf import gc_paused
from capplan.source import SourceFile
from capplan.syntax import ast
from capplan.syntax.grammar import (
    BAD_CHAR,
    BAD_STRING,
    IGNORED,
    lark_parser,
    lexer_tables,
    reserved_terminals,
)
from capplan.syntax.recipes import Builder, Recipe, compile_tree

# Token-type pairs that open a top-level item and occur nowhere inside one. The
# splitter cuts before them, the fast path's lookahead stops at them: a new
# top-level statement adds its opening pair here.
ITEM_STARTS: tuple[tuple[str, str], ...] = (
    ("KIND", "NAME"),
    ("KIND", "X"),  # `pop x {` is a mistaken declaration, still one
    ("CONST", "NAME"),
    ("CONST", "X"),
    ("IMPORT", "STRING"),
    ("OVERRIDE", "KIND"),  # scenarios (docs/language.md §16)
    ("OVERRIDE", "HALL"),
    ("REMOVE", "KIND"),
)
_ITEM_STARTS = frozenset(ITEM_STARTS)
# Openers whose item goes on with a pair that would otherwise start one (`override KIND NAME`).
_PREFIXES = frozenset(a for a, b in ITEM_STARTS if b in ("KIND", "HALL"))
_OPENS = frozenset({"LBRACE", "LSQB"})
_CLOSES = frozenset({"RBRACE", "RSQB"})
MAX_DEPTH = 64  # nested `{`/`[` in one item; a hall's map is 3

TOKEN_NAMES = {
    "LBRACE": "`{`",
    "RBRACE": "`}`",
    "LSQB": "`[`",
    "RSQB": "`]`",
    "EQUAL": "`=`",
    "COLON": "`:`",
    "COMMA": "`,`",
    "DOT": "`.`",
    "DOTS": "`..`",
    "NAME": "a name",
    "STRING": "a string",
    "NUMBER": "a number",
    "QUANTITY": "a quantity",
    "DATE": "a date",
    "KIND": "a declaration",
    "HALL": "`hall`",
    "X": "`x`",
    "TRUE": "`true`",
    "FALSE": "`false`",
    "IMPORT": "`import`",
    "CONST": "`const`",
    "OVERRIDE": "`override`",
    "REMOVE": "`remove`",
    "$END": "end of input",
}


@dataclass
class ParseResult:
    file: ast.File
    diagnostics: Diagnostics = field(default_factory=Diagnostics)


@dataclass(slots=True)
class Tokens:
    types: list[str]
    starts: list[int]
    ends: list[int]


def _unterminated_string(source: SourceFile, start: int, end: int) -> Diagnostic:
    return error(
        Code.E101,
        "unterminated string",
        Span(source, start, end),
        detail='a string must close with `"` on the line where it opens',
        suggestions=('add the closing `"`; write a line break inside a string as `\\n`',),
    )


def _bad_character(source: SourceFile, start: int, end: int) -> Diagnostic:
    char = source.text[start:end]
    return error(
        Code.E100,
        f"unexpected character `{char[:1]}`",
        Span(source, start, end),
        detail="this character cannot start any token of the .cap language",
    )


@dataclass(slots=True)
class Shape:
    """A known item shape: the recipe of its derivation, and once it repeats, a regex.

    Compiling a shape's regex costs about half a millisecond per token (every slot
    carries its terminal's whole pattern), while the regex saves about a microsecond
    per token over lexing in Python: it pays only after a few hundred items of the
    shape. So it is compiled once a shape has been seen `compile_after` (128) times:
    a hand-written or idiomatic file of varied items never pays for it (at 8, the
    bench's L idiomatic fleet spent 0.19 s of its 0.24 s parse compiling regexes
    used once or twice), an inventory of thousands of alike items pays once.
    """

    kinds: tuple[str, ...]
    recipe: Recipe
    seen: int = 1
    pattern: re.Pattern[str] | None = None


def _shape_pattern(kinds: tuple[str, ...]) -> re.Pattern[str]:
    """The item's tokens in sequence, then (lookahead) the end or the next item's start."""
    tables = lexer_tables()
    gap = tables.gap.pattern
    body = gap.join(tables.slot(kind) for kind in kinds)
    nexts = "|".join(tables.slot(a) + gap + tables.slot(b) for a, b in ITEM_STARTS)
    # Groups inside the lookahead would shift the token numbering: make them non-capturing.
    nexts = re.sub(r"\((?![?])", "(?:", nexts)
    return re.compile(f"{body}(?={gap}(?:\\Z|{nexts}))")


class Parser:
    """Parses sources, learning item shapes as it goes; one may be shared by threads.

    `max_shapes` bounds the learnt shapes (least recently used forgotten first);
    `recent` is how many compiled shape regexes the fast path tries per item (0
    turns the fast path off: every item goes through Lark). Reads take an
    immutable snapshot of the recent shapes; every update happens under a lock.
    """

    def __init__(self, max_shapes: int = 512, recent: int = 8, compile_after: int = 128) -> None:
        self.max_shapes = max_shapes
        self.recent_size = recent
        self.compile_after = compile_after
        self._shapes: OrderedDict[tuple[str, ...], Shape] = OrderedDict()
        self._recent: tuple[Shape, ...] = ()  # compiled shapes, most recently used first
        self._lock = threading.Lock()

    @property
    def shapes(self) -> dict[tuple[str, ...], Shape]:
        """A copy of the learnt shapes, for tests and tools."""
        with self._lock:
            return dict(self._shapes)

    def clear(self) -> None:
        with self._lock:
            self._shapes.clear()
            self._recent = ()

    def parse(self, source: SourceFile) -> ParseResult:
        """Every item of the file; each failed item is one diagnostic and parsing goes on."""
        with gc_paused():
            return self._parse(source)

    def _parse(self, source: SourceFile) -> ParseResult:
        diagnostics = Diagnostics()
        result = ast.File(source)
        text = source.text
        size = len(text)
        skip = lexer_tables().gap.match
        items = result.items
        recent = self._recent
        pos = 0
        while True:
            pos = skip(text, pos).end()  # type: ignore[union-attr]
            if pos >= size:
                break
            for shape in recent:
                match = shape.pattern.match(text, pos)  # type: ignore[union-attr]
                if match is not None:
                    Builder(text, match.regs, source).items(shape.recipe, items)
                    pos = match.end()
                    break
            else:
                pos = self._slow_item(source, pos, items, diagnostics)
                recent = self._recent
        return ParseResult(result, diagnostics)

    def _slow_item(
        self, source: SourceFile, pos: int, items: list[ast.Item], diagnostics: Diagnostics
    ) -> int:
        """Lex one item, derive its shape with Lark (once per shape), build it."""
        tokens, next_start = _lex_item(source, pos)
        if _report_lexical(source, tokens, diagnostics):
            return next_start
        kinds = tuple(tokens.types)
        shape = self._learnt(kinds)
        if shape is None:
            if _too_deep(source, tokens, diagnostics):
                return next_start
            more = next_start < len(source.text)
            recipe = _derive(kinds, tokens, source, diagnostics, more)
            if recipe is None:
                return next_start
            shape = self._learn(kinds, recipe)
        regs = [(pos, pos), *zip(tokens.starts, tokens.ends, strict=True)]
        Builder(source.text, regs, source).items(shape.recipe, items)
        return next_start

    def _learnt(self, kinds: tuple[str, ...]) -> Shape | None:
        """The known shape (its use counted, its regex compiled once it repeats), or None."""
        with self._lock:
            shape = self._shapes.get(kinds)
            if shape is None:
                return None
            self._shapes.move_to_end(kinds)
            shape.seen += 1
            if shape.seen < self.compile_after or self.recent_size == 0:
                return shape
            if shape.pattern is None:
                shape.pattern = _shape_pattern(shape.kinds)
            if not self._recent or self._recent[0] is not shape:
                others = tuple(s for s in self._recent if s is not shape)
                self._recent = (shape, *others)[: self.recent_size]
            return shape

    def _learn(self, kinds: tuple[str, ...], recipe: Recipe) -> Shape:
        with self._lock:
            shape = self._shapes.get(kinds)
            if shape is not None:  # another thread learnt it meanwhile
                return shape
            shape = self._shapes[kinds] = Shape(kinds, recipe)
            while len(self._shapes) > self.max_shapes:
                _, dropped = self._shapes.popitem(last=False)
                if dropped in self._recent:
                    self._recent = tuple(s for s in self._recent if s is not dropped)
            return shape


DEFAULT_PARSER = Parser()


def parse_source(source: SourceFile, parser: Parser | None = None) -> ParseResult:
    """Parse with `parser`, or the shared default one."""
    return (parser or DEFAULT_PARSER).parse(source)


def _too_deep(source: SourceFile, tokens: Tokens, diagnostics: Diagnostics) -> bool:
    """E100 at the bracket that opens level MAX_DEPTH + 1, if the item nests that deep."""
    depth = 0
    for index, kind in enumerate(tokens.types):
        if kind in _OPENS:
            depth += 1
            if depth > MAX_DEPTH:
                start, end = tokens.starts[index], tokens.ends[index]
                diagnostics.add(
                    error(
                        Code.E100,
                        f"nested deeper than {MAX_DEPTH} levels",
                        Span(source, start, end),
                        detail=f"blocks and lists may nest at most {MAX_DEPTH} deep",
                        suggestions=("flatten it: no .cap value or block nests this deep",),
                    )
                )
                return True
        elif kind in _CLOSES:
            depth = max(0, depth - 1)
    return False


def _lex_item(source: SourceFile, pos: int) -> tuple[Tokens, int]:
    """Tokens from `pos` up to the next item start; and where that next item starts."""
    tables = lexer_tables()
    keywords = tables.keywords
    text = source.text
    types: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for match in tables.pattern.finditer(text, pos):
        kind = match.lastgroup
        assert kind is not None
        if kind in IGNORED:
            continue
        start, end = match.span()
        if kind == "NAME":
            kind = keywords.get(text[start:end], kind)
        if len(types) >= 2 and (types[-1], kind) in _ITEM_STARTS and types[-2] not in _PREFIXES:
            next_start = starts.pop()
            types.pop()
            ends.pop()
            return Tokens(types, starts, ends), next_start
        types.append(kind)
        starts.append(start)
        ends.append(end)
    return Tokens(types, starts, ends), len(text)


def _report_lexical(source: SourceFile, tokens: Tokens, diagnostics: Diagnostics) -> bool:
    """E101/E100 for tokens no terminal matched; True if there were any."""
    found = False
    previous_end = -1
    for kind, start, end in zip(tokens.types, tokens.starts, tokens.ends, strict=True):
        if kind == BAD_STRING:
            diagnostics.add(_unterminated_string(source, start, end))
            found = True
        elif kind == BAD_CHAR:
            if start != previous_end:  # one diagnostic for a run of stray characters
                diagnostics.add(_bad_character(source, start, end))
            found = True
        previous_end = end if kind == BAD_CHAR else -1
    return found


def _derive(
    shape: tuple[str, ...],
    tokens: Tokens,
    source: SourceFile,
    diagnostics: Diagnostics,
    more: bool,
) -> Recipe | None:
    """Run Lark on one item; its tree (leaves are token indices) becomes the recipe."""
    interactive = lark_parser().parse_interactive("")
    for offset, kind in enumerate(shape):
        token = Token(kind, str(offset), start_pos=offset)
        try:
            interactive.feed_token(token)
        except UnexpectedInput as exc:
            diagnostics.add(_syntax_error(exc, tokens, offset, source))
            return None
    try:
        tree = interactive.feed_eof(Token("$END", "", start_pos=len(shape)))  # type: ignore[no-untyped-call]
    except UnexpectedInput as exc:
        diagnostics.add(_unfinished_item(exc, tokens, source, more))
        return None
    return compile_tree(tree)


VALUE_START = frozenset({"NUMBER", "QUANTITY", "STRING", "DATE", "LSQB", "TRUE", "FALSE", "X"})


def _attribute_start() -> frozenset[str]:
    """What may name an attribute: NAME and every reserved word but `hall` and `x`."""
    return frozenset({"NAME"} | (reserved_terminals() - {"HALL", "X"}))


def _expected(exc: UnexpectedInput) -> list[str]:
    """What the parser wanted, in a planner's words rather than terminal names."""
    expected = set(getattr(exc, "expected", None) or ())
    names: set[str] = set()
    if expected >= VALUE_START:
        names.add("a value")
        expected -= VALUE_START | {"NAME"}
    attribute_start = _attribute_start()
    if expected >= attribute_start:
        names.add("an attribute name")
        expected -= attribute_start
    names.update(TOKEN_NAMES.get(name, name) for name in expected)
    return sorted(names)


def _syntax_error(
    exc: UnexpectedInput, tokens: Tokens, index: int, source: SourceFile
) -> Diagnostic:
    start, end = tokens.starts[index], tokens.ends[index]
    found = source.text[start:end]
    expected = _expected(exc)
    detail = f"expected {_one_of(expected)}" if expected else ""
    kind = tokens.types[index]
    suggestions: list[str] = []
    if kind == "X":
        suggestions.append("`x` is reserved for multiplied quantities such as `16 x 400 Gbps`")
    if kind in reserved_terminals() and kind != "X" and "a name" in expected:
        suggestions.append(f"`{found}` is a reserved word and cannot name a declaration")
    return error(
        Code.E100,
        f"unexpected `{found}`",
        Span(source, start, end),
        detail=detail,
        suggestions=suggestions,
    )


def _unfinished_item(
    exc: UnexpectedInput, tokens: Tokens, source: SourceFile, more: bool
) -> Diagnostic:
    last_start, last_end = tokens.starts[-1], tokens.ends[-1]
    expected = _expected(exc)
    where = "before the next declaration" if more else "at the end of the file"
    opener = source.text[tokens.starts[0] : tokens.ends[min(1, len(tokens.ends) - 1)]]
    summary = f"`{opener}` is not finished {where}"
    detail = f"expected {_one_of(expected)} after this" if expected else ""
    suggestions = ["add the missing `}`"] if "`}`" in expected else []
    return error(
        Code.E100,
        summary,
        Span(source, last_start, last_end),
        detail=detail,
        suggestions=suggestions,
    )


def _one_of(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return "one of " + ", ".join(names)
