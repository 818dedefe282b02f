"""NetBox: files of the objects added since the previous render, and NetBox's import fields.

The acceptance case: render the example at its `as_of` (2026-01-15) and then at the
plan end (2027-06-30) into one folder; `netbox/added/` must hold exactly the racks,
power panels and feeds that are new. Headers and choice values are checked against
NetBox's bulk-import forms (`dcim/forms/bulk_import.py`) and choice sets
(`dcim/choices.py`) as read in NetBox's source (4.6 line).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from capplan.render import BUILTIN_TARGETS, MANIFEST_NAME, render_files
from tests.conftest import EXAMPLES, run_cli

from .render_fixtures import small_context

EXAMPLE = EXAMPLES / "nscale-2026.cap"
AS_OF, END = "2026-01-15", "2027-06-30"

# NetBox's *ImportForm.Meta.fields (the columns a CSV import accepts) ...
IMPORT_FIELDS = {
    "sites.csv": {"name", "slug", "status", "region", "group", "tenant", "facility",
                  "time_zone", "description", "physical_address", "shipping_address",
                  "latitude", "longitude", "comments", "tags"},
    "locations.csv": {"site", "parent", "name", "slug", "status", "tenant", "facility",
                      "description", "tags"},
    "racks.csv": {"site", "location", "name", "facility_id", "tenant", "status", "role",
                  "form_factor", "serial", "asset_tag", "width", "u_height", "desc_units",
                  "outer_width", "outer_depth", "outer_unit", "mounting_depth", "airflow",
                  "weight", "max_weight", "weight_unit", "description", "comments", "tags"},
    "power-panels.csv": {"site", "location", "name", "description", "comments", "tags"},
    "power-feeds.csv": {"site", "power_panel", "location", "rack", "name", "status", "type",
                        "mark_connected", "supply", "phase", "voltage", "amperage",
                        "max_utilization", "tenant", "description", "comments", "tags"},
}  # fmt: skip
# ... the fields a row must have (required model fields without a default) ...
REQUIRED = {
    "sites.csv": {"name", "slug", "status"},
    "locations.csv": {"site", "name", "slug", "status"},
    "racks.csv": {"site", "name", "status", "width", "u_height"},
    "power-panels.csv": {"site", "name"},
    "power-feeds.csv": {"site", "power_panel", "name", "status", "type", "supply", "phase"},
}
# ... and the choice sets of the choice columns.
STATUS = {"planned", "staging", "active", "decommissioning", "retired"}
CHOICES = {
    ("sites.csv", "status"): STATUS,
    ("locations.csv", "status"): STATUS,
    ("racks.csv", "status"): {"reserved", "available", "planned", "active", "deprecated"},
    ("racks.csv", "form_factor"): {"2-post-frame", "4-post-frame", "4-post-cabinet",
                                   "wall-frame", "wall-frame-vertical", "wall-cabinet",
                                   "wall-cabinet-vertical"},
    ("racks.csv", "width"): {"10", "19", "21", "23"},
    ("power-feeds.csv", "status"): {"offline", "active", "planned", "failed"},
    ("power-feeds.csv", "type"): {"primary", "redundant"},
    ("power-feeds.csv", "supply"): {"ac", "dc"},
    ("power-feeds.csv", "phase"): {"single-phase", "three-phase"},
}  # fmt: skip


def table(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def render(out: Path, at: str, *extra: str) -> int:
    return run_cli("render", str(EXAMPLE), "-o", str(out), "--at", at, "--target", "netbox",
                   *extra).exit_code  # fmt: skip


@pytest.fixture(scope="module")
def two_renders(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("netbox") / "gitops"
    assert render(out, AS_OF) == 0
    assert render(out, END) == 0
    return out


def test_delta_holds_exactly_the_racks_and_feeds_added(two_renders: Path) -> None:
    added = two_renders / "netbox/added"
    # On 2026-01-15 only glomfjord's racks are live: 120 HGX B200 + 80 DGX H100 = 200
    # (example header). By 2027-06-30 the whole fleet of 1,527 racks is live, so
    # 1,527 - 200 = 1,327 racks are new, in the halls narvik kvandal_a and kvandal_b,
    # loughton data_hall_1 and data_hall_2, sines sines_h1, stargate_uk phase_1.
    racks = table((added / "racks.csv").read_text())
    assert len(racks) == 1_527 - 200
    assert {row["site"] for row in racks} == {"narvik", "loughton", "sines", "stargate_uk"}
    assert sum(1 for row in racks if row["site"] == "narvik") == 720
    assert sum(1 for row in racks if row["site"] == "loughton") == 320
    assert sum(1 for row in racks if row["site"] == "sines") == 175
    assert sum(1 for row in racks if row["site"] == "stargate_uk") == 112  # 720+320+175+112
    # Feeds A and B per new rack: 2 x 1,327 = 2,654; one panel per hall that got its
    # first live rack: 2 + 2 + 1 + 1 = 6 (glomfjord's hall_1 had one already).
    feeds = table((added / "power-feeds.csv").read_text())
    assert len(feeds) == 2 * 1_327
    assert {row["rack"] for row in feeds} == {row["name"] for row in racks}
    panels = table((added / "power-panels.csv").read_text())
    assert len(panels) == 6
    # Sites and halls all existed in the first render: no file for them.
    assert not (added / "sites.csv").exists()
    assert not (added / "locations.csv").exists()
    # The rows are the full render's rows, byte for byte.
    full = {row["name"]: row for row in table((two_renders / "netbox/racks.csv").read_text())}
    assert all(full[row["name"]] == row for row in racks)


def test_delta_readme_lists_what_changed(two_renders: Path) -> None:
    readme = (two_renders / "netbox/added/README.md").read_text()
    assert "added since the render of 2026-01-15" in readme
    assert "| `racks.csv` | 1327 | 0 | 0 |" in readme
    # Four sites go from planned to active (loughton, narvik, sines, stargate_uk).
    assert "| `sites.csv` | 0 | 4 | 0 |" in readme
    assert "changed in `sites.csv`: `loughton`, `narvik`, `sines`, `stargate_uk`" in readme
    manifest = json.loads((two_renders / MANIFEST_NAME).read_text())
    assert manifest["targets"]["netbox"]["delta_since"] == AS_OF
    assert "netbox/added/racks.csv" in manifest["targets"]["netbox"]["files"]


def test_rendering_the_same_plan_again_keeps_the_delta(two_renders: Path) -> None:
    files = [path for path in sorted((two_renders / "netbox").rglob("*")) if path.is_file()]
    before = {path: path.read_bytes() for path in files}
    assert render(two_renders, END, "--check") == 0
    assert render(two_renders, END) == 0
    assert {path: path.read_bytes() for path in files} == before


def test_first_render_adds_everything(tmp_path: Path) -> None:
    out = tmp_path / "gitops"
    assert render(out, AS_OF) == 0
    for name in ("sites.csv", "racks.csv", "power-feeds.csv"):
        assert (out / "netbox/added" / name).read_bytes() == (out / "netbox" / name).read_bytes()
    assert "added since an empty NetBox" in (out / "netbox/added/README.md").read_text()


def test_headers_and_choices_match_netbox_import_forms() -> None:
    tree = render_files(small_context(), BUILTIN_TARGETS)
    checked = 0
    for name, fields in IMPORT_FIELDS.items():
        rows = table(tree.files[f"netbox/{name}"].decode())
        header = list(rows[0])
        assert set(header) <= fields, (name, set(header) - fields)
        assert REQUIRED[name] <= set(header), name
        for row in rows:
            assert all(row[column] for column in REQUIRED[name]), (name, row)
            for (file, column), allowed in CHOICES.items():
                if file == name:
                    assert row[column] in allowed, (name, column, row[column])
                    checked += 1
    assert checked > 20
