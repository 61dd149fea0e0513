"""Uncertainty quantification on the twin's parameters (issue 10 items 4-6; docs/calibration.md §6-9):
propagation to prediction intervals, Sobol sensitivity, the next experiment, the robust optimum.

    from optimizer.uq import uncertainty_of, recipe_model, monte_carlo, linearised
"""

from optimizer.uq.propagate import (
    ParameterUncertainty,
    Propagation,
    jacobian,
    linearised,
    monte_carlo,
    uncertainty_of,
)
from optimizer.uq.recipe import RECIPE_OUTPUTS, recipe_model

__all__ = [
    "RECIPE_OUTPUTS",
    "ParameterUncertainty",
    "Propagation",
    "jacobian",
    "linearised",
    "monte_carlo",
    "recipe_model",
    "uncertainty_of",
]
