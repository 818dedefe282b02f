"""Parse a `.cap` source into a syntax tree with spans, reporting every syntax error.

Lark's LALR parser is the only parser. Two facts make it fast and resilient:

* Top-level items are separated before parsing: an item starts at `import
  STRING`, `const NAME` or `KIND NAME`, sequences that occur nowhere inside a
  valid item. Each item is parsed on its own, so a syntax error costs only
  that item and the parser resumes at the next declaration.
* An LALR derivation depends only on the sequence of token *types*. The first
  item of each shape is parsed by Lark and its derivation kept as a recipe;
  later items of the same shape (an inventory file repeats a handful of
  shapes) are built from the recipe without running the parser again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lark import Token, Tree
from lark.exceptions import UnexpectedInput

from capplan.diagnostics import Diagnostic, Diagnostics, Span, error
from capplan.perf import gc_paused
from capplan.source import SourceFile
from capplan.syntax import ast
from capplan.syntax.grammar import BAD_CHAR, BAD_STRING, IGNORED, lark_parser, lexer_tables

Recipe = tuple[Any, ...]

TOKEN_NAMES = {
    "LBRACE": "`{`",
    "RBRACE": "`}`",
    "LSQB": "`[`",
    "RSQB": "`]`",
    "EQUAL": "`=`",
    "COLON": "`:`",
    "COMMA": "`,`",
    "DOT": "`.`",
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
        "E101",
        "unterminated string",
        Span(source, start, end),
        detail='a string must close with `"` on the line where it opens',
        suggestions=('add the closing `"`; write a line break inside a string as `\\n`',),
    )


def _bad_character(source: SourceFile, start: int, end: int) -> Diagnostic:
    char = source.text[start:end]
    return error(
        "E100",
        f"unexpected character `{char[:1]}`",
        Span(source, start, end),
        detail="this character cannot start any token of the .cap language",
    )


def _starts_item(kind: str, following: str) -> bool:
    """`import STRING`, `const NAME`, `KIND NAME`, `override KIND|hall` and `remove KIND`
    occur only at the start of an item (`KIND NAME` right after `override`/`remove` is
    the same item: the caller checks that)."""
    if kind in ("KIND", "CONST"):
        return following in ("NAME", "X")  # `pop x {` is a mistaken declaration, still one
    if kind == "OVERRIDE":
        return following in ("KIND", "HALL")
    if kind == "REMOVE":
        return following == "KIND"
    return kind == "IMPORT" and following == "STRING"


SCENARIO_WORDS = ("OVERRIDE", "REMOVE")


@dataclass(slots=True)
class Shape:
    """A known item shape: the recipe of its derivation, and once it repeats, a regex.

    Compiling a shape's regex costs a few milliseconds, about as much as a few
    items through the slow path, so it is done only once a shape has been seen
    COMPILE_AFTER times: a hand-written file of varied items never pays for it,
    an inventory of thousands of alike items pays once.
    """

    kinds: tuple[str, ...]
    recipe: Recipe
    seen: int = 1
    pattern: re.Pattern[str] | None = None


_shapes: dict[tuple[str, ...], Shape] = {}
_recent: list[Shape] = []  # shapes with a compiled regex, most recently used first
RECENT = 8
COMPILE_AFTER = 8  # uses before a shape's regex pays back its compile time


def _shape_pattern(kinds: tuple[str, ...]) -> re.Pattern[str]:
    """The item's tokens in sequence, then (lookahead) the end or the next item's start."""
    tables = lexer_tables()
    gap = tables.gap.pattern
    body = gap.join(tables.slot(kind) for kind in kinds)
    nexts = "|".join(
        tables.slot(a) + gap + tables.slot(b)
        for a, b in (
            ("KIND", "NAME"),
            ("KIND", "X"),
            ("CONST", "NAME"),
            ("CONST", "X"),
            ("IMPORT", "STRING"),
            ("OVERRIDE", "KIND"),
            ("OVERRIDE", "HALL"),
            ("REMOVE", "KIND"),
        )
    )
    # Groups inside the lookahead would shift the token numbering: make them non-capturing.
    nexts = re.sub(r"\((?![?])", "(?:", nexts)
    return re.compile(f"{body}(?={gap}(?:\\Z|{nexts}))")


def _use(shape: Shape) -> None:
    """Count a use; once the shape repeats, keep its regex among the recent ones."""
    shape.seen += 1
    if shape.seen < COMPILE_AFTER:
        return
    if shape.pattern is None:
        shape.pattern = _shape_pattern(shape.kinds)
    if _recent and _recent[0] is shape:
        return
    if shape in _recent:
        _recent.remove(shape)
    _recent.insert(0, shape)
    del _recent[RECENT:]


def parse_source(source: SourceFile) -> ParseResult:
    """Every item of the file; each failed item is one diagnostic and parsing goes on."""
    with gc_paused():
        return _parse(source)


def _parse(source: SourceFile) -> ParseResult:
    diagnostics = Diagnostics()
    result = ast.File(source)
    text = source.text
    size = len(text)
    skip = lexer_tables().gap.match
    items = result.items
    pos = 0
    while True:
        pos = skip(text, pos).end()  # type: ignore[union-attr]
        if pos >= size:
            break
        for shape in _recent:
            match = shape.pattern.match(text, pos)  # type: ignore[union-attr]
            if match is not None:
                _Builder(text, match.regs, source).items(shape.recipe, items)
                pos = match.end()
                break
        else:
            pos = _slow_item(source, pos, items, diagnostics)
    return ParseResult(result, diagnostics)


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
        if len(types) >= 2 and _starts_item(types[-1], kind) and types[-2] not in SCENARIO_WORDS:
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


def _slow_item(
    source: SourceFile, pos: int, items: list[ast.Item], diagnostics: Diagnostics
) -> int:
    """Lex one item, derive its shape with Lark (once per shape), build it."""
    tokens, next_start = _lex_item(source, pos)
    if _report_lexical(source, tokens, diagnostics):
        return next_start
    kinds = tuple(tokens.types)
    shape = _shapes.get(kinds)
    if shape is None:
        recipe = _derive(kinds, tokens, source, diagnostics, next_start < len(source.text))
        if recipe is None:
            return next_start
        shape = _shapes[kinds] = Shape(kinds, recipe)
    else:
        _use(shape)
    regs = [(pos, pos), *zip(tokens.starts, tokens.ends, strict=True)]
    _Builder(source.text, regs, source).items(shape.recipe, items)
    return next_start


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
    return tuple(_compile(child) for child in tree.children)


VALUE_START = frozenset({"NUMBER", "QUANTITY", "STRING", "DATE", "LSQB", "TRUE", "FALSE", "X"})
ATTRIBUTE_START = frozenset(
    {"NAME", "KIND", "IMPORT", "CONST", "TRUE", "FALSE", "OVERRIDE", "REMOVE"}
)


def _expected(exc: UnexpectedInput) -> list[str]:
    """What the parser wanted, in a planner's words rather than terminal names."""
    expected = set(getattr(exc, "expected", None) or ())
    names: set[str] = set()
    if expected >= VALUE_START:
        names.add("a value")
        expected -= VALUE_START | {"NAME"}
    if expected >= ATTRIBUTE_START:
        names.add("an attribute name")
        expected -= ATTRIBUTE_START
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
    reserved = ("KIND", "HALL", "IMPORT", "CONST", "TRUE", "FALSE", "OVERRIDE", "REMOVE")
    if kind in reserved and "a name" in expected:
        suggestions.append(f"`{found}` is a reserved word and cannot name a declaration")
    return error(
        "E100",
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
        "E100",
        summary,
        Span(source, last_start, last_end),
        detail=detail,
        suggestions=suggestions,
    )


def _one_of(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return "one of " + ", ".join(names)


# --- recipes ----------------------------------------------------------------


def _leaf(node: Token | Tree[Token]) -> int:
    assert isinstance(node, Token)
    return int(node.start_pos or 0)


def _compile(node: Tree[Token]) -> Recipe:
    kind = node.data
    children = node.children
    if kind == "import_stmt":
        return ("import", _leaf(children[0]), _leaf(children[1]))
    if kind == "const_stmt":
        return ("const", _leaf(children[0]), _leaf(children[1]), _compile_value(children[3]))
    if kind in ("decl", "hall_decl"):
        members = tuple(_compile_member(c) for c in children[3:-1])
        return ("decl", _leaf(children[0]), _leaf(children[1]), _leaf(children[-1]), members)
    if kind == "override_stmt":
        # OVERRIDE KIND NAME { ... } or OVERRIDE HALL NAME . NAME { ... }
        dotted = isinstance(children[3], Token) and children[3].type == "DOT"
        names = (2, 4) if dotted else (2,)
        first = names[-1] + 2  # after the `{`
        members = tuple(_compile_member(c) for c in children[first:-1])
        target = tuple(_leaf(children[i]) for i in names)
        return (
            "override",
            _leaf(children[0]),
            _leaf(children[1]),
            target,
            _leaf(children[-1]),
            members,
        )
    if kind == "remove_stmt":
        return ("remove", _leaf(children[0]), _leaf(children[1]), _leaf(children[2]))
    raise AssertionError(f"unexpected item {kind}")


def _compile_member(node: Token | Tree[Token]) -> Recipe:
    assert isinstance(node, Tree)
    if node.data == "hall_decl":
        return _compile(node)
    name_node = node.children[0]
    assert isinstance(name_node, Tree)
    name = _leaf(name_node.children[0])
    if node.data == "attribute":
        return ("attr", name, _compile_value(node.children[2]))
    entries = []
    for entry in node.children[2:-1]:
        assert isinstance(entry, Tree)
        entries.append((_leaf(entry.children[0]), _compile_value(entry.children[2])))
    return ("map", name, _leaf(node.children[-1]), tuple(entries))


def _compile_value(node: Token | Tree[Token]) -> Recipe:
    assert isinstance(node, Tree)
    kind = node.data
    children = node.children
    if kind == "ref":
        return (
            "ref",
            tuple(_leaf(c) for c in children if isinstance(c, Token) and c.type != "DOT"),
        )
    if kind == "product":
        return ("product", _leaf(children[0]), _compile_value_or_leaf(children[2]))
    if kind == "list":
        items = tuple(_compile_value(c) for c in children if isinstance(c, Tree))
        return ("list", _leaf(children[0]), _leaf(children[-1]), items)
    return (kind, _leaf(children[0]))


def _compile_value_or_leaf(node: Token | Tree[Token]) -> Recipe:
    if isinstance(node, Token):  # the QUANTITY of `N x Q`
        return ("quantity", _leaf(node))
    return _compile_value(node)


class _Builder:
    """Instantiate a recipe: `regs[i + 1]` is the (start, end) of the item's token i."""

    __slots__ = ("regs", "source", "text")

    def __init__(
        self,
        text: str,
        regs: tuple[tuple[int, int], ...] | list[tuple[int, int]],
        source: SourceFile,
    ) -> None:
        self.text = text
        self.regs = regs
        self.source = source

    def _tok(self, index: int) -> tuple[str, int, int]:
        start, end = self.regs[index + 1]
        return self.text[start:end], start, end

    def items(self, recipe: Recipe, out: list[ast.Item]) -> None:
        for item_recipe in recipe:
            out.append(self.item(item_recipe))

    def item(self, recipe: Recipe) -> ast.Item:
        kind = recipe[0]
        if kind == "decl":
            return self.decl(recipe)
        if kind == "override":
            return self.override(recipe)
        if kind == "remove":
            _, kw_start, _ = self._tok(recipe[1])
            what, _, _ = self._tok(recipe[2])
            name, name_start, name_end = self._tok(recipe[3])
            return ast.Remove(what, name, name_start, name_end, kw_start, name_end, self.source)
        if kind == "import":
            _, kw_start, _ = self._tok(recipe[1])
            raw, start, end = self._tok(recipe[2])
            return ast.Import(ast.String(raw[1:-1], start, end), kw_start, end)
        _, kw_start, _ = self._tok(recipe[1])
        name, name_start, name_end = self._tok(recipe[2])
        value = self.value(recipe[3])
        return ast.Const(name, name_start, name_end, value, kw_start, value.end)

    def decl(self, recipe: Recipe) -> ast.Decl:
        kind, kind_start, _ = self._tok(recipe[1])
        name, name_start, name_end = self._tok(recipe[2])
        end = self.regs[recipe[3] + 1][1]
        members: list[ast.Member] = [self.member(m) for m in recipe[4]]
        return ast.Decl(kind, name, kind_start, name_start, name_end, members, end, self.source)

    def override(self, recipe: Recipe) -> ast.Override:
        _, kw_start, _ = self._tok(recipe[1])
        what, _, _ = self._tok(recipe[2])
        parts = [self._tok(i) for i in recipe[3]]
        target = ast.Ref(tuple(p[0] for p in parts), parts[0][1], parts[-1][2])
        end = self.regs[recipe[4] + 1][1]
        members: list[ast.Member] = [self.member(m) for m in recipe[5]]
        return ast.Override(what, target, members, kw_start, end, self.source)

    def member(self, recipe: Recipe) -> ast.Member:
        kind = recipe[0]
        if kind == "attr":
            start, end = self.regs[recipe[1] + 1]
            return ast.Attribute(self.text[start:end], start, end, self.value(recipe[2]))
        if kind == "map":
            name, start, end = self._tok(recipe[1])
            close = self.regs[recipe[2] + 1][1]
            entries = [ast.Entry(self.key(k), self.value(v)) for k, v in recipe[3]]
            return ast.MapMember(name, start, end, entries, start, close)
        return self.decl(recipe)

    def key(self, index: int) -> ast.Key:
        text, start, end = self._tok(index)
        first = text[0]
        if first == '"':
            return ast.String(text[1:-1], start, end)
        if first.isdigit():
            return ast.DateLit(text, start, end)
        return ast.Ref((text,), start, end)

    def value(self, recipe: Recipe) -> ast.Value:
        kind = recipe[0]
        if kind == "ref":
            parts = [self._tok(i) for i in recipe[1]]
            return ast.Ref(tuple(p[0] for p in parts), parts[0][1], parts[-1][2])
        if kind == "product":
            text, start, end = self._tok(recipe[1])
            operand = self.value(recipe[2])
            return ast.Product(ast.Number(text, start, end), operand, start, operand.end)
        if kind == "list":
            open_start = self.regs[recipe[1] + 1][0]
            close_end = self.regs[recipe[2] + 1][1]
            return ast.ListVal([self.value(r) for r in recipe[3]], open_start, close_end)
        start, end = self.regs[recipe[1] + 1]
        text = self.text[start:end]
        if kind == "number":
            return ast.Number(text, start, end)
        if kind == "quantity":
            return ast.Quantity(text, start, end)
        if kind == "date":
            return ast.DateLit(text, start, end)
        if kind == "string":
            return ast.String(text[1:-1], start, end)
        if kind == "true":
            return ast.Bool(True, start, end)
        if kind == "false":
            return ast.Bool(False, start, end)
        raise AssertionError(f"unexpected value {kind}")
