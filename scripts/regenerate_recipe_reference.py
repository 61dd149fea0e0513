"""Regenerate the recipe reference (tests/golden/recipe_reference.json): 32 UHT recipes spread over the recipe
space and their physics outputs, which tests/test_recipe_reference.py pins (issue 15: speed work must not move
them).

Run: ``python scripts/regenerate_recipe_reference.py`` only after an intended model change, and list each moved
output in the commit message. The recipes are drawn with a fixed seed: stage-II temperature and time, stage-III
peak and pulse time over the ranges of ``benchmarks/bench_recipe.py``, three foil thicknesses, both coolings,
plus the default, plated, batch-pulse and extreme recipes.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import numpy as np

from process_models.parameters import default_parameters
from process_models.uht.recipe import RecipeResult, UHTRecipe, evaluate_recipes

REFERENCE = Path(__file__).resolve().parents[1] / "tests" / "golden" / "recipe_reference.json"
SCALARS = ("skin_thickness_nm", "skin_mean_zn_at_frac", "surface_zn_at_frac", "zn_loading_mg_per_cm2",
           "zn_lost_fraction", "stage2_gamma_film_nm", "stage2_beta_film_nm", "peak_temperature_K",
           "max_melt_depth_nm", "energy_kwh_per_m2", "anneal_equivalent_time_s")


def recipes() -> list[UHTRecipe]:
    rng = np.random.default_rng(11)
    out = [UHTRecipe(stage2_temperature_K=round(float(rng.uniform(700, 800)), 3),
                     stage2_time_s=round(float(rng.uniform(30, 240)), 3),
                     stage3_peak_K=round(float(rng.uniform(950, 1150)), 3),
                     stage3_time_s=round(float(rng.uniform(0.01, 0.05)), 5),
                     cooling="contact" if i % 3 else "free", foil_thickness_m=(10e-6, 8e-6, 12e-6)[i % 3])
           for i in range(26)]
    return [*out, UHTRecipe(), UHTRecipe(stage3_mode="batch"),
            UHTRecipe(zn_route="plated", plated_zn_loading_kg_per_m2=2e-3, stage2_time_s=0.0),
            UHTRecipe(zn_route="plated", plated_zn_loading_kg_per_m2=1e-3), UHTRecipe(stage3_peak_K=1200.0),
            UHTRecipe(stage2_temperature_K=790.0, stage2_time_s=240.0, stage3_peak_K=950.0)]


def outputs(r: RecipeResult) -> dict:
    """The pinned outputs of one result: the scalars, the skin phase, the phase margin's input (the profile's
    largest Zn fraction) and the whole composition-depth profile."""
    out = {k: getattr(r, k) for k in SCALARS}
    out["skin_phase"] = r.skin_phase
    out["profile_max_zn_at_frac"] = max(r.profile_zn_at_frac)
    out["profile_zn_at_frac"] = list(r.profile_zn_at_frac)
    return out


def main() -> None:
    rs = recipes()
    results = evaluate_recipes(rs, default_parameters())
    cases = [{"recipe": asdict(r), "outputs": outputs(res)} for r, res in zip(rs, results, strict=True)]
    REFERENCE.write_text(json.dumps({"cases": cases}, indent=1, sort_keys=True) + "\n")
    print(f"wrote {REFERENCE} ({len(cases)} recipes)")


if __name__ == "__main__":
    import argparse

    # no options: --help (or anything else) must not run the script, which rewrites tracked files
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    main()
