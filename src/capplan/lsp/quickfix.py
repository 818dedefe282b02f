"""Diagnostics as LSP values, and the quick fixes their did-you-mean suggestions offer."""

from __future__ import annotations

import difflib
import re
from typing import Any

from lsprotocol import types

from capplan.diagnostics import Diagnostic, Severity
from capplan.diagnostics.codes import lookup
from capplan.lsp.positions import lsp_range, path_uri, span_range

_DID_YOU_MEAN = re.compile(r"did you mean `([^`]+)`\?")


def to_lsp(diagnostic: Diagnostic, doc_uri: str | None) -> types.Diagnostic:
    span = diagnostic.span
    code = lookup(diagnostic.code)
    message = diagnostic.summary + (f"\n{diagnostic.detail}" if diagnostic.detail else "")
    for suggestion in diagnostic.suggestions:
        message += f"\nhelp: {suggestion}"
    related = [
        types.DiagnosticRelatedInformation(
            location=types.Location(uri=path_uri(r.span.source.path), range=span_range(r.span)),
            message=r.message,
        )
        for r in diagnostic.related
        if r.span is not None and r.span.source.path is not None
    ]
    return types.Diagnostic(
        range=span_range(span)
        if span is not None
        else types.Range(
            start=types.Position(line=0, character=0),
            end=types.Position(line=0, character=0),
        ),
        message=message,
        severity=types.DiagnosticSeverity.Error
        if diagnostic.severity is Severity.ERROR
        else types.DiagnosticSeverity.Warning,
        code=diagnostic.code,
        code_description=types.CodeDescription(href=doc_uri) if doc_uri and code else None,
        source="capplan",
        related_information=related or None,
        data=quick_fix_data(diagnostic),
    )


def quick_fix_data(diagnostic: Diagnostic) -> dict[str, Any] | None:
    """The replacement a did-you-mean suggestion proposes: its range and text."""
    span = diagnostic.span
    if span is None:
        return None
    for suggestion in diagnostic.suggestions:
        match = _DID_YOU_MEAN.search(suggestion)
        if match is None:
            continue
        guess = match.group(1)
        start, end = span.start, span.end
        written = span.source.text[start:end]
        if "." in written and "." not in guess:  # replace the part the guess is closest to
            parts = [(m.start(), m.end()) for m in re.finditer(r"[A-Za-z_][A-Za-z0-9_-]*", written)]
            a, b = max(
                parts,
                key=lambda p: difflib.SequenceMatcher(None, written[p[0] : p[1]], guess).ratio(),
            )
            start, end = start + a, start + b
        edit_range = lsp_range(span.source, start, end)
        return {
            "title": f"Replace `{span.source.text[start:end]}` with `{guess}`",
            "newText": guess,
            "range": {
                "start": {
                    "line": edit_range.start.line,
                    "character": edit_range.start.character,
                },
                "end": {
                    "line": edit_range.end.line,
                    "character": edit_range.end.character,
                },
            },
        }
    return None


def quick_fixes(uri: str, diagnostics: list[types.Diagnostic]) -> list[types.CodeAction]:
    actions = []
    for diagnostic in diagnostics:
        data = diagnostic.data
        if not isinstance(data, dict) or "newText" not in data:
            continue
        where = data["range"]
        edit = types.TextEdit(
            range=types.Range(
                start=_position(where["start"]),
                end=_position(where["end"]),
            ),
            new_text=data["newText"],
        )
        actions.append(
            types.CodeAction(
                title=data["title"],
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                is_preferred=True,
                edit=types.WorkspaceEdit(changes={uri: [edit]}),
            )
        )
    return actions


def _position(data: dict[str, int]) -> types.Position:
    """A position of the JSON range `quick_fix_data` put in a diagnostic's data."""
    return types.Position(line=data["line"], character=data["character"])
