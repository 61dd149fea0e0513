"""Caches owned by their callers (issues 11 and 13): no KeyError when a call has more distinct keys than the cache
holds, the same values as without a cache, and citations registered on every evaluation, hit or miss."""

from __future__ import annotations

import pytest
from approx_tree import assert_tree_close

from process_models import citations
from process_models.cache import EvaluationCache
from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from process_models.uht.recipe import Stage2Cache, UHTRecipe, evaluate_recipes

PARAMS = default_parameters()


@pytest.mark.unit
def test_more_keys_in_one_call_than_the_cache_holds():
    cache: EvaluationCache[int, int] = EvaluationCache(3)
    calls = []

    def square(keys):
        calls.append(list(keys))
        return [k * k for k in keys]

    keys = [5, 1, 2, 3, 4, 5, 6, 7, 1]
    assert cache.get_many(keys, square) == [k * k for k in keys]
    assert calls == [[5, 1, 2, 3, 4, 6, 7]]  # each missing key computed once
    assert len(cache) == 3 and list(cache._store) == [6, 7, 1]  # the most recently used kept
    # across calls: hits stay valid, misses are computed, the size stays bounded
    assert cache.get_many([1, 7, 8, 9, 10, 11], square) == [1, 49, 64, 81, 100, 121]
    assert calls[-1] == [8, 9, 10, 11] and len(cache) == 3 and cache.hits == 2


@pytest.mark.unit
def test_a_failed_computation_stores_nothing_and_sizes_are_checked():
    cache: EvaluationCache[int, int] = EvaluationCache(2)

    def boom(keys):
        raise FoiltwinInputError("k", keys[0], "something else")

    with pytest.raises(FoiltwinInputError):
        cache.get_many([1, 2], boom)
    assert len(cache) == 0
    for bad in (0, -1, True, 2.5):
        with pytest.raises(FoiltwinInputError):
            EvaluationCache(bad)  # type: ignore[arg-type]


def _recipes(n: int) -> list[UHTRecipe]:
    """n distinct stage-II histories, each with two stage-III pulses."""
    out = []
    for i in range(n):
        t2 = 100.0 + 3.0 * i
        out += [UHTRecipe(stage2_time_s=t2, stage3_peak_K=1000.0), UHTRecipe(stage2_time_s=t2, stage3_peak_K=1050.0)]
    return out


@pytest.mark.component
def test_stage2_cache_overflow_in_one_call_and_across_calls_gives_the_uncached_results():
    recipes = _recipes(6)
    plain = evaluate_recipes(recipes, PARAMS)
    small = Stage2Cache(max_size=2)  # 6 distinct histories in one call, 2 kept
    got = evaluate_recipes(recipes, PARAMS, small)
    # equal to the solver's round-off: the Newton loops of a batch stop when every foil has converged, so a foil
    # solved in another batch may take one more (tiny) update
    assert [r.skin_thickness_nm for r in got] == pytest.approx([r.skin_thickness_nm for r in plain], rel=1e-9)
    assert len(small) == 2 and small.misses == 6
    again = evaluate_recipes(list(reversed(recipes)), PARAMS, small)  # partly hits, partly evicted
    assert [r.skin_thickness_nm for r in again] == pytest.approx([r.skin_thickness_nm for r in reversed(plain)],
                                                                  rel=1e-9)
    assert small.hits >= 2 and len(small) == 2


@pytest.mark.component
def test_a_cache_hit_registers_the_same_citations_as_a_solve():
    cache = Stage2Cache()
    stage2_only = [UHTRecipe(stage2_time_s=111.0, stage3_time_s=0.0)]  # no stage III to cite the shared sources
    citations.reset()
    evaluate_recipes(stage2_only, PARAMS)
    solved = citations.used()
    evaluate_recipes([UHTRecipe(stage2_time_s=111.0)], PARAMS, cache)  # fills the cache
    citations.reset()
    evaluate_recipes(stage2_only, PARAMS, cache)  # stage II served from the cache
    assert cache.hits == 1
    assert citations.used() == solved
    assert {"Kuper1956", "Hertz-Knudsen", "Incropera2007"} <= set(solved)  # stage II's own sources


@pytest.mark.component
def test_the_twin_result_cache_overflowing_changes_nothing(monkeypatch):
    from twin import segment_physics
    from twin.scenario import Scenario, apply_overrides
    from twin.simulate import run_single

    sc = apply_overrides(Scenario(), ["hours=2", "plant.lines.1.pyrometer.noise_K=5.0"])
    ref = run_single(sc)
    monkeypatch.setattr(segment_physics, "RESULT_CACHE_SIZE", 2)
    small = run_single(sc)
    solves = {n: (ref["lines"][n].pop("physics_solves"), small["lines"][n].pop("physics_solves"))
              for n, k in ref["lines"].items() if "physics_solves" in k}
    assert_tree_close(small, ref, rel=1e-9)  # histories re-solved in other batches: equal to round-off
    assert all(b >= a > 2 for a, b in solves.values())  # more distinct histories than it held: it overflowed
