"""Single-link protection: the protected flows alone, each link lost in turn, per day.

Work saved, all exact:

- Only links carrying protected traffic in the intact routing need a failure check: a
  routing that avoids a link survives its loss with the same congestion.
- Days are visited newest first. λ after losing a link can only grow with the rates and
  shrink with the capacities, so a day whose rates are ≤ and capacities ≥ those of an
  already checked day (a per-GPU ramp within one capacity epoch) inherits that day's
  results as upper bounds, and only links whose bound exceeds 1 are checked again.
  Such a day's own λ values are not computed; the worst failure of a flow is still
  found, since the dominating day has the flow active with λ at least as high.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from capplan.netflow._check import TOLERANCE, Checker
from capplan.netflow._graph import Net
from capplan.netflow._issues import Issue, issue_from_cut
from capplan.netflow._timeline import FloatArray


@dataclass(frozen=True)
class ProtectionDay:
    """Protection on one state.

    ``intact`` is λ of the protected flows with every link up (None if the day was
    settled by a dominating day). ``bound`` holds, per link, λ after losing it or an
    upper bound of it (None if the flows do not fit intact: that day is unroutable, not unprotected).
    ``failures`` are the exactly computed ``(link, λ)`` of links carrying protected
    traffic; ``issues`` the unprotected problems; ``flows`` the protected flows (indices) that
    are on and have a path that day, the ones these figures are about.
    """

    intact: float | None
    bound: FloatArray | None
    flows: tuple[int, ...]
    failures: tuple[tuple[int, float], ...] = ()
    issues: tuple[Issue, ...] = ()


def protection_days(
    checker: Checker, net: Net, caps: FloatArray, rates: FloatArray
) -> list[ProtectionDay | None]:
    """Per checked day (rows of ``caps``/``rates``): its protection, None if no flow is on."""
    days: list[ProtectionDay | None] = [None] * len(caps)
    memo: dict[bytes, ProtectionDay | None] = {}
    routed = np.zeros_like(rates)
    settled: list[int] = []
    for index in reversed(range(len(caps))):
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
    return days


def _inherited_bound(
    index: int,
    settled: list[int],
    caps: FloatArray,
    routed: FloatArray,
    days: list[ProtectionDay | None],
) -> FloatArray | None:
    """Bounds of the latest-checked day with capacities ≤ and routed rates ≥ this day's.

    Routed rates (disconnected flows zeroed) keep the comparison sound: a flow that has
    no path on the other day was not part of its bounds.
    """
    if not settled:
        return None
    candidates = np.array(settled)
    covers = np.all(caps[candidates] <= caps[index], axis=1) & np.all(
        routed[candidates] >= routed[index], axis=1
    )
    found = candidates[covers]
    if not found.size:
        return None
    day = days[int(found[-1])]
    return day.bound if day is not None else None


def _evaluate(
    checker: Checker,
    net: Net,
    caps: FloatArray,
    rates: FloatArray,
    inherited: FloatArray | None,
) -> ProtectionDay:
    """Intact check, then the failure checks the inherited bounds do not already settle.

    ``rates`` are the routed rates: flows without a path are unroutable, not unprotected.
    """
    up = caps > 0
    flows = tuple(int(i) for i in np.flatnonzero(rates > 0))
    if inherited is not None and not np.any(up & (inherited > 1 + TOLERANCE)):
        return ProtectionDay(None, inherited, flows)
    intact = checker.check(caps, rates)
    if intact.lam > 1 + TOLERANCE:
        return ProtectionDay(intact.lam, None, flows)
    n = net.n_links
    carried = up & (np.maximum(intact.loads[:n], intact.loads[n:]) > TOLERANCE * caps)
    bound = np.full(n, intact.lam) if inherited is None else inherited.copy()
    bound[~carried] = intact.lam
    todo = carried if inherited is None else carried & (inherited > 1 + TOLERANCE)
    links = [int(link) for link in np.flatnonzero(todo)]
    failures: list[tuple[int, float]] = []
    issues: list[Issue] = []
    for link, lost in zip(links, checker.check_failures(caps, intact, links), strict=True):
        bound[link] = lost.congestion
        failures.append((link, lost.congestion))
        if not lost.fits:
            name = net.link_names[link]
            issues.extend(
                issue_from_cut("unprotected", name, cut, checker.names, net.link_names)
                for cut in lost.cuts
            )
    return ProtectionDay(intact.lam, bound, flows, tuple(failures), tuple(issues))
