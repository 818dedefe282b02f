"""Energization engine: the day each rack goes live (LANGUAGE.md §4).

Pure and self-contained: an adapter turns the typed model into the plain specs
below, so the rule that `plan` reports and every check uses lives in one place
that can be tested without a parser.

Event-driven, because fleets have ~10^5 rack batches and horizons of ~10^3
days: time is compressed to the days on which something can change (plan
start, capacity steps, hall ready days, batch candidate days, and the sentinel
``end + 1``). Hall and site power are min-trees of slack over that axis. Racks
are never switched off, so every load is a suffix add and every placement
question is "the earliest index from which the slack stays >= L to the end"
(firm capacity). Positions never come back either, so they are a counter. Cost
is O((batches + parts + steps) x log(axis)), independent of days x racks.

Units: power in integer milliwatts, days as ``date.toordinal()``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise
from typing import Final, Literal

from capplan.perf import gc_paused

Day = int
"""A calendar day as ``date.toordinal()``."""

StepFn = tuple[tuple[Day, int], ...]
"""Levels sorted by day; a level holds from its day until the next entry, 0 before the first."""

Cause = Literal["install", "hall_not_ready", "cooling", "positions", "hall_power", "site_power"]
CAUSES: Final[tuple[Cause, ...]] = (
    "install",
    "hall_not_ready",
    "cooling",
    "positions",
    "hall_power",
    "site_power",
)
"""Waiting causes in the order in which §4 rule 5 consults them."""

Binding = Literal["ready", "hall_power", "site_power"]
"""What set a part's go-live day: its readiness, or a capacity step released on that day."""

COOLINGS: Final[frozenset[str]] = frozenset({"air", "liquid", "hybrid"})
RACK_COOLINGS: Final[frozenset[str]] = frozenset({"air", "liquid"})

_BIG: Final = 1 << 120  # slack of padding leaves: never binds


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class HallSpec:
    """A hall: rack positions, cooling and an optional IT power schedule."""

    key: str  # "site.hall"
    site: str
    positions: int
    cooling: str  # "air" | "liquid" | "hybrid" (hybrid accepts both)
    power: StepFn | None  # IT capacity in milliwatts; None = unlimited
    ready: Day


@dataclass(frozen=True, slots=True)
class SiteSpec:
    """A site: grid envelope at the facility, PUE and the share held in reserve."""

    key: str
    envelope: StepFn  # facility envelope, milliwatts
    pue: Fraction  # >= 1
    reserve: Fraction  # 0 <= reserve <= 1
    halls: tuple[str, ...]  # hall keys in declaration order


@dataclass(frozen=True, slots=True)
class BatchSpec:
    """One tranche of one lot: racks that arrive together and share a destination."""

    lot: str
    lot_index: int  # declaration order of the lot
    tranche: int  # index of the tranche within the lot
    arrival: Day  # tranche date
    installed: Day  # arrival + install duration (calendar months already applied)
    racks: int
    gpus_per_rack: int
    rack_power: int  # IT milliwatts per rack
    cooling: str  # "air" | "liquid"
    site: str
    hall: str | None  # a HallSpec.key; None: the compiler picks the hall of the site
    priority: int


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Part:
    """Racks of one batch that went live together on one day in one hall.

    When ``binding`` is ``hall_power`` or ``site_power`` the part waited for
    capacity and ``day`` is the day that constraint was released: a step of
    that hall's power schedule or of that site's envelope starts on ``day``.
    """

    day: Day
    racks: int
    hall: str
    binding: Binding


@dataclass(frozen=True, slots=True)
class WaitSegment:
    """``racks`` racks of a batch waited for ``cause`` on every day of the range."""

    cause: Cause
    first_day: Day
    last_day_exclusive: Day
    racks: int

    @property
    def days(self) -> int:
        return self.last_day_exclusive - self.first_day


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What happened to one batch: parts live, racks stranded, and why they waited.

    ``waits`` holds one run of segments per part (and one for the stranded
    racks), so segments of different racks overlap in time; identical segments
    are merged. ``stranded_cause`` is the cause blocking the stranded racks on
    the plan's last day: None when nothing is stranded, and also when the batch
    arrives after the plan end (it never waited inside the horizon).
    """

    batch: BatchSpec
    parts: tuple[Part, ...]  # in go-live order
    stranded: int
    stranded_cause: Cause | None
    waits: tuple[WaitSegment, ...]

    @property
    def live(self) -> int:
        return self.batch.racks - self.stranded

    def idle_gpu_days(self) -> dict[Cause, int]:
        """GPU-days lost per cause (every cause present, zero if it never blocked)."""
        out: dict[Cause, int] = dict.fromkeys(CAUSES, 0)
        for w in self.waits:
            out[w.cause] += w.racks * self.batch.gpus_per_rack * w.days
        return out


@dataclass(frozen=True, slots=True)
class LiveLevel:
    """State from ``day`` until the next level: what is live in a hall or a site."""

    day: Day
    racks: int
    gpus: int
    it: int  # IT milliwatts
    facility: Fraction  # facility milliwatts = it x site PUE, exact


@dataclass(frozen=True, slots=True)
class EnergizeResult:
    """The schedule: per batch outcome, live timelines and idle GPU-days by cause.

    Timelines hold entries only on days where something goes live; before the
    first entry nothing is live (same convention as ``StepFn``). Every hall and
    site of the input has a timeline (possibly empty) and every site and lot an
    idle map with all six causes.
    """

    batches: tuple[BatchResult, ...]  # in input order
    halls: Mapping[str, tuple[LiveLevel, ...]]
    sites: Mapping[str, tuple[LiveLevel, ...]]
    idle: Mapping[Cause, int]
    idle_by_lot: Mapping[str, Mapping[Cause, int]]
    idle_by_site: Mapping[str, Mapping[Cause, int]]

    @property
    def stranded(self) -> int:
        return sum(b.stranded for b in self.batches)


def cooling_accepts(hall_cooling: str, rack_cooling: str) -> bool:
    """A hybrid hall takes both kinds of rack; otherwise the kinds must match."""
    return hall_cooling == "hybrid" or hall_cooling == rack_cooling


def site_it_capacity(site: SiteSpec) -> StepFn:
    """IT milliwatts the envelope allows: floor(envelope x (1 - reserve) / pue).

    Exact rational arithmetic once per step, so comparing integer IT load with
    the result is exactly (d) of §4: a rack that exactly fits does fit.
    """
    factor = (1 - Fraction(site.reserve)) / Fraction(site.pue)
    return tuple((day, math.floor(level * factor)) for day, level in site.envelope)


# --------------------------------------------------------------------------- slack tree


class _SlackTree:
    """Slack (capacity minus live load) per axis segment, as a min segment tree.

    The only update is a suffix add (a rack stays live to the end) and the only
    queries are suffix minima, so each internal node keeps ``min(children) +
    pending`` without push-down and every operation is one flat O(log n) loop.
    """

    __slots__ = ("_lz", "_mn", "_size")

    def __init__(self, slack: Sequence[int]) -> None:
        size = 1
        while size < len(slack):
            size *= 2
        mn = [_BIG] * (2 * size)
        mn[size : size + len(slack)] = slack
        for node in range(size - 1, 0, -1):
            a, b = mn[2 * node], mn[2 * node + 1]
            mn[node] = a if a < b else b
        self._mn = mn
        self._lz = [0] * (2 * size)
        self._size = size

    def earliest(self, lo: int, need: int) -> int:
        """Smallest index >= lo from which slack >= need up to the end (n: never)."""
        mn = self._mn
        if mn[1] >= need:
            return lo
        lz = self._lz
        size = self._size
        node, acc = 1, 0
        while node < size:  # descend to the last index whose slack < need
            acc += lz[node]
            node = 2 * node + 1
            if mn[node] + acc >= need:
                node -= 1
        after = node - size + 1
        return after if after > lo else lo

    def suffix_min(self, index: int) -> int:
        """Minimum slack from ``index`` to the end."""
        mn, lz = self._mn, self._lz
        node = index + self._size
        res = mn[node]
        while node > 1:
            if not node & 1:
                right = mn[node + 1]
                if right < res:
                    res = right
            node >>= 1
            res += lz[node]
        return res

    def load(self, index: int, amount: int) -> None:
        """Take ``amount`` of slack from ``index`` to the end."""
        mn, lz = self._mn, self._lz
        node = index + self._size
        mn[node] -= amount
        while node > 1:
            left = node & ~1
            if node == left:  # the right sibling lies wholly inside the suffix
                mn[node + 1] -= amount
                lz[node + 1] -= amount
            a, b = mn[left], mn[left + 1]
            node >>= 1
            mn[node] = (a if a < b else b) + lz[node]


def _levels(step: StepFn, days: Sequence[Day]) -> list[int]:
    """The level in force on each (sorted) day."""
    out: list[int] = []
    level, nxt = 0, 0
    for day in days:
        while nxt < len(step) and step[nxt][0] <= day:
            level = step[nxt][1]
            nxt += 1
        out.append(level)
    return out


# --------------------------------------------------------------------------- engine


@dataclass(slots=True)
class _Hall:
    spec: HallSpec
    ready: int  # axis index of max(ready, start); n if after the plan end
    free: int  # positions left (they never come back)
    power: _SlackTree | None


@dataclass(slots=True)
class _Site:
    spec: SiteSpec
    power: _SlackTree
    halls: tuple[_Hall, ...]


# (hall, ready index, positions threshold, hall power threshold, go-live index)
_Gate = tuple[_Hall, int, int, int, int]
# (site, halls accepting the rack's cooling in preference order, hall consulted for causes)
_Route = tuple[_Site, tuple[_Hall, ...], _Hall | None]


class _Engine:
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
        self.halls = {h.key: self._hall_state(h) for h in halls}
        self.sites = {s.key: self._site_state(s) for s in sites}
        self.placed: list[tuple[str, Day, int, int, int]] = []  # hall, day, racks, gpus, it
        self._routes: dict[tuple[str, str | None, str], _Route] = {}

    def _hall_state(self, spec: HallSpec) -> _Hall:
        ready = self.index.get(max(spec.ready, self.start), self.n)
        tree = None if spec.power is None else _SlackTree(_levels(spec.power, self.days[:-1]))
        return _Hall(spec, ready, spec.positions, tree)

    def _site_state(self, spec: SiteSpec) -> _Site:
        cap = _levels(site_it_capacity(spec), self.days[:-1])
        return _Site(spec, _SlackTree(cap), tuple(self.halls[k] for k in spec.halls))

    def ready(self, b: BatchSpec) -> Day:
        """§4 ready day; a site lot waits for a hall only once a hall is chosen."""
        return b.installed if b.hall is None else max(b.installed, self.halls[b.hall].spec.ready)

    def _route(self, site_key: str, hall_key: str | None, cooling: str) -> _Route:
        """Site, halls that may take the rack in preference order, and the hall rule 5 consults.

        Memoized: there are few destinations x coolings but many batches.
        """
        key = (site_key, hall_key, cooling)
        route = self._routes.get(key)
        if route is None:
            site = self.sites[site_key]
            halls = site.halls if hall_key is None else (self.halls[hall_key],)
            accepting = tuple(h for h in halls if cooling_accepts(h.spec.cooling, cooling))
            consulted = accepting[0] if accepting else (halls[0] if halls else None)
            route = self._routes[key] = (site, accepting, consulted)
        return route

    def run(self, b: BatchSpec, ready: Day) -> BatchResult:
        """Place a batch part by part: each part is as many racks as fit on the earliest day."""
        site, accepting, cause_hall = self._route(b.site, b.hall, b.cooling)
        cand = self.index.get(max(ready, self.start), self.n)
        lo_wait = max(b.arrival, self.start)
        parts: list[Part] = []
        waits: list[WaitSegment] = []
        remaining = b.racks
        need = b.rack_power
        while remaining:
            thr_site = site.power.earliest(cand, need) if need and cand < self.n else cand
            gates = [self._gate(h, cand, need, thr_site) for h in accepting]
            best = _first_earliest(gates, self.n)
            racks = remaining if best is None else self._fit(best, site, remaining, need)
            stop = self.end + 1 if best is None else self.days[best[4]]
            segments: list[WaitSegment] = []
            if stop > lo_wait:  # rule 5 uses the state this rack was processed in
                bounds = self._bounds(b, cause_hall, gates[0] if gates else None, thr_site)
                segments = _segments(bounds, lo_wait, stop, racks)
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
        """
        never = self.end + 1
        days = self.days
        bounds: list[tuple[Cause, Day]] = [("install", b.installed)]
        if hall is None:  # a site without halls: nothing can take the rack
            return [*bounds, ("cooling", never)]
        bounds.append(("hall_not_ready", hall.spec.ready))
        if gate is None:  # the consulted hall does not accept the rack's cooling
            return [*bounds, ("cooling", never)]
        _h, _ready, pos, hp, _day = gate
        bounds += [("positions", days[pos]), ("hall_power", days[hp])]
        bounds.append(("site_power", days[thr_site]))
        return bounds


def _first_earliest(gates: Iterable[_Gate], never: int) -> _Gate | None:
    """The gate with the earliest day; ties go to the first hall in declaration order."""
    best: _Gate | None = None
    for gate in gates:
        if gate[4] < never and (best is None or gate[4] < best[4]):
            best = gate
    return best


def _segments(
    bounds: Sequence[tuple[Cause, Day]], lo: Day, stop: Day, racks: int
) -> list[WaitSegment]:
    """Cut [lo, stop) into runs of the first cause that still blocks."""
    out: list[WaitSegment] = []
    cur = lo
    for cause, until in bounds:
        if cur >= stop:
            break
        upto = min(until, stop)
        if upto > cur:
            out.append(WaitSegment(cause, cur, upto, racks))
            cur = upto
    return out


def _merge(waits: Sequence[WaitSegment]) -> tuple[WaitSegment, ...]:
    """Fold segments with the same cause and range (from different parts) into one."""
    if len(waits) < 2:
        return tuple(waits)
    acc: dict[tuple[Cause, Day, Day], int] = {}
    for w in waits:
        key = (w.cause, w.first_day, w.last_day_exclusive)
        acc[key] = acc.get(key, 0) + w.racks
    return tuple(WaitSegment(c, f, e, r) for (c, f, e), r in acc.items())


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


# --------------------------------------------------------------------------- results assembly


def _timelines(
    placed: Iterable[tuple[str, Day, int, int, int]],
    keys: Iterable[str],
    key_of: Mapping[str, str],
    pue_of: Mapping[str, Fraction],
) -> dict[str, tuple[LiveLevel, ...]]:
    """Cumulative live state per key (a hall, or a hall's site via ``key_of``)."""
    deltas: dict[str, dict[Day, list[int]]] = {k: {} for k in keys}
    for hall, day, racks, gpus, it in placed:
        row = deltas[key_of[hall]].setdefault(day, [0, 0, 0])
        row[0] += racks
        row[1] += gpus
        row[2] += it
    out: dict[str, tuple[LiveLevel, ...]] = {}
    for key, by_day in deltas.items():
        racks = gpus = it = 0
        levels: list[LiveLevel] = []
        for day in sorted(by_day):
            dr, dg, di = by_day[day]
            racks, gpus, it = racks + dr, gpus + dg, it + di
            levels.append(LiveLevel(day, racks, gpus, it, it * pue_of[key]))
        out[key] = tuple(levels)
    return out


def _idle_totals(
    results: Sequence[BatchResult], sites: Iterable[str]
) -> tuple[dict[Cause, int], dict[str, dict[Cause, int]], dict[str, dict[Cause, int]]]:
    """Idle GPU-days per cause: overall, per lot, per site."""
    total: dict[Cause, int] = dict.fromkeys(CAUSES, 0)
    by_lot: dict[str, dict[Cause, int]] = {}
    by_site: dict[str, dict[Cause, int]] = {s: dict.fromkeys(CAUSES, 0) for s in sites}
    for r in results:
        lot = by_lot.setdefault(r.batch.lot, dict.fromkeys(CAUSES, 0))
        site = by_site[r.batch.site]
        gpus = r.batch.gpus_per_rack
        for w in r.waits:
            gpu_days = w.racks * gpus * (w.last_day_exclusive - w.first_day)
            total[w.cause] += gpu_days
            lot[w.cause] += gpu_days
            site[w.cause] += gpu_days
    return total, by_lot, by_site


# --------------------------------------------------------------------------- validation


def _check_step(what: str, step: StepFn) -> None:
    if any(a >= b for (a, _), (b, _) in pairwise(step)):
        raise ValueError(f"{what}: schedule days must strictly increase")
    if any(level < 0 for _, level in step):
        raise ValueError(f"{what}: negative level")


def _validate(
    sites: Sequence[SiteSpec],
    halls: Sequence[HallSpec],
    batches: Sequence[BatchSpec],
    start: Day,
    end: Day,
) -> None:
    """Reject inputs the adapter should never build (the compiler reports user errors)."""
    if end < start:
        raise ValueError(f"plan end {end} before start {start}")
    site_keys = {s.key for s in sites}
    hall_by_key = {h.key: h for h in halls}
    if len(site_keys) != len(sites) or len(hall_by_key) != len(halls):
        raise ValueError("duplicate site or hall key")
    for s in sites:
        _check_step(f"site {s.key}", s.envelope)
        if not (s.pue >= 1 and 0 <= s.reserve <= 1):
            raise ValueError(f"site {s.key}: need pue >= 1 and 0 <= reserve <= 1")
        mine = {h.key for h in halls if h.site == s.key}
        if set(s.halls) != mine or len(s.halls) != len(mine):
            raise ValueError(f"site {s.key}: halls {s.halls} do not match halls declared in it")
    for h in halls:
        if h.site not in site_keys:
            raise ValueError(f"hall {h.key}: unknown site {h.site}")
        if h.cooling not in COOLINGS or h.positions < 0:
            raise ValueError(f"hall {h.key}: bad cooling or positions")
        if h.power is not None:
            _check_step(f"hall {h.key}", h.power)
    for b in batches:
        where = f"lot {b.lot} tranche {b.tranche}"
        if b.site not in site_keys:
            raise ValueError(f"{where}: unknown site {b.site}")
        if b.hall is not None and (b.hall not in hall_by_key or hall_by_key[b.hall].site != b.site):
            raise ValueError(f"{where}: hall {b.hall} is not a hall of site {b.site}")
        if b.cooling not in RACK_COOLINGS:
            raise ValueError(f"{where}: bad cooling {b.cooling!r}")
        if min(b.racks, b.gpus_per_rack, b.rack_power) < 0 or b.installed < b.arrival:
            raise ValueError(f"{where}: negative quantity or installed before arrival")


# --------------------------------------------------------------------------- entry point


def processing_key(b: BatchSpec, ready: Day) -> tuple[Day, int, int, int]:
    """§4 rule 1: ready day, higher priority first, lot declaration order, tranche."""
    return (ready, -b.priority, b.lot_index, b.tranche)


def energize(
    sites: Sequence[SiteSpec],
    halls: Sequence[HallSpec],
    batches: Sequence[BatchSpec],
    start: Day,
    end: Day,
) -> EnergizeResult:
    """Compute when every rack goes live, what strands, and why racks waited.

    Raises ValueError on structurally inconsistent input (unknown keys, unsorted
    schedules, negative quantities): the compiler reports user errors before.
    """
    _validate(sites, halls, batches, start, end)
    with gc_paused():
        return _energize(sites, halls, batches, start, end)


def _energize(
    sites: Sequence[SiteSpec],
    halls: Sequence[HallSpec],
    batches: Sequence[BatchSpec],
    start: Day,
    end: Day,
) -> EnergizeResult:
    engine = _Engine(sites, halls, batches, start, end)
    ready = [engine.ready(b) for b in batches]
    order = sorted(range(len(batches)), key=lambda i: processing_key(batches[i], ready[i]))
    results: list[BatchResult | None] = [None] * len(batches)
    for i in order:
        results[i] = engine.run(batches[i], ready[i])
    done = [r for r in results if r is not None]
    pue = {s.key: Fraction(s.pue) for s in sites}
    site_of = {h.key: h.site for h in halls}
    hall_pue = {h.key: pue[h.site] for h in halls}
    idle, by_lot, by_site = _idle_totals(done, pue)
    return EnergizeResult(
        batches=tuple(done),
        halls=_timelines(engine.placed, hall_pue, {k: k for k in hall_pue}, hall_pue),
        sites=_timelines(engine.placed, pue, site_of, pue),
        idle=idle,
        idle_by_lot=by_lot,
        idle_by_site=by_site,
    )
