"""Bandwidth checks E500, E501, E502: the model and schedule fed to `capplan.netflow`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from capplan.diagnostics import Diagnostic, Related, error
from capplan.diagnostics.codes import Code
from capplan.model.decls import Flow, Link, Model
from capplan.model.rules import level_at, steps_on
from capplan.netflow import Finding, NetFlow, NetLink, NetworkReport, StepFn, analyse_network
from capplan.numbers import count, format_apart, format_bandwidth
from capplan.perf import gc_paused
from capplan.schedule import Schedule


@dataclass(frozen=True)
class NetworkCheck:
    report: NetworkReport
    links: tuple[NetLink, ...]
    flows: tuple[NetFlow, ...]


def link_capacity(link: Link) -> StepFn:
    """Capacity levels per direction, zero before the link is ready."""
    steps = [(s.day, float(s.value)) for s in link.capacity]
    if link.ready is None:
        return tuple((d.toordinal(), v) for d, v in steps)
    at_ready = float(level_at(link.capacity, link.ready))
    later = [(d, v) for d, v in steps if d > link.ready]
    return ((link.ready.toordinal(), at_ready), *((d.toordinal(), v) for d, v in later))


def flow_rate(flow: Flow, schedule: Schedule) -> StepFn:
    """bit/s on each day; a per-GPU rate times the GPUs live at its site that day."""
    if not flow.per_gpu:
        return tuple((s.day.toordinal(), float(s.value)) for s in flow.rate)
    assert flow.gpu_site is not None
    levels = schedule.site_levels(flow.gpu_site)
    days = sorted({s.day for s in flow.rate} | {level.day for level in levels})
    return tuple(
        (day.toordinal(), float(level_at(flow.rate, day)) * (level.gpus if level else 0))
        for day, level in zip(days, steps_on(levels, days), strict=True)
    )


def network_inputs(
    model: Model, schedule: Schedule
) -> tuple[tuple[NetLink, ...], tuple[NetFlow, ...]]:
    links = tuple(
        NetLink(link.name, link.a, link.b, link_capacity(link)) for link in model.links.values()
    )
    flows = tuple(
        NetFlow(flow.name, flow.src, flow.dst, flow_rate(flow, schedule), flow.protect)
        for flow in model.flows.values()
    )
    return links, flows


def analyse(model: Model, schedule: Schedule) -> NetworkCheck:
    """The network report for a scheduled model.

    The collector is paused: the LP loop allocates many short-lived arrays, and with a
    large model in memory every collection would rescan it (XL: 3× the solve time).
    """
    with gc_paused():
        links, flows = network_inputs(model, schedule)
        nodes = sorted(set(model.sites) | set(model.pops))
        start, end = model.start.toordinal(), model.end.toordinal()
        report = analyse_network(nodes, links, flows, start, end)
    return NetworkCheck(report, links, flows)


def _day(ordinal: int) -> date:
    return date.fromordinal(ordinal)


def _names(names: tuple[str, ...]) -> str:
    return ", ".join(f"`{n}`" for n in names)


CUT_LINKS = 16
"""At most this many links of a cut are named (and located) in an E500 or E501; the rest
are counted. A cut can cross thousands of links, and each run of days is a finding."""


def _cut_names(names: tuple[str, ...]) -> str:
    """The links of a cut: the first `CUT_LINKS`, then how many more."""
    if len(names) <= CUT_LINKS:
        return _names(names)
    more = len(names) - CUT_LINKS
    return f"{_names(names[:CUT_LINKS])} and {count(more)} more {'link' if more == 1 else 'links'}"


def _when(finding: Finding, model: Model) -> str:
    first, last = _day(finding.first_day), _day(finding.last_day)
    if first == last:
        return f"on {first}"
    until = "the plan end" if last >= model.end else str(last)
    return f"from {first} until {until}"


def check_network(model: Model, check: NetworkCheck) -> Iterator[Diagnostic]:
    """The engine's findings as diagnostics: unroutable E500, unprotected E501, never
    connected E502 (the engine speaks of kinds; the codes are the CLI's)."""
    for finding in check.report.findings:
        if finding.kind == "disconnected":
            yield _disconnected(model, finding)
        elif finding.kind == "unroutable":
            yield _unroutable(model, finding)
        else:
            yield _unprotected(model, finding)


def _link_related(model: Model, names: tuple[str, ...]) -> list[Related]:
    """The capacity of the first `CUT_LINKS` links of a cut (the ones the message names)."""
    return [
        Related(
            f"`{n}` carries {format_bandwidth(level_at(model.links[n].capacity, model.end))}",
            model.links[n].attr_span("capacity"),
        )
        for n in names[:CUT_LINKS]
        if n in model.links
    ]


def _need_carry(demand: float, capacity: float) -> tuple[str, str]:
    """Demand and capacity printed apart: an excess never reads as an equality."""
    return format_apart(format_bandwidth, Decimal(demand), Decimal(capacity))


def _share(demand: float, capacity: float) -> str:
    """Demand as a share of capacity, with the digits it takes to show an excess."""
    ratio = Fraction(demand) / Fraction(capacity)
    digits = 0
    while True:
        text = f"{float(ratio) * 100:.{digits}f}%"
        if ratio <= 1 or float(text[:-1]) > 100 or digits >= 12:
            return text
        digits += 1


def _unroutable(model: Model, finding: Finding) -> Diagnostic:
    if finding.capacity_bps <= 0:
        return _not_ready(model, finding)
    flow = model.flows[finding.flows[0]]
    worst = _day(finding.worst_day)
    need, carry = _need_carry(finding.demand_bps, finding.capacity_bps)
    summary = (
        f"flows {_names(finding.flows)} not routable {_when(finding, model)}: "
        f"need {need} across {_cut_names(finding.links)}, which carry {carry}"
    )
    over = format_bandwidth(Decimal(finding.demand_bps - finding.capacity_bps))
    detail = (
        f"worst on {worst}: demand {need} vs capacity {carry} (over by {over}, "
        f"{_share(finding.demand_bps, finding.capacity_bps)} of the bottleneck); "
        f"{_failing_days(finding.days_checked)}"
    )
    if finding.certificate == "saturated":
        detail += "; bottleneck links found from the LP's duals (every single cut fits)"
    elif finding.certificate == "duals":
        detail += "; bottleneck links found from the LP's duals (no violated cut was found)"
    return error(
        Code.E500,
        summary,
        flow.attr_span("rate"),
        detail=detail,
        related=_link_related(model, finding.links),
        suggestions=(
            "add capacity on the bottleneck links, add a path around them, or lower the rates",
        ),
    )


def _failing_days(days: int) -> str:
    return "1 checked day fails" if days == 1 else f"{count(days)} checked days fail"


def _first_up(link: Link, after: date) -> date | None:
    """The first day after `after` on which `link` has capacity (None: never in the plan)."""
    for day, value in link_capacity(link):
        if day > after.toordinal() and value > 0:
            return _day(day)
    return None


NAMED_LINKS = 8
"""At most this many down links are named in an E500 before any link is up: a cut can
cross thousands, and naming each in every run of days made the diagnostics grow with
links × days (a 75 KB model wrote 8 MB of JSON)."""


def _soonest(links: list[Link], after: date) -> tuple[list[Link], int]:
    """The `NAMED_LINKS` links up soonest after `after` (in their order), and how many more."""
    if len(links) <= NAMED_LINKS:
        return links, 0
    never = date.max.toordinal() + 1
    firsts = [_first_up(link, after) for link in links]
    days = [never if day is None else day.toordinal() for day in firsts]
    order = sorted(range(len(links)), key=lambda i: (days[i], i))
    chosen = sorted(order[:NAMED_LINKS])
    return [links[i] for i in chosen], len(links) - NAMED_LINKS


def _not_ready(model: Model, finding: Finding) -> Diagnostic:
    """E500 while no link between the flows' endpoints is up yet: a date problem, not a size one.

    The links are simply not ready (or have no capacity yet), so the message says when
    they come up instead of comparing the demand with a capacity of zero.
    """
    flow = model.flows[finding.flows[0]]
    worst = _day(finding.worst_day)
    demand = format_bandwidth(Decimal(finding.demand_bps))
    crossing = [model.links[n] for n in finding.links if n in model.links]
    down, more = _soonest(crossing, worst)
    ups = {link.name: _first_up(link, worst) for link in down}
    when = [f"`{name}` is ready on {day}" for name, day in ups.items() if day is not None]
    never = [f"`{name}`" for name, day in ups.items() if day is None]
    if never:
        when.append(", ".join(never) + (" has" if len(never) == 1 else " have") + " no capacity")
    if more:
        when.append(f"{count(more)} more {'link is' if more == 1 else 'links are'} down")
    summary = (
        f"flows {_names(finding.flows)} not routable {_when(finding, model)}: they need "
        f"{demand} before any link between their endpoints is up"
        + (f" ({'; '.join(when)})" if when else "")
    )
    related = [
        Related(
            f"`{link.name}` is ready on {ups[link.name]}"
            if ups[link.name] is not None
            else f"`{link.name}` has no capacity in the plan",
            link.attr_span("ready" if link.ready is not None else "capacity"),
        )
        for link in down
    ]
    return error(
        Code.E500,
        summary,
        flow.attr_span("rate"),
        detail=f"on {worst} no link with capacity joins them yet; {_failing_days(finding.days_checked)}",
        related=related,
        suggestions=(
            "bring a link's `ready` (or `order`) forward, add a link that is up in time, "
            "or start the traffic later",
        ),
    )


def _unprotected(model: Model, finding: Finding) -> Diagnostic:
    flow = model.flows[finding.flows[0]]
    lost = finding.lost_link or "?"
    summary = (
        f"protected flows {_names(finding.flows)} not routable after losing link `{lost}` "
        f"{_when(finding, model)}"
    )
    worst = f"on {_day(finding.worst_day)}"  # the day the figures describe
    if finding.days_checked > 1:
        worst += f", the worst of {finding.days_checked} checked days"
    if finding.links and finding.capacity_bps > 0:
        need, carry = _need_carry(finding.demand_bps, finding.capacity_bps)
        detail = (
            f"{worst}: without `{lost}` they need {need} across {_cut_names(finding.links)}, "
            f"which carry {carry}"
        )
    else:
        detail = (
            f"{worst}: without `{lost}` no remaining link joins them: "
            f"{format_bandwidth(finding.demand_bps)} of protected traffic has no path"
        )
    related = []
    if lost in model.links:
        related.append(Related(f"losing `{lost}` breaks protection", model.links[lost].name_span))
    related.extend(_link_related(model, finding.links))
    return error(
        Code.E501,
        summary,
        flow.attr_span("protect"),
        detail=detail,
        related=related,
        suggestions=("add a diverse path so that no single link carries protected traffic alone",),
    )


def _disconnected(model: Model, finding: Finding) -> Diagnostic:
    flow = model.flows[finding.flows[0]]
    return error(
        Code.E502,
        f"flow `{flow.name}`: `{flow.src}` and `{flow.dst}` are never connected",
        flow.name_span,
        detail="no chain of links with capacity joins the two endpoints on any day of the plan",
        related=[Related("from", flow.attr_span("from")), Related("to", flow.attr_span("to"))],
        suggestions=(
            f"add a link between `{flow.src}` and `{flow.dst}` (or via another site or pop)",
        ),
    )


def solver_failure(model: Model, exc: Exception) -> Diagnostic:
    """E500 when the LP solver itself gives up: say so instead of guessing a verdict."""
    flow = next(iter(model.flows.values()))
    return error(
        Code.E500,
        "bandwidth could not be checked: the LP solver failed",
        flow.name_span,
        detail=str(exc),
        suggestions=("report this model to the capplan maintainers",),
    )
