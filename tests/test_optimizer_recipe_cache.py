"""The recipe cache of an OptimiserCache (optimizer.surrogates.safe_evaluate, issue 15): inside an active cache a
recipe evaluated before with the same parameter values is served, not solved again; other parameter values, or no
active cache, solve afresh; a repeated optimisation solves no recipe again and recommends the same point. The same
for the process-model checks of the MILP's points (optimizer.surrogates.check_collectors) and the stage-III power
reach of a skin table's samples (optimizer.surrogates.stage3_power_reach)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from optimizer import OptimiserCache, Targets, optimize, solver_available
from optimizer.space import decision_space
from optimizer.surrogates import check_collectors, safe_evaluate, stage3_power_reach
from process_models.collector import recipe as collector_module
from process_models.collector.recipe import CollectorRecipe
from process_models.parameters import default_parameters
from process_models.uht import recipe as recipe_module
from process_models.uht import web_heater
from process_models.uht.recipe import UHTRecipe
from twin.scenario import Scenario

RECIPES = [UHTRecipe(stage3_peak_K=985.0 + 5.0 * i) for i in range(3)]


def _counting(monkeypatch, name: str = "evaluate_recipes", module=recipe_module) -> list[int]:
    """Count the recipes handed to the model: the batch sizes of ``module.name`` as optimizer.surrogates calls it
    (evaluate_recipes from safe_evaluate, by default)."""
    sizes: list[int] = []
    real = getattr(module, name)

    def counted(recipes, params, cache=None):
        sizes.append(len(recipes))
        return real(recipes, params, cache)

    monkeypatch.setattr(f"optimizer.surrogates.{name}", counted)
    return sizes


@pytest.mark.component
def test_an_active_cache_serves_a_recipe_evaluated_before(monkeypatch):
    sizes = _counting(monkeypatch)
    params = default_parameters()
    cache = OptimiserCache()
    with cache.active():
        first = safe_evaluate(RECIPES[:2], params)
        again = safe_evaluate(RECIPES, params)  # two served, one new
    assert sizes == [2, 1]
    assert again[0] is first[0] and again[1] is first[1]
    assert again[2].skin_thickness_nm > 0.0
    assert (cache.recipes.hits, cache.recipes.misses) == (2, 3)


@pytest.mark.component
def test_other_parameter_values_or_no_active_cache_solve_afresh(monkeypatch):
    sizes = _counting(monkeypatch)
    params = default_parameters()
    other = params.with_overrides({"cross_section_thickness_sd_m": 2 * params["cross_section_thickness_sd_m"]})
    cache = OptimiserCache()
    with cache.active():
        a = safe_evaluate(RECIPES[:1], params)
        b = safe_evaluate(RECIPES[:1], other)
    c = safe_evaluate(RECIPES[:1], params)  # outside the block: no cache
    assert sizes == [1, 1, 1]
    assert a[0] is not b[0] and c[0] is not a[0]
    assert c[0].skin_thickness_nm == pytest.approx(a[0].skin_thickness_nm, rel=1e-12)
    cache.clear()
    assert len(cache.recipes) == 0 and not cache.params_ids


@pytest.mark.component
def test_a_refused_recipe_is_kept_as_refused(monkeypatch):
    sizes = _counting(monkeypatch)
    params = default_parameters()
    bad = replace(RECIPES[0], stage3_peak_K=params["cu_melting_temperature_K"] + 200.0)
    cache = OptimiserCache()
    with cache.active():
        first = safe_evaluate([bad, RECIPES[0]], params)
        again = safe_evaluate([bad], params)
    assert first[0] is None and first[1] is not None and again == [None]
    assert sizes[-1] != 1 or len(sizes) > 1  # the batch was split to find the refused one ...
    n = len(sizes)
    with cache.active():
        safe_evaluate([bad, RECIPES[0]], params)
    assert len(sizes) == n  # ... and neither is solved again


@pytest.mark.component
def test_a_point_checked_before_is_served_as_a_fresh_check_and_a_copy(monkeypatch):
    """A served check is the fresh one bit for bit (to_dict equal, no tolerance) and a deep copy: editing what a
    caller got changes neither the cache nor the next answer. Outside an active cache every call solves."""
    calls = _counting(monkeypatch, "evaluate_collectors", collector_module)
    params = default_parameters()
    recipe = CollectorRecipe(uht=RECIPES[0])
    fresh = collector_module.evaluate_collectors([recipe], params)[0].to_dict()
    cache = OptimiserCache()
    with cache.active():
        first = check_collectors(recipe, params)
        first.warnings.append("edited by a caller")
        first.texture_fractions.clear()
        again = check_collectors(recipe, params)
    assert calls == [1] and (cache.checks.hits, cache.checks.misses) == (1, 1)
    assert again.to_dict() == fresh and again is not first
    check_collectors(recipe, params)
    check_collectors(recipe, params)
    assert calls == [1, 1, 1]


@pytest.mark.component
def test_a_power_reach_batch_solved_before_is_served_bit_for_bit(monkeypatch):
    """The same distinct (T3, t3) — in another order or repeated — are served from the cache, equal bit for bit to
    the solve without a cache; another batch or other parameter values are solved."""
    batches: list[int] = []

    def counted(speed, *args, **kw):
        batches.append(len(speed))
        return web_heater.solve_web_heater(speed, *args, **kw)

    monkeypatch.setattr("optimizer.surrogates.solve_web_heater", counted)
    params = default_parameters()
    space = decision_space(Scenario(), params)
    T3, t3 = np.array([1000.0, 1050.0, 1100.0]), np.array([0.010, 0.008, 0.006])
    fresh = stage3_power_reach(space, params, T3, t3)
    cache = OptimiserCache()
    with cache.active():
        first = stage3_power_reach(space, params, T3, t3)
        again = stage3_power_reach(space, params, T3[[2, 0, 1, 2]], t3[[2, 0, 1, 2]])
        stage3_power_reach(space, params, T3[:2], t3[:2])
        power = "heater_max_areal_power_W_per_m2"
        other = params.with_overrides({power: 2 * params[power]})
        stage3_power_reach(space, other, T3, t3)
    assert batches == [3, 3, 2, 3]
    assert np.array_equal(first, fresh) and np.array_equal(again, fresh[[2, 0, 1, 2]])
    assert (cache.reach.hits, cache.reach.misses) == (1, 3)


@pytest.mark.integration
@pytest.mark.skipif(not solver_available(), reason="HiGHS not installed")
def test_a_repeated_optimisation_solves_no_recipe_again():
    targets = Targets(skin_thickness_nm=470, tolerance_nm=50)
    cache = OptimiserCache()
    first = optimize(targets, verify_twin=False, held_out=False, cache=cache)
    misses, checked, reached = cache.recipes.misses, cache.checks.misses, cache.reach.misses
    second = optimize(targets, verify_twin=False, held_out=False, cache=cache)
    assert cache.recipes.misses == misses and cache.recipes.hits > 100
    assert cache.checks.misses == checked and cache.checks.hits >= checked > 0  # no point checked again
    assert cache.reach.hits > 0 and cache.reach.misses == reached  # no skin table's power reach solved again
    assert second.settings == first.settings
    assert second.checked["cost_per_m2"] == first.checked["cost_per_m2"]


@pytest.mark.integration
@pytest.mark.skipif(not solver_available(), reason="HiGHS not installed")
def test_a_repeated_twin_check_solves_no_history_again_and_reports_the_same():
    """The twin check of a repeated optimisation reads its segment histories from the cache's memo; its KPIs are
    those of the first check, bit for bit (twin.physics_memo)."""
    targets = Targets(skin_thickness_nm=470, tolerance_nm=50)
    cache = OptimiserCache()
    first = optimize(targets, held_out=False, twin_hours=4.0, cache=cache)
    solved = cache.twin_physics.misses
    assert solved > 0
    second = optimize(targets, held_out=False, twin_hours=4.0, cache=cache)
    assert cache.twin_physics.misses == solved and cache.twin_physics.hits >= solved
    assert second.verified == first.verified
