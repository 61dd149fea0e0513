"""Natural convection at a foil in a quiescent AgF bath: the steady diffusion layer of the galvanic displacement
Cu + 2 Ag⁺ → Cu²⁺ + 2 Ag (docs/texture_ag_quality.md §2).

The reaction consumes Ag⁺ at the foil and releases half as much Cu²⁺; the liquid at the foil is therefore lighter
than the bath, and buoyancy drives a boundary-layer flow. Heat/mass-transfer analogy (Incropera2007 §9.6, Nu → Sh,
Pr → Sc), per unit of one face:

- **Density difference** bath − interface: Δρ = c₀·[β_AgF − r·(D_Ag/D_Cu)^(1−n)·β_CuF₂], with
  β = M − ρ_w·V̄ the density increment of a salt (molar mass less the water its standard partial molar volume
  displaces; V̄ of the ions from Shock1988), r the Cu²⁺ left in solution per Ag⁺ consumed ((1 − φ)/(2 + φ) with φ
  the AgCuF₃ share; ½ without it), Ag⁺ fully consumed at the foil (transport-limited), and (D_Ag/D_Cu)^(1−n) the
  interfacial excess of the slower Cu²⁺ in the same flow (k ∝ D·Sc^n ∝ D^(1−n) for Sh ∝ (Gr·Sc)^n).
  Migration in the diffusion potential is neglected (the net ionic current is zero; the F⁻ follows as the salts).
- **Numbers**: Gr = g·|Δρ|·L³/(ρ·ν²), Sc = ν/D_Ag, Ra = Gr·Sc.
- **Correlations**: vertical plate, laminar (Churchill & Chu, Incropera eq. 9.27, Ra ≤ 1e9); horizontal plate
  facing up (Lloyd & Moran, eqs. 9.30-9.32, L = area/perimeter): lighter liquid below (unstable) 0.54·Ra^¼ up to
  Ra = 1e7 and 0.15·Ra^⅓ above, heavier liquid below (stable) 0.52·Ra^⅕. Outside a correlation's range the
  layer is refused (:class:`FoiltwinInputError` naming the length and the lengths that are in range).
- **Layer**: δ = L/Sh [m]. Bath depletion does not thin Δρ here (the initial concentration sets δ).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from process_models.citations import register
from process_models.errors import FoiltwinInputError, check_range
from process_models.errors import check_array as _check
from process_models.parameters import parameters_or_default as _values
from process_models.physical_constants import g as g_standard

FloatArray = NDArray[np.float64]
ParamsLike = Mapping[str, float] | None
Orientation = Literal["vertical", "horizontal_up"]
ORIENTATIONS: tuple[str, ...] = ("vertical", "horizontal_up")
_CALLER = "natural_convection"


def salt_density_increments_kg_per_mol(params: ParamsLike = None) -> tuple[float, float]:
    """(β_AgF, β_CuF₂) [kg/mol]: dρ/dc of each salt in water, M − ρ_w·(V̄_cation + ν_F·V̄_F⁻) (Shock1988 volumes)."""
    register("Shock1988", f"{_CALLER}.salt_density_increments_kg_per_mol")
    v = _values(params)
    rho_w, vf = v["agf_bath_density_kg_per_m3"], v["fluoride_ion_partial_molar_volume_m3_per_mol"]
    m_f = v["galvanic_f_molar_mass_kg_per_mol"]
    agf = v["agf_molar_mass_kg_per_mol"] - rho_w * (v["ag_ion_partial_molar_volume_m3_per_mol"] + vf)
    v_cuf2 = v["cu_ion_partial_molar_volume_m3_per_mol"] + 2.0 * vf
    cuf2 = (v["cu_molar_mass_kg_per_mol"] + 2.0 * m_f) - rho_w * v_cuf2
    return agf, cuf2


def cu_released_per_ag_ion(byproduct_frac: float) -> float:
    """Cu²⁺ left in solution per Ag⁺ consumed: (1 − φ)/(2 + φ) (Cu + 2Ag⁺ → Cu²⁺ + 2Ag; a share φ of the Cu²⁺
    precipitates as AgCuF₃ with one more Ag⁺)."""
    return (1.0 - byproduct_frac) / (2.0 + byproduct_frac)


def interfacial_density_difference_kg_per_m3(c0_mol_per_m3: ArrayLike, exponent: float, byproduct_frac: float = 0.0,
                                             params: ParamsLike = None) -> FloatArray:
    """Δρ = ρ_bath − ρ_interface [kg/m³] when all Ag⁺ is consumed at the foil and the Cu²⁺ leaves through the same
    flow (Sh ∝ Ra^exponent): c₀·[β_AgF − r·(D_Ag/D_Cu)^(1−exponent)·β_CuF₂]. Positive: the interface is lighter."""
    v = _values(params)
    agf, cuf2 = salt_density_increments_kg_per_mol(v)
    ratio = v["galvanic_ag_ion_diffusivity_m2_per_s"] / v["galvanic_cu_ion_diffusivity_m2_per_s"]
    cu_excess = cu_released_per_ag_ion(byproduct_frac) * ratio ** (1.0 - exponent)
    return np.asarray(c0_mol_per_m3, dtype=float) * (agf - cu_excess * cuf2)


@dataclass(frozen=True)
class ConvectionLayer:
    """Steady natural-convection layer per row (B,): δ = L/Sh [m], the numbers that set it, and the regime."""

    diffusion_layer_m: FloatArray
    sherwood_number: FloatArray
    rayleigh_number: FloatArray
    density_difference_kg_per_m3: FloatArray
    schmidt_number: float
    length_m: float
    orientation: str
    regime: tuple[str, ...]


def _regimes(orientation: str, dr: FloatArray, ra: FloatArray, v: Mapping[str, float]
             ) -> tuple[FloatArray, FloatArray, FloatArray, list[str]]:
    """(coefficient, exponent, max Ra, regime name) of each row's correlation."""
    if orientation == "vertical":
        n = np.full_like(ra, v["natconv_vertical_exponent_frac"])
        return (np.full_like(ra, v["natconv_vertical_coefficient_frac"]), n,
                np.full_like(ra, v["natconv_vertical_max_rayleigh_frac"]), ["vertical laminar (eq. 9.27)"] * ra.size)
    stable = dr < 0.0
    turbulent = ~stable & (ra > v["natconv_horizontal_unstable_transition_rayleigh_frac"])
    coef = np.where(stable, v["natconv_horizontal_stable_coefficient_frac"],
                    np.where(turbulent, v["natconv_horizontal_unstable_turbulent_coefficient_frac"],
                             v["natconv_horizontal_unstable_laminar_coefficient_frac"]))
    n = np.where(stable, 0.2, np.where(turbulent, 1.0 / 3.0, 0.25))
    ra_max = np.where(stable, v["natconv_horizontal_stable_max_rayleigh_frac"],
                      np.where(turbulent, v["natconv_horizontal_unstable_max_rayleigh_frac"],
                               v["natconv_horizontal_unstable_transition_rayleigh_frac"]))
    names = ["horizontal stable (eq. 9.32)" if s else "horizontal unstable turbulent (eq. 9.31)" if t
             else "horizontal unstable laminar (eq. 9.30)" for s, t in zip(stable, turbulent, strict=True)]
    return coef, n, ra_max, names


def default_length_m(orientation: str, params: ParamsLike = None) -> float:
    """The seed's Ø 12 mm disk: its height when vertical, its area/perimeter (D/4) when flat [m]."""
    d = _values(params)["ag_immersion_sample_diameter_m"]
    return d if orientation == "vertical" else d / 4.0


def natural_convection_layer(c0_mol_per_m3: ArrayLike, orientation: Orientation = "vertical",
                             length_m: float | None = None, byproduct_frac: float = 0.0,
                             params: ParamsLike = None, field: str = "length_m") -> ConvectionLayer:
    """Steady diffusion layer [m] at a foil in a quiescent bath of Ag⁺ concentration ``c0_mol_per_m3`` (B,).

    ``orientation`` "vertical" (``length_m`` = immersed height) or "horizontal_up" (``length_m`` = area/perimeter);
    ``None`` takes the seed's disk (:func:`default_length_m`). A Rayleigh number outside the correlation's range
    raises :class:`FoiltwinInputError` naming ``field`` with the lengths that are in range.
    """
    if orientation not in ORIENTATIONS:
        raise FoiltwinInputError("orientation", orientation, f"one of {', '.join(ORIENTATIONS)}")
    v = _values(params)
    register("Incropera2007", f"{_CALLER}.natural_convection_layer")
    register("ChurchillChu1975" if orientation == "vertical" else "LloydMoran1974",
             f"{_CALLER}.natural_convection_layer")
    register("CRC", f"{_CALLER}.natural_convection_layer")
    L = default_length_m(orientation, v) if length_m is None else check_range(field, length_m, 0.0, 100.0,
                                                                               low_inclusive=False, unit="m")
    c0 = np.atleast_1d(_check("agf_concentration_mol_per_m3", c0_mol_per_m3, 0.0, None, "mol/m3",
                              low_inclusive=False))
    nu, d_ag = v["agf_bath_kinematic_viscosity_m2_per_s"], v["galvanic_ag_ion_diffusivity_m2_per_s"]
    sc = nu / d_ag
    rho = v["agf_bath_density_kg_per_m3"]
    n = np.full(c0.shape, 0.25)
    for _ in range(2):  # the exponent sets the Cu²⁺ excess, the Rayleigh number the horizontal regime
        dr = interfacial_density_difference_kg_per_m3(c0, n, byproduct_frac, v)
        ra = g_standard * np.abs(dr) * L**3 / (rho * nu * nu) * sc
        coef, n, ra_max, names = _regimes(orientation, dr, ra, v)
    ra_min = v["natconv_min_rayleigh_frac"]
    bad = (ra < ra_min) | (ra > ra_max)
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        if ra[i] <= 0.0:
            raise FoiltwinInputError(field, L, "a bath whose interface density differs from the bulk (Δρ = 0: no "
                                     "natural convection)")
        lo, hi = L * (ra_min / ra[i]) ** (1 / 3), L * (ra_max[i] / ra[i]) ** (1 / 3)
        raise FoiltwinInputError(field, L, f"[{lo:.3g}, {hi:.3g}] m at {c0[i]:.3g} mol/m3: Ra = {ra[i]:.3g} is "
                                 f"outside [{ra_min:g}, {ra_max[i]:g}] of the {names[i]} correlation")
    if orientation == "vertical":
        psi = (1.0 + (v["natconv_prandtl_constant_frac"] / sc) ** (9.0 / 16.0)) ** (4.0 / 9.0)
        sh = v["natconv_vertical_offset_frac"] + coef * ra**n / psi
    else:
        sh = coef * ra**n
    return ConvectionLayer(diffusion_layer_m=L / sh, sherwood_number=sh, rayleigh_number=ra,
                           density_difference_kg_per_m3=dr, schmidt_number=sc, length_m=float(L),
                           orientation=orientation, regime=tuple(names))
