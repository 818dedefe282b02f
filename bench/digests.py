"""The result guard: SHA-256 digests of everything capplan outputs for fixed inputs.

A speed-up must change no result. For the example and the generator's fleets
(fixed seed, both styles) this computes the digest of:

* ``validate``: ``capplan validate --format json`` (the diagnostics of the static checks);
* ``plan``: ``capplan plan --format json`` (the schedule, every check, the report);
* ``render@DAY``: every file ``capplan render`` writes into an empty folder for that
  day (path and bytes, sorted by path), one digest per target folder and one over all.

Fleets are rendered on the plan's last day (every rack live: what the bench's render
stage times); the example also on its default day (its ``as_of``, what the CLI renders).

``--record`` writes them to ``bench/digests.json`` (committed); without it they are
checked against that file and every difference is listed (exit 1). Re-record only after
an intended output change, and say in the commit which change it was (docs/performance.md,
"The result guard")::

    python -m bench.digests                      # check S, M and the example
    python -m bench.digests --scales S,M,L       # L too (about a minute)
    python -m bench.digests --record             # after an intended output change
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.generate import DEFAULT_SEED, SCALES, STYLES, generate, write_generated

REPO = Path(__file__).resolve().parents[1]
RECORD = REPO / "bench" / "digests.json"
EXAMPLE = REPO / "examples" / "nscale-2026.cap"
DEFAULT_SCALES: tuple[str, ...] = ("S", "M")

Digests = dict[str, str]


@dataclass(frozen=True)
class Case:
    """One input: its name in the record, the root file, its display name, the render days."""

    name: str
    path: Path
    display: str
    ends_only: bool  # a generated fleet: rendered on the plan's end only


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tree_digests(root: Path) -> Digests:
    """One digest per top-level folder and one over the tree: path, NUL, bytes, NUL, sorted."""
    files = sorted(p for p in root.rglob("*") if p.is_file())
    whole = hashlib.sha256()
    parts: dict[str, hashlib._Hash] = {}
    for path in files:
        relative = path.relative_to(root).as_posix()
        chunk = relative.encode("utf-8") + b"\0" + path.read_bytes() + b"\0"
        whole.update(chunk)
        parts.setdefault(relative.split("/", 1)[0], hashlib.sha256()).update(chunk)
    out = {f"/{top}": part.hexdigest() for top, part in sorted(parts.items())}
    out[""] = whole.hexdigest()
    out["#files"] = str(len(files))
    return out


def case_digests(case: Case) -> Digests:
    """Every digest of one case, computed in this process through the CLI's own calls."""
    from capplan import api
    from capplan.diagnostics.json_format import render_json
    from capplan.render import render_tree
    from capplan.render.build import build_context, default_at
    from capplan.report import build_report
    from capplan.views.plan_json import render_plan_json

    compilation = api.compile_file(case.path, case.display)
    out: Digests = {"validate": _sha(render_json(compilation.diagnostics.sorted()).encode())}
    planned = api.plan(compilation)
    diagnostics = planned.diagnostics if planned else compilation.diagnostics
    report = build_report(planned, None) if planned else None
    out["plan"] = _sha(render_plan_json(report, diagnostics.sorted()).encode())
    if planned is None:
        return out
    model = planned.model
    days = [model.end] if case.ends_only else sorted({default_at(model), model.end})
    for day in days:
        with tempfile.TemporaryDirectory(prefix="capplan-digest-") as tmp:
            outcome = render_tree(build_context(planned, day), Path(tmp) / "out")
            if outcome.problems:
                raise RuntimeError("; ".join(str(p) for p in outcome.problems))
            for key, value in tree_digests(Path(tmp) / "out").items():
                out[f"render@{day.isoformat()}{key}"] = value
    return out


def cases(scales: Sequence[str], folder: Path) -> Iterator[Case]:
    """The example, then each fleet of `scales` in both styles, generated into `folder`."""
    yield Case("example", EXAMPLE, "examples/nscale-2026.cap", ends_only=False)
    for scale in scales:
        for style in STYLES:
            path = write_generated(generate(scale, style, DEFAULT_SEED), folder, ("cap",))["cap"]
            yield Case(path.stem, path, path.name, ends_only=True)


def compute(scales: Sequence[str]) -> dict[str, Digests]:
    """Digests of the example and the fleets of `scales` (the generator's default seed)."""
    with tempfile.TemporaryDirectory(prefix="capplan-fleets-") as tmp:
        return {case.name: case_digests(case) for case in cases(scales, Path(tmp))}


def load_record(path: Path = RECORD) -> dict[str, Digests]:
    data = json.loads(path.read_text(encoding="utf-8"))
    cases_: dict[str, Digests] = data["cases"]
    return cases_


def differences(recorded: dict[str, Digests], computed: dict[str, Digests]) -> list[str]:
    """What differs, one line per digest; a computed case with no record is a difference."""
    lines: list[str] = []
    for name, digests in computed.items():
        if name not in recorded:
            lines.append(f"{name}: not recorded (run python -m bench.digests --record)")
            continue
        known = recorded[name]
        for key in sorted(set(known) | set(digests)):
            if known.get(key) != digests.get(key):
                lines.append(f"{name} {key or 'render'}: {known.get(key)} -> {digests.get(key)}")
    return lines


def write_record(computed: dict[str, Digests], path: Path = RECORD) -> None:
    """Merge `computed` into the record (cases not recomputed are kept)."""
    old = load_record(path) if path.exists() else {}
    merged = {**old, **computed}
    data = {
        "about": "SHA-256 of capplan's outputs; python -m bench.digests checks, --record rewrites",
        "seed": DEFAULT_SEED,
        "cases": {name: merged[name] for name in sorted(merged)},
    }
    path.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.digests", description=__doc__)
    parser.add_argument("--scales", default=",".join(DEFAULT_SCALES), help="comma list of S,M,L,XL")
    parser.add_argument("--record", action="store_true", help="rewrite bench/digests.json")
    args = parser.parse_args(argv)
    scales = [s for s in args.scales.split(",") if s]
    unknown = [s for s in scales if s not in SCALES]
    if unknown:
        parser.error(f"unknown scale(s): {', '.join(unknown)}")
    computed = compute(scales)
    if args.record:
        write_record(computed)
        print(f"recorded {len(computed)} case(s) in {RECORD.relative_to(REPO)}", file=sys.stderr)
        return 0
    lines = differences(load_record(), computed)
    for line in lines:
        print(line)
    print(
        f"{len(computed)} case(s): " + ("DIFFERENT" if lines else "identical to the record"),
        file=sys.stderr,
    )
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
