"""Hand-built render contexts for the render tests (no model or planner needed).

Figures are illustrative, after the public ones in DOMAIN.md: GB300 NVL72 racks of 72
GPUs, 18 nodes and 132 kW IT; HGX B200 racks of 4 x 8-GPU servers.
Importable on its own (the determinism test runs it in a subprocess).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from capplan.render import (
    Commitment,
    CommitmentLevel,
    Hall,
    Lot,
    PlanInfo,
    PowerPoint,
    PowerStep,
    Rack,
    RenderContext,
    Site,
    Tranche,
    node_names,
    rack_name,
)

D = dt.date.fromisoformat
TreeSnapshot = dict[str, tuple[bytes, int]]
GB300 = ("gb300_nvl72", "NVIDIA-GB300", 72, 18, 132.0)
B200 = ("hgx_b200_x4", "NVIDIA-B200", 32, 4, 57.2)


def plan_info(**changes: object) -> PlanInfo:
    values: dict[str, object] = {
        "name": "nscale_2026",
        "description": "Illustrative fleet plan",
        "start": D("2025-09-01"),
        "end": D("2027-12-31"),
        "as_of": D("2025-10-01"),
        "at": D("2026-06-01"),
        "capplan_version": "0.1.0",
        "input_hash": "ab" * 32,
    }
    values.update(changes)
    return PlanInfo.model_validate(values)


def racks(
    site: str,
    hall: str,
    kind: tuple[str, str, int, int, float],
    lot: str,
    live: dt.date,
    ordinals: Iterable[int],
) -> tuple[Rack, ...]:
    """Racks of one kind in one hall, named as the planner will name them."""
    rack_type, product, gpus, nodes, kw = kind
    built = []
    for ordinal in ordinals:
        name = rack_name(site, hall.replace("_", "-"), ordinal)
        built.append(
            Rack(
                name=name,
                hall=hall,
                rack_type=rack_type,
                lot=lot,
                gpu_product=product,
                gpus=gpus,
                nodes=node_names(name, nodes),
                it_kw=kw,
                live=live,
            )
        )
    return tuple(built)


def timeline(
    pue: float, reserve: float, points: Sequence[tuple[str, float, float]]
) -> tuple[PowerPoint, ...]:
    """Power points from (date, IT MW, envelope MW), derived like the planner does."""
    return tuple(
        PowerPoint(
            date=D(day),
            it_mw=it,
            facility_mw=round(it * pue, 4),
            envelope_mw=envelope,
            headroom_mw=round(envelope * (1 - reserve) - it * pue, 4),
        )
        for day, it, envelope in points
    )


def narvik(**changes: object) -> Site:
    live_a = racks("narvik", "kvandal_a", GB300, "narvik_p1", D("2026-02-03"), range(1, 5))
    live_b = racks("narvik", "kvandal_b", GB300, "narvik_p2", D("2026-04-15"), range(1, 3))
    values: dict[str, object] = {
        "name": "narvik",
        "k8s_name": "narvik",
        "description": "Stargate Norway at Kvandal, hydro power (illustrative)",
        "labels": {"team": "infra-nordics"},
        "country": "NO",
        "region": "Nordland",
        "pue": 1.10,
        "reserve": 0.05,
        "envelope": (
            PowerStep(date=D("2025-12-01"), mw=20.0),
            PowerStep(date=D("2026-06-01"), mw=230.0),
        ),
        "halls": (
            Hall(
                name="kvandal_a",
                k8s_name="kvandal-a",
                positions=800,
                cooling="liquid",
                ready=D("2025-11-15"),
            ),
            Hall(
                name="kvandal_b",
                k8s_name="kvandal-b",
                description="Second hall, closed-loop direct-to-chip",
                positions=400,
                cooling="liquid",
                power=(PowerStep(date=D("2026-03-01"), mw=50.0),),
                ready=D("2026-03-01"),
            ),
        ),
        "racks": live_a + live_b,
        "lots": (
            Lot(
                name="narvik_p1",
                rack_type="gb300_nvl72",
                gpu_product="NVIDIA-GB300",
                supplier="nvidia",
                hall="kvandal_a",
                racks=4,
                gpus=288,
                arrivals=(Tranche(date=D("2026-01-20"), racks=4),),
                go_live=(Tranche(date=D("2026-02-03"), racks=4),),
            ),
            Lot(
                name="narvik_p2",
                rack_type="gb300_nvl72",
                gpu_product="NVIDIA-GB300",
                supplier="nvidia",
                racks=4,
                gpus=288,
                arrivals=(Tranche(date=D("2026-04-01"), racks=4),),
                go_live=(
                    Tranche(date=D("2026-04-15"), racks=2),
                    Tranche(date=D("2026-07-01"), racks=2),
                ),
            ),
            Lot(
                name="narvik_p3",
                rack_type="gb300_nvl72",
                gpu_product="NVIDIA-GB300",
                supplier="nvidia",
                racks=2,
                gpus=144,
                arrivals=(Tranche(date=D("2027-11-01"), racks=2),),
                stranded_racks=2,
            ),
        ),
        "power_timeline": timeline(
            1.10,
            0.05,
            [
                ("2025-12-01", 0.0, 20.0),
                ("2026-02-03", 0.528, 20.0),
                ("2026-04-15", 0.792, 20.0),
                ("2026-06-01", 0.792, 230.0),
                ("2026-07-01", 1.056, 230.0),
            ],
        ),
        "commitments": (
            Commitment(
                name="openai_narvik",
                customer="OpenAI",
                date=D("2026-03-31"),
                required=200,
                live=288,
                met=True,
                sites=("narvik",),
            ),
            Commitment(
                name="openai_narvik",
                customer="OpenAI",
                date=D("2026-12-31"),
                required=1000,
                live=576,
                met=False,
                sites=("narvik",),
            ),
        ),
    }
    values.update(changes)
    return Site.model_validate(values)


def loughton(**changes: object) -> Site:
    values: dict[str, object] = {
        "name": "loughton",
        "k8s_name": "loughton",
        "description": "UK retrofit site (illustrative)",
        "country": "GB",
        "region": "Essex",
        "pue": 1.25,
        "envelope": (PowerStep(date=D("2026-01-01"), mw=50.0),),
        "halls": (
            Hall(
                name="hall_1",
                k8s_name="hall-1",
                positions=300,
                cooling="hybrid",
                ready=D("2026-01-01"),
            ),
        ),
        "racks": racks("loughton", "hall_1", GB300, "lough_gb300", D("2026-03-02"), [1, 2])
        + racks("loughton", "hall_1", B200, "lough_b200", D("2026-05-04"), [3]),
        "lots": (
            Lot(
                name="lough_gb300",
                rack_type="gb300_nvl72",
                gpu_product="NVIDIA-GB300",
                racks=2,
                gpus=144,
                arrivals=(Tranche(date=D("2026-02-16"), racks=2),),
                go_live=(Tranche(date=D("2026-03-02"), racks=2),),
            ),
            Lot(
                name="lough_b200",
                rack_type="hgx_b200_x4",
                gpu_product="NVIDIA-B200",
                racks=1,
                gpus=32,
                arrivals=(Tranche(date=D("2026-05-04"), racks=1),),
                go_live=(Tranche(date=D("2026-05-04"), racks=1),),
            ),
        ),
        "power_timeline": timeline(
            1.25,
            0.0,
            [("2026-01-01", 0.0, 50.0), ("2026-03-02", 0.264, 50.0), ("2026-05-04", 0.3212, 50.0)],
        ),
    }
    values.update(changes)
    return Site.model_validate(values)


def small_context(**changes: object) -> RenderContext:
    """Two sites, GB300 NVL72 racks (and one B200 rack), commitments met and not."""
    values: dict[str, object] = {
        "plan": plan_info(),
        "sites": (narvik(), loughton()),
        # Levels on `at` (2026-06-01): openai_narvik's 200 GPUs due 2026-03-31 hold.
        "commitments": (
            CommitmentLevel(
                name="openai_narvik",
                k8s_name="openai-narvik",
                customer="OpenAI",
                sites=("narvik",),
                gpus=200,
            ),
        ),
    }
    values.update(changes)
    return RenderContext.model_validate(values)


def big_context(total_racks: int = 1400, sites: int = 4, halls: int = 3) -> RenderContext:
    """About 100,000 GPUs: `total_racks` GB300 NVL72 racks spread over sites and halls."""
    built = []
    per_site = total_racks // sites
    for site_index in range(sites):
        site = f"site_{site_index}"
        site_k8s = f"site-{site_index}"
        count = per_site + (1 if site_index < total_racks % sites else 0)
        all_racks: list[Rack] = []
        lots: list[Lot] = []
        points: list[tuple[str, float, float]] = []
        placed = 0
        lot_index = 0
        while placed < count:
            size = min(50, count - placed)
            hall = f"hall_{lot_index % halls}"
            day = D("2026-01-05") + dt.timedelta(weeks=2 * lot_index)
            first = placed // halls + 1 + 1000 * (lot_index % halls)
            all_racks += racks(
                site_k8s, hall, GB300, f"lot_{lot_index}", day, range(first, first + size)
            )
            lots.append(
                Lot(
                    name=f"lot_{lot_index}",
                    rack_type="gb300_nvl72",
                    gpu_product="NVIDIA-GB300",
                    hall=hall,
                    racks=size,
                    gpus=72 * size,
                    arrivals=(Tranche(date=day - dt.timedelta(days=14), racks=size),),
                    go_live=(Tranche(date=day, racks=size),),
                )
            )
            placed += size
            points.append((day.isoformat(), round(placed * 0.132, 3), 230.0))
            lot_index += 1
        built.append(
            Site(
                name=site,
                k8s_name=site_k8s,
                pue=1.1,
                envelope=(PowerStep(date=D("2025-12-01"), mw=230.0),),
                halls=tuple(
                    Hall(
                        name=f"hall_{index}",
                        k8s_name=f"hall-{index}",
                        positions=2000,
                        cooling="liquid",
                        ready=D("2025-12-01"),
                    )
                    for index in range(halls)
                ),
                racks=tuple(all_racks),
                lots=tuple(lots),
                power_timeline=timeline(1.1, 0.0, points),
            )
        )
    return RenderContext(plan=plan_info(at=D("2027-06-01")), sites=tuple(built))


def snapshot_tree(root: Path) -> TreeSnapshot:
    """Every file under `root` with its bytes and mtime (ns), for byte-for-byte checks."""
    result: TreeSnapshot = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            result[path.relative_to(root).as_posix()] = (path.read_bytes(), path.stat().st_mtime_ns)
    return result
