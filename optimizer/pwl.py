"""Piecewise-linear tables on triangulated grids: numpy interpolation and a log-sized MILP formulation.

A :class:`GridTable` holds outputs sampled at the vertices of a rectilinear grid (any knot spacing per axis).
Each grid box is split into d! simplices by the Kuhn (Freudenthal) triangulation, so the interpolant is
continuous, exact at the vertices and linear inside each simplex; :meth:`GridTable.interpolate` evaluates it
in numpy and :func:`add_table` states the same function in a Pyomo model.

MILP formulation: the disaggregated logarithmic one of Vielma, Ahmed & Nemhauser (Oper. Res. 58, 2010):
one weight per (simplex, corner), ⌈log2 m⌉ binaries that pick the simplex by its binary code, and vertex
weights that aggregate the corner weights (so coordinates and outputs are sums over vertices only).

"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression


@dataclass(frozen=True, eq=False)
class GridTable:
    """Outputs sampled on a grid: ``axes[k]`` are increasing knots, ``values[name]`` has the grid's shape."""

    name: str
    axis_names: tuple[str, ...]
    axes: tuple[np.ndarray, ...]
    values: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.axis_names) != len(self.axes):
            raise ValueError(f"{self.name}: {len(self.axis_names)} axis names for {len(self.axes)} axes")
        for n, a in zip(self.axis_names, self.axes, strict=True):
            if a.ndim != 1 or a.size < 2 or np.any(np.diff(a) <= 0):
                raise ValueError(f"{self.name}.{n}: knots must be 1-D, at least 2, strictly increasing")
        for k, v in self.values.items():
            if v.shape != self.shape:
                raise ValueError(f"{self.name}.{k}: shape {v.shape} != grid {self.shape}")

    @property
    def dim(self) -> int:
        return len(self.axes)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(a.size for a in self.axes)

    @property
    def n_vertices(self) -> int:
        return int(np.prod(self.shape))

    def bounds(self) -> list[tuple[float, float]]:
        """(low, high) of each axis."""
        return [(float(a[0]), float(a[-1])) for a in self.axes]

    def vertices(self) -> np.ndarray:
        """Vertex coordinates, shape (V, d), in C order of the grid."""
        mesh = np.meshgrid(*self.axes, indexing="ij")
        return np.stack([m.ravel() for m in mesh], axis=1)

    def with_values(self, values: Mapping[str, np.ndarray]) -> GridTable:
        """A copy with more (or replaced) outputs."""
        return GridTable(self.name, self.axis_names, self.axes, {**self.values, **dict(values)})

    def simplices(self) -> np.ndarray:
        """Kuhn triangulation: vertex flat indices of every simplex, shape (m, d + 1)."""
        d = self.dim
        strides = np.array([int(np.prod(self.shape[k + 1:])) for k in range(d)])
        boxes = np.array(list(itertools.product(*(range(n - 1) for n in self.shape))), dtype=int).reshape(-1, d)
        base = boxes @ strides
        out = []
        for perm in itertools.permutations(range(d)):
            steps = np.cumsum([0] + [strides[p] for p in perm])
            out.append(base[:, None] + steps[None, :])
        return np.concatenate(out, axis=0)

    def inside(self, points: np.ndarray, rtol: float = 1e-9) -> np.ndarray:
        """Which rows of ``points`` (B, d) lie in the table's box (with a relative tolerance)."""
        p = np.atleast_2d(points)
        ok = np.ones(p.shape[0], dtype=bool)
        for k, a in enumerate(self.axes):
            tol = rtol * (a[-1] - a[0])
            ok &= (p[:, k] >= a[0] - tol) & (p[:, k] <= a[-1] + tol)
        return ok

    def weights(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Vertex flat indices (B, d+1) and barycentric weights (B, d+1) of points (clipped into the box)."""
        p = np.atleast_2d(np.asarray(points, dtype=float))
        B, d = p.shape
        if d != self.dim:
            raise ValueError(f"{self.name}: points have {d} coordinates, the table {self.dim}")
        idx = np.zeros((B, d), dtype=int)
        t = np.zeros((B, d))
        for k, a in enumerate(self.axes):
            x = np.clip(p[:, k], a[0], a[-1])
            i = np.clip(np.searchsorted(a, x, side="right") - 1, 0, a.size - 2)
            idx[:, k] = i
            t[:, k] = (x - a[i]) / (a[i + 1] - a[i])
        strides = np.array([int(np.prod(self.shape[k + 1:])) for k in range(d)])
        order = np.argsort(-t, axis=1, kind="stable")
        ts = np.take_along_axis(t, order, axis=1)
        w = np.empty((B, d + 1))
        w[:, 0] = 1.0 - ts[:, 0]
        w[:, 1:d] = ts[:, :-1] - ts[:, 1:]
        w[:, d] = ts[:, -1]
        verts = np.empty((B, d + 1), dtype=int)
        verts[:, 0] = idx @ strides
        verts[:, 1:] = verts[:, :1] + np.cumsum(strides[order], axis=1)
        return verts, w

    def interpolate(self, points: np.ndarray, names: list[str] | None = None) -> dict[str, np.ndarray]:
        """The piecewise-linear interpolant of each output at ``points`` (B, d); points are clipped into the box."""
        verts, w = self.weights(points)
        out = {}
        for k in names or list(self.values):
            flat = self.values[k].ravel()
            out[k] = np.sum(flat[verts] * w, axis=1)
        return out


TINY = 1e-9  # coefficients below this are zeroed (solvers drop them anyway, with a warning)


def _linear(coefs: list[float], variables: list, constant: float = 0.0) -> LinearExpression:
    coefs = [0.0 if abs(c) < TINY else c for c in coefs]
    return LinearExpression(constant=constant, linear_coefs=coefs, linear_vars=variables)


def _gray(n: int) -> list[int]:
    return [i ^ (i >> 1) for i in range(n)]


def _sos2_sets(labels: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Log-sized SOS2 on the marginal of vertex ``labels`` (integers): per Gray-code bit, the vertices that
    must be 0 when the bit is 0 (first array) and when it is 1 (second array)."""
    values = np.unique(labels)
    n_seg = values.size - 1
    if n_seg <= 1:
        return []
    r = math.ceil(math.log2(n_seg))
    codes = np.array([[(g >> j) & 1 for j in range(r)] for g in _gray(n_seg)], dtype=bool)  # (n_seg, r)
    pos = np.searchsorted(values, labels)  # position of each vertex's value
    out = []
    for j in range(r):
        # a value position q touches segments q-1 (left) and q (right), where they exist
        ones = np.zeros(values.size, dtype=bool)
        zeros = np.zeros(values.size, dtype=bool)
        for q in range(values.size):
            segs = [s for s in (q - 1, q) if 0 <= s < n_seg]
            bits = codes[segs, j]
            ones[q] = bool(np.all(bits))
            zeros[q] = bool(np.all(~bits))
        out.append((np.nonzero(ones[pos])[0], np.nonzero(zeros[pos])[0]))
    return out


def add_table(block: pyo.Block, table: GridTable, coords: Mapping[str, tuple[object, object]],
              outputs: Mapping[str, object], active: object | None = None) -> None:
    """State ``table`` in ``block`` (a fresh, empty Block on the model).

    ``coords`` maps each axis name to ``(expression, unit)``: the model quantity that must equal the table
    coordinate (in ``unit``). ``outputs`` maps output names to their Pyomo unit; each becomes a bounded Var
    (:func:`output`) equal to the interpolant. With ``active`` (a binary Var) the weights sum to it instead
    of 1, so the table's coordinates and outputs collapse to 0 when it is off.

    Formulation (aggregated weights, independent branching): one weight per vertex; the Kuhn simplex is
    selected by SOS2 conditions on the weight marginals along every axis and along every difference of two
    axis indices (the diagonals of the triangulation), each SOS2 coded with ⌈log2(segments)⌉ Gray-code
    binaries (Vielma & Nemhauser, Math. Program. 128, 2011).
    """
    d = table.dim
    V = table.n_vertices
    grid_idx = np.stack(np.meshgrid(*(np.arange(n) for n in table.shape), indexing="ij"), -1).reshape(V, d)
    block.V = pyo.RangeSet(0, V - 1)
    block.w = pyo.Var(block.V, bounds=(0.0, 1.0), units=pyo.units.dimensionless)
    total = active if active is not None else 1.0
    allw = [block.w[v] for v in range(V)]
    block.convex = pyo.Constraint(expr=_linear([1.0] * V, allw) == total)
    labels = [grid_idx[:, k] for k in range(d)]
    labels += [grid_idx[:, i] - grid_idx[:, j] for i in range(d) for j in range(i + 1, d)]
    sets = [pair for lab in labels for pair in _sos2_sets(lab)]
    block.B = pyo.RangeSet(0, len(sets) - 1) if sets else pyo.Set(initialize=[])
    block.bit = pyo.Var(block.B, domain=pyo.Binary, units=pyo.units.dimensionless)

    def on_rule(b, j):
        ones = sets[j][0]
        return _linear([1.0] * ones.size, [b.w[int(v)] for v in ones]) <= b.bit[j]

    def off_rule(b, j):
        zeros = sets[j][1]
        return _linear([1.0] * zeros.size, [b.w[int(v)] for v in zeros]) <= total - b.bit[j]

    block.bit_on = pyo.Constraint(block.B, rule=on_rule)
    block.bit_off = pyo.Constraint(block.B, rule=off_rule)
    if active is not None:
        block.bit_ub = pyo.Constraint(block.B, rule=lambda b, j: b.bit[j] <= active)
    missing = set(table.axis_names) - set(coords)
    if missing:
        raise ValueError(f"{table.name}: no model quantity for axis {sorted(missing)}")
    vertices = table.vertices()

    def coord_rule(b, k):
        expr, unit = coords[table.axis_names[k]]
        return expr == unit * _linear([float(x) for x in vertices[:, k]], allw)

    block.coord = pyo.Constraint(range(d), rule=coord_rule)
    names = list(outputs)
    for k in names:  # one scalar Var per output, each with its own unit
        lo, hi = float(np.min(table.values[k])), float(np.max(table.values[k]))
        if active is not None:
            lo, hi = min(lo, 0.0), max(hi, 0.0)
        pad = 1e-6 * max(1.0, abs(lo), abs(hi))  # solvers drop tiny coefficients: never pin an output to them
        lo, hi = lo - pad, hi + pad
        setattr(block, f"out_{k}", pyo.Var(bounds=(lo, hi), units=outputs[k]))
    block.define = pyo.Constraint(
        names, rule=lambda b, k: getattr(b, f"out_{k}") == outputs[k] * _linear(
            [float(x) for x in table.values[k].ravel()], allw))


def output(block: pyo.Block, name: str) -> pyo.Var:
    """The Var of output ``name`` of a table block made by :func:`add_table`."""
    return getattr(block, f"out_{name}")


def selected_weights(block: pyo.Block, table: GridTable) -> tuple[np.ndarray, np.ndarray]:
    """Vertex indices and weights of the solved table (weights > 1e-9)."""
    idx = np.arange(table.n_vertices)
    w = np.array([pyo.value(block.w[v]) for v in idx])
    keep = w > 1e-9
    return idx[keep], w[keep]
