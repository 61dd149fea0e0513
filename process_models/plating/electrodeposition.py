"""Electrodeposition on a moving web: transport, partial currents, Faraday, cell voltage, bath state, uniformity.

SI units throughout (A/m2, mol/m3, m, s, K, V vs SHE). Cathodic currents and overpotentials are positive.
Inputs may be scalars or 1-D arrays of one common length B (broadcast); outputs follow the broadcast shape.

Model (docs/electrodeposition.md has the derivations and limits):

- **Temperature:** D ∝ T/μ(T) (Stokes-Einstein), κ ∝ 1/μ(T) (Walden), ν ∝ μ(T), with an Andrade fit of the
  water viscosity (CRC); exchange current densities Arrhenius (assumed activation energies).
- **Mass transport:** j_L = n·F·D·c_b/δ, δ = D/k. The web-driven coefficient k_web is averaged over one tank
  length: a web pulled through a quiescent bath drags a boundary layer with it (Sakiadis flow, Tsou1967); for
  Sc ≫ 1 the diffusion layer rides with the web and Sh = (2/√π)(Re·Sc)^½ ("moving_web"). For bath pumped past
  the web, the flat-plate correlations of Incropera2007 §7.2, Sh = 0.664 Re^½ Sc^⅓ (laminar) and the mixed
  laminar/turbulent form above Re_c ("plate_in_flow"). Tank agitation gives a floor k_ag = D/δ_ag; the two
  are blended as k = (k_web³ + k_ag³)^⅓ (Incropera2007 §9.9).
- **Kinetics:** metal by Butler-Volmer, first order in the surface concentration c_s = c_b(1 - j_M/j_L), which
  gives exactly j_M = (j_c - j_a)/(1 + j_c/j_L) with j_c = i0·exp(α_c f η), j_a = i0·exp(-α_a f η), η measured
  from the bulk equilibrium potential (Newman2004 ch. 8; Bard2001 §3.4); i0 ∝ (c/c°)^(α_a/n). Side reaction H2
  evolution by cathodic Tafel kinetics from its own equilibrium potential -(RT ln10/F)·pH. The cathode potential
  for a given total j is found by vectorised bisection (the total current is strictly monotone in η).
- **Cell:** V = (E_eq,a - E_eq,c) + η_c + η_a + j·gap/κ + contact drop. Soluble anodes dissolve the plated metal
  (E_eq,a = E_eq,c); insoluble anodes evolve O2.
- **Bath balance:** one well-mixed tank of constant volume (level control refills drag-out with make-up);
  exact integration over a step with constant inputs, so the metal balance closes to round-off.
- **Cross-web uniformity:** finite-volume Laplace solve across the half web between two anode planes, linearised
  (secondary) kinetics as a Robin condition characterised by the Wagner number Wa = κ·(dη/dj)/gap; Wa → 0 is the
  primary distribution, whose closed form (conformal map) :func:`primary_edge_distribution` gives for checks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from process_models.citations import register
from process_models.errors import FoiltwinInputError, check_array, check_range
from process_models.physical_constants import N_A, R, e, hour, kilo, zero_Celsius
from process_models.plating.baths import (
    ANODE_KINDS,
    Bath,
    DepositMetal,
    PlatingConstants,
    plating_constants,
    resolve_bath,
    resolve_metal,
)

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
ParamsLike = Mapping[str, float] | None
BathLike = Bath | str
FlowModel = Literal["moving_web", "plate_in_flow"]
FLOW_MODELS: tuple[str, ...] = ("moving_web", "plate_in_flow")

F = e * N_A  # Faraday constant [C/mol], exact in the 2019 SI

# Input limits (validation only; physics constants come from the registry).
_MAX_CURRENT_DENSITY_A_PER_M2 = 1e8
_MAX_CONCENTRATION_MOL_PER_M3 = 1e4
_AQUEOUS_T_RANGE_K = (zero_Celsius, zero_Celsius + 100.0)  # liquid water at 1 atm
_MAX_DIFFUSION_LAYER_M = 1e-2
# Numerics: bisection halvings (interval ≤ 3 V → below double precision) and exponent clip against overflow.
_BISECTION_STEPS = 80
_EXP_CLIP = 700.0
# Wagner numbers above this are treated as exactly uniform.
_WA_UNIFORM = 1e9
# Gauss-Legendre nodes per cell for the analytic primary distribution.
_GL_X, _GL_W = np.polynomial.legendre.leggauss(8)


# ---------------------------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------------------------
def _arr(
    field: str, value: ArrayLike, low: float | None, high: float | None, unit: str, *, low_inclusive: bool = True,
) -> FloatArray:
    """``value`` as a float array (scalar or shape (B,)); the first element outside the range raises."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim > 1:
        raise FoiltwinInputError(field, arr.shape, "a scalar or a 1-D array of shape (B,)")
    return check_array(field, arr, low, high, unit, low_inclusive=low_inclusive)


def _current(field: str, value: ArrayLike) -> FloatArray:
    return _arr(field, value, 0.0, _MAX_CURRENT_DENSITY_A_PER_M2, "A/m2", low_inclusive=False)


def _conditions(
    bath: Bath, consts: PlatingConstants, concentration: ArrayLike | None, temperature: ArrayLike | None,
    diffusion_layer: ArrayLike | None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(c_b, T, δ) with bath defaults for ``None`` (δ default: the agitation floor)."""
    c = _arr("concentration_mol_per_m3", bath.metal_concentration_mol_per_m3 if concentration is None
             else concentration, 0.0, _MAX_CONCENTRATION_MOL_PER_M3, "mol/m3", low_inclusive=False)
    T = _temperature(bath, temperature)
    d = _arr("diffusion_layer_m", consts.plating_agitation_diffusion_layer_m if diffusion_layer is None
             else diffusion_layer, 0.0, _MAX_DIFFUSION_LAYER_M, "m", low_inclusive=False)
    return c, T, d


def _temperature(bath: Bath, temperature: ArrayLike | None) -> FloatArray:
    lo, hi = _AQUEOUS_T_RANGE_K
    return _arr("temperature_K", bath.temperature_K if temperature is None else temperature, lo, hi, "K")


def _anode(bath: Bath, anode: str | None) -> str:
    kind = bath.default_anode if anode is None else anode
    if kind not in ANODE_KINDS:
        raise FoiltwinInputError("anode", kind, f"one of {', '.join(ANODE_KINDS)}")
    return kind


def _use_bath(bath: BathLike, params: ParamsLike, caller: str) -> Bath:
    """Resolve ``bath`` and register the sources its data come from."""
    b = resolve_bath(bath, params)
    for key in b.sources:
        register(key, f"electrodeposition.{caller}")
    return b


def _exp(x: ArrayLike) -> FloatArray:
    return np.exp(np.clip(x, -_EXP_CLIP, _EXP_CLIP))


# ---------------------------------------------------------------------------------------------------------
# Temperature scaling of transport properties
# ---------------------------------------------------------------------------------------------------------
def _viscosity_ratio(T: FloatArray, k: PlatingConstants) -> FloatArray:
    """μ(T)/μ(T_ref), Andrade form fitted to water (CRC)."""
    return np.exp(k.plating_viscosity_activation_energy_J_per_mol / R
                  * (1.0 / T - 1.0 / k.plating_reference_temperature_K))


def conductivity_S_per_m(bath: BathLike, temperature_K: ArrayLike | None = None,
                         params: ParamsLike = None) -> FloatArray:
    """Bath conductivity κ(T) [S/m]: κ_ref·μ_ref/μ(T) (Walden's rule)."""
    register("CRC", "electrodeposition.conductivity_S_per_m")
    b, k = resolve_bath(bath, params), plating_constants(params)
    return b.conductivity_S_per_m / _viscosity_ratio(_temperature(b, temperature_K), k)


def metal_diffusivity_m2_per_s(bath: BathLike, temperature_K: ArrayLike | None = None,
                               params: ParamsLike = None) -> FloatArray:
    """Metal-ion diffusivity D(T) [m2/s]: D_ref·(T/T_ref)·μ_ref/μ(T) (Stokes-Einstein)."""
    register("CRC", "electrodeposition.metal_diffusivity_m2_per_s")
    b, k = resolve_bath(bath, params), plating_constants(params)
    T = _temperature(b, temperature_K)
    return b.metal_diffusivity_m2_per_s * (T / k.plating_reference_temperature_K) / _viscosity_ratio(T, k)


def kinematic_viscosity_m2_per_s(temperature_K: ArrayLike, params: ParamsLike = None) -> FloatArray:
    """Bath kinematic viscosity ν(T) [m2/s] (density taken constant)."""
    k = plating_constants(params)
    T = _arr("temperature_K", temperature_K, *_AQUEOUS_T_RANGE_K, "K")
    return k.plating_kinematic_viscosity_m2_per_s * _viscosity_ratio(T, k)


# ---------------------------------------------------------------------------------------------------------
# Mass transport
# ---------------------------------------------------------------------------------------------------------
def mass_transfer_coefficient_m_per_s(
    bath: BathLike, speed_m_per_s: ArrayLike, tank_length_m: ArrayLike, temperature_K: ArrayLike | None = None, *,
    flow_model: FlowModel = "moving_web", agitation_layer_m: ArrayLike | None = None, params: ParamsLike = None,
) -> FloatArray:
    """Tank-averaged metal-ion mass-transfer coefficient k [m/s] at the web.

    ``speed_m_per_s`` is the web speed ("moving_web", quiescent bath) or the bath velocity along a still web
    ("plate_in_flow"); 0 leaves only the agitation floor D/δ_ag. Sources: Tsou1967 (moving surface), Incropera2007
    §7.2 (flat plate, Re_c) and §9.9 (blending exponent 3).
    """
    if flow_model not in FLOW_MODELS:
        raise FoiltwinInputError("flow_model", flow_model, f"one of {', '.join(FLOW_MODELS)}")
    register("Incropera2007", "electrodeposition.mass_transfer_coefficient_m_per_s")
    if flow_model == "moving_web":
        register("Tsou1967", "electrodeposition.mass_transfer_coefficient_m_per_s")
    b, k = _use_bath(bath, params, "mass_transfer_coefficient_m_per_s"), plating_constants(params)
    u = _arr("speed_m_per_s", speed_m_per_s, 0.0, 50.0, "m/s")
    L = _arr("tank_length_m", tank_length_m, 0.0, 100.0, "m", low_inclusive=False)
    T = _temperature(b, temperature_K)
    d_ag = _arr("agitation_layer_m", k.plating_agitation_diffusion_layer_m if agitation_layer_m is None
                else agitation_layer_m, 0.0, None, "m", low_inclusive=False)
    D = metal_diffusivity_m2_per_s(b, T, params)
    nu = k.plating_kinematic_viscosity_m2_per_s * _viscosity_ratio(T, k)
    Re, Sc = u * L / nu, nu / D
    Re_c = k.plating_transition_reynolds_frac
    c_lam = k.plating_laminar_plate_sherwood_coefficient_frac
    c_turb = k.plating_turbulent_plate_sherwood_coefficient_frac
    # Mixed laminar/turbulent plate, continuous with the laminar value at Re_c (Incropera2007 §7.2).
    offset = c_turb * Re_c**0.8 - c_lam * Re_c**0.5
    sh_mixed = (c_turb * Re**0.8 - offset) * np.cbrt(Sc)
    if flow_model == "moving_web":
        sh_lam = k.plating_moving_web_sherwood_coefficient_frac * np.sqrt(Re * Sc)
    else:
        sh_lam = c_lam * np.sqrt(Re) * np.cbrt(Sc)
    sh_web = np.where(Re > Re_c, np.maximum(sh_lam, sh_mixed), sh_lam)
    n = k.plating_convection_blend_exponent_frac
    return ((sh_web * D / L) ** n + (D / d_ag) ** n) ** (1.0 / n)


def diffusion_layer_m(
    bath: BathLike, speed_m_per_s: ArrayLike, tank_length_m: ArrayLike, temperature_K: ArrayLike | None = None, *,
    flow_model: FlowModel = "moving_web", agitation_layer_m: ArrayLike | None = None, params: ParamsLike = None,
) -> FloatArray:
    """Nernst diffusion-layer thickness δ = D/k [m] (see :func:`mass_transfer_coefficient_m_per_s`)."""
    b = resolve_bath(bath, params)
    T = _temperature(b, temperature_K)
    k_m = mass_transfer_coefficient_m_per_s(b, speed_m_per_s, tank_length_m, T, flow_model=flow_model,
                                            agitation_layer_m=agitation_layer_m, params=params)
    return metal_diffusivity_m2_per_s(b, T, params) / k_m


def limiting_current_density_A_per_m2(
    bath: BathLike, *, concentration_mol_per_m3: ArrayLike | None = None, temperature_K: ArrayLike | None = None,
    diffusion_layer_m: ArrayLike | None = None, params: ParamsLike = None,
) -> FloatArray:
    """Metal limiting current density j_L = n·F·D(T)·c_b/δ [A/m2] (Newman2004 ch. 1 and 17)."""
    register("Newman2004", "electrodeposition.limiting_current_density_A_per_m2")
    b, k = _use_bath(bath, params, "limiting_current_density_A_per_m2"), plating_constants(params)
    c, T, d = _conditions(b, k, concentration_mol_per_m3, temperature_K, diffusion_layer_m)
    return b.valence_count * F * metal_diffusivity_m2_per_s(b, T, params) * c / d


# ---------------------------------------------------------------------------------------------------------
# Kinetics
# ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Kinetics:
    f: FloatArray            # F/(RT) [1/V]
    i0: FloatArray           # metal exchange current density at c_b, T [A/m2]
    alpha_c: float
    alpha_a: float
    j_lim: FloatArray        # [A/m2]
    log_j_her0: FloatArray   # ln of the H2 current at η = 0 (E = E_eq,M) [ln A/m2]
    alpha_her: float
    e_eq: FloatArray         # bulk equilibrium potential of the metal couple [V]


def _arrhenius(E_act: float, T: FloatArray, k: PlatingConstants) -> FloatArray:
    return np.exp(-E_act / R * (1.0 / T - 1.0 / k.plating_reference_temperature_K))


def equilibrium_potential_V(bath: BathLike, concentration_mol_per_m3: ArrayLike | None = None,
                            temperature_K: ArrayLike | None = None, params: ParamsLike = None) -> FloatArray:
    """Nernst potential of the metal couple vs SHE: E°' + RT/(nF)·ln(c/c°) [V] (Bard2001 §2.1)."""
    register("Bard2001", "electrodeposition.equilibrium_potential_V")
    b, k = resolve_bath(bath, params), plating_constants(params)
    c, T, _ = _conditions(b, k, concentration_mol_per_m3, temperature_K, None)
    c_rel = c / k.plating_standard_concentration_mol_per_m3
    return b.formal_potential_V + R * T / (b.valence_count * F) * np.log(c_rel)


def _kinetics(b: Bath, k: PlatingConstants, c: FloatArray, T: FloatArray, d: FloatArray,
              params: ParamsLike) -> _Kinetics:
    f = F / (R * T)
    n = b.valence_count
    c_rel = c / k.plating_standard_concentration_mol_per_m3
    i0 = (b.exchange_current_density_A_per_m2 * c_rel ** (b.anodic_transfer_coefficient_frac / n)
          * _arrhenius(k.plating_metal_kinetics_activation_energy_J_per_mol, T, k))
    e_eq = b.formal_potential_V + np.log(c_rel) / (n * f)
    e_her = -math.log(10.0) * b.ph_frac / f
    i0_her = b.her_exchange_current_density_A_per_m2 * _arrhenius(k.plating_her_activation_energy_J_per_mol, T, k)
    log_j_her0 = np.log(i0_her) + b.her_transfer_coefficient_frac * f * (e_her - e_eq)
    j_lim = n * F * metal_diffusivity_m2_per_s(b, T, params) * c / d
    return _Kinetics(f, i0, b.cathodic_transfer_coefficient_frac, b.anodic_transfer_coefficient_frac, j_lim,
                     log_j_her0, b.her_transfer_coefficient_frac, e_eq)


def _metal_current(eta: FloatArray, kin: _Kinetics) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(j_M, j_c, j_a) at cathodic overpotential η; j_M = (j_c - j_a)/(1 + j_c/j_L)."""
    j_c = kin.i0 * _exp(kin.alpha_c * kin.f * eta)
    j_a = kin.i0 * _exp(-kin.alpha_a * kin.f * eta)
    return (j_c - j_a) / (1.0 + j_c / kin.j_lim), j_c, j_a


def _her_current(eta: FloatArray, kin: _Kinetics) -> FloatArray:
    return _exp(kin.log_j_her0 + kin.alpha_her * kin.f * eta)


def _bisect(residual, lo: FloatArray, hi: FloatArray) -> FloatArray:
    """Root of an increasing ``residual`` on [lo, hi] (residual(lo) ≤ 0 ≤ residual(hi)), elementwise."""
    lo, hi = np.array(lo, dtype=float), np.array(hi, dtype=float)
    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        up = residual(mid) > 0.0
        hi = np.where(up, mid, hi)
        lo = np.where(up, lo, mid)
    return 0.5 * (lo + hi)


def _overpotential_for_total(j: FloatArray, kin: _Kinetics) -> FloatArray:
    """η with j_M(η) + j_H(η) = j. Brackets: j_H(hi) = j; j_M(lo) ≤ -j_H(0) (so the residual at lo is < 0)."""
    hi = np.maximum(0.0, (np.log(j) - kin.log_j_her0) / (kin.alpha_her * kin.f))
    j_her0 = _exp(kin.log_j_her0)
    lo = -np.log1p(j_her0 * (1.0 + kin.i0 / kin.j_lim) / kin.i0) / (kin.alpha_a * kin.f)
    lo, hi = np.broadcast_arrays(lo, hi)
    return _bisect(lambda eta: _metal_current(eta, kin)[0] + _her_current(eta, kin) - j, lo, hi)


def _overpotential_for_metal(j_metal: FloatArray, kin: _Kinetics) -> FloatArray:
    """η with j_M(η) = j_metal (0 < j_metal < j_L). hi from j_c ≥ j_L(j_M + i0)/(j_L - j_M)."""
    x = kin.j_lim * (j_metal + kin.i0) / (kin.j_lim - j_metal)
    hi = np.log(x / kin.i0) / (kin.alpha_c * kin.f)
    lo, hi = np.broadcast_arrays(np.zeros_like(hi), hi)
    return _bisect(lambda eta: _metal_current(eta, kin)[0] - j_metal, lo, hi)


@dataclass(frozen=True)
class PolarizationPoint:
    """Cathode state at one operating point (arrays of the broadcast shape)."""

    current_density_A_per_m2: FloatArray
    metal_current_density_A_per_m2: FloatArray
    side_current_density_A_per_m2: FloatArray
    current_efficiency_frac: FloatArray
    cathode_potential_V: FloatArray
    equilibrium_potential_V: FloatArray
    overpotential_V: FloatArray
    limiting_current_density_A_per_m2: FloatArray
    polarization_slope_ohm_m2: FloatArray

    @property
    def surface_depletion_frac(self) -> FloatArray:
        """j_M/j_L = 1 - c_s/c_b."""
        return self.metal_current_density_A_per_m2 / self.limiting_current_density_A_per_m2


def _point(j: FloatArray, eta: FloatArray, kin: _Kinetics) -> PolarizationPoint:
    j_m, j_c, j_a = _metal_current(eta, kin)
    j_h = _her_current(eta, kin)
    f = kin.f
    denom = 1.0 + j_c / kin.j_lim
    d_jm = (f * (kin.alpha_c * j_c + kin.alpha_a * j_a) * denom - (j_c - j_a) * kin.alpha_c * f * j_c / kin.j_lim) \
        / denom**2
    d_jh = kin.alpha_her * f * j_h
    shape = np.broadcast(j, eta, kin.j_lim).shape
    b = lambda a: np.broadcast_to(np.asarray(a, dtype=float), shape).copy()  # noqa: E731
    return PolarizationPoint(
        current_density_A_per_m2=b(j), metal_current_density_A_per_m2=b(j_m), side_current_density_A_per_m2=b(j_h),
        current_efficiency_frac=b(j_m / j), cathode_potential_V=b(kin.e_eq - eta), equilibrium_potential_V=b(kin.e_eq),
        overpotential_V=b(eta), limiting_current_density_A_per_m2=b(kin.j_lim),
        polarization_slope_ohm_m2=b(1.0 / (d_jm + d_jh)),
    )


def partial_currents(
    bath: BathLike, current_density_A_per_m2: ArrayLike, *, concentration_mol_per_m3: ArrayLike | None = None,
    temperature_K: ArrayLike | None = None, diffusion_layer_m: ArrayLike | None = None, params: ParamsLike = None,
) -> PolarizationPoint:
    """Split a total cathodic current density j [A/m2] into metal deposition and H2 evolution.

    Solves j_M(η) + j_H(η) = j for the cathode overpotential η (vectorised bisection). ε = j_M/j < 1 always
    (H2 current > 0) and ε → 0 as j → ∞ (j_M ≤ j_L). At j below the H2 current at the Nernst potential the
    metal dissolves (ε < 0: net corrosion). ``polarization_slope_ohm_m2`` = dη/dj.
    """
    register("Newman2004", "electrodeposition.partial_currents")
    register("Bard2001", "electrodeposition.partial_currents")
    b, k = _use_bath(bath, params, "partial_currents"), plating_constants(params)
    j = _current("current_density_A_per_m2", current_density_A_per_m2)
    c, T, d = _conditions(b, k, concentration_mol_per_m3, temperature_K, diffusion_layer_m)
    kin = _kinetics(b, k, c, T, d, params)
    return _point(j, _overpotential_for_total(j, kin), kin)


def current_efficiency_frac(
    bath: BathLike, current_density_A_per_m2: ArrayLike, *, concentration_mol_per_m3: ArrayLike | None = None,
    temperature_K: ArrayLike | None = None, diffusion_layer_m: ArrayLike | None = None, params: ParamsLike = None,
) -> FloatArray:
    """Cathode current efficiency ε = j_M/j at total current density j (see :func:`partial_currents`)."""
    return partial_currents(bath, current_density_A_per_m2, concentration_mol_per_m3=concentration_mol_per_m3,
                            temperature_K=temperature_K, diffusion_layer_m=diffusion_layer_m,
                            params=params).current_efficiency_frac


def net_deposition_onset_A_per_m2(
    bath: BathLike, *, concentration_mol_per_m3: ArrayLike | None = None, temperature_K: ArrayLike | None = None,
    diffusion_layer_m: ArrayLike | None = None, params: ParamsLike = None,
) -> FloatArray:
    """Total current density [A/m2] below which no metal is laid down: the H2 current at the Nernst potential
    (η = 0, where j_M = 0). Below it the H2 current exceeds j and the metal dissolves (ε < 0, see
    :func:`partial_currents`); a bath whose H2 evolution cannot run at the metal's potential has it ≈ 0."""
    b, k = resolve_bath(bath, params), plating_constants(params)
    c, T, d = _conditions(b, k, concentration_mol_per_m3, temperature_K, diffusion_layer_m)
    return _her_current(np.zeros(np.broadcast(c, T, d).shape), _kinetics(b, k, c, T, d, params))


def typical_efficiency_frac(bath: BathLike, params: ParamsLike = None) -> float:
    """ε at the bath's calibration point: typical j, default c and T, δ = agitation floor (web at rest)."""
    b = resolve_bath(bath, params)
    return float(current_efficiency_frac(b, b.typical_current_density_A_per_m2, params=params))


def calibrate_her_exchange_current_density_A_per_m2(
    bath: BathLike, target_efficiency_frac: float | None = None, params: ParamsLike = None,
) -> float:
    """H2 exchange current density [A/m2] that puts ε at the typical point on ``target`` (default: mid-range).

    ε decreases strictly with i0,H, so the root is unique (brentq in log10 i0,H over 1e-14..1e2 A/m2).
    """
    b = resolve_bath(bath, params)
    lo_ce, hi_ce = b.cathode_efficiency_window_frac
    target = 0.5 * (lo_ce + hi_ce) if target_efficiency_frac is None else target_efficiency_frac
    check_range("target_efficiency_frac", target, 0.0, 1.0, low_inclusive=False, high_inclusive=False)

    def miss(log10_i0: float) -> float:
        trial = replace(b, her_exchange_current_density_A_per_m2=10.0**log10_i0)
        return typical_efficiency_frac(trial, params) - target

    from scipy.optimize import brentq  # here, not at import: the twin's start-up does not need scipy.optimize

    lo, hi = -14.0, 2.0
    if miss(lo) < 0.0 or miss(hi) > 0.0:
        raise FoiltwinInputError("target_efficiency_frac", target,
                                 f"between ε at i0,H = 1e2 and 1e-14 A/m2 for bath {b.name}")
    return 10.0 ** brentq(miss, lo, hi, xtol=1e-12)


# ---------------------------------------------------------------------------------------------------------
# Faraday's law
# ---------------------------------------------------------------------------------------------------------
MetalLike = DepositMetal | Bath | str


def _efficiency(value: ArrayLike) -> FloatArray:
    return _arr("current_efficiency_frac", value, 0.0, 1.0, "1", low_inclusive=False)


def plated_mass_kg_per_m2(metal: MetalLike, current_density_A_per_m2: ArrayLike, time_s: ArrayLike,
                          efficiency_frac: ArrayLike = 1.0, params: ParamsLike = None) -> FloatArray:
    """Plated mass per area m'' = j·t·ε·M/(nF) [kg/m2] (Faraday; Bard2001 §1.3)."""
    register("Bard2001", "electrodeposition.plated_mass_kg_per_m2")
    m = resolve_metal(metal, params)
    j = _current("current_density_A_per_m2", current_density_A_per_m2)
    t = _arr("time_s", time_s, 0.0, None, "s")
    return j * t * _efficiency(efficiency_frac) * m.molar_mass_kg_per_mol / (m.valence_count * F)


def plated_thickness_m(metal: MetalLike, current_density_A_per_m2: ArrayLike, time_s: ArrayLike,
                       efficiency_frac: ArrayLike = 1.0, params: ParamsLike = None) -> FloatArray:
    """Dense-deposit thickness m''/ρ [m]."""
    m = resolve_metal(metal, params)
    return plated_mass_kg_per_m2(m, current_density_A_per_m2, time_s, efficiency_frac, params) / m.density_kg_per_m3


def thickness_rate_m_per_s(metal: MetalLike, current_density_A_per_m2: ArrayLike, efficiency_frac: ArrayLike = 1.0,
                           params: ParamsLike = None) -> FloatArray:
    """Growth rate j·ε·M/(nFρ) [m/s] (seed note 002 §5g: 4.75 nm/s per 10 mA/cm2 for Zn at ε = 1)."""
    return plated_thickness_m(metal, current_density_A_per_m2, 1.0, efficiency_frac, params)


def charge_for_loading_C_per_m2(metal: MetalLike, loading_kg_per_m2: ArrayLike, efficiency_frac: ArrayLike = 1.0,
                                params: ParamsLike = None) -> FloatArray:
    """Charge per area for an areal loading: m''·n·F/(M·ε) [C/m2] (seed 002 §5g: 0.146 mg/cm2 Zn ≈ 0.431 C/cm2)."""
    register("Bard2001", "electrodeposition.charge_for_loading_C_per_m2")
    m = resolve_metal(metal, params)
    loading = _arr("loading_kg_per_m2", loading_kg_per_m2, 0.0, None, "kg/m2")
    return loading * m.valence_count * F / (m.molar_mass_kg_per_mol * _efficiency(efficiency_frac))


def time_for_loading_s(metal: MetalLike, loading_kg_per_m2: ArrayLike, current_density_A_per_m2: ArrayLike,
                       efficiency_frac: ArrayLike = 1.0, params: ParamsLike = None) -> FloatArray:
    """Plating time for an areal loading at current density j and efficiency ε [s]."""
    q = charge_for_loading_C_per_m2(metal, loading_kg_per_m2, efficiency_frac, params)
    return q / _current("current_density_A_per_m2", current_density_A_per_m2)


def current_density_for_loading_A_per_m2(metal: MetalLike, loading_kg_per_m2: ArrayLike, time_s: ArrayLike,
                                         efficiency_frac: ArrayLike = 1.0, params: ParamsLike = None) -> FloatArray:
    """Total current density that lays down a loading in time t at a given (fixed) efficiency [A/m2]."""
    q = charge_for_loading_C_per_m2(metal, loading_kg_per_m2, efficiency_frac, params)
    return q / _arr("time_s", time_s, 0.0, None, "s", low_inclusive=False)


# ---------------------------------------------------------------------------------------------------------
# Cell voltage and energy
# ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CellVoltage:
    """Cell voltage and its parts [V]; ``total_V`` is their sum."""

    equilibrium_V: FloatArray
    cathode_overpotential_V: FloatArray
    anode_overpotential_V: FloatArray
    ohmic_V: FloatArray
    contact_V: FloatArray
    total_V: FloatArray
    anode: str


def cell_voltage(
    bath: BathLike, current_density_A_per_m2: ArrayLike, *, concentration_mol_per_m3: ArrayLike | None = None,
    temperature_K: ArrayLike | None = None, diffusion_layer_m: ArrayLike | None = None,
    gap_m: ArrayLike | None = None, anode: str | None = None, params: ParamsLike = None,
) -> CellVoltage:
    """V = (E_eq,a - E_eq,c) + η_c + η_a + j·gap/κ(T) + ΔV_contact·j/j_max [V].

    Cathode from :func:`partial_currents` (η_c includes concentration overpotential). Anode current density
    j/(anode-to-cathode area ratio). Soluble anode: the metal couple dissolving (Butler-Volmer, anode mass
    transport neglected), E_eq,a = E_eq,c. Insoluble anode: O2 evolution, E_eq,a = 1.229 V - (RT ln10/F)·pH,
    η_a = asinh(j_a/2i0)/(αf). The contact/busbar drop scales with j (its registry value is at the bath's j_max).
    """
    register("Newman2004", "electrodeposition.cell_voltage")
    b, k = _use_bath(bath, params, "cell_voltage"), plating_constants(params)
    kind = _anode(b, anode)
    point = partial_currents(b, current_density_A_per_m2, concentration_mol_per_m3=concentration_mol_per_m3,
                             temperature_K=temperature_K, diffusion_layer_m=diffusion_layer_m, params=params)
    j = point.current_density_A_per_m2
    c, T, d = _conditions(b, k, concentration_mol_per_m3, temperature_K, diffusion_layer_m)
    gap = _arr("gap_m", k.plating_anode_cathode_gap_m if gap_m is None else gap_m, 0.0, 1.0, "m",
               low_inclusive=False)
    f = F / (R * T)
    j_anode = j / k.plating_anode_to_cathode_area_ratio_frac
    if kind == "soluble":
        kin = _kinetics(b, k, c, T, d, params)
        a_a, a_c = kin.alpha_a, kin.alpha_c
        hi = np.log1p(j_anode / kin.i0) / (a_a * kin.f)
        lo, hi = np.broadcast_arrays(np.zeros_like(hi), hi)
        eta_a = _bisect(lambda e: kin.i0 * (_exp(a_a * kin.f * e) - _exp(-a_c * kin.f * e)) - j_anode, lo, hi)
        e_eq = np.zeros_like(eta_a)
    else:
        register("CRC", "electrodeposition.cell_voltage")
        i0 = k.plating_oer_exchange_current_density_A_per_m2
        eta_a = np.arcsinh(j_anode / (2.0 * i0)) / (k.plating_oer_transfer_coefficient_frac * f)
        e_anode = k.plating_oer_standard_potential_V - math.log(10.0) * b.ph_frac / f
        e_eq = e_anode - point.equilibrium_potential_V
    ohmic = j * gap / conductivity_S_per_m(b, T, params)
    contact = k.plating_contact_drop_at_max_current_V * j / b.current_density_window_A_per_m2[1]
    parts = np.broadcast_arrays(e_eq, point.overpotential_V, eta_a, ohmic, contact)
    e_eq, eta_c, eta_a, ohmic, contact = (np.array(p, dtype=float) for p in parts)
    return CellVoltage(e_eq, eta_c, eta_a, ohmic, contact, np.array(e_eq + eta_c + eta_a + ohmic + contact), kind)


def rectifier_power_W_per_m2(cell_voltage_V: ArrayLike, current_density_A_per_m2: ArrayLike,
                             rectifier_efficiency_frac: float | None = None, params: ParamsLike = None) -> FloatArray:
    """AC power drawn per m2 of plated cathode face: V·j/η_rect [W/m2]."""
    k = plating_constants(params)
    eff = k.plating_rectifier_efficiency_frac if rectifier_efficiency_frac is None else rectifier_efficiency_frac
    check_range("rectifier_efficiency_frac", eff, 0.0, 1.0, low_inclusive=False)
    V = _arr("cell_voltage_V", cell_voltage_V, 0.0, None, "V")
    return V * _current("current_density_A_per_m2", current_density_A_per_m2) / eff


def plating_energy_kWh_per_m2(
    cell_voltage_V: ArrayLike, current_density_A_per_m2: ArrayLike, time_s: ArrayLike, *,
    faces_count: float | None = None, rectifier_efficiency_frac: float | None = None, params: ParamsLike = None,
) -> FloatArray:
    """Rectifier (AC) energy per m2 of web: V·j·t·faces/η_rect, in kWh/m2."""
    k = plating_constants(params)
    faces = k.plating_web_faces_count if faces_count is None else faces_count
    check_range("faces_count", faces, 1.0, 2.0)
    t = _arr("time_s", time_s, 0.0, None, "s")
    power = rectifier_power_W_per_m2(cell_voltage_V, current_density_A_per_m2, rectifier_efficiency_frac, params)
    return power * t * faces / (kilo * hour)


# ---------------------------------------------------------------------------------------------------------
# Line geometry
# ---------------------------------------------------------------------------------------------------------
def plating_time_s(tank_count: ArrayLike, tank_length_m: ArrayLike, web_speed_m_per_s: ArrayLike) -> FloatArray:
    """Immersed time of a web point: tank count × immersed tank length / web speed [s]."""
    n = _arr("tank_count", tank_count, 1.0, None, "")
    if np.any(n != np.round(n)):
        raise FoiltwinInputError("tank_count", tank_count, "whole numbers ≥ 1")
    L = _arr("tank_length_m", tank_length_m, 0.0, 100.0, "m", low_inclusive=False)
    v = _arr("web_speed_m_per_s", web_speed_m_per_s, 0.0, 50.0, "m/s", low_inclusive=False)
    return n * L / v


def current_density_for_thickness(
    bath: BathLike, thickness_m: ArrayLike, time_s: ArrayLike, *, concentration_mol_per_m3: ArrayLike | None = None,
    temperature_K: ArrayLike | None = None, diffusion_layer_m: ArrayLike | None = None, params: ParamsLike = None,
) -> PolarizationPoint:
    """Operating point (total j, ε, η, …) that plates ``thickness_m`` in ``time_s``, ε from the kinetics.

    The metal partial current is fixed by Faraday, j_M = s·ρ·n·F/(M·t); it must stay below j_L (else the target
    cannot be plated in that time: lengthen the tanks, add tanks, slow the web or raise agitation).
    """
    register("Bard2001", "electrodeposition.current_density_for_thickness")
    b, k = _use_bath(bath, params, "current_density_for_thickness"), plating_constants(params)
    s = _arr("thickness_m", thickness_m, 0.0, 1e-3, "m", low_inclusive=False)
    t = _arr("time_s", time_s, 0.0, None, "s", low_inclusive=False)
    c, T, d = _conditions(b, k, concentration_mol_per_m3, temperature_K, diffusion_layer_m)
    kin = _kinetics(b, k, c, T, d, params)
    m = b.metal
    j_metal = s * m.density_kg_per_m3 * m.valence_count * F / (m.molar_mass_kg_per_mol * t)
    if np.any(j_metal >= kin.j_lim):
        jm, jl, s1, t1 = (np.atleast_1d(a) for a in np.broadcast_arrays(j_metal, kin.j_lim, s, t))
        i = int(np.argmax(jm >= jl))
        raise FoiltwinInputError(
            "thickness_m", float(s1[i]),
            f"< {s1[i] / jm[i] * jl[i]:.4g} m in {t1[i]:.4g} s (metal current would exceed j_L = {jl[i]:.4g} "
            "A/m2; add tank length, slow the web or agitate harder)")
    eta = _overpotential_for_metal(j_metal, kin)
    j_total = j_metal + _her_current(eta, kin)
    return _point(j_total, eta, kin)


@dataclass(frozen=True)
class OperatingFlags:
    """Where an operating point leaves the bath's windows; ``messages`` says which, for reports."""

    current_below_window: BoolArray
    current_above_window: BoolArray
    near_limiting_current: BoolArray
    concentration_outside_window: BoolArray
    temperature_outside_window: BoolArray
    limiting_share_frac: FloatArray
    messages: tuple[str, ...]
    texts: dict[str, str]  # each flag's text, without counts (for callers that count their own units)

    @property
    def any(self) -> BoolArray:
        return (self.current_below_window | self.current_above_window | self.near_limiting_current
                | self.concentration_outside_window | self.temperature_outside_window)


def operating_flags(
    bath: BathLike, current_density_A_per_m2: ArrayLike, *, concentration_mol_per_m3: ArrayLike | None = None,
    temperature_K: ArrayLike | None = None, diffusion_layer_m: ArrayLike | None = None, params: ParamsLike = None,
) -> OperatingFlags:
    """Flag j outside the bath window, j above the burning share of j_L (Winand1994), c or T outside windows."""
    register("Winand1994", "electrodeposition.operating_flags")
    b, k = _use_bath(bath, params, "operating_flags"), plating_constants(params)
    j = _current("current_density_A_per_m2", current_density_A_per_m2)
    c, T, d = _conditions(b, k, concentration_mol_per_m3, temperature_K, diffusion_layer_m)
    j_lim = limiting_current_density_A_per_m2(b, concentration_mol_per_m3=c, temperature_K=T, diffusion_layer_m=d,
                                              params=params)
    j, c, T, j_lim = (np.array(a, dtype=float) for a in np.broadcast_arrays(j, c, T, j_lim))
    (j_lo, j_hi), (c_lo, c_hi), (T_lo, T_hi) = (b.current_density_window_A_per_m2,
                                                b.metal_concentration_window_mol_per_m3, b.temperature_window_K)
    share = j / j_lim
    limit = k.plating_max_limiting_share_frac
    flags = {
        "current_below_window": (j < j_lo, f"j below the {b.name} window {j_lo:g}-{j_hi:g} A/m2"),
        "current_above_window": (j > j_hi, f"j above the {b.name} window {j_lo:g}-{j_hi:g} A/m2"),
        "near_limiting_current": (share > limit,
                                  f"j above {limit:g} × j_L: rough, dendritic or burnt deposit likely"),
        "concentration_outside_window": ((c < c_lo) | (c > c_hi),
                                         f"metal ion outside {c_lo:g}-{c_hi:g} mol/m3"),
        "temperature_outside_window": ((T_lo > T) | (T_hi < T), f"temperature outside {T_lo:g}-{T_hi:g} K"),
    }
    messages = tuple(text if mask.size == 1 else f"{text} ({int(np.count_nonzero(mask))} of {mask.size} points)"
                     for mask, text in flags.values() if np.any(mask))
    return OperatingFlags(**{name: mask for name, (mask, _) in flags.items()}, limiting_share_frac=share,
                          messages=messages, texts={name: text for name, (_, text) in flags.items()})


# ---------------------------------------------------------------------------------------------------------
# Bath state: metal balance of one tank
# ---------------------------------------------------------------------------------------------------------
def _net_dragout_m(k: PlatingConstants, dragout_m: float | None) -> float:
    """Bath volume lost per web area [m3/m2 = m]: the drag-out film less what a recovery rinse returns."""
    film = k.plating_dragout_film_m if dragout_m is None else check_range("dragout_m", dragout_m, 0.0, 1e-3)
    return film * (1.0 - k.plating_dragout_recovery_frac)


@dataclass(frozen=True)
class MetalFlows:
    """Metal flows per m2 of web [mol/m2] (all plated faces), for costing and bath make-up."""

    plated_mol_per_m2: FloatArray
    anode_dissolved_mol_per_m2: FloatArray
    dragout_mol_per_m2: FloatArray
    plated_kg_per_m2: FloatArray

    @property
    def net_to_bath_mol_per_m2(self) -> FloatArray:
        """Metal the bath gains per m2 of web (negative: it must be dosed)."""
        return self.anode_dissolved_mol_per_m2 - self.plated_mol_per_m2 - self.dragout_mol_per_m2


def metal_flows_per_m2(
    bath: BathLike, current_density_A_per_m2: ArrayLike, time_s: ArrayLike, efficiency_frac: ArrayLike, *,
    concentration_mol_per_m3: ArrayLike | None = None, anode: str | None = None,
    anode_efficiency_frac: float | None = None, faces_count: float | None = None, dragout_m: float | None = None,
    params: ParamsLike = None,
) -> MetalFlows:
    """Metal plated, dissolved from soluble anodes and dragged out per m2 of web [mol/m2]."""
    b, k = _use_bath(bath, params, "metal_flows_per_m2"), plating_constants(params)
    kind = _anode(b, anode)
    faces = k.plating_web_faces_count if faces_count is None else check_range("faces_count", faces_count, 1.0, 2.0)
    j = _current("current_density_A_per_m2", current_density_A_per_m2)
    t = _arr("time_s", time_s, 0.0, None, "s")
    eff = _efficiency(efficiency_frac)
    c = _conditions(b, k, concentration_mol_per_m3, None, None)[0]
    eff_a = 0.0 if kind == "insoluble" else (b.anode_efficiency_frac if anode_efficiency_frac is None
                                              else check_range("anode_efficiency_frac", anode_efficiency_frac, 0, 2))
    drag = _net_dragout_m(k, dragout_m)
    charge = j * t * faces / (b.valence_count * F)
    plated = charge * eff
    arrays = np.broadcast_arrays(plated, charge * eff_a, drag * c)
    plated, dissolved, dragged = (np.array(a, dtype=float) for a in arrays)
    return MetalFlows(plated, dissolved, dragged, plated * b.metal.molar_mass_kg_per_mol)


class BathEmptiedError(FoiltwinInputError):
    """A bath step longer than the bath lasts: the metal in the tank runs out after ``time_to_empty_s`` [s] of the
    step's constant inputs (the field is the step, ``dt_s``). A caller whose step is its own setting (the twin's
    dosing interval) names that setting with the same number, read from this field, not from the message."""

    def __init__(self, field: str, value: object, allowed: str, reason: str | None = None,
                 time_to_empty_s: float = math.nan) -> None:
        super().__init__(field, value, allowed, reason)
        self.time_to_empty_s = float(time_to_empty_s)
        # args are the constructor's (SimPy re-raises ``type(e)(*e.args)``; pickling to worker processes)
        self.args = (field, value, allowed, reason, self.time_to_empty_s)


@dataclass(frozen=True)
class BathStep:
    """Bath after one step and the metal moved in it [mol]; the balance closes to round-off."""

    concentration_mol_per_m3: FloatArray
    volume_m3: FloatArray
    metal_from_anode_mol: FloatArray
    metal_dosed_mol: FloatArray
    metal_from_makeup_mol: FloatArray
    metal_plated_mol: FloatArray
    metal_dragged_out_mol: FloatArray
    inventory_change_mol: FloatArray
    in_window: BoolArray

    @property
    def balance_residual_mol(self) -> FloatArray:
        """in - out - accumulation (≈ 0)."""
        return (self.metal_from_anode_mol + self.metal_dosed_mol + self.metal_from_makeup_mol
                - self.metal_plated_mol - self.metal_dragged_out_mol - self.inventory_change_mol)


def advance_bath(
    bath: BathLike, concentration_mol_per_m3: ArrayLike, volume_m3: ArrayLike, dt_s: ArrayLike, current_A: ArrayLike,
    cathode_efficiency_frac: ArrayLike, web_area_rate_m2_per_s: ArrayLike, *, anode: str | None = None,
    anode_efficiency_frac: float | None = None, dosing_mol_per_s: ArrayLike = 0.0,
    makeup_concentration_mol_per_m3: ArrayLike = 0.0, dragout_m: float | None = None, params: ParamsLike = None,
) -> BathStep:
    """Advance one tank's metal-ion concentration over ``dt_s`` with constant inputs (exact solution).

    V·dc/dt = I(ε_a - ε_c)/(nF) + dosing + q·c_makeup - q·c, q = drag-out film × (1 - recovery) × web area rate; the
    level control refills the dragged-out volume with make-up, so V is constant. ``current_A`` is the tank's total
    cathodic current (j × immersed plated area), ``web_area_rate_m2_per_s`` = web speed × width. A step that
    would empty the bath raises :class:`BathEmptiedError`, with the time [s] the bath lasts (take shorter steps or
    dose).
    """
    b, k = _use_bath(bath, params, "advance_bath"), plating_constants(params)
    kind = _anode(b, anode)
    c0 = _arr("concentration_mol_per_m3", concentration_mol_per_m3, 0.0, _MAX_CONCENTRATION_MOL_PER_M3, "mol/m3")
    V = _arr("volume_m3", volume_m3, 0.0, None, "m3", low_inclusive=False)
    dt = _arr("dt_s", dt_s, 0.0, None, "s")
    current = _arr("current_A", current_A, 0.0, None, "A")
    eff_c = _arr("cathode_efficiency_frac", cathode_efficiency_frac, 0.0, 1.0, "1")
    area_rate = _arr("web_area_rate_m2_per_s", web_area_rate_m2_per_s, 0.0, None, "m2/s")
    dosing = _arr("dosing_mol_per_s", dosing_mol_per_s, 0.0, None, "mol/s")
    c_mk = _arr("makeup_concentration_mol_per_m3", makeup_concentration_mol_per_m3, 0.0,
                _MAX_CONCENTRATION_MOL_PER_M3, "mol/m3")
    eff_a = 0.0 if kind == "insoluble" else (b.anode_efficiency_frac if anode_efficiency_frac is None
                                              else check_range("anode_efficiency_frac", anode_efficiency_frac, 0, 2))
    drag = _net_dragout_m(k, dragout_m)
    c0, V, dt, current, eff_c, area_rate, dosing, c_mk = (
        np.array(a, dtype=float) for a in np.broadcast_arrays(c0, V, dt, current, eff_c, area_rate, dosing, c_mk))
    nF = b.valence_count * F
    anode_rate = current * eff_a / nF
    plate_rate = current * eff_c / nF
    q = drag * area_rate
    source = anode_rate - plate_rate + dosing + q * c_mk          # [mol/s], all but the drag-out sink
    has_q = q > 0.0
    q_safe = np.where(has_q, q, 1.0)
    x = np.where(has_q, q * dt / V, 0.0)
    c_ss = source / q_safe
    decay = -np.expm1(-x)                                          # 1 - exp(-q dt/V)
    c_end = np.where(has_q, c0 + (c_ss - c0) * decay, c0 + source * dt / V)
    dragged = np.where(has_q, q * (c_ss * dt + (c0 - c_ss) * V / q_safe * decay), 0.0)
    if np.any(c_end < 0.0):
        c1, V1, q1, src1, dt1, hq1 = (np.atleast_1d(a) for a in (c_end, V, q_safe, source, dt, has_q))
        i = int(np.argmax(c1 < 0.0))
        c_start = float(np.atleast_1d(c0)[i])
        sink = -float(src1[i])
        t_empty = V1[i] / q1[i] * math.log1p(c_start * q1[i] / sink) if hq1[i] else c_start * V1[i] / sink
        raise BathEmptiedError("dt_s", float(dt1[i]), f"≤ {t_empty:.4g} s, when the bath runs out of metal "
                               "(dose metal or take shorter steps)", time_to_empty_s=float(t_empty))
    lo, hi = b.metal_concentration_window_mol_per_m3
    return BathStep(
        concentration_mol_per_m3=c_end, volume_m3=V, metal_from_anode_mol=anode_rate * dt,
        metal_dosed_mol=dosing * dt, metal_from_makeup_mol=q * c_mk * dt, metal_plated_mol=plate_rate * dt,
        metal_dragged_out_mol=dragged, inventory_change_mol=V * (c_end - c0), in_window=(c_end >= lo) & (c_end <= hi),
    )


class BathBalance:
    """:func:`advance_bath` for one tank stepped many times: bath, anode, drag-out and volume are checked once, here,
    and each :meth:`step` is plain-float arithmetic — the same operations in the same order, so it returns what
    ``advance_bath(...).concentration_mol_per_m3`` returns, bit for bit (tests/test_twin_fast_paths.py). Made for the
    twin's dosing loop, whose per-step inputs it computes itself from checked settings; API callers with their own
    inputs use :func:`advance_bath`, which checks every argument and reports the whole balance."""

    __slots__ = ("_decay", "_decay_key", "_drag", "_eff_a", "_nF", "_options", "_sources", "bath", "volume_m3")

    def __init__(self, bath: BathLike, volume_m3: float, *, anode: str | None = None,
                 anode_efficiency_frac: float | None = None, dragout_m: float | None = None,
                 params: ParamsLike = None) -> None:
        b, k = resolve_bath(bath, params), plating_constants(params)  # its sources are cited at each step
        kind = _anode(b, anode)
        self.bath = b
        self.volume_m3 = float(_arr("volume_m3", volume_m3, 0.0, None, "m3", low_inclusive=False))
        self._eff_a = 0.0 if kind == "insoluble" else (
            b.anode_efficiency_frac if anode_efficiency_frac is None
            else check_range("anode_efficiency_frac", anode_efficiency_frac, 0, 2))
        self._drag = _net_dragout_m(k, dragout_m)
        self._nF = b.valence_count * F
        self._sources = tuple(b.sources)
        self._options = {"anode": kind, "anode_efficiency_frac": anode_efficiency_frac, "dragout_m": dragout_m,
                         "params": params}
        self._decay_key = math.nan
        self._decay = 0.0

    def step(self, concentration_mol_per_m3: float, dt_s: float, current_A: float, cathode_efficiency_frac: float,
             web_area_rate_m2_per_s: float, dosing_mol_per_s: float = 0.0,
             makeup_concentration_mol_per_m3: float = 0.0) -> float:
        """Concentration [mol/m3] after ``dt_s`` with constant inputs (``advance_bath``'s exact solution). The inputs
        are trusted (non-negative, efficiency in [0, 1]); a step that would empty the bath raises as there."""
        for key in self._sources:  # the report cites the bath's sources as advance_bath does
            register(key, "electrodeposition.advance_bath")
        c0, V, dt = concentration_mol_per_m3, self.volume_m3, dt_s
        anode_rate = current_A * self._eff_a / self._nF
        plate_rate = current_A * cathode_efficiency_frac / self._nF
        q = self._drag * web_area_rate_m2_per_s
        source = anode_rate - plate_rate + dosing_mol_per_s + q * makeup_concentration_mol_per_m3
        if q > 0.0:
            x = q * dt / V
            if x != self._decay_key:  # constant while speed, width and step are: numpy's expm1 (its array loop
                # rounds differently from math.expm1 on some CPUs) once per value, as advance_bath computes it
                self._decay_key, self._decay = x, float(-np.expm1(-np.array(x)))
            c_end = c0 + (source / q - c0) * self._decay
        else:
            c_end = c0 + source * dt / V
        if c_end < 0.0:  # the checked path raises, naming how long the bath lasts
            advance_bath(self.bath, c0, V, dt, current_A, cathode_efficiency_frac, web_area_rate_m2_per_s,
                         dosing_mol_per_s=dosing_mol_per_s,
                         makeup_concentration_mol_per_m3=makeup_concentration_mol_per_m3, **self._options)
            raise AssertionError("advance_bath accepted a step that empties the bath")  # pragma: no cover
        return c_end


# ---------------------------------------------------------------------------------------------------------
# Cross-web current distribution
# ---------------------------------------------------------------------------------------------------------
def wagner_number_frac(
    bath: BathLike, current_density_A_per_m2: ArrayLike, length_m: ArrayLike | None = None, *,
    concentration_mol_per_m3: ArrayLike | None = None, temperature_K: ArrayLike | None = None,
    diffusion_layer_m: ArrayLike | None = None, params: ParamsLike = None,
) -> FloatArray:
    """Wagner number Wa = κ(T)·(dη/dj)/L at the operating point; L = anode-cathode gap (default registry gap).

    dη/dj is the slope of the full polarization curve (metal + H2, with mass transport) (Wagner1951).
    """
    register("Wagner1951", "electrodeposition.wagner_number_frac")
    b, k = resolve_bath(bath, params), plating_constants(params)
    L = _arr("length_m", k.plating_anode_cathode_gap_m if length_m is None else length_m, 0.0, None, "m",
             low_inclusive=False)
    point = partial_currents(b, current_density_A_per_m2, concentration_mol_per_m3=concentration_mol_per_m3,
                             temperature_K=temperature_K, diffusion_layer_m=diffusion_layer_m, params=params)
    T = _temperature(b, temperature_K)
    return conductivity_S_per_m(b, T, params) * point.polarization_slope_ohm_m2 / L


def _graded(length: float, n: int, first: float) -> FloatArray:
    """n+1 points from 0 to ``length`` whose first interval is ``first`` and the rest grow geometrically."""
    if first * n >= length:
        return np.linspace(0.0, length, n + 1)
    from scipy.optimize import brentq  # here, not at import: the twin's start-up does not need scipy.optimize

    # The sum of the cells is ≥ first·r^(n-1), so r = (length/first)^(1/(n-1)) brackets the root from above.
    ratio = brentq(lambda r: first * (r**n - 1.0) / (r - 1.0) - length, 1.0 + 1e-12,
                   (length / first) ** (1.0 / (n - 1)) + 1e-9)
    return np.concatenate(([0.0], np.cumsum(first * ratio ** np.arange(n))))


@dataclass(frozen=True)
class EdgeDistribution:
    """Cathode current across the half web (centre → edge), normalised to its mean."""

    faces_frac: FloatArray           # cell faces, as fractions of the half width (0 = centre line, 1 = edge)
    centres_frac: FloatArray
    current_ratio: FloatArray        # j/j_mean per cell (cell average)
    mean_current_frac: float         # j_mean in units of κ·ΔV/gap (ΔV: anode-to-web driving voltage); 1D: 1/(1+Wa)

    @property
    def widths_frac(self) -> FloatArray:
        return np.diff(self.faces_frac)

    @property
    def cov_frac(self) -> float:
        w = self.widths_frac
        return float(np.sqrt(np.sum(w * (self.current_ratio - 1.0) ** 2) / np.sum(w)))


@lru_cache(maxsize=256)
def _edge_solution(a: float, wagner: float, n_w: int, n_g: int, n_o: int, far: float, edge: float
                   ) -> tuple[FloatArray, FloatArray, float]:
    """Finite-volume solve in units of the gap (κ = 1, anode at φ = 1): cathode faces, j/j_mean and j_mean."""
    x_cat = a - _graded(a, n_w, edge)[::-1]
    x_cat[0], x_cat[-1] = 0.0, a
    x_faces = np.concatenate((x_cat, a + _graded(far, n_o, edge)[1:]))
    y_faces = _graded(1.0, n_g, edge)
    xc, yc = 0.5 * (x_faces[1:] + x_faces[:-1]), 0.5 * (y_faces[1:] + y_faces[:-1])
    dx, dy = np.diff(x_faces), np.diff(y_faces)
    nx, ny = xc.size, yc.size
    idx = np.arange(nx * ny).reshape(nx, ny)
    g_x = dy[None, :] / np.diff(xc)[:, None]                     # (nx-1, ny) conductances between x-neighbours
    g_y = dx[:, None] / np.diff(yc)[None, :]                     # (nx, ny-1) between y-neighbours
    g_top = dx / (1.0 - yc[-1])                                  # to the anode plane (φ = 1)
    g_bot = np.zeros(nx)
    g_bot[:n_w] = dx[:n_w] / (yc[0] + wagner)                    # web: half cell + kinetic resistance (Robin)
    diag = np.zeros((nx, ny))
    diag[:-1, :] += g_x
    diag[1:, :] += g_x
    diag[:, :-1] += g_y
    diag[:, 1:] += g_y
    diag[:, -1] += g_top
    diag[:, 0] += g_bot
    rows = np.concatenate((idx.ravel(), idx[:-1].ravel(), idx[1:].ravel(), idx[:, :-1].ravel(), idx[:, 1:].ravel()))
    cols = np.concatenate((idx.ravel(), idx[1:].ravel(), idx[:-1].ravel(), idx[:, 1:].ravel(), idx[:, :-1].ravel()))
    vals = np.concatenate((diag.ravel(), -g_x.ravel(), -g_x.ravel(), -g_y.ravel(), -g_y.ravel()))
    from scipy import sparse  # here, not at import (start-up): only the cross-web solve needs it
    from scipy.sparse.linalg import spsolve

    A = sparse.csc_matrix((vals, (rows, cols)), shape=(nx * ny, nx * ny))
    rhs = np.zeros((nx, ny))
    rhs[:, -1] = g_top
    phi = spsolve(A, rhs.ravel()).reshape(nx, ny)
    current = g_bot[:n_w] * phi[:n_w, 0]                          # per cell [per unit depth]
    j = current / dx[:n_w]
    ratio = j / (current.sum() / a)
    faces = x_cat / a
    faces.flags.writeable = False
    ratio.flags.writeable = False
    return faces, ratio, float(current.sum() / a)


def edge_current_distribution(half_width_over_gap: float, wagner_number: float,
                              params: ParamsLike = None) -> EdgeDistribution:
    """Secondary current distribution across a web centred between two anode planes (both faces plated).

    Half web of half-width a (in gaps) in the plane y = 0, anodes at y = ±gap, wider than the web; cathode
    Robin condition with linearised kinetics j = η/R_p, Wa = κR_p/gap. Wa ≥ 1e9 returns the uniform
    distribution; Wa → 0 tends to :func:`primary_edge_distribution` (edge singularity ∝ (a - x)^-½, so the
    outermost-cell value then depends on ``uniformity_edge_cell_frac``). Results are cached per geometry.
    """
    register("Wagner1951", "electrodeposition.edge_current_distribution")
    k = plating_constants(params)
    a = check_range("half_width_over_gap", half_width_over_gap, 0.0, 1e4, low_inclusive=False)
    wa = check_range("wagner_number", wagner_number, 0.0, math.inf)  # +inf allowed: uniform
    key = (float(f"{a:.6g}"), float(f"{min(wa, _WA_UNIFORM):.6g}"), int(k.uniformity_width_cells_count),
           int(k.uniformity_gap_cells_count), int(k.uniformity_overhang_cells_count),
           k.uniformity_far_field_gaps_frac, k.uniformity_edge_cell_frac)
    faces, ratio, mean = _edge_solution(*key)
    if wa >= _WA_UNIFORM:
        ratio, mean = np.ones_like(ratio), 1.0 / (1.0 + wa)
    return EdgeDistribution(faces_frac=faces.copy(), centres_frac=0.5 * (faces[1:] + faces[:-1]),
                            current_ratio=np.array(ratio, dtype=float), mean_current_frac=mean)


def primary_edge_distribution(half_width_over_gap: float, faces_frac: ArrayLike) -> FloatArray:
    """Closed-form primary distribution (Wa = 0), averaged over cells with the given faces (0..1 of half width).

    Conformal map ζ = exp(πz/gap) of the half-slab: j(x) ∝ [(1 - e^{-π(a+x)})(1 - e^{-π(a-x)})]^-½ (x, a in gaps);
    a ≫ 1 gives a uniform centre with √ edge peaks, a ≪ 1 the isolated-strip law (a² - x²)^-½. Integrated per
    cell with x = a·sin θ (Gauss-Legendre), normalised to mean 1.
    """
    register("Newman2004", "electrodeposition.primary_edge_distribution")
    a = check_range("half_width_over_gap", half_width_over_gap, 0.0, 1e4, low_inclusive=False)
    faces = _arr("faces_frac", faces_frac, 0.0, 1.0, "1")
    theta = np.arcsin(faces)
    lo, hi = theta[:-1, None], theta[1:, None]
    th = 0.5 * (hi + lo) + 0.5 * (hi - lo) * _GL_X[None, :]
    x = a * np.sin(th)
    # j·dx with dx = a cosθ dθ; (a - x)·… made finite analytically: 1 - e^{-π(a-x)} = -expm1(-π(a-x)).
    s = 1.0 / np.sqrt(-np.expm1(-math.pi * (a + x)) * -np.expm1(-math.pi * (a - x)))
    integrand = s * a * np.cos(th)
    integral = np.sum(0.5 * (hi - lo) * _GL_W[None, :] * integrand, axis=1)
    cell_means = integral / (a * np.diff(faces))
    return cell_means / (integral.sum() / a)


@dataclass(frozen=True)
class CrossWebProfile:
    """Deposit across the full web width (edge to edge); statistics are area-weighted."""

    position_m: FloatArray               # cell centres, 0 = web centre line
    cell_width_m: FloatArray
    current_density_A_per_m2: FloatArray
    current_efficiency_frac: FloatArray
    thickness_m: FloatArray
    wagner_number: float
    mean_thickness_m: float
    min_thickness_m: float
    max_thickness_m: float
    cov_frac: float


def cross_web_profile(
    bath: BathLike, current_density_A_per_m2: float, plating_time_s: float, web_width_m: float, *,
    gap_m: float | None = None, concentration_mol_per_m3: float | None = None, temperature_K: float | None = None,
    diffusion_layer_m: float | None = None, params: ParamsLike = None,
) -> CrossWebProfile:
    """Thickness profile across the web from the secondary current distribution (one operating point).

    Wa is evaluated at the mean current density with L = gap; the local current density then sets the local
    efficiency through the full kinetics (so burning edges also lose efficiency).
    """
    b, k = resolve_bath(bath, params), plating_constants(params)
    j_mean = float(check_range("current_density_A_per_m2", current_density_A_per_m2, 0.0,
                               _MAX_CURRENT_DENSITY_A_PER_M2, low_inclusive=False))
    t = check_range("plating_time_s", plating_time_s, 0.0, None)
    width = check_range("web_width_m", web_width_m, 0.0, 10.0, low_inclusive=False)
    gap = k.plating_anode_cathode_gap_m if gap_m is None else check_range("gap_m", gap_m, 0.0, 1.0,
                                                                          low_inclusive=False)
    cond = {"concentration_mol_per_m3": concentration_mol_per_m3, "temperature_K": temperature_K,
            "diffusion_layer_m": diffusion_layer_m, "params": params}
    wa = float(wagner_number_frac(b, j_mean, gap, **cond))
    dist = edge_current_distribution(0.5 * width / gap, wa, params)
    j_local = j_mean * dist.current_ratio
    peak_ratio = float(np.max(dist.current_ratio))
    if j_mean * peak_ratio > _MAX_CURRENT_DENSITY_A_PER_M2:  # the edges run above the kinetics' range
        raise FoiltwinInputError(
            "current_density_A_per_m2", j_mean,
            f"at most ≈{_MAX_CURRENT_DENSITY_A_PER_M2 / peak_ratio:.4g} A/m2 on this {width:g} m web: the edge "
            f"current density is {peak_ratio:.4g} × the mean and the kinetics take at most "
            f"{_MAX_CURRENT_DENSITY_A_PER_M2:g} A/m2")
    eff = partial_currents(b, j_local, **cond).current_efficiency_frac
    m = b.metal
    thick = j_local * t * eff * m.molar_mass_kg_per_mol / (m.valence_count * F * m.density_kg_per_m3)
    half = 0.5 * width
    x_half, w_half = dist.centres_frac * half, dist.widths_frac * half
    mean = float(np.sum(w_half * thick) / np.sum(w_half))
    cov = float(np.sqrt(np.sum(w_half * (thick - mean) ** 2) / np.sum(w_half)) / mean) if mean > 0 else 0.0
    mirror = lambda a, sign=1.0: np.concatenate((sign * a[::-1], a))  # noqa: E731
    return CrossWebProfile(
        position_m=mirror(x_half, -1.0), cell_width_m=mirror(w_half), current_density_A_per_m2=mirror(j_local),
        current_efficiency_frac=mirror(eff), thickness_m=mirror(thick), wagner_number=wa, mean_thickness_m=mean,
        min_thickness_m=float(thick.min()), max_thickness_m=float(thick.max()), cov_frac=cov,
    )


# ---------------------------------------------------------------------------------------------------------
# Line plan
# ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LinePlan:
    """What a plating section needs to lay down a target thickness at a line speed (per web point)."""

    bath: str
    plating_time_s: FloatArray
    diffusion_layer_m: FloatArray
    point: PolarizationPoint
    cell: CellVoltage
    rectifier_power_W_per_m2: FloatArray     # per m2 of plated face
    energy_kWh_per_m2: FloatArray            # per m2 of web, all plated faces
    flows: MetalFlows                        # per m2 of web
    flags: OperatingFlags


def plan_line(
    bath: BathLike, target_thickness_m: ArrayLike, web_speed_m_per_s: ArrayLike, tank_count: ArrayLike,
    tank_length_m: ArrayLike, *, concentration_mol_per_m3: ArrayLike | None = None,
    temperature_K: ArrayLike | None = None, gap_m: ArrayLike | None = None, anode: str | None = None,
    flow_model: FlowModel = "moving_web", params: ParamsLike = None,
) -> LinePlan:
    """Plating time, current density, efficiency, cell voltage, energy and metal flows for a target thickness.

    The diffusion layer restarts in every tank (web speed, tank length, agitation floor). Raises if the target
    would need more than j_L; flags j outside the bath window or above the burning share of j_L.
    """
    b = resolve_bath(bath, params)
    t = plating_time_s(tank_count, tank_length_m, web_speed_m_per_s)
    T = _temperature(b, temperature_K)
    d = diffusion_layer_m(b, web_speed_m_per_s, tank_length_m, T, flow_model=flow_model, params=params)
    cond = {"concentration_mol_per_m3": concentration_mol_per_m3, "temperature_K": T, "diffusion_layer_m": d,
            "params": params}
    point = current_density_for_thickness(b, target_thickness_m, t, **cond)
    j = point.current_density_A_per_m2
    cell = cell_voltage(b, j, gap_m=gap_m, anode=anode, **cond)
    power = rectifier_power_W_per_m2(cell.total_V, j, params=params)
    energy = plating_energy_kWh_per_m2(cell.total_V, j, t, params=params)
    flows = metal_flows_per_m2(b, j, t, point.current_efficiency_frac,
                               concentration_mol_per_m3=concentration_mol_per_m3, anode=anode, params=params)
    flags = operating_flags(b, j, **cond)
    t, d = (np.broadcast_to(a, j.shape).copy() for a in (t, d))
    return LinePlan(b.name, t, d, point, cell, power, energy, flows, flags)
