"""Energy per m² of the UHT stages and its physical lower bound.

Actual energy = electrical energy of the foil heater (heat delivered / heater efficiency, from the
thermal model, losses included) + the Zn source (heat to warm, melt and evaporate the Zn that leaves
the source: delivered Zn / ``zn_source_utilisation_frac``).
Lower bound = sensible heat of the foil between start and peak temperature + warming, melting and
evaporating the Zn that reached the foil (stage II) + latent heat of the Zn evaporated from the skin
(stage III). Losses, heater efficiency and source utilisation are what separate the two.
"""

from __future__ import annotations

import numpy as np

from process_models.parameters.registry import ParameterValues

J_PER_KWH = 3.6e6


def zn_evaporation_enthalpy_J_per_mol(source_T_K: np.ndarray, params: ParameterValues) -> np.ndarray:
    """Heat to take solid Zn from ambient to vapour at ``source_T_K`` [J mol⁻¹] (constant cp of Zn)."""
    dT = np.maximum(np.asarray(source_T_K, dtype=float) - params["ambient_temperature_K"], 0.0)
    sensible = params["zn_heat_capacity_J_per_kg_K"] * params["zn_molar_mass_kg_per_mol"] * dT
    return sensible + params["zn_fusion_enthalpy_J_per_mol"] + params["zn_vaporisation_enthalpy_J_per_mol"]


def zn_source_energy_J_per_m2(delivered_mol_per_m2: np.ndarray, source_T_K: np.ndarray,
                              params: ParameterValues) -> tuple[np.ndarray, np.ndarray]:
    """(actual, lower bound) heat [J m⁻²] spent on the Zn vapour that delivered ``delivered_mol_per_m2``."""
    per_mol = zn_evaporation_enthalpy_J_per_mol(source_T_K, params)
    bound = delivered_mol_per_m2 * per_mol
    return bound / params["zn_source_utilisation_frac"], bound


def to_kwh_per_m2(energy_J_per_m2: np.ndarray) -> np.ndarray:
    """Convert J m⁻² to kWh m⁻²."""
    return np.asarray(energy_J_per_m2, dtype=float) / J_PER_KWH
