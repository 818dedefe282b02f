"""Fixtures for the render tests: the hand-built context and helpers to read a tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from capplan.render import BUILTIN_TARGETS, RenderContext, render_files

from .render_fixtures import small_context


@pytest.fixture
def context() -> RenderContext:
    return small_context()


@pytest.fixture
def rendered(context: RenderContext) -> dict[str, str]:
    """All built-in targets of the small context, in memory, as text."""
    tree = render_files(context, BUILTIN_TARGETS)
    assert tree.problems == ()
    return {path: data.decode("utf-8") for path, data in tree.files.items()}


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """An output folder inside a parent that holds nothing else (to spot leftovers)."""
    parent = tmp_path / "repo"
    parent.mkdir()
    return parent / "gitops"
