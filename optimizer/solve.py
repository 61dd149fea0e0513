"""Solver handling: HiGHS through Pyomo by default (``appsi_highs``), any Pyomo MILP solver by name.

The termination condition is checked before any value is read; what comes back is a :class:`SolveOutcome`
with a plain status, the objective, the best bound and the relative MIP gap.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import pyomo.environ as pyo

from optimizer.errors import OptimizerError

DEFAULT_SOLVER = "appsi_highs"


@dataclass(frozen=True)
class SolveOutcome:
    """How a solve ended. ``status``: optimal | feasible (stopped early with a solution) | infeasible."""

    status: str
    termination: str
    objective: float | None
    bound: float | None
    mip_gap: float | None
    seconds: float


MILP_SOLVERS = ("appsi_highs", "highs", "cbc", "appsi_cbc", "glpk", "gurobi", "gurobi_direct", "appsi_gurobi",
                "cplex", "cplex_direct", "appsi_cplex", "scip", "xpress", "mosek")


def solver_available(name: str = DEFAULT_SOLVER) -> bool:
    """Whether the named solver can run here (never raises; a name Pyomo does not know is not tried, so Pyomo
    logs nothing about it)."""
    if not isinstance(name, str) or name not in set(pyo.SolverFactory):
        return False
    try:
        return bool(pyo.SolverFactory(name).available(exception_flag=False))
    except Exception:
        return False


def check_solver(name: str, field: str = "solver") -> str:
    """``name`` if it is a MILP solver Pyomo knows and can run here; else :class:`FoiltwinInputError` naming the
    MILP solvers that are available."""
    from process_models.errors import FoiltwinInputError

    if solver_available(name) and name in MILP_SOLVERS:
        return name
    here = [s for s in MILP_SOLVERS if solver_available(s)]
    known = isinstance(name, str) and name in MILP_SOLVERS
    allowed = "a MILP solver available here: " + (", ".join(here) or "none (pip install highspy)")
    raise FoiltwinInputError(field, name, allowed, None if not known else "known to Pyomo, not installed here")


def _gap(obj: float | None, bound: float | None) -> float | None:
    if obj is None or bound is None or not (math.isfinite(obj) and math.isfinite(bound)):
        return None
    return abs(obj - bound) / max(abs(obj), 1e-9)


def solve(model: pyo.ConcreteModel, solver: str = DEFAULT_SOLVER, time_limit_s: float = 30.0,
          mip_gap: float = 1e-4) -> SolveOutcome:
    """Solve ``model``; values are loaded only when a solution exists."""
    if not solver_available(solver):
        raise OptimizerError(f"solver {solver!r} is not available (pip install highspy for the default "
                             "'appsi_highs')")
    t0 = time.perf_counter()
    if solver == "appsi_highs":
        from pyomo.contrib.appsi.base import TerminationCondition as Tc
        from pyomo.contrib.appsi.solvers import Highs

        opt = Highs()
        opt.config.load_solution = False
        opt.config.time_limit = time_limit_s
        opt.config.mip_gap = mip_gap
        opt.config.stream_solver = False
        # restarts and the RINS/RENS sub-MIP heuristics cost more than they save on these small models, whose
        # root LP is tight (measured on the default plant: 5 solves 1.4 s → 0.7 s, same optima); one thread: a
        # second one bought no wall time on these models (≈ 100 columns, 30 binaries; the 12 solves of a warm run
        # 1.09 s on two threads, 1.10 s on one) and cost 0.6 s of CPU that a batch's other worker needs (issue 15)
        opt.highs_options = {"mip_allow_restart": False, "mip_heuristic_run_rins": False,
                             "mip_heuristic_run_rens": False, "threads": 1}
        res = opt.solve(model)
        tc = res.termination_condition
        seconds = time.perf_counter() - t0
        has_solution = res.best_feasible_objective is not None and math.isfinite(res.best_feasible_objective)
        if tc == Tc.optimal:
            res.solution_loader.load_vars()
            return SolveOutcome("optimal", tc.name, res.best_feasible_objective, res.best_objective_bound,
                                _gap(res.best_feasible_objective, res.best_objective_bound), seconds)
        if tc in (Tc.infeasible, Tc.infeasibleOrUnbounded):
            return SolveOutcome("infeasible", tc.name, None, None, None, seconds)
        if tc in (Tc.maxTimeLimit, Tc.maxIterations, Tc.interrupted) and has_solution:
            res.solution_loader.load_vars()
            return SolveOutcome("feasible", tc.name, res.best_feasible_objective, res.best_objective_bound,
                                _gap(res.best_feasible_objective, res.best_objective_bound), seconds)
        raise OptimizerError(f"solver {solver} ended with {tc.name} and no usable solution")
    # any other Pyomo solver through the legacy interface
    opt = pyo.SolverFactory(solver)
    res = opt.solve(model, load_solutions=False)
    tc = res.solver.termination_condition
    seconds = time.perf_counter() - t0
    name = str(tc)
    if tc == pyo.TerminationCondition.optimal:
        model.solutions.load_from(res)
        obj = pyo.value(next(model.component_data_objects(pyo.Objective, active=True)))
        return SolveOutcome("optimal", name, obj, None, None, seconds)
    if tc in (pyo.TerminationCondition.infeasible, pyo.TerminationCondition.infeasibleOrUnbounded):
        return SolveOutcome("infeasible", name, None, None, None, seconds)
    if len(res.solution) > 0:
        model.solutions.load_from(res)
        obj = pyo.value(next(model.component_data_objects(pyo.Objective, active=True)))
        return SolveOutcome("feasible", name, obj, None, None, seconds)
    raise OptimizerError(f"solver {solver} ended with {name} and no usable solution")
