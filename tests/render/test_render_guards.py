"""Hostile templates and shared output folders (issue 11): each guard as a test.

See docs/security.md for the threat model: `--templates` folders and `.cap` files come
from pull requests; the output folder is shared with other jobs and people.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
from pathlib import Path

import pytest

from capplan.render import MANIFEST_NAME, RenderContext, render_files, render_tree
from capplan.render.lock import KEPT_MARKER, STAGING_PREFIX, output_lock
from tests.conftest import EXAMPLES, run_cli

from .render_fixtures import small_context


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


# --- the template loader stays in its folder ------------------------------------------


def test_a_template_symlink_to_a_file_outside_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("token=hunter2\n", encoding="utf-8")
    templates = tmp_path / "t"
    (templates / "leak").mkdir(parents=True)
    (templates / "leak/out.md.j2").symlink_to(secret)
    tree = render_files(small_context(), ["leak"], templates)
    assert [problem.code for problem in tree.problems] == ["template-error"]
    assert "outside the templates folder" in tree.problems[0].message
    assert tree.files == {}


def test_an_include_of_a_symlinked_file_is_refused(tmp_path: Path) -> None:
    templates = write(tmp_path / "t", {"leak/out.md.j2": '{% include "leak/_x.j2" %}\n'})
    (templates / "leak/_x.j2").symlink_to("/etc/hostname")
    tree = render_files(small_context(), ["leak"], templates)
    assert tree.problems and "outside the templates folder" in tree.problems[0].message


def test_a_fifo_template_is_refused_without_blocking(tmp_path: Path) -> None:
    templates = tmp_path / "t"
    (templates / "leak").mkdir(parents=True)
    os.mkfifo(templates / "leak/out.md.j2")
    tree = render_files(small_context(), ["leak"], templates)
    assert "not a regular file" in tree.problems[0].message


def test_a_symlink_inside_the_folder_is_fine(tmp_path: Path) -> None:
    templates = write(tmp_path / "t", {"extra/_real.j2": "# {{ plan.name | md }}\n"})
    (templates / "extra/page.md.j2").symlink_to("_real.j2")
    tree = render_files(small_context(), ["extra"], templates)
    assert tree.problems == ()
    assert tree.files["extra/page.md"].decode().endswith("# nscale\\_2026\n")


# --- the context is immutable ---------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        '{% do ctx.plan.labels.update({"owner": "mallory"}) %}',
        '{% do ctx.sites[0].labels.update({"team": "mallory"}) %}',
        '{% do ctx["plan"]["labels"].update({"owner": "mallory"}) %}',
        '{% do label_keys.update({"site": "mallory"}) %}',
    ],
)
def test_a_template_cannot_change_the_context(tmp_path: Path, statement: str) -> None:
    context = small_context(
        plan=small_context().plan.model_copy(update={"labels": {"owner": "capacity"}})
    )
    # "aaa" sorts before "kueue": were the change possible, the kueue files rendered
    # after it would carry owner=mallory.
    templates = write(tmp_path / "t", {"aaa/x.md.j2": statement + "\n# x\n"})
    tree = render_files(context, ["aaa", "kueue"], templates)
    assert [problem.code for problem in tree.problems] == ["template-error"]
    assert context.plan.labels == {"owner": "capacity"}
    assert context.site("narvik").labels == {"team": "infra-nordics"}
    assert context.site("loughton").labels == {}
    clean = render_files(context, ["kueue"])
    assert b"mallory" not in b"".join(clean.files.values())


def test_templates_still_build_their_own_data(rendered: dict[str, str]) -> None:
    # The built-in templates append to their own lists and update their own dicts.
    assert "BlockName=" in rendered["slurm/narvik/topology.conf"]
    assert "nominalQuota" in rendered["kueue/narvik/clusterqueue-uncommitted.yaml"]


# --- one render at a time -------------------------------------------------------------


def test_a_second_render_while_one_holds_the_lock_is_refused(
    context: RenderContext, out_dir: Path
) -> None:
    assert render_tree(context, out_dir).ok
    before = {p: p.read_bytes() for p in sorted(out_dir.rglob("*")) if p.is_file()}
    changed = context.model_copy(
        update={"plan": context.plan.model_copy(update={"at": context.plan.end})}
    )
    with output_lock(out_dir, write=True) as problem:  # the first render, still running
        assert problem is None
        outcome = render_tree(changed, out_dir)
        check = render_tree(changed, out_dir, check=True)
    assert [p.code for p in outcome.problems] == ["locked"]
    assert [p.code for p in check.problems] == ["locked"]
    assert {p: p.read_bytes() for p in sorted(out_dir.rglob("*")) if p.is_file()} == before
    assert render_tree(changed, out_dir).ok  # and once it has ended, it goes ahead


def test_the_lock_is_on_the_folder_itself(context: RenderContext, out_dir: Path) -> None:
    assert render_tree(context, out_dir).ok
    descriptor = os.open(out_dir, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again afterwards
    finally:
        os.close(descriptor)
    assert sorted(p.name for p in out_dir.parent.iterdir()) == ["gitops"]  # no lock file


# --- staging folders of killed renders ------------------------------------------------


def test_staging_left_by_kill_9_is_removed(context: RenderContext, out_dir: Path) -> None:
    assert render_tree(context, out_dir).ok
    beside = out_dir.parent / f".gitops{STAGING_PREFIX}dead1"
    (beside / "new").mkdir(parents=True)
    (beside / "new/partial.yaml").write_text("half", encoding="utf-8")
    assert render_tree(context, out_dir).ok
    assert not beside.exists()
    assert sorted(p.name for p in out_dir.parent.iterdir()) == ["gitops"]


def test_staging_inside_the_tree_is_out_of_date_then_removed(
    context: RenderContext, out_dir: Path
) -> None:
    """Output on a mount point: staging goes inside the tree, where --check must see it."""
    assert render_tree(context, out_dir).ok
    inside = out_dir / f"{STAGING_PREFIX}dead2"
    (inside / "old").mkdir(parents=True)
    check = render_tree(context, out_dir, check=True)
    assert not check.up_to_date
    assert [str(change) for change in check.changes] == [f"removed: {STAGING_PREFIX}dead2"]
    assert render_tree(context, out_dir).ok
    assert not inside.exists()
    assert render_tree(context, out_dir, check=True).up_to_date


def test_staging_kept_on_purpose_is_left_alone(context: RenderContext, out_dir: Path) -> None:
    assert render_tree(context, out_dir).ok
    kept = out_dir.parent / f".gitops{STAGING_PREFIX}kept"
    (kept / "old").mkdir(parents=True)
    (kept / KEPT_MARKER).write_text("rollback failed\n", encoding="utf-8")
    assert render_tree(context, out_dir).ok
    assert (kept / KEPT_MARKER).exists()


# --- an owned file replaced by a symlink ----------------------------------------------


def test_an_owned_file_replaced_by_a_symlink_is_not_followed(
    context: RenderContext, out_dir: Path, tmp_path: Path
) -> None:
    assert render_tree(context, out_dir).ok
    owned = out_dir / "slurm/narvik/topology.conf"
    expected = owned.read_bytes()
    mode = stat.S_IMODE(owned.stat().st_mode)
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("not capplan's\n", encoding="utf-8")
    elsewhere.chmod(0o600)
    owned.unlink()
    owned.symlink_to(elsewhere)
    assert render_tree(context, out_dir, check=True).changes[0].path == "slurm/narvik/topology.conf"
    assert render_tree(context, out_dir).ok
    assert not owned.is_symlink()
    assert owned.read_bytes() == expected
    assert stat.S_IMODE(owned.stat().st_mode) == mode != 0o777
    assert elsewhere.read_text(encoding="utf-8") == "not capplan's\n"  # target untouched
    assert stat.S_IMODE(elsewhere.stat().st_mode) == 0o600


# --- the input hash does not depend on how the path is typed --------------------------


def test_check_passes_however_the_path_is_spelt(tmp_path: Path) -> None:
    copy = tmp_path / "repo/examples"
    shutil.copytree(EXAMPLES, copy)
    out = tmp_path / "repo/gitops"
    root = copy / "nscale-2026.cap"
    assert run_cli("render", str(root), "-o", str(out), "--target", "kueue").exit_code == 0
    cwd = os.getcwd()
    try:
        os.chdir(tmp_path / "repo")
        for spelling in ("examples/nscale-2026.cap", "./examples/../examples/nscale-2026.cap"):
            result = run_cli("render", spelling, "-o", "gitops", "--target", "kueue", "--check")
            assert result.exit_code == 0, (spelling, result.stdout, result.stderr)
    finally:
        os.chdir(cwd)
    assert MANIFEST_NAME in {p.name for p in out.iterdir()}
