"""One routability check of a fixed flow set: connectivity first, then the LP, then cuts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from capplan.netflow._cuts import Cut, Demands, disconnected_cuts, violated_cuts
from capplan.netflow._graph import Net, arc_caps, bridges, components, grown_components
from capplan.netflow._lp import CongestionLP
from capplan.netflow._reroute import cut_bound, fits_around
from capplan.netflow._timeline import FloatArray, IntArray

TOLERANCE = 1e-9
"""Relative slack on λ* ≤ 1, so exact fits pass despite floating point."""


@dataclass(frozen=True)
class Check:
    """Outcome of routing the active flows on one network state.

    ``lam`` is λ* of the flows connected in that state (inf-free); ``disconnected`` says
    whether some active flow had no path at all. ``loads`` are arc loads (bit/s) of the
    routing used; ``rates`` the demands the LP routed (disconnected flows zeroed).
    """

    lam: float
    disconnected: bool
    cuts: tuple[Cut, ...]
    loads: FloatArray
    rates: FloatArray

    @property
    def congestion(self) -> float:
        """λ* counting disconnected flows: inf if there are any."""
        return float("inf") if self.disconnected else self.lam

    @property
    def fits(self) -> bool:
        """Every active flow is routable together."""
        return self.congestion <= 1 + TOLERANCE


_FEW_ADDED = 16
"""Up to this many links come up between two calls, components are grown, not searched."""


class Checker:
    """Checks one flow set (all routed flows, or the protected ones) day after day."""

    def __init__(
        self,
        net: Net,
        names: Sequence[str],
        src: IntArray,
        dst: IntArray,
        scale: float,
        lam_weight: float,
    ) -> None:
        self.net = net
        self.names = names
        self._src = src
        self._dst = dst
        self._lp = CongestionLP(net, src, dst, scale, lam_weight)
        self._labels: dict[bytes, IntArray] = {}
        self._last: tuple[npt.NDArray[np.bool_], IntArray] | None = None

    def _components(self, link_caps: FloatArray) -> IntArray:
        """``components``, memoised on which links are up (few distinct sets recur daily),
        and grown from the previous call's when links only came up since."""
        up = link_caps > 0
        key = up.tobytes()
        labels = self._labels.get(key)
        if labels is None:
            added = self._added(up)
            if added is not None and self._last is not None:
                labels = grown_components(self.net, self._last[1], added)
            else:
                labels = components(self.net, link_caps)
            self._labels[key] = labels
        self._last = (up, labels)
        return labels

    def _added(self, up: npt.NDArray[np.bool_]) -> IntArray | None:
        """The links up now but not at the previous call, if no link went down and only a
        few came up (each union then costs little)."""
        if self._last is None or np.any(self._last[0] & ~up):
            return None
        added = np.flatnonzero(up & ~self._last[0])
        return added if added.size <= _FEW_ADDED else None

    def connected_rates(self, link_caps: FloatArray, rates: FloatArray) -> FloatArray:
        """``rates`` with the flows that have no path on ``link_caps`` set to 0."""
        labels = self._components(link_caps)
        return np.where(labels[self._src] == labels[self._dst], rates, 0.0)

    def check(self, link_caps: FloatArray, rates: FloatArray) -> Check:
        """Route ``rates`` on ``link_caps``; loads are the least-total-flow routing's."""
        labels = self._components(link_caps)
        cut_off = (rates > 0) & (labels[self._src] != labels[self._dst])
        cuts: list[Cut] = []
        if cut_off.any():
            demands = Demands(self.names, self._src, self._dst, rates)
            cuts.extend(disconnected_cuts(self.net, link_caps, labels, demands, None))
        routed = np.where(cut_off, 0.0, rates)
        self._lp.update(arc_caps(link_caps), routed)
        routing = self._lp.routing()
        lam = routing.lam
        if lam > 1 + TOLERANCE:
            exact = self._lp.congestion()
            lam = exact.lam
            if lam > 1 + TOLERANCE:
                demands = Demands(self.names, self._src, self._dst, routed)
                cuts.extend(violated_cuts(self.net, link_caps, demands, exact, TOLERANCE))
        return Check(lam, bool(cut_off.any()), tuple(cuts), routing.loads, routed)

    def demands(self, rates: FloatArray) -> Demands:
        """This flow set at ``rates``, for the cut search."""
        return Demands(self.names, self._src, self._dst, rates)

    def losses(self, link_caps: FloatArray, intact: Check) -> Losses:
        """Single losses on one state, asked one link at a time (bridges found once)."""
        return Losses(self, link_caps, intact)

    def _lost(self, link_caps: FloatArray, intact: Check, demands: Demands, link: int) -> Check:
        """λ* after losing ``link`` (not a bridge), by the cheapest exact proof.

        Small cuts around the link give a lower bound of λ* (``cut_bound``); λ* is at
        least the intact λ too. If a routing without the link reaches the higher of the
        two, that is λ* with no LP: a detour of the link's traffic through the capacity
        the intact routing leaves spare at that level (none can fit below the bound).
        This only settles losses that fit: an overload needs the LP's duals for cuts.
        """
        bound = cut_bound(self.net, link_caps, self._src, self._dst, intact.rates, link)
        level = max(bound, intact.lam)
        if level <= 1 + TOLERANCE and fits_around(self.net, link_caps, intact.loads, level, link):
            if bound <= intact.lam:
                return intact
            return Check(bound, False, (), intact.loads, intact.rates)
        return self._solve_without(link_caps, intact, demands, link)

    def _bridge_lost(
        self, link_caps: FloatArray, intact: Check, demands: Demands, link: int
    ) -> Check:
        failed = link_caps.copy()
        failed[link] = 0.0
        labels = components(self.net, failed)
        cuts = tuple(disconnected_cuts(self.net, failed, labels, demands, link))
        return Check(intact.lam, bool(cuts), cuts, intact.loads, intact.rates)

    def _solve_without(
        self, link_caps: FloatArray, intact: Check, demands: Demands, link: int
    ) -> Check:
        """The LP without ``link``: λ alone if it fits, else also its optimum for the cuts
        (one solve either way).

        A fitting loss keeps the intact loads (only its λ is ever read).
        """
        self._lp.update(arc_caps(link_caps), intact.rates)
        arcs = np.array([link, self.net.n_links + link], dtype=np.int64)
        lam, lost = self._lp.congestion_without(arcs, 1 + TOLERANCE)
        if lost is None:
            return Check(lam, False, (), intact.loads, intact.rates)
        failed = link_caps.copy()
        failed[link] = 0.0
        cuts = tuple(violated_cuts(self.net, failed, demands, lost, TOLERANCE))
        return Check(lost.lam, False, cuts, lost.loads, intact.rates)


class Losses:
    """The flows of ``intact`` (a ``check`` of ``link_caps``) after losing one link.

    Cheapest proof first: a bridge disconnects some flows (the others never needed
    it: a least-total-flow routing has no path that crosses a bridge and comes back);
    else ``Checker._lost``.
    """

    def __init__(self, checker: Checker, link_caps: FloatArray, intact: Check) -> None:
        self._checker = checker
        self._caps = link_caps
        self._intact = intact
        self._bridges = bridges(checker.net, link_caps)
        self._demands = checker.demands(intact.rates)

    def lose(self, link: int) -> Check:
        """The check of the state without ``link``."""
        checker, caps, intact = self._checker, self._caps, self._intact
        if link in self._bridges:
            return checker._bridge_lost(caps, intact, self._demands, link)
        return checker._lost(caps, intact, self._demands, link)
