"""`capplan risk`: Monte Carlo over the slips of a model (docs/language.md §15).

The model is compiled once; each sample re-schedules it with delayed dates
(`sample.Sampler`), in this process, on local worker processes or on a Dask
cluster (`runner`), and the samples are summarised into one report
(`summary.RiskReport`) that every view reads. See docs/risk.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from capplan.model.decls import Model
from capplan.risk.runner import DaskUnavailable, OnDone, run_dask, run_local
from capplan.risk.sample import Sampler
from capplan.risk.summary import RISK_FORMAT_VERSION, RiskReport, summarise

__all__ = ["RISK_FORMAT_VERSION", "DaskUnavailable", "RiskReport", "RiskRun", "run_risk"]


@dataclass(frozen=True, slots=True)
class RiskRun:
    """What to draw and where: `workers` local processes (None: automatic), or the Dask
    `scheduler` at `tcp://HOST:PORT`; the report is the same bytes either way."""

    samples: int
    seed: int
    workers: int | None = None
    scheduler: str | None = None
    network: bool = False  # also analyse bandwidth in every sample (E500/E501)


def run_risk(model: Model, run: RiskRun, on_done: OnDone | None = None) -> RiskReport:
    """Draw the samples of a plannable model and summarise them.

    Raises `DaskUnavailable` when a scheduler is asked for and cannot be used.
    """
    sampler = Sampler(model, run.seed, run.network)
    nominal, dues = sampler.nominal()
    done = on_done or (lambda count: None)
    if run.scheduler is not None:
        results = run_dask(sampler, run.samples, run.scheduler, done)
    else:
        results = run_local(sampler, run.samples, run.workers, done)
    return summarise(results, nominal, dues, model, sampler.drivers, run.seed)
