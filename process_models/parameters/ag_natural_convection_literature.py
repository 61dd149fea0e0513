"""Natural convection at the Cu foil in a quiescent AgF bath: correlation constants, bath properties, geometry.

The diffusion layer of the quiescent immersion (seed 004) is L/Sh with Sh from a free-convection correlation (heat/
mass-transfer analogy, Nu → Sh, Pr → Sc, Ra = Gr·Sc with the solutal Grashof number) driven by the density
difference between the bath and the liquid at the foil (Ag⁺ consumed, Cu²⁺ released). Correlations: Churchill &
Chu (vertical plate, laminar) and Lloyd & Moran (horizontal plate), as printed in Incropera2007 §9.6; ionic partial
molar volumes from Shock & Helgeson 1988; diffusivities and water viscosity from the CRC Handbook. Used by
:mod:`process_models.plating.natural_convection`.
"""

from __future__ import annotations

from process_models.parameters.registry import Parameter

_CC = "ChurchillChu1975"
_LM = "LloydMoran1974"
_SH = "Shock1988"
_CRC = "CRC"
_Z = "Zhang2023"
_A = "Assumed"


def get_parameter_values() -> dict:
    parameters = [
        # --- vertical plate, laminar: Sh = a + b·Ra^n / [1 + (c/Sc)^(9/16)]^(4/9), Ra ≤ 1e9 ---
        Parameter("natconv_vertical_offset_frac", 0.68, "1", _CC,
                  "Incropera2007 eq. 9.27 (Churchill & Chu laminar correlation, Ra_L ≲ 1e9): the constant 0.68",
                  "literature", (0.0, 1.0)),
        Parameter("natconv_vertical_coefficient_frac", 0.670, "1", _CC,
                  "Incropera2007 eq. 9.27: 0.670 Ra^(1/4) (the high-Pr boundary-layer solution; Wilke, Eisenberg & "
                  "Tobias 1953 found 0.66 for limiting currents at vertical electrodes)", "literature", (0.3, 1.0)),
        Parameter("natconv_vertical_exponent_frac", 0.25, "1", _CC,
                  "Incropera2007 eq. 9.27: laminar exponent 1/4", "literature", (0.2, 0.34)),
        Parameter("natconv_prandtl_constant_frac", 0.492, "1", _CC,
                  "Incropera2007 eq. 9.27: Pr (here Sc) function [1 + (0.492/Pr)^(9/16)]^(4/9)", "literature",
                  (0.0, 1.0)),
        Parameter("natconv_vertical_max_rayleigh_frac", 1e9, "1", _CC,
                  "Incropera2007 eq. 9.27 applies for laminar flow, Ra_L ≲ 1e9 (transition above)", "literature",
                  (1e6, 1e12)),
        Parameter("natconv_min_rayleigh_frac", 1e4, "1", _A,
                  "below Ra ≈ 1e4 the layer is no longer thin against the electrode (Sh ≲ 7, δ ≳ L/7) and a 1-D "
                  "Cottrell-then-steady layer is not a model of it; also the lower end of eqs. 9.30 and 9.32",
                  "assumed", (1.0, 1e6)),
        # --- horizontal plate facing up (L = area / perimeter) ---
        Parameter("natconv_horizontal_unstable_laminar_coefficient_frac", 0.54, "1", _LM,
                  "Incropera2007 eq. 9.30: upper surface of a hot plate (lighter fluid below): Nu = 0.54 Ra^(1/4), "
                  "1e4 ≲ Ra ≲ 1e7, Pr ≳ 0.7", "literature", (0.3, 1.0)),
        Parameter("natconv_horizontal_unstable_turbulent_coefficient_frac", 0.15, "1", _LM,
                  "Incropera2007 eq. 9.31: Nu = 0.15 Ra^(1/3), 1e7 ≲ Ra ≲ 1e11, all Pr", "literature", (0.05, 0.5)),
        Parameter("natconv_horizontal_unstable_transition_rayleigh_frac", 1e7, "1", _LM,
                  "Incropera2007 eqs. 9.30/9.31: the two ranges meet at Ra = 1e7", "literature", (1e5, 1e9)),
        Parameter("natconv_horizontal_unstable_max_rayleigh_frac", 1e11, "1", _LM,
                  "Incropera2007 eq. 9.31: upper end Ra ≈ 1e11", "literature", (1e8, 1e13)),
        Parameter("natconv_horizontal_stable_coefficient_frac", 0.52, "1", _LM,
                  "Incropera2007 eq. 9.32: lower surface of a hot plate (heavier fluid below, stable): "
                  "Nu = 0.52 Ra^(1/5), 1e4 ≲ Ra ≲ 1e9, Pr ≳ 0.7", "literature", (0.2, 1.0)),
        Parameter("natconv_horizontal_stable_max_rayleigh_frac", 1e9, "1", _LM,
                  "Incropera2007 eq. 9.32: upper end Ra ≈ 1e9", "literature", (1e6, 1e12)),
        # --- bath properties at 25 °C (seed 004 gives no bath temperature: room temperature taken) ---
        Parameter("agf_bath_kinematic_viscosity_m2_per_s", 0.893e-6, "m2/s", _CRC,
                  "water at 25 °C: μ = 0.890 mPa s, ρ = 997.0 kg/m3 (CRC fluid tables); 1 wt % AgF (0.08 M) raises "
                  "it by ≲ 1 %", "derived", (1e-7, 1e-5)),
        Parameter("galvanic_cu_ion_diffusivity_m2_per_s", 0.714e-9, "m2/s", _CRC,
                  "limiting diffusion coefficient of Cu2+ in water at 25 °C (CRC ionic conductivity and diffusion "
                  "at infinite dilution)", "literature", (1e-10, 5e-9)),
        Parameter("ag_ion_partial_molar_volume_m3_per_mol", -0.8e-6, "m3/mol", _SH,
                  "standard partial molal volume of Ag+ at 25 °C, 1 bar: -0.8 cm3/mol (SH88.3 entry)", "literature",
                  (-5e-5, 5e-5)),
        Parameter("fluoride_ion_partial_molar_volume_m3_per_mol", -1.32e-6, "m3/mol", _SH,
                  "standard partial molal volume of F- at 25 °C, 1 bar: -1.32 cm3/mol", "literature", (-5e-5, 5e-5)),
        Parameter("cu_ion_partial_molar_volume_m3_per_mol", -24.6e-6, "m3/mol", _SH,
                  "standard partial molal volume of Cu2+ at 25 °C, 1 bar: -24.6 cm3/mol (electrostriction of the "
                  "small divalent ion)", "literature", (-5e-5, 5e-5)),
        # --- geometry of the seed's immersion ---
        Parameter("ag_immersion_sample_diameter_m", 0.012, "m", _Z,
                  "§2.1: Cu foil cut into Ø 12 mm disks before immersion (orientation in the beaker not stated): "
                  "the height of a vertical disk is its diameter, the area/perimeter of a flat one D/4", "literature",
                  (1e-4, 10.0)),
    ]
    return {"parameters": parameters, "citations": [_CC, _LM, _SH, _CRC, _Z, _A]}
