"""foiltwin optimizer layer: Pyomo MILPs on HiGHS over surrogates sampled from process_models, checked in
the process models and the twin (docs/optimizer.md).

    from optimizer import Targets, optimize
    result = optimize(Targets(skin_thickness_nm=470, tolerance_nm=50))
    result.settings, result.verified, result.to_dict()
"""

from optimizer.api import optimize, pareto
from optimizer.errors import OptimizerError, TargetsInfeasibleError
from optimizer.result import OptimizationResult
from optimizer.solve import DEFAULT_SOLVER, solver_available
from optimizer.space import MODES, SearchRanges, decision_space
from optimizer.surrogates import OptimiserCache
from optimizer.targets import Targets

__all__ = [
    "DEFAULT_SOLVER",
    "MODES",
    "OptimiserCache",
    "OptimizationResult",
    "OptimizerError",
    "SearchRanges",
    "Targets",
    "TargetsInfeasibleError",
    "decision_space",
    "optimize",
    "pareto",
    "solver_available",
]
