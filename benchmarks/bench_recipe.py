"""Benchmark: one UHT recipe and a vectorised batch of 1,000 recipes (issue 2 goals: ≤ 50 ms, ≤ 5 s).

Run: ``python benchmarks/bench_recipe.py``. Set-up (imports, table loading, first call) is untimed.
The baseline, measured in the same run, is the same recipes evaluated one at a time; the ratio says what
batching buys. Each recipe in the timed sets is distinct, so nothing is served from a cache unless said.
"""

from __future__ import annotations

import time

import numpy as np
from caches import clear_all_caches

from process_models.parameters import default_parameters
from process_models.uht.recipe import Stage2Cache, UHTRecipe, evaluate_recipe, evaluate_recipes


def _best_ms(fn, repeats: int) -> float:
    times = []
    for i in range(repeats):
        t0 = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - t0)
    return 1e3 * float(np.median(times))


def main() -> None:
    params = default_parameters()
    cache = Stage2Cache()  # the caller's stage-II cache (a line, the optimiser or the twin owns one)
    evaluate_recipe(UHTRecipe(), params, cache)  # warm-up: tables, the standard stage II in the cache
    rng = np.random.default_rng(7)

    # one recipe whose stage II was seen before (a line varying only its stage-III pulse)
    warm = _best_ms(lambda i: evaluate_recipe(UHTRecipe(stage3_peak_K=980.0 + 0.37 * i), params, cache), 30)
    # one recipe with a new stage II as well (no result cached; tables loaded)
    cold = _best_ms(lambda i: evaluate_recipe(UHTRecipe(stage2_time_s=100.0 + 0.53 * i,
                                                        stage3_peak_K=980.0 + 0.37 * i), params, cache), 30)
    # truly cold: every cache cleared before each call (phase tables, stage II results, parameter sets, ...)
    times: list[float] = []
    for i in range(10):
        clear_all_caches()
        t0 = time.perf_counter()
        evaluate_recipe(UHTRecipe(stage2_time_s=90.0 + 0.71 * i, stage3_peak_K=990.0 + 0.29 * i), params)
        times.append(time.perf_counter() - t0)
    truly_cold = 1e3 * float(np.median(times))
    recipes = [UHTRecipe(stage2_temperature_K=float(T2), stage2_time_s=float(t2), stage3_peak_K=float(T3),
                         stage3_time_s=float(t3))
               for T2, t2, T3, t3 in zip(rng.uniform(700, 800, 1000), rng.uniform(30, 240, 1000),
                                         rng.uniform(950, 1150, 1000), rng.uniform(0.01, 0.05, 1000), strict=True)]
    t0 = time.perf_counter()
    evaluate_recipes(recipes, params)
    batch_s = time.perf_counter() - t0
    # baseline: the same kind of recipes one by one (a sample of 40, scaled to 1,000)
    sample = recipes[:40]
    t0 = time.perf_counter()
    for r in sample:
        evaluate_recipe(UHTRecipe(**{**r.__dict__, "stage2_time_s": r.stage2_time_s + 1e-3}), params)
    loop_s = (time.perf_counter() - t0) * 1000 / len(sample)

    print(f"{'measure':<46}{'time':>12}{'goal':>10}{'status':>8}")
    print(f"{'one recipe, stage II cached':<46}{warm:>10.1f}ms{'50 ms':>10}{'ok' if warm <= 50 else 'MISS':>8}")
    print(f"{'one recipe, new stage II (tables in memory)':<46}{cold:>10.1f}ms{'50 ms':>10}"
          f"{'ok' if cold <= 50 else 'MISS':>8}")
    print(f"{'one recipe, every cache cleared (tables too)':<46}{truly_cold:>10.1f}ms")
    print(f"{'batch of 1,000 distinct recipes':<46}{batch_s:>11.2f}s{'5 s':>10}{'ok' if batch_s <= 5 else 'MISS':>8}")
    print(f"{'baseline: 1,000 one at a time (from 40)':<46}{loop_s:>11.2f}s")
    print(f"batch speed-up over the one-at-a-time baseline: x{loop_s / batch_s:.1f}")


if __name__ == "__main__":
    main()
