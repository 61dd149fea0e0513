"""The robust optimum: settings that keep the skin in spec with a given probability under the parameter
uncertainty (issue 10 item 6; docs/calibration.md §9).

Chance constraint by back-off: P(lo ≤ skin ≤ hi) ≥ p holds, for a skin predicted ŝ with prediction standard
deviation σ_s (linearised from the parameter covariance at the settings, :mod:`optimizer.uq`), when
lo + z·σ_s ≤ ŝ ≤ hi − z·σ_s with z = Φ⁻¹(p) — one-sided, because the cost pushes ŝ to one edge of the window and
the far tail is then negligible (it is counted by the Monte Carlo check). The MILP is unchanged but for its
data: it gets the window narrowed by b = z·σ_s (:attr:`Targets.skin_backoff_nm`) while the gauge yield and the
twin still judge the spec window.

1. the nominal optimum; σ_s at its settings; b = z·σ_s;
2. the optimum with back-off b; σ_s at the new settings (it moves with them) and a Monte Carlo check: n
   parameter draws (Latin hypercube, fixed seed), the process models at the settings, the share in spec;
3. while the share is below p (or σ_s grew), b = max(z·σ_s, b + σ_s/2) and again (at most ``max_rounds``).

Reported: the back-off, σ_s, the Monte Carlo share in spec (and of single-phase α and surface Zn in its window,
which the back-off does not tighten), the nominal point's share, and the price of robustness (cost at p
against the nominal cost).
"""

from __future__ import annotations

import math
from dataclasses import replace
from statistics import NormalDist
from typing import Any

import numpy as np

from optimizer.result import OptimizationResult
from optimizer.targets import Targets
from optimizer.uq.propagate import ParameterUncertainty, linearised, monte_carlo
from optimizer.uq.recipe import recipe_model
from process_models.collector.recipe import CollectorRecipe
from process_models.errors import FoiltwinInputError
from process_models.parameters.registry import ParameterValues
from process_models.uht.recipe import UHTRecipe

OUTPUTS = ("skin_thickness_nm", "phase_margin_zn_frac", "surface_zn_at_frac")


def recipe_of(result: OptimizationResult, foil_thickness_m: float) -> CollectorRecipe:
    """The UHT recipe of an optimisation result's settings (the skin, phase and surface Zn depend on it only)."""
    s = result.settings
    if s is None:
        raise FoiltwinInputError("settings", None, "a result with settings")
    u = s["uht"]
    kw: dict[str, Any] = {}
    if s["zn_route"] == "plated":
        kw = {"zn_route": "plated",
              "plated_zn_loading_kg_per_m2": float((result.checked or {})["plated_zn_mg_per_cm2"]) * 1e-2}
    return CollectorRecipe(uht=UHTRecipe(
        foil_thickness_m=foil_thickness_m, stage2_temperature_K=u["stage2_temperature_K"],
        stage2_time_s=u["stage2_time_s"], stage3_peak_K=u["stage3_peak_K"], stage3_time_s=u["stage3_time_ms"] * 1e-3,
        cooling=u["cooling"], stage3_heater_length_m=u["stage3_heater_length_mm"] * 1e-3, **kw))


def skin_sd_nm(recipe: CollectorRecipe, params: ParameterValues, unc: ParameterUncertainty) -> float:
    """The skin's prediction standard deviation at ``recipe`` (linearised)."""
    lin = linearised(recipe_model(recipe, params, unc.names, ["skin_thickness_nm"]), unc, ["skin_thickness_nm"])
    return float(lin.sd[0])


def in_spec_shares(recipe: CollectorRecipe, params: ParameterValues, unc: ParameterUncertainty, targets: Targets,
                   samples: int, seed: int) -> dict[str, Any]:
    """Monte Carlo over the parameters at ``recipe``: the shares of draws with the skin in the spec window, with
    single-phase α (margin ≤ 0), with the surface Zn in its window, and with all of them."""
    mc = monte_carlo(recipe_model(recipe, params, unc.names, OUTPUTS), unc, OUTPUTS, n=samples, seed=seed,
                     design="lhs")
    y = mc.samples
    assert y is not None
    lo, hi = targets.spec_window_nm
    skin = (y[:, 0] >= lo) & (y[:, 0] <= hi)
    alpha = (y[:, 1] <= 0.0) if targets.single_phase_alpha else np.ones(len(y), bool)
    zs = targets.surface_zn_at_frac
    surf = ((y[:, 2] >= zs[0]) & (y[:, 2] <= zs[1])) if zs is not None else np.ones(len(y), bool)
    return {"samples": samples, "seed": seed, "refused": mc.failed, "skin_in_spec": float(skin.mean()),
            "single_phase_alpha": float(alpha.mean()), "surface_zn_in_window": float(surf.mean()),
            "all_targets": float((skin & alpha & surf).mean()), "skin_sd_nm": float(np.nanstd(y[:, 0], ddof=1)),
            "skin_mean_nm": float(np.nanmean(y[:, 0]))}


def robust_optimize(targets: Targets, scenario: Any, *, params: ParameterValues, unc: ParameterUncertainty,
                    confidence: float, samples: int = 64, seed: int = 0, max_rounds: int = 3,
                    **kw: Any) -> OptimizationResult:
    """The least-cost settings whose skin is in spec with probability ``confidence`` (see the module docstring).
    ``kw`` go to :func:`optimizer.optimize`; the report is ``result.robust``."""
    from optimizer.api import optimize
    from optimizer.space import decision_space

    if not (isinstance(confidence, int | float) and 0.5 <= confidence < 1.0):
        raise FoiltwinInputError("--confidence", confidence, "a probability in [0.5, 1)")
    z = NormalDist().inv_cdf(confidence)
    foil_m = decision_space(scenario, params, kw.get("ranges"), kw.get("modes")).foil_thickness_m
    nominal = optimize(targets, scenario, params=params, **kw)
    targets = targets.with_defaults(scenario)
    nominal_recipe = recipe_of(nominal, foil_m)
    sd = skin_sd_nm(nominal_recipe, params, unc)
    backoff = z * sd
    rounds: list[dict[str, Any]] = []
    result = nominal
    for _ in range(max_rounds):
        if backoff >= targets.tolerance_nm:
            raise FoiltwinInputError("--confidence", confidence, f"a confidence the skin tolerance allows: the skin's "
                                     f"prediction sd {sd:.3g} nm needs a back-off of {backoff:.3g} nm ≥ the tolerance "
                                     f"{targets.tolerance_nm:g} nm (narrow the uncertainty or widen the tolerance)")
        result = optimize(replace(targets, skin_backoff_nm=backoff), scenario, params=params, **kw)
        recipe = recipe_of(result, foil_m)
        sd_here = skin_sd_nm(recipe, params, unc)
        shares = in_spec_shares(recipe, params, unc, targets, samples, seed)
        rounds.append({"backoff_nm": backoff, "skin_sd_nm": sd_here, "skin_in_spec": shares["skin_in_spec"],
                       "cost_per_m2": result.cost_per_m2})
        if shares["skin_in_spec"] >= confidence and sd_here <= sd * 1.05:
            break
        backoff, sd = max(z * sd_here, backoff + 0.5 * sd_here), max(sd, sd_here)
    nominal_shares = in_spec_shares(nominal_recipe, params, unc, targets, samples, seed)
    cost_nom, cost_rob = nominal.cost_per_m2, result.cost_per_m2
    result.robust = {
        "confidence": confidence, "z": z, "backoff_nm": rounds[-1]["backoff_nm"],
        "skin_sd_nm": rounds[-1]["skin_sd_nm"],
        "skin_window_nm": list(replace(targets, skin_backoff_nm=rounds[-1]["backoff_nm"]).skin_window_nm),
        "spec_window_nm": list(targets.spec_window_nm), "monte_carlo": shares, "nominal_monte_carlo": nominal_shares,
        "nominal_settings": nominal.settings, "nominal_cost_per_m2": cost_nom, "robust_cost_per_m2": cost_rob,
        "price_of_robustness": (cost_rob / cost_nom - 1.0) if cost_nom and cost_rob and math.isfinite(cost_nom)
        else None, "rounds": rounds, "uncertainty": unc.summary(),
        "met": shares["skin_in_spec"] >= confidence,
    }
    if not result.robust["met"]:
        result.message += (f"; robust: the skin is in spec in {shares['skin_in_spec']:.0%} of the Monte Carlo draws, "
                           f"below the {confidence:.0%} asked, after {len(rounds)} rounds")
    return result
