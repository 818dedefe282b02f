"""The server's workspace model without a client: roots, the parse cache, the index."""

from __future__ import annotations

from pathlib import Path

from capplan.lsp.analysis import Workspace, cap_files_under
from tests.conftest import EXAMPLES


def test_root_of_an_imported_file_is_its_importer() -> None:
    workspace = Workspace([EXAMPLES])
    assert (
        workspace.root_for(EXAMPLES / "nscale" / "network.cap")
        == (EXAMPLES / "nscale-2026.cap").resolve()
    )
    tutorial = (EXAMPLES / "tutorial" / "01-first-site.cap").resolve()
    assert workspace.root_for(tutorial) == tutorial  # nothing imports it


def test_an_edit_parses_only_the_edited_file() -> None:
    workspace = Workspace([EXAMPLES])
    norway = EXAMPLES / "nscale" / "sites-norway.cap"
    first = workspace.analyse(norway)
    assert first is not None and len(first.sources()) == 6
    before = workspace.cache.misses
    text = norway.read_text(encoding="utf-8").replace("positions = 400", "positions = 401", 1)
    workspace.open(norway, text)
    again = workspace.analyse(norway)
    assert again is not None
    assert workspace.cache.misses - before == 1  # the five other files came from the cache
    assert again.compilation.model is not None
    assert again.compilation.model.sites["narvik"].halls["kvandal_a"].positions == 401


def test_index_follows_references_into_halls_and_consts() -> None:
    workspace = Workspace([EXAMPLES])
    analysis = workspace.analyse(EXAMPLES / "nscale-2026.cap")
    assert analysis is not None
    hall = analysis.references_to("narvik.kvandal_a")
    assert hall and all(r.source.text[r.start : r.end] == "kvandal_a" for r in hall)
    const = analysis.references_to("kvandal_phase2")
    assert [r.source.text[r.start : r.end] for r in const] == ["kvandal_phase2"]


def test_hidden_and_virtualenv_folders_are_not_scanned(tmp_path: Path) -> None:
    (tmp_path / ".venv" / "lib").mkdir(parents=True)
    (tmp_path / ".venv" / "lib" / "x.cap").write_text("pop p {}\n")
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "a.cap").write_text("pop p {}\n")
    assert cap_files_under(tmp_path) == [tmp_path / "plans" / "a.cap"]
