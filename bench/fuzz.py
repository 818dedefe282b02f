"""Fuzz campaign over `capplan validate` and `capplan plan` (issue 11, docs/security.md).

    python -m bench.fuzz --validate 10000 --plan 2000 --seed 1

Each case is a `.cap` file made from the examples by grammar-aware mutations:
numbers (huge, tiny, zero, malformed), units (of another dimension, unknown,
per-time), dates at the calendar's edges (0001-01-01, 9999-12-31, 29 February,
month 13, quarter 5), durations far past year 9999, nesting (lists up to 200
deep), huge counts (racks, positions, `N x 400 Gbps`), duplicated items and
attributes, schedules with edge-day keys, a dropped plan block (the default
horizon) and token-level noise. Each case runs through the real CLI in this
process (`typer`'s runner: the same code as `capplan`, whose `main` turns any
exception into exit 3) and is judged:

* no internal error (an exception escaping the command: exit 3);
* within the time limit (CPU seconds of this process for the case);
* every diagnostic coded (`E`/`W` and three digits) and located (a range whose
  start is not after its end).

The process's peak memory is sampled after every case (`ru_maxrss`, which only
grows): the report says the largest and the first case past 1 GB, if any.
Exit status 0 when every case passed, 1 otherwise. The test suite runs a small,
hypothesis-driven part of it (tests/test_fuzz_campaign.py).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"

EDGE_DATES = (
    "0001-01-01",
    "0001-01-02",
    "9999-12-31",
    "9999-12-30",
    "9999-12",
    "9999-Q4",
    "0001-Q1",
    "0000-01-01",
    "2024-02-29",
    "2023-02-29",
    "2026-02-30",
    "2026-13-01",
    "2026-00-10",
    "2026-12-32",
    "2026-Q0",
    "2026-Q5",
    "1970-01-01",
    "2026-1-1",
)
NUMBERS = (
    "0",
    "0.0",
    "1",
    "0.000000001",
    "1_",
    "1__0",
    "999999999999999999999999999999",
    "1" + "0" * 400,
    "1" + "0" * 30,
    "4294967296",
    "9223372036854775808",
    "1.7976931348623157" + "0" * 300,
    "0." + "0" * 200 + "1",
    "1e9",
    "12345678901234567890.123456789",
)
UNITS = (
    "W",
    "kW",
    "MW",
    "GW",
    "Mbps",
    "Gbps",
    "Tbps",
    "d",
    "w",
    "mo",
    "m",
    "km",
    "kg",
    "t",
    "%",
    "mW",
    "racks/mo",
    "gpus/w",
    "Mbps/gpu",
    "EUR",
    "EUR/MWh",
    "parsecs",
    "x",
)
DURATIONS = ("0d", "3000000d", "99999999mo", "400000w", "1" + "0" * 30 + "d", "2933000d")
NOISE = (
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
    "\n",
    "é",
    "\t",
    "\\",
    "\x00",
    "\x1b[31m",
    "true",
    "const",
    "import",
    "override",
    "remove",
    '"../up.cap"',
    '"/etc/passwd"',
    "16 x 400 Gbps",
)
COUNT_ATTRS = ("racks", "positions", "gpus", "nodes", "priority", "allocation")
NUMBER_RE = re.compile(r"(?<![A-Za-z0-9_.-])[0-9][0-9_]*(?:\.[0-9_]+)?(?![0-9-])")
DATE_RE = re.compile(r"(?<![0-9])[0-9]{4}-(?:Q[0-9]|[0-9]{1,2}(?:-[0-9]{1,2})?)(?![0-9])")
QUANTITY_RE = re.compile(r"(?<![A-Za-z0-9_.])([0-9][0-9_.]*) ?([A-Za-z%][A-Za-z/]*)")
VALUE_RE = re.compile(r"= *([^\s{}\[\]]+)")
DURATION_RE = re.compile(r"\b(lead_time|install|commission|delay) *= *[^\s}]+")
ITEM_RE = re.compile(
    r"^(?:plan|supplier|rack_type|site|lot|pop|link|flow|commitment) \w+ \{.*?^\}\n", re.M | re.S
)


def corpus() -> list[str]:
    """Self-contained example files; the nscale example with its imports inlined."""
    texts = [
        p.read_text(encoding="utf-8")
        for p in sorted(EXAMPLES.rglob("*.cap"))
        if "import " not in p.read_text(encoding="utf-8") and p.parent.name != "nscale"
    ]
    nscale = EXAMPLES / "nscale-2026.cap"
    if nscale.exists():
        parts = [re.sub(r'^import "[^"]*"\n', "", nscale.read_text(encoding="utf-8"), flags=re.M)]
        parts += [
            p.read_text(encoding="utf-8") for p in sorted((EXAMPLES / "nscale").glob("*.cap"))
        ]
        texts.append("\n".join(parts))
    return texts or ["site s { power = 5 MW }\n"]


def _replace_match(rng: random.Random, text: str, pattern: re.Pattern[str], new: str) -> str:
    matches = list(pattern.finditer(text))
    if not matches:
        return text
    m = rng.choice(matches)
    return text[: m.start()] + new + text[m.end() :]


def m_number(rng: random.Random, text: str) -> str:
    return _replace_match(rng, text, NUMBER_RE, rng.choice(NUMBERS))


def m_unit(rng: random.Random, text: str) -> str:
    matches = list(QUANTITY_RE.finditer(text))
    if not matches:
        return text
    m = rng.choice(matches)
    return text[: m.start(2)] + rng.choice(UNITS) + text[m.end(2) :]


def m_date(rng: random.Random, text: str) -> str:
    return _replace_match(rng, text, DATE_RE, rng.choice(EDGE_DATES))


def m_all_dates(rng: random.Random, text: str) -> str:
    """Every date the same edge day: a model whose only dates are sentinels."""
    day = rng.choice(("0001-01-01", "9999-12-31", "9999-12-30"))
    return DATE_RE.sub(day, text)


def m_duration(rng: random.Random, text: str) -> str:
    matches = list(DURATION_RE.finditer(text))
    if matches:
        m = rng.choice(matches)
        return text[: m.start()] + f"{m.group(1)} = {rng.choice(DURATIONS)}" + text[m.end() :]
    return text.replace(
        "supplies = gpus", f"supplies = gpus lead_time = {rng.choice(DURATIONS)}", 1
    )


def m_nest(rng: random.Random, text: str) -> str:
    depth = rng.choice((1, 2, 5, 40, 62, 63, 64, 65, 200))
    matches = list(VALUE_RE.finditer(text))
    if not matches:
        return text
    m = rng.choice(matches)
    return text[: m.start(1)] + "[" * depth + m.group(1) + "]" * depth + text[m.end(1) :]


def m_count(rng: random.Random, text: str) -> str:
    attr = rng.choice(COUNT_ATTRS)
    value = rng.choice(("0", "1" + "0" * rng.choice((6, 9, 12, 18, 30, 400)), "4294967297"))
    pattern = re.compile(rf"\b{attr} *= *[0-9][0-9_]*")
    if rng.random() < 0.3:
        pattern, value = (
            re.compile(r"[0-9]+ x [0-9]+ Gbps"),
            f"{rng.choice(('0', '1' + '0' * 12, '1' + '0' * 400))} x 400 Gbps",
        )
        return _replace_match(rng, text, pattern, value)
    return _replace_match(rng, text, pattern, f"{attr} = {value}")


def m_duplicate_item(rng: random.Random, text: str) -> str:
    items = list(ITEM_RE.finditer(text))
    if not items:
        return text
    m = rng.choice(items)
    copies = rng.choice((1, 1, 2, 50))
    block = m.group(0)
    clones = "".join(re.sub(r"^(\w+ )(\w+)", rf"\1\2_c{i}", block, count=1) for i in range(copies))
    if rng.random() < 0.3:
        clones = block  # the same name twice: E202
    return text[: m.end()] + clones + text[m.end() :]


def m_duplicate_member(rng: random.Random, text: str) -> str:
    lines = text.splitlines(keepends=True)
    candidates = [
        i for i, line in enumerate(lines) if "=" in line and not line.lstrip().startswith("#")
    ]
    if not candidates:
        return text
    i = rng.choice(candidates)
    return "".join(lines[: i + 1] + [lines[i]] + lines[i + 1 :])


def m_labels(rng: random.Random, text: str) -> str:
    key = rng.choice(('"a"', '"owner"', '""', '"é"'))
    labels = f'  labels {{ {key}: "x"  {key}: "y" }}\n'  # a duplicate key: E207
    return re.sub(r"^(site \w+ \{\n)", lambda m: m.group(1) + labels, text, count=1, flags=re.M)


def m_schedule_edges(rng: random.Random, text: str) -> str:
    day_a, day_b = sorted(rng.sample(EDGE_DATES[:4], 2))
    schedule = f"power {{ {day_a}: 5 MW  {day_b}: 10 MW }}"
    return re.sub(r"\bpower *= *[0-9][0-9_.]* *[kMG]?W", schedule, text, count=1)


def m_drop_plan(rng: random.Random, text: str) -> str:
    return re.sub(r"^plan \w+ \{.*?^\}\n", "", text, count=1, flags=re.M | re.S)


def m_noise(rng: random.Random, text: str) -> str:
    if not text:
        return rng.choice(NOISE)
    at = rng.randrange(len(text))
    span = rng.randint(1, 12)
    action = rng.choice(("delete", "insert", "replace", "duplicate"))
    if action == "delete":
        return text[:at] + text[at + span :]
    if action == "insert":
        return text[:at] + rng.choice(NOISE) + text[at:]
    if action == "replace":
        return text[:at] + rng.choice(NOISE) + text[at + span :]
    return text[:at] + text[at : at + span * 4] + text[at:]


Mutator = Callable[[random.Random, str], str]
MUTATORS: tuple[Mutator, ...] = (
    m_number,
    m_unit,
    m_date,
    m_all_dates,
    m_duration,
    m_nest,
    m_count,
    m_duplicate_item,
    m_duplicate_member,
    m_labels,
    m_schedule_edges,
    m_drop_plan,
    m_noise,
    m_noise,
)
MAX_CASE_BYTES = 100_000


def mutate(rng: random.Random, texts: list[str]) -> str:
    """One case: an example with one to four mutations, at most 100 KB."""
    text = rng.choice(texts)
    for _ in range(rng.randint(1, 4)):
        mutated = rng.choice(MUTATORS)(rng, text)
        if len(mutated.encode("utf-8")) <= MAX_CASE_BYTES:
            text = mutated
    return text


CODE = re.compile(r"^[EW][0-9]{3}$")


@dataclass
class Outcome:
    command: str
    exit_code: int
    cpu_seconds: float
    wall_seconds: float
    problem: str = ""  # empty when the case passed


def _diagnostics(command: str, stdout: str) -> list[dict[str, Any]]:
    document = json.loads(stdout)
    found = document["diagnostics"]
    return list(found["diagnostics"] if command == "plan" else found)


def _bad_diagnostic(diagnostics: list[dict[str, Any]]) -> str:
    for d in diagnostics:
        if not CODE.match(str(d.get("code"))):
            return f"uncoded diagnostic {d.get('code')!r}: {d.get('summary')}"
        where = d.get("range")
        if where is None:
            return f"{d['code']} without a location: {d.get('summary')}"
        start, end = where["start"], where["end"]
        if start["line"] < 1 or (start["line"], start["column"]) > (end["line"], end["column"]):
            return f"{d['code']} with a backwards range {start} {end}"
    return ""


def run_case(text: str, command: str, folder: Path, limit: float) -> Outcome:
    """Run `capplan COMMAND --format json` on `text` as the real CLI does, in this process."""
    from typer.testing import CliRunner

    from capplan.cli import app

    path = folder / "case.cap"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    cpu, wall = time.process_time(), time.perf_counter()
    result = CliRunner().invoke(app, [command, "--format", "json", str(path)])
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    exception = result.exception
    if exception is not None and not isinstance(exception, SystemExit):
        name = type(exception).__name__
        return Outcome(command, 3, cpu, wall, f"internal error: {name}: {exception}"[:300])
    outcome = Outcome(command, result.exit_code, cpu, wall)
    if result.exit_code not in (0, 1):
        outcome.problem = f"exit {result.exit_code}: {result.stderr[:200]}"
    elif cpu > limit:
        outcome.problem = f"took {cpu:.1f} s of CPU (limit {limit:g} s)"
    else:
        try:
            outcome.problem = _bad_diagnostic(_diagnostics(command, result.stdout))
        except (ValueError, KeyError, TypeError) as exc:
            outcome.problem = f"unreadable JSON output: {exc}"
    return outcome


def peak_rss_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


@dataclass
class Campaign:
    runs: dict[str, int] = field(default_factory=lambda: {"validate": 0, "plan": 0})
    internal_errors: int = 0
    over_limit: int = 0
    other_problems: int = 0
    slowest: float = 0.0
    slowest_case: tuple[str, str] = ("", "")  # command and text of the slowest case
    peak_bytes: int = 0
    first_over_1gb: str = ""
    failures: list[tuple[Outcome, str]] = field(default_factory=list)

    def add(self, outcome: Outcome, text: str) -> None:
        self.runs[outcome.command] += 1
        if outcome.cpu_seconds > self.slowest:
            self.slowest = outcome.cpu_seconds
            self.slowest_case = (outcome.command, text)
        self.peak_bytes = peak_rss_bytes()
        if self.peak_bytes > 1 << 30 and not self.first_over_1gb:
            self.first_over_1gb = text[:2000]
        if not outcome.problem:
            return
        if outcome.exit_code == 3:
            self.internal_errors += 1
        elif outcome.problem.startswith("took"):
            self.over_limit += 1
        else:
            self.other_problems += 1
        if len(self.failures) < 50:
            self.failures.append((outcome, text))


def campaign(validate: int, plan: int, seed: int, limit: float, progress: bool) -> Campaign:
    rng = random.Random(seed)
    texts = corpus()
    result = Campaign()
    schedule = ["validate"] * validate + ["plan"] * plan
    random.Random(seed + 1).shuffle(schedule)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="capplan-fuzz-") as tmp:
        folder = Path(tmp)
        for index, command in enumerate(schedule, 1):
            text = mutate(rng, texts)
            result.add(run_case(text, command, folder, limit), text)
            if progress and index % 250 == 0:
                elapsed = time.perf_counter() - started
                print(
                    f"{index}/{len(schedule)} cases, {elapsed:.0f} s, "
                    f"{result.internal_errors} exit-3, {result.over_limit} slow, "
                    f"{result.other_problems} other, peak {result.peak_bytes / 2**20:.0f} MiB",
                    file=sys.stderr,
                    flush=True,
                )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--validate", type=int, default=10_000, help="validate cases")
    parser.add_argument("--plan", type=int, default=2_000, help="plan cases")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--limit-seconds", type=float, default=10.0, help="CPU s per case")
    parser.add_argument(
        "--failures", type=Path, help="write failing cases (and the slowest) into this folder"
    )
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = campaign(args.validate, args.plan, args.seed, args.limit_seconds, not args.quiet)
    elapsed = time.perf_counter() - started
    print(
        f"validate {result.runs['validate']}, plan {result.runs['plan']} cases (seed {args.seed}) "
        f"in {elapsed:.0f} s: {result.internal_errors} internal errors (exit 3), "
        f"{result.over_limit} over {args.limit_seconds:g} s, {result.other_problems} other "
        f"problems; slowest case {result.slowest:.2f} s CPU; "
        f"peak memory {result.peak_bytes / 2**20:.0f} MiB"
        + (" (first case past 1 GB kept)" if result.first_over_1gb else "")
    )
    for outcome, _ in result.failures[:20]:
        print(f"  {outcome.command}: {outcome.problem}")
    if args.failures is not None:
        args.failures.mkdir(parents=True, exist_ok=True)
        for i, (outcome, text) in enumerate(result.failures):
            (args.failures / f"{i:03d}-{outcome.command}.cap").write_text(
                text, encoding="utf-8", errors="surrogatepass"
            )
        command, text = result.slowest_case
        if command:
            (args.failures / f"slowest-{command}.cap").write_text(
                text, encoding="utf-8", errors="surrogatepass"
            )
    failed = result.internal_errors + result.over_limit + result.other_problems
    return 1 if failed or result.first_over_1gb else 0


if __name__ == "__main__":
    raise SystemExit(main())
