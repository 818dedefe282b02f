"""Edit latency of the language server: re-check the example after a one-character edit.

    PYTHONPATH=src python -m bench.lsp_edit [--edits N] [--no-cache]

What is timed is the server's whole check of a change, as `capplan lsp` runs
it after the debounce: find the program's root, load it through the parse
cache (only the edited file is parsed again), resolve, and run the static
checks. Each edit changes one character of one imported file (a digit of a
hall's `positions` in examples/nscale/sites-norway.cap), alternating between
two values so that the text really differs from the previous check's. The
first check (every file parsed) is reported apart. Prints the median and the
90th percentile in milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from capplan.lsp.analysis import Workspace

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples"
EDITED = EXAMPLE / "nscale" / "sites-norway.cap"
TARGET_MS = 150.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--no-cache", action="store_true", help="parse every file every time")
    args = parser.parse_args(argv)
    workspace = Workspace([EXAMPLE])
    if args.no_cache:
        workspace.cache.size = 0
    text = EDITED.read_text(encoding="utf-8")
    needle = "positions = 400"
    at = text.index(needle) + len(needle) - 1  # the last digit
    started = time.perf_counter()
    workspace.open(EDITED, text)
    first = workspace.analyse(EDITED)
    cold = (time.perf_counter() - started) * 1000
    assert first is not None and not first.compilation.diagnostics.has_errors
    times: list[float] = []
    for index in range(args.edits):
        edited = text[:at] + ("1" if index % 2 == 0 else "0") + text[at + 1 :]
        started = time.perf_counter()
        workspace.open(EDITED, edited)
        analysis = workspace.analyse(EDITED)
        times.append((time.perf_counter() - started) * 1000)
        assert analysis is not None
    times.sort()
    median = statistics.median(times)
    p90 = times[int(len(times) * 0.9) - 1]
    print(f"first check (all {len(first.program.sources)} files parsed): {cold:.1f} ms")
    print(f"re-check after a one-character edit: median {median:.1f} ms, p90 {p90:.1f} ms")
    print(f"target {TARGET_MS:.0f} ms: {'met' if median < TARGET_MS else 'MISSED'}")
    return 0 if median < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
