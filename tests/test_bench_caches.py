"""The benchmarks' cache-clearing helper (benchmarks/caches.py) finds and empties every cache a recipe and an
optimiser run fill, so a "cold" benchmark run is cold (issue 15)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from process_models.parameters import default_parameters
from process_models.uht import phase_diagram, recipe
from process_models.uht.recipe import UHTRecipe, evaluate_recipe


def load_helper():
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "caches.py"
    spec = importlib.util.spec_from_file_location("bench_caches", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.component
def test_every_cache_a_recipe_fills_is_found_and_emptied():
    """The process models and the optimiser hold no result cache of their own (callers own them: a Stage2Cache,
    an OptimiserCache); what a recipe fills at module level are the loaded tables and the registry."""
    from optimizer import OptimiserCache, surrogates

    helper = load_helper()
    mine = OptimiserCache()
    with mine.active():
        evaluate_recipe(UHTRecipe(stage2_time_s=97.3), default_parameters(), surrogates.stage2_cache())
    assert len(mine.stage2) == 1 and phase_diagram._load.cache_info().currsize == 1
    assert surrogates.stage2_cache() is None  # outside the block: no cache at all
    dropped = helper.clear_all_caches()
    assert dropped["process_models.uht.phase_diagram._load"] == 1
    assert dropped["process_models.parameters.default_parameters"] == 1
    assert not hasattr(recipe, "_STAGE2_CACHE") and not hasattr(surrogates, "STAGE2_CACHE")
    assert len(mine.stage2) == 1  # the caller's cache is the caller's to clear
    # the web heater's module-level caches (cooling times; property tables, which hold the compiled Newton's
    # stacked tables too) are found by their names
    assert dropped["process_models.uht.web_heater._COOLING_TIME_CACHE"] >= 1
    assert dropped["process_models.uht.web_heater._PROPERTY_CACHE"] >= 1
    assert phase_diagram._load.cache_info().currsize == 0
    assert sum(helper.clear_all_caches().values()) == 0  # nothing left


@pytest.mark.unit
def test_caches_named_otherwise_are_cleared_through_the_extra_list():
    helper = load_helper()
    store = {"a": 1, "b": 2}

    def clear() -> int:
        n = len(store)
        store.clear()
        return n

    helper.EXTRA_CLEARERS.append(("somewhere.store", clear))
    assert helper.clear_all_caches()["somewhere.store"] == 2 and not store
