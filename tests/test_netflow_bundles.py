"""Parallel links are one link of their summed capacity to the LP (netflow._graph.Bundles).

The LP's size then grows with the endpoint pairs that have links, not with the links, and
parallel links carry traffic in proportion to their capacity. Every figure here is hand
computed; tests/test_netflow.py checks λ after every loss against a reference LP.
"""

from __future__ import annotations

import time

import pytest

from capplan.netflow import NetFlow, NetLink, NetworkReport, StepFn, analyse_network

G = 1e9  # 1 Gbps in bit/s
START, END = 100, 130


def always(gbps: float) -> StepFn:
    return ((START, gbps * G),)


def analyse(links: list[NetLink], flows: list[NetFlow], end: int = END) -> NetworkReport:
    nodes = sorted(
        {n for x in links for n in (x.a, x.b)} | {n for f in flows for n in (f.src, f.dst)}
    )
    return analyse_network(nodes, links, flows, START, end)


def test_parallel_links_share_in_proportion_to_capacity() -> None:
    # a (400) and b (200) run s→t, c (200) t→s: 800 Gbps between s and t. 400 Gbps from s
    # to t: λ = 400 / 800 = 0.5 on each, so a carries 200, b and c 100 each.
    links = [
        NetLink("a", "s", "t", always(400)),
        NetLink("b", "s", "t", always(200)),
        NetLink("c", "t", "s", always(200)),
    ]
    report = analyse(links, [NetFlow("f", "s", "t", always(400), protect=True)])
    assert report.findings == ()
    usage = {u.link: (u.peak_utilisation, u.load_bps / G) for u in report.links}
    assert usage == {
        "a": pytest.approx((0.5, 200.0)),
        "b": pytest.approx((0.5, 100.0)),
        "c": pytest.approx((0.5, 100.0)),
    }
    # Losing a leaves 400 Gbps for 400: λ = 1.0 (fits exactly), the worst loss; losing b
    # or c leaves 600: λ = 400 / 600.
    (protection,) = report.protection
    assert protection.worst_link == "a"
    assert protection.congestion == pytest.approx(1.0)
    assert protection.intact_congestion == pytest.approx(0.5)


def test_losing_one_parallel_link_leaves_the_others() -> None:
    # 500 Gbps protected over a (400) and b (200). Losing a leaves b: 500 > 200 (E501);
    # losing b leaves a: 500 > 400 (E501). Each finding's cut is what is left.
    links = [NetLink("a", "s", "t", always(400)), NetLink("b", "s", "t", always(200))]
    report = analyse(links, [NetFlow("f", "s", "t", always(500), protect=True)])
    found = sorted(
        (f.lost_link, f.links, f.demand_bps / G, f.capacity_bps / G) for f in report.findings
    )
    assert found == [("a", ("b",), 500.0, 200.0), ("b", ("a",), 500.0, 400.0)]


def test_a_parallel_link_still_down_carries_nothing() -> None:
    # b comes up on day 110: before, a (400) carries all 300 Gbps (λ = 0.75); from then on
    # a and b (400 each) carry 150 each (λ = 0.375).
    links = [
        NetLink("a", "s", "t", always(400)),
        NetLink("b", "t", "s", ((110, 400 * G),)),
    ]
    report = analyse(links, [NetFlow("f", "s", "t", always(300))])
    history = {u.link: [(d, load / G, cap / G) for d, load, cap in u.history] for u in report.links}
    assert history["a"] == [(START, 300.0, 400.0), (110, 150.0, 400.0)]
    assert history["b"] == [(START, 0.0, 0.0), (110, 150.0, 400.0)]


def test_a_thousand_parallel_links_readied_one_a_day_take_seconds() -> None:
    # 1,000 links over 10 endpoint pairs (a star around hub h), one more up each day, and
    # a protected flow per spoke: 1,000 checked days. The LP has 10 links whatever the
    # number of parallel ones: about 1.5 s of CPU (4 s with a row pair per link).
    links = [
        NetLink(f"k{i}", "h", f"p{i % 10}", ((START + i, (i % 3 + 1) * 100 * G),))
        for i in range(1000)
    ]
    flows = [
        NetFlow(f"f{j}", "h", f"p{j}", ((START + 20, (j + 1) * 10 * G),), True) for j in range(10)
    ]
    cpu = time.process_time()
    report = analyse(links, flows, end=START + 1100)
    cpu = time.process_time() - cpu
    assert report.days_checked == 1000
    assert report.findings == ()
    assert cpu < 10.0
