"""Read syntax values as typed values: consts, numbers, units, dates, strings.

Every reader returns `None` after reporting a diagnostic, so one bad value
never hides the next one.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from capplan.diagnostics import Diagnostics, Related, Span, closest, did_you_mean, error
from capplan.diagnostics.codes import Code
from capplan.model.decls import Duration
from capplan.model.units import Dim, QuantityValue, UnitError, parse_number, parse_quantity
from capplan.source import SourceFile
from capplan.syntax import ast

DIM_EXAMPLES = {
    Dim.POWER: "a power such as `132 kW`",
    Dim.BANDWIDTH: "a bandwidth such as `400 Gbps`",
    Dim.DURATION: "a duration such as `26w`",
    Dim.DISTANCE: "a distance such as `80 km`",
    Dim.MASS: "a mass such as `1.4 t`",
    Dim.RATIO: "a percentage such as `5%`",
    Dim.SUPPLY_RATE: "a supply rate such as `200 racks/mo`",
    Dim.PER_GPU: "a per-GPU bandwidth such as `25 Mbps/gpu`",
    Dim.MONEY: "an amount such as `100 EUR`",
    Dim.ENERGY_PRICE: "an energy price such as `35 EUR/MWh`",
    Dim.GPU_HOUR_PRICE: "a GPU-hour price such as `2.5 EUR/gpu-h`",
    Dim.CARBON: "a carbon intensity such as `120 gCO2/kWh`",
}

W = TypeVar("W", bound=str)
N = TypeVar("N", bound=ast.Value)
DATE_EXPECTED = "a date such as `2026-03-01`"

# The largest values a model may hold (docs/language.md, "Limits"): far beyond any
# datacenter (a petawatt, a petabit per second), small enough that every stage,
# the LP solver's floating point included, computes with them exactly or finitely.
MAX_MAGNITUDE = Decimal(10) ** 15  # any quantity, in its canonical unit (W, bit/s, m, ...)
MAX_COUNT = 10**9  # racks, GPUs, positions, tranches, priorities

LIMITS_HELP = (
    "quantities are at most 10^15 of their base unit (1 PW, 1 Pbps) and counts at most 10^9"
)
CANONICAL = {
    Dim.POWER: "W",
    Dim.BANDWIDTH: "bit/s",
    Dim.DURATION: "days",
    Dim.DISTANCE: "m",
    Dim.MASS: "kg",
    Dim.RATIO: "(as a fraction)",
    Dim.SUPPLY_RATE: "per period",
    Dim.PER_GPU: "bit/s per GPU",
    Dim.MONEY: "in its currency",
    Dim.ENERGY_PRICE: "per MWh",
    Dim.GPU_HOUR_PRICE: "per GPU-hour",
    Dim.CARBON: "gCO2/kWh",
}

RANGE_HELP = (
    "a range is allowed only in the slip attributes: `slip` of a lot or supplier, "
    "`power_slip` of a site, `ready_slip` of a hall or link"
)

_DAY = re.compile(r"([0-9]{4})-([0-9]{1,2})(?:-([0-9]{1,2}))?")
_QUARTER = re.compile(r"([0-9]{4})-Q([0-9]+)")


@dataclass(frozen=True)
class ConstDef:
    name: str
    value: ast.Value
    source: SourceFile
    name_span: Span


@functools.lru_cache(maxsize=4096)  # a model repeats its dates; a bad one raises each time
def parse_date(text: str) -> dt.date:
    """`2026-03-01`, `2026-03` (first day) or `2026-Q2` (first day of the quarter)."""
    quarter = _QUARTER.fullmatch(text)
    if quarter:
        q = int(quarter.group(2))
        if not 1 <= q <= 4:
            raise ValueError(f"quarter Q{q} does not exist (Q1 to Q4)")
        return dt.date(int(quarter.group(1)), 3 * (q - 1) + 1, 1)
    match = _DAY.fullmatch(text)
    if match is None:
        raise ValueError("dates are written `2026-03-01`, `2026-03` or `2026-Q2`")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} does not exist")
    day = int(match.group(3) or 1)
    last = calendar.monthrange(year, month)[1] if year >= 1 else 31
    if not 1 <= day <= last or year < 1:
        raise ValueError(f"{calendar.month_name[month]} {year} has {last} days")
    return dt.date(year, month, day)


def describe(value: ast.Value) -> str:
    """How a value looks to a user, for 'found ...' messages."""
    if isinstance(value, ast.Number):
        return f"the number `{value.text}`"
    if isinstance(value, ast.Quantity):
        try:
            quantity = parse_quantity(value.text)
        except UnitError:
            return f"`{value.text}`"
        return f"{quantity.dim.value} `{value.text}`"
    if isinstance(value, ast.Product):
        return "a multiplied quantity"
    if isinstance(value, ast.DateLit):
        return f"the date `{value.text}`"
    if isinstance(value, ast.String):
        return "a string"
    if isinstance(value, ast.Bool):
        return "a boolean"
    if isinstance(value, ast.ListVal):
        return "a list"
    if isinstance(value, ast.Range):
        return "a range"
    return f"the name `{value.dotted}`"


class ValueReader:
    """Interprets values against what an attribute expects, reporting what is wrong."""

    def __init__(self, consts: dict[str, ConstDef], diagnostics: Diagnostics) -> None:
        self.consts = consts
        self.diagnostics = diagnostics
        # What each const stands for once followed to the end (None: part of a cycle,
        # already reported). Each const is followed once, so a chain of n consts
        # costs O(n) however often it is used.
        self._meaning: dict[str, tuple[ast.Value, SourceFile] | None] = {}

    # --- consts ---------------------------------------------------------
    def deref(self, value: ast.Value, source: SourceFile) -> tuple[ast.Value, SourceFile] | None:
        """Replace a const name by its value (transitively); E211 on a cycle."""
        chain: list[ConstDef] = []
        names: set[str] = set()
        found: tuple[ast.Value, SourceFile] | None = (value, source)
        while isinstance(value, ast.Ref) and len(value.parts) == 1:
            const = self.consts.get(value.parts[0])
            if const is None:
                break
            if const.name in self._meaning:
                found = self._meaning[const.name]
                break
            if const.name in names:
                self.diagnostics.add(
                    error(
                        Code.E211,
                        f"const cycle: `{const.name}` is defined in terms of itself",
                        Span(source, value.start, value.end),
                        related=[Related(f"`{c.name}` defined here", c.name_span) for c in chain],
                        suggestions=("give one const of the cycle a literal value",),
                    )
                )
                found = None
                break
            chain.append(const)
            names.add(const.name)
            value, source = const.value, const.source
            found = (value, source)
        for const in chain:
            self._meaning[const.name] = found
        return found

    def undefined(self, value: ast.Ref, source: SourceFile, expected: str) -> None:
        name = value.dotted
        guess = closest(name, self.consts)
        self.diagnostics.add(
            error(
                Code.E211,
                f"undefined const `{name}`",
                Span(source, value.start, value.end),
                detail=f"expected {expected}; a bare name here must be a const",
                suggestions=did_you_mean(guess),
            )
        )

    # --- generic errors -------------------------------------------------
    def wrong(self, value: ast.Value, source: SourceFile, expected: str) -> None:
        self.diagnostics.add(
            error(
                Code.E205,
                f"expected {expected}, found {describe(value)}",
                Span(source, value.start, value.end),
                suggestions=[RANGE_HELP] if isinstance(value, ast.Range) else [],
            )
        )

    def out_of_range(self, value: ast.Value, source: SourceFile, why: str, fix: str = "") -> None:
        self.diagnostics.add(
            error(
                Code.E206,
                f"value out of range: {why}",
                Span(source, value.start, value.end),
                suggestions=[fix] if fix else [],
            )
        )

    def unit_error(self, value: ast.Value, source: SourceFile, exc: UnitError) -> None:
        start = value.start + exc.offset
        end = start + exc.length if exc.length else value.end
        self.diagnostics.add(
            error(
                Code.E103,
                str(exc),
                Span(source, start, end),
                suggestions=[exc.help] if exc.help else [],
            )
        )

    # --- readers ----------------------------------------------------------
    def resolved(
        self, value: ast.Value, source: SourceFile, expected: str
    ) -> tuple[ast.Value, SourceFile] | None:
        """The value behind consts; E211 for a bare name that is not a const."""
        found = self.deref(value, source)
        if found is None:
            return None
        value, source = found
        if isinstance(value, ast.Ref):
            self.undefined(value, source, expected)
            return None
        return value, source

    def of_kind(
        self, found: tuple[ast.Value, SourceFile] | None, kind: type[N], expected: str
    ) -> tuple[N, SourceFile] | None:
        """A resolved value if it is a `kind` node; E205 otherwise (None stays None)."""
        if found is None:
            return None
        value, source = found
        if not isinstance(value, kind):
            self.wrong(value, source, expected)
            return None
        return value, source

    def number(self, value: ast.Value, source: SourceFile, expected: str) -> Decimal | None:
        found = self.of_kind(self.resolved(value, source, expected), ast.Number, expected)
        if found is None:
            return None
        value, source = found
        try:
            number = parse_number(value.text)
        except UnitError as exc:
            self.unit_error(value, source, exc)
            return None
        if number > MAX_MAGNITUDE:
            self.out_of_range(value, source, "a number is at most 10^15", LIMITS_HELP)
            return None
        return number

    def count(
        self, value: ast.Value, source: SourceFile, what: str, minimum: int = 0
    ) -> int | None:
        found = self.resolved(value, source, f"a count of {what}")
        if found is None:
            return None
        value, source = found
        number = self.number(value, source, f"a count of {what}")
        if number is None:
            return None
        if number != number.to_integral_value():
            self.out_of_range(value, source, f"a count of {what} must be a whole number")
            return None
        if number < minimum:
            self.out_of_range(value, source, f"a count of {what} must be at least {minimum}")
            return None
        if number > MAX_COUNT:
            self.out_of_range(
                value, source, f"a count of {what} is at most 10^9 (1,000,000,000)", LIMITS_HELP
            )
            return None
        return int(number)

    def quantity(
        self, value: ast.Value, source: SourceFile, dims: Sequence[Dim]
    ) -> QuantityValue | None:
        expected = " or ".join(DIM_EXAMPLES[d] for d in dims)
        found = self.resolved(value, source, expected)
        if found is None:
            return None
        value, source = found
        if isinstance(value, ast.Product):
            quantity = self.product(value, source, dims, expected)
        else:
            quantity = self.single(value, source, dims, expected)
        if quantity is not None and abs(quantity.canonical) > MAX_MAGNITUDE:
            self.out_of_range(
                value,
                source,
                f"{quantity.dim.value} is at most 10^15 {CANONICAL[quantity.dim]}",
                LIMITS_HELP,
            )
            return None
        return quantity

    def single(
        self, value: ast.Value, source: SourceFile, dims: Sequence[Dim], expected: str
    ) -> QuantityValue | None:
        """A quantity written as a number and a unit."""
        if not isinstance(value, ast.Quantity):
            self.wrong(value, source, expected)
            return None
        try:
            quantity = parse_quantity(value.text)
        except UnitError as exc:
            self.unit_error(value, source, exc)
            return None
        if quantity.dim not in dims:
            self.wrong(value, source, expected)
            return None
        return quantity

    def product(
        self, value: ast.Product, source: SourceFile, dims: Sequence[Dim], expected: str
    ) -> QuantityValue | None:
        count = self.number(value.count, source, "a count before `x`")
        operand = self.quantity(value.operand, source, dims)
        if count is None or operand is None:
            return None
        if count != count.to_integral_value():
            self.out_of_range(value.count, source, "the count before `x` must be a whole number")
            return None
        text = source.text[value.start : value.end]
        return QuantityValue(count * operand.magnitude, operand.unit, text)

    def duration(self, value: ast.Value, source: SourceFile) -> Duration | None:
        quantity = self.quantity(value, source, (Dim.DURATION,))
        if quantity is None:
            return None
        amount = quantity.canonical
        if amount != amount.to_integral_value():
            self.diagnostics.add(
                error(
                    Code.E103,
                    f"`{quantity.text}` is not a whole number of "
                    + ("months" if quantity.unit.period == "mo" else "days"),
                    Span(source, value.start, value.end),
                    detail="time is counted in whole days and calendar months",
                )
            )
            return None
        if quantity.unit.period == "mo":
            return Duration(months=int(amount))
        return Duration(days=int(amount))

    def date(self, value: ast.Value, source: SourceFile) -> dt.date | None:
        found = self.resolved(value, source, DATE_EXPECTED)
        literal = self.of_kind(found, ast.DateLit, DATE_EXPECTED)
        return self.date_text(*literal) if literal is not None else None

    def date_text(self, value: ast.DateLit, source: SourceFile) -> dt.date | None:
        try:
            return parse_date(value.text)
        except ValueError as exc:
            self.diagnostics.add(
                error(
                    Code.E102,
                    f"invalid date `{value.text}`",
                    Span(source, value.start, value.end),
                    detail=str(exc),
                )
            )
            return None

    def string(self, value: ast.Value, source: SourceFile) -> str | None:
        found = self.of_kind(self.resolved(value, source, "a string"), ast.String, "a string")
        return self.unescape(*found) if found is not None else None

    def unescape(self, value: ast.String, source: SourceFile) -> str | None:
        raw = value.raw
        if "\\" not in raw:
            return raw
        out: list[str] = []
        i = 0
        while i < len(raw):
            char = raw[i]
            if char == "\\":
                escaped = raw[i + 1 : i + 2]
                mapped = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}.get(escaped)
                if mapped is None:
                    at = value.start + 1 + i
                    self.diagnostics.add(
                        error(
                            Code.E100,
                            f"unknown escape `\\{escaped}` in a string",
                            Span(source, at, at + 2),
                            suggestions=('escapes are `\\"`, `\\\\`, `\\n` and `\\t`',),
                        )
                    )
                    return None
                out.append(mapped)
                i += 2
            else:
                out.append(char)
                i += 1
        return "".join(out)

    def word(self, value: ast.Value, source: SourceFile, expected: str) -> str | None:
        """A bare name or a string, e.g. `country = NO` or `country = "NO"`."""
        found = self.deref(value, source)
        if found is None:
            return None
        value, source = found
        if isinstance(value, ast.String):
            return self.unescape(value, source)
        if isinstance(value, ast.Ref) and len(value.parts) == 1:
            return value.parts[0]
        self.wrong(value, source, expected)
        return None

    def choice(
        self, value: ast.Value, source: SourceFile, attribute: str, choices: Sequence[W]
    ) -> W | None:
        """One of `choices` (a `Literal` type's values, see `model.decls`); E206 otherwise."""
        listing = ", ".join(f"`{c}`" for c in choices)
        word = self.word(value, source, f"one of {listing}")
        if word is None:
            return None
        if word not in choices:
            guess = closest(word, choices)
            self.diagnostics.add(
                error(
                    Code.E206,
                    f"`{word}` is not a valid {attribute}",
                    Span(source, value.start, value.end),
                    detail=f"{attribute} is one of {listing}",
                    suggestions=did_you_mean(guess),
                )
            )
            return None
        return next(c for c in choices if c == word)

    def boolean(self, value: ast.Value, source: SourceFile) -> bool | None:
        expected = "`true` or `false`"
        found = self.of_kind(self.resolved(value, source, expected), ast.Bool, expected)
        return found[0].value if found is not None else None

    def reference(
        self, value: ast.Value, source: SourceFile, expected: str
    ) -> tuple[ast.Ref, SourceFile] | None:
        """A reference to a declaration, possibly through a const naming it."""
        return self.of_kind(self.deref(value, source), ast.Ref, expected)

    def check_literal(self, value: ast.Value, source: SourceFile) -> None:
        """Report what is wrong with a const's value even if nothing uses it."""
        if isinstance(value, ast.Quantity):
            try:
                parse_quantity(value.text)
            except UnitError as exc:
                self.unit_error(value, source, exc)
        elif isinstance(value, ast.Number):
            try:
                parse_number(value.text)
            except UnitError as exc:
                self.unit_error(value, source, exc)
        elif isinstance(value, ast.Product):
            self.check_literal(value.count, source)
            self.check_literal(value.operand, source)
        elif isinstance(value, ast.DateLit):
            self.date_text(value, source)
        elif isinstance(value, ast.String):
            self.unescape(value, source)
        elif isinstance(value, ast.ListVal | ast.Range):
            for item in value.items if isinstance(value, ast.ListVal) else value.bounds:
                self.check_literal(item, source)
        else:
            self.deref(value, source)  # a const cycle is an error even if unused
