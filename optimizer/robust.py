"""The robust optimum: settings that keep the skin in spec and the skin single-phase α with a given probability
under the parameter uncertainty (issue 10 item 6; docs/calibration.md §9).

Chance constraints by back-off. P(lo ≤ skin ≤ hi) ≥ p holds, for a skin predicted ŝ with prediction standard
deviation σ_s (linearised from the parameter covariance at the settings, :mod:`optimizer.uq`), when
lo + z·σ_s ≤ ŝ ≤ hi − z·σ_s with z = Φ⁻¹(p) — one-sided, because the cost pushes ŝ to one edge of the window and
the far tail is then negligible (it is counted by the Monte Carlo check). Likewise P(margin ≤ 0) ≥ p for the α
phase margin m̂ (Zn at. fraction above the α solvus; ≤ 0 = single-phase α) with prediction sd σ_m holds when
m̂ ≤ −z·σ_m. The MILP is unchanged but for its data: it gets the skin window narrowed by b_s = z·σ_s
(:attr:`Targets.skin_backoff_nm`) and the margin row's right-hand side lowered by b_m = z·σ_m
(:attr:`Targets.phase_backoff_zn_frac`), while the gauge yield and the twin still judge the spec itself.

1. the nominal optimum; σ_s and σ_m at its settings (one Jacobian); b_s = z·σ_s, b_m = z·σ_m;
2. the optimum with those back-offs; σ_s, σ_m at the new settings (they move with them) and a Monte Carlo check:
   n parameter draws (Latin hypercube, fixed seed), the process models at the settings, the shares of draws with
   the skin in spec, with single-phase α, and with both;
3. while a share is below p (or its σ grew), that target's back-off grows, b = max(z·σ, b + σ/2) (when only the
   joint share is short, the target with the lower share grows), and again (at most ``max_rounds``).

Reported: the back-offs, σ_s, σ_m, the Monte Carlo shares (and of the surface Zn in its window, which is checked,
not tightened), the nominal point's shares, and the price of robustness (cost at p against the nominal cost).
"""

from __future__ import annotations

import math
from dataclasses import replace
from statistics import NormalDist
from typing import Any

import numpy as np

from optimizer.result import OptimizationResult
from optimizer.targets import MAX_PHASE_BACKOFF_ZN_FRAC, Targets
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


def prediction_sd(recipe: CollectorRecipe, params: ParameterValues, unc: ParameterUncertainty) -> tuple[float, float]:
    """The prediction standard deviations (linearised, one Jacobian) at ``recipe`` of the skin [nm] and of the α
    phase margin [Zn at. fraction]."""
    outs = ["skin_thickness_nm", "phase_margin_zn_frac"]
    lin = linearised(recipe_model(recipe, params, unc.names, outs), unc, outs)
    return float(lin.sd[0]), float(lin.sd[1])


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
            "skin_and_phase": float((skin & alpha).mean()), "all_targets": float((skin & alpha & surf).mean()),
            "phase_margin_mean_zn_frac": float(np.nanmean(y[:, 1])), "skin_sd_nm": float(np.nanstd(y[:, 0], ddof=1)),
            "skin_mean_nm": float(np.nanmean(y[:, 0]))}


def _refuse_backoff(confidence: float, what: str, sd: float, backoff: float, limit: float, unit: str) -> None:
    if backoff >= limit:
        raise FoiltwinInputError("--confidence", confidence, f"a confidence the {what} allows: its prediction sd "
                                 f"{sd:.3g} {unit} needs a back-off of {backoff:.3g} {unit} ≥ {limit:g} {unit} "
                                 "(narrow the uncertainty or widen the tolerance)")


def _grow(shares: dict[str, Any], confidence: float, b: dict[str, float], sd: dict[str, float],
          sd_here: dict[str, float], z: float) -> bool:
    """Grow the back-offs ``b`` of the targets that fall short (in place); False when every target is met."""
    key = {"skin": "skin_in_spec", "phase": "single_phase_alpha"}
    short = [t for t in b if shares[key[t]] < confidence or sd_here[t] > sd[t] * 1.05]
    if not short and shares["skin_and_phase"] < confidence:
        short = [min(b, key=lambda t: shares[key[t]])]
    for t in short:
        b[t], sd[t] = max(z * sd_here[t], b[t] + 0.5 * sd_here[t]), max(sd[t], sd_here[t])
    return bool(short)


def robust_optimize(targets: Targets, scenario: Any, *, params: ParameterValues, unc: ParameterUncertainty,
                    confidence: float, samples: int = 64, seed: int = 0, max_rounds: int = 3,
                    **kw: Any) -> OptimizationResult:
    """The least-cost settings whose skin is in spec and single-phase α (when that is a target), each and both
    with probability ``confidence`` (see the module docstring). ``kw`` go to :func:`optimizer.optimize`; the report
    is ``result.robust``."""
    from optimizer.api import optimize
    from optimizer.space import decision_space

    if not (isinstance(confidence, int | float) and 0.5 <= confidence < 1.0):
        raise FoiltwinInputError("--confidence", confidence, "a probability in [0.5, 1)")
    z = NormalDist().inv_cdf(confidence)
    foil_m = decision_space(scenario, params, kw.get("ranges"), kw.get("modes")).foil_thickness_m
    nominal = optimize(targets, scenario, params=params, **kw)
    targets = targets.with_defaults(scenario)
    nominal_recipe = recipe_of(nominal, foil_m)
    s0, m0 = prediction_sd(nominal_recipe, params, unc)
    sd = {"skin": s0, "phase": m0} if targets.single_phase_alpha else {"skin": s0}
    b = {t: z * v for t, v in sd.items()}
    rounds: list[dict[str, Any]] = []
    result = nominal
    for _ in range(max_rounds):
        _refuse_backoff(confidence, "skin tolerance", sd["skin"], b["skin"], targets.tolerance_nm, "nm")
        if "phase" in b:
            _refuse_backoff(confidence, "α phase margin", sd["phase"], b["phase"], MAX_PHASE_BACKOFF_ZN_FRAC,
                            "Zn at. fraction")
        result = optimize(replace(targets, skin_backoff_nm=b["skin"], phase_backoff_zn_frac=b.get("phase", 0.0)),
                          scenario, params=params, **kw)
        recipe = recipe_of(result, foil_m)
        s_here, m_here = prediction_sd(recipe, params, unc)
        sd_here = {"skin": s_here, "phase": m_here}
        shares = in_spec_shares(recipe, params, unc, targets, samples, seed)
        rounds.append({"backoff_nm": b["skin"], "skin_sd_nm": s_here, "phase_backoff_zn_frac": b.get("phase", 0.0),
                       "phase_margin_sd_zn_frac": m_here, "skin_in_spec": shares["skin_in_spec"],
                       "single_phase_alpha": shares["single_phase_alpha"], "skin_and_phase": shares["skin_and_phase"],
                       "cost_per_m2": result.cost_per_m2})
        if not _grow(shares, confidence, b, sd, sd_here, z):
            break
    nominal_shares = in_spec_shares(nominal_recipe, params, unc, targets, samples, seed)
    cost_nom, cost_rob = nominal.cost_per_m2, result.cost_per_m2
    last = rounds[-1]
    result.robust = {
        "confidence": confidence, "z": z, "backoff_nm": last["backoff_nm"], "skin_sd_nm": last["skin_sd_nm"],
        "phase_backoff_zn_frac": last["phase_backoff_zn_frac"],
        "phase_margin_sd_zn_frac": last["phase_margin_sd_zn_frac"],
        "phase_margin_zn_frac": (result.checked or {}).get("phase_margin_zn_frac"),
        "skin_window_nm": list(replace(targets, skin_backoff_nm=last["backoff_nm"]).skin_window_nm),
        "spec_window_nm": list(targets.spec_window_nm), "monte_carlo": shares, "nominal_monte_carlo": nominal_shares,
        "nominal_settings": nominal.settings, "nominal_cost_per_m2": cost_nom, "robust_cost_per_m2": cost_rob,
        "price_of_robustness": (cost_rob / cost_nom - 1.0) if cost_nom and cost_rob and math.isfinite(cost_nom)
        else None, "rounds": rounds, "uncertainty": unc.summary(),
        "met": shares["skin_and_phase"] >= confidence,
    }
    if not result.robust["met"]:
        result.message += (f"; robust: the skin is in spec in {shares['skin_in_spec']:.0%} and single-phase α in "
                           f"{shares['single_phase_alpha']:.0%} of the Monte Carlo draws (both "
                           f"{shares['skin_and_phase']:.0%}), below the {confidence:.0%} asked, after "
                           f"{len(rounds)} rounds")
    return result
