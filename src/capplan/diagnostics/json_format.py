"""The JSON diagnostic format of docs/language.md §18, field for field."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from capplan.diagnostics import Diagnostic, Span, tally
from capplan.diagnostics.codes import doc_url

FORMAT_VERSION = "1"


def range_json(span: Span | None) -> dict[str, Any] | None:
    if span is None:
        return None
    source = span.source
    start = source.position(span.start)
    end = source.position(span.end)
    return {
        "filename": source.name,
        "start": {"line": start.line, "column": start.column, "byte": start.byte},
        "end": {"line": end.line, "column": end.column, "byte": end.byte},
    }


def diagnostic_json(diagnostic: Diagnostic) -> dict[str, Any]:
    return {
        "severity": diagnostic.severity.value,
        "code": diagnostic.code,
        "summary": diagnostic.summary,
        "detail": diagnostic.detail,
        "range": range_json(diagnostic.span),
        "related": [
            {"message": r.message, "range": range_json(r.span)} for r in diagnostic.related
        ],
        "suggestions": list(diagnostic.suggestions),
        "url": doc_url(diagnostic.code),  # the code's section in docs/; `capplan explain CODE`
    }


def diagnostics_document(
    diagnostics: Iterable[Diagnostic], *, complete: bool = True
) -> dict[str, Any]:
    """`complete` is false when a root file could not be read: then nothing says it is valid."""
    items = list(diagnostics)
    errors, warnings = tally(items)
    return {
        "format_version": FORMAT_VERSION,
        "valid": complete and errors == 0,
        "error_count": errors,
        "warning_count": warnings,
        "diagnostics": [diagnostic_json(d) for d in items],
    }


def render_json(diagnostics: Iterable[Diagnostic], *, complete: bool = True) -> str:
    document = diagnostics_document(diagnostics, complete=complete)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
