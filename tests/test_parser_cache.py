"""The Lark tables kept between runs: used when trusted, rebuilt when not, never an error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from lark import Lark

from capplan.syntax import grammar, parser_cache

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "nscale-2026.cap"


def _tables(monkeypatch: pytest.MonkeyPatch, folder: Path | str) -> Path:
    monkeypatch.setenv("CAPPLAN_CACHE_DIR", str(folder))
    path = parser_cache.tables_path(grammar.grammar_text(), grammar._OPTIONS)
    assert path is not None
    return path


def _fresh_parser() -> Lark:
    grammar.lark_parser.cache_clear()
    try:
        return grammar.lark_parser()
    finally:
        grammar.lark_parser.cache_clear()


def _same_tables(a: Lark, b: Lark) -> bool:
    table_a, table_b = a.parser.parser.parser.parse_table, b.parser.parser.parser.parse_table
    return bool(table_a.states == table_b.states) and [t.name for t in a.terminals] == [
        t.name for t in b.terminals
    ]


def test_first_run_saves_the_tables_and_the_next_loads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _tables(monkeypatch, tmp_path / "cache")
    built = _fresh_parser()
    assert path.is_file()
    assert path.parent.stat().st_mode & 0o777 == 0o700  # a private folder
    loaded = parser_cache.load(path)
    assert loaded is not None and _same_tables(built, loaded)
    assert _same_tables(_fresh_parser(), built)


def test_a_changed_grammar_or_lark_names_another_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _tables(monkeypatch, tmp_path)
    other = parser_cache.tables_path(grammar.grammar_text() + "\n// edited\n", grammar._OPTIONS)
    assert other is not None and other != path
    monkeypatch.setattr(parser_cache.lark, "__version__", "0.0.0-other")
    upgraded = parser_cache.tables_path(grammar.grammar_text(), grammar._OPTIONS)
    assert upgraded is not None and upgraded not in (path, other)


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="no file owners")
def test_tables_others_can_write_are_not_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _tables(monkeypatch, tmp_path / "cache")
    _fresh_parser()
    assert parser_cache.load(path) is not None
    path.chmod(0o666)  # a file anyone may replace
    assert parser_cache.load(path) is None
    path.chmod(0o600)
    path.parent.chmod(0o777)  # a folder anyone may write into
    assert parser_cache.load(path) is None
    path.parent.chmod(0o700)
    assert parser_cache.load(path) is not None


def test_a_corrupt_file_is_rebuilt_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _tables(monkeypatch, tmp_path / "cache")
    path.parent.mkdir(mode=0o700)
    path.write_bytes(b"not a pickle")
    path.chmod(0o600)
    assert parser_cache.load(path) is None
    parser = _fresh_parser()  # builds, then replaces the corrupt file
    loaded = parser_cache.load(path)
    assert loaded is not None and _same_tables(parser, loaded)


def test_an_empty_setting_turns_the_cache_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAPPLAN_CACHE_DIR", "")
    assert parser_cache.cache_dir() is None
    assert parser_cache.tables_path(grammar.grammar_text(), grammar._OPTIONS) is None


def test_the_default_folder_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CAPPLAN_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert parser_cache.cache_dir() == tmp_path / "capplan"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/not/allowed")  # the XDG rule: absolute only
    assert parser_cache.cache_dir() == Path.home() / ".cache" / "capplan"


def _validate(cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CAPPLAN_CACHE_DIR": str(cache)}
    return subprocess.run(
        [sys.executable, "-m", "capplan", "validate", "--format", "json", str(EXAMPLE)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_an_unwritable_cache_costs_time_never_the_run(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder would be\n", encoding="utf-8")
    cold = _validate(blocker / "cache")  # the folder cannot be made
    assert cold.returncode == 0, cold.stderr
    assert cold.stderr == ""
    assert json.loads(cold.stdout)["diagnostics"] == []


def test_runs_with_and_without_saved_tables_print_the_same_bytes(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold, warm = _validate(cache), _validate(cache)
    names = [p.name for p in cache.iterdir()]
    assert len(names) == 1 and names[0].startswith("lark-")  # no temporary left behind
    assert (cold.returncode, cold.stdout, cold.stderr) == (warm.returncode, warm.stdout, "")
