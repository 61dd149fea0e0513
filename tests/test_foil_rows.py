"""Per-foil pieces that the compiled marches and the grouped solves rely on: a foil's stage-II thermal history,
supply and α-uptake factors, and its stage-III evaporation factors, are its own (taken from a batch, they equal the
foil's alone, bit for bit)."""

from __future__ import annotations

import numpy as np
import pytest

from process_models.parameters import default_parameters
from process_models.uht.alloying import ZnSupply
from process_models.uht.gamma_islands import IslandGrowth
from process_models.uht.interdiffusion import make_depth_grid
from process_models.uht.recipe import UHTRecipe, _stage2_history
from process_models.uht.zn_evaporation import SurfaceEvaporation

pytestmark = pytest.mark.unit

P = default_parameters()
RNG = np.random.default_rng(5)
RECIPES = [UHTRecipe(stage2_temperature_K=float(T), stage2_time_s=float(t))
           for T, t in zip(RNG.uniform(700, 800, 6), RNG.uniform(3, 240, 6), strict=True)]


def test_rows_of_a_batch_history_are_the_foils_own_histories():
    batch = _stage2_history(RECIPES, P)
    pick = [4, 1]
    got = batch.rows(pick)
    want = _stage2_history([RECIPES[i] for i in pick], P)
    for name, value in vars(want).items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(getattr(got, name), value, err_msg=name)
        else:
            assert getattr(got, name) == value, name
    assert got.batch_size == 2


def _supply() -> ZnSupply:
    return ZnSupply(route_plated=np.array([False, True, False]), source_temperature_K=np.array([np.nan, np.nan, 760.0]),
                    plated_mol_per_m2=np.array([0.0, 0.05, 0.0]), heater_on_s=np.array([60.0, 90.0, 120.0]))


def test_a_supply_row_gives_that_foils_flux():
    supply = _supply()
    T, t = np.array([740.0, 735.0, 750.0]), np.array([30.0, 95.0, 60.0])
    whole = supply.flux(T, t, P)
    for b in range(3):
        np.testing.assert_array_equal(supply.rows(np.array([b])).flux(T[b:b + 1], t[b:b + 1], P), whole[b:b + 1])
    assert whole[1] == 0.0  # plated foil past its heater-off time: no supply


def test_uptake_factors_of_some_foils_are_the_batch_factors_of_those_foils():
    grid = make_depth_grid(10e-6, first_cell_m=P["diffusion_first_cell_m"], growth=P["diffusion_cell_growth_frac"])
    x0 = np.zeros((3, grid.n_cells))

    def islands() -> IslandGrowth:
        return IslandGrowth(_supply(), P, np.zeros(3), x0, grid.widths_m, max_cohorts=10)

    T, t = np.array([740.0, 735.0, 750.0]), np.array([30.0, 45.0, 60.0])
    whole = islands()
    k, x_cap, _ = whole.alpha_uptake_factors(T, t)
    part = islands()
    foils = np.array([2, 0])
    k2, x_cap2 = part.uptake_factors_of(foils, T[foils], t[foils])
    np.testing.assert_array_equal(k2, k[foils])
    np.testing.assert_array_equal(x_cap2, x_cap[foils])
    np.testing.assert_array_equal(part.step_supply[foils], whole.step_supply[foils])
    assert part.step_supply[1] == 0.0  # the foil not asked for keeps its booked supply


def test_evaporation_factors_of_some_foils_are_the_batch_factors_of_those_foils():
    flux = SurfaceEvaporation(P, np.array([0.0, 0.4, 1.3]))
    T, t = np.array([1050.0, 1100.0, 980.0]), np.array([0.02, 0.45, 1.31])
    whole = flux.factors(T, t)
    foils = np.array([1, 2])
    part = flux.factors_of(foils, T[foils], t[foils])
    for got, want in zip(part, whole, strict=True):
        np.testing.assert_array_equal(got, want[foils])
