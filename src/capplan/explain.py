"""`capplan explain`: a code's documentation, read offline from the shipped docs page.

The text is the code's section of docs/diagnostics.md (shipped in the wheel as
`capplan/docs/diagnostics.md`), found by the heading the `Code` registry names,
so the page, `explain` and the language server's hovers never disagree.
"""

from __future__ import annotations

from functools import cache

from capplan.diagnostics import closest
from capplan.diagnostics.codes import Code, lookup
from capplan.resources import data_dir


@cache
def _page() -> str:
    return (data_dir("docs") / "diagnostics.md").read_text(encoding="utf-8")


def doc_path_uri(code: Code) -> str:
    """A `file:` URI of the shipped page with the code's anchor (for editors)."""
    return (data_dir("docs") / "diagnostics.md").resolve().as_uri() + "#" + code.anchor


def section(code: Code) -> str | None:
    """The Markdown of the code's section (heading to the next heading), or None if absent.

    Headings inside fenced code blocks (example output) do not count.
    """
    heading = f"### {code.heading}"
    kept: list[str] = []
    fenced = False
    for line in _page().splitlines():
        is_heading = not fenced and line.startswith(("### ", "## "))
        if line.startswith("```"):
            fenced = not fenced
        if is_heading and kept:
            break
        if kept or (is_heading and line == heading):
            kept.append(line)
    return "\n".join(kept).strip() + "\n" if kept else None


def explain(code_text: str) -> tuple[str | None, str]:
    """(the section, "") for a known code, or (None, an error message with a hint)."""
    code = lookup(code_text.strip())
    if code is None:
        hint = closest(code_text.strip().upper(), [c.value for c in Code])
        message = f"unknown diagnostic code `{code_text}`"
        if hint:
            message += f"; did you mean `{hint}`?"
        return None, message + " (`capplan explain` lists every code)"
    text = section(code)
    if text is None:
        return None, f"{code} has no documentation section (a packaging bug)"
    return text, ""


def code_table() -> str:
    """Every code with its severity and summary, one a line."""
    rows = [f"{code.value}  {code.severity.value:<7}  {code.summary}" for code in Code]
    return "\n".join(rows) + "\n"
