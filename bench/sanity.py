"""An independent plausibility check of a generated fleet, on its JSON form.

This is not capplan: it re-implements, in a few lines and only for the subset the
generator writes, the rules of docs/language.md that make a fleet statically valid
and plannable, so that the benchmarks measure a compiler doing its normal work
and not one drowning in diagnostics:

* references resolve; schedule dates increase and lie in the plan horizon;
* lots give one of racks/gpus (a multiple of the rack type's GPUs), tranches add
  up, arrivals respect order + lead time, supplier allocations hold per period;
* every rack can go live on its ready day (halls ready, cooling, positions, hall
  power, site envelope × (1 - reserve) / pue, on that day and every later day);
* commitments are met on their dates when every rack goes live on its ready day;
* at every change day each endpoint's links can carry its flows (a cut bound; for
  protected flows, after losing the endpoint's largest link).

    python -m bench.sanity bench/out/L-inventory.json
"""

from __future__ import annotations

import argparse
import bisect
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

from bench.generate import add_months

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
QTY_RE = re.compile(r"^(\d[\d_]*(?:\.\d+)?)\s*(\S+)$")
SCALE: dict[str, float] = {
    "W": 1,
    "kW": 1e3,
    "MW": 1e6,
    "GW": 1e9,
    "Mbps": 1e6,
    "Gbps": 1e9,
    "Tbps": 1e12,
    "Mbps/gpu": 1e6,
    "Gbps/gpu": 1e9,
    "%": 0.01,
}


class Step:
    """A schedule of levels: 0 before the first entry, each level until the next."""

    def __init__(self, entries: Sequence[tuple[date, float]]) -> None:
        self.days = [d for d, _ in entries]
        self.levels = [v for _, v in entries]
        # min over the entries from k on: the level a load must respect from day d onwards
        self.suffix_min = list(self.levels)
        for k in range(len(self.levels) - 2, -1, -1):
            self.suffix_min[k] = min(self.levels[k], self.suffix_min[k + 1])

    def at(self, day: date) -> float:
        k = bisect.bisect_right(self.days, day) - 1
        return self.levels[k] if k >= 0 else 0.0

    def floor_from(self, day: date) -> float:
        """The lowest level on ``day`` and every later day."""
        k = bisect.bisect_right(self.days, day) - 1
        if k < 0:
            return 0.0
        return self.suffix_min[k]


@dataclass(slots=True)
class Rack:
    lot: str
    lot_index: int
    site: str
    hall: str | None
    rack_type: str
    gpus: int
    power: float
    cooling: str
    arrival: date
    ready: date
    priority: int


class Checker:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.problems: list[str] = []
        self.locals: dict[str, Any] = data.get("locals", {})
        plan: dict[str, Any] = next(iter(data.get("plan", {}).values()), {})
        self.start = date.fromisoformat(plan["start"])
        self.end = date.fromisoformat(plan["end"])
        self.suppliers: dict[str, Any] = data.get("supplier", {})
        self.rack_types: dict[str, Any] = data.get("rack_type", {})
        self.sites: dict[str, Any] = data.get("site", {})
        self.pops: dict[str, Any] = data.get("pop", {})
        self.racks: list[Rack] = []
        self.live: list[tuple[date, str, str, int]] = []  # (day, site, rack_type, gpus)

    # ---------------------------------------------------------------- helpers

    def problem(self, text: str) -> None:
        if len(self.problems) < 200:
            self.problems.append(text)

    def value(self, raw: Any) -> Any:
        if isinstance(raw, str) and raw.startswith("${local.") and raw.endswith("}"):
            return self.locals[raw[len("${local.") : -1]]
        return raw

    def quantity(self, raw: Any) -> tuple[float, str]:
        text = str(self.value(raw))
        count = 1.0
        if " x " in text:
            head, text = text.split(" x ", 1)
            count = float(head)
        match = QTY_RE.match(text)
        if match is None:
            raise ValueError(f"not a quantity: {raw!r}")
        number, unit = match.groups()
        return count * float(number.replace("_", "")), unit

    def si(self, raw: Any) -> float:
        number, unit = self.quantity(raw)
        return number * SCALE[unit]

    def after(self, day: date, duration: Any) -> date:
        number, unit = self.quantity(duration)
        if unit == "mo":
            return add_months(day, int(number))
        return day + timedelta(days=int(number) * {"d": 1, "w": 7}[unit])

    def step(self, raw: Any, what: str, convert: bool = True) -> Step:
        raw = self.value(raw)
        if isinstance(raw, dict):
            days = [date.fromisoformat(k) for k in raw]
            if any(b <= a for a, b in pairwise(days)):
                self.problem(f"E208 {what}: schedule dates not increasing")
            values = [self.si(v) if convert else float(v) for v in raw.values()]
            return Step(list(zip(days, values, strict=True)))
        return Step([(self.start, self.si(raw) if convert else float(raw))])

    # ----------------------------------------------------------------- checks

    def run(self) -> list[str]:
        self.check_dates(self.data, "")
        self.check_lots()
        self.check_allocations()
        self.check_energize()
        self.check_commitments()
        self.check_network()
        return self.problems

    def check_dates(self, node: Any, where: str) -> None:
        items: Iterable[tuple[str, Any]]
        if isinstance(node, dict):
            items = node.items()
        elif isinstance(node, list):
            items = ((str(k), v) for k, v in enumerate(node))
        else:
            if isinstance(node, str) and DATE_RE.match(node):
                self._horizon(node, where)
            return
        for key, child in items:
            if DATE_RE.match(key):
                self._horizon(key, where)
            self.check_dates(child, f"{where}.{key}" if where else key)

    def _horizon(self, text: str, where: str) -> None:
        day = date.fromisoformat(text)
        if not self.start <= day <= self.end:
            self.problem(f"W404 {where}: {text} outside the plan horizon")

    def check_lots(self) -> None:
        for index, (name, lot) in enumerate(self.data.get("lot", {}).items()):
            supplier = lot["supplier"]
            for ref in (supplier, lot.get("via")):
                if ref is not None and ref not in self.suppliers:
                    self.problem(f"E203 lot {name}: unknown supplier {ref}")
            rack_type = self.rack_types.get(lot["rack_type"])
            if rack_type is None:
                self.problem(f"E203 lot {name}: unknown rack_type {lot['rack_type']}")
                continue
            per_rack = int(rack_type["gpus"])
            if ("racks" in lot) == ("gpus" in lot):
                self.problem(f"E201 lot {name}: exactly one of racks/gpus")
                continue
            racks = int(lot["racks"]) if "racks" in lot else int(lot["gpus"]) // per_rack
            if "gpus" in lot and int(lot["gpus"]) % per_rack:
                self.problem(f"E209 lot {name}: GPUs not a multiple of {per_rack}")
            target = str(lot["to"])
            site_name, _, hall = target.partition(".")
            site = self.sites.get(site_name)
            if site is None or (hall and hall not in site.get("hall", {})):
                self.problem(f"E203 lot {name}: unknown target {target}")
                continue
            lead = self.suppliers[supplier].get("lead_time")
            order = date.fromisoformat(lot["order"]) if "order" in lot else None
            earliest = self.after(order, lead) if order is not None and lead else None
            arrive = lot.get("arrive")
            tranches: list[tuple[date, int]]
            if arrive is None:
                if earliest is None:
                    self.problem(f"E201 lot {name}: no arrive and no order + lead time")
                    continue
                tranches = [(earliest, racks)]
            elif isinstance(arrive, dict):
                tranches = [(date.fromisoformat(k), int(v)) for k, v in arrive.items()]
                if sum(c for _, c in tranches) != racks:
                    self.problem(f"E210 lot {name}: tranches do not add up to {racks}")
            else:
                tranches = [(date.fromisoformat(arrive), racks)]
            if earliest is not None and any(d < earliest for d, _ in tranches):
                self.problem(f"E401 lot {name}: arrives before order + lead time")
            install = rack_type.get("install", "0d")
            for day, count in tranches:
                ready = self.after(day, install)
                for _ in range(count):
                    self.racks.append(
                        Rack(
                            name,
                            index,
                            site_name,
                            hall or None,
                            lot["rack_type"],
                            per_rack,
                            self.si(rack_type["power"]),
                            str(rack_type["cooling"]),
                            day,
                            ready,
                            int(lot.get("priority", 0)),
                        )
                    )

    def check_allocations(self) -> None:
        by_lot = {name: lot for name, lot in self.data.get("lot", {}).items()}
        for name, supplier in self.suppliers.items():
            if "allocation" not in supplier:
                continue
            allocation = self.value(supplier["allocation"])
            sample = next(iter(allocation.values())) if isinstance(allocation, dict) else allocation
            unit = self.quantity(sample)[1]
            if isinstance(allocation, dict):
                levels = Step(
                    [(date.fromisoformat(k), self.quantity(v)[0]) for k, v in allocation.items()]
                )
            else:
                levels = Step([(self.start, self.quantity(allocation)[0])])
            used: dict[date, int] = defaultdict(int)
            for rack in self.racks:
                lot = by_lot[rack.lot]
                if name not in (lot["supplier"], lot.get("via")):
                    continue
                if unit.endswith("/w"):
                    period = rack.arrival - timedelta(days=rack.arrival.weekday())
                else:
                    period = rack.arrival.replace(day=1)
                used[period] += 1 if unit.startswith("racks") else rack.gpus
            for period, amount in sorted(used.items()):
                if amount > levels.at(period):
                    self.problem(
                        f"E402 supplier {name}: {amount} {unit} in the period of {period}, "
                        f"allowed {levels.at(period):g}"
                    )

    def check_energize(self) -> None:
        halls: dict[tuple[str, str], dict[str, Any]] = {}
        hall_order: dict[str, list[str]] = {}
        hall_power: dict[tuple[str, str], Step | None] = {}
        envelope: dict[str, Step] = {}
        factor: dict[str, float] = {}
        for site_name, site in self.sites.items():
            envelope[site_name] = self.step(site["power"], f"site {site_name} power")
            reserve = self.si(site["reserve"]) if "reserve" in site else 0.0
            factor[site_name] = float(self.value(site.get("pue", 1.0))) / (1 - reserve)
            hall_order[site_name] = list(site.get("hall", {}))
            for hall_name, hall in site.get("hall", {}).items():
                key = (site_name, hall_name)
                halls[key] = {
                    "positions": int(hall["positions"]),
                    "cooling": hall["cooling"],
                    "ready": date.fromisoformat(hall.get("ready", self.start.isoformat())),
                    "used": 0,
                    "power_used": 0.0,
                }
                power = hall.get("power")
                hall_power[key] = None if power is None else self.step(power, f"hall {key}")
        site_power: dict[str, float] = defaultdict(float)
        order = sorted(self.racks, key=lambda r: (r.ready, -r.priority, r.lot_index, r.arrival))
        waiting = 0
        for rack in order:
            candidates = [rack.hall] if rack.hall else hall_order[rack.site]
            placed = False
            for hall_name in candidates:
                key = (rack.site, hall_name)
                hall = halls[key]
                if hall["cooling"] not in (rack.cooling, "hybrid") or hall["ready"] > rack.ready:
                    continue
                if hall["used"] + 1 > hall["positions"]:
                    continue
                cap = hall_power[key]
                if cap is not None and hall["power_used"] + rack.power > cap.floor_from(rack.ready):
                    continue
                need = (site_power[rack.site] + rack.power) * factor[rack.site]
                if need > envelope[rack.site].floor_from(rack.ready) + 1e-6:
                    continue
                hall["used"] += 1
                hall["power_used"] += rack.power
                site_power[rack.site] += rack.power
                self.live.append((rack.ready, rack.site, rack.rack_type, rack.gpus))
                placed = True
                break
            if not placed:
                waiting += 1
                if waiting <= 5:
                    self.problem(f"W302 lot {rack.lot}: a rack cannot go live on {rack.ready}")
        if waiting > 5:
            self.problem(f"W302 {waiting} racks in all cannot go live on their ready day")
        self.live.sort()
        series: dict[tuple[str, str | None], list[tuple[date, int]]] = defaultdict(list)
        for day, site, rack_type, gpus in self.live:
            for key in ((site, None), (site, rack_type)):
                points = series[key]
                total = (points[-1][1] if points else 0) + gpus
                if points and points[-1][0] == day:
                    points[-1] = (day, total)
                else:
                    points.append((day, total))
        self.cumulative = {key: ([d for d, _ in v], [g for _, g in v]) for key, v in series.items()}

    def _live_gpus(self, day: date, sites: set[str], rack_type: str | None) -> int:
        total = 0
        for site in sites:
            days, counts = self.cumulative.get((site, rack_type), ([], []))
            k = bisect.bisect_right(days, day) - 1
            total += counts[k] if k >= 0 else 0
        return total

    def check_commitments(self) -> None:
        scopes: dict[tuple[frozenset[str], str | None], list[Step]] = defaultdict(list)
        dates: dict[tuple[frozenset[str], str | None], set[date]] = defaultdict(set)
        for name, commitment in self.data.get("commitment", {}).items():
            sites = commitment.get("sites") or [commitment["site"]]
            for site in sites:
                if site not in self.sites:
                    self.problem(f"E203 commitment {name}: unknown site {site}")
            scope = (frozenset(sites), commitment.get("rack_type"))
            gpus = commitment["gpus"]
            if isinstance(gpus, dict):
                step = Step([(date.fromisoformat(k), float(v)) for k, v in gpus.items()])
            else:
                step = Step([(self.end, float(gpus))])
            scopes[scope].append(step)
            dates[scope].update(step.days)
        for scope, steps in scopes.items():
            for day in sorted(dates[scope]):
                required = sum(s.at(day) for s in steps)
                live = self._live_gpus(day, set(scope[0]), scope[1])
                if live < required:
                    self.problem(
                        f"E400 {sorted(scope[0])}: {live} GPUs live on {day}, {required:g} due"
                    )

    def check_network(self) -> None:
        endpoints = set(self.sites) | set(self.pops)
        links: list[tuple[str, str, Step, date]] = []
        change: set[date] = {d for d, _, _, _ in self.live}
        for name, link in self.data.get("link", {}).items():
            if link["from"] not in endpoints or link["to"] not in endpoints:
                self.problem(f"E203 link {name}: unknown endpoint")
                continue
            capacity = self.step(link["capacity"], f"link {name} capacity")
            ready = date.fromisoformat(link["ready"]) if "ready" in link else None
            if "order" in link and "supplier" in link:
                lead = self.suppliers[link["supplier"]].get("lead_time")
                derived = self.after(date.fromisoformat(link["order"]), lead) if lead else None
                if ready is not None and derived is not None and ready < derived:
                    self.problem(f"E403 link {name}: ready before order + lead time")
                ready = ready or derived
            ready = ready or self.start
            links.append((link["from"], link["to"], capacity, ready))
            change.update(capacity.days)
            change.add(ready)
        flows: list[tuple[str, str, Step, bool, bool]] = []
        for name, flow in self.data.get("flow", {}).items():
            rate_raw = self.value(flow["rate"])
            sample = next(iter(rate_raw.values())) if isinstance(rate_raw, dict) else rate_raw
            per_gpu = self.quantity(sample)[1].endswith("/gpu")
            rate = self.step(rate_raw, f"flow {name} rate")
            flows.append((flow["from"], flow["to"], rate, per_gpu, bool(flow.get("protect"))))
            change.update(rate.days)
        incident: dict[str, list[tuple[Step, date]]] = defaultdict(list)
        for a, b, capacity, ready in links:
            incident[a].append((capacity, ready))
            incident[b].append((capacity, ready))
        leaving: dict[tuple[str, str], list[tuple[str, str, Step, bool, bool]]] = defaultdict(list)
        for flow_spec in flows:
            leaving[(flow_spec[0], "out")].append(flow_spec)
            leaving[(flow_spec[1], "in")].append(flow_spec)
        for day in sorted(change):
            gpus = {site: self._live_gpus(day, {site}, None) for site in self.sites}
            for endpoint in endpoints:
                caps = [c.at(day) if day >= r else 0.0 for c, r in incident[endpoint]]
                for direction in ("out", "in"):
                    demand = 0.0
                    protected = 0.0
                    for src, dst, rate, per_gpu, protect in leaving[(endpoint, direction)]:
                        level = rate.at(day)
                        if per_gpu:
                            level *= gpus[src] if src in self.sites else gpus.get(dst, 0)
                        demand += level
                        protected += level if protect else 0.0
                    if demand > sum(caps) + 1e-6:
                        self.problem(f"E500 {endpoint} {direction} on {day}: {demand:.3g} bit/s")
                    if protected > sum(caps) - max(caps, default=0.0) + 1e-6:
                        self.problem(f"E501 {endpoint} {direction} on {day}: protected flows")


def check(data: dict[str, Any]) -> list[str]:
    """Problems found in a generated fleet's JSON form (empty if none)."""
    return Checker(data).run()


def _summary(data: dict[str, Any]) -> Iterator[str]:
    for kind, group in data.items():
        if kind != "locals":
            yield f"{len(group)} {kind}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sanity")
    parser.add_argument("files", nargs="+", type=Path, help="generated .json files")
    args = parser.parse_args(argv)
    status = 0
    for path in args.files:
        data = json.loads(path.read_text(encoding="utf-8"))
        problems = check(data)
        print(f"{path}: {', '.join(_summary(data))}: {len(problems)} problems")
        for text in problems:
            print(f"  {text}")
        status = status or (1 if problems else 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
