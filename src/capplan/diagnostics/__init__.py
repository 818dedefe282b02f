"""Diagnostics as values: every stage appends to a list and returns it.

Modelled on Terraform's diagnostics: nothing raises on bad input; a stage
reports what it found and the next stage decides whether it can run.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from functools import partial
from typing import Final

from capplan.source import SourceFile


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


# The codes themselves, with severity, summary and docs anchor: `capplan.diagnostics.codes`.


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range in one source file."""

    source: SourceFile
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Related:
    message: str
    span: Span | None


@dataclass(frozen=True)
class Diagnostic:
    code: str
    severity: Severity
    summary: str
    span: Span | None
    detail: str = ""
    related: tuple[Related, ...] = ()
    suggestions: tuple[str, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, str, str]:
        if self.span is None:
            return ("", -1, self.code, self.summary)
        return (self.span.source.name, self.span.start, self.code, self.summary)


def _make(
    severity: Severity,
    code: str,
    summary: str,
    span: Span | None,
    *,
    detail: str = "",
    related: Iterable[Related] = (),
    suggestions: Iterable[str] = (),
) -> Diagnostic:
    return Diagnostic(code, severity, summary, span, detail, tuple(related), tuple(suggestions))


error: Final = partial(_make, Severity.ERROR)
"""An error diagnostic: ``error(code, summary, span, *, detail, related, suggestions)``."""
warning: Final = partial(_make, Severity.WARNING)
"""A warning diagnostic, with the arguments of `error`."""


@dataclass
class Diagnostics:
    """An append-only bag of diagnostics that every stage returns."""

    items: list[Diagnostic] = field(default_factory=list)
    _seen: set[tuple[str, str, int, int, str]] = field(default_factory=set, repr=False)

    def add(self, diagnostic: Diagnostic) -> None:
        """Append, once: the same code at the same place with the same summary is one problem."""
        span = diagnostic.span
        key = (
            diagnostic.code,
            span.source.name if span else "",
            span.start if span else -1,
            span.end if span else -1,
            diagnostic.summary,
        )
        if key in self._seen:
            return
        self._seen.add(key)
        self.items.append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        for diagnostic in diagnostics:
            self.add(diagnostic)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.items)

    def codes(self) -> list[str]:
        return [d.code for d in self.items]

    def sorted(self) -> list[Diagnostic]:
        """Deterministic order: by file, position, code."""
        return sorted(self.items, key=Diagnostic.sort_key)


def tally(diagnostics: Iterable[Diagnostic]) -> tuple[int, int]:
    """How many errors and how many warnings: the counts a document's summary gives."""
    errors = warnings = 0
    for diagnostic in diagnostics:
        if diagnostic.is_error:
            errors += 1
        else:
            warnings += 1
    return errors, warnings


def did_you_mean(guess: object) -> list[str]:
    """The help naming what a typo most likely meant (`closest`), none without a guess.

    The language server's quick fix reads this wording back (`lsp.quickfix`).
    """
    return [f"did you mean `{guess}`?"] if guess else []


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate a typo most likely meant, for "did you mean" help."""
    import difflib

    pool = sorted(set(candidates))
    matches = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    if matches:
        return matches[0]
    lowered = {c.lower(): c for c in pool}
    return lowered.get(name.lower())
