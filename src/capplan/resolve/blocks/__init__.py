"""One builder per declaration kind, each returning its typed model value (or None).

`BLOCKS` says, for each kind, which other kinds' *built* values its builder
looks up (a lot reads its rack type's GPUs, its supplier's lead time and its
site's halls); the build order is derived from that, not written by hand.
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


@dataclass(frozen=True)
class Block:
    build: Callable[[Context, DeclSite], Decl | None]
    reads: tuple[str, ...] = ()  # kinds whose built values the builder looks up


BLOCKS: dict[str, Block] = {
    "plan": Block(build_plan),
    "supplier": Block(build_supplier),
    "rack_type": Block(build_rack_type),
    "site": Block(build_site),
    "pop": Block(build_pop),
    "lot": Block(build_lot, reads=("supplier", "rack_type", "site")),
    "link": Block(build_link, reads=("supplier",)),
    "flow": Block(build_flow),
    "commitment": Block(build_commitment),
}

BUILD_ORDER: tuple[str, ...] = tuple(
    TopologicalSorter({kind: block.reads for kind, block in BLOCKS.items()}).static_order()
)
