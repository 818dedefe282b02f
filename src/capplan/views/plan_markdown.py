"""`capplan plan --format markdown`: the fleet's plan page, from render's own template.

The page (`views/page.py`) is laid out by `templates/plan/_page.md.j2`, the template
of render's plan pages, with Mermaid charts: stdout has no image files beside it, so
the forge that shows the pasted Markdown draws them (docs/render.md).
"""

from __future__ import annotations

from collections.abc import Sequence

from capplan.diagnostics import Diagnostic
from capplan.report import PlanReport
from capplan.views.page import fleet_page

TEMPLATE = "plan/_page.md.j2"


def render_plan_markdown(report: PlanReport, diagnostics: Sequence[Diagnostic] = ()) -> str:
    from capplan.render.templating import render_partial

    page = fleet_page(report, diagnostics)
    return render_partial(TEMPLATE, page=page, charts="mermaid", pages=())
