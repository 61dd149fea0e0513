"""``foiltwin validate``, third section: leave-one-out where a parameter is fitted to several data points.

For each such fit, each point is left out in turn, the parameter refitted on the others and the point predicted
with the refit: the prediction error is what the fit can be trusted to do on a point it has not seen (a case
used to fit is never a validation pass; its leave-one-out prediction is). Fits with as many data as parameters
(or one point per parameter) have nothing left to fit with and are listed with that reason.

- ``plating_viscosity_activation_energy_J_per_mol``: 8 CRC points, Andrade law ln μ = c + E/(RT); each point is
  judged against the 95 % prediction interval of the fit without it (t quantile, n − 1 − 2 degrees of freedom).
- ``beta_diffusivity_scale_frac``: V1 at four deposition times; f_β refitted as the largest value at which the
  other three keep γ ≥ the target share, then the left-out time's share is predicted; pass as in V1.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from process_models.parameters.registry import ParameterValues

NOT_POSSIBLE: dict[str, str] = {
    "zn_vapour_transfer_efficiency_frac": "2 parameters (with the stage-III peak) on 2 data (V3a, V4): without "
                                          "one, the pair is not determined",
    "stage3_default_peak_temperature_K": "see zn_vapour_transfer_efficiency_frac",
    "gamma_nucleation_rate_ref_per_m2_s": "one data point (V2 120 s coverage)",
    "nucleation_factor_gamma_frac": "one data point (V7 Cu@Cu5Zn8)",
    "nucleation_factor_alpha_frac": "one data point (V7 Cu@Cu0.64Zn0.36)",
    "nucleation_factor_ag_frac": "one data point (V004-N3)",
    "alpha_interdiffusion_log10_rise_frac": "one data point (Smigelskas anchor)",
    "massive_min_driving_force_J_per_mol": "two inequalities that bracket it; without one, it is unbounded",
    "recrystallisation_time_constant_s": "one data point (seed 000 Table 2)",
    "zn_sulfate_bath_her_exchange_current_density_A_per_m2": "one data point (the bath's efficiency range)",
    "zn_chloride_bath_her_exchange_current_density_A_per_m2": "one data point (the bath's efficiency range)",
    "zn_zincate_bath_her_exchange_current_density_A_per_m2": "one data point (the bath's efficiency range)",
}


@dataclass(frozen=True)
class LooRow:
    """One left-out point: what the refit predicts, what was observed, the error and whether it passes."""

    case: str
    refit: str
    predicted: str
    observed: str
    error: float
    error_text: str
    passed: bool


@dataclass(frozen=True)
class LooGroup:
    """The leave-one-out rows of one fitted parameter; ``rmse`` of ``error`` in ``error_unit``."""

    parameter: str
    data: str
    criterion: str
    error_unit: str
    rows: list[LooRow] = field(default_factory=list)

    @property
    def rmse(self) -> float:
        e = np.array([r.error for r in self.rows])
        return float(np.sqrt(np.mean(e**2))) if e.size else math.nan


@dataclass(frozen=True)
class LeaveOneOut:
    groups: list[LooGroup]
    not_possible: dict[str, str]

    def to_dict(self) -> dict:
        return {"groups": [{**asdict(g), "rmse": g.rmse, "passed": sum(r.passed for r in g.rows),
                            "failed": sum(not r.passed for r in g.rows)} for g in self.groups],
                "not_possible": self.not_possible}


def linear_loo(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Leave-one-out of ordinary least squares by refitting without each row: (prediction of the left-out y,
    its prediction sd from the refit: s₋ᵢ·√(1 + xᵢᵀ(X₋ᵢᵀX₋ᵢ)⁻¹xᵢ)). The closed form of the error is the hat-matrix
    formula eᵢ/(1 − hᵢᵢ) (tests/test_leave_one_out.py checks the two agree)."""
    n, p = X.shape
    if n - 1 <= p:
        raise ValueError(f"{n} points leave no residual variance for {p} coefficients after one is left out")
    pred, sd = np.empty(n), np.empty(n)
    for i in range(n):
        keep = np.arange(n) != i
        Xi, yi = X[keep], y[keep]
        coef, *_ = np.linalg.lstsq(Xi, yi, rcond=None)
        res = yi - Xi @ coef
        s2 = float(res @ res) / (n - 1 - p)
        pred[i] = X[i] @ coef
        sd[i] = math.sqrt(s2 * (1.0 + X[i] @ np.linalg.solve(Xi.T @ Xi, X[i])))
    return pred, sd


def viscosity_group() -> LooGroup:
    from scipy.stats import t as student_t

    from process_models.fits.plating import CRC_WATER_VISCOSITY, viscosity_design

    X, y = viscosity_design()
    pred, sd = linear_loo(X, y)
    q = float(student_t.ppf(0.975, X.shape[0] - 1 - X.shape[1]))
    rows = []
    for (c, mu), p, s in zip(CRC_WATER_VISCOSITY, pred, sd, strict=True):
        err = math.expm1(p - math.log(mu))
        rows.append(LooRow(f"CRC μ(water) at {c:.0f} °C", "Andrade law on the other 7 points",
                           f"{math.exp(p):.4f} mPa s", f"{mu:.4f} mPa s", 100.0 * err,
                           f"{err:+.2%} (95 % PI ±{math.expm1(q * s):.2%})", bool(abs(p - math.log(mu)) <= q * s)))
    return LooGroup("plating_viscosity_activation_energy_J_per_mol", "CRC water viscosity, 20-80 °C (8 points)",
                    "inside the 95 % prediction interval of the fit without it", "%", rows)


def beta_group(params: ParameterValues) -> LooGroup:
    """V1's four times: the refit without a time that does not bind is the full fit (the binding time stays in);
    without the binding time, f_β is solved on the other three (one bulk evaluation per iteration)."""
    from scipy.optimize import brentq

    from process_models.fits.uht import BETA, V1_TIMES_S
    from process_models.uht.recipe import UHTRecipe, evaluate_recipes

    target = params["stage2_gamma_min_intermetallic_share_frac"]
    recipes = [UHTRecipe(stage2_time_s=t, stage3_time_s=0.0) for t in V1_TIMES_S]

    def shares(f: float, idx: list[int]) -> np.ndarray:
        rows = evaluate_recipes([recipes[i] for i in idx], params.with_overrides({BETA: f}))
        return np.array([r.stage2_gamma_zn_share_frac for r in rows])

    f_hat = params[BETA]
    at_fit = shares(f_hat, list(range(len(recipes))))
    binding = int(np.argmin(at_fit))
    rows = []
    for i, t in enumerate(V1_TIMES_S):
        others = [k for k in range(len(recipes)) if k != i]
        if i != binding:
            f_loo, share = f_hat, float(at_fit[i])
        else:
            z = brentq(lambda z, o=others: float(shares(10.0**z, o).min()) - target, -7.0, 0.0, xtol=1e-4)
            f_loo = 10.0**z
            share = float(shares(f_loo, [i])[0])
        rows.append(LooRow(f"V1 γ share after {t:.0f} s of stage II", f"f_β = {f_loo:.3g} from the other times",
                           f"{share:.3f}", f"≥ {target:.2f}", min(share - target, 0.0), f"{share - target:+.3f}",
                           bool(share >= target - 1e-3)))
    return LooGroup(BETA, "V1: γ-Cu5Zn8 is the stage-II product after 10, 20, 120, 240 s",
                    "γ share ≥ the V1 target, as the case (error: the shortfall below it)", "share", rows)


def leave_one_out(params: ParameterValues) -> LeaveOneOut:
    fitted = {r.name for r in params.records() if r.kind == "fitted"}
    groups = [viscosity_group()] if "plating_viscosity_activation_energy_J_per_mol" in fitted else []
    if "beta_diffusivity_scale_frac" in fitted:
        groups.append(beta_group(params))
    done = {g.parameter for g in groups}
    return LeaveOneOut(groups, {n: why for n, why in NOT_POSSIBLE.items() if n in fitted and n not in done})
