"""The render context model: canonical order, consistency checks, derived fields."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from capplan.render import Lot, PowerStep, Site, Tranche

from .render_fixtures import D, loughton, narvik, plan_info, small_context


def test_collections_are_sorted_whatever_the_input_order() -> None:
    shuffled = small_context(sites=(narvik(), loughton()))
    reversed_ = small_context(sites=(loughton(), narvik()))
    assert shuffled == reversed_
    assert [site.name for site in shuffled.sites] == ["loughton", "narvik"]
    site = narvik(racks=tuple(reversed(narvik().racks)), halls=tuple(reversed(narvik().halls)))
    assert site.racks == narvik().racks
    assert [hall.name for hall in site.halls] == ["kvandal_a", "kvandal_b"]


def test_derived_fields() -> None:
    site = loughton()
    assert [
        (p.product, p.k8s_name, p.flavor_name, p.gpus, p.racks, p.nodes) for p in site.gpu_products
    ] == [
        ("NVIDIA-B200", "nvidia-b200", "loughton-nvidia-b200", 32, 1, 4),
        ("NVIDIA-GB300", "nvidia-gb300", "loughton-nvidia-gb300", 144, 2, 36),
    ]
    assert site.gpus_live == 176
    assert site.it_kw_live == pytest.approx(321.2)
    assert narvik().stranded_racks == 2
    assert small_context().plan.k8s_name == "nscale-2026"
    assert [rack.name for rack in narvik().racks_in("kvandal_b")] == [
        "narvik-kvandal-b-r0001",
        "narvik-kvandal-b-r0002",
    ]
    assert narvik().hall("kvandal_b").positions == 400


def test_models_are_frozen() -> None:
    site = narvik()
    with pytest.raises(ValidationError):
        site.name = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    "change",
    [
        {"k8s_name": "Not_Valid"},
        {
            "envelope": (
                PowerStep(date=D("2026-01-01"), mw=1),
                PowerStep(date=D("2026-01-01"), mw=2),
            )
        },
        {"pue": 0.9},
        {"reserve": 1.5},
        {"unknown_field": 1},
    ],
)
def test_invalid_sites_are_rejected(change: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        narvik(**change)


def test_racks_must_stand_in_known_halls() -> None:
    with pytest.raises(ValidationError, match="unknown halls"):
        narvik(halls=narvik().halls[:1])


def test_duplicate_names_are_rejected() -> None:
    with pytest.raises(ValidationError, match="duplicate site names"):
        small_context(sites=(narvik(), narvik()))
    with pytest.raises(ValidationError, match="duplicate site k8s names"):
        small_context(sites=(narvik(), loughton(k8s_name="narvik")))
    with pytest.raises(ValidationError, match="duplicate rack names"):
        small_context(sites=(narvik(), narvik(name="n2", k8s_name="n2")))


def test_lot_racks_must_add_up() -> None:
    with pytest.raises(ValidationError, match="lot x: 3 racks"):
        Lot(
            name="x",
            rack_type="t",
            gpu_product="p",
            racks=3,
            gpus=216,
            arrivals=(Tranche(date=dt.date(2026, 1, 1), racks=2),),
            go_live=(Tranche(date=dt.date(2026, 2, 1), racks=2),),
        )


def test_plan_horizon_is_ordered() -> None:
    with pytest.raises(ValidationError):
        plan_info(start=D("2027-01-01"), end=D("2026-01-01"))


def test_context_serialises_to_json() -> None:
    data = small_context().model_dump(mode="json")
    assert data["sites"][1]["gpu_products"][0]["flavor_name"] == "narvik-nvidia-gb300"
    assert (
        Site.model_validate(
            {
                key: value
                for key, value in data["sites"][0].items()
                if key not in {"gpu_products", "gpus_live", "it_kw_live", "stranded_racks"}
            }
        )
        == loughton()
    )
