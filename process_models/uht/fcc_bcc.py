"""fcc (α) against bcc (β/β′) at one composition: the T0 curve and the driving force of a massive β → α.

Source: the Liang, Hsiao & Schmid-Fetzer assessment, CALPHAD 51 (2015) 224 (citation key ``Liang2015``),
evaluated offline with pycalphad by ``scripts/tabulate_cuzn_phase_diagram.py --tables fcc-bcc`` into

* ``process_models/data/cuzn_fcc_bcc_gibbs_liang2015.csv``: G_fcc − G_bcc (J/mol) of the SAME composition
  (no partition) on T = 300–1200 K (10 K) × x = 0.30–0.55 (0.005), with the bcc at its equilibrium B2
  long-range order (β′ where the Bcc_B2 description orders, β above) and, for comparison, disordered;
* ``process_models/data/cuzn_t0_fcc_bcc_liang2015.csv``: the T0 curves where the two are equal.

Which bcc: the ordered one. β → β′ ordering in Cu–Zn is a continuous (second-order) transition that no
quench suppresses, so the β that has to transform massively below ≈700 K is β′, and its Gibbs energy is the
Bcc_B2 description minimised over its order parameter (the TDB's Bcc_B2 has Bcc as its disordered part, so
at zero order the two are identical; the tabulation checks this). Ordering lowers G_bcc, which bends the
T0 curve back: fcc is more stable than β′ of the same composition only between ``t0_lower_K`` and ``t0_K``,
and not at all above x_Zn ≈ 0.4225 (ordered β′ can then never transform massively to α). The disordered
T0 (``t0_disordered_K``) is kept for comparison (it coincides with ``t0_K`` above the ordering temperature).

x is the Zn mole fraction, T in K; the driving force ``G_bcc − G_fcc`` (J/mol) is positive where α is the
lower-energy structure at that composition. See docs/phase_diagram.md and docs/uht_model.md.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from process_models import citations
from process_models.errors import check_fractions
from process_models.uht.phase_diagram import grid_layout, grid_values, read_numeric_table

FCC_BCC_CSV = "cuzn_fcc_bcc_gibbs_liang2015.csv"
T0_CSV = "cuzn_t0_fcc_bcc_liang2015.csv"

Array = NDArray[np.float64]


def _grid(name: str, columns: list[str]) -> Array:
    return read_numeric_table(name, columns)


class CuZnFccBcc:
    """Tabulated G_fcc − G_bcc and T0 (Liang 2015); build it with :func:`cuzn_fcc_bcc` (cached)."""

    def __init__(self, gibbs: Array, t0: Array) -> None:
        self._T, self._x, order = grid_layout(gibbs, FCC_BCC_CSV)
        shape = (len(self._T), len(self._x))
        self._dg = grid_values(gibbs, 2, shape, order)  # G_fcc - G_bcc(ordered), J/mol
        self._dg_dis = grid_values(gibbs, 3, shape, order)
        self._order = grid_values(gibbs, 4, shape, order)
        self._t0_x = t0[:, 0]
        self._t0_upper = t0[:, 1]
        self._t0_lower = t0[:, 2]
        self._t0_dis = t0[:, 3]

    @property
    def temperature_range_K(self) -> tuple[float, float]:
        return float(self._T[0]), float(self._T[-1])

    @property
    def zn_range_frac(self) -> tuple[float, float]:
        return float(self._x[0]), float(self._x[-1])

    def _bilinear(self, table: Array, x: ArrayLike, T_K: ArrayLike) -> Array:
        """Bilinear interpolation in the (T, x) table; x and T are clipped to the table (see callers)."""
        xa = np.clip(np.asarray(x, dtype=float), self._x[0], self._x[-1])
        Ta = np.clip(np.asarray(T_K, dtype=float), self._T[0], self._T[-1])
        ix = np.clip(np.searchsorted(self._x, xa, side="right") - 1, 0, len(self._x) - 2)
        it = np.clip(np.searchsorted(self._T, Ta, side="right") - 1, 0, len(self._T) - 2)
        u = (xa - self._x[ix]) / (self._x[ix + 1] - self._x[ix])
        v = (Ta - self._T[it]) / (self._T[it + 1] - self._T[it])
        return ((1 - u) * (1 - v) * table[it, ix] + u * (1 - v) * table[it, ix + 1]
                + (1 - u) * v * table[it + 1, ix] + u * v * table[it + 1, ix + 1])

    def driving_force_J_per_mol(self, x: ArrayLike, T_K: ArrayLike, ordered: bool = True) -> Array:
        """G_bcc − G_fcc (J/mol) at the same composition: > 0 where α is the lower-energy structure.

        Bilinear in the 10 K × 0.005 table; x and T outside the table are held at its edge (x 0.30–0.55 covers
        the β field at every T ≥ 500 K; T 300–1200 K). ``ordered=False`` uses the disordered bcc.
        """
        citations.register("Liang2015", "fcc_bcc.driving_force_J_per_mol")
        check_fractions("zn_frac", x, "Zn mole fractions")
        return -self._bilinear(self._dg if ordered else self._dg_dis, x, T_K)

    def b2_order_frac(self, x: ArrayLike, T_K: ArrayLike) -> Array:
        """B2 long-range order of the bcc at equilibrium, s = (y'_Zn − y''_Zn)/(2 min(x, 1 − x)) in [0, 1]."""
        citations.register("Liang2015", "fcc_bcc.b2_order_frac")
        return self._bilinear(self._order, x, T_K)

    def max_driving_force_J_per_mol(self, x: ArrayLike, T_low_K: ArrayLike, T_high_K: ArrayLike) -> Array:
        """Largest G_bcc − G_fcc (J/mol) of composition ``x`` over T in [T_low_K, T_high_K] (elementwise).

        The maximum is taken over the table's temperatures inside the interval and its two ends (the
        driving force is piecewise linear in T between table rows). An empty interval gives -inf.
        """
        xa = np.asarray(x, dtype=float)
        lo = np.broadcast_to(np.asarray(T_low_K, dtype=float), xa.shape)
        hi = np.broadcast_to(np.asarray(T_high_K, dtype=float), xa.shape)
        check_fractions("zn_frac", xa, "Zn mole fractions")
        xc = np.clip(xa, self._x[0], self._x[-1])
        ix = np.clip(np.searchsorted(self._x, xc, side="right") - 1, 0, len(self._x) - 2)
        u = ((xc - self._x[ix]) / (self._x[ix + 1] - self._x[ix]))[..., None]
        nodes = -(self._dg.T[ix] * (1.0 - u) + self._dg.T[ix + 1] * u)  # (..., nT): on the table's rows
        inside = (lo[..., None] <= self._T) & (hi[..., None] >= self._T)
        best = np.max(np.where(inside, nodes, -np.inf), axis=-1)
        ends = np.maximum(self.driving_force_J_per_mol(xa, lo), self.driving_force_J_per_mol(xa, hi))
        return np.where(lo <= hi, np.maximum(best, ends), -np.inf)

    def _branch(self, column: Array, x: ArrayLike) -> Array:
        xa = check_fractions("zn_frac", x, "Zn mole fractions")
        i = np.clip(np.searchsorted(self._t0_x, xa, side="right") - 1, 0, len(self._t0_x) - 2)
        w = (xa - self._t0_x[i]) / (self._t0_x[i + 1] - self._t0_x[i])
        with np.errstate(invalid="ignore"):  # nan next to a missing branch stays nan (except on a node)
            out = np.where(w == 0.0, column[i], (1 - w) * column[i] + w * column[i + 1])
        return np.where((xa < self._t0_x[0]) | (xa > self._t0_x[-1]), np.nan, out)

    def t0_K(self, x: ArrayLike) -> Array:
        """Upper T0 (K) of fcc vs ordered bcc at ``x``: below it α is the lower-energy structure (down to
        :meth:`t0_lower_K`). NaN where there is no root in 300–1400 K (x < 0.305, x > 0.4225)."""
        citations.register("Liang2015", "fcc_bcc.t0_K")
        return self._branch(self._t0_upper, x)

    def t0_lower_K(self, x: ArrayLike) -> Array:
        """Lower T0 branch (K): below it ordered β′ is again more stable than α of the same composition."""
        citations.register("Liang2015", "fcc_bcc.t0_lower_K")
        return self._branch(self._t0_lower, x)

    def t0_disordered_K(self, x: ArrayLike) -> Array:
        """T0 (K) of fcc vs disordered bcc (ordering ignored), for comparison."""
        citations.register("Liang2015", "fcc_bcc.t0_disordered_K")
        return self._branch(self._t0_dis, x)


@lru_cache(maxsize=1)
def _load() -> CuZnFccBcc:
    gibbs = _grid(FCC_BCC_CSV, ["temperature_K", "x_zn", "dg_fcc_bcc_J_per_mol", "dg_fcc_bcc_disordered_J_per_mol",
                                "b2_order_frac"])
    t0 = _grid(T0_CSV, ["x_zn", "t0_K", "t0_lower_K", "t0_disordered_K"])
    return CuZnFccBcc(gibbs, t0)


def cuzn_fcc_bcc() -> CuZnFccBcc:
    """The tabulated fcc/bcc Gibbs-energy difference and T0 curves (Liang 2015), loaded once and cached."""
    citations.register("Liang2015", "fcc_bcc")
    return _load()
