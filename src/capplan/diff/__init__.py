"""`capplan diff`: what a change does to the plan (docs/language.md §16).

Both sides are planned in full (`capplan.api`), then matched by name
(`compare`); `views` turns the one `DiffReport` into text, a pull-request
comment (Markdown) or JSON. See docs/diff.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from capplan.diff.compare import compare, concerned_names
from capplan.diff.facts import SideFacts, gather
from capplan.diff.report import FORMAT_VERSION, DiffReport
from capplan.diff.sides import Side, SideError, open_side
from capplan.diff.views import render_json, render_markdown, render_text

__all__ = [
    "FORMAT_VERSION",
    "DiffReport",
    "Outcome",
    "Side",
    "SideError",
    "SideFacts",
    "compare",
    "concerned_names",
    "diff",
    "open_side",
    "render_json",
    "render_markdown",
    "render_text",
]


@dataclass(frozen=True)
class Outcome:
    report: DiffReport
    old: SideFacts
    new: SideFacts


def diff(old: str, new: str | None = None, scenarios: Sequence[Path] = ()) -> Outcome:
    """Compare OLD with NEW (default: OLD itself); scenarios apply to NEW.

    Raises `SideError` or `load.UnreadableRoot` for a usage error (exit 2).
    """
    old_side = open_side(old)
    new_side = open_side(new) if new is not None else old_side
    old_facts = gather(old_side)
    # The same input read twice plans to the same bytes (output is deterministic): reuse it.
    same = new is None and not scenarios
    new_facts = old_facts if same else gather(new_side, scenarios)
    return Outcome(compare(old_facts, new_facts), old_facts, new_facts)
