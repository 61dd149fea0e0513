"""Zn loss by evaporation from the hot alloy surface (stage III).

The surface releases Zn towards an equilibrium vapour concentration c_eq = a_Zn(x_s, T)·p_sat(T)/(RT),
where a_Zn is the CALPHAD activity referred to pure liquid Zn (Liang 2015, tabulated) and p_sat the
vapour pressure of liquid Zn. The flux is Hertz-Knudsen kinetics in series with transient diffusion
into a semi-infinite stagnant gas at the foil temperature (feasibility study §2):

    J = k_eff·c_eq,  1/k_eff = 1/(α_e·√(RT/2πM)) + 1/√(D_g/(π·t)),  D_g ∝ T^1.75/p.

``t`` is the time since the foil entered the hot zone. In vacuum (p = 0) only the kinetic term is left,
which strips the surface (study §3c). The far-field gas holds no Zn, so re-condensation on cooling is
not modelled (the study found its 1-D estimate exaggerated it).
"""

from __future__ import annotations

from bisect import bisect_right
from functools import partial

import numpy as np

from process_models.citations import register
from process_models.materials.properties import zn_vapour_pressure_Pa
from process_models.parameters.registry import ParameterValues
from process_models.physical_constants import R, pi
from process_models.uht.phase_diagram import cuzn_phase_diagram

# The activity table starts at 500 K. Below it p_sat(Zn) < 1e-4 Pa, so the flux is < 1e-8 of its value at
# 1100 K and reading a_Zn at 500 K there changes no result.
_ACTIVITY_TABLE_MIN_K = 500.0

# A stage-III loss above this share of the metal delivered is warned about (the Zn recipe and the other skin
# metals alike): a report threshold, not physics; the loss itself is always reported (``zn_lost_fraction``).
EVAPORATION_WARN_FRAC = 0.1


def gas_mass_transfer_coefficient_m_per_s(
    T_K: np.ndarray, time_in_zone_s: np.ndarray, params: ParameterValues
) -> np.ndarray:
    """Transient gas-phase mass-transfer coefficient √(D_g/(πt)) [m s⁻¹]; +inf in vacuum."""
    register("FeasibilityStudy2026", "zn_evaporation.gas_mass_transfer_coefficient_m_per_s")
    p = params["process_gas_pressure_Pa"]
    T = np.asarray(T_K, dtype=float)
    if p <= 0.0:
        return np.full_like(T, np.inf)
    D_g = (
        params["zn_argon_diffusivity_ref_m2_per_s"]
        * (T / params["zn_argon_diffusivity_ref_temperature_K"])
        ** params["gas_diffusivity_temperature_exponent_frac"]
        * params["zn_argon_diffusivity_ref_pressure_Pa"]
        / p
    )
    t = np.maximum(np.asarray(time_in_zone_s, dtype=float), np.finfo(float).tiny)
    return np.sqrt(D_g / (pi * t))


class SurfaceEvaporation:
    """Zn flux INTO the foil (≤ 0: evaporation) for a batch of foils, as a solver boundary condition.

    ``__call__(x_s, T, t) -> (J, dJ/dx_s)`` in mol m⁻² s⁻¹; ``t`` is measured from ``time_origin_s`` (B,),
    the moment each foil enters the hot zone. The temperature-dependent factors (k_eff·c_sat and the
    activity table rows and weight at T) are computed once per new (T, t) and reused while the solver iterates in x.
    """

    def __init__(self, params: ParameterValues, time_origin_s: np.ndarray) -> None:
        register("Hertz-Knudsen", "zn_evaporation.SurfaceEvaporation")
        self._params = params
        self._origin = np.asarray(time_origin_s, dtype=float)
        self._diagram = cuzn_phase_diagram()
        self._state: tuple[tuple[int, ...], bytes, tuple[int, ...], bytes] | None = None  # (T, t) of the factors
        self._factors: _Factors | None = None
        self._planned: dict[tuple[bytes, bytes], _Factors] = {}
        self._lists: tuple[np.ndarray, list[float], list[float], list[list[float]]] | None = None  # one foil: floats

    def _prepare(self, T: np.ndarray, t: np.ndarray) -> _Factors:
        T_bytes, t_bytes = T.tobytes(), t.tobytes()  # (T, t) compared by their bytes: cheaper than array_equal
        state = (T.shape, T_bytes, t.shape, t_bytes)
        if state != self._state:
            planned = self._planned.get((T_bytes, t_bytes))
            self._state = state
            self._factors = planned if planned is not None else self._factors_at(T, t, self._origin)
        assert self._factors is not None
        return self._factors

    def _factors_at(self, T: np.ndarray, t: np.ndarray, origin: np.ndarray) -> _Factors:
        """k_eff·c_sat [mol m⁻² s⁻¹ per unit activity] and where T falls in the activity table (its row and weight,
        :meth:`CuZnPhaseDiagram.zn_activity_weights`), each shaped like T (any shape of T and t)."""
        p = self._params
        v_kin = p["zn_evaporation_coefficient_frac"] * np.sqrt(R * T / (2.0 * pi * p["zn_molar_mass_kg_per_mol"]))
        k_gas = gas_mass_transfer_coefficient_m_per_s(T, t - origin, p)
        k_eff = 1.0 / (1.0 / v_kin + 1.0 / k_gas)
        rate = k_eff * zn_vapour_pressure_Pa(T, extrapolate=True, params=p) / (R * T)
        it, v = self._diagram.zn_activity_weights(np.maximum(T, _ACTIVITY_TABLE_MIN_K))
        return rate, it, v

    def factors_of(self, foils: np.ndarray, T_K: np.ndarray, t_s: np.ndarray) -> _Factors:
        """:meth:`factors` of the foils ``foils`` alone at their (T, t): each foil's the same numbers as in the whole
        batch's call (a foil's factors depend on its own time origin only)."""
        return self._factors_at(np.asarray(T_K, dtype=float), np.asarray(t_s, dtype=float), self._origin[foils])

    def plan(self, T_K: np.ndarray, t_s: np.ndarray) -> None:
        """Compute the factors of every solver step at once: ``T_K``, ``t_s`` (B, n) are the steps' temperatures
        and end times of the whole batch; a step solved at exactly these (T, t) finds them ready (a step split
        in two computes its own). Element-wise the same arithmetic as one step at a time."""
        T = np.asarray(T_K, dtype=float)
        t = np.asarray(t_s, dtype=float)
        rate, it, v = self._factors_at(T, t, self._origin[:, None])
        self._planned = {}
        for k in range(T.shape[1]):
            Tk, tk = np.ascontiguousarray(T[:, k]), np.ascontiguousarray(t[:, k])
            self._planned[(Tk.tobytes(), tk.tobytes())] = (rate[:, k].copy(), it[:, k].copy(), v[:, k].copy())

    @property
    def activity_table(self) -> tuple[np.ndarray, np.ndarray]:
        """The Zn activity table the flux interpolates: x grid (n,) and activities (rows of T, n)."""
        return self._diagram.zn_activity_table

    def factors(self, T_K: np.ndarray, t_s: np.ndarray) -> _Factors:
        """The flux's factors at the batch's (T, t) (B,): k_eff·c_sat [mol m⁻² s⁻¹], the activity table's row and
        weight (planned ones when :meth:`plan` saw these (T, t)); J = −rate·a_Zn(x_s) along that row."""
        return self._prepare(np.asarray(T_K, dtype=float), np.asarray(t_s, dtype=float))

    def __call__(self, x_surface: np.ndarray, T_K: np.ndarray, t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rate, it, v = self._prepare(np.asarray(T_K, dtype=float), np.asarray(t_s, dtype=float))
        x_grid, act = self._diagram.zn_activity_table
        return _flux(np.asarray(x_surface, dtype=float), rate, x_grid, act, it, v)

    def at(self, T_K: np.ndarray, t_s: np.ndarray):
        """The flux with (T, t) fixed: ``f(x_s) -> (J, dJ/dx_s)``, its T-dependent factors computed once (the
        solver binds a step's temperature and time once and iterates in x_s); the same numbers as ``__call__``."""
        rate, it, v = self._prepare(np.asarray(T_K, dtype=float), np.asarray(t_s, dtype=float))
        x_grid, act = self._diagram.zn_activity_table
        top = x_grid.size - 2
        if rate.size == 1:  # one foil: the same arithmetic on Python floats (no per-iteration array calls)
            if self._lists is None or self._lists[0] is not act:
                self._lists = (act, x_grid.tolist(), np.diff(x_grid).tolist(), act.tolist())
            _, xs, dx, rows = self._lists
            i_T = int(it.ravel()[0])
            return partial(_flux_one, float(rate.ravel()[0]), xs, dx, rows[i_T], rows[i_T + 1], float(v.ravel()[0]),
                           top)
        dx = np.diff(x_grid)
        return lambda x: _flux(x, rate, x_grid, act, it, v, dx, top)


_Factors = tuple[np.ndarray, np.ndarray, np.ndarray]  # rate, activity-table row, weight (each (B,))


def _flux_one(rate: float, x_grid: list[float], dx: list[float], a0: list[float], a1: list[float], v: float,
              top: int, x_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_flux` for one foil on Python floats (``bisect_right`` is ``searchsorted(side="right")``), between the
    activity table's rows ``a0`` and ``a1`` with weight ``v``; the same IEEE operations in the same order, so the
    same numbers."""
    x = min(max(float(x_s[0]), 0.0), 1.0)
    i = min(max(bisect_right(x_grid, x) - 1, 0), top)
    w = 1 - v
    lo = w * a0[i] + v * a1[i]
    slope = (w * a0[i + 1] + v * a1[i + 1] - lo) / dx[i]
    a = lo + slope * (x - x_grid[i])
    return np.array([-rate * a]), np.array([-rate * slope])


def _flux(x_s: np.ndarray, rate: np.ndarray, x_grid: np.ndarray, act: np.ndarray, it: np.ndarray, v: np.ndarray,
          dx: np.ndarray | None = None, top: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(J, dJ/dx_s): a_Zn linear along the activity table's row at T (rows ``it`` and ``it + 1`` weighted by ``v``,
    :meth:`CuZnPhaseDiagram.zn_activity_weights`), evaluated at the two x entries around x_s only."""
    x = np.minimum(np.maximum(x_s, 0.0), 1.0)
    top = x_grid.size - 2 if top is None else top
    i = np.minimum(np.maximum(np.searchsorted(x_grid, x, side="right") - 1, 0), top)
    w = 1 - v
    lo = w * act[it, i] + v * act[it + 1, i]
    slope = (w * act[it, i + 1] + v * act[it + 1, i + 1] - lo) / (x_grid[i + 1] - x_grid[i] if dx is None else dx[i])
    a = lo + slope * (x - x_grid[i])
    return -rate * a, -rate * slope


def evaporation_flux_mol_per_m2_s(
    x_surface: np.ndarray, T_K: np.ndarray, time_in_zone_s: np.ndarray, params: ParameterValues
) -> tuple[np.ndarray, np.ndarray]:
    """Zn flux INTO the foil (≤ 0: evaporation) and dJ/dx_s for foils (B,) that entered the hot zone
    ``time_in_zone_s`` ago [mol m⁻² s⁻¹]."""
    x = np.atleast_1d(np.asarray(x_surface, dtype=float))
    T = np.broadcast_to(np.asarray(T_K, dtype=float), x.shape).copy()
    t = np.broadcast_to(np.asarray(time_in_zone_s, dtype=float), x.shape).copy()
    return SurfaceEvaporation(params, np.zeros_like(t))(x, T, t)
