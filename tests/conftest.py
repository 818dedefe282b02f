"""Shared helpers: run the real CLI and read its JSON diagnostics."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from capplan.cli import app

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.stdout)  # type: ignore[no-any-return]

    @property
    def diagnostics(self) -> list[dict[str, Any]]:
        return list(self.json["diagnostics"])

    def codes(self) -> list[str]:
        return [d["code"] for d in self.diagnostics]

    def first(self, code: str) -> dict[str, Any]:
        for diagnostic in self.diagnostics:
            if diagnostic["code"] == code:
                return diagnostic
        raise AssertionError(f"no {code} in {self.codes()}: {self.stdout}")


def run_cli(*args: str) -> CliResult:
    runner = CliRunner()
    result = runner.invoke(app, list(args), catch_exceptions=False)
    return CliResult(result.exit_code, result.stdout, result.stderr)


@pytest.fixture(autouse=True, scope="session")
def _parser_cache_in_a_temp_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The tests' processes keep the Lark tables in a folder of their own, not the user's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CAPPLAN_CACHE_DIR", str(tmp_path_factory.mktemp("parser-cache")))
        yield


@pytest.fixture
def write_cap(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write a dedented .cap file into a temp dir and return its path."""

    def write(text: str, name: str = "main.cap") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


@pytest.fixture(autouse=True)
def _plain_fixed_width_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process runs read COLUMNS and the colour variables (capplan/terminal.py): pin
    them, so a developer's shell cannot change a snapshot."""
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
