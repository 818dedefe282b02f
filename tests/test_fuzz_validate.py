"""Property: `validate` never raises, and every failure is a coded, located diagnostic."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from capplan.api import compile_text
from capplan.diagnostics.json_format import diagnostics_document
from tests.conftest import EXAMPLES

CORPUS = sorted(p.read_text(encoding="utf-8") for p in EXAMPLES.rglob("*.cap")) or [
    "site s { power = 5 MW }\n"
]
TOKENS = [
    "site",
    "hall",
    "lot",
    "x",
    "=",
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    ".",
    '"',
    "#",
    "5 MW",
    "16 x 400 Gbps",
    "2026-02-30",
    "2026-Q5",
    "1__0",
    "mW",
    "const",
    "import",
    '"../up.cap"',
    "\n",
    " ",
    "é",
    "\t",
    "\\",
    "racks/mo",
    "true",
]


def check(text: str) -> None:
    compilation = compile_text(text, "fuzz.cap")
    document = diagnostics_document(compilation.diagnostics.sorted())
    json.dumps(document)
    for diagnostic in document["diagnostics"]:
        assert diagnostic["code"][0] in "EW" and diagnostic["code"][1:].isdigit()
        assert diagnostic["range"] is not None
        start, end = diagnostic["range"]["start"], diagnostic["range"]["end"]
        assert (start["line"], start["column"]) <= (end["line"], end["column"])
    if compilation.model is None:
        assert document["error_count"] > 0


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(CORPUS))
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            break
        at = draw(st.integers(0, len(text) - 1))
        action = draw(st.sampled_from(["delete", "insert", "replace", "duplicate"]))
        span = draw(st.integers(1, 12))
        if action == "delete":
            text = text[:at] + text[at + span :]
        elif action == "insert":
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
        elif action == "replace":
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at + span :]
        else:
            text = text[:at] + text[at : at + span * 4] + text[at:]
    return text


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.text(max_size=300))
def test_random_text_never_raises(text: str) -> None:
    check(text)


@FAST
@given(st.lists(st.sampled_from(TOKENS), max_size=60).map(" ".join))
def test_random_token_soup_never_raises(text: str) -> None:
    check(text)


@FAST
@given(mutated())
def test_mutated_examples_never_raise(text: str) -> None:
    check(text)
