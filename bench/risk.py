"""Speed of `capplan risk` (issue 15): the example end to end, a sample at L, Dask scaling.

    PYTHONPATH=src python -m bench.risk [--samples 1000] [--per-sample 5] [--dask-samples 200]

Three measurements, printed as one Markdown table (docs/performance.md, "Risk"):

1. `capplan risk examples/nscale-2026.cap --samples N` as a user runs it (a new
   process, start-up, compiling and the nominal plan included), with the worker
   count automatic and with `--workers 2`; wall seconds.
2. The cost of one sample at L (1,000,000 GPUs, the generator's idiomatic fleet,
   every lot given `slip = 0d .. 2w .. 10w`): the mean over `--per-sample`
   samples of re-scheduling the compiled model, beside one full compile and plan.
3. Throughput on a Dask `LocalCluster` of worker processes (one thread each),
   1 worker against 2, sampling the M fleet (100,000 GPUs, every lot slipping):
   samples per second, their ratio, and the workers' CPU time per sample (equal
   for 1 and 2 workers when distributing the samples costs nothing: then the
   ratio is what CPUs the machine leaves free, not capplan).

The machine is shared: the load average before and after each part is printed.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.generate import generate, write_generated
from capplan import api
from capplan.model.decls import Model, Slip
from capplan.risk.runner import run_dask
from capplan.risk.sample import Sampler

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "nscale-2026.cap"
GPU_SLIP = Slip(low=Decimal(0), mode=Decimal(14), high=Decimal(70))  # 0d .. 2w .. 10w


def load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def with_slips(model: Model) -> Model:
    """The model with every lot slipping `0d .. 2w .. 10w` (the example's GPU lots' range)."""
    lots = {name: lot.model_copy(update={"slip": GPU_SLIP}) for name, lot in model.lots.items()}
    return model.model_copy(update={"lots": lots})


def fleet(scale: str, folder: Path) -> Model:
    path = write_generated(generate(scale, "idiomatic"), folder, ("cap",))["cap"]
    compilation = api.compile_file(path)
    assert compilation.model is not None and compilation.ok
    return with_slips(compilation.model)


def example_run(samples: int, *extra: str) -> float:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]))
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "capplan", "risk", str(EXAMPLE), "--samples", str(samples), *extra],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    return time.perf_counter() - started


def per_sample(model: Model, samples: int) -> float:
    """The mean seconds of one sample of a compiled model (after one warm-up sample)."""
    sampler = Sampler(model, seed=1)
    sampler.run(0)
    started = time.perf_counter()
    sampler.run_batch(range(1, samples + 1))
    return (time.perf_counter() - started) / samples


def _cpu_seconds(client: Any) -> float:
    """CPU seconds the cluster's worker processes have used so far."""
    return float(sum(client.run(time.process_time).values()))


def dask_throughput(model: Model, samples: int, workers: int) -> tuple[float, float]:
    """(samples per second, worker CPU seconds per sample) on a LocalCluster of processes."""
    from distributed import Client, LocalCluster

    sampler = Sampler(model, seed=1)
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        run_dask(sampler, min(samples, 8), cluster.scheduler_address, lambda n: None)  # warm
        cpu = _cpu_seconds(client)
        started = time.perf_counter()
        run_dask(sampler, samples, cluster.scheduler_address, lambda n: None)
        wall = time.perf_counter() - started
        return samples / wall, (_cpu_seconds(client) - cpu) / samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--per-sample", type=int, default=5)
    parser.add_argument("--dask-samples", type=int, default=200)
    args = parser.parse_args(argv)
    rows: list[tuple[str, str, str]] = []
    rates: list[float] = []
    say = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    say(f"load {load()}: the example, {args.samples} samples")
    rows.append(
        (
            f"example, {args.samples} samples, workers automatic",
            f"{example_run(args.samples):.2f} s",
            load(),
        )
    )
    rows.append(
        (
            f"example, {args.samples} samples, `--workers 2`",
            f"{example_run(args.samples, '--workers', '2'):.2f} s",
            load(),
        )
    )
    with tempfile.TemporaryDirectory() as folder:
        say(f"load {load()}: one sample at L")
        large = fleet("L", Path(folder))
        mean = per_sample(large, args.per_sample)
        rows.append((f"one sample at L ({len(large.lots)} lots slipping)", f"{mean:.3f} s", load()))
        say(f"load {load()}: Dask LocalCluster at M")
        medium = fleet("M", Path(folder))
        for workers in (1, 2):
            rate, cpu = dask_throughput(medium, args.dask_samples, workers)
            rates.append(rate)
            rows.append(
                (
                    f"LocalCluster, {workers} worker process{'es' if workers > 1 else ''}, M",
                    f"{rate:.1f} samples/s, {cpu * 1000:.1f} worker CPU ms a sample",
                    load(),
                )
            )
        rows.append(("throughput, 2 workers / 1", f"{rates[1] / rates[0]:.2f}×", load()))
    print("| measurement | result | load after |")
    print("|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
