"""Tests of the energization engine (LANGUAGE.md §4) against hand-computed schedules.

Power is in integer milliwatts: 1 MW = 10**9 mW, 1 kW = 10**6 mW.
"""

from __future__ import annotations

import math
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from capplan.energize import (
    CAUSES,
    BatchResult,
    BatchSpec,
    Cause,
    Day,
    EnergizeResult,
    HallSpec,
    LiveLevel,
    SiteSpec,
    StepFn,
    cooling_accepts,
    energize,
)

KW = 10**6
MW = 10**9


def d(iso: str) -> Day:
    return date.fromisoformat(iso).toordinal()


def site(
    key: str = "s",
    envelope: StepFn = ((0, 10**6 * MW),),
    pue: Fraction = Fraction(1),
    reserve: Fraction = Fraction(0),
    halls: tuple[str, ...] = ("s.h",),
) -> SiteSpec:
    return SiteSpec(key, envelope, pue, reserve, halls)


def hall(
    key: str = "s.h",
    positions: int = 1000,
    cooling: str = "hybrid",
    power: StepFn | None = None,
    ready: Day = 0,
) -> HallSpec:
    return HallSpec(key, key.split(".")[0], positions, cooling, power, ready)


def batch(
    racks: int,
    arrival: Day = 0,
    installed: Day | None = None,
    *,
    lot: str = "lot",
    lot_index: int = 0,
    tranche: int = 0,
    gpus: int = 72,
    power: int = 100 * KW,
    cooling: str = "liquid",
    site: str = "s",
    hall: str | None = "s.h",
    priority: int = 0,
) -> BatchSpec:
    return BatchSpec(
        lot=lot,
        lot_index=lot_index,
        tranche=tranche,
        arrival=arrival,
        installed=arrival if installed is None else installed,
        racks=racks,
        gpus_per_rack=gpus,
        rack_power=power,
        cooling=cooling,
        site=site,
        hall=hall,
        priority=priority,
    )


def parts(r: BatchResult) -> list[tuple[Day, int, str]]:
    return [(p.day, p.racks, p.hall) for p in r.parts]


def waits(r: BatchResult) -> list[tuple[Cause, Day, Day, int]]:
    return [(w.cause, w.first_day, w.last_day_exclusive, w.racks) for w in r.waits]


# --------------------------------------------------------------------------- hand-computed


def test_partial_energization_under_site_envelope_with_pue_and_reserve() -> None:
    # The §6 example, with 200 racks instead of 120.
    # IT cap = floor(20 MW x 0.95 / 1.1) = floor(17,272,727,272.7 mW) = 17,272,727,272 mW.
    # 132 kW racks: floor(17,272,727,272 / 132,000,000) = floor(130.85) = 130 racks.
    # From 2026-06-01 (230 MW): floor(230e9 x 0.95 / 1.1 / 132e6) = 1504 >= 200, the rest fits.
    s = site(
        "narvik",
        envelope=((d("2025-12-01"), 20 * MW), (d("2026-06-01"), 230 * MW)),
        pue=Fraction(11, 10),
        reserve=Fraction(5, 100),
        halls=("narvik.kvandal_a",),
    )
    h = hall("narvik.kvandal_a", positions=800, cooling="liquid", ready=d("2025-11-15"))
    b = batch(
        200,
        d("2026-01-20"),
        d("2026-02-03"),  # install 2w
        gpus=72,
        power=132 * KW,
        site="narvik",
        hall="narvik.kvandal_a",
    )
    res = energize([s], [h], [b], d("2025-09-01"), d("2027-12-31"))
    (r,) = res.batches
    assert parts(r) == [
        (d("2026-02-03"), 130, "narvik.kvandal_a"),
        (d("2026-06-01"), 70, "narvik.kvandal_a"),
    ]
    assert [p.binding for p in r.parts] == ["ready", "site_power"]
    assert r.stranded == 0
    # Feb 3 -> Jun 1 2026 = 26 (Feb) + 31 + 30 + 31 = 118 days.
    # Both parts waited on install over the same days: one segment of 200 racks.
    assert waits(r) == [
        ("install", d("2026-01-20"), d("2026-02-03"), 200),
        ("site_power", d("2026-02-03"), d("2026-06-01"), 70),
    ]
    # install: 200 racks x 72 GPUs x 14 days = 201,600; site power: 70 x 72 x 118 = 594,720.
    assert res.idle["install"] == 201_600
    assert res.idle["site_power"] == 594_720
    assert res.idle_by_site["narvik"]["site_power"] == 594_720
    assert res.idle_by_lot["lot"]["install"] == 201_600
    # Facility power is IT x PUE, exact: 130 x 132 kW x 1.1 = 18,876 kW.
    first = res.sites["narvik"][0]
    assert first == LiveLevel(
        d("2026-02-03"), 130, 130 * 72, 130 * 132 * KW, Fraction(130 * 132 * KW) * Fraction(11, 10)
    )
    assert first.facility == 18_876 * KW


def test_step_down_envelope_holds_racks_back_to_firm_capacity() -> None:
    # 20 MW on [0, 50), 10 MW on [50, 100), 30 MW from 100; 1 MW racks, pue 1, no reserve.
    # Firm capacity from day 0 = min over the rest of the horizon = 10 MW -> 10 racks on day 0
    # although 20 would fit that day; from day 100 the minimum is 30 - 10 = 20 >= 15 more.
    s = site(envelope=((0, 20 * MW), (50, 10 * MW), (100, 30 * MW)))
    res = energize([s], [hall()], [batch(25, 0, power=1 * MW)], 0, 200)
    (r,) = res.batches
    assert parts(r) == [(0, 10, "s.h"), (100, 15, "s.h")]
    assert [p.binding for p in r.parts] == ["ready", "site_power"]
    assert waits(r) == [("site_power", 0, 100, 15)]
    # The site never exceeds 10 MW on [50, 100).
    assert [(lv.day, lv.it) for lv in res.sites["s"]] == [(0, 10 * MW), (100, 25 * MW)]


def test_step_down_at_horizon_end_counts_but_beyond_does_not() -> None:
    # Capacity drops to 0 on day 31 but the plan ends on day 30: only [0, 30] matters.
    s = site(envelope=((0, 5 * MW), (31, 0)))
    res = energize([s], [hall()], [batch(5, 0, power=1 * MW)], 0, 30)
    assert parts(res.batches[0]) == [(0, 5, "s.h")]
    # Ending on day 31 instead, the drop is inside the horizon: nothing can go live.
    res = energize([s], [hall()], [batch(5, 0, power=1 * MW)], 0, 31)
    assert res.batches[0].stranded == 5
    assert res.batches[0].stranded_cause == "site_power"


def test_hall_power_limits_then_releases_on_its_step() -> None:
    # Hall IT 5 MW, 8 MW from day 30; 1 MW racks: 5 on day 10, 2 on day 30 (hall_power).
    h = hall(power=((0, 5 * MW), (30, 8 * MW)))
    res = energize([site()], [h], [batch(7, 10, power=1 * MW, gpus=8)], 0, 100)
    (r,) = res.batches
    assert parts(r) == [(10, 5, "s.h"), (30, 2, "s.h")]
    assert [p.binding for p in r.parts] == ["ready", "hall_power"]
    assert waits(r) == [("hall_power", 10, 30, 2)]
    assert res.idle["hall_power"] == 2 * 8 * 20  # racks x GPUs x days


def test_positions_strand_racks_for_the_rest_of_the_horizon() -> None:
    # 3 positions, 5 racks ready day 10, end day 99: 2 racks wait days 10..99 = 90 days.
    res = energize([site()], [hall(positions=3)], [batch(5, 10, gpus=4)], 0, 99)
    (r,) = res.batches
    assert parts(r) == [(10, 3, "s.h")]
    assert r.stranded == 2
    assert r.stranded_cause == "positions"
    assert waits(r) == [("positions", 10, 100, 2)]
    assert res.idle["positions"] == 2 * 4 * 90


def test_cooling_mismatch_never_goes_live() -> None:
    # Liquid racks in an air hall: stranded; waits install on [0, 5), cooling on [5, 20].
    res = energize([site()], [hall(cooling="air")], [batch(2, 0, 5, gpus=1)], 0, 20)
    (r,) = res.batches
    assert r.parts == () and r.stranded == 2
    assert waits(r) == [("install", 0, 5, 2), ("cooling", 5, 21, 2)]
    assert r.stranded_cause == "cooling"
    assert res.idle["cooling"] == 2 * 1 * 16


def test_hybrid_hall_accepts_both_coolings() -> None:
    assert cooling_accepts("hybrid", "air") and cooling_accepts("hybrid", "liquid")
    assert cooling_accepts("air", "air") and not cooling_accepts("air", "liquid")
    res = energize(
        [site()],
        [hall(cooling="hybrid")],
        [batch(1, 0, cooling="air"), batch(1, 0, tranche=1)],
        0,
        9,
    )
    assert [r.stranded for r in res.batches] == [0, 0]


def test_higher_priority_goes_first_on_the_same_ready_day() -> None:
    # Room for 4 racks of 1 MW. Lot a (declared first) and lot b (priority 5) both ready day 3.
    s = site(envelope=((0, 4 * MW),))
    a = batch(4, 3, lot="a", lot_index=0, power=1 * MW)
    b = batch(4, 3, lot="b", lot_index=1, power=1 * MW, priority=5)
    res = energize([s], [hall()], [a, b], 0, 9)
    ra, rb = res.batches  # results keep input order
    assert parts(rb) == [(3, 4, "s.h")]
    assert ra.stranded == 4 and ra.stranded_cause == "site_power"
    # Same priority: declaration order decides.
    res = energize([s], [hall()], [a, replace(b, priority=0)], 0, 9)
    assert parts(res.batches[0]) == [(3, 4, "s.h")]
    # An earlier ready day beats any priority.
    res = energize([s], [hall()], [replace(a, arrival=2, installed=2), b], 0, 9)
    assert parts(res.batches[0]) == [(2, 4, "s.h")]


def test_hall_ready_date_delays_go_live() -> None:
    # Arrive day 0, installed day 5, hall ready day 20: install [0,5), hall_not_ready [5,20).
    res = energize([site()], [hall(ready=20)], [batch(3, 0, 5, gpus=2)], 0, 50)
    (r,) = res.batches
    assert parts(r) == [(20, 3, "s.h")]
    assert r.parts[0].binding == "ready"
    assert waits(r) == [("install", 0, 5, 3), ("hall_not_ready", 5, 20, 3)]
    assert res.idle["install"] == 3 * 2 * 5 and res.idle["hall_not_ready"] == 3 * 2 * 15


def test_install_time_and_plan_start_clip_waiting() -> None:
    # Arrive day 10, installed day 24 (2 weeks): live day 24, 14 install days.
    res = energize([site()], [hall()], [batch(1, 10, 24, gpus=1)], 0, 50)
    assert parts(res.batches[0]) == [(24, 1, "s.h")]
    assert waits(res.batches[0]) == [("install", 10, 24, 1)]
    # Plan starts on day 20: nothing is live before it and only days 20..23 are counted.
    res = energize([site()], [hall()], [batch(1, 10, 24, gpus=1)], 20, 50)
    assert waits(res.batches[0]) == [("install", 20, 24, 1)]
    # Ready before the start: live on the start day, no waiting counted at all.
    res = energize([site()], [hall()], [batch(1, 0, 5, gpus=1)], 20, 50)
    assert parts(res.batches[0]) == [(20, 1, "s.h")] and res.batches[0].waits == ()


def test_site_lot_takes_first_accepting_hall_then_spills_to_the_next() -> None:
    # Halls in declaration order: a (air), b (liquid, 5 positions), c (hybrid, 10 positions).
    # 12 liquid racks ready day 0: b takes 5, then c takes 7, the same day.
    s = site(halls=("s.a", "s.b", "s.c"))
    halls = [hall("s.a", cooling="air"), hall("s.b", 5, "liquid"), hall("s.c", 10, "hybrid")]
    res = energize([s], halls, [batch(12, 0, hall=None)], 0, 30)
    assert parts(res.batches[0]) == [(0, 5, "s.b"), (0, 7, "s.c")]


def test_site_lot_earliest_day_wins_over_declaration_order() -> None:
    # Hall a ready day 30 (first declared), hall b ready day 0 with 2 positions.
    # 5 racks ready day 0: 2 in b on day 0, 3 in a on day 30.
    # Causes consult hall a (the first whose cooling accepts): hall_not_ready on [0, 30).
    s = site(halls=("s.a", "s.b"))
    halls = [hall("s.a", ready=30), hall("s.b", positions=2)]
    res = energize([s], halls, [batch(5, 0, hall=None, gpus=1)], 0, 60)
    (r,) = res.batches
    assert parts(r) == [(0, 2, "s.b"), (30, 3, "s.a")]
    assert waits(r) == [("hall_not_ready", 0, 30, 3)]


def test_site_lot_with_no_accepting_hall_waits_on_cooling() -> None:
    s = site(halls=("s.a", "s.b"))
    halls = [hall("s.a", cooling="air", ready=10), hall("s.b", cooling="air")]
    res = energize([s], halls, [batch(1, 0, hall=None, gpus=1)], 0, 19)
    # v0.2 rule 5: no hall of the site accepts the rack, so the cause is cooling on every
    # day 0..19 (20 days), not "hall not ready" first (that was the v0.1 reading).
    assert waits(res.batches[0]) == [("cooling", 0, 20, 1)]


def test_exact_fit_uses_exact_arithmetic() -> None:
    # 11 MW envelope / pue 1.1 = exactly 10 MW IT (in floats 11e9 / 1.1 = 9,999,999,999.999998).
    # Ten 1 MW racks fit exactly, the eleventh does not.
    s = site(envelope=((0, 11 * MW),), pue=Fraction(11, 10))
    res = energize([s], [hall()], [batch(11, 0, power=1 * MW)], 0, 10)
    assert parts(res.batches[0]) == [(0, 10, "s.h")]
    assert res.batches[0].stranded == 1
    # Reserve: 20 MW x (1 - 25%) / 1.5 = exactly 10 MW IT; a hall of exactly 4 MW takes 4 racks.
    s = site(envelope=((0, 20 * MW),), pue=Fraction(3, 2), reserve=Fraction(1, 4))
    h = hall(power=((0, 4 * MW),))
    res = energize([s], [h], [batch(5, 0, power=1 * MW)], 0, 10)
    assert parts(res.batches[0]) == [(0, 4, "s.h")]
    assert res.batches[0].stranded_cause == "hall_power"


def test_stranded_racks_and_idle_gpu_days_by_cause() -> None:
    # Site s: 2 MW envelope. Lot x: 3 racks arrive 0, installed 4 -> 2 live day 4, 1 stranded
    # (site power) on [4, 20]. Lot y: 1 air rack into a liquid hall: cooling on [0, 20].
    # Site t: lot z, 1 rack arriving after the plan end: stranded, never waited in the horizon.
    s = site(envelope=((0, 2 * MW),), halls=("s.h", "s.air"))
    t = site("t", halls=("t.h",))
    halls = [hall(), hall("s.air", cooling="liquid"), hall("t.h")]
    x = batch(3, 0, 4, lot="x", power=1 * MW, gpus=10)
    y = batch(1, 0, lot="y", lot_index=1, cooling="air", hall="s.air", gpus=10)
    z = batch(1, 30, lot="z", lot_index=2, site="t", hall="t.h")
    res = energize([s, t], halls, [x, y, z], 0, 20)
    rx, ry, rz = res.batches
    assert (rx.live, rx.stranded, rx.stranded_cause) == (2, 1, "site_power")
    assert (ry.live, ry.stranded, ry.stranded_cause) == (0, 1, "cooling")
    assert (rz.live, rz.stranded, rz.stranded_cause, rz.waits) == (0, 1, None, ())
    # x: install 3 racks x 10 GPUs x 4 days = 120; site power 1 x 10 x 17 days (4..20) = 170.
    # y: cooling 1 x 10 x 21 days (0..20) = 210.
    assert res.idle_by_lot["x"] == {**dict.fromkeys(CAUSES, 0), "install": 120, "site_power": 170}
    assert res.idle_by_lot["y"]["cooling"] == 210
    assert res.idle_by_lot["z"] == dict.fromkeys(CAUSES, 0)
    assert res.idle_by_site["s"]["install"] == 120 and res.idle_by_site["s"]["cooling"] == 210
    assert res.idle_by_site["t"] == dict.fromkeys(CAUSES, 0)
    assert res.idle == {
        **dict.fromkeys(CAUSES, 0),
        "install": 120,
        "site_power": 170,
        "cooling": 210,
    }
    assert res.stranded == 3


def test_timelines_change_only_when_racks_go_live() -> None:
    s = site(pue=Fraction(5, 4), halls=("s.a", "s.b"))
    halls = [hall("s.a", positions=1), hall("s.b")]
    bs = [batch(2, 5, hall=None, gpus=8, power=10 * KW), batch(1, 9, hall="s.b", tranche=1)]
    res = energize([s], halls, bs, 0, 20)
    assert res.halls["s.a"] == (LiveLevel(5, 1, 8, 10 * KW, Fraction(125 * 10**5)),)
    assert [(lv.day, lv.racks, lv.gpus, lv.it) for lv in res.halls["s.b"]] == [
        (5, 1, 8, 10 * KW),
        (9, 2, 80, 110 * KW),
    ]
    assert [(lv.day, lv.racks, lv.it, lv.facility) for lv in res.sites["s"]] == [
        (5, 2, 20 * KW, Fraction(25 * KW)),
        (9, 3, 120 * KW, Fraction(150 * KW)),
    ]


def test_zero_power_racks_only_need_positions() -> None:
    s = site(envelope=())  # no envelope at all: 0 W
    res = energize([s], [hall(positions=2)], [batch(3, 0, power=0)], 0, 5)
    assert parts(res.batches[0]) == [(0, 2, "s.h")] and res.batches[0].stranded == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"end": -1}, "before start"),
        ({"batches": [batch(1, hall="s.x")]}, "not a hall of site"),
        ({"batches": [batch(1, site="q")]}, "unknown site"),
        ({"batches": [batch(1, 5, 4)]}, "installed before arrival"),
        ({"sites": [site(envelope=((2, 1), (1, 1)))]}, "strictly increase"),
        ({"sites": [site(pue=Fraction(9, 10))]}, "pue"),
        ({"sites": [site(halls=())]}, "do not match"),
    ],
)
def test_inconsistent_input_is_rejected(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {
        "sites": [site()],
        "halls": [hall()],
        "batches": [batch(1)],
        "start": 0,
        "end": 10,
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        energize(**args)


# --------------------------------------------------------------------------- naive reference


_CAPACITY: tuple[Cause, ...] = ("positions", "hall_power", "site_power")


@dataclass
class _Reference:
    """Rack by rack, day by day: §4 read literally. Quadratic; small inputs only."""

    sites: Sequence[SiteSpec]
    halls: Sequence[HallSpec]
    start: Day
    end: Day

    def __post_init__(self) -> None:
        self.days = range(self.start, self.end + 1)
        self.hall = {h.key: h for h in self.halls}
        self.site = {s.key: s for s in self.sites}
        self.racks = {h.key: dict.fromkeys(self.days, 0) for h in self.halls}
        self.hall_it = {h.key: dict.fromkeys(self.days, 0) for h in self.halls}
        self.site_it = {s.key: dict.fromkeys(self.days, 0) for s in self.sites}

    def site_ok(self, s: SiteSpec, t: Day, it: int) -> bool:
        return it * s.pue <= _level(s.envelope, t) * (1 - s.reserve)

    def blocks(self, cause: str, h: HallSpec, b: BatchSpec, x: Day) -> bool:
        later = range(x, self.end + 1)
        if cause == "positions":
            return any(self.racks[h.key][t] + 1 > h.positions for t in later)
        if cause == "hall_power":
            return h.power is not None and any(
                self.hall_it[h.key][t] + b.rack_power > _level(h.power, t) for t in later
            )
        s = self.site[h.site]
        return any(not self.site_ok(s, t, self.site_it[s.key][t] + b.rack_power) for t in later)

    def fits(self, h: HallSpec, b: BatchSpec, x: Day) -> bool:
        if x < h.ready or not cooling_accepts(h.cooling, b.cooling):
            return False
        return not any(self.blocks(c, h, b, x) for c in _CAPACITY)

    def cause(self, hall_keys: Sequence[str], b: BatchSpec, x: Day, live_in: str | None) -> Cause:
        """v0.2 rule 5: read in the hall the rack goes live in; stranded racks in the
        first accepting hall; no hall of a site accepting the rack: cooling."""
        accepting = [k for k in hall_keys if cooling_accepts(self.hall[k].cooling, b.cooling)]
        if x < b.installed:
            return "install"
        if not accepting and b.hall is None:
            return "cooling"
        h = self.hall[live_in or (accepting or list(hall_keys))[0]]
        if x < h.ready:
            return "hall_not_ready"
        if not accepting:
            return "cooling"
        for c in _CAPACITY:
            if self.blocks(c, h, b, x):
                return c
        raise AssertionError(f"rack waits on day {x} without a cause")

    def place_rack(self, b: BatchSpec) -> tuple[Day | None, str | None, Counter[tuple[Cause, Day]]]:
        keys = self.site[b.site].halls if b.hall is None else (b.hall,)
        ready = b.installed if b.hall is None else max(b.installed, self.hall[b.hall].ready)
        live: tuple[Day, str] | None = None
        for x in range(max(ready, self.start), self.end + 1):
            ok = [k for k in keys if self.fits(self.hall[k], b, x)]
            if ok:
                live = (x, ok[0])
                break
        stop = self.end + 1 if live is None else live[0]
        live_in = None if live is None else live[1]
        causes = Counter(
            (self.cause(keys, b, x, live_in), x) for x in range(max(b.arrival, self.start), stop)
        )
        if live is None:
            return None, None, causes
        x, k = live
        for t in range(x, self.end + 1):
            self.racks[k][t] += 1
            self.hall_it[k][t] += b.rack_power
            self.site_it[b.site][t] += b.rack_power
        return x, k, causes

    def run(
        self, batches: Sequence[BatchSpec]
    ) -> list[tuple[Counter[object], int, Counter[object]]]:
        def key(i: int) -> tuple[int, ...]:
            b = batches[i]
            ready = b.installed if b.hall is None else max(b.installed, self.hall[b.hall].ready)
            return (ready, -b.priority, b.lot_index, b.tranche, i)

        out: list[tuple[Counter[object], int, Counter[object]]] = [
            (Counter(), 0, Counter()) for _ in batches
        ]
        for i in sorted(range(len(batches)), key=key):
            placed: Counter[object] = Counter()
            causes: Counter[object] = Counter()
            stranded = 0
            for _ in range(batches[i].racks):
                x, k, c = self.place_rack(batches[i])
                causes.update(c)
                if x is None:
                    stranded += 1
                else:
                    placed[(x, k)] += 1
            out[i] = (placed, stranded, causes)
        return out


def _level(step: StepFn, day: Day) -> int:
    level = 0
    for at, value in step:
        if at <= day:
            level = value
    return level


def _summary(r: BatchResult) -> tuple[Counter[object], int, Counter[object]]:
    placed: Counter[object] = Counter()
    for p in r.parts:
        placed[(p.day, p.hall)] += p.racks
    causes: Counter[object] = Counter()
    for w in r.waits:
        for x in range(w.first_day, w.last_day_exclusive):
            causes[(w.cause, x)] += w.racks
    return placed, r.stranded, causes


def _check_invariants(
    res: EnergizeResult,
    sites: Sequence[SiteSpec],
    halls: Sequence[HallSpec],
    batches: Sequence[BatchSpec],
    start: Day,
    end: Day,
) -> None:
    hall_by = {h.key: h for h in halls}
    site_by = {s.key: s for s in sites}
    racks: Counter[tuple[str, Day]] = Counter()
    hall_it: Counter[tuple[str, Day]] = Counter()
    site_it: Counter[tuple[str, Day]] = Counter()
    for b, r in zip(batches, res.batches, strict=True):
        assert r.batch is b
        assert sum(p.racks for p in r.parts) + r.stranded == b.racks
        assert r.stranded_cause is None or r.stranded
        for p in r.parts:
            h = hall_by[p.hall]
            assert h.site == b.site and (b.hall is None or b.hall == p.hall)
            assert max(b.installed, h.ready, start) <= p.day <= end
            assert cooling_accepts(h.cooling, b.cooling) and p.racks > 0
            for t in range(p.day, end + 1):
                racks[(p.hall, t)] += p.racks
                hall_it[(p.hall, t)] += p.racks * b.rack_power
                site_it[(b.site, t)] += p.racks * b.rack_power
        # Waiting covers exactly the days each rack is not live inside the horizon.
        expected = 0
        for p in r.parts:
            expected += p.racks * max(0, p.day - max(b.arrival, start))
        expected += r.stranded * max(0, end + 1 - max(b.arrival, start))
        assert sum(w.racks * w.days for w in r.waits) == expected
    for (k, t), n in racks.items():
        h = hall_by[k]
        assert n <= h.positions
        assert h.power is None or hall_it[(k, t)] <= _level(h.power, t)
    for (k, t), it in site_it.items():
        s = site_by[k]
        assert it * s.pue <= _level(s.envelope, t) * (1 - s.reserve)


@st.composite
def _models(
    draw: st.DrawFn,
) -> tuple[list[SiteSpec], list[HallSpec], list[BatchSpec], Day, Day]:
    start = 1000
    end = start + draw(st.integers(0, 18))
    days = st.integers(start - 4, end + 3)

    def step(levels: st.SearchStrategy[int]) -> StepFn:
        at = sorted(draw(st.sets(days, max_size=3)))
        return tuple((a, draw(levels)) for a in at)

    sites: list[SiteSpec] = []
    halls: list[HallSpec] = []
    for i in range(draw(st.integers(1, 2))):
        keys = tuple(f"s{i}.h{j}" for j in range(draw(st.integers(1, 3))))
        for key in keys:
            power = draw(st.none() | st.just(step(st.integers(0, 6).map(lambda x: x * 1000))))
            cooling = draw(st.sampled_from(["air", "liquid", "hybrid", "hybrid"]))
            halls.append(
                HallSpec(key, f"s{i}", draw(st.integers(0, 5)), cooling, power, draw(days))
            )
        envelope = step(st.integers(0, 12).map(lambda x: x * 1100))
        pue = draw(st.sampled_from([Fraction(1), Fraction(11, 10), Fraction(5, 4)]))
        reserve = draw(st.sampled_from([Fraction(0), Fraction(1, 20), Fraction(1, 11)]))
        sites.append(SiteSpec(f"s{i}", envelope, pue, reserve, keys))
    batches: list[BatchSpec] = []
    for lot in range(draw(st.integers(1, 4))):
        s = draw(st.sampled_from(sites))
        target = draw(st.none() | st.sampled_from(s.halls))
        cooling = draw(st.sampled_from(["air", "liquid"]))
        rack_power = draw(st.sampled_from([0, 1000, 1000, 2000, 3000]))
        priority = draw(st.integers(0, 1))
        for tranche in range(draw(st.integers(1, 2))):
            arrival = draw(days)
            batches.append(
                BatchSpec(
                    f"lot{lot}",
                    lot,
                    tranche,
                    arrival,
                    arrival + draw(st.integers(0, 3)),
                    draw(st.integers(0, 3)),
                    draw(st.integers(1, 4)),
                    rack_power,
                    cooling,
                    s.key,
                    target,
                    priority,
                )
            )
    return sites, halls, batches, start, end


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_models())
def test_engine_agrees_with_day_by_day_reference(
    model: tuple[list[SiteSpec], list[HallSpec], list[BatchSpec], Day, Day],
) -> None:
    sites, halls, batches, start, end = model
    res = energize(sites, halls, batches, start, end)
    _check_invariants(res, sites, halls, batches, start, end)
    expected = _Reference(sites, halls, start, end).run(batches)
    assert [_summary(r) for r in res.batches] == expected


# --------------------------------------------------------------------------- scale


def synthetic_fleet(
    n_batches: int, seed: int = 7
) -> tuple[list[SiteSpec], list[HallSpec], list[BatchSpec], Day, Day]:
    """20 sites x 3 halls, single-rack batches, capacity that lags demand.

    Envelopes step up quarterly (with one dip, so firm capacity matters) to about
    90% of what a site's racks need; hall power and positions bind too.
    """
    rng = random.Random(seed)
    start, end = d("2025-09-01"), d("2028-12-31")
    per_site = max(1, n_batches // 20)
    need = per_site * 132 * KW  # IT of every rack sent to one site
    sites: list[SiteSpec] = []
    halls: list[HallSpec] = []
    for i in range(20):
        keys = tuple(f"s{i}.h{j}" for j in range(3))
        for j, key in enumerate(keys):
            power = tuple((start + 120 * k + j, (k + 1) * need // 12) for k in range(8))
            cooling = ("liquid", "hybrid", "air")[j]
            halls.append(HallSpec(key, f"s{i}", per_site // 2, cooling, power, start + 30 * j))
        unit = need * 11 // 10 * 9 // 10 // 95 * 100 // 12  # 12 steps to ~90% of need
        steps = [(start + 90 * k, (k + 1) * unit) for k in range(12)]
        steps.insert(6, (start + 90 * 5 + 45, 4 * unit))  # a dip: firm capacity matters
        envelope = tuple(steps)
        sites.append(SiteSpec(f"s{i}", envelope, Fraction(11, 10), Fraction(5, 100), keys))
    batches: list[BatchSpec] = []
    for n in range(n_batches):
        i = rng.randrange(20)
        arrival = start + rng.randrange(end - start - 60)
        hall_key = rng.choice([None, f"s{i}.h0", f"s{i}.h1"])
        batches.append(
            BatchSpec(
                lot=f"lot{n // 10}",
                lot_index=n // 10,
                tranche=n % 10,
                arrival=arrival,
                installed=arrival + 14,
                racks=1,
                gpus_per_rack=72,
                rack_power=132 * KW,
                cooling="liquid",
                site=f"s{i}",
                hall=hall_key,
                priority=rng.randrange(3),
            )
        )
    return sites, halls, batches, start, end


def test_synthetic_fleet_runs_and_keeps_invariants() -> None:
    """Sanity only (no timing assert): the engine handles a realistic fleet."""
    sites, halls, batches, start, end = synthetic_fleet(2000)
    t0 = time.perf_counter()
    res = energize(sites, halls, batches, start, end)
    elapsed = time.perf_counter() - t0
    print(f"\n2,000 single-rack batches: {elapsed:.3f} s", file=sys.stderr)
    assert sum(r.live for r in res.batches) + res.stranded == len(batches)
    assert any(p.binding != "ready" for r in res.batches for p in r.parts)
    assert res.idle["site_power"] > 0
    for key, timeline in res.sites.items():
        s = next(s for s in sites if s.key == key)
        for lv in timeline:
            assert lv.facility <= _level(s.envelope, lv.day) * (1 - s.reserve)
            assert math.isclose(float(lv.facility), lv.it * 1.1)


if __name__ == "__main__":  # python tests/test_energize.py [n ...]: timing report
    for n in [int(a) for a in sys.argv[1:]] or [14_000, 140_000]:
        model = synthetic_fleet(n)
        t0 = time.perf_counter()
        out = energize(*model)
        dt = time.perf_counter() - t0
        parts_n = sum(len(r.parts) for r in out.batches)
        print(f"{n:>7} batches: {dt:.2f} s, {parts_n} parts, {out.stranded} stranded")
