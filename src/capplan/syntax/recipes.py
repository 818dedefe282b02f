"""Recipes: an item's Lark derivation with token indices for leaves, and their builder.

An LALR derivation depends only on the sequence of token types, so the
derivation of one item is the derivation of every item of the same shape. A
recipe keeps it with each leaf replaced by the index of the token it was
built from; `Builder` instantiates a recipe over the spans of another item's
tokens. The recipe types are small NamedTuples: cheap to build and read, and
each field named.
"""

from __future__ import annotations

from typing import NamedTuple

from lark import Token, Tree

from capplan.source import SourceFile
from capplan.syntax import ast


class LeafRecipe(NamedTuple):
    """A one-token value: `kind` is the grammar's alias (number, quantity, date, ...)."""

    kind: str
    token: int


class RefRecipe(NamedTuple):
    parts: tuple[int, ...]  # the NAME tokens, dots left out


class ProductRecipe(NamedTuple):
    number: int
    operand: ValueRecipe


class ListRecipe(NamedTuple):
    open: int
    close: int
    items: tuple[ValueRecipe, ...]


class RangeRecipe(NamedTuple):
    bounds: tuple[ValueRecipe, ...]  # LOW, HIGH or LOW, MODE, HIGH


ValueRecipe = LeafRecipe | RefRecipe | ProductRecipe | ListRecipe | RangeRecipe


class AttrRecipe(NamedTuple):
    name: int
    value: ValueRecipe


class MapRecipe(NamedTuple):
    name: int
    close: int
    entries: tuple[tuple[int, ValueRecipe], ...]  # (key token, value)


class DeclRecipe(NamedTuple):
    kind: int
    name: int
    close: int
    members: tuple[MemberRecipe, ...]


MemberRecipe = AttrRecipe | MapRecipe | DeclRecipe


class ImportRecipe(NamedTuple):
    keyword: int
    path: int


class ConstRecipe(NamedTuple):
    keyword: int
    name: int
    value: ValueRecipe


class OverrideRecipe(NamedTuple):
    """`override KIND NAME { ... }` or `override hall SITE.HALL { ... }` (section 9)."""

    keyword: int
    kind: int
    target: tuple[int, ...]  # NAME, or SITE and HALL
    close: int
    members: tuple[MemberRecipe, ...]


class RemoveRecipe(NamedTuple):
    keyword: int
    kind: int
    name: int


ItemRecipe = ImportRecipe | ConstRecipe | DeclRecipe | OverrideRecipe | RemoveRecipe
Recipe = tuple[ItemRecipe, ...]  # the items of one derivation (the splitter gives one)


def compile_tree(tree: Tree[Token]) -> Recipe:
    """The recipe of a derivation whose tokens' `start_pos` is their index in the item."""
    return tuple(_item(child) for child in tree.children if isinstance(child, Tree))


def _leaf(node: Token | Tree[Token]) -> int:
    assert isinstance(node, Token)
    return int(node.start_pos or 0)


def _item(node: Tree[Token]) -> ItemRecipe:
    kind = node.data
    children = node.children
    if kind == "import_stmt":
        return ImportRecipe(_leaf(children[0]), _leaf(children[1]))
    if kind == "const_stmt":
        return ConstRecipe(_leaf(children[0]), _leaf(children[1]), _value(children[3]))
    if kind in ("decl", "hall_decl"):
        return _decl(node)
    if kind == "override_stmt":
        # OVERRIDE KIND NAME { ... } or OVERRIDE HALL NAME . NAME { ... }
        dotted = isinstance(children[3], Token) and children[3].type == "DOT"
        names = (2, 4) if dotted else (2,)
        first = names[-1] + 2  # after the `{`
        members = tuple(_member(c) for c in children[first:-1])
        target = tuple(_leaf(children[i]) for i in names)
        return OverrideRecipe(
            _leaf(children[0]), _leaf(children[1]), target, _leaf(children[-1]), members
        )
    if kind == "remove_stmt":
        return RemoveRecipe(_leaf(children[0]), _leaf(children[1]), _leaf(children[2]))
    raise AssertionError(f"unexpected item {kind}")


def _decl(node: Tree[Token]) -> DeclRecipe:
    children = node.children
    members = tuple(_member(c) for c in children[3:-1])
    return DeclRecipe(_leaf(children[0]), _leaf(children[1]), _leaf(children[-1]), members)


def _member(node: Token | Tree[Token]) -> MemberRecipe:
    assert isinstance(node, Tree)
    if node.data == "hall_decl":
        return _decl(node)
    name_node = node.children[0]
    assert isinstance(name_node, Tree)
    name = _leaf(name_node.children[0])
    if node.data == "attribute":
        return AttrRecipe(name, _value(node.children[2]))
    entries = []
    for entry in node.children[2:-1]:
        assert isinstance(entry, Tree)
        entries.append((_leaf(entry.children[0]), _value(entry.children[2])))
    return MapRecipe(name, _leaf(node.children[-1]), tuple(entries))


def _value(node: Token | Tree[Token]) -> ValueRecipe:
    if isinstance(node, Token):  # the QUANTITY of `N x Q`
        return LeafRecipe("quantity", _leaf(node))
    kind = node.data
    children = node.children
    if kind == "ref":
        return RefRecipe(
            tuple(_leaf(c) for c in children if isinstance(c, Token) and c.type != "DOT")
        )
    if kind == "product":
        return ProductRecipe(_leaf(children[0]), _value(children[2]))
    if kind == "list":
        items = tuple(_value(c) for c in children if isinstance(c, Tree))
        return ListRecipe(_leaf(children[0]), _leaf(children[-1]), items)
    if kind == "range":  # bound DOTS bound [DOTS bound]: every other child
        return RangeRecipe(tuple(_value(c) for c in children[::2]))
    return LeafRecipe(str(kind), _leaf(children[0]))


class Builder:
    """Instantiate a recipe: `regs[i + 1]` is the (start, end) of the item's token i.

    (`regs[0]` is the whole match, as in `re.Match.regs`, so the fast path hands
    its match over without copying.)
    """

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

    def item(self, recipe: ItemRecipe) -> ast.Item:
        if type(recipe) is DeclRecipe:
            return self.decl(recipe)
        if type(recipe) is ImportRecipe:
            _, kw_start, _ = self._tok(recipe.keyword)
            raw, start, end = self._tok(recipe.path)
            return ast.Import(ast.String(raw[1:-1], start, end), kw_start, end)
        if type(recipe) is OverrideRecipe:
            return self.override(recipe)
        if type(recipe) is RemoveRecipe:
            _, kw_start, _ = self._tok(recipe.keyword)
            what, _, _ = self._tok(recipe.kind)
            name, name_start, name_end = self._tok(recipe.name)
            return ast.Remove(what, name, name_start, name_end, kw_start, name_end, self.source)
        assert type(recipe) is ConstRecipe
        _, kw_start, _ = self._tok(recipe.keyword)
        name, name_start, name_end = self._tok(recipe.name)
        value = self.value(recipe.value)
        return ast.Const(name, name_start, name_end, value, kw_start, value.end)

    def decl(self, recipe: DeclRecipe) -> ast.Decl:
        kind, kind_start, _ = self._tok(recipe.kind)
        name, name_start, name_end = self._tok(recipe.name)
        end = self.regs[recipe.close + 1][1]
        members: list[ast.Member] = [self.member(m) for m in recipe.members]
        return ast.Decl(kind, name, kind_start, name_start, name_end, members, end, self.source)

    def override(self, recipe: OverrideRecipe) -> ast.Override:
        _, kw_start, _ = self._tok(recipe.keyword)
        what, _, _ = self._tok(recipe.kind)
        parts = [self._tok(i) for i in recipe.target]
        target = ast.Ref(tuple(p[0] for p in parts), parts[0][1], parts[-1][2])
        end = self.regs[recipe.close + 1][1]
        members: list[ast.Member] = [self.member(m) for m in recipe.members]
        return ast.Override(what, target, members, kw_start, end, self.source)

    def member(self, recipe: MemberRecipe) -> ast.Member:
        if type(recipe) is AttrRecipe:
            start, end = self.regs[recipe.name + 1]
            return ast.Attribute(self.text[start:end], start, end, self.value(recipe.value))
        if type(recipe) is MapRecipe:
            name, start, end = self._tok(recipe.name)
            close = self.regs[recipe.close + 1][1]
            entries = [ast.Entry(self.key(k), self.value(v)) for k, v in recipe.entries]
            return ast.MapMember(name, start, end, entries, start, close)
        assert type(recipe) is DeclRecipe
        return self.decl(recipe)

    def key(self, index: int) -> ast.Key:
        text, start, end = self._tok(index)
        first = text[0]
        if first == '"':
            return ast.String(text[1:-1], start, end)
        if first.isdigit():
            return ast.DateLit(text, start, end)
        return ast.Ref((text,), start, end)

    def value(self, recipe: ValueRecipe) -> ast.Value:
        if type(recipe) is LeafRecipe:
            return self.leaf(recipe)
        if type(recipe) is RefRecipe:
            parts = [self._tok(i) for i in recipe.parts]
            return ast.Ref(tuple(p[0] for p in parts), parts[0][1], parts[-1][2])
        if type(recipe) is ProductRecipe:
            text, start, end = self._tok(recipe.number)
            operand = self.value(recipe.operand)
            return ast.Product(ast.Number(text, start, end), operand, start, operand.end)
        if type(recipe) is RangeRecipe:
            bounds = [self.value(r) for r in recipe.bounds]
            mode = bounds[1] if len(bounds) == 3 else None
            return ast.Range(bounds[0], mode, bounds[-1], bounds[0].start, bounds[-1].end)
        assert type(recipe) is ListRecipe
        open_start = self.regs[recipe.open + 1][0]
        close_end = self.regs[recipe.close + 1][1]
        return ast.ListVal([self.value(r) for r in recipe.items], open_start, close_end)

    def leaf(self, recipe: LeafRecipe) -> ast.Value:
        start, end = self.regs[recipe.token + 1]
        text = self.text[start:end]
        kind = recipe.kind
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
