"""The recipe physics against its reference (tests/golden/recipe_reference.json, issue 15): 32 recipes spread over
the recipe space keep their skin thickness, surface Zn, the phase margin's input (the profile's largest Zn
fraction), Zn accounts, peak, melt depth, energy and whole composition-depth profile, evaluated one at a time (the
single-foil solver path) and as one batch.

The speed work of issue 15 keeps the arithmetic, so the numbers agree to the last bit on the machine that wrote the
reference; the test allows 1e-9 relative (and 1e-12 absolute for profile cells near zero) so that another BLAS or
libm, which may round the same formulas differently in the last bits, does not fail it, while any change of the
discretisation (steps, Newton tolerance ~1e-6) or of the physics moves these outputs by far more. Regenerate with
``python scripts/regenerate_recipe_reference.py`` only after an intended change.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from process_models.parameters import default_parameters
from process_models.uht.recipe import UHTRecipe, evaluate_recipe, evaluate_recipes

REFERENCE = json.loads((Path(__file__).parent / "golden" / "recipe_reference.json").read_text())["cases"]
RTOL, ATOL = 1e-9, 1e-12


def _check(result, expected: dict, label: str) -> None:
    assert result.skin_phase == expected["skin_phase"], label
    got = {k: getattr(result, k) for k in expected if k not in ("skin_phase", "profile_max_zn_at_frac",
                                                               "profile_zn_at_frac")}
    got["profile_max_zn_at_frac"] = max(result.profile_zn_at_frac)
    for key, value in got.items():
        assert value == pytest.approx(expected[key], rel=RTOL, abs=ATOL), f"{label}: {key}"
    np.testing.assert_allclose(result.profile_zn_at_frac, expected["profile_zn_at_frac"], rtol=RTOL, atol=ATOL,
                               err_msg=label)


@pytest.mark.integration
def test_reference_recipes_one_at_a_time_and_as_a_batch():
    assert len(REFERENCE) >= 30
    params = default_parameters()
    recipes = [UHTRecipe(**case["recipe"]) for case in REFERENCE]
    for i, (r, case) in enumerate(zip(recipes, REFERENCE, strict=True)):
        _check(evaluate_recipe(r, params), case["outputs"], f"recipe {i} alone")
    for i, (res, case) in enumerate(zip(evaluate_recipes(recipes, params), REFERENCE, strict=True)):
        _check(res, case["outputs"], f"recipe {i} in the batch")
