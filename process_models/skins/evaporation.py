"""Evaporation of a skin metal from the foil surface during the stage-III pulse (issue 14 item 4; Mg above all).

The surface releases the metal towards its equilibrium vapour, c_eq = a·p_sat(T)/(RT), with p_sat the cited vapour
pressure of the pure metal (:func:`process_models.skins.supply.vapour_pressure_Pa`, Alcock 1984) and the activity a
taken as the surface mole fraction (ideal solution: ASSUMED; for a pure film, a = 1 exactly). As for Zn
(:mod:`process_models.uht.zn_evaporation`), the Hertz–Knudsen kinetics act in series with transient diffusion into
the stagnant process gas:

    J = k_eff·c_eq,  1/k_eff = 1/(α·√(RT/2πM)) + 1/√(D_g/(π t)),

t the time since the foil entered the hot zone. D_g is the Zn–Ar diffusivity of the registry for every metal
(ASSUMED: no Mg–Ar value at hand; a lighter Mg atom diffuses ≈ 1.3× faster by the reduced-mass scaling, so the gas
term under-states Mg's loss by up to that factor). In vacuum (``process_gas_pressure_Pa`` = 0) only the kinetic term
is left: J = α·a·p_sat/√(2π M R T), the Hertz–Knudsen free-evaporation flux.

Stage II is not treated: its zone is filled with the source's vapour and the deposit there is net of re-evaporation.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from process_models.citations import register
from process_models.parameters import parameters_or_default
from process_models.physical_constants import R, pi
from process_models.skins import supply
from process_models.uht.zn_evaporation import gas_mass_transfer_coefficient_m_per_s


def evaporation_rate_mol_per_m2_s(metal: str, T_K: ArrayLike, time_in_zone_s: ArrayLike,
                                  params=None) -> NDArray[np.float64]:
    """k_eff·p_sat(T)/(RT): the evaporation flux of ``metal`` from a surface of activity 1 [mol m⁻² s⁻¹]
    (T below 298 K is read at 298 K, where every skin metal's flux is negligible)."""
    register("Hertz-Knudsen", "skins.evaporation.evaporation_rate_mol_per_m2_s")
    p = parameters_or_default(params)
    T = np.maximum(np.asarray(T_K, dtype=float), supply.VAPOUR_T_MIN_K)
    M = supply.molar_mass_kg_per_mol(metal, p)
    v_kin = p["zn_evaporation_coefficient_frac"] * np.sqrt(R * T / (2.0 * pi * M))
    k_gas = gas_mass_transfer_coefficient_m_per_s(T, time_in_zone_s, p)
    k_eff = 1.0 / (1.0 / v_kin + 1.0 / k_gas)
    return k_eff * supply.vapour_pressure_Pa(metal, T, p) / (R * T)


def _kinetic_and_gas(metal: str, T: NDArray[np.float64], p) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """A = 1/v_kin [s/m] and B = √(π/D_g) [s^½/m] (B = 0 in vacuum) at temperatures T."""
    M = supply.molar_mass_kg_per_mol(metal, p)
    A = 1.0 / (p["zn_evaporation_coefficient_frac"] * np.sqrt(R * T / (2.0 * pi * M)))
    k1 = gas_mass_transfer_coefficient_m_per_s(T, np.ones_like(T), p)  # √(D_g/π) at t = 1 s
    return A, np.where(np.isinf(k1), 0.0, 1.0 / np.where(np.isinf(k1), 1.0, k1))


def _time_integral(A: NDArray[np.float64], B: NDArray[np.float64], t: NDArray[np.float64]) -> NDArray[np.float64]:
    """F(t) with dF/dt = 1/(A + B√t): (2/B)·(√t − (A/B)·ln(1 + B√t/A)), and t/A where B = 0."""
    s = np.sqrt(t)
    safe_B = np.where(B > 0.0, B, 1.0)
    gas = (2.0 / safe_B) * (s - (A / safe_B) * np.log1p(safe_B * s / A))
    return np.where(B > 0.0, gas, t / A)


def evaporated_mol_per_m2(metal: str, time_s: ArrayLike, T_K: ArrayLike, activity: float = 1.0,
                          params=None) -> float:
    """∫ a·J dt over a temperature history [mol m⁻²]: the loss from a surface held at activity ``a`` (a pure film
    thicker than the loss: a = 1), t from the history's first sample. Each interval is integrated exactly in t at
    its mean temperature (the gas term's 1/√t would defeat trapezoids near t = 0)."""
    register("Hertz-Knudsen", "skins.evaporation.evaporated_mol_per_m2")
    p = parameters_or_default(params)
    t = np.asarray(time_s, dtype=float) - float(np.asarray(time_s, dtype=float)[0])
    T = np.maximum(np.asarray(T_K, dtype=float), supply.VAPOUR_T_MIN_K)
    Tm = 0.5 * (T[1:] + T[:-1])
    A, B = _kinetic_and_gas(metal, Tm, p)
    c_eq = supply.vapour_pressure_Pa(metal, Tm, p) / (R * Tm)
    return float(activity * np.sum(c_eq * (_time_integral(A, B, t[1:]) - _time_integral(A, B, t[:-1]))))


def constant_temperature_loss_mol_per_m2(metal: str, T_K: float, duration_s: float, params=None) -> float:
    """Closed form of the loss from a pure surface held at ``T_K`` for ``duration_s`` [mol m⁻²]: c_eq·F(τ) with
    A = 1/v_kin, B = √(π/D_g), F(τ) = ∫₀^τ dt/(A + B√t) = (2/B)·(√τ − (A/B)·ln(1 + B√τ/A)); in vacuum c_eq·τ/A =
    α·p_sat·τ/√(2π M R T)."""
    p = parameters_or_default(params)
    T = np.array([float(T_K)])
    A, B = _kinetic_and_gas(metal, T, p)
    c_eq = supply.vapour_pressure_Pa(metal, T, p) / (R * T)
    return float((c_eq * _time_integral(A, B, np.array([float(duration_s)])))[0])
