"""The syntax tree. Every node keeps its character range (`start`, `end`).

Values stay as written (raw text); units, dates and escapes are interpreted by
the model stage, which reports E102/E103 with these ranges.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from capplan.source import SourceFile


@dataclass(slots=True)
class Number:
    text: str
    start: int
    end: int


@dataclass(slots=True)
class Quantity:
    text: str  # number and unit as written, e.g. "20 MW"
    start: int
    end: int


@dataclass(slots=True)
class Product:
    count: Number
    operand: Value
    start: int
    end: int


@dataclass(slots=True)
class DateLit:
    text: str
    start: int
    end: int


@dataclass(slots=True)
class String:
    raw: str  # between the quotes, escapes not yet applied
    start: int
    end: int


@dataclass(slots=True)
class Bool:
    value: bool
    start: int
    end: int


@dataclass(slots=True)
class ListVal:
    items: list[Value]
    start: int
    end: int


@dataclass(slots=True)
class Ref:
    parts: tuple[str, ...]
    start: int
    end: int

    @property
    def dotted(self) -> str:
        return ".".join(self.parts)


@dataclass(slots=True)
class Range:
    """`LOW .. HIGH` or `LOW .. MODE .. HIGH` (docs/language.md §15): an uncertain duration."""

    low: Value
    mode: Value | None  # None: uniform between the bounds
    high: Value
    start: int
    end: int

    @property
    def bounds(self) -> tuple[Value, ...]:
        """The bounds as written, in order."""
        return (self.low, self.high) if self.mode is None else (self.low, self.mode, self.high)


Value = Number | Quantity | Product | DateLit | String | Bool | ListVal | Ref | Range
Key = DateLit | String | Ref


@dataclass(slots=True)
class Entry:
    key: Key
    value: Value


@dataclass(slots=True)
class Attribute:
    name: str
    name_start: int
    name_end: int
    value: Value
    # Set only on a member an `override` moved into a declaration of another file.
    source: SourceFile | None = field(default=None, repr=False, compare=False)

    @property
    def start(self) -> int:
        return self.name_start

    @property
    def end(self) -> int:
        return self.value.end


@dataclass(slots=True)
class MapMember:
    name: str
    name_start: int
    name_end: int
    entries: list[Entry]
    start: int
    end: int
    source: SourceFile | None = field(default=None, repr=False, compare=False)


@dataclass(slots=True)
class Decl:
    kind: str
    name: str
    kind_start: int
    name_start: int
    name_end: int
    members: list[Member]
    end: int
    source: SourceFile | None = field(default=None, repr=False, compare=False)

    @property
    def start(self) -> int:
        return self.kind_start


Member = Attribute | MapMember | Decl


@dataclass(slots=True)
class Import:
    path: String
    start: int
    end: int


@dataclass(slots=True)
class Const:
    name: str
    name_start: int
    name_end: int
    value: Value
    start: int
    end: int


@dataclass(slots=True)
class Override:
    """`override KIND NAME { ... }` or `override hall SITE.HALL { ... }` (section 9)."""

    kind: str  # a declaration kind, or "hall"
    target: Ref  # NAME, or SITE.HALL for a hall
    members: list[Member]
    start: int
    end: int
    source: SourceFile | None = field(default=None, repr=False, compare=False)


@dataclass(slots=True)
class Remove:
    """`remove KIND NAME` (section 9): drop a declaration, e.g. a cancelled lot."""

    kind: str
    name: str
    name_start: int
    name_end: int
    start: int
    end: int
    source: SourceFile | None = field(default=None, repr=False, compare=False)


Item = Import | Const | Decl | Override | Remove


@dataclass
class File:
    source: SourceFile
    items: list[Item] = field(default_factory=list)
