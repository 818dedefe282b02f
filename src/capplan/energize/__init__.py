"""Energization engine: the day each rack goes live (docs/language.md §9).

Pure and self-contained: an adapter (`capplan.schedule`) turns the typed model
into the plain specs of `types`, so the rule that `plan` reports and every check
uses lives in one place that can be tested without a parser. The placement loop
is in `_engine`; this module validates the input, orders the batches (§4 rule
1) and assembles the timelines and idle totals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from itertools import pairwise

from capplan.energize._engine import Engine, site_it_capacity
from capplan.energize.types import (
    BatchResult,
    BatchSpec,
    Binding,
    Day,
    EnergizeResult,
    HallSpec,
    LiveLevel,
    Part,
    SiteSpec,
    StepFn,
    WaitSegment,
)
from capplan.model.decls import COOLINGS, HALL_COOLINGS
from capplan.model.rules import CAUSES, Cause, cooling_accepts, idle_gpu_days
from capplan.perf import gc_paused

__all__ = [
    "CAUSES",
    "BatchResult",
    "BatchSpec",
    "Binding",
    "Cause",
    "Day",
    "EnergizeResult",
    "HallSpec",
    "LiveLevel",
    "Part",
    "SiteSpec",
    "StepFn",
    "WaitSegment",
    "cooling_accepts",
    "energize",
    "processing_key",
    "site_it_capacity",
]

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
        if not r.waits:
            continue
        idle = idle_gpu_days(((w.cause, w.racks * w.days) for w in r.waits), r.batch.gpus_per_rack)
        for cause, gpu_days in idle.items():
            total[cause] += gpu_days
            lot[cause] += gpu_days
            site[cause] += gpu_days
    return total, by_lot, by_site


# --------------------------------------------------------------------------- validation


def _check_step(what: str, step: StepFn) -> None:
    if any(a >= b for (a, _), (b, _) in pairwise(step)):
        raise ValueError(f"{what}: schedule days must strictly increase")
    if any(level < 0 for _, level in step):
        raise ValueError(f"{what}: negative level")


def _validate_sites(sites: Sequence[SiteSpec], halls: Sequence[HallSpec]) -> None:
    """Reject sites and halls the adapter should never build (the compiler reports user errors)."""
    site_keys = {s.key for s in sites}
    if len(site_keys) != len(sites) or len({h.key for h in halls}) != len(halls):
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
        if h.cooling not in HALL_COOLINGS or h.positions < 0:
            raise ValueError(f"hall {h.key}: bad cooling or positions")
        if h.power is not None:
            _check_step(f"hall {h.key}", h.power)


def _validate_batches(
    batches: Sequence[BatchSpec], sites: Sequence[SiteSpec], halls: Sequence[HallSpec]
) -> None:
    """Reject batches for unknown places or with impossible quantities."""
    site_keys = {s.key for s in sites}
    hall_by_key = {h.key: h for h in halls}
    for b in batches:
        where = f"lot {b.lot} tranche {b.tranche}"
        if b.site not in site_keys:
            raise ValueError(f"{where}: unknown site {b.site}")
        if b.hall is not None and (b.hall not in hall_by_key or hall_by_key[b.hall].site != b.site):
            raise ValueError(f"{where}: hall {b.hall} is not a hall of site {b.site}")
        if b.cooling not in COOLINGS:
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
    if end < start:
        raise ValueError(f"plan end {end} before start {start}")
    _validate_sites(sites, halls)
    _validate_batches(batches, sites, halls)
    with gc_paused():
        engine = Engine(sites, halls, batches, start, end)
        ready = [engine.ready(b) for b in batches]
        order = sorted(range(len(batches)), key=lambda i: processing_key(batches[i], ready[i]))
        results: list[BatchResult | None] = [None] * len(batches)
        for i in order:
            results[i] = engine.run(batches[i], ready[i])
        done = [r for r in results if r is not None]
        return _assemble(done, engine.placed, sites, halls)


def _assemble(
    done: list[BatchResult],
    placed: list[tuple[str, Day, int, int, int]],
    sites: Sequence[SiteSpec],
    halls: Sequence[HallSpec],
) -> EnergizeResult:
    """The result: every batch, live timelines per hall and per site, idle GPU-days."""
    pue = {s.key: Fraction(s.pue) for s in sites}
    site_of = {h.key: h.site for h in halls}
    hall_pue = {h.key: pue[h.site] for h in halls}
    idle, by_lot, by_site = _idle_totals(done, pue)
    return EnergizeResult(
        batches=tuple(done),
        halls=_timelines(placed, hall_pue, {k: k for k in hall_pue}, hall_pue),
        sites=_timelines(placed, pue, site_of, pue),
        idle=idle,
        idle_by_lot=by_lot,
        idle_by_site=by_site,
    )
