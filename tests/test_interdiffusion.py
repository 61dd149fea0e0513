"""The batched implicit interdiffusion solver: analytic solutions, conservation, convergence, batching."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.constants import R
from scipy.special import erf, erfc

from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from process_models.uht.cuzn_diffusivity import CuZnFickDiffusivity
from process_models.uht.interdiffusion import (
    DepthGrid,
    DirichletBC,
    FluxBC,
    depth_where_below_m,
    make_depth_grid,
    place_time_steps,
    solve_interdiffusion,
    uniform_depth_grid,
    zn_inventory_mol_per_m2,
)


def study_model() -> CuZnFickDiffusivity:
    """The fick-mode D̃ of the feasibility study (Kuper β, α/β switch at 0.40), which these tests compare
    with; the product's default slows β by the fitted growth factor (tests/test_gamma_islands.py)."""
    return CuZnFickDiffusivity.from_parameters(default_parameters().with_overrides(
        {"beta_diffusivity_scale_frac": 1.0, "fick_alpha_beta_switch_zn_frac": 0.40}))

C_MOL_PER_M3 = 1.32e5  # α-Cu0.64Zn0.36 molar density used by the feasibility study (§2)
GAMMA_BOX_ZN_MOL_PER_M2 = 0.0223  # study §2: the γ box at the start of stage III
GAMMA_BOX_X = 0.62
FOIL_M = 10e-6
D_CONST = 1e-12
HOLD_S = 0.030


def constant_d(x: np.ndarray, T: np.ndarray) -> np.ndarray:
    return np.full(np.broadcast_shapes(np.shape(x), np.shape(T)), D_CONST)


def constant_kirchhoff(x: np.ndarray, T: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return D_CONST * x, constant_d(x, T)


def box_profile(grid: DepthGrid, x_box: float = GAMMA_BOX_X, zn_mol_per_m2: float = GAMMA_BOX_ZN_MOL_PER_M2):
    """A surface layer at x_box holding zn_mol_per_m2 (the cell cut by its edge filled pro rata)."""
    thickness = zn_mol_per_m2 / (C_MOL_PER_M3 * x_box)
    f = grid.faces
    filled = np.clip(np.minimum(f[1:], thickness) - f[:-1], 0.0, None) / grid.widths
    return x_box * filled, thickness


def isothermal(T: float, t_end: float = HOLD_S):
    return np.array([0.0, t_end]), np.array([T, T])


# ---------------------------------------------------------------------------------------------------------
# grid and step placement
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.unit
def test_default_grid_has_fine_surface_cells_growing_into_the_foil():
    g = make_depth_grid(FOIL_M)
    assert 160 <= g.n_cells <= 180
    assert g.faces[0] == 0.0 and g.faces[-1] == FOIL_M
    assert g.widths[0] == pytest.approx(2e-9)
    assert g.widths[1] / g.widths[0] == pytest.approx(1.03)
    assert g.widths.sum() == pytest.approx(FOIL_M, rel=1e-12)
    np.testing.assert_allclose(g.centres, 0.5 * (g.faces[1:] + g.faces[:-1]))
    capped = make_depth_grid(FOIL_M, max_cell_m=50e-9)
    assert capped.widths.max() <= 50e-9 * (1 + 1e-12)
    u = uniform_depth_grid(1e-6, 100)
    np.testing.assert_allclose(u.widths, 1e-8)
    assert make_depth_grid(1e-6, first_cell_m=1e-8, growth=0.0).n_cells == 100


@pytest.mark.unit
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"depth_m": -1.0}, "depth_m"), ({"depth_m": 1e-6, "first_cell_m": 0.0}, "first_cell_m"),
     ({"depth_m": 1e-6, "growth": -0.1}, "growth"), ({"depth_m": 1e-6, "max_cell_m": 1e-10}, "max_cell_m")],
)
def test_bad_grid_inputs_name_the_field(kwargs, field):
    with pytest.raises(FoiltwinInputError) as err:
        make_depth_grid(**kwargs)
    assert err.value.field == field


@pytest.mark.unit
def test_steps_are_graded_in_the_diffusion_clock():
    model = study_model()
    t = np.array([[0.0, 0.01, 0.02, 0.03], [0.0, 0.01, 0.02, 0.03]])
    T = np.array([[300.0, 1150.0, 1150.0, 300.0], [1100.0, 1100.0, 1100.0, 1100.0]])
    tk = place_time_steps(t, T, 50, model.clock)
    assert tk.shape == (2, 51)
    np.testing.assert_array_equal(tk[:, 0], 0.0)
    np.testing.assert_array_equal(tk[:, -1], 0.03)
    assert np.all(np.diff(tk, axis=1) > 0.0)
    # no step straddles a sample of the history (the kinks of T(t))
    assert np.all(np.isin(t, tk))
    # isothermal: τ ∝ t, so t_k = t_end (k/n)²
    iso = place_time_steps([0.0, 0.03], [1100.0, 1100.0], 50, model.clock)
    np.testing.assert_allclose(iso[0], 0.03 * (np.arange(51) / 50) ** 2, rtol=1e-6, atol=1e-12)
    # pulse: the cold ramp ends get few steps, the hot plateau most of them
    hot = np.sum((tk[0, 1:] > 0.01) & (tk[0, 1:] <= 0.02))
    assert hot >= 30
    # the 10 % time share bounds every step by Δs/0.1 of the history, Δs ≤ 2/n for (k/n)² grading
    assert np.max(np.diff(tk[0])) < 0.03 * (2 / 50) / 0.1


@pytest.mark.component
def test_each_step_runs_at_the_temperature_of_its_mean_clock():
    """Σ clock(T_eff)·Δt equals ∫ clock(T(t)) dt, so ramps are not smeared to their end temperature."""
    model = study_model()
    g = uniform_depth_grid(1e-6, 20)
    t = np.array([[0.0, 0.01, 0.02, 0.03], [0.0, 0.01, 0.02, 0.03]])
    T = np.array([[300.0, 1150.0, 1150.0, 300.0], [1100.0, 1100.0, 1100.0, 1100.0]])
    res = solve_interdiffusion(np.zeros((2, 20)), g, t, T, molar_density_mol_per_m3=C_MOL_PER_M3,
                               diffusivity=model.diffusivity, kirchhoff=model.kirchhoff, n_steps=40,
                               clock=model.clock)
    np.testing.assert_array_equal(res.step_effective_temperature_K[1], 1100.0)
    np.testing.assert_array_equal(res.step_temperature_K[1], 1100.0)
    fine = np.linspace(0.0, 0.03, 300001)
    exact = np.trapezoid(model.clock(np.interp(fine, t[0], T[0])), fine)
    stepped = np.sum(model.clock(res.step_effective_temperature_K[0]) * np.diff(res.step_time_s[0]))
    assert stepped == pytest.approx(exact, rel=1e-4)
    # plain backward Euler (T at the step ends) would miss part of the cooling ramp
    end_T = np.sum(model.clock(res.step_temperature_K[0, 1:]) * np.diff(res.step_time_s[0]))
    assert abs(end_T / exact - 1) > 10 * abs(stepped / exact - 1)


# ---------------------------------------------------------------------------------------------------------
# analytic solutions (constant D)
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.component
@pytest.mark.parametrize("kirchhoff", [None, constant_kirchhoff], ids=["quadrature", "kirchhoff"])
def test_fixed_surface_composition_matches_erfc(kirchhoff):
    g = make_depth_grid(FOIL_M)
    t, T = isothermal(1200.0)
    res = solve_interdiffusion(np.zeros(g.n_cells), g, t, T, molar_density_mol_per_m3=C_MOL_PER_M3,
                               diffusivity=constant_d, kirchhoff=kirchhoff, surface=DirichletBC(0.5),
                               n_steps=100)
    exact = 0.5 * erfc(g.centres / (2.0 * np.sqrt(D_CONST * HOLD_S)))
    err = np.max(np.abs(res.x[0] - exact)) / 0.5
    assert err < 0.01
    # the uptake through the surface is the inventory gain, and close to 2 c x_s sqrt(Dt/pi)
    assert res.surface_zn_in_mol_per_m2[0] == pytest.approx(
        res.zn_inventory_mol_per_m2[0] - res.initial_zn_inventory_mol_per_m2[0], rel=1e-9)
    assert res.surface_zn_in_mol_per_m2[0] == pytest.approx(
        2 * C_MOL_PER_M3 * 0.5 * np.sqrt(D_CONST * HOLD_S / np.pi), rel=0.01)
    assert res.n_clipped[0] == 0


@pytest.mark.component
def test_finite_layer_with_reflecting_surface_matches_the_image_solution_and_conserves_zn():
    g = make_depth_grid(FOIL_M)
    x0, h = box_profile(g)
    t, T = isothermal(1200.0)
    res = solve_interdiffusion(x0, g, t, T, molar_density_mol_per_m3=C_MOL_PER_M3, diffusivity=constant_d,
                               n_steps=100)
    s = 2.0 * np.sqrt(D_CONST * HOLD_S)
    z = g.centres
    exact = 0.5 * GAMMA_BOX_X * (erf((h - z) / s) + erf((h + z) / s))
    assert np.max(np.abs(res.x[0] - exact)) / GAMMA_BOX_X < 0.01
    inv0 = res.initial_zn_inventory_mol_per_m2[0]
    assert inv0 == pytest.approx(GAMMA_BOX_ZN_MOL_PER_M2, rel=1e-12)
    assert abs(res.zn_inventory_mol_per_m2[0] - inv0) / inv0 < 1e-9
    assert res.zn_in_mol_per_m2[0] == 0.0 and res.zn_out_mol_per_m2[0] == 0.0


@pytest.mark.component
def test_a_slow_beta_law_converges_and_conserves_zn():
    """With β slowed by the fitted growth factor D̃ drops by ~4 orders where α meets β; the Newton trust
    region on D̃ keeps the γ-box hold converging (few step splits) and Zn is conserved."""
    g = make_depth_grid(FOIL_M)
    x0, _ = box_profile(g)
    model = CuZnFickDiffusivity.from_parameters(default_parameters())
    t, T = isothermal(1050.0)
    res = solve_interdiffusion(x0, g, t, T, molar_density_mol_per_m3=C_MOL_PER_M3, diffusivity=model.diffusivity,
                               kirchhoff=model.kirchhoff, n_steps=60, clock=model.clock)
    assert res.newton_iterations.step_splits[0] <= 2
    inv0 = res.initial_zn_inventory_mol_per_m2[0]
    assert abs(res.zn_inventory_mol_per_m2[0] - inv0) / inv0 < 1e-9


# ---------------------------------------------------------------------------------------------------------
# conservation with a surface flux
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.component
def test_constant_inward_flux_adds_exactly_j_times_t():
    g = make_depth_grid(FOIL_M)
    j_in = 1.835e-4  # mol/(m² s): the stage-II mean Zn supply (study §4)
    t = np.array([0.0, 120.0])
    T = np.array([750.0, 750.0])
    model = study_model()

    def flux(xs, T, t):
        return np.full_like(xs, j_in), np.zeros_like(xs)

    res = solve_interdiffusion(np.zeros(g.n_cells), g, t, T, molar_density_mol_per_m3=C_MOL_PER_M3,
                               diffusivity=model.diffusivity, kirchhoff=model.kirchhoff, surface=FluxBC(flux),
                               n_steps=100, clock=model.clock)
    gain = res.zn_inventory_mol_per_m2[0] - res.initial_zn_inventory_mol_per_m2[0]
    assert gain == pytest.approx(j_in * 120.0, rel=1e-9)
    assert res.zn_in_mol_per_m2[0] == pytest.approx(j_in * 120.0, rel=1e-12)
    assert res.zn_out_mol_per_m2[0] == 0.0
    assert res.n_clipped[0] == 0
    assert 0.0 < res.x[0, 0] < 1.0


@pytest.mark.component
def test_evaporation_flux_loses_the_integral_of_k_xs_and_conserves_zn():
    g = make_depth_grid(FOIL_M)
    x0, _ = box_profile(g)
    model = study_model()  # no step splits, so the backward-Euler integral below is exact
    k = 0.3  # mol/(m² s) per unit x_s: a linear evaporation law

    def flux(xs, T, t):
        return -k * xs, np.full_like(xs, -k)

    t, T = isothermal(1100.0)
    res = solve_interdiffusion(x0, g, t, T, molar_density_mol_per_m3=C_MOL_PER_M3,
                               diffusivity=model.diffusivity, kirchhoff=model.kirchhoff, surface=FluxBC(flux),
                               n_steps=100, clock=model.clock, record=lambda x, T, t: x[:, 0])
    assert res.recorded.shape == (100, 1)
    dt = np.diff(res.step_time_s[0])
    lost_integral = np.sum(k * res.recorded[:, 0] * dt)  # backward Euler: x_s at the end of each step
    lost = res.zn_out_mol_per_m2[0]
    assert lost > 0.05 * res.initial_zn_inventory_mol_per_m2[0]
    assert lost == pytest.approx(lost_integral, rel=1e-9)
    assert res.surface_zn_in_mol_per_m2[0] == pytest.approx(-lost, rel=1e-12)
    assert res.zn_in_mol_per_m2[0] == 0.0
    total = res.zn_inventory_mol_per_m2[0] + lost
    assert total == pytest.approx(res.initial_zn_inventory_mol_per_m2[0], rel=1e-9)
    assert res.newton_iterations.step_splits[0] == 0


@pytest.mark.component
def test_degenerate_diffusivity_uses_the_pivoting_fallback_and_still_conserves():
    g = make_depth_grid(2e-6)
    x0, _ = box_profile(g)

    def vanishing_d(x, T):  # D̃ = 0 in pure Cu: the symmetric solve is not applicable
        return D_CONST * np.maximum(x, 0.0) / GAMMA_BOX_X

    t, T = isothermal(1100.0)
    res = solve_interdiffusion(x0, g, t, T, molar_density_mol_per_m3=C_MOL_PER_M3, diffusivity=vanishing_d,
                               n_steps=50)
    inv0 = res.initial_zn_inventory_mol_per_m2[0]
    assert abs(res.zn_inventory_mol_per_m2[0] - inv0) / inv0 < 1e-9
    assert np.all(np.isfinite(res.x)) and res.x.min() >= 0.0
    assert res.x[0, 0] < GAMMA_BOX_X  # it did diffuse


# ---------------------------------------------------------------------------------------------------------
# temperature histories and batching
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.component
def test_pulse_equals_isothermal_hold_with_the_same_integral_of_d():
    """For D̃ = f(T)·g(x) the profile depends only on ∫f dt: a triangle pulse equals a matching hold."""
    q = 150e3  # J/mol

    def f(T):
        return np.exp(-q / (R * np.asarray(T)))

    def sep_d(x, T):
        return D_CONST * np.exp(4.0 * x) * f(T) / f(1100.0)

    g = make_depth_grid(4e-6)
    x0, _ = box_profile(g)
    t_pulse = np.array([0.0, 0.010, 0.020])
    T_pulse = np.array([700.0, 1150.0, 700.0])
    fine_t = np.linspace(0.0, 0.020, 200001)
    f_int = np.trapezoid(f(np.interp(fine_t, t_pulse, T_pulse)), fine_t)
    t_hold = f_int / f(1100.0)
    pulse = solve_interdiffusion(x0, g, t_pulse, T_pulse, molar_density_mol_per_m3=C_MOL_PER_M3,
                                 diffusivity=sep_d, n_steps=150, clock=lambda T: f(T))
    hold = solve_interdiffusion(x0, g, [0.0, t_hold], [1100.0, 1100.0], molar_density_mol_per_m3=C_MOL_PER_M3,
                                diffusivity=sep_d, n_steps=150)
    assert np.max(np.abs(pulse.x[0] - hold.x[0])) < 1e-3
    assert depth_where_below_m(pulse.x[0], g, 0.2) == pytest.approx(depth_where_below_m(hold.x[0], g, 0.2),
                                                                    rel=1e-3)


@pytest.mark.component
def test_batch_equals_one_by_one():
    g = make_depth_grid(FOIL_M)
    model = study_model()
    box, _ = box_profile(g)
    x0 = np.stack([box, 0.5 * box, box, np.zeros(g.n_cells)])
    t = np.array([[0.0, 0.01, 0.02, 0.03], [0.0, 0.01, 0.02, 0.03], [0.0, 0.005, 0.025, 0.03],
                  [0.0, 40.0, 80.0, 120.0]])
    T = np.array([[1100.0] * 4, [1000.0, 1150.0, 1150.0, 1000.0], [300.0, 1150.0, 1150.0, 300.0],
                  [750.0] * 4])
    k = np.array([0.0, 0.2, 0.5, 0.0])  # evaporation coefficient per foil, mol/(m² s)
    supply = np.array([0.0, 0.0, 0.0, 1.835e-4])  # inward supply per foil, mol/(m² s)

    def single_flux(i):
        def flux(xs, T, t):
            return supply[i] - k[i] * xs, -k[i] * np.ones_like(xs)
        return flux

    def batch_flux(xs, T, t):  # always called with the whole batch, in foil order
        assert xs.shape == T.shape == t.shape == (4,)
        return supply - k * xs, -k * np.ones_like(xs)

    def rec(x, T, t):
        return np.stack([x[:, 0], T, t], axis=1)

    common = {"molar_density_mol_per_m3": C_MOL_PER_M3, "diffusivity": model.diffusivity,
              "kirchhoff": model.kirchhoff, "n_steps": 80, "clock": model.clock, "record": rec}
    singles = [solve_interdiffusion(x0[i], g, t[i], T[i], surface=FluxBC(single_flux(i)), **common)
               for i in range(4)]
    batch = solve_interdiffusion(x0, g, t, T, surface=FluxBC(batch_flux), **common)
    assert batch.x.shape == (4, g.n_cells)
    # the foils needed different Newton iteration counts, so sub-batches did occur
    assert len(set(batch.newton_iterations.total.tolist())) > 1
    assert batch.recorded.shape == (80, 4, 3)
    for i, single in enumerate(singles):
        np.testing.assert_allclose(batch.x[i], single.x[0], rtol=0, atol=1e-12)
        np.testing.assert_allclose(batch.recorded[:, i], single.recorded[:, 0], rtol=0, atol=1e-12)
        for name in ("zn_in_mol_per_m2", "zn_out_mol_per_m2", "zn_inventory_mol_per_m2"):
            assert getattr(batch, name)[i] == pytest.approx(getattr(single, name)[0], rel=1e-12, abs=1e-300)
        assert batch.newton_iterations.total[i] == single.newton_iterations.total[0]
    assert batch.zn_out_mol_per_m2[2] > batch.zn_out_mol_per_m2[1] > 0.0  # stronger evaporation loses more
    assert batch.zn_in_mol_per_m2[3] == pytest.approx(1.835e-4 * 120.0, rel=1e-12)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("change", "field"),
    [({"x0": np.full(5, 0.1)}, "x0"), ({"x0": None, "bad_x": 1.5}, "x0"),
     ({"time_s": [0.0, 0.0]}, "time_s"), ({"temperature_K": [1100.0, -1.0]}, "temperature_K"),
     ({"molar_density_mol_per_m3": 0.0}, "molar_density_mol_per_m3"), ({"n_steps": 0}, "n_steps"),
     ({"surface": DirichletBC(1.5)}, "surface.x_surface"), ({"surface": "dirichlet"}, "surface")],
)
def test_bad_solver_inputs_name_the_field(change, field):
    g = uniform_depth_grid(1e-6, 20)
    kwargs = {"x0": np.zeros(20), "time_s": [0.0, 0.03], "temperature_K": [1100.0, 1100.0],
              "molar_density_mol_per_m3": C_MOL_PER_M3, "n_steps": 10, "surface": None}
    bad_x = change.pop("bad_x", None)
    kwargs.update(change)
    if bad_x is not None:
        kwargs["x0"] = np.full(20, bad_x)
    x0 = kwargs.pop("x0")
    with pytest.raises(FoiltwinInputError) as err:
        solve_interdiffusion(x0, g, kwargs.pop("time_s"), kwargs.pop("temperature_K"),
                             diffusivity=constant_d, **kwargs)
    assert err.value.field == field


@pytest.mark.unit
def test_inventory_and_depth_helpers():
    g = uniform_depth_grid(1e-6, 10)
    x = np.array([0.5, 0.4, 0.3, 0.2, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0])
    assert zn_inventory_mol_per_m2(x, g, 2.0) == pytest.approx(2.0 * 1.5 * 1e-7)
    # x falls below 0.25 between centres 2 (0.3) and 3 (0.2): halfway, at 300 nm
    assert depth_where_below_m(x, g, 0.25) == pytest.approx(300e-9)
    assert depth_where_below_m(x, g, 0.6) == 0.0
    assert depth_where_below_m(np.full(10, 0.7), g, 0.6) == pytest.approx(1e-6)


# ---------------------------------------------------------------------------------------------------------
# concentration-dependent D̃: the feasibility study's fick-mode results (§3a)
# ---------------------------------------------------------------------------------------------------------

# T: (x_s, d05 nm, d20 nm) from the study's table §3a, "fick" column (30 ms isothermal hold of the γ box)
STUDY_FICK = {1000.0: (0.386, 495.0, 471.0), 1100.0: (0.314, 632.0, 547.0), 1150.0: (0.275, 734.0, 567.0)}


def run_gamma_box(T, first_cell_m=2e-9, growth=0.03, n_steps=100):
    g = make_depth_grid(FOIL_M, first_cell_m=first_cell_m, growth=growth)
    x0, _ = box_profile(g)
    model = study_model()
    t, Th = isothermal(T)
    res = solve_interdiffusion(x0, g, t, Th, molar_density_mol_per_m3=C_MOL_PER_M3,
                               diffusivity=model.diffusivity, kirchhoff=model.kirchhoff, n_steps=n_steps,
                               clock=model.clock)
    return g, res


@pytest.mark.component
@pytest.mark.parametrize("T", sorted(STUDY_FICK))
def test_gamma_box_hold_matches_the_study_fick_mode(T):
    g, res = run_gamma_box(T)
    xs_ref, d05_ref, d20_ref = STUDY_FICK[T]
    x = res.x[0]
    assert x[0] == pytest.approx(xs_ref, abs=0.01)
    assert depth_where_below_m(x, g, 0.05) * 1e9 == pytest.approx(d05_ref, rel=0.03)
    assert depth_where_below_m(x, g, 0.20) * 1e9 == pytest.approx(d20_ref, rel=0.03)
    inv0 = res.initial_zn_inventory_mol_per_m2[0]
    assert abs(res.zn_inventory_mol_per_m2[0] - inv0) / inv0 < 1e-9
    assert res.n_clipped[0] == 0
    assert res.newton_iterations.step_splits[0] == 0


@pytest.mark.component
def test_grid_and_step_refinement_converges():
    """Halving the first cell and the growth and doubling the steps moves d20 by < 2 nm (0.4 %), and the
    change shrinks with each refinement."""
    d20 = []
    for level in range(3):
        g, res = run_gamma_box(1100.0, first_cell_m=2e-9 / 2**level, growth=0.03 / 2**level,
                               n_steps=100 * 2**level)
        d20.append(float(depth_where_below_m(res.x[0], g, 0.20)))
    assert abs(d20[1] - d20[0]) < 2e-9
    assert abs(d20[2] - d20[1]) < abs(d20[1] - d20[0])
    assert abs(d20[2] - d20[1]) < 1e-9


@pytest.mark.unit
def test_scalar_and_vectorised_step_snapping_agree():
    """The few-foil path of the step snapping applies exactly the rule of the batched path."""
    import process_models.uht.interdiffusion as idf

    rng = np.random.default_rng(3)
    for trial in range(300):
        n, m = int(rng.integers(3, 30)), int(rng.integers(5, 40))
        tk = np.sort(rng.uniform(0, 1, (6, n)), axis=1)
        tk[:, 0], tk[:, -1] = 0.0, 1.0
        samples = np.sort(rng.uniform(0, 1, (6, m)), axis=1)
        samples[:, 0], samples[:, -1] = 0.0, 1.0
        if trial % 3 == 0:  # samples that fall exactly on a step end
            samples[:, 3] = tk[:, min(2, n - 2)]
            samples = np.sort(samples, axis=1)
        batched, rowwise = tk.copy(), tk.copy()
        idf._snap_to_history(batched, samples)  # 6 rows: the array path
        for r in range(6):
            idf._snap_row(rowwise[r], samples[r])
        np.testing.assert_array_equal(batched, rowwise)
