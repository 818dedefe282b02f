"""The pipeline as functions: what the CLI, tests and benchmarks call.

source -> syntax tree -> typed model -> schedule -> checks -> emitters.
Each stage returns its diagnostics; a later stage runs only on a model the
earlier stages could build without errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from capplan.diagnostics import Diagnostics
from capplan.diagnostics.codes import Code
from capplan.load import DISK, DiskReader, FileReader, Program, load_program, load_text
from capplan.model.decls import Model
from capplan.perf import gc_paused
from capplan.resolve import build_model
from capplan.scenario import add_scenario_files, apply_scenarios

if TYPE_CHECKING:
    from capplan.checks.network import NetworkCheck
    from capplan.risk import RiskReport, RiskRun
    from capplan.risk.runner import OnDone
    from capplan.schedule import Schedule


@dataclass
class Compilation:
    program: Program
    model: Model | None
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    complete: bool = False  # the model holds every declaration (no syntax or model errors)

    @property
    def ok(self) -> bool:
        return self.model is not None and not self.diagnostics.has_errors

    @property
    def plannable(self) -> bool:
        """Model-level errors (E300, E401-E403) leave a complete model worth scheduling."""
        return self.model is not None and self.complete


@dataclass
class Planned:
    """A model with its schedule, network analysis and every diagnostic."""

    compilation: Compilation
    model: Model
    schedule: Schedule
    network: NetworkCheck | None
    diagnostics: Diagnostics


def _compile(program: Program, static_checks: bool) -> Compilation:
    with gc_paused():
        return _compile_program(program, static_checks)


def _compile_program(program: Program, static_checks: bool) -> Compilation:
    diagnostics = Diagnostics()
    diagnostics.extend(program.diagnostics)
    program, found = apply_scenarios(program)  # section 9: before names are resolved
    diagnostics.extend(found)
    model, found = build_model(program)
    diagnostics.extend(found)
    compilation = Compilation(program, model, diagnostics, complete=not diagnostics.has_errors)
    if static_checks and compilation.plannable:
        diagnostics.extend(model_checks(compilation.model))  # type: ignore[arg-type]
    return compilation


def model_checks(model: Model) -> Diagnostics:
    """Checks that need the model but not the schedule (W404, E300, E401-E403)."""
    from capplan.checks.power import check_never_fits
    from capplan.checks.static import check_horizon
    from capplan.checks.supply import check_supply

    found = Diagnostics()
    found.extend(check_horizon(model))
    found.extend(check_supply(model))
    found.extend(diagnostic for diagnostic, _ in check_never_fits(model))
    return found


def compile_file(
    path: Path | str,
    display: str | None = None,
    static_checks: bool = True,
    scenarios: Sequence[Path] = (),
    reader: FileReader = DISK,
) -> Compilation:
    """Parse, resolve and statically check a root file and its imports.

    `scenarios` are `--scenario` files, applied in order after the model (section 9);
    `reader` is where the root and its imports are read from (a git revision for diff).
    Raises `UnreadableRoot` when the root or a scenario file cannot be read (a usage error).
    """
    with gc_paused():
        program = add_scenario_files(load_program(path, display, reader), scenarios)
        return _compile(program, static_checks)


STDIN = Path("-")
"""The command-line name of standard input, as a root file."""
STDIN_DISPLAY = "<stdin>"


class StdinRoot(DiskReader):
    """The root `-` is the bytes read from standard input; imports come from the disk,
    relative to the working directory (where a root file in it would find them)."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._root = STDIN.resolve()

    def read(self, path: Path) -> bytes:
        return self._data if path.resolve() == self._root else super().read(path)


def read_stdin(stdin: BinaryIO | None) -> bytes:
    """All of standard input; `UnreadableRoot` (a usage error) when closed or too large."""
    import sys

    from capplan.load import MAX_FILE_BYTES, UnreadableRoot

    stream = stdin if stdin is not None else getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise UnreadableRoot("cannot read standard input: it is closed")
    try:
        data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise UnreadableRoot(f"cannot read standard input: {exc.strerror}") from exc
    if len(data) > MAX_FILE_BYTES:  # the limit of a file on disk (load.py)
        raise UnreadableRoot(
            f"cannot read standard input: larger than {MAX_FILE_BYTES // 2**20} MiB"
        )
    return data


def compile_input(
    path: Path, scenarios: Sequence[Path] = (), stdin: BinaryIO | None = None
) -> Compilation:
    """`compile_file` for a command-line argument, where `-` is the model on standard input."""
    if path != STDIN:
        return compile_file(path, str(path), scenarios=scenarios)
    reader = StdinRoot(read_stdin(stdin))
    return compile_file(STDIN, STDIN_DISPLAY, scenarios=scenarios, reader=reader)


def compile_program(program: Program, static_checks: bool = True) -> Compilation:
    """Resolve and statically check an already loaded program (see `load.load_program`)."""
    return _compile(program, static_checks)


def compile_text(text: str, name: str = "<input>", static_checks: bool = True) -> Compilation:
    return _compile(load_text(text, name), static_checks)


def plan(compilation: Compilation, network: bool = True) -> Planned | None:
    """Schedule a complete model and run every check on it.

    Syntax and model errors (E100-E211) leave declarations out, so nothing is
    scheduled; model-level errors (E300, E401-E403) do not stop the plan.
    """
    if not compilation.plannable:
        return None
    assert compilation.model is not None
    if compilation.model.undated is not None:  # no date at all: no horizon (docs/language.md §13)
        compilation.diagnostics.add(compilation.model.undated)
        return None
    with gc_paused():
        return _plan(compilation, network)


def _plan(compilation: Compilation, network: bool) -> Planned:
    assert compilation.model is not None
    from capplan.checks.commitments import check_commitments
    from capplan.checks.power import check_power
    from capplan.schedule import compute_schedule

    model = compilation.model
    schedule = compute_schedule(model)
    diagnostics = Diagnostics()
    diagnostics.extend(compilation.diagnostics)
    diagnostics.extend(
        d for d in check_power(model, schedule) if d.code != Code.E300
    )  # E300 was reported with the static checks
    diagnostics.extend(check_commitments(model, schedule))
    analysed = None
    if network and (model.links or model.flows):
        from capplan.checks.network import analyse, check_network, solver_failure

        try:
            analysed = analyse(model, schedule)
        except RuntimeError as exc:  # the LP solver failed twice on one day
            diagnostics.add(solver_failure(model, exc))
        else:
            diagnostics.extend(check_network(model, analysed))
    return Planned(compilation, model, schedule, analysed, diagnostics)


@dataclass
class Risked:
    """The nominal plan (every slip 0, every check) and the risk report of its samples."""

    planned: Planned
    report: RiskReport


def risk(compilation: Compilation, run: RiskRun, on_done: OnDone | None = None) -> Risked | None:
    """Plan the nominal model, then draw the samples of its slips (docs/language.md §15).

    None when the model cannot be planned (its diagnostics say why). The samples
    reuse the compiled model: nothing is parsed or resolved again. Raises
    `capplan.risk.DaskUnavailable` when `run.scheduler` cannot be used.
    """
    planned = plan(compilation)
    if planned is None:
        return None
    from capplan.risk import run_risk

    with gc_paused():
        report = run_risk(planned.model, run, on_done)
    return Risked(planned, report)
