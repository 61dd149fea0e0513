"""The fits behind every fitted registry parameter, as code: each returns the value and its standard error.

Issue 9 item 5: every fitted parameter carries a standard error stored in the registry
(``Parameter.standard_error`` and ``standard_error_method``). The registry stores numbers; these functions
recompute them from the fit's data, and ``tests/test_fit_standard_errors.py`` compares the two so the registry
cannot drift from its fits. Methods (named in each record):

- **Jacobian**: least squares with n > p points, cov = s²·(JᵀJ)⁻¹ with s² = RSS/(n − p) (viscosity);
- **stated error through the solve**: a fit with as many parameters as data points has no residual variance;
  the data's own stated error (rounding of the printed digits, a stated range read as uniform, the
  measurement σ of the registry) is carried through the solve, cov = J⁻¹ Σ J⁻ᵀ;
- **bracket**: a parameter that inequality observations only bracket: uniform over the bracket, sd = width/√12;
- **bootstrap**: the exact (enumerated) bootstrap of a fit to a few points whose statistic is not smooth (a
  minimum over the points), no random draws.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from process_models.parameters.registry import ParameterValues


@dataclass(frozen=True)
class FitResult:
    """A fitted value (in the parameter's unit), its standard error (same unit) and how the error was found."""

    value: float
    standard_error: float
    method: str


# fitted parameter -> "module:function" (function(params) -> FitResult), resolved lazily
FITS: dict[str, str] = {
    "nucleation_factor_gamma_frac": "anchors:nucleation_factor_gamma",
    "nucleation_factor_alpha_frac": "anchors:nucleation_factor_alpha",
    "nucleation_factor_ag_frac": "anchors:nucleation_factor_ag",
    "alpha_interdiffusion_log10_rise_frac": "anchors:alpha_interdiffusion_rise",
    "massive_min_driving_force_J_per_mol": "anchors:massive_driving_force",
    "recrystallisation_time_constant_s": "anchors:recrystallisation_time_constant",
    "plating_viscosity_activation_energy_J_per_mol": "plating:viscosity_activation_energy",
    "zn_sulfate_bath_her_exchange_current_density_A_per_m2": "plating:her_exchange_zn_sulfate",
    "zn_chloride_bath_her_exchange_current_density_A_per_m2": "plating:her_exchange_zn_chloride",
    "zn_zincate_bath_her_exchange_current_density_A_per_m2": "plating:her_exchange_zn_zincate",
    "zn_vapour_transfer_efficiency_frac": "uht:transfer_efficiency",
    "stage3_default_peak_temperature_K": "uht:stage3_peak",
    "gamma_nucleation_rate_ref_per_m2_s": "uht:gamma_nucleation_rate",
    "beta_diffusivity_scale_frac": "uht:beta_diffusivity_scale",
}


def fit_function(name: str) -> Callable[[ParameterValues], FitResult]:
    """The function that refits ``name`` (KeyError for a parameter with no fit here)."""
    module, func = FITS[name].split(":")
    return getattr(importlib.import_module(f"process_models.fits.{module}"), func)


def refit(name: str, params: ParameterValues) -> FitResult:
    """Re-run the fit of ``name`` on ``params`` (the other parameters and the data it names)."""
    return fit_function(name)(params)
