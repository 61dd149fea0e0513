"""Tabulate the Cu-Mg and Cu-Al phase diagrams from CALPHAD databases shipped with pycalphad (offline).

Run by a developer, not at runtime (needs pycalphad, ``pip install -e .[calphad]``)::

    python scripts/tabulate_skin_phase_diagrams.py                 # both systems
    python scripts/tabulate_skin_phase_diagrams.py --systems CuMg  # one system

Writes into ``process_models/data/`` one single-phase-field table per system, in the same format as the
Cu-Zn table (``scripts/tabulate_cuzn_phase_diagram.py``): columns ``temperature_K,phase,x_min,x_max``
(x = mole fraction of the skin metal; limits are tie-line end points), a 10 K grid from 500 K to the Cu
melting point plus both ends of a bisection bracket around every invariant (where the sequence of fields
changes; 0.1 K wide where the solver allows). A temperature where the solver returns an inconsistent
sequence of fields (limits out of order, a phase in more than two places) is left out and reported.

Databases (both in ``pycalphad/tests/databases`` of the installed pycalphad wheel):

* Cu-Mg: ``cumg.tdb``, NIMS PANDAT file (M. Palumbo, T. Abe, K. Hashimoto, 2008-10-21) with the parameters
  of P. Liang et al., CALPHAD 22 (1998) 527-544 (= C.A. Coughanowr et al., Z. Metallkd. 82 (1991) 574,
  parameter set 3, minor Cu2Mg adjustments).
* Cu-Al: ``COST507.tdb``, COST 507 light-alloy database, round II (January 1999, frozen version); only the
  phases with a Cu-Al parameter plus the unary phases of Cu and Al are used.

Method: equilibrium on a 0.005 x-grid at every temperature; every change of phase assemblage between
neighbouring points is re-sampled on a 0.0005 local grid; field limits are the tie-line end points
reported by pycalphad (median over each two-phase region). The field sweep itself is the Cu-Zn script's
``_sweep`` (shared, not copied).
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tabulate_cuzn_phase_diagram as cuzn  # shared field sweep

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "process_models" / "data"
P_PA = 101325.0
T_CU_MELT = 1357.77  # K, SGTE unary value used by both databases
T_GRID = np.concatenate([np.arange(500.0, 1350.0 + 1e-9, 10.0), [1355.0, T_CU_MELT - 0.01]])
X_STEP = 0.005
X_FINE_STEP = 0.0005
X_EPS = 1e-6
NP_MIN = 1e-7
T_BRACKET = 0.1  # K


@dataclass(frozen=True)
class System:
    key: str
    element: str  # the skin metal, CALPHAD name
    tdb: str  # file name in pycalphad/tests/databases
    csv: str
    source: str
    phase_map: dict[str, str]
    fcc_rich_name: str = "alpha"  # name of an fcc solution rich in the skin metal (x > 0.5)


SYSTEMS = {
    "CuMg": System(
        "CuMg", "MG", "cumg.tdb", "cumg_phase_fields_liang1998.csv",
        "P. Liang et al., CALPHAD 22 (1998) 527-544 (parameters of C.A. Coughanowr et al., "
        "Z. Metallkd. 82 (1991) 574, set 3); TDB cumg.tdb (NIMS, Palumbo/Abe/Hashimoto 2008-10-21) as "
        "shipped in pycalphad/tests/databases",
        {"FCC_A1": "alpha", "HCP_A3": "mg_hcp", "CU2MG": "cu2mg", "CUMG2": "cumg2", "LIQUID": "liquid"},
    ),
    "CuAl": System(
        "CuAl", "AL", "COST507.tdb", "cual_phase_fields_cost507.csv",
        "I. Ansara, A.T. Dinsdale, M.H. Rand (eds.), COST 507 Thermochemical database for light metal "
        "alloys, round II (January 1999, frozen version); TDB COST507.tdb as shipped in "
        "pycalphad/tests/databases (Cu-Al description by N. Saunders, COST 507 vol. 2)",
        {"FCC_A1": "alpha", "BCC_A2": "beta", "GAMMA_D83": "gamma", "GAMMA_H": "gamma_h",
         "ALCU_DELTA": "delta", "ALCU_EPSILON": "epsilon", "ALCU_ZETA": "zeta", "ALCU_ETA": "eta",
         "ALCU_THETA": "theta", "ALCU_PRIME": "eta_prime", "LIQUID": "liquid"},
        "al_fcc",
    ),
}


def database_path(tdb: str) -> Path:
    import pycalphad

    return Path(pycalphad.__file__).resolve().parent / "tests" / "databases" / tdb


class Calc:
    """Equilibria of Cu-X with the mapped phases of one database."""

    def __init__(self, system: System) -> None:
        from pycalphad import Database

        self.system = system
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.dbf = Database(str(database_path(system.tdb)))
        self.comps = ["CU", system.element, "VA"]
        self.phases = [p for p in system.phase_map if p in self.dbf.phases]

    def equilibrium(self, xs, Ts):
        from pycalphad import equilibrium
        from pycalphad import variables as v

        el = self.system.element
        conds = {v.X(el): np.clip(np.asarray(xs, float), X_EPS, 1 - X_EPS), v.T: np.asarray(Ts, float),
                 v.P: P_PA, v.N: 1}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            eq = equilibrium(self.dbf, self.comps, self.phases, conds)
        names = eq.Phase.values[0, 0].astype(str)
        x_ph = eq.X.sel(component=el).values[0, 0]
        return names, x_ph, eq.NP.values[0, 0]

    def state(self, names, x_ph, amounts):
        merged: dict[str, list[float]] = {}
        for n, xp, f in zip(names, x_ph, amounts, strict=True):
            if not n or not np.isfinite(f) or f < NP_MIN or not np.isfinite(xp):
                continue
            ours = self.system.phase_map[n]
            if ours == "alpha" and xp > 0.5:  # the other terminal fcc solution, e.g. (Al) in Cu-Al
                ours = self.system.fcc_rich_name
            lo_hi = merged.setdefault(ours, [xp, xp])
            lo_hi[0], lo_hi[1] = min(lo_hi[0], xp), max(lo_hi[1], xp)
        if not merged:
            return None
        return tuple(sorted(((k, a, b) for k, (a, b) in merged.items()), key=lambda s: s[1]))


X_GRID = np.round(np.arange(0.0, 1.0 + 1e-12, X_STEP), 6)


def _fields_from_states(calc: Calc, T: float, states, log):
    keys = [None if s is None else tuple(p for p, _, _ in s) for s in states]
    fine: list[float] = []
    for j in range(len(X_GRID) - 1):
        if keys[j] != keys[j + 1]:
            fine.extend(np.arange(X_GRID[j] + X_FINE_STEP, X_GRID[j + 1] - 1e-9, X_FINE_STEP))
    xs = list(X_GRID)
    if fine:
        names, x_ph, amounts = calc.equilibrium(fine, [T])
        states = states + [calc.state(names[0, j], x_ph[0, j], amounts[0, j]) for j in range(len(fine))]
        xs = xs + fine
    order = np.argsort(xs, kind="stable")
    return cuzn._sweep([xs[o] for o in order], [states[o] for o in order], T, log)


def fields_at(calc: Calc, T: float, log):
    names, x_ph, amounts = calc.equilibrium(X_GRID, [T])
    states = [calc.state(names[0, j], x_ph[0, j], amounts[0, j]) for j in range(len(X_GRID))]
    return _fields_from_states(calc, T, states, log)


def _topology(fields):
    return [p for p, _, _ in fields]


def _bracket(calc: Calc, t_lo: float, t_hi: float, seq_lo, seq_hi, cache):
    def cached(T):
        if T not in cache:
            local: list[str] = []
            fields = fields_at(calc, T, local)
            cache[T] = (fields, not [m for m in local if "more than one field" not in m])
        return cache[T]

    a, b = t_lo, t_hi
    while b - a > T_BRACKET:
        m = 0.5 * (a + b)
        f, clean = cached(m)
        a, b = (m, b) if clean and _topology(f) == seq_lo else (a, m)
    t_a = a
    a, b = t_lo, t_hi
    while b - a > T_BRACKET:
        m = 0.5 * (a + b)
        f, clean = cached(m)
        a, b = (a, m) if clean and _topology(f) == seq_hi else (m, b)
    return t_a, b


def tabulate(calc: Calc, log):
    t0 = time.perf_counter()
    table: dict[float, list] = {}
    for i in range(0, len(T_GRID), 8):
        Ts = T_GRID[i : i + 8]
        names, x_ph, amounts = calc.equilibrium(X_GRID, Ts)
        for k, T in enumerate(Ts):
            states = [calc.state(names[k, j], x_ph[k, j], amounts[k, j]) for j in range(len(X_GRID))]
            table[float(T)] = _fields_from_states(calc, float(T), states, log)
        print(f"  {calc.system.key}: grid up to {Ts[-1]:.2f} K ({time.perf_counter() - t0:.0f} s)", flush=True)
    for t_lo, t_hi in itertools.pairwise(sorted(table)):
        seq_lo, seq_hi = _topology(table[t_lo]), _topology(table[t_hi])
        if seq_lo == seq_hi:
            continue
        cache: dict[float, tuple[list, bool]] = {}
        t_a, t_b = _bracket(calc, t_lo, t_hi, seq_lo, seq_hi, cache)
        for T in (t_a, t_b):
            if T not in table:
                table[T] = cache[T][0]
        print(f"  invariant in [{t_a:.2f}, {t_b:.2f}] K: {seq_lo} -> {seq_hi}", flush=True)
    return [(T, p, lo, hi) for T in sorted(table) for p, lo, hi in table[T]]


def consistent(fields) -> bool:
    """A usable field sequence: limits in order and no phase in more than two places (two are real: two liquid
    pools between congruently melting compounds in Cu-Mg, the bcc beta and epsilon of Cu-Al). Near an invariant
    the solver can return assemblages that violate this; such temperatures are left out of the table (the
    neighbours cover them)."""
    edges = [e for _, lo, hi in fields for e in (lo, hi)]
    names = [p for p, _, _ in fields]
    return all(b >= a - 1e-6 for a, b in itertools.pairwise(edges)) and max(map(names.count, names)) <= 2


def drop_inconsistent(rows):
    """``rows`` (T, phase, lo, hi) without the temperatures whose fields are not :func:`consistent`."""
    by_T: dict[float, list] = {}
    for T, p, lo, hi in rows:
        by_T.setdefault(T, []).append((p, lo, hi))
    bad = sorted(T for T, f in by_T.items() if not consistent(f))
    for T in bad:
        print(f"WARNING: T={T:.3f}: inconsistent assemblage sequence {[p for p, _, _ in by_T[T]]}, left out")
    return [r for r in rows if r[0] not in bad]


def write(calc: Calc, rows, path: Path) -> None:
    import pycalphad

    s = calc.system
    el = s.element.capitalize()
    lines = [
        f"# Cu-{el} single-phase fields (x = mole fraction {el}; limits are tie-line end points), tabulated "
        f"offline with pycalphad {pycalphad.__version__} (numpy {np.__version__}) on "
        f"{datetime.date.today().isoformat()}",
        f"# source: {s.source}",
        "# grid: T = 500-1350 K step 10 K plus 1355 K and 1357.76 K plus the two ends of a bisection bracket "
        f"around each invariant; x step {X_STEP} refined to {X_FINE_STEP} at boundaries; P = 101325 Pa",
        f"# made by: python scripts/tabulate_skin_phase_diagrams.py --systems {s.key}",
        "# phase names: " + ", ".join(f"{k}={v}" for k, v in s.phase_map.items() if k in calc.phases)
        + (f" (FCC_A1 with x > 0.5 = {s.fcc_rich_name})" if s.fcc_rich_name != "alpha" else ""),
        "temperature_K,phase,x_min,x_max",
    ]
    lines += [f"{T:.3f},{p},{lo:.5f},{hi:.5f}" for T, p, lo, hi in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--systems", nargs="+", choices=sorted(SYSTEMS), default=sorted(SYSTEMS))
    ap.add_argument("--out-dir", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    for key in args.systems:
        t0 = time.perf_counter()
        calc = Calc(SYSTEMS[key])
        print(f"{key}: phases {calc.phases} ({time.perf_counter() - t0:.0f} s to load)", flush=True)
        log: list[str] = []
        rows = drop_inconsistent(tabulate(calc, log))
        write(calc, rows, args.out_dir / calc.system.csv)
        for line in log:
            print("WARNING:", line)
        print(f"{key}: done in {time.perf_counter() - t0:.0f} s -> {args.out_dir / calc.system.csv}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
