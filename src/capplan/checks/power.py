"""Power and space checks on the schedule: E300 never fits, E301 stranded, W302 waited."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from capplan.diagnostics import Diagnostic, Related, error, warning
from capplan.model.decls import Hall, Lot, Model, RackType, Site, Step
from capplan.model.units import format_power
from capplan.schedule import CAUSE_LABELS, LotOutcome, Schedule


def check_power(model: Model, schedule: Schedule) -> Iterator[Diagnostic]:
    never = set()
    for diagnostic, lots in check_never_fits(model):
        never.update(lots)
        yield diagnostic
    for lot in model.lots.values():
        if lot.name in never:
            continue
        outcome = schedule.lots[lot.name]
        if outcome.stranded:
            yield stranded(model, lot, outcome)
        idle = {c: d for c, d in outcome.idle_gpu_days().items() if c != "install" and d}
        if idle:
            yield waited(model, lot, outcome, idle)


def _max_level(steps: tuple[Step, ...]) -> Decimal:
    return max((s.value for s in steps), default=Decimal(0))


def _site_it_ceiling(site: Site) -> Decimal:
    """The most IT power the site can ever hold: max envelope x (1 - reserve) / PUE."""
    return _max_level(site.power) * (1 - site.reserve) / site.pue


def _hall_verdict(rack: RackType, site: Site, hall: Hall) -> tuple[str, list[Related]] | None:
    """Why one rack can never go live in this hall, or None if it can on some day."""
    if not hall.accepts(rack.cooling):
        return (
            f"hall `{hall.key}` is {hall.cooling}-cooled and `{rack.name}` racks are {rack.cooling}-cooled",
            [
                Related(f"hall cooling is {hall.cooling}", hall.attr_span("cooling")),
                Related(f"rack cooling is {rack.cooling}", rack.attr_span("cooling")),
            ],
        )
    if hall.power is not None and rack.power > _max_level(hall.power):
        return (
            f"one `{rack.name}` rack draws {format_power(rack.power)}, more than hall "
            f"`{hall.key}` ever has ({format_power(_max_level(hall.power))})",
            [
                Related("hall power", hall.attr_span("power")),
                Related("rack power", rack.attr_span("power")),
            ],
        )
    if rack.power > _site_it_ceiling(site):
        return (
            f"one `{rack.name}` rack draws {format_power(rack.power)} IT, more than site "
            f"`{site.name}` can ever supply ({format_power(_max_level(site.power))} envelope "
            f"x (1 - {(site.reserve * 100).normalize():f}% reserve) / PUE {site.pue} = "
            f"{format_power(_site_it_ceiling(site))} IT)",
            [
                Related("site envelope", site.attr_span("power")),
                Related("rack power", rack.attr_span("power")),
            ],
        )
    return None


def check_never_fits(model: Model) -> Iterator[tuple[Diagnostic, list[str]]]:
    """E300, once per rack type and destination, naming every lot affected."""
    groups: dict[tuple[str, str, str | None], list[Lot]] = {}
    for lot in model.lots.values():
        groups.setdefault((lot.rack_type, lot.site, lot.hall), []).append(lot)
    for (rack_name, site_name, hall_name), lots in groups.items():
        rack = model.rack_types[rack_name]
        site = model.sites[site_name]
        halls = [site.halls[hall_name]] if hall_name else list(site.halls.values())
        verdicts = [_hall_verdict(rack, site, hall) for hall in halls]
        if halls and any(v is None for v in verdicts):
            continue
        first = lots[0]
        if not halls:
            reason, related = f"site `{site.name}` has no halls", [Related("site", site.name_span)]
        else:
            found = [v for v in verdicts if v is not None]
            reason = "; ".join(v[0] for v in found)
            related = [r for v in found for r in v[1]]
        racks = sum(lot.racks for lot in lots)
        names = ", ".join(f"`{lot.name}`" for lot in lots[:5]) + (" ..." if len(lots) > 5 else "")
        destination = f"{site_name}.{hall_name}" if hall_name else site_name
        yield (
            error(
                "E300",
                f"`{rack_name}` racks can never go live at `{destination}`",
                first.attr_span("to"),
                detail=f"{reason}. Affected: {names} ({racks} racks)",
                related=related,
                suggestions=(
                    "send these lots to a hall that matches the rack's cooling and power",
                ),
            ),
            [lot.name for lot in lots],
        )


def _cause_related(model: Model, lot: Lot, cause: str) -> list[Related]:
    """Where the constraint behind a cause is written."""
    site = model.sites[lot.site]
    rack = model.rack_types[lot.rack_type]
    hall = site.halls.get(lot.hall) if lot.hall else _consulted_hall(site, rack)
    if cause == "site_power":
        return [Related("site envelope", site.attr_span("power"))]
    if hall is None:
        return []
    if cause == "hall_power":
        return [Related("hall power", hall.attr_span("power"))]
    if cause == "positions":
        return [Related(f"{hall.positions} positions", hall.attr_span("positions"))]
    if cause == "hall_not_ready":
        return [Related(f"hall ready {hall.ready}", hall.attr_span("ready"))]
    if cause == "cooling":
        return [Related("hall cooling", hall.attr_span("cooling"))]
    if cause == "install":
        return [Related(f"install {rack.install}", rack.attr_span("install"))]
    return []


def _consulted_hall(site: Site, rack: RackType) -> Hall | None:
    """§4 rule 5: for a lot sent to a site, the first hall whose cooling accepts the rack."""
    halls = list(site.halls.values())
    return next((h for h in halls if h.accepts(rack.cooling)), halls[0] if halls else None)


def stranded(model: Model, lot: Lot, outcome: LotOutcome) -> Diagnostic:
    causes = outcome.stranded_causes()
    main = max(causes, key=lambda c: causes[c])
    gpus = outcome.stranded * outcome.gpus_per_rack
    breakdown = ", ".join(
        f"{racks} waiting on {CAUSE_LABELS.get(c, c)}" for c, racks in causes.items()
    )
    return error(
        "E301",
        f"{outcome.stranded} of {lot.racks} racks of lot `{lot.name}` are not live by the plan end "
        f"({model.end}): {CAUSE_LABELS.get(main, main)}",
        lot.name_span,
        detail=f"{gpus} GPUs stranded; {breakdown}",
        related=_cause_related(model, lot, main),
        suggestions=(_fix(main),),
    )


def _fix(cause: str) -> str:
    return {
        "site_power": "raise the site envelope or its date, lower the reserve, or send the lot elsewhere",
        "hall_power": "raise the hall's power, or send the lot to another hall",
        "positions": "add positions or a hall, or send the lot elsewhere",
        "cooling": "send the lot to a hall whose cooling accepts the rack",
        "hall_not_ready": "bring the hall's ready date forward",
        "install": "deliver earlier or shorten the install time",
    }.get(cause, "deliver the lot inside the plan horizon")


def waited(model: Model, lot: Lot, outcome: LotOutcome, idle: dict[str, int]) -> Diagnostic:
    total = sum(idle.values())
    main = max(idle, key=lambda c: idle[c])
    breakdown = ", ".join(f"{CAUSE_LABELS[c]}: {d:,} GPU-days" for c, d in idle.items())
    related = _cause_related(model, lot, main)
    release = _release(model, lot, outcome, main)
    if release is not None:  # the step that released the racks says more than the whole map
        related = [release]
    return warning(
        "W302",
        f"racks of lot `{lot.name}` wait {total:,} idle GPU-days beyond install, mostly for "
        f"{CAUSE_LABELS[main]}",
        lot.name_span,
        detail=breakdown,
        related=related,
    )


def _release(model: Model, lot: Lot, outcome: LotOutcome, cause: str) -> Related | None:
    """The schedule entry whose step let waiting racks go live (the entry that binds)."""
    if cause not in ("site_power", "hall_power"):
        return None
    part = next((p for p in outcome.parts if p.binding == cause), None)
    if part is None:
        return None
    if cause == "site_power":
        steps = model.sites[lot.site].power
    else:
        hall_power = model.hall(part.hall).power
        steps = hall_power or ()
    step = next((s for s in steps if s.day == part.day), None)
    if step is None or step.span is None:
        return None
    return Related(f"racks go live {part.day} when this step arrives", step.span)
