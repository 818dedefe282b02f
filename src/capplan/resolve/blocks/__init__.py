"""One builder per declaration kind, each returning its typed model value (or None).

`BLOCKS` says, for each kind, which other kinds' *built* values its builder
looks up (a lot reads its rack type's GPUs, its supplier's lead time and its
site's halls) and which part of the horizon it needs; the build order is
derived from that, not written by hand. Phases: the plan (it may fix the
horizon), then every kind that needs only the horizon's start (some derive
dates: order + lead time), then the kinds that need its end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from graphlib import TopologicalSorter

from capplan.model.decls import Decl
from capplan.resolve.blocks.commitment import build_commitment
from capplan.resolve.blocks.flow import build_flow
from capplan.resolve.blocks.link import build_link
from capplan.resolve.blocks.lot import build_lot
from capplan.resolve.blocks.plan import build_plan
from capplan.resolve.blocks.pop import build_pop
from capplan.resolve.blocks.rack_type import build_rack_type
from capplan.resolve.blocks.site import build_site
from capplan.resolve.blocks.supplier import build_supplier
from capplan.resolve.context import Context, DeclSite

PLAN, NEEDS_START, NEEDS_END = 0, 1, 2


@dataclass(frozen=True)
class Block:
    build: Callable[[Context, DeclSite], Decl | None]
    reads: tuple[str, ...] = ()  # kinds whose built values the builder looks up
    phase: int = NEEDS_START  # PLAN: gives the horizon; NEEDS_END: a plain value is due at its end


BLOCKS: dict[str, Block] = {
    "plan": Block(build_plan, phase=PLAN),
    "supplier": Block(build_supplier),
    "rack_type": Block(build_rack_type),
    "site": Block(build_site),
    "pop": Block(build_pop),
    "lot": Block(build_lot, reads=("supplier", "rack_type", "site")),
    "link": Block(build_link, reads=("supplier",)),
    "flow": Block(build_flow),
    "commitment": Block(build_commitment, phase=NEEDS_END),
}


def build_order(phase: int) -> tuple[str, ...]:
    """The kinds of one phase, each after the kinds it reads."""
    graph = {kind: block.reads for kind, block in BLOCKS.items()}
    order = TopologicalSorter(graph).static_order()
    return tuple(kind for kind in order if BLOCKS[kind].phase == phase)
