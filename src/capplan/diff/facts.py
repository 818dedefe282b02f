"""One side of a diff, planned in full: what the comparison matches by name.

Everything here is read from the same stages `plan` and `render` use (the
plan report, the diagnostics, the syntax tree after scenarios, `render_files`
in memory), so `diff` never disagrees with the commands it summarises.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from capplan import api
from capplan.diagnostics import Diagnostic
from capplan.diff.sides import Side
from capplan.load import Program
from capplan.model.addr import HallAddr
from capplan.report import PlanReport, build_report
from capplan.source import SourceFile
from capplan.syntax import ast

Attributes = dict[str, str]  # attribute name -> value as written (whitespace collapsed)


@dataclass(frozen=True)
class DeclKey:
    kind: str  # a declaration kind, "hall" or "const"
    name: str  # `site.hall` for a hall

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}"


@dataclass
class SideFacts:
    label: str
    compilation: api.Compilation
    planned: api.Planned | None
    report: PlanReport | None
    diagnostics: list[Diagnostic]
    declarations: dict[DeclKey, Attributes]
    main_causes: dict[tuple[str, date], str] = field(default_factory=dict)
    rendered: dict[str, bytes] | None = None  # None: render would write nothing (errors)

    @property
    def plannable(self) -> bool:
        return self.planned is not None


def gather(side: Side, scenarios: Sequence[Path] = (), render: bool = True) -> SideFacts:
    """Compile, plan, report and (when error-free) render one side.

    Raises `UnreadableRoot` when the root or a scenario file cannot be read.
    """
    compilation = api.compile_file(side.path, side.label, scenarios=scenarios, reader=side.reader)
    planned = api.plan(compilation)
    diagnostics = (planned.diagnostics if planned else compilation.diagnostics).sorted()
    report = build_report(planned) if planned is not None else None
    facts = SideFacts(
        side.label + "".join(f" --scenario {path}" for path in scenarios),
        compilation,
        planned,
        report,
        diagnostics,
        declarations(compilation.program),
    )
    if planned is not None:
        facts.main_causes = _main_causes(planned)
        if render and not any(d.is_error for d in diagnostics):
            facts.rendered = _render(planned)
    return facts


def _main_causes(planned: api.Planned) -> dict[tuple[str, date], str]:
    from capplan.checks.commitments import due_dates, main_cause, shortfall_causes

    out: dict[tuple[str, date], str] = {}
    for due in due_dates(planned.model, planned.schedule):
        if due.met:
            continue
        shortfall = due.required - due.live
        causes = shortfall_causes(
            planned.model, planned.schedule, due.commitment, due.step.day, shortfall
        )
        out[(due.commitment.name, due.step.day)] = main_cause(causes)
    return out


def _render(planned: api.Planned) -> dict[str, bytes] | None:
    from capplan.render import BUILTIN_TARGETS, render_files
    from capplan.render.build import build_context, default_at

    tree = render_files(build_context(planned, default_at(planned.model)), BUILTIN_TARGETS)
    return None if tree.problems else dict(tree.files)


# --- the model as written ---------------------------------------------------------

_SPACE = re.compile(r"\s+")


def declarations(program: Program) -> dict[DeclKey, Attributes]:
    """Every declaration (halls as `site.hall`, consts too) with its attributes as written.

    Read from the syntax tree after scenarios, so values stay in source units
    (`230 MW`, `26w`), which is how a reviewer wrote and reads them.
    """
    out: dict[DeclKey, Attributes] = {}
    for item, source in program.items:
        if isinstance(item, ast.Const):
            out.setdefault(DeclKey("const", item.name), {"value": _text(item.value, source)})
        elif isinstance(item, ast.Decl):
            key = DeclKey(item.kind, item.name)
            if key in out:
                continue  # a duplicate (E202) is reported, not compared
            out[key] = _attributes(item, source)
            for member in item.members:
                if isinstance(member, ast.Decl):
                    hall = DeclKey("hall", str(HallAddr(item.name, member.name)))
                    out.setdefault(hall, _attributes(member, member.source or source))
    return out


def _attributes(decl: ast.Decl, source: SourceFile) -> Attributes:
    found: Attributes = {}
    for member in decl.members:
        if isinstance(member, ast.Decl):
            continue
        src = member.source or source
        if isinstance(member, ast.Attribute):
            found.setdefault(member.name, _text(member.value, src))
        else:
            entries = "  ".join(
                f"{_text(e.key, src)}: {_text(e.value, src)}" for e in member.entries
            )
            found.setdefault(member.name, f"{{ {entries} }}" if entries else "{ }")
    return found


def _text(node: ast.Value | ast.Key, source: SourceFile) -> str:
    return _SPACE.sub(" ", source.text[node.start : node.end]).strip()
