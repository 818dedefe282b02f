"""Adversarial growth benchmarks (issue 11): small inputs that used to cost a lot.

    python -m bench.growth              # every case at 25, 50 and 100 KB
    python -m bench.growth --kb 100 --cases const_chain,many_halls

Each case is a family of inputs indexed by a size n, generated to a target
size in bytes: a chain of consts (each defined by the previous one), one site
with many halls, many links and flows with many change days, many
diagnostics on one line, a non-ASCII file with an error on every line, and
lists nested up to the limit. Links come in two families: capacity changing on
six days shared by all, and links readied two a day (as many change days as
links over two), either parallel over 20 pops or none parallel over n / 2 pops. A run measures the CPU seconds of the whole
command as the CLI does it (`validate`: load, resolve, checks, JSON and text
diagnostics; `plan`: also the schedule, network and the JSON plan) and the
peak memory, in a fresh subprocess per measurement. The growth exponent is
the slope of log(CPU) over log(size) between the smallest and the largest
size: about 1 is linear, 1.1 is n log n at these sizes, 2 is quadratic.
tests/test_growth.py checks the exponents at small sizes; docs/security.md
records this script's figures at 100 KB (the bound: 5 s and 1 GB).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

HEAD = (
    "plan p { start = 2026-01-01 end = 2027-12-31 }\n"
    "supplier nv { supplies = gpus lead_time = 4w }\n"
    "supplier optics { supplies = optics lead_time = 2w }\n"
    "rack_type r { gpus = 72 power = 132 kW cooling = liquid }\n"
)


def const_chain(n: int) -> str:
    """`const c1 = c0` ... `const cN = cN-1`, used by a site: resolution must be linear."""
    consts = "const c0 = 10 MW\n" + "".join(f"const c{i} = c{i - 1}\n" for i in range(1, n))
    return (
        HEAD
        + consts
        + f"site s {{ power = c{n - 1} hall h {{ positions = 8 cooling = liquid }} }}\n"
    )


def many_halls(n: int) -> str:
    """One site with n halls and a lot into a few of them."""
    halls = "".join(f"  hall h{i} {{ positions = 4 cooling = liquid }}\n" for i in range(n))
    lots = "".join(
        f"lot l{i} {{ supplier = nv rack_type = r racks = 2 to = s.h{i * 7 % n} "
        f"arrive = 2026-03-02 }}\n"
        for i in range(min(n, 20))
    )
    return HEAD + f"site s {{ power = 1000 MW\n{halls}}}\n" + lots


SITE_AND_LOT = (
    "site s { power = 50 MW hall h { positions = 100 cooling = liquid } }\n"
    "lot l { supplier = nv rack_type = r racks = 60 to = s.h arrive = 2026-03-02 }\n"
)
LONG_HEAD = HEAD.replace("2027-12-31", "2029-12-31")  # room for hundreds of change days


def _pops(count: int) -> str:
    return "".join(f"pop q{i} {{ country = NO }}\n" for i in range(count))


def _ring_link(i: int, attributes: str) -> str:
    """Link i of the ring of 20 pops: odd links from the site, even ones between pops."""
    return f"link k{i} {{ from = {'s' if i % 2 else f'q{(i + 1) % 20}'} to = q{i % 20} {attributes} }}\n"


def _site_flows(pop: Callable[[int], int]) -> str:
    """20 flows from the site, rising in August, a third protected; flow i ends at q{pop(i)}."""
    return "".join(
        f"flow f{i} {{ from = s to = q{pop(i)} rate {{ 2026-02-01: {i + 1} Gbps "
        f"2026-08-01: {2 * i + 1} Gbps }} protect = {'true' if i % 3 == 0 else 'false'} }}\n"
        for i in range(20)
    )


def many_links(n: int) -> str:
    """n links between a ring of 20 pops and a site, capacity changing each quarter; flows too."""
    days = ("2026-01-01", "2026-04-01", "2026-07-01", "2026-10-01", "2027-01-01", "2027-04-01")
    links = "".join(
        _ring_link(
            i,
            f"capacity {{ {' '.join(f'{d}: {(i + j) % 7 + 1} x 400 Gbps' for j, d in enumerate(days))} }}",
        )
        for i in range(n)
    )
    return HEAD + SITE_AND_LOT + _pops(20) + links + _site_flows(lambda i: i)


def links_readied(n: int) -> str:
    """n links between the same ring, readied two a day (n / 2 change days); flows too."""
    start = date(2026, 1, 1)
    links = "".join(
        _ring_link(i, f"ready = {start + timedelta(days=i // 2)} capacity = {i % 7 + 1} x 400 Gbps")
        for i in range(n)
    )
    return LONG_HEAD + SITE_AND_LOT + _pops(20) + links + _site_flows(lambda i: i)


def links_chain(n: int) -> str:
    """n links over n / 2 pops, no two parallel, readied two a day: a chain from the site
    through every pop, plus a chord from each pop; flows from the site along it."""
    pops = (n + 1) // 2
    start = date(2026, 1, 1)

    def ends(i: int) -> tuple[str, str]:
        j = i // 2
        if i % 2 == 0:
            return ("s" if j == 0 else f"q{j - 1}", f"q{j}")
        chord = (j * 7 + 3) % pops
        return (f"q{j}", f"q{chord if chord != j else (j + 1) % pops}")

    links = "".join(
        f"link k{i} {{ from = {ends(i)[0]} to = {ends(i)[1]} ready = "
        f"{start + timedelta(days=i // 2)} capacity = {i % 7 + 1} x 400 Gbps }}\n"
        for i in range(n)
    )
    return LONG_HEAD + SITE_AND_LOT + _pops(pops) + links + _site_flows(lambda i: (i * 37) % pops)


def many_flows(n: int) -> str:
    """n flows over 40 links and 20 pops, each starting on its own day (up to 700 change
    days), a third protected: many overloaded days, each explained by a cut."""
    links = "".join(_ring_link(i, f"capacity = {i % 7 + 1} x 400 Gbps") for i in range(40))
    start = date(2026, 1, 1)
    flows = "".join(
        f"flow f{i} {{ from = s to = q{i % 20} rate {{ {start + timedelta(days=i % 700)}: "
        f"{i % 50 + 1} Gbps }} protect = {'true' if i % 3 == 0 else 'false'} }}\n"
        for i in range(n)
    )
    return LONG_HEAD + SITE_AND_LOT + _pops(20) + links + flows


def errors_one_line(n: int) -> str:
    """n syntax errors on one line."""
    return " ".join(f"site s{i} {{ @ }}" for i in range(n)) + "\n"


def non_ascii(n: int) -> str:
    """n lines of non-ASCII text, each with an unknown attribute (E200) at its end."""
    return "".join(
        f'pop p{i} {{ country = NO description = "Tromsø — nordlys ✓ {i}" colour = 1 }}\n'
        for i in range(n)
    )


def non_ascii_one_line(n: int) -> str:
    """The same on a single line: byte offsets far into one long non-ASCII line."""
    return non_ascii(n).replace("\n", " ") + "\n"


def deep_lists(n: int) -> str:
    """n attributes, each a list nested 60 deep (under the limit of 64)."""
    value = "[" * 60 + "1" + "]" * 60
    return "".join(f"pop p{i} {{ country = NO tags = {value} }}\n" for i in range(n))


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[int], str]
    command: str  # validate or plan
    owner: str  # who fixed the cost (for the docs)


CASES: dict[str, Case] = {
    c.name: c
    for c in (
        Case("const_chain", const_chain, "validate", "resolve"),
        Case("many_halls", many_halls, "plan", "resolve/engine"),
        Case("many_links", many_links, "plan", "engine"),
        Case("links_readied", links_readied, "plan", "engine"),
        Case("links_chain", links_chain, "plan", "engine"),
        Case("many_flows", many_flows, "plan", "engine"),
        Case("errors_one_line", errors_one_line, "validate", "front"),
        Case("non_ascii", non_ascii, "validate", "front"),
        Case("non_ascii_one_line", non_ascii_one_line, "validate", "front"),
        Case("deep_lists", deep_lists, "validate", "front"),
    )
}


def sized(case: Case, target_bytes: int) -> tuple[str, int]:
    """The input of about `target_bytes` (found by doubling, then bisecting n)."""
    low, high = 1, 2
    while len(case.make(high).encode("utf-8")) < target_bytes:
        low, high = high, high * 2
    while high - low > max(1, low // 50):
        middle = (low + high) // 2
        if len(case.make(middle).encode("utf-8")) < target_bytes:
            low = middle
        else:
            high = middle
    return case.make(high), high


def run_in_process(text: str, command: str) -> None:
    """What `capplan COMMAND --format json` and the text diagnostics do, minus the I/O."""
    from capplan import api
    from capplan.diagnostics.json_format import render_json
    from capplan.diagnostics.text import render_text

    compilation = api.compile_text(text, "growth.cap")
    diagnostics = compilation.diagnostics
    if command == "plan":
        from capplan.report import build_report
        from capplan.views.plan_json import render_plan_json

        planned = api.plan(compilation)
        if planned is not None:
            diagnostics = planned.diagnostics
            render_plan_json(build_report(planned), diagnostics.sorted())
    ordered = diagnostics.sorted()
    render_json(ordered)
    render_text(ordered)


def measure_here(text: str, command: str, warm: str) -> tuple[float, int]:
    """CPU seconds and peak bytes of one run in this process, after a run of ``warm`` (a
    small input of the same family: its imports, grammar and caches are not measured)."""
    run_in_process(warm, command)
    cpu = time.process_time()
    run_in_process(text, command)
    cpu = time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return cpu, peak if sys.platform == "darwin" else peak * 1024


def measure(case: Case, target_bytes: int) -> dict[str, float | int | str]:
    """One measurement in a fresh subprocess (so the peak memory is this run's)."""
    script = (
        "import json, sys; from bench.growth import CASES, sized, measure_here; "
        f"case = CASES[{case.name!r}]; text, n = sized(case, {target_bytes}); "
        "cpu, peak = measure_here(text, case.command, case.make(2)); "
        "print(json.dumps({'n': n, 'bytes': len(text.encode()), 'cpu': cpu, 'peak': peak}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": f"{REPO / 'src'}:{REPO}", "PATH": "/usr/bin:/bin"},
    )
    row: dict[str, float | int | str] = json.loads(done.stdout.strip().splitlines()[-1])
    row["case"] = case.name
    return row


def exponent(small: tuple[int, float], large: tuple[int, float]) -> float:
    """Slope of log(cpu) over log(size) between two measurements."""
    (n1, t1), (n2, t2) = small, large
    return math.log(max(t2, 1e-4) / max(t1, 1e-4)) / math.log(n2 / n1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kb", type=int, default=100, help="largest input, in KB")
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated case names")
    args = parser.parse_args(argv)
    largest = args.kb * 1000
    print("| case | command | size | n | CPU s | peak MiB | exponent |")
    print("|---|---|---|---|---|---|---|")
    worst = 0.0
    for name in args.cases.split(","):
        case = CASES[name]
        rows = [measure(case, largest // k) for k in (4, 2, 1)]
        slope = exponent(
            (int(rows[0]["bytes"]), float(rows[0]["cpu"])),
            (int(rows[-1]["bytes"]), float(rows[-1]["cpu"])),
        )
        for row in rows:
            last = row is rows[-1]
            print(
                f"| {name} | {case.command} | {int(row['bytes']) / 1000:.0f} KB | {row['n']} "
                f"| {float(row['cpu']):.2f} | {int(row['peak']) / 2**20:.0f} "
                f"| {f'{slope:.2f}' if last else ''} |",
                flush=True,
            )
        worst = max(worst, float(rows[-1]["cpu"]))
    return 0 if worst <= 5.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
