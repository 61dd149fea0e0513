"""Phases of a Cu–Zn depth profile decided through the pulse and the quench, not at one fixed temperature.

For every depth (cell) of a composition profile x(z) (B foils, N cells) and the foil's whole temperature
history T(t) (any shape: ramp-hold, a moving-web heater's profile, ...):

1. **Freeze.** The remaining diffusion length of a depth at time t is L(t) = √(∫_t^∞ D̃(x, T(t')) dt'), with
   the profile solver's own D̃(x, T) (:mod:`process_models.uht.cuzn_diffusivity`) at the depth's final
   composition. The depth freezes at the first time after the temperature peak at which L < ℓ
   (``quench_freeze_diffusion_length_m``); if L < ℓ already at the peak, it freezes at the peak. After the
   last sample the foil keeps cooling at its last rate (D̃ keeps falling at the last segment's exponential
   rate); a history that ends held above ambient never freezes: its phases are the equilibrium at its last
   temperature (path ``not_frozen``); one that ends at ambient adds nothing after its end.
2. **Phases at the freeze point**: the lever rule of the Cu–Zn diagram (Liang 2015) at (x, T_freeze), with
   each phase at its tie-line composition (:meth:`CuZnPhaseDiagram.phase_compositions`).
3. **What β becomes.** No long-range diffusion happens after the freeze, so a β present at the freeze point
   (composition x_β: x itself in the β field, the β edge in α+β) can only become α by a massive
   (composition-invariant) transformation. It does when the driving force G_β′ − G_α of composition x_β
   (:mod:`process_models.uht.fcc_bcc`, bcc at its equilibrium B2 order) reaches
   ``massive_min_driving_force_J_per_mol`` at some temperature between the freeze temperature and the lowest
   temperature the foil reaches, not below ``massive_min_temperature_K`` (criterion: Subramanian, Massalski &
   Laughlin 1988; threshold refitted on Liang energies, see the registry). Otherwise it is retained as
   ordered β′. The cooling rate enters through step 1: the faster the quench, the hotter the freeze point
   and the leaner (closer to the α solvus, larger driving force) the β it leaves.

Paths (per depth, :data:`PATHS`): ``alpha_equilibrium`` (single-phase α at the freeze point),
``alpha_massive`` (β at the freeze point, all of it massive α), ``alpha_beta_diffusional`` (α+β partitioned by
diffusion down to the freeze point, its β retained as β′), ``beta_retained`` (single-phase β at the freeze
point, retained as β′), ``intermetallic`` (γ, δ, ε or η present at the freeze point: incomplete conversion),
``liquid`` (liquid at the freeze point; solidification is not modelled), ``not_frozen`` and ``no_history``
(no thermal history at all: read at ``phase_freeze_temperature_K``, the documented fallback).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from process_models.citations import register
from process_models.errors import FoiltwinInputError
from process_models.parameters.registry import ParameterValues
from process_models.uht.cuzn_diffusivity import CuZnFickDiffusivity
from process_models.uht.fcc_bcc import cuzn_fcc_bcc
from process_models.uht.phase_diagram import PHASES, cuzn_phase_diagram

Array = NDArray[np.float64]

PATHS: tuple[str, ...] = ("alpha_equilibrium", "alpha_massive", "alpha_beta_diffusional", "beta_retained",
                          "intermetallic", "liquid", "not_frozen", "no_history")
_P = {name: i for i, name in enumerate(PATHS)}
_ALPHA, _BETA, _LIQUID = PHASES.index("alpha"), PHASES.index("beta"), PHASES.index("liquid")
_INTERMETALLIC = [PHASES.index(p) for p in ("gamma", "delta", "epsilon", "eta")]
_PRESENT = 1e-9  # phase fraction below which a phase is absent at the freeze point
_AMBIENT_MARGIN_K = 1.0  # a history ending within this of ambient has reached room temperature
_TRACE_ZN_FRAC = 1e-6  # below this x_Zn a depth is Cu substrate (α) for the phase lookup

# D̃ table for the freeze integral (numerics): x step and T step of the table, T range (K)
_X_STEP = 0.005
_T_STEP_K = 1.0
_T_TABLE_K = (200.0, 1400.0)
_CHUNK_ELEMENTS = 2_000_000  # foils × x-grid × samples handled at once (memory bound)


@dataclass(frozen=True)
class QuenchResult:
    """Per foil and depth cell (arrays (B, N), phase arrays (B, N, P) in :data:`PHASES` order).

    ``freeze_temperature_K``: temperature at the freeze point (the last temperature of the history where a
    depth never froze); ``fractions_at_freeze``: equilibrium phase fractions there; ``fractions``: as quenched
    (massive α counted as α); ``compositions``: Zn mole fraction of each phase as quenched (NaN if absent;
    α formed massively keeps the β composition, so Σ fractions·compositions = x); ``beta_zn_frac``: the β
    composition at the freeze point (NaN without β); ``beta_t0_K``: its T0 (NaN if none: ordered β′ never
    becomes the higher-energy structure); ``massive_frac``: share of the cell that became α massively;
    ``path``: index into :data:`PATHS`; ``lowest_temperature_K`` (B,): lowest temperature the foil reaches.
    """

    freeze_temperature_K: Array
    frozen: NDArray[np.bool_]
    fractions_at_freeze: Array
    fractions: Array
    compositions: Array
    beta_zn_frac: Array
    beta_t0_K: Array
    massive_frac: Array
    path: NDArray[np.int8]
    lowest_temperature_K: Array


class _DiffusivityTable:
    """D̃ (m²/s) of one profile model on the x grid (step _X_STEP, 0-1) × T grid (step _T_STEP_K), computed as far
    in x as a call needs (a quench reads only the compositions its profiles reach: a skin after stage III, x ≤ ≈0.4,
    a third of the grid) and only at the grid temperatures it reads (a history of a few dozen samples reads two
    columns each, not the 1201 of the grid; issue 15: a cold recipe spent ≈ 5 ms filling the whole width), and a
    parameter draw of the uncertainty work builds a new table for each draw. Each element is the model's own
    D̃(x, T) at that grid point, however the table has grown."""

    _GROW_ROWS = 16  # rows added beyond the request, so a slightly richer profile does not rebuild at once

    def __init__(self, model: CuZnFickDiffusivity) -> None:
        self._model = model
        self.x = np.linspace(0.0, 1.0, round(1.0 / _X_STEP) + 1)
        self.T_K = np.arange(_T_TABLE_K[0], _T_TABLE_K[1] + 0.5 * _T_STEP_K, _T_STEP_K)
        # the filled grid temperatures only (columns in the order they were asked for) and, per grid temperature, its
        # column (-1: not filled); replaced together in one assignment, so a reader never sees one without the other
        self._block: tuple[Array, NDArray[np.intp]] = (np.empty((0, 0)), np.full(len(self.T_K), -1, dtype=np.intp))

    @property
    def _D(self) -> Array:
        return self._block[0]

    @property
    def _column(self) -> NDArray[np.intp]:
        return self._block[1]

    def block(self, G: int, columns: NDArray[np.intp]) -> tuple[Array, NDArray[np.intp]]:
        """D̃ on the first ``G`` x-grid points at (at least) the grid temperatures ``columns`` (indices into
        :attr:`T_K`): a (G, k) block and, per grid temperature, its column in the block (-1 if not filled)."""
        D, column = self._block
        have = D.shape[0]
        if have < G:
            upto = min(max(G + self._GROW_ROWS, 2 * have), len(self.x))
            filled = np.empty(D.shape[1], dtype=np.intp)
            filled[column[column >= 0]] = np.flatnonzero(column >= 0)  # grid index of each column
            more = self._model.diffusivity(self.x[have:upto, None], self.T_K[None, filled]) if filled.size \
                else np.empty((upto - have, 0))
            D = np.concatenate([D.reshape(have, filled.size), more])
        need = np.unique(columns)
        need = need[column[need] < 0]
        if need.size:
            more = self._model.diffusivity(self.x[: D.shape[0], None], self.T_K[None, need])
            column = column.copy()
            column[need] = D.shape[1] + np.arange(need.size)
            D = np.concatenate([D, more], axis=1)
        if D is not self._block[0]:
            self._block = (D, column)
        return D[:G], column

    def rows(self, G: int) -> Array:
        """D̃ on the first ``G`` x-grid points at every grid temperature, (G, len(T_K))."""
        D, column = self.block(G, np.arange(len(self.T_K)))
        return D[:, column]


@lru_cache(maxsize=8)
def _diffusivity_table(model: CuZnFickDiffusivity) -> _DiffusivityTable:
    """The D̃ table of a profile model (grown on demand, see :class:`_DiffusivityTable`)."""
    return _DiffusivityTable(model)


def _peak_index(temperature_K: Array) -> NDArray[np.intp]:
    """Index of the last sample at each history's maximum temperature (the end of a hold at the peak)."""
    M = temperature_K.shape[1]
    return M - 1 - np.argmax(temperature_K[:, ::-1], axis=1)


def _freeze_on_grid(table: _DiffusivityTable, G: int, t: Array, T: Array, peak: NDArray[np.intp],
                    ell2: float, ambient_K: float) -> tuple[Array, NDArray[np.bool_]]:
    """Freeze temperature (K) and frozen flag on the first G x-grid points for foils with histories (b, M)."""
    Tg = table.T_K
    b, M = T.shape
    m0 = min(int(peak.min()), M - 2)  # at least one segment (a history may end at its peak)
    ts, Ts = t[:, m0:], T[:, m0:]
    pos = np.clip((Ts - Tg[0]) / _T_STEP_K, 0.0, len(Tg) - 1.000001)
    j = pos.astype(np.intp)
    w = pos - j
    D, column = table.block(G, np.concatenate([j.ravel(), j.ravel() + 1]))  # only the temperatures read here
    Dm = D[:, column[j]] * (1.0 - w) + D[:, column[j + 1]] * w  # (G, b, m)
    dt = np.diff(ts, axis=1)
    seg = 0.5 * (Dm[..., 1:] + Dm[..., :-1]) * dt  # trapezoid, ≤ 1 % on the histories' sample spacing
    # after the last sample: D̃ keeps falling at the last segment's exponential rate; a history that ends
    # held above ambient never lets the foil freeze (infinite remaining integral); one that ends at ambient
    # adds nothing (room-temperature ageing is not modelled)
    cooling = Ts[:, -1] < Ts[:, -2]
    cold = Ts[:, -1] <= ambient_K + _AMBIENT_MARGIN_K
    with np.errstate(divide="ignore", invalid="ignore"):
        decay = np.log(Dm[..., -2] / Dm[..., -1]) / dt[:, -1]
        tail = np.where(cooling & (decay > 0.0), Dm[..., -1] / decay, np.inf)
    tail = np.where(cold, 0.0, tail)
    remaining = np.concatenate([np.cumsum(seg[..., ::-1], axis=-1)[..., ::-1], np.zeros((G, b, 1))], axis=-1)
    remaining += tail[..., None]  # I(t_m) = ∫_{t_m}^∞ D̃ dt, (G, b, m)
    after = (np.arange(ts.shape[1])[None, :] >= (peak - m0)[:, None])[None]
    below = (remaining < ell2) & after
    frozen = below.any(axis=-1)
    k = np.argmax(below, axis=-1)  # first sample at/after the peak with I < ℓ²
    at_peak = k == (peak - m0)[None, :]
    km1 = np.maximum(k - 1, 0)
    I1 = np.take_along_axis(remaining, k[..., None], axis=-1)[..., 0]
    I0 = np.take_along_axis(remaining, km1[..., None], axis=-1)[..., 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.clip(np.log(I0 / ell2) / np.log(I0 / I1), 0.0, 1.0)  # ln I linear in t within the sample
    s = np.where(np.isfinite(s), s, 1.0)
    Tgb = np.broadcast_to(Ts[None], (G, *Ts.shape))
    T_a = np.take_along_axis(Tgb, km1[..., None], axis=-1)[..., 0]
    T_b = np.take_along_axis(Tgb, k[..., None], axis=-1)[..., 0]
    T_f = np.where(at_peak, T_b, T_a + s * (T_b - T_a))
    return np.where(frozen, T_f, Ts[None, :, -1]), frozen


def freeze_temperatures(x: Array, time_s: Array, temperature_K: Array,
                        params: ParameterValues) -> tuple[Array, NDArray[np.bool_]]:
    """Freeze temperature (K) and frozen flag of every depth of profiles ``x`` (B, N) under the histories
    ``time_s``/``temperature_K`` (B, M): see the module docstring, step 1."""
    register("FeasibilityStudy2026", "quench.freeze_temperatures")
    ell = params["quench_freeze_diffusion_length_m"]
    table = _diffusivity_table(CuZnFickDiffusivity.from_parameters(params))
    xg = table.x
    B = x.shape[0]
    G = min(int(np.ceil(float(x.max()) / _X_STEP)) + 2, len(xg))
    peak = _peak_index(temperature_K)
    T_f = np.empty((B, G))
    frozen = np.empty((B, G), dtype=bool)
    chunk = max(1, _CHUNK_ELEMENTS // (G * time_s.shape[1]))
    for lo in range(0, B, chunk):
        sl = slice(lo, lo + chunk)
        tf, fr = _freeze_on_grid(table, G, time_s[sl], temperature_K[sl], peak[sl], ell * ell,
                                 params["ambient_temperature_K"])
        T_f[sl], frozen[sl] = tf.T, fr.T
    # per cell: linear interpolation between the two x-grid points around its composition
    pos = np.clip(x / _X_STEP, 0.0, G - 1.000001)
    i = pos.astype(np.intp)
    w = pos - i
    rows = np.arange(B)[:, None]
    T_cell = T_f[rows, i] * (1.0 - w) + T_f[rows, i + 1] * w
    frozen_cell = frozen[rows, i] & frozen[rows, i + 1]
    return np.where(frozen_cell, T_cell, temperature_K[:, -1:]), frozen_cell


def _lowest_temperature_K(temperature_K: Array, params: ParameterValues) -> Array:
    """Lowest temperature each foil reaches after its peak: ambient if the history ends still cooling."""
    peak = _peak_index(temperature_K)
    after = np.arange(temperature_K.shape[1])[None, :] >= peak[:, None]
    low = np.min(np.where(after, temperature_K, np.inf), axis=1)
    cooling = temperature_K[:, -1] < temperature_K[:, -2]
    return np.where(cooling, np.minimum(low, params["ambient_temperature_K"]), low)


def _phases_at(x: Array, T_K: Array) -> tuple[Array, Array]:
    """Lever rule with phase compositions at per-cell temperatures, read inside the table's range (a depth
    that freezes below 500 K is read at 500 K: the α solvus barely moves there).

    Columns where no foil holds more than _TRACE_ZN_FRAC Zn (the Cu substrate below the skin) are α of
    their own composition without a lookup: their first liquid is within 0.1 K of Cu's melting point."""
    diagram = cuzn_phase_diagram()
    lo, hi = diagram.temperature_range_K
    cols = np.flatnonzero(np.any(x > _TRACE_ZN_FRAC, axis=0))
    n = int(cols[-1]) + 1 if cols.size else 0
    frac = np.zeros((*x.shape, len(PHASES)))
    comp = np.full((*x.shape, len(PHASES)), np.nan)
    frac[:, n:, _ALPHA] = 1.0
    comp[:, n:, _ALPHA] = x[:, n:]
    if n:
        frac[:, :n], comp[:, :n] = diagram.phase_compositions(x[:, :n], np.clip(T_K[:, :n], lo, hi))
    return frac, comp


def decide_phases(x: Array, freeze_temperature_K: Array, frozen: NDArray[np.bool_], lowest_temperature_K: Array,
                  params: ParameterValues) -> QuenchResult:
    """Steps 2 and 3 for given freeze points (arrays (B, N); ``lowest_temperature_K`` (B,))."""
    register("Subramanian1988", "quench.decide_phases")
    fcc_bcc = cuzn_fcc_bcc()
    frac, comp = _phases_at(x, freeze_temperature_K)
    f_beta = frac[..., _BETA]
    has_beta = frozen & (f_beta > _PRESENT)
    x_beta = np.where(f_beta > _PRESENT, comp[..., _BETA], np.nan)
    t0 = np.full(x.shape, np.nan)
    massive = np.zeros(x.shape, dtype=bool)
    if has_beta.any():
        xb = x_beta[has_beta]
        t0[has_beta] = fcc_bcc.t0_K(xb)
        T_low = np.maximum(params["massive_min_temperature_K"],
                           np.broadcast_to(lowest_temperature_K[:, None], x.shape)[has_beta])
        drive = fcc_bcc.max_driving_force_J_per_mol(xb, T_low, freeze_temperature_K[has_beta])
        massive[has_beta] = drive >= params["massive_min_driving_force_J_per_mol"]
    massive_frac = np.where(massive, f_beta, 0.0)
    fractions = frac.copy()
    fractions[..., _ALPHA] += massive_frac
    fractions[..., _BETA] -= massive_frac
    compositions = comp.copy()
    with np.errstate(invalid="ignore"):
        f_a = frac[..., _ALPHA]
        alpha_x = np.where(f_a > 0.0, comp[..., _ALPHA], 0.0) * f_a + np.nan_to_num(x_beta) * massive_frac
        compositions[..., _ALPHA] = np.where(fractions[..., _ALPHA] > 0.0, alpha_x / fractions[..., _ALPHA], np.nan)
    compositions[..., _BETA] = np.where(fractions[..., _BETA] > 0.0, comp[..., _BETA], np.nan)
    path = _paths(frac, frozen, massive)
    return QuenchResult(
        freeze_temperature_K=freeze_temperature_K, frozen=frozen, fractions_at_freeze=frac, fractions=fractions,
        compositions=compositions, beta_zn_frac=x_beta, beta_t0_K=t0, massive_frac=massive_frac, path=path,
        lowest_temperature_K=np.asarray(lowest_temperature_K, dtype=float),
    )


def _paths(frac: Array, frozen: NDArray[np.bool_], massive: NDArray[np.bool_]) -> NDArray[np.int8]:
    """Path index per cell (the first rule that applies, in this order)."""
    beta = frac[..., _BETA] > _PRESENT
    alpha = frac[..., _ALPHA] > _PRESENT
    inter = (frac[..., _INTERMETALLIC] > _PRESENT).any(axis=-1)
    liquid = frac[..., _LIQUID] > _PRESENT
    conditions = [~frozen, liquid, inter, beta & massive, beta & alpha, beta]
    codes = [_P["not_frozen"], _P["liquid"], _P["intermetallic"], _P["alpha_massive"],
             _P["alpha_beta_diffusional"], _P["beta_retained"]]
    return np.select(conditions, codes, default=_P["alpha_equilibrium"]).astype(np.int8)


def quench_phases(x: Array, time_s: Array, temperature_K: Array, params: ParameterValues) -> QuenchResult:
    """Phases of profiles ``x`` (B, N) as quenched after the histories ``time_s``/``temperature_K`` (B, M).

    ``x`` is the final profile of the history (each depth's composition is taken as its composition from the
    freeze point on: after the freeze it changes by less than the diffusion length ℓ can move it).
    """
    x = np.atleast_2d(np.clip(np.asarray(x, dtype=float), 0.0, 1.0))
    t = np.atleast_2d(np.asarray(time_s, dtype=float))
    T = np.atleast_2d(np.asarray(temperature_K, dtype=float))
    if t.shape != T.shape or t.shape[0] != x.shape[0] or t.shape[1] < 2:
        raise FoiltwinInputError("temperature_K", f"histories of shape {T.shape} / times {t.shape}",
                                 f"(B, M) arrays with M ≥ 2 for the B = {x.shape[0]} profiles")
    if np.any(np.diff(t, axis=1) <= 0.0) or not np.all(np.isfinite(T)):
        raise FoiltwinInputError("time_s", "non-increasing times or non-finite temperatures",
                                 "strictly increasing times and finite temperatures")
    T_f, frozen = freeze_temperatures(x, t, T, params)
    return decide_phases(x, T_f, frozen, _lowest_temperature_K(T, params), params)


def unquenched_phases(x: Array, params: ParameterValues) -> QuenchResult:
    """Profiles with no thermal history (plated Zn without any anneal): the documented fallback reads the
    diagram at ``phase_freeze_temperature_K`` (path ``no_history``)."""
    x = np.atleast_2d(np.clip(np.asarray(x, dtype=float), 0.0, 1.0))
    T = np.full(x.shape, params["phase_freeze_temperature_K"])
    frac, comp = _phases_at(x, T)
    nan = np.full(x.shape, np.nan)
    return QuenchResult(
        freeze_temperature_K=T, frozen=np.zeros(x.shape, dtype=bool), fractions_at_freeze=frac, fractions=frac,
        compositions=comp, beta_zn_frac=nan, beta_t0_K=nan.copy(), massive_frac=np.zeros(x.shape),
        path=np.full(x.shape, _P["no_history"], dtype=np.int8), lowest_temperature_K=T[:, 0].copy(),
    )


def merge_results(B: int, parts: list[tuple[NDArray[np.intp], QuenchResult]]) -> QuenchResult:
    """One result for B foils from results of disjoint foil subsets ``(indices, result)`` covering all B."""
    first = parts[0][1]
    out = {}
    for name in first.__dataclass_fields__:
        ref = getattr(first, name)
        arr = np.empty((B, *ref.shape[1:]), dtype=ref.dtype)
        for idx, res in parts:
            arr[idx] = getattr(res, name)
        out[name] = arr
    return QuenchResult(**out)
