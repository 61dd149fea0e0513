"""Calibration of registry parameters to plant data (docs/calibration.md).

    from optimizer.calibration import calibrate
    from twin.plant_data import read_plant_data
    result = calibrate(read_plant_data("examples/plant_data_uht.csv"), ["zn_vapour_transfer_efficiency_frac"])
    result.to_dict(); result.parameter_set("line-1 2026-03")
"""

from optimizer.calibration.plant import CalibrationResult, calibrate, free_parameters
from optimizer.calibration.wls import COVARIANCE_MODES, FitOptions, FreeParameter, analyse, fit_wls

__all__ = [
    "COVARIANCE_MODES",
    "CalibrationResult",
    "FitOptions",
    "FreeParameter",
    "analyse",
    "calibrate",
    "fit_wls",
    "free_parameters",
]
