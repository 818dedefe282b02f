"""Match two planned sides by name and say what moved (docs/language.md §16).

Declarations, lots, commitment dates, sites and links are matched by name;
diagnostics by (code, the names they concern), never by line, so moving a
block inside a file or into another file is no change.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date
from typing import TypeVar

from capplan.diagnostics import Diagnostic, tally
from capplan.diagnostics.codes import Code
from capplan.diff.cost import cost_diff
from capplan.diff.facts import SideFacts
from capplan.diff.report import (
    AttributeChange,
    Change,
    CommitmentChange,
    CommitmentState,
    DeclRef,
    DiagnosticRef,
    DiagnosticsDiff,
    DiffReport,
    LinkChange,
    LotChange,
    LotState,
    ModelDiff,
    NetworkDiff,
    RenderedDiff,
    SideSummary,
    SiteChange,
    SiteState,
)
from capplan.diff.summary import headline
from capplan.model.rules import beyond_install
from capplan.numbers import count
from capplan.report import PlanReport

# A link's peak utilisation must move by more than this (a fraction: 5 points) to be reported.
UTILISATION_THRESHOLD = 0.05
NETWORK_CODES = frozenset({Code.E500, Code.E501, Code.E502})

T = TypeVar("T")
S = TypeVar("S")


def compare(old: SideFacts, new: SideFacts) -> DiffReport:
    commitments = _commitments(old, new)
    lots = _lots(old.report, new.report)
    sites = _sites(old.report, new.report)
    new_diags, resolved = _diagnostics(old.diagnostics, new.diagnostics)
    network = NetworkDiff(
        new=[d for d in new_diags if d.code in NETWORK_CODES],
        resolved=[d for d in resolved if d.code in NETWORK_CODES],
        links=_links(old.report, new.report),
    )
    model = _model(old, new)
    rendered = _rendered(old.rendered, new.rendered)
    diagnostics = DiagnosticsDiff(new=new_diags, resolved=resolved)
    regressions = _regressions(commitments, lots, new_diags)
    cost = cost_diff(old.report, new.report)
    changed = bool(
        commitments
        or lots
        or sites
        or network.links
        or model.added
        or model.removed
        or model.changed
        or new_diags
        or resolved
        or (rendered and (rendered.added or rendered.changed or rendered.removed))
        or old.plannable != new.plannable
        or bool(cost and cost.rows)
    )
    report = DiffReport(
        old=_summary(old),
        new=_summary(new),
        headline="",
        changed=changed,
        regression=bool(regressions),
        regressions=regressions,
        commitments=commitments,
        lots=lots,
        sites=sites,
        network=network,
        model=model,
        diagnostics=diagnostics,
        rendered=rendered,
        utilisation_threshold=UTILISATION_THRESHOLD,
        cost=cost,
    )
    return report.model_copy(update={"headline": headline(report)})


def _summary(side: SideFacts) -> SideSummary:
    errors, warnings = tally(side.diagnostics)
    return SideSummary(label=side.label, plannable=side.plannable, errors=errors, warnings=warnings)


def _pair(
    old: Iterable[T],
    new: Iterable[T],
    key: Callable[[T], S],
) -> list[tuple[S, T | None, T | None]]:
    """Match by key: NEW's order first, then what only OLD has, in OLD's order."""
    olds = {key(o): o for o in old}
    news = {key(n): n for n in new}
    out: list[tuple[S, T | None, T | None]] = [(k, olds.get(k), n) for k, n in news.items()]
    out += [(k, o, None) for k, o in olds.items() if k not in news]
    return out


def _states(
    old: Iterable[tuple[S, T]], new: Iterable[tuple[S, T]]
) -> list[tuple[S, T | None, T | None]]:
    """Named states matched by name (`_pair`): each side's state, None where it has none."""
    return [
        (key, before[1] if before else None, after[1] if after else None)
        for key, before, after in _pair(old, new, lambda r: r[0])
    ]


def _change(old: object | None, new: object | None) -> Change:
    return "added" if old is None else "removed" if new is None else "changed"


# --- commitments, lots, sites, links ----------------------------------------------


def _commitments(old: SideFacts, new: SideFacts) -> list[CommitmentChange]:
    def rows(side: SideFacts) -> list[tuple[tuple[str, date], CommitmentState]]:
        if side.report is None:
            return []
        return [
            (
                (r.commitment, r.day),
                CommitmentState(required=r.required, live=r.live, met=r.met, shortfall=r.shortfall),
            )
            for r in side.report.commitments
        ]

    out = []
    for key, o, n in _states(rows(old), rows(new)):
        if o is not None and n is not None and (o.met, o.shortfall) == (n.met, n.shortfall):
            continue
        out.append(
            CommitmentChange(
                commitment=key[0],
                day=key[1],
                change=_change(o, n),
                old=o,
                new=n,
                main_cause=new.main_causes.get(key) if n is not None and not n.met else None,
            )
        )
    return out


def _days(old: date | None, new: date | None) -> int | None:
    return None if old is None or new is None else (new - old).days


def _lots(old: PlanReport | None, new: PlanReport | None) -> list[LotChange]:
    def states(report: PlanReport | None) -> list[tuple[str, LotState]]:
        if report is None:
            return []
        return [
            (
                lot.name,
                LotState(
                    first_live=lot.first_live,
                    last_live=lot.last_live,
                    stranded_racks=lot.stranded_racks,
                    idle_gpu_days=dict(sorted(beyond_install(lot.idle_gpu_days).items())),
                    main_cause=lot.main_cause,
                ),
            )
            for lot in report.lots
        ]

    out = []
    for name, o, n in _states(states(old), states(new)):
        if o == n:
            continue
        out.append(
            LotChange(
                lot=name,
                change=_change(o, n),
                old=o,
                new=n,
                first_live_days=_days(o.first_live, n.first_live) if o and n else None,
                last_live_days=_days(o.last_live, n.last_live) if o and n else None,
            )
        )
    return out


def _sites(old: PlanReport | None, new: PlanReport | None) -> list[SiteChange]:
    def states(report: PlanReport | None) -> list[tuple[str, SiteState]]:
        if report is None:
            return []
        out = []
        for site in report.sites:
            low = min(site.timeline, key=lambda row: (row.headroom_mw, row.day), default=None)
            out.append(
                (
                    site.name,
                    SiteState(
                        gpus_live_at_end=site.gpus_live_at_end,
                        min_headroom_mw=low.headroom_mw if low else 0.0,
                        min_headroom_day=low.day if low else None,
                    ),
                )
            )
        return out

    changes = []
    for name, o, n in _states(states(old), states(new)):
        if o == n:
            continue
        delta = round(n.min_headroom_mw - o.min_headroom_mw, 3) if o and n else None
        changes.append(SiteChange(site=name, change=_change(o, n), old=o, new=n, headroom_mw=delta))
    return changes


def _links(old: PlanReport | None, new: PlanReport | None) -> list[LinkChange]:
    def rows(report: PlanReport | None) -> list[tuple[str, float, date | None]]:
        if report is None or report.network is None:
            return []
        return [(r.link, r.peak_utilisation, r.peak_day) for r in report.network.links]

    out = []
    for name, o, n in _pair(rows(old), rows(new), lambda r: r[0]):
        if o is not None and n is not None and abs(n[1] - o[1]) <= UTILISATION_THRESHOLD:
            continue
        out.append(
            LinkChange(
                link=name,
                change=_change(o, n),
                old_peak_utilisation=o[1] if o else None,
                new_peak_utilisation=n[1] if n else None,
                old_peak_day=o[2] if o else None,
                new_peak_day=n[2] if n else None,
            )
        )
    return out


# --- diagnostics -------------------------------------------------------------------

_NAMES = re.compile(r"`([^`]+)`")


def concerned_names(diagnostic: Diagnostic) -> tuple[str, ...]:
    """The names a diagnostic concerns: the backquoted words of its summary, sorted."""
    return tuple(sorted(set(_NAMES.findall(diagnostic.summary))))


def _ref(diagnostic: Diagnostic) -> DiagnosticRef:
    span = diagnostic.span
    location = f"{span.source.name}:{span.source.position(span.start).line}" if span else None
    return DiagnosticRef(
        code=diagnostic.code,
        severity=diagnostic.severity.value,
        summary=diagnostic.summary,
        names=list(concerned_names(diagnostic)),
        location=location,
    )


def _diagnostics(
    old: list[Diagnostic], new: list[Diagnostic]
) -> tuple[list[DiagnosticRef], list[DiagnosticRef]]:
    """(new, resolved), matched as multisets of (code, names)."""

    def key(d: Diagnostic) -> tuple[str, tuple[str, ...]]:
        return (d.code, concerned_names(d))

    def extra(side: list[Diagnostic], other: list[Diagnostic]) -> list[DiagnosticRef]:
        left = Counter(key(d) for d in other)
        out = []
        for diagnostic in side:
            k = key(diagnostic)
            if left[k] > 0:
                left[k] -= 1
            else:
                out.append(_ref(diagnostic))
        return out

    return extra(new, old), extra(old, new)


# --- the model as written ----------------------------------------------------------


def _model(old: SideFacts, new: SideFacts) -> ModelDiff:
    added = [
        DeclRef(kind=k.kind, name=k.name) for k in new.declarations if k not in old.declarations
    ]
    removed = [
        DeclRef(kind=k.kind, name=k.name) for k in old.declarations if k not in new.declarations
    ]
    changed = []
    for key, attributes in new.declarations.items():
        before = old.declarations.get(key)
        if before is None:
            continue
        for name in [*attributes, *(a for a in before if a not in attributes)]:
            if before.get(name) != attributes.get(name):
                changed.append(
                    AttributeChange(
                        kind=key.kind,
                        name=key.name,
                        attribute=name,
                        old=before.get(name),
                        new=attributes.get(name),
                    )
                )
    return ModelDiff(added=added, removed=removed, changed=changed)


def _rendered(old: dict[str, bytes] | None, new: dict[str, bytes] | None) -> RenderedDiff | None:
    if old is None or new is None:
        return None
    return RenderedDiff(
        added=sorted(p for p in new if p not in old),
        changed=sorted(p for p in new if p in old and old[p] != new[p]),
        removed=sorted(p for p in old if p not in new),
    )


# --- regressions (--fail-on regression) ------------------------------------------------


def _regressions(
    commitments: list[CommitmentChange], lots: list[LotChange], new: list[DiagnosticRef]
) -> list[str]:
    """Why `--fail-on regression` fails, in the order of section 9."""
    out = [f"new error {d.code}: {d.summary}" for d in new if d.severity == "error"]
    for c in commitments:
        if c.old is None or c.new is None:
            continue
        if c.old.met and not c.new.met:
            out.append(f"commitment {c.commitment} on {c.day}: met before, now short")
        elif not c.new.met and c.new.shortfall > c.old.shortfall:
            out.append(
                f"commitment {c.commitment} on {c.day}: shortfall grows "
                f"{count(c.old.shortfall)} -> {count(c.new.shortfall)}"
            )
    for lot in lots:
        before = lot.old.stranded_racks if lot.old else 0
        after = lot.new.stranded_racks if lot.new else 0
        if after > before:
            out.append(f"lot {lot.lot}: stranded racks grow {before} -> {after}")
    for d in new:
        if d.code == Code.E501:
            out.append(f"a protected flow loses its protection: {d.summary}")
    return out
