"""Solution quality of the optimiser (issue 13): the optimum against a brute-force grid of process-model
evaluations, and an added target never making the optimum cheaper (component).

Both compare checked costs (process models), with the optimiser's own feasibility: the brute force
(:mod:`optimizer.reference`) keeps the melting guard of the optimiser's tables (no melt at the peak + 3σ), so every
grid point is one the optimiser could have recommended.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

import numpy as np
import pytest
from shared_caches import OPTIMISER_CACHE

from optimizer import Targets, optimize, solver_available
from optimizer.reference import Pricer, grid_best
from optimizer.space import decision_space
from twin.scenario import Scenario
from twin.simulate import build_parameters

pytestmark = pytest.mark.skipif(not solver_available(), reason="HiGHS (appsi_highs) is not available")

MODES = ("vapour_commercial",)
GRID_FRAC = 0.01  # the optimum within 1 % of the grid's best (issue 5 goal)
# an added target may come out up to this much cheaper than the unconstrained optimum: the refinement stops once a
# step improves the checked cost by < 0.5 % (api.STABLE_FRAC), so two runs that end near the same point differ by
# about that much
ORDER_FRAC = 0.01
# after a coarse fallback the second pass ends within this of a small grid (2.4 % since the loop's restarts narrow
# and its incumbent is the best checked point; 4.1 % before, a gap of the trust region near the α/α+β edge,
# docs/optimizer.md; the fallback itself was 16 % above)
SECOND_PASS_FRAC = 0.035
# the throughput optimum's grid: a point meeting the targets has its stage-II temperature tied to its speed within
# ~2 K (the α margin, the melting guard and the skin window meet on a ridge), so each module count gets its own band
THROUGHPUT_SPEEDS = np.geomspace(3.8, 4.6, 21)  # m/min, 1 % apart
THROUGHPUT_T2_K = {3: np.arange(842.0, 857.0), 4: np.arange(812.0, 827.0)}  # 1 K apart
THROUGHPUT_T3_K = (1099.0, 1100.0)


@pytest.fixture(scope="module")
def unconstrained():
    sc = Scenario()
    targets = Targets(470.0, 50.0)
    cache = OPTIMISER_CACHE
    r = optimize(targets, sc, modes=MODES, verify_twin=False, held_out=False, cache=cache)
    return sc, targets, cache, r


@pytest.mark.component
def test_the_optimum_is_within_one_percent_of_a_brute_force_grid(unconstrained):
    """A 1,260-point grid around the optimum's region of the default plant (UHT line on commercial foil: speed
    3–4.5 m/min × 1–4 stage-II modules × T2 810–850 K × T3 1094–1102 K, 1 K apart where the melting edge and the
    α window meet) finds no point cheaper than the optimiser's by more than 1 %. Before the melting margin
    (surrogates._melt_edge_margin) the refinement stopped at the T3 knot below the melting edge: 4.85 USD/m² against
    this grid's 3.23."""
    sc, targets, _, r = unconstrained
    assert r.status == "optimal" and r.checked is not None
    params = build_parameters(sc)
    space = decision_space(sc, params, None, MODES)
    pricer = Pricer(space, params, targets.with_defaults(sc))
    best, point = grid_best(pricer, np.geomspace(3.0, 4.5, 7), np.arange(1, 5), np.linspace(810.0, 850.0, 5),
                            np.linspace(1094.0, 1102.0, 9))
    assert np.isfinite(best), "no grid point is feasible: the grid no longer covers the optimum's region"
    cost = r.checked["cost_per_m2"]
    assert cost <= (1.0 + GRID_FRAC) * best, f"optimum {cost:.4f} vs grid best {best:.4f} at {point}"
    # the recommendation keeps the guard the grid keeps: no melt at the set point + 3σ
    assert r.checked["melt_guard_margin_K"] >= 0.0 and not r.checked["melting"]


@pytest.mark.component
@pytest.mark.parametrize("extra", [{"min_texture_100": 0.6}, {"tolerance_nm": 35.0}], ids=["texture", "window"])
def test_an_added_target_never_makes_the_optimum_cheaper(unconstrained, extra):
    """Every point meeting the targets and an extra one (a (100) texture floor; a narrower skin window, which also
    lowers every point's gauge yield) meets the targets alone at no higher cost, so the unconstrained optimum's checked
    cost is at most the constrained one's (within ORDER_FRAC). Seen before: 4.85 USD/m² unconstrained against 4.74
    with (100) ≥ 0.6."""
    sc, targets, cache, base = unconstrained
    r = optimize(replace(targets, **extra), sc, modes=MODES, verify_twin=False, held_out=False, cache=cache,
                 raise_infeasible=False)
    assert r.status != "infeasible" and r.checked is not None
    assert base.checked["cost_per_m2"] <= (1.0 + ORDER_FRAC) * r.checked["cost_per_m2"], (
        f"unconstrained {base.checked['cost_per_m2']:.4f} vs with {extra}: {r.checked['cost_per_m2']:.4f}")


@pytest.mark.component
def test_a_recommendation_keeps_the_melting_guard_when_every_refinement_misses(monkeypatch):
    """Target 450 ± 50 nm on the default line: every refined point of the first trust-region loop misses (α+β skin,
    or liquid at the peak + 3σ), so the loop falls back on its coarse start. That start was checked without the guard
    (the coarse tables do not keep it) and sat 5 K above its melting edge: it was recommended as "optimal, checked"
    with melt_guard_margin_K = −5. The fallback now judges the guard and moves such a start down to its edge, and
    says that the point is a fallback, not an optimum. (The second pass is off here: with it the loop leaves the
    start, next test.) Since the refinement holds the coarse start's stage-II module count, the loop accepts steps
    at 450 nm; every refinement missing is therefore forced here (a pass that accepts nothing), so that the
    fallback this test is about still runs."""
    from optimizer import api

    monkeypatch.setattr(api, "FALLBACK_AGREE_FACTOR", 1.0)  # the second pass then replays the first loop
    monkeypatch.setattr(api._Run, "_pass", lambda self, walk, *a, **k: False)  # every refinement misses
    r = optimize(Targets(450.0, 50.0), Scenario(), modes=MODES, verify_twin=False, held_out=False,
                 cache=OPTIMISER_CACHE, raise_infeasible=False)
    assert r.status == "feasible" and r.checked is not None
    assert "no refinement step was accepted" in r.message and "a cheaper one may exist" in r.message, r.message
    assert r.checked["melt_guard_margin_K"] >= 0.0 and not r.checked["melting"], r.checked["melt_guard_margin_K"]
    lo, hi = 400.0, 500.0
    assert lo <= r.checked["skin_thickness_nm"] <= hi and r.checked["skin_phase"] == "alpha"


@pytest.mark.component
def test_after_a_coarse_fallback_a_second_pass_gets_near_a_small_grid():
    """The same target with the second pass (api._Run._fallback_start: the coarse start as the incumbent, the
    agreement bound ×2) and its narrowing restarts: 3.16 USD/m² in the models (3.22 before the restarts narrowed)
    against the start's 3.58 (15.8 % above the grid) and a small grid's 3.09 (4 modules, 3.9 m/min, T2 820 K,
    T3 1100 K); within SECOND_PASS_FRAC of that grid, and the guard kept."""
    sc = Scenario()
    targets = Targets(450.0, 50.0)
    r = optimize(targets, sc, modes=MODES, verify_twin=False, held_out=False, cache=OPTIMISER_CACHE,
                 raise_infeasible=False)
    assert r.status != "infeasible" and r.checked is not None
    assert r.checked["melt_guard_margin_K"] >= 0.0 and not r.checked["melting"]
    params = build_parameters(sc)
    pricer = Pricer(decision_space(sc, params, None, MODES), params, targets.with_defaults(sc))
    best, point = grid_best(pricer, np.geomspace(3.0, 4.5, 7), np.arange(3, 5), np.linspace(810.0, 830.0, 3),
                            np.linspace(1094.0, 1102.0, 9))
    assert np.isfinite(best), "no grid point is feasible: the grid no longer covers the optimum's region"
    cost = r.checked["cost_per_m2"]
    assert cost <= (1.0 + SECOND_PASS_FRAC) * best, f"{cost:.4f} vs grid best {best:.4f} at {point}"


@pytest.mark.component
def test_the_throughput_optimum_is_within_one_percent_of_a_grid_and_beats_the_cost_optimum(unconstrained):
    """Most throughput on the default line (470 ± 50 nm): within 1 % of a brute-force grid of process-model
    evaluations along the ridge where it lies (speed 3.8–4.6 m/min, 1 % apart, × 3 or 4 stage-II modules × T2
    1 K apart in each module count's band × T3 1099/1100 K; the grid's best 115.1 m²/h at 4.06 m/min, 3 modules,
    851 K), and at least the throughput of the least-cost point (a point the models pass). Before the loop kept its
    best checked point and narrowed its restarts: 112.2 m²/h, below the cost optimum's 112.3 (all modes: 109.6)."""
    sc, targets, cache, cost_optimum = unconstrained
    r = optimize(replace(targets, objective="throughput"), sc, modes=MODES, verify_twin=False, held_out=False,
                 cache=cache)
    assert r.status != "infeasible" and r.checked is not None
    params = build_parameters(sc)
    pricer = Pricer(decision_space(sc, params, None, MODES), params, targets.with_defaults(sc))
    best = 0.0
    for modules, T2 in THROUGHPUT_T2_K.items():
        G = np.array(np.meshgrid(THROUGHPUT_SPEEDS, [modules], T2, THROUGHPUT_T3_K, indexing="ij")).reshape(4, -1)
        _, ok = pricer(*G)
        best = max(best, float(pricer.throughput_m2_per_h[ok].max(initial=0.0)))
    assert best > 0.0, "no grid point is feasible: the grid no longer covers the optimum's ridge"
    got = r.checked["throughput_m2_per_h"]
    assert got >= (1.0 - GRID_FRAC) * best, f"throughput optimum {got:.2f} vs grid best {best:.2f} m2/h"
    assert got >= cost_optimum.checked["throughput_m2_per_h"], (
        f"{got:.2f} m2/h below the least-cost point's {cost_optimum.checked['throughput_m2_per_h']:.2f}")
    assert r.checked["melt_guard_margin_K"] >= 0.0 and not r.checked["melting"]


@pytest.mark.component
def test_more_refinements_never_give_a_worse_optimum():
    """Most throughput over all modes of the default plant with 2, 4 and 8 refinements per pass: the checked
    throughput never drops as the budget grows (a larger budget runs the same loop further and the result is the
    best point it checked). Before, a pass ended at the budget and the restarts began wherever it had got to:
    98.5, 109.6 and 107.9 m²/h."""
    targets = Targets(470.0, 50.0, objective="throughput")
    seen = []
    for n in (2, 4, 8):
        r = optimize(targets, Scenario(), verify_twin=False, held_out=False, cache=OPTIMISER_CACHE,
                     max_refinements=n, raise_infeasible=False)
        assert r.status != "infeasible" and r.checked is not None
        seen.append(r.checked["throughput_m2_per_h"])
    assert all(b >= a * (1.0 - 1e-9) for a, b in pairwise(seen)), seen
