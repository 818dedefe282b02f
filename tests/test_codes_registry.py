"""The `Code` registry against docs/diagnostics.md and the sources that emit codes."""

from __future__ import annotations

import re
from pathlib import Path

from capplan.diagnostics import Severity
from capplan.diagnostics.codes import Code, doc_url, lookup
from capplan.explain import section
from tests.conftest import REPO, run_cli

DOCS = (REPO / "docs" / "diagnostics.md").read_text(encoding="utf-8")
# The page without its fenced blocks (example output may show a heading).
PROSE = re.sub(r"^```.*?^```$", "", DOCS, flags=re.M | re.S)


def test_code_is_a_string() -> None:
    # A StrEnum: existing comparisons with bare strings keep working.
    assert Code.E203 == "E203"
    assert f"{Code.W302}" == "W302"
    assert Code.W302.severity is Severity.WARNING
    assert Code.E203.severity is Severity.ERROR
    assert lookup("e203") is Code.E203
    assert lookup("E999") is None


def test_every_code_has_a_documented_section_with_example_and_fix() -> None:
    for code in Code:
        text = section(code)
        assert text is not None, f"docs/diagnostics.md has no `### {code.heading}`"
        assert "```" in text, f"{code}: no example"
        assert "**Fix.**" in text, f"{code}: no fix"


def test_every_documented_code_is_registered() -> None:
    documented = re.findall(r"^### ([EW]\d{3}) — (.*)$", PROSE, flags=re.M)
    assert [code for code, _ in documented] == [c.value for c in Code]
    for code, title in documented:
        assert Code(code).summary == title


def test_index_rows_link_to_the_anchor_with_the_severity() -> None:
    rows = re.findall(r"^\| \[([EW]\d{3})\]\(#([^)]*)\) \| (\w+) \|", DOCS, flags=re.M)
    assert [code for code, _, _ in rows] == [c.value for c in Code]
    for code, anchor, severity in rows:
        assert Code(code).anchor == anchor
        assert Code(code).severity.value == severity


def test_anchor_is_the_github_slug_of_the_heading() -> None:
    # "E401 — lot arrives before order + supplier lead_time": lower case, the em dash
    # and `+` dropped, each space a hyphen (so two hyphens where they stood).
    assert Code.E401.anchor == "e401--lot-arrives-before-order--supplier-lead_time"
    assert (
        Code.E209.url == "docs/diagnostics.md#e209--lot-gpus-not-a-multiple-of-the-rack-types-gpus"
    )
    assert doc_url("E999") is None


def test_every_code_the_sources_emit_is_registered() -> None:
    found: set[str] = set()
    for path in (REPO / "src" / "capplan").rglob("*.py"):
        found.update(re.findall(r"[\"']([EW]\d{3})[\"']", path.read_text(encoding="utf-8")))
        found.update(re.findall(r"\bCode\.([EW]\d{3})\b", path.read_text(encoding="utf-8")))
    unregistered = sorted(code for code in found if lookup(code) is None)
    assert not unregistered, f"add these to diagnostics/codes.py and the docs: {unregistered}"


def test_explain_prints_the_section(tmp_path: Path) -> None:
    result = run_cli("explain", "w404")
    assert result.exit_code == 0
    assert result.stdout.startswith("### W404 — date outside the plan horizon\n")
    assert "**Fix.** Correct the date or widen the plan's horizon." in result.stdout
    assert "### E500" not in result.stdout  # the section stops at the next heading


def test_explain_lists_every_code() -> None:
    result = run_cli("explain")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == len(Code)
    assert lines[0] == "E100  error    syntax error"
    assert "W302  warning  racks waited before going live" in lines


def test_explain_unknown_code_is_a_usage_error() -> None:
    result = run_cli("explain", "E2O3")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "unknown diagnostic code `E2O3`" in result.stderr
