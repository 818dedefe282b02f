"""The pipeline as functions: what the CLI, tests and benchmarks call.

source -> syntax tree -> typed model -> (schedule -> checks) -> emitters.
Each stage returns its diagnostics; a later stage runs only on a model the
earlier stages could build.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from capplan.diagnostics import Diagnostics
from capplan.load import Program, load_program, load_text
from capplan.model.decls import Model
from capplan.resolve import build_model


@dataclass
class Compilation:
    program: Program
    model: Model | None
    diagnostics: Diagnostics = field(default_factory=Diagnostics)

    @property
    def ok(self) -> bool:
        return self.model is not None and not self.diagnostics.has_errors


def _compile(program: Program) -> Compilation:
    diagnostics = Diagnostics()
    diagnostics.extend(program.diagnostics)
    model, found = build_model(program)
    diagnostics.extend(found)
    return Compilation(program, model, diagnostics)


def compile_file(path: Path, display: str | None = None) -> Compilation:
    """Parse and resolve a root file and its imports (raises UnreadableRoot)."""
    return _compile(load_program(path, display))


def compile_text(text: str, name: str = "<input>") -> Compilation:
    return _compile(load_text(text, name))
