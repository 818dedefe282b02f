"""The HTML report in a real headless Chromium: it loads without a console error, fetches
nothing, draws its SVG charts, prints to A4, and leaves a screenshot for a person to look at.

The report is written by a real `capplan plan … --format html` process; Chromium is Debian's
`chromium` (installed by .ci/run where missing), driven over the DevTools protocol on a pipe
(tests/e2e/chromium.py). The screenshots and the PDF go to tests/e2e/out/ (ignored by git), CI's
artifacts.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.chromium import Chromium, Page, executable
from tests.e2e.harness import in_ci, run_capplan

EXAMPLE = "examples/nscale-2026.cap"  # relative to the repository (the harness's cwd)
AT = ("--at", "2026-01-15")  # render's default day for the example (its as_of)
OUT = Path(__file__).resolve().parent / "out"
WIDTH, HEIGHT = 1366, 900  # a laptop's screen in CSS pixels


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`capplan plan examples/nscale-2026.cap --format html --at 2026-01-15 > plan.html`."""
    run = run_capplan("plan", EXAMPLE, "--format", "html", *AT)
    assert run.returncode == 0, run
    path = tmp_path_factory.mktemp("report") / "plan.html"
    path.write_text(run.stdout, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    """One headless Chromium for the module; skipped without one, failed under CI=true."""
    if executable() is None:
        message = "no chromium on PATH (Debian: apt-get install chromium; .ci/run installs it)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    with Chromium.launch(
        tmp_path_factory.mktemp("profile"), width=WIDTH, height=HEIGHT
    ) as chromium:
        yield chromium


@pytest.fixture(scope="module")
def page(browser: Chromium, report: Path) -> Page:
    tab = browser.open_page()
    tab.navigate(report.as_uri())
    return tab


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (the first, right after the signature)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_console_capture_sees_what_a_reader_would(browser: Chromium, tmp_path: Path) -> None:
    """So that an empty list below means a clean page: a console.error, an uncaught exception,
    a file that is not there and a request off the machine are each reported."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!DOCTYPE html><title>bad</title>"
        "<script>console.error('boom'); undefinedFunction();</script>"
        '<img src="missing.png">'
        '<img src="http://127.0.0.1:9/x.png">',  # port 9 is refused by the browser itself
        encoding="utf-8",
    )
    tab = browser.open_page()
    tab.navigate(bad.as_uri())
    problems = tab.problems()
    assert "console.error: boom" in problems
    assert any(p.startswith("exception: ReferenceError: undefinedFunction") for p in problems)
    assert any("ERR_FILE_NOT_FOUND" in p and p.endswith("missing.png") for p in problems)
    assert "request: http://127.0.0.1:9/x.png" in problems


def test_loads_with_no_console_error_and_fetches_nothing(page: Page, report: Path) -> None:
    assert page.problems() == []
    assert page.evaluate("document.readyState") == "complete"
    assert page.evaluate("location.href") == report.as_uri()
    # only the page itself was requested: no font, script, image or stylesheet from anywhere
    requests = [e for e in page.events if e["method"] == "Network.requestWillBeSent"]
    assert [e["params"]["request"]["url"] for e in requests] == [report.as_uri()]
    # the title the browser shows is the plan's heading as it reads on screen
    title = "nscale_2026 2025-09-01 .. 2027-06-30 (as of 2026-01-15)"
    assert page.evaluate("document.title") == title
    assert page.evaluate("document.querySelector('h1').innerText") == title


def test_svg_charts_drawn_in_the_dom(page: Page) -> None:
    """Each chart is an SVG element in the SVG namespace with a box on screen and drawn marks."""
    charts = page.evaluate(
        """[...document.querySelectorAll('figure.chart')].map(f => {
             const svg = f.querySelector('svg');
             const box = svg ? svg.getBoundingClientRect() : null;
             return {kind: f.dataset.chart,
                     ns: svg && svg.namespaceURI,
                     width: box && box.width, height: box && box.height,
                     marks: svg ? svg.querySelectorAll('path, rect, line').length : 0,
                     text: svg ? svg.textContent : ''};
           })"""
    )
    # the fleet page: GPUs against commitments, the lot timeline, link utilisation, then the
    # power chart of each of the example's 5 sites (narvik, glomfjord, loughton, stargate_uk,
    # sines)
    assert [c["kind"] for c in charts] == ["gpus", "lots", "links"] + ["power"] * 5
    column = page.evaluate(
        "(() => { const main = document.querySelector('main'), css = getComputedStyle(main);"
        " return main.clientWidth - parseFloat(css.paddingLeft) - parseFloat(css.paddingRight);"
        " })()"
    )
    assert column == 1144  # the column: main's max-width 1200 px less 2 x 28 px of padding
    for chart in charts:
        assert chart["ns"] == "http://www.w3.org/2000/svg", chart["kind"]
        assert chart["width"] > 300 and chart["height"] > 100, chart
        assert chart["width"] == column, chart  # scaled to the column by its viewBox
        assert chart["marks"] > 10, chart
    # the power charts' titles name their sites in the order of the plan's sites
    sites = [re.search(r"Power at (\w+)", c["text"]) for c in charts[3:]]
    assert [m.group(1) if m else None for m in sites] == [
        "narvik",
        "glomfjord",
        "loughton",
        "stargate_uk",
        "sines",
    ]
    # nothing on the page is wider than the screen (tables scroll inside their own box)
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


_OVERLAPS = """[...document.querySelectorAll('figure.chart svg')].map(svg => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const meet = (a, b) => a[0] < b[2] - 0.5 && b[0] < a[2] - 0.5 && a[1] < b[3] - 0.5 && b[1] < a[3] - 0.5;
  const texts = [...svg.querySelectorAll('text')]
    .filter(t => t.textContent.trim() && getComputedStyle(t).opacity !== '0')
    .map(t => [t.textContent, box(t)]);
  const marks = [...svg.querySelectorAll(
    '.role-mark.mark-line path, .role-mark.mark-area path, .role-mark.mark-rect path,'
    + ' .role-mark.mark-symbol path')].map(box);
  const hits = [];
  texts.forEach(([a, ra], i) => texts.slice(i + 1).forEach(([b, rb]) => {
    if (meet(ra, rb)) hits.push(a + ' / ' + b); }));
  texts.filter(([t]) => t.startsWith('plan date')).forEach(([t, r]) => marks.forEach(m => {
    if (meet(r, m)) hits.push(t + ' / a line, bar or point'); }));
  return {chart: svg.parentElement.dataset.chart, texts: texts.length, hits};
})"""


def test_no_label_overlaps_another_or_the_plan_date_a_line(page: Page) -> None:
    """No two visible labels of a chart overlap (Vega hides the time labels that would, with
    opacity 0), and the plan date's label meets no line, bar or point: it sits above the
    plot (stargate_uk's label used to sit on its 25 MW envelope)."""
    charts = page.evaluate(_OVERLAPS)
    assert len(charts) == 8
    for chart in charts:
        assert chart["texts"] > 10 and chart["hits"] == [], chart


def test_screenshots_for_a_person(page: Page) -> None:
    """The first screen and the whole page as PNG under tests/e2e/out/ (CI's artifacts)."""
    OUT.mkdir(exist_ok=True)
    first = page.screenshot(OUT / "plan-html.png")
    assert _png_size(first) == (WIDTH, HEIGHT)
    whole = page.screenshot(OUT / "plan-html-full.png", full_page=True)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert _png_size(whole) == (WIDTH, height)
    assert height > 3 * HEIGHT  # 8 charts and the plan's tables: several screens


def test_printable_on_a4(page: Page) -> None:
    """The print stylesheet: A4 pages from its @page rule, the contents box left off paper."""
    pdf = page.print_to_pdf()
    OUT.mkdir(exist_ok=True)
    (OUT / "plan-html.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF-")
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    # A4 is 210 x 297 mm = 595.3 x 841.9 pt (x 72 / 25.4); Chromium rounds to CSS pixels
    assert len(boxes) > 1
    for width, height in boxes:
        assert abs(float(width) - 595.3) < 1 and abs(float(height) - 841.9) < 1
    contents = "getComputedStyle(document.querySelector('nav.contents')).display"
    assert page.evaluate(contents) == "block"
    page.send("Emulation.setEmulatedMedia", media="print")
    try:
        assert page.evaluate(contents) == "none"
    finally:
        page.send("Emulation.setEmulatedMedia", media="")


def test_the_rendered_reports_and_their_links(browser: Chromium, tmp_path: Path) -> None:
    """`render --target plan` writes plan/index.html and one report per site: each loads
    clean, and the fleet report's site links open the site reports with their 4 charts."""
    out = tmp_path / "out"
    run = run_capplan("render", EXAMPLE, "-o", out, "--target", "plan")
    assert run.returncode == 0, run
    tab = browser.open_page()
    tab.navigate((out / "plan" / "index.html").as_uri())
    assert tab.problems() == []
    assert tab.evaluate("document.querySelectorAll('figure.chart svg').length") == 8
    links = tab.evaluate("[...document.querySelectorAll('ul.pages a')].map(a => a.href)")
    # the example's 5 sites, by folder
    assert links == [
        (out / "plan" / folder / "index.html").as_uri()
        for folder in ("glomfjord", "loughton", "narvik", "sines", "stargate-uk")
    ]
    for link in links:
        tab.navigate(link)
        assert tab.problems() == [], link
        kinds = tab.evaluate(
            "[...document.querySelectorAll('figure.chart')]"
            ".filter(f => f.querySelector('svg').getBoundingClientRect().width > 300)"
            ".map(f => f.dataset.chart)"
        )
        assert kinds == ["power", "gpus", "lots", "links"], link
