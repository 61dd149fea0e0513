"""Which trial next: the candidate settings whose measurement most reduces the uncertainty (issue 10 item 5).

Linear-Gaussian (Bayesian) design on the current parameter covariance Σ: a trial at candidate c reads outcomes
y_c ≈ y_c(θ₀) + J_c (θ − θ₀) + ε, ε ~ N(0, R_c), R_c = diag(σ²) (the instruments' standard deviations). The
covariance after it is the Kalman/Gauss-Newton update

    Σ⁺ = Σ − Σ J_cᵀ (J_c Σ J_cᵀ + R_c)⁻¹ J_c Σ,

the same as (Σ⁻¹ + J_cᵀ R_c⁻¹ J_c)⁻¹ when Σ is invertible, but also valid when it is singular. Criteria:

- **prediction** (the default): the variance gᵀ Σ⁺ g of a chosen prediction (g its gradient in the parameters,
  e.g. the skin thickness at the recipe the line will run) — "which trial makes this number surest";
- **D**: the information gain ln det Σ − ln det Σ⁺ = ln det(I + R_c^{-½} J_c Σ J_cᵀ R_c^{-½}) (matrix determinant
  lemma; D-optimal = the largest shrinkage of the joint confidence ellipsoid's volume).

Both are first order in the parameters (J at the current estimate), as the calibration's own covariance is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from process_models.errors import FoiltwinInputError

CRITERIA = ("prediction", "D")


def posterior_covariance(prior: np.ndarray, J: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Σ⁺ after readings with sensitivities ``J`` (k, d) and standard deviations ``sigma`` (k,)."""
    J = np.atleast_2d(J)
    S = J @ prior @ J.T + np.diag(np.square(sigma))
    K = np.linalg.solve(S, J @ prior).T  # Σ Jᵀ S⁻¹ (S symmetric)
    post = prior - K @ J @ prior
    return 0.5 * (post + post.T)


def information_gain(prior: np.ndarray, J: np.ndarray, sigma: np.ndarray) -> float:
    """ln det Σ − ln det Σ⁺ (nats), by the determinant lemma (Σ may be singular)."""
    A = np.atleast_2d(J) / np.asarray(sigma)[:, None]
    _sign, logdet = np.linalg.slogdet(np.eye(A.shape[0]) + A @ prior @ A.T)
    return float(logdet)


@dataclass(frozen=True)
class Candidate:
    """One trial that could be run: a label, the sensitivities ``J`` (readings × parameters) of the readings
    it gives and their standard deviations."""

    label: str
    J: np.ndarray
    sigma: np.ndarray
    detail: dict[str, Any] | None = None


def rank_candidates(prior: np.ndarray, candidates: Sequence[Candidate], g: np.ndarray | None = None,
                    criterion: str = "prediction") -> list[dict[str, Any]]:
    """The candidates, best first: for ``prediction`` the posterior sd of gᵀθ (and its reduction), for ``D`` the
    information gain (with the prediction's posterior sd too when ``g`` is given)."""
    if criterion not in CRITERIA:
        raise FoiltwinInputError("--criterion", criterion, " | ".join(CRITERIA))
    if criterion == "prediction" and g is None:
        raise FoiltwinInputError("--criterion", criterion, "a prediction to reduce (its gradient g)")
    if not candidates:
        raise FoiltwinInputError("candidates", 0, "at least one candidate")
    before = None if g is None else math.sqrt(max(float(g @ prior @ g), 0.0))
    rows = []
    for c in candidates:
        post = posterior_covariance(prior, c.J, c.sigma)
        row: dict[str, Any] = {"label": c.label, "information_gain": information_gain(prior, c.J, c.sigma),
                               "posterior_sd": list(np.sqrt(np.clip(np.diag(post), 0.0, None)))}
        if g is not None:
            after = math.sqrt(max(float(g @ post @ g), 0.0))
            row.update(prediction_sd_before=before, prediction_sd_after=after,
                       prediction_variance_reduction=1.0 - (after / before) ** 2 if before else 0.0)
        if c.detail:
            row.update(c.detail)
        rows.append(row)
    key = (lambda r: r["prediction_sd_after"]) if criterion == "prediction" else (lambda r: -r["information_gain"])
    return sorted(rows, key=key)


def plant_candidates(data: Any, values: Any, unc: Any, measure: Sequence[str],
                     step_sd: float = 0.5) -> list[Candidate]:
    """The rows of a plant data file (their settings; outcomes in it are ignored) as candidate trials reading
    ``measure`` once each: J by central differences (±½ sd) of the model's predictions over ``unc``'s parameters (all
    rows in one bulk call per step, 2d + 1 calls), σ the registry's instrument default at the predicted reading
    (twin.plant_data.OUTCOMES)."""
    from optimizer.uq.propagate import jacobian
    from twin.plant_data import OUTCOMES
    from twin.plant_model import EXTRACT, evaluate_rows, row_recipe

    for name in measure:
        if name not in OUTCOMES:
            raise FoiltwinInputError("--measure", name, f"one of {', '.join(OUTCOMES)}")
        if OUTCOMES[name].needs_uht and not all(r.has_uht for r in data.records):
            raise FoiltwinInputError("--measure", name, "outcomes every candidate row has (a row without UHT step)")
    recipes = [row_recipe(r) for r in data.records]
    rows = list(range(1, len(recipes) + 1))
    k = len(measure)
    names = list(unc.names)

    def f(X: np.ndarray) -> np.ndarray:
        out = np.empty((X.shape[0], len(recipes) * k))
        for i, x in enumerate(X):
            v = values.with_overrides(dict(zip(names, map(float, x), strict=True)), kind="fitted")
            res = evaluate_rows(recipes, v, rows)
            out[i] = [float(EXTRACT[name](r)) for r in res for name in measure]
        return out

    y0, J = jacobian(f, unc, len(recipes) * k, step_sd)
    out = []
    for n, rec in enumerate(data.records):
        sl = slice(n * k, (n + 1) * k)
        sigma = np.array([OUTCOMES[name].default_sd(values, y0[n * k + j]) for j, name in enumerate(measure)])
        label = rec.coil_id or f"row {n + 1}"
        out.append(Candidate(label, J[sl], sigma, {"row": n + 1, "predicted": dict(zip(measure, y0[sl].tolist(),
                                                                                       strict=True))}))
    return out
