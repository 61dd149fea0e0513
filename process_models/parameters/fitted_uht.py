"""Free parameters of the UHT chain, fitted to seed 002 by ``scripts/calibrate_uht.py``.

These are FITTED, not measured: the paper states neither the Zn transfer efficiency nor the stage-III
temperature. The calibration writes ``fitted_uht.json`` beside this module (value, fit error, the
cases fitted, the date and — propagated from the stated uncertainty of the fitted targets — the standard
error); until it has run, the documented starting guesses below are used and the
records say so.
"""

from __future__ import annotations

import json
from importlib import resources

from process_models.parameters.materials_literature import CU_MELTING_TEMPERATURE_K
from process_models.parameters.registry import Parameter

FITTED_FILE = "fitted_uht.json"

# name -> (starting guess, unit, bounds, what it is)
FREE_PARAMETERS: dict[str, tuple[float, str, tuple[float, float], str]] = {
    "zn_vapour_transfer_efficiency_frac": (
        1e-4, "1", (1e-8, 1.0),
        "Zn reaching the foil / Hertz-Knudsen free-evaporation flux of the source (seed note 002 §1a: ~1e-4)",
    ),
    "gamma_nucleation_rate_ref_per_m2_s": (
        1e12, "1/(m2 s)", (1e3, 1e22),
        "γ islands nucleated per m² and s on unsaturated α at the reference Zn flux, without islands "
        "(i* = 1: the rate scales with the adatom density squared)",
    ),
    "beta_diffusivity_scale_frac": (
        1e-3, "1", (1e-7, 10.0),
        "effective growth rate of β between γ and α relative to the Kuper-tracer D̃β (β′ missing in Cu/Zn "
        "couples at ≤ 650 K: Shimozaki2016, Khoulif2022; slow phases are suppressed: GoseleTu1982)",
    ),
    "stage3_default_peak_temperature_K": (
        1150.0, "K", (700.0, CU_MELTING_TEMPERATURE_K),
        "stage-III peak temperature used when a recipe gives none (paper: 'higher', no number)",
    ),
}


def load_fitted() -> dict:
    """The calibration record, or an empty dict if the calibration has not been run."""
    path = resources.files("process_models.parameters").joinpath(FITTED_FILE)
    if not path.is_file():
        return {}
    return json.loads(path.read_text())


def get_parameter_values() -> dict:
    fitted = load_fitted().get("parameters", {})
    parameters = []
    for name, (guess, unit, bounds, what) in FREE_PARAMETERS.items():
        if name in fitted:
            rec = fitted[name]
            parameters.append(Parameter(
                name, rec["value"], unit, "Calibrated",
                f"{what}; fitted to {', '.join(rec['cases'])} on {rec['date']}", "fitted", bounds,
                fit_error=rec["fit_error"], standard_error=rec.get("standard_error"), data_used=tuple(rec["cases"]),
                standard_error_method=rec.get("standard_error_method", ""),
                correlations=tuple((k, float(v)) for k, v in rec.get("correlations", {}).items()),
            ))
        else:
            parameters.append(Parameter(
                name, guess, unit, "Assumed", f"{what}; starting guess, calibration not run", "assumed", bounds,
            ))
    return {"parameters": parameters, "citations": ["Calibrated", "Assumed"]}
