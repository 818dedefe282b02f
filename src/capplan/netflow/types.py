"""Inputs and results of the network feasibility engine.

All bandwidths are bit/s, all days are ``date.toordinal()`` integers. Every result tuple
is sorted (findings by code, first day and names; links and flows by name) so equal inputs
give equal reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Day = int
StepFn = tuple[tuple[Day, float], ...]
"""Sorted ``(day, level)`` entries; a level holds from its day to the next entry, 0 before."""

FindingKind = Literal["unroutable", "unprotected", "disconnected"]
"""What a finding says, in the engine's terms (`checks.network` maps kinds to codes)."""
Certificate = Literal["cut", "saturated", "duals"]


@dataclass(frozen=True)
class NetLink:
    """A full-duplex link: ``capacity`` holds in each direction separately."""

    name: str
    a: str
    b: str
    capacity: StepFn


@dataclass(frozen=True)
class NetFlow:
    """A demand of ``rate`` bit/s from ``src`` to ``dst``."""

    name: str
    src: str
    dst: str
    rate: StepFn
    protect: bool = False


@dataclass(frozen=True)
class Finding:
    """One problem, merged over a run of consecutive checked days.

    ``first_day``..``last_day`` is the whole span the problem holds (``last_day`` is the day
    before the next checked day that no longer has it, or the horizon end);
    ``days_checked`` counts the checked days in the run. The figures are those of
    ``worst_day``, the day in the run with the highest ``demand_bps / capacity_bps``.

    - ``unroutable``: ``flows`` (the active flows whose source lies on one side of the cut and
      destination on the other) need ``demand_bps`` across the cut ``links``, which carry
      ``capacity_bps`` in that direction. If the cut has no capacity (endpoints not
      connected that day) ``links`` are the crossing links that are down (capacity 0).
    - ``unprotected``: as unroutable but for the protected flows alone after losing ``lost_link``;
      ``links`` and ``capacity_bps`` exclude the lost link.
    - ``disconnected``: ``flows`` is the one flow whose endpoints are never connected in the horizon;
      ``links`` are the links across its source's component that never have capacity;
      ``demand_bps`` is the flow's peak rate in the horizon.

    ``certificate`` is ``"cut"`` when the figures come from a violated cut (a proof that no
    routing exists). Rarely, a multi-commodity instance is infeasible although every cut
    fits; then it is ``"saturated"`` (every cut was measured: on networks of at most
    ``EXHAUSTIVE_NODES`` nodes) or ``"duals"`` (larger networks, where only candidate cuts
    were measured and none is violated: a violated cut may still exist). ``links`` are then
    the links the LP duals mark as limiting, ``capacity_bps`` their total capacity, and
    ``demand_bps`` the load the min-congestion routing puts on them (``congestion`` ×
    capacity).
    """

    kind: FindingKind
    first_day: Day
    last_day: Day
    days_checked: int
    flows: tuple[str, ...]
    links: tuple[str, ...]
    lost_link: str | None
    worst_day: Day
    demand_bps: float
    capacity_bps: float
    certificate: Certificate

    @property
    def congestion(self) -> float:
        """``demand_bps / capacity_bps`` (inf when there is demand but no capacity)."""
        return ratio(self.demand_bps, self.capacity_bps)


@dataclass(frozen=True)
class LinkUsage:
    """Peak use of one link over the checked days, in the worse direction.

    Loads come from each day's routing: least total flow (hop-weighted) among the routings
    of minimum congestion, as HiGHS finds it. The figure is exact for bottleneck links (at
    λ*); for others another equally good routing could load them differently, so treat it
    as representative, not unique; parallel links (the same two endpoints) always share
    their traffic in proportion to capacity. ``peak_day`` is the earliest day
    of the peak, None if the link never has capacity on a checked day. ``headroom_bps`` is
    ``capacity_bps - load_bps`` and is negative when the day is overloaded. ``history``
    is ``(day, load_bps, capacity_bps)`` on the first checked day and on each later one
    where either changes (the state holds until the next entry): the link chart's data.
    """

    link: str
    peak_utilisation: float
    peak_day: Day | None
    load_bps: float
    capacity_bps: float
    history: tuple[tuple[Day, float, float], ...] = ()

    @property
    def headroom_bps(self) -> float:
        """Spare capacity at the peak, in the worse direction."""
        return self.capacity_bps - self.load_bps


@dataclass(frozen=True)
class ProtectionResult:
    """The worst single link loss for a protected flow.

    ``congestion`` is the minimum congestion of the whole protected set once
    ``worst_link`` is lost on ``day`` (inf if that disconnects a protected flow);
    ``intact_congestion`` is its value on that day with every link up. Only days on which
    the flow is active and routable and the protected set fits intact are considered, and
    only links that carry protected traffic there (any other loss leaves λ unchanged).
    A day whose capacities are all ≥ and rates all ≤ a later day's is settled by that
    later day and not evaluated itself, so ``day`` is the earliest *evaluated* day of the
    worst λ. None when there was no such day. All protected flows active on that day
    share the figure: λ is a property of the protected set.
    """

    flow: str
    worst_link: str | None
    day: Day | None
    congestion: float
    intact_congestion: float


@dataclass(frozen=True)
class NetworkReport:
    """Everything ``analyse_network`` found.

    ``congestion`` lists ``(day, λ*)`` for every checked day: the minimum over routings of
    the worst arc load / capacity (a canonical figure, to the LP's ~1e-9 tolerance; inf if
    some active flow has no path that day). ``days_checked`` counts the checked days: ``start`` and every later day of
    the horizon on which some capacity or rate differs from the day before.
    """

    findings: tuple[Finding, ...]
    links: tuple[LinkUsage, ...]
    protection: tuple[ProtectionResult, ...]
    days_checked: int
    congestion: tuple[tuple[Day, float], ...]


def ratio(demand: float, capacity: float) -> float:
    """Demand over capacity: inf when there is demand but no capacity, 0 with neither."""
    if capacity > 0:
        return demand / capacity
    return float("inf") if demand > 0 else 0.0
