"""The registry of diagnostic codes: each code's severity, summary and documentation.

One place knows every code. `Code` is a `StrEnum`, so `Code.E203 == "E203"`
and code that still compares bare strings keeps working while callers move to
the enum. `capplan explain`, the JSON `url` field and the language server all
read the same entries, and a test checks that docs/diagnostics.md documents
every code under the heading `### <code> — <summary>`.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache

from capplan.diagnostics import Severity

DOC_PAGE = "docs/diagnostics.md"


_E = Severity.ERROR
_W = Severity.WARNING


def _slug(heading: str) -> str:
    """The anchor GitHub-style Markdown renderers give a heading."""
    lowered = heading.strip().lower()
    kept = re.sub(r"[^\w\- ]", "", lowered)
    return kept.replace(" ", "-")


class Code(StrEnum):
    """A diagnostic code. Compare, format and serialise it as the plain string.

    Each member is declared with its severity and summary (the words of its
    docs heading). A new code is one line here and one section in the docs.
    """

    E100 = ("E100", _E, "syntax error")
    E101 = ("E101", _E, "unterminated string")
    E102 = ("E102", _E, "invalid date")
    E103 = ("E103", _E, "invalid number or unknown unit")
    E110 = ("E110", _E, "imported file not found")
    E111 = ("E111", _E, "import cycle")
    E112 = ("E112", _E, "import path escapes the directory of the root file")
    E200 = ("E200", _E, "unknown attribute")
    E201 = ("E201", _E, "missing required attribute")
    E202 = ("E202", _E, "duplicate declaration")
    E203 = ("E203", _E, "unknown reference")
    E204 = ("E204", _E, "reference to the wrong kind of declaration")
    E205 = ("E205", _E, "wrong dimension")
    E206 = ("E206", _E, "value out of range")
    E207 = ("E207", _E, "attribute given twice")
    E208 = ("E208", _E, "schedule dates not strictly increasing")
    E209 = ("E209", _E, "lot GPUs not a multiple of the rack type's GPUs")
    E210 = ("E210", _E, "tranche counts do not add up to the lot's racks")
    E211 = ("E211", _E, "const cycle or undefined const")
    E212 = ("E212", _E, "a second currency in one model")
    E300 = ("E300", _E, "a rack type can never fit")
    E301 = ("E301", _E, "stranded racks")
    W302 = ("W302", _W, "racks waited before going live")
    E400 = ("E400", _E, "commitment not met")
    E401 = ("E401", _E, "lot arrives before order + supplier lead_time")
    E402 = ("E402", _E, "supplier allocation exceeded")
    E403 = ("E403", _E, "link ready before order + supplier lead_time")
    W404 = ("W404", _W, "date outside the plan horizon")
    E500 = ("E500", _E, "flows not routable")
    E501 = ("E501", _E, "protected flows not routable after losing one link")
    E502 = ("E502", _E, "flow endpoints never connected")

    severity: Severity
    summary: str

    def __new__(cls, value: str, severity: Severity, summary: str) -> Code:
        member = str.__new__(cls, value)
        member._value_ = value
        member.severity = severity
        member.summary = summary
        return member

    @property
    def heading(self) -> str:
        """The heading of this code's section in docs/diagnostics.md."""
        return f"{self.value} — {self.summary}"

    @property
    def anchor(self) -> str:
        """The fragment of this code's section, e.g. `e203--unknown-reference`."""
        return _slug(self.heading)

    @property
    def url(self) -> str:
        """The documentation reference, relative to the repository root."""
        return f"{DOC_PAGE}#{self.anchor}"


@cache
def lookup(code: str) -> Code | None:
    """The registered code for `code` (case-insensitive), or None."""
    return Code.__members__.get(code.upper())


def doc_url(code: str) -> str | None:
    """The documentation reference of a code, or None for an unregistered one."""
    found = lookup(code)
    return None if found is None else found.url
