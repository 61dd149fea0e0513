"""A fitted parameter set of two correlated parameters (η in log, the gas-convection multiplier linear), shared by
the uncertainty tests."""

from __future__ import annotations

from twin.parameter_set import make_parameter_set

ETA = "zn_vapour_transfer_efficiency_frac"
H = "gas_convection_multiplier_frac"


def two_parameter_set(rho: float):
    """The set with correlation ``rho`` between η (SE 2e-6) and the multiplier (SE 0.05)."""
    s1, s2 = 2e-6, 0.05
    return make_parameter_set({
        "name": "line-1", "created": "2026-03-31T12:00:00+00:00", "method": "weighted least squares; test",
        "foiltwin_version": "0.1.0", "code_fingerprint": "0" * 64,
        "data": {"file": "plant.csv", "sha256": "a" * 64, "rows": 40, "observations": {"zn_loading_mg_per_cm2": 40}},
        "parameters": [{"name": ETA, "value": 1.2e-4, "unit": "1", "standard_error": s1, "transform": "log"},
                       {"name": H, "value": 1.5, "unit": "1", "standard_error": s2, "transform": "linear"}],
        "covariance": [[s1 * s1, rho * s1 * s2], [rho * s1 * s2, s2 * s2]],
        "fit": {"n_observations": 80, "chi2": 81.0, "dof": 78, "covariance_mode": "auto", "covariance_scale": 1.0}})
