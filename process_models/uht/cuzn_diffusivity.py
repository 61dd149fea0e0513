"""Cu-Zn interdiffusion coefficient D̃(x_Zn, T) of the "fick" mode, and its Kirchhoff potential.

The fick mode uses one smooth D̃(x) over the whole composition range, without a phase diagram (feasibility
study §2, "fick" mode):

* α law below ``fick_alpha_beta_switch_zn_frac``: D̃α = D0·exp(-Q/RT) · 10^(A·x/x_ref)
  (Zn tracer in dilute Cu from seed note 002 §5b; A anchored on the Darken analysis of Smigelskas1947);
* β law up to ``fick_beta_gamma_switch_zn_frac``: D̃β = fβ · Φβ · (x_Cu·D*_Zn + x_Zn·D*_Cu) (Kuper1956
  tracers; fβ = ``beta_diffusivity_scale_frac``, the fitted effective growth rate of β, see gamma_islands);
* γ law above: D̃γ = fγ · Φγ · (x_Cu·D*_Zn + x_Zn·D*_Cu).

At each switch ln D̃ is interpolated linearly in x over ``fick_blend_width_frac`` (centred on the switch),
so D̃ is continuous and every piece is exponential or linear in x. The Kirchhoff potential
Ψ(x, T) = ∫₀ˣ D̃(x', T) dx' (m²/s) is therefore exact in closed form; the interdiffusion solver uses
face fluxes -(Ψ(x_{i+1}) - Ψ(x_i))/Δz, which stay accurate across the ~6 decades of D̃.

All functions broadcast ``x`` against ``T_K`` (e.g. x (B, N) with T (B, 1)).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from process_models.citations import register
from process_models.errors import FoiltwinInputError, check_fractions
from process_models.parameters import default_parameters
from process_models.physical_constants import R

__all__ = [
    "PARAMETER_NAMES",
    "CuZnFickDiffusivity",
    "cuzn_interdiffusion_m2_per_s",
    "cuzn_kirchhoff_potential_m2_per_s",
    "diffusion_clock_m2_per_s",
]

PARAMETER_NAMES: tuple[str, ...] = (
    "zn_tracer_in_cu_prefactor_m2_per_s",
    "zn_tracer_in_cu_activation_J_per_mol",
    "alpha_interdiffusion_log10_rise_frac",
    "alpha_interdiffusion_rise_reference_zn_frac",
    "beta_cu_tracer_prefactor_m2_per_s",
    "beta_cu_tracer_activation_J_per_mol",
    "beta_zn_tracer_prefactor_m2_per_s",
    "beta_zn_tracer_activation_J_per_mol",
    "beta_thermodynamic_factor_frac",
    "beta_diffusivity_scale_frac",
    "gamma_thermodynamic_factor_frac",
    "gamma_diffusivity_scale_frac",
    "fick_alpha_beta_switch_zn_frac",
    "fick_beta_gamma_switch_zn_frac",
    "fick_blend_width_frac",
    "diffusion_clock_reference_zn_frac",
)

Array = NDArray[np.float64]
_SQRT_TINY = float(np.finfo(float).tiny ** 0.5)
_RESTRICT_MIN_SIZE = 4096  # arrays smaller than this are evaluated whole (call overhead dominates)


def _register_sources(params: Mapping[str, float], caller: str) -> None:
    """Register the source of every parameter used (the record's source if ``params`` carries records)."""
    record = getattr(params, "record", None)
    if record is None:
        defaults = default_parameters()
        for name in PARAMETER_NAMES:
            rec = defaults.record(name)
            register(rec.source if params[name] == rec.value else "Assumed", caller)
        return
    for name in PARAMETER_NAMES:
        register(record(name).source, caller)


@dataclass(frozen=True)
class CuZnFickDiffusivity:
    """The fick-mode D̃(x, T) with its constants resolved once; call :meth:`from_parameters` to build it.

    Methods take x_Zn (mole fraction) and T (K) broadcastable against each other and never validate
    (the solver calls them in its Newton loop); the module-level functions validate.
    """

    zn_d0_m2_per_s: float
    zn_q_J_per_mol: float
    alpha_rate_per_frac: float  # k in D̃α = D*·exp(k x), k = A ln10 / x_ref
    cu_beta_d0_m2_per_s: float
    cu_beta_q_J_per_mol: float
    zn_beta_d0_m2_per_s: float
    zn_beta_q_J_per_mol: float
    beta_factor: float
    gamma_factor: float  # fγ · Φγ
    x1: float  # α law up to here
    x2: float  # β law from here
    x3: float  # β law up to here
    x4: float  # γ law from here
    clock_zn_frac: float
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def from_parameters(cls, params: Mapping[str, float] | None = None) -> CuZnFickDiffusivity:
        """Resolve the constants from ``params`` (default: the registry) and register their sources."""
        p = default_parameters() if params is None else params
        _register_sources(p, "cuzn_diffusivity.CuZnFickDiffusivity")
        half = 0.5 * p["fick_blend_width_frac"]
        ab, bg = p["fick_alpha_beta_switch_zn_frac"], p["fick_beta_gamma_switch_zn_frac"]
        x1, x2, x3, x4 = ab - half, ab + half, bg - half, bg + half
        if not (0.0 < x1 < x2 < x3 < x4 < 1.0):
            raise FoiltwinInputError(
                "fick_blend_width_frac", p["fick_blend_width_frac"],
                f"blends around {ab:g} and {bg:g} must not overlap and must stay inside (0, 1)",
            )
        return cls(
            zn_d0_m2_per_s=p["zn_tracer_in_cu_prefactor_m2_per_s"],
            zn_q_J_per_mol=p["zn_tracer_in_cu_activation_J_per_mol"],
            alpha_rate_per_frac=p["alpha_interdiffusion_log10_rise_frac"] * np.log(10.0)
            / p["alpha_interdiffusion_rise_reference_zn_frac"],
            cu_beta_d0_m2_per_s=p["beta_cu_tracer_prefactor_m2_per_s"],
            cu_beta_q_J_per_mol=p["beta_cu_tracer_activation_J_per_mol"],
            zn_beta_d0_m2_per_s=p["beta_zn_tracer_prefactor_m2_per_s"],
            zn_beta_q_J_per_mol=p["beta_zn_tracer_activation_J_per_mol"],
            beta_factor=p["beta_diffusivity_scale_frac"] * p["beta_thermodynamic_factor_frac"],
            gamma_factor=p["gamma_diffusivity_scale_frac"] * p["gamma_thermodynamic_factor_frac"],
            x1=x1, x2=x2, x3=x3, x4=x4,
            clock_zn_frac=p["diffusion_clock_reference_zn_frac"],
        )

    # --- temperature-only parts ---------------------------------------------------------------------

    def zn_tracer_in_cu(self, T_K: ArrayLike) -> Array:
        """D*_Zn in dilute Cu (m²/s)."""
        return self.zn_d0_m2_per_s * np.exp(-self.zn_q_J_per_mol / (R * np.asarray(T_K, dtype=float)))

    def beta_tracers(self, T_K: ArrayLike) -> tuple[Array, Array]:
        """Kuper β tracers (D*_Cu, D*_Zn) in m²/s."""
        RT = R * np.asarray(T_K, dtype=float)
        return (self.cu_beta_d0_m2_per_s * np.exp(-self.cu_beta_q_J_per_mol / RT),
                self.zn_beta_d0_m2_per_s * np.exp(-self.zn_beta_q_J_per_mol / RT))

    def clock(self, T_K: ArrayLike) -> Array:
        """D̃α at the clock composition (m²/s): the solver places its time steps evenly in ∫ clock dt."""
        return self.zn_tracer_in_cu(T_K) * np.exp(self.alpha_rate_per_frac * self.clock_zn_frac)

    def _pieces(self, T_K: ArrayLike) -> tuple[Array, ...]:
        """T-dependent coefficients of the five pieces (cached for the last temperature array)."""
        T = np.asarray(T_K, dtype=float)
        cached = self._cache.get("pieces")
        if cached is not None and cached[0].shape == T.shape and np.array_equal(cached[0], T):
            return cached[1]
        pieces = self._pieces_at(T)
        self._cache["pieces"] = (T.copy(), pieces)
        return pieces

    def _pieces_at(self, T: Array) -> tuple[Array, ...]:
        """The coefficients of :meth:`_pieces`, computed (no cache)."""
        d_alpha = self.zn_tracer_in_cu(T)
        d_cu, d_zn = self.beta_tracers(T)
        # x_Cu·D*_Zn + x_Zn·D*_Cu = D*_Zn + x·(D*_Cu - D*_Zn)
        p_b, q_b = self.beta_factor * d_zn, self.beta_factor * (d_cu - d_zn)
        p_g, q_g = self.gamma_factor * d_zn, self.gamma_factor * (d_cu - d_zn)
        k = self.alpha_rate_per_frac
        d1 = d_alpha * np.exp(k * self.x1)  # blend 1 starts on the α law ...
        d2 = p_b + q_b * self.x2  # ... and ends on the β law
        d3 = p_b + q_b * self.x3  # blend 2 starts on the β law ...
        d4 = p_g + q_g * self.x4  # ... and ends on the γ law
        lam1 = _nonzero(np.log(d2 / d1) / (self.x2 - self.x1))
        lam2 = _nonzero(np.log(d4 / d3) / (self.x4 - self.x3))
        k = float(_nonzero(np.asarray(k)))
        return (d_alpha, d_alpha / k, k, d1, d1 / lam1, lam1, d2, 0.5 * q_b, q_b,
                d3, d3 / lam2, lam2, d4, 0.5 * q_g, q_g)

    # --- composition-dependent ----------------------------------------------------------------------

    def kirchhoff(self, x: ArrayLike, T_K: ArrayLike) -> tuple[Array, Array]:
        """(Ψ, D̃) at (x, T): Ψ = ∫₀ˣ D̃ dx' and D̃ = dΨ/dx, both in m²/s.

        Written as a telescoping sum over the pieces with clipped compositions (no branches): a piece
        whose start lies above every x contributes exactly zero and is skipped.
        """
        return self._kirchhoff(np.asarray(x, dtype=float), self._pieces(T_K))

    def kirchhoff_at(self, T_K: ArrayLike) -> Callable[[Array], tuple[Array, Array]]:
        """:meth:`kirchhoff` with the temperatures fixed: ``f(x) -> (Ψ, D̃)``, the T-dependent coefficients
        computed once (the solver binds a step's temperature once and iterates in x)."""
        T = np.asarray(T_K, dtype=float)
        planned = self._cache.get("planned")
        pieces = planned.get(T.tobytes()) if planned is not None and T.ndim == 2 and T.shape[1] == 1 else None
        if pieces is None:
            pieces = self._pieces_at(T)
            if T.size == 1:  # one foil: Python floats (the same products, without broadcasting (1, 1) arrays)
                pieces = tuple(float(np.ravel(v)[0]) for v in pieces)
        return lambda x: self._kirchhoff(x, pieces)

    def step_coefficients(self, T_K: ArrayLike) -> Array:
        """The 15 temperature-dependent coefficients of :meth:`kirchhoff` at ``T_K`` (any shape S) as one array of
        shape S + (15,), in the order :mod:`process_models.uht.newton_kernel_jit` reads them (``kirchhoff_row``)."""
        T = np.asarray(T_K, dtype=float)
        return np.stack([np.broadcast_to(np.asarray(v, dtype=float), T.shape) for v in self._pieces_at(T)], axis=-1)

    def piece_bounds(self) -> Array:
        """The compositions x1 < x2 < x3 < x4 where the pieces of D̃ meet (the compiled step's input)."""
        return np.array([self.x1, self.x2, self.x3, self.x4])

    def plan(self, T_K: ArrayLike) -> None:
        """Compute the coefficients of every solver step at once (``T_K`` (B, n): the steps' temperatures of the
        whole batch); :meth:`kirchhoff_at` at a step's (B, 1) temperatures then finds them ready. Element-wise
        the same arithmetic as one step at a time."""
        T = np.asarray(T_K, dtype=float)
        pieces = self._pieces_at(T[:, :, None])
        n = T.shape[1]
        keys = [np.ascontiguousarray(T[:, k:k + 1]).tobytes() for k in range(n)]
        if T.shape[0] == 1:  # one foil: the coefficients as Python floats (see kirchhoff_at), converted per piece
            rows = [[float(v)] * n if np.ndim(v) == 0 else np.ravel(v).tolist() for v in pieces]
            self._cache["planned"] = dict(zip(keys, zip(*rows, strict=True), strict=True))
        else:
            self._cache["planned"] = {key: tuple(v if np.ndim(v) == 0 else v[:, k] for v in pieces)
                                      for k, key in enumerate(keys)}

    def _kirchhoff(self, x: Array, pieces: tuple[Array, ...]) -> tuple[Array, Array]:
        """:meth:`kirchhoff` from the coefficients of :meth:`_pieces`."""
        (d_a, d_a_k, k, d1, d1_l, lam1, d2, hq_b, q_b, d3, d3_l, lam2, d4, hq_g, q_g) = pieces
        x1, x2, x3, x4 = self.x1, self.x2, self.x3, self.x4
        # α: ∫₀^u D_a e^{ks} ds = D_a/k·expm1(ku)
        ea = np.expm1(k * np.minimum(x, x1))
        psi = np.asarray(d_a_k * ea)
        d = np.asarray(d_a + d_a * ea)
        n_up = _upper_columns(x, psi.shape, x1)
        if n_up == 0:
            return psi, d
        xu, psu, du = x, psi, d
        if n_up > 0:  # the upper pieces only on the leading columns (below x1 each adds exactly zero)
            xu, psu, du = x[..., :n_up], psi[..., :n_up], d[..., :n_up]
            if np.ndim(lam1) and np.shape(lam1)[-1] > 1:  # coefficients varying along the columns
                lam1, d1, d1_l, d2, hq_b, q_b, lam2, d3, d3_l, d4, hq_g, q_g = (
                    v[..., :n_up] for v in (lam1, d1, d1_l, d2, hq_b, q_b, lam2, d3, d3_l, d4, hq_g, q_g))
        top = xu.max()
        # blend 1: ln D̃ linear in x
        e1 = np.expm1(lam1 * (np.minimum(np.maximum(xu, x1), x2) - x1))
        psu += d1_l * e1
        du += d1 * e1
        if top > x2:  # β: linear in x
            ub = np.minimum(np.maximum(xu, x2), x3) - x2
            psu += ub * (d2 + hq_b * ub)
            du += q_b * ub
        if top > x3:  # blend 2
            e3 = np.expm1(lam2 * (np.minimum(np.maximum(xu, x3), x4) - x3))
            psu += d3_l * e3
            du += d3 * e3
        if top > x4:  # γ: linear in x
            ug = np.maximum(xu, x4) - x4
            psu += ug * (d4 + hq_g * ug)
            du += q_g * ug
        return psi, d

    def diffusivity(self, x: ArrayLike, T_K: ArrayLike) -> Array:
        """D̃(x, T) in m²/s."""
        return self.kirchhoff(x, T_K)[1]


def _upper_columns(x: Array, shape: tuple[int, ...], x1: float) -> int:
    """How many leading columns of ``x`` hold every value above ``x1`` (depth profiles have high x on top): 0 if
    none is above, -1 for "all columns, not worth finding out" (small batches, where the search costs more than it
    saves). One profile (1, N) and large batches are searched; ``shape`` is the shape of the results."""
    if x.ndim == 2 and x.shape[0] == 1 and x.shape == shape:  # one profile: the last column above x1
        above = (x[0] > x1)[::-1]
        last = int(np.argmax(above))
        return x.shape[1] - last if above[last] else 0
    if not (x.max(initial=-np.inf) > x1):
        return 0
    if x.size > _RESTRICT_MIN_SIZE and x.ndim >= 2 and x.shape == shape:
        return int(np.flatnonzero((x > x1).any(axis=tuple(range(x.ndim - 1))))[-1]) + 1
    return -1


def _nonzero(a: Array) -> Array:
    """Replace rates of exactly zero (a flat piece) by a tiny one so that expm1(λu)/λ stays finite."""
    return np.where(np.abs(a) < _SQRT_TINY, _SQRT_TINY, a)


def _check(x: ArrayLike, T_K: ArrayLike) -> tuple[Array, Array]:
    xa = check_fractions("x_zn_frac", x)
    Ta = np.asarray(T_K, dtype=float)
    if not np.all(np.isfinite(Ta)) or np.any(Ta <= 0.0):
        bad = Ta[~(np.isfinite(Ta) & (Ta > 0.0))].flat[0]
        raise FoiltwinInputError("temperature_K", float(bad), "finite temperatures > 0 K")
    return xa, Ta


def cuzn_interdiffusion_m2_per_s(
    x: ArrayLike, T_K: ArrayLike, params: Mapping[str, float] | None = None
) -> Array:
    """Fick-mode interdiffusion coefficient D̃(x_Zn, T) in m²/s (feasibility study §2; sources: registry).

    ``x`` and ``T_K`` broadcast (x (B, N) with T (B, 1)). x must lie in [0, 1] and T > 0.
    """
    xa, Ta = _check(x, T_K)
    model = CuZnFickDiffusivity.from_parameters(params)
    register("FeasibilityStudy2026", "cuzn_diffusivity.cuzn_interdiffusion_m2_per_s")
    return model.diffusivity(xa, Ta)


def cuzn_kirchhoff_potential_m2_per_s(
    x: ArrayLike, T_K: ArrayLike, params: Mapping[str, float] | None = None
) -> Array:
    """Kirchhoff potential Ψ(x, T) = ∫₀ˣ D̃(x', T) dx' of the fick-mode D̃ (m²/s; x is dimensionless)."""
    xa, Ta = _check(x, T_K)
    model = CuZnFickDiffusivity.from_parameters(params)
    register("FeasibilityStudy2026", "cuzn_diffusivity.cuzn_kirchhoff_potential_m2_per_s")
    return model.kirchhoff(xa, Ta)[0]


def diffusion_clock_m2_per_s(T_K: ArrayLike, params: Mapping[str, float] | None = None) -> Array:
    """D̃α at ``diffusion_clock_reference_zn_frac`` (m²/s): the clock the solver spreads its steps over."""
    _, Ta = _check(0.0, T_K)
    model = CuZnFickDiffusivity.from_parameters(params)
    return model.clock(Ta)
