"""The minimum-congestion multi-commodity flow LP in path form, solved by column generation.

Variables: ``x[p] ≥ 0``, the flow on path ``p`` of an endpoint pair, and ``λ ≥ 0``.
Rows: per endpoint pair ``f``, ``Σ_{p of f} x[p] = demand[f]``; per arc ``a``,
``Σ_{p ∋ a} x[p] - cap[a] · λ ≤ 0``. Only a pool of paths is in the LP. After each
solve, shortest paths under the dual arc lengths (scipy's Dijkstra) price out all the
others: a path shorter than its pair's dual would lower the objective, so it joins the
pool and the LP is solved again, until no path does. The pool's optimum is then the
optimum over every path (LP duality), so λ* is exactly the arc-form optimum, but the LP
holds the few paths each pair really uses instead of one column per (commodity, arc):
at 100 sites and 270 links that is about a thousand columns instead of 43,000, and the
work grows with the flows rather than with flows × links.

The pool persists across days and losses, and successive days only change row bounds
(demands) and ``λ``'s coefficients (capacities), so HiGHS re-solves from the previous
optimal basis in a few simplex pivots; that is why this uses highspy rather than
``scipy.optimize.linprog``, which can neither warm start nor add columns.

Two HiGHS instances hold the same rows. The *routing* one minimises ``W·λ + Σ hops·x``:
with ``W`` far above any saving in total flow that extra congestion could buy, its
optimum is a least-total-flow routing among those of minimum congestion, in one solve.
Its λ is never below λ*, so λ ≤ 1 there proves feasibility; when it is above 1 the
*pure* instance (minimise λ alone) gives the exact λ* and the duals that explain it.
Every figure is in units of ``scale`` bit/s so the LP sees values near 1.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp
from highspy._core import _Highs
from scipy.sparse.csgraph import dijkstra

from capplan.netflow._graph import Net, bundles, node_graph, tree_path
from capplan.netflow._timeline import FloatArray, IntArray

_INF = highspy.kHighsInf
_TOLERANCE = 1e-9
_PRICING_TOLERANCE = 1e-9
"""A path enters the pool only if it beats its pair's dual by this much (relative)."""
_HOP_EPSILON = 1e-12
"""Added to every arc length in pricing: among paths of equal dual length (in the pure
instance most arcs have dual 0) Dijkstra then prefers fewer hops."""
_MAX_ROUNDS = 10_000


@dataclass(frozen=True)
class Congestion:
    """An optimum: λ, arc loads (bit/s) and the capacity rows' dual magnitudes."""

    lam: float
    loads: FloatArray
    duals: FloatArray


class _PathLP:
    """One HiGHS model of the path form, its pool of paths, and the state pushed into it.

    HiGHS column 0 is λ; path ``j`` of the pool is column ``j + 1``. Rows ``0 … P-1`` are
    the pairs' demands, rows ``P + a`` the arcs' capacities.
    """

    def __init__(
        self, net: Net, pair_src: IntArray, pair_dst: IntArray, hop_cost: float, lam_cost: float
    ) -> None:
        self._net = net
        self._src = pair_src
        self._dst = pair_dst
        self._n_pairs = len(pair_src)
        self._n_arcs = 2 * net.n_links
        self._hop_cost = hop_cost
        self.highs = _highs(self._n_pairs, self._n_arcs, lam_cost)
        self.caps = np.zeros(self._n_arcs)
        self.rhs = np.zeros(self._n_pairs)
        self.optimal: highspy.HighsBasis | None = None
        """Optimal basis of the synced state with every arc open, once solved."""
        self._closed = np.zeros(self._n_arcs, dtype=bool)
        self._closed_columns = np.zeros(0, dtype=np.int32)
        self._path_pair: list[int] = []
        self._arc_paths: list[list[int]] = [[] for _ in range(self._n_arcs)]
        self._known: set[tuple[int, bytes]] = set()
        self._entry_path = np.zeros(0, dtype=np.int64)
        self._entry_arc = np.zeros(0, dtype=np.int64)
        """The pool's incidence as (path, arc) entries, one per arc of each path."""

    def sync(self, caps: FloatArray, rhs: FloatArray) -> None:
        """Push only what changed since the last sync, so the basis stays useful."""
        changed_caps = np.flatnonzero(caps != self.caps)
        changed = np.flatnonzero(rhs != self.rhs).astype(np.int32)
        if changed_caps.size or changed.size:
            self.optimal = None
        for arc in changed_caps:
            self.highs.changeCoeff(self._n_pairs + int(arc), 0, -float(caps[arc]))
        self.caps = caps
        if changed.size:
            # changeRowsBounds exists at runtime but is missing from highspy's stub.
            self.highs.changeRowsBounds(  # type: ignore[attr-defined]
                changed.size, changed, rhs[changed], rhs[changed]
            )
        self.rhs = rhs

    def solve(self) -> highspy.HighsSolution:
        """The optimum over every path: solve the pool, add improving paths, repeat."""
        self._seed()
        for _ in range(_MAX_ROUNDS):
            solution = _run(self.highs)
            duals = np.asarray(solution.row_dual)
            lengths = self._hop_cost - duals[self._n_pairs :]
            if not self._add_shortest(lengths, duals[: self._n_pairs]):
                return solution
        raise RuntimeError("network LP not solved: column generation did not converge")

    def loads(self, solution: highspy.HighsSolution) -> FloatArray:
        """Flow per arc of a solution, in the LP's units."""
        flows = np.maximum(np.asarray(solution.col_value)[1:], 0.0)
        return np.bincount(
            self._entry_arc, weights=flows[self._entry_path], minlength=self._n_arcs
        ).astype(np.float64)

    def override(self, arcs: IntArray, caps: FloatArray) -> None:
        """Set the capacity of ``arcs`` for a while, keeping ``optimal`` (``reopen`` after)."""
        for arc, cap in zip(arcs.tolist(), caps.tolist(), strict=True):
            self.highs.changeCoeff(self._n_pairs + arc, 0, -cap)
        if arcs.size:
            self.caps = self.caps.copy()
            self.caps[arcs] = caps

    def close(self, arcs: IntArray) -> None:
        """Forbid ``arcs``: their paths get an upper bound of 0, pricing avoids them."""
        self._closed[arcs] = True
        paths = sorted({p for arc in arcs for p in self._arc_paths[int(arc)]})
        self._closed_columns = np.array(paths, dtype=np.int32) + 1
        self._set_upper(self._closed_columns, 0.0)

    def reopen(self, basis: highspy.HighsBasis) -> None:
        """Undo ``close`` and restore ``basis``; paths added since start out nonbasic at 0."""
        self._set_upper(self._closed_columns, _INF)
        self._closed[:] = False
        self._closed_columns = np.zeros(0, dtype=np.int32)
        missing = 1 + len(self._path_pair) - len(basis.col_status)
        if missing:
            basis.col_status = [*basis.col_status, *[highspy.HighsBasisStatus.kLower] * missing]
        self.highs.setBasis(basis)

    def _set_upper(self, columns: np.ndarray, upper: float) -> None:
        if columns.size:
            self.highs.changeColsBounds(
                columns.size, columns, np.zeros(columns.size), np.full(columns.size, upper)
            )

    def _seed(self) -> None:
        """Give every pair with demand a usable path, so the pool's LP is feasible.

        A path is unusable once one of its arcs has no capacity or is closed (its flow is
        forced to 0); the shortest path by hops over usable arcs replaces it.
        """
        demanded = self.rhs > 0
        if not demanded.any():
            return
        usable = self._usable_arcs()
        served = np.zeros(self._n_pairs, dtype=bool)
        if self._path_pair:
            broken = ~usable[self._entry_arc]
            dead = np.bincount(self._entry_path[broken], minlength=len(self._path_pair)) > 0
            served[np.asarray(self._path_pair)[~dead]] = True
        if np.any(demanded & ~served):
            self._add_shortest(np.ones(self._n_arcs), None, demanded & ~served)

    def _usable_arcs(self) -> np.ndarray:
        usable: np.ndarray = (self.caps > 0) & ~self._closed & (self._net.tail != self._net.head)
        return usable

    def _add_shortest(
        self,
        lengths: FloatArray,
        pair_duals: FloatArray | None,
        wanted: np.ndarray | None = None,
    ) -> int:
        """Add, per pair with demand, its shortest usable path if it prices out.

        With ``pair_duals`` a path enters only if its length is below its pair's dual
        (negative reduced cost) and it is not in the pool yet; without, it enters anyway
        (seeding). Returns how many paths were added.
        """
        pairs = np.flatnonzero(self.rhs > 0 if wanted is None else wanted)
        if not pairs.size:
            return 0
        graph, best_arc = node_graph(
            self._net, self._usable_arcs(), np.maximum(lengths, 0.0) + _HOP_EPSILON
        )
        src, dst = self._src[pairs], self._dst[pairs]
        # One shortest-path tree per distinct source, or per distinct destination on the
        # reversed graph when those are fewer (protected flows: many sites, few pops).
        reverse = np.unique(dst).size < np.unique(src).size
        roots, ends = (dst, src) if reverse else (src, dst)
        unique_roots = np.unique(roots)
        distance, predecessor = dijkstra(
            graph.T if reverse else graph,
            directed=True,
            indices=unique_roots,
            return_predecessors=True,
        )
        rows = np.searchsorted(unique_roots, roots)
        shortest = distance[rows, ends]
        if pair_duals is None:
            if not np.isfinite(shortest).all():
                raise RuntimeError("network LP not solved: a flow with demand has no path")
            chosen = np.ones(pairs.size, dtype=bool)
        else:
            dual = pair_duals[pairs]
            chosen = shortest - dual < -_PRICING_TOLERANCE * np.maximum(1.0, np.abs(dual))
        new: list[tuple[int, IntArray]] = []
        for pair, row in zip(pairs[chosen], rows[chosen], strict=True):
            arcs = tree_path(
                predecessor[row], best_arc, int(self._src[pair]), int(self._dst[pair]), reverse
            )
            key = (int(pair), arcs.tobytes())
            if key not in self._known:
                self._known.add(key)
                new.append((int(pair), arcs))
        self._add_columns(new)
        return len(new)

    def _add_columns(self, paths: list[tuple[int, IntArray]]) -> None:
        if not paths:
            return
        first = 1 + len(self._path_pair)
        starts, indices = [0], []
        for offset, (pair, arcs) in enumerate(paths):
            self._path_pair.append(pair)
            for arc in arcs:
                self._arc_paths[int(arc)].append(first - 1 + offset)
            indices.extend([pair, *(self._n_pairs + arcs).tolist()])
            starts.append(len(indices))
        count = len(paths)
        sizes = [arcs.size for _, arcs in paths]
        self._entry_path = np.concatenate(
            [self._entry_path, np.repeat(np.arange(first - 1, first - 1 + count), sizes)]
        )
        self._entry_arc = np.concatenate([self._entry_arc, *(arcs for _, arcs in paths)])
        costs = np.array([self._hop_cost * arcs.size for _, arcs in paths])
        self.highs.addCols(
            count,
            costs,
            np.zeros(count),
            np.full(count, _INF),
            len(indices),
            np.array(starts[:-1], dtype=np.int32),
            np.array(indices, dtype=np.int32),
            np.ones(len(indices)),
        )


class CongestionLP:
    """Min-congestion LP over one fixed set of flows; rates and capacities change per solve.

    ``lam_weight`` is ``W`` of the routing objective (see the module docstring), in scaled
    units: it must exceed the total flow that one unit of λ can save.
    """

    def __init__(
        self, net: Net, src: IntArray, dst: IntArray, scale: float, lam_weight: float
    ) -> None:
        self._scale = scale
        self._n_arcs = 2 * net.n_links
        self._bundles = bundles(net)
        pairs = sorted({(int(s), int(t)) for s, t in zip(src, dst, strict=True)})
        self._empty = not pairs or net.n_links == 0
        pair_of = {pair: i for i, pair in enumerate(pairs)}
        flow_pairs = [pair_of[(int(s), int(t))] for s, t in zip(src, dst, strict=True)]
        self._supply = sp.csr_matrix(
            (np.ones(len(flow_pairs)), (flow_pairs, np.arange(len(flow_pairs)))),
            shape=(len(pairs), len(flow_pairs)),
        )
        self._member_caps = np.zeros(self._n_arcs)
        self._caps = np.zeros(2 * self._bundles.net.n_links)
        self._rhs = np.zeros(len(pairs))
        if self._empty:
            return
        pair_src = np.array([s for s, _ in pairs], dtype=np.int64)
        pair_dst = np.array([t for _, t in pairs], dtype=np.int64)
        merged = self._bundles.net
        self._routing = _PathLP(merged, pair_src, pair_dst, 1.0, lam_weight)
        self._pure = _PathLP(merged, pair_src, pair_dst, 0.0, 1.0)

    def update(self, arc_caps: FloatArray, rates: FloatArray) -> None:
        """Set capacities (bit/s per arc) and rates (bit/s per flow) for the next solves."""
        self._member_caps = arc_caps / self._scale
        self._caps = self._bundles.caps(self._member_caps)
        self._rhs = np.asarray(self._supply @ (rates / self._scale), dtype=np.float64)

    def routing(self) -> Congestion:
        """A least-total-flow routing of minimum congestion (λ is an upper bound of λ*)."""
        if self._empty:
            return self._nothing()
        self._routing.sync(self._caps, self._rhs)
        return self._read(self._routing, self._routing.solve(), self._member_caps, duals=False)

    def congestion(self) -> Congestion:
        """The exact minimum congestion λ*, with duals."""
        if self._empty:
            return self._nothing()
        self._pure.sync(self._caps, self._rhs)
        return self._read(self._pure, self._pure.solve(), self._member_caps, duals=True)

    def congestion_without(self, arcs: IntArray, above: float) -> tuple[float, Congestion | None]:
        """λ* with ``arcs`` closed, and the optimum's loads and duals if λ* exceeds
        ``above`` (read from the same solve: a failing loss costs one solve, not two).

        ``arcs`` are reopened and the intact optimal basis restored after.
        """
        if self._empty:
            return 0.0, None
        with self._closed(arcs) as (instance, member_caps):
            solution = instance.solve()
            lam = float(solution.col_value[0])
            if lam <= above:
                return lam, None
            return lam, self._read(instance, solution, member_caps, duals=True)

    @contextmanager
    def _closed(self, arcs: IntArray) -> Iterator[tuple[_PathLP, FloatArray]]:
        """The pure instance, synced, without the member ``arcs``, and its warm start set;
        with the member capacities it then has.

        A bundle left without capacity is closed (its paths bounded to 0, pricing avoids
        it); one that keeps other members has their capacity for the duration. Every
        loss starts from the optimal basis with every arc open (solved once per synced
        state). λ* does not depend on which losses came before; the pool does, so loads
        and duals of a loss are one optimum among equals (deterministic per input).
        """
        instance = self._pure
        instance.sync(self._caps, self._rhs)
        if instance.optimal is None:
            instance.solve()
            instance.optimal = instance.highs.getBasis()
        basis = instance.optimal
        member_caps = self._member_caps.copy()
        member_caps[arcs] = 0.0
        reduced = self._bundles.caps(member_caps)
        lost = np.unique(self._bundles.arc[arcs])
        emptied = lost[reduced[lost] <= 0]
        if emptied.size:
            instance.close(emptied)
        kept = lost[reduced[lost] > 0]
        instance.override(kept, reduced[kept])
        try:
            yield instance, member_caps
        finally:
            instance.override(kept, self._caps[kept])
            instance.reopen(basis)

    def _nothing(self) -> Congestion:
        return Congestion(0.0, np.zeros(self._n_arcs), np.zeros(self._n_arcs))

    def _read(
        self,
        instance: _PathLP,
        solution: highspy.HighsSolution,
        member_caps: FloatArray,
        *,
        duals: bool,
    ) -> Congestion:
        """The optimum on member arcs: bundle loads split by capacity, duals shared."""
        n_pairs = len(self._rhs)
        row_duals = (
            self._bundles.spread(np.abs(np.asarray(solution.row_dual)[n_pairs:]))
            if duals
            else np.zeros(self._n_arcs)
        )
        lam = float(np.asarray(solution.col_value)[0])
        loads = self._bundles.split(instance.loads(solution), member_caps)
        return Congestion(lam, loads * self._scale, row_duals)


def _highs(n_pairs: int, n_arcs: int, lam_cost: float) -> _Highs:
    """A silent, serial HiGHS instance with the rows and λ; paths are added later."""
    n_rows = n_pairs + n_arcs
    lp = highspy.HighsLp()
    lp.num_col_ = 1
    lp.num_row_ = n_rows
    lp.col_cost_ = np.array([lam_cost])
    lp.col_lower_ = np.zeros(1)
    lp.col_upper_ = np.full(1, _INF)
    lp.row_lower_ = np.concatenate([np.zeros(n_pairs), np.full(n_arcs, -_INF)])
    lp.row_upper_ = np.zeros(n_rows)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.zeros(2, dtype=np.int32)
    lp.a_matrix_.index_ = np.zeros(0, dtype=np.int32)
    lp.a_matrix_.value_ = np.zeros(0)
    # The bare binding, silenced before its first call: highspy.Highs() calls into HiGHS
    # from its constructor, which prints the banner to fd 1 before any option can be set.
    highs = _Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("presolve", "off")
    highs.setOptionValue("parallel", "off")
    highs.setOptionValue("primal_feasibility_tolerance", _TOLERANCE)
    highs.setOptionValue("dual_feasibility_tolerance", _TOLERANCE)
    highs.passModel(lp)
    return highs


def _run(highs: _Highs) -> highspy.HighsSolution:
    """Solve; on a non-optimal status retry once from scratch before giving up."""
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        highs.clearSolver()
        highs.run()
    status = highs.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"network LP not solved: {highs.modelStatusToString(status)}")
    return highs.getSolution()
