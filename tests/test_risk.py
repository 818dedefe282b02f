"""`capplan risk` through the API: closed forms, percentiles, rank correlation, determinism.

Tolerances are derived here: a share of N independent samples has standard deviation
sqrt(p (1 - p) / N); every statistical assertion allows 4 of them (a false alarm
about once in 16,000 runs, and the seeds are fixed, so a run is reproducible).
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

import pytest
from scipy.stats import spearmanr

from capplan import api
from capplan.model.decls import Model
from capplan.risk import RiskRun
from capplan.risk.drivers import Driver, draws, quantile, whole_days
from capplan.risk.sample import Sampler
from capplan.risk.summary import RiskReport, percentile, rank_of, spearman

SAMPLES = 4000

ONE_RACK = """
plan p {{ start = 2026-01-01  end = 2026-12-31 }}
supplier nv {{}}
rack_type r {{ gpus = 72  power = 100 kW  cooling = liquid }}
site a {{ power = 10 MW  hall h {{ positions = 10  cooling = liquid }} }}
lot l {{ supplier = nv  rack_type = r  racks = 1  to = a.h  arrive = 2026-03-01  slip = {slip} }}
commitment c {{ site = a  gpus {{ {dues} }} }}
"""
NOMINAL = date(2026, 3, 1)  # the rack arrives and goes live on 2026-03-01 (no install)


def model_of(text: str) -> Model:
    compilation = api.compile_text(text, "risk.cap")
    assert compilation.ok, [d.summary for d in compilation.diagnostics]
    assert compilation.model is not None
    return compilation.model


def risk_of(text: str, samples: int = SAMPLES, seed: int = 2026) -> RiskReport:
    risked = api.risk(api.compile_text(text, "risk.cap"), RiskRun(samples, seed, workers=1))
    assert risked is not None
    return risked.report


def one_rack(slip: str, ks: tuple[int, ...]) -> str:
    dues = "  ".join(f"{NOMINAL + timedelta(days=k)}: 72" for k in ks)
    return ONE_RACK.format(slip=slip, dues=dues)


def tolerance(p: float, n: int = SAMPLES) -> float:
    return 4 * math.sqrt(p * (1 - p) / n)


def test_uniform_slip_probability_met_is_k_plus_half_over_width() -> None:
    # slip X ~ U[0, 20] days, drawn and rounded: the rack goes live on 03-01 + round(X).
    # The commitment k days after 03-01 is met iff round(X) <= k iff X < k + 0.5:
    # P = (k + 0.5) / 20.
    ks = (0, 5, 12, 19)
    report = risk_of(one_rack("0d .. 20d", ks))
    for k, due in zip(ks, report.commitments, strict=True):
        expected = (k + 0.5) / 20
        assert abs(due.probability_met - expected) <= tolerance(expected), (k, due)
        assert due.nominal_live == 72  # the nominal plan (slip 0) meets every date


def test_uniform_slip_short_gpu_hours_and_its_driver() -> None:
    # Live from 03-01 + s on, due from 03-01 on: short 72 GPUs x 24 h on each of s days.
    # E[round(X)] = 10 by symmetry (X ~ U[0, 20]); sd(round(X)) ~ 20 / sqrt(12).
    report = risk_of(one_rack("0d .. 20d", (0,)))
    sd = 72 * 24 * 20 / math.sqrt(12)
    assert abs(report.short_gpu_hours.mean - 72 * 24 * 10) <= 4 * sd / math.sqrt(SAMPLES)
    (driver,) = report.drivers
    assert driver.driver == "lot l slip" and driver.distribution == "0 .. 20 d"
    assert driver.spearman == 1.0  # short GPU-hours grow with the draw, nothing else varies
    assert report.nominal_short_gpu_hours == 0


def triangular_cdf(x: float, a: float, c: float, b: float) -> float:
    if x <= a:
        return 0.0
    if x <= c:
        return (x - a) ** 2 / ((b - a) * (c - a))
    if x < b:
        return 1 - (b - x) ** 2 / ((b - a) * (b - c))
    return 1.0


def test_triangular_slip_follows_its_cdf() -> None:
    # X ~ Tri(0, 10, 40): met k days late iff X < k + 0.5, P = F(k + 0.5), e.g.
    # F(3.5) = 3.5² / (40 x 10) = 0.0306; F(10.5) = 1 - 29.5² / (40 x 30) = 0.2748;
    # F(25.5) = 1 - 14.5² / 1200 = 0.8248.
    ks = (3, 10, 25)
    report = risk_of(one_rack("0d .. 10d .. 40d", ks))
    expected = [0.030625, 1 - 29.5**2 / 1200, 1 - 14.5**2 / 1200]
    for k, p, due in zip(ks, expected, report.commitments, strict=True):
        assert triangular_cdf(k + 0.5, 0, 10, 40) == pytest.approx(p)
        assert abs(due.probability_met - p) <= tolerance(p), (k, due)


def test_quantile_is_the_inverse_cdf() -> None:
    uniform = Driver("lot", "l", "slip", 2.0, None, 12.0)
    triangular = Driver("lot", "l", "slip", 0.0, 10.0, 40.0)
    assert quantile(uniform, 0.25) == 4.5  # 2 + 0.25 x 10
    for u in (0.01, 0.2, 0.25, 0.5, 0.9):
        assert triangular_cdf(quantile(triangular, u), 0, 10, 40) == pytest.approx(u)
    assert quantile(Driver("lot", "l", "slip", 10.0, 10.0, 10.0), 0.7) == 10.0  # degenerate
    assert [whole_days(x) for x in (0.49, 0.5, 1.5, 30.4375)] == [0, 1, 2, 30]


TWO_LOTS = """
plan p { start = 2026-01-01  end = 2026-12-31 }
supplier nv { SUPPLIER_SLIP }
rack_type r { gpus = 72  power = 100 kW  cooling = liquid  install = 1w }
site a { power = 10 MW  hall h { positions = 10  cooling = liquid } }
site b { power = 10 MW  hall h { positions = 10  cooling = liquid } }
lot la { supplier = nv  rack_type = r  racks = 2  to = a  arrive = 2026-03-01  LOT_SLIP }
lot lb { supplier = nv  rack_type = r  racks = 1  to = b  arrive = 2026-05-10  LOT_SLIP }
commitment ca { site = a  gpus { 2026-03-20: 144 } }
commitment cb { site = b  gpus { 2026-05-30: 72 } }
"""


def test_a_supplier_slip_moves_both_of_its_lots_together() -> None:
    # One draw per sample is added to both lots: their last go-live days (arrival +
    # 1w + the draw) stay 2026-05-17 - 2026-03-08 = 70 days apart in every sample.
    shared = TWO_LOTS.replace("SUPPLIER_SLIP", "slip = 0d .. 30d").replace("LOT_SLIP", "")
    sampler = Sampler(model_of(shared), seed=7)
    assert [d.label for d in sampler.drivers] == ["supplier nv slip"]
    results = sampler.run_batch(range(500))
    gaps = {r.last_live[1] - r.last_live[0] for r in results}  # type: ignore[operator]
    assert gaps == {(date(2026, 5, 17) - date(2026, 3, 8)).days}
    assert len({r.draws for r in results}) > 20  # and the draw itself varies
    # With a slip of their own instead, the lots move independently.
    own = TWO_LOTS.replace("SUPPLIER_SLIP", "").replace("LOT_SLIP", "slip = 0d .. 30d")
    results = Sampler(model_of(own), seed=7).run_batch(range(500))
    assert len({r.last_live[1] - r.last_live[0] for r in results}) > 20  # type: ignore[operator]


def test_both_commitments_of_a_shared_supplier_slip_are_missed_together() -> None:
    # ca is due 12 days after its racks' nominal ready day, cb 13 days after: with
    # the shared draw s, ca is missed iff s > 12, cb iff s > 13. P(met) for ca is
    # 12.5 / 30, for cb 13.5 / 30, and no sample misses cb while meeting ca.
    shared = TWO_LOTS.replace("SUPPLIER_SLIP", "slip = 0d .. 30d").replace("LOT_SLIP", "")
    model = model_of(shared)
    results = Sampler(model, seed=11).run_batch(range(SAMPLES))
    met = [(r.live[0] >= 144, r.live[1] >= 72) for r in results]
    assert all(b for a, b in met if a)  # ca met (s <= 12) implies cb met (s <= 13)
    share_a = sum(a for a, _ in met) / SAMPLES
    assert abs(share_a - 12.5 / 30) <= tolerance(12.5 / 30)


def test_nearest_rank_percentiles_on_a_known_sample() -> None:
    # Rank ⌈k x N / 100⌉: N = 5, P30 is rank ⌈1.5⌉ = 2, P40 rank 2, P50 rank ⌈2.5⌉ = 3.
    values = [40, 15, 50, 35, 20]  # sorted: 15 20 35 40 50
    assert [percentile(values, k) for k in (5, 30, 40, 50, 100)] == [15, 20, 20, 35, 50]
    assert [rank_of(k, 10) for k in (10, 50, 90, 91)] == [1, 5, 9, 10]
    assert percentile([7], 10) == 7  # rank ⌈0.1⌉ = 1


def test_report_percentiles_are_nearest_ranks_of_the_draws() -> None:
    text = one_rack("0d .. 3w .. 10w", (0,))
    report = risk_of(text, samples=333, seed=5)
    drawn = sorted(draws(Sampler(model_of(text), 5).drivers, 5, i)[0] for i in range(333))
    (driver,) = report.drivers
    assert driver.draw_p50_days == drawn[math.ceil(50 * 333 / 100) - 1]  # rank 167
    assert driver.draw_p90_days == drawn[math.ceil(90 * 333 / 100) - 1]  # rank 300
    (lot,) = report.lots
    assert lot.last_live_p50 == NOMINAL + timedelta(days=drawn[166])
    assert lot.last_live_p90 == NOMINAL + timedelta(days=drawn[299])


def test_spearman_matches_scipy_and_is_none_for_a_constant() -> None:
    rng = random.Random(3)
    x = [rng.randint(0, 9) for _ in range(200)]  # many ties
    y = [a * 3 + rng.randint(0, 20) for a in x]
    expected = spearmanr(x, y).statistic
    assert spearman(x, y) == pytest.approx(expected, abs=5e-4)  # reported to 3 decimals
    assert spearman(x, [5] * 200) is None
    assert spearman(list(range(10)), list(range(10, 0, -1))) == -1.0


def test_draws_of_sample_i_depend_only_on_seed_and_i() -> None:
    sampler = Sampler(model_of(one_rack("0d .. 20d", (0,))), seed=42)
    ten = sampler.run_batch(range(10))
    assert sampler.run_batch(range(5, 10)) == ten[5:]  # whatever ran before
    assert Sampler(model_of(one_rack("0d .. 20d", (0,))), seed=43).run_batch(range(10)) != ten


def test_same_seed_same_report_any_worker_count() -> None:
    text = TWO_LOTS.replace("SUPPLIER_SLIP", "slip = 0d .. 30d").replace(
        "LOT_SLIP", "slip = 0d .. 1w .. 3w"
    )
    reports = [
        api.risk(api.compile_text(text, "risk.cap"), RiskRun(300, 9, workers=w)) for w in (1, 2)
    ]
    assert reports[0] is not None and reports[1] is not None
    assert reports[0].report == reports[1].report


def test_an_unplannable_model_has_no_risk_report() -> None:
    assert api.risk(api.compile_text("lot l { supplier = x }", "bad.cap"), RiskRun(10, 0)) is None


NETWORK = """
plan p { start = 2026-01-01  end = 2026-06-30 }
supplier nokia { SUPPLIER_SLIP }
site a { power = 1 MW }
pop ix {}
link up { from = a  to = ix  capacity = 400 Gbps  supplier = nokia  ready = 2026-03-01  LINK_SLIP }
flow f { from = a  to = ix  rate { 2026-03-06: 100 Gbps } }
"""


@pytest.mark.parametrize(
    ("supplier", "link"), [("", "ready_slip = 0d .. 20d"), ("slip = 0d .. 20d", "")]
)
def test_network_share_of_a_link_slip_or_its_suppliers(supplier: str, link: str) -> None:
    # The flow starts 5 days after the link's nominal ready day: with the ready day
    # delayed round(X) days, X ~ U[0, 20], the flow is unroutable (E500) on some day
    # iff round(X) > 5, P = 1 - 5.5 / 20 = 0.725. A supplier's slip delays its links.
    text = NETWORK.replace("SUPPLIER_SLIP", supplier).replace("LINK_SLIP", link)
    risked = api.risk(api.compile_text(text, "net.cap"), RiskRun(300, 3, workers=1, network=True))
    assert risked is not None
    assert not risked.planned.diagnostics.has_errors  # the nominal plan routes the flow
    share = risked.report.network_failure_probability
    assert share is not None and abs(share - 0.725) <= tolerance(0.725, 300)
    without = api.risk(api.compile_text(text, "net.cap"), RiskRun(5, 3, workers=1))
    assert without is not None and without.report.network_failure_probability is None


SHARED_PRICED = """
plan p { start = 2026-01-01  end = 2026-12-31 }
supplier nv {}
rack_type r { gpus = 72  power = 100 kW  cooling = liquid }
site a { power = 10 MW  hall h { positions = 10  cooling = liquid } }
lot l { supplier = nv  rack_type = r  racks = 1  to = a.h  arrive = 2026-03-01  slip = 0d .. 20d }
commitment paid { site = a  gpus { 2026-03-01: 48 }  price = 2.5 EUR/gpu-h }
commitment other { site = a  gpus { 2026-03-01: 24 }  OTHER_PRICE }
"""


def test_revenue_at_risk_of_two_samples_by_hand() -> None:
    # In sample i the one rack goes live d_i days after 2026-03-01: on each of those
    # days the scope misses 48 + 24 = 72 GPUs, and `paid` carries 48/72 of it:
    # 48 GPUs x 24 h x d_i = 1,152 d_i GPU-hours, at 2.5 EUR = 2,880 EUR a day late.
    # N = 2: P50 is rank ⌈50 x 2 / 100⌉ = 1 (the smaller), P90 rank ⌈1.8⌉ = 2.
    text = SHARED_PRICED.replace("OTHER_PRICE", "")
    sampler = Sampler(model_of(text), seed=2026)
    low, high = sorted(draws(sampler.drivers, 2026, i)[0] for i in range(2))
    assert low < high  # two different points
    report = risk_of(text, samples=2, seed=2026)
    assert report.revenue_at_risk is not None
    assert report.revenue_at_risk.currency == "EUR"
    paid, other = report.revenue_at_risk.commitments
    assert (paid.commitment, paid.price, paid.nominal) == ("paid", 2.5, 0.0)
    assert (paid.p50, paid.p90) == (2_880.0 * low, 2_880.0 * high)
    # `other` has no price: its revenue at risk is absent, never 0, and so is the fleet's.
    assert (other.price, other.nominal, other.p50, other.p90) == (None, None, None, None)
    assert report.revenue_at_risk.fleet is None
    assert (report.short_gpu_hours.p50, report.short_gpu_hours.p90) == (1_728 * low, 1_728 * high)


def test_the_fleet_revenue_at_risk_is_each_samples_sum() -> None:
    # `other` priced at 2 EUR: 24 GPUs x 24 h x d_i x 2 = 1,152 d_i EUR; with paid's
    # 2,880 d_i the fleet puts 4,032 EUR at risk per day late.
    text = SHARED_PRICED.replace("OTHER_PRICE", "price = 2 EUR/gpu-h")
    report = risk_of(text, samples=3, seed=4)
    late = sorted(draws(Sampler(model_of(text), seed=4).drivers, 4, i)[0] for i in range(3))
    assert report.revenue_at_risk is not None
    fleet = report.revenue_at_risk.fleet
    assert fleet is not None
    # N = 3: P50 rank ⌈1.5⌉ = 2, P90 rank ⌈2.7⌉ = 3.
    assert (fleet.nominal, fleet.p50, fleet.p90) == (0.0, 4_032.0 * late[1], 4_032.0 * late[2])
    assert [c.p90 for c in report.revenue_at_risk.commitments] == [
        2_880.0 * late[2],
        1_152.0 * late[2],
    ]


def test_no_price_anywhere_no_revenue_at_risk() -> None:
    report = risk_of(one_rack("0d .. 20d", (0,)), samples=5)
    assert report.revenue_at_risk is None
