"""A collector recipe's outputs as a function of uncertain parameters: the model the propagation, sensitivity,
next-experiment and robust-optimum code evaluate (one :func:`evaluate_collector` per parameter vector).

Outputs (:data:`RECIPE_OUTPUTS`): skin thickness [nm], surface Zn [at. fraction], the phase margin [Zn at.
fraction above the α solvus at ``phase_freeze_temperature_K``; ≤ 0: single-phase α, as the optimiser's
``phase_margin_zn_frac``], Zn loading [mg/cm²], Li nucleation overpotential [mV], energy [kWh/m²], cost
[currency/m² processed] and the β′ retained in the skin as quenched [fraction] (the quench decision, which the
phase margin does not read: docs/uht_model.md "Phases through the quench"). A parameter vector the models
refuse gives NaN outputs (counted, not hidden).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from process_models.collector.recipe import CollectorRecipe, CollectorResult, evaluate_collector
from process_models.errors import FoiltwinInputError
from process_models.parameters.registry import ParameterValues

RECIPE_OUTPUTS: tuple[str, ...] = ("skin_thickness_nm", "surface_zn_at_frac", "phase_margin_zn_frac",
                                   "zn_loading_mg_per_cm2", "nucleation_overpotential_mV", "energy_kwh_per_m2",
                                   "cost_per_m2", "retained_beta_frac")
UHT_OUTPUTS = frozenset((*RECIPE_OUTPUTS[:4], "retained_beta_frac"))


def solvus_zn_frac(params: ParameterValues) -> float:
    """The α solvus [Zn at. fraction] at the phase freeze temperature (the phase margin's zero)."""
    from process_models.uht.phase_diagram import cuzn_phase_diagram

    return float(cuzn_phase_diagram().alpha_max_zn_frac(params["phase_freeze_temperature_K"]))


def outputs_of(res: CollectorResult, params: ParameterValues, outputs: Sequence[str]) -> list[float]:
    """The ``outputs`` of one collector result (NaN for a UHT output of a recipe without UHT step)."""
    u = res.uht
    row = []
    for name in outputs:
        if name in UHT_OUTPUTS and u is None:
            row.append(np.nan)
        elif name == "retained_beta_frac":
            row.append(float(u.phase_fractions_as_quenched.get("beta", 0.0)))
        elif name == "phase_margin_zn_frac":
            row.append(float(max(u.profile_zn_at_frac)) - solvus_zn_frac(params))
        elif name in ("skin_thickness_nm", "surface_zn_at_frac", "zn_loading_mg_per_cm2"):
            row.append(float(getattr(u, name)))
        elif name == "cost_per_m2":
            row.append(float(res.cost_per_m2))
        else:
            row.append(float(getattr(res, name)))
    return row


def check_outputs(outputs: Sequence[str]) -> None:
    for name in outputs:
        if name not in RECIPE_OUTPUTS:
            raise FoiltwinInputError("outputs", name, f"one of {', '.join(RECIPE_OUTPUTS)}")


def recipe_model(recipe: CollectorRecipe, values: ParameterValues, names: Sequence[str],
                 outputs: Sequence[str] = RECIPE_OUTPUTS):
    """f(X): (k, len(names)) parameter vectors → (k, len(outputs)) outputs of ``recipe`` under ``values`` with
    those parameters replaced (refused vectors: NaN rows)."""
    check_outputs(outputs)
    names = list(names)

    def f(X: np.ndarray) -> np.ndarray:
        X = np.atleast_2d(X)
        out = np.full((X.shape[0], len(outputs)), np.nan)
        for i, x in enumerate(X):
            try:
                v = values.with_overrides(dict(zip(names, map(float, x), strict=True)), kind="fitted")
                out[i] = outputs_of(evaluate_collector(recipe, v), v, outputs)
            except (FoiltwinInputError, ArithmeticError, ValueError):
                continue
        return out

    return f
