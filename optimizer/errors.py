"""Errors of the optimiser. Bad inputs are :class:`process_models.errors.FoiltwinInputError` (CLI exit 2)."""

from __future__ import annotations

from typing import Any


class OptimizerError(RuntimeError):
    """The optimiser could not do its job (no solver, a solver failure): not the user's targets' fault."""


class TargetsInfeasibleError(ValueError):
    """The targets cannot all be met on this plant (CLI exit code 3).

    ``result`` is the :class:`optimizer.result.OptimizationResult` with status "infeasible": the conflicting
    targets, by how much each must give way, and the nearest achievable point.
    """

    def __init__(self, message: str, result: Any = None) -> None:
        super().__init__(message)
        self.result = result
