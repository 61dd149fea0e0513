"""Process assumptions of the UHT alloying line where seed 002 is silent.

Every entry is kind "assumed" (or "literature" where a handbook/study value is used) and says why.
They are overridable by name (`foiltwin recipe --param NAME=VALUE`, scenario files).
"""

from __future__ import annotations

from process_models.parameters.registry import Parameter

_A = "Assumed"
_F = "FeasibilityStudy2026"


def get_parameter_values() -> dict:
    parameters = [
        # --- Zn vapour supply (seed note 002 §1a, §5d, §5h) ---
        Parameter("zn_evaporation_coefficient_frac", 1.0, "1", _A,
                  "Hertz-Knudsen evaporation/condensation coefficient of liquid Zn taken as 1 (clean metal)",
                  "assumed", (1e-6, 1.0)),
        Parameter("zn_source_utilisation_frac", 0.5, "1", _A,
                  "share of the Zn evaporated from the source that lands on the foil; only prices the Zn and "
                  "the source's latent heat (no line data; 0.5 = source faces foil and walls equally)",
                  "assumed", (1e-4, 1.0)),
        Parameter("uht_argon_consumption_Nm3_per_m2", 0.05, "Nm3/m2", _A,
                  "Ar blanket of the UHT enclosure: ≈1.5 Nm³/h on a 30 m²/h line (no line data)", "assumed",
                  (0.0, 10.0)),
        # --- line ---
        Parameter("stage3_default_line_speed_m_per_s", 5.0 / 60.0, "m/s", _A,
                  "web speed of a recipe that gives no line speed or heater length (seed 002 gives no speed; R2R "
                  "foil lines run m/min to tens of m/min, seed note 002 §5f). 5 m/min: a 30 ms zone is 2.5 mm, "
                  "Péclet vL/α ≈ 2, the slowest speed at which the zone still acts as a ~30 ms pulse", "assumed",
                  (1e-3, 10.0)),
        # --- stage II phase selection and α uptake ---
        Parameter("stage2_alpha_saturation_width_frac", 0.01, "1", _A,
                  "width in x_Zn below the α solvus over which α's capacity to dissolve Zn adatoms falls "
                  "from full to zero (numerical smoothing of the saturation; the adatom balance of "
                  "gamma_islands uses it)", "assumed", (1e-4, 0.1)),
        # --- stage III evaporation (feasibility study §2 'Zn evaporation', §3c) ---
        Parameter("process_gas_pressure_Pa", 101325.0, "Pa", _A,
                  "seed gives no atmosphere; the study (§3c) shows the seed's result implies ~1 atm inert gas; "
                  "use 0 for vacuum", "assumed", (0.0, 1e6)),
        Parameter("zn_argon_diffusivity_ref_m2_per_s", 2.0e-4, "m2/s", _F,
                  "§2: D_g(Zn-Ar) = 2e-4 (T/1200 K)^1.75 m2/s at 1 atm, estimated ±50 %", "literature",
                  (1e-6, 1e-2)),
        Parameter("zn_argon_diffusivity_ref_temperature_K", 1200.0, "K", _F,
                  "§2: reference temperature of the D_g(Zn-Ar) estimate", "literature", (300.0, 2000.0)),
        Parameter("zn_argon_diffusivity_ref_pressure_Pa", 101325.0, "Pa", _F,
                  "§2: reference pressure of the D_g(Zn-Ar) estimate (D_g ∝ 1/p)", "literature",
                  (1.0, 1e7)),
        Parameter("gas_diffusivity_temperature_exponent_frac", 1.75, "1", _F,
                  "§2: D_g ∝ T^1.75 (Fuller-type)", "literature", (1.0, 2.5)),
        # --- post-processing of the profile ---
        Parameter("phase_freeze_temperature_K", 700.0, "K", _F,
                  "§3b: diffusion counted above 700 K. Fallback only: the skin's phases come from the quench "
                  "model (process_models.uht.quench); a profile with no thermal history at all (plated Zn "
                  "without any anneal) is read at this temperature, and the optimiser's phase margin is "
                  "measured against the α solvus here", "assumed", (500.0, 900.0)),
        Parameter("skin_edge_zn_frac", 0.18, "1", _A,
                  "skin edge = first depth where x_Zn falls below half the seed's nominal skin composition "
                  "0.36 (the 50 % point used to place interfaces in depth profiling)", "derived",
                  (0.01, 0.5)),
        Parameter("alloyed_depth_min_zn_frac", 0.01, "1", _A,
                  "cells with less Zn than this count as Cu substrate in the layer list", "assumed",
                  (1e-4, 0.1)),
        Parameter("skin_phase_min_share_frac", 0.02, "1", _A,
                  "a phase is named in skin_phase when it fills at least this share of the skin", "assumed",
                  (0.0, 0.5)),
        Parameter("foil_damage_melt_depth_m", 200e-9, "m", _F,
                  "§0.3/§3a: melt pools deeper than ~0.2 µm dissolve substrate and leave the 'undesirable "
                  "products' of seed Fig. S7; flagged as foil damage", "assumed", (1e-9, 1e-4)),
        # --- numerics ---
        Parameter("diffusion_first_cell_m", 2e-9, "m", _F,
                  "§2 numerics: 2 nm cells at the surface (grid-convergence test in tests/)", "assumed",
                  (1e-10, 1e-7)),
        Parameter("diffusion_cell_growth_frac", 0.03, "1", _A,
                  "geometric growth of cell size into the foil (grid-convergence test in tests/)", "assumed",
                  (0.0, 0.2)),
        Parameter("stage2_diffusion_steps_count", 50.0, "1", _A,
                  "implicit time steps of stage II (results within 0.5 % of 400 steps; test in tests/)",
                  "assumed", (10.0, 5000.0)),
        Parameter("stage3_diffusion_steps_count", 60.0, "1", _A,
                  "implicit time steps of stage III (skin within 1 % of 400 steps; test in tests/)",
                  "assumed", (10.0, 5000.0)),
    ]
    return {"parameters": parameters, "citations": [_A, _F]}
