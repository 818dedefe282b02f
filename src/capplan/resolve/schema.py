"""Which attributes each block accepts (docs/language.md §8).

The per-block builders in `resolve.blocks` interpret the values; this table
is what E200 ("unknown attribute", with the closest suggestion), E201
(missing required) and the map-vs-value shape checks are driven by.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AttrSpec:
    required: bool = False
    map_ok: bool = False  # may be written as a map (a schedule, or labels)
    value_ok: bool = True  # may be written as a plain value
    date: bool = False  # a plain value is a date of the model (the horizon, W404)

    @property
    def schedule(self) -> bool:
        """A map of this attribute is a schedule: its keys are dates of the model."""
        return self.map_ok and self.value_ok


DATE = AttrSpec(date=True)


COMMON = {
    "description": AttrSpec(),
    "labels": AttrSpec(map_ok=True, value_ok=False),  # a map, not a schedule
}

SCHEMA: dict[str, dict[str, AttrSpec]] = {
    "plan": {"start": DATE, "end": DATE, "as_of": DATE, "capital_rate": AttrSpec()},
    "supplier": {
        "supplies": AttrSpec(),
        "lead_time": AttrSpec(),
        "allocation": AttrSpec(map_ok=True),
        "slip": AttrSpec(),
    },
    "rack_type": {
        "gpus": AttrSpec(required=True),
        "power": AttrSpec(required=True),
        "cooling": AttrSpec(required=True),
        "gpu": AttrSpec(),
        "nodes": AttrSpec(),
        "install": AttrSpec(),
        "fabric": AttrSpec(),
        "weight": AttrSpec(),
        "price": AttrSpec(),
        "life": AttrSpec(),
        "load": AttrSpec(),
    },
    "site": {
        "power": AttrSpec(required=True, map_ok=True),
        "pue": AttrSpec(),
        "reserve": AttrSpec(),
        "country": AttrSpec(),
        "region": AttrSpec(),
        "energy_price": AttrSpec(map_ok=True),
        "carbon": AttrSpec(map_ok=True),
        "power_slip": AttrSpec(),
    },
    "hall": {
        "positions": AttrSpec(required=True),
        "cooling": AttrSpec(required=True),
        "power": AttrSpec(map_ok=True),
        "ready": DATE,
        "ready_slip": AttrSpec(),
    },
    "lot": {
        "supplier": AttrSpec(required=True),
        "rack_type": AttrSpec(required=True),
        "racks": AttrSpec(),
        "gpus": AttrSpec(),
        "to": AttrSpec(required=True),
        "arrive": AttrSpec(map_ok=True, date=True),
        "order": DATE,
        "via": AttrSpec(),
        "priority": AttrSpec(),
        "slip": AttrSpec(),
    },
    "pop": {"country": AttrSpec(), "region": AttrSpec()},
    "link": {
        "from": AttrSpec(required=True),
        "to": AttrSpec(required=True),
        "capacity": AttrSpec(required=True, map_ok=True),
        "ready": DATE,
        "order": DATE,
        "supplier": AttrSpec(),
        "distance": AttrSpec(),
        "ready_slip": AttrSpec(),
    },
    "flow": {
        "from": AttrSpec(required=True),
        "to": AttrSpec(required=True),
        "rate": AttrSpec(required=True, map_ok=True),
        "protect": AttrSpec(),
    },
    "commitment": {
        "gpus": AttrSpec(required=True, map_ok=True),
        "site": AttrSpec(),
        "sites": AttrSpec(),
        "customer": AttrSpec(),
        "rack_type": AttrSpec(),
        "price": AttrSpec(),
    },
}

for _block in SCHEMA.values():
    _block.update(COMMON)
