"""Default measurement standard deviations of the plant-data instruments (``twin.plant_data``).

A plant data file gives each outcome's standard deviation in its ``<outcome>_sd`` column; where that column or
cell is empty, these defaults are used. They weight the calibration (weighted least squares, ``foiltwin
calibrate``) and standardise the drift monitor's residuals, so they decide how far the fit trusts each outcome:
override them by name (``--param``) with the plant's own gauge studies (repeatability and reproducibility).
None comes from a source: every entry is kind "assumed" and says why.
"""

from __future__ import annotations

from process_models.parameters.registry import Parameter

_A = "Assumed"


def get_parameter_values() -> dict:
    parameters = [
        Parameter("xrf_zn_loading_sd_kg_per_m2", 5e-5, "kg/m2", _A,
                  "XRF coating-mass reading of the Zn loading: 0.005 mg/cm2, ≈3 % of the seed's 0.146 mg/cm2 "
                  "(typical repeatability of an XRF coating-weight measurement; no plant gauge study)", "assumed",
                  (1e-9, 1e-2)),
        Parameter("cross_section_thickness_sd_m", 20e-9, "m", _A,
                  "skin thickness read on an SEM cross-section: edge definition and local roughness of a ≈470 nm "
                  "layer (seed 002 Fig. S6 gives no error bar)", "assumed", (1e-10, 1e-5)),
        Parameter("surface_composition_sd_frac", 0.02, "1", _A,
                  "surface Zn atomic fraction by EDS/XPS: ±2 at.% (standardless quantification)", "assumed",
                  (1e-4, 0.5)),
        Parameter("texture_fraction_sd_frac", 0.03, "1", _A,
                  "(111)/(100)/(110) area fractions by EBSD or XRD: field-to-field scatter of 0.03", "assumed",
                  (1e-4, 0.5)),
        Parameter("nucleation_overpotential_sd_V", 0.003, "V", _A,
                  "Li nucleation overpotential from cell tests: cell-to-cell scatter of 3 mV at the seeds' "
                  "30-100 mV", "assumed", (1e-5, 0.1)),
        Parameter("energy_meter_relative_sd_frac", 0.02, "1", _A,
                  "UHT energy per m2 from the line's electricity meter and the metres run: 2 % of the reading "
                  "(meter class and the allocation of idle power)", "assumed", (1e-4, 0.5)),
    ]
    return {"parameters": parameters, "citations": [_A]}
