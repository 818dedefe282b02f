"""Network feasibility: can the links carry the flows on every day, even after one loss?

A pure engine with no knowledge of the rest of capplan: an adapter turns the model into
``NetLink``/``NetFlow`` step functions (capacities 0 before ready, per-GPU rates already
multiplied by GPUs live) and maps the report's findings (in the engine's terms) to diagnostic codes.
"""

from capplan.netflow.analyse import analyse_network
from capplan.netflow.types import (
    Day,
    Finding,
    FindingKind,
    LinkUsage,
    NetFlow,
    NetLink,
    NetworkReport,
    ProtectionResult,
    StepFn,
)

__all__ = [
    "Day",
    "Finding",
    "FindingKind",
    "LinkUsage",
    "NetFlow",
    "NetLink",
    "NetworkReport",
    "ProtectionResult",
    "StepFn",
    "analyse_network",
]
