"""Ag galvanic displacement on Cu in AgF (seed 004) and the constants it needs.

Seed 004 (Zhang2023) quantifies one point only: 1 wt % AgF, 2 min, which it calls the optimum (§1.2, Fig. S2).
Everything else here is a handbook constant (CRC), a textbook relation (Bard2001) or an assumption with its
reason. The quiescent bath's diffusion layer comes from natural convection (parameter set
``ag_natural_convection_literature``). Names carry an ``agf_``/``galvanic_``/``ag_immersion_`` prefix so they cannot
clash with the Ag constants of the plating model.
"""

from __future__ import annotations

from process_models.parameters.registry import Parameter

_A = "Assumed"
_Z = "Zhang2023"
_CRC = "CRC"
_B = "Bard2001"


def get_parameter_values() -> dict:
    parameters = [
        # --- the seed's reference (optimum) point ---
        Parameter("ag_immersion_reference_time_s", 120.0, "s", _Z,
                  "§2.1/§3.1: immersion 2 min, the optimum of the time series (Fig. S2 discussion)", "measured",
                  (1.0, 3600.0)),
        Parameter("ag_immersion_reference_agf_mass_frac", 0.01, "1", _Z,
                  "§2.1: aqueous AgF 1 wt %, the optimum concentration (Fig. 1b,c, Fig. S2)", "measured",
                  (1e-4, 0.2)),
        # --- bath chemistry (seed note 004 §4.3 [derived]: 1 wt % ≈ 0.079 mol/L) ---
        Parameter("agf_molar_mass_kg_per_mol", 0.12687, "kg/mol", _CRC, "AgF formula mass 126.87 g/mol",
                  "constant", (0.12, 0.13)),
        Parameter("agf_bath_density_kg_per_m3", 1000.0, "kg/m3", _A,
                  "dilute aqueous bath taken as water (seed note 004 §4.3 uses ≈1 g/mL for 1 wt %)", "assumed",
                  (990.0, 1300.0)),
        Parameter("galvanic_ag_molar_mass_kg_per_mol", 0.1078682, "kg/mol", _CRC, "Ag standard atomic weight",
                  "constant", (0.107, 0.109)),
        Parameter("galvanic_ag_density_kg_per_m3", 10490.0, "kg/m3", _CRC,
                  "Ag density at 20 °C (seed note 004 §4.3 uses 10.49 g/cm3 for the dense-equivalent thickness)",
                  "literature", (10000.0, 11000.0)),
        Parameter("galvanic_f_molar_mass_kg_per_mol", 0.018998403, "kg/mol", _CRC,
                  "F standard atomic weight (AgCuF3 by-product mass)", "constant", (0.0189, 0.0191)),
        # --- mass transfer of Ag+ to the foil ---
        Parameter("galvanic_ag_ion_diffusivity_m2_per_s", 1.648e-9, "m2/s", _CRC,
                  "limiting diffusion coefficient of Ag+ in water at 25 °C (seed note 004 §4.3 uses 1.65e-5 cm2/s)",
                  "literature", (1e-10, 1e-8)),
        Parameter("ag_immersion_agitated_diffusion_layer_m", 2e-5, "m", _A,
                  "stirred or flowing bath (roll-to-roll tank): Nernst layer of 10-20 µm; 20 µm assumed", "assumed",
                  (1e-6, 1e-3)),
        # --- by-product channel (seed note 004 §4.2, reactions 2-3) ---
        Parameter("agcuf3_cu_precipitated_frac", 0.0, "1", _A,
                  "share of the dissolved Cu2+ that precipitates as AgCuF3 (each takes one more Ag+); the seed "
                  "names the phase (Fig. 1l,m) but not its amount: default 0 = channel off, 1 = upper limit",
                  "assumed", (0.0, 1.0)),
        # --- plume-window flags (seed §1.2: too short/dilute → incomplete, too long/concentrated → damaged) ---
        Parameter("ag_plume_dose_low_ratio_frac", 0.5, "1", _A,
                  "dose c·t below this share of the reference 1 wt % × 2 min flags 'incomplete plumes' (seed note "
                  "004 §4.3 dose hypothesis; the seed gives no other point, threshold assumed)", "assumed",
                  (0.01, 1.0)),
        Parameter("ag_plume_dose_high_ratio_frac", 2.0, "1", _A,
                  "dose c·t above this multiple of the reference flags 'plumes damaged' (assumed, as above)",
                  "assumed", (1.0, 100.0)),
        Parameter("ag_plume_coverage_at_reference_frac", 0.95, "1", _A,
                  "Ag coverage of the Cu surface at the reference loading (the seed's plumes cover the foil, "
                  "§4.1 layering); coverage = 1 − (1 − this)^(loading/reference loading)", "assumed",
                  (0.01, 0.9999)),
    ]
    return {"parameters": parameters, "citations": [_A, _Z, _CRC, _B]}
