"""The plan report: the data `capplan plan` shows, independent of how it is shown.

Text (rich), JSON and Markdown renderers all read this one typed structure, so
the three forms can never disagree. Power is reported in MW, rounded to 3
decimals (kW resolution); counts are exact.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TypedDict

from pydantic import BaseModel, ConfigDict

from capplan.api import Planned
from capplan.cost.report import CostReport, build_cost_report
from capplan.model.addr import HallAddr
from capplan.model.decls import HallCooling, Lot, Model, Site
from capplan.model.rules import Cause, level_at, main_cause, step_at, steps_on
from capplan.schedule import Level, Schedule

MW = Decimal(1_000_000)

PLAN_FORMAT_VERSION = "2"
"""``format_version`` of the `plan --format json` document (docs/planning.md says what
changed): 2 keys causes by identifier and gives the fleet and each lot one idle map."""


def mw(watts: Decimal) -> float:
    return float(round(watts / MW, 3))


class Row(BaseModel):
    model_config = ConfigDict(frozen=True)


class TimelineRow(Row):
    day: date
    racks: int
    gpus: int
    it_mw: float
    facility_mw: float
    envelope_mw: float
    usable_mw: float  # envelope x (1 - reserve)
    headroom_mw: float  # usable - facility


class HallRow(Row):
    """One hall's use on the plan's last day: positions and hall power."""

    hall: str
    cooling: HallCooling
    positions: int
    racks_live: int
    positions_free: int
    it_mw: float  # IT power of the racks live
    power_mw: float | None  # the hall's IT capacity in force (None: not limited by the hall)
    headroom_mw: float | None  # power - IT live


class SiteReport(Row):
    name: str
    pue: float
    reserve: float
    halls: list[str]
    racks_planned: int
    gpus_planned: int
    gpus_live_at_end: int
    timeline: list[TimelineRow]
    hall_use: list[HallRow]


class GoLiveRow(Row):
    day: date
    racks: int
    hall: str


class LotReport(Row):
    name: str
    site: str
    hall: str | None
    rack_type: str
    racks: int
    gpus: int
    arrivals: list[tuple[date, int]]
    go_live: list[GoLiveRow]
    first_live: date | None
    last_live: date | None
    stranded_racks: int
    idle_gpu_days: dict[Cause, int]  # every cause, install included (as the fleet's)
    main_cause: Cause | None  # the cause beyond install that cost the most GPU-days


class CommitmentRow(Row):
    commitment: str
    customer: str | None
    sites: list[str]
    rack_type: str | None
    day: date
    required: int
    live: int
    met: bool
    shortfall: int


class LinkPoint(Row):
    """A link's load (worse direction) and capacity from `day` until the next point."""

    day: date
    load_gbps: float
    capacity_gbps: float


class LinkRow(Row):
    link: str
    a: str
    b: str
    peak_utilisation: float
    peak_day: date | None
    peak_load_gbps: float
    capacity_gbps: float
    headroom_gbps: float
    history: list[LinkPoint]  # on the first checked day and where load or capacity changes


class ProtectionRow(Row):
    flow: str
    worst_link: str | None
    day: date | None
    congestion_after_loss: float | None
    congestion_intact: float | None


class NetworkReportView(Row):
    days_checked: int
    links: list[LinkRow]
    protection: list[ProtectionRow]


class SiteState(Row):
    site: str
    racks: int
    gpus: int
    it_mw: float
    facility_mw: float
    envelope_mw: float
    usable_mw: float
    headroom_mw: float


class AtReport(Row):
    day: date
    sites: list[SiteState]
    lots: list[tuple[str, int, int]]  # lot, racks live, GPUs live
    gpus_live: int


class PlanReport(Row):
    plan: str | None
    start: date
    end: date
    as_of: date | None
    gpus_planned: int
    gpus_live_at_end: int
    stranded_racks: int
    sites: list[SiteReport]
    lots: list[LotReport]
    commitments: list[CommitmentRow]
    idle_gpu_days: dict[Cause, int]  # every cause, install included
    network: NetworkReportView | None
    at: AtReport | None
    cost: CostReport | None = None  # docs/language.md §14, to the `--at` day if given


def site_timeline(model: Model, schedule: Schedule, site: Site) -> list[TimelineRow]:
    """A row on every day where GPUs live or the envelope change."""
    levels = schedule.site_levels(site.name)
    days = sorted({lv.day for lv in levels} | {s.day for s in site.power})
    return [
        TimelineRow(day=day, **_state(site, day, level))
        for day, level in zip(days, steps_on(levels, days), strict=True)
    ]


def hall_use(model: Model, schedule: Schedule, site: Site, lots: list[Lot]) -> list[HallRow]:
    """Each hall of `site` (whose lots are `lots`) on the plan end: racks live against
    positions and hall power."""
    racks: dict[str, int] = dict.fromkeys(site.halls, 0)
    it_w: dict[str, Decimal] = dict.fromkeys(site.halls, Decimal(0))
    for lot in lots:
        rack_power = model.rack_types[lot.rack_type].power
        for part in schedule.lots[lot.name].parts:
            name = HallAddr.parse(part.hall).hall
            racks[name] += part.racks
            it_w[name] += part.racks * rack_power
    rows = []
    for name, hall in site.halls.items():
        power = level_at(hall.power, model.end) if hall.power is not None else None
        rows.append(
            HallRow(
                hall=name,
                cooling=hall.cooling,
                positions=hall.positions,
                racks_live=racks[name],
                positions_free=hall.positions - racks[name],
                it_mw=mw(it_w[name]),
                power_mw=mw(power) if power is not None else None,
                headroom_mw=mw(power - it_w[name]) if power is not None else None,
            )
        )
    return rows


class StateFigures(TypedDict):
    """A site's state on one day: a timeline row's figures and an `--at` site's (typed `**`)."""

    racks: int
    gpus: int
    it_mw: float
    facility_mw: float
    envelope_mw: float
    usable_mw: float
    headroom_mw: float


def _state(site: Site, day: date, level: Level | None) -> StateFigures:
    """The site on ``day`` under the schedule's level in force (None: nothing live yet)."""
    envelope = level_at(site.power, day)
    usable = envelope * (1 - site.reserve)
    it_w = level.it_w if level else Decimal(0)
    facility = level.facility_w if level else Decimal(0)
    return StateFigures(
        racks=level.racks if level else 0,
        gpus=level.gpus if level else 0,
        it_mw=mw(it_w),
        facility_mw=mw(facility),
        envelope_mw=mw(envelope),
        usable_mw=mw(usable),
        headroom_mw=mw(usable - facility),
    )


def state_at(model: Model, schedule: Schedule, day: date) -> AtReport:
    sites = []
    for site in model.sites.values():
        level = step_at(schedule.site_levels(site.name), day)
        sites.append(SiteState(site=site.name, **_state(site, day, level)))
    lots = []
    for name, outcome in schedule.lots.items():
        racks = outcome.live_on(day)
        lots.append((name, racks, racks * outcome.gpus_per_rack))
    return AtReport(day=day, sites=sites, lots=lots, gpus_live=sum(s.gpus for s in sites))


def lot_reports(model: Model, schedule: Schedule) -> list[LotReport]:
    out = []
    for lot in model.lots.values():
        outcome = schedule.lots[lot.name]
        idle = outcome.idle_gpu_days()
        out.append(
            LotReport(
                name=lot.name,
                site=lot.site,
                hall=lot.hall,
                rack_type=lot.rack_type,
                racks=lot.racks,
                gpus=lot.racks * outcome.gpus_per_rack,
                arrivals=[(t.day, t.racks) for t in lot.tranches],
                go_live=[GoLiveRow(day=p.day, racks=p.racks, hall=p.hall) for p in outcome.parts],
                first_live=outcome.first_live,
                last_live=outcome.last_live,
                stranded_racks=outcome.stranded,
                idle_gpu_days=idle,
                main_cause=main_cause(idle),
            )
        )
    return out


def commitment_rows(model: Model, schedule: Schedule) -> list[CommitmentRow]:
    from capplan.checks.commitments import due_dates

    return [
        CommitmentRow(
            commitment=due.commitment.name,
            customer=due.commitment.customer,
            sites=list(due.commitment.sites),
            rack_type=due.commitment.rack_type,
            day=due.step.day,
            required=due.required,
            live=due.live,
            met=due.met,
            shortfall=max(0, due.required - due.live),
        )
        for due in due_dates(model, schedule)
    ]


def network_view(planned: Planned) -> NetworkReportView | None:
    if planned.network is None:
        return None
    model = planned.model
    report = planned.network.report
    links = []
    for usage in report.links:
        link = model.links[usage.link]
        links.append(
            LinkRow(
                link=usage.link,
                a=link.a,
                b=link.b,
                peak_utilisation=round(usage.peak_utilisation, 6),
                peak_day=date.fromordinal(usage.peak_day) if usage.peak_day else None,
                peak_load_gbps=round(usage.load_bps / 1e9, 3),
                capacity_gbps=round(usage.capacity_bps / 1e9, 3),
                headroom_gbps=round(usage.headroom_bps / 1e9, 3),
                history=_link_history(usage.history),
            )
        )
    protection = [
        ProtectionRow(
            flow=p.flow,
            worst_link=p.worst_link,
            day=date.fromordinal(p.day) if p.day else None,
            congestion_after_loss=_finite(p.congestion),
            congestion_intact=_finite(p.intact_congestion),
        )
        for p in report.protection
    ]
    return NetworkReportView(days_checked=report.days_checked, links=links, protection=protection)


def _link_history(history: tuple[tuple[int, float, float], ...]) -> list[LinkPoint]:
    """The engine's (day, bps, bps) changes in Gbps (3 decimals), merged where rounding
    makes two consecutive points equal."""
    points: list[LinkPoint] = []
    for day, load, capacity in history:
        point = LinkPoint(
            day=date.fromordinal(day),
            load_gbps=round(load / 1e9, 3),
            capacity_gbps=round(capacity / 1e9, 3),
        )
        last = points[-1] if points else None
        if last is None or (last.load_gbps, last.capacity_gbps) != (
            point.load_gbps,
            point.capacity_gbps,
        ):
            points.append(point)
    return points


def _finite(value: float) -> float | None:
    return None if value == float("inf") else round(value, 6)


def build_report(planned: Planned, at: date | None = None) -> PlanReport:
    model, schedule = planned.model, planned.schedule
    sites = []
    lots_at: dict[str, list[Lot]] = {}
    for lot in model.lots.values():
        lots_at.setdefault(lot.site, []).append(lot)
    for site in model.sites.values():
        lots = lots_at.get(site.name, [])
        planned_racks = sum(lot.racks for lot in lots)
        planned_gpus = sum(lot.racks * model.rack_types[lot.rack_type].gpus for lot in lots)
        sites.append(
            SiteReport(
                name=site.name,
                pue=float(site.pue),
                reserve=float(site.reserve),
                halls=list(site.halls),
                racks_planned=planned_racks,
                gpus_planned=planned_gpus,
                gpus_live_at_end=schedule.gpus_live([site.name], model.end),
                timeline=site_timeline(model, schedule, site),
                hall_use=hall_use(model, schedule, site, lots),
            )
        )
    idle = dict(schedule.idle_gpu_days)
    return PlanReport(
        plan=model.plan.name if model.plan else None,
        start=model.start,
        end=model.end,
        as_of=model.as_of,
        gpus_planned=sum(s.gpus_planned for s in sites),
        gpus_live_at_end=sum(s.gpus_live_at_end for s in sites),
        stranded_racks=schedule.stranded_racks,
        sites=sites,
        lots=lot_reports(model, schedule),
        commitments=commitment_rows(model, schedule),
        idle_gpu_days=idle,
        network=network_view(planned),
        at=state_at(model, schedule, at) if at else None,
        cost=build_cost_report(model, schedule, at),
    )
