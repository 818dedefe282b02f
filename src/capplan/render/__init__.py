"""`capplan render`: turn a checked plan into files for a GitOps repository.

The planner fills a :class:`RenderContext` (see :mod:`capplan.render.context`);
:func:`render_tree` renders the chosen targets (Kueue, Slurm, NetBox, plan) from
Jinja templates and writes them atomically, or checks that a committed tree is up
to date. See `docs/render.md`.
"""

from capplan.render.api import (
    BUILTIN_TARGETS,
    RenderedTree,
    available_targets,
    render_files,
    render_tree,
)
from capplan.render.context import (
    Commitment,
    CommitmentLevel,
    Electrical,
    GpuProduct,
    Hall,
    Lot,
    PlanInfo,
    PowerPoint,
    PowerStep,
    Rack,
    RenderContext,
    Site,
    Tranche,
)
from capplan.render.manifest import MANIFEST_NAME
from capplan.render.names import hostlist, k8s_name, node_names, rack_name, unique_k8s_names
from capplan.render.outcome import FileChange, Problem, RenderOutcome

__all__ = [
    "BUILTIN_TARGETS",
    "MANIFEST_NAME",
    "Commitment",
    "CommitmentLevel",
    "Electrical",
    "FileChange",
    "GpuProduct",
    "Hall",
    "Lot",
    "PlanInfo",
    "PowerPoint",
    "PowerStep",
    "Problem",
    "Rack",
    "RenderContext",
    "RenderOutcome",
    "RenderedTree",
    "Site",
    "Tranche",
    "available_targets",
    "hostlist",
    "k8s_name",
    "node_names",
    "rack_name",
    "render_files",
    "render_tree",
    "unique_k8s_names",
]
