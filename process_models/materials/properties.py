"""Temperature-dependent properties of Cu and Zn, each with its validity range.

Every function is vectorised over temperature (K) and registers its source. A temperature outside the
correlation's range raises :class:`~process_models.errors.FoiltwinInputError` (field ``temperature_K``)
unless the caller passes ``extrapolate=True``; then the value is continued linearly from the nearest end of
the range (for the vapour pressure: linearly in ln p against 1/T, the Clausius-Clapeyron form of the fit).
Scalar constants (molar masses, melting points) come from the parameter registry; the coefficients and
tables below are the correlations themselves, kept beside the function that evaluates them.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from process_models.citations import register
from process_models.errors import FoiltwinInputError
from process_models.materials.pchip import Pchip
from process_models.parameters import default_parameters
from process_models.physical_constants import atm, centi, micro

FloatArray = NDArray[np.float64]

# --- Matula 1979, recommended total resistivity of solid Cu (corrected for thermal expansion), µΩ·cm.
# 300-1300 K: Table as quoted in seed note 002 §5e. The last point is solid Cu at its melting point
# (Matula: ≈10.2 µΩ·cm; 10.17 continues the 1200-1300 K slope of 0.97 µΩ·cm per 100 K).
_MATULA_T_K = (300.0, 400.0, 500.0, 600.0, 700.0, 800.0, 900.0, 1000.0, 1100.0, 1200.0, 1300.0)
_MATULA_RHO_MICRO_OHM_CM = (1.725, 2.402, 3.090, 3.792, 4.514, 5.262, 6.041, 6.858, 7.717, 8.626, 9.592)
_MATULA_RHO_AT_MELTING_MICRO_OHM_CM = 10.17
_MICRO_OHM_CM_TO_OHM_M = micro * centi

# --- NIST-JANAF Shomate coefficients for solid Cu (Chase 1998), 298-1357.77 K;
# Cp [J/(mol K)] = A + B t + C t^2 + D t^3 + E/t^2 with t = T/1000 K.
_SHOMATE_CU = (17.72891, 28.09870, -31.25289, 13.97243, 0.068611)
CU_HEAT_CAPACITY_T_LOW_K = 298.0
"""Lower end [K] of the Shomate fit for solid Cu; the upper end is the Cu melting point."""
_SHOMATE_T_SCALE_K = 1000.0

# --- Zn vapour pressure.
# Liquid: ln p[Pa] = A - B/T, fitted to the CRC vapour-pressure table of Zn (1 Pa ... 101 kPa,
# 610-1180 K; seed note 002 §5d). Used up to the Cu melting point: above the 1180 K boiling point the
# same Clausius-Clapeyron form is continued; with ΔCp(vap) ≈ -10.6 J/(mol K) the neglected curvature
# changes p by ≈1 % at 1358 K.
_ZN_LIQUID_LN_PA = (23.59, 14238.0)
# Solid: log10 p[atm] = A - B/T (Alcock, Itkin & Horrigan 1984, Table 1), 298 K to the Zn melting point.
_ZN_SOLID_LOG10_ATM = (6.102, 6776.0)
_ZN_SOLID_T_LOW_K = 298.0


def _param(name: str, params: Mapping[str, float] | None) -> float:
    return float((default_parameters() if params is None else params)[name])


def _temperature(
    temperature_K: ArrayLike, low: float, high: float, correlation: str, extrapolate: bool
) -> FloatArray:
    """``temperature_K`` as a float array, checked against ``[low, high]`` unless extrapolating.

    With ``extrapolate=True`` only non-finite or non-positive temperatures are rejected.
    """
    T = np.asarray(temperature_K, dtype=float)
    if extrapolate:
        bad = ~(np.isfinite(T) & (T > 0.0))
        allowed = f"a finite temperature > 0 K (extrapolating {correlation})"
    else:
        bad = ~((low <= T) & (high >= T))
        allowed = f"[{low:g}, {high:g}] K (validity of {correlation})"
    if np.any(bad):
        raise FoiltwinInputError("temperature_K", float(T[bad].flat[0]), allowed)
    return T


# ---------------------------------------------------------------------------------------------------------
# Cu electrical resistivity (Matula 1979)
# ---------------------------------------------------------------------------------------------------------
@lru_cache(maxsize=4)
def _matula_interpolator(melting_temperature_K: float) -> tuple[Pchip, float, float, float, float]:
    """The PCHIP interpolant of the table and its values and slopes at both ends (for extrapolation).
    (:class:`~process_models.materials.pchip.Pchip`: scipy's PchipInterpolator bit for bit, without importing
    scipy.interpolate.)"""
    T = np.array([*_MATULA_T_K, melting_temperature_K])
    rho = np.array([*_MATULA_RHO_MICRO_OHM_CM, _MATULA_RHO_AT_MELTING_MICRO_OHM_CM])
    f = Pchip(T, rho * _MICRO_OHM_CM_TO_OHM_M)
    return f, float(f(T[0])), float(f(T[-1])), float(f.slope(T[0])), float(f.slope(T[-1]))


def _linear_continuation(
    T: FloatArray, inside: FloatArray, low: float, high: float, f_low: float, f_high: float,
    slope_low: float, slope_high: float,
) -> FloatArray:
    """Replace values outside ``[low, high]`` by the tangent lines at the range ends."""
    out = np.where(low > T, f_low + slope_low * (T - low), inside)
    return np.where(high < T, f_high + slope_high * (T - high), out)


def cu_resistivity_ohm_m(
    temperature_K: ArrayLike, *, extrapolate: bool = False, params: Mapping[str, float] | None = None
) -> FloatArray:
    """Electrical resistivity of solid Cu [ohm m], 300 K to the melting point.

    Monotone (PCHIP) interpolation of the Matula (1979) recommended values; 1.725 µΩ·cm at 300 K,
    ≈10.17 µΩ·cm at 1357.77 K.
    """
    register("Matula1979", "properties.cu_resistivity_ohm_m")
    high = _param("cu_melting_temperature_K", params)
    low = _MATULA_T_K[0]
    T = _temperature(temperature_K, low, high, "Matula 1979 Cu resistivity table", extrapolate)
    f, f_low, f_high, slope_low, slope_high = _matula_interpolator(high)
    inside = f(np.clip(T, low, high))
    if not extrapolate:
        return inside
    return _linear_continuation(T, inside, low, high, f_low, f_high, slope_low, slope_high)


# ---------------------------------------------------------------------------------------------------------
# Cu heat capacity and enthalpy (NIST-JANAF Shomate fit, Chase 1998)
# ---------------------------------------------------------------------------------------------------------
def _shomate_cp_molar(T: FloatArray) -> FloatArray:
    a, b, c, d, e = _SHOMATE_CU
    t = T / _SHOMATE_T_SCALE_K
    return a + t * (b + t * (c + t * d)) + e / t**2


def _shomate_cp_slope_molar(T: FloatArray) -> FloatArray:
    """d Cp / dT [J/(mol K2)] of the Shomate polynomial."""
    _, b, c, d, e = _SHOMATE_CU
    t = T / _SHOMATE_T_SCALE_K
    return (b + t * (2.0 * c + 3.0 * t * d) - 2.0 * e / t**3) / _SHOMATE_T_SCALE_K


def _shomate_enthalpy_molar(T: FloatArray) -> FloatArray:
    """∫ Cp dT [J/mol] (antiderivative of the Shomate Cp; the constant is irrelevant for differences)."""
    a, b, c, d, e = _SHOMATE_CU
    t = T / _SHOMATE_T_SCALE_K
    return _SHOMATE_T_SCALE_K * (t * (a + t * (b / 2.0 + t * (c / 3.0 + t * d / 4.0))) - e / t)


def _shomate_range(params: Mapping[str, float] | None) -> tuple[float, float]:
    return CU_HEAT_CAPACITY_T_LOW_K, _param("cu_melting_temperature_K", params)


_SHOMATE_NAME = "NIST-JANAF Shomate fit for solid Cu"


def cu_heat_capacity_J_per_kg_K(
    temperature_K: ArrayLike, *, extrapolate: bool = False, params: Mapping[str, float] | None = None
) -> FloatArray:
    """Specific heat of solid Cu [J/(kg K)], 298 K to the melting point (Chase 1998 Shomate fit / M_Cu)."""
    register("Chase1998", "properties.cu_heat_capacity_J_per_kg_K")
    low, high = _shomate_range(params)
    T = _temperature(temperature_K, low, high, _SHOMATE_NAME, extrapolate)
    cp = _shomate_cp_molar(np.clip(T, low, high))
    if extrapolate:
        ends = np.array([low, high])
        f_end, s_end = _shomate_cp_molar(ends), _shomate_cp_slope_molar(ends)
        cp = _linear_continuation(T, cp, low, high, f_end[0], f_end[1], s_end[0], s_end[1])
    return cp / _param("cu_molar_mass_kg_per_mol", params)


def _cu_enthalpy_molar(T: FloatArray, low: float, high: float) -> FloatArray:
    """Shomate antiderivative, continued exactly for the linearly extrapolated Cp outside [low, high]."""
    inside = _shomate_enthalpy_molar(np.clip(T, low, high))
    ends = np.array([low, high])
    cp_end, slope_end = _shomate_cp_molar(ends), _shomate_cp_slope_molar(ends)
    below = np.minimum(T - low, 0.0)
    above = np.maximum(T - high, 0.0)
    return (inside + cp_end[0] * below + 0.5 * slope_end[0] * below**2
            + cp_end[1] * above + 0.5 * slope_end[1] * above**2)


def cu_sensible_heat_J_per_kg(
    T1_K: ArrayLike, T2_K: ArrayLike, *, extrapolate: bool = False, params: Mapping[str, float] | None = None
) -> FloatArray:
    """∫_{T1}^{T2} cp dT of solid Cu [J/kg], exact (closed form of the Shomate polynomial, Chase 1998).

    Negative when T2 < T1. With ``extrapolate=True`` it integrates the linearly continued cp exactly.
    """
    register("Chase1998", "properties.cu_sensible_heat_J_per_kg")
    low, high = _shomate_range(params)
    T1 = _temperature(T1_K, low, high, _SHOMATE_NAME, extrapolate)
    T2 = _temperature(T2_K, low, high, _SHOMATE_NAME, extrapolate)
    dh = _cu_enthalpy_molar(T2, low, high) - _cu_enthalpy_molar(T1, low, high)
    return dh / _param("cu_molar_mass_kg_per_mol", params)


# ---------------------------------------------------------------------------------------------------------
# Zn vapour pressure (Alcock 1984 solid, CRC-table fit liquid)
# ---------------------------------------------------------------------------------------------------------
def _zn_ln_p_pa(T: FloatArray, melting_K: float) -> FloatArray:
    a_l, b_l = _ZN_LIQUID_LN_PA
    a_s, b_s = _ZN_SOLID_LOG10_ATM
    liquid = a_l - b_l / T
    solid = np.log(10.0) * (a_s - b_s / T) + np.log(atm)
    return np.where(melting_K <= T, liquid, solid)


def zn_vapour_pressure_Pa(
    temperature_K: ArrayLike, *, extrapolate: bool = False, params: Mapping[str, float] | None = None
) -> FloatArray:
    """Saturation vapour pressure of pure Zn [Pa], 298 K to the Cu melting point.

    Solid Zn below its melting point: Alcock et al. (1984). Liquid Zn: ln p[Pa] = 23.59 - 14238/T, a fit
    to the CRC table (seed note 002 §5d; 692.68-1180 K), continued to 1357.77 K in the same
    Clausius-Clapeyron form. The two branches meet within 2 % at 692.68 K (≈21 Pa). Outside the range,
    ``extrapolate=True`` continues the nearest branch in its own form (linear in ln p against 1/T).
    """
    register("Alcock1984", "properties.zn_vapour_pressure_Pa")
    register("CRC", "properties.zn_vapour_pressure_Pa")
    high = _param("cu_melting_temperature_K", params)
    T = _temperature(temperature_K, _ZN_SOLID_T_LOW_K, high,
                     "Alcock 1984 solid-Zn and CRC liquid-Zn vapour-pressure fits", extrapolate)
    return np.exp(_zn_ln_p_pa(T, _param("zn_melting_temperature_K", params)))


# ---------------------------------------------------------------------------------------------------------
# Cu thermal conductivity (Incropera 2007 Table A.1, pure Cu)
# ---------------------------------------------------------------------------------------------------------
# Recommended values for pure Cu, W/(m K); the seed note 002 §5e quotes the 300/600/1000/1200 K points.
# Above 1200 K the 1000-1200 K slope (-6.5 W/(m K) per 100 K) is continued to the melting point (≈329 W/(m K)).
# Wiedemann-Franz with the Matula resistivity agrees within 2 % over 300-1300 K (test).
_INCROPERA_CU_K_T_K = (200.0, 300.0, 400.0, 600.0, 800.0, 1000.0, 1200.0)
_INCROPERA_CU_K_W_PER_M_K = (413.0, 401.0, 393.0, 379.0, 366.0, 352.0, 339.0)
_CU_K_T_LOW_K = 200.0


@lru_cache(maxsize=4)
def _cu_conductivity_interpolator(melting_temperature_K: float) -> tuple[Pchip, float, float]:
    T = np.array([*_INCROPERA_CU_K_T_K, melting_temperature_K])
    slope = (_INCROPERA_CU_K_W_PER_M_K[-1] - _INCROPERA_CU_K_W_PER_M_K[-2]) / (
        _INCROPERA_CU_K_T_K[-1] - _INCROPERA_CU_K_T_K[-2])
    k = np.array([*_INCROPERA_CU_K_W_PER_M_K,
                  _INCROPERA_CU_K_W_PER_M_K[-1] + slope * (melting_temperature_K - _INCROPERA_CU_K_T_K[-1])])
    f = Pchip(T, k)
    return f, float(f.slope(T[0])), float(f.slope(T[-1]))


def cu_thermal_conductivity_W_per_m_K(
    temperature_K: ArrayLike, *, extrapolate: bool = False, params: Mapping[str, float] | None = None
) -> FloatArray:
    """Thermal conductivity of solid Cu [W/(m K)], 200 K to the melting point (Incropera 2007 Table A.1).

    Monotone (PCHIP) interpolation of the table: 401 W/(m K) at 300 K, 352 at 1000 K, 339 at 1200 K (the
    values quoted in seed note 002 §5e); continued with the 1000-1200 K slope to the melting point. The foils
    (≥ 4.5 µm) are 100× thicker than the electron mean free path of Cu (≈40 nm at 300 K), so no size effect.
    """
    register("Incropera2007", "properties.cu_thermal_conductivity_W_per_m_K")
    high = _param("cu_melting_temperature_K", params)
    T = _temperature(temperature_K, _CU_K_T_LOW_K, high, "Incropera 2007 Table A.1 Cu conductivity", extrapolate)
    f, slope_low, slope_high = _cu_conductivity_interpolator(high)
    inside = f(np.clip(T, _CU_K_T_LOW_K, high))
    if not extrapolate:
        return inside
    f_low, f_high = float(f(_CU_K_T_LOW_K)), float(f(high))
    return _linear_continuation(T, inside, _CU_K_T_LOW_K, high, f_low, f_high, slope_low, slope_high)


# ---------------------------------------------------------------------------------------------------------
# Argon (process gas): viscosity (Sutherland law, White 2006) and conductivity (Chapman-Enskog, monatomic)
# ---------------------------------------------------------------------------------------------------------
# White 2006 Table 1-2, argon: μ0 = 2.125e-5 Pa s at T0 = 273 K, Sutherland constant S = 144 K.
_AR_SUTHERLAND = (2.125e-5, 273.0, 144.0)
_AR_T_RANGE_K = (100.0, 2500.0)
ARGON_PRANDTL = 2.0 / 3.0
"""Prandtl number of a monatomic gas in the Chapman-Enskog first approximation, cp·μ/k = (5/2)/(15/4)."""


def argon_viscosity_Pa_s(temperature_K: ArrayLike) -> FloatArray:
    """Dynamic viscosity of Ar [Pa s], Sutherland law μ0·(T/T0)^1.5·(T0 + S)/(T + S) (White 2006 Table 1-2).

    Independent of pressure (dilute gas). 23.0 µPa·s at 300 K (measured 22.7, CRC).
    """
    register("White2006", "properties.argon_viscosity_Pa_s")
    T = _temperature(temperature_K, *_AR_T_RANGE_K, "Sutherland law for Ar (White 2006)", False)
    mu0, T0, S = _AR_SUTHERLAND
    return mu0 * (T / T0) ** 1.5 * (T0 + S) / (T + S)


def argon_thermal_conductivity_W_per_m_K(
    temperature_K: ArrayLike, params: Mapping[str, float] | None = None
) -> FloatArray:
    """Thermal conductivity of Ar [W/(m K)]: k = (15/4)·(R/M)·μ(T), exact in the Chapman-Enskog first
    approximation for a monatomic gas (Bird, Stewart & Lightfoot 2002 §9.3); 0.0179 W/(m K) at 300 K
    (measured 0.0177, CRC)."""
    register("BSL2002", "properties.argon_thermal_conductivity_W_per_m_K")
    from process_models.physical_constants import R

    return 3.75 * R / _param("argon_molar_mass_kg_per_mol", params) * argon_viscosity_Pa_s(temperature_K)
