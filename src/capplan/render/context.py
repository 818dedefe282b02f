"""The render context: everything a template may use, and nothing else.

The planner fills a :class:`RenderContext` from the checked model and its schedule
(`build_context(model, schedule, at)`); every target renders from it alone. Keeping
this boundary explicit lets templates (built-in or a user's) be written against one
documented, typed, immutable value, and lets the renderer be tested without a model.

Conventions:
- Power is in MW (site/hall level) or kW (per rack), floats; counts are ints.
- "live" means energized (gone live) by the end of the day given; racks and GPU
  products in the context are those live on `plan.at`.
- Collections are tuples sorted into a canonical order by the validators below, so the
  output does not depend on the order the planner built them in.
- Names: `name` is the `.cap` name as written; `k8s_name` is its DNS-1123 form (see
  :mod:`capplan.render.names`), unique within its scope.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import cached_property
from typing import Annotated, Literal, Protocol, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    computed_field,
    field_validator,
    model_validator,
)

from capplan.cost.report import CostFigures
from capplan.model.decls import HallCooling
from capplan.render.names import is_dns1123_label, k8s_name, unique_k8s_names
from capplan.views.page import Page


def _check_label(value: str) -> str:
    if not is_dns1123_label(value):
        raise ValueError(f"{value!r} is not a DNS-1123 label (use capplan.render.names.k8s_name)")
    return value


K8sName = Annotated[str, AfterValidator(_check_label)]
"""A DNS-1123 label: lowercase alphanumerics and `-`, at most 63 characters."""

Count = Annotated[int, Field(ge=0)]
PositiveCount = Annotated[int, Field(ge=1)]
Megawatts = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Kilowatts = Annotated[float, Field(ge=0, allow_inf_nan=False)]
SignedMegawatts = Annotated[float, Field(allow_inf_nan=False)]


class _Frozen(BaseModel):
    """Immutable, strict-shaped base: unknown fields are a builder bug, not data."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class _Dated(_Frozen):
    date: dt.date


_DatedT = TypeVar("_DatedT", bound=_Dated)


def _sorted_by_date(items: tuple[_DatedT, ...], what: str) -> tuple[_DatedT, ...]:
    """Sort a dated series and reject two entries on one day (ambiguous levels)."""
    ordered = tuple(sorted(items, key=lambda item: item.date))
    for before, after in itertools.pairwise(ordered):
        if before.date == after.date:
            raise ValueError(f"{what}: two entries on {after.date.isoformat()}")
    return ordered


def _unique(values: Iterable[str], what: str) -> None:
    """Raise if a name appears twice (templates and file paths rely on uniqueness)."""
    duplicates = sorted(name for name, count in Counter(values).items() if count > 1)
    if duplicates:
        raise ValueError(f"duplicate {what}: {', '.join(duplicates)}")


class _Named(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def k8s_name(self) -> str: ...


_N = TypeVar("_N", bound=_Named)


def _by_name(entries: tuple[_N, ...], what: str) -> tuple[_N, ...]:
    """Entries sorted by name, each name and each k8s name unique (`what`: "hall", "site")."""
    _unique((entry.name for entry in entries), f"{what} names")
    _unique((entry.k8s_name for entry in entries), f"{what} k8s names")
    return tuple(sorted(entries, key=lambda entry: entry.name))


class PowerStep(_Dated):
    """A power level in MW that holds from `date` until the next step (0 before the first)."""

    mw: Megawatts


class Tranche(_Dated):
    """Racks that arrive, or go live, on `date`."""

    racks: PositiveCount


class PowerPoint(_Dated):
    """Site power from `date` until the next point.

    `it_mw` is the IT load of the racks live; `facility_mw` = IT x PUE; `envelope_mw` is
    the grid envelope; `headroom_mw` is what is left under the envelope after the
    site's reserve (negative would mean over budget).
    """

    it_mw: Megawatts
    facility_mw: Megawatts
    envelope_mw: Megawatts
    headroom_mw: SignedMegawatts


class Hall(_Frozen):
    """A hall (room) of a site: rack positions, cooling, IT power, ready date."""

    name: str
    k8s_name: K8sName
    description: str = ""
    labels: dict[str, str] = Field(default_factory=dict)
    positions: Count
    cooling: HallCooling
    power: tuple[PowerStep, ...] = ()
    """IT capacity of the hall over time; empty means the hall sets no power limit."""
    ready: dt.date

    @field_validator("power")
    @classmethod
    def _power_by_date(cls, value: tuple[PowerStep, ...]) -> tuple[PowerStep, ...]:
        return _sorted_by_date(value, "hall power")


class Rack(_Frozen):
    """A rack live on `plan.at`, with the hostnames of its compute nodes."""

    name: K8sName
    """Deterministic and unique across the plan, e.g. `narvik-kvandal-a-r0001`."""
    hall: str
    """`.cap` name of the hall it stands in."""
    rack_type: str
    lot: str
    gpu_product: str
    """GPU product as in the rack type's `gpu` (e.g. `NVIDIA-GB300`): the
    `nvidia.com/gpu.product` node label value. The planner uses the rack type's name
    when `gpu` is not given."""
    gpus: PositiveCount
    nodes: tuple[K8sName, ...] = Field(min_length=1)
    """Hostnames, in tray order (see :func:`capplan.render.names.node_names`)."""
    it_kw: Kilowatts
    live: dt.date
    u_height: PositiveCount = 48
    """Rack units; the `.cap` language has no such attribute, 48U fits an NVL72 (MGX) rack."""


class Lot(_Frozen):
    """A delivery lot sent to the site: when its racks arrive and when they go live."""

    name: str
    rack_type: str
    gpu_product: str
    supplier: str | None = None
    hall: str | None = None
    """Hall named in `to = site.hall`; None when the compiler picks the hall."""
    racks: PositiveCount
    gpus: PositiveCount
    arrivals: tuple[Tranche, ...] = Field(min_length=1)
    go_live: tuple[Tranche, ...] = ()
    """Parts of the lot going live on different days, up to the plan end."""
    stranded_racks: Count = 0
    """Racks not live by the plan end."""

    @field_validator("arrivals", "go_live")
    @classmethod
    def _tranches_by_date(cls, value: tuple[Tranche, ...]) -> tuple[Tranche, ...]:
        return _sorted_by_date(value, "lot tranches")

    @model_validator(mode="after")
    def _racks_add_up(self) -> Lot:
        arrived = sum(tranche.racks for tranche in self.arrivals)
        placed = sum(tranche.racks for tranche in self.go_live) + self.stranded_racks
        if arrived != self.racks or placed != self.racks:
            raise ValueError(
                f"lot {self.name}: {self.racks} racks, but {arrived} arrive and "
                f"{placed} go live or are stranded"
            )
        return self


class Commitment(_Frozen):
    """One dated obligation of a commitment: `required` GPUs live by `date`.

    A commitment with a schedule of counts gives one entry per date. A commitment over
    several sites appears under each of them; `sites` names its whole scope and
    `live` counts GPUs across that scope (restricted to `rack_type` if given).
    """

    name: str
    customer: str | None = None
    date: dt.date
    required: Count
    live: Count
    met: bool
    sites: tuple[str, ...] = ()
    rack_type: str | None = None


class CommitmentLevel(_Frozen):
    """A commitment as a whole on `plan.at`: its own level, for the Kueue queues.

    `gpus` is this commitment's level of its schedule on `plan.at` (0 before its first
    date; a plain count is due at the plan end), not added to other commitments of
    the same scope.
    """

    name: str
    k8s_name: K8sName
    customer: str | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    sites: tuple[str, ...] = Field(min_length=1)
    """`.cap` names of the sites of its scope."""
    rack_type: str | None = None
    gpu_product: str | None = None
    """GPU product of `rack_type` (None: any product counts)."""
    gpus: Count


class GpuProduct(_Frozen):
    """A GPU product live at a site on `plan.at` (derived from the site's racks)."""

    product: str
    k8s_name: K8sName
    flavor_name: K8sName
    """Name of the Kueue ResourceFlavor: `<site>-<product>`, unique across sites so that
    several sites can share one cluster."""
    gpus: PositiveCount
    racks: PositiveCount
    nodes: PositiveCount


class SiteCost(_Frozen):
    """A site's energy, cost and carbon figures (docs/language.md §14, docs/cost.md).

    `to_at` sums the plan start to `plan.at`, `horizon` the whole plan; a figure
    whose inputs are missing is None. Money in `currency`, 2 decimals.
    """

    currency: str | None = None
    to_at: CostFigures
    horizon: CostFigures
    idle_cost: dict[str, float | None] = Field(default_factory=dict)
    """The whole plan's carrying cost of waiting racks by wait cause (identifiers)."""


class Site(_Frozen):
    """A datacenter site and what the plan says about it."""

    name: str
    k8s_name: K8sName
    description: str = ""
    labels: dict[str, str] = Field(default_factory=dict)
    country: str | None = None
    region: str | None = None
    pue: float = Field(default=1.0, ge=1.0, allow_inf_nan=False)
    reserve: float = Field(default=0.0, ge=0.0, le=1.0, allow_inf_nan=False)
    """Fraction of the envelope held back (5% is 0.05)."""
    envelope: tuple[PowerStep, ...] = ()
    """Grid envelope at the facility over time."""
    halls: tuple[Hall, ...] = ()
    racks: tuple[Rack, ...] = ()
    """Racks live on `plan.at`, sorted by name."""
    lots: tuple[Lot, ...] = ()
    power_timeline: tuple[PowerPoint, ...] = ()
    commitments: tuple[Commitment, ...] = ()
    cost: SiteCost | None = None

    @field_validator("envelope")
    @classmethod
    def _envelope_by_date(cls, value: tuple[PowerStep, ...]) -> tuple[PowerStep, ...]:
        return _sorted_by_date(value, "site envelope")

    @field_validator("power_timeline")
    @classmethod
    def _timeline_by_date(cls, value: tuple[PowerPoint, ...]) -> tuple[PowerPoint, ...]:
        return _sorted_by_date(value, "power timeline")

    @field_validator("halls")
    @classmethod
    def _halls_by_name(cls, value: tuple[Hall, ...]) -> tuple[Hall, ...]:
        return _by_name(value, "hall")

    @field_validator("racks")
    @classmethod
    def _racks_by_name(cls, value: tuple[Rack, ...]) -> tuple[Rack, ...]:
        return tuple(sorted(value, key=lambda rack: rack.name))

    @field_validator("lots")
    @classmethod
    def _lots_by_name(cls, value: tuple[Lot, ...]) -> tuple[Lot, ...]:
        _unique((lot.name for lot in value), "lot names")
        return tuple(sorted(value, key=lambda lot: lot.name))

    @field_validator("commitments")
    @classmethod
    def _commitments_by_date(cls, value: tuple[Commitment, ...]) -> tuple[Commitment, ...]:
        return tuple(sorted(value, key=lambda entry: (entry.date, entry.name)))

    @model_validator(mode="after")
    def _racks_in_known_halls(self) -> Site:
        halls = {hall.name for hall in self.halls}
        strays = sorted({rack.hall for rack in self.racks} - halls)
        if strays:
            raise ValueError(f"site {self.name}: racks in unknown halls {', '.join(strays)}")
        return self

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def gpu_products(self) -> tuple[GpuProduct, ...]:
        """GPU products live on `plan.at`, with counts, sorted by `k8s_name`."""
        gpus: Counter[str] = Counter()
        racks: Counter[str] = Counter()
        nodes: Counter[str] = Counter()
        for rack in self.racks:
            gpus[rack.gpu_product] += rack.gpus
            racks[rack.gpu_product] += 1
            nodes[rack.gpu_product] += len(rack.nodes)
        names = unique_k8s_names(gpus)
        products = (
            GpuProduct(
                product=product,
                k8s_name=names[product],
                flavor_name=k8s_name(f"{self.k8s_name}-{names[product]}"),
                gpus=gpus[product],
                racks=racks[product],
                nodes=nodes[product],
            )
            for product in gpus
        )
        return tuple(sorted(products, key=lambda product: product.k8s_name))

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def gpus_live(self) -> int:
        """GPUs live on `plan.at`."""
        return sum(rack.gpus for rack in self.racks)

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def it_kw_live(self) -> float:
        """IT load in kW of the racks live on `plan.at`."""
        return sum(rack.it_kw for rack in self.racks)

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def stranded_racks(self) -> int:
        """Racks of the site's lots not live by the plan end."""
        return sum(lot.stranded_racks for lot in self.lots)

    def hall(self, name: str) -> Hall:
        """The hall with `.cap` name `name` (KeyError if none): e.g. the hall of a rack."""
        return self._hall_index[name]

    @cached_property
    def _hall_index(self) -> dict[str, Hall]:
        return {hall.name: hall for hall in self.halls}

    def racks_in(self, hall: str) -> tuple[Rack, ...]:
        """Racks live on `plan.at` in the hall named `hall` (`.cap` name)."""
        return self._racks_by_hall.get(hall, ())

    @cached_property
    def _racks_by_hall(self) -> dict[str, tuple[Rack, ...]]:
        grouped: defaultdict[str, list[Rack]] = defaultdict(list)
        for rack in self.racks:
            grouped[rack.hall].append(rack)
        return {hall: tuple(racks) for hall, racks in grouped.items()}


class Electrical(_Frozen):
    """How rack power feeds are described in NetBox (the `.cap` model has no wiring).

    Each live rack gets a primary feed (and a redundant one if `redundant`) sized for
    its IT load: amperage = IT W / (V x sqrt(3) for three-phase x max_utilization).
    """

    supply: Literal["ac", "dc"] = "ac"
    phase: Literal["single-phase", "three-phase"] = "three-phase"
    voltage: PositiveCount = 415
    max_utilization: Annotated[int, Field(ge=1, le=100)] = 80
    """Percent, as NetBox's `max_utilization`."""
    redundant: bool = True


class PlanInfo(_Frozen):
    """The plan and the render request: what was planned, for which date, from what."""

    name: str
    description: str = ""
    labels: dict[str, str] = Field(default_factory=dict)
    start: dt.date
    end: dt.date
    as_of: dt.date | None = None
    at: dt.date
    """The date the output describes ("GPUs live at the plan date")."""
    capplan_version: str = Field(min_length=1)
    input_hash: str = Field(min_length=1)
    """Hash of the `.cap` inputs (e.g. sha256 hex over the imported files), opaque here."""

    @model_validator(mode="after")
    def _horizon_is_ordered(self) -> PlanInfo:
        if self.end < self.start:
            raise ValueError("plan end is before plan start")
        return self

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def k8s_name(self) -> str:
        """DNS-1123 form of the plan name (the `capplan.io/plan` label value)."""
        return k8s_name(self.name)


class PlanPages(_Frozen):
    """The plan report's pages: what `plan --format markdown|html` print, per selection."""

    fleet: Page
    sites: dict[str, Page]


class RenderContext(_Frozen):
    """Everything templates may use: the plan, its sites, and render settings."""

    plan: PlanInfo
    sites: tuple[Site, ...] = ()
    electrical: Electrical | None = Field(default_factory=Electrical)
    """None: no power panels or feeds are exported to NetBox."""
    commitments: tuple[CommitmentLevel, ...] = ()
    """Every commitment of the plan with its level on `plan.at`, sorted by name."""
    pages: PlanPages | None = None
    """The plan pages (`views/page.py`): the fleet's and each site's, by `.cap` name.
    None in a context built by hand: the `plan` target then writes no page or report."""

    @field_validator("commitments")
    @classmethod
    def _commitments_by_name(
        cls, value: tuple[CommitmentLevel, ...]
    ) -> tuple[CommitmentLevel, ...]:
        return _by_name(value, "commitment")

    @field_validator("sites")
    @classmethod
    def _sites_by_name(cls, value: tuple[Site, ...]) -> tuple[Site, ...]:
        return _by_name(value, "site")

    @model_validator(mode="after")
    def _hosts_are_unique(self) -> RenderContext:
        _unique((rack.name for site in self.sites for rack in site.racks), "rack names")
        _unique(
            (node for site in self.sites for rack in site.racks for node in rack.nodes),
            "node names",
        )
        return self

    def site(self, name: str) -> Site:
        """The site with `.cap` name `name` (KeyError if none)."""
        for site in self.sites:
            if site.name == name:
                return site
        raise KeyError(name)
