"""The placement loop: batches one after the other on the compressed time axis.

Event-driven, because fleets have ~10^5 rack batches and horizons of ~10^3
days: time is compressed to the days on which something can change (plan
start, capacity steps, hall ready days, batch candidate days, and the sentinel
``end + 1``). Hall and site power are min-trees of slack over that axis. Racks
are never switched off, so every load is a suffix add and every placement
question is "the earliest index from which the slack stays >= L to the end"
(firm capacity). Positions never come back either, so they are a counter. Cost
is O((batches + parts + steps) x log(axis)), independent of days x racks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from capplan.energize._slack import SlackTree
from capplan.energize.types import (
    BatchResult,
    BatchSpec,
    Binding,
    Day,
    HallSpec,
    Part,
    SiteSpec,
    StepFn,
    WaitSegment,
)
from capplan.model.decls import Cooling
from capplan.model.rules import Cause, cooling_accepts, it_factor, levels_on, scaled_floor


def site_it_capacity(site: SiteSpec) -> tuple[tuple[Day, int], ...]:
    """IT power units the envelope allows: floor(envelope x (1 - reserve) / pue), exactly.

    IT loads are whole units, so comparing them with the floored ceiling is exactly
    (d) of §4: a rack that exactly fits does fit.
    """
    factor = it_factor(site.pue, site.reserve)
    return tuple((day, scaled_floor(level * factor, 1)) for day, level in site.envelope)


def _floored(step: StepFn) -> tuple[tuple[Day, int], ...]:
    return tuple((day, scaled_floor(level, 1)) for day, level in step)


@dataclass(slots=True)
class _Hall:
    spec: HallSpec
    ready: int  # axis index of max(ready, start); n if after the plan end
    free: int  # positions left (they never come back)
    power: SlackTree | None


@dataclass(slots=True)
class _Site:
    spec: SiteSpec
    power: SlackTree
    halls: tuple[_Hall, ...]


# (hall, ready index, positions threshold, hall power threshold, go-live index)
_Gate = tuple[_Hall, int, int, int, int]


@dataclass(slots=True)
class _Route:
    """Where a destination's racks of one cooling may go.

    ``accepting``: halls whose cooling accepts the rack, in preference order;
    ``halls``: every hall of the destination. Positions never come back, so the
    halls before ``first_open`` are full for good and every later scan skips them.
    """

    site: _Site
    accepting: tuple[_Hall, ...]
    halls: tuple[_Hall, ...]
    first_open: int = 0


class Engine:
    """Places batches one after the other on the compressed time axis."""

    def __init__(
        self,
        sites: Sequence[SiteSpec],
        halls: Sequence[HallSpec],
        batches: Sequence[BatchSpec],
        start: Day,
        end: Day,
    ) -> None:
        self.start, self.end = start, end
        self.days = _axis(sites, halls, batches, start, end)
        self.n = len(self.days) - 1  # days[n] == end + 1: "never"
        self.index = {day: i for i, day in enumerate(self.days)}
        # Padding leaves of the slack trees must outlast every load and every need.
        self._pad = 1 + sum(b.racks * b.rack_power for b in batches)
        self._pad += max((b.rack_power for b in batches), default=0)
        self.halls = {h.key: self._hall_state(h) for h in halls}
        self.sites = {s.key: self._site_state(s) for s in sites}
        self.placed: list[tuple[str, Day, int, int, int]] = []  # hall, day, racks, gpus, it
        self._routes: dict[tuple[str, str | None, Cooling], _Route] = {}

    def _tree(self, capacity: tuple[tuple[Day, int], ...]) -> SlackTree:
        slack = levels_on(capacity, self.days[:-1], 0)
        return SlackTree(slack, self._pad + max(slack, default=0))

    def _hall_state(self, spec: HallSpec) -> _Hall:
        ready = self.index.get(max(spec.ready, self.start), self.n)
        tree = None if spec.power is None else self._tree(_floored(spec.power))
        return _Hall(spec, ready, spec.positions, tree)

    def _site_state(self, spec: SiteSpec) -> _Site:
        tree = self._tree(site_it_capacity(spec))
        return _Site(spec, tree, tuple(self.halls[k] for k in spec.halls))

    def ready(self, b: BatchSpec) -> Day:
        """§4 rule 1: a site lot's ready day is arrival + install; each hall applies its own."""
        return b.installed if b.hall is None else max(b.installed, self.halls[b.hall].spec.ready)

    def _route(self, site_key: str, hall_key: str | None, cooling: Cooling) -> _Route:
        """Site, halls that may take the rack in preference order, and the destination's halls.

        Memoized: there are few destinations x coolings but many batches.
        """
        key = (site_key, hall_key, cooling)
        route = self._routes.get(key)
        if route is None:
            site = self.sites[site_key]
            halls = site.halls if hall_key is None else (self.halls[hall_key],)
            accepting = tuple(h for h in halls if cooling_accepts(h.spec.cooling, cooling))
            route = self._routes[key] = _Route(site, accepting, halls)
        return route

    def _best(self, route: _Route, cand: int, need: int, thr_site: int) -> _Gate | None:
        """The gate with the earliest day; ties go to the first hall in declaration order.

        No hall can beat ``max(cand, thr_site)``, so the scan stops at the first hall that
        reaches it: a site of many halls filling in order costs O(1) per part, not O(halls).
        """
        n = self.n
        if thr_site >= n:
            return None
        halls = route.accepting
        count = len(halls)
        index = route.first_open
        while index < count and halls[index].free == 0:
            index += 1
        route.first_open = index
        floor = cand if cand > thr_site else thr_site
        best: _Gate | None = None
        for position in range(index, count):
            h = halls[position]
            if h.free == 0:
                continue
            gate = self._gate(h, cand, need, thr_site)
            if gate[4] < n and (best is None or gate[4] < best[4]):
                best = gate
                if gate[4] == floor:
                    break
        return best

    def run(self, b: BatchSpec, ready: Day) -> BatchResult:
        """Place a batch part by part: each part is as many racks as fit on the earliest day."""
        route = self._route(b.site, b.hall, b.cooling)
        site = route.site
        cand = self.index.get(max(ready, self.start), self.n)
        lo_wait = max(b.arrival, self.start)
        parts: list[Part] = []
        waits: list[WaitSegment] = []
        remaining = b.racks
        need = b.rack_power
        while remaining:
            thr_site = site.power.earliest(cand, need) if need and cand < self.n else cand
            best = self._best(route, cand, need, thr_site)
            racks = remaining if best is None else self._fit(best, site, remaining, need)
            stop = self.end + 1 if best is None else self.days[best[4]]
            segments: list[WaitSegment] = []
            if stop > lo_wait:
                # Rule 5 reads the cause in the hall the racks go live in; stranded racks
                # in the first accepting hall; with no accepting hall the cause is cooling.
                gate = best
                if gate is None and route.accepting:
                    gate = self._gate(route.accepting[0], cand, need, thr_site)
                hall = gate[0] if gate is not None else (route.halls[0] if b.hall else None)
                bounds = self._bounds(b, hall, gate, thr_site)
                segments = _segments(bounds, lo_wait, stop, racks, hall)
                waits.extend(segments)
            if best is None:
                stranded_cause = segments[-1].cause if segments else None
                return BatchResult(b, tuple(parts), racks, stranded_cause, _merge(waits))
            parts.append(self._place(b, best, site, racks))
            remaining -= racks
        return BatchResult(b, tuple(parts), 0, None, _merge(waits))

    def _gate(self, h: _Hall, cand: int, need: int, thr_site: int) -> _Gate:
        """Per-constraint thresholds of one hall and the day it would take the rack."""
        n = self.n
        ready = cand if cand > h.ready else h.ready
        if ready >= n:
            return (h, n, n, n, n)
        pos = ready if h.free > 0 else n
        hp = h.power.earliest(ready, need) if h.power is not None and need else ready
        return (h, ready, pos, hp, max(pos, hp, thr_site))

    def _fit(self, gate: _Gate, site: _Site, remaining: int, need: int) -> int:
        """Racks that fit on the gate's day (at least one by construction)."""
        h, day = gate[0], gate[4]
        racks = min(remaining, h.free)
        if racks > 1 and need:
            if h.power is not None:
                racks = min(racks, h.power.suffix_min(day) // need)
            racks = min(racks, site.power.suffix_min(day) // need)
        return racks

    def _place(self, b: BatchSpec, gate: _Gate, site: _Site, racks: int) -> Part:
        h, ready, _pos, hp, day = gate
        load = racks * b.rack_power
        h.free -= racks
        if load:
            if h.power is not None:
                h.power.load(day, load)
            site.power.load(day, load)
        live_day = self.days[day]
        self.placed.append((h.spec.key, live_day, racks, racks * b.gpus_per_rack, load))
        binding: Binding = "ready" if day == ready else "hall_power" if hp == day else "site_power"
        return Part(live_day, racks, h.spec.key, binding)

    def _bounds(
        self, b: BatchSpec, hall: _Hall | None, gate: _Gate | None, thr_site: int
    ) -> list[tuple[Cause, Day]]:
        """For each cause in order, the first day on which it no longer blocks.

        Every constraint is monotone in the day (suffix minima of slack only
        grow), so a threshold per cause turns rule 5 into contiguous segments.
        ``hall`` is the hall consulted (None: no hall of the site accepts the rack).
        """
        never = self.end + 1
        days = self.days
        bounds: list[tuple[Cause, Day]] = [("install", b.installed)]
        if hall is None:
            return [*bounds, ("cooling", never)]
        bounds.append(("hall_not_ready", hall.spec.ready))
        if gate is None:  # the lot's own hall does not accept the rack's cooling
            return [*bounds, ("cooling", never)]
        _h, _ready, pos, hp, _day = gate
        bounds += [("positions", days[pos]), ("hall_power", days[hp])]
        bounds.append(("site_power", days[thr_site]))
        return bounds


def _segments(
    bounds: Sequence[tuple[Cause, Day]], lo: Day, stop: Day, racks: int, hall: _Hall | None
) -> list[WaitSegment]:
    """Cut [lo, stop) into runs of the first cause that still blocks."""
    out: list[WaitSegment] = []
    cur = lo
    key = hall.spec.key if hall is not None else None
    for cause, until in bounds:
        if cur >= stop:
            break
        upto = min(until, stop)
        if upto > cur:
            out.append(WaitSegment(cause, cur, upto, racks, key))
            cur = upto
    return out


def _merge(waits: Sequence[WaitSegment]) -> tuple[WaitSegment, ...]:
    """Fold segments with the same cause and range (from different parts) into one."""
    if len(waits) < 2:
        return tuple(waits)
    acc: dict[tuple[Cause, Day, Day, str | None], int] = {}
    for w in waits:
        key = (w.cause, w.first_day, w.last_day_exclusive, w.hall)
        acc[key] = acc.get(key, 0) + w.racks
    return tuple(WaitSegment(c, f, e, r, h) for (c, f, e, h), r in acc.items())


def _axis(
    sites: Sequence[SiteSpec],
    halls: Sequence[HallSpec],
    batches: Sequence[BatchSpec],
    start: Day,
    end: Day,
) -> list[Day]:
    """Days on which anything can change, within [start, end], then end + 1.

    Every go-live day is one of these: slack only rises at a capacity step, and
    a rack otherwise goes live on its candidate day or a hall's ready day.
    """
    days = {start, end + 1}
    hall_ready = {h.key: h.ready for h in halls}
    for s in sites:
        days.update(d for d, _ in s.envelope)
    for h in halls:
        days.add(h.ready)
        if h.power is not None:
            days.update(d for d, _ in h.power)
    for b in batches:
        days.add(b.installed if b.hall is None else max(b.installed, hall_ready[b.hall]))
    return sorted(d for d in days if start <= d <= end + 1)
