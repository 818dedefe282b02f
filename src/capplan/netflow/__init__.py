"""Network feasibility: can the links carry the flows on every day, even after one loss?

A pure engine with no knowledge of the rest of capplan: an adapter turns the model into
``NetLink``/``NetFlow`` step functions (capacities 0 before ready, per-GPU rates already
multiplied by GPUs live) and maps the report to diagnostics E500, E501 and E502.
"""

from capplan.netflow.analyse import analyse_network
from capplan.netflow.types import (
    Day,
    Finding,
    FindingCode,
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
    "FindingCode",
    "LinkUsage",
    "NetFlow",
    "NetLink",
    "NetworkReport",
    "ProtectionResult",
    "StepFn",
    "analyse_network",
]
