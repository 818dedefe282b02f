"""GitOps hygiene of the written tree: check mode, ownership, atomicity, path safety."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from capplan.render import MANIFEST_NAME, FileChange, RenderContext, render_tree, serialise
from capplan.render import writer as writer_module

from .render_fixtures import TreeSnapshot, narvik, small_context, snapshot_tree

TreeOf = Callable[[Path], TreeSnapshot]


@pytest.fixture
def tree_of() -> TreeOf:
    return snapshot_tree


def changed_context(context: RenderContext) -> RenderContext:
    """The same plan with loughton removed and narvik's description changed."""
    return context.model_copy(
        update={"sites": (narvik(description="Kvandal after the first phase"),)}
    )


def test_first_render_writes_everything(context: RenderContext, out_dir: Path) -> None:
    outcome = render_tree(context, out_dir)
    assert outcome.ok and not outcome.check
    assert {change.kind for change in outcome.changes} == {"added"}
    assert {change.path for change in outcome.changes} == {*outcome.files, MANIFEST_NAME}
    for rel in outcome.files:
        assert (out_dir / rel).is_file()
    manifest = json.loads((out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["format_version"] == 1
    assert sorted(manifest["targets"]) == ["kueue", "netbox", "plan", "slurm"]
    kueue = manifest["targets"]["kueue"]
    assert kueue["input_hash"] == context.plan.input_hash
    assert kueue["capplan_version"] == context.plan.capplan_version
    assert kueue["files"] == sorted(rel for rel in outcome.files if rel.startswith("kueue/"))
    assert "time" not in json.dumps(manifest).lower()


def test_check_mode_writes_nothing(context: RenderContext, out_dir: Path) -> None:
    outcome = render_tree(context, out_dir, check=True)
    assert outcome.ok and outcome.check
    assert len(outcome.changes) == len(outcome.files) + 1
    assert not out_dir.exists()
    assert sorted(os.listdir(out_dir.parent)) == []


def test_check_is_clean_after_render(
    context: RenderContext, out_dir: Path, tree_of: TreeOf
) -> None:
    render_tree(context, out_dir)
    before = tree_of(out_dir)
    outcome = render_tree(context, out_dir, check=True)
    assert outcome.up_to_date
    assert outcome.changes == ()
    assert tree_of(out_dir) == before


def test_rerender_is_a_no_op(context: RenderContext, out_dir: Path, tree_of: TreeOf) -> None:
    render_tree(context, out_dir)
    before = tree_of(out_dir)  # bytes and mtimes
    outcome = render_tree(context, out_dir)
    assert outcome.ok and outcome.changes == ()
    assert tree_of(out_dir) == before


def test_check_finds_a_hand_edited_file(context: RenderContext, out_dir: Path) -> None:
    render_tree(context, out_dir)
    edited = out_dir / "kueue/narvik/clusterqueue-uncommitted.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("232", "9999"), encoding="utf-8")
    outcome = render_tree(context, out_dir, check=True)
    assert outcome.changes == (FileChange("kueue/narvik/clusterqueue-uncommitted.yaml", "changed"),)
    assert render_tree(context, out_dir).ok
    assert render_tree(context, out_dir, check=True).up_to_date


def test_check_finds_a_deleted_file(context: RenderContext, out_dir: Path) -> None:
    render_tree(context, out_dir)
    (out_dir / "slurm/narvik/topology.conf").unlink()
    outcome = render_tree(context, out_dir, check=True)
    assert outcome.changes == (FileChange("slurm/narvik/topology.conf", "added"),)


def test_check_finds_a_changed_context(context: RenderContext, out_dir: Path) -> None:
    render_tree(context, out_dir)
    outcome = render_tree(changed_context(context), out_dir, check=True)
    kinds = {change.path: change.kind for change in outcome.changes}
    assert kinds["kueue/narvik/clusterqueue-uncommitted.yaml"] == "changed"
    assert kinds["kueue/loughton/topology.yaml"] == "removed"
    assert kinds[MANIFEST_NAME] == "changed"


def test_check_finds_new_inputs_even_when_no_file_changes(
    context: RenderContext, out_dir: Path
) -> None:
    render_tree(context, out_dir)
    rehashed = context.model_copy(
        update={"plan": context.plan.model_copy(update={"input_hash": "cd" * 32})}
    )
    outcome = render_tree(rehashed, out_dir, check=True)
    assert outcome.changes == (FileChange(MANIFEST_NAME, "changed"),)


def test_stale_generated_files_are_removed(
    context: RenderContext, out_dir: Path, tree_of: TreeOf
) -> None:
    render_tree(context, out_dir)
    outcome = render_tree(changed_context(context), out_dir)
    assert outcome.ok
    removed = {change.path for change in outcome.changes if change.kind == "removed"}
    assert "kueue/loughton/clusterqueue-uncommitted.yaml" in removed
    assert "plan/loughton/plan.json" in removed
    assert not (out_dir / "kueue/loughton").exists()  # emptied folders go too
    assert not (out_dir / "plan/loughton").exists()
    assert all(
        not path.startswith(("kueue/loughton", "slurm/loughton")) for path in tree_of(out_dir)
    )
    manifest = json.loads((out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert (
        "kueue/loughton/clusterqueue-uncommitted.yaml" not in manifest["targets"]["kueue"]["files"]
    )
    assert render_tree(changed_context(context), out_dir, check=True).up_to_date


def test_foreign_files_survive_renders(context: RenderContext, out_dir: Path) -> None:
    render_tree(context, out_dir)
    foreign = {
        "README.md": b"# our GitOps repo\n",
        "kueue/narvik/localqueue-team-a.yaml": b"kind: LocalQueue\n",
        "kueue/loughton/notes.txt": b"hand-written\n",
        "netbox/extra.csv": b"a,b\n",
    }
    for rel, data in foreign.items():
        (out_dir / rel).write_bytes(data)
    assert render_tree(context, out_dir, check=True).up_to_date  # foreign files are not stale
    assert render_tree(changed_context(context), out_dir).ok  # loughton removed
    for rel, data in foreign.items():
        assert (out_dir / rel).read_bytes() == data, rel
    assert not (out_dir / "kueue/loughton/clusterqueue-uncommitted.yaml").exists()
    kustomization = (out_dir / "kueue/narvik/kustomization.yaml").read_text(encoding="utf-8")
    assert "localqueue-team-a.yaml" not in kustomization


def test_a_foreign_file_in_the_way_stops_the_render(
    context: RenderContext, out_dir: Path, tree_of: TreeOf
) -> None:
    (out_dir / "netbox").mkdir(parents=True)
    (out_dir / "netbox/sites.csv").write_bytes(b"name\nmine\n")
    before = tree_of(out_dir)
    for check in (True, False):
        outcome = render_tree(context, out_dir, check=check)
        assert [problem.code for problem in outcome.problems] == ["foreign-file"]
        assert outcome.problems[0].path == "netbox/sites.csv"
        assert tree_of(out_dir) == before


def test_a_foreign_file_with_the_generated_bytes_is_adopted(
    context: RenderContext, out_dir: Path
) -> None:
    render_tree(context, out_dir)
    (out_dir / MANIFEST_NAME).unlink()  # e.g. lost in a merge: ownership unknown
    outcome = render_tree(context, out_dir)
    assert outcome.ok
    assert outcome.changes == (FileChange(MANIFEST_NAME, "added"),)


def test_rendering_some_targets_keeps_the_others(context: RenderContext, out_dir: Path) -> None:
    render_tree(context, out_dir)
    outcome = render_tree(changed_context(context), out_dir, targets=["kueue"])
    assert outcome.ok
    assert all(change.path.startswith(("kueue/", MANIFEST_NAME)) for change in outcome.changes)
    assert (out_dir / "slurm/loughton/topology.conf").exists()
    manifest = json.loads((out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert "slurm/loughton/topology.conf" in manifest["targets"]["slurm"]["files"]


# --- failures leave the previous tree intact -----------------------------------------------


def _failing_after(calls: int, original: Callable[..., Any]) -> Callable[..., Any]:
    count = {"n": 0}

    def fail(*args: Any, **kwargs: Any) -> Any:
        count["n"] += 1
        if count["n"] > calls:
            raise RuntimeError("serialiser failed mid-way")
        return original(*args, **kwargs)

    return fail


@pytest.mark.parametrize(("name", "calls"), [("to_csv", 2), ("to_yaml", 1), ("to_json", 0)])
def test_a_failure_mid_render_leaves_the_tree_intact(
    context: RenderContext,
    out_dir: Path,
    tree_of: TreeOf,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    calls: int,
) -> None:
    render_tree(context, out_dir)
    before = tree_of(out_dir)
    monkeypatch.setattr(serialise, name, _failing_after(calls, getattr(serialise, name)))
    outcome = render_tree(changed_context(context), out_dir)
    assert not outcome.ok
    assert {problem.code for problem in outcome.problems} == {"template-error"}
    assert "serialiser failed mid-way" in str(outcome.problems[0])
    assert outcome.changes == ()
    assert tree_of(out_dir) == before
    assert sorted(os.listdir(out_dir.parent)) == ["gitops"]


def test_a_failure_while_staging_leaves_the_tree_intact(
    context: RenderContext, out_dir: Path, tree_of: TreeOf, monkeypatch: pytest.MonkeyPatch
) -> None:
    render_tree(context, out_dir)
    before = tree_of(out_dir)
    original = writer_module._write_synced
    monkeypatch.setattr(writer_module, "_write_synced", _raise_os_error_after(2, original))
    outcome = render_tree(changed_context(context), out_dir)
    assert [problem.code for problem in outcome.problems] == ["write-failed"]
    assert "not touched" in outcome.problems[0].message
    assert tree_of(out_dir) == before
    assert sorted(os.listdir(out_dir.parent)) == ["gitops"]


def _raise_os_error_after(calls: int, original: Callable[..., Any]) -> Callable[..., Any]:
    count = {"n": 0}

    def fail(*args: Any, **kwargs: Any) -> Any:
        count["n"] += 1
        if count["n"] > calls:
            raise OSError(28, "No space left on device")
        return original(*args, **kwargs)

    return fail


def _raise_os_error_once_at(call: int, original: Callable[..., Any]) -> Callable[..., Any]:
    count = {"n": 0}

    def fail(*args: Any, **kwargs: Any) -> Any:
        count["n"] += 1
        if count["n"] == call:
            raise OSError(5, "Input/output error")
        return original(*args, **kwargs)

    return fail


def test_a_failure_while_moving_files_in_is_rolled_back(
    context: RenderContext, out_dir: Path, tree_of: TreeOf, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fail each move in turn (interim manifest, files, removals, final manifest)."""
    render_tree(context, out_dir)
    before = {rel: data for rel, (data, _) in tree_of(out_dir).items()}
    changes = render_tree(changed_context(context), out_dir, check=True).changes
    moves = 2 + len(changes) - 1  # interim + final manifest, one move per other change
    assert moves > 10
    for fail_at in range(1, moves + 1):
        monkeypatch.setattr(
            writer_module, "_move", _raise_os_error_once_at(fail_at, writer_module._move)
        )
        outcome = render_tree(changed_context(context), out_dir)
        monkeypatch.undo()
        assert [problem.code for problem in outcome.problems] == ["write-failed"], fail_at
        assert "restored" in outcome.problems[0].message
        assert {rel: data for rel, (data, _) in tree_of(out_dir).items()} == before, fail_at
        assert sorted(os.listdir(out_dir.parent)) == ["gitops"]
    assert render_tree(changed_context(context), out_dir).ok  # and then it works


def test_a_first_render_that_fails_while_moving_leaves_nothing(
    context: RenderContext, out_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer_module, "_move", _raise_os_error_once_at(4, writer_module._move))
    outcome = render_tree(context, out_dir)
    monkeypatch.undo()
    assert not outcome.ok
    assert not out_dir.exists()
    assert sorted(os.listdir(out_dir.parent)) == []


# --- path safety ------------------------------------------------------------------------


def _write_manifest(out_dir: Path, files: dict[str, list[str]]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    document = {
        "format_version": 1,
        "targets": {name: {"files": rels} for name, rels in files.items()},
    }
    (out_dir / MANIFEST_NAME).write_text(json.dumps(document), encoding="utf-8")


@pytest.mark.parametrize(
    "listed",
    ["kueue/../../outside.txt", "kueue/../netbox/x", "kueue//x", "kueue/./x", "/etc/passwd"],
)
def test_a_tampered_manifest_cannot_make_capplan_delete_outside(
    context: RenderContext, out_dir: Path, tmp_path: Path, listed: str
) -> None:
    victim = tmp_path / "outside.txt"
    victim.write_text("keep me", encoding="utf-8")
    _write_manifest(out_dir, {"kueue": [listed]})
    outcome = render_tree(context, out_dir)
    assert outcome.problems
    assert {problem.code for problem in outcome.problems} <= {"unsafe-path", "manifest-invalid"}
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert sorted(os.listdir(out_dir)) == [MANIFEST_NAME]


def test_a_manifest_entry_outside_its_target_folder_is_refused(
    context: RenderContext, out_dir: Path
) -> None:
    _write_manifest(out_dir, {"kueue": ["README.md"]})
    (out_dir / "README.md").write_text("mine", encoding="utf-8")
    outcome = render_tree(context, out_dir)
    assert [problem.code for problem in outcome.problems] == ["manifest-invalid"]
    assert (out_dir / "README.md").read_text(encoding="utf-8") == "mine"


def test_an_unreadable_manifest_stops_the_render(context: RenderContext, out_dir: Path) -> None:
    out_dir.mkdir()
    (out_dir / MANIFEST_NAME).write_text("{not json", encoding="utf-8")
    outcome = render_tree(context, out_dir)
    assert [problem.code for problem in outcome.problems] == ["manifest-invalid"]
    assert sorted(os.listdir(out_dir)) == [MANIFEST_NAME]


def test_a_symlinked_folder_is_not_followed(
    context: RenderContext, out_dir: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out_dir.mkdir()
    (out_dir / "kueue").symlink_to(elsewhere, target_is_directory=True)
    outcome = render_tree(context, out_dir)
    assert outcome.problems and {problem.code for problem in outcome.problems} == {"unsafe-path"}
    assert list(elsewhere.iterdir()) == []


def test_output_path_that_is_a_file_is_a_problem(context: RenderContext, tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x", encoding="utf-8")
    outcome = render_tree(context, target)
    assert [problem.code for problem in outcome.problems] == ["unsafe-path"]


def test_a_folder_where_a_file_goes_is_a_conflict(context: RenderContext, out_dir: Path) -> None:
    (out_dir / "slurm/narvik/topology.conf").mkdir(parents=True)
    outcome = render_tree(context, out_dir)
    assert [problem.code for problem in outcome.problems] == ["output-conflict"]


def test_file_modes_are_kept_and_new_files_follow_the_umask(
    context: RenderContext, out_dir: Path
) -> None:
    render_tree(context, out_dir)
    conf = out_dir / "slurm/narvik/topology.conf"
    assert conf.stat().st_mode & 0o777 == 0o666 & ~_umask()
    conf.chmod(0o640)
    conf.write_text("edited\n", encoding="utf-8")
    assert render_tree(context, out_dir).ok
    assert conf.stat().st_mode & 0o777 == 0o640
    assert conf.read_text(encoding="utf-8").startswith("# generated by capplan")


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def test_small_context_round_trips_through_files(out_dir: Path) -> None:
    """The bytes on disk are exactly the bytes rendered in memory."""
    from capplan.render import BUILTIN_TARGETS, render_files

    context = small_context()
    render_tree(context, out_dir)
    tree = render_files(context, BUILTIN_TARGETS)
    for rel, data in tree.files.items():
        assert (out_dir / rel).read_bytes() == data
