"""The UHT alloying chain: conservation, limits and monotonic responses."""

from __future__ import annotations

import numpy as np
import pytest

from process_models.errors import FoiltwinInputError, check_fractions
from process_models.parameters import default_parameters
from process_models.uht.alloying import film_on_profile
from process_models.uht.cuzn_diffusivity import CuZnFickDiffusivity
from process_models.uht.interdiffusion import DirichletBC, make_depth_grid, solve_interdiffusion
from process_models.uht.phase_diagram import cuzn_phase_diagram
from process_models.uht.recipe import UHTRecipe, evaluate_recipe, evaluate_recipes
from process_models.uht.thermal import setpoint_history
from process_models.uht.zn_evaporation import evaporation_flux_mol_per_m2_s
from process_models.uht.zn_supply import hertz_knudsen_flux_mol_per_m2_s

PARAMS = default_parameters()
C = PARAMS["cuzn_alloy_molar_density_mol_per_m3"]


@pytest.mark.unit
def test_film_on_profile_conserves_zn_exactly():
    grid = make_depth_grid(10e-6, first_cell_m=2e-9, growth=0.03)
    rng = np.random.default_rng(1)
    below = np.where(grid.centres_m < 60e-9, rng.uniform(0.0, 0.38, grid.n_cells), 0.0)[None, :].repeat(3, 0)
    film = np.array([0.0, 0.01, 0.0223])
    x = film_on_profile(grid, below, film, 8 / 13, C)
    inventory = lambda y: C * np.sum(y * grid.widths_m, axis=1)  # noqa: E731
    np.testing.assert_allclose(inventory(x), inventory(below) + film, rtol=1e-12)
    assert np.all(x <= 1.0) and np.all(x >= 0.0)
    # the film sits on top: the first cells carry the film composition
    assert x[2, 0] == pytest.approx(8 / 13)


@pytest.mark.component
@pytest.mark.parametrize("pressure", [101325.0, 0.0])
def test_zn_deposited_equals_retained_plus_lost(pressure):
    params = PARAMS.with_overrides({"process_gas_pressure_Pa": pressure})
    r = evaluate_recipe(UHTRecipe(), params)
    deposited, retained = r.zn_deposited_mg_per_cm2, r.zn_loading_mg_per_cm2
    lost = r.zn_lost_fraction * deposited
    assert retained + lost == pytest.approx(deposited, rel=1e-6)
    assert 0.0 < r.zn_lost_fraction < 1.0


@pytest.mark.component
def test_vacuum_loses_more_zn_than_argon_and_dezincifies_the_surface():
    argon = evaluate_recipe(UHTRecipe(), PARAMS)
    vacuum = evaluate_recipe(UHTRecipe(), PARAMS.with_overrides({"process_gas_pressure_Pa": 0.0}))
    assert vacuum.zn_lost_fraction > 3 * argon.zn_lost_fraction
    assert vacuum.surface_zn_at_frac < argon.surface_zn_at_frac
    # a loss above EVAPORATION_WARN_FRAC of the Zn delivered is warned about, with its share (as the other skin
    # metals are); argon's ≈1 % is not
    from process_models.uht.zn_evaporation import EVAPORATION_WARN_FRAC

    assert argon.zn_lost_fraction < EVAPORATION_WARN_FRAC < vacuum.zn_lost_fraction
    evap = [w for w in vacuum.warnings if w.startswith("Zn evaporation")]
    assert evap == [f"Zn evaporation: {vacuum.zn_lost_fraction:.0%} of the Zn delivered evaporates in stage III "
                    "(peak 1100 K, gas 0 Pa)"]
    assert not any("evaporat" in w for w in argon.warnings)


@pytest.mark.unit
def test_evaporation_vanishes_without_zinc_and_grows_with_temperature():
    J0, _ = evaporation_flux_mol_per_m2_s(np.array([0.0]), np.array([1100.0]), np.array([0.01]), PARAMS)
    assert J0[0] == pytest.approx(0.0, abs=1e-12)
    J, _ = evaporation_flux_mol_per_m2_s(np.full(3, 0.33), np.array([1000.0, 1100.0, 1200.0]),
                                         np.full(3, 0.01), PARAMS)
    assert np.all(J < 0) and np.all(np.diff(-J) > 0)


@pytest.mark.component
def test_stage2_delivery_is_the_time_integral_of_the_supply_flux():
    """The solver's step quadrature of the supply equals a fine trapezoid over the thermal history (<1 %)."""
    r = evaluate_recipe(UHTRecipe(stage3_time_s=0.0), PARAMS)
    h = setpoint_history(start_temperature_K=PARAMS["ambient_temperature_K"], setpoint_K=750.0,
                         heating_rate_K_per_s=PARAMS["stage2_heating_rate_K_per_s"], heater_on_s=120.0,
                         thickness_m=10e-6, params=PARAMS, cooling="free")
    t = np.linspace(0.0, 120.0, 200001)
    T = np.interp(t, h.time_s[0], h.temperature_K[0])
    J = PARAMS["zn_vapour_transfer_efficiency_frac"] * hertz_knudsen_flux_mol_per_m2_s(T, PARAMS)
    expected = np.sum(0.5 * (J[1:] + J[:-1]) * np.diff(t))
    delivered = r.zn_deposited_mg_per_cm2 * 1e-2 / PARAMS["zn_molar_mass_kg_per_mol"]  # mol/m2
    assert delivered == pytest.approx(expected, rel=0.01)
    # most of it arrives during the 750 K hold
    hold_only = J[-1] * (120.0 - 450.0 / PARAMS["stage2_heating_rate_K_per_s"])
    assert hold_only < delivered < 1.1 * hold_only


@pytest.mark.component
def test_stage2_alpha_uptake_is_bounded_by_a_saturated_surface():
    """Once α at the surface reaches its solvus, uptake follows the Dirichlet (saturated-surface) solution;
    before that it is supply-limited, so it lies a little below the Dirichlet uptake over the same history."""
    r = evaluate_recipe(UHTRecipe(stage3_time_s=0.0), PARAMS)
    h = setpoint_history(start_temperature_K=PARAMS["ambient_temperature_K"], setpoint_K=750.0,
                         heating_rate_K_per_s=PARAMS["stage2_heating_rate_K_per_s"], heater_on_s=120.0,
                         thickness_m=10e-6, params=PARAMS, cooling="free")
    on = h.segment("heating")
    grid = make_depth_grid(10e-6, first_cell_m=PARAMS["diffusion_first_cell_m"],
                           growth=PARAMS["diffusion_cell_growth_frac"])
    model = CuZnFickDiffusivity.from_parameters(PARAMS)
    saturated = solve_interdiffusion(
        np.zeros((1, grid.n_cells)), grid, h.time_s[:, on], h.temperature_K[:, on], molar_density_mol_per_m3=C,
        diffusivity=model.diffusivity, kirchhoff=model.kirchhoff, clock=model.clock,
        surface=DirichletBC(np.array([cuzn_phase_diagram().alpha_max_zn_frac(750.0)])), n_steps=200,
    ).zn_in_mol_per_m2[0]
    delivered = r.zn_deposited_mg_per_cm2 * 1e-2 / PARAMS["zn_molar_mass_kg_per_mol"]
    uptake = r.stage2_alpha_uptake_fraction * delivered
    assert 0.8 * saturated < uptake <= 1.01 * saturated
    assert r.stage2_gamma_film_nm > 0.0


@pytest.mark.component
def test_no_stage3_means_no_loss_and_stage3_time_to_zero_is_continuous():
    # batch pulse: 0.1 ms at the set peak; web: a 0.1 ms (8 µm) zone at 5 m/min can only take half the heater's
    # areal power limit, which warms the foil by a few K (its conduction spreads the heat)
    web_short = UHTRecipe(stage3_time_s=1e-4, stage3_power_W_per_m=0.5 * PARAMS["heater_max_areal_power_W_per_m2"]
                          * PARAMS["stage3_default_line_speed_m_per_s"] * 1e-4)
    none, short, web = evaluate_recipes([UHTRecipe(stage3_time_s=0.0), UHTRecipe(stage3_time_s=1e-4,
                                                                                   stage3_mode="batch"), web_short],
                                        PARAMS)
    assert none.zn_lost_fraction == 0.0
    assert short.skin_thickness_nm == pytest.approx(none.skin_thickness_nm, rel=0.05)
    assert web.skin_thickness_nm == pytest.approx(none.skin_thickness_nm, rel=0.05)
    assert web.peak_temperature_K < 400.0


@pytest.mark.component
def test_skin_grows_with_peak_temperature_and_pulse_time():
    rs = evaluate_recipes([UHTRecipe(stage3_peak_K=T) for T in (1000.0, 1050.0, 1100.0)]
                          + [UHTRecipe(stage3_time_s=t) for t in (0.01, 0.03, 0.09)], PARAMS)
    d05 = [r.phase_thickness_nm.get("alpha", 0.0) for r in rs]
    assert d05[0] < d05[1] < d05[2]
    assert d05[3] < d05[4] < d05[5]


@pytest.mark.component
def test_batch_equals_single_evaluations():
    recipes = [UHTRecipe(stage2_time_s=t) for t in (20.0, 120.0)] + [UHTRecipe(foil_thickness_m=6e-6)]
    batch = evaluate_recipes(recipes, PARAMS)
    for recipe, b in zip(recipes, batch, strict=True):
        s = evaluate_recipe(recipe, PARAMS)
        assert b.skin_thickness_nm == pytest.approx(s.skin_thickness_nm, rel=1e-9)
        assert b.zn_loading_mg_per_cm2 == pytest.approx(s.zn_loading_mg_per_cm2, rel=1e-9)


@pytest.mark.unit
@pytest.mark.parametrize(("field", "recipe"), [
    ("stage2_time_s", UHTRecipe(stage2_time_s=-5.0)),
    ("stage3_time_s", UHTRecipe(stage3_time_s=-0.01)),
    ("stage3_peak_K", UHTRecipe(stage3_peak_K=1400.0)),
    ("foil_thickness_m", UHTRecipe(foil_thickness_m=0.0)),
    ("zn_route", UHTRecipe(zn_route="sputter")),  # type: ignore[arg-type]
    ("plated_zn_loading_kg_per_m2", UHTRecipe(zn_route="plated", plated_zn_loading_kg_per_m2=0.0)),
])
def test_bad_recipes_name_the_field(field, recipe):
    with pytest.raises(FoiltwinInputError) as err:
        evaluate_recipe(recipe, PARAMS)
    assert err.value.field == field
    assert field in str(err.value)


@pytest.mark.unit
def test_a_ramp_the_heater_cannot_drive_is_refused_with_the_feasible_rate():
    with pytest.raises(FoiltwinInputError, match=r"stage3_heating_rate_K_per_s.*at most") as err:
        evaluate_recipe(UHTRecipe(stage3_mode="batch", stage3_heating_rate_K_per_s=1e6, stage3_time_s=0.003), PARAMS)
    assert err.value.field == "stage3_heating_rate_K_per_s"


# ----------------------------------------------------------------------------------------------- web form
@pytest.mark.unit
def test_web_form_takes_any_two_of_time_speed_and_length():
    v0 = PARAMS["stage3_default_line_speed_m_per_s"]
    default = UHTRecipe().validated(PARAMS)
    assert default.stage3_mode == "web" and default.line_speed_m_per_s == pytest.approx(v0)
    assert default.stage3_heater_length_m == pytest.approx(v0 * 0.030)
    by_length = UHTRecipe(stage3_heater_length_m=5e-3).validated(PARAMS)  # with the default 30 ms
    assert by_length.line_speed_m_per_s == pytest.approx(5e-3 / 0.030)
    by_speed = UHTRecipe(line_speed_m_per_s=0.2, stage3_time_s=0.01).validated(PARAMS)
    assert by_speed.stage3_heater_length_m == pytest.approx(2e-3)
    both = UHTRecipe(line_speed_m_per_s=0.1, stage3_heater_length_m=2e-3).validated(PARAMS)
    assert both.stage3_time_s == pytest.approx(0.020)


@pytest.mark.unit
@pytest.mark.parametrize(("recipe", "field"), [
    (UHTRecipe(line_speed_m_per_s=0.1, stage3_heater_length_m=1e-3, stage3_time_s=0.03), "stage3_time_s"),
    (UHTRecipe(stage3_heating_rate_K_per_s=1e5), "stage3_heating_rate_K_per_s"),
    (UHTRecipe(stage3_power_W_per_m=3e3, stage3_peak_K=1100.0), "stage3_power_W_per_m"),
    (UHTRecipe(stage3_mode="batch", line_speed_m_per_s=0.1), "line_speed_m_per_s"),
    (UHTRecipe(stage3_mode="pulsed"), "stage3_mode"),
    (UHTRecipe(stage3_peak_K=1357.77), "stage3_peak_K"),
    (UHTRecipe(line_speed_m_per_s=0.0), "line_speed_m_per_s"),
])
def test_web_form_refuses_inconsistent_settings(recipe, field):
    with pytest.raises(FoiltwinInputError) as err:
        recipe.validated(PARAMS)
    assert err.value.field == field


@pytest.mark.unit
@pytest.mark.parametrize(("recipe", "fits"), [
    (UHTRecipe(line_speed_m_per_s=10.0, stage3_time_s=10.0), "in [1e-07, 0.1] s at 600 m/min"),
    (UHTRecipe(stage3_heater_length_m=1.0, stage3_time_s=1e-5), "in [0.1, 10] s through 1000 mm"),
])
def test_a_pulse_that_implies_an_impossible_speed_or_length_names_the_pulse(recipe, fits):
    """With one of speed and heater length given, the pulse implies the other. Out of its range the refusal named
    the implied quantity in SI units (stage3_heater_length_m=100.0, line_speed_m_per_s=99999.99999999999), which
    the user never set (found by fuzzing `foiltwin recipe`); it now names the pulse and the pulse times that fit."""
    with pytest.raises(FoiltwinInputError) as err:
        recipe.validated(PARAMS)
    assert err.value.field == "stage3_time_s" and fits in err.value.allowed, err.value


@pytest.mark.unit
@pytest.mark.parametrize(("recipe", "fits"), [
    (UHTRecipe(stage3_heater_length_m=1.0, line_speed_m_per_s=1e-4), "at most 0.001 m (1 mm) at 0.006 m/min"),
    (UHTRecipe(stage3_heater_length_m=1e-6), "in [3e-06, 0.3] m ([0.003, 300] mm) with the default 30 ms pulse"),
    (UHTRecipe(stage3_heater_length_m=0.5), "in [3e-06, 0.3] m ([0.003, 300] mm) with the default 30 ms pulse"),
])
def test_a_heater_length_whose_pulse_cannot_be_is_named_with_the_lengths_that_fit(recipe, fits):
    """Length and speed given imply the pulse L/v, which was not checked (1 m at 0.006 m/min: a 10⁴ s "pulse",
    accepted with a 0 nm skin); a length alone, with the default pulse, was refused as stage3_time_s=0.03, a default
    the user never set. Both now name the length, with the lengths that fit; a length at the edge is accepted."""
    with pytest.raises(FoiltwinInputError) as err:
        recipe.validated(PARAMS)
    assert err.value.field == "stage3_heater_length_m" and fits in err.value.allowed, err.value
    assert UHTRecipe(stage3_heater_length_m=1e-3, line_speed_m_per_s=1e-4).validated(PARAMS).stage3_time_s == \
        pytest.approx(10.0)
    assert UHTRecipe(stage3_heater_length_m=0.3).validated(PARAMS).line_speed_m_per_s == pytest.approx(10.0)


@pytest.mark.unit
def test_every_web_form_that_validates_has_its_speed_and_length_in_range():
    """The speed and heater length of a validated web form lie in their ranges on every path (both given, one given
    and the other implied by the pulse, neither: the registry's default speed): the given ones are checked as given,
    the implied ones by the pulse (naming stage3_time_s), and the default speed's registry bounds lie inside the
    line-speed range, so no check after those can refuse anything (the one that did was removed as dead). Swept over
    the ranges' edges and beyond, with the default speed at both ends of its registry bounds."""
    import itertools

    from process_models.uht.recipe import HEATER_LENGTH_RANGE_M, LINE_SPEED_RANGE_M_PER_S, STAGE3_TIME_RANGE_S

    (v_lo, v_hi), (L_lo, L_hi) = LINE_SPEED_RANGE_M_PER_S, HEATER_LENGTH_RANGE_M
    d_lo, d_hi = PARAMS.record("stage3_default_line_speed_m_per_s").bounds
    assert v_lo <= d_lo and d_hi <= v_hi  # what lets the default speed go unchecked
    speeds = [None, 0.5 * v_lo, v_lo, 1e-3, 0.1, v_hi, 2 * v_hi]
    lengths = [None, 0.5 * L_lo, L_lo, 2.5e-3, L_hi, 2 * L_hi]
    times = [None, 0.0, 1e-7, 0.03, 10.0]
    for default in (d_lo, PARAMS["stage3_default_line_speed_m_per_s"], d_hi):
        params = PARAMS.with_overrides({"stage3_default_line_speed_m_per_s": default})
        for v, L, t3 in itertools.product(speeds, lengths, times):
            try:
                r = UHTRecipe(line_speed_m_per_s=v, stage3_heater_length_m=L, stage3_time_s=t3).validated(params)
            except FoiltwinInputError as err:
                assert err.field in ("line_speed_m_per_s", "stage3_heater_length_m", "stage3_time_s"), err
                continue
            assert 0.0 <= r.stage3_time_s <= STAGE3_TIME_RANGE_S[1], (v, L, t3)  # an implied pulse too
            if r.stage3_time_s > 0.0:
                assert v_lo <= r.line_speed_m_per_s <= v_hi and L_lo <= r.stage3_heater_length_m <= L_hi, (v, L, t3)
                assert r.stage3_heater_length_m == pytest.approx(r.line_speed_m_per_s * r.stage3_time_s, rel=1e-9)


@pytest.mark.component
def test_web_form_reports_the_heater_and_its_power_sets_the_peak():
    r = evaluate_recipe(UHTRecipe(), PARAMS)
    h = r.stage3_heater
    assert h["mode"] == "web" and h["line_speed_m_per_min"] == pytest.approx(5.0)
    assert h["power_W_per_m2"] == pytest.approx(h["power_W_per_m"] / (h["heater_length_mm"] * 1e-3))
    assert 1.5 < h["peclet"] < 3.0
    assert r.peak_temperature_K == pytest.approx(PARAMS["stage3_default_peak_temperature_K"])
    # stage-III energy per m² is the heater's power over the line speed
    assert r.energy_by_stage_kwh_per_m2["stage3"] == pytest.approx(h["power_W_per_m"] / (5.0 / 60.0) / 3.6e6)
    # the same heater at its reported power gives back the same peak and skin
    by_power = evaluate_recipe(UHTRecipe(stage3_power_W_per_m=h["power_W_per_m"]), PARAMS)
    assert by_power.peak_temperature_K == pytest.approx(r.peak_temperature_K, abs=1e-4)
    assert by_power.skin_thickness_nm == pytest.approx(r.skin_thickness_nm, rel=1e-6)
    assert by_power.recipe.stage3_peak_K is None


@pytest.mark.component
def test_web_form_caps_a_peak_the_zone_cannot_reach():
    """A 0.2 mm zone at 0.2 m/min loses its heat to the rolls: the heater runs at its areal power limit and the
    peak it gives is used, with a warning (as a batch ramp that cannot reach its set point)."""
    L = 0.2e-3
    r = evaluate_recipe(UHTRecipe(line_speed_m_per_s=0.2 / 60, stage3_heater_length_m=L, stage3_peak_K=1150.0),
                        PARAMS)
    assert r.peak_temperature_K < 1150.0
    assert r.stage3_heater["power_W_per_m"] == pytest.approx(PARAMS["heater_max_areal_power_W_per_m2"] * L)
    assert any("cannot reach 1150 K" in w for w in r.warnings)
    with pytest.raises(FoiltwinInputError) as err:  # a given power beyond the heater
        evaluate_recipe(UHTRecipe(line_speed_m_per_s=0.2 / 60, stage3_heater_length_m=L,
                                  stage3_power_W_per_m=3e3), PARAMS)
    assert err.value.field == "stage3_power_W_per_m"
    with pytest.raises(FoiltwinInputError) as err:
        evaluate_recipe(UHTRecipe(stage3_power_W_per_m=2e4), PARAMS)  # melts the foil
    assert err.value.field == "stage3_power_W_per_m"


@pytest.mark.component
def test_web_and_batch_forms_differ_in_history_not_in_the_film():
    """At equal peak and pulse time the web history spends less time near the peak than the 1e5 K/s ramp and
    hold, so its skin is thinner; stage II is the same."""
    web, batch = evaluate_recipes([UHTRecipe(stage3_peak_K=1100.0),
                                   UHTRecipe(stage3_peak_K=1100.0, stage3_mode="batch")], PARAMS)
    assert web.zn_deposited_mg_per_cm2 == pytest.approx(batch.zn_deposited_mg_per_cm2, rel=1e-12)
    assert web.skin_thickness_nm < batch.skin_thickness_nm
    assert web.energy_by_stage_kwh_per_m2["stage3"] > batch.energy_by_stage_kwh_per_m2["stage3"]


@pytest.mark.component
def test_default_time_steps_are_converged():
    """The default step counts stay within 1.5 % (skin) and 0.005 (composition) of an 8x finer run."""
    recipes = [UHTRecipe(), UHTRecipe(stage3_peak_K=1050.0), UHTRecipe(stage2_time_s=20.0)]
    coarse = evaluate_recipes(recipes, PARAMS)
    fine = evaluate_recipes(recipes, PARAMS.with_overrides({"stage2_diffusion_steps_count": 400,
                                                            "stage3_diffusion_steps_count": 480}))
    for c, f in zip(coarse, fine, strict=True):
        assert c.skin_thickness_nm == pytest.approx(f.skin_thickness_nm, rel=0.015)
        assert c.skin_mean_zn_at_frac == pytest.approx(f.skin_mean_zn_at_frac, abs=0.005)
        assert c.zn_loading_mg_per_cm2 == pytest.approx(f.zn_loading_mg_per_cm2, rel=0.005)


@pytest.mark.component
def test_stage2_deposit_is_continuous_in_time():
    """No step of the supply is lost when the last step end rounds past the heater-off time."""
    times = np.linspace(28.40, 28.50, 11)
    deposits = [r.zn_deposited_mg_per_cm2 for r in evaluate_recipes(
        [UHTRecipe(stage2_time_s=float(t), stage3_time_s=0.0) for t in times], PARAMS)]
    assert np.all(np.diff(deposits) > 0)
    assert np.max(np.abs(np.diff(np.log(deposits)))) < 2e-3


@pytest.mark.component
def test_a_zn_uptake_that_converts_the_whole_foil_is_refused_with_the_stage2_settings():
    """1100 K for 30 s delivers more Zn than a 10 µm foil holds as γ brass: no skin model applies. The refusal
    named a field nobody has (stage2='1100 K for 30 s', 'lower the temperature or time'); it names the stage-II
    time; the longest that fits at this temperature (the CLI adds it to the message) follows the refusal's own
    criterion: just under it is accepted (warned that the whole foil is alloyed), just over it refused."""
    from process_models.uht.recipe import longest_stage2_time_s

    params = default_parameters()
    recipe = UHTRecipe(stage2_temperature_K=1100.0, stage2_time_s=30.0)
    with pytest.raises(FoiltwinInputError) as err:
        evaluate_recipe(recipe, params)
    assert err.value.field == "stage2_time_s" and err.value.value == 30.0 and "γ brass" in err.value.allowed
    top = longest_stage2_time_s(recipe.validated(params), params)
    assert 10.0 < top < 30.0
    ok = evaluate_recipe(UHTRecipe(stage2_temperature_K=1100.0, stage2_time_s=0.995 * top), params)
    assert any(w.startswith("whole foil alloyed") for w in ok.warnings)
    with pytest.raises(FoiltwinInputError):
        evaluate_recipe(UHTRecipe(stage2_temperature_K=1100.0, stage2_time_s=1.005 * top), params)


@pytest.mark.unit
def test_input_errors_survive_copies_by_their_args_and_pickling():
    """SimPy re-raises a process's exception as type(e)(*e.args); worker processes pickle it."""
    import pickle

    e = FoiltwinInputError("a.b", 3.0, "in [0, 1]", "why")
    for copy in (type(e)(*e.args), pickle.loads(pickle.dumps(e))):
        assert (copy.field, copy.value, copy.allowed, copy.reason, str(copy)) == (
            "a.b", 3.0, "in [0, 1]", "why", "a.b=3.0 is not allowed: in [0, 1] (why)")


@pytest.mark.unit
def test_fractions_within_round_off_are_snapped_and_beyond_it_refused():
    assert check_fractions("x", [-7e-290, 0.5, 1.0 + 1e-12]).tolist() == [0.0, 0.5, 1.0]
    with pytest.raises(FoiltwinInputError):
        check_fractions("x", [-1e-6])
    with pytest.raises(FoiltwinInputError):
        check_fractions("x", [float("nan")])


@pytest.mark.unit
@pytest.mark.parametrize(("where", "model"), [("stage3_histories", "stage-III web heater"),
                                               ("stage3_conversion", "Cu–Zn diffusion model")])
def test_a_stage3_failure_names_the_model_that_failed(monkeypatch, where, model):
    """Every stage-III failure read 'settings the Cu–Zn diffusion model can solve', also when the web heater's
    solve failed (found by the heater-jump fix); the message now names the model that failed."""
    from process_models.errors import ModelConvergenceError
    from process_models.uht import recipe as rec

    def fail(*_a, **_k):
        raise ModelConvergenceError("peak_K", 1100.0, "a peak it can reach", "Newton failed", rows=(0,))

    monkeypatch.setattr(rec, where, fail)
    with pytest.raises(ModelConvergenceError) as err:
        evaluate_recipe(UHTRecipe(), PARAMS)
    assert err.value.field == "stage3" and f"settings the {model} can solve" in err.value.allowed
