"""Single-link protection: the protected flows alone, each link lost in turn, per day.

Work saved, exact for the verdicts and for the worst loss of each flow:

- Only links carrying protected traffic in the intact routing need a failure check: a
  routing that avoids a link survives its loss with the same congestion.
- Parallel links (the same two endpoints) are lost largest first. Losing a smaller one
  leaves more capacity between the two (the min-congestion optimum only sees their
  sum), so it cannot hurt more: once a loss fits, every smaller sibling fits with at
  most that λ, and a sibling of equal capacity has exactly that λ.
- λ after losing a link can only grow with the rates and shrink with the capacities,
  so a day whose rates are ≤ and capacities ≥ those of an already checked day (a
  per-GPU ramp within one capacity epoch, links coming up one by one) inherits that
  day's results as upper bounds, and only links whose bound exceeds 1 are checked
  again. Days are swept in the direction in which they get easier more often: newest
  first when rates grow, oldest first when capacity grows. A day that no recent day
  dominates inherits the bounds of one scaled by the largest rate increase times the
  largest capacity decrease between the two (that day's routing after the loss, so
  scaled, is a routing of this day).
- A dominated day's own λ values are not computed: the dominating day has the same
  flows active with λ at least as high, so the worst failure of a flow is still found.
  Scaled and sibling bounds are not such a proof; a branch and bound then computes the
  exact λ of every loss whose bound could still beat a flow's worst (``_settle_worst``).
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from capplan.netflow._check import TOLERANCE, Check, Checker
from capplan.netflow._graph import Net
from capplan.netflow._issues import Issue, issue_from_cut
from capplan.netflow._timeline import FloatArray

BoolArray = npt.NDArray[np.bool_]
_RECENT = 16
"""How many of the latest checked days a day looks at for bounds (keeps the sweep linear)."""
_SLACK = 10 * TOLERANCE
"""A bound within this of a flow's worst λ cannot change the worst beyond the LP's tolerance."""


@dataclass(frozen=True)
class ProtectionDay:
    """Protection on one state.

    ``intact`` is λ of the protected flows with every link up (None if the day was
    settled by bounds alone). ``bound`` holds, per link, λ after losing it or an
    upper bound of it (None if the flows do not fit intact: that day is unroutable, not unprotected).
    ``failures`` are the exactly computed ``(link, λ)`` of links carrying protected
    traffic, by link; ``issues`` the unprotected problems; ``flows`` the protected flows
    (indices) that are on and have a path that day, the ones these figures are about.
    ``known`` marks the links whose ``bound`` is their exact λ (None: none is);
    ``dominated`` says every other bound comes from a dominating day.
    """

    intact: float | None
    bound: FloatArray | None
    flows: tuple[int, ...]
    failures: tuple[tuple[int, float], ...] = ()
    issues: tuple[Issue, ...] = ()
    known: BoolArray | None = None
    dominated: bool = True


@dataclass(frozen=True)
class _Inherited:
    """Upper bounds of λ after each loss, from another day; ``dominated`` as above."""

    bound: FloatArray
    dominated: bool


def protection_days(
    checker: Checker, net: Net, caps: FloatArray, rates: FloatArray
) -> list[ProtectionDay | None]:
    """Per checked day (rows of ``caps``/``rates``): its protection, None if no flow is on."""
    days: list[ProtectionDay | None] = [None] * len(caps)
    memo: dict[bytes, ProtectionDay | None] = {}
    routed = np.zeros_like(rates)
    settled: list[int] = []
    for index in _sweep(caps, rates):
        routed[index] = checker.connected_rates(caps[index], rates[index])
        key = caps[index].tobytes() + rates[index].tobytes()
        if key not in memo:
            memo[key] = None
            if np.any(routed[index] < rates[index]):
                # A protected flow has no path with every link up: the protected flows
                # are not routable intact, so the day is unroutable only (§4, E501).
                memo[key] = ProtectionDay(math.inf, None, ())
            elif np.any(rates[index] > 0):
                inherited = _inherited_bound(index, settled, caps, routed, days)
                memo[key] = _evaluate(checker, net, caps[index], routed[index], inherited)
        days[index] = memo[key]
        day = days[index]
        if day is not None and day.bound is not None:
            settled.append(index)
    _settle_worst(checker, net, caps, routed, days)
    return days


def _sweep(caps: FloatArray, rates: FloatArray) -> range:
    """Newest first, unless the days more often get easier going forward (capacity grows)."""
    backward = range(len(caps) - 1, -1, -1)
    if len(caps) < 2:
        return backward
    forward = _cost(_factors(caps[:-1], rates[:-1], caps[1:], rates[1:]))
    backward_cost = _cost(_factors(caps[1:], rates[1:], caps[:-1], rates[:-1]))
    return range(len(caps)) if forward < backward_cost else backward


def _cost(factors: FloatArray) -> float:
    """How much bounds grow along a sweep: the sum of log growth, a lost link counting 10."""
    return float(np.minimum(np.log(np.maximum(factors, 1.0)), 10.0).sum())


def _factors(
    caps_from: FloatArray, rates_from: FloatArray, caps_to: FloatArray, rates_to: FloatArray
) -> FloatArray:
    """Per row of ``*_from``: the factor by which its λ values can grow on the ``*_to`` day
    (a row, or one row per row of ``*_from``).

    The largest rate increase (inf if a flow on then was off before) times the largest
    capacity decrease of a link up before (inf if it is down now).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        on = rates_to > 0
        rho = np.where(on, rates_to / rates_from, 0.0).max(axis=1, initial=0.0)
        up = caps_from > 0
        gamma = np.where(up, caps_from / caps_to, 0.0).max(axis=1, initial=0.0)
        # No flow on: nothing can grow. No link up before: nothing to scale from.
        factors: FloatArray = np.where(rho == 0, 0.0, np.where(gamma == 0, np.inf, rho * gamma))
    return factors


def _inherited_bound(
    index: int,
    settled: list[int],
    caps: FloatArray,
    routed: FloatArray,
    days: list[ProtectionDay | None],
) -> _Inherited | None:
    """Bounds from the latest-checked recent day with capacities ≤ and routed rates ≥ this
    day's; else a recent day's bounds scaled (the smallest finite factor); else None.

    Routed rates (disconnected flows zeroed) keep the comparison sound: a flow that has
    no path on the other day was not part of its bounds.
    """
    if not settled:
        return None
    candidates = np.array(settled[-_RECENT:])
    covers = np.all(caps[candidates] <= caps[index], axis=1) & np.all(
        routed[candidates] >= routed[index], axis=1
    )
    found = candidates[covers]
    if found.size:
        day = _day(days, int(found[-1]))
        assert day.bound is not None
        return _Inherited(day.bound, day.dominated)
    factors = _factors(caps[candidates], routed[candidates], caps[index], routed[index])
    best = len(factors) - 1 - int(np.argmin(factors[::-1]))  # the latest of the smallest
    if not math.isfinite(factors[best]):
        return None
    day = _day(days, int(candidates[best]))
    assert day.bound is not None
    return _Inherited(day.bound * factors[best], False)


def _day(days: list[ProtectionDay | None], index: int) -> ProtectionDay:
    day = days[index]
    assert day is not None
    return day


def _evaluate(
    checker: Checker,
    net: Net,
    caps: FloatArray,
    rates: FloatArray,
    inherited: _Inherited | None,
) -> ProtectionDay:
    """Intact check, then the failure checks the inherited bounds do not already settle.

    ``rates`` are the routed rates: flows without a path are unroutable, not unprotected.
    """
    up = caps > 0
    flows = tuple(int(i) for i in np.flatnonzero(rates > 0))
    if inherited is not None and not np.any(up & (inherited.bound > 1 + TOLERANCE)):
        return ProtectionDay(None, inherited.bound, flows, dominated=inherited.dominated)
    intact = checker.check(caps, rates)
    if intact.lam > 1 + TOLERANCE:
        return ProtectionDay(intact.lam, None, flows)
    carried = _carried(net, caps, intact)
    bound = np.full(net.n_links, intact.lam) if inherited is None else inherited.bound.copy()
    bound[~carried] = intact.lam
    known = ~carried
    todo = carried if inherited is None else carried & (inherited.bound > 1 + TOLERANCE)
    failures, issues, exact = _lose(checker, net, caps, intact, todo, bound, known)
    dominated = exact and (inherited is None or inherited.dominated)
    return ProtectionDay(intact.lam, bound, flows, failures, issues, known, dominated)


def _carried(net: Net, caps: FloatArray, intact: Check) -> BoolArray:
    """Links with protected traffic in the intact routing (in either direction)."""
    n = net.n_links
    carried: BoolArray = (caps > 0) & (
        np.maximum(intact.loads[:n], intact.loads[n:]) > TOLERANCE * caps
    )
    return carried


def _lose(
    checker: Checker,
    net: Net,
    caps: FloatArray,
    intact: Check,
    todo: BoolArray,
    bound: FloatArray,
    known: BoolArray,
) -> tuple[tuple[tuple[int, float], ...], tuple[Issue, ...], bool]:
    """Lose each ``todo`` link, parallel links largest first; fill ``bound`` and ``known``.

    Returns the computed ``(link, λ)`` by link, the unprotected issues, and whether
    every ``todo`` link got its exact λ (a smaller sibling of a fitting loss only a bound).
    """
    losses = checker.losses(caps, intact)
    low, high = np.minimum(net.link_a, net.link_b), np.maximum(net.link_a, net.link_b)
    links = np.flatnonzero(todo)
    links = links[np.lexsort((links, -caps[links], high[links], low[links]))]
    failures: dict[int, float] = {}
    issues: list[Issue] = []
    exact = True
    pair: tuple[int, int] | None = None
    fitted: tuple[float, float] | None = None  # λ and capacity of a sibling whose loss fits
    for link in (int(i) for i in links):
        if (int(low[link]), int(high[link])) != pair:
            pair, fitted = (int(low[link]), int(high[link])), None
        if fitted is not None:
            bound[link] = fitted[0]
            if caps[link] == fitted[1]:
                known[link] = True
                failures[link] = fitted[0]
            else:
                exact = False
            continue
        lost = losses.lose(link)
        bound[link] = lost.congestion
        known[link] = True
        failures[link] = lost.congestion
        if lost.fits:
            fitted = (lost.congestion, float(caps[link]))
        else:
            name = net.link_names[link]
            issues.extend(
                issue_from_cut("unprotected", name, cut, checker.names, net.link_names)
                for cut in lost.cuts
            )
    return tuple(sorted(failures.items())), tuple(issues), exact


def _settle_worst(
    checker: Checker,
    net: Net,
    caps: FloatArray,
    routed: FloatArray,
    days: list[ProtectionDay | None],
) -> None:
    """Branch and bound: exact λ for each loss whose bound could beat a flow's worst.

    Only days whose bounds are not all from dominating days can hide a flow's worst
    loss. They are visited by their highest such bound, the worst found so far per flow
    rising as they are; a bound at most that worst (give or take ``_SLACK``) is left as
    it is. Each day is computed at most once; ``days`` is updated in place.
    """
    worst: dict[int, float] = {}
    shared: dict[int, list[int]] = {}
    for index, day in enumerate(days):
        if day is None:
            continue
        shared.setdefault(id(day), []).append(index)
        _raise_worst(worst, day)
    heap: list[tuple[float, int]] = []
    for indices in shared.values():
        index = indices[0]
        top = _open_bounds(_day(days, index), caps[index], worst)
        if top.size:
            heapq.heappush(heap, (-float(top.max()), index))
    while heap:
        _, index = heapq.heappop(heap)
        day = _day(days, index)
        if not _open_bounds(day, caps[index], worst).size:
            continue
        settled = _compute_open(checker, net, caps[index], routed[index], day, worst)
        for same in shared[id(day)]:
            days[same] = settled
        shared[id(settled)] = shared.pop(id(day))
        _raise_worst(worst, settled)


def _raise_worst(worst: dict[int, float], day: ProtectionDay) -> None:
    if day.intact is None or not day.failures:
        return
    top = max(lam for _, lam in day.failures)
    for flow in day.flows:
        worst[flow] = max(worst.get(flow, -math.inf), top)


def _open_mask(day: ProtectionDay, caps: FloatArray, worst: dict[int, float]) -> BoolArray:
    """Links whose λ is unknown and whose bound could beat the worst of a flow on that day."""
    if day.dominated or day.bound is None:
        return np.zeros(len(caps), dtype=bool)
    threshold = min((worst.get(flow, -math.inf) for flow in day.flows), default=math.inf)
    unknown = np.ones(len(caps), dtype=bool) if day.known is None else ~day.known
    mask: BoolArray = unknown & (caps > 0) & (day.bound > threshold * (1 + _SLACK))
    return mask


def _open_bounds(day: ProtectionDay, caps: FloatArray, worst: dict[int, float]) -> FloatArray:
    if day.bound is None:
        return np.zeros(0)
    bounds: FloatArray = day.bound[_open_mask(day, caps, worst)]
    return bounds


def _compute_open(
    checker: Checker,
    net: Net,
    caps: FloatArray,
    rates: FloatArray,
    day: ProtectionDay,
    worst: dict[int, float],
) -> ProtectionDay:
    """The day with the exact λ of its open links (and its intact check if it had none)."""
    todo = _open_mask(day, caps, worst)
    assert day.bound is not None
    intact = checker.check(caps, rates)
    carried = _carried(net, caps, intact)
    bound = day.bound.copy()
    known = np.zeros(len(caps), dtype=bool) if day.known is None else day.known.copy()
    uncarried = todo & ~carried
    bound[uncarried] = intact.lam
    known[uncarried] = True
    failures, issues, _ = _lose(checker, net, caps, intact, todo & carried, bound, known)
    merged = dict(day.failures)
    merged.update(failures)
    return ProtectionDay(
        intact.lam if day.intact is None else day.intact,
        bound,
        day.flows,
        tuple(sorted(merged.items())),
        day.issues + issues,
        known,
        dominated=False,
    )
