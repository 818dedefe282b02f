"""One measurement, run by bench/run.py in a fresh process so that peak memory is its own.

    python -m bench._worker capplan FILE.cap RESULT.json
    python -m bench._worker lark    FILE.cap RESULT.json
    python -m bench._worker hcl2    FILE.hcl RESULT.json
    python -m bench._worker json    FILE.json RESULT.json

Writes a JSON object to RESULT.json (stdout is left to the code under test).
Times exclude interpreter start, imports and parser construction; peak memory
(the high-water mark of this process's resident set, see ``peak_kb``) includes
them, and ``baseline_kb`` says how much that was before the measured work began.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

NOT_AVAILABLE: tuple[type[BaseException], ...] = (ImportError, NotImplementedError)


def peak_kb() -> int:
    """Peak resident set size of this process so far, in KiB.

    On Linux this is ``VmHWM`` from /proc/self/status: ``ru_maxrss`` would be wrong
    there, because the kernel carries the peak of the parent's memory over into
    the child across fork/vfork + exec (a child of a 600 MB runner reports at
    least 600 MB). Elsewhere, ``ru_maxrss``.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # macOS reports bytes


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")[:300]


def _diagnostic_count(value: object) -> int | None:
    diagnostics = getattr(value, "diagnostics", None)
    if diagnostics is None:
        return None
    try:
        return len(diagnostics)
    except TypeError:
        return None


def run_capplan(path: Path) -> dict[str, Any]:
    from bench import stages

    # As capplan's console entry point does (capplan.cli.main): the stages then cost what
    # a `capplan` command spends on them, not collections of earlier stages' objects.
    gc.disable()
    missing = stages.preload()
    result: dict[str, Any] = {
        "kind": "capplan",
        "bytes": path.stat().st_size,
        "baseline_kb": peak_kb(),
        "missing_modules": missing,
        "stages": {},
    }
    values: dict[str, object] = {}
    render_dir = Path(tempfile.mkdtemp(prefix="capplan-bench-render-"))
    plan: list[tuple[str, tuple[str, ...], Callable[[], object]]] = [
        ("parse", (), lambda: stages.parse_stage(path)),
        ("model", ("parse",), lambda: stages.model_stage(values["parse"])),
        ("schedule", ("model",), lambda: stages.schedule_stage(values["model"])),
        (
            "cost",
            ("model", "schedule"),
            lambda: stages.cost_stage(values["model"], values["schedule"]),
        ),
        (
            "bandwidth",
            ("model", "schedule"),
            lambda: stages.bandwidth_stage(values["model"], values["schedule"]),
        ),
        (
            "render",
            ("model", "schedule"),
            lambda: stages.render_stage(values["model"], values["schedule"], render_dir),
        ),
    ]
    try:
        for name, needs, call in plan:
            blocked = [need for need in needs if need not in values]
            if blocked:
                result["stages"][name] = {"status": "n/a", "note": f"needs {blocked[0]}"}
                continue
            start = time.perf_counter()
            try:
                value = call()
            except NOT_AVAILABLE as exc:
                result["stages"][name] = {"status": "n/a", "note": _describe(exc)}
                continue
            except Exception as exc:
                result["stages"][name] = {"status": "error", "note": _describe(exc)}
                continue
            seconds = time.perf_counter() - start
            values[name] = value
            result["stages"][name] = {
                "status": "ok",
                "seconds": seconds,
                "peak_kb": peak_kb(),
                "diagnostics": _diagnostic_count(value),
            }
    finally:
        shutil.rmtree(render_dir, ignore_errors=True)
    result["peak_kb"] = peak_kb()
    return result


def run_lark(path: Path) -> dict[str, Any]:
    """Naive Lark LALR tree parse: the project grammar, falling back to the bench's own."""
    from bench import baseline

    result: dict[str, Any] = {"kind": "lark", "bytes": path.stat().st_size, "status": "error"}
    grammars = [baseline.default_grammar()]
    if grammars[0] != baseline.BENCH_GRAMMAR:
        grammars.append(baseline.BENCH_GRAMMAR)
    notes: list[str] = []
    text: str | None = None
    for grammar in grammars:
        label = baseline.grammar_label(grammar)
        try:
            parser = baseline.load_parser(grammar)
        except Exception as exc:
            notes.append(f"{label} does not load: {_describe(exc)}")
            continue
        result["baseline_kb"] = peak_kb()
        if text is None:
            text = path.read_text(encoding="utf-8")
        start = time.perf_counter()
        try:
            parser.parse(text)
        except Exception as exc:
            notes.append(f"{label} fails: {_describe(exc)}")
            continue
        result.update(status="ok", seconds=time.perf_counter() - start, grammar=label)
        break
    if notes:
        result["note"] = "; ".join(notes)
    result["peak_kb"] = peak_kb()
    return result


def run_reference(kind: str, path: Path) -> dict[str, Any]:
    """``hcl2.loads`` of the HCL file or ``json.loads`` of the JSON file."""
    result: dict[str, Any] = {"kind": kind, "bytes": path.stat().st_size}
    parse: Callable[[str], object]
    if kind == "hcl2":
        import hcl2

        hcl2.loads('warm = "up"\n')  # builds and caches hcl2's own Lark parser
        parse = hcl2.loads
    else:
        parse = json.loads
    result["baseline_kb"] = peak_kb()
    text = path.read_text(encoding="utf-8")
    start = time.perf_counter()
    try:
        parse(text)
    except Exception as exc:
        result.update(status="error", note=_describe(exc))
    else:
        result.update(status="ok", seconds=time.perf_counter() - start)
    result["peak_kb"] = peak_kb()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench._worker")
    parser.add_argument("kind", choices=["capplan", "lark", "hcl2", "json"])
    parser.add_argument("file", type=Path)
    parser.add_argument("result", type=Path)
    args = parser.parse_args(argv)
    if args.kind == "capplan":
        result = run_capplan(args.file)
    elif args.kind == "lark":
        result = run_lark(args.file)
    else:
        result = run_reference(args.kind, args.file)
    args.result.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
