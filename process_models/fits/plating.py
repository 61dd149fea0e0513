"""Fits of the plating constants: the Andrade viscosity law (8 table points, least squares) and the H2 exchange
current densities of the Zn baths (one point each: the handbook cathode-efficiency range)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from process_models.fits import FitResult
from process_models.parameters.registry import ParameterValues
from process_models.physical_constants import R, zero_Celsius

# CRC Handbook of Chemistry and Physics, "Viscosity of liquid water" (0.1 MPa), 20-80 °C [°C, mPa s]: the data
# of plating_viscosity_activation_energy_J_per_mol (8 points)
CRC_WATER_VISCOSITY: tuple[tuple[float, float], ...] = (
    (20.0, 1.0016), (25.0, 0.8900), (30.0, 0.7972), (40.0, 0.6527), (50.0, 0.5465), (60.0, 0.4660),
    (70.0, 0.4035), (80.0, 0.3540),
)


@dataclass(frozen=True)
class LinearFit:
    """Ordinary least squares y = X b: coefficients, residuals, hat diagonal and coefficient covariance."""

    coef: np.ndarray
    residuals: np.ndarray
    hat: np.ndarray
    cov: np.ndarray


def linear_least_squares(X: np.ndarray, y: np.ndarray) -> LinearFit:
    """b = argmin |y − X b|², cov = s²(XᵀX)⁻¹ with s² = RSS/(n − p) (the Jacobian of a linear model is X)."""
    n, p = X.shape
    if n <= p:
        raise ValueError(f"{n} points cannot give a residual variance for {p} coefficients")
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    res = y - X @ coef
    xtx_inv = np.linalg.inv(X.T @ X)
    hat = np.einsum("ij,jk,ik->i", X, xtx_inv, X)
    return LinearFit(coef, res, hat, float(res @ res) / (n - p) * xtx_inv)


def viscosity_design() -> tuple[np.ndarray, np.ndarray]:
    """(X, ln μ) of the Andrade law ln μ = c + E/(R T) on the CRC table (T in K)."""
    T = np.array([c for c, _ in CRC_WATER_VISCOSITY]) + zero_Celsius
    mu = np.array([m for _, m in CRC_WATER_VISCOSITY])
    return np.column_stack([np.ones_like(T), 1.0 / (R * T)]), np.log(mu)


def viscosity_activation_energy(params: ParameterValues) -> FitResult:
    fit = linear_least_squares(*viscosity_design())
    return FitResult(float(fit.coef[1]), math.sqrt(fit.cov[1, 1]),
                     f"Jacobian: least squares in ln μ on the {len(CRC_WATER_VISCOSITY)} CRC points, "
                     "cov = s²(JᵀJ)⁻¹, s² = RSS/(n − 2)")


def _her_exchange(bath: str, params: ParameterValues) -> FitResult:
    """i0,H for ε(typical point) = middle of the bath's efficiency range; sd from that range read as uniform,
    carried through the fit's slope dε/d ln i0,H (central difference, ±0.05 in ln i0,H)."""
    from process_models.plating.electrodeposition import (
        calibrate_her_exchange_current_density_A_per_m2,
        resolve_bath,
        typical_efficiency_frac,
    )

    b = resolve_bath(bath, params)
    i0 = calibrate_her_exchange_current_density_A_per_m2(b, params=params)
    lo, hi = b.cathode_efficiency_window_frac
    eps = [typical_efficiency_frac(replace(b, her_exchange_current_density_A_per_m2=i0 * math.exp(s)), params)
           for s in (-0.05, 0.05)]
    slope = (eps[1] - eps[0]) / 0.1
    sd_ln = (hi - lo) / math.sqrt(12.0) / abs(slope)
    return FitResult(i0, i0 * sd_ln,
                     f"stated range through the one-point solve: cathode efficiency {lo:.0%}-{hi:.0%} (seed note "
                     f"002 §5g) read as uniform, sd = {(hi - lo) / math.sqrt(12.0):.4f}, over the slope "
                     f"dε/d ln i0,H = {slope:.4f}: sd(ln i0,H) = {sd_ln:.2f}")


def her_exchange_zn_sulfate(params: ParameterValues) -> FitResult:
    return _her_exchange("zn_acid_sulfate", params)


def her_exchange_zn_chloride(params: ParameterValues) -> FitResult:
    return _her_exchange("zn_acid_chloride", params)


def her_exchange_zn_zincate(params: ParameterValues) -> FitResult:
    return _her_exchange("zn_alkaline_zincate", params)
