"""The public entry points: render targets in memory, then write or check a tree."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from capplan.render import delta
from capplan.render.changes import plan_write
from capplan.render.context import RenderContext
from capplan.render.layout import OutputFile, csv_readmes, finish, kustomizations
from capplan.render.lock import output_lock
from capplan.render.manifest import TargetRecord
from capplan.render.outcome import Problem, RenderOutcome
from capplan.render.templating import TemplateSet, check_target_name, render_target
from capplan.render.writer import apply_write

BUILTIN_TARGETS: tuple[str, ...] = ("kueue", "netbox", "plan", "slurm")


@dataclass(frozen=True)
class RenderedTree:
    """A render held in memory: file bytes by relative path, and per-target records."""

    files: dict[str, bytes]
    records: dict[str, TargetRecord]
    problems: tuple[Problem, ...] = ()


def available_targets(templates_dir: Path | None = None) -> tuple[str, ...]:
    """Targets that can be rendered: built-in ones plus those in `templates_dir`."""
    return tuple(TemplateSet.load(templates_dir).targets())


def render_files(
    context: RenderContext, targets: Sequence[str], templates_dir: Path | None = None
) -> RenderedTree:
    """Render the targets into memory, with headers, kustomizations and READMEs.

    Touches no output folder; returns problems rather than raising for anything a user
    can cause (unknown target, template error, output that is not valid YAML, ...).
    """
    problems = request_problems(targets, templates_dir)
    if problems:
        return RenderedTree({}, {}, tuple(problems))
    templates = TemplateSet.load(templates_dir)
    selected = sorted(set(targets))
    files: dict[str, bytes] = {}
    records: dict[str, TargetRecord] = {}
    for target in selected:
        outputs, target_problems = _render_target_files(templates, context, target)
        problems += target_problems
        if problems:  # nothing is written; a refused template must not be read again
            continue
        files.update({output.path: output.data for output in outputs})
        records[target] = TargetRecord(
            _provenance(context, templates.digest(target)),
            tuple(sorted(output.path for output in outputs)),
        )
    if problems:
        return RenderedTree({}, {}, tuple(sorted(problems, key=_problem_order)))
    return RenderedTree(files, records)


def request_problems(targets: Sequence[str], templates_dir: Path | None = None) -> list[Problem]:
    """A missing templates folder or an unknown target: what the CLI reports (exit 2)
    before any planning, and what `render_files` refuses."""
    problems = _templates_dir_problems(templates_dir)
    if problems:
        return problems
    known = TemplateSet.load(templates_dir).targets()
    return [
        Problem(
            "unknown-target",
            f"no target {target!r}; available: {', '.join(known) or 'none'}",
        )
        for target in sorted(set(targets))
        if not check_target_name(target) or target not in known
    ]


def _problem_order(problem: Problem) -> tuple[str, int, str, str]:
    return (problem.path or "", problem.line or 0, problem.code, problem.message)


def _templates_dir_problems(templates_dir: Path | None) -> list[Problem]:
    if templates_dir is None or templates_dir.is_dir():
        return []
    return [Problem("templates-dir", "templates folder not found", str(templates_dir))]


def _render_target_files(
    templates: TemplateSet, context: RenderContext, target: str
) -> tuple[list[OutputFile], list[Problem]]:
    """One target's finished files (header, checks) plus the files around them."""
    texts, problems = render_target(templates, context, target)
    outputs: dict[str, OutputFile] = {}
    for rendered in texts:
        if rendered.path in outputs:
            problems.append(
                Problem(
                    "output-conflict",
                    f"made by both {outputs[rendered.path].source} and {rendered.template}",
                    rendered.path,
                )
            )
            continue
        try:
            output = finish(rendered.path, rendered.text, rendered.template)
        except Exception as error:  # OutputError, or anything odd in a user's output
            problems.append(Problem("bad-output", f"{error} ({rendered.template})", rendered.path))
            continue
        if output is not None:
            outputs[output.path] = output
    extras = kustomizations(outputs.values()) + csv_readmes(outputs.values())
    return [*outputs.values(), *extras], problems


def _provenance(context: RenderContext, templates_digest: str) -> dict[str, str]:
    """Where a target's files came from. No timestamps: a re-render must be a no-op."""
    plan = context.plan
    return {
        "capplan_version": plan.capplan_version,
        "input_hash": plan.input_hash,
        "plan": plan.name,
        "at": plan.at.isoformat(),
        "templates_sha256": templates_digest,
    }


def render_tree(
    context: RenderContext,
    out_dir: Path,
    targets: Sequence[str] = BUILTIN_TARGETS,
    templates_dir: Path | None = None,
    check: bool = False,
) -> RenderOutcome:
    """Render `targets` for `context` into `out_dir`, or check that it is up to date.

    Returns a :class:`RenderOutcome`; problems (unknown target, template error, a
    foreign file in the way, an unsafe path, an I/O failure) come back as values and
    nothing is written when there is one. With `check=True` nothing is ever written
    and `outcome.changes` lists what a render would add, change or remove.
    """
    rendered = render_files(context, targets, templates_dir)
    if rendered.problems:
        return RenderOutcome(check=check, problems=rendered.problems)
    root = Path(os.path.abspath(out_dir))
    with output_lock(root, write=not check) as locked:
        if locked is not None:
            return RenderOutcome(check=check, problems=(locked,))
        return _write_or_check(rendered, root, out_dir, check)


def _write_or_check(
    rendered: RenderedTree, root: Path, out_dir: Path, check: bool
) -> RenderOutcome:
    """The render proper, under the output folder's lock."""
    try:
        rendered = _with_netbox_delta(rendered, root)
        plan, problems = plan_write(root, rendered.files, rendered.records)
    except OSError as error:
        return RenderOutcome(check=check, problems=(_io_problem(error, out_dir),))
    files = tuple(sorted(rendered.files))
    if plan is None:
        return RenderOutcome(check=check, problems=tuple(problems), files=files)
    if not check:
        problems = apply_write(plan)
        if problems:  # rolled back or never started: nothing changed
            return RenderOutcome(check=check, problems=tuple(problems), files=files)
    return RenderOutcome(check=check, changes=plan.changes, files=files)


def _with_netbox_delta(rendered: RenderedTree, out_dir: Path) -> RenderedTree:
    """Add `netbox/added/`: what is new since the render `out_dir` held (see delta.py)."""
    record = rendered.records.get(delta.TARGET)
    if record is None:
        return rendered
    root = Path(os.path.abspath(out_dir))
    added, record = delta.netbox_delta(root, rendered.files, record)
    return RenderedTree({**rendered.files, **added}, {**rendered.records, delta.TARGET: record}, ())


def _io_problem(error: OSError, out_dir: Path) -> Problem:
    where = error.filename if isinstance(error.filename, str) else os.fspath(out_dir)
    return Problem("write-failed", error.strerror or str(error), where)
