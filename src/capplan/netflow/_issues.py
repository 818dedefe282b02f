"""Per-day problems and their merging into findings over runs of checked days."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from capplan.netflow._cuts import Cut
from capplan.netflow._timeline import Timeline
from capplan.netflow.types import Certificate, Finding, FindingKind, ratio


@dataclass(frozen=True)
class Issue:
    """One unroutable or unprotected problem on one checked day, by name."""

    kind: FindingKind
    lost_link: str | None
    flows: tuple[str, ...]
    links: tuple[str, ...]
    certificate: Certificate
    demand: float
    capacity: float

    @property
    def key(self) -> tuple[object, ...]:
        """What must stay equal for consecutive days to merge into one finding."""
        return (self.kind, self.lost_link, self.flows, self.links, self.certificate)


def issue_from_cut(
    kind: FindingKind,
    lost_link: str | None,
    cut: Cut,
    flow_names: Sequence[str],
    link_names: Sequence[str],
) -> Issue:
    """Name the flows and links of ``cut`` (sorted, so equal cuts give equal keys)."""
    return Issue(
        kind=kind,
        lost_link=lost_link,
        flows=tuple(sorted(flow_names[i] for i in cut.flows)),
        links=tuple(sorted(link_names[i] for i in cut.links)),
        certificate=cut.certificate,
        demand=cut.demand,
        capacity=cut.capacity,
    )


@dataclass
class _OpenRun:
    """A finding being built from consecutive checked days with the same issue key."""

    first: int
    last: int
    count: int
    worst_index: int
    worst: Issue


def merge_runs(timeline: Timeline, issues_by_day: Sequence[Sequence[Issue]]) -> list[Finding]:
    """One finding per maximal run of consecutive checked days with an equal issue key.

    The figures are the worst day's (highest demand / capacity; earliest on ties).
    """
    done: list[Finding] = []
    open_runs: dict[tuple[object, ...], _OpenRun] = {}
    for index, issues in enumerate(issues_by_day):
        present = {issue.key: issue for issue in issues}
        for key in [k for k in open_runs if k not in present]:
            done.append(_close(timeline, open_runs.pop(key)))
        for key, issue in present.items():
            run = open_runs.get(key)
            if run is None:
                open_runs[key] = _OpenRun(index, index, 1, index, issue)
                continue
            run.last, run.count = index, run.count + 1
            if ratio(issue.demand, issue.capacity) > ratio(run.worst.demand, run.worst.capacity):
                run.worst_index, run.worst = index, issue
    done.extend(_close(timeline, run) for run in open_runs.values())
    return done


def _close(timeline: Timeline, run: _OpenRun) -> Finding:
    issue = run.worst
    return Finding(
        kind=issue.kind,
        first_day=int(timeline.days[run.first]),
        last_day=timeline.last_day_of(run.last),
        days_checked=run.count,
        flows=issue.flows,
        links=issue.links,
        lost_link=issue.lost_link,
        worst_day=int(timeline.days[run.worst_index]),
        demand_bps=issue.demand,
        capacity_bps=issue.capacity,
        certificate=issue.certificate,
    )
