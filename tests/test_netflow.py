"""Network feasibility engine: hand-computed cases, then properties against references."""

from __future__ import annotations

import itertools
from typing import Any

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from capplan.netflow import (
    Finding,
    NetFlow,
    NetLink,
    NetworkReport,
    StepFn,
    analyse_network,
)

G = 1e9  # 1 Gbps in bit/s
START, END = 100, 130


def always(gbps: float) -> StepFn:
    return ((START, gbps * G),)


def link(name: str, a: str, b: str, capacity: StepFn) -> NetLink:
    return NetLink(name, a, b, capacity)


def flow(name: str, src: str, dst: str, rate: StepFn, protect: bool = False) -> NetFlow:
    return NetFlow(name, src, dst, rate, protect)


def analyse(
    links: list[NetLink], flows: list[NetFlow], start: int = START, end: int = END
) -> NetworkReport:
    nodes = sorted(
        {n for x in links for n in (x.a, x.b)} | {n for f in flows for n in (f.src, f.dst)}
    )
    return analyse_network(nodes, links, flows, start, end)


def codes(report: NetworkReport) -> list[str]:
    return [f.kind for f in report.findings]


def only(report: NetworkReport, code: str) -> Finding:
    found = [f for f in report.findings if f.kind == code]
    assert len(found) == 1, report.findings
    return found[0]


def two_paths() -> list[NetLink]:
    """s→m1→t and s→m2→t, each link 400 Gbps."""
    return [
        link("p1a", "s", "m1", always(400)),
        link("p1b", "m1", "t", always(400)),
        link("p2a", "s", "m2", always(400)),
        link("p2b", "m2", "t", always(400)),
    ]


# --- feasibility -------------------------------------------------------------------------


def test_flow_fits_only_by_splitting_over_two_paths() -> None:
    # 600 Gbps > 400 Gbps of either path, but 300 + 300 fits: λ* = 300 / 400 = 0.75.
    report = analyse(two_paths(), [flow("f", "s", "t", always(600))])
    assert report.findings == ()
    assert [day for day, _ in report.congestion] == [START]
    assert report.congestion[0][1] == pytest.approx(0.75)
    for usage in report.links:
        assert usage.peak_utilisation == pytest.approx(0.75)
        assert usage.peak_day == START
        assert usage.load_bps == pytest.approx(300 * G)
        assert usage.headroom_bps == pytest.approx(100 * G)


def test_exact_fit_is_feasible_and_one_bit_more_is_not() -> None:
    # 400 Gbps on a 400 Gbps link: λ* = 1 exactly, which passes.
    fits = analyse([link("l", "a", "b", always(400))], [flow("f", "a", "b", always(400))])
    assert fits.findings == ()
    assert fits.links[0].peak_utilisation == pytest.approx(1.0)
    assert fits.links[0].headroom_bps == pytest.approx(0.0)
    # 400 Gbps + 1 bit/s: λ* = 1 + 2.5e-12, still within the 1e-9 tolerance ...
    rate = ((START, 400 * G + 1),)
    assert analyse([link("l", "a", "b", always(400))], [flow("f", "a", "b", rate)]).findings == ()
    # ... 400.001 Gbps: λ* = 1 + 2.5e-6 does not fit.
    rate = ((START, 400.001 * G),)
    over = analyse([link("l", "a", "b", always(400))], [flow("f", "a", "b", rate)])
    assert codes(over) == ["unroutable"]


def test_full_duplex_opposite_flows_each_use_the_full_capacity() -> None:
    # 400 Gbps a→b and 400 Gbps b→a on one 400 Gbps link: each direction at 400/400.
    report = analyse(
        [link("l", "a", "b", always(400))],
        [flow("ab", "a", "b", always(400)), flow("ba", "b", "a", always(400))],
    )
    assert report.findings == ()
    assert report.congestion[0][1] == pytest.approx(1.0)


def test_same_direction_flows_share_one_direction() -> None:
    # Both flows a→b: 400 + 400 = 800 Gbps on the 400 Gbps a→b direction: λ* = 2.
    report = analyse(
        [link("l", "a", "b", always(400))],
        [flow("f1", "a", "b", always(400)), flow("f2", "a", "b", always(400))],
    )
    e500 = only(report, "unroutable")
    assert (e500.flows, e500.links) == (("f1", "f2"), ("l",))
    assert (e500.demand_bps, e500.capacity_bps) == (800 * G, 400 * G)
    assert report.congestion[0][1] == pytest.approx(2.0)


# --- E500 ----------------------------------------------------------------------------------


def test_two_flows_exceeding_a_cut_name_exactly_its_links() -> None:
    # a and b feed hub c over fat 1000 Gbps links; c reaches d over two 400 Gbps links.
    # Flows a→d 500 + b→d 400 = 900 Gbps must cross {cd1, cd2}, which carry 800 Gbps.
    links = [
        link("ac", "a", "c", always(1000)),
        link("bc", "b", "c", always(1000)),
        link("cd1", "c", "d", always(400)),
        link("cd2", "c", "d", always(400)),
    ]
    flows = [flow("fa", "a", "d", always(500)), flow("fb", "b", "d", always(400))]
    e500 = only(analyse(links, flows), "unroutable")
    assert e500.flows == ("fa", "fb")
    assert e500.links == ("cd1", "cd2")
    assert (e500.demand_bps, e500.capacity_bps) == (900 * G, 800 * G)
    assert e500.congestion == pytest.approx(1.125)
    assert e500.certificate == "cut"
    assert (e500.first_day, e500.last_day, e500.days_checked) == (START, END, 1)


def test_infeasible_although_every_cut_fits_names_the_saturated_links() -> None:
    # K(2,3): a, b each linked to x, y, z at 100 Gbps; no other links. Demands of 100 Gbps
    # x↔y, y↔z, z↔x (6 flows) and a↔b (2 flows): each needs 2 hops, so 8 × 100 × 2 =
    # 1600 Gbps·hops against 6 links × 2 directions × 100 = 1200: λ* = 4/3. Yet every cut
    # fits, e.g. {x}: 200 out vs 200, {a, x}: 300 vs 300. No cut explains it, so the
    # finding lists the links the LP duals mark, at λ* × their capacity.
    links = [link(u + v, u, v, always(100)) for u in "ab" for v in "xyz"]
    pairs = [*itertools.permutations("xyz", 2), ("a", "b"), ("b", "a")]
    report = analyse(links, [flow(u + v, u, v, always(100)) for u, v in pairs])
    e500 = only(report, "unroutable")
    assert e500.certificate == "saturated"
    assert e500.links == ("ax", "ay", "az", "bx", "by", "bz")
    assert e500.congestion == pytest.approx(4 / 3)
    assert report.congestion[0][1] == pytest.approx(4 / 3)


def test_flow_fits_only_from_a_links_ready_day() -> None:
    # s–t direct 400 Gbps always; a second 400 Gbps s–t link is ready on day 110.
    # 600 Gbps: before 110 the cut {direct} carries 400 < 600; from 110, 800 ≥ 600.
    links = [link("direct", "s", "t", always(400)), link("late", "s", "t", ((110, 400 * G),))]
    report = analyse(links, [flow("f", "s", "t", always(600))])
    e500 = only(report, "unroutable")
    assert (e500.first_day, e500.last_day) == (START, 109)
    assert (e500.links, e500.demand_bps, e500.capacity_bps) == (("direct",), 600 * G, 400 * G)
    assert [day for day, _ in report.congestion] == [START, 110]
    assert report.congestion[1][1] == pytest.approx(0.75)  # 300 / 400 on each link


def test_flow_without_any_path_before_the_ready_day_names_the_missing_link() -> None:
    # The only link is ready on day 110: before that the cut has 0 capacity.
    report = analyse(
        [link("late", "s", "t", ((110, 400 * G),))], [flow("f", "s", "t", always(100))]
    )
    e500 = only(report, "unroutable")
    assert (e500.first_day, e500.last_day) == (START, 109)
    assert (e500.links, e500.capacity_bps, e500.demand_bps) == (("late",), 0.0, 100 * G)
    assert e500.congestion == float("inf")
    assert report.congestion[0][1] == float("inf")


def test_ramp_outgrows_its_link_on_the_first_day_it_does() -> None:
    # Per-GPU-like ramp: +100 Gbps a day from day 100 (100, 200, ...) on a 450 Gbps link.
    # Day 104 needs 500 > 450: E500 from 104 to the end, one finding over 27 checked days.
    ramp = tuple((START + i, 100 * G * (i + 1)) for i in range(END - START + 1))
    report = analyse([link("l", "a", "b", always(450))], [flow("f", "a", "b", ramp)])
    e500 = only(report, "unroutable")
    assert (e500.first_day, e500.last_day, e500.days_checked) == (104, END, END - 104 + 1)
    # The worst day is the last: 3100 Gbps over 450.
    assert (e500.worst_day, e500.demand_bps) == (END, 3100 * G)
    assert report.links[0].peak_day == END
    assert report.links[0].peak_utilisation == pytest.approx(3100 / 450)
    assert report.links[0].headroom_bps == pytest.approx(-2650 * G)


def test_run_merging_and_splitting() -> None:
    # Link l (a–b, 400 Gbps) is overloaded by f (500 Gbps) on days 100..109 and 120..130;
    # on 110..119 f drops to 300. An unrelated flow on another link changes every day, so
    # every day is checked; the overload merges into two findings, not 21.
    links = [link("l", "a", "b", always(400)), link("other", "c", "d", always(400))]
    f = flow("f", "a", "b", ((100, 500 * G), (110, 300 * G), (120, 500 * G)))
    noise = flow("noise", "c", "d", tuple((d, float(d) * G) for d in range(START, END + 1)))
    report = analyse(links, [f, noise])
    assert report.days_checked == END - START + 1
    spans = [(x.first_day, x.last_day, x.days_checked) for x in report.findings]
    assert spans == [(100, 109, 10), (120, 130, 11)]


# --- E501 ----------------------------------------------------------------------------------


def test_protected_flow_fails_when_one_particular_link_is_lost() -> None:
    # s–t direct 1000 Gbps, plus s–m–t at 400 Gbps. A protected 500 Gbps flow:
    # losing "st" leaves 400 < 500 (E501); losing "sm" or "mt" leaves 1000 ≥ 500.
    links = [
        link("st", "s", "t", always(1000)),
        link("sm", "s", "m", always(400)),
        link("mt", "m", "t", always(400)),
    ]
    report = analyse(links, [flow("f", "s", "t", always(500), protect=True)])
    e501 = only(report, "unprotected")
    assert e501.lost_link == "st"
    assert e501.flows == ("f",)
    assert (e501.demand_bps, e501.capacity_bps) == (500 * G, 400 * G)
    assert e501.links in {("sm",), ("mt",)}  # either is a minimum cut after the loss
    (protection,) = report.protection
    assert protection.worst_link == "st"
    assert protection.congestion == pytest.approx(1.25)


def test_protected_flow_survives_any_single_loss() -> None:
    # Ring s–x–t–y–s of 400 Gbps links, protected 400 Gbps s→t: intact 200 + 200
    # (λ = 0.5); after losing any ring link the other path carries 400/400 (λ = 1, fits).
    links = [
        link("sx", "s", "x", always(400)),
        link("xt", "x", "t", always(400)),
        link("ty", "t", "y", always(400)),
        link("ys", "y", "s", always(400)),
    ]
    report = analyse(links, [flow("f", "s", "t", always(400), protect=True)])
    assert report.findings == ()
    (protection,) = report.protection
    assert protection.congestion == pytest.approx(1.0)
    assert protection.intact_congestion == pytest.approx(0.5)
    assert protection.worst_link == "sx"  # all four tie; the first by name
    # 500 Gbps would break on every loss: four E501 findings, one per lost link.
    report = analyse(links, [flow("f", "s", "t", always(500), protect=True)])
    assert sorted(f.lost_link or "" for f in report.findings) == ["sx", "ty", "xt", "ys"]


def test_unprotected_flows_are_ignored_by_protection() -> None:
    # The ring again: an unprotected 400 Gbps y→x flow shares the ring but E501 only
    # asks whether the protected flow alone survives, which it does.
    links = [
        link("sx", "s", "x", always(400)),
        link("xt", "x", "t", always(400)),
        link("ty", "t", "y", always(400)),
        link("ys", "y", "s", always(400)),
    ]
    flows = [flow("p", "s", "t", always(400), protect=True), flow("u", "y", "x", always(400))]
    assert codes(analyse(links, flows)) == []


def test_protected_ramp_fails_after_a_loss_from_the_first_day_it_cannot_detour() -> None:
    # Direct s–t 1000 Gbps plus a 300 Gbps detour s–m–t. The protected flow ramps by
    # 20 Gbps a day from 100 Gbps (day 130: 700 Gbps, always within 1300 intact). Losing
    # "st" breaks it once it exceeds 300 Gbps: day 100 + 11 (320 Gbps) onwards. Rates
    # rise, so protection settles days newest first; the answer must not change.
    ramp = tuple((START + i, (100 + 20 * i) * G) for i in range(END - START + 1))
    links = [
        link("st", "s", "t", always(1000)),
        link("sm", "s", "m", always(300)),
        link("mt", "m", "t", always(300)),
    ]
    report = analyse(links, [flow("f", "s", "t", ramp, protect=True)])
    assert [(f.kind, f.lost_link, f.first_day, f.last_day) for f in report.findings] == [
        ("unprotected", "st", 111, END)
    ]
    (protection,) = report.protection
    assert (protection.worst_link, protection.day) == ("st", END)
    assert protection.congestion == pytest.approx(700 / 300)


def test_worst_loss_on_a_day_settled_by_scaled_bounds_is_still_found() -> None:
    # Three parallel s–t links; "c" (100 Gbps) comes up the day the protected rate
    # triples, so neither day dominates the other. Capacity only grows, so days are
    # swept oldest first. Day 1: 100 Gbps on a + b (400 each); losing a leaves b:
    # λ = 100 / 400 = 0.25. Day 2's bounds are day 1's times the rate increase (3) and
    # the capacity decrease (none): 0.75 ≤ 1, so its verdicts need no loss check, but
    # its losses could be worse than 0.25, and they are: losing a (or b, the same
    # capacity) leaves 400 + 100 for 300 Gbps, λ = 300 / 500 = 0.6 (intact 300 / 900).
    links = [
        link("a", "s", "t", always(400)),
        link("b", "s", "t", always(400)),
        link("c", "s", "t", ((START + 1, 100 * G),)),
    ]
    rate = ((START, 100 * G), (START + 1, 300 * G))
    report = analyse(links, [flow("f", "s", "t", rate, protect=True)])
    assert report.findings == ()
    (protection,) = report.protection
    assert (protection.worst_link, protection.day) == ("a", START + 1)  # a and b tie: by name
    assert protection.congestion == pytest.approx(300 / 500)
    assert protection.intact_congestion == pytest.approx(300 / 900)


def test_losing_a_smaller_parallel_link_is_settled_by_a_larger_ones_loss() -> None:
    # s–t over "big" (400) and "small" (100), 300 Gbps protected. Losing big leaves
    # 100 < 300: E501. Losing small leaves 400: λ = 300 / 400 = 0.75, fits. Largest first,
    # big's loss does not fit, so small's is checked too; only big is reported.
    links = [link("big", "s", "t", always(400)), link("small", "s", "t", always(100))]
    report = analyse(links, [flow("f", "s", "t", always(300), protect=True)])
    assert [(f.kind, f.lost_link) for f in report.findings] == [("unprotected", "big")]
    finding = only(report, "unprotected")
    assert (finding.demand_bps, finding.capacity_bps) == (300 * G, 100 * G)


# --- E502 ----------------------------------------------------------------------------------


def test_never_connected_endpoints_are_reported_once_and_not_as_e500() -> None:
    # Islands {a, b} and {c, d}; link "bc" only gets capacity after the horizon.
    links = [
        link("ab", "a", "b", always(400)),
        link("cd", "c", "d", always(400)),
        link("bc", "b", "c", ((END + 1, 400 * G),)),
    ]
    rate = ((START, 100 * G), (110, 200 * G))
    report = analyse(links, [flow("f", "a", "d", rate, protect=True), flow("g", "a", "b", rate)])
    e502 = only(report, "disconnected")
    assert e502.flows == ("f",)
    assert e502.links == ("bc",)
    assert (e502.first_day, e502.last_day) == (START, END)
    assert (e502.worst_day, e502.demand_bps) == (110, 200 * G)
    assert codes(report) == ["disconnected"]


# --- report shape ------------------------------------------------------------------------


def test_report_does_not_depend_on_input_order() -> None:
    links = two_paths()
    flows = [
        flow("f1", "s", "t", always(500), protect=True),
        flow("f2", "m1", "m2", always(300)),
        flow("f3", "t", "s", ((START, 100 * G), (115, 900 * G))),
    ]
    reference = analyse(links, flows)
    for permuted_links, permuted_flows in [
        (links[::-1], flows[::-1]),
        (links[1:] + links[:1], flows),
    ]:
        assert analyse(permuted_links, permuted_flows) == reference


def test_same_node_flows_and_zero_rates_are_ignored() -> None:
    report = analyse(
        [link("l", "a", "b", always(1))],
        [flow("loop", "a", "a", always(1000)), flow("idle", "a", "b", always(0))],
    )
    assert report.findings == ()


@pytest.mark.parametrize(
    ("links", "flows", "message"),
    [
        ([link("l", "a", "zz", always(1))], [], "unknown node"),
        ([link("l", "a", "b", always(1)), link("l", "a", "b", always(1))], [], "duplicate"),
        ([link("l", "a", "b", ((START, 1.0), (START, 2.0)))], [], "strictly increase"),
        ([link("l", "a", "b", ((START, -1.0),))], [], "≥ 0"),
    ],
)
def test_malformed_input_is_rejected(
    links: list[NetLink], flows: list[NetFlow], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        analyse_network(["a", "b"], links, flows, START, END)


# --- properties ----------------------------------------------------------------------------

NODES = ["a", "b", "c", "d", "e"]
PAIRS = list(itertools.combinations(NODES, 2))
ENDS = list(itertools.permutations(NODES, 2))
GBPS = st.sampled_from([50, 100, 250, 400])


def demand_lists(
    rate: st.SearchStrategy[Any], min_size: int, max_size: int
) -> st.SearchStrategy[Any]:
    """Lists of ((src, dst), rate) over the five test nodes."""
    return st.lists(st.tuples(st.sampled_from(ENDS), rate), min_size=min_size, max_size=max_size)


@st.composite
def networks(draw: st.DrawFn) -> list[NetLink]:
    chosen = draw(st.lists(st.sampled_from(PAIRS), min_size=1, max_size=8))
    return [
        link(f"l{i}", a, b, always(draw(st.sampled_from([100, 200, 300, 400]))))
        for i, (a, b) in enumerate(chosen)
    ]


def max_flow(links: list[NetLink], src: str, dst: str) -> float:
    graph = nx.DiGraph()
    graph.add_nodes_from(NODES)
    for x in links:
        for u, v in ((x.a, x.b), (x.b, x.a)):
            before = graph.get_edge_data(u, v, {"capacity": 0.0})["capacity"]
            graph.add_edge(u, v, capacity=before + x.capacity[0][1])
    return float(nx.maximum_flow_value(graph, src, dst))


@settings(max_examples=60, deadline=None)
@given(
    links=networks(),
    ends=st.sampled_from(ENDS),
    fraction=st.sampled_from([0.25, 0.5, 0.999, 1.0, 1.001, 1.5]),
)
def test_single_flow_verdict_matches_networkx_max_flow(
    links: list[NetLink], ends: tuple[str, str], fraction: float
) -> None:
    src, dst = ends
    best = max_flow(links, src, dst)
    rate = fraction * best if best > 0 else 100 * G
    report = analyse_network(NODES, links, [flow("f", src, dst, ((START, rate),))], START, END)
    if best == 0:
        assert codes(report) == ["disconnected"]
    elif fraction <= 1.0:
        assert report.findings == ()
        assert report.congestion[0][1] == pytest.approx(fraction)
    else:
        e500 = only(report, "unroutable")
        assert e500.capacity_bps == pytest.approx(best)  # the minimum cut
        assert e500.demand_bps == pytest.approx(rate)


def reference_congestion(links: list[NetLink], demands: list[tuple[str, str, float]]) -> float:
    """λ* by the textbook LP: one commodity per flow, dense, solved from scratch, in Gbps
    (in bit/s the duals fall below the solver's tolerances)."""
    arcs = [(x.a, x.b, x.capacity[0][1] / G) for x in links] + [
        (x.b, x.a, x.capacity[0][1] / G) for x in links
    ]
    n_vars = len(demands) * len(arcs) + 1
    a_eq, b_eq = [], []
    for k, (s, t, rate) in enumerate(demands):
        for node in NODES:
            row = np.zeros(n_vars)
            for j, (u, v, _) in enumerate(arcs):
                row[k * len(arcs) + j] = (u == node) - (v == node)
            a_eq.append(row)
            b_eq.append(rate / G * ((node == s) - (node == t)))
    a_ub = []
    for j, (_, _, cap) in enumerate(arcs):
        row = np.zeros(n_vars)
        row[[k * len(arcs) + j for k in range(len(demands))]] = 1.0
        row[-1] = -cap
        a_ub.append(row)
    cost = np.zeros(n_vars)
    cost[-1] = 1.0
    result = linprog(cost, A_ub=a_ub, b_ub=np.zeros(len(arcs)), A_eq=a_eq, b_eq=b_eq)
    return float(result.fun) if result.status == 0 else float("inf")


@settings(max_examples=40, deadline=None)
@given(
    links=networks(),
    demands=demand_lists(GBPS, 2, 4),
)
def test_multi_flow_congestion_matches_a_reference_lp(
    links: list[NetLink], demands: list[tuple[tuple[str, str], int]]
) -> None:
    flows = [flow(f"f{i}", s, t, ((START, gbps * G),)) for i, ((s, t), gbps) in enumerate(demands)]
    report = analyse_network(NODES, links, flows, START, END)
    routed = [
        (f.src, f.dst, f.rate[0][1])
        for f in flows
        if not any(x.kind == "disconnected" and f.name in x.flows for x in report.findings)
    ]
    expected = reference_congestion(links, routed) if routed else 0.0
    assert report.congestion[0][1] == pytest.approx(expected, rel=1e-7, abs=1e-9)
    assert ("unroutable" in codes(report)) == (expected > 1 + 1e-9)
    for finding in report.findings:
        if finding.kind == "unroutable" and finding.certificate == "cut":
            assert finding.demand_bps > finding.capacity_bps  # a real violated cut


@settings(max_examples=30, deadline=None)
@given(
    links=networks(),
    demands=demand_lists(
        st.lists(st.sampled_from([0, 25, 100, 250, 400]), min_size=3, max_size=3), 3, 10
    ),
)
def test_each_days_congestion_matches_a_reference_lp_with_many_flows(
    links: list[NetLink], demands: list[tuple[tuple[str, str], list[int]]]
) -> None:
    # The LP keeps its pool of paths from one day to the next (paths found for one day's
    # demands stay in it), so each day's λ must still be that day's optimum over all paths.
    days = [START, START + 1, START + 2]
    flows = [
        flow(f"f{i}", s, t, tuple((day, gbps[k] * G) for k, day in enumerate(days)))
        for i, ((s, t), gbps) in enumerate(demands)
    ]
    report = analyse_network(NODES, links, flows, days[0], days[-1])
    never = {name for x in report.findings if x.kind == "disconnected" for name in x.flows}
    for day, lam in report.congestion:
        k = day - START
        routed = [
            (f.src, f.dst, gbps[k] * G)
            for f, (_, gbps) in zip(flows, demands, strict=True)
            if f.name not in never and gbps[k] > 0
        ]
        expected = reference_congestion(links, routed) if routed else 0.0
        assert lam == pytest.approx(expected, rel=1e-7, abs=1e-9), day


@st.composite
def changing_networks(draw: st.DrawFn) -> list[NetLink]:
    """Links whose capacity starts, grows or shrinks on one of the first four days."""
    links = []
    for i, (a, b) in enumerate(draw(st.lists(st.sampled_from(PAIRS), min_size=1, max_size=8))):
        first, later = (draw(st.sampled_from([0, 100, 200, 400])) for _ in range(2))
        change = START + draw(st.integers(1, 3))
        links.append(link(f"l{i}", a, b, ((START, first * G), (change, later * G))))
    return links


@settings(max_examples=40, deadline=None)
@given(
    links=changing_networks(),
    ends=st.lists(st.sampled_from(ENDS), min_size=1, max_size=3),
    levels=st.lists(
        st.lists(st.sampled_from([0, 50, 100, 200, 300, 400]), min_size=4, max_size=4),
        min_size=3,
        max_size=3,
    ),
    ramp=st.booleans(),
)
def test_protection_over_days_matches_each_day_alone(
    links: list[NetLink], ends: list[tuple[str, str]], levels: list[list[int]], ramp: bool
) -> None:
    # Days settled from a dominating day (ramps: sorted levels) must agree with checking
    # each day on its own (the flows switched on for that day only): the same lost links
    # each day, and the same worst λ per flow.
    assert_days_agree_with_each_day_alone(links, ends, [sorted(x) if ramp else x for x in levels])


@st.composite
def growing_networks(draw: st.DrawFn) -> list[NetLink]:
    """Parallel and serial links coming up and growing over the four days (links readied
    one by one): bounds flow forward, and parallel links are lost largest first."""
    pairs = draw(st.lists(st.sampled_from(PAIRS[:4]), min_size=2, max_size=9))
    links = []
    for i, (a, b) in enumerate(pairs):
        steps = sorted(
            draw(st.lists(st.sampled_from([0, 100, 200, 300, 400]), min_size=4, max_size=4))
        )
        links.append(link(f"l{i}", a, b, tuple((START + d, v * G) for d, v in enumerate(steps))))
    return links


@settings(max_examples=40, deadline=None)
@given(
    links=growing_networks(),
    ends=st.lists(st.sampled_from(ENDS[:8]), min_size=1, max_size=3),
    levels=st.lists(
        st.lists(st.sampled_from([0, 50, 100, 200, 300]), min_size=4, max_size=4),
        min_size=3,
        max_size=3,
    ),
    ramp=st.booleans(),
)
def test_protection_with_links_coming_up_matches_each_day_alone(
    links: list[NetLink], ends: list[tuple[str, str]], levels: list[list[int]], ramp: bool
) -> None:
    # Capacity grows day by day, so days are swept oldest first and inherit (or, when the
    # rates grow too, scale) the bounds of the day before; the worst loss of each flow is
    # then settled by branch and bound. Whatever the sweep, each day's verdicts and each
    # flow's worst λ must be those of the day checked alone.
    assert_days_agree_with_each_day_alone(links, ends, [sorted(x) if ramp else x for x in levels])


def assert_days_agree_with_each_day_alone(
    links: list[NetLink], ends: list[tuple[str, str]], series: list[list[int]]
) -> None:
    days = list(range(START, START + 4))

    def flows_on(chosen: list[int]) -> list[NetFlow]:
        return [
            flow(
                f"p{i}",
                s,
                t,
                tuple((d, series[i][d - START] * G if d in chosen else 0.0) for d in days),
                True,
            )
            for i, (s, t) in enumerate(ends)
        ]

    whole = analyse_network(NODES, links, flows_on(days), days[0], days[-1])
    worst: dict[str, float] = {}
    for day in days:
        alone = analyse_network(NODES, links, flows_on([day]), days[0], days[-1])
        expected = {f.lost_link for f in alone.findings if f.kind == "unprotected"}
        found = {
            f.lost_link
            for f in whole.findings
            if f.kind == "unprotected" and f.first_day <= day <= f.last_day
        }
        assert found == expected, day
        for result in alone.protection:
            if result.worst_link is not None:
                worst[result.flow] = max(worst.get(result.flow, 0.0), result.congestion)
    for result in whole.protection:
        expected_worst = worst.get(result.flow, 0.0)
        assert result.congestion == pytest.approx(expected_worst, rel=1e-7, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    links=networks(),
    demands=demand_lists(GBPS, 1, 4),
)
def test_each_single_loss_matches_a_reference_lp_without_the_link(
    links: list[NetLink], demands: list[tuple[tuple[str, str], int]]
) -> None:
    # The failure shortcuts (cut bound + detour, warm LP read for λ alone) must give the
    # λ* of the network without the link, whichever order the losses are asked in.
    from capplan.netflow._check import Checker
    from capplan.netflow._graph import Net, bridges
    from capplan.netflow._reroute import cut_bound

    index = {name: i for i, name in enumerate(NODES)}
    net = Net(
        tuple(NODES),
        tuple(x.name for x in links),
        np.array([index[x.a] for x in links], dtype=np.int64),
        np.array([index[x.b] for x in links], dtype=np.int64),
    )
    caps = np.array([x.capacity[0][1] for x in links])
    src = np.array([index[s] for (s, _), _ in demands], dtype=np.int64)
    dst = np.array([index[t] for (_, t), _ in demands], dtype=np.int64)
    checker = Checker(net, [f"f{i}" for i in range(len(demands))], src, dst, 400 * G, 1e4)
    rates = checker.connected_rates(caps, np.array([gbps * G for _, gbps in demands]))
    intact = checker.check(caps, rates)
    if not intact.fits:
        return
    cut_links = bridges(net, caps)
    candidates = [i for i in range(len(links)) if i not in cut_links]
    routed = [(s, t, r) for ((s, t), _), r in zip(demands, rates, strict=True) if r > 0]
    for order in (candidates, candidates[::-1]):
        for link_index, lost in zip(
            order, [checker.losses(caps, intact).lose(link) for link in order], strict=True
        ):
            others = [x for i, x in enumerate(links) if i != link_index]
            expected = reference_congestion(others, routed) if routed else 0.0
            assert lost.congestion == pytest.approx(expected, rel=1e-7, abs=1e-9)
            bound = cut_bound(net, caps, src, dst, rates, link_index)
            assert bound <= expected * (1 + 1e-9) + 1e-12


def test_detour_matches_scipy_on_a_coo_built_graph() -> None:
    # _detour builds scipy's CSR input directly; it must equal the COO → CSR conversion
    # (parallel arcs summed, self-loops and empty arcs dropped) and split flows the same.
    import scipy.sparse as sp
    from scipy.sparse.csgraph import maximum_flow

    from capplan.netflow._graph import Net
    from capplan.netflow._reroute import _detour

    rng = np.random.default_rng(7)
    for _ in range(40):
        n_nodes, n_links = 9, 30
        link_a = rng.integers(0, n_nodes, n_links)
        link_b = rng.integers(0, n_nodes, n_links)
        net = Net(
            tuple(f"n{i}" for i in range(n_nodes)),
            tuple(f"l{i}" for i in range(n_links)),
            link_a.astype(np.int64),
            link_b.astype(np.int64),
        )
        capacity = rng.integers(0, 50, 2 * n_links) * (rng.random(2 * n_links) < 0.8)
        source, sink = 0, n_nodes - 1
        keep = (capacity > 0) & (net.tail != net.head)
        graph = sp.csr_array(
            (
                np.append(capacity[keep], 10**6).astype(np.int32),
                (np.append(net.tail[keep], n_nodes), np.append(net.head[keep], source)),
            ),
            shape=(n_nodes + 1, n_nodes + 1),
        )
        best = int(maximum_flow(graph, n_nodes, sink).flow_value)
        for required in (max(best, 1), best + 1):
            used = _detour(net, capacity, source, sink, required)
            if required > best or not keep.any():
                assert used is None
                continue
            assert used is not None
            assert np.all((used >= 0) & (used <= capacity))
            net_out = np.bincount(net.tail, used, n_nodes) - np.bincount(net.head, used, n_nodes)
            assert net_out[source] == required
            assert net_out[sink] == -required
