"""The plan page: the one document behind `plan --format markdown|html` and the plan pages.

A page is the plan's sections (`views/sections.py`, the text view's, in its order)
for a selection — the whole fleet or one site (`views/selection.py`) — plus the
diagnostics and the charts, as plain typed values. The Markdown and HTML templates
(`templates/plan/_page.md.j2`, `templates/plan/_page.html.j2`) only lay them out,
so `plan --format markdown` and `render`'s `plan/` pages cannot say different
things (docs/render.md, "One plan, two selections").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from capplan.charts import catalog
from capplan.charts.catalog import Chart
from capplan.diagnostics import Diagnostic
from capplan.numbers import count
from capplan.report import PlanReport
from capplan.views import document, sections
from capplan.views.selection import site_report

DIAGNOSTIC_HEADERS = ("severity", "code", "message")
"""No source position: editing a comment or moving a declaration must not change a
committed plan page (`capplan validate` gives the positions)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Cell(_Frozen):
    text: str
    alert: bool = False
    """Bad news (a shortfall, negative headroom, stranded racks, an error): shown in red."""


class PageHeading(_Frozen):
    kind: Literal["heading"] = "heading"
    text: str
    level: int = 2


class PagePara(_Frozen):
    kind: Literal["para"] = "para"
    text: str
    alert: bool = False


class PageTable(_Frozen):
    kind: Literal["table"] = "table"
    title: str
    headers: tuple[str, ...]
    numeric: tuple[bool, ...]
    """Per column: a figure column, right-aligned."""
    rows: tuple[tuple[Cell, ...], ...]


Block = PageHeading | PagePara | PageTable | Chart


class Page(_Frozen):
    """One plan page, in reading order: the summary, the diagnostics, the charts, then
    the text view's other sections. Templates lay `blocks` out one by one."""

    title: str
    scope: str
    """`fleet`, or the site's name."""
    errors: int
    warnings: int
    blocks: tuple[Block, ...]

    def chart(self, name: str) -> Chart | None:
        """The page's chart called `name` (`power`, `gpus`, `lots`, `links`), if drawn."""
        return next((b for b in self.blocks if isinstance(b, Chart) and b.name == name), None)

    def charts(self) -> list[Chart]:
        return [b for b in self.blocks if isinstance(b, Chart)]


def fleet_page(
    report: PlanReport,
    diagnostics: Sequence[Diagnostic],
    site_folders: Mapping[str, str] | None = None,
) -> Page:
    """The page of the whole fleet. `site_folders` (site name → folder of its page)
    places each site's power chart in its folder; without it charts sit beside the page."""
    charts = catalog.fleet_charts(report, site_folders or {})
    return _page(report, "fleet", diagnostics, charts)


def site_page(report: PlanReport, site: str, diagnostics: Sequence[Diagnostic]) -> Page:
    """The page of one site: the fleet page's sections over the site's selection.

    The diagnostics are the plan's (a diagnostic points at source, not at a site): a
    site page shows the whole plan's findings, so no error is hidden from a reader who
    opens one site only.
    """
    selected = site_report(report, site)
    return _page(selected, site, diagnostics, catalog.site_charts(selected))


def _page(
    report: PlanReport,
    scope: str,
    diagnostics: Sequence[Diagnostic],
    charts: Sequence[Chart],
) -> Page:
    summary = [_block(b) for b in sections.summary(report)]
    title = summary[0].text if isinstance(summary[0], PageHeading) else report.plan or "plan"
    if scope != "fleet":
        title = f"site {scope} of {title}"
    errors = sum(1 for d in diagnostics if d.is_error)
    blocks: list[Block] = [b for b in summary if not _is_title(b)]
    blocks += _diagnostics_blocks(diagnostics)
    if charts:
        blocks += [PageHeading(text="charts"), *charts]
    blocks += [_block(b) for section in sections.SECTIONS[1:] for b in section(report)]
    return Page(
        title=title,
        scope=scope,
        errors=errors,
        warnings=len(diagnostics) - errors,
        blocks=tuple(blocks),
    )


def _is_title(block: Block) -> bool:
    return isinstance(block, PageHeading) and block.level == 1


def _block(block: document.Block) -> Block:
    if isinstance(block, document.Heading):
        return PageHeading(text=block.text, level=block.level)
    if isinstance(block, document.Para):
        return PagePara(text=block.text, alert=block.alert)
    return PageTable(
        title=block.title,
        headers=tuple(block.headers),
        numeric=tuple(block.is_numeric(i) for i in range(len(block.headers))),
        rows=tuple(
            tuple(
                Cell(text=cell, alert=document.alert(header, cell))
                for header, cell in zip(block.headers, row, strict=True)
            )
            for row in block.rows
        ),
    )


def _diagnostics_blocks(diagnostics: Sequence[Diagnostic]) -> list[Block]:
    if not diagnostics:
        return [PagePara(text="No errors or warnings.")]
    rows = []
    for diagnostic in diagnostics:
        severity = diagnostic.severity.value
        rows.append(
            (
                Cell(text=severity, alert=diagnostic.is_error),
                Cell(text=diagnostic.code),
                Cell(text=diagnostic.summary),
            )
        )
    errors = sum(1 for d in diagnostics if d.is_error)
    title = f"diagnostics: {count(errors)} errors, {count(len(diagnostics) - errors)} warnings"
    table = PageTable(
        title=title,
        headers=DIAGNOSTIC_HEADERS,
        numeric=(False,) * len(DIAGNOSTIC_HEADERS),
        rows=tuple(rows),
    )
    return [table]
