"""The resolver's shared state: the declarations as written and what is built so far.

Every pass reads and appends to one `Context`: the diagnostics, the consts,
each declaration's syntax node (`DeclSite`) and, once a block is built, its
typed value, so that a later block can look up what it refers to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from capplan.diagnostics import Diagnostics, Span
from capplan.load import Program
from capplan.model.decls import Decl
from capplan.resolve.values import ConstDef, ValueReader
from capplan.source import SourceFile
from capplan.syntax import ast

Members = dict[str, ast.Attribute | ast.MapMember]

D = TypeVar("D", bound=Decl)


@dataclass
class DeclSite:
    """A declaration as written, with what later passes need to point at it."""

    node: ast.Decl
    source: SourceFile
    kind: str
    index: int = 0  # declaration order across the whole model

    def span(self) -> Span:
        return Span(self.source, self.node.start, self.node.end)

    def name_span(self) -> Span:
        return Span(self.source, self.node.name_start, self.node.name_end)

    def source_of(self, member: ast.Attribute | ast.MapMember | None) -> SourceFile:
        """The file a member is written in: the declaration's, unless an `override`
        (section 9) moved it here from a scenario file."""
        if member is not None and member.source is not None:
            return member.source
        return self.source

    def source_for(self, found: Members, name: str) -> SourceFile:
        """The file attribute `name` of `found` is written in."""
        return self.source_of(found.get(name))


@dataclass
class Context:
    program: Program
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    consts: dict[str, ConstDef] = field(default_factory=dict)
    decls: dict[str, DeclSite] = field(default_factory=dict)  # by name, every kind
    ordered: list[DeclSite] = field(default_factory=list)  # in declaration order
    by_kind: dict[str, list[DeclSite]] = field(default_factory=dict)  # each in declaration order
    built: dict[str, Decl] = field(default_factory=dict)  # by name, once built
    written: list[tuple[date, Span]] = field(default_factory=list)  # as written: W404
    derived: list[tuple[date, Span]] = field(default_factory=list)  # order + lead time
    money: list[tuple[int, str, Span]] = field(default_factory=list)  # decl index, currency: E212
    start: date | None = None  # the horizon (see resolve.horizon); None: the model has none
    end: date | None = None  # known once every block that derives dates is built
    reader: ValueReader = field(init=False)

    def __post_init__(self) -> None:
        self.reader = ValueReader(self.consts, self.diagnostics)

    @property
    def level_day(self) -> date:
        """From when a plain (dateless) level holds: the plan start (always, if undated)."""
        return self.start or date.min

    @property
    def due_day(self) -> date:
        """When a plain amount is due: the plan end (never, if there is none)."""
        return self.end or date.max

    def get(self, name: str | None, kind: type[D]) -> D | None:
        """The built declaration `name` if it is a `kind` (None if absent or broken)."""
        found = self.built.get(name) if name is not None else None
        return found if isinstance(found, kind) else None

    def of_kind(self, name: str, kind: type[D]) -> dict[str, D]:
        """Every built declaration of the kind `name`, in declaration order."""
        return {
            site.node.name: d
            for site in self.by_kind.get(name, ())
            if isinstance(d := self.built.get(site.node.name), kind)
        }
