"""Benchmark: one UHT recipe and a batch of 1,000 recipes (issue 15 goals: ≤ 10 ms warm, ≤ 15 ms with every cache
cleared, 1,000 recipes ≤ 2 s; issue 2's were 50 ms and 5 s), and one recipe under a new parameter draw (the unit of
work of `foiltwin sensitivity` and `recipe --uncertainty`, which issue 15's speed is for; no goal of its own).

Run: ``python benchmarks/bench_recipe.py [--repeats 3]``. Set-up (imports, table loading, first call) is untimed.
Every figure is a median of repeats, wall and CPU time (``time.process_time``: on a shared machine wall time also
counts other jobs' turns). Baselines measured in the same run: every figure again with the numpy Newton step
(``FOILTWIN_COMPILED_KERNELS=0``) when numba's compiled step is installed (the ``fast`` extra), and the same recipes
one at a time (what batching buys). Each recipe in the timed sets is distinct, so nothing is served from a cache
unless said. A new process's one-off cost of the compiled step (numba's import, the kernel loaded from its on-disk
cache) is measured apart, in a fresh interpreter.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import numpy as np
from caches import clear_all_caches
from measure import machine, row

from process_models.parameters import default_parameters
from process_models.parameters.registry import ParameterValues
from process_models.uht.newton_kernel import ENV_SWITCH
from process_models.uht.recipe import Stage2Cache, UHTRecipe, evaluate_recipe, evaluate_recipes


def timed(fn: Callable[[int], object], repeats: int, before: Callable[[], object] | None = None
          ) -> tuple[float, float]:
    """Median wall and CPU seconds of ``fn(i)`` over ``repeats`` calls (``before()`` untimed before each)."""
    wall, cpu = [], []
    for i in range(repeats):
        if before is not None:
            before()
        t0, c0 = time.perf_counter(), time.process_time()
        fn(i)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu)


def ms(w: float, c: float) -> str:
    return f"{1e3 * w:.1f} / {1e3 * c:.1f} ms"


def paired(fn: Callable[[int], object], repeats: int, paths: tuple[bool, ...],
           before: Callable[[], object] | None = None) -> dict[bool, tuple[float, float]]:
    """Median wall and CPU seconds of ``fn(i)`` on each Newton-step path (numba's compiled step, numpy), the paths
    taking turns call by call (``FOILTWIN_COMPILED_KERNELS``): this host's speed drifts by tens of % within
    minutes, and interleaving puts both paths under the same drift."""
    runs: dict[bool, tuple[list[float], list[float]]] = {p: ([], []) for p in paths}
    for i in range(repeats):
        for compiled in paths:
            os.environ[ENV_SWITCH] = "1" if compiled else "0"
            w, c = timed(lambda _, i=i: fn(i), 1, before)
            runs[compiled][0].append(w)
            runs[compiled][1].append(c)
    return {p: (statistics.median(w), statistics.median(c)) for p, (w, c) in runs.items()}


def parameter_draws(params: ParameterValues, n: int) -> list[ParameterValues]:
    """``n`` parameter sets drawn from the registry's standard errors, as `foiltwin sensitivity` and
    `recipe --uncertainty` draw them (:func:`optimizer.uq.uncertainty_of`)."""
    from optimizer.uq import uncertainty_of

    unc = uncertainty_of(params)
    X, _ = unc.sample(n, seed=3)
    return [params.with_overrides(dict(zip(unc.names, map(float, x), strict=True)), kind="fitted") for x in X]


def path_times(params: ParameterValues, recipes: list[UHTRecipe], repeats: int, paths: tuple[bool, ...]
               ) -> dict[bool, dict[str, tuple[float, float]]]:
    """The recipe timings on each Newton-step path, interleaved (:func:`paired`)."""
    caches = {p: Stage2Cache() for p in paths}  # each path's own stage-II cache (a line or the optimiser owns one)
    for p in paths:
        os.environ[ENV_SWITCH] = "1" if p else "0"
        evaluate_recipe(UHTRecipe(), params, caches[p])  # warm-up: tables, the standard stage II, the kernel loaded
    cache_of = lambda: caches[os.environ[ENV_SWITCH] == "1"]  # noqa: E731
    out: dict[str, dict[bool, tuple[float, float]]] = {}
    # one recipe whose stage II was seen before (a line varying only its stage-III pulse)
    out["warm"] = paired(lambda i: evaluate_recipe(UHTRecipe(stage3_peak_K=980.0 + 0.37 * i), params, cache_of()),
                         30, paths)
    # one recipe with a new stage II as well (no result cached; tables loaded)
    out["new2"] = paired(lambda i: evaluate_recipe(UHTRecipe(stage2_time_s=100.0 + 0.53 * i,
                                                             stage3_peak_K=980.0 + 0.37 * i), params, cache_of()),
                         20, paths)
    # truly cold: every cache cleared before each call (phase tables, parameter sets, ...; a fresh Stage2Cache)
    out["cold"] = paired(lambda i: evaluate_recipe(UHTRecipe(stage2_time_s=90.0 + 0.71 * i,
                                                             stage3_peak_K=990.0 + 0.29 * i), params, Stage2Cache()),
                         10, paths, before=clear_all_caches)
    # one recipe under a new parameter draw (one run of the uncertainty commands): no stage II result and no freeze
    # table can be reused; the heater's property tables and the convection's kinks can (kept by value)
    draws = iter(parameter_draws(params, 20 * len(paths)))  # each call its own draw, whichever path
    out["draw"] = paired(lambda i: evaluate_recipe(UHTRecipe(), next(draws), Stage2Cache()), 20, paths)
    out["batch"] = paired(lambda i: evaluate_recipes(recipes, params), repeats, paths)
    # baseline: the same kind of recipes one by one (a sample of 40, scaled to 1,000)
    out["loop"] = paired(lambda i: [evaluate_recipe(UHTRecipe(**{**r.__dict__, "stage2_time_s": r.stage2_time_s
                                                                  + 1e-3 * (i + 1)}), params) for r in recipes[:40]],
                         1, paths)
    out["loop"] = {p: (w * 25, c * 25) for p, (w, c) in out["loop"].items()}
    return {p: {k: v[p] for k, v in out.items()} for p in paths}


def kernel_load_seconds() -> float:
    """CPU seconds a new process spends before its first compiled step (importing numba, loading the kernel from
    numba's on-disk cache): a recipe's first compiled evaluation minus its second, in a fresh interpreter."""
    code = ("import os, time; os.environ['FOILTWIN_COMPILED_KERNELS'] = '1'\n"
            "from process_models.parameters import default_parameters as d\n"
            "from process_models.uht.recipe import Stage2Cache, UHTRecipe, evaluate_recipe as e\n"
            "p = d(); os.environ['FOILTWIN_COMPILED_KERNELS'] = '0'; e(UHTRecipe(), p, Stage2Cache())\n"
            "os.environ['FOILTWIN_COMPILED_KERNELS'] = '1'; c = time.process_time(); e(UHTRecipe(), p, Stage2Cache())\n"
            "a = time.process_time() - c; c = time.process_time(); e(UHTRecipe(), p, Stage2Cache())\n"
            "print(a - (time.process_time() - c))")
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3, help="runs of the 1,000-recipe batch (median)")
    args = ap.parse_args()
    params = default_parameters()
    rng = np.random.default_rng(7)
    recipes = [UHTRecipe(stage2_temperature_K=float(T2), stage2_time_s=float(t2), stage3_peak_K=float(T3),
                         stage3_time_s=float(t3))
               for T2, t2, T3, t3 in zip(rng.uniform(700, 800, 1000), rng.uniform(30, 240, 1000),
                                         rng.uniform(950, 1150, 1000), rng.uniform(0.01, 0.05, 1000), strict=True)]
    paths = (False, True) if importlib.util.find_spec("numba") else (False,)  # baseline: the numpy Newton step
    times = path_times(params, recipes, args.repeats, paths)
    base, fast = times[False], times.get(True)
    load = kernel_load_seconds() if fast else float("nan")
    t = fast or base

    print(f"machine: {machine()}")
    which = "compiled (numba); baseline numpy, the two taking turns call by call" if fast else "numpy (numba absent)"
    print(f"Newton step: {which}")
    print("times are medians, wall / CPU")
    print(row("measure", "wall / CPU", "goal"))
    print(row("one recipe, stage II cached", ms(*t["warm"]), "10 ms", t["warm"][1] <= 0.010))
    print(row("one recipe, new stage II (tables in memory)", ms(*t["new2"]), "", None))
    print(row("one recipe, every cache cleared (tables too)", ms(*t["cold"]), "15 ms", t["cold"][1] <= 0.015))
    print(row("one recipe, new parameter draw (uncertainty work)", ms(*t["draw"]), "", None))
    print(row("batch of 1,000 distinct recipes", f"{t['batch'][0]:.2f} / {t['batch'][1]:.2f} s", "2 s",
              t["batch"][1] <= 2.0))
    print(row("baseline: 1,000 one at a time (from 40)", f"{t['loop'][0]:.2f} / {t['loop'][1]:.2f} s"))
    if fast:
        print(row("a new process's kernel load (numba import, cached kernel)", f"{load:.2f} s CPU"))
        for key, label in (("warm", "one recipe, stage II cached"), ("new2", "one recipe, new stage II"),
                           ("cold", "one recipe, every cache cleared"), ("draw", "one recipe, new draw")):
            print(row(f"baseline numpy step: {label}", ms(*base[key])))
        print(row("baseline numpy step: batch of 1,000", f"{base['batch'][0]:.2f} / {base['batch'][1]:.2f} s"))
        print("compiled over numpy, CPU: " + ", ".join(f"{k} x{base[k][1] / fast[k][1]:.2f}"
                                                       for k in ("warm", "new2", "cold", "draw", "batch", "loop")))
    print(f"batch over one at a time: x{t['loop'][1] / t['batch'][1]:.1f} CPU "
          f"(x{t['loop'][0] / t['batch'][0]:.1f} wall)")
    print("status judges CPU time (wall time on a shared machine includes other jobs' turns)")


if __name__ == "__main__":
    main()
