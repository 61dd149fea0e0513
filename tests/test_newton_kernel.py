"""The compiled Newton step (process_models/uht/newton_kernel.py, numba) against the numpy path it stands for.

The kernel runs the numpy iteration operation for operation, so recipes agree to round-off; these tests fail if it
drifts (another formula, order or convergence rule), if the hand-back of non-SPD steps or the step splits break, or
if the switch and the fingerprint stop telling the two paths apart.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("numba")

from process_models.parameters import default_parameters
from process_models.uht import alloying, gamma_islands, interdiffusion, newton_kernel
from process_models.uht.newton_kernel_jit import solve_spd
from process_models.uht.recipe import Stage2Cache, UHTRecipe, evaluate_recipes

pytestmark = pytest.mark.component

RECIPES = [  # both routes, cold and hot pulses (melting ones too), short and long stage II
    UHTRecipe(),
    UHTRecipe(stage2_temperature_K=705.0, stage2_time_s=35.0, stage3_peak_K=955.0, stage3_time_s=0.012),
    UHTRecipe(stage2_temperature_K=790.0, stage2_time_s=230.0, stage3_peak_K=1140.0, stage3_time_s=0.048),
    UHTRecipe(stage2_temperature_K=760.0, stage2_time_s=120.0, stage3_peak_K=1110.0, stage3_time_s=0.03),
    UHTRecipe(zn_route="plated", plated_zn_loading_kg_per_m2=4e-3, stage2_temperature_K=740.0,
              stage2_time_s=90.0, stage3_peak_K=1050.0, stage3_time_s=0.02),
]


def _numbers(results: list) -> np.ndarray:
    keys = sorted(k for k, v in results[0].to_dict().items() if isinstance(v, float | int) and not isinstance(v, bool))
    return np.array([[float(r.to_dict()[k]) for k in keys] for r in results])


def _run(monkeypatch: pytest.MonkeyPatch, compiled: bool, recipes: list[UHTRecipe] = RECIPES
         ) -> tuple[np.ndarray, list]:
    """Every recipe's numeric outputs, and the diffusion results of the solver calls (stage II and III)."""
    monkeypatch.setenv(newton_kernel.ENV_SWITCH, "1" if compiled else "0")
    solved = []
    real = alloying._solve

    def spy(*args, **kwargs):
        res = real(*args, **kwargs)
        solved.append(res)
        return res

    monkeypatch.setattr(alloying, "_solve", spy)
    out = evaluate_recipes(recipes, default_parameters(), Stage2Cache())
    monkeypatch.setattr(alloying, "_solve", real)
    return _numbers(out), solved


def _close(a: np.ndarray, b: np.ndarray, rtol: float) -> None:
    both_nan = np.isnan(a) & np.isnan(b)
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
    np.testing.assert_allclose(np.where(both_nan, 0.0, a), np.where(both_nan, 0.0, b), rtol=rtol, atol=1e-300)


def test_the_ldlt_solve_is_lapacks_dptsv_bit_for_bit():
    from scipy.linalg.lapack import dptsv

    rng = np.random.default_rng(3)
    n = 170
    off = -rng.uniform(0.5, 2.0, n - 1)
    diag = np.abs(np.r_[off, 0.0]) + np.abs(np.r_[0.0, off]) + rng.uniform(1e-3, 1.0, n)  # diagonally dominant
    b = rng.normal(size=n)
    _, _, want, info = dptsv(diag.copy(), off.copy(), b.copy())
    assert info == 0
    for fn in (solve_spd, solve_spd.py_func):
        got = b.copy()
        assert fn(diag.copy(), off.copy(), got)
        np.testing.assert_array_equal(got, want)
    indefinite = diag.copy()
    indefinite[n // 2] = -1.0
    assert not solve_spd(indefinite, off.copy(), b.copy())


def test_recipes_agree_with_the_numpy_path_to_round_off(monkeypatch):
    ref, solved_np = _run(monkeypatch, compiled=False)
    got, solved_nb = _run(monkeypatch, compiled=True)
    _close(got, ref, rtol=1e-10)
    # the same Newton iterations, step for step (a changed convergence rule would show here first)
    assert len(solved_np) == len(solved_nb) == 2
    for a, b in zip(solved_np, solved_nb, strict=True):
        np.testing.assert_array_equal(a.newton_iterations.total, b.newton_iterations.total)
        np.testing.assert_array_equal(a.newton_iterations.step_splits, b.newton_iterations.step_splits)
        np.testing.assert_allclose(a.x, b.x, rtol=0, atol=1e-12)
        np.testing.assert_allclose(a.zn_in_mol_per_m2, b.zn_in_mol_per_m2, rtol=1e-10, atol=1e-18)


def test_a_batch_agrees_with_its_recipes_one_at_a_time(monkeypatch):
    """Each foil's step is its own (no coupling through the batch), on the compiled path as on the numpy one."""
    batch, _ = _run(monkeypatch, compiled=True)
    alone = np.vstack([_run(monkeypatch, compiled=True, recipes=[r])[0] for r in RECIPES])
    _close(batch, alone, rtol=1e-12)


def test_steps_handed_back_are_solved_by_the_numpy_path(monkeypatch):
    """A foil the kernel hands back (status 2: its symmetrised system not positive definite) takes the numpy step
    from the start, with its rate constant as it came in: forcing every step back gives the numpy results (the web
    heater kept on numpy in both runs, so that nothing else differs)."""
    from process_models.uht import web_heater

    monkeypatch.setattr(web_heater, "compiled_kernels_enabled", lambda: False)
    ref, _ = _run(monkeypatch, compiled=False)
    real = newton_kernel.CuZnKirchhoffStep.__call__
    handed = []

    def back(self, x_old, x_guess, a, g, gsum, rate, *rest):
        rate_in = rate.copy()
        out = real(self, x_old, x_guess, a, g, gsum, rate, *rest)
        rate[:] = rate_in + 7.0  # garbage the caller must discard
        out[3][:] = 2
        handed.append(out[3].size)
        return out

    def every_step_back(self, x, x_prev, smooth, last_change, rate, tk, k_next, *rest):
        return np.where(k_next < tk.shape[1] - 1, k_next, -1)  # the march kernel leaves every step to Python

    monkeypatch.setattr(newton_kernel.CuZnKirchhoffStep, "__call__", back)
    monkeypatch.setattr(newton_kernel.CuZnKirchhoffStep, "march", every_step_back)
    monkeypatch.setattr(gamma_islands, "compiled_kernels_enabled", lambda: False)  # the islands' numpy bookkeeping
    got, _ = _run(monkeypatch, compiled=True)
    assert sum(handed) > 100
    np.testing.assert_array_equal(got, ref)


def test_the_march_kernel_takes_the_steps_the_step_kernel_takes(monkeypatch):
    """Whole foils in the march kernel give the numbers of the compiled step taken step by step from Python (the
    same predictor, step and accounts), bit for bit, with the same iterations."""
    _marched_equals_stepped(monkeypatch, RECIPES)


def _marched_equals_stepped(monkeypatch: pytest.MonkeyPatch, recipes: list[UHTRecipe]) -> list:
    """Recipes with both march kernels (stage III's, and stage II's that books the islands itself) against the
    compiled step taken step by step from Python: the same numbers and Newton statistics, bit for bit; returns the
    marched run's diffusion results."""
    marched, solved_m = _run(monkeypatch, compiled=True, recipes=recipes)
    for cls in (newton_kernel.CuZnKirchhoffStep, newton_kernel.IslandUptakeStep):
        monkeypatch.setattr(cls, "can_march", lambda self, T, t: False)
    stepped, solved_s = _run(monkeypatch, compiled=True, recipes=recipes)
    np.testing.assert_array_equal(marched, stepped)
    for a, b in zip(solved_m, solved_s, strict=True):
        np.testing.assert_array_equal(a.x, b.x)
        np.testing.assert_array_equal(a.newton_iterations.total, b.newton_iterations.total)
        np.testing.assert_array_equal(a.newton_iterations.max_per_step, b.newton_iterations.max_per_step)
        np.testing.assert_array_equal(a.newton_iterations.step_splits, b.newton_iterations.step_splits)
        np.testing.assert_array_equal(a.zn_in_mol_per_m2, b.zn_in_mol_per_m2)
        np.testing.assert_array_equal(a.recorded, b.recorded)
    return solved_m


def test_stage_two_marches_in_the_kernel_and_books_the_islands_as_step_done_does(monkeypatch):
    """Stage II's solves go through the island march (one kernel call per solve, none of the per-step hook), and
    its islands (coverage, γ, β, ε accounts) come out bit for bit as when ``step_done`` books every step."""
    from process_models.uht import newton_kernel_jit

    calls = []
    real = newton_kernel_jit.march_islands
    monkeypatch.setattr(newton_kernel_jit, "march_islands", lambda *a: calls.append(1) or real(*a))
    _marched_equals_stepped(monkeypatch, RECIPES)
    assert calls  # the march ran (the stepped run above it is the reference)


def test_stage_two_steps_left_to_python_are_split_and_booked_for_their_foil_alone(monkeypatch):
    """With at most 3 Newton updates per step the island march leaves many steps to Python (splits); each is
    booked with the islands for its foil alone (its own supply, the other foils' islands untouched): the results
    equal the stepped path's bit for bit, batch and splits included."""
    monkeypatch.setattr(interdiffusion, "NEWTON_MAX_ITER", 3)
    monkeypatch.setattr(newton_kernel, "NEWTON_MAX_ITER", 3)
    booked = []
    real = newton_kernel.IslandUptakeStep.book
    monkeypatch.setattr(newton_kernel.IslandUptakeStep, "book", lambda self, *a: booked.append(a[0]) or real(self, *a))
    solved = _marched_equals_stepped(monkeypatch, RECIPES)
    assert len(set(booked)) >= 2  # steps of more than one foil were taken in Python
    assert sum(int(s.newton_iterations.step_splits.sum()) for s in solved) > 0


def test_failed_steps_are_split_as_on_the_numpy_path(monkeypatch):
    """With at most 3 Newton updates per step many steps fail; both paths split the same steps and agree."""
    monkeypatch.setattr(interdiffusion, "NEWTON_MAX_ITER", 3)
    monkeypatch.setattr(newton_kernel, "NEWTON_MAX_ITER", 3)
    ref, solved_np = _run(monkeypatch, compiled=False, recipes=RECIPES[:3])
    got, solved_nb = _run(monkeypatch, compiled=True, recipes=RECIPES[:3])
    splits = sum(int(s.newton_iterations.step_splits.sum()) for s in solved_np)
    assert splits > 0
    for a, b in zip(solved_np, solved_nb, strict=True):
        np.testing.assert_array_equal(a.newton_iterations.step_splits, b.newton_iterations.step_splits)
        np.testing.assert_array_equal(a.newton_iterations.total, b.newton_iterations.total)
    _close(got, ref, rtol=1e-10)


def test_the_switch_and_the_fingerprint_name_the_path(monkeypatch):
    from twin import fingerprint

    monkeypatch.setenv(newton_kernel.ENV_SWITCH, "0")
    assert not newton_kernel.compiled_kernels_enabled()
    assert newton_kernel.kernel_tag() == "numpy"
    off = fingerprint.code_fingerprint()
    monkeypatch.setenv(newton_kernel.ENV_SWITCH, "1")
    assert newton_kernel.compiled_kernels_enabled()
    assert newton_kernel.kernel_tag().startswith("numba-")
    assert fingerprint.code_fingerprint() != off
    # off means off: no compiled step is built
    monkeypatch.setenv(newton_kernel.ENV_SWITCH, "0")
    built = []
    monkeypatch.setattr(newton_kernel, "newton_step_kernel", lambda: built.append(1))
    evaluate_recipes(RECIPES[:1], default_parameters(), Stage2Cache())
    assert not built


# ---------------------------------------------------------------------------------------------------------------
# the web heater's compiled Newton (process_models/uht/web_heater_kernel_jit.py)
# ---------------------------------------------------------------------------------------------------------------

HEATER_CASES = [  # speed [m/s], zone [m], thickness [m], the other settings
    (np.array([1.0, 4.1, 20.0]) / 60.0, np.array([0.5e-3, 2.5e-3, 10e-3]), 10e-6, {}),
    (np.array([4.1 / 60.0]), np.array([2.5e-3]), 4.5e-6, {"cooling": "free"}),
    (np.array([2.0 / 60.0, 6.0 / 60.0]), np.array([2e-3, 3e-3]), 20e-6, {"heater_mode": "radiant"}),
    (np.array([5.0 / 60.0]), np.array([2.5e-3]), 10e-6, {"conduction": False}),
]


def _heater(monkeypatch: pytest.MonkeyPatch, compiled: bool, v, L, d, kw, peak=(1050.0, 1100.0, 1150.0)):
    from process_models.uht.web_heater import solve_web_heater

    monkeypatch.setenv(newton_kernel.ENV_SWITCH, "1" if compiled else "0")
    return solve_web_heater(v, L, d, peak_K=np.array(peak[:v.size]), **kw)


def test_the_pivoting_solve_is_lapacks_dgtsv_bit_for_bit():
    from scipy.linalg.lapack import dgtsv

    from process_models.uht.web_heater_kernel_jit import gtsv2

    rng = np.random.default_rng(5)
    n = 150
    dl, du = rng.normal(size=n - 1), rng.normal(size=n - 1)
    d = rng.normal(size=n) * rng.choice([0.1, 3.0], size=n)  # small pivots: rows are interchanged
    b = rng.normal(size=(n, 2))
    d_last = d.copy()
    d_last[-2], dl_last = 1e-3, dl.copy()
    dl_last[-1] = 5.0  # the last elimination interchanges its rows too
    for dl_c, d_c in ((dl, d), (dl_last, d_last)):
        _, _, _, want, info = dgtsv(dl_c.copy(), d_c.copy(), du.copy(), b.copy())
        assert info == 0
        for fn in (gtsv2, gtsv2.py_func):
            got = b.copy()
            assert fn(dl_c.copy(), d_c.copy(), du.copy(), got)
            np.testing.assert_array_equal(got, want)
    assert not gtsv2(np.zeros(n - 1), np.zeros(n), np.zeros(n - 1), b.copy())


@pytest.mark.parametrize("case", range(len(HEATER_CASES)))
def test_the_heater_agrees_with_the_numpy_path(monkeypatch, case):
    v, L, d, kw = HEATER_CASES[case]
    ref = _heater(monkeypatch, False, v, L, d, kw)
    got = _heater(monkeypatch, True, v, L, d, kw)
    np.testing.assert_allclose(got.temperature_K, ref.temperature_K, rtol=1e-11)
    np.testing.assert_allclose(got.power_W_per_m, ref.power_W_per_m, rtol=1e-10)
    np.testing.assert_allclose(got.peak_temperature_K, ref.peak_temperature_K, rtol=1e-12)
    np.testing.assert_allclose(got.balance_residual_W_per_m, 0.0, atol=1e-8 * got.power_W_per_m.max())


def test_a_peak_inside_the_vertex_jump_is_the_same_on_both_paths(monkeypatch):
    """Targets inside the 0.94 K jump of the vertex peak (tests/test_web_heater.py: 6.477 µm foil, 5 m/min, 33.7 mm,
    58 zone cells): Newton has no root on either path, and the bracket (numpy on both) solves the rows on the
    interpolant's peak, bit for bit alike; an ordinary row beside them too."""
    v, L = np.full(3, 5.0 / 60.0), np.full(3, 5.0 / 60.0 * 0.4043830169002843)
    kw = {"n_zone": 58}
    peaks = (1066.6416130756647, 1066.3, 1067.6416130756647)
    ref = _heater(monkeypatch, False, v, L, 6.477279912849693e-06, kw, peaks)
    got = _heater(monkeypatch, True, v, L, 6.477279912849693e-06, kw, peaks)
    assert ref.peak_from_interpolant.tolist() == got.peak_from_interpolant.tolist() == [True, True, False]
    np.testing.assert_array_equal(got.temperature_K, ref.temperature_K)
    np.testing.assert_array_equal(got.peak_temperature_K, ref.peak_temperature_K)
    np.testing.assert_allclose(got.peak_temperature_K, peaks, atol=1e-6)


@pytest.mark.parametrize("iterations", [1, 2, 3])
def test_the_heater_kernel_takes_the_numpy_paths_iterates(monkeypatch, iterations):
    """After each Newton iteration the kernel's iterate is numpy's (a wrong Jacobian term would still converge to
    the same root, so the converged result alone would not show it): both paths stopped after 1, 2, 3 iterations."""
    from process_models.uht import web_heater

    v, L, d, kw = HEATER_CASES[0]
    seen = []
    real = web_heater._newton

    def spy(prob, T, ln_s, target, value, strict=True):
        seen.append((prob, T.copy(), ln_s.copy(), value.copy()))
        return real(prob, T, ln_s, target, value, strict)

    monkeypatch.setattr(web_heater, "_newton", spy)
    _heater(monkeypatch, False, v, L, d, kw)
    prob, T0, l0, value = seen[0]
    monkeypatch.setattr(web_heater, "_MAX_ITER", iterations)
    T_np, l_np, _ = web_heater._newton_numpy(prob, T0.copy(), l0.copy(), "peak", value, strict=False)
    T_jit, l_jit, _ = web_heater._newton_peak_compiled(prob, T0.copy(), l0.copy(), value)
    assert np.max(np.abs(T_np - T0)) > 1.0  # the iterates did move
    np.testing.assert_allclose(T_jit, T_np, rtol=1e-11)
    np.testing.assert_allclose(l_jit, l_np, rtol=1e-11, atol=1e-13)


def test_heater_rows_handed_back_or_unconverged_take_the_numpy_ways(monkeypatch):
    """A singular row (status 2) is solved by the numpy Newton; an unconverged one (status 1) by the bracket, on
    both paths: forcing either gives the numpy path's results."""
    from process_models.uht import web_heater, web_heater_kernel_jit

    v, L, d, kw = HEATER_CASES[0]
    ref = _heater(monkeypatch, False, v, L, d, kw)
    real = web_heater_kernel_jit.newton_peak_rows

    for forced in (2, 1):
        def fake(T, ln_s, *rest, forced=forced):
            T0, l0 = T.copy(), ln_s.copy()
            real(T, ln_s, *rest)
            T[:], ln_s[:] = T0 + 50.0, l0 - 1.0  # garbage the caller must not use
            return np.full(T.shape[0], forced)

        monkeypatch.setattr(web_heater_kernel_jit, "newton_peak_rows", fake)
        got = _heater(monkeypatch, True, v, L, d, kw)
        np.testing.assert_allclose(got.temperature_K, ref.temperature_K, rtol=1e-9 if forced == 1 else 0)
        np.testing.assert_allclose(got.power_W_per_m, ref.power_W_per_m, rtol=1e-8 if forced == 1 else 0)
    monkeypatch.setattr(web_heater_kernel_jit, "newton_peak_rows", real)
    assert web_heater._newton.__name__ == "_newton"


def test_each_kernel_is_compiled_for_one_signature(monkeypatch):
    """Stage II and III call the step kernel with the same array types (C order, writable), so numba compiles and
    caches it once, not once per caller (each compile costs seconds on a user's first run)."""
    from process_models.uht import islands_kernel_jit, newton_kernel_jit, web_heater_kernel_jit

    _run(monkeypatch, compiled=True)  # stage II (islands) and stage III (evaporation, the march, the heater)
    for kernel in (newton_kernel_jit.newton_foils, newton_kernel_jit.march_foils, newton_kernel_jit.march_islands,
                   web_heater_kernel_jit.newton_peak_rows):
        assert len(kernel.signatures) == 1, kernel.signatures
    for kernel in (islands_kernel_jit.islands_step, islands_kernel_jit.islands_row):  # stepped path, split steps
        assert len(kernel.signatures) <= 1, kernel.signatures
