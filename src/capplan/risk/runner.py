"""Where the samples run: this process, local worker processes, or a Dask cluster.

Each sample depends only on (seed, i), so splitting them into batches changes
nothing but the time taken: results are put back in sample order and the
report is computed from them alone.

Local workers are started with `spawn` (a fresh interpreter; nothing inherited
from a process that may be running threads) and receive the sampler once, in
their initializer; they ignore Ctrl-C, which the command handles. A Dask
cluster receives it once too (`scatter`, broadcast to every worker), then one
task per batch.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed

from capplan.risk.sample import Sampler, SampleResult

OnDone = Callable[[int], None]
"""Told how many more samples are done (the progress bar)."""

BATCH_SECONDS = 1.0
"""About how long one batch of samples should take."""

STARTUP_SECONDS = 1.0
"""About what starting a worker process costs (import of capplan, numpy, scipy, pydantic)."""


def batches(samples: int, parts: int, largest: int) -> list[range]:
    """Consecutive batches covering range(samples): about `parts` of them, none over `largest`."""
    size = max(1, min(largest, math.ceil(samples / max(1, parts))))
    return [range(i, min(i + size, samples)) for i in range(0, samples, size)]


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def run_local(
    sampler: Sampler, samples: int, workers: int | None, on_done: OnDone
) -> list[SampleResult]:
    """Every sample, on `workers` processes (None: one per CPU, when worth starting them).

    The first sample runs here and times the rest: batches last about a second (the
    progress bar moves, Ctrl-C is quick), and with the worker count automatic the run
    stays in this process when starting workers would cost more than it saves.
    """
    began = time.perf_counter()
    done = sampler.run_batch(range(min(1, samples)))
    on_done(len(done))
    per_sample = max(time.perf_counter() - began, 1e-6)
    size = max(1, min(250, round(BATCH_SECONDS / per_sample)))
    if workers is None:
        workers = available_cpus()
        if (samples - len(done)) * per_sample / max(1, workers - 1) < STARTUP_SECONDS:
            workers = 1  # finishing here is quicker than starting processes
    parts = [range(i, min(i + size, samples)) for i in range(len(done), samples, size)]
    if workers == 1:
        for part in parts:
            results = sampler.run_batch(part)
            done.extend(results)
            on_done(len(results))
        return done
    by_start: dict[int, list[SampleResult]] = {}
    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        initargs=(sampler,),
    )
    try:
        futures = {pool.submit(_worker_batch, p.start, p.stop): p.start for p in parts}
        for future in as_completed(futures):
            results = future.result()
            by_start[futures[future]] = results
            on_done(len(results))
    except BaseException:  # Ctrl-C, a closed pipe, a failed batch: stop the workers now
        pool.shutdown(wait=False, cancel_futures=True)
        for process in list(getattr(pool, "_processes", {}).values()):
            process.terminate()
        raise
    pool.shutdown()
    for start in sorted(by_start):
        done.extend(by_start[start])
    return done


_SAMPLER: Sampler | None = None


def _init_worker(sampler: Sampler) -> None:
    global _SAMPLER
    # Ctrl-C reaches the whole process group: a worker ends at once and silently,
    # the command reports the interruption.
    signal.signal(signal.SIGINT, lambda number, frame: os._exit(130))
    _SAMPLER = sampler


def _worker_batch(start: int, stop: int) -> list[SampleResult]:
    assert _SAMPLER is not None, "worker started without its sampler"
    return _SAMPLER.run_batch(range(start, stop))


class DaskUnavailable(Exception):
    """`--scheduler` without the `dask` extra installed, or no scheduler at the address."""


def run_dask(sampler: Sampler, samples: int, address: str, on_done: OnDone) -> list[SampleResult]:
    """Every sample on the Dask cluster at `address`, one task per batch."""
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError as exc:
        raise DaskUnavailable("--scheduler needs Dask: pip install 'capplan[dask]'") from exc
    try:
        client = Client(address, timeout="10s", set_as_default=False)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError, ValueError) as exc:
        raise DaskUnavailable(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
    try:
        threads = sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values())
        shared = client.scatter(sampler, broadcast=True, hash=False)  # type: ignore[no-untyped-call]
        parts = batches(samples, max(1, threads) * 4, largest=1000)
        futures = [client.submit(run_batch, shared, p.start, p.stop, pure=False) for p in parts]
        sizes = {future.key: len(part) for future, part in zip(futures, parts, strict=True)}
        for future in dask_completed(futures, loop=client.loop):  # type: ignore[no-untyped-call]
            on_done(sizes[future.key])
        done: list[SampleResult] = []
        for future in futures:
            done.extend(future.result())
        return done
    finally:
        client.close()  # type: ignore[no-untyped-call]


def run_batch(sampler: Sampler, start: int, stop: int) -> list[SampleResult]:
    """One Dask task: the samples start..stop-1."""
    return sampler.run_batch(range(start, stop))
