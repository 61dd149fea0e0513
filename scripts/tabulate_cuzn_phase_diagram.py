"""Tabulate the Cu-Zn phase diagram and Zn activity from the Liang 2015 CALPHAD assessment (offline).

Run by a developer, not at runtime (needs pycalphad, ``pip install -e .[calphad]``)::

    python scripts/tabulate_cuzn_phase_diagram.py

Writes into ``process_models/data/``:

* ``cuzn_phase_fields_liang2015.csv`` - single-phase composition intervals (x_Zn, tie-line end points)
  of each phase on a 5 K grid 500-1355 K plus 1357.77 K (Cu melting), plus both ends of a bisection
  bracket around every invariant (where the sequence of fields changes; 0.04 K wide, wider where
  pycalphad is inconsistent close to the invariant). Columns ``temperature_K,phase,x_min,x_max``.
* ``cuzn_zn_activity_liang2015.csv`` - a_Zn referred to pure liquid Zn from the equilibrium MU(ZN).
  Columns ``temperature_K,x_zn,a_zn``.
* ``cuzn_fcc_bcc_gibbs_liang2015.csv`` - G_fcc - G_bcc (J/mol) of the same composition (no partition), with
  the bcc lattice at its equilibrium B2 long-range order (beta/beta' as it exists at each T; ordering cannot
  be suppressed by a quench) and, for comparison, kept disordered (A2); plus the B2 order parameter.
  Columns ``temperature_K,x_zn,dg_fcc_bcc_J_per_mol,dg_fcc_bcc_disordered_J_per_mol,b2_order_frac``.
* ``cuzn_t0_fcc_bcc_liang2015.csv`` - the T0 curve(s) where G_fcc = G_bcc at the same composition: the
  upper branch (the massive beta -> alpha limit), the lower branch below which ordered beta' is again
  more stable than fcc, and the T0 of disordered bcc. Columns ``x_zn,t0_K,t0_lower_K,t0_disordered_K``.

Method: equilibrium on a 0.0025 x-grid at every temperature; every change of phase assemblage between
neighbouring points is re-sampled on a 0.00025 local grid; field limits are the tie-line end points
(phase compositions) reported by pycalphad inside two-phase regions (median over the region), so they
are limited by the solver accuracy, not by the grid. Source: S.-M. Liang, H.-M. Hsiao,
R. Schmid-Fetzer, CALPHAD 51 (2015) 224 (``../shared/data/cuzn_liang2015.tdb``).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DEFAULT_TDB = REPO.parent / "shared" / "data" / "cuzn_liang2015.tdb"
DEFAULT_OUT = REPO / "process_models" / "data"
FIELDS_CSV = "cuzn_phase_fields_liang2015.csv"
ACTIVITY_CSV = "cuzn_zn_activity_liang2015.csv"
FCC_BCC_CSV = "cuzn_fcc_bcc_gibbs_liang2015.csv"
T0_CSV = "cuzn_t0_fcc_bcc_liang2015.csv"
TABLES = ("fields", "activity", "fcc-bcc")

COMPONENTS = ["CU", "ZN", "VA"]
PHASE_MAP = {
    "FCC": "alpha",
    "BCC": "beta",
    "BCC_B2": "beta",
    "GAMMA": "gamma",
    "DELTA": "delta",
    "EPS": "epsilon",
    "HCP": "eta",
    "LIQUID": "liquid",
}
P_PA = 101325.0
R_GAS = 8.314462618  # J/(mol K), as in pycalphad
T_CU_MELT = 1357.77  # K, SGTE unary value used by the assessment

T_GRID = np.concatenate([np.arange(500.0, 1355.0 + 1e-9, 5.0), [T_CU_MELT]])
X_STEP = 0.0025
X_FINE_STEP = 0.00025
X_EPS = 1e-6  # pycalphad needs 0 < x < 1
X_GRID = np.clip(np.round(np.arange(0.0, 1.0 + 1e-12, X_STEP), 6), X_EPS, 1 - X_EPS)
NP_MIN = 1e-7  # phase amounts below this are ignored
T_BRACKET = 0.04  # K, invariant temperatures are bracketed to this width where the solver allows

A_T_GRID = np.arange(500.0, 1360.0 + 1e-9, 10.0)
A_X_GRID = np.round(
    np.concatenate([np.arange(0.0, 0.45 + 1e-9, 0.005), np.arange(0.46, 1.0 + 1e-9, 0.01)]), 6
)

SOURCE = (
    "S.-M. Liang, H.-M. Hsiao, R. Schmid-Fetzer, Thermodynamic assessment of the Al-Cu-Zn system, "
    "part I: Cu-Zn binary, CALPHAD 51 (2015) 224-232 (TDB file cuzn_liang2015.tdb)"
)
COMMAND = "python scripts/tabulate_cuzn_phase_diagram.py"


def _equilibrium(dbf, xs, Ts):
    """pycalphad equilibrium on the Cartesian grid xs x Ts; returns (names, X_ZN, NP, MU_ZN) arrays."""
    from pycalphad import equilibrium
    from pycalphad import variables as v

    conds = {v.X("ZN"): np.asarray(xs, float), v.T: np.asarray(Ts, float), v.P: P_PA, v.N: 1}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eq = equilibrium(dbf, COMPONENTS, list(dbf.phases), conds)
    # dims (N, P, T, X_ZN, vertex) -> (T, X, vertex)
    names = eq.Phase.values[0, 0].astype(str)
    x_ph = eq.X.sel(component="ZN").values[0, 0]
    amounts = eq.NP.values[0, 0]
    mu = eq.MU.sel(component="ZN").values[0, 0]
    return names, x_ph, amounts, mu


def _state(names, x_ph, amounts):
    """Phase assemblage at one point: sorted tuple of (our phase, x_lo, x_hi) merged by our name.

    Bcc and Bcc_B2 both map to beta; if both appear (order/disorder) they are merged into one field.
    Returns None for a failed point.
    """
    merged: dict[str, list[float]] = {}
    for n, xp, f in zip(names, x_ph, amounts, strict=True):
        if not n or not np.isfinite(f) or f < NP_MIN or not np.isfinite(xp):
            continue
        ours = PHASE_MAP[n]
        lo_hi = merged.setdefault(ours, [xp, xp])
        lo_hi[0] = min(lo_hi[0], xp)
        lo_hi[1] = max(lo_hi[1], xp)
    if not merged:
        return None
    return tuple(sorted(((k, v[0], v[1]) for k, v in merged.items()), key=lambda s: s[1]))


@dataclass
class _Field:
    phase: str
    single_x: list[float] = field(default_factory=list)  # overall x of single-phase points inside
    lo_tie: list[float] = field(default_factory=list)  # tie-line ends on the low side
    hi_tie: list[float] = field(default_factory=list)  # tie-line ends on the high side

    def limits(self) -> tuple[float, float]:
        lo = float(np.median(self.lo_tie)) if self.lo_tie else min(self.single_x, default=np.nan)
        hi = float(np.median(self.hi_tie)) if self.hi_tie else max(self.single_x, default=np.nan)
        if np.isnan(lo):
            lo = hi
        if np.isnan(hi):
            hi = lo
        return lo, hi


def _sweep(xs, states, T, log):
    """Turn the ordered point states at one temperature into a list of single-phase fields."""
    fields: list[_Field] = []
    for x, st in zip(xs, states, strict=True):
        if st is None:
            continue
        if len(st) == 1:
            p = st[0][0]
            if not fields or fields[-1].phase != p:
                fields.append(_Field(p))
            fields[-1].single_x.append(float(x))
        elif len(st) == 2:
            (a, _, xa), (b, xb, _) = st
            if len(fields) >= 2 and fields[-1].phase == b and fields[-2].phase == a:
                fields[-2].hi_tie.append(xa)
                fields[-1].lo_tie.append(xb)
                continue
            if not fields or fields[-1].phase != a:
                if fields:
                    log.append(f"T={T}: field {a} seen only through a tie-line at x={x:.5f}")
                fields.append(_Field(a))
            fields[-1].hi_tie.append(xa)
            fields.append(_Field(b, lo_tie=[xb]))
        else:
            log.append(f"T={T}: {len(st)}-phase point at x={x:.5f} ignored: {st}")
    out = []
    for f in fields:
        lo, hi = f.limits()
        if f.single_x and (min(f.single_x) < lo - 5e-4 or max(f.single_x) > hi + 5e-4):
            log.append(f"T={T}: {f.phase} tie-line ends {lo:.5f}-{hi:.5f} vs single-phase points "
                       f"{min(f.single_x):.5f}-{max(f.single_x):.5f}")
        out.append([f.phase, lo, hi])
    out[0][1] = 0.0
    out[-1][2] = 1.0
    if T <= T_CU_MELT and out[0][0] != "alpha":
        out.insert(0, ["alpha", 0.0, 0.0])  # pure Cu is solid up to (and at) its melting point
    names = [f[0] for f in out]
    if len(set(names)) != len(names):
        log.append(f"T={T}: a phase has more than one field: {names}")
    for f0, f1 in itertools.pairwise(out):
        if f1[1] < f0[2] - 1e-6:
            log.append(f"T={T}: fields overlap {f0} {f1}")
    return [(p, float(lo), float(hi)) for p, lo, hi in out]


def _fields_from_coarse(dbf, T, states, log):
    """Refine the coarse states at one temperature near every change of assemblage; return the fields."""
    keys = [None if s is None else tuple(p for p, _, _ in s) for s in states]
    fine: list[float] = []
    for j in range(len(X_GRID) - 1):
        if keys[j] != keys[j + 1]:
            fine.extend(np.arange(X_GRID[j] + X_FINE_STEP, X_GRID[j + 1] - 1e-9, X_FINE_STEP))
    xs = list(X_GRID)
    if fine:
        names, x_ph, amounts, _ = _equilibrium(dbf, fine, [T])
        states = states + [_state(names[0, j], x_ph[0, j], amounts[0, j]) for j in range(len(fine))]
        xs = xs + fine
    order = np.argsort(xs, kind="stable")
    return _sweep([xs[o] for o in order], [states[o] for o in order], T, log), len(fine)


def _fields_at(dbf, T, log):
    names, x_ph, amounts, _ = _equilibrium(dbf, X_GRID, [T])
    states = [_state(names[0, j], x_ph[0, j], amounts[0, j]) for j in range(len(X_GRID))]
    return _fields_from_coarse(dbf, T, states, log)[0]


def _cached_fields(dbf, T, cache):
    """(fields, clean) at T, memoised in ``cache``; clean means the sweep found a consistent sequence."""
    if T not in cache:
        local: list[str] = []
        fields = _fields_at(dbf, T, local)
        cache[T] = (fields, not local)
    return cache[T]


def _topology(fields):
    return [p for p, _, _ in fields]


def tabulate_fields(dbf, log):
    """Single-phase fields {T: [(phase, x_min, x_max), ...]} on T_GRID plus brackets of the invariants."""
    t0 = time.perf_counter()
    chunk = 16
    table: dict[float, list] = {}
    n_fine = 0
    for i in range(0, len(T_GRID), chunk):
        Ts = T_GRID[i : i + chunk]
        names, x_ph, amounts, _ = _equilibrium(dbf, X_GRID, Ts)
        for k, T in enumerate(Ts):
            states = [_state(names[k, j], x_ph[k, j], amounts[k, j]) for j in range(len(X_GRID))]
            table[float(T)], nf = _fields_from_coarse(dbf, float(T), states, log)
            n_fine += nf
        print(f"  grid up to {Ts[-1]:.2f} K ({time.perf_counter() - t0:.0f} s)", flush=True)
    print(f"  refined {n_fine} points near boundaries", flush=True)
    # where the sequence of fields changes between grid temperatures, bracket the invariant: the highest
    # T with the lower sequence and the lowest T with the upper one (within a few 0.1 K of an invariant the
    # solver may return inconsistent assemblages; those temperatures are left out of the table)
    grid = sorted(table)
    for t_lo, t_hi in itertools.pairwise(grid):
        seq_lo, seq_hi = _topology(table[t_lo]), _topology(table[t_hi])
        if seq_lo == seq_hi:
            continue
        cache: dict[float, tuple[list, bool]] = {}
        a, b = t_lo, t_hi  # lower sequence: highest clean T
        while b - a > T_BRACKET:
            m = 0.5 * (a + b)
            f, clean = _cached_fields(dbf, m, cache)
            a, b = (m, b) if clean and _topology(f) == seq_lo else (a, m)
        t_a = a
        a, b = t_lo, t_hi  # upper sequence: lowest clean T
        while b - a > T_BRACKET:
            m = 0.5 * (a + b)
            f, clean = _cached_fields(dbf, m, cache)
            a, b = (a, m) if clean and _topology(f) == seq_hi else (m, b)
        t_b = b
        for T in (t_a, t_b):
            if T not in table:
                table[T] = cache[T][0]
        n_bad = sum(1 for f, clean in cache.values() if not clean)
        print(f"  invariant in [{t_a:.3f}, {t_b:.3f}] K ({n_bad} inconsistent temperatures inside): "
              f"{seq_lo} -> {seq_hi}", flush=True)
    print(f"  fields done ({time.perf_counter() - t0:.0f} s)", flush=True)
    return [(T, p, lo, hi) for T in sorted(table) for p, lo, hi in table[T]]


def tabulate_activity(dbf):
    """a_Zn (reference pure liquid Zn) on A_X_GRID x A_T_GRID: array (len(T), len(x))."""
    from pycalphad import calculate

    xs = np.clip(A_X_GRID[1:], X_EPS, 1 - 1e-7)
    _, _, _, mu = _equilibrium(dbf, xs, A_T_GRID)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = calculate(dbf, ["ZN", "VA"], "LIQUID", T=A_T_GRID, P=P_PA, N=1, output="GM")
    g_liq_zn = ref.GM.values.reshape(len(A_T_GRID), -1)[:, 0]
    act = np.zeros((len(A_T_GRID), len(A_X_GRID)))
    act[:, 1:] = np.exp((mu - g_liq_zn[:, None]) / (R_GAS * A_T_GRID[:, None]))
    return act


# --------------------------------------------------------------------------- fcc vs bcc at one composition
FCC_BCC_T_GRID = np.arange(300.0, 1200.0 + 1e-9, 10.0)
FCC_BCC_X_GRID = np.round(np.arange(0.30, 0.55 + 1e-9, 0.005), 6)
T0_X_GRID = np.round(np.arange(0.30, 0.55 + 1e-9, 0.0025), 6)
T0_SCAN_K = np.arange(300.0, 1400.0 + 1e-9, 5.0)  # bracketing scan for the T0 roots
ORDER_STEPS = 400  # B2 order parameter grid (share of its largest value) for the tables
ORDER_STEPS_FINE = 4000  # ... and for the T0 root refinement
T0_XTOL_K = 0.01
PHASE_FCC, PHASE_BCC, PHASE_B2 = "FCC", "BCC", "BCC_B2"


def _site_rows(dbf, phase: str, y_zn: np.ndarray) -> np.ndarray:
    """Site-fraction rows of ``phase`` for Zn site fractions ``y_zn`` (rows, sublattices of Cu/Zn);
    sublattices holding only VA get 1. Constituents are in pycalphad's order (sorted per sublattice)."""
    rows = []
    k = 0
    for sub in dbf.phases[phase].constituents:
        names = sorted(sp.name for sp in sub if sp.name in COMPONENTS)
        if names == ["VA"]:
            rows.append(np.ones((y_zn.shape[0], 1)))
            continue
        if names != ["CU", "ZN"]:
            raise ValueError(f"{phase}: unexpected sublattice {names}")
        y = y_zn[:, k]
        rows.append(np.stack([1.0 - y, y], axis=1))
        k += 1
    return np.concatenate(rows, axis=1)


def _gm(dbf, phase: str, points: np.ndarray, Ts) -> np.ndarray:
    """GM (J/mol of atoms) of ``phase`` at the given site-fraction rows, shape (len(Ts), rows)."""
    from pycalphad import calculate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = calculate(dbf, COMPONENTS, phase, T=np.atleast_1d(Ts), P=P_PA, N=1, points=points, output="GM")
    return res.GM.values.reshape(len(np.atleast_1d(Ts)), -1)


def _b2_rows(dbf, xs: np.ndarray, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """B2 site-fraction rows for every x and order share s in [0, 1]: y' = x + s·m, y'' = x - s·m with
    m = min(x, 1 - x) (s = 0 is the disordered bcc). Returns rows (len(xs)·(steps+1), ...) and s."""
    s = np.linspace(0.0, 1.0, steps + 1)
    m = np.minimum(xs, 1.0 - xs)
    eta = (m[:, None] * s[None, :]).ravel()
    xx = np.repeat(xs, s.size)
    return _site_rows(dbf, PHASE_B2, np.stack([xx + eta, xx - eta], axis=1)), s


def fcc_bcc_gibbs(dbf, xs: np.ndarray, Ts: np.ndarray, steps: int = ORDER_STEPS):
    """G_fcc - G_bcc (J/mol) at each (T, x) with the bcc at its equilibrium B2 order (minimum over the order
    parameter) and disordered, and the order share s at the minimum; arrays of shape (len(Ts), len(xs))."""
    g_fcc = _gm(dbf, PHASE_FCC, _site_rows(dbf, PHASE_FCC, xs[:, None]), Ts)
    g_a2 = _gm(dbf, PHASE_BCC, _site_rows(dbf, PHASE_BCC, xs[:, None]), Ts)
    rows, s = _b2_rows(dbf, xs, steps)
    g_b2 = _gm(dbf, PHASE_B2, rows, Ts).reshape(len(Ts), len(xs), s.size)
    best = np.argmin(g_b2, axis=2)
    g_ord = np.take_along_axis(g_b2, best[..., None], axis=2)[..., 0]
    # the B2 description with s = 0 must be the disordered bcc (Bcc_B2 has Bcc as its disordered part)
    gap = np.max(np.abs(g_b2[..., 0] - g_a2))
    if gap > 1e-6:
        raise ValueError(f"Bcc_B2 at zero order differs from Bcc by {gap:.3g} J/mol")
    return g_fcc - g_ord, g_fcc - g_a2, s[best]


def _t0_roots(dbf, x: float, ordered: bool) -> list[float]:
    """Temperatures in T0_SCAN_K's range where G_fcc(x) = G_bcc(x), refined by Brent's method."""
    from scipy.optimize import brentq

    def diff(T):
        d_ord, d_dis, _ = fcc_bcc_gibbs(dbf, np.array([x]), np.atleast_1d(T), ORDER_STEPS_FINE)
        return (d_ord if ordered else d_dis)[:, 0]

    d = diff(T0_SCAN_K)
    cross = np.flatnonzero(np.sign(d[:-1]) != np.sign(d[1:]))
    return [float(brentq(lambda T: float(diff(T)[0]), T0_SCAN_K[i], T0_SCAN_K[i + 1], xtol=T0_XTOL_K))
            for i in cross]


def tabulate_t0(dbf, log):
    """Rows (x, T0 upper, T0 lower, T0 disordered) on T0_X_GRID; NaN where a branch does not exist."""
    rows = []
    for x in T0_X_GRID:
        ordered = _t0_roots(dbf, float(x), True)
        disordered = _t0_roots(dbf, float(x), False)
        if len(ordered) > 2 or len(disordered) > 1:
            log.append(f"x={x}: unexpected T0 roots ordered={ordered} disordered={disordered}")
        upper = max(ordered) if ordered else np.nan
        lower = min(ordered) if len(ordered) == 2 else np.nan
        rows.append((float(x), upper, lower, max(disordered) if disordered else np.nan))
    return rows


def write_fcc_bcc(d_ord, d_dis, order, path: Path) -> None:
    head = _header(
        "G_fcc - G_bcc at the same composition (J/mol of atoms; > 0: bcc is lower), bcc with its equilibrium "
        "B2 order (minimum over the order parameter) and disordered",
        "T = 300-1200 K step 10 K; x = 0.30-0.55 step 0.005; B2 order parameter s = (y'_Zn - y''_Zn)/"
        f"(2 min(x, 1-x)) on a {ORDER_STEPS}-step grid",
    )
    lines = [*head, "temperature_K,x_zn,dg_fcc_bcc_J_per_mol,dg_fcc_bcc_disordered_J_per_mol,b2_order_frac"]
    for i, T in enumerate(FCC_BCC_T_GRID):
        lines += [f"{T:.0f},{x:.3f},{a:.3f},{b:.3f},{s:.4f}"
                  for x, a, b, s in zip(FCC_BCC_X_GRID, d_ord[i], d_dis[i], order[i], strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_t0(rows, path: Path) -> None:
    head = _header(
        "T0 of fcc (alpha) vs bcc (beta) at the same composition: t0_K = upper branch with the bcc at its "
        "equilibrium B2 order (the massive beta -> alpha limit), t0_lower_K = lower branch (below it ordered "
        "beta' is again more stable than fcc), t0_disordered_K = disordered bcc; nan = no root in 300-1400 K",
        f"x = 0.30-0.55 step 0.0025; roots bracketed on a 5 K scan and refined to {T0_XTOL_K} K (Brent), "
        f"B2 order on a {ORDER_STEPS_FINE}-step grid",
    )
    lines = [*head, "x_zn,t0_K,t0_lower_K,t0_disordered_K"]
    lines += [f"{x:.4f},{a:.2f},{b:.2f},{c:.2f}" for x, a, b, c in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _header(kind: str, grid: str) -> list[str]:
    import pycalphad

    return [
        f"# Cu-Zn {kind}, tabulated offline with pycalphad {pycalphad.__version__} (numpy {np.__version__})",
        f"# source: {SOURCE}",
        f"# grid: {grid}; P = 101325 Pa",
        f"# made by: {COMMAND}",
    ]


def write_fields(rows, path: Path) -> None:
    head = _header(
        "single-phase fields (x = mole fraction Zn; limits are tie-line end points)",
        "T = 500-1355 K step 5 K plus 1357.77 K plus the two ends of a bisection bracket around each "
        "invariant; x step 0.0025 refined to 0.00025 at boundaries",
    )
    head.append("# phase names: Fcc=alpha, Bcc/Bcc_B2=beta, Gamma=gamma, Delta=delta, Eps=epsilon, "
                "Hcp=eta, Liquid=liquid")
    lines = [*head, "temperature_K,phase,x_min,x_max"]
    lines += [f"{T:.3f},{p},{lo:.5f},{hi:.5f}" for T, p, lo, hi in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_activity(act, path: Path) -> None:
    head = _header(
        "Zn activity a_Zn referred to pure liquid Zn, exp((MU(ZN) - G_liq(Zn))/RT) at equilibrium",
        "T = 500-1360 K step 10 K; x = 0-0.45 step 0.005, 0.46-1 step 0.01",
    )
    lines = [*head, "temperature_K,x_zn,a_zn"]
    for i, T in enumerate(A_T_GRID):
        lines += [f"{T:.0f},{x:.3f},{a:.5g}" for x, a in zip(A_X_GRID, act[i], strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tdb", type=Path, default=DEFAULT_TDB, help="Liang 2015 Cu-Zn TDB")
    ap.add_argument("--out-dir", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--tables", nargs="+", choices=TABLES, default=list(TABLES),
                    help="which tables to (re)write (default: all)")
    args = ap.parse_args(argv)
    from pycalphad import Database

    t0 = time.perf_counter()
    dbf = Database(str(args.tdb))
    log: list[str] = []
    written = []
    if "fields" in args.tables:
        print("phase fields ...", flush=True)
        rows = tabulate_fields(dbf, log)
        write_fields(rows, args.out_dir / FIELDS_CSV)
        written.append(FIELDS_CSV)
    if "activity" in args.tables:
        print("Zn activity ...", flush=True)
        act = tabulate_activity(dbf)
        if not np.all(np.isfinite(act)):
            log.append(f"{np.sum(~np.isfinite(act))} non-finite activities")
        write_activity(act, args.out_dir / ACTIVITY_CSV)
        written.append(ACTIVITY_CSV)
    if "fcc-bcc" in args.tables:
        print("fcc vs bcc Gibbs energies and T0 ...", flush=True)
        d_ord, d_dis, order = fcc_bcc_gibbs(dbf, FCC_BCC_X_GRID, FCC_BCC_T_GRID)
        write_fcc_bcc(d_ord, d_dis, order, args.out_dir / FCC_BCC_CSV)
        write_t0(tabulate_t0(dbf, log), args.out_dir / T0_CSV)
        written += [FCC_BCC_CSV, T0_CSV]
    from process_models.uht.binary_tables import TABLES as BINARY_TABLES
    from process_models.uht.binary_tables import write_binary_copies

    write_binary_copies(args.out_dir, tuple(w for w in written if w in BINARY_TABLES))  # their exact binary copies
    for line in log:
        print("WARNING:", line)
    print(f"done in {time.perf_counter() - t0:.0f} s; wrote {', '.join(str(args.out_dir / w) for w in written)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
