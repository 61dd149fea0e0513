"""Cu-Zn phase diagram and Zn activity: fast lookup in tables tabulated offline from CALPHAD.

Source: the Liang, Hsiao & Schmid-Fetzer assessment, CALPHAD 51 (2015) 224 (citation key ``Liang2015``),
evaluated with pycalphad by ``scripts/tabulate_cuzn_phase_diagram.py`` into
``process_models/data/cuzn_phase_fields_liang2015.csv`` (single-phase fields, 5 K grid 500-1357.77 K) and
``process_models/data/cuzn_zn_activity_liang2015.csv`` (a_Zn vs pure liquid Zn). Pressure 1 atm.

Compositions ``x`` are Zn mole fractions, temperatures are in K. Phase names: alpha (fcc), beta (bcc,
disordered and B2-ordered beta' together), gamma, delta, epsilon, eta (hcp Zn), liquid. See
``docs/phase_diagram.md``.

Between two grid temperatures with the same sequence of phase fields the field limits are interpolated
linearly in T; across an invariant (the sequence changes) the nearer grid temperature is used, so
invariant temperatures are resolved to +-2.5 K.
"""

from __future__ import annotations

import io
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from process_models import citations
from process_models.errors import FoiltwinInputError, check_fractions
from process_models.uht.binary_tables import binary_copy, universal_newlines
from process_models.uht.plain_csv import parse_plain_rows

PHASES: tuple[str, ...] = ("alpha", "beta", "gamma", "delta", "epsilon", "eta", "liquid")
FIELDS_CSV = "cuzn_phase_fields_liang2015.csv"
ACTIVITY_CSV = "cuzn_zn_activity_liang2015.csv"

_LIQUID = PHASES.index("liquid")
_SOLIDUS_GRID_POINTS = 10001  # x step 1e-4 for the tabulated solidus
_PAD = 2.0  # edge value of unused field slots (> any x)


def _data_lines(name: str) -> list[str]:
    """The non-empty, non-comment lines of a packaged CSV, stripped (the header first)."""
    text = (resources.files("process_models") / "data" / name).read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def read_table(name: str) -> tuple[list[str], list[list[str]]]:
    """Column names and rows of a packaged CSV, ``#`` comment lines skipped."""
    lines = _data_lines(name)
    return lines[0].split(","), [ln.split(",") for ln in lines[1:]]


def _after_header(text: str) -> int:
    """Index just past the newline that ends the first non-empty, non-comment line (the end of the text if none)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        line = text[start:end].strip()
        if line and not line.startswith("#"):
            return end
        start = end
    return len(text)


def table_columns(text: str) -> list[str]:
    """The column names of a CSV's text: its first non-empty, non-comment line, split at commas."""
    return text[:_after_header(text)].strip().splitlines()[-1].strip().split(",")


def read_numeric_table(name: str, columns: list[str], data_dir: Traversable | None = None,
                       use_copy: bool = True) -> NDArray[np.float64]:
    """The rows (n, len(columns)) of a packaged all-numeric CSV whose header must be ``columns``.

    The CSV's exact binary copy when it has one made from these very bytes
    (:func:`~process_models.uht.binary_tables.binary_copy`; ``use_copy=False`` parses regardless). Otherwise a
    body of plain decimals (one row a line, no comments or blanks: the project's tables) is parsed exactly by
    :func:`~process_models.uht.plain_csv.parse_plain_rows` (≈ 2× faster than ``numpy.loadtxt``); any other body by
    ``numpy.loadtxt`` (its messages for a malformed file). The same numbers every way. ``data_dir``: the folder
    holding the CSV (default: the package's ``data``)."""
    folder = resources.files("process_models") / "data" if data_dir is None else data_dir
    text = universal_newlines((folder / name).read_bytes().decode("utf-8"))  # as read_text gave it
    head_end = _after_header(text)
    lines = text[:head_end].splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.strip() and not ln.lstrip().startswith("#"))
    if lines[at].strip().split(",") != columns:
        raise ValueError(f"{name}: unexpected columns {lines[at].strip().split(',')}")
    copy = binary_copy(folder, name, text, columns) if use_copy else None
    if copy is not None:
        return copy
    body = text[head_end:]
    rows = parse_plain_rows((body if body.endswith("\n") else body + "\n").encode(), len(columns)) \
        if at == len(lines) - 1 else None
    if rows is None:
        rows = np.loadtxt(io.StringIO(text), delimiter=",", comments="#", skiprows=at + 1, ndmin=2)
    if rows.shape[0] and rows.shape[1] != len(columns):
        raise ValueError(f"{name}: rows of {rows.shape[1]} values under a header of {len(columns)} columns")
    return rows


def _field_table(fields_rows: list[tuple[float, str, float, float]]) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """The grid temperatures (K, ascending), field edges (nT, 2m; lo, hi of each field by x, ``_PAD`` beyond),
    phase ids (nT, m) and field counts (nT,) of the rows ``(T, phase, x_min, x_max)``, each temperature's fields
    ordered by (x_min, x_max) (ties in file order); checked as :data:`FIELDS_CSV` must be."""
    index = {p: i for i, p in enumerate(PHASES)}
    for _, phase, _, _ in fields_rows:
        if phase not in index:
            raise ValueError(f"unknown phase {phase!r} in {FIELDS_CSV}")
    T_all = np.array([r[0] for r in fields_rows], dtype=float)
    lo = np.array([r[2] for r in fields_rows], dtype=float)
    hi = np.array([r[3] for r in fields_rows], dtype=float)
    ids_all = np.array([index[r[1]] for r in fields_rows], dtype=np.intp)
    order = np.lexsort((hi, lo, T_all))  # stable: ties keep the file order
    T, first, n = np.unique(T_all[order], return_index=True, return_counts=True)
    row = np.repeat(np.arange(len(T)), n)
    j = np.arange(len(order)) - first[row]  # place of each field in its temperature's row
    m = int(n.max())
    edges = np.full((len(T), 2 * m), _PAD)
    ids = np.zeros((len(T), m), dtype=np.intp)
    edges[row, 2 * j], edges[row, 2 * j + 1], ids[row, j] = lo[order], hi[order], ids_all[order]
    rows = np.arange(len(T))
    bad_ends = (ids[:, 0] != index["alpha"]) | (edges[:, 0] != 0.0) | (edges[rows, 2 * n - 1] != 1.0)
    step = np.diff(edges, axis=1) < 0
    overlap = (step & (np.arange(2 * m - 1) < (2 * n - 1)[:, None])).any(axis=1)
    bad = np.flatnonzero(bad_ends | overlap)
    if bad.size:
        i = int(bad[0])
        if bad_ends[i]:
            raise ValueError(f"{FIELDS_CSV}: fields at {T[i]} K must start with alpha at x=0 and end at x=1")
        raise ValueError(f"{FIELDS_CSV}: fields at {T[i]} K overlap")
    return T, edges, ids, n


class CuZnPhaseDiagram:
    """Tabulated Cu-Zn phase diagram (Liang 2015) with vectorised lookups.

    Build it with :func:`cuzn_phase_diagram` (cached); x is the Zn mole fraction, T in K.
    """

    def __init__(self, fields_rows: list[tuple[float, str, float, float]], act_T: NDArray[np.float64],
                 act_x: NDArray[np.float64], act: NDArray[np.float64]) -> None:
        self._T, self._edges, self._ids, self._n = _field_table(fields_rows)
        # same sequence of fields at both ends of a grid interval -> interpolate linearly in T
        self._same = np.all(self._ids[:-1] == self._ids[1:], axis=1) & (self._n[:-1] == self._n[1:])
        self._act_T = act_T
        self._act_x = act_x
        self._act = act
        self._liq = self._liquid_bounds()
        # solidus on a fine x grid, so per-cell lookups inside time loops are one np.interp
        self._sol_x = np.linspace(0.0, 1.0, _SOLIDUS_GRID_POINTS)
        self._sol_T = self._solidus_exact(self._sol_x)

    # ----------------------------------------------------------------------------------------- helpers
    @property
    def temperature_range_K(self) -> tuple[float, float]:
        """Tabulated temperature range (K): 500 to 1357.77 (Cu melting)."""
        return float(self._T[0]), float(self._T[-1])

    def _check_T(self, T_K: ArrayLike) -> NDArray[np.float64]:
        temps = np.asarray(T_K, dtype=float)
        lo, hi = self.temperature_range_K
        bad = ~((temps >= lo) & (temps <= hi))
        if np.any(bad):
            raise FoiltwinInputError(
                field="temperature_K",
                value=float(temps[bad].flat[0]),
                allowed=f"must lie in [{lo:g}, {hi:g}] K (Cu–Zn phase table range)",
            )
        return temps

    @staticmethod
    def _check_x(x: ArrayLike) -> NDArray[np.float64]:
        return check_fractions("zn_frac", x, "Zn mole fractions")

    def _rows_at(self, T: NDArray[np.float64]) -> tuple[NDArray, NDArray, NDArray]:
        """Field edges (..., 2m), phase ids (..., m) and field counts (...) at temperatures T (checked)."""
        i = np.clip(np.searchsorted(self._T, T, side="right") - 1, 0, len(self._T) - 2)
        w = (T - self._T[i]) / (self._T[i + 1] - self._T[i])
        w = np.where(self._same[i], w, (w >= 0.5).astype(float))
        edges = self._edges[i] * (1.0 - w)[..., None] + self._edges[i + 1] * w[..., None]
        upper = w >= 0.5
        ids = np.where(upper[..., None], self._ids[i + 1], self._ids[i])
        n = np.where(upper, self._n[i + 1], self._n[i])
        return edges, ids, n

    def _liquid_bounds(self) -> NDArray[np.float64]:
        """Per grid T: (L, R, lo, hi) - liquid present for L < x < R or lo <= x <= hi; no liquid -> empty."""
        m = self._ids.shape[1]
        liquid = (self._ids == _LIQUID) & (np.arange(m) < self._n[:, None])
        has = liquid.any(axis=1)
        j = np.argmax(liquid, axis=1)[:, None]  # the first liquid field of each row
        e = self._edges
        left = np.where(j > 0, np.take_along_axis(e, np.maximum(2 * j - 1, 0), axis=1), -np.inf)
        right = np.where(j < self._n[:, None] - 1, np.take_along_axis(e, np.minimum(2 * j + 2, 2 * m - 1), axis=1),
                         np.inf)
        lo, hi = np.take_along_axis(e, 2 * j, axis=1), np.take_along_axis(e, 2 * j + 1, axis=1)
        bounds = np.hstack([left, right, lo, hi])
        return np.where(has[:, None], bounds, np.array([np.inf, -np.inf, np.inf, -np.inf]))

    # ------------------------------------------------------------------------------------------ public
    def single_phase_fields(self, T_K: float) -> list[tuple[str, float, float]]:
        """Single-phase fields ``(phase, x_min, x_max)`` at ``T_K`` (K), ordered by Zn mole fraction."""
        citations.register("Liang2015", "phase_diagram")
        T = self._check_T(float(T_K))
        edges, ids, n = self._rows_at(T)
        return [(PHASES[ids[j]], float(edges[2 * j]), float(edges[2 * j + 1])) for j in range(int(n))]

    def _lever(self, x: ArrayLike, T_K: ArrayLike) -> tuple[NDArray, ...]:
        """Per point: left/right phase ids, share of the left phase, and the left/right phase compositions
        (the field edges of a two-phase gap, or x itself inside a single-phase field)."""
        xa = self._check_x(x)
        T = self._check_T(T_K)
        shape = np.broadcast_shapes(xa.shape, T.shape)
        edges, ids, n = self._rows_at(T)  # computed on T's own (possibly smaller) shape
        edges = np.broadcast_to(edges, (*shape, edges.shape[-1]))
        ids = np.broadcast_to(ids, (*shape, ids.shape[-1]))
        n = np.broadcast_to(n, shape)
        xb = np.broadcast_to(xa, shape)
        k = np.count_nonzero(edges <= xb[..., None], axis=-1)
        k = np.clip(k, 1, 2 * n - 1)  # x = 1 on the last upper edge -> inside the last field
        in_field = (k % 2) == 1
        x_l = np.take_along_axis(edges, (k - 1)[..., None], axis=-1)[..., 0]
        x_r = np.take_along_axis(edges, k[..., None], axis=-1)[..., 0]
        width = x_r - x_l
        lever = np.divide(x_r - xb, width, out=np.ones(shape), where=~in_field & (width > 0))
        f_left = np.where(in_field, 1.0, np.clip(lever, 0.0, 1.0))
        id_l = np.take_along_axis(ids, ((k - 1) // 2)[..., None], axis=-1)
        id_r = np.take_along_axis(ids, (k // 2)[..., None], axis=-1)
        comp_l = np.where(in_field, xb, x_l)
        comp_r = np.where(in_field, xb, x_r)
        return id_l, id_r, f_left, comp_l, comp_r, shape

    def phase_fractions(self, x: ArrayLike, T_K: ArrayLike) -> NDArray[np.float64]:
        """Equilibrium mole fractions of :data:`PHASES` at Zn mole fraction ``x`` and ``T_K`` (K).

        Shape ``broadcast(x, T).shape + (7,)``; lever rule between neighbouring single-phase fields;
        rows sum to 1. Source: Liang 2015 via the tabulated fields.
        """
        citations.register("Liang2015", "phase_diagram")
        id_l, id_r, f_left, _, _, shape = self._lever(x, T_K)
        out = np.zeros((*shape, len(PHASES)))
        np.put_along_axis(out, id_r, (1.0 - f_left)[..., None], axis=-1)
        np.put_along_axis(out, id_l, f_left[..., None], axis=-1)  # id_l == id_r inside a field
        return out

    def phase_compositions(self, x: ArrayLike, T_K: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Equilibrium phase fractions and the Zn mole fraction of each phase at (x, T).

        Returns ``(fractions, compositions)``, both of shape ``broadcast(x, T).shape + (7,)``; a phase that is
        absent has composition NaN. Inside a single-phase field the phase has composition x; in a two-phase
        gap each phase sits on its field edge (tie-line end), so Σ fraction·composition = x.
        """
        citations.register("Liang2015", "phase_diagram")
        id_l, id_r, f_left, comp_l, comp_r, shape = self._lever(x, T_K)
        frac = np.zeros((*shape, len(PHASES)))
        comp = np.full((*shape, len(PHASES)), np.nan)
        np.put_along_axis(frac, id_r, (1.0 - f_left)[..., None], axis=-1)
        np.put_along_axis(comp, id_r, comp_r[..., None], axis=-1)
        np.put_along_axis(frac, id_l, f_left[..., None], axis=-1)
        np.put_along_axis(comp, id_l, comp_l[..., None], axis=-1)
        comp = np.where(frac > 0.0, comp, np.nan)
        return frac, comp

    def alpha_max_zn_frac(self, T_K: ArrayLike) -> NDArray[np.float64] | float:
        """Upper Zn mole-fraction limit of alpha (fcc) at ``T_K`` (K).

        The alpha/(alpha+beta) solvus, or alpha/(alpha+liquid) above the beta peritectic (1175 K).
        """
        citations.register("Liang2015", "phase_diagram")
        T = self._check_T(T_K)
        edges, _, _ = self._rows_at(T)  # alpha is the first field at every tabulated T
        hi = edges[..., 1]
        return float(hi) if hi.ndim == 0 else hi

    def phase_field_zn_frac(self, phase: str, T_K: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Single-phase field ``(x_min, x_max)`` of ``phase`` at each ``T_K`` (K), vectorised over T.

        NaN where the phase has no field at that temperature (e.g. gamma above its peritectic, 1105 K).
        """
        citations.register("Liang2015", "phase_diagram")
        if phase not in PHASES:
            raise FoiltwinInputError("phase", phase, f"one of {', '.join(PHASES)}")
        T = self._check_T(T_K)
        edges, ids, _ = self._rows_at(T)
        hit = ids == PHASES.index(phase)
        found = hit.any(axis=-1)
        j = np.argmax(hit, axis=-1)[..., None]
        lo = np.take_along_axis(edges, 2 * j, axis=-1)[..., 0]
        hi = np.take_along_axis(edges, 2 * j + 1, axis=-1)[..., 0]
        return np.where(found, lo, np.nan), np.where(found, hi, np.nan)

    def liquid_fraction(self, x: ArrayLike, T_K: ArrayLike) -> NDArray[np.float64]:
        """Equilibrium liquid mole fraction (0-1) at Zn mole fraction ``x`` and ``T_K`` (K)."""
        return self.phase_fractions(x, T_K)[..., _LIQUID]

    def solidus_temperature_K(self, x: ArrayLike) -> NDArray[np.float64] | float:
        """Lowest temperature (K) at which equilibrium liquid appears at Zn mole fraction ``x``.

        Linear interpolation in a table of the exact lookup (:meth:`_solidus_exact`) on a 1e-4 x grid,
        so it is cheap enough to call on every cell at every time step. Pure Cu gives 1357.77 K.
        """
        citations.register("Liang2015", "phase_diagram")
        xa = self._check_x(x)
        T = np.interp(xa, self._sol_x, self._sol_T)
        return float(T) if T.ndim == 0 else T

    def solidus_lookup_K(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """:meth:`solidus_temperature_K` for compositions already known to lie in [0, 1] (a solver's profile):
        no checks, no citation (the caller registers Liang2015); the same numbers."""
        return np.interp(x, self._sol_x, self._sol_T)

    def _first_liquid_row(self, x: NDArray[np.float64]) -> NDArray[np.intp]:
        """Per x (1-D): the first grid temperature with liquid at x (L < x < R or lo <= x <= hi), the last grid
        temperature where none has. Sorted x (the solidus grid, 10,001 points, at every table load): each grid
        temperature's liquid is two index ranges (``searchsorted`` makes the same comparisons), written from the
        top temperature down so the lowest wins, instead of a (points × temperatures) mask (≈ 7 ms)."""
        L, R, lo, hi = (self._liq[:, c] for c in range(4))
        n_T = len(self._T)
        if x.size < 2 or not np.all(x[1:] >= x[:-1]):
            xf = x[:, None]
            has = ((xf > L) & (xf < R)) | ((lo <= xf) & (xf <= hi))
            return np.where(has.any(axis=1), np.argmax(has, axis=1), n_T - 1)
        first = np.full(x.size, n_T - 1, dtype=np.intp)
        ranges = np.stack([np.searchsorted(x, L, side="right"), np.searchsorted(x, R, side="left"),
                           np.searchsorted(x, lo, side="left"), np.searchsorted(x, hi, side="right")], axis=1)
        for i, (a, b, c, d) in zip(range(n_T - 1, -1, -1), ranges[::-1].tolist(), strict=True):
            first[a:b] = i
            first[c:d] = i
        return first

    def _solidus_exact(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """Solidus consistent with :meth:`liquid_fraction` (> 0 above it): linear in T between grid
        temperatures, the midpoint of the grid interval across an invariant."""
        xa = x
        xf = xa.reshape(-1, 1)
        L, R = self._liq[:, 0], self._liq[:, 1]
        j = self._first_liquid_row(xf[:, 0])
        jm = np.maximum(j - 1, 0)
        x1 = xf[:, 0]
        with np.errstate(invalid="ignore", divide="ignore"):
            below = x1 <= L[jm]  # liquid reached from the Cu side: L(T) falls through x
            w_l = (L[jm] - x1) / (L[jm] - L[j])
            w_r = (x1 - R[jm]) / (R[j] - R[jm])
        w = np.where(below, w_l, w_r)
        w = np.where(self._same[jm] & np.isfinite(w), np.clip(w, 0.0, 1.0), 0.5)
        T = self._T[jm] + w * (self._T[j] - self._T[jm])
        T = np.where(j == 0, self._T[0], T)
        return T.reshape(xa.shape)

    def zn_activity(self, x: ArrayLike, T_K: ArrayLike) -> NDArray[np.float64] | float:
        """Zn activity (-) referred to pure liquid Zn at ``x`` and ``T_K`` (K).

        Bilinear interpolation in the Liang 2015 table (x step 0.005 to 0.45, then 0.01; T step 10 K);
        constant across two-phase fields.
        """
        citations.register("Liang2015", "phase_diagram")
        xa = self._check_x(x)
        T = self._check_T(T_K)
        ix = np.clip(np.searchsorted(self._act_x, xa, side="right") - 1, 0, len(self._act_x) - 2)
        it = np.clip(np.searchsorted(self._act_T, T, side="right") - 1, 0, len(self._act_T) - 2)
        u = (xa - self._act_x[ix]) / (self._act_x[ix + 1] - self._act_x[ix])
        v = (T - self._act_T[it]) / (self._act_T[it + 1] - self._act_T[it])
        a = self._act
        res = ((1 - u) * (1 - v) * a[it, ix] + u * (1 - v) * a[it, ix + 1]
               + (1 - u) * v * a[it + 1, ix] + u * v * a[it + 1, ix + 1])
        return float(res) if np.ndim(res) == 0 else res

    def zn_activity_rows(self, T_K: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """The activity table interpolated linearly in T at each temperature of ``T_K`` (B,).

        Returns the x grid (nx,) and a_Zn (B, nx); linear interpolation along a row in x reproduces
        :meth:`zn_activity`. For time loops where T is fixed over many lookups in x.
        """
        it, v = self.zn_activity_weights(np.atleast_1d(T_K))
        v = v[:, None]
        return self._act_x, (1 - v) * self._act[it] + v * self._act[it + 1]

    def zn_activity_weights(self, T_K: ArrayLike) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
        """Where ``T_K`` falls in the activity table: the row ``it`` and the weight ``v`` (shaped like ``T_K``), so that
        a_Zn at x grid entry i is (1 - v)·a[it, i] + v·a[it + 1, i] (:attr:`zn_activity_table`), the entry of
        :meth:`zn_activity_rows`; a lookup in x then needs only the two entries around it, not the whole row."""
        citations.register("Liang2015", "phase_diagram")
        T = self._check_T(T_K)
        it = np.clip(np.searchsorted(self._act_T, T, side="right") - 1, 0, len(self._act_T) - 2)
        return it, (T - self._act_T[it]) / (self._act_T[it + 1] - self._act_T[it])

    @property
    def zn_activity_table(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """The activity table: its x grid (nx,) and a_Zn (nT, nx), rows at the table's temperatures."""
        return self._act_x, self._act


def grid_layout(data: NDArray[np.float64], name: str) -> tuple[NDArray[np.float64], NDArray[np.float64],
                                                               NDArray[np.intp] | None]:
    """The distinct temperatures and compositions (ascending) of a table's (T, x, ...) rows, and the row order
    that lays a value column out as (len(T), len(x)): None when the rows already are in that order (T ascending,
    then x ascending, every T with the same x: the tables as written), found in one pass instead of two sorts.
    The same arrays as ``np.unique`` of each column and ``np.lexsort``. Raises ValueError if the rows are not a
    full grid."""
    T, x = data[:, 0], data[:, 1]
    n = len(data)
    starts = np.flatnonzero(np.r_[True, T[1:] != T[:-1]]) if n else np.zeros(0, dtype=np.intp)
    nx = int(starts[1]) if len(starts) > 1 else n
    if n and n == nx * len(starts):
        T_rows, x_row = T[starts], x[:nx]
        if (np.all(T_rows[1:] > T_rows[:-1]) and np.all(x_row[1:] > x_row[:-1])
                and np.all(x.reshape(-1, nx) == x_row) and np.all(T.reshape(-1, nx) == T_rows[:, None])):
            return T_rows.copy(), x_row.copy(), None
    T_grid, x_grid = np.unique(T), np.unique(x)
    if n != len(T_grid) * len(x_grid):
        raise ValueError(f"{name}: not a full T x x grid")
    return T_grid, x_grid, np.lexsort((x, T))


def grid_values(data: NDArray[np.float64], column: int, shape: tuple[int, int],
                order: NDArray[np.intp] | None) -> NDArray[np.float64]:
    """Column ``column`` of a table's rows laid out as ``shape`` in the order :func:`grid_layout` gave (a copy)."""
    values = data[:, column] if order is None else data[order, column]
    return np.ascontiguousarray(values).reshape(shape)


def _field_rows(name: str) -> list[tuple[float, str, float, float]]:
    """The (T, phase, x_min, x_max) rows of the phase-field table."""
    cols, rows = read_table(name)
    if cols != ["temperature_K", "phase", "x_min", "x_max"]:
        raise ValueError(f"{name}: unexpected columns {cols}")
    return [(float(T), p, float(lo), float(hi)) for T, p, lo, hi in rows]


@lru_cache(maxsize=1)
def _load() -> CuZnPhaseDiagram:
    data = read_numeric_table(ACTIVITY_CSV, ["temperature_K", "x_zn", "a_zn"])
    act_T, act_x, order = grid_layout(data, ACTIVITY_CSV)
    return CuZnPhaseDiagram(_field_rows(FIELDS_CSV), act_T, act_x,
                            grid_values(data, 2, (len(act_T), len(act_x)), order))


def cuzn_phase_diagram() -> CuZnPhaseDiagram:
    """The tabulated Cu-Zn phase diagram (Liang 2015), loaded once and cached."""
    citations.register("Liang2015", "phase_diagram")
    return _load()
