"""Benchmark runner: capplan's stages and reference parsers, side by side.

    python -m bench --scales S,M,L,XL --styles idiomatic,inventory --repeat 3 --markdown

For each scale and style it generates a fleet (bench/generate.py), then measures,
each in a fresh subprocess (so that peak memory belongs to one measurement):

* capplan: parse, model, schedule, bandwidth, render (through bench/stages.py);
* naive Lark: a plain LALR tree parse of the same .cap with grammar/capplan.lark;
* hcl2: ``hcl2.loads`` of the same content as HCL;
* json: ``json.loads`` of the same content as JSON.

and, once, ``capplan validate examples/nscale-2026.cap`` including process start.
Times are the best of ``--repeat`` runs; peak memory is the largest. A reference
parser is run only where it finishes within ``--ref-timeout`` seconds: the time is
extrapolated linearly from the previous scale and larger inputs are skipped.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.generate import DEFAULT_SEED, SCALES, STYLES, generate, write_generated

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = Path("examples") / "nscale-2026.cap"
STAGES: tuple[str, ...] = ("parse", "model", "schedule", "cost", "bandwidth", "render")
REFERENCES: tuple[str, ...] = ("lark", "hcl2", "json")
REFERENCE_FILE: dict[str, str] = {"lark": "cap", "hcl2": "hcl", "json": "json"}
REFERENCE_LABEL: dict[str, str] = {
    "lark": "naive Lark",
    "hcl2": "hcl2.loads",
    "json": "json.loads",
}
NOT_AVAILABLE_MARKERS: tuple[str, ...] = (
    "ModuleNotFoundError",
    "ImportError",
    "NotImplementedError",
    "No such command",
)

Result = dict[str, Any]


# ------------------------------------------------------------------------------ machine


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _git_commit() -> str:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    dirty = ""
    if done.returncode == 0:
        status = subprocess.run(
            ["git", "status", "--porcelain"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        dirty = "+dirty" if status.stdout.strip() else ""
    return done.stdout.strip() + dirty if done.returncode == 0 else "no commit"


def machine_info() -> dict[str, Any]:
    """CPU model, cores, memory, OS, Python and library versions."""
    cpuinfo = _read("/proc/cpuinfo")
    model = ""
    physical: set[tuple[str, str]] = set()
    current: dict[str, str] = {}
    for line in [*cpuinfo.splitlines(), ""]:
        if not line.strip():
            if "physical id" in current and "core id" in current:
                physical.add((current["physical id"], current["core id"]))
            current = {}
            continue
        key, _, value = line.partition(":")
        current[key.strip()] = value.strip()
        if key.strip() == "model name" and not model:
            model = value.strip()
    memory_gb = None
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            memory_gb = round(int(line.split()[1]) / 1024**2, 1)
    return {
        "cpu": model or platform.processor() or platform.machine(),
        "logical_cores": os.cpu_count(),
        "physical_cores": len(physical) or None,
        "memory_gb": memory_gb,
        "os": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "capplan": _version("capplan"),
        "lark": _version("lark"),
        "python-hcl2": _version("python-hcl2"),
        "commit": _git_commit(),
    }


def describe_machine(info: dict[str, Any]) -> list[str]:
    cores = f"{info['logical_cores']} logical"
    if info.get("physical_cores"):
        cores += f" / {info['physical_cores']} physical"
    return [
        f"CPU: {info['cpu']} ({cores} cores)",
        f"Memory: {info['memory_gb']} GiB",
        f"OS: {info['os']}",
        f"Python: {info['python']}; capplan {info['capplan']} ({info['commit']}), "
        f"lark {info['lark']}, python-hcl2 {info['python-hcl2']}",
    ]


# --------------------------------------------------------------------------- measuring


def _worker(kind: str, path: Path, timeout: float) -> Result:
    """Run one measurement in a fresh interpreter."""
    with tempfile.TemporaryDirectory(prefix="capplan-bench-") as tmp:
        result_path = Path(tmp) / "result.json"
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [str(REPO_ROOT), *filter(None, [env.get("PYTHONPATH")])]
        )
        command = [sys.executable, "-m", "bench._worker", kind, str(path), str(result_path)]
        try:
            done = subprocess.run(
                command,
                cwd=REPO_ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return {"kind": kind, "status": "timeout", "note": f"over {timeout:g} s"}
        if done.returncode != 0 or not result_path.is_file():
            tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
            return {"kind": kind, "status": "error", "note": f"exit {done.returncode}: {tail}"}
        result: Result = json.loads(result_path.read_text(encoding="utf-8"))
        return result


def _merge_capplan(runs: list[Result]) -> Result:
    """Best time per stage over the runs; largest peak memory."""
    merged: Result = {"status": "ok", "runs": len(runs), "stages": {}}
    failed = [r for r in runs if "stages" not in r]
    if failed:
        return {"status": failed[0]["status"], "note": failed[0].get("note", ""), "stages": {}}
    for stage in STAGES:
        entries = [r["stages"].get(stage, {"status": "n/a"}) for r in runs]
        ok = [e for e in entries if e.get("status") == "ok"]
        if len(ok) == len(entries):
            best = min(ok, key=lambda e: float(e["seconds"]))
            merged["stages"][stage] = {**best, "peak_kb": max(int(e["peak_kb"]) for e in ok)}
        else:
            bad = next(e for e in entries if e.get("status") != "ok")
            merged["stages"][stage] = {"status": bad.get("status"), "note": bad.get("note", "")}
    merged["peak_kb"] = max(int(r["peak_kb"]) for r in runs)
    merged["baseline_kb"] = min(int(r["baseline_kb"]) for r in runs)
    merged["missing_modules"] = runs[0].get("missing_modules", {})
    return merged


def measure_capplan(path: Path, repeat: int, timeout: float) -> Result:
    runs: list[Result] = []
    for _ in range(repeat):
        run = _worker("capplan", path, timeout)
        runs.append(run)
        if "stages" not in run:
            break
    result = _merge_capplan(runs)
    stages = result["stages"]
    times = {s: stages[s]["seconds"] for s in STAGES if stages.get(s, {}).get("status") == "ok"}
    size = path.stat().st_size
    if "parse" in times and times["parse"] > 0:
        result["parse_mb_s"] = size / 1e6 / times["parse"]
    check = ("parse", "model", "schedule", "bandwidth")
    if all(s in times for s in check):
        result["validate_plan_seconds"] = sum(times[s] for s in check)
    if all(s in times for s in STAGES):
        result["total_seconds"] = sum(times.values())
    return result


def measure_reference(
    kind: str,
    path: Path,
    repeat: int,
    timeout: float,
    previous: tuple[int, float] | None,
) -> Result:
    """Best of ``repeat`` runs, or "skipped" if a linear extrapolation exceeds ``timeout``."""
    size = path.stat().st_size
    if previous is not None:
        previous_size, previous_seconds = previous
        if previous_seconds < 0:
            return {"kind": kind, "status": "skipped", "note": "a smaller input timed out"}
        estimate = previous_seconds * size / max(previous_size, 1)
        if estimate > timeout:
            note = f"estimated {estimate:.0f} s > {timeout:g} s"
            return {"kind": kind, "status": "skipped", "note": note, "estimate_seconds": estimate}
    runs: list[Result] = []
    for _ in range(repeat):
        run = _worker(kind, path, timeout)
        runs.append(run)
        if run.get("status") != "ok":
            return run
    best = min(runs, key=lambda r: float(r["seconds"]))
    best = {**best, "peak_kb": max(int(r["peak_kb"]) for r in runs), "runs": len(runs)}
    best["mb_s"] = size / 1e6 / best["seconds"] if best["seconds"] > 0 else None
    return best


def measure_validate(runs: int, timeout: float = 60.0) -> Result:
    """``capplan validate examples/nscale-2026.cap``, wall time including process start."""
    example = REPO_ROOT / EXAMPLE
    if not example.is_file():
        return {"status": "n/a", "note": f"{EXAMPLE} not found"}
    script = Path(sys.executable).parent / "capplan"
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "capplan"]
    command += ["validate", str(EXAMPLE)]
    times: list[float] = []
    exit_code = 0
    for _ in range(runs):
        start = time.perf_counter()
        try:
            done = subprocess.run(
                command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            return {"status": "timeout", "note": f"over {timeout:g} s"}
        elapsed = time.perf_counter() - start
        stderr = done.stderr
        if done.returncode not in (0, 1) or "Traceback (most recent call last)" in stderr:
            tail = (stderr.strip().splitlines() or ["no output"])[-1]
            na = any(marker in stderr for marker in NOT_AVAILABLE_MARKERS)
            return {"status": "n/a" if na else "error", "note": f"exit {done.returncode}: {tail}"}
        exit_code = done.returncode
        times.append(elapsed)
    return {
        "status": "ok",
        "seconds": min(times),
        "runs": len(times),
        "exit_code": exit_code,
        "command": "capplan validate " + EXAMPLE.as_posix(),
    }


def run_benchmarks(
    scales: Sequence[str],
    styles: Sequence[str],
    *,
    repeat: int = 1,
    out_dir: Path | None = None,
    seed: int = DEFAULT_SEED,
    references: Sequence[str] = REFERENCES,
    ref_timeout: float = 60.0,
    capplan_timeout: float = 1800.0,
    validate_runs: int = 5,
    log: bool = True,
) -> Result:
    def say(message: str) -> None:
        if log:
            print(message, file=sys.stderr, flush=True)

    report: Result = {
        "machine": machine_info(),
        "settings": {
            "scales": list(scales),
            "styles": list(styles),
            "repeat": repeat,
            "seed": seed,
            "ref_timeout": ref_timeout,
        },
        "rows": [],
    }
    for line in describe_machine(report["machine"]):
        say(line)
    report["validate"] = measure_validate(validate_runs) if validate_runs > 0 else {
        "status": "skipped",
        "note": "--validate-runs 0",
    }  # fmt: skip
    say(f"validate example: {_cell(report['validate'])} s")
    ordered_scales = sorted(scales, key=lambda s: SCALES[s])
    with tempfile.TemporaryDirectory(prefix="capplan-bench-fleets-") as tmp:
        target = out_dir if out_dir is not None else Path(tmp)
        rows: list[Result] = []
        for style in styles:
            previous: dict[str, tuple[int, float]] = {}
            for scale in ordered_scales:
                say(f"{scale} {style}: generating")
                generated = generate(scale, style, seed)
                paths = write_generated(generated, target)
                stats = generated.stats
                row: Result = {
                    "scale": scale,
                    "style": style,
                    "gpus": stats.gpus,
                    "racks": stats.racks,
                    "lots": stats.lots,
                    "sites": stats.sites,
                    "bytes": {fmt: path.stat().st_size for fmt, path in paths.items()},
                }
                del generated
                say(f"{scale} {style}: capplan")
                row["capplan"] = measure_capplan(paths["cap"], repeat, capplan_timeout)
                row["references"] = {}
                for ref in references:
                    say(f"{scale} {style}: {REFERENCE_LABEL[ref]}")
                    path = paths[REFERENCE_FILE[ref]]
                    result = measure_reference(ref, path, repeat, ref_timeout, previous.get(ref))
                    row["references"][ref] = result
                    if result.get("status") == "ok":
                        previous[ref] = (path.stat().st_size, float(result["seconds"]))
                    elif result.get("status") == "timeout":
                        previous[ref] = (path.stat().st_size, -1.0)
                row["ratios"] = _ratios(row)
                rows.append(row)
                if out_dir is None:
                    for path in paths.values():
                        path.unlink(missing_ok=True)
        order = {s: k for k, s in enumerate(ordered_scales)}
        report["rows"] = sorted(rows, key=lambda r: (order[r["scale"]], styles.index(r["style"])))
    report["targets"] = evaluate_targets(report)
    return report


def _ratios(row: Result) -> dict[str, float | None]:
    """capplan parse time / reference parse time, per reference (same content)."""
    parse = row["capplan"].get("stages", {}).get("parse", {})
    ratios: dict[str, float | None] = {}
    for ref, result in row["references"].items():
        ok = parse.get("status") == "ok" and result.get("status") == "ok" and result["seconds"] > 0
        ratios[ref] = parse["seconds"] / result["seconds"] if ok else None
    return ratios


# ----------------------------------------------------------------------------- targets


def _stage_seconds(row: Result, stage: str) -> float | None:
    entry = row["capplan"].get("stages", {}).get(stage, {})
    return float(entry["seconds"]) if entry.get("status") == "ok" else None


def _rows(report: Result, scale: str) -> list[Result]:
    return [r for r in report["rows"] if r["scale"] == scale]


def _worst(values: list[tuple[str, float | None]]) -> tuple[float | None, str]:
    known = [(v, label) for label, v in values if v is not None]
    if not known or len(known) < len(values):
        return None, "missing: " + ", ".join(label for label, v in values if v is None)
    value, label = max(known)
    return value, label


def evaluate_targets(report: Result) -> list[Result]:
    """The issue's targets, each with the measured value and pass / FAIL / n/a."""
    targets: list[Result] = []

    def add(
        name: str, limit: str, value: float | None, ok: bool | None, unit: str, at: str
    ) -> None:
        status = "n/a" if value is None or ok is None else ("pass" if ok else "FAIL")
        targets.append(
            {
                "target": name,
                "limit": limit,
                "value": value,
                "unit": unit,
                "at": at,
                "status": status,
            }
        )

    validate = report.get("validate", {})
    v = float(validate["seconds"]) if validate.get("status") == "ok" else None
    add("capplan validate of the example, incl. process start", "< 0.5 s", v,
        None if v is None else v < 0.5, "s", EXAMPLE.as_posix())  # fmt: skip

    # Throughput is judged on the largest inventory file measured (small files are
    # dominated by fixed costs).
    inventory = [r for r in report["rows"] if r["style"] == "inventory"]
    rate: float | None = None
    if not inventory:
        at = "no inventory row"
    else:
        largest = max(inventory, key=lambda r: int(r["bytes"]["cap"]))
        at = f"{largest['scale']} inventory"
        rate = largest["capplan"].get("parse_mb_s")
        if rate is None:
            at = f"missing: {at}"
    add("parse throughput, inventory style", ">= 2 MB/s", rate,
        None if rate is None else rate >= 2.0, "MB/s", at)  # fmt: skip

    def validate_plan(scale: str) -> tuple[float | None, str]:
        rows = _rows(report, scale)
        if not rows:
            return None, f"no {scale} row"
        values = [
            (f"{scale} {r['style']}", r["capplan"].get("validate_plan_seconds")) for r in rows
        ]
        return _worst(values)

    large, at_l = validate_plan("L")
    add("validate+plan at L", "< 5 s", large, None if large is None else large < 5, "s", at_l)
    huge, at_xl = validate_plan("XL")
    add("validate+plan at XL", "< 60 s", huge, None if huge is None else huge < 60, "s", at_xl)
    growth: float | None = None
    at_growth = "needs L and XL"
    pairs = [
        (lr, xr)
        for lr in _rows(report, "L")
        for xr in _rows(report, "XL")
        if lr["style"] == xr["style"]
    ]
    growths = [
        (x["capplan"]["validate_plan_seconds"] / lr["capplan"]["validate_plan_seconds"], x["style"])
        for lr, x in pairs
        if lr["capplan"].get("validate_plan_seconds") and x["capplan"].get("validate_plan_seconds")
    ]
    if growths and len(growths) == len(pairs):
        growth, at_growth = max(growths)
    add("validate+plan XL / L", "<= 12", growth,
        None if growth is None else growth <= 12, "x", at_growth)  # fmt: skip

    def cost_share(scale: str) -> tuple[float | None, str]:
        """The cost stage (docs/language.md §14) as a share of validate + plan, worst style."""
        shares: list[tuple[str, float | None]] = []
        for r in _rows(report, scale):
            cost, plan = _stage_seconds(r, "cost"), r["capplan"].get("validate_plan_seconds")
            share = cost / plan * 100 if cost is not None and plan else None
            shares.append((f"{scale} {r['style']}", share))
        return _worst(shares) if shares else (None, f"no {scale} row")

    share, at_share = cost_share("XL")
    add("cost stage / validate+plan at XL", "< 10 %", share,
        None if share is None else share < 10, "%", at_share)  # fmt: skip
    cost_growths: list[tuple[float, str]] = []
    for lr, x in pairs:
        l_cost, x_cost = _stage_seconds(lr, "cost"), _stage_seconds(x, "cost")
        if l_cost and x_cost:
            cost_growths.append((x_cost / l_cost, x["style"]))
    cost_growth, at_cost = max(cost_growths) if cost_growths else (None, "needs L and XL")
    add("cost stage XL / L", "<= 12", cost_growth,
        None if cost_growth is None else cost_growth <= 12, "x", at_cost)  # fmt: skip

    peaks = [
        (f"L {r['style']}", r["capplan"]["peak_kb"] / 1024 if "peak_kb" in r["capplan"] else None)
        for r in _rows(report, "L")
    ]
    all_stages_ok = all(
        _stage_seconds(r, s) is not None for r in _rows(report, "L") for s in STAGES
    )
    peak, at_peak = _worst(peaks) if peaks else (None, "no L row")
    if not all_stages_ok:
        peak, at_peak = None, "needs every stage at L"
    add("peak memory at L", "< 500 MB", peak, None if peak is None else peak < 500, "MB", at_peak)

    renders = [(f"M {r['style']}", _stage_seconds(r, "render")) for r in _rows(report, "M")]
    render, at_render = _worst(renders) if renders else (None, "no M row")
    add("render at M", "< 2 s", render, None if render is None else render < 2, "s", at_render)
    return targets


# ------------------------------------------------------------------------------ tables


def _cell(result: Result | None, key: str = "seconds") -> str:
    if result is None:
        return ""
    status = result.get("status", "ok")
    if status == "ok" and result.get(key) is not None:
        return _fmt(float(result[key]))
    return str(status)


def _fmt(value: float | None, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.{digits}g}"


def _mb(size: int) -> str:
    return f"{size / 1e6:.2f}"


def _peak(result: Result) -> str:
    return f"{result['peak_kb'] / 1024:.0f}" if result.get("peak_kb") else "n/a"


def _any_ok(result: Result) -> bool:
    return any(e.get("status") == "ok" for e in result.get("stages", {}).values())


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def tables(report: Result) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) for each results table."""
    stages: list[list[str]] = []
    parsers: list[list[str]] = []
    memory: list[list[str]] = []
    for row in report["rows"]:
        cap = row["capplan"]
        st = cap.get("stages", {})
        refs = row["references"]
        stages.append(
            [
                row["scale"],
                row["style"],
                f"{row['gpus']:,}",
                f"{row['racks']:,}",
                f"{row['lots']:,}",
                _mb(row["bytes"]["cap"]),
                *[_cell(st.get(stage)) for stage in STAGES],
                _fmt(cap.get("validate_plan_seconds")),
                _fmt(cap.get("total_seconds")),
                _peak(cap) if _any_ok(cap) else "n/a",
            ]
        )
        parse_cell = _cell(st.get("parse"))
        parse_rate = _fmt(cap.get("parse_mb_s"))
        parsers.append(
            [
                row["scale"],
                row["style"],
                _mb(row["bytes"]["cap"]),
                parse_cell,
                parse_rate,
                _cell(refs.get("lark")),
                _cell(refs.get("lark"), "mb_s"),
                _mb(row["bytes"]["hcl"]),
                _cell(refs.get("hcl2")),
                _cell(refs.get("hcl2"), "mb_s"),
                _mb(row["bytes"]["json"]),
                _cell(refs.get("json")),
                _cell(refs.get("json"), "mb_s"),
                *[_ratio(row["ratios"].get(ref)) for ref in REFERENCES],
            ]
        )
        memory.append(
            [
                row["scale"],
                row["style"],
                _peak(cap) if _any_ok(cap) else "n/a",
                *[_peak(refs[ref]) if ref in refs else "n/a" for ref in REFERENCES],
            ]
        )
    return [
        (
            "capplan stages (seconds, best of runs)",
            ["scale", "style", "GPUs", "racks", "lots", ".cap MB", *STAGES,
             "validate+plan", "total", "peak MB"],
            stages,
        ),
        (
            "parsers on the same content (seconds, MB/s; ratio = capplan parse / reference)",
            ["scale", "style", ".cap MB", "capplan parse", "MB/s", "naive Lark", "MB/s",
             "HCL MB", "hcl2.loads", "MB/s", "JSON MB", "json.loads", "MB/s",
             "÷ naive Lark", "÷ hcl2", "÷ json"],
            parsers,
        ),
        (
            "peak memory of each measuring process (MB, VmHWM, interpreter included)",
            ["scale", "style", "capplan", "naive Lark", "hcl2", "json"],
            memory,
        ),
    ]  # fmt: skip


def _target_rows(report: Result) -> list[list[str]]:
    return [
        [t["target"], t["limit"], "n/a" if t["value"] is None else f"{_fmt(t['value'])} {t['unit']}",
         t["at"], t["status"]]
        for t in report["targets"]
    ]  # fmt: skip


TARGET_HEADER: list[str] = ["target", "limit", "measured", "at", "status"]


def markdown(report: Result) -> str:
    out: list[str] = ["Machine:", ""]
    out += [f"- {line}" for line in describe_machine(report["machine"])]
    validate = report["validate"]
    out += ["", _validate_line(validate)]
    for title, header, rows in [*tables(report), ("targets", TARGET_HEADER, _target_rows(report))]:
        out += ["", f"**{title}**", ""]
        out.append("| " + " | ".join(header) + " |")
        out.append("|" + "|".join("---" for _ in header) + "|")
        out += ["| " + " | ".join(cells) + " |" for cells in rows]
    notes = _notes(report)
    if notes:
        out += ["", "Notes:", ""] + [f"- {note}" for note in notes]
    return "\n".join(out) + "\n"


def _notes(report: Result) -> list[str]:
    notes: list[str] = []
    seen: set[str] = set()
    for row in report["rows"]:
        where = f"{row['scale']} {row['style']}"
        for stage, entry in row["capplan"].get("stages", {}).items():
            note = entry.get("note", "")
            if note and not note.startswith("needs ") and (stage + note) not in seen:
                seen.add(stage + note)
                notes.append(f"capplan {stage}: {entry['status']} ({note})")
        if row["capplan"].get("note"):
            notes.append(f"{where} capplan: {row['capplan']['status']} ({row['capplan']['note']})")
        for ref, result in row["references"].items():
            if result.get("note"):
                notes.append(f"{where} {REFERENCE_LABEL[ref]}: {result['note']}")
            elif result.get("grammar") and f"grammar{result['grammar']}" not in seen:
                seen.add(f"grammar{result['grammar']}")
                notes.append(f"naive Lark grammar: {result['grammar']}")
    return notes


def _validate_line(validate: Result) -> str:
    line = f"`capplan validate {EXAMPLE.as_posix()}` (process start included"
    if validate.get("status") == "ok":
        line += f", best of {validate['runs']}): {_cell(validate)} s"
        line += f", exit code {validate['exit_code']}"
    else:
        line += f"): {validate.get('status')}"
    if validate.get("note"):
        line += f" ({validate['note']})"
    return line


def text_tables(report: Result) -> str:
    out: list[str] = ["", _validate_line(report["validate"]).replace("`", "")]
    for title, header, rows in [*tables(report), ("targets", TARGET_HEADER, _target_rows(report))]:
        widths = [max(len(h), *(len(r[k]) for r in rows)) if rows else len(h)
                  for k, h in enumerate(header)]  # fmt: skip
        out += ["", title]
        out.append("  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
        for cells in rows:
            out.append("  ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True)))
    notes = _notes(report)
    if notes:
        out += ["", "notes:"] + [f"  {note}" for note in notes]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------- CLI


def _split(text: str, allowed: Sequence[str], what: str) -> list[str]:
    items = [x.strip() for x in text.split(",") if x.strip()]
    if items == ["all"]:
        return list(allowed)
    unknown = [x for x in items if x not in allowed]
    if unknown or not items:
        raise SystemExit(f"unknown {what} {', '.join(unknown)!r} (expected {', '.join(allowed)})")
    return list(dict.fromkeys(items))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="capplan benchmarks: stage times, parse throughput, peak memory, "
        "and reference parsers (naive Lark, hcl2, json) on the same content.",
    )
    parser.add_argument("--scales", default="S,M,L", help="comma list of S, M, L, XL (or all)")
    parser.add_argument("--styles", default="idiomatic,inventory", help="idiomatic, inventory")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement (best time)")
    parser.add_argument("--json", type=Path, help="write the full results as JSON to this file")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument("--out", type=Path, help="keep the generated fleets in this directory")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--references", default=",".join(REFERENCES), help="lark, hcl2, json")
    parser.add_argument("--ref-timeout", type=float, default=60.0, help="seconds per reference")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per capplan run")
    parser.add_argument("--validate-runs", type=int, default=5, help="0 skips the example")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    report = run_benchmarks(
        _split(args.scales, list(SCALES), "scale"),
        _split(args.styles, STYLES, "style"),
        repeat=args.repeat,
        out_dir=args.out,
        seed=args.seed,
        references=[] if args.references == "none" else _split(args.references, REFERENCES, "ref"),
        ref_timeout=args.ref_timeout,
        capplan_timeout=args.timeout,
        validate_runs=args.validate_runs,
    )
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    if args.markdown:
        sys.stdout.write(markdown(report))
    else:
        sys.stdout.write(text_tables(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
