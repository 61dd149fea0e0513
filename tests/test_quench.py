"""Phases decided through the quench (process_models.uht.quench): freeze criterion, massive β → α, paths."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.optimize import brentq

from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from process_models.uht.cuzn_diffusivity import CuZnFickDiffusivity
from process_models.uht.phase_diagram import PHASES
from process_models.uht.quench import PATHS, merge_results, quench_phases
from process_models.uht.recipe import UHTRecipe, evaluate_recipes
from process_models.uht.thermal import setpoint_history

PARAMS = default_parameters()
ALPHA, BETA, GAMMA = (PHASES.index(p) for p in ("alpha", "beta", "gamma"))


def _uniform(values, n: int = 8) -> np.ndarray:
    return np.array([np.full(n, v) for v in values])


def _instant(T_peak: float, B: int, hold_s: float = 1e-3) -> tuple[np.ndarray, np.ndarray]:
    """A hold at T_peak, then 300 K within 0.1 µs (an instant quench)."""
    t = np.array([0.0, hold_s, hold_s + 1e-7, hold_s + 2e-7])
    T = np.array([T_peak, T_peak, 300.0, 299.0])
    return np.tile(t, (B, 1)), np.tile(T, (B, 1))


def _exponential(T_peak: float, tau_s: float, B: int, n: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """T = 300 + (T_peak - 300)·exp(-t/τ) sampled to 12 τ (D̃ is negligible by then)."""
    t = np.concatenate([[0.0], tau_s * np.geomspace(1e-4, 12.0, n)])
    return np.tile(t, (B, 1)), np.tile(300.0 + (T_peak - 300.0) * np.exp(-t / tau_s), (B, 1))


def _linear(T_peak: float, rate_K_per_s: float, B: int) -> tuple[np.ndarray, np.ndarray]:
    t = np.linspace(0.0, (T_peak - 300.0) / rate_K_per_s, 600)
    return np.tile(t, (B, 1)), np.tile(T_peak - rate_K_per_s * t, (B, 1))


def _path(q, b: int = 0, i: int = 0) -> str:
    return PATHS[q.path[b, i]]


# --------------------------------------------------------------------------------- each path must win
@pytest.mark.unit
def test_lean_alpha_is_alpha_by_equilibrium():
    x = _uniform([0.30])
    h = setpoint_history(start_temperature_K=300.0, setpoint_K=1000.0, heating_rate_K_per_s=1e5,
                         heater_on_s=0.03, thickness_m=10e-6, params=PARAMS, cooling="contact")
    q = quench_phases(x, h.time_s, h.temperature_K, PARAMS)
    assert set(q.path.ravel()) == {PATHS.index("alpha_equilibrium")}
    assert np.all(q.fractions[..., ALPHA] == 1.0) and np.all(q.frozen)


@pytest.mark.unit
def test_lean_beta_quenched_from_its_field_turns_massive():
    """x = 0.40 is single-phase β at 1050 K; quenched instantly it keeps that composition, whose largest
    driving force to α (128 J/mol at 655 K) exceeds the threshold: massive α."""
    q = quench_phases(_uniform([0.40]), *_instant(1050.0, 1), PARAMS)
    assert _path(q) == "alpha_massive"
    assert q.fractions_at_freeze[0, 0, BETA] == 1.0
    assert q.fractions[0, 0, ALPHA] == 1.0 and q.massive_frac[0, 0] == 1.0
    assert q.beta_t0_K[0, 0] == pytest.approx(837.1, abs=1.0)
    assert np.all(q.freeze_temperature_K == 1050.0)


@pytest.mark.unit
def test_zinc_rich_beta_is_retained_as_beta_prime():
    q = quench_phases(_uniform([0.45]), *_instant(1000.0, 1), PARAMS)
    assert _path(q) == "beta_retained"
    assert q.fractions[0, 0, BETA] == 1.0 and np.isnan(q.beta_t0_K[0, 0])


@pytest.mark.unit
def test_slow_cooling_partitions_alpha_and_beta_by_diffusion():
    """At 100 K/s x = 0.42 keeps partitioning well below the peak; the β it leaves is too Zn-rich to go massive
    (beyond the T0 nose at x ≈ 0.4225); slower cooling partitions further down and enriches the β more."""
    q = quench_phases(_uniform([0.42]), *_linear(1000.0, 100.0, 1), PARAMS)
    assert _path(q) == "alpha_beta_diffusional"
    assert 0.0 < q.fractions[0, 0, ALPHA] < 1.0 and q.fractions[0, 0, BETA] > 0.0
    assert q.freeze_temperature_K[0, 0] < 850.0 and q.beta_zn_frac[0, 0] > 0.4225
    slow = quench_phases(_uniform([0.42]), *_linear(1000.0, 10.0, 1), PARAMS)
    assert slow.freeze_temperature_K[0, 0] < q.freeze_temperature_K[0, 0]
    assert slow.beta_zn_frac[0, 0] > q.beta_zn_frac[0, 0]


@pytest.mark.unit
def test_gamma_left_by_an_incomplete_conversion_stays_gamma():
    q = quench_phases(_uniform([0.62]), *_exponential(900.0, 1e-3, 1), PARAMS)
    assert _path(q) == "intermetallic"
    assert q.fractions[0, 0, GAMMA] == 1.0


@pytest.mark.unit
def test_recipe_paths_follow_the_cooling():
    """Standard recipe on the chill roll: the Zn-rich top freezes near the peak and turns massive; cooled
    freely, it partitions down to ≈860 K where the α solvus has caught up: α by equilibrium."""
    contact, free = evaluate_recipes([UHTRecipe(), UHTRecipe(cooling="free")], PARAMS)
    assert contact.skin_phase == "alpha" and contact.quench_path_shares["alpha_massive"] > 0.5
    assert free.skin_phase == "alpha" and set(free.quench_path_shares) == {"alpha_equilibrium"}
    assert max(free.skin_freeze_temperature_K) < max(contact.skin_freeze_temperature_K)
    assert sum(contact.quench_path_shares.values()) == pytest.approx(1.0)
    assert sum(contact.phase_fractions_as_quenched.values()) == pytest.approx(1.0)
    assert "massive" in contact.quench_path and contact.layers[0]["path"] == "alpha_massive"


# ----------------------------------------------------------------------------------- freeze criterion
@pytest.mark.unit
def test_an_isothermal_hold_never_freezes():
    x = _uniform([0.2, 0.385, 0.45])
    t = np.tile(np.linspace(0.0, 10.0, 50), (3, 1))
    q = quench_phases(x, t, np.full_like(t, 1000.0), PARAMS)
    assert not q.frozen.any()
    assert set(q.path.ravel()) == {PATHS.index("not_frozen")}
    assert np.all(q.freeze_temperature_K == 1000.0)  # phases: the equilibrium at the hold temperature
    assert q.fractions_at_freeze[1, 0, BETA] > 0.0  # x = 0.385 is α+β at 1000 K


@pytest.mark.unit
def test_an_instant_quench_freezes_every_depth_at_the_peak():
    x = np.linspace(0.0, 0.62, 40)[None, :]
    q = quench_phases(x, *_instant(1100.0, 1), PARAMS)
    assert q.frozen.all()
    np.testing.assert_allclose(q.freeze_temperature_K, 1100.0)


@pytest.mark.unit
@pytest.mark.parametrize("x", [0.25, 0.38, 0.41])
def test_freeze_temperature_matches_an_independent_quadrature(x):
    """√(∫_t^∞ D̃ dt) = ℓ solved with scipy's adaptive quadrature of the model's own D̃ on an exponential
    cooling curve, against the module's table/trapezoid evaluation on a sampled history."""
    tau, T_peak, ell = 2e-2, 1050.0, 10e-9
    params = PARAMS.with_overrides({"quench_freeze_diffusion_length_m": ell})
    ell2 = ell * ell
    model = CuZnFickDiffusivity.from_parameters(PARAMS)

    def T_of(t):
        return 300.0 + (T_peak - 300.0) * np.exp(-t / tau)

    def remaining(t):
        return quad(lambda s: float(model.diffusivity(x, T_of(s))), t, 40.0 * tau, limit=400, epsabs=0.0,
                    epsrel=1e-10)[0]

    t_f = brentq(lambda t: remaining(t) - ell2, 0.0, 30.0 * tau, xtol=1e-12)
    q = quench_phases(np.array([[x]]), *_exponential(T_peak, tau, 1, n=600), params)
    assert q.frozen[0, 0] and T_of(t_f) < T_peak - 20.0
    assert q.freeze_temperature_K[0, 0] == pytest.approx(T_of(t_f), abs=1.0)


@pytest.mark.unit
def test_a_longer_freeze_length_freezes_earlier():
    x = np.linspace(0.05, 0.6, 30)[None, :]
    hist = _exponential(1050.0, 1e-3, 1)
    T = [quench_phases(x, *hist, PARAMS.with_overrides({"quench_freeze_diffusion_length_m": ell}))
         .freeze_temperature_K[0] for ell in (2e-9, 10e-9, 50e-9, 200e-9)]
    for lo, hi in itertools.pairwise(T):
        assert np.all(hi >= lo - 1e-9)
    assert np.any(T[-1] > T[0] + 50.0)


@pytest.mark.unit
def test_the_freeze_length_decides_the_standard_skin():
    """The documented sensitivity: a short ℓ lets the Zn-rich top partition to ≈900 K, where its β is too
    Zn-rich (0.414) to go massive, a 50 nm ℓ freezes it at the peak where its β (0.397) goes massive."""
    short = PARAMS.with_overrides({"quench_freeze_diffusion_length_m": 10e-9})
    r_short, r_default = evaluate_recipes([UHTRecipe()], short)[0], evaluate_recipes([UHTRecipe()], PARAMS)[0]
    assert r_short.skin_phase == "alpha+beta" and "alpha_beta_diffusional" in r_short.quench_path_shares
    assert r_default.skin_phase == "alpha"
    assert r_short.skin_thickness_nm == pytest.approx(r_default.skin_thickness_nm, rel=1e-12)  # profile unchanged


# ------------------------------------------------------------------------------ massive criterion
@pytest.mark.unit
def test_slower_cooling_never_increases_the_massive_fraction():
    z = np.linspace(0.0, 1e-6, 101)
    x = np.clip(0.42 * (1.0 - z / 6e-7), 0.0, None)[None, :]  # a skin profile with β at its top
    shares = []
    for tau in (1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0):
        q = quench_phases(x, *_exponential(1050.0, tau, 1), PARAMS)
        shares.append(float(q.massive_frac.sum()))
    assert shares[0] > 0.0
    assert all(b <= a + 1e-12 for a, b in itertools.pairwise(shares)), shares
    assert shares[-1] == 0.0


@pytest.mark.unit
def test_a_higher_driving_force_threshold_never_adds_massive_alpha():
    x = np.linspace(0.3, 0.45, 31)[None, :]
    hist = _instant(1040.0, 1)
    massive = [quench_phases(x, *hist, PARAMS.with_overrides({"massive_min_driving_force_J_per_mol": g}))
               .massive_frac.sum() for g in (0.0, 54.0, 100.0, 250.0, 400.0)]
    assert all(b <= a + 1e-12 for a, b in itertools.pairwise(massive))
    assert massive[0] > massive[-1] == 0.0


@pytest.mark.unit
def test_massive_needs_the_foil_to_reach_the_driving_force():
    """The β′ driving force of x = 0.40 peaks at 655 K (128 J/mol). A foil whose history ends held at 800 K
    never freezes (it stays at the equilibrium there) and reports 800 K as the lowest temperature it reaches;
    a massive front taken to stop above 760 K (64 J/mol there) leaves the β as β′."""
    t = np.array([[0.0, 1e-3, 1e-3 + 1e-7, 1.0]])
    held = quench_phases(np.array([[0.40]]), t, np.array([[1050.0, 1050.0, 800.0, 800.0]]), PARAMS)
    assert held.lowest_temperature_K[0] == 800.0
    # (a hold at 800 K does not freeze a β-law depth: it stays at the equilibrium there)
    assert _path(held) == "not_frozen"
    cold = PARAMS.with_overrides({"massive_min_temperature_K": 760.0})
    q = quench_phases(np.array([[0.40]]), *_instant(1050.0, 1), cold)
    assert _path(q) == "beta_retained"


# ------------------------------------------------------------------------------------- conservation
@pytest.mark.unit
def test_fractions_sum_to_one_and_every_depth_keeps_its_zinc():
    x = np.linspace(0.0, 0.7, 57)[None, :].repeat(3, axis=0)
    hists = [_instant(1050.0, 1), _exponential(1000.0, 1e-3, 1), _linear(1000.0, 100.0, 1)]
    t = np.concatenate([np.pad(h[0], ((0, 0), (0, 600 - h[0].shape[1])), mode="linear_ramp",
                               end_values=h[0][0, -1] + 1.0) for h in hists])
    T = np.concatenate([np.pad(h[1], ((0, 0), (0, 600 - h[1].shape[1])), mode="edge") for h in hists])
    T[:, -1] -= 1e-3  # still cooling at the end
    q = quench_phases(x, t, T, PARAMS)
    for frac in (q.fractions, q.fractions_at_freeze):
        np.testing.assert_allclose(frac.sum(axis=-1), 1.0, atol=1e-12)
        assert np.all(frac >= 0.0)
    np.testing.assert_allclose(np.nansum(q.fractions * q.compositions, axis=-1), x, atol=1e-12)
    assert q.massive_frac.sum() > 0.0  # the balance holds where α formed massively too


@pytest.mark.unit
def test_the_recipe_zinc_inventory_is_the_profiles():
    r = evaluate_recipes([UHTRecipe()], PARAMS)[0]
    d = r.to_dict(profile=True)
    for key in ("quench_path", "quench_path_shares", "phase_fractions_as_quenched", "phase_fractions_at_freeze",
                "skin_freeze_temperature_K"):
        assert key in d
    assert all({"phase", "thickness_nm", "path", "path_text", "freeze_temperature_K"} <= set(la) for la in d["layers"])
    assert sum(la["thickness_nm"] for la in d["layers"]) == pytest.approx(sum(d["phase_thickness_nm"].values()))


# ------------------------------------------------------------------------------------------- plumbing
@pytest.mark.unit
def test_stage2_only_is_decided_through_the_stage2_cooling_and_bare_plating_falls_back():
    s2, bare = evaluate_recipes([UHTRecipe(stage3_time_s=0.0),
                                 UHTRecipe(zn_route="plated", stage2_time_s=0.0, stage3_time_s=0.0,
                                           plated_zn_loading_kg_per_m2=1.46e-3)], PARAMS)
    assert s2.skin_phase.split("+")[0] == "gamma" and "intermetallic" in s2.quench_path_shares
    assert set(bare.quench_path_shares) == {"no_history"}
    assert "read at 700 K" in bare.quench_path


@pytest.mark.unit
def test_bad_histories_are_refused_by_name():
    x = _uniform([0.3])
    with pytest.raises(FoiltwinInputError) as err:
        quench_phases(x, np.array([[0.0, 1.0, 1.0]]), np.array([[900.0, 800.0, 700.0]]), PARAMS)
    assert err.value.field == "time_s"
    with pytest.raises(FoiltwinInputError) as err:
        quench_phases(x, np.array([[0.0, 1.0]]), np.array([[900.0, 800.0, 700.0]]), PARAMS)
    assert err.value.field == "temperature_K"


@pytest.mark.unit
def test_merge_results_puts_each_subset_in_its_rows():
    a = quench_phases(_uniform([0.3]), *_instant(1000.0, 1), PARAMS)
    b = quench_phases(_uniform([0.45]), *_instant(1000.0, 1), PARAMS)
    m = merge_results(2, [(np.array([1]), a), (np.array([0]), b)])
    assert _path(m, 0) == "beta_retained" and _path(m, 1) == "alpha_equilibrium"


@pytest.mark.unit
def test_any_sampled_history_works_and_its_sampling_does_not_matter():
    """A moving-web-like history (preheat plateau, a Gaussian zone pulse, a second small bump, a slow tail):
    no ramp-hold structure is assumed, and doubling the sampling moves no freeze point by more than 1 K."""
    def history(n):
        t = np.linspace(0.0, 0.2, n)
        T = (300.0 + 350.0 * (t > 0.005) + 380.0 * np.exp(-(((t - 0.04) / 0.006) ** 2))
             + 60.0 * np.exp(-(((t - 0.08) / 0.004) ** 2)) - 300.0 * np.clip((t - 0.1) / 0.1, 0.0, 1.0))
        return t[None, :], T[None, :]

    x = np.linspace(0.0, 0.45, 46)[None, :]
    params = PARAMS.with_overrides({"quench_freeze_diffusion_length_m": 10e-9})
    coarse = quench_phases(x, *history(2001), params)
    fine = quench_phases(x, *history(4001), params)
    assert coarse.frozen.all()
    assert np.all(coarse.freeze_temperature_K <= 1030.0 + 1e-6)
    np.testing.assert_allclose(coarse.freeze_temperature_K, fine.freeze_temperature_K, atol=1.0)
    assert np.array_equal(coarse.path, fine.path)


@pytest.mark.unit
def test_a_history_that_ends_held_at_room_temperature_is_frozen():
    t = np.array([[0.0, 1e-3, 1e-3 + 1e-7, 1.0]])
    T = np.array([[1000.0, 1000.0, 300.0, 300.0]])
    q = quench_phases(_uniform([0.3, 0.45]), np.repeat(t, 2, axis=0), np.repeat(T, 2, axis=0), PARAMS)
    assert q.frozen.all() and not (q.path == PATHS.index("not_frozen")).any()


@pytest.mark.unit
def test_diffusivity_table_grown_on_demand_is_the_full_table() -> None:
    """The freeze integral's D̃ table is built only as far in x as the profiles reach (issue 15: a parameter draw
    builds a new one each time); grown in any steps, each element is the model's D̃ at that grid point, bit for
    bit the table built whole."""
    from process_models.uht.quench import _DiffusivityTable

    model = CuZnFickDiffusivity.from_parameters(default_parameters())
    whole = None
    for steps in ([201], [3, 40, 41, 90, 201], [75], [1, 17, 130, 200, 201]):
        table = _DiffusivityTable(model)
        for G in steps:
            rows = table.rows(G)
            assert rows.shape == (G, len(table.T_K))
        if whole is None:
            whole = model.diffusivity(table.x[:, None], table.T_K[None, :])
        assert np.array_equal(rows, whole[: steps[-1]])
    assert _DiffusivityTable(model).rows(75).shape[0] == 75
    assert _DiffusivityTable(model)._D.shape[0] == 0  # nothing built before a call asks


@pytest.mark.unit
def test_diffusivity_table_fills_only_the_temperatures_a_history_reads() -> None:
    """Issue 15: a cold quench filled all 1201 grid temperatures (≈ 5 ms) to read two per history sample. The table
    now fills the temperatures asked for; in any order of requests each element is bit for bit the whole table's,
    and a quench of a 41-sample history fills at most two grid temperatures per sample."""
    from process_models.uht.quench import _diffusivity_table, _DiffusivityTable

    model = CuZnFickDiffusivity.from_parameters(PARAMS)
    table = _DiffusivityTable(model)
    whole = model.diffusivity(table.x[:, None], table.T_K[None, :])
    rng = np.random.default_rng(15)
    for G, cols in [(10, [5, 6, 700]), (40, rng.integers(0, 1201, 30)), (41, [5]), (130, rng.integers(0, 1201, 200)),
                    (201, [0, 1200])]:
        D, column = table.block(G, np.asarray(cols))
        assert D.shape[0] == G and (column[cols] >= 0).all()
        assert D[:, column[cols]].tobytes() == whole[:G, cols].tobytes()
    assert table.rows(201).tobytes() == whole.tobytes()
    fresh = _DiffusivityTable(model)  # a pair handed out stays consistent while the table grows (other callers)
    D1, column1 = fresh.block(10, np.array([5]))
    kept = (D1.copy(), column1.copy())
    fresh.block(40, np.array([7, 9]))
    assert np.array_equal(column1, kept[1]) and D1.tobytes() == kept[0].tobytes() and column1[7] == -1
    t = np.linspace(0.0, 2.0, 41)[None, :]
    T = np.concatenate([np.linspace(600.0, 990.0, 11), np.linspace(985.0, 400.0, 30)])[None, :]
    _diffusivity_table.cache_clear()
    quench_phases(_uniform([0.3, 0.45]), np.repeat(t, 2, axis=0), np.repeat(T, 2, axis=0), PARAMS)
    filled = int((_diffusivity_table(model)._column >= 0).sum())
    assert 0 < filled <= 2 * T.shape[1]
