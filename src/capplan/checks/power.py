"""Power and space checks on the schedule: E300 never fits, E301 stranded, W302 waited."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from capplan.diagnostics import Diagnostic, Related, error, warning
from capplan.diagnostics.codes import Code
from capplan.model.addr import destination
from capplan.model.decls import Hall, Lot, Model, RackType, Site
from capplan.model.rules import (
    CAUSE_LABELS,
    Cause,
    beyond_install,
    cooling_accepts,
    main_cause,
    peak_level,
    rack_fits,
    site_it_ceiling,
)
from capplan.numbers import format_apart, format_power

if TYPE_CHECKING:  # `validate` runs E300 without scheduling: it need not import the engine
    from capplan.schedule import LotOutcome, Schedule


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
        idle = outcome.idle_gpu_days()
        if beyond_install(idle):
            yield waited(model, lot, outcome, idle)


def _site_it_ceiling(site: Site) -> Fraction:
    """The most IT power the site can ever hold: max envelope x (1 - reserve) / PUE."""
    return site_it_ceiling(peak_level(site.power), site.pue, site.reserve)


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def _hall_verdict(rack: RackType, site: Site, hall: Hall) -> tuple[str, list[Related]] | None:
    """Why one rack can never go live in this hall, or None if it can on some day."""
    if not cooling_accepts(hall.cooling, rack.cooling):
        return (
            f"hall `{hall.key}` is {hall.cooling}-cooled and `{rack.name}` racks are {rack.cooling}-cooled",
            [
                Related(f"hall cooling is {hall.cooling}", hall.attr_span("cooling")),
                Related(f"rack cooling is {rack.cooling}", rack.attr_span("cooling")),
            ],
        )
    if hall.power is not None and not rack_fits(rack.power, peak_level(hall.power)):
        draw, most = format_apart(format_power, rack.power, peak_level(hall.power))
        return (
            f"one `{rack.name}` rack draws {draw}, more than hall `{hall.key}` ever has ({most})",
            [
                Related("hall power", hall.attr_span("power")),
                Related("rack power", rack.attr_span("power")),
            ],
        )
    if not rack_fits(rack.power, _site_it_ceiling(site)):
        draw, most = format_apart(format_power, rack.power, _decimal(_site_it_ceiling(site)))
        return (
            f"one `{rack.name}` rack draws {draw} IT, more than site "
            f"`{site.name}` can ever supply ({format_power(peak_level(site.power))} envelope "
            f"x (1 - {(site.reserve * 100).normalize():f}% reserve) / PUE {site.pue} = "
            f"{most} IT)",
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
        where = destination(site_name, hall_name)
        yield (
            error(
                Code.E300,
                f"`{rack_name}` racks can never go live at `{where}`",
                first.attr_span("to"),
                detail=f"{reason}. Affected: {names} ({racks} racks)",
                related=related,
                suggestions=(
                    "send these lots to a hall that matches the rack's cooling and power",
                ),
            ),
            [lot.name for lot in lots],
        )


def _cause_related(
    model: Model, lot: Lot, outcome: LotOutcome, cause: str, stranded: bool = False
) -> list[Related]:
    """Where the constraint behind a cause is written, in the hall rule 5 consulted."""
    site = model.sites[lot.site]
    rack = model.rack_types[lot.rack_type]
    hall = _consulted_hall(model, outcome, cause, stranded)
    if cause == "site_power":
        return [Related("site envelope", site.attr_span("power"))]
    if cause == "install":
        return [Related(f"install {rack.install}", rack.attr_span("install"))]
    if hall is None:
        return [Related("no hall of the site accepts the rack's cooling", site.name_span)]
    if cause == "hall_power":
        return [Related("hall power", hall.attr_span("power"))]
    if cause == "positions":
        return [Related(f"{hall.positions} positions", hall.attr_span("positions"))]
    if cause == "hall_not_ready":
        return [Related(f"hall ready {hall.ready}", hall.attr_span("ready"))]
    if cause == "cooling":
        return [Related("hall cooling", hall.attr_span("cooling"))]
    return []


def _consulted_hall(model: Model, outcome: LotOutcome, cause: str, stranded: bool) -> Hall | None:
    """§4 rule 5: the hall the waits for ``cause`` were read in (most GPU-days first)."""
    weight: dict[str | None, int] = {}
    for tranche in outcome.tranches:
        for wait in tranche.waits:
            if wait.cause == cause and (not stranded or wait.last_exclusive > model.end):
                weight[wait.hall] = weight.get(wait.hall, 0) + wait.racks * wait.days
    key = max(weight, key=weight.__getitem__) if weight else None
    return model.hall(key) if key is not None else None


def stranded(model: Model, lot: Lot, outcome: LotOutcome) -> Diagnostic:
    causes = outcome.stranded_causes()
    main = max(causes, key=causes.__getitem__)
    gpus = outcome.stranded * outcome.gpus_per_rack
    breakdown = ", ".join(f"{racks} waiting on {_label(c)}" for c, racks in causes.items())
    return error(
        Code.E301,
        f"{outcome.stranded} of {lot.racks} racks of lot `{lot.name}` are not live by the plan end "
        f"({model.end}): {_label(main)}",
        lot.name_span,
        detail=f"{gpus} GPUs stranded; {breakdown}",
        related=_cause_related(model, lot, outcome, main, stranded=True) if main else [],
        suggestions=(_fix(main),),
    )


def _label(cause: Cause | None) -> str:
    return CAUSE_LABELS[cause] if cause is not None else "arrives after the plan end"


def _fix(cause: Cause | None) -> str:
    return {
        "site_power": "raise the site envelope or its date, lower the reserve, or send the lot elsewhere",
        "hall_power": "raise the hall's power, or send the lot to another hall",
        "positions": "add positions or a hall, or send the lot elsewhere",
        "cooling": "send the lot to a hall whose cooling accepts the rack",
        "hall_not_ready": "bring the hall's ready date forward",
        "install": "deliver earlier or shorten the install time",
    }.get(cause or "", "deliver the lot inside the plan horizon")


def waited(model: Model, lot: Lot, outcome: LotOutcome, idle: dict[Cause, int]) -> Diagnostic:
    beyond = beyond_install(idle)
    total = sum(beyond.values())
    main = main_cause(idle)
    assert main is not None
    breakdown = ", ".join(f"{CAUSE_LABELS[c]}: {d:,} GPU-days" for c, d in beyond.items())
    related = _cause_related(model, lot, outcome, main)
    release = _release(model, lot, outcome, main)
    if release is not None:  # the step that released the racks says more than the whole map
        related = [release]
    return warning(
        Code.W302,
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
