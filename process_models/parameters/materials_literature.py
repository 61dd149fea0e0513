"""Thermophysical and molar properties of Cu, Zn and Cu-Zn phases (literature).

Scalar constants only; temperature-dependent correlations (Cu resistivity, Cu heat capacity, Zn vapour
pressure) live in :mod:`process_models.materials.properties` with their validity ranges. Where a value is quoted in
``shared/seed-notes/002-uht-cuzn-skin.md`` the ``where`` field names the section as well as the source.
"""

from __future__ import annotations

from process_models.parameters.registry import Parameter

# ITS-90 defining fixed points (CRC): the registry's ``cu_melting_temperature_K`` / ``zn_melting_temperature_K``.
# Fixed, not overridable; named here once so that bounds that need them before a registry exists (scenario and
# recipe fields, other parameters' ranges) import them instead of repeating the number.
CU_MELTING_TEMPERATURE_K = 1357.77
ZN_MELTING_TEMPERATURE_K = 692.68


def _alloy_molar_density(density_kg_per_m3: float, zn_frac: float, m_cu: float, m_zn: float) -> float:
    """Molar density [mol/m3] of a Cu(1-x)Zn(x) phase: density over the mean molar mass."""
    mean_molar_mass_kg_per_mol = (1.0 - zn_frac) * m_cu + zn_frac * m_zn
    return density_kg_per_m3 / mean_molar_mass_kg_per_mol


def get_parameter_values() -> dict:
    m_cu = Parameter("cu_molar_mass_kg_per_mol", 63.546e-3, "kg/mol", "CRC",
                     "standard atomic weight of Cu, 63.546(3) g/mol; bounds = its uncertainty",
                     "constant", (63.543e-3, 63.549e-3))
    m_zn = Parameter("zn_molar_mass_kg_per_mol", 65.38e-3, "kg/mol", "CRC",
                     "standard atomic weight of Zn, 65.38(2) g/mol; bounds = its uncertainty",
                     "constant", (65.36e-3, 65.40e-3))
    rho_alloy = Parameter("cuzn_alloy_density_kg_per_m3", 8470.0, "kg/m3", "ASM1990",
                          "alpha brass C27000 (Cu-35Zn), 8.47 g/cm3; seed note 002 §1a/§5e [L]; bounds "
                          "span 30-40 wt% Zn brasses", "literature", (8400.0, 8550.0))
    # Composition of the alpha skin, Cu0.64Zn0.36 (seed002 skin_reference_zn_frac); the density is quoted
    # for this alloy, so the molar density is fixed at it.
    x_alpha = 0.36
    molar_density = _alloy_molar_density(rho_alloy.value, x_alpha, m_cu.value, m_zn.value)
    parameters = [
        Parameter("cu_density_kg_per_m3", 8960.0, "kg/m3", "CRC",
                  "density of the elements at 20 °C (8.96 g/cm3); seed note 002 §5e; bounds cover rolled "
                  "and electrodeposited foil", "literature", (8800.0, 8970.0)),
        m_cu,
        m_zn,
        Parameter("zn_density_kg_per_m3", 7134.0, "kg/m3", "CRC",
                  "density of solid Zn at 25 °C (7.134 g/cm3); seed note 002 §1a", "literature",
                  (7100.0, 7150.0)),
        rho_alloy,
        Parameter("cuzn_alloy_molar_density_mol_per_m3", molar_density, "mol/m3", "ASM1990",
                  "cuzn_alloy_density_kg_per_m3 / ((1-x) M_Cu + x M_Zn) at x = 0.36 (Cu0.64Zn0.36)",
                  "derived", (1.0e5, 1.6e5)),
        Parameter("gamma_cu5zn8_density_kg_per_m3", 8000.0, "kg/m3", "Assumed",
                  "no measured value at hand; seed note 002 §1a [D] assumes ≈8.0 g/cm3 for gamma-Cu5Zn8 "
                  "(between alpha brass 8.47 and Zn 7.13)", "assumed", (7500.0, 8500.0)),
        Parameter("gamma_cu5zn8_zn_frac", 8.0 / 13.0, "1", "Liang2015",
                  "stoichiometry Cu5Zn8 = 8/13; the gamma field spans ≈0.57-0.70 (seed note 002 §5c)",
                  "derived", (0.57, 0.70)),
        Parameter("cu_melting_temperature_K", CU_MELTING_TEMPERATURE_K, "K", "CRC",
                  "ITS-90 defining fixed point (freezing point of Cu); not overridable", "constant",
                  (CU_MELTING_TEMPERATURE_K, CU_MELTING_TEMPERATURE_K)),
        Parameter("zn_melting_temperature_K", ZN_MELTING_TEMPERATURE_K, "K", "CRC",
                  "ITS-90 defining fixed point (freezing point of Zn, 692.677 K); not overridable",
                  "constant", (ZN_MELTING_TEMPERATURE_K, ZN_MELTING_TEMPERATURE_K)),
        Parameter("zn_vaporisation_enthalpy_J_per_mol", 115.3e3, "J/mol", "CRC",
                  "enthalpy of vaporization of Zn at the normal boiling point (1180 K); seed note 002 §5d "
                  "gives 115-118 kJ/mol; bounds cover its rise to ≈120 kJ/mol at 750 K", "literature",
                  (110.0e3, 125.0e3)),
        Parameter("zn_fusion_enthalpy_J_per_mol", 7322.0, "J/mol", "Chase1998",
                  "NIST-JANAF Zn condensed-phase table, fusion at 692.7 K (7.322 kJ/mol; seed note 002 §5d "
                  "7.32); later evaluations give 7.07 kJ/mol, hence the lower bound", "literature",
                  (7000.0, 7400.0)),
        Parameter("zn_heat_capacity_J_per_kg_K", 388.0, "J/(kg K)", "CRC",
                  "solid Zn at 298.15 K, 25.39 J/(mol K) / M_Zn; seed note 002 §5e; bounds span solid and "
                  "liquid Zn up to ≈1000 K (25.4-33.4 J/(mol K))", "literature", (370.0, 520.0)),
        Parameter("cu_fusion_enthalpy_J_per_mol", 13.26e3, "J/mol", "CRC",
                  "enthalpy of fusion of Cu at 1357.77 K; seed note 002 §5e (JANAF: 13.14 kJ/mol)",
                  "literature", (13.0e3, 13.4e3)),
        Parameter("argon_molar_mass_kg_per_mol", 39.948e-3, "kg/mol", "CRC",
                  "standard atomic weight of Ar, 39.948(1) g/mol (process gas of the UHT enclosure); bounds = its "
                  "uncertainty", "constant", (39.947e-3, 39.949e-3)),
        Parameter("foil_emissivity_frac", 0.05, "1", "Incropera2007",
                  "total hemispherical emissivity of clean hot Cu in inert gas; Table A.12 gives a few % for "
                  "polished Cu; seed note 002 §5e [L]: polished 0.02-0.05, clean hot 0.05-0.1, oxidised "
                  "0.6-0.8", "literature", (0.01, 1.0)),
    ]
    return {
        "parameters": parameters,
        "citations": ["CRC", "ASM1990", "Liang2015", "Chase1998", "Incropera2007", "Assumed"],
    }
