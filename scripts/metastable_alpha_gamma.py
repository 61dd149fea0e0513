"""The metastable α/γ equilibrium of Cu-Zn with β suppressed (Liang 2015 assessment), offline.

Run by a developer (needs pycalphad, ``pip install -e .[calphad]``)::

    python scripts/metastable_alpha_gamma.py

Prints, per temperature, the compositions of α (FCC) and γ in two-phase equilibrium when the bcc phases
(BCC, BCC_B2) are excluded. It documents ``fick_alpha_beta_switch_zn_frac`` = 0.43: with β kinetically
suppressed (``beta_diffusivity_scale_frac`` ≪ 1, fitted to V1), α in contact with γ holds up to
x_Zn ≈ 0.425 (750 K) - 0.441 (1100 K), not the α/β solvus (0.388-0.331). Result of 2026-11 (pycalphad 0.11.2):
750 K 0.4248/0.5620, 800 K 0.4282/0.5585, 900 K 0.4341/0.5520, 1000 K 0.4384/0.5460, 1050 K 0.4397/0.5430,
1100 K 0.4405/0.5398 (α/γ).
"""

from __future__ import annotations

import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TDB = REPO.parent / "shared" / "data" / "cuzn_liang2015.tdb"


def main() -> None:
    from pycalphad import Database, equilibrium
    from pycalphad import variables as v

    warnings.filterwarnings("ignore")
    db = Database(str(TDB))
    for T in (750.0, 800.0, 900.0, 1000.0, 1050.0, 1100.0):
        eq = equilibrium(db, ["CU", "ZN", "VA"], ["FCC", "GAMMA"], {v.X("ZN"): 0.5, v.T: T, v.P: 101325, v.N: 1})
        phases = eq.Phase.values.squeeze()
        x = eq.X.sel(component="ZN").values.squeeze()
        pairs = {str(p): float(xz) for p, xz in zip(phases, x, strict=True) if p}
        print(f"{T:7.1f} K  alpha {pairs.get('FCC', float('nan')):.4f}  gamma {pairs.get('GAMMA', float('nan')):.4f}")


if __name__ == "__main__":
    import argparse

    # no options: --help (or anything else) must not run the script, which rewrites tracked files
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    main()
