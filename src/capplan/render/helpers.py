"""Functions templates may call (Jinja globals), kept in Python so they are tested once.

They compute views of the context that several templates need in the same form
(labels on every manifest, milestones for the Markdown and JSON plans, the Slurm block
sizes, NetBox feed amperage) so that two templates cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Literal

from pydantic import BaseModel, ConfigDict

from capplan.charts.catalog import Chart
from capplan.model.rules import value_in_force
from capplan.render.context import (
    Commitment,
    CommitmentLevel,
    Electrical,
    Lot,
    PlanInfo,
    PowerStep,
    Rack,
    RenderContext,
    Site,
    Tranche,
)
from capplan.render.names import invalid_labels, is_dns1123_label, k8s_name
from capplan.render.serialise import SafeHtml, TemplateDataError
from capplan.views.page import Page

LABEL_KEYS: Mapping[str, str] = {
    "site": "capplan.io/site",
    "hall": "capplan.io/hall",
    "rack": "capplan.io/rack",
    "hostname": "kubernetes.io/hostname",
    "gpu_product": "nvidia.com/gpu.product",
    "plan": "capplan.io/plan",
    "managed_by": "app.kubernetes.io/managed-by",
}
"""Label keys used in manifests. Nodes must carry `capplan.io/site`, `capplan.io/hall`
and `capplan.io/rack` (values: the site's and hall's `k8s_name`, the rack's `name`) for
Kueue topology-aware scheduling; `nvidia.com/gpu.product` comes from NVIDIA GPU
feature discovery."""

ANNOTATION_KEYS: Mapping[str, str] = {
    "description": "capplan.io/description",
    "commitment": "capplan.io/commitment",
    "committed_gpus": "capplan.io/committed-gpus",
}

MilestoneKind = Literal["envelope", "hall-ready", "arrival", "go-live", "commitment"]
_KIND_ORDER: Mapping[str, int] = {
    "envelope": 0,
    "hall-ready": 1,
    "arrival": 2,
    "go-live": 3,
    "commitment": 4,
}


class Milestone(BaseModel):
    """A dated event in a site's plan, for the milestone table and `plan.json`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    date: dt.date
    kind: MilestoneKind
    subject: str
    """`.cap` name of the lot, hall or commitment; the site name for envelope steps."""
    text: str
    """One-line human description (plain text: escape it for the output syntax)."""
    racks: int | None = None
    gpus: int | None = None
    mw: float | None = None
    met: bool | None = None


def manifest_labels(plan: PlanInfo, site: Site) -> dict[str, str]:
    """Labels for every manifest of a site: `.cap` labels plus capplan's own.

    Plan labels, then site labels, then capplan's keys (which win, so that selectors on
    `capplan.io/*` and `app.kubernetes.io/managed-by` stay reliable). A `.cap` label
    that Kubernetes would reject is an error naming it, not silently altered.
    """
    merged = {**plan.labels, **site.labels}
    bad = invalid_labels(merged)
    if bad:
        raise TemplateDataError(
            f"site {site.name}: labels are not valid Kubernetes labels: {', '.join(bad)}"
        )
    merged.update(
        {
            LABEL_KEYS["managed_by"]: "capplan",
            LABEL_KEYS["plan"]: plan.k8s_name,
            LABEL_KEYS["site"]: site.k8s_name,
        }
    )
    return dict(sorted(merged.items()))


def level_at(steps: Sequence[PowerStep], day: dt.date) -> float:
    """The level of a step schedule on `day` (0 before the first step)."""
    return value_in_force([s.date for s in steps], [s.mw for s in steps], day, 0.0)


def milestones(site: Site) -> list[Milestone]:
    """The site's dated events, sorted by date, then kind, then subject."""
    events: list[Milestone] = [
        Milestone(
            date=step.date,
            kind="envelope",
            subject=site.name,
            text=f"grid envelope {step.mw:.1f} MW",
            mw=step.mw,
        )
        for step in site.envelope
    ]
    events += [
        Milestone(
            date=hall.ready, kind="hall-ready", subject=hall.name, text=f"hall {hall.name} ready"
        )
        for hall in site.halls
    ]
    for lot in site.lots:
        arrive = f"racks of {lot.rack_type} arrive"
        events += _tranche_milestones(lot, lot.arrivals, "arrival", arrive)
        events += _tranche_milestones(lot, lot.go_live, "go-live", "racks go live")
    events += [_commitment_milestone(entry) for entry in site.commitments]
    return sorted(events, key=lambda event: (event.date, _KIND_ORDER[event.kind], event.subject))


def _tranche_milestones(
    lot: Lot, tranches: Sequence[Tranche], kind: MilestoneKind, what: str
) -> list[Milestone]:
    """A lot's arrivals or go-lives: "lot NAME: RACKS <what>" on each tranche's date."""
    return [
        Milestone(
            date=tranche.date,
            kind=kind,
            subject=lot.name,
            text=f"lot {lot.name}: {tranche.racks} {what}",
            racks=tranche.racks,
        )
        for tranche in tranches
    ]


def _commitment_milestone(entry: Commitment) -> Milestone:
    """Milestone of a commitment date (met or not, with the numbers)."""
    customer = f" ({entry.customer})" if entry.customer else ""
    verdict = "met" if entry.met else f"NOT met, short by {entry.required - entry.live}"
    return Milestone(
        date=entry.date,
        kind="commitment",
        subject=entry.name,
        text=(
            f"commitment {entry.name}{customer}: {entry.required} GPUs required, "
            f"{entry.live} live, {verdict}"
        ),
        gpus=entry.required,
        met=entry.met,
    )


class SlurmBlock(BaseModel):
    """One `BlockName` line of a Slurm block topology: a rack, or an empty padding block."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    hall: str
    """`.cap` name of the hall the block belongs to."""
    nodes: tuple[str, ...] = ()
    """Hostnames; empty for a padding block (Slurm accepts a block with no nodes)."""


class SlurmTopology(BaseModel):
    """A site's Slurm `topology/block` layout (see :func:`slurm_topology`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    blocks: tuple[SlurmBlock, ...]
    block_sizes: tuple[int, ...]
    """`BlockSizes`, in nodes: the base block size and its doublings."""
    base_nodes: int
    """Nodes per block (the node count of the racks in blocks)."""
    left_out: tuple[Rack, ...] = ()
    """Live racks of another node count: not in any block (see the docs)."""


MAX_BLOCK_LEVEL = 15
"""Slurm refuses a `BlockSizes` entry above 2^15 base blocks."""


def slurm_topology(site: Site) -> SlurmTopology | None:
    """The block topology of a site's live racks, or None when no rack is live.

    Slurm refuses a block topology without blocks, so a site with nothing live gets no
    file. Blocks are the racks of the largest node count (an NVL72 rack is one NVLink
    domain of 18 nodes); Slurm plans in base blocks of one size, so racks of other node
    counts are left out (Slurm still allocates them to jobs of a partition that holds no
    block node). Racks are grouped by hall (halls by name, racks by name) and each hall
    is padded with empty blocks to a multiple of the largest aggregation, so that
    Slurm's aggregated blocks (2^k consecutive blocks, aligned on multiples of 2^k)
    never span two halls. The largest aggregation is the largest power of two not above
    the largest hall's block count.
    """
    if not site.racks:
        return None
    base = max(len(rack.nodes) for rack in site.racks)
    in_blocks = [rack for rack in site.racks if len(rack.nodes) == base]
    by_hall: dict[str, list[Rack]] = {}
    for rack in in_blocks:
        by_hall.setdefault(rack.hall, []).append(rack)
    largest = max(len(racks) for racks in by_hall.values())
    level = min(math.floor(math.log2(largest)), MAX_BLOCK_LEVEL)
    group = 2**level
    blocks: list[SlurmBlock] = []
    for hall in sorted(by_hall):
        racks = sorted(by_hall[hall], key=lambda rack: rack.name)
        blocks += [SlurmBlock(name=rack.name, hall=hall, nodes=rack.nodes) for rack in racks]
        padding = -len(racks) % group
        hall_name = site.hall(hall).k8s_name
        blocks += [
            SlurmBlock(name=f"{hall_name}-pad{index:04d}", hall=hall)
            for index in range(1, padding + 1)
        ]
    return SlurmTopology(
        blocks=tuple(blocks),
        block_sizes=tuple(base * 2**power for power in range(level + 1)),
        base_nodes=base,
        left_out=tuple(rack for rack in site.racks if len(rack.nodes) != base),
    )


NAMESPACE_LABEL = "capplan.io/namespace"
"""A commitment label naming the namespace of its Kueue LocalQueue."""
UNCOMMITTED = "uncommitted"
UNCOMMITTED_NAMESPACE = "default"


def _allocation(ctx: RenderContext) -> dict[tuple[str, str | None], dict[str, int]]:
    """GPUs of each site's flavors given to each commitment, and what is left over.

    Keys are (site name, commitment name, or None for the uncommitted rest); values map
    flavor names to GPUs. Commitments are served in name order, each from the sites of
    its scope in name order and, within a site, from the flavors of its GPU product (any
    product without `rack_type`) in flavor order, never beyond the GPUs live: a
    ClusterQueue quota beyond the hardware would admit work that cannot run.
    """
    free = {
        site.name: {product.flavor_name: product.gpus for product in site.gpu_products}
        for site in ctx.sites
    }
    products = {
        site.name: {product.flavor_name: product.product for product in site.gpu_products}
        for site in ctx.sites
    }
    shares: dict[tuple[str, str | None], dict[str, int]] = {}
    for commitment in ctx.commitments:
        need = commitment.gpus
        for site_name in sorted(commitment.sites):
            share = shares.setdefault((site_name, commitment.name), {})
            for flavor, gpus in free.get(site_name, {}).items():
                if commitment.gpu_product not in (None, products[site_name][flavor]):
                    continue
                take = min(need, gpus)
                share[flavor] = take
                free[site_name][flavor] -= take
                need -= take
    for site_name, left in free.items():
        shares[(site_name, None)] = dict(left)
    return shares


def queue_quota(ctx: RenderContext, site: Site, commitment: CommitmentLevel | None) -> list[int]:
    """nominalQuota of `nvidia.com/gpu` per flavor of `site.gpu_products` (same order).

    For a commitment: its share of its level on `plan.at` (see `_allocation`); for
    None: the GPUs live that no commitment holds. Every queue lists every flavor of the
    site (0 where it holds none) so that it can borrow idle GPUs of the site's cohort.
    """
    share = _allocation(ctx).get((site.name, commitment.name if commitment else None), {})
    return [share.get(product.flavor_name, 0) for product in site.gpu_products]


def site_commitments(ctx: RenderContext, site: Site) -> list[CommitmentLevel]:
    """The commitments whose scope includes `site`, by name."""
    return [entry for entry in ctx.commitments if site.name in entry.sites]


def queue_namespace(commitment: CommitmentLevel | None) -> str:
    """Namespace of a commitment's LocalQueue.

    The commitment's `capplan.io/namespace` label if it has one, else its customer's
    DNS-1123 name, else its own name; the uncommitted queue's LocalQueue is in
    `default`.
    """
    if commitment is None:
        return UNCOMMITTED_NAMESPACE
    named = commitment.labels.get(NAMESPACE_LABEL)
    if named is not None:
        if not is_dns1123_label(named):
            raise TemplateDataError(
                f"commitment {commitment.name}: label {NAMESPACE_LABEL} = {named!r} is not a "
                "Kubernetes namespace name (DNS-1123 label)"
            )
        return named
    return k8s_name(commitment.customer) if commitment.customer else commitment.k8s_name


def queue_name(site: Site, commitment: CommitmentLevel | None) -> str:
    """ClusterQueue (and LocalQueue) name: `<site>-<commitment>` or `<site>-uncommitted`."""
    return k8s_name(f"{site.k8s_name}-{commitment.k8s_name if commitment else UNCOMMITTED}")


def feed_amperage(it_kw: float, electrical: Electrical) -> int:
    """Amperage of a feed that carries `it_kw` at `max_utilization`, rounded up.

    NetBox computes a feed's available power as V x A (x sqrt(3) for three-phase) x
    max_utilization; this inverts that.
    """
    phase_factor = math.sqrt(3) if electrical.phase == "three-phase" else 1.0
    watts_per_amp = electrical.voltage * phase_factor * electrical.max_utilization / 100
    return max(1, math.ceil(round(it_kw * 1000 / watts_per_amp, 6)))


def site_page(context: RenderContext, site: Site) -> Page | None:
    """The plan page of `site` (None in a context built without a plan report)."""
    return context.pages.sites.get(site.name) if context.pages else None


def site_page_links(context: RenderContext, page: str) -> list[tuple[str, str]]:
    """(site name, path of its `page` file from the target folder) for the fleet page."""
    return [(site.name, f"{site.k8s_name}/{page}") for site in context.sites]


def chart_svg(chart: Chart) -> SafeHtml:
    """A page's chart as an SVG document (`capplan.charts.svg`: the same bytes anywhere);
    markup, so an HTML page inlines it (vl-convert escapes the text inside)."""
    from capplan.charts.svg import spec_svg

    return SafeHtml(spec_svg(chart.spec))


def template_globals() -> dict[str, object]:
    """The Jinja globals every template sees (besides `ctx`, `plan`, `site`, `product`)."""
    return {
        "label_keys": MappingProxyType(dict(LABEL_KEYS)),
        "annotation_keys": MappingProxyType(dict(ANNOTATION_KEYS)),
        "manifest_labels": manifest_labels,
        "level_at": level_at,
        "milestones": milestones,
        "slurm_topology": slurm_topology,
        "queue_quota": queue_quota,
        "site_commitments": site_commitments,
        "queue_namespace": queue_namespace,
        "queue_name": queue_name,
        "feed_amperage": feed_amperage,
        "site_page": site_page,
        "site_page_links": site_page_links,
        "chart_svg": chart_svg,
    }
