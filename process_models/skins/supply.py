"""Supply of each skin metal to the foil: vapour pressure, Hertz-Knudsen deposition flux, route feasibility.

Vapour pressure (Alcock, Itkin & Horrigan 1984; coefficients in the registry, ``skin_metals_literature``):
log10(p/Pa) = A - B/T + C·log10 T, solid below and liquid above the melting point.

Deposition flux of the vapour route, as for Zn (``process_models.uht.zn_supply``): the flux reaching the foil is
the line's transfer efficiency η (``zn_vapour_transfer_efficiency_frac``, fitted on the seed's Zn skin; the same
source-to-foil geometry is ASSUMED to carry over to the other metals) times the Hertz-Knudsen free-evaporation
flux of the source, J = η·α·p_sat(T_src)/√(2π M R T_src), with α = 1 (``zn_evaporation_coefficient_frac``).

Seed 002 §4 says the metals were deposited "near each metal's melting point": the source runs
``skin_source_superheat_K`` above it (Zn's 750 K - 692.68 K). :func:`assess_supply` then asks how long the
line needs to lay down a target loading and classes the route:

* ``vapour``: within the seed's 120 s stage II (``skin_vapour_marginal_time_s``);
* ``vapour (marginal)``: within ``skin_vapour_max_time_s``;
* otherwise the vapour route near the melting point is not a production route. The assessment then gives the
  **hotter source** that would deliver the loading in the seed's stage-II time, with its own warning, and
  points to the **contact/wetting route** (:func:`contact_loading_mol_per_m2`), whose loading is a setting
  with no kinetics behind it (no data). Seed note 002 §4 expects this for Sn and Al.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from process_models.citations import register
from process_models.errors import FoiltwinInputError, check_range
from process_models.parameters import parameters_or_default
from process_models.physical_constants import R, pi
from process_models.skins.phase_data import SKIN_METALS, skin_system

VAPOUR_T_MIN_K = 298.0
VAPOUR_T_MAX_K = 2500.0  # upper end of Alcock 1984's fitted range


def _key(metal: str) -> str:
    skin_system(metal)  # validates the name
    return metal.lower()


def melting_temperature_K(metal: str, params=None) -> float:
    p = parameters_or_default(params)
    return float(p[f"{_key(metal)}_melting_temperature_K"])


def molar_mass_kg_per_mol(metal: str, params=None) -> float:
    return float(parameters_or_default(params)[f"{_key(metal)}_molar_mass_kg_per_mol"])


def _coefficients(metal: str, phase: str, params) -> tuple[float, float, float]:
    k = _key(metal)
    return tuple(float(params[f"{k}_{phase}_vapour_log10p_{c}"]) for c in ("a_frac", "b_K", "c_frac"))


def vapour_pressure_Pa(metal: str, T_K: ArrayLike, params=None) -> NDArray[np.float64]:
    """Saturation vapour pressure of pure ``metal`` [Pa] at ``T_K`` (298-2500 K; solid/liquid by the melting point)."""
    register("Alcock1984", "skins.supply.vapour_pressure_Pa")
    p = parameters_or_default(params)
    T = np.asarray(T_K, dtype=float)
    bad = ~((T >= VAPOUR_T_MIN_K) & (T <= VAPOUR_T_MAX_K))
    if np.any(bad):
        raise FoiltwinInputError("temperature_K", float(T[bad].flat[0]),
                                 f"must lie in [{VAPOUR_T_MIN_K:g}, {VAPOUR_T_MAX_K:g}] K (Alcock 1984 range)")
    Tm = melting_temperature_K(metal, p)
    a_s, b_s, c_s = _coefficients(metal, "solid", p)
    a_l, b_l, c_l = _coefficients(metal, "liquid", p)
    log_T = np.log10(T)
    solid = a_s - b_s / T + c_s * log_T
    liquid = a_l - b_l / T + c_l * log_T
    return np.power(10.0, np.where(Tm > T, solid, liquid))


def vapourisation_enthalpy_J_per_mol(metal: str, T_K: float, params=None) -> float:
    """ΔH of sublimation/vaporisation implied by the equation, R·ln10·(B + C·T/ln10) [J/mol] (Clausius-Clapeyron)."""
    p = parameters_or_default(params)
    phase = "solid" if melting_temperature_K(metal, p) > T_K else "liquid"
    _, b, c = _coefficients(metal, phase, p)
    return float(R * (math.log(10.0) * b + c * T_K))


def hertz_knudsen_flux_mol_per_m2_s(metal: str, T_K: ArrayLike, params=None) -> NDArray[np.float64]:
    """Free-evaporation molar flux of pure ``metal`` at ``T_K`` [mol m⁻² s⁻¹] (α from the registry)."""
    register("Hertz-Knudsen", "skins.supply.hertz_knudsen_flux_mol_per_m2_s")
    p = parameters_or_default(params)
    T = np.asarray(T_K, dtype=float)
    M = molar_mass_kg_per_mol(metal, p)
    return p["zn_evaporation_coefficient_frac"] * vapour_pressure_Pa(metal, T, p) / np.sqrt(2.0 * pi * M * R * T)


def deposition_flux_mol_per_m2_s(metal: str, source_T_K: ArrayLike, params=None) -> NDArray[np.float64]:
    """Flux reaching the foil from a source of ``metal`` at ``source_T_K`` [mol m⁻² s⁻¹]: η × Hertz-Knudsen, with
    the transfer efficiency η fitted on the seed's Zn line (assumed to carry over: same geometry)."""
    register("Calibrated", "skins.supply.deposition_flux_mol_per_m2_s")
    p = parameters_or_default(params)
    return p["zn_vapour_transfer_efficiency_frac"] * hertz_knudsen_flux_mol_per_m2_s(metal, source_T_K, p)


def source_temperature_for_flux_K(metal: str, flux_mol_per_m2_s: float, params=None) -> float:
    """Source temperature at which the vapour route delivers ``flux_mol_per_m2_s`` to the foil [K] (bisection in
    ln p; the flux is monotonic in T). Raises if even 2500 K is not enough."""
    check_range("flux_mol_per_m2_s", flux_mol_per_m2_s, 0.0, None, low_inclusive=False, unit="mol/(m2 s)")
    p = parameters_or_default(params)

    def f(T: float) -> float:
        return math.log(float(deposition_flux_mol_per_m2_s(metal, T, p))) - math.log(flux_mol_per_m2_s)

    lo, hi = VAPOUR_T_MIN_K, VAPOUR_T_MAX_K
    if f(hi) < 0.0:
        raise FoiltwinInputError("flux_mol_per_m2_s", flux_mol_per_m2_s,
                                 f"at most {math.exp(f(hi)) * flux_mol_per_m2_s:.3g} mol/(m2 s) for {metal} "
                                 f"(source at {VAPOUR_T_MAX_K:g} K)")
    if f(lo) > 0.0:
        return lo
    while hi - lo > 1e-3:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if f(mid) < 0.0 else (lo, mid)
    return 0.5 * (lo + hi)


@dataclass(frozen=True)
class SupplyAssessment:
    """How ``metal`` can reach the foil: the vapour route near its melting point, and the alternative."""

    metal: str
    route: str  # "vapour", "vapour (marginal)", "contact or hot source"
    source_T_K: float
    vapour_pressure_Pa: float
    deposition_flux_mol_per_m2_s: float
    time_to_load_s: float
    hot_source_T_K: float  # source temperature that delivers the loading in the seed's stage-II time
    warnings: tuple[str, ...]


def assess_supply(metal: str, loading_mol_per_m2: float, params=None) -> SupplyAssessment:
    """Vapour route of ``metal`` near its melting point for a target areal loading [mol m⁻²], with its class and
    warnings (see the module docstring)."""
    check_range("skin_loading_mol_per_m2", loading_mol_per_m2, 0.0, 1.0, low_inclusive=False, unit="mol/m2")
    p = parameters_or_default(params)
    T_src = melting_temperature_K(metal, p) + p["skin_source_superheat_K"]
    p_sat = float(vapour_pressure_Pa(metal, T_src, p))
    J = float(deposition_flux_mol_per_m2_s(metal, T_src, p))
    t = loading_mol_per_m2 / J if J > 0.0 else math.inf
    t_seed = p["skin_vapour_marginal_time_s"]
    warnings: list[str] = []
    if t <= t_seed:
        route = "vapour"
    elif t <= p["skin_vapour_max_time_s"]:
        route = "vapour (marginal)"
        warnings.append(f"{metal}: the vapour route needs {t:.0f} s at {T_src:.0f} K (seed stage II: {t_seed:.0f} s); "
                        "a long deposition zone or a hotter source")
    else:
        route = "contact or hot source"
        warnings.append(f"{metal}: vapour near the melting point ({T_src:.0f} K, p = {p_sat:.2g} Pa) would need "
                        f"{t:.3g} s; use a contact/wetting route or a much hotter source")
    try:
        T_hot = source_temperature_for_flux_K(metal, loading_mol_per_m2 / t_seed, p)
    except FoiltwinInputError:
        T_hot = math.inf
    if route != "vapour":
        cu_melt = p["cu_melting_temperature_K"]
        where = "above the Cu melting point: the source must sit apart from the foil, shielded" if T_hot > cu_melt \
            else "below the Cu melting point"
        warnings.append(f"{metal}: a hotter source at {T_hot:.0f} K would deliver the loading in {t_seed:.0f} s "
                        f"({where}); its radiant heat load on the foil is not modelled")
    return SupplyAssessment(metal, route, T_src, p_sat, J, t, T_hot, tuple(warnings))


def contact_loading_mol_per_m2(metal: str, loading_kg_per_m2: float, params=None) -> float:
    """Areal amount [mol m⁻²] laid down by a contact/wetting route (molten-metal roll or dip) given as an areal
    mass [kg m⁻²]. A setting, not a prediction: no kinetics and no data exist for it (seed note 002 §4)."""
    check_range(f"{metal.lower()}_contact_loading_kg_per_m2", loading_kg_per_m2, 0.0, 0.1, unit="kg/m2")
    return loading_kg_per_m2 / molar_mass_kg_per_mol(metal, params)


__all__ = [
    "SKIN_METALS",
    "SupplyAssessment",
    "assess_supply",
    "contact_loading_mol_per_m2",
    "deposition_flux_mol_per_m2_s",
    "hertz_knudsen_flux_mol_per_m2_s",
    "source_temperature_for_flux_K",
    "vapour_pressure_Pa",
    "vapourisation_enthalpy_J_per_mol",
]
