"""`capplan render` on the bundled example, as a user runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from syrupy.assertion import SnapshotAssertion

from tests.conftest import EXAMPLES, REPO, run_cli

EXAMPLE = EXAMPLES / "nscale-2026.cap"
AT = "2026-12-31"


def render(out: Path, *extra: str, source: Path = EXAMPLE) -> tuple[int, str, str]:
    result = run_cli("render", str(source), "-o", str(out), "--at", AT, *extra)
    return result.exit_code, result.stdout, result.stderr


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_example_render_matches_snapshot(tmp_path: Path, snapshot: SnapshotAssertion) -> None:
    code, _, _ = render(tmp_path / "out")
    assert code == 0
    files = tree(tmp_path / "out")
    assert sorted(files) == snapshot(name="file-list")
    for name in (
        "kueue/narvik/clusterqueue-uncommitted.yaml",
        "kueue/narvik/topology.yaml",
        "kueue/narvik/kustomization.yaml",
        "slurm/stargate-uk/topology.conf",
        "netbox/sites.csv",
        "plan/narvik/plan.md",
    ):
        assert files[name].decode("utf-8") == snapshot(name=name)


def test_cluster_queue_quotas_add_up_to_the_gpus_live_on_at(tmp_path: Path) -> None:
    """The site's queues (one per commitment, one for the rest) share its live GPUs."""
    render(tmp_path / "out")
    result = run_cli("plan", str(EXAMPLE), "--at", AT, "--format", "json")
    live = {s["site"]: s["gpus"] for s in result.json["plan"]["at"]["sites"]}
    quota = 0
    for path in sorted((tmp_path / "out/kueue/narvik").glob("clusterqueue-*.yaml")):
        queue = yaml.safe_load(path.read_text())
        assert queue["spec"]["cohortName"] == "narvik"
        quota += sum(
            int(resource["nominalQuota"])
            for group in queue["spec"]["resourceGroups"]
            for flavor in group["flavors"]
            for resource in flavor["resources"]
            if resource["name"] == "nvidia.com/gpu"
        )
    assert quota == live["narvik"] > 0


def test_check_is_clean_after_render_and_dirty_after_changes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert render(out)[0] == 0
    assert render(out, "--check")[0] == 0
    # a hand edit to a generated file is detected
    target = out / "kueue/narvik/clusterqueue-uncommitted.yaml"
    target.write_text(target.read_text() + "# edited\n")
    code, stdout, _ = render(out, "--check")
    assert code == 1
    assert "changed: kueue/narvik/clusterqueue-uncommitted.yaml" in stdout
    assert target.read_text().endswith("# edited\n"), "--check writes nothing"
    # a change to the input is detected too
    assert render(out)[0] == 0
    assert render(out, "--check")[0] == 0
    copy = tmp_path / "src"
    shutil.copytree(EXAMPLES, copy)
    sites = copy / "nscale" / "sites-norway.cap"
    text = sites.read_text()
    changed = text.replace('"Stargate Norway', '"Stargate Norway (renamed)', 1)
    assert changed != text
    sites.write_text(changed)
    code, stdout, _ = render(out, "--check", source=copy / "nscale-2026.cap")
    assert code == 1
    assert (
        "changed: kueue/narvik/clusterqueue-uncommitted.yaml" in stdout
    )  # the description annotation


def test_foreign_file_survives_a_render(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "kueue").mkdir(parents=True)
    foreign = out / "kueue" / "README.md"
    foreign.write_text("ours, not capplan's\n")
    assert render(out)[0] == 0
    assert foreign.read_text() == "ours, not capplan's\n"
    assert render(out)[0] == 0
    assert foreign.exists()


def test_stale_generated_files_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert render(out)[0] == 0
    assert (out / "slurm/narvik/topology.conf").exists()
    assert render(out, "--target", "kueue")[0] == 0
    assert (out / "slurm/narvik/topology.conf").exists(), "other targets' files stay"


def _render_in_subprocess(out: Path, seed: str) -> dict[str, bytes]:
    env = {**os.environ, "PYTHONHASHSEED": seed, "LC_ALL": "C"}
    subprocess.run(
        [sys.executable, "-m", "capplan", "render", str(EXAMPLE), "-o", str(out), "--at", AT],
        check=True,
        cwd=REPO,
        env=env,
        capture_output=True,
    )
    return tree(out)


def test_same_bytes_whatever_the_hash_seed(tmp_path: Path) -> None:
    first = _render_in_subprocess(tmp_path / "a", "1")
    second = _render_in_subprocess(tmp_path / "b", "4242")
    assert first == second
    assert len(first) > 20


def test_render_refuses_a_model_with_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.cap"
    bad.write_text("site s { power = 5 mW }\n")
    code, _, stderr = render(tmp_path / "out", source=bad)
    assert code == 1
    assert "E103" in stderr
    assert not (tmp_path / "out").exists()
