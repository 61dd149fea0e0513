"""Cu surface texture: fractions in (111), (100), (110) and random orientation (docs/texture_ag_quality.md).

Two models, both pure and vectorised over a batch of B foils; every texture is a row of four fractions in
[0, 1] that sum to 1, in the column order :data:`FACETS`.

- **As electroformed** (:func:`electroformed_texture_array`): an empirical map for additive-free acid-sulfate
  Cu. Four anchor points (registry ``texture_map_*``) in the current density j: (110) at low j (1-6 A/dm²,
  Gu2002), (111) at 15 A/dm² (Gu2002; commercial foil is (111)-rich, seed 000 §1), unoriented near the limiting
  current (Winand1994, assumed at 100 A/dm²). The anchor *fractions* are assumptions. Between anchors the
  texture is a convex blend with a C¹ smoothstep weight in log10 j, so fractions stay valid. The bath
  temperature enters through j_eff = j·exp(−E_D/R·(1/T_ref − 1/T)) (j compared with a limiting current ∝ D(T)).
  FSI⁻ (seed 000 T7) blends the result toward a (110) anchor with weight ``texture_fsi_weight_frac``.
- **During heating** (:func:`anneal_texture`): JMAK recrystallisation X = 1 − exp(−(θ/τ)^n) with the
  Arrhenius-scaled time at the calibration temperature θ = ∫ exp(−Q/R·(1/T − 1/T_cal)) dt (additivity rule),
  so any T(t) works, e.g. :class:`process_models.uht.thermal.TemperatureHistory` arrays of shape (B, M). The texture
  moves linearly in X from its initial state to the cube end state ``texture_cube_end_*``. Q from
  Vandermeer2004, n from Humphreys2004, τ from a one-point calibration on seed 000 Table 2.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from process_models.citations import register
from process_models.errors import FoiltwinInputError
from process_models.errors import check_array as _check
from process_models.parameters import parameters_or_default as _values
from process_models.physical_constants import R

FloatArray = NDArray[np.float64]
ParamsLike = Mapping[str, float] | None
Additive = Literal["none", "fsi"]

FACETS: tuple[str, ...] = ("111", "100", "110", "random")
ADDITIVES: tuple[str, ...] = ("none", "fsi")
MAP_ANCHORS: tuple[str, ...] = ("lowj", "midj", "highj", "maxj")
# Bath temperatures the map accepts [K]: aqueous bath, seed 000 Table 2 "RT to 80 °C" with a margin.
BATH_TEMPERATURE_RANGE_K = (278.15, 363.15)
# Current densities the map accepts [A/m2] (outside the anchors the end anchors' textures are held).
CURRENT_DENSITY_RANGE_A_PER_M2 = (1e-3, 1e5)
_SUM_TOL = 1e-6  # tolerance on Σ fractions = 1 for textures given as input
# Gauss-Legendre quadrature of the Arrhenius factor over piecewise-linear T(t): 8 nodes per sub-interval and
# sub-intervals over which Q/(R T) changes by at most _MAX_DX (relative error < 1e-9 for exp(-x)).
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(8)
_MAX_DX = 4.0
_MAX_SUBINTERVALS = 4096


# ---------------------------------------------------------------------------------------------------------
# Texture record
# ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Texture:
    """Area fractions of the Cu surface in each orientation; each in [0, 1], summing to 1."""

    f111_frac: float
    f100_frac: float
    f110_frac: float
    random_frac: float

    def __post_init__(self) -> None:
        _check_rows("texture", np.array([self.as_array()]))

    def as_array(self) -> FloatArray:
        """The fractions as an array of shape (4,) in the order :data:`FACETS`."""
        return np.array([self.f111_frac, self.f100_frac, self.f110_frac, self.random_frac], dtype=float)

    @classmethod
    def from_array(cls, fractions: ArrayLike) -> Texture:
        """A texture from four fractions in the order :data:`FACETS`."""
        a = np.asarray(fractions, dtype=float)
        if a.shape != (4,):
            raise FoiltwinInputError("texture", a.shape, "4 fractions in the order (111), (100), (110), random")
        return cls(*(float(v) for v in a))


def textures_from_array(fractions: ArrayLike) -> list[Texture]:
    """One :class:`Texture` per row of a (B, 4) array."""
    return [Texture.from_array(row) for row in np.atleast_2d(np.asarray(fractions, dtype=float))]


def as_texture_array(texture: Texture | ArrayLike, field: str = "texture") -> FloatArray:
    """A texture (or (4,) / (B, 4) fractions) as a validated (B, 4) array."""
    a = texture.as_array() if isinstance(texture, Texture) else np.asarray(texture, dtype=float)
    a = np.atleast_2d(a)
    if a.ndim != 2 or a.shape[1] != 4:
        raise FoiltwinInputError(field, a.shape, "shape (4,) or (B, 4): fractions (111), (100), (110), random")
    _check_rows(field, a)
    return a.astype(float)


def _check_rows(field: str, a: FloatArray) -> None:
    bad = ~np.isfinite(a).all(axis=1) | (a < 0.0).any(axis=1) | (a > 1.0).any(axis=1)
    bad |= np.abs(a.sum(axis=1) - 1.0) > _SUM_TOL
    if np.any(bad):
        row = a[int(np.flatnonzero(bad)[0])]
        raise FoiltwinInputError(field, row.tolist(), "four fractions in [0, 1] that sum to 1")


# ---------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------



def _facet_anchor(values: Mapping[str, float], prefix: str) -> FloatArray:
    """(111), (100), (110), random fractions of a registry anchor; random is the remainder."""
    three = np.array([values[f"{prefix}_111_frac"], values[f"{prefix}_100_frac"], values[f"{prefix}_110_frac"]])
    rest = 1.0 - three.sum()
    if rest < -1e-12:
        raise FoiltwinInputError(f"{prefix}_*_frac", three.tolist(), "(111) + (100) + (110) shares at most 1")
    return np.append(three, max(rest, 0.0))


def _additive_mask(additive: str | Sequence[str], batch: int) -> NDArray[np.bool_]:
    modes = np.atleast_1d(np.asarray(additive, dtype=object))
    for m in modes:
        if m not in ADDITIVES:
            raise FoiltwinInputError("additive", m, f"one of {', '.join(ADDITIVES)}")
    if modes.shape[0] not in (1, batch):
        raise FoiltwinInputError("additive", list(modes), f"one additive or {batch} (one per foil)")
    return np.broadcast_to(modes == "fsi", (batch,)).copy()


# ---------------------------------------------------------------------------------------------------------
# As-electroformed texture
# ---------------------------------------------------------------------------------------------------------
def effective_current_density_A_per_m2(
    current_density_A_per_m2: ArrayLike, bath_temperature_K: ArrayLike, params: ParamsLike = None
) -> FloatArray:
    """j at the map's reference temperature with the same j/j_lim: j·exp(−E_D/R·(1/T_ref − 1/T)) [A/m2]."""
    values = _values(params)
    j = _check("current_density_A_per_m2", current_density_A_per_m2, *CURRENT_DENSITY_RANGE_A_PER_M2, "A/m2")
    T = _check("bath_temperature_K", bath_temperature_K, *BATH_TEMPERATURE_RANGE_K, "K")
    e_d = values["texture_map_diffusion_activation_J_per_mol"]
    T_ref = values["texture_map_reference_temperature_K"]
    return j * np.exp(-e_d / R * (1.0 / T_ref - 1.0 / T))


def electroformed_texture_array(
    current_density_A_per_m2: ArrayLike,
    bath_temperature_K: ArrayLike,
    additive: Additive | Sequence[Additive] = "none",
    params: ParamsLike = None,
) -> FloatArray:
    """Texture (B, 4) of acid-sulfate electroformed Cu at current density j [A/m2] and bath temperature [K].

    Inputs are scalars or (B,) arrays; ``additive`` is "none" or "fsi" (one or one per foil). Empirical map:
    anchors from Gu2002/Winand1994/seed 000 (directions) with assumed fractions, see the module docstring.
    """
    register("Gu2002", "texture.electroformed_texture_array")
    register("Winand1994", "texture.electroformed_texture_array")
    register("Feng2026", "texture.electroformed_texture_array")
    register("CRC", "texture.electroformed_texture_array")
    values = _values(params)
    j_eff = np.atleast_1d(effective_current_density_A_per_m2(current_density_A_per_m2, bath_temperature_K,
                                                             values))
    if j_eff.ndim != 1:
        raise FoiltwinInputError("current_density_A_per_m2", j_eff.shape, "a scalar or an array of shape (B,)")
    n_additives = np.atleast_1d(np.asarray(additive, dtype=object)).shape[0]
    B = max(j_eff.shape[0], n_additives)
    if j_eff.shape[0] not in (1, B):
        raise FoiltwinInputError("additive", additive, f"one additive or {j_eff.shape[0]} (one per foil)")
    j_eff = np.broadcast_to(j_eff, (B,))
    nodes = np.array([values[f"texture_map_{a}_current_density_A_per_m2"] for a in MAP_ANCHORS])
    if np.any(np.diff(nodes) <= 0.0):
        raise FoiltwinInputError("texture_map_*_current_density_A_per_m2", nodes.tolist(),
                                 "strictly increasing from lowj to maxj")
    anchors = np.stack([_facet_anchor(values, f"texture_map_{a}") for a in MAP_ANCHORS])  # (4 anchors, 4)
    u = np.log10(j_eff)
    u_nodes = np.log10(nodes)
    i = np.clip(np.searchsorted(u_nodes, u, side="right") - 1, 0, len(u_nodes) - 2)
    s = np.clip((u - u_nodes[i]) / (u_nodes[i + 1] - u_nodes[i]), 0.0, 1.0)
    w = (s * s * (3.0 - 2.0 * s))[:, None]  # C¹ smoothstep: a convex blend of neighbouring anchors
    f = (1.0 - w) * anchors[i] + w * anchors[i + 1]
    fsi = _additive_mask(additive, B)
    if np.any(fsi):
        register("Feng2026", "texture.electroformed_texture_array (FSI)")
        wf = values["texture_fsi_weight_frac"]
        f[fsi] = (1.0 - wf) * f[fsi] + wf * _facet_anchor(values, "texture_fsi")
    return np.clip(f, 0.0, 1.0)


def electroformed_texture(
    current_density_A_per_m2: float, bath_temperature_K: float, additive: Additive = "none",
    params: ParamsLike = None,
) -> Texture:
    """Scalar version of :func:`electroformed_texture_array`."""
    return Texture.from_array(electroformed_texture_array(current_density_A_per_m2, bath_temperature_K,
                                                          additive, params)[0])


# ---------------------------------------------------------------------------------------------------------
# Recrystallisation (JMAK with the additivity rule)
# ---------------------------------------------------------------------------------------------------------
def _arrhenius(values: Mapping[str, float]) -> tuple[float, float]:
    """(Q/R [K], T_cal [K])."""
    return values["recrystallisation_activation_J_per_mol"] / R, values["recrystallisation_calibration_temperature_K"]


def recrystallisation_rate_per_s(temperature_K: ArrayLike, params: ParamsLike = None) -> FloatArray:
    """JMAK rate constant k(T) = (1/τ)·exp(−Q/R·(1/T − 1/T_cal)) [1/s]."""
    register("Vandermeer2004", "texture.recrystallisation_rate_per_s")
    values = _values(params)
    T = _check("temperature_K", temperature_K, 0.0, values["cu_melting_temperature_K"], "K", low_inclusive=False)
    a, T_cal = _arrhenius(values)
    return np.exp(-a * (1.0 / T - 1.0 / T_cal)) / values["recrystallisation_time_constant_s"]


def _histories(time_s: ArrayLike, temperature_K: ArrayLike, values: Mapping[str, float]
               ) -> tuple[FloatArray, FloatArray]:
    t = np.asarray(time_s, dtype=float)
    T = np.asarray(temperature_K, dtype=float)
    if t.shape != T.shape or t.ndim not in (1, 2) or t.shape[-1] < 1:
        raise FoiltwinInputError("time_s/temperature_K", (t.shape, T.shape),
                                 "two arrays of one shape, (M,) or (B, M) with M >= 1")
    t, T = np.atleast_2d(t), np.atleast_2d(T)
    _check("time_s", t, None, None, "s")
    _check("temperature_K", T, 0.0, values["cu_melting_temperature_K"], "K", low_inclusive=False)
    back = np.diff(t, axis=1) < 0.0
    if np.any(back):
        b, m = (int(v[0]) for v in np.nonzero(back))
        raise FoiltwinInputError("time_s", float(t[b, m + 1]),
                                 f"non-decreasing along each history (history {b}, sample {m + 1})")
    return t, T


def equivalent_time_s(time_s: ArrayLike, temperature_K: ArrayLike, params: ParamsLike = None) -> FloatArray:
    """Time at the calibration temperature with the same recrystallisation progress [s], shape (B,).

    θ = ∫ exp(−Q/R·(1/T − 1/T_cal)) dt over a piecewise-linear T(t) given by samples ``time_s``,
    ``temperature_K`` of shape (M,) or (B, M) (e.g. a :class:`~process_models.uht.thermal.TemperatureHistory`).
    Gauss-Legendre quadrature on sub-intervals (exact for constant T).
    """
    register("Vandermeer2004", "texture.equivalent_time_s")
    values = _values(params)
    t, T = _histories(time_s, temperature_K, values)
    B, M = t.shape
    if M < 2:
        return np.zeros(B)
    a, T_cal = _arrhenius(values)
    dt = np.diff(t, axis=1)[..., None]
    T0, T1 = T[:, :-1, None], T[:, 1:, None]
    dx = a * np.abs(1.0 / T0 - 1.0 / T1)
    K = int(min(max(np.ceil(dx.max() / _MAX_DX), 1.0), _MAX_SUBINTERVALS))
    s, w = 0.5 * (_GL_NODES + 1.0), 0.5 * _GL_WEIGHTS
    theta = np.zeros(B)
    for k in range(K):
        Tn = T0 + (T1 - T0) * ((k + s) / K)
        theta += np.sum(dt / K * w * np.exp(a / T_cal - a / Tn), axis=(1, 2))
    return theta


def isothermal_equivalent_time_s(time_s: ArrayLike, temperature_K: ArrayLike, params: ParamsLike = None
                                 ) -> FloatArray:
    """Closed form of :func:`equivalent_time_s` for a hold of ``time_s`` at constant ``temperature_K`` [s]."""
    values = _values(params)
    t = _check("time_s", time_s, 0.0, None, "s")
    T = _check("temperature_K", temperature_K, 0.0, values["cu_melting_temperature_K"], "K", low_inclusive=False)
    a, T_cal = _arrhenius(values)
    return t * np.exp(-a * (1.0 / T - 1.0 / T_cal))


def recrystallised_fraction(equivalent_time_s: ArrayLike, params: ParamsLike = None) -> FloatArray:
    """JMAK X = 1 − exp(−(θ/τ)^n) for an equivalent time θ at T_cal [s] (Humphreys2004 for n)."""
    register("Humphreys2004", "texture.recrystallised_fraction")
    register("Feng2026", "texture.recrystallised_fraction")
    values = _values(params)
    theta = _check("equivalent_time_s", equivalent_time_s, 0.0, None, "s")
    n = values["recrystallisation_avrami_exponent_frac"]
    return -np.expm1(-((theta / values["recrystallisation_time_constant_s"]) ** n))


def recrystallised_fraction_isothermal(time_s: ArrayLike, temperature_K: ArrayLike, params: ParamsLike = None
                                       ) -> FloatArray:
    """Closed-form JMAK X after ``time_s`` at constant ``temperature_K``."""
    return recrystallised_fraction(isothermal_equivalent_time_s(time_s, temperature_K, params), params)


@dataclass(frozen=True)
class AnnealResult:
    """Texture after heating, shape (B, 4), with the recrystallised fraction and the equivalent time (B,)."""

    texture: FloatArray
    recrystallised_frac: FloatArray
    equivalent_time_s: FloatArray

    def textures(self) -> list[Texture]:
        return textures_from_array(self.texture)


def anneal_texture_equivalent(
    initial: Texture | ArrayLike, equivalent_time_s: ArrayLike, params: ParamsLike = None
) -> AnnealResult:
    """Texture after an equivalent time θ at T_cal [s]: f = (1 − X)·f_initial + X·f_cube (rows broadcast)."""
    values = _values(params)
    f0 = as_texture_array(initial, "initial_texture")
    theta = np.atleast_1d(_check("equivalent_time_s", equivalent_time_s, 0.0, None, "s"))
    if theta.ndim != 1:
        raise FoiltwinInputError("equivalent_time_s", theta.shape, "a scalar or an array of shape (B,)")
    B = max(f0.shape[0], theta.shape[0])
    if f0.shape[0] not in (1, B) or theta.shape[0] not in (1, B):
        raise FoiltwinInputError("initial_texture", f0.shape, f"one texture or {theta.shape[0]} (one per foil)")
    f0, theta = np.broadcast_to(f0, (B, 4)), np.broadcast_to(theta, (B,))
    X = recrystallised_fraction(theta, values)
    f_end = _facet_anchor(values, "texture_cube_end")
    f = np.clip((1.0 - X)[:, None] * f0 + X[:, None] * f_end, 0.0, 1.0)
    return AnnealResult(texture=f, recrystallised_frac=X, equivalent_time_s=np.array(theta, dtype=float))


def anneal_texture(
    initial: Texture | ArrayLike, time_s: ArrayLike, temperature_K: ArrayLike, params: ParamsLike = None
) -> AnnealResult:
    """Texture after one temperature history (``time_s``, ``temperature_K`` of shape (M,) or (B, M))."""
    return anneal_texture_histories(initial, [(time_s, temperature_K)], params)


def anneal_texture_histories(
    initial: Texture | ArrayLike, histories: Sequence[Any], params: ParamsLike = None
) -> AnnealResult:
    """Texture after several heating steps in sequence (e.g. UHT stage II then stage III).

    Each history is a ``(time_s, temperature_K)`` pair or an object with those attributes (such as
    :class:`~process_models.uht.thermal.TemperatureHistory`). By the additivity rule their equivalent times add,
    so the result does not depend on how the heating is split into steps.
    """
    values = _values(params)
    theta: FloatArray = np.zeros(1)
    for h in histories:
        t, T = (h.time_s, h.temperature_K) if hasattr(h, "time_s") else h
        th = equivalent_time_s(t, T, values)
        if th.shape[0] != theta.shape[0] and 1 not in (th.shape[0], theta.shape[0]):
            raise FoiltwinInputError("histories", [theta.shape[0], th.shape[0]], "histories of one batch size B")
        theta = theta + th
    return anneal_texture_equivalent(initial, theta, values)
