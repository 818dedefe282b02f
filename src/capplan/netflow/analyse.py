"""``analyse_network``: are the flows routable on every day their inputs change?

Per checked day (see ``Timeline``) the active flows must be routable together as a
fractional multi-commodity flow; one LP per distinct state decides it exactly through the
minimum congestion λ* (feasible iff λ* ≤ 1 + 1e-9). Protected flows must also be routable
alone after the loss of any single link (see ``_protection``).

What is canonical: λ* (per day, intact and after each loss), the verdicts, and the cut
figures of a finding. Link loads come from one least-total-flow routing among those of
minimum congestion; such a routing is not unique in general, so the per-link peaks of
non-bottleneck links depend on the solver's choice (deterministic for a given input).
Parallel links share their traffic in proportion to capacity (``Bundles``): the LP sees
them as one link, so their number costs nothing and their utilisations are equal.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from capplan.netflow._check import TOLERANCE, Check, Checker
from capplan.netflow._graph import Net, components
from capplan.netflow._issues import Issue, issue_from_cut, merge_runs
from capplan.netflow._protection import ProtectionDay, protection_days
from capplan.netflow._timeline import (
    Timeline,
    build_timeline,
    ever_positive,
    levels,
    validate_step_fn,
)
from capplan.netflow.types import (
    Day,
    Finding,
    FindingKind,
    LinkUsage,
    NetFlow,
    NetLink,
    NetworkReport,
    ProtectionResult,
)

_PEAK_EPSILON = 1e-12
_KIND_ORDER: dict[FindingKind, int] = {"unroutable": 0, "unprotected": 1, "disconnected": 2}


def analyse_network(
    nodes: Sequence[str],
    links: Sequence[NetLink],
    flows: Sequence[NetFlow],
    start: Day,
    end: Day,
) -> NetworkReport:
    """Check every change day in ``[start, end]``; report unroutable, unprotected and disconnected flows, link peaks, and
    the worst single failure per protected flow.

    Capacities must already be 0 before a link is ready and rates already scaled by the
    GPUs live. Raises ValueError for malformed input (unknown or duplicate names, unsorted
    or negative step functions, ``start > end``). Flows from a node to itself need no
    network and are ignored, as are flows whose rate is 0 throughout; a link from a node to
    itself carries nothing. Flows never connected (disconnected) are left out of every other
    check. Runs of a day with several problems give one finding per distinct problem.
    """
    net = _index(nodes, links, flows, start, end)
    ordered_links = sorted(links, key=lambda link: link.name)
    ordered = sorted(flows, key=lambda f: f.name)
    ever_up = np.array([ever_positive(link.capacity, start, end) for link in ordered_links])
    ever_labels = components(net, ever_up.astype(np.float64))
    unreachable = _never_connected(net, ever_labels, ordered)
    routed = [
        f
        for f in ordered
        if f.src != f.dst and f.name not in unreachable and ever_positive(f.rate, start, end)
    ]
    timeline = build_timeline(
        [link.capacity for link in ordered_links], [f.rate for f in routed], start, end
    )
    all_flows, protected, protected_idx = _checkers(net, routed, timeline)
    base = _base_days(all_flows, net, timeline)
    protection = protection_days(protected, net, timeline.caps, timeline.rates[:, protected_idx])
    issues = [
        issues + (day.issues if day else ())
        for (_, issues), day in zip(base, protection, strict=True)
    ]
    e502 = _e502_findings(net, ever_labels, ordered, unreachable, timeline)
    findings = [*merge_runs(timeline, issues), *e502]
    return NetworkReport(
        findings=tuple(sorted(findings, key=_finding_order)),
        links=_link_usage(net, timeline, [check for check, _ in base]),
        protection=_protection_results(
            [f.name for f in ordered if f.protect], protected.names, timeline, protection, net
        ),
        days_checked=len(timeline.days),
        congestion=tuple(
            (int(day), check.congestion)
            for day, (check, _) in zip(timeline.days, base, strict=True)
        ),
    )


def _checkers(
    net: Net, routed: list[NetFlow], timeline: Timeline
) -> tuple[Checker, Checker, np.ndarray]:
    """One checker for all routed flows, one for the protected ones (and their columns)."""
    names = [f.name for f in routed]
    position = {name: i for i, name in enumerate(net.nodes)}
    src = np.array([position[f.src] for f in routed], dtype=np.int64)
    dst = np.array([position[f.dst] for f in routed], dtype=np.int64)
    scale = _scale(timeline)
    weight = _lam_weight(net, timeline, scale)
    chosen = np.array([i for i, f in enumerate(routed) if f.protect], dtype=np.int64)
    all_flows = Checker(net, names, src, dst, scale, weight)
    protected = Checker(net, [names[i] for i in chosen], src[chosen], dst[chosen], scale, weight)
    return all_flows, protected, chosen


def _base_days(
    checker: Checker, net: Net, timeline: Timeline
) -> list[tuple[Check, tuple[Issue, ...]]]:
    """All routed flows on each checked day, once per distinct state."""
    memo: dict[bytes, tuple[Check, tuple[Issue, ...]]] = {}
    days = []
    for caps, rates in zip(timeline.caps, timeline.rates, strict=True):
        key = caps.tobytes() + rates.tobytes()
        if key not in memo:
            check = checker.check(caps, rates)
            memo[key] = (
                check,
                tuple(
                    issue_from_cut("unroutable", None, cut, checker.names, net.link_names)
                    for cut in check.cuts
                ),
            )
        days.append(memo[key])
    return days


def _link_usage(net: Net, timeline: Timeline, checks: list[Check]) -> tuple[LinkUsage, ...]:
    """Per link, by name: peak utilisation (worse direction), earliest day of it, load then."""
    n = net.n_links
    peak = np.full(n, -1.0)
    peak_index = np.full(n, -1, dtype=np.int64)
    peak_load = np.zeros(n)
    history: list[list[tuple[Day, float, float]]] = [[] for _ in range(n)]
    last_load, last_cap = np.full(n, np.nan), np.full(n, np.nan)
    for index, (caps, check) in enumerate(zip(timeline.caps, checks, strict=True)):
        worse = np.minimum(np.maximum(check.loads[:n], check.loads[n:]), check.lam * caps)
        day = int(timeline.days[index])
        # the history keeps a link's changes only: Python work per change, not per link-day
        for link in np.nonzero((worse != last_load) | (caps != last_cap))[0].tolist():
            history[link].append((day, float(worse[link]), float(caps[link])))
        last_load, last_cap = worse, caps
        up = caps > 0
        utilisation = np.divide(worse, caps, out=np.zeros(n), where=up)
        better = up & (utilisation > peak + _PEAK_EPSILON)
        peak[better] = utilisation[better]
        peak_index[better] = index
        peak_load[better] = worse[better]
    usage = []
    for link, name in enumerate(net.link_names):
        index = int(peak_index[link])
        if index < 0:
            usage.append(LinkUsage(name, 0.0, None, 0.0, 0.0, tuple(history[link])))
            continue
        day = int(timeline.days[index])
        capacity = float(timeline.caps[index, link])
        peak_use = float(peak[link])
        load = float(peak_load[link])
        usage.append(LinkUsage(name, peak_use, day, load, capacity, tuple(history[link])))
    return tuple(usage)


def _protection_results(
    protected: list[str],
    routed_protected: Sequence[str],
    timeline: Timeline,
    days: list[ProtectionDay | None],
    net: Net,
) -> tuple[ProtectionResult, ...]:
    """Per protected flow: the computed loss with the highest λ on a day it is routed.

    Ties go to the earliest evaluated day, then the first link by name.
    """
    best: dict[str, tuple[float, int, int, float]] = {}
    for index, day in enumerate(days):
        if day is None or day.intact is None:
            continue
        # Every flow of the day meets the same failures, so they are scanned once per
        # distinct best-so-far rather than once per flow.
        outcome: dict[tuple[float, int, int, float] | None, tuple[float, int, int, float] | None]
        outcome = {}
        for column in day.flows:
            flow = routed_protected[column]
            start = best.get(flow)
            if start not in outcome:
                current = start
                for link, lam in day.failures:
                    if current is None or lam > current[0] * (1 + TOLERANCE):
                        current = (lam, index, link, day.intact)
                outcome[start] = current
            found = outcome[start]
            if found is not None:
                best[flow] = found
    results = []
    for flow in protected:
        found = best.get(flow)
        if found is None:
            results.append(ProtectionResult(flow, None, None, 0.0, 0.0))
            continue
        lam, index, link, intact = found
        results.append(
            ProtectionResult(flow, net.link_names[link], int(timeline.days[index]), lam, intact)
        )
    return tuple(results)


def _scale(timeline: Timeline) -> float:
    """The largest bandwidth in play: dividing by it keeps LP values near 1."""
    values = np.concatenate([timeline.caps.ravel(), timeline.rates.ravel()])
    top = float(values.max(initial=0.0))
    return top if top > 0 else 1.0


def _lam_weight(net: Net, timeline: Timeline, scale: float) -> float:
    """``W`` of the routing objective: twice (node count × total arc capacity), scaled.

    Raising λ by one frees ``Σ cap`` of capacity and a unit of flow moved onto it saves
    fewer than ``n_nodes`` hops, so in practice no flow saving outweighs ``W``. Verdicts
    never rely on it: a routing λ above 1 is re-solved for the exact λ*.
    """
    total = 2.0 * float(timeline.caps.max(axis=0, initial=0.0).sum()) / scale
    return 2.0 * max(net.n_nodes, 2) * max(total, 1.0)


def _index(
    nodes: Sequence[str], links: Sequence[NetLink], flows: Sequence[NetFlow], start: Day, end: Day
) -> Net:
    """Validate the input and index nodes and links by sorted name."""
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    for kind, names in (
        ("node", list(nodes)),
        ("link", [link.name for link in links]),
        ("flow", [f.name for f in flows]),
    ):
        duplicates = sorted(name for name, count in Counter(names).items() if count > 1)
        if duplicates:
            raise ValueError(f"duplicate {kind} names: {', '.join(duplicates)}")
    known = set(nodes)
    for owner, endpoints in [(link.name, (link.a, link.b)) for link in links] + [
        (f.name, (f.src, f.dst)) for f in flows
    ]:
        unknown = [e for e in endpoints if e not in known]
        if unknown:
            raise ValueError(f"{owner}: unknown node {unknown[0]!r}")
    for link in links:
        validate_step_fn(link.name, link.capacity)
    for f in flows:
        validate_step_fn(f.name, f.rate)
    node_names = tuple(sorted(nodes))
    position = {name: i for i, name in enumerate(node_names)}
    ordered = sorted(links, key=lambda link: link.name)
    return Net(
        nodes=node_names,
        link_names=tuple(link.name for link in ordered),
        link_a=np.array([position[link.a] for link in ordered], dtype=np.int64),
        link_b=np.array([position[link.b] for link in ordered], dtype=np.int64),
    )


def _never_connected(net: Net, ever_labels: np.ndarray, flows: list[NetFlow]) -> set[str]:
    """Flows whose endpoints no chain of links with capacity at some point joins (disconnected)."""
    position = {name: i for i, name in enumerate(net.nodes)}
    return {
        f.name
        for f in flows
        if f.src != f.dst and ever_labels[position[f.src]] != ever_labels[position[f.dst]]
    }


def _e502_findings(
    net: Net,
    ever_labels: np.ndarray,
    flows: list[NetFlow],
    unreachable: set[str],
    timeline: Timeline,
) -> list[Finding]:
    """One finding per never-connected flow: its peak rate and the dead links around it."""
    start, end = int(timeline.days[0]), timeline.end
    findings = []
    for f in flows:
        if f.name not in unreachable:
            continue
        side = ever_labels == ever_labels[net.nodes.index(f.src)]
        crossing = np.flatnonzero(side[net.link_a] != side[net.link_b])
        peak_day, peak = _peak_rate(f, start, end)
        findings.append(
            Finding(
                kind="disconnected",
                first_day=start,
                last_day=end,
                days_checked=len(timeline.days),
                flows=(f.name,),
                links=tuple(sorted(net.link_names[i] for i in crossing)),
                lost_link=None,
                worst_day=peak_day,
                demand_bps=peak,
                capacity_bps=0.0,
                certificate="cut",
            )
        )
    return findings


def _peak_rate(flow: NetFlow, start: Day, end: Day) -> tuple[Day, float]:
    """The flow's highest rate in ``[start, end]`` and the first day it reaches it."""
    days = np.array(sorted({start} | {d for d, _ in flow.rate if start < d <= end}), dtype=np.int64)
    rates = levels(flow.rate, days)
    top = int(np.argmax(rates))
    return int(days[top]), float(rates[top])


def _finding_order(finding: Finding) -> tuple[object, ...]:
    return (
        _KIND_ORDER[finding.kind],
        finding.first_day,
        finding.lost_link or "",
        finding.flows,
        finding.links,
    )
