"""Units and dimensions of docs/language.md §3, with exact (Decimal) scaling."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum


class Dim(str, Enum):
    POWER = "power"
    BANDWIDTH = "bandwidth"
    DURATION = "duration"
    DISTANCE = "distance"
    MASS = "mass"
    RATIO = "ratio"
    SUPPLY_RATE = "supply rate"
    PER_GPU = "per-GPU bandwidth"
    MONEY = "money"
    ENERGY_PRICE = "energy price"
    GPU_HOUR_PRICE = "GPU-hour price"
    CARBON = "carbon intensity"


@dataclass(frozen=True)
class Unit:
    symbol: str
    dim: Dim
    factor: Decimal  # to the canonical unit (W, bit/s, days, m, kg, fraction, per period, g/kWh)
    per: str = ""  # supply rates: "racks"/"gpus"; money: currency
    period: str = ""  # supply rates: "w"/"mo"; durations: "d"/"mo"


def _u(symbol: str, dim: Dim, factor: str, per: str = "", period: str = "") -> Unit:
    return Unit(symbol, dim, Decimal(factor), per, period)


UNITS: dict[str, Unit] = {
    u.symbol: u
    for u in (
        _u("W", Dim.POWER, "1"),
        _u("kW", Dim.POWER, "1e3"),
        _u("MW", Dim.POWER, "1e6"),
        _u("GW", Dim.POWER, "1e9"),
        _u("Mbps", Dim.BANDWIDTH, "1e6"),
        _u("Gbps", Dim.BANDWIDTH, "1e9"),
        _u("Tbps", Dim.BANDWIDTH, "1e12"),
        _u("d", Dim.DURATION, "1", period="d"),
        _u("w", Dim.DURATION, "7", period="d"),
        _u("mo", Dim.DURATION, "1", period="mo"),
        _u("m", Dim.DISTANCE, "1"),
        _u("km", Dim.DISTANCE, "1e3"),
        _u("kg", Dim.MASS, "1"),
        _u("t", Dim.MASS, "1e3"),
        _u("%", Dim.RATIO, "0.01"),
        _u("racks/w", Dim.SUPPLY_RATE, "1", per="racks", period="w"),
        _u("racks/mo", Dim.SUPPLY_RATE, "1", per="racks", period="mo"),
        _u("gpus/w", Dim.SUPPLY_RATE, "1", per="gpus", period="w"),
        _u("gpus/mo", Dim.SUPPLY_RATE, "1", per="gpus", period="mo"),
        _u("Mbps/gpu", Dim.PER_GPU, "1e6"),
        _u("Gbps/gpu", Dim.PER_GPU, "1e9"),
        _u("EUR", Dim.MONEY, "1", per="EUR"),
        _u("USD", Dim.MONEY, "1", per="USD"),
        _u("EUR/MWh", Dim.ENERGY_PRICE, "1", per="EUR"),
        _u("USD/MWh", Dim.ENERGY_PRICE, "1", per="USD"),
        _u("EUR/gpu-h", Dim.GPU_HOUR_PRICE, "1", per="EUR"),
        _u("USD/gpu-h", Dim.GPU_HOUR_PRICE, "1", per="USD"),
        _u("gCO2/kWh", Dim.CARBON, "1"),  # = kg CO2 per MWh
    )
}

RANGE_MONTH_DAYS = Decimal("30.4375")
"""Days in a `mo` inside a range (docs/language.md §3): the mean Gregorian month, 365.25 / 12."""

_NUMBER = re.compile(r"[0-9][0-9_]*(?:\.[0-9_]+)?")
_QUANTITY = re.compile(r"([0-9][0-9_]*(?:\.[0-9_]+)?)[ \t]*(.*)", re.S)


class UnitError(ValueError):
    """A number or unit that cannot be read; carries what to tell the user."""

    def __init__(self, message: str, offset: int = 0, length: int = 0, help: str = "") -> None:
        super().__init__(message)
        self.offset = offset
        self.length = length
        self.help = help


def parse_number(text: str) -> Decimal:
    """`100_000` and `1.10`; underscores only between digits."""
    if "_" in text and ("__" in text or text.endswith("_") or "_." in text or "._" in text):
        raise UnitError(
            f"invalid number `{text}`",
            0,
            len(text),
            "underscores may only separate digits, as in `100_000`",
        )
    try:
        return Decimal(text.replace("_", ""))
    except InvalidOperation as exc:  # pragma: no cover - the lexer admits only digits
        raise UnitError(f"invalid number `{text}`", 0, len(text)) from exc


@dataclass(frozen=True)
class QuantityValue:
    """A number with its unit, scaled to the dimension's canonical unit."""

    magnitude: Decimal  # as written
    unit: Unit
    text: str

    @property
    def canonical(self) -> Decimal:
        return self.magnitude * self.unit.factor

    @property
    def dim(self) -> Dim:
        return self.unit.dim


def parse_quantity(text: str) -> QuantityValue:
    match = _QUANTITY.fullmatch(text)
    if match is None:  # pragma: no cover - the lexer guarantees the shape
        raise UnitError(f"invalid quantity `{text}`", 0, len(text))
    number, symbol = match.group(1), match.group(2)
    magnitude = parse_number(number)
    unit = UNITS.get(symbol)
    if unit is None:
        offset = match.start(2)
        raise UnitError(
            f"unknown unit `{symbol}`",
            offset,
            len(symbol),
            _unit_help(symbol),
        )
    return QuantityValue(magnitude, unit, text)


def _unit_help(symbol: str) -> str:
    lowered = {u.lower(): u for u in UNITS}
    match = lowered.get(symbol.lower())
    if match is not None:
        return f"units are case-sensitive: did you mean `{match}`?"
    import difflib

    close = difflib.get_close_matches(symbol, sorted(UNITS), n=1, cutoff=0.5)
    if close:
        return f"did you mean `{close[0]}`?"
    return "known units: " + ", ".join(f"`{u}`" for u in UNITS)
