"""The HTML report: `plan --format html` is the Markdown plan's page (views/page.py) as one
self-contained HTML file, escaped for HTML, the same bytes on every run.

Real processes; stdout is read back with a strict HTML parser (tests/e2e/formats.py).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from tests.e2e.formats import check_html
from tests.e2e.harness import run_capplan
from tests.e2e.test_plan_pages import HOSTILE_MODEL

EXAMPLE = "examples/nscale-2026.cap"  # relative to the repository (the harness's cwd)
AT = ("--at", "2026-01-15")  # render's default day for the example (its as_of)


@pytest.fixture(scope="module")
def page() -> str:
    run = run_capplan("plan", EXAMPLE, "--format", "html", *AT)
    assert run.returncode == 0, run
    assert "warning[W302]" in run.stderr  # diagnostics on stderr as well, as for markdown
    return run.stdout


def _markdown_text(cell: str) -> str:
    """A Markdown cell or heading as plain text: bold and backslash escapes off, entities read."""
    text = cell.strip()
    if text.startswith("**") and text.endswith("**"):
        text = text[2:-2]
    return html.unescape(re.sub(r"\\(.)", r"\1", text))


def _markdown_tables(text: str) -> list[list[list[str]]]:
    tables: list[list[list[str]]] = []
    previous = ""
    for line in text.splitlines():
        if line.startswith("|"):
            if not previous.startswith("|"):
                tables.append([])
            cells = re.split(r"(?<!\\)\|", line.strip()[1:-1])
            if not all(re.fullmatch(r"-+:?", c) for c in cells):  # the separator row
                tables[-1].append([_markdown_text(c) for c in cells])
        previous = line
    return tables


def test_the_markdown_page_in_html(page: str) -> None:
    """One source: the same headings and the same table cells as `--format markdown`."""
    markdown = run_capplan("plan", EXAMPLE, "--format", "markdown", *AT).stdout
    document = check_html(page)
    md_headings = [_markdown_text(line[3:]) for line in markdown.splitlines() if line[:3] == "## "]
    title = _markdown_text(markdown.splitlines()[0][2:])
    # Markdown text is one line with single spaces (the md filter); HTML keeps the text
    assert [" ".join(h.split()) for h in document.headings] == [title, *md_headings]
    assert document.tables == _markdown_tables(markdown)
    # the summary, then the plan's two W302 in the diagnostics table
    assert "<p>GPUs planned 101,944, live by 2027-06-30: 101,944</p>" in page
    assert document.tables[0][0] == ["severity", "code", "message"]
    assert [row[1] for row in document.tables[0][1:]] == ["W302", "W302"]


def test_charts_are_inline_svg(page: str) -> None:
    document = check_html(page)
    # the fleet page: gpus, lots, links and each of the 5 sites' power chart
    charts = re.findall(r'<figure class="chart" data-chart="(\w+)"', page)
    assert charts == ["gpus", "lots", "links"] + ["power"] * 5
    assert document.tags["svg"] == 8
    assert document.links and all(link.startswith("#") for link in document.links)
    assert "http://www.w3.org/2000/svg" in page  # the SVG namespace: a name, never fetched


def test_figures_right_aligned_and_bad_news_marked(tmp_path: Path) -> None:
    model = tmp_path / "hostile.cap"
    model.write_text(HOSTILE_MODEL)
    run = run_capplan("plan", model, "--format", "html")
    # 10 racks x 72 = 720 GPUs live from 2026-02-01; 1,000 wanted on 2026-06-30: E400
    assert run.returncode == 1, run
    document = check_html(run.stdout)
    assert document.tags["b"] == 0  # the customer's <b> is text, not markup
    customer = "<!-- x --> <b>B</b> | *y* `z` $x$ [l](http://e)"
    commitments = next(t for t in document.tables if t[0][0] == "commitment")
    assert commitments[1][0] == "c" and customer in commitments[1]
    assert html.escape(customer, quote=False) in run.stdout
    # 1,000 - 720 = 280 short: the status cell in red; the figures right-aligned
    row = next(
        line for line in run.stdout.splitlines() if line.startswith('<tr><td class="key">c<')
    )
    assert row.endswith(
        '<td class="num">1,000</td><td class="num">720</td><td class="text alert">SHORT 280</td></tr>'
    )
    assert '<p class="counts"><span class="alert">1 error</span>, no warnings</p>' in run.stdout
    diagnostics = document.tables[0]
    assert diagnostics[1][:2] == ["error", "E400"]


def test_same_bytes_under_other_hash_seeds_and_time_zones(page: str) -> None:
    again = run_capplan(
        "plan",
        EXAMPLE,
        "--format",
        "html",
        *AT,
        env={"PYTHONHASHSEED": "12345", "TZ": "Pacific/Kiritimati", "LC_ALL": "C.UTF-8"},
    )
    assert again.stdout == page
