"""`capplan plan --format html`: the fleet's plan page as one self-contained HTML file.

The page (`views/page.py`, the same blocks as the text and Markdown views) laid out by
`templates/plan/_page.html.j2`, the template of render's `plan/index.html`: inline CSS,
the charts as inline SVG, no script and nothing fetched, so the file opens offline,
mails as one attachment and prints (docs/render.md, "The HTML report").
"""

from __future__ import annotations

from collections.abc import Sequence

from capplan.diagnostics import Diagnostic
from capplan.report import PlanReport
from capplan.views.page import fleet_page

TEMPLATE = "plan/_page.html.j2"


def render_plan_html(report: PlanReport, diagnostics: Sequence[Diagnostic] = ()) -> str:
    from capplan.render.templating import render_partial

    return render_partial(TEMPLATE, page=fleet_page(report, diagnostics), pages=())
