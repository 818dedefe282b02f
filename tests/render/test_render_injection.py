"""Hostile names and descriptions stay values in every output syntax.

Each output is parsed back the way its consumer would (YAML, CSV, JSON) or checked
line by line (Markdown, Mermaid, Slurm) to show the value neither added structure nor
became a spreadsheet formula.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
import yaml

from capplan.render import BUILTIN_TARGETS, Commitment, Hall, RenderContext, k8s_name, render_files

from .render_fixtures import loughton, narvik, small_context

HOSTILE = (
    'evil" name: x\n---\nkind: Secret\n# comment\n| a | b |\n<!-- x --> `code` [l](http://e) $x$'
)
CARRIAGE = "first\rsecond\r\nthird"
FORMULA = '=HYPERLINK("http://evil.example","click")'
FORMULAS = [FORMULA, "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1", " =1"]


def hostile_context() -> RenderContext:
    base = narvik()
    halls = (
        base.halls[0].model_copy(update={"description": FORMULA}),
        Hall.model_validate({**base.halls[1].model_dump(), "description": HOSTILE}),
    )
    site = narvik(
        name=HOSTILE,
        k8s_name=k8s_name(HOSTILE),
        description=HOSTILE,
        region=FORMULA,
        country="@SUM(A1:A9)",
        halls=halls,
        commitments=(
            Commitment(
                name="c1",
                customer=HOSTILE,
                date=base.commitments[0].date,
                required=1,
                live=2,
                met=True,
            ),
        ),
    )
    other = loughton(
        name="-2+3", k8s_name="minus", description="+1+1", region=" =1", country=CARRIAGE
    )
    return small_context(sites=(site, other))


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    tree = render_files(hostile_context(), BUILTIN_TARGETS)
    assert tree.problems == ()
    return {path: data.decode("utf-8") for path, data in tree.files.items()}


def test_yaml_cannot_gain_keys_or_documents(files: dict[str, str]) -> None:
    site = k8s_name(HOSTILE)
    for path, text in files.items():
        if path.endswith(".yaml"):
            documents = list(yaml.safe_load_all(text))
            assert len(documents) == 1, path
            assert "Secret" not in {documents[0].get("kind")}, path
    queue = yaml.safe_load(files[f"kueue/{site}/clusterqueue-uncommitted.yaml"])
    assert queue["metadata"]["annotations"] == {"capplan.io/description": HOSTILE}
    assert set(queue) == {"apiVersion", "kind", "metadata", "spec"}
    assert set(queue["metadata"]) == {"annotations", "labels", "name"}
    assert not any(
        line.startswith(("---", "kind: Secret"))
        for line in files[f"kueue/{site}/clusterqueue-uncommitted.yaml"].splitlines()
    )


def test_csv_cells_stay_cells_and_never_formulas(files: dict[str, str]) -> None:
    for name in ("sites.csv", "locations.csv", "racks.csv", "power-feeds.csv"):
        rows = list(csv.reader(io.StringIO(files[f"netbox/{name}"])))
        header, body = rows[0], rows[1:]
        assert all(len(row) == len(header) for row in body), name
        for row in body:
            for cell in row:
                first = cell.lstrip(" ")[:1]
                assert first not in {"=", "+", "-", "@", "\t", "\r", "\n"}, (name, cell)
    sites = list(csv.DictReader(io.StringIO(files["netbox/sites.csv"])))
    assert [site["name"] for site in sites] == ["'-2+3", HOSTILE]
    by_name = {site["name"]: site for site in sites}
    assert by_name[HOSTILE]["region"] == "'" + FORMULA
    assert by_name[HOSTILE]["description"] == HOSTILE
    assert by_name["'-2+3"]["description"] == "'+1+1"
    assert by_name["'-2+3"]["region"] == "' =1"
    assert "first\nsecond\nthird" in by_name["'-2+3"]["comments"]
    locations = {
        row["name"]: row for row in csv.DictReader(io.StringIO(files["netbox/locations.csv"]))
    }
    assert locations["kvandal_a"]["description"] == "'" + FORMULA
    assert locations["kvandal_b"]["description"] == HOSTILE


def test_json_keeps_values_exact(files: dict[str, str]) -> None:
    site = k8s_name(HOSTILE)
    document = json.loads(files[f"plan/{site}/plan.json"])
    assert document["site"]["name"] == HOSTILE
    assert document["site"]["description"] == HOSTILE
    assert document["site"]["commitments"][0]["customer"] == HOSTILE


def test_slurm_lines_keep_their_shape(files: dict[str, str]) -> None:
    site = k8s_name(HOSTILE)
    for line in files[f"slurm/{site}/topology.conf"].splitlines():
        assert line.startswith("#") or re.fullmatch(
            r"BlockName=[a-z0-9-]+( Nodes=[a-z0-9\-\[\],]+)?|BlockSizes=[0-9,]+", line
        ), line


def test_invalid_kubernetes_labels_are_a_problem_not_a_rewrite() -> None:
    context = small_context(sites=(narvik(labels={"team": "infra nordics"}),))
    tree = render_files(context, ["kueue"])
    # Every manifest of the site carries the labels: two ClusterQueues (openai_narvik,
    # uncommitted), two LocalQueues, the Cohort, the flavor and the Topology = 7.
    assert [problem.code for problem in tree.problems] == ["template-error"] * 7
    assert "team=infra nordics" in tree.problems[0].message


def test_invalid_gpu_product_label_value_is_a_problem() -> None:
    base = narvik()
    racks = tuple(rack.model_copy(update={"gpu_product": "NVIDIA GB300"}) for rack in base.racks)
    tree = render_files(small_context(sites=(narvik(racks=racks),)), ["kueue"])
    assert tree.problems
    assert "not a valid Kubernetes label value" in tree.problems[0].message


@pytest.mark.parametrize("value", FORMULAS)
def test_csv_cell_defuses_formula_starts(value: str) -> None:
    from capplan.render.serialise import csv_cell

    assert csv_cell(value) == "'" + value
    assert csv_cell(-5) == "-5"  # numbers are never prefixed
    assert csv_cell("5-3") == "5-3"


def test_html_templates_are_autoescaped(tmp_path: Path) -> None:
    """An `.html.j2` template prints plain text HTML-escaped (Jinja's autoescape): a
    site name cannot open a tag; any other template still refuses plain text."""
    page = tmp_path / "templates" / "report" / "{site}" / "index.html.j2"
    page.parent.mkdir(parents=True)
    page.write_text(
        "<!DOCTYPE html>\n<p>{{ site.name }}</p><p>{{ site.description | html }}</p>"
        "<p>{{ site.name | md }}</p>\n"
    )
    tree = render_files(hostile_context(), ["report"], templates_dir=tmp_path / "templates")
    assert tree.problems == ()
    text = tree.files[f"report/{k8s_name(HOSTILE)}/index.html"].decode()
    assert text.startswith("<!DOCTYPE html>\n<!-- generated by capplan")  # the doctype first
    body = text.split("\n", 2)[2]
    name = (
        "evil&#34; name: x\n---\nkind: Secret\n# comment\n| a | b |\n"
        "&lt;!-- x --&gt; `code` [l](http://e) $x$"
    )
    assert body.startswith(f"<p>{name}</p>")  # plain text: escaped by autoescape
    assert f"<p>{name.replace('&#34;', '&quot;')}</p>" in body  # `| html`: not escaped twice
    # `| md` is Markdown text: in an HTML page it shows as written, so it is escaped too
    assert "<p>evil&#34; name: x --- kind: Secret # comment \\| a \\| b \\| &amp;lt;" in body
    plain = tmp_path / "templates" / "report" / "notes.md.j2"
    plain.write_text("{{ plan.name }}\n")
    refused = render_files(hostile_context(), ["report"], templates_dir=tmp_path / "templates")
    assert [(p.code, p.path) for p in refused.problems] == [
        ("template-error", "report/notes.md.j2")
    ]
    assert "refusing to print a plain str" in refused.problems[0].message
