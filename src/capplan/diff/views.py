"""Text, Markdown (a pull-request comment) and JSON forms of one `DiffReport`.

Text and Markdown are built from the same sections (title, columns, rows), so
the two forms always show the same facts.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from capplan.checks.commitments import SHORTFALL_LABELS
from capplan.diff.cost import cost_rows
from capplan.diff.report import CommitmentState, DiffReport, LotState
from capplan.diff.summary import signed
from capplan.numbers import count, mw_unit, percent

# GitHub rejects a comment body over 65,536 characters; stay well under it.
MARKDOWN_LIMIT = 65_536
MARKER = "<!-- capplan-diff -->"  # lets a bot find its own comment to update
ARROW = "\u2192"
DASH = "\u2014"


@dataclass(frozen=True)
class Section:
    title: str
    columns: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]


def _day(day: date | None) -> str:
    return day.isoformat() if day else DASH


def _moved(old: date | None, new: date | None, days: int | None) -> str:
    if old == new:
        return _day(new)
    shift = f" ({signed(days)} d)" if days else ""
    return f"{_day(old)} {ARROW} {_day(new)}{shift}"


def _both(old: object, new: object) -> str:
    return str(new) if old == new else f"{old} {ARROW} {new}"


def _commitment_cell(state: CommitmentState | None) -> str:
    if state is None:
        return DASH
    status = "met" if state.met else f"short {count(state.shortfall)}"
    return f"{status} ({count(state.live)}/{count(state.required)})"


def _label(cause: str) -> str:
    """A cause identifier (JSON) in a planner's words (text and Markdown)."""
    labels: dict[str, str] = {str(k): v for k, v in SHORTFALL_LABELS.items()}
    return labels.get(cause, cause)


def _idle(old: LotState | None, new: LotState | None) -> str:
    if old is None or new is None:
        return DASH
    before = old.idle_gpu_days if old else {}
    after = new.idle_gpu_days if new else {}
    causes = sorted(set(before) | set(after))
    cells = [
        f"{_label(c)} {count(before.get(c, 0))} {ARROW} {count(after.get(c, 0))}"
        for c in causes
        if before.get(c, 0) != after.get(c, 0)
    ]
    return "; ".join(cells) or "unchanged"


def sections(report: DiffReport) -> list[Section]:
    out = [
        Section(
            "Commitments",
            ("commitment", "date", "old", "new", "main cause (new)"),
            [
                (
                    c.commitment,
                    c.day.isoformat(),
                    _commitment_cell(c.old),
                    _commitment_cell(c.new),
                    _label(c.main_cause) if c.main_cause else DASH,
                )
                for c in report.commitments
            ],
        ),
        Section(
            "Lots",
            ("lot", "change", "first live", "last live", "stranded racks", "idle GPU-days"),
            [
                (
                    lot.lot,
                    lot.change,
                    _moved(
                        lot.old.first_live if lot.old else None,
                        lot.new.first_live if lot.new else None,
                        lot.first_live_days,
                    ),
                    _moved(
                        lot.old.last_live if lot.old else None,
                        lot.new.last_live if lot.new else None,
                        lot.last_live_days,
                    ),
                    _both(
                        lot.old.stranded_racks if lot.old else DASH,
                        lot.new.stranded_racks if lot.new else DASH,
                    ),
                    _idle(lot.old, lot.new),
                )
                for lot in report.lots
            ],
        ),
        Section(
            "Sites",
            ("site", "GPUs live at end", "minimum headroom", "on"),
            [
                (
                    s.site,
                    _both(
                        count(s.old.gpus_live_at_end) if s.old else DASH,
                        count(s.new.gpus_live_at_end) if s.new else DASH,
                    ),
                    _both(
                        mw_unit(s.old.min_headroom_mw) if s.old else DASH,
                        mw_unit(s.new.min_headroom_mw) if s.new else DASH,
                    )
                    + (f" ({signed(s.headroom_mw, 'MW')})" if s.headroom_mw else ""),
                    _both(
                        _day(s.old.min_headroom_day) if s.old else DASH,
                        _day(s.new.min_headroom_day) if s.new else DASH,
                    ),
                )
                for s in report.sites
            ],
        ),
        Section(
            "Network",
            ("what", "name", "old", "new"),
            [
                (
                    "peak utilisation",
                    link.link,
                    _utilisation(link.old_peak_utilisation, link.old_peak_day),
                    _utilisation(link.new_peak_utilisation, link.new_peak_day),
                )
                for link in report.network.links
            ]
            + [(f"new {d.code}", ", ".join(d.names), DASH, d.summary) for d in report.network.new]
            + [
                (f"resolved {d.code}", ", ".join(d.names), d.summary, DASH)
                for d in report.network.resolved
            ],
        ),
        Section(
            "Model",
            ("declaration", "attribute", "old", "new"),
            [(f"{d.kind} {d.name}", "(added)", DASH, DASH) for d in report.model.added]
            + [(f"{d.kind} {d.name}", "(removed)", DASH, DASH) for d in report.model.removed]
            + [
                (f"{a.kind} {a.name}", a.attribute, a.old or DASH, a.new or DASH)
                for a in report.model.changed
            ],
        ),
        Section(
            "Diagnostics",
            ("", "code", "summary", "at"),
            [("new", d.code, d.summary, d.location or DASH) for d in report.diagnostics.new]
            + [
                ("resolved", d.code, d.summary, d.location or DASH)
                for d in report.diagnostics.resolved
            ],
        ),
    ]
    currency = report.cost.currency if report.cost and report.cost.currency else "money"
    out.append(
        Section(
            f"Cost (fleet, {currency})", ("figure", "old", "new", "change"), cost_rows(report.cost)
        )
    )
    rendered = report.rendered
    if rendered is not None:
        out.append(
            Section(
                "Rendered output",
                ("", "file"),
                [("added", p) for p in rendered.added]
                + [("changed", p) for p in rendered.changed]
                + [("removed", p) for p in rendered.removed],
            )
        )
    return [s for s in out if s.rows]


def _utilisation(value: float | None, day: date | None) -> str:
    if value is None:
        return DASH
    return percent(value) + (f" on {day.isoformat()}" if day else "")


def _rendered_note(report: DiffReport) -> str | None:
    if report.rendered is not None:
        return None
    return "Rendered output: not compared (a side has errors, so `render` would write nothing)."


# --- text ----------------------------------------------------------------------------


def render_text(report: DiffReport) -> str:
    lines = [f"capplan diff {report.old.label} {ARROW} {report.new.label}", report.headline]
    for reason in report.regressions:
        lines.append(f"  regression: {reason}")
    for section in sections(report):
        lines += ["", f"{section.title} ({len(section.rows)})", *_aligned(section)]
    note = _rendered_note(report)
    if note:
        lines += ["", note]
    return "\n".join(lines) + "\n"


def _aligned(section: Section) -> list[str]:
    table = [section.columns, *section.rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(section.columns))]
    return [
        "  "
        + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in table
    ]


# --- Markdown: the pull-request comment --------------------------------------------------


def render_markdown(report: DiffReport, limit: int = MARKDOWN_LIMIT) -> str:
    """One comment: headline first, each section in a `<details>` block, cut under `limit`."""
    head = [
        MARKER,
        f"### capplan diff: `{report.old.label}` {ARROW} `{report.new.label}`",
        "",
        f"**{_cell(report.headline)}**",
        "",
    ]
    if report.regressions:
        head += ["Regressions:", *[f"- {_cell(r)}" for r in report.regressions], ""]
    cut_note = (
        "\n> **Cut:** this comment stops here to stay under GitHub's 65,536-character limit; "
        "run `capplan diff --format json` for every row.\n"
    )
    budget = limit - len(cut_note) - 200
    body = "\n".join(head) + "\n"
    cut = False
    for section in sections(report):
        if cut:
            break
        opening = (
            f"<details><summary>{section.title} ({len(section.rows)})</summary>\n\n"
            f"| {' | '.join(section.columns)} |\n|{'---|' * len(section.columns)}\n"
        )
        closing = "\n</details>\n\n"
        if len(body) + len(opening) + len(closing) > budget:
            cut = True
            break
        body += opening
        for row in section.rows:
            line = "| " + " | ".join(_cell(c) for c in row) + " |\n"
            if len(body) + len(line) + len(closing) > budget:
                cut = True
                break
            body += line
        body += closing
    note = _rendered_note(report)
    if note and not cut:
        body += f"{note}\n"
    if cut:
        body += cut_note
    return body.rstrip("\n") + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# --- JSON ------------------------------------------------------------------------------


def render_json(report: DiffReport) -> str:
    return json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
