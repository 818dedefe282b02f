"""Syntax tree -> typed model: names, attributes, units, references, static rules.

Reports E200-E211 (and E102/E103 through the value reader). Works in passes
so that one run finds every problem: collect names (E202), read every block's
attributes, check references and cross-block rules, then fix the horizon.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from capplan.diagnostics import Diagnostics, Related, Span, closest, error
from capplan.load import Program
from capplan.model.decls import (
    Commitment,
    Duration,
    Flow,
    Hall,
    Link,
    Lot,
    Model,
    Plan,
    Pop,
    RackType,
    Site,
    Step,
    Supplier,
    Tranche,
)
from capplan.model.units import Dim
from capplan.resolve.schema import SCHEMA, AttrSpec
from capplan.resolve.values import ConstDef, ValueReader
from capplan.source import SourceFile
from capplan.syntax import ast

# Markers for plain values, replaced once the horizon is known.
PLAN_START = date.min
PLAN_END = date.max

Members = dict[str, ast.Attribute | ast.MapMember]


@dataclass
class DeclSite:
    """A declaration as written, with what later passes need to point at it."""

    node: ast.Decl
    source: SourceFile
    kind: str

    def span(self) -> Span:
        return Span(self.source, self.node.start, self.node.end)

    def name_span(self) -> Span:
        return Span(self.source, self.node.name_start, self.node.name_end)


@dataclass
class Built:
    plan: Plan | None = None
    suppliers: dict[str, Supplier] = field(default_factory=dict)
    rack_types: dict[str, RackType] = field(default_factory=dict)
    sites: dict[str, Site] = field(default_factory=dict)
    lots: dict[str, Lot] = field(default_factory=dict)
    pops: dict[str, Pop] = field(default_factory=dict)
    links: dict[str, Link] = field(default_factory=dict)
    flows: dict[str, Flow] = field(default_factory=dict)
    commitments: dict[str, Commitment] = field(default_factory=dict)


class Resolver:
    def __init__(self, program: Program) -> None:
        self.program = program
        self.diagnostics = Diagnostics()
        self.consts: dict[str, ConstDef] = {}
        self.decls: dict[str, DeclSite] = {}
        self.ordered: list[DeclSite] = []
        self.reader = ValueReader(self.consts, self.diagnostics)
        self.built = Built()
        self.dates: list[date] = []  # every date, written or derived: the default horizon
        self.written: list[tuple[date, Span]] = []  # dates as written, for W404

    # --- pass 1: names ------------------------------------------------------
    def collect(self) -> None:
        for item, source in self.program.items:
            if isinstance(item, ast.Const):
                span = Span(source, item.name_start, item.name_end)
                if self._duplicate(item.name, span):
                    continue
                self.consts[item.name] = ConstDef(item.name, item.value, source, span)
            elif isinstance(item, ast.Decl):
                site = DeclSite(item, source, item.kind)
                if item.kind == "plan" and self._second_plan(site):
                    continue
                if self._duplicate(item.name, site.name_span()):
                    continue
                self.decls[item.name] = site
                self.ordered.append(site)

    def _first_span(self, name: str) -> Span | None:
        if name in self.consts:
            return self.consts[name].name_span
        if name in self.decls:
            return self.decls[name].name_span()
        return None

    def _duplicate(self, name: str, span: Span) -> bool:
        first = self._first_span(name)
        if first is None:
            return False
        self.diagnostics.add(
            error(
                "E202",
                f"`{name}` is declared more than once",
                span,
                related=[Related("first declared here", first)],
                suggestions=("rename one of them: names are unique across all imported files",),
            )
        )
        return True

    def _second_plan(self, site: DeclSite) -> bool:
        first = next((d for d in self.ordered if d.kind == "plan"), None)
        if first is None:
            return False
        self.diagnostics.add(
            error(
                "E202",
                "a model has one `plan` block",
                site.name_span(),
                related=[Related("the plan is declared here", first.name_span())],
            )
        )
        return True

    # --- members ----------------------------------------------------------------
    def members(self, site: DeclSite, kind: str) -> Members:
        schema = SCHEMA[kind]
        seen: Members = {}
        source = site.source
        for member in site.node.members:
            if isinstance(member, ast.Decl):
                if kind != "site":
                    self._misplaced_hall(member, source, kind)
                continue
            spec = schema.get(member.name)
            if spec is None:
                span = Span(source, member.name_start, member.name_end)
                self._unknown_attribute(member.name, span, kind, schema)
                continue
            if member.name in seen:
                first = seen[member.name]
                self.diagnostics.add(
                    error(
                        "E207",
                        f"`{member.name}` is given twice",
                        Span(source, member.name_start, member.name_end),
                        related=[
                            Related(
                                "first given here", Span(source, first.name_start, first.name_end)
                            )
                        ],
                        suggestions=("keep one of them",),
                    )
                )
                continue
            if not self._shape_ok(member, spec, source):
                continue
            seen[member.name] = member
        self._required(site, kind, seen)
        return seen

    def _misplaced_hall(self, member: ast.Decl, source: SourceFile, kind: str) -> None:
        self.diagnostics.add(
            error(
                "E200",
                f"a `hall` cannot be declared inside a `{kind}`",
                Span(source, member.kind_start, member.name_end),
                suggestions=("declare halls inside their `site` block",),
            )
        )

    def _unknown_attribute(
        self, name: str, span: Span, kind: str, schema: dict[str, AttrSpec]
    ) -> None:
        guess = closest(name, schema)
        listing = ", ".join(f"`{a}`" for a in schema)
        self.diagnostics.add(
            error(
                "E200",
                f"unknown attribute `{name}` for {kind}",
                span,
                detail=f"{kind} accepts {listing}",
                suggestions=[f"did you mean `{guess}`?"] if guess else [],
            )
        )

    def _shape_ok(
        self, member: ast.Attribute | ast.MapMember, spec: AttrSpec, source: SourceFile
    ) -> bool:
        if isinstance(member, ast.MapMember) and not spec.map_ok:
            self.diagnostics.add(
                error(
                    "E205",
                    f"`{member.name}` takes a single value, not a map",
                    Span(source, member.start, member.end),
                    suggestions=(f"write `{member.name} = <value>`",),
                )
            )
            return False
        if isinstance(member, ast.Attribute) and not spec.value_ok:
            self.diagnostics.add(
                error(
                    "E205",
                    f"`{member.name}` is a map",
                    Span(source, member.start, member.end),
                    suggestions=(f'write `{member.name} {{ "key": "value" }}`',),
                )
            )
            return False
        return True

    def _required(self, site: DeclSite, kind: str, seen: Members) -> None:
        for name, spec in SCHEMA[kind].items():
            if spec.required and name not in seen:
                self.missing(site, kind, name)

    def missing(self, site: DeclSite, kind: str, name: str, why: str = "") -> None:
        self.diagnostics.add(
            error(
                "E201",
                f"{kind} `{site.node.name}` is missing `{name}`",
                site.name_span(),
                detail=why,
                suggestions=[f"add `{name} = ...` to the block"],
            )
        )

    # --- common attributes ------------------------------------------------------
    def common(self, site: DeclSite, members: Members) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "name": site.node.name,
            "span": site.span(),
            "name_span": site.name_span(),
            "attr_spans": {name: Span(site.source, m.start, m.end) for name, m in members.items()},
        }
        description = members.get("description")
        if isinstance(description, ast.Attribute):
            fields["description"] = self.reader.string(description.value, site.source)
        labels = members.get("labels")
        if isinstance(labels, ast.MapMember):
            fields["labels"] = self.labels(labels, site.source)
        return fields

    def labels(self, member: ast.MapMember, source: SourceFile) -> dict[str, str]:
        out: dict[str, str] = {}
        for entry in member.entries:
            key = entry.key
            if isinstance(key, ast.String):
                name = self.reader.unescape(key, source)
            elif isinstance(key, ast.Ref):
                name = key.dotted
            else:
                self.reader.wrong(key, source, 'a label key such as `"team"`')
                continue
            value = self.reader.word(entry.value, source, 'a label value such as `"gpu"`')
            if name is not None and value is not None:
                out[name] = value
        return out

    def value(self, members: Members, name: str) -> ast.Value | None:
        member = members.get(name)
        return member.value if isinstance(member, ast.Attribute) else None

    def date_attr(self, site: DeclSite, members: Members, name: str) -> date | None:
        value = self.value(members, name)
        if value is None:
            return None
        day = self.reader.date(value, site.source)
        if day is not None:
            self.dates.append(day)
            self.written.append((day, Span(site.source, value.start, value.end)))
        return day

    # --- schedules ----------------------------------------------------------------
    def schedule(
        self,
        site: DeclSite,
        member: ast.Attribute | ast.MapMember,
        read: Callable[[ast.Value, SourceFile], Decimal | None],
        plain_day: date = PLAN_START,
    ) -> tuple[Step, ...] | None:
        """A plain value (a level from `plain_day`) or a map with date keys (E208)."""
        source = site.source
        if isinstance(member, ast.Attribute):
            value = read(member.value, source)
            if value is None:
                return None
            return (
                Step(
                    day=plain_day,
                    value=value,
                    span=Span(source, member.value.start, member.value.end),
                ),
            )
        steps: list[Step] = []
        ok = True
        previous: tuple[date, Span] | None = None
        for entry in member.entries:
            key = entry.key
            day = self.schedule_key(key, source)
            if day is None:
                ok = False
                continue
            value = read(entry.value, source)
            if value is None:
                ok = False
                continue
            span = Span(source, key.start, entry.value.end)
            if previous is not None and day <= previous[0]:
                self.diagnostics.add(
                    error(
                        "E208",
                        f"schedule dates must strictly increase: {day} comes after {previous[0]}",
                        Span(source, key.start, key.end),
                        related=[Related("previous entry", previous[1])],
                        suggestions=("order the entries by date and give each date once",),
                    )
                )
                ok = False
                continue
            previous = (day, span)
            self.dates.append(day)
            self.written.append((day, Span(source, key.start, key.end)))
            steps.append(Step(day=day, value=value, span=span))
        if not member.entries:
            self.diagnostics.add(
                error(
                    "E201",
                    f"`{member.name}` has no entries",
                    Span(source, member.start, member.end),
                    suggestions=("add entries such as `2026-03-01: ...`",),
                )
            )
            return None
        return tuple(steps) if ok else None

    def schedule_key(self, key: ast.Key, source: SourceFile) -> date | None:
        """A date, or the name of a const whose value is a date."""
        if isinstance(key, ast.DateLit):
            return self.reader.date_text(key, source)
        if isinstance(key, ast.Ref):
            return self.reader.date(key, source)
        self.reader.wrong(key, source, "a date as a schedule key, such as `2026-03-01:`")
        return None

    def canonical(self, dims: tuple[Dim, ...]) -> Callable[[ast.Value, SourceFile], Decimal | None]:
        def read(value: ast.Value, source: SourceFile) -> Decimal | None:
            quantity = self.reader.quantity(value, source, dims)
            return None if quantity is None else quantity.canonical

        return read

    def counter(
        self, what: str, minimum: int = 0
    ) -> Callable[[ast.Value, SourceFile], Decimal | None]:
        def read(value: ast.Value, source: SourceFile) -> Decimal | None:
            count = self.reader.count(value, source, what, minimum)
            return None if count is None else Decimal(count)

        return read

    # --- references -------------------------------------------------------------
    def ref(
        self,
        site: DeclSite,
        value: ast.Value,
        kinds: tuple[str, ...],
        allow_hall: bool = False,
    ) -> tuple[str, str | None] | None:
        """Resolve `name` or (with allow_hall) `site.hall`: E203 unknown, E204 wrong kind."""
        expected = " or ".join(kinds)
        found = self.reader.reference(value, site.source, f"a reference to a {expected}")
        if found is None:
            return None
        ref, source = found
        span = Span(source, ref.start, ref.end)
        head = ref.parts[0]
        target = self.decls.get(head)
        if target is None:
            candidates = [n for n, d in self.decls.items() if d.kind in kinds]
            guess = closest(head, candidates)
            self.diagnostics.add(
                error(
                    "E203",
                    f"unknown {expected} `{head}`",
                    Span(source, ref.start, ref.start + len(head)),
                    detail=f"no {expected} named `{head}` is declared",
                    suggestions=[f"did you mean `{guess}`?"] if guess else [],
                )
            )
            return None
        if target.kind not in kinds:
            self.diagnostics.add(
                error(
                    "E204",
                    f"`{head}` is a {target.kind}, expected a {expected}",
                    span,
                    related=[Related(f"`{head}` is declared here", target.name_span())],
                )
            )
            return None
        if len(ref.parts) == 1:
            return head, None
        if not allow_hall or target.kind != "site" or len(ref.parts) > 2:
            self.diagnostics.add(
                error(
                    "E203",
                    f"unknown reference `{ref.dotted}`",
                    span,
                    detail="only `site.hall` references have a dot"
                    if allow_hall
                    else f"expected the name of a {expected}",
                )
            )
            return None
        hall = ref.parts[1]
        halls = self.built.sites[head].halls if head in self.built.sites else {}
        hall_names = [m.name for m in target.node.members if isinstance(m, ast.Decl)]
        if hall not in hall_names:
            guess = closest(hall, hall_names)
            self.diagnostics.add(
                error(
                    "E203",
                    f"site `{head}` has no hall `{hall}`",
                    span,
                    related=[Related(f"site `{head}` is declared here", target.name_span())],
                    suggestions=[f"did you mean `{head}.{guess}`?"] if guess else [],
                )
            )
            return None
        if hall not in halls:
            return None  # the hall itself had errors, already reported
        return head, hall

    # --- blocks -------------------------------------------------------------------
    def build_plan(self, site: DeclSite) -> None:
        members = self.members(site, "plan")
        fields = self.common(site, members)
        start = self.date_attr(site, members, "start")
        end = self.date_attr(site, members, "end")
        as_of = self.date_attr(site, members, "as_of")
        if start is not None and end is not None and end < start:
            self.diagnostics.add(
                error(
                    "E206",
                    f"the plan ends ({end}) before it starts ({start})",
                    Span(site.source, members["end"].start, members["end"].end),
                )
            )
            end = None
        self.built.plan = Plan(**fields, start=start, end=end, as_of=as_of)

    def build_supplier(self, site: DeclSite) -> None:
        members = self.members(site, "supplier")
        fields = self.common(site, members)
        supplies = self.value(members, "supplies")
        if supplies is not None:
            fields["supplies"] = self.reader.choice(
                supplies,
                site.source,
                "supplies",
                ("gpus", "racks", "integration", "optics", "power"),
            )
        lead_time = self.value(members, "lead_time")
        if lead_time is not None:
            fields["lead_time"] = self.reader.duration(lead_time, site.source)
        allocation = members.get("allocation")
        if allocation is not None:
            self.allocation(site, allocation, fields)
        self.built.suppliers[site.node.name] = Supplier(**fields)

    def allocation(
        self, site: DeclSite, member: ast.Attribute | ast.MapMember, fields: dict[str, Any]
    ) -> None:
        units: list[tuple[str, str, ast.Value]] = []

        def read(value: ast.Value, source: SourceFile) -> Decimal | None:
            quantity = self.reader.quantity(value, source, (Dim.SUPPLY_RATE,))
            if quantity is None:
                return None
            units.append((quantity.unit.per, quantity.unit.period, value))
            return quantity.canonical

        steps = self.schedule(site, member, read)
        if steps is None or not units:
            return
        per, period, _ = units[0]
        for other_per, other_period, value in units[1:]:
            if (other_per, other_period) != (per, period):
                self.reader.wrong(
                    value, site.source, f"an allocation in {per}/{period} like the first entry"
                )
                return
        fields.update(allocation=steps, allocation_unit=per, allocation_period=period)

    def build_rack_type(self, site: DeclSite) -> None:
        members = self.members(site, "rack_type")
        fields = self.common(site, members)
        source = site.source
        ok = True
        gpus = self.value(members, "gpus")
        if gpus is not None:
            fields["gpus"] = self.reader.count(gpus, source, "GPUs", minimum=1)
        power = self.value(members, "power")
        if power is not None:
            watts = self.canonical((Dim.POWER,))(power, source)
            if watts is not None and watts <= 0:
                self.reader.out_of_range(power, source, "a rack draws some power")
                watts = None
            fields["power"] = watts
        cooling = self.value(members, "cooling")
        if cooling is not None:
            fields["cooling"] = self.reader.choice(
                cooling, source, "rack cooling", ("air", "liquid")
            )
        gpu = self.value(members, "gpu")
        if gpu is not None:
            fields["gpu"] = self.reader.string(gpu, source)
        nodes = self.value(members, "nodes")
        if nodes is not None:
            fields["nodes"] = self.reader.count(nodes, source, "nodes", minimum=1) or 1
        install = self.value(members, "install")
        if install is not None:
            fields["install"] = self.reader.duration(install, source) or Duration()
        fabric = self.value(members, "fabric")
        if fabric is not None:
            fields["fabric"] = self.canonical((Dim.BANDWIDTH,))(fabric, source)
        weight = self.value(members, "weight")
        if weight is not None:
            fields["weight"] = self.canonical((Dim.MASS,))(weight, source)
        for required in ("gpus", "power", "cooling"):
            ok = ok and fields.get(required) is not None
        if ok:
            self.built.rack_types[site.node.name] = RackType(**fields)

    def build_site(self, site: DeclSite) -> None:
        members = self.members(site, "site")
        fields = self.common(site, members)
        source = site.source
        power = members.get("power")
        envelope = self.schedule(site, power, self.canonical((Dim.POWER,))) if power else None
        pue = self.value(members, "pue")
        if pue is not None:
            value = self.reader.number(pue, source, "a PUE such as `1.10`")
            if value is not None and value < 1:
                self.reader.out_of_range(
                    pue, source, f"PUE {value} is below 1", "a PUE is at least 1.0"
                )
                value = None
            if value is not None:
                fields["pue"] = value
        reserve = self.value(members, "reserve")
        if reserve is not None:
            quantity = self.reader.quantity(reserve, source, (Dim.RATIO,))
            if quantity is not None and quantity.canonical > 1:
                self.reader.out_of_range(
                    reserve, source, f"a reserve of {quantity.text} is over 100%"
                )
            elif quantity is not None:
                fields["reserve"] = quantity.canonical
        for name in ("country", "region"):
            word = self.value(members, name)
            if word is not None:
                fields[name] = self.reader.word(word, source, f"a {name} name or string")
        price = self.value(members, "energy_price")
        if price is not None:
            quantity = self.reader.quantity(price, source, (Dim.ENERGY_PRICE,))
            fields["energy_price"] = quantity.canonical if quantity else None
        halls: dict[str, Hall] = {}
        for member in site.node.members:
            if isinstance(member, ast.Decl):
                self.build_hall(site, member, halls)
        if envelope is None:
            return
        self.built.sites[site.node.name] = Site(**fields, power=envelope, halls=halls)

    def build_hall(self, parent: DeclSite, node: ast.Decl, halls: dict[str, Hall]) -> None:
        site = DeclSite(node, parent.source, "hall")
        if node.name in halls or any(
            isinstance(m, ast.Decl)
            and m.name == node.name
            and m is not node
            and m.name_start < node.name_start
            for m in parent.node.members
        ):
            first = next(
                m for m in parent.node.members if isinstance(m, ast.Decl) and m.name == node.name
            )
            self.diagnostics.add(
                error(
                    "E202",
                    f"hall `{node.name}` is declared more than once in site `{parent.node.name}`",
                    site.name_span(),
                    related=[
                        Related(
                            "first declared here",
                            Span(parent.source, first.name_start, first.name_end),
                        )
                    ],
                )
            )
            return
        members = self.members(site, "hall")
        fields = self.common(site, members)
        source = site.source
        positions = self.value(members, "positions")
        count = self.reader.count(positions, source, "rack positions", 1) if positions else None
        cooling = self.value(members, "cooling")
        mode = (
            self.reader.choice(cooling, source, "hall cooling", ("air", "liquid", "hybrid"))
            if cooling
            else None
        )
        power = members.get("power")
        if power is not None:
            fields["power"] = self.schedule(site, power, self.canonical((Dim.POWER,)))
            if fields["power"] is None:
                return
        ready = self.date_attr(site, members, "ready")
        if count is None or mode is None:
            return
        halls[node.name] = Hall(
            **fields,
            site=parent.node.name,
            positions=count,
            cooling=mode,
            ready=ready or PLAN_START,
        )

    def build_pop(self, site: DeclSite) -> None:
        members = self.members(site, "pop")
        fields = self.common(site, members)
        for name in ("country", "region"):
            value = self.value(members, name)
            if value is not None:
                fields[name] = self.reader.word(value, site.source, f"a {name} name or string")
        self.built.pops[site.node.name] = Pop(**fields)

    def build_lot(self, site: DeclSite, index: int) -> None:
        members = self.members(site, "lot")
        fields = self.common(site, members)
        source = site.source
        ok = True
        supplier = self._ref_attr(site, members, "supplier", ("supplier",))
        via = self._ref_attr(site, members, "via", ("supplier",))
        rack_type = self._ref_attr(site, members, "rack_type", ("rack_type",))
        target = None
        to = self.value(members, "to")
        if to is not None:
            target = self.ref(site, to, ("site",), allow_hall=True)
        priority = self.value(members, "priority")
        if priority is not None:
            fields["priority"] = self.reader.count(priority, source, "priority") or 0
        racks = self.lot_size(site, members, rack_type)
        order = self.date_attr(site, members, "order")
        tranches = self.tranches(site, members, racks, supplier, order)
        if None in (supplier, rack_type, target, racks, tranches) or (
            "via" in members and via is None
        ):
            ok = False
        if not ok:
            return
        assert supplier and rack_type and target and racks and tranches is not None
        self.built.lots[site.node.name] = Lot(
            **fields,
            supplier=supplier,
            via=via,
            rack_type=rack_type,
            racks=racks,
            site=target[0],
            hall=target[1],
            tranches=tranches[0],
            order=order,
            arrival_from_order=tranches[1],
            index=index,
        )

    def _ref_attr(
        self, site: DeclSite, members: Members, name: str, kinds: tuple[str, ...]
    ) -> str | None:
        value = self.value(members, name)
        if value is None:
            return None
        found = self.ref(site, value, kinds)
        return None if found is None else found[0]

    def lot_size(self, site: DeclSite, members: Members, rack_type: str | None) -> int | None:
        source = site.source
        racks = self.value(members, "racks")
        gpus = self.value(members, "gpus")
        if racks is not None and gpus is not None:
            self.diagnostics.add(
                error(
                    "E207",
                    "a lot gives `racks` or `gpus`, not both",
                    Span(source, gpus.start, gpus.end),
                    related=[Related("racks given here", Span(source, racks.start, racks.end))],
                    suggestions=("keep one of them",),
                )
            )
            return None
        if racks is not None:
            return self.reader.count(racks, source, "racks", minimum=1)
        if gpus is None:
            self.missing(site, "lot", "racks", "a lot gives `racks` or `gpus`")
            return None
        count = self.reader.count(gpus, source, "GPUs", minimum=1)
        rack = self.built.rack_types.get(rack_type) if rack_type else None
        if count is None or rack is None:
            return None
        whole, rest = divmod(count, rack.gpus)
        if rest:
            self.diagnostics.add(
                error(
                    "E209",
                    f"{count} GPUs is not a whole number of `{rack.name}` racks ({rack.gpus} GPUs each)",
                    Span(source, gpus.start, gpus.end),
                    related=[
                        Related(
                            f"`{rack.name}` has {rack.gpus} GPUs per rack", rack.attr_span("gpus")
                        )
                    ],
                    suggestions=[
                        f"use {whole * rack.gpus} or {(whole + 1) * rack.gpus} GPUs"
                        if whole
                        else f"use {rack.gpus} GPUs (one rack)"
                    ],
                )
            )
            return None
        return whole

    def tranches(
        self,
        site: DeclSite,
        members: Members,
        racks: int | None,
        supplier: str | None,
        order: date | None,
    ) -> tuple[tuple[Tranche, ...], bool] | None:
        source = site.source
        arrive = members.get("arrive")
        if arrive is None:
            if order is None:
                self.missing(
                    site,
                    "lot",
                    "arrive",
                    "a lot needs `arrive`, or `order` and a supplier lead time",
                )
                return None
            lead = self.built.suppliers.get(supplier) if supplier else None
            if lead is None:
                return None
            if lead.lead_time is None:
                self.diagnostics.add(
                    error(
                        "E201",
                        f"lot `{site.node.name}` has no `arrive` and supplier `{lead.name}` has no `lead_time`",
                        site.name_span(),
                        related=[
                            Related(f"supplier `{lead.name}` is declared here", lead.name_span)
                        ],
                        suggestions=(
                            "give the lot `arrive = <date>`",
                            f"give `{lead.name}` a `lead_time`",
                        ),
                    )
                )
                return None
            if racks is None:
                return None
            day = lead.lead_time.after(order)
            self.dates.append(day)
            span = Span(source, members["order"].start, members["order"].end)
            return (Tranche(day=day, racks=racks, span=span),), True
        if isinstance(arrive, ast.Attribute):
            arrival = self.reader.date(arrive.value, source)
            if arrival is None or racks is None:
                return None
            self.dates.append(arrival)
            self.written.append((arrival, Span(source, arrive.value.start, arrive.value.end)))
            return (
                Tranche(day=arrival, racks=racks, span=Span(source, arrive.start, arrive.end)),
            ), False
        steps = self.schedule(site, arrive, self.counter("racks", minimum=1))
        if steps is None or racks is None:
            return None
        total = sum(int(s.value) for s in steps)
        if total != racks:
            arithmetic = " + ".join(str(int(s.value)) for s in steps)
            self.diagnostics.add(
                error(
                    "E210",
                    f"tranches add up to {total} racks, the lot has {racks}",
                    Span(source, arrive.start, arrive.end),
                    detail=f"{arithmetic} = {total}",
                    suggestions=(f"make the tranches add up to {racks}, or set racks = {total}",),
                )
            )
            return None
        return tuple(Tranche(day=s.day, racks=int(s.value), span=s.span) for s in steps), False

    def build_link(self, site: DeclSite) -> None:
        members = self.members(site, "link")
        fields = self.common(site, members)
        source = site.source
        a = self._ref_attr(site, members, "from", ("site", "pop"))
        b = self._ref_attr(site, members, "to", ("site", "pop"))
        capacity = members.get("capacity")
        steps = (
            self.schedule(site, capacity, self.canonical((Dim.BANDWIDTH,))) if capacity else None
        )
        ready = self.date_attr(site, members, "ready")
        order = self.date_attr(site, members, "order")
        supplier = self._ref_attr(site, members, "supplier", ("supplier",))
        distance = self.value(members, "distance")
        if distance is not None:
            fields["distance"] = self.canonical((Dim.DISTANCE,))(distance, source)
        if ready is None and order is not None:
            ready = self.link_ready_from_order(site, supplier, order)
        if a is None or b is None or steps is None:
            return
        if a == b:
            self.diagnostics.add(
                error("E206", f"link `{site.node.name}` joins `{a}` to itself", site.name_span())
            )
            return
        self.built.links[site.node.name] = Link(
            **fields, a=a, b=b, capacity=steps, ready=ready, order=order, supplier=supplier
        )

    def link_ready_from_order(
        self, site: DeclSite, supplier: str | None, order: date
    ) -> date | None:
        lead = self.built.suppliers.get(supplier) if supplier else None
        if lead is None or lead.lead_time is None:
            self.diagnostics.add(
                error(
                    "E201",
                    f"link `{site.node.name}` has `order` but no `ready`, and no supplier lead time is known",
                    site.name_span(),
                    suggestions=(
                        "give the link `ready = <date>`",
                        "name a `supplier` with a `lead_time`",
                    ),
                )
            )
            return None
        day = lead.lead_time.after(order)
        self.dates.append(day)
        return day

    def build_flow(self, site: DeclSite) -> None:
        members = self.members(site, "flow")
        fields = self.common(site, members)
        source = site.source
        src = self._ref_attr(site, members, "from", ("site", "pop"))
        dst = self._ref_attr(site, members, "to", ("site", "pop"))
        dims: list[Dim] = []

        def read(value: ast.Value, src_file: SourceFile) -> Decimal | None:
            quantity = self.reader.quantity(value, src_file, (Dim.BANDWIDTH, Dim.PER_GPU))
            if quantity is None:
                return None
            if dims and quantity.dim != dims[0]:
                self.reader.wrong(value, src_file, f"{dims[0].value} like the first entry")
                return None
            dims.append(quantity.dim)
            return quantity.canonical

        rate = members.get("rate")
        steps = self.schedule(site, rate, read) if rate else None
        protect = self.value(members, "protect")
        if protect is not None:
            fields["protect"] = bool(self.reader.boolean(protect, source))
        if src is None or dst is None or steps is None:
            return
        per_gpu = bool(dims) and dims[0] == Dim.PER_GPU
        gpu_site = None
        if per_gpu:
            gpu_site = (
                src
                if self.decls[src].kind == "site"
                else dst
                if self.decls[dst].kind == "site"
                else None
            )
            if gpu_site is None:
                assert rate is not None
                self.diagnostics.add(
                    error(
                        "E205",
                        "a per-GPU rate needs a site at one end of the flow",
                        Span(source, rate.start, rate.end),
                        detail=f"`{src}` and `{dst}` are both pops, which have no GPUs",
                        suggestions=("give the rate as a bandwidth such as `100 Gbps`",),
                    )
                )
                return
        self.built.flows[site.node.name] = Flow(
            **fields, src=src, dst=dst, rate=steps, per_gpu=per_gpu, gpu_site=gpu_site
        )

    def build_commitment(self, site: DeclSite) -> None:
        members = self.members(site, "commitment")
        fields = self.common(site, members)
        source = site.source
        gpus = members.get("gpus")
        steps = (
            self.schedule(site, gpus, self.counter("GPUs"), plain_day=PLAN_END) if gpus else None
        )
        single = self.value(members, "site")
        listed = self.value(members, "sites")
        sites: list[str] = []
        ok = True
        if single is not None and listed is not None:
            self.diagnostics.add(
                error(
                    "E207",
                    "a commitment gives `site` or `sites`, not both",
                    Span(source, listed.start, listed.end),
                    suggestions=("keep one of them",),
                )
            )
            ok = False
        elif single is not None:
            found = self.ref(site, single, ("site",))
            ok = found is not None
            if found:
                sites.append(found[0])
        elif listed is not None:
            ok = self.site_list(site, listed, sites)
        else:
            self.missing(site, "commitment", "site", "a commitment names its `site` or `sites`")
            ok = False
        customer = self.value(members, "customer")
        if customer is not None:
            fields["customer"] = self.reader.string(customer, source)
        rack_type = self._ref_attr(site, members, "rack_type", ("rack_type",))
        if "rack_type" in members and rack_type is None:
            ok = False
        if not ok or steps is None:
            return
        self.built.commitments[site.node.name] = Commitment(
            **fields, gpus=steps, sites=tuple(sites), rack_type=rack_type
        )

    def site_list(self, site: DeclSite, value: ast.Value, out: list[str]) -> bool:
        found = self.reader.deref(value, site.source)
        if found is None:
            return False
        value, _ = found
        if not isinstance(value, ast.ListVal):
            self.reader.wrong(value, site.source, "a list of sites such as `[narvik, glomfjord]`")
            return False
        ok = bool(value.items)
        if not value.items:
            self.reader.out_of_range(value, site.source, "the list of sites is empty")
        for item in value.items:
            ref = self.ref(site, item, ("site",))
            if ref is None:
                ok = False
            elif ref[0] not in out:
                out.append(ref[0])
        return ok

    # --- horizon ------------------------------------------------------------------
    def horizon(self) -> tuple[date, date]:
        plan = self.built.plan
        written = [d for d in self.dates if d not in (PLAN_START, PLAN_END)]
        start = plan.start if plan and plan.start else (min(written) if written else date.today())
        end = plan.end if plan and plan.end else None
        if end is None:
            latest = max(written) if written else start
            end = max(latest, start) + timedelta(days=365)
        return start, end

    def run(self) -> tuple[Model | None, Diagnostics]:
        self.collect()
        for const in self.consts.values():
            self.reader.check_literal(const.value, const.source)
        order = (
            "plan",
            "supplier",
            "rack_type",
            "site",
            "pop",
            "lot",
            "link",
            "flow",
            "commitment",
        )
        builders: dict[str, Callable[[DeclSite], None]] = {
            "plan": self.build_plan,
            "supplier": self.build_supplier,
            "rack_type": self.build_rack_type,
            "site": self.build_site,
            "pop": self.build_pop,
            "link": self.build_link,
            "flow": self.build_flow,
            "commitment": self.build_commitment,
        }
        for kind in order:
            for index, site in enumerate(self.ordered):
                if site.kind != kind:
                    continue
                if kind == "lot":
                    self.build_lot(site, index)
                else:
                    builders[kind](site)
        start, end = self.horizon()
        model = Model(
            plan=self.built.plan,
            written_dates=tuple(self.written),
            start=start,
            end=end,
            as_of=self.built.plan.as_of if self.built.plan else None,
            suppliers=self.built.suppliers,
            rack_types=self.built.rack_types,
            sites={name: _fix_site(s, start) for name, s in self.built.sites.items()},
            lots=self.built.lots,
            pops=self.built.pops,
            links={
                n: _fix_steps(link, "capacity", start, end) for n, link in self.built.links.items()
            },
            flows={n: _fix_steps(flow, "rate", start, end) for n, flow in self.built.flows.items()},
            commitments={
                n: _fix_steps(c, "gpus", start, end) for n, c in self.built.commitments.items()
            },
        )
        model = _fix_suppliers(model, start, end)
        return model, self.diagnostics


def _steps_at(steps: tuple[Step, ...], start: date, end: date) -> tuple[Step, ...]:
    out = []
    for step in steps:
        if step.day == PLAN_START:
            step = step.model_copy(update={"day": start})
        elif step.day == PLAN_END:
            step = step.model_copy(update={"day": end})
        out.append(step)
    return tuple(out)


DeclT = Any


def _fix_steps(decl: DeclT, attribute: str, start: date, end: date) -> DeclT:
    steps = getattr(decl, attribute)
    if not any(s.day in (PLAN_START, PLAN_END) for s in steps):
        return decl
    return decl.model_copy(update={attribute: _steps_at(steps, start, end)})


def _fix_site(site: Site, start: date) -> Site:
    halls = {}
    for name, hall in site.halls.items():
        update: dict[str, Any] = {}
        if hall.ready == PLAN_START:
            update["ready"] = start
        if hall.power is not None:
            update["power"] = _steps_at(hall.power, start, start)
        halls[name] = hall.model_copy(update=update) if update else hall
    return site.model_copy(update={"power": _steps_at(site.power, start, start), "halls": halls})


def _fix_suppliers(model: Model, start: date, end: date) -> Model:
    suppliers = {n: _fix_steps(s, "allocation", start, end) for n, s in model.suppliers.items()}
    return model.model_copy(update={"suppliers": suppliers})


def build_model(program: Program) -> tuple[Model | None, Diagnostics]:
    """The typed model of a loaded program, with every static diagnostic."""
    model, diagnostics = Resolver(program).run()
    return model, diagnostics
