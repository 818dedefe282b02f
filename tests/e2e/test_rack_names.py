"""Rack names are places, `<site>-<hall>-r0001`: renaming a lot renames no rack, and a lot
whose racks go live later renames no earlier rack (docs/render.md, "Names").

A rack's name is its NetBox rack, its Slurm block, its `capplan.io/rack` node label and
the stem of its hostnames: a rename there is a machine deleted and re-created by Argo CD
or Flux. Real `capplan render` processes over small models written here.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.e2e.harness import run_capplan

# Go-live = arrival (no install time given). Hall a: alpha's 3 racks go live first
# (2026-02-01), then zulu's 2 and echo's 1 on 2026-03-01, zulu first as it is declared
# first; hall b: mike's 2 racks. 8 racks x 132 kW = 1.056 MW of 10 MW; 8 of 200 positions.
MODEL = """\
plan p { start = 2026-01-01  end = 2026-12-31 }
supplier nvidia { supplies = gpus }
rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }
site s {
  power = 10 MW
  hall a { positions = 100  cooling = liquid }
  hall b { positions = 100  cooling = liquid }
}
lot zulu { supplier = nvidia  rack_type = gb300  racks = 2  to = s.a  arrive = 2026-03-01 }
lot alpha { supplier = nvidia  rack_type = gb300  racks = 3  to = s.a  arrive = 2026-02-01 }
lot mike { supplier = nvidia  rack_type = gb300  racks = 2  to = s.b  arrive = 2026-02-01 }
lot echo { supplier = nvidia  rack_type = gb300  racks = 1  to = s.a  arrive = 2026-03-01 }
"""
EXPECTED = {
    "s-a-r0001": "alpha",
    "s-a-r0002": "alpha",
    "s-a-r0003": "alpha",
    "s-a-r0004": "zulu",
    "s-a-r0005": "zulu",
    "s-a-r0006": "echo",
    "s-b-r0001": "mike",
    "s-b-r0002": "mike",
}
DEPLOYMENT = ("--target", "kueue", "--target", "slurm", "--target", "netbox")
"""The targets that name racks (the plan pages list lots by name, so a rename may move a
row there; no rack is named after its lot on them either)."""
RACK_ROW = re.compile(r"^s,(\w+),([\w-]+),active,.*, lot (\w+), live ([\d-]+)\"$", re.M)
"""A row of netbox/racks.csv: site, location (hall), name, ..., description."""


def _render(tmp_path: Path, name: str, model: str, *args: str) -> Path:
    source = tmp_path / f"{name}.cap"
    source.write_text(model, encoding="utf-8")
    out = tmp_path / name
    run = run_capplan("render", source, "-o", out, *args)
    assert run.returncode == 0, run
    return out


def _tree(root: Path) -> dict[str, str]:
    """Every rendered file but the manifest (whose input hash is the source's sha256)."""
    return {
        path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name != ".capplan-manifest.json"
    }


def _racks(out: Path) -> dict[str, str]:
    """Rack name -> lot, from NetBox's racks.csv."""
    text = (out / "netbox" / "racks.csv").read_text(encoding="utf-8")
    return {name: lot for _, name, lot, _ in RACK_ROW.findall(text)}


def test_racks_numbered_per_hall_by_go_live_then_declaration(tmp_path: Path) -> None:
    out = _render(tmp_path, "plan", MODEL, *DEPLOYMENT)
    assert _racks(out) == EXPECTED
    topology = (out / "slurm" / "s" / "topology.conf").read_text(encoding="utf-8")
    assert "BlockName=s-a-r0004 Nodes=s-a-r0004-n01" in topology
    # rendered mid-plan, only alpha's and mike's racks are live: the same names
    early = _render(tmp_path, "early", MODEL, *DEPLOYMENT, "--at", "2026-02-15")
    assert _racks(early) == {
        name: lot for name, lot in EXPECTED.items() if lot in ("alpha", "mike")
    }


def test_renaming_lots_changes_only_their_labels(tmp_path: Path) -> None:
    """zulu -> aardvark and alpha -> yankee swap the lots' name order: no rack moves."""
    before = _tree(_render(tmp_path, "before", MODEL, *DEPLOYMENT))
    renamed = MODEL.replace("lot zulu ", "lot aardvark ").replace("lot alpha ", "lot yankee ")
    after = _tree(_render(tmp_path, "after", renamed, *DEPLOYMENT))
    assert sorted(after) == sorted(before)
    for path, text in before.items():
        expected = re.sub(r"\bzulu\b", "aardvark", re.sub(r"\balpha\b", "yankee", text))
        assert after[path] == expected, path
    assert any("lot aardvark" in text for text in after.values())  # the label is there


def test_a_later_lot_renames_no_earlier_rack(tmp_path: Path) -> None:
    """omega (declared before the others, going live last) takes the next numbers of hall a;
    a later lot in hall b leaves hall a alone."""
    before = _render(tmp_path, "before", MODEL, *DEPLOYMENT)
    omega = "lot omega { supplier = nvidia  rack_type = gb300  racks = 2  to = s.a  arrive = 2026-06-01 }\n"
    bravo = "lot bravo { supplier = nvidia  rack_type = gb300  racks = 1  to = s.b  arrive = 2026-04-01 }\n"
    head, lots = MODEL.split("lot zulu", 1)
    after = _render(tmp_path, "after", f"{head}{omega}{bravo}lot zulu{lots}", *DEPLOYMENT)
    assert _racks(after) == {
        **EXPECTED,
        "s-a-r0007": "omega",
        "s-a-r0008": "omega",
        "s-b-r0003": "bravo",
    }
    # every earlier rack's Slurm block is the same line, hostnames and all (the padding
    # blocks without nodes that round a group up to its block size may change)
    blocks = re.compile(r"^BlockName=\S+ Nodes=.*$", re.M)
    old = blocks.findall((before / "slurm" / "s" / "topology.conf").read_text(encoding="utf-8"))
    new = blocks.findall((after / "slurm" / "s" / "topology.conf").read_text(encoding="utf-8"))
    assert len(old) == 8 and set(old) <= set(new) and len(new) == 8 + 3


def test_the_example_keeps_its_rack_names_through_a_lot_rename(tmp_path: Path) -> None:
    """narvik_msft_t1 goes to whichever narvik hall the compiler picks: renamed, every
    deployment file is the same but for the lot's name."""
    examples = Path(__file__).resolve().parents[2] / "examples"
    at = ("--at", "2027-06-30")  # the plan end: every rack of the example live
    out = tmp_path / "before"
    run = run_capplan("render", examples / "nscale-2026.cap", "-o", out, *DEPLOYMENT, *at)
    assert run.returncode == 0, run
    copy = tmp_path / "copy"
    (copy / "nscale").mkdir(parents=True)
    for path in [examples / "nscale-2026.cap", *sorted((examples / "nscale").glob("*.cap"))]:
        text = path.read_text(encoding="utf-8").replace("narvik_msft_t1", "microsoft_first")
        (copy / path.relative_to(examples)).write_text(text, encoding="utf-8")
    renamed = tmp_path / "after"
    run = run_capplan("render", copy / "nscale-2026.cap", "-o", renamed, *DEPLOYMENT, *at)
    assert run.returncode == 0, run
    before, after = _tree(out), _tree(renamed)
    assert sorted(after) == sorted(before)
    for path, text in before.items():
        assert after[path] == text.replace("narvik_msft_t1", "microsoft_first"), path
    # its 160 racks: 18 live before the 230 MW phase and 142 after, named by hall
    racks = (renamed / "netbox" / "racks.csv").read_text(encoding="utf-8")
    assert racks.count(", lot microsoft_first, ") == 160
