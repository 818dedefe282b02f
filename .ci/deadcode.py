"""Dead-code check (vulture): unused functions, methods, classes, imports, module-level names.

Fields in class bodies (pydantic models, dataclasses) and attributes are not
reported: they are a data shape, read by serialisers and templates that
vulture cannot see. What is used only from outside `src/capplan` (the public
API, template helpers, framework hooks) is named in `.ci/deadcode_whitelist.py`.
Run: python .ci/deadcode.py  (exit 1 and a list when something is unused).
"""

from __future__ import annotations

import sys
from pathlib import Path

import vulture

ROOT = Path(__file__).resolve().parents[1]
# Registered with a framework that calls them: pydantic, typer, pygls.
IGNORE_DECORATORS = ["@*validator", "@*.command", "@*.callback", "@computed_field", "@*.feature"]


def unused() -> list[str]:
    finder = vulture.Vulture(ignore_decorators=IGNORE_DECORATORS)
    finder.scavenge(
        [
            str(ROOT / "src" / "capplan"),
            str(ROOT / "bench"),
            str(Path(__file__).parent / "deadcode_whitelist.py"),
        ]
    )
    found = []
    for item in finder.get_unused_code(min_confidence=60):
        line = Path(item.filename).read_text(encoding="utf-8").splitlines()[item.first_lineno - 1]
        if item.typ in ("variable", "attribute") and line[:1].isspace():
            continue  # a field of a class body, or an attribute set on an object
        found.append(item.get_report())
    return found


if __name__ == "__main__":
    problems = unused()
    for problem in problems:
        print(problem)
    if problems:
        print(
            "dead code: remove it, or name it in .ci/deadcode_whitelist.py with why it is used",
            file=sys.stderr,
        )
    sys.exit(1 if problems else 0)
