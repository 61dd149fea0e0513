"""Hot strength, stiffness and break statistics of the Cu web (used by :mod:`process_models.web`).

Strength: the Johnson-Cook law of OFHC copper (JohnsonCook1983, Table 1), σ = (A + Bεⁿ)(1 + C ln ε̇*)(1 − T*ᵐ),
read at zero plastic strain (yield) and at the Considère necking strain (tensile strength), at the web's quasi-static
strain rate. Its room-temperature tensile strength is checked against an independent handbook value (Smithells2004)
in the tests. Stiffness: shear modulus and its temperature coefficient of Cu (FrostAshby1982, ch. 4). The foil factor,
the Weibull break statistics and the cross-web temperature non-uniformity are assumptions (no line data); each is
overridable and a test shows its effect (docs/web_handling.md).
"""

from __future__ import annotations

from process_models.parameters.registry import Parameter

_JC = "JohnsonCook1983"
_FA = "FrostAshby1982"
_A = "Assumed"
_CRC = "CRC"
_SI = "Simons2006"


def get_parameter_values() -> dict:
    parameters = [
        # --- Johnson-Cook law of OFHC Cu (Table 1) ---
        Parameter("cu_jc_yield_stress_Pa", 90e6, "Pa", _JC, "Table 1, OFHC copper: A = 90 MPa", "literature",
                  (1e6, 1e9)),
        Parameter("cu_jc_hardening_Pa", 292e6, "Pa", _JC, "Table 1, OFHC copper: B = 292 MPa", "literature",
                  (0.0, 2e9)),
        Parameter("cu_jc_hardening_exponent_frac", 0.31, "1", _JC, "Table 1, OFHC copper: n = 0.31", "literature",
                  (0.05, 0.95)),
        Parameter("cu_jc_rate_sensitivity_frac", 0.025, "1", _JC, "Table 1, OFHC copper: C = 0.025 (reference rate "
                  "1 s⁻¹)", "literature", (0.0, 0.2)),
        Parameter("cu_jc_thermal_softening_exponent_frac", 1.09, "1", _JC, "Table 1, OFHC copper: m = 1.09",
                  "literature", (0.3, 3.0)),
        Parameter("cu_jc_reference_temperature_K", 298.0, "K", _JC, "room temperature of the tests (T* = 0)",
                  "literature", (200.0, 400.0)),
        Parameter("cu_jc_melting_temperature_K", 1356.0, "K", _JC, "Table 1, OFHC copper: T_melt = 1356 K (T* = 1)",
                  "literature", (1300.0, 1400.0)),
        Parameter("cu_jc_reference_strain_rate_per_s", 1.0, "1/s", _JC, "reference strain rate of the law's C term",
                  "literature", (1e-6, 1e3)),
        Parameter("web_strain_rate_per_s", 1e-3, "1/s", _A,
                  "strain rate at which the web's strength is read: a steady tension loads the foil quasi-statically, "
                  "taken as a tensile test's 1e-3 s⁻¹ (creep under the tension is not modelled: stage III lasts "
                  "~30 ms, stage II minutes at ≤ 0.6 T_m)", "assumed", (1e-8, 1e3)),
        Parameter("cu_foil_strength_factor_frac", 0.85, "1", _SI,
                  "thin-foil knock-down of the bulk law: annealed foils a few grains thick flow and fracture at lower "
                  "stress than bulk (Simons2006, qualitative; stage II at ~750 K recrystallises electrodeposited "
                  "foil, so the annealed law applies in the hot zones). 0.85 is assumed; overridable", "assumed",
                  (0.1, 2.0)),
        # --- stiffness (slack limit) ---
        Parameter("cu_shear_modulus_300K_Pa", 4.21e10, "Pa", _FA, "ch. 4, table of f.c.c. data, Cu: μ₀ = 4.21e4 MN/m²",
                  "literature", (1e10, 1e11)),
        Parameter("cu_shear_modulus_temperature_coefficient_frac", -0.54, "1", _FA,
                  "ch. 4, Cu: (T_M/μ₀)(dμ/dT) = -0.54, μ(T) = μ₀(1 + c (T - 300 K)/T_M)", "literature", (-1.0, 0.0)),
        Parameter("cu_poisson_ratio_frac", 0.34, "1", _CRC, "polycrystalline Cu, ν = 0.34 (E = 2(1 + ν)μ)",
                  "literature", (0.2, 0.5)),
        Parameter("cu_thermal_expansion_per_K", 1.65e-5, "1/K", _CRC,
                  "linear expansion coefficient of Cu at 293 K; it rises towards 2e-5 at 1000 K, so the slack limit "
                  "read with it is a lower bound", "literature", (1e-6, 1e-4)),
        Parameter("web_cross_temperature_nonuniformity_frac", 0.005, "1", _A,
                  "cross-web temperature spread of a heated zone as a share of its rise above ambient (±0.5 %: "
                  "≈ 4 K at a 1050 K peak); a lane that much hotter is slack unless the tension strain exceeds its "
                  "extra thermal strain. No line data", "assumed", (0.0, 0.2)),
        # --- break statistics (weakest link) ---
        Parameter("web_break_weibull_modulus_frac", 20.0, "1", _A,
                  "Weibull modulus β of the web's strength against breaks (metal foils: narrow scatter, β ~ 10-40); "
                  "no line data", "assumed", (1.0, 100.0)),
        Parameter("web_break_gauge_length_m", 0.05, "m", _A,
                  "length of web whose median strength is the tensile strength (a tensile test's 50 mm gauge): "
                  "break hazard per metre = ln2/ℓ_g·(σ/σ_ts)^β", "assumed", (1e-4, 100.0)),
        Parameter("web_break_hazard_limit_per_m", 1e-6, "1/m", _A,
                  "largest break hazard the optimiser accepts (its break-risk constraint): one break per 1000 km of "
                  "web, about one a year on a line running 2 m/min around the clock. A plant policy, not physics",
                  "assumed", (1e-12, 1.0)),
    ]
    return {"parameters": parameters, "citations": [_JC, _FA, _A, _CRC, _SI]}
