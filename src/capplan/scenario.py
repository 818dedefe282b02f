"""Scenarios (docs/language.md §16): `override` and `remove` applied to the syntax tree.

A stage between loading and resolving. Every declaration of the program is
collected first; then each `override`/`remove` is applied in the order the
loader met it (imports depth first, `--scenario` files after the model), so
the resolver sees one plain model and reports dangling references (E203 at
the reference) and bad values exactly as for a hand-written file.

Members an override moves into a declaration of another file carry their own
`source`, so a diagnostic on them points into the scenario file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from capplan.diagnostics import Diagnostics, Related, Span, closest, did_you_mean, error
from capplan.diagnostics.codes import Code
from capplan.load import DISK, FileReader, Program, load_program
from capplan.resolve.members import misplaced_hall, unknown_attribute
from capplan.resolve.references import no_such_hall
from capplan.resolve.schema import SCHEMA
from capplan.source import SourceFile
from capplan.syntax import ast

Op = ast.Override | ast.Remove


@dataclass
class _Found:
    """A top-level declaration (or const) by name, as the scenario stage sees it."""

    kind: str  # a declaration kind, or "const"
    index: int  # its place in the program's items
    span: Span
    removed: Span | None = None  # where a `remove` dropped it


@dataclass
class _State:
    items: list[tuple[ast.Item, SourceFile] | None]
    names: dict[str, _Found] = field(default_factory=dict)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)


def has_scenario_items(program: Program) -> bool:
    return any(isinstance(item, ast.Override | ast.Remove) for item, _ in program.items)


def apply_scenarios(program: Program) -> tuple[Program, Diagnostics]:
    """The program with every override and removal applied, and what went wrong (E200-E204)."""
    if not has_scenario_items(program):
        return program, Diagnostics()
    state = _State(list(program.items))
    ops: list[tuple[Op, SourceFile]] = []
    for index, (item, source) in enumerate(program.items):
        if isinstance(item, ast.Override | ast.Remove):
            ops.append((item, source))
            state.items[index] = None
        elif isinstance(item, ast.Decl) and item.name not in state.names:
            span = Span(source, item.name_start, item.name_end)
            state.names[item.name] = _Found(item.kind, index, span)
        elif isinstance(item, ast.Const) and item.name not in state.names:
            span = Span(source, item.name_start, item.name_end)
            state.names[item.name] = _Found("const", index, span)
    for op, source in ops:
        if isinstance(op, ast.Remove):
            _remove(state, op, source)
        elif op.kind == "hall":
            _override_hall(state, op, source)
        else:
            _override(state, op, source)
    items = [entry for entry in state.items if entry is not None]
    applied = Program(program.root, items, program.sources, program.diagnostics)
    return applied, state.diagnostics


def _target(
    state: _State, kind: str, name: str, span: Span, verb: str
) -> tuple[ast.Decl, SourceFile, _Found] | None:
    """The declaration an override or removal names: E203 unknown (closest), E204 wrong kind."""
    found = state.names.get(name)
    if found is None or found.removed is not None:
        candidates = [n for n, f in state.names.items() if f.kind == kind and f.removed is None]
        guess = closest(name, candidates)
        related = (
            [Related(f"`{name}` was removed here", found.removed)]
            if found is not None and found.removed is not None
            else []
        )
        state.diagnostics.add(
            error(
                Code.E203,
                f"cannot {verb} unknown {kind} `{name}`",
                span,
                detail=f"no {kind} named `{name}` is declared in the model",
                related=related,
                suggestions=did_you_mean(guess),
            )
        )
        return None
    if found.kind != kind:
        state.diagnostics.add(
            error(
                Code.E204,
                f"`{name}` is a {found.kind}, not a {kind}",
                span,
                related=[Related(f"`{name}` is declared here", found.span)],
                suggestions=[f"write `{verb} {found.kind} {name}`"]
                if found.kind != "const"
                else [],
            )
        )
        return None
    entry = state.items[found.index]
    assert entry is not None and isinstance(entry[0], ast.Decl)
    return entry[0], entry[1], found


def _remove(state: _State, op: ast.Remove, source: SourceFile) -> None:
    span = Span(source, op.name_start, op.name_end)
    target = _target(state, op.kind, op.name, span, "remove")
    if target is None:
        return
    _, _, found = target
    state.items[found.index] = None
    found.removed = Span(source, op.start, op.end)


def _override(state: _State, op: ast.Override, source: SourceFile) -> None:
    name = op.target.parts[0]
    span = Span(source, op.target.start, op.target.end)
    target = _target(state, op.kind, name, span, "override")
    if target is None:
        return
    decl, decl_source, found = target
    members = _merge(state, decl.members, op.members, op.kind, source)
    state.items[found.index] = (replace(decl, members=members), decl_source)


def _override_hall(state: _State, op: ast.Override, source: SourceFile) -> None:
    site_name, hall_name = op.target.parts
    head = Span(source, op.target.start, op.target.start + len(site_name))
    target = _target(state, "site", site_name, head, "override a hall of")
    if target is None:
        return
    decl, decl_source, found = target
    halls = [m for m in decl.members if isinstance(m, ast.Decl)]
    hall = next((h for h in halls if h.name == hall_name), None)
    if hall is None:
        span = Span(source, op.target.start, op.target.end)
        names = [h.name for h in halls]
        state.diagnostics.add(no_such_hall(site_name, hall_name, names, span, found.span))
        return
    new_hall = replace(hall, members=_merge(state, hall.members, op.members, "hall", source))
    site_members = [new_hall if m is hall else m for m in decl.members]
    state.items[found.index] = (replace(decl, members=site_members), decl_source)


def _merge(
    state: _State,
    base: list[ast.Member],
    changes: list[ast.Member],
    kind: str,
    source: SourceFile,
) -> list[ast.Member]:
    """`base` with each attribute or map of `changes` replacing the member of that name.

    A member not in `base` is added; a hall (only in `override site`) is added.
    """
    schema = SCHEMA[kind]
    out = list(base)
    for member in changes:
        if isinstance(member, ast.Decl):
            if kind != "site":
                state.diagnostics.add(
                    misplaced_hall(
                        member,
                        source,
                        f"an override of a {kind}",
                        "add halls with `override site SITE { hall NAME { … } }`",
                    )
                )
                continue
            out.append(member)
            continue
        if member.name not in schema:
            span = Span(source, member.name_start, member.name_end)
            state.diagnostics.add(unknown_attribute(member.name, span, kind, schema))
            continue
        member.source = source
        place = next(
            (i for i, m in enumerate(out) if not isinstance(m, ast.Decl) and m.name == member.name),
            None,
        )
        if place is None:
            out.append(member)
            continue
        out[place] = member
        out[place + 1 :] = [
            m for m in out[place + 1 :] if isinstance(m, ast.Decl) or m.name != member.name
        ]
    return out


def add_scenario_files(
    program: Program, scenarios: Sequence[Path], reader: FileReader = DISK
) -> Program:
    """The program followed by each `--scenario` file and its imports, in order.

    Each scenario is loaded as a root of its own (imports relative to it, E112 from
    its own directory); a file the model already holds is read once, at its first
    appearance, as for an import.

    Raises `UnreadableRoot` when a scenario file itself cannot be read (a usage error).
    """
    if not scenarios:
        return program
    items = list(program.items)
    sources = list(program.sources)
    diagnostics = Diagnostics()
    diagnostics.extend(program.diagnostics)
    seen = {source.path for source in sources if source.path is not None}
    for path in scenarios:
        loaded = load_program(path, str(path), reader)
        fresh = [s for s in loaded.sources if s.path is None or s.path not in seen]
        keep = {id(s) for s in fresh}
        items.extend((item, src) for item, src in loaded.items if id(src) in keep)
        sources.extend(fresh)
        seen.update(s.path for s in fresh if s.path is not None)
        diagnostics.extend(loaded.diagnostics)
    return Program(program.root, items, sources, diagnostics)
