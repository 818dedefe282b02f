"""`capplan plan --format json`: the report plus the diagnostics document."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from capplan.diagnostics import Diagnostic
from capplan.diagnostics.json_format import diagnostics_document
from capplan.report import PLAN_FORMAT_VERSION, PlanReport


def render_plan_json(report: PlanReport | None, diagnostics: Iterable[Diagnostic]) -> str:
    document: dict[str, Any] = {"format_version": PLAN_FORMAT_VERSION}
    if report is not None:
        document["plan"] = report.model_dump(mode="json")
    else:
        document["plan"] = None
    document["diagnostics"] = diagnostics_document(diagnostics)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
