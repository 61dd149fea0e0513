"""Gas convection between a horizontal web and the walls of its enclosure, per face, from geometry and gas.

The web (temperature T) runs horizontally through an enclosure whose walls (at ``wall_temperature_K``, the
ambient) face it across gaps H_above and H_below filled with the process gas (Ar) at pressure p. Gas
properties at the film temperature T_f = (T + T_w)/2: μ by the Sutherland law (White2006), k = (15/4)(R/M)μ
and Pr = 2/3 (Chapman-Enskog, monatomic; BSL2002), ρ = pM/(R T_f), β = 1/T_f (ideal gas).

- **Unstable face** (above a web hotter than the walls, below a colder one): horizontal layer heated from
  below, Hollands, Raithby & Konicek (1975), Nu = 1 + 1.44[1 − 1708/Ra]⁺ + [(Ra/5830)^⅓ − 1]⁺ with
  Ra = gβ|ΔT|H³/(να) (Hollands1975; Incropera2007 §9.8, eq. 9.49).
- **Stable face**: the larger of conduction across the stably stratified layer (Nu = 1, Incropera2007 §9.8)
  and the edge-driven flow under a heated plate, Nu_L = 0.52 Ra_L^⅕ with L = A/P = W/2 of a long strip
  (Incropera2007 eq. 9.32, 1e4 ≤ Ra_L ≤ 1e9; used at Pr = 2/3, just under its Pr ≥ 0.7).
- **Rarefaction**: the gas resistance H/(Nu k) is put in series with one temperature-jump distance
  g = (2γ/(γ+1))·λ/Pr per wall (full accommodation, Kennard1938), λ = (μ/p)·√(πRT/(2M)). It is 0.3 µm at
  1 atm (no effect) and makes h vanish continuously as p → 0 (vacuum: no gas exchange).
- **Moving web** (forced convection of the gas the web drags along, Sakiadis flow): laminar continuous moving
  surface, Nu_x = 0.3492 Re_x^½ at Pr = 0.7 (Tsou1967), averaged over the heated length; blended with the
  natural term as (Nu_N³ + Nu_F³)^⅓ (Incropera2007 §9.9). :func:`forced_convection_share` shows it adds
  < 1 % at the line's speeds, so the loss model leaves it out.

Every coefficient is per face [W/(m² K)]; the loss of both faces is (h_above + h_below)·(T − T_w), scaled
by the registry's ``gas_convection_multiplier_frac`` (1 = the correlation, 0 = no gas exchange).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from process_models.citations import register
from process_models.errors import check_range
from process_models.materials.properties import ARGON_PRANDTL, argon_viscosity_Pa_s
from process_models.parameters import default_parameters
from process_models.physical_constants import R, g
from process_models.roots import bracketed_root
from process_models.rowwise import row_dot

FloatArray = NDArray[np.float64]

# Hollands et al. (1975): critical Rayleigh number, coefficient of the first bracket, scale of the second.
_HOLLANDS_RA_CRITICAL = 1708.0
_HOLLANDS_COEFFICIENT = 1.44
_HOLLANDS_RA_SCALE = 5830.0
# Incropera (2007) eq. 9.32: lower surface of a heated plate.
_LOWER_PLATE = (0.52, 0.2)
# Tsou, Sparrow & Goldstein (1967): local Nu_x / Re_x^1/2 of a continuous moving surface at Pr = 0.7.
_TSOU_NU_COEFFICIENT = 0.3492
# Incropera (2007) §9.9: blending exponent of forced and natural convection.
_BLEND_EXPONENT = 3.0
_GAMMA_MONATOMIC = 5.0 / 3.0
_SLOPE_STEP_K = 0.01
# Quadrature of the convective loss over T: panels split at the correlation's kinks and on a geometric
# ladder in |T - T_w| (ratio 2, 1e-2 ... 1e4 K), Gauss-Legendre on each (≈1e-12 relative on smooth panels).
_LADDER_K = 1e-2 * 2.0 ** np.arange(0, 21)
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(8)


def _scalar(x: float, f) -> float:
    return float(f(np.array([x]))[0])


@dataclass(frozen=True)
class GasEnclosure:
    """Geometry and gas of the web's enclosure (equipment data from the registry)."""

    gap_above_m: float
    gap_below_m: float
    web_width_m: float
    pressure_Pa: float
    gas_molar_mass_kg_per_mol: float
    wall_temperature_K: float
    multiplier_frac: float = 1.0

    @classmethod
    def from_values(cls, values: Mapping[str, float] | None = None) -> GasEnclosure:
        """From the registry: ``enclosure_gap_above_m``, ``enclosure_gap_below_m``, ``web_width_m``,
        ``process_gas_pressure_Pa``, ``argon_molar_mass_kg_per_mol``, ``ambient_temperature_K`` (walls) and
        ``gas_convection_multiplier_frac``."""
        v = default_parameters() if values is None else values
        return cls(
            gap_above_m=float(v["enclosure_gap_above_m"]), gap_below_m=float(v["enclosure_gap_below_m"]),
            web_width_m=float(v["web_width_m"]), pressure_Pa=float(v["process_gas_pressure_Pa"]),
            gas_molar_mass_kg_per_mol=float(v["argon_molar_mass_kg_per_mol"]),
            wall_temperature_K=float(v["ambient_temperature_K"]),
            multiplier_frac=float(v["gas_convection_multiplier_frac"]),
        )

    # ----------------------------------------------------------------------------------- gas state
    def _gas(self, T: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
        """(ΔT = T − T_w, k, gβ/(να) [1/(K m³)], temperature-jump distance g [m], T_f) at the film temperature."""
        T_w = self.wall_temperature_K
        dT = T - T_w
        T_f = 0.5 * (T + T_w)
        M, p = self.gas_molar_mass_kg_per_mol, self.pressure_Pa
        mu = argon_viscosity_Pa_s(T_f)
        k = 3.75 * R / M * mu
        rho = p * M / (R * T_f)
        nu = mu / rho if p > 0.0 else np.full_like(T_f, np.inf)
        alpha = nu / ARGON_PRANDTL
        buoyancy = g / T_f / (nu * alpha)
        mean_free_path = mu / p * np.sqrt(math.pi * R * T_f / (2.0 * M)) if p > 0.0 else np.full_like(T_f, np.inf)
        jump = 2.0 * _GAMMA_MONATOMIC / (_GAMMA_MONATOMIC + 1.0) * mean_free_path / ARGON_PRANDTL
        return dT, k, buoyancy, jump, T_f

    def _unstable_nu(self, ra: FloatArray) -> FloatArray:
        return (1.0 + _HOLLANDS_COEFFICIENT * np.maximum(1.0 - _HOLLANDS_RA_CRITICAL / np.maximum(ra, 1e-300), 0.0)
                + np.maximum(np.cbrt(ra / _HOLLANDS_RA_SCALE) - 1.0, 0.0))

    def face_coefficients_W_per_m2_K(self, temperature_K: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """(h_above, h_below) [W/(m² K)] of the correlation (without the multiplier) at web temperature T."""
        register("Hollands1975", "enclosure_convection.face_coefficients_W_per_m2_K")
        register("Incropera2007", "enclosure_convection.face_coefficients_W_per_m2_K")
        register("Kennard1938", "enclosure_convection.face_coefficients_W_per_m2_K")
        T = np.asarray(temperature_K, dtype=float)
        if self.pressure_Pa <= 0.0:
            return np.zeros_like(T), np.zeros_like(T)
        dT, k, buoyancy, jump, _ = self._gas(T)
        hot = dT >= 0.0
        H_unstable = np.where(hot, self.gap_above_m, self.gap_below_m)
        H_stable = np.where(hot, self.gap_below_m, self.gap_above_m)
        ra = buoyancy * np.abs(dT) * H_unstable**3
        h_unstable = k / (H_unstable / self._unstable_nu(ra) + 2.0 * jump)
        L = 0.5 * self.web_width_m
        c, n = _LOWER_PLATE
        nu_plate = c * (buoyancy * np.abs(dT) * L**3) ** n
        h_plate = np.divide(k, L / np.maximum(nu_plate, 1e-300) + jump)
        h_stable = np.maximum(k / (H_stable + 2.0 * jump), h_plate)
        return np.where(hot, h_unstable, h_stable), np.where(hot, h_stable, h_unstable)

    def coefficient_W_per_m2_K(self, temperature_K: ArrayLike) -> FloatArray:
        """Mean coefficient per face [W/(m² K)], multiplier applied: the loss of both faces is 2·h·(T − T_w)."""
        h_a, h_b = self.face_coefficients_W_per_m2_K(temperature_K)
        return 0.5 * self.multiplier_frac * (h_a + h_b)

    def flux_W_per_m2(self, temperature_K: ArrayLike) -> FloatArray:
        """Convective loss of both faces [W/m²], (h_above + h_below)·(T − T_w)·multiplier."""
        T = np.asarray(temperature_K, dtype=float)
        if self.multiplier_frac == 0.0:
            return np.zeros_like(T)
        return 2.0 * self.coefficient_W_per_m2_K(T) * (T - self.wall_temperature_K)

    def flux_and_slope(self, temperature_K: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Convective loss of both faces [W/m²] and its derivative in T [W/(m² K)] (central difference)."""
        T = np.asarray(temperature_K, dtype=float)
        if self.multiplier_frac == 0.0:
            return np.zeros_like(T), np.zeros_like(T)
        slope = (self.flux_W_per_m2(T + _SLOPE_STEP_K) - self.flux_W_per_m2(T - _SLOPE_STEP_K)) / (2 * _SLOPE_STEP_K)
        return self.flux_W_per_m2(T), slope

    # ----------------------------------------------------------------------------------- quadrature
    @cached_property
    def _breakpoints_K(self) -> FloatArray:
        """Web temperatures where the correlation has a kink (its brackets open, the stable side switches
        mechanism), the wall temperature, and a geometric ladder in |T − T_w| on either side. They do not depend
        on the multiplier: enclosures that differ only in it share one search (:func:`_breakpoints_of`)."""
        return _breakpoints_of(replace(self, multiplier_frac=1.0))

    def _find_breakpoints_K(self) -> FloatArray:
        """The search behind :attr:`_breakpoints_K` (roots of :meth:`_kink_functions` on a log grid in ΔT)."""
        T_w = self.wall_temperature_K
        points = [T_w, *(T_w + _LADDER_K), *(T_w - _LADDER_K[T_w - 1.0 > _LADDER_K])]
        if self.pressure_Pa > 0.0:
            for sign in (1.0, -1.0):
                dT = sign * np.geomspace(1e-4, 1e3 if sign > 0 else T_w - 1.0, 400)
                for f in self._kink_functions(sign):
                    v = f(dT)
                    for i in np.flatnonzero(np.sign(v[:-1]) * np.sign(v[1:]) < 0):
                        points.append(T_w + bracketed_root(lambda u, f=f: _scalar(u, f), dT[i], dT[i + 1],
                                                           xtol=1e-12))
        return np.unique(np.array(points, dtype=float))

    def _kink_functions(self, sign: float) -> list:
        T_w = self.wall_temperature_K
        H_u = self.gap_above_m if sign > 0 else self.gap_below_m
        H_s = self.gap_below_m if sign > 0 else self.gap_above_m
        L = 0.5 * self.web_width_m

        def ra(dT: FloatArray, H: float) -> FloatArray:
            return self._gas(T_w + dT)[2] * np.abs(dT) * H**3

        def stable_switch(dT: FloatArray) -> FloatArray:
            _, k, _, jump, _ = self._gas(T_w + dT)
            c, n = _LOWER_PLATE
            return k / (L / (c * ra(dT, L) ** n) + jump) - k / (H_s + 2.0 * jump)

        return [lambda dT: ra(dT, H_u) - _HOLLANDS_RA_CRITICAL, lambda dT: ra(dT, H_u) - _HOLLANDS_RA_SCALE,
                stable_switch]

    def flux_integral_W_K_per_m2(self, T0_K: ArrayLike, T1_K: ArrayLike) -> FloatArray:
        """∫_{T0}^{T1} (convective loss of both faces) dT [W K/m²], elementwise (negative when T1 < T0)."""
        T0 = np.atleast_1d(np.asarray(T0_K, dtype=float))
        T1 = np.atleast_1d(np.asarray(T1_K, dtype=float))
        T0, T1 = np.broadcast_arrays(T0, T1)
        if self.multiplier_frac == 0.0 or self.pressure_Pa <= 0.0:
            return np.zeros(T0.shape)
        lo, hi = np.minimum(T0, T1), np.maximum(T0, T1)
        K = self._breakpoints_K
        pts = np.sort(np.concatenate([lo[:, None], np.clip(K[None, :], lo[:, None], hi[:, None]), hi[:, None]],
                                     axis=1), axis=1)
        a, b = pts[:, :-1], pts[:, 1:]
        half = 0.5 * (b - a)
        nodes = (0.5 * (a + b))[..., None] + half[..., None] * _GL_NODES
        values = self.flux_W_per_m2(nodes)
        total = np.sum(half * row_dot(values, _GL_WEIGHTS), axis=1)
        return np.where(T1 >= T0, total, -total)


@lru_cache(maxsize=32)
def _breakpoints_of(enclosure: GasEnclosure) -> FloatArray:
    """The kinks and ladder of :attr:`GasEnclosure._breakpoints_K` for one geometry and gas (read-only; kept for
    the last enclosures by value, so every parameter draw of the uncertainty work that leaves the enclosure alone
    skips the root searches)."""
    points = enclosure._find_breakpoints_K()
    points.flags.writeable = False
    return points


def forced_convection_share(enclosure: GasEnclosure, temperature_K: float, speed_m_per_s: float,
                            heated_length_m: float) -> float:
    """Relative rise of the mean coefficient per face when the moving web's forced convection is added.

    Forced: laminar continuous moving surface (Tsou1967), h_F = 2·0.3492·k·Re_ℓ^½/ℓ averaged over the heated
    length ℓ, Re_ℓ = vℓ/ν; blended per face as (h_N³ + h_F³)^⅓ (Incropera2007 §9.9). Returns
    mean(blended)/mean(natural) − 1.
    """
    register("Tsou1967", "enclosure_convection.forced_convection_share")
    check_range("speed_m_per_s", speed_m_per_s, 0.0, None, unit="m/s")
    check_range("heated_length_m", heated_length_m, 0.0, None, low_inclusive=False, unit="m")
    T = np.array([float(temperature_K)])
    h_a, h_b = enclosure.face_coefficients_W_per_m2_K(T)
    _, k, buoyancy, _, T_f = enclosure._gas(T)
    nu = math.sqrt(g / T_f[0] / buoyancy[0] * ARGON_PRANDTL)  # ν from gβ/(να) = g/(T_f ν²/Pr)
    re = speed_m_per_s * heated_length_m / nu
    h_F = 2.0 * _TSOU_NU_COEFFICIENT * float(k[0]) * math.sqrt(re) / heated_length_m
    n = _BLEND_EXPONENT
    blended = sum((float(h[0]) ** n + h_F**n) ** (1.0 / n) for h in (h_a, h_b))
    return blended / float(h_a[0] + h_b[0]) - 1.0
