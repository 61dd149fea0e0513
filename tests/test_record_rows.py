"""``solve_interdiffusion(record_rows=True)``: a row-wise record made once after the march, in blocks of steps,
gives the same records bit for bit as one call per step (stage III's melt depth and solidus margin use it)."""

from __future__ import annotations

import numpy as np
import pytest

from process_models.parameters import default_parameters
from process_models.uht import alloying, interdiffusion
from process_models.uht.recipe import Stage2Cache, UHTRecipe, evaluate_recipes

pytestmark = pytest.mark.component

RECIPES = [UHTRecipe(), UHTRecipe(stage3_peak_K=1120.0, stage3_time_s=0.04),  # the second melts
           UHTRecipe(stage2_temperature_K=720.0, stage2_time_s=60.0, stage3_peak_K=990.0)]


def _records(monkeypatch: pytest.MonkeyPatch, rows: bool, recipes: list[UHTRecipe]) -> list[np.ndarray]:
    real = alloying._solve
    seen = []

    def spy(*args, **kwargs):
        if "record_rows" in kwargs:
            kwargs["record_rows"] = rows
        res = real(*args, **kwargs)
        seen.append(res.recorded)
        return res

    monkeypatch.setattr(alloying, "_solve", spy)
    out = evaluate_recipes(recipes, default_parameters(), Stage2Cache())
    assert any(r.max_melt_depth_nm > 0 for r in out) == (len(recipes) > 1)
    return [r for r in seen if r is not None and r.ndim == 3]  # stage III's (depth, margin) records (n, B, 2)


@pytest.mark.parametrize("recipes", [RECIPES, RECIPES[:1]], ids=["batch", "one"])
def test_records_after_the_march_are_the_step_by_step_records(monkeypatch, recipes):
    step_by_step = _records(monkeypatch, False, recipes)
    monkeypatch.setattr(interdiffusion, "RECORD_BLOCK_ROWS", 7)  # several blocks of whole steps
    after = _records(monkeypatch, True, recipes)
    assert len(step_by_step) == len(after) >= 1  # a batch may be solved in groups (its stage-III zone cells)
    assert sum(a.shape[1] for a in after) == len(recipes)
    for a, b in zip(after, step_by_step, strict=True):
        assert a.shape == b.shape and a.shape[0] == 60 and a.shape[2] == 2
        np.testing.assert_array_equal(a, b)
