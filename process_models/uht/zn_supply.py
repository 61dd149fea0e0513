"""Zn supply to the foil: the vapour route of seed 002 and the electroplated route.

Vapour route (seed 002 §2.1, Fig. 1a): a heated Zn source evaporates; the flux reaching the foil is a
fitted fraction (``zn_vapour_transfer_efficiency_frac``) of the Hertz-Knudsen free-evaporation flux of
the source, J = η·α_e·p_sat(T_src)/√(2π M R T_src). The seed's mean uptake is ~1e-4 of free
evaporation (seed note 002 §1a), so transport, not evaporation, limits the supply.

Plated route: an areal Zn loading laid down by the plating line, given directly.
"""

from __future__ import annotations

import numpy as np

from process_models.citations import register
from process_models.errors import check_range
from process_models.materials.properties import zn_vapour_pressure_Pa
from process_models.parameters.registry import ParameterValues
from process_models.physical_constants import R, pi


def hertz_knudsen_flux_mol_per_m2_s(T_K: np.ndarray, params: ParameterValues) -> np.ndarray:
    """Free-evaporation molar flux of pure Zn at temperature ``T_K`` [mol m⁻² s⁻¹]."""
    register("Hertz-Knudsen", "zn_supply.hertz_knudsen_flux_mol_per_m2_s")
    T = np.asarray(T_K, dtype=float)
    M = params["zn_molar_mass_kg_per_mol"]
    alpha = params["zn_evaporation_coefficient_frac"]
    return alpha * zn_vapour_pressure_Pa(T, params=params) / np.sqrt(2.0 * pi * M * R * T)


def vapour_supply_flux_mol_per_m2_s(source_T_K: np.ndarray, params: ParameterValues) -> np.ndarray:
    """Zn flux reaching the foil from a source at ``source_T_K`` [mol m⁻² s⁻¹] (fitted efficiency)."""
    register("Calibrated", "zn_supply.vapour_supply_flux_mol_per_m2_s")
    return params["zn_vapour_transfer_efficiency_frac"] * hertz_knudsen_flux_mol_per_m2_s(source_T_K, params)


def plated_loading_mol_per_m2(loading_kg_per_m2: np.ndarray, params: ParameterValues) -> np.ndarray:
    """Areal Zn amount [mol m⁻²] of a plated layer given its areal mass [kg m⁻²] (must be ≥ 0)."""
    loading = np.asarray(loading_kg_per_m2, dtype=float)
    for v in np.atleast_1d(loading):
        check_range("plated_zn_loading_kg_per_m2", v, 0.0, 0.1, unit="kg/m2")
    return loading / params["zn_molar_mass_kg_per_mol"]
