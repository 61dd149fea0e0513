"""Which skin phases a metal's recipes reach on the optimised UHT line: a scan of the optimiser's table box.

Run by a developer::

    python scripts/scan_skin_phases.py Mg                      # 7 x 8 x 4 x 3 = 672 recipes
    python scripts/scan_skin_phases.py Mg --param mg_in_cu_diffusion_activation_J_per_mol=120e3

The box is the one the optimiser samples for the metal (:func:`optimizer.metal_surrogates.metal_box`: stage-II
temperature and time, stage-III peak below the guarded lowest solidus, stage-III time) on the default plant; each
recipe is :func:`process_models.skins.skin.evaluate_skin`. Prints the number of recipes per surface phase, which
of them the spec's default allows (:mod:`process_models.skins.spec_defaults`), and the refused recipes (a deposit
the foil cannot hold). Result of 2026-12-03 for Mg with the registry's values: docs/skin_metals.md.
"""

from __future__ import annotations

import argparse
import math
from collections import Counter

import numpy as np

SHAPE = (7, 8, 4, 3)  # knots along 1/T2, ln t2, T3, ln t3


def scan(metal: str, overrides: dict[str, float]) -> tuple[Counter, int, int]:
    """(recipes per phase, refused recipes, recipes in all) over the metal's box."""
    from optimizer.metal_surrogates import metal_box, metal_spec, skin_recipe
    from optimizer.space import decision_space
    from process_models.errors import FoiltwinInputError
    from process_models.skins.skin import evaluate_skin
    from twin.scenario import Scenario
    from twin.simulate import build_parameters

    sc = Scenario()
    params = build_parameters(sc)
    if overrides:
        params = params.with_overrides(overrides)
    space = decision_space(sc, params, None, None)
    spec = metal_spec(space, metal)
    axes = [np.linspace(lo, hi, n) for (lo, hi), n in zip(metal_box(space, params, spec), SHAPE, strict=True)]
    phases: Counter = Counter()
    refused = 0
    for z in axes[0]:
        for v2 in axes[1]:
            for T3 in axes[2]:
                for v3 in axes[3]:
                    try:
                        r = evaluate_skin(skin_recipe(space, spec, 1.0 / z, math.exp(v2), T3, math.exp(v3)), params)
                    except FoiltwinInputError:
                        refused += 1
                        continue
                    phases["+".join(r.skin_phases)] += 1
    return phases, refused, int(np.prod(SHAPE))


def main() -> None:
    from process_models.skins.spec_defaults import default_allowed_skin_phases

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("metal")
    ap.add_argument("--param", action="append", default=[], help="NAME=VALUE registry override")
    a = ap.parse_args()
    overrides = {k: float(v) for k, v in (p.split("=", 1) for p in a.param)}
    phases, refused, n = scan(a.metal, overrides)
    allowed = default_allowed_skin_phases(a.metal)
    print(f"{a.metal}: {n} recipes, {refused} refused (deposit more than the foil holds)")
    for name, k in phases.most_common():
        print(f"  {name:20s} {k:4d}  {'allowed by default' if name in allowed else 'not allowed by default'}")


if __name__ == "__main__":
    main()
