"""Fill the render context from a planned model: the one bridge from planner to templates.

Racks are named after the place they stand in (`<site>-<hall>-r0001`, `rack_name`),
numbered within their hall by go-live day, then the lot's place in the source, then
the rack's index in its lot: renaming a lot renames no rack, and a lot whose racks go
live later renames no earlier rack (docs/render.md, "Names"). Only racks live on `at`
are rendered, numbered among all the hall's racks, so a later `--at` renames none.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

from capplan import __version__
from capplan.api import Planned
from capplan.checks.commitments import due_dates
from capplan.model.addr import HallAddr
from capplan.model.decls import Model, Step
from capplan.model.decls import Site as SiteDecl
from capplan.model.rules import level_at
from capplan.render.context import (
    Commitment,
    CommitmentLevel,
    Hall,
    Lot,
    PlanInfo,
    PlanPages,
    PowerPoint,
    PowerStep,
    Rack,
    RenderContext,
    Site,
    SiteCost,
    Tranche,
)
from capplan.render.costs import site_costs
from capplan.render.names import node_names, rack_name, unique_k8s_names
from capplan.report import build_report, site_timeline
from capplan.schedule import Schedule
from capplan.source import SourceFile
from capplan.views.page import fleet_page, site_page

MW = Decimal(1_000_000)


def input_hash(planned: Planned) -> str:
    """sha256 over every source file (name and text) in load order.

    Names are relative to the root file's folder (the root by its file name), so the
    hash does not depend on how the path was typed (`examples/x.cap`, `./x.cap`, an
    absolute path): `render --check` in CI agrees with the render committed locally.
    """
    program = planned.compilation.program
    base = _folder_of(program.root)
    digest = hashlib.sha256()
    for source in program.sources:
        digest.update(_relative_name(source, base).encode("utf-8") + b"\0")
        digest.update(source.text.encode("utf-8") + b"\0")
    return digest.hexdigest()


def _folder_of(root: SourceFile | None) -> str | None:
    if root is None or root.path is None:
        return None
    return os.path.dirname(os.path.realpath(root.path))


def _relative_name(source: SourceFile, base: str | None) -> str:
    if base is None or source.path is None:
        return source.name
    return Path(os.path.relpath(os.path.realpath(source.path), base)).as_posix()


def default_at(model: Model) -> date:
    """`--at` defaults to the plan's `as_of`, else its end."""
    return model.as_of or model.end


def _mw(watts: Decimal) -> float:
    return float(round(watts / MW, 6))


def _steps(steps: tuple[Step, ...] | None) -> tuple[PowerStep, ...]:
    return tuple(PowerStep(date=s.day, mw=_mw(s.value)) for s in steps or ())


def gpu_product(model: Model, rack_type: str) -> str:
    return model.rack_types[rack_type].gpu or rack_type


def build_context(planned: Planned, at: date) -> RenderContext:
    model, schedule = planned.model, planned.schedule
    plan = model.plan
    root = planned.compilation.program.root
    name = (
        plan.name
        if plan
        else (root.name.rsplit("/", 1)[-1].removesuffix(".cap") if root else "plan")
    )
    info = PlanInfo(
        name=name,
        description=(plan.description or "") if plan else "",
        labels=dict(plan.labels) if plan else {},
        start=model.start,
        end=model.end,
        as_of=model.as_of,
        at=at,
        capplan_version=__version__,
        input_hash=input_hash(planned),
    )
    site_names = unique_k8s_names(model.sites)
    costs = site_costs(model, schedule, at)
    sites = tuple(
        _site(model, schedule, site, site_names[site.name], at, costs[site.name])
        for site in model.sites.values()
    )
    return RenderContext(
        plan=info,
        sites=sites,
        commitments=_levels(model, at),
        pages=_pages(planned, at, {site.name: site.k8s_name for site in sites}),
    )


def _pages(planned: Planned, at: date, folders: dict[str, str]) -> PlanPages:
    """The fleet page (charts of each site in its folder) and every site's page, over the
    report `capplan plan --at` shows."""
    report = build_report(planned, at)
    diagnostics = planned.diagnostics.sorted()
    return PlanPages(
        fleet=fleet_page(report, diagnostics, folders),
        sites={site.name: site_page(report, site.name, diagnostics) for site in report.sites},
    )


def _levels(model: Model, at: date) -> tuple[CommitmentLevel, ...]:
    """Each commitment's own level on `at` (what its Kueue queue is promised)."""
    names = unique_k8s_names(model.commitments)
    return tuple(
        CommitmentLevel(
            name=commitment.name,
            k8s_name=names[commitment.name],
            customer=commitment.customer,
            labels=dict(commitment.labels),
            sites=tuple(commitment.sites),
            rack_type=commitment.rack_type,
            gpu_product=gpu_product(model, commitment.rack_type) if commitment.rack_type else None,
            gpus=int(level_at(commitment.gpus, at)),
        )
        for commitment in model.commitments.values()
    )


def _site(
    model: Model, schedule: Schedule, site: SiteDecl, k8s: str, at: date, cost: SiteCost
) -> Site:
    hall_names = unique_k8s_names(site.halls)
    halls = tuple(
        Hall(
            name=hall.name,
            k8s_name=hall_names[hall.name],
            description=hall.description or "",
            labels=dict(hall.labels),
            positions=hall.positions,
            cooling=hall.cooling,
            power=_steps(hall.power),
            ready=hall.ready,
        )
        for hall in site.halls.values()
    )
    lots = [lot for lot in model.lots.values() if lot.site == site.name]
    return Site(
        name=site.name,
        k8s_name=k8s,
        description=site.description or "",
        labels=dict(site.labels),
        country=site.country,
        region=site.region,
        pue=float(site.pue),
        reserve=float(site.reserve),
        envelope=_steps(site.power),
        halls=halls,
        racks=_racks(model, schedule, [lot.name for lot in lots], k8s, hall_names, at),
        lots=tuple(_lot(model, schedule, lot.name) for lot in lots),
        power_timeline=tuple(
            PowerPoint(
                date=row.day,
                it_mw=row.it_mw,
                facility_mw=row.facility_mw,
                envelope_mw=row.envelope_mw,
                headroom_mw=row.headroom_mw,
            )
            for row in site_timeline(model, schedule, site)
        ),
        commitments=_commitments(model, schedule, site.name),
        cost=cost,
    )


def _racks(
    model: Model,
    schedule: Schedule,
    lots: list[str],
    site_k8s: str,
    hall_names: dict[str, str],
    at: date,
) -> tuple[Rack, ...]:
    """The site's racks live on `at`, each named by its hall and its place in the hall's
    go-live order (every rack of the plan counted, live on `at` or later)."""
    placed: defaultdict[str, list[tuple[date, int, int, str]]] = defaultdict(list)
    for order, lot_name in enumerate(lots):  # the site's lots in source order
        index = 0
        for part in schedule.lots[lot_name].parts:
            for _ in range(part.racks):
                index += 1
                placed[HallAddr.parse(part.hall).hall].append((part.day, order, index, lot_name))
    racks: list[Rack] = []
    for hall, entries in placed.items():
        for ordinal, (day, _, _, lot_name) in enumerate(sorted(entries), start=1):
            if day <= at:
                racks.append(
                    _rack(
                        model, lot_name, hall, rack_name(site_k8s, hall_names[hall], ordinal), day
                    )
                )
    return tuple(racks)


def _rack(model: Model, lot_name: str, hall: str, name: str, live: date) -> Rack:
    lot = model.lots[lot_name]
    rack_type = model.rack_types[lot.rack_type]
    return Rack(
        name=name,
        hall=hall,
        rack_type=lot.rack_type,
        lot=lot_name,
        gpu_product=gpu_product(model, lot.rack_type),
        gpus=rack_type.gpus,
        nodes=node_names(name, rack_type.nodes),
        it_kw=float(rack_type.power / 1000),
        live=live,
    )


def _lot(model: Model, schedule: Schedule, lot_name: str) -> Lot:
    lot = model.lots[lot_name]
    outcome = schedule.lots[lot_name]
    arrivals: dict[date, int] = defaultdict(int)
    for tranche in lot.tranches:
        arrivals[tranche.day] += tranche.racks
    live: dict[date, int] = defaultdict(int)
    for part in outcome.parts:
        live[part.day] += part.racks
    return Lot(
        name=lot.name,
        rack_type=lot.rack_type,
        gpu_product=gpu_product(model, lot.rack_type),
        supplier=lot.supplier,
        hall=lot.hall,
        racks=lot.racks,
        gpus=lot.racks * outcome.gpus_per_rack,
        arrivals=tuple(Tranche(date=d, racks=r) for d, r in sorted(arrivals.items())),
        go_live=tuple(Tranche(date=d, racks=r) for d, r in sorted(live.items())),
        stranded_racks=outcome.stranded,
    )


def _commitments(model: Model, schedule: Schedule, site: str) -> tuple[Commitment, ...]:
    return tuple(
        Commitment(
            name=due.commitment.name,
            customer=due.commitment.customer,
            date=due.step.day,
            required=due.required,
            live=due.live,
            met=due.met,
            sites=tuple(due.commitment.sites),
            rack_type=due.commitment.rack_type,
        )
        for due in due_dates(model, schedule)
        if site in due.commitment.sites
    )
