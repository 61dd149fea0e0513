"""The twin's per-event fast paths give what the checked public functions give (issue 15).

Per-event code runs in plain floats with its arguments checked once, at construction; these tests hold each fast
path to its checked counterpart, to 1e-12 and in fact bit for bit, so the speed-up moves no result (the golden
report stays byte-identical).
"""

from __future__ import annotations

import json
import math
from functools import partial

import numpy as np
import pytest
from approx_tree import assert_tree_close

from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from process_models.plating import electrodeposition as ed
from process_models.plating.baths import BATH_NAMES, get_bath
from process_models.uht.recipe import UHTRecipe, evaluate_recipes
from twin import simulate
from twin.heaters import HeaterLoop
from twin.interp import interp_scalar
from twin.motion import RAMP_STEPS, SpeedPlan
from twin.scenario import Scenario, UHTLine, apply_overrides
from twin.segment_physics import SegmentPhysics
from twin.web_line import Coil, Segments


def same(a: float, b: float) -> bool:
    """Equal to 1e-12 (relative) and, in practice, bit for bit."""
    return a == b or abs(a - b) <= 1e-12 * max(abs(a), abs(b))


# ---------------------------------------------------------------------------------------------------------
# interpolation
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.unit
def test_scalar_interpolation_is_numpy_interp_bit_for_bit():
    rng = np.random.default_rng(11)
    for _ in range(100):
        n = int(rng.integers(1, 40))
        xp = np.sort(rng.normal(size=n) * rng.uniform(0.1, 1e4))
        yp = rng.normal(size=n) * rng.uniform(1e-3, 1e5)
        xs = np.concatenate([rng.uniform(xp[0] - 1.0, xp[-1] + 1.0, 50), xp, [np.nan, np.inf, -np.inf]])
        lx, ly = xp.tolist(), yp.tolist()
        for x in xs.tolist():
            want = float(np.interp(x, xp, yp))
            got = interp_scalar(x, lx, ly)
            assert got == want or (math.isnan(got) and math.isnan(want)), (x, got, want)


# ---------------------------------------------------------------------------------------------------------
# motion: the speed plan
# ---------------------------------------------------------------------------------------------------------
def _reference_knots(plan: SpeedPlan) -> tuple[np.ndarray, np.ndarray]:
    """The ramp's breakpoints as the array code computed them before the fast path."""
    if plan.ramp_s <= 0.0:
        return np.array([plan.tau0]), np.array([plan.X0])
    dt = plan.ramp_s / RAMP_STEPS
    speeds = plan.v_m_per_s * (np.arange(RAMP_STEPS) + 0.5) / RAMP_STEPS
    tau = plan.tau0 + dt * np.arange(RAMP_STEPS + 1)
    X = plan.X0 + np.concatenate([[0.0], np.cumsum(speeds * dt)])
    return tau, X


@pytest.mark.unit
@pytest.mark.parametrize("ramp_s", (0.0, 0.7, 60.0, 1800.0))
def test_speed_plan_positions_and_times_equal_the_array_form(ramp_s):
    rng = np.random.default_rng(5)
    for _ in range(30):
        plan = SpeedPlan(float(rng.uniform(-1e5, 1e6)), float(rng.uniform(-50.0, 1e5)), float(rng.uniform(1e-3, 2.0)),
                         ramp_s)
        kt, kx = _reference_knots(plan)
        got_t, got_x = plan.knots()
        assert np.array_equal(got_t, kt) and np.array_equal(got_x, kx)
        assert plan.ramp_end_tau == kt[-1]
        for tau in (plan.tau0 + rng.uniform(0.0, 2.0 * ramp_s + 100.0, 20)).tolist() + kt.tolist():
            want = float(np.interp(tau, kt, kx)) if tau <= kt[-1] else float(kx[-1] + plan.v_m_per_s * (tau - kt[-1]))
            assert same(plan.X_at(tau), want)
            taus, Xs = plan.knots_until(tau)
            keep = (kt > plan.tau0) & (kt < tau)
            assert taus == [*kt[keep].tolist(), tau] and Xs == [*kx[keep].tolist(), plan.X_at(tau)]
        for X in (plan.X0 + rng.uniform(0.0, kx[-1] - plan.X0 + 50.0, 20)).tolist():
            want = float(np.interp(X, kx, kt)) if kx[-1] >= X else float(kt[-1] + (X - kx[-1]) / plan.v_m_per_s)
            assert same(plan.tau_at(X), want)


# ---------------------------------------------------------------------------------------------------------
# plating: the bath balance
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.unit
@pytest.mark.parametrize("anode", ("soluble", "insoluble"))
@pytest.mark.parametrize("bath", BATH_NAMES)
def test_bath_balance_step_equals_advance_bath(bath, anode):
    params = default_parameters()
    b = get_bath(bath, params)
    rng = np.random.default_rng(len(bath) + len(anode))
    for volume in (0.5, 2.0, 37.0):
        fast = ed.BathBalance(b, volume, anode=anode, params=params)
        c0 = b.metal_concentration_mol_per_m3
        for _ in range(60):
            args = (float(c0 * rng.uniform(0.5, 1.2)), float(rng.choice([300.0, rng.uniform(1.0, 3600.0)])),
                    float(rng.uniform(0.0, 3000.0)), float(rng.uniform(0.0, 1.0)),
                    float(rng.choice([0.0, rng.uniform(1e-4, 0.1)])))
            kw = {"dosing_mol_per_s": float(rng.choice([0.0, rng.uniform(0.0, 0.05)])),
                  "makeup_concentration_mol_per_m3": float(rng.choice([0.0, c0]))}
            try:
                want = float(ed.advance_bath(b, args[0], volume, *args[1:], anode=anode, params=params, **kw)
                             .concentration_mol_per_m3)
            except FoiltwinInputError as err:
                with pytest.raises(FoiltwinInputError) as got:
                    fast.step(*args, **kw)
                assert (got.value.field, got.value.value, got.value.allowed) == (err.field, err.value, err.allowed)
                continue
            assert same(fast.step(*args, **kw), want)


@pytest.mark.unit
def test_bath_balance_checks_its_construction_arguments():
    with pytest.raises(FoiltwinInputError):
        ed.BathBalance("cu_acid_sulfate", 0.0)
    with pytest.raises(FoiltwinInputError):
        ed.BathBalance("cu_acid_sulfate", 1.0, anode="graphite")


# ---------------------------------------------------------------------------------------------------------
# UHT heaters
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.unit
def test_heater_steps_equal_the_array_interpolation():
    """A run of controller steps with ageing and renewals against the same loop written with numpy.interp."""
    params = default_parameters()
    spec = UHTLine()
    loop = HeaterLoop(spec, params, np.random.default_rng(3))
    rng = np.random.default_rng(3)  # the reference draws the same pyrometer numbers
    T_grid, P_grid = loop._T_grid, loop._P_grid
    T3_set = (params["stage3_default_peak_temperature_K"] if spec.settings.stage3_peak_K is None
              else spec.settings.stage3_peak_K)  # the line's set point (the default line's own, 1077 K)
    amb = params["ambient_temperature_K"]
    u2 = u3 = 1.0
    renewed = 0.0

    P3, T3_of_P3 = np.array(loop._P3_list), np.array(loop._T3_list)  # the web heater's power → peak table

    def true(h):
        ageing = 1.0 / (1.0 + spec.heater_ageing.resistance_drift_frac_per_h * (h - renewed))
        T2 = float(np.interp(u2 * ageing * float(np.interp(750.0, T_grid, P_grid)), P_grid, T_grid))
        return T2, float(np.interp(u3 * ageing * loop.P3_set, P3, T3_of_P3)), ageing

    for k in range(400):
        h = k / 60.0
        if k % 150 == 149:
            loop.renew(float(k), h)
            renewed, u2, u3 = h, 1.0, 1.0
            continue
        loop.step(float(k), h, h)
        T2, T3, _ = true(h)
        noise = spec.pyrometer.noise_K * rng.standard_normal(2) + spec.pyrometer.bias_K
        m2, m3 = T2 + noise[0], T3 + noise[1]
        P_set = float(np.interp(750.0, T_grid, P_grid))
        u2 += spec.control.gain_frac * (P_set - float(np.interp(m2, T_grid, P_grid))) / P_set
        u3 += spec.control.gain_frac * (T3_set - m3) / (T3_set - amb)
        T2, T3, ageing = true(h)
        row = loop.rows[-1]
        assert all(same(a, b) for a, b in zip(row, (h, 750.0, T2, m2, T3_set, T3, m3, u2, u3, ageing), strict=True))


# ---------------------------------------------------------------------------------------------------------
# segments and their physics
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.unit
def test_segment_attributes_equal_the_per_segment_lookup():
    rng = np.random.default_rng(2)
    coils = [Coil(f"C{i}", 50.0, 0.5, 10.0, {} if i == 1 else {"a": rng.uniform(size=30 + 10 * i)}) for i in range(4)]
    counts = [7, 12, 5, 40]
    owner = [c for c, n in zip(coils, counts, strict=True) for _ in range(n)]
    index = np.concatenate([np.arange(3, 3 + n) for n in counts])
    seg = Segments(np.array([c.coil_id for c in owner], dtype=object), index, owner, np.ones(index.size),
                   np.full(index.size, 0.5), np.full(index.size, 10.0), np.zeros(index.size), np.zeros(index.size))
    want = np.array([c.attributes["a"][k] if "a" in c.attributes and k < c.attributes["a"].size else -1.0
                     for c, k in zip(owner, index, strict=True)])
    assert np.array_equal(seg.attribute("a", -1.0), want)
    assert [(c.coil_id, a, b) for c, a, b in seg.coil_runs] == [("C0", 0, 7), ("C1", 7, 19), ("C2", 19, 24),
                                                              ("C3", 24, 64)]


@pytest.mark.component
def test_recipe_results_do_not_depend_on_the_batch_they_are_solved_in():
    """The twin's result cache and its bulk solves of new histories rely on it."""
    p = default_parameters()
    probe = UHTRecipe(stage2_temperature_K=751.0, stage2_time_s=118.0, stage3_peak_K=1010.0, stage3_time_s=0.031)
    others = [UHTRecipe(stage2_temperature_K=700.0 + 9 * i, stage2_time_s=50.0 + 13 * i, stage3_peak_K=960.0 + 11 * i,
                        stage3_time_s=0.02 + 0.002 * i, cooling="free" if i % 3 else "contact",
                        foil_thickness_m=(8e-6, 10e-6)[i % 2]) for i in range(10)]
    alone = evaluate_recipes([probe], p)[0]
    mixed = evaluate_recipes([*others[:5], probe, *others[5:]], p)[5]
    # the same grids, time steps and Newton iterations; numbers equal to round-off (tests/approx_tree.py)
    assert_tree_close(json.loads(json.dumps(alone.to_dict(profile=True), default=float)),
                      json.loads(json.dumps(mixed.to_dict(profile=True), default=float)), rel=1e-12)


@pytest.mark.integration
def test_bulk_physics_gives_the_report_and_logs_of_batch_by_batch_physics(monkeypatch, tmp_path):
    """Histories gathered over many hand-offs and solved together give, byte for byte, the report and segment log
    of solving each hand-off's new histories at once (restarts make new histories all along)."""
    import pyarrow.parquet as pq

    sc = apply_overrides(Scenario(), ["hours=60", "seed=9", "plant.incoming_coils.length_m=300",
                                      "plant.lines.1.equipment.0.time_to_failure={type = 'exponential', mean_h = 6}"])
    bulk = simulate.run_single(sc, tmp_path / "bulk")
    assert bulk["lines"]["uht-1"]["physics_solves"] > 20
    logged = pq.read_table(tmp_path / "bulk" / "segments.parquet")
    for name, batch_recipes, max_pending in (("each", 1, 1), ("some", 5, 3000)):
        monkeypatch.setattr(simulate, "SegmentPhysics", partial(SegmentPhysics, batch_recipes=batch_recipes,
                                                                max_pending_segments=max_pending))
        assert_tree_close(simulate.run_single(sc, tmp_path / name), bulk, rel=1e-9)
        assert_tree_close(pq.read_table(tmp_path / name / "segments.parquet").to_pydict(), logged.to_pydict(),
                          rel=1e-9)


@pytest.mark.unit
def test_a_parameter_name_not_in_the_registry_is_not_in_it():
    params = default_parameters()
    assert "ambient_temperature_K" in params
    assert "no_such_parameter_K" not in params  # answered, not raised (Mapping's default would raise here)
