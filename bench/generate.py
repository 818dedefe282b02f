"""Deterministic generator of synthetic fleets for the capplan benchmarks.

A fleet is generated at one of four scales (total GPUs) and in one of two styles:

* ``idiomatic``: lots with counts and delivery tranches (``arrive { date: count ... }``),
  the way a planner writes a model by hand;
* ``inventory``: one single-rack lot per physical rack, one line each, the way an
  export from an asset database looks. This makes one large file that stresses the
  parser.

Both styles describe the *same* racks (same sites, halls, rack types, suppliers,
arrival dates), so a compiler should compute the same schedule for both.

The fleet is sized to be plannable: site envelopes, hall positions and hall power
are computed from the racks with headroom, so that every rack goes live on its
ready day; supplier allocations are computed from the monthly (or weekly)
deliveries; links are sized for the per-GPU flows; commitments ask for 80 % of
what is ready by their dates.

Besides the ``.cap`` file, the generator writes the same content as HCL
(Terraform-style blocks, parseable by python-hcl2) and as JSON (Terraform-JSON
style nested objects), for the reference parsers. Consts become HCL ``locals``
(referenced as ``local.NAME``; ``"${local.NAME}"`` in JSON). Quantities, dates,
references and enumeration words become strings.

Everything is derived from a seeded ``random.Random`` and from lists iterated in
a fixed order: the output bytes depend only on (scale, style, seed).

CLI::

    python -m bench.generate --scale M --style inventory -o bench/out/
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TypeAlias

SCALES: dict[str, int] = {"S": 1_000, "M": 100_000, "L": 1_000_000, "XL": 10_000_000}
STYLES: tuple[str, ...] = ("idiomatic", "inventory")
FORMATS: tuple[str, ...] = ("cap", "hcl", "json")
DEFAULT_SEED = 2026

GPUS_PER_SITE = 100_000
PLAN_START = date(2025, 1, 1)
PLAN_END = date(2028, 12, 31)
PLAN_AS_OF = date(2025, 10, 1)
FIRST_DELIVERY_MONTH = date(2026, 1, 1)
DELIVERY_DAYS: tuple[int, ...] = (5, 20)
LIQUID_HALL_RACKS = 600
AIR_HALL_RACKS = 800
FLEX_EVERY = 23  # one rack in FLEX_EVERY (per site and type) is sent to the site, not a hall
MAX_TRANCHES_PER_LOT = 6
MAX_RACKS_PER_LOT = 400
MGMT_EARLY_GBPS = 10
MGMT_LATE_GBPS = 40


# --------------------------------------------------------------------------------------
# A small intermediate representation, emitted three ways (.cap, HCL, JSON)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Word:
    """A bare identifier, reference (``narvik.hall_a``) or enumeration word (``liquid``)."""

    text: str


@dataclass(frozen=True, slots=True)
class Str:
    text: str


@dataclass(frozen=True, slots=True)
class Num:
    value: int | float
    text: str  # spelling without digit separators


@dataclass(frozen=True, slots=True)
class Qty:
    value: int | float
    unit: str
    text: str  # number spelling without digit separators


@dataclass(frozen=True, slots=True)
class MulQty:
    count: int
    qty: Qty


@dataclass(frozen=True, slots=True)
class DateV:
    value: date


@dataclass(frozen=True, slots=True)
class BoolV:
    value: bool


@dataclass(frozen=True, slots=True)
class ConstRef:
    name: str


@dataclass(frozen=True, slots=True)
class ListV:
    items: tuple[Value, ...]


@dataclass(frozen=True, slots=True)
class Sched:
    """A map with date keys (schedule of levels, tranches or due counts)."""

    entries: tuple[tuple[date, Value], ...]


@dataclass(frozen=True, slots=True)
class Labels:
    entries: tuple[tuple[str, str], ...]


Value: TypeAlias = (
    Word | Str | Num | Qty | MulQty | DateV | BoolV | ConstRef | ListV | Sched | Labels
)


@dataclass(slots=True)
class Decl:
    kind: str
    name: str
    members: list[tuple[str, Value]] = field(default_factory=list)
    children: list[Decl] = field(default_factory=list)


@dataclass(slots=True)
class Program:
    header: list[str]
    consts: list[tuple[str, Value]]
    decls: list[Decl]


def _plain_number(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    text = f"{value:.10g}"
    return text


def num(value: int | float, text: str | None = None) -> Num:
    return Num(value, text if text is not None else _plain_number(value))


_TIGHT_UNITS = frozenset({"d", "w", "mo", "%"})


def qty(value: int | float, unit: str, text: str | None = None) -> Qty:
    return Qty(value, unit, text if text is not None else _plain_number(value))


def _qty_string(q: Qty, *, separators: bool) -> str:
    number = _cap_number(q.value, q.text) if separators else q.text
    sep = "" if q.unit in _TIGHT_UNITS else " "
    return f"{number}{sep}{q.unit}"


def _cap_number(value: int | float, text: str) -> str:
    if isinstance(value, int) and value >= 10_000:
        return f"{value:_}"
    return text


# ---- .cap ----------------------------------------------------------------------------


def _cap_value(v: Value) -> str:
    if isinstance(v, Word):
        return v.text
    if isinstance(v, Str):
        return json.dumps(v.text, ensure_ascii=False)
    if isinstance(v, Num):
        return _cap_number(v.value, v.text)
    if isinstance(v, Qty):
        return _qty_string(v, separators=True)
    if isinstance(v, MulQty):
        return f"{v.count} x {_qty_string(v.qty, separators=True)}"
    if isinstance(v, DateV):
        return v.value.isoformat()
    if isinstance(v, BoolV):
        return "true" if v.value else "false"
    if isinstance(v, ConstRef):
        return v.name
    if isinstance(v, ListV):
        return "[" + ", ".join(_cap_value(item) for item in v.items) + "]"
    raise TypeError(f"{type(v).__name__} is a map, not a value")


def _cap_member(key: str, v: Value) -> str:
    if isinstance(v, Sched):
        body = "  ".join(f"{d.isoformat()}: {_cap_value(x)}" for d, x in v.entries)
        return f"{key} {{ {body} }}"
    if isinstance(v, Labels):
        body = "  ".join(f"{json.dumps(k)}: {json.dumps(x)}" for k, x in v.entries)
        return f"{key} {{ {body} }}"
    return f"{key} = {_cap_value(v)}"


def _cap_decl(decl: Decl, out: list[str], indent: str, compact: frozenset[str]) -> None:
    if decl.kind in compact and not decl.children:
        body = " ".join(_cap_member(k, v) for k, v in decl.members)
        out.append(f"{indent}{decl.kind} {decl.name} {{ {body} }}")
        return
    out.append(f"{indent}{decl.kind} {decl.name} {{")
    inner = indent + "  "
    for key, value in decl.members:
        out.append(inner + _cap_member(key, value))
    for child in decl.children:
        _cap_decl(child, out, inner, compact)
    out.append(f"{indent}}}")


def emit_cap(program: Program, compact: frozenset[str] = frozenset()) -> str:
    """The program as ``.cap`` text; declarations of the ``compact`` kinds on one line."""
    out: list[str] = [f"# {line}" if line else "#" for line in program.header]
    out.append("")
    for name, value in program.consts:
        out.append(f"const {name} = {_cap_value(value)}")
    previous_kind = ""
    for decl in program.decls:
        if decl.kind != previous_kind:
            out.append("")
            out.append(f"# ---- {decl.kind} ----")
            previous_kind = decl.kind
        elif decl.kind not in compact:
            out.append("")
        _cap_decl(decl, out, "", compact)
    out.append("")
    return "\n".join(out)


# ---- HCL -----------------------------------------------------------------------------


def _hcl_value(v: Value) -> str:
    if isinstance(v, Word | Str):
        return json.dumps(v.text, ensure_ascii=False)
    if isinstance(v, Num):
        return v.text
    if isinstance(v, Qty | MulQty | DateV):
        return json.dumps(_json_value(v))
    if isinstance(v, BoolV):
        return "true" if v.value else "false"
    if isinstance(v, ConstRef):
        return f"local.{v.name}"
    if isinstance(v, ListV):
        return "[" + ", ".join(_hcl_value(item) for item in v.items) + "]"
    if isinstance(v, Sched):
        body = ", ".join(f'"{d.isoformat()}" = {_hcl_value(x)}' for d, x in v.entries)
        return "{ " + body + " }"
    body = ", ".join(f"{json.dumps(k)} = {json.dumps(x)}" for k, x in v.entries)
    return "{ " + body + " }"


def _hcl_decl(decl: Decl, out: list[str], indent: str) -> None:
    out.append(f'{indent}{decl.kind} "{decl.name}" {{')
    inner = indent + "  "
    for key, value in decl.members:
        out.append(f"{inner}{key} = {_hcl_value(value)}")
    for child in decl.children:
        _hcl_decl(child, out, inner)
    out.append(f"{indent}}}")


def emit_hcl(program: Program) -> str:
    """The same content as Terraform-style HCL (``kind "name" { key = value }``)."""
    out: list[str] = [f"# {line}" if line else "#" for line in program.header]
    if program.consts:
        out.append("")
        out.append("locals {")
        for name, value in program.consts:
            out.append(f"  {name} = {_hcl_value(value)}")
        out.append("}")
    for decl in program.decls:
        out.append("")
        _hcl_decl(decl, out, "")
    out.append("")
    return "\n".join(out)


# ---- JSON ----------------------------------------------------------------------------

JsonValue: TypeAlias = str | int | float | bool | list["JsonValue"] | dict[str, "JsonValue"]


def _json_value(v: Value) -> JsonValue:
    if isinstance(v, Word | Str):
        return v.text
    if isinstance(v, Num):
        return v.value
    if isinstance(v, Qty):
        return _qty_string(v, separators=False)
    if isinstance(v, MulQty):
        return f"{v.count} x {_qty_string(v.qty, separators=False)}"
    if isinstance(v, DateV):
        return v.value.isoformat()
    if isinstance(v, BoolV):
        return v.value
    if isinstance(v, ConstRef):
        return "${local." + v.name + "}"
    if isinstance(v, ListV):
        return [_json_value(item) for item in v.items]
    if isinstance(v, Sched):
        return {d.isoformat(): _json_value(x) for d, x in v.entries}
    return dict(v.entries)


def _json_decl(decl: Decl) -> dict[str, JsonValue]:
    body: dict[str, JsonValue] = {key: _json_value(value) for key, value in decl.members}
    for child in decl.children:
        group = body.setdefault(child.kind, {})
        assert isinstance(group, dict)
        group[child.name] = _json_decl(child)
    return body


def to_json_data(program: Program) -> dict[str, JsonValue]:
    """The same content as nested objects: ``{kind: {name: {key: value}}}``."""
    data: dict[str, JsonValue] = {}
    if program.consts:
        data["locals"] = {name: _json_value(value) for name, value in program.consts}
    for decl in program.decls:
        group = data.setdefault(decl.kind, {})
        assert isinstance(group, dict)
        group[decl.name] = _json_decl(decl)
    return data


def emit_json(program: Program) -> str:
    return json.dumps(to_json_data(program), indent=1, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------------------
# The fleet
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RackType:
    name: str
    gpu: str
    gpus: int
    power_kw: float
    cooling: str
    nodes: int
    install_days: int
    install: Qty
    fabric: MulQty
    weight_kg: int
    share: float  # share of the fleet's GPUs; 0 = fills the remainder
    supplier: str
    via: str | None


RACK_TYPES: tuple[RackType, ...] = (
    RackType(
        "gb300_nvl72", "NVIDIA-GB300", 72, 132.0, "liquid", 18, 14, qty(2, "w"),
        MulQty(72, qty(800, "Gbps")), 1360, 0.55, "nvidia", "dell",
    ),
    RackType(
        "gb200_nvl72", "NVIDIA-GB200", 72, 125.0, "liquid", 18, 14, qty(2, "w"),
        MulQty(72, qty(400, "Gbps")), 1360, 0.20, "nvidia", "hpe",
    ),
    RackType(
        "b200_air", "NVIDIA-B200", 32, 57.0, "air", 4, 7, qty(1, "w"),
        MulQty(32, qty(400, "Gbps")), 900, 0.15, "supermicro", None,
    ),
    RackType(
        "h100_air", "NVIDIA-H100", 32, 41.0, "air", 4, 7, qty(1, "w"),
        MulQty(32, qty(400, "Gbps")), 850, 0.10, "nvidia", "hpe",
    ),
    RackType(
        "dgx_b200", "NVIDIA-B200", 8, 14.3, "air", 1, 3, qty(3, "d"),
        MulQty(8, qty(400, "Gbps")), 150, 0.0, "nvidia", None,
    ),
)  # fmt: skip
RACK_TYPE_BY_NAME: dict[str, RackType] = {t.name: t for t in RACK_TYPES}


@dataclass(frozen=True, slots=True)
class SupplierSpec:
    name: str
    supplies: str
    lead_weeks: int | None
    allocation_unit: str | None  # racks/mo, gpus/mo, gpus/w, or None
    scheduled_allocation: bool = False


SUPPLIERS: tuple[SupplierSpec, ...] = (
    SupplierSpec("nvidia", "gpus", 26, "racks/mo"),
    SupplierSpec("supermicro", "racks", 20, "gpus/w"),
    SupplierSpec("dell", "integration", None, "racks/mo", scheduled_allocation=True),
    SupplierSpec("hpe", "integration", 8, "gpus/mo"),
    SupplierSpec("nokia", "optics", 16, None),
    SupplierSpec("ciena", "optics", 14, None),
)
SUPPLIER_BY_NAME: dict[str, SupplierSpec] = {s.name: s for s in SUPPLIERS}

SITE_NAMES: tuple[tuple[str, str, str], ...] = (
    ("narvik", "NO", "Nordland"),
    ("glomfjord", "NO", "Nordland"),
    ("loughton", "GB", "Essex"),
    ("sines", "PT", "Setubal"),
    ("mo_i_rana", "NO", "Nordland"),
    ("tromso", "NO", "Troms"),
    ("lulea", "SE", "Norrbotten"),
    ("boden", "SE", "Norrbotten"),
    ("kajaani", "FI", "Kainuu"),
    ("keflavik", "IS", "Sudurnes"),
    ("stavanger", "NO", "Rogaland"),
    ("blackpool", "GB", "Lancashire"),
    ("evora", "PT", "Alentejo"),
    ("odense", "DK", "Syddanmark"),
    ("sundsvall", "SE", "Vasternorrland"),
    ("oulu", "FI", "Pohjois-Pohjanmaa"),
)
NORDIC = frozenset({"NO", "SE", "FI", "IS", "DK"})
POP_NAMES: tuple[tuple[str, str], ...] = (
    ("oslo_ix", "NO"),
    ("stockholm_ix", "SE"),
    ("london_ix", "GB"),
    ("amsterdam_ix", "NL"),
    ("frankfurt_ix", "DE"),
    ("lisbon_ix", "PT"),
    ("copenhagen_ix", "DK"),
    ("helsinki_ix", "FI"),
)
CUSTOMERS: tuple[str, ...] = ("OpenAI", "Microsoft", "Mistral AI", "Cohere", "Aleph Alpha")


@dataclass(slots=True)
class Rack:
    site: int
    rtype: RackType
    arrival: date
    ready: date
    hall: str | None = None  # None: sent to the site, the compiler picks the hall


@dataclass(slots=True)
class Hall:
    name: str
    cooling: str
    racks: list[Rack]
    positions: int = 0
    ready: date = PLAN_START
    power_mw: Qty | None = None


@dataclass(slots=True)
class Site:
    index: int
    name: str
    country: str
    region: str
    pue: float
    pue_value: Value
    reserve_pct: int
    energy_price: int | None
    deliveries: list[date]
    primary_pop: int
    secondary_pop: int
    racks: list[Rack] = field(default_factory=list)
    halls: list[Hall] = field(default_factory=list)
    phases: list[date] = field(default_factory=list)
    egress_mbps: int = 25

    @property
    def first_arrival(self) -> date:
        return self.deliveries[0]


@dataclass(slots=True)
class Fleet:
    scale: str
    seed: int
    gpus: int
    sites: list[Site]
    pops: list[tuple[str, str]]
    racks: list[Rack]


@dataclass(frozen=True, slots=True)
class Stats:
    scale: str
    style: str
    seed: int
    gpus: int
    racks: int
    lots: int
    sites: int
    halls: int
    links: int
    flows: int


@dataclass(slots=True)
class Generated:
    stats: Stats
    program: Program
    compact: frozenset[str]

    def cap(self) -> str:
        return emit_cap(self.program, self.compact)

    def hcl(self) -> str:
        return emit_hcl(self.program)

    def json(self) -> str:
        return emit_json(self.program)


def add_months(d: date, months: int) -> date:
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    days = [31, 29 if _leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return date(year, month, min(d.day, days))


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` by ``weights`` (largest remainder; ties to the lower index)."""
    weight_sum = sum(weights)
    exact = [total * w / weight_sum for w in weights]
    counts = [math.floor(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def rack_counts(gpus: int) -> dict[str, int]:
    """Racks per type so that the GPUs add up to exactly ``gpus`` (a multiple of 8)."""
    if gpus <= 0 or gpus % 8:
        raise ValueError(f"the GPU count must be a positive multiple of 8, not {gpus}")
    counts: dict[str, int] = {}
    filler: RackType | None = None
    for t in RACK_TYPES:
        if t.share > 0:
            counts[t.name] = math.floor(gpus * t.share / t.gpus)
        else:
            filler = t
            counts[t.name] = 0
    assert filler is not None
    rest = gpus - sum(counts[t.name] * t.gpus for t in RACK_TYPES)
    assert rest % filler.gpus == 0
    counts[filler.name] = rest // filler.gpus
    return counts


def build_fleet(scale: str, seed: int = DEFAULT_SEED, gpus: int | None = None) -> Fleet:
    """The racks, sites and halls of a fleet (independent of the style)."""
    total = SCALES[scale] if gpus is None else gpus
    rng = random.Random(seed)
    n_sites = max(2, round(total / GPUS_PER_SITE))
    n_pops = max(2, n_sites // 5)
    pops = [
        (POP_NAMES[i % len(POP_NAMES)][0] + ("" if i < len(POP_NAMES) else f"_{i // 8}"),
         POP_NAMES[i % len(POP_NAMES)][1])
        for i in range(n_pops)
    ]  # fmt: skip

    sites: list[Site] = []
    for i in range(n_sites):
        base, country, region = SITE_NAMES[i % len(SITE_NAMES)]
        name = base if i < len(SITE_NAMES) else f"{base}_{i // len(SITE_NAMES) + 1}"
        nordic = country in NORDIC
        pue, pue_value = (1.10, ConstRef("pue_nordic")) if nordic else (1.25, num(1.25, "1.25"))
        start = add_months(FIRST_DELIVERY_MONTH, rng.randrange(0, 12))
        months = rng.randrange(12, 19)
        deliveries = [
            date(m.year, m.month, day)
            for m in (add_months(start, k) for k in range(months))
            for day in DELIVERY_DAYS
        ]
        sites.append(
            Site(
                index=i,
                name=name,
                country=country,
                region=region,
                pue=pue,
                pue_value=pue_value,
                reserve_pct=5 if i % 3 == 0 else 0,
                energy_price=rng.randrange(25, 60) if i % 2 == 0 else None,
                deliveries=deliveries,
                primary_pop=i % n_pops,
                secondary_pop=(i + 1) % n_pops,
                egress_mbps=25 if i % 2 == 0 else 20,
            )
        )

    site_weights = [rng.uniform(0.6, 1.4) for _ in sites]
    racks: list[Rack] = []
    counts = rack_counts(total)
    for t in RACK_TYPES:
        weights = [w * rng.uniform(0.3, 1.7) for w in site_weights]
        per_site = apportion(counts[t.name], weights)
        for site, n in zip(sites, per_site, strict=True):
            n_dates = len(site.deliveries)
            for j in range(n):
                arrival = site.deliveries[(j * n_dates) // n]
                rack = Rack(site.index, t, arrival, arrival + timedelta(days=t.install_days))
                rack.hall = None if j % FLEX_EVERY == FLEX_EVERY // 2 else ""
                site.racks.append(rack)

    type_order = {t.name: k for k, t in enumerate(RACK_TYPES)}
    for site in sites:
        site.racks.sort(key=lambda r: (r.arrival, type_order[r.rtype.name]))
        _place_halls(site)
        racks.extend(site.racks)
    return Fleet(scale, seed, total, sites, pops, racks)


def _place_halls(site: Site) -> None:
    flex = Hall("flex", "hybrid", [r for r in site.racks if r.hall is None])
    site.halls.append(flex)
    for cooling, size in (("liquid", LIQUID_HALL_RACKS), ("air", AIR_HALL_RACKS)):
        fixed = [r for r in site.racks if r.hall is not None and r.rtype.cooling == cooling]
        for k in range(0, len(fixed), size):
            hall = Hall(f"{cooling}_{k // size + 1:02d}", cooling, fixed[k : k + size])
            for rack in hall.racks:
                rack.hall = hall.name
            site.halls.append(hall)
    for n, hall in enumerate(site.halls):
        hall.positions = math.ceil(len(hall.racks) * 1.2) + 2
        first = min((r.ready for r in hall.racks), default=site.first_arrival)
        hall.ready = max(PLAN_START, first - timedelta(days=14))
        if n % 2 == 1:
            kw = sum(r.rtype.power_kw for r in hall.racks)
            tenths = math.ceil(kw * 1.15 / 100)
            hall.power_mw = qty(tenths // 10 if tenths % 10 == 0 else tenths / 10, "MW")
    # Phased envelope: each level covers every rack ready before the next phase.
    p0 = (site.first_arrival - timedelta(days=30)).replace(day=1)
    months = len(site.deliveries) // len(DELIVERY_DAYS)
    site.phases = [p0, add_months(p0, max(2, months // 3)), add_months(p0, max(4, 2 * months // 3))]


def _site_envelope(site: Site) -> list[tuple[date, Value]]:
    levels: list[tuple[date, Value]] = []
    factor = site.pue / (1 - site.reserve_pct / 100) * 1.1
    for k, phase in enumerate(site.phases):
        limit = site.phases[k + 1] if k + 1 < len(site.phases) else date.max
        kw = sum(r.rtype.power_kw for r in site.racks if r.ready < limit)
        levels.append((phase, qty(max(1, math.ceil(kw * factor / 1000)), "MW")))
    return levels


def _nice(x: float) -> int:
    return max(10, math.ceil(x / 10) * 10)


def _allocation(spec: SupplierSpec, racks: Sequence[Rack]) -> Value | None:
    unit = spec.allocation_unit
    if unit is None:
        return None
    per_period: dict[tuple[int, int], int] = {}
    for r in racks:
        if r.rtype.supplier != spec.name and r.rtype.via != spec.name:
            continue
        if unit.endswith("/w"):
            iso = r.arrival.isocalendar()
            key = (iso[0], iso[1])
        else:
            key = (r.arrival.year, r.arrival.month)
        per_period[key] = per_period.get(key, 0) + (1 if unit.startswith("racks") else r.rtype.gpus)
    if not spec.scheduled_allocation:
        return qty(_nice(max(per_period.values(), default=0) * 1.25), unit)
    split = (2027, 1)
    early = max((v for k, v in per_period.items() if k < split), default=0)
    late = max((v for k, v in per_period.items() if k >= split), default=0)
    return Sched(
        (
            (PLAN_START, qty(_nice(early * 1.25), unit)),
            (date(2027, 1, 1), qty(_nice(max(early, late) * 1.25), unit)),
        )
    )


def _link_capacity(gbps: float, wavelength: int) -> MulQty:
    return MulQty(max(1, math.ceil(gbps * 1.25 / wavelength)), qty(wavelength, "Gbps"))


def build_program(fleet: Fleet, style: str) -> tuple[Program, Stats]:
    """The declarations of ``fleet`` in ``style`` (idiomatic or inventory)."""
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r} (expected one of {', '.join(STYLES)})")
    decls: list[Decl] = []
    scale_name = fleet.scale.lower()
    decls.append(
        Decl(
            "plan",
            f"fleet_{scale_name}",
            [
                ("description", Str(f"synthetic {style} fleet, {fleet.gpus:,} GPUs (illustrative)")),
                ("start", DateV(PLAN_START)),
                ("end", DateV(PLAN_END)),
                ("as_of", DateV(PLAN_AS_OF)),
                ("capital_rate", qty(8, "%")),
            ],
        )
    )  # fmt: skip

    for spec in SUPPLIERS:
        members: list[tuple[str, Value]] = [("supplies", Word(spec.supplies))]
        if spec.lead_weeks is not None:
            members.append(("lead_time", qty(spec.lead_weeks, "w")))
        allocation = _allocation(spec, fleet.racks)
        if allocation is not None:
            members.append(("allocation", allocation))
        decls.append(Decl("supplier", spec.name, members))

    for t in RACK_TYPES:
        decls.append(
            Decl(
                "rack_type",
                t.name,
                [
                    ("gpu", Str(t.gpu)),
                    ("gpus", num(t.gpus)),
                    ("nodes", num(t.nodes)),
                    ("power", qty(t.power_kw if t.power_kw % 1 else int(t.power_kw), "kW")),
                    ("cooling", Word(t.cooling)),
                    ("install", t.install),
                    ("fabric", t.fabric),
                    ("weight", qty(t.weight_kg, "kg")),
                    ("price", qty(t.gpus * 45_000, "EUR")),  # about EUR 45 k a GPU installed
                    ("load", qty(80, "%")),
                ],
            )
        )

    n_halls = 0
    for site in fleet.sites:
        members = []
        if site.index % 4 == 0:
            members.append(("description", Str(f"campus {site.index + 1} of the fleet")))
        members += [
            ("country", Word(site.country)),
            ("region", Str(site.region)),
            ("pue", site.pue_value),
        ]
        if site.reserve_pct:
            members.append(("reserve", qty(site.reserve_pct, "%")))
        if site.energy_price is not None:
            members.append(("energy_price", qty(site.energy_price, "EUR/MWh")))
            members.append(("carbon", qty(3 * site.energy_price, "gCO2/kWh")))
        members.append(("power", Sched(tuple(_site_envelope(site)))))
        members.append(
            ("labels", Labels((("tier", str(1 + site.index % 3)), ("owner", "capacity-planning"))))
        )
        children = []
        for hall in site.halls:
            hall_members: list[tuple[str, Value]] = [
                ("positions", num(hall.positions)),
                ("cooling", Word(hall.cooling)),
            ]
            if hall.power_mw is not None:
                hall_members.append(("power", hall.power_mw))
            hall_members.append(("ready", DateV(hall.ready)))
            children.append(Decl("hall", hall.name, hall_members))
        n_halls += len(children)
        decls.append(Decl("site", site.name, members, children))

    for name, country in fleet.pops:
        decls.append(Decl("pop", name, [("country", Word(country))]))

    lots = _inventory_lots(fleet) if style == "inventory" else _idiomatic_lots(fleet)
    decls.extend(lots)

    links, flows = _network(fleet)
    decls.extend(links)
    decls.extend(flows)
    decls.extend(_commitments(fleet))

    header = [
        f"Synthetic fleet for the capplan benchmarks: scale {fleet.scale}, style {style}, "
        f"seed {fleet.seed}.",
        f"{fleet.gpus:,} GPUs in {len(fleet.racks):,} racks, {len(lots):,} lots, "
        f"{len(fleet.sites)} sites. Illustrative figures; generated by bench/generate.py.",
    ]
    consts: list[tuple[str, Value]] = [
        ("pue_nordic", num(1.10, "1.10")),
        ("egress_per_gpu", qty(25, "Mbps/gpu")),
    ]
    stats = Stats(
        scale=fleet.scale,
        style=style,
        seed=fleet.seed,
        gpus=fleet.gpus,
        racks=len(fleet.racks),
        lots=len(lots),
        sites=len(fleet.sites),
        halls=n_halls,
        links=len(links),
        flows=len(flows),
    )
    return Program(header, consts, decls), stats


def _target(fleet: Fleet, rack: Rack) -> Word:
    site = fleet.sites[rack.site].name
    return Word(site if rack.hall is None else f"{site}.{rack.hall}")


def _supplier_members(t: RackType) -> list[tuple[str, Value]]:
    members: list[tuple[str, Value]] = [("supplier", Word(t.supplier))]
    if t.via is not None:
        members.append(("via", Word(t.via)))
    return members


def _lead_days(t: RackType) -> int:
    weeks = SUPPLIER_BY_NAME[t.supplier].lead_weeks
    assert weeks is not None
    return 7 * weeks


def _inventory_lots(fleet: Fleet) -> list[Decl]:
    width = max(6, len(str(len(fleet.racks))))
    lots: list[Decl] = []
    for k, rack in enumerate(fleet.racks, start=1):
        members = _supplier_members(rack.rtype)
        members += [
            ("rack_type", Word(rack.rtype.name)),
            ("racks", num(1)),
            ("to", _target(fleet, rack)),
        ]
        if k % 10 == 0:
            members.append(("order", DateV(rack.arrival - timedelta(days=_lead_days(rack.rtype)))))
        members.append(("arrive", DateV(rack.arrival)))
        lots.append(Decl("lot", f"r{k:0{width}d}", members))
    return lots


def _idiomatic_lots(fleet: Fleet) -> list[Decl]:
    lots: list[Decl] = []
    for site in fleet.sites:
        groups: dict[tuple[str, str], list[Rack]] = {}
        for rack in site.racks:  # sorted by arrival: groups keep that order
            groups.setdefault((rack.hall or "", rack.rtype.name), []).append(rack)
        for (hall, type_name), group in groups.items():
            tranches: list[tuple[date, int]] = []
            for rack in group:
                if tranches and tranches[-1][0] == rack.arrival:
                    tranches[-1] = (rack.arrival, tranches[-1][1] + 1)
                else:
                    tranches.append((rack.arrival, 1))
            chunks: list[list[tuple[date, int]]] = [[]]
            for day, count in tranches:
                while count > 0:
                    room = MAX_RACKS_PER_LOT - sum(c for _, c in chunks[-1])
                    if room == 0 or len(chunks[-1]) == MAX_TRANCHES_PER_LOT:
                        chunks.append([])
                        continue
                    take = min(room, count)
                    chunks[-1].append((day, take))
                    count -= take
            t = RACK_TYPE_BY_NAME[type_name]
            short = type_name.split("_")[0]
            for n, chunk in enumerate(c for c in chunks if c):
                index = len(lots)
                racks = sum(c for _, c in chunk)
                name = f"{site.name}_{short}_{hall or 'site'}_{n + 1:03d}"
                members = _supplier_members(t)
                members.append(("rack_type", Word(t.name)))
                if index % 3 == 1:
                    members.append(("gpus", num(racks * t.gpus)))
                else:
                    members.append(("racks", num(racks)))
                members.append(("to", Word(f"{site.name}.{hall}" if hall else site.name)))
                first = chunk[0][0]
                if len(chunk) == 1 and index % 2 == 0:
                    members.append(("order", DateV(first - timedelta(days=_lead_days(t)))))
                else:
                    if index % 5 == 2:
                        order = first - timedelta(days=_lead_days(t) + 30)
                        members.append(("order", DateV(order)))
                    if len(chunk) == 1:
                        members.append(("arrive", DateV(first)))
                    else:
                        members.append(("arrive", Sched(tuple((d, num(c)) for d, c in chunk))))
                if index % 7 == 3:
                    members.append(("priority", num(1)))
                lots.append(Decl("lot", name, members))
    return lots


def _network(fleet: Fleet) -> tuple[list[Decl], list[Decl]]:
    links: list[Decl] = []
    flows: list[Decl] = []
    nokia_lead = 7 * 16
    ciena_lead = 7 * 14
    link_ready: dict[int, date] = {}
    for site in fleet.sites:
        pop1 = fleet.pops[site.primary_pop][0]
        pop2 = fleet.pops[site.secondary_pop][0]
        ready = site.first_arrival - timedelta(days=45)
        link_ready[site.index] = ready
        step = site.phases[1]
        gpus_total = sum(r.rtype.gpus for r in site.racks)
        gpus_early = sum(r.rtype.gpus for r in site.racks if r.arrival < step)
        mgmt = MGMT_LATE_GBPS
        need_late = gpus_total * site.egress_mbps / 1000 + mgmt
        need_early = gpus_early * site.egress_mbps / 1000 + mgmt
        wavelength = 800 if need_late > 4000 else 400
        primary: list[tuple[str, Value]] = [("from", Word(site.name)), ("to", Word(pop1))]
        if site.index % 4 == 3:
            primary.append(("capacity", _link_capacity(need_late, wavelength)))
            primary.append(("ready", DateV(ready)))
        else:
            early = _link_capacity(need_early, wavelength)
            late = _link_capacity(need_late, wavelength)
            primary.append(("capacity", Sched(((ready, early), (step, late)))))
        primary += [
            ("supplier", Word("nokia")),
            ("order", DateV(ready - timedelta(days=nokia_lead + 14))),
            ("distance", qty(40 + 7 * site.index % 300, "km")),
        ]
        links.append(Decl("link", f"{site.name}_{pop1}", primary))
        links.append(
            Decl(
                "link",
                f"{site.name}_{pop2}",
                [
                    ("from", Word(site.name)),
                    ("to", Word(pop2)),
                    ("capacity", _link_capacity(2 * mgmt, 400)),
                    ("ready", DateV(ready)),
                    ("supplier", Word("ciena")),
                    ("order", DateV(ready - timedelta(days=ciena_lead + 10))),
                ],
            )
        )
        egress: Value = (
            ConstRef("egress_per_gpu")
            if site.egress_mbps == 25
            else qty(site.egress_mbps, "Mbps/gpu")
        )
        flows.append(
            Decl(
                "flow",
                f"{site.name}_egress",
                [("from", Word(site.name)), ("to", Word(pop1)), ("rate", egress)],
            )
        )
        flows.append(
            Decl(
                "flow",
                f"{site.name}_ingest",
                [("from", Word(pop1)), ("to", Word(site.name)), ("rate", qty(10, "Mbps/gpu"))],
            )
        )
        mgmt_start = ready + timedelta(days=7)
        flows.append(
            Decl(
                "flow",
                f"{site.name}_mgmt",
                [
                    ("from", Word(site.name)),
                    ("to", Word(pop1)),
                    (
                        "rate",
                        Sched(
                            (
                                (mgmt_start, qty(MGMT_EARLY_GBPS, "Gbps")),
                                (max(step, mgmt_start + timedelta(days=1)), qty(mgmt, "Gbps")),
                            )
                        ),
                    ),
                    ("protect", BoolV(True)),
                ],
            )
        )

    n_pops = len(fleet.pops)
    ring = [(i, (i + 1) % n_pops) for i in range(n_pops if n_pops > 2 else 1)]
    for left, right in ring:
        name_a, name_b = fleet.pops[left][0], fleet.pops[right][0]
        links.append(
            Decl(
                "link",
                f"{name_a}_{name_b}",
                [
                    ("from", Word(name_a)),
                    ("to", Word(name_b)),
                    ("capacity", MulQty(8, qty(800, "Gbps"))),
                ],
            )
        )

    for i in range(0, len(fleet.sites) - 1, 2):
        a, b = fleet.sites[i], fleet.sites[i + 1]
        ready = max(link_ready[a.index], link_ready[b.index])
        start = ready + timedelta(days=14)
        links.append(
            Decl(
                "link",
                f"{a.name}_{b.name}",
                [
                    ("from", Word(a.name)),
                    ("to", Word(b.name)),
                    ("capacity", MulQty(4, qty(400, "Gbps"))),
                    ("ready", DateV(ready)),
                    ("supplier", Word("ciena")),
                    ("order", DateV(ready - timedelta(days=ciena_lead + 10))),
                ],
            )
        )
        flows.append(
            Decl(
                "flow",
                f"{a.name}_to_{b.name}",
                [
                    ("from", Word(a.name)),
                    ("to", Word(b.name)),
                    (
                        "rate",
                        Sched(
                            (
                                (start, qty(400, "Gbps")),
                                (add_months(start, 6), qty(800, "Gbps")),
                            )
                        ),
                    ),
                ],
            )
        )
    return links, flows


def _round_down(x: float, step: int) -> int:
    return int(x // step) * step


def _commitments(fleet: Fleet) -> list[Decl]:
    decls: list[Decl] = []
    for site in fleet.sites:
        customer = CUSTOMERS[site.index % len(CUSTOMERS)]
        mid = add_months(site.phases[1], 2) - timedelta(days=1)
        last = max(r.ready for r in site.racks) + timedelta(days=30)
        due_mid = _round_down(0.8 * sum(r.rtype.gpus for r in site.racks if r.ready <= mid), 8)
        due_last = _round_down(0.8 * sum(r.rtype.gpus for r in site.racks), 8)
        entries: list[tuple[date, Value]] = []
        if 0 < due_mid < due_last and mid < last:
            entries.append((mid, num(due_mid)))
        entries.append((last, num(due_last)))
        decls.append(
            Decl(
                "commitment",
                f"{site.name}_{customer.split()[0].lower()}",
                [("customer", Str(customer)), ("site", Word(site.name)), ("gpus", Sched(tuple(entries))),
                 ("price", qty(2.5, "EUR/gpu-h"))],
            )
        )  # fmt: skip
    for i in range(0, len(fleet.sites) - 1, 3):
        a, b = fleet.sites[i], fleet.sites[i + 1]
        gb300 = sum(r.rtype.gpus for s in (a, b) for r in s.racks if r.rtype.name == "gb300_nvl72")
        due = _round_down(0.8 * gb300, 72)
        if due == 0:
            continue
        decls.append(
            Decl(
                "commitment",
                f"{a.name}_{b.name}_gb300",
                [
                    ("customer", Str("Microsoft")),
                    ("sites", ListV((Word(a.name), Word(b.name)))),
                    ("rack_type", Word("gb300_nvl72")),
                    ("gpus", num(due)),
                ],
            )
        )
    return decls


def generate(scale: str, style: str, seed: int = DEFAULT_SEED) -> Generated:
    """Generate the fleet of ``scale`` in ``style``."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r} (expected one of {', '.join(SCALES)})")
    fleet = build_fleet(scale, seed)
    program, stats = build_program(fleet, style)
    compact = frozenset({"lot"}) if style == "inventory" else frozenset()
    return Generated(stats, program, compact)


def file_stem(scale: str, style: str) -> str:
    return f"{scale}-{style}"


def write_generated(
    generated: Generated, out_dir: Path, formats: Sequence[str] = FORMATS
) -> dict[str, Path]:
    """Write the chosen formats to ``out_dir/<scale>-<style>.<ext>``; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = file_stem(generated.stats.scale, generated.stats.style)
    paths: dict[str, Path] = {}
    for fmt in formats:
        if fmt == "cap":
            text = generated.cap()
        elif fmt == "hcl":
            text = generated.hcl()
        elif fmt == "json":
            text = generated.json()
        else:
            raise ValueError(f"unknown format {fmt!r}")
        path = out_dir / f"{stem}.{fmt}"
        path.write_text(text, encoding="utf-8")
        paths[fmt] = path
    return paths


def _split(text: str, allowed: Sequence[str], what: str) -> list[str]:
    items = [x.strip() for x in text.split(",") if x.strip()]
    if items == ["all"]:
        return list(allowed)
    for item in items:
        if item not in allowed:
            raise SystemExit(f"unknown {what} {item!r} (expected one of {', '.join(allowed)})")
    return items


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate",
        description="Generate synthetic capplan fleets (.cap, plus HCL and JSON equivalents).",
    )
    parser.add_argument("--scale", default="S", help="S, M, L, XL, a comma list, or all")
    parser.add_argument("--style", default="idiomatic", help="idiomatic, inventory, or both, comma")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--formats", default="cap,hcl,json", help="comma list of cap, hcl, json")
    parser.add_argument("-o", "--out", type=Path, default=Path("bench/out"))
    args = parser.parse_args(argv)
    scales = _split(args.scale, list(SCALES), "scale")
    styles = _split(args.style.replace("both", "all"), STYLES, "style")
    formats = _split(args.formats, FORMATS, "format")
    for scale in scales:
        for style in styles:
            generated = generate(scale, style, args.seed)
            paths = write_generated(generated, args.out, formats)
            s = generated.stats
            sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.2f} MB" for p in paths.values())
            print(
                f"{scale} {style}: {s.gpus:,} GPUs, {s.racks:,} racks, {s.lots:,} lots, "
                f"{s.sites} sites, {s.halls} halls, {s.links} links, {s.flows} flows: {sizes}",
                file=sys.stdout,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
