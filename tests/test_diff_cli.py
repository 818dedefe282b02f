"""`capplan diff` (LANGUAGE.md §9) as a user runs it, with hand-computed expectations.

The base model (pue 1, reserve 0, a rack is 100 kW and 72 GPUs):
- l1: 5 racks arrive 2026-01-10 into hall h, whose power is 1 MW until 2026-03-01: live
  that day (0.5 MW).
- l2: 10 racks arrive 2026-02-01: 5 fit (10 x 100 kW = 1 MW), 5 wait for the 2 MW step
  of 2026-03-01 (hall and site both step then; the hall is checked first): 5 x 72 x 28 days
  = 10,080 idle GPU-days for hall power.
- commitment c: 720 GPUs by 2026-02-15; live then 10 racks = 720 GPUs: met.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, CliResult, run_cli

BASE = """
plan p { start = 2026-01-01  end = 2026-12-31 }
supplier nv { supplies = gpus }
rack_type r { gpus = 72  power = 100 kW  cooling = liquid }
site s {
  power { 2026-01-01: 1 MW  2026-03-01: 2 MW }
  hall h { positions = 100  cooling = liquid  power { 2026-01-01: 1 MW  2026-03-01: 2 MW } }
}
lot l1 { supplier = nv  rack_type = r  racks = 5  to = s.h  arrive = 2026-01-10 }
lot l2 { supplier = nv  rack_type = r  racks = 10  to = s.h  arrive = 2026-02-01 }
commitment c { site = s  gpus { 2026-02-15: 720 } }
"""

EXAMPLE = str(EXAMPLES / "nscale-2026.cap")


def diff_json(*args: str) -> CliResult:
    return run_cli("diff", *args, "--format", "json")


def scenario(write_cap: Any, text: str, name: str = "scenario.cap") -> str:
    return str(write_cap(text, name))


@pytest.fixture
def base(write_cap: Any) -> str:
    return str(write_cap(BASE, "base.cap"))


def test_lot_slip_breaks_a_commitment(base: str, write_cap: Any) -> None:
    late = scenario(write_cap, "override lot l2 { arrive = 2026-02-20 }\n")
    result = diff_json(base, "--scenario", late)
    assert result.exit_code == 0  # --fail-on never
    report = result.json
    # On 2026-02-15 only l1 is live: 5 x 72 = 360 GPUs; 720 - 360 = 360 short. The rest of
    # l2 has not arrived yet, so the main cause is delivery.
    (commitment,) = report["commitments"]
    assert commitment == {
        "commitment": "c",
        "day": "2026-02-15",
        "change": "changed",
        "old": {"required": 720, "live": 720, "met": True, "shortfall": 0},
        "new": {"required": 720, "live": 360, "met": False, "shortfall": 360},
        "main_cause": "not_delivered",
    }
    # l2 first live 02-01 -> 02-20: +19 days; its last 5 racks still wait for 03-01 (0 days),
    # now 9 days: 5 x 72 x 9 = 3,240 GPU-days.
    (lot,) = report["lots"]
    assert (lot["lot"], lot["first_live_days"], lot["last_live_days"]) == ("l2", 19, 0)
    assert lot["old"]["idle_gpu_days"] == {"hall_power": 10080}
    assert lot["new"]["idle_gpu_days"] == {"hall_power": 3240}
    assert report["headline"].startswith("1 commitment newly missed; 1 lot slips up to 19 days")
    assert report["model"]["changed"] == [
        {
            "kind": "lot",
            "name": "l2",
            "attribute": "arrive",
            "old": "2026-02-01",
            "new": "2026-02-20",
        }
    ]
    assert [d["code"] for d in report["diagnostics"]["new"]] == ["E400"]
    assert report["regression"] is True
    assert run_cli("diff", base, "--scenario", late, "--fail-on", "regression").exit_code == 1


def test_grid_step_slip_changes_the_idle_cause(base: str, write_cap: Any) -> None:
    # The site's 2 MW step slips 2026-03-01 -> 2026-04-15; the hall's stays 03-01. l2's 5
    # waiting racks: 02-01..03-01 hall power (28 d: 5 x 72 x 28 = 10,080), then 03-01..04-15
    # site power (45 d: 5 x 72 x 45 = 16,200). Main cause hall power -> site power.
    slip = scenario(write_cap, "override site s { power { 2026-01-01: 1 MW  2026-04-15: 2 MW } }")
    report = diff_json(base, "--scenario", slip).json
    (lot,) = report["lots"]
    assert lot["lot"] == "l2"
    assert lot["old"]["idle_gpu_days"] == {"hall_power": 10080}
    assert lot["new"]["idle_gpu_days"] == {"hall_power": 10080, "site_power": 16200}
    assert (lot["old"]["main_cause"], lot["new"]["main_cause"]) == ("hall_power", "site_power")
    assert (lot["first_live_days"], lot["last_live_days"]) == (0, 45)
    assert lot["new"]["last_live"] == "2026-04-15"
    assert report["commitments"] == []  # 02-15 is before either step: still 720 live
    assert report["model"]["changed"][0]["old"] == "{ 2026-01-01: 1 MW  2026-03-01: 2 MW }"
    assert report["model"]["changed"][0]["new"] == "{ 2026-01-01: 1 MW  2026-04-15: 2 MW }"


def test_removed_lot(base: str, write_cap: Any) -> None:
    removed = scenario(write_cap, "remove lot l1\n")
    result = diff_json(base, "--scenario", removed, "--fail-on", "regression")
    assert result.exit_code == 0  # nothing gets worse: c is still met
    report = result.json
    assert report["model"]["removed"] == [{"kind": "lot", "name": "l1"}]
    lots = {lot["lot"]: lot for lot in report["lots"]}
    assert lots["l1"]["change"] == "removed" and lots["l1"]["new"] is None
    # without l1 all 10 racks of l2 fit under 1 MW on 02-01: nothing waits any more
    assert lots["l2"]["new"]["idle_gpu_days"] == {}
    assert lots["l2"]["last_live_days"] == -28  # 03-01 -> 02-01
    # GPUs live at the end: 15 x 72 = 1,080 -> 10 x 72 = 720
    (site,) = report["sites"]
    assert (site["old"]["gpus_live_at_end"], site["new"]["gpus_live_at_end"]) == (1080, 720)
    # the W302 of l2 is resolved
    assert [(d["code"], d["names"]) for d in report["diagnostics"]["resolved"]] == [
        ("W302", ["l2"])
    ]


def test_renamed_attribute_changes_the_model_not_the_plan(base: str, write_cap: Any) -> None:
    # `racks = 10` written as `gpus = 720` (10 x 72): the same lot, the same schedule.
    renamed = write_cap(BASE.replace("racks = 10 ", "gpus = 720 "), "renamed.cap")
    result = diff_json(base, str(renamed), "--fail-on", "regression")
    assert result.exit_code == 0
    report = result.json
    # NEW's attributes first, then those only OLD has
    assert report["model"]["changed"] == [
        {"kind": "lot", "name": "l2", "attribute": "gpus", "old": None, "new": "720"},
        {"kind": "lot", "name": "l2", "attribute": "racks", "old": "10", "new": None},
    ]
    assert (report["lots"], report["commitments"], report["sites"]) == ([], [], [])
    # and render would write the same bytes
    assert report["rendered"] == {"added": [], "changed": [], "removed": []}
    assert report["headline"] == "2 attributes changed"
    assert run_cli("diff", base, str(renamed), "--fail-on", "change").exit_code == 1


def test_scenario_by_import_and_by_flag_agree(base: str, write_cap: Any) -> None:
    text = "override lot l2 { arrive = 2026-02-20 }\n"
    flag = diff_json(base, "--scenario", scenario(write_cap, text)).json
    imported = write_cap('import "base.cap"\n' + text, "by-import.cap")
    by_import = diff_json(base, str(imported)).json
    for key in ("headline", "commitments", "lots", "sites", "model", "regressions"):
        assert flag[key] == by_import[key], key


def test_identical_inputs_report_no_change(base: str) -> None:
    for args in ((base,), (base, base), (EXAMPLE,), (EXAMPLE, EXAMPLE)):
        result = diff_json(*args, "--fail-on", "change")
        assert result.exit_code == 0, args
        report = result.json
        assert (report["changed"], report["headline"]) == (False, "no change")
        assert report["format_version"] == "1"
    text = run_cli("diff", EXAMPLE)
    assert text.stdout.splitlines()[1] == "no change"


# --- exit codes (§9): 2 usage, 1 a side cannot be planned, else --fail-on ----------------


def test_exit_2_on_usage_errors(base: str, tmp_path: Path) -> None:
    assert run_cli("diff", str(tmp_path / "missing.cap")).exit_code == 2
    assert run_cli("diff", base, "--fail-on", "sometimes").exit_code == 2
    assert run_cli("diff", base, "--scenario", str(tmp_path / "nope.cap")).exit_code == 2


def test_exit_1_when_a_side_cannot_be_planned(base: str, write_cap: Any) -> None:
    broken = write_cap(BASE.replace("racks = 10 ", "racks = "), "broken.cap")
    result = run_cli("diff", base, str(broken))
    assert result.exit_code == 1
    assert "cannot be planned" in result.stderr and "error[E100]" in result.stderr
    assert "cannot be planned" in result.stdout.splitlines()[1]


@pytest.mark.parametrize(
    ("change", "regression"),
    [
        # a new error (E400) and a commitment date met before, missed now
        ("override lot l2 { arrive = 2026-02-20 }", True),
        # stranded racks grow: 12 positions hold l1's 5 and 7 of l2; 3 never go live (E301)
        ("override hall s.h { positions = 12 }", True),
        # earlier delivery: better, not a regression, but a change
        ("override lot l2 { arrive = 2026-01-20 }", False),
        # only a description: a change of the model, nothing planned moves
        ('override lot l1 { description = "first tranche" }', False),
    ],
)
def test_fail_on(base: str, write_cap: Any, change: str, regression: bool) -> None:
    path = scenario(write_cap, change + "\n")
    assert run_cli("diff", base, "--scenario", path).exit_code == 0
    assert run_cli("diff", base, "--scenario", path, "--fail-on", "change").exit_code == 1
    failed = run_cli("diff", base, "--scenario", path, "--fail-on", "regression").exit_code
    assert failed == (1 if regression else 0)


def test_fail_on_regression_when_the_shortfall_grows(base: str, write_cap: Any) -> None:
    # 1,080 due on 02-15: OLD has 720 live (short 360); with l2 at 02-20 only 360 (short 720).
    # E400 is in both sides (same code, same commitment): the growth alone is the regression.
    more = write_cap(BASE.replace("2026-02-15: 720", "2026-02-15: 1080"), "more.cap")
    late = scenario(write_cap, "override lot l2 { arrive = 2026-02-20 }\n")
    result = diff_json(str(more), "--scenario", late, "--fail-on", "regression")
    assert result.exit_code == 1
    assert result.json["diagnostics"]["new"] == []
    assert result.json["regressions"] == ["commitment c on 2026-02-15: shortfall grows 360 -> 720"]
    assert result.json["headline"].startswith("shortfall grows on 1 commitment date")


NETWORK = """
plan p { start = 2026-01-01  end = 2026-12-31 }
supplier nv { supplies = gpus }
rack_type r { gpus = 72  power = 100 kW  cooling = liquid }
site s { power = 2 MW  hall h { positions = 100  cooling = liquid } }
pop ix { }
lot l1 { supplier = nv  rack_type = r  racks = 5  to = s.h  arrive = 2026-01-10 }
link a { from = s  to = ix  capacity = 10 Gbps }
link b { from = s  to = ix  capacity = 10 Gbps }
flow f { from = s  to = ix  rate = 10 Gbps  protect = true }
"""


def test_fail_on_regression_when_a_flow_loses_protection(write_cap: Any) -> None:
    # 10 Gbps over two 10 Gbps links: 50% each, and either alone carries it. With b at
    # 5 Gbps, losing a leaves 5 < 10 Gbps: E501 (and 10 / 15 = 66.7% on each link intact).
    model = str(write_cap(NETWORK, "net.cap"))
    weak = scenario(write_cap, "override link b { capacity = 5 Gbps }\n")
    result = diff_json(model, "--scenario", weak, "--fail-on", "regression")
    assert result.exit_code == 1
    report = result.json
    assert [(d["code"], d["names"]) for d in report["network"]["new"]] == [("E501", ["a", "f"])]
    assert any("loses its protection" in r for r in report["regressions"])
    links = {link["link"]: link for link in report["network"]["links"]}
    assert links["a"]["old_peak_utilisation"] == 0.5
    assert links["a"]["new_peak_utilisation"] == pytest.approx(2 / 3, abs=1e-6)


# --- REV:PATH --------------------------------------------------------------------------


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def test_rev_path_reads_the_file_and_its_imports_at_that_revision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    (repo / "inc").mkdir(parents=True)
    root, lots = BASE.split("lot l1", 1)
    (repo / "main.cap").write_text(root + 'import "inc/lots.cap"\n', encoding="utf-8")
    (repo / "inc" / "lots.cap").write_text("lot l1" + lots, encoding="utf-8")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    # only the imported file changes: l2 slips to 02-20
    imported = repo / "inc" / "lots.cap"
    imported.write_text(imported.read_text().replace("2026-02-01", "2026-02-20"), encoding="utf-8")
    _git(repo, "commit", "-qam", "slip")
    monkeypatch.chdir(repo)
    result = diff_json("HEAD~1:main.cap", "HEAD:main.cap")
    assert result.exit_code == 0, result.stderr
    report = result.json
    assert report["old"]["label"] == "HEAD~1:main.cap"
    (lot,) = report["lots"]
    assert (lot["lot"], lot["first_live_days"]) == ("l2", 19)  # 02-01 -> 02-20
    (commitment,) = report["commitments"]
    assert commitment["new"]["shortfall"] == 360
    # the working tree against a revision: NEW defaults to OLD, so compare explicitly
    imported.write_text(imported.read_text().replace("2026-02-20", "2026-02-22"), "utf-8")
    against_tree = diff_json("HEAD:main.cap", "main.cap").json
    assert against_tree["lots"][0]["first_live_days"] == 2
    # unknown revision and a path absent from the revision: usage errors
    unknown = run_cli("diff", "no-such-rev:main.cap")
    assert unknown.exit_code == 2 and "unknown revision" in unknown.stderr
    absent = run_cli("diff", "HEAD:nope.cap")
    assert absent.exit_code == 2 and "does not exist" in absent.stderr


def test_rev_path_outside_a_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    result = run_cli("diff", "HEAD:main.cap")
    assert result.exit_code == 2
    assert "not inside a git repository" in result.stderr


# --- Markdown: the pull-request comment ------------------------------------------------


def test_markdown_headline_first_details_and_cut(base: str, write_cap: Any) -> None:
    from capplan.diff import diff, render_markdown

    late = scenario(write_cap, "override lot l2 { arrive = 2026-02-20 }\n")
    result = run_cli("diff", base, "--scenario", late, "--format", "markdown")
    lines = result.stdout.splitlines()
    assert lines[0] == "<!-- capplan-diff -->"
    assert lines[3].startswith("**1 commitment newly missed; 1 lot slips up to 19 days")
    assert "<details><summary>Commitments (1)</summary>" in result.stdout
    report = diff(base, None, [Path(late)]).report
    small = render_markdown(report, limit=900)
    assert len(small) < 900
    assert "**Cut:**" in small
    assert small.splitlines()[3] == lines[3]  # the headline survives any cut


# --- a real process: stdout is the document alone, exit codes as the shell sees them ----


def test_real_process_json_and_exit_codes(base: str, write_cap: Any) -> None:
    import json
    import os
    import sys

    late = scenario(write_cap, "override lot l2 { arrive = 2026-02-20 }\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "capplan", "diff", *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )

    done = run(base, "--scenario", late, "--format", "json", "--fail-on", "regression")
    assert done.returncode == 1
    assert json.loads(done.stdout)["headline"].startswith("1 commitment newly missed")
    assert done.stderr == ""
    assert run(base, "--fail-on", "change").returncode == 0
    assert run(base, "--fail-on", "bogus").returncode == 2
