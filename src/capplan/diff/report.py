"""The diff document: one typed structure that the text, Markdown and JSON views read.

Field by field in docs/diff.md. `format_version` changes only when a field
changes meaning or disappears; new fields may be added.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

FORMAT_VERSION = "1"

Change = Literal["added", "removed", "changed"]


class Row(BaseModel):
    model_config = ConfigDict(frozen=True)


class SideSummary(Row):
    label: str
    plannable: bool
    errors: int
    warnings: int


class CommitmentState(Row):
    required: int
    live: int
    met: bool
    shortfall: int


class CommitmentChange(Row):
    commitment: str
    day: date
    change: Change
    old: CommitmentState | None
    new: CommitmentState | None
    main_cause: str | None  # NEW's main cause of the shortfall, when NEW misses


class LotState(Row):
    first_live: date | None
    last_live: date | None
    stranded_racks: int
    idle_gpu_days: dict[str, int]  # beyond install, by cause
    main_cause: str | None


class LotChange(Row):
    lot: str
    change: Change
    old: LotState | None
    new: LotState | None
    first_live_days: int | None  # NEW - OLD, in days (positive: later)
    last_live_days: int | None


class SiteState(Row):
    gpus_live_at_end: int
    min_headroom_mw: float
    min_headroom_day: date | None


class SiteChange(Row):
    site: str
    change: Change
    old: SiteState | None
    new: SiteState | None
    headroom_mw: float | None  # NEW - OLD minimum headroom, MW


class LinkChange(Row):
    link: str
    change: Change
    old_peak_utilisation: float | None
    new_peak_utilisation: float | None
    old_peak_day: date | None
    new_peak_day: date | None


class DiagnosticRef(Row):
    code: str
    severity: str
    summary: str
    names: list[str]
    location: str | None  # file:line, for reading only (matching never uses it)


class NetworkDiff(Row):
    new: list[DiagnosticRef]  # E500/E501/E502 in NEW, not in OLD
    resolved: list[DiagnosticRef]
    links: list[LinkChange]  # peak utilisation moved by more than the threshold


class DeclRef(Row):
    kind: str
    name: str


class AttributeChange(Row):
    kind: str
    name: str
    attribute: str
    old: str | None  # as written, in source units; None: not given
    new: str | None


class ModelDiff(Row):
    added: list[DeclRef]
    removed: list[DeclRef]
    changed: list[AttributeChange]


class DiagnosticsDiff(Row):
    new: list[DiagnosticRef]
    resolved: list[DiagnosticRef]


class RenderedDiff(Row):
    added: list[str]
    changed: list[str]
    removed: list[str]


class CostChange(Row):
    figure: str  # a field of the plan's `cost.fleet`, or short_gpu_hours / revenue_at_risk
    old: float | None  # None: absent on that side (an input is missing)
    new: float | None
    change: float | None  # new - old; None when a side is absent


class CostDiff(Row):
    currency: str | None
    rows: list[CostChange]  # the fleet figures that moved (docs/cost.md)


class DiffReport(Row):
    format_version: str = FORMAT_VERSION
    old: SideSummary
    new: SideSummary
    headline: str
    changed: bool
    regression: bool
    regressions: list[str]
    commitments: list[CommitmentChange]
    lots: list[LotChange]
    sites: list[SiteChange]
    network: NetworkDiff
    model: ModelDiff
    diagnostics: DiagnosticsDiff
    rendered: RenderedDiff | None  # None: a side has errors, so render would write nothing
    utilisation_threshold: float
    cost: CostDiff | None = None  # None: a side could not be planned
