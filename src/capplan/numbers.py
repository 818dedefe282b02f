"""How figures read: the one number style of every view, diagnostic and template.

A planner compares columns and pastes figures into slides, so a figure of one unit
always reads the same way (docs/planning.md, "Number style"):

| figure | style | example |
|---|---|---|
| counts (racks, GPUs, positions, GPU-days, days) | whole, thousands separators | `12,096` |
| power in tables | MW, 3 decimals (kW resolution, as the JSON) | `104.544` |
| bandwidth in tables | Gbps, 1 decimal | `6,400.0` |
| shares (utilisation, reserve, loads) | percent, 1 decimal | `29.2%` |
| PUE | 2 decimals | `1.10` |
| a quantity in a sentence | its largest whole unit, up to 3 decimals, unit shown | `132 kW`, `1.2 Tbps` |

Two figures a sentence compares get as many decimals as it takes to read unequal
(`format_apart`): a displayed figure never hides an excess (docs/language.md §17).
Nothing here reads the locale: the output is the same bytes on every machine.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, localcontext

MW_DECIMALS = 3
GBPS_DECIMALS = 1
PERCENT_DECIMALS = 1


def count(value: int) -> str:
    """A whole count with thousands separators: ``12,096``."""
    return f"{value:,}"


def fixed(value: float | Decimal, decimals: int) -> str:
    """Thousands separators and exactly ``decimals`` decimals; a zero never reads ``-0.0``."""
    text = f"{value:,.{decimals}f}"
    if text.startswith("-") and not text.strip("-0.,"):
        return text[1:]
    return text


def mw(value: float | Decimal) -> str:
    """Power in MW as a table cell (the unit is in the column header)."""
    return fixed(value, MW_DECIMALS)


def mw_unit(value: float | Decimal) -> str:
    """Power in MW with its unit, for a sentence or a title: ``19.000 MW``."""
    return f"{mw(value)} MW"


def gbps(value: float | Decimal) -> str:
    """Bandwidth in Gbps as a table cell."""
    return fixed(value, GBPS_DECIMALS)


def percent(fraction: float | Decimal, decimals: int = PERCENT_DECIMALS) -> str:
    """A share as a percentage: ``0.292`` reads ``29.2%``."""
    return f"{fixed(float(fraction) * 100, decimals)}%"


def pue(value: float | Decimal) -> str:
    return fixed(value, 2)


def counted(value: int, word: str, plural: str | None = None) -> str:
    """A count and its noun, singular for one: ``1 rack``, ``6,192 GPUs``."""
    return f"{count(value)} {word if value == 1 else (plural or word + 's')}"


def format_power(watts: Decimal | float | int, digits: int = 3) -> str:
    """A power in a sentence, in the largest unit it reaches: ``132 kW``, ``230 MW``."""
    value = Decimal(watts)
    for symbol, factor in (("GW", Decimal("1e9")), ("MW", Decimal("1e6")), ("kW", Decimal("1e3"))):
        if abs(value) >= factor:
            return f"{trimmed(value / factor, digits)} {symbol}"
    return f"{trimmed(value, digits)} W"


def format_bandwidth(bps: Decimal | float | int, digits: int = 3) -> str:
    """A bandwidth in a sentence, in the largest unit it reaches: ``1.2 Tbps``."""
    value = Decimal(bps)
    for symbol, factor in (
        ("Tbps", Decimal("1e12")),
        ("Gbps", Decimal("1e9")),
        ("Mbps", Decimal("1e6")),
    ):
        if abs(value) >= factor:
            return f"{trimmed(value / factor, digits)} {symbol}"
    return f"{trimmed(value, digits)} bit/s"


def format_apart(
    formatter: Callable[[Decimal, int], str], first: Decimal, second: Decimal
) -> tuple[str, str]:
    """Both figures with as many decimals as it takes for unequal values to read unequal.

    A diagnostic that says one figure exceeds another must never print them alike
    (docs/language.md §17: a displayed figure never hides the excess).
    """
    digits = 3
    while True:
        a, b = formatter(first, digits), formatter(second, digits)
        if a != b or first == second or digits >= 60:
            return a, b
        digits += 3


def trimmed(value: Decimal | float, digits: int = 3) -> str:
    """At most ``digits`` decimals, trailing zeros dropped, thousands separators: ``1,232.5``."""
    value = Decimal(value)
    with localcontext() as context:  # room for every digit: quantize never overflows
        context.prec = max(28, value.adjusted() + digits + 2)
        rounded = round(value, digits)
        text = f"{rounded:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
