"""The minimum-congestion multi-commodity flow LP, kept warm in HiGHS across days.

Variables: ``x[k, a] ≥ 0`` (flow of commodity group ``k`` on arc ``a``) and ``λ ≥ 0``.
Rows: flow conservation of every group at every node but its root (the root's row is
implied), and ``Σ_k x[k, a] - cap[a] · λ ≤ 0`` per arc. Successive days only change row
bounds (demands) and ``λ``'s coefficients (capacities), so HiGHS re-solves from the
previous optimal basis with a few dual simplex pivots instead of from scratch; that is
why this uses highspy rather than ``scipy.optimize.linprog``, which cannot warm start.

Two HiGHS instances hold the same rows. The *routing* one minimises ``W·λ + Σ x``: with
``W`` far above any saving in total flow that extra congestion could buy, its optimum
is a least-total-flow (hop-weighted) routing among those of minimum congestion, in one
solve. Its λ is never below λ*, so λ ≤ 1 there proves feasibility; when it is above 1
the *pure* instance (minimise λ alone) gives the exact λ* and the duals that explain it.
Every figure is in units of ``scale`` bit/s so the LP sees values near 1.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from capplan.netflow._graph import Group, Net, commodity_groups
from capplan.netflow._timeline import FloatArray, IntArray

_INF = highspy.kHighsInf
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Congestion:
    """An optimum: λ, arc loads (bit/s) and the capacity rows' dual magnitudes."""

    lam: float
    loads: FloatArray
    duals: FloatArray


class _Instance:
    """One HiGHS model plus the capacities and demands last pushed into it."""

    def __init__(self, matrix: sp.csc_matrix, n_cons: int, cost: FloatArray) -> None:
        self.highs = _highs(matrix, n_cons, cost)
        self.n_cons = n_cons
        self.lam_col = cost.size - 1
        self.caps = np.zeros(matrix.shape[0] - n_cons)
        self.rhs = np.zeros(n_cons)
        self.optimal: highspy.HighsBasis | None = None
        """Optimal basis of the synced state with every arc open, once solved."""

    def sync(self, caps: FloatArray, rhs: FloatArray) -> None:
        """Push only what changed since the last sync, so the basis stays useful."""
        changed_caps = np.flatnonzero(caps != self.caps)
        changed = np.flatnonzero(rhs != self.rhs).astype(np.int32)
        if changed_caps.size or changed.size:
            self.optimal = None
        for arc in changed_caps:
            self.highs.changeCoeff(self.n_cons + int(arc), self.lam_col, -float(caps[arc]))
        self.caps = caps
        if changed.size:
            # changeRowsBounds exists at runtime but is missing from highspy's stub.
            self.highs.changeRowsBounds(  # type: ignore[attr-defined]
                changed.size, changed, rhs[changed], rhs[changed]
            )
        self.rhs = rhs


class CongestionLP:
    """Min-congestion LP over one fixed set of flows; rates and capacities change per solve.

    ``lam_weight`` is ``W`` of the routing objective (see the module docstring), in scaled
    units: it must exceed the total flow that one unit of λ can save.
    """

    def __init__(
        self, net: Net, src: IntArray, dst: IntArray, scale: float, lam_weight: float
    ) -> None:
        self._scale = scale
        self._groups = commodity_groups(src, dst)
        self._n_arcs = 2 * net.n_links
        self._empty = not self._groups or net.n_links == 0
        rows = _row_index(self._groups, net.n_nodes)
        self._n_cons = int(rows.max(initial=-1)) + 1
        self._supply = _supply_matrix(self._groups, rows, src, dst, self._n_cons)
        self._lam_col = len(self._groups) * self._n_arcs
        self._caps = np.zeros(self._n_arcs)
        self._rhs = np.zeros(self._n_cons)
        if self._empty:
            return
        matrix = _constraint_matrix(self._groups, rows, net, self._n_cons)
        routing_cost = np.ones(self._lam_col + 1)
        routing_cost[-1] = lam_weight
        pure_cost = np.zeros(self._lam_col + 1)
        pure_cost[-1] = 1.0
        self._routing = _Instance(matrix, self._n_cons, routing_cost)
        self._pure = _Instance(matrix, self._n_cons, pure_cost)

    def update(self, arc_caps: FloatArray, rates: FloatArray) -> None:
        """Set capacities (bit/s per arc) and rates (bit/s per flow) for the next solves."""
        self._caps = arc_caps / self._scale
        self._rhs = np.asarray(self._supply @ (rates / self._scale), dtype=np.float64)

    def routing(self) -> Congestion:
        """A least-total-flow routing of minimum congestion (λ is an upper bound of λ*)."""
        if self._empty:
            return self._nothing()
        self._routing.sync(self._caps, self._rhs)
        return self._read(self._routing.highs, duals=False)

    def congestion(self) -> Congestion:
        """The exact minimum congestion λ*, with duals."""
        if self._empty:
            return self._nothing()
        self._pure.sync(self._caps, self._rhs)
        return self._read(self._pure.highs, duals=True)

    def congestion_without(self, arcs: IntArray) -> Congestion:
        """λ* with ``arcs`` closed; they are reopened and the intact optimal basis restored."""
        if self._empty:
            return self._nothing()
        with self._closed(arcs) as highs:
            return self._read(highs, duals=True)

    def lam_without(self, arcs: IntArray) -> float:
        """λ* alone with ``arcs`` closed, as ``congestion_without`` finds it, read cheaply.

        The pure objective is λ itself, so HiGHS's objective value is λ's column value;
        skipping the full solution copy saves most of a warm re-solve's cost.
        """
        if self._empty:
            return 0.0
        with self._closed(arcs) as highs:
            _run(highs)
            return float(highs.getObjectiveValue())

    @contextmanager
    def _closed(self, arcs: IntArray) -> Iterator[highspy.Highs]:
        """The pure instance, synced, with ``arcs`` closed and its warm start set.

        Every loss starts from the optimal basis with every arc open (solved once per
        synced state), so its result does not depend on which losses came before.
        """
        self._pure.sync(self._caps, self._rhs)
        highs = self._pure.highs
        if self._pure.optimal is None:
            _run(highs)
            self._pure.optimal = highs.getBasis()
        basis = self._pure.optimal
        columns = _arc_columns(len(self._groups), self._n_arcs, arcs)
        zeros = np.zeros(columns.size)
        highs.changeColsBounds(columns.size, columns, zeros, zeros)
        try:
            yield highs
        finally:
            highs.changeColsBounds(columns.size, columns, zeros, np.full(columns.size, _INF))
            highs.setBasis(basis)

    def _nothing(self) -> Congestion:
        return Congestion(0.0, np.zeros(self._n_arcs), np.zeros(self._n_arcs))

    def _read(self, highs: highspy.Highs, *, duals: bool) -> Congestion:
        solution = _run(highs)
        values = np.asarray(solution.col_value)
        flows = values[: self._lam_col].reshape(len(self._groups), self._n_arcs)
        loads = np.maximum(flows, 0.0).sum(axis=0) * self._scale
        row_duals = (
            np.abs(np.asarray(solution.row_dual)[self._n_cons :])
            if duals
            else np.zeros(self._n_arcs)
        )
        return Congestion(float(values[self._lam_col]), loads, row_duals)


def _row_index(groups: tuple[Group, ...], n_nodes: int) -> IntArray:
    """Conservation row of (group, node), -1 for the group's root."""
    rows = np.full((len(groups), n_nodes), -1, dtype=np.int64)
    next_row = 0
    for k, group in enumerate(groups):
        others = np.array([v for v in range(n_nodes) if v != group.root], dtype=np.int64)
        rows[k, others] = np.arange(next_row, next_row + others.size)
        next_row += others.size
    return rows


def _supply_matrix(
    groups: tuple[Group, ...], rows: IntArray, src: IntArray, dst: IntArray, n_rows: int
) -> sp.csr_matrix:
    """Maps flow rates to conservation right-hand sides (+rate at src, -rate at dst)."""
    entries: list[tuple[int, int, float]] = []
    for k, group in enumerate(groups):
        for flow in group.flows:
            if rows[k, src[flow]] >= 0:
                entries.append((int(rows[k, src[flow]]), flow, 1.0))
            if rows[k, dst[flow]] >= 0:
                entries.append((int(rows[k, dst[flow]]), flow, -1.0))
    if not entries:
        return sp.csr_matrix((n_rows, len(src)))
    r, c, v = zip(*entries, strict=True)
    return sp.csr_matrix((v, (r, c)), shape=(n_rows, len(src)))


def _constraint_matrix(
    groups: tuple[Group, ...], rows: IntArray, net: Net, n_cons: int
) -> sp.csc_matrix:
    """Conservation and capacity rows; λ's column starts empty and is set by ``update``."""
    n_arcs = 2 * net.n_links
    tail, head = net.tail, net.head
    row_parts: list[IntArray] = []
    col_parts: list[IntArray] = []
    val_parts: list[FloatArray] = []
    for k in range(len(groups)):
        columns = k * n_arcs + np.arange(n_arcs)
        for nodes, sign in ((tail, 1.0), (head, -1.0)):
            node_rows = rows[k, nodes]
            keep = node_rows >= 0
            row_parts.append(node_rows[keep])
            col_parts.append(columns[keep])
            val_parts.append(np.full(int(keep.sum()), sign))
        row_parts.append(n_cons + np.arange(n_arcs))
        col_parts.append(columns)
        val_parts.append(np.ones(n_arcs))
    n_cols = len(groups) * n_arcs + 1
    return sp.csc_matrix(
        (np.concatenate(val_parts), (np.concatenate(row_parts), np.concatenate(col_parts))),
        shape=(n_cons + n_arcs, n_cols),
    )


def _highs(matrix: sp.csc_matrix, n_cons: int, cost: FloatArray) -> highspy.Highs:
    """A silent, serial HiGHS instance holding the LP with the given objective."""
    n_rows, n_cols = matrix.shape
    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = n_rows
    lp.col_cost_ = cost
    lp.col_lower_ = np.zeros(n_cols)
    lp.col_upper_ = np.full(n_cols, _INF)
    lp.row_lower_ = np.concatenate([np.zeros(n_cons), np.full(n_rows - n_cons, -_INF)])
    lp.row_upper_ = np.zeros(n_rows)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data
    highs = highspy.Highs()  # type: ignore[no-untyped-call]  # unannotated __init__
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("presolve", "off")
    highs.setOptionValue("parallel", "off")
    highs.setOptionValue("primal_feasibility_tolerance", _TOLERANCE)
    highs.setOptionValue("dual_feasibility_tolerance", _TOLERANCE)
    highs.passModel(lp)
    return highs


def _run(highs: highspy.Highs) -> highspy.HighsSolution:
    """Solve; on a non-optimal status retry once from scratch before giving up."""
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        highs.clearSolver()
        highs.run()
    status = highs.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"network LP not solved: {highs.modelStatusToString(status)}")
    return highs.getSolution()


def _arc_columns(n_groups: int, n_arcs: int, arcs: IntArray) -> np.ndarray:
    """Columns of ``x[k, a]`` for every group and each of ``arcs``."""
    grid = np.arange(n_groups)[:, None] * n_arcs + np.asarray(arcs)[None, :]
    return np.asarray(grid.ravel(), dtype=np.int32)
