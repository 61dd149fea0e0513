"""Benchmark: the hand-written piecewise-linear MILP formulation (``optimizer/pwl.py``) against Pyomo's own
``pyomo.contrib.piecewise`` transformations, on the same tables (issue 13).

Run: ``python benchmarks/bench_pwl.py [--shape 4 4 4] [--outputs 3] [--repeats 1]``.

Problem: a 3-D table like the optimiser's skin table (grid ``--shape``, smooth random outputs), the same Kuhn
triangulation in every formulation (``GridTable.simplices``; contrib.piecewise gets the simplices and the vertex
values, so every formulation states the same interpolant). Minimise output 0 subject to output 1 ≤ its median,
with the coordinates free in the box. Reported per formulation: build (+ transformation) time, HiGHS solve time
(``appsi_highs``), binaries, variables, constraints, the optimum, and the largest gap between the solved outputs
and the numpy interpolant at the solved coordinates (must be ~0 for every exact formulation).

contrib.piecewise states one function per output (each with its own binaries and weights); ``pwl.add_table``
shares one set of vertex weights and ⌈log2⌉ binaries per SOS2 direction among all outputs of a table, and can be
switched off by a mode binary (``active``), which contrib.piecewise has no argument for.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pyomo.environ as pyo
from pyomo.contrib.piecewise import PiecewiseLinearFunction
from pyomo.contrib.piecewise.triangulations import Triangulation

from optimizer.pwl import GridTable, add_table, output

TRANSFORMATIONS = ("contrib.piecewise.disaggregated_logarithmic", "contrib.piecewise.multiple_choice",
                   "contrib.piecewise.disaggregated_convex_combination")


def make_table(shape: tuple[int, ...], n_out: int, seed: int = 0) -> GridTable:
    rng = np.random.default_rng(seed)
    axes = tuple(np.sort(rng.uniform(0.0, 1.0, n)) for n in shape)
    t = GridTable("bench", tuple(f"x{k}" for k in range(len(shape))), axes)
    mesh = np.meshgrid(*axes, indexing="ij")
    values = {}
    for j in range(n_out):
        c = rng.normal(size=len(shape))
        values[f"f{j}"] = np.sin(sum(ci * 3.0 * m for ci, m in zip(c, mesh, strict=True))) + 0.3 * rng.normal(
            size=shape)
    return t.with_values(values)


def _coords(m: pyo.ConcreteModel, t: GridTable) -> None:
    m.K = pyo.RangeSet(0, t.dim - 1)
    m.x = pyo.Var(m.K, bounds=lambda _m, k: t.bounds()[k])


def _finish(m: pyo.ConcreteModel, t: GridTable, f0, f1) -> None:
    m.cap = pyo.Constraint(expr=f1 <= float(np.median(t.values["f1"])))
    m.obj = pyo.Objective(expr=f0)


def build_hand(t: GridTable) -> tuple[pyo.ConcreteModel, dict]:
    m = pyo.ConcreteModel()
    _coords(m, t)
    m.tab = pyo.Block()
    add_table(m.tab, t, {n: (m.x[k], pyo.units.dimensionless) for k, n in enumerate(t.axis_names)},
              {k: pyo.units.dimensionless for k in t.values})
    outs = {k: output(m.tab, k) for k in t.values}
    _finish(m, t, outs["f0"], outs["f1"])
    return m, outs


def build_contrib(t: GridTable, transformation: str) -> tuple[pyo.ConcreteModel, dict]:
    m = pyo.ConcreteModel()
    _coords(m, t)
    verts = t.vertices()
    simplices = [[tuple(map(float, verts[v])) for v in s] for s in t.simplices()]
    outs = {}
    for k, vals in t.values.items():
        lookup = {tuple(map(float, p)): float(v) for p, v in zip(verts, vals.ravel(), strict=True)}
        f = PiecewiseLinearFunction(simplices=simplices, function=lambda *x, _l=lookup: _l[tuple(map(float, x))],
                                    triangulation=Triangulation.AssumeValid)
        setattr(m, f"pwl_{k}", f)
        y = pyo.Var(bounds=(float(vals.min()) - 1e-6, float(vals.max()) + 1e-6))
        setattr(m, f"y_{k}", y)
        setattr(m, f"def_{k}", pyo.Constraint(expr=y == f(*[m.x[i] for i in range(t.dim)])))
        outs[k] = y
    _finish(m, t, outs["f0"], outs["f1"])
    pyo.TransformationFactory(transformation).apply_to(m)
    return m, outs


def _count(m: pyo.ConcreteModel) -> tuple[int, int, int]:
    vs = list(m.component_data_objects(pyo.Var, active=True, descend_into=True))
    nb = sum(1 for v in vs if v.is_binary())
    nc = sum(1 for _ in m.component_data_objects(pyo.Constraint, active=True, descend_into=True))
    return nb, len(vs), nc


def run(name: str, build, t: GridTable, repeats: int) -> dict:
    builds, solves = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        m, outs = build()
        t1 = time.perf_counter()
        res = pyo.SolverFactory("appsi_highs").solve(m, load_solutions=True)
        t2 = time.perf_counter()
        builds.append(t1 - t0)
        solves.append(t2 - t1)
    x = np.array([[pyo.value(m.x[k]) for k in range(t.dim)]])
    ref = t.interpolate(x)
    err = max(abs(pyo.value(outs[k]) - float(ref[k][0])) for k in outs)
    nb, nv, nc = _count(m)
    return {"formulation": name, "build_s": statistics.median(builds), "solve_s": statistics.median(solves),
            "binaries": nb, "vars": nv, "constraints": nc, "objective": pyo.value(m.obj),
            "status": str(res.solver.termination_condition), "max_interp_gap": err}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shape", type=int, nargs="+", default=[4, 4, 4])
    ap.add_argument("--outputs", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=1)
    a = ap.parse_args()
    t = make_table(tuple(a.shape), max(a.outputs, 2))
    print(f"table {tuple(a.shape)}, {t.n_vertices} vertices, {len(t.simplices())} simplices, {len(t.values)} outputs")
    rows = [run("optimizer.pwl.add_table", lambda: build_hand(t), t, a.repeats)]
    for tr in TRANSFORMATIONS:
        try:
            rows.append(run(tr, lambda tr=tr: build_contrib(t, tr), t, a.repeats))
        except Exception as err:
            rows.append({"formulation": tr, "error": f"{type(err).__name__}: {err}"[:200]})
    for r in rows:
        if "error" in r:
            print(f"{r['formulation']:52s} failed: {r['error']}")
            continue
        print(f"{r['formulation']:52s} build {r['build_s']:7.3f} s  solve {r['solve_s']:7.3f} s  bin {r['binaries']:5d}"
              f"  vars {r['vars']:6d}  cons {r['constraints']:6d}  obj {r['objective']:.9f}  {r['status']}"
              f"  gap {r['max_interp_gap']:.1e}")


if __name__ == "__main__":
    main()
