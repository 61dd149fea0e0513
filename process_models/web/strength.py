"""Temperature-dependent yield and tensile strength and Young's modulus of thin Cu foil.

Johnson-Cook law of OFHC copper (JohnsonCook1983, Table 1):

    σ(ε, ε̇, T) = (A + B εⁿ) (1 + C ln(ε̇/ε̇₀)) (1 − T*ᵐ),   T* = (T − T_r)/(T_melt − T_r)

- yield strength σ_y(T): ε = 0, times the foil factor k_f (thin-foil size effect, Simons2006, assumed value);
- tensile strength σ_ts(T): the engineering stress at necking. For the Ludwik hardening A + Bεⁿ, Considère's
  condition dσ/dε = σ gives the true necking strain ε_u from n B ε_u^(n−1) = A + B ε_u^n (solved by Newton), and
  σ_ts = k_f (A + B ε_uⁿ) e^(−ε_u) (1 + C ln ε̇*) (1 − T*ᵐ);
- Young's modulus E(T) = 2(1 + ν) μ₀ (1 + c (T − 300 K)/T_melt) (FrostAshby1982, ch. 4).

Johnson-Cook's thermal factor is separable, so σ_ts/σ_y does not depend on T (real Cu loses work hardening when
hot: above ~0.5 T_m the law overstates the tensile strength; docs/web_handling.md). Stresses in Pa, T in K.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from process_models.citations import register
from process_models.errors import check_array


@dataclass(frozen=True)
class FoilStrength:
    """Registry values of the strength law, read once (plain floats: the twin calls it per event)."""

    yield_rt_Pa: float
    """k_f · A · (1 + C ln ε̇*): yield strength at T_r."""
    tensile_rt_Pa: float
    """k_f · (A + B ε_uⁿ) e^(−ε_u) · (1 + C ln ε̇*): tensile strength at T_r."""
    necking_strain_frac: float
    reference_K: float
    melting_K: float
    softening_exponent: float
    shear_modulus_300K_Pa: float
    shear_modulus_coefficient: float
    poisson_ratio: float

    @classmethod
    def from_values(cls, p: Mapping[str, float]) -> FoilStrength:
        register("JohnsonCook1983", "web.strength")
        register("FrostAshby1982", "web.strength")
        A, B, n = p["cu_jc_yield_stress_Pa"], p["cu_jc_hardening_Pa"], p["cu_jc_hardening_exponent_frac"]
        rate = 1.0 + p["cu_jc_rate_sensitivity_frac"] * math.log(
            p["web_strain_rate_per_s"] / p["cu_jc_reference_strain_rate_per_s"])
        k = p["cu_foil_strength_factor_frac"] * max(rate, 0.0)
        eps_u = necking_strain(A, B, n)
        return cls(k * A, k * (A + B * eps_u**n) * math.exp(-eps_u), eps_u, p["cu_jc_reference_temperature_K"],
                   p["cu_jc_melting_temperature_K"], p["cu_jc_thermal_softening_exponent_frac"],
                   p["cu_shear_modulus_300K_Pa"], p["cu_shear_modulus_temperature_coefficient_frac"],
                   p["cu_poisson_ratio_frac"])

    def softening(self, temperature_K: ArrayLike) -> np.ndarray:
        """1 − T*ᵐ, with T* clipped to [0, 1] (no strength gain below T_r, none left at the melting point)."""
        T = np.asarray(temperature_K, dtype=float)
        t_star = np.clip((T - self.reference_K) / (self.melting_K - self.reference_K), 0.0, 1.0)
        return 1.0 - t_star**self.softening_exponent

    def yield_Pa(self, temperature_K: ArrayLike) -> np.ndarray:
        """Yield strength σ_y(T) [Pa]."""
        return self.yield_rt_Pa * self.softening(temperature_K)

    def tensile_Pa(self, temperature_K: ArrayLike) -> np.ndarray:
        """Tensile strength σ_ts(T) [Pa] (engineering stress at necking)."""
        return self.tensile_rt_Pa * self.softening(temperature_K)

    def youngs_modulus_Pa(self, temperature_K: ArrayLike) -> np.ndarray:
        """E(T) = 2(1 + ν) μ(T) [Pa], μ linear in T (FrostAshby1982), kept ≥ 1 % of μ₀."""
        T = np.asarray(temperature_K, dtype=float)
        mu = self.shear_modulus_300K_Pa * np.maximum(
            1.0 + self.shear_modulus_coefficient * (T - 300.0) / self.melting_K, 0.01)
        return 2.0 * (1.0 + self.poisson_ratio) * mu


def necking_strain(A_Pa: float, B_Pa: float, n: float) -> float:
    """True strain at necking of σ = A + Bεⁿ (Considère: n B ε^(n−1) = A + B εⁿ), by Newton on ln ε."""
    if B_Pa <= 0.0:
        return 0.0  # no hardening: necks at yield
    u = math.log(n)  # ln ε; start at ε = n (the root for A = 0)
    for _ in range(100):
        e = math.exp(u)
        g = n * B_Pa * e ** (n - 1.0) - A_Pa - B_Pa * e**n
        dg = (n - 1.0) * n * B_Pa * e ** (n - 1.0) - n * B_Pa * e**n  # dg/d(ln ε)
        step = g / dg
        u -= max(min(step, 2.0), -2.0)
        if abs(step) < 1e-13:
            break
    return math.exp(u)


def foil_strength(params: Mapping[str, float], temperature_K: ArrayLike) -> dict[str, np.ndarray]:
    """Yield and tensile strength [Pa] and Young's modulus [Pa] at ``temperature_K`` (array or scalar)."""
    T = check_array("temperature_K", temperature_K, 0.0, None, unit="K", low_inclusive=False)
    s = FoilStrength.from_values(params)
    return {"yield_Pa": s.yield_Pa(T), "tensile_Pa": s.tensile_Pa(T), "youngs_modulus_Pa": s.youngs_modulus_Pa(T)}
