"""Functions templates may call (Jinja globals), kept in Python so they are tested once.

They compute views of the context that several templates need in the same form
(labels on every manifest, milestones for the Markdown and JSON plans, the Slurm block
sizes, NetBox feed amperage) so that two templates cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from capplan.render.context import Commitment, Electrical, PlanInfo, PowerStep, Rack, Site
from capplan.render.names import invalid_labels
from capplan.render.serialise import TemplateDataError

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

ANNOTATION_KEYS: Mapping[str, str] = {"description": "capplan.io/description"}

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
    level = 0.0
    for step in steps:
        if step.date > day:
            break
        level = step.mw
    return level


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
        events += [
            Milestone(
                date=tranche.date,
                kind="arrival",
                subject=lot.name,
                text=f"lot {lot.name}: {tranche.racks} racks of {lot.rack_type} arrive",
                racks=tranche.racks,
            )
            for tranche in lot.arrivals
        ]
        events += [
            Milestone(
                date=tranche.date,
                kind="go-live",
                subject=lot.name,
                text=f"lot {lot.name}: {tranche.racks} racks go live",
                racks=tranche.racks,
            )
            for tranche in lot.go_live
        ]
    events += [_commitment_milestone(entry) for entry in site.commitments]
    return sorted(events, key=lambda event: (event.date, _KIND_ORDER[event.kind], event.subject))


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


def block_sizes(racks: Sequence[Rack]) -> list[int]:
    """Slurm `BlockSizes` for one block per rack, in nodes.

    The base size is the smallest block (nodes per rack) and each further size doubles
    it while that many blocks exist: `[D, 2D, 4D, ..., 2^k D]` with `k = floor(log2 N)`
    for N blocks, the same rule NVIDIA's Topograph uses to infer block sizes.
    """
    if not racks:
        return []
    base = min(len(rack.nodes) for rack in racks)
    doublings = math.floor(math.log2(len(racks)))
    return [base * 2**power for power in range(doublings + 1)]


def feed_amperage(it_kw: float, electrical: Electrical) -> int:
    """Amperage of a feed that carries `it_kw` at `max_utilization`, rounded up.

    NetBox computes a feed's available power as V x A (x sqrt(3) for three-phase) x
    max_utilization; this inverts that.
    """
    phase_factor = math.sqrt(3) if electrical.phase == "three-phase" else 1.0
    watts_per_amp = electrical.voltage * phase_factor * electrical.max_utilization / 100
    return max(1, math.ceil(round(it_kw * 1000 / watts_per_amp, 6)))


def nice_ceiling(values: Iterable[float]) -> int:
    """A round axis maximum at or above every value (1, 2, 2.5 or 5 x 10^n)."""
    top = max((value for value in values), default=0.0)
    if top <= 0:
        return 1
    magnitude = 10.0 ** math.floor(math.log10(top))
    for factor in (1, 2, 2.5, 5, 10):
        candidate = factor * magnitude
        if candidate >= top:
            return max(1, math.ceil(candidate))
    return math.ceil(top)  # pragma: no cover - factor 10 always fits


def template_globals() -> dict[str, object]:
    """The Jinja globals every template sees (besides `ctx`, `plan`, `site`, `product`)."""
    return {
        "label_keys": dict(LABEL_KEYS),
        "annotation_keys": dict(ANNOTATION_KEYS),
        "manifest_labels": manifest_labels,
        "level_at": level_at,
        "milestones": milestones,
        "block_sizes": block_sizes,
        "feed_amperage": feed_amperage,
        "nice_ceiling": nice_ceiling,
    }
