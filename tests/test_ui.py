"""The dashboard: its pure modules (widgets ⇄ overrides ⇄ Scenario, display tables) and the page, headless."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from process_models.collector.recipe import CoilAnnealStep, CollectorRecipe
from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from process_models.uht.recipe import UHTRecipe
from twin.scenario import Scenario, scenario_json_schema
from twin.simulate import run_single
from ui import data_folder
from ui import kpi_tables as tables
from ui.figures import run_figures
from ui.lab import LabInputs, lab_recipe
from ui.whatif import (
    KNOB,
    KNOBS,
    STEPS,
    baseline_scenario,
    build_whatif,
    describe_error,
    field_bounds,
    inputs_from_scenario,
    inputs_to_overrides,
    parse_overrides,
    round_to_step,
    rounded_settings,
    scenario_from_json,
    scenario_from_toml_bytes,
    scenario_json,
    settings_from_optimiser,
    settings_to_inputs,
)

APP = str(Path(__file__).resolve().parents[1] / "ui" / "app.py")
UHT = "plant.lines.1.settings"  # the default plant: ed-1 (index 0) → coil store → uht-1 (index 1)
ED = "plant.lines.0.settings"

# what the optimiser returns in ``result.settings`` (the shape of optimizer.solution.Point.settings)
VAPOUR_COMMERCIAL = {
    "mode": "vapour_commercial", "zn_route": "vapour", "substrate": "commercial",
    "uht": {"line": "uht-1", "web_speed_m_per_min": 3.5, "stage2_modules_on": 3, "stage2_modules_installed": 4,
            "stage2_heated_length_m": 1.5, "stage2_temperature_K": 845.0, "stage2_time_s": 25.7,
            "stage3_peak_K": 1095.0, "stage3_time_ms": 8.57, "stage3_heater_length_mm": 0.5, "cooling": "contact"},
    "electrodeposition": None, "coil_anneal": None, "thickness_guard_band_sigma": 3.0,
}
ELECTROFORMED_ANNEALED = {
    **VAPOUR_COMMERCIAL, "mode": "vapour_electroformed", "substrate": "electroformed",
    "electrodeposition": {"line": "ed-1", "bath": "cu_acid_sulfate_fsi", "current_density_A_per_m2": 400.0,
                          "tanks_on": 5, "tanks_installed": 6, "web_speed_m_per_min": 1.25, "plating_time_s": 600.0},
    "coil_anneal": {"furnaces": ["anneal-1"], "coils_per_batch": 4, "soak_temperature_K": 1300.0, "soak_h": 5.0},
}


# ------------------------------------------------------------------------------------------------- bounds
@pytest.mark.unit
def test_widget_bounds_are_the_scenario_fields_bounds():
    schema = scenario_json_schema()
    for knob in KNOBS:
        if knob.field in ("enabled", "bath"):
            continue
        props = schema["properties"] if knob.model is Scenario else schema["$defs"][knob.model.__name__]["properties"]
        prop = props[knob.field]
        prop = next((p for p in prop.get("anyOf", [prop]) if p.get("type") != "null"), prop)
        b = knob.bounds
        assert b.low == prop.get("minimum", prop.get("exclusiveMinimum")), knob.attr
        assert b.low_inclusive == ("exclusiveMinimum" not in prop), knob.attr
        assert b.high == prop.get("maximum", prop.get("exclusiveMaximum")), knob.attr
        assert b.high_inclusive == ("exclusiveMaximum" not in prop), knob.attr
    speed = KNOB["uht_web_speed_m_per_min"].bounds  # gt 0: the widget leaves the open side to the validation
    assert (speed.widget_min, speed.widget_max, speed.text("m/min")) == (None, 100.0, "(0, 100] m/min")
    assert KNOB["plating_tank_count"].integer and KNOB["seed"].integer
    assert field_bounds(type(Scenario().plant.lines[0].settings), "bath").low is None
    with pytest.raises(FoiltwinInputError):
        field_bounds(Scenario, "no_such_field")


# ------------------------------------------------------------------------------------------------- what-if
@pytest.mark.unit
def test_unchanged_widgets_give_no_overrides_and_the_base_scenario():
    base = Scenario()
    inputs = inputs_from_scenario(base)
    assert inputs.uht_stage3_peak_K == base.plant.lines[1].settings.stage3_peak_K  # the default line's set point
    assert inputs.plating_in_use is True and inputs.furnace_enabled is False
    assert inputs_to_overrides(base, inputs) == []
    wi = build_whatif(base, inputs)
    assert wi.scenario == base and wi.overrides == () and not wi.plating_dropped
    assert wi.scenario.plant.lines[1].settings.stage3_peak_K == base.plant.lines[1].settings.stage3_peak_K


@pytest.mark.unit
def test_widget_values_round_trip_through_overrides_and_the_scenario():
    base = Scenario()
    inputs = replace(inputs_from_scenario(base), uht_web_speed_m_per_min=1.7, uht_stage2_temperature_K=780.0,
                     uht_stage2_zone_length_m=1.5, uht_stage2_modules_on=2, uht_stage3_peak_K=1050.0,
                     furnace_enabled=True,
                     furnace_soak_temperature_K=1273.15, furnace_soak_h=3.5, plating_web_speed_m_per_min=0.8,
                     plating_current_density_A_per_m2=400.0, plating_bath="cu_acid_sulfate_fsi",
                     plating_tank_count=5, plating_out_of_spec_foil="cut_out", hours=2.0, seed=7)
    overrides = inputs_to_overrides(base, inputs)
    assert overrides == [
        f"{UHT}.web_speed_m_per_min=1.7", f"{UHT}.stage2_temperature_K=780.0", f"{UHT}.stage2_zone_length_m=1.5",
        f"{UHT}.stage2_modules_on=2", f"{UHT}.stage3_peak_K=1050.0", "plant.furnaces.0.settings.enabled=true",
        "plant.furnaces.0.settings.soak_temperature_K=1273.15", "plant.furnaces.0.settings.soak_h=3.5",
        f"{ED}.web_speed_m_per_min=0.8", f"{ED}.current_density_A_per_m2=400.0", f'{ED}.bath="cu_acid_sulfate_fsi"',
        f"{ED}.tank_count=5", 'plant.lines.0.out_of_spec_foil="cut_out"', "hours=2.0", "seed=7"]
    wi = build_whatif(base, inputs)
    assert inputs_from_scenario(wi.scenario) == inputs
    assert wi.scenario.plant.lines[0].out_of_spec_foil == "cut_out"  # the line's own field, not its settings
    u = wi.scenario.plant.lines[1].settings
    assert (u.web_speed_m_per_min, u.stage3_peak_K, wi.scenario.hours, wi.scenario.seed) == (1.7, 1050.0, 2.0, 7)
    # the JSON the cache is keyed on gives the same scenario back
    assert scenario_from_json(scenario_json(wi.scenario)) == wi.scenario
    # the baseline of the comparison changes only the horizon and the seed
    baseline = baseline_scenario(base, inputs)
    assert baseline == base.model_copy(update={"hours": 2.0, "seed": 7})
    # free-form overrides come after the widgets' and win
    wi2 = build_whatif(base, inputs, parse_overrides(f"# comment\n\n{UHT}.web_speed_m_per_min = 2.5\n"))
    assert wi2.scenario.plant.lines[1].settings.web_speed_m_per_min == 2.5


@pytest.mark.unit
def test_plating_line_not_in_use_leaves_it_out():
    base = Scenario()
    wi = build_whatif(base, replace(inputs_from_scenario(base), plating_in_use=False))
    assert wi.plating_dropped and wi.overrides == ()
    assert [ln.type for ln in wi.scenario.plant.lines] == ["uht"]
    assert wi.scenario.plant.lines[0] == base.plant.lines[1]
    assert inputs_from_scenario(wi.scenario).plating_in_use is None  # nothing left to switch


@pytest.mark.unit
def test_bad_values_are_input_errors_naming_the_field():
    base = Scenario()
    inputs = inputs_from_scenario(base)
    cases = [
        (replace(inputs, uht_web_speed_m_per_min=-1.0), [], f"{UHT}.web_speed_m_per_min"),
        (replace(inputs, uht_stage2_temperature_K=1200.0), [], f"{UHT}.stage2_temperature_K"),
        (replace(inputs, hours=-3.0), [], "hours"),
        (inputs, [f"{UHT}.web_speed_m_per_min=-1"], f"{UHT}.web_speed_m_per_min"),
        (inputs, [f"{UHT}.no_such_field=1"], f"{UHT}.no_such_field"),
    ]
    for wi_inputs, extra, field in cases:
        with pytest.raises(FoiltwinInputError) as err:
            build_whatif(base, wi_inputs, extra)
        assert err.value.field == field
        text = describe_error(err.value)
        assert field in text and str(err.value.allowed) in text
    with pytest.raises(FoiltwinInputError) as err:
        parse_overrides("hours=2\nnot an override")
    assert err.value.field == "overrides" and err.value.value == "not an override"
    with pytest.raises(FoiltwinInputError) as err:
        build_whatif(base, inputs, [f"{UHT}.web_speed_m_per_min=-1"])
    assert "-1" in describe_error(err.value) and "must lie in (0, 100]" in describe_error(err.value)


@pytest.mark.unit
def test_uploaded_scenario_files():
    sc = scenario_from_toml_bytes("mine.toml", b'name = "short"\nhours = 3\nseed = 5\n')
    assert (sc.name, sc.hours, sc.seed) == ("short", 3.0, 5)
    with pytest.raises(FoiltwinInputError) as err:
        scenario_from_toml_bytes("broken.toml", b"hours = [")
    assert (err.value.field, err.value.value) == ("scenario", "broken.toml")
    with pytest.raises(FoiltwinInputError) as err:
        scenario_from_toml_bytes("bad.toml", b"hours = -1\n")
    assert err.value.field == "hours"
    with pytest.raises(FoiltwinInputError) as err:  # a registry override is checked on load, not at the first run
        scenario_from_toml_bytes("params.toml", b"[parameters]\nno_such_parameter_K = 3.0\n")
    assert "no_such_parameter_K" in str(err.value)


# ------------------------------------------------------------------------------------------------- optimiser → what-if
@pytest.mark.unit
def test_optimiser_settings_become_overrides_and_widget_values():
    base = Scenario()
    ps = settings_from_optimiser(VAPOUR_COMMERCIAL, base)
    assert ps.uht["uht-1"] == base.plant.lines[1].settings.model_copy(update={
        "web_speed_m_per_min": 3.5, "stage2_modules_on": 3, "stage2_temperature_K": 845.0, "stage3_peak_K": 1095.0})
    assert ps.plating["ed-1"] == base.plant.lines[0].settings  # the mode does not use it: unchanged here
    assert [a.enabled for a in ps.anneal.values()] == [False]
    now = replace(inputs_from_scenario(base), hours=2.0, seed=3)
    x = settings_to_inputs(VAPOUR_COMMERCIAL, base, now)
    assert (x.uht_web_speed_m_per_min, x.uht_stage2_zone_length_m, x.uht_stage2_modules_on,
            x.uht_stage2_temperature_K, x.uht_stage3_peak_K) == (3.5, 2.0, 3, 845.0, 1095.0)
    assert (x.plating_in_use, x.furnace_enabled, x.hours, x.seed) == (False, False, 2.0, 3)  # commercial foil
    wi = build_whatif(base, x)
    assert [ln.name for ln in wi.scenario.plant.lines] == ["uht-1"] and wi.plating_dropped

    ps = settings_from_optimiser(ELECTROFORMED_ANNEALED, base)
    assert ps.plating["ed-1"] == base.plant.lines[0].settings.model_copy(update={
        "web_speed_m_per_min": 1.25, "current_density_A_per_m2": 400.0, "bath": "cu_acid_sulfate_fsi",
        "tank_count": 5})
    assert ps.anneal["anneal-1"] == base.plant.furnaces[0].settings.model_copy(update={
        "enabled": True, "soak_temperature_K": 1300.0, "soak_h": 5.0})
    y = settings_to_inputs(ELECTROFORMED_ANNEALED, base)
    assert (y.plating_in_use, y.plating_bath, y.plating_tank_count, y.plating_current_density_A_per_m2) == (
        True, "cu_acid_sulfate_fsi", 5, 400.0)
    assert (y.furnace_enabled, y.furnace_soak_temperature_K, y.furnace_soak_h) == (True, 1300.0, 5.0)
    sc = build_whatif(base, y).scenario
    assert sc.plant.lines[0].settings.tank_count == 5 and sc.plant.furnaces[0].settings.enabled


@pytest.mark.unit
def test_optimiser_settings_are_rounded_to_the_widget_steps_inside_the_bounds():
    assert round_to_step("uht_web_speed_m_per_min", 2.73994) == 2.7
    assert round_to_step("uht_stage3_peak_K", 1097.85) == 1098.0  # the twin's 1 K grid
    assert round_to_step("furnace_soak_h", 5.13) == 5.25 and round_to_step("seed", 7.4) == 7.4  # no step: kept
    hi = KNOB["uht_web_speed_m_per_min"].bounds.high
    assert round_to_step("uht_web_speed_m_per_min", hi - 0.04) == hi
    lo = KNOB["uht_stage2_temperature_K"].bounds.low  # the nearest grid value below the bound is refused
    assert round_to_step("uht_stage2_temperature_K", lo - 1.0) >= lo
    odd = {**VAPOUR_COMMERCIAL, "uht": {**VAPOUR_COMMERCIAL["uht"], "web_speed_m_per_min": 2.73994,
                                        "stage2_temperature_K": 847.456, "stage3_peak_K": 1097.85}}
    base = Scenario()
    x = settings_to_inputs(odd, base)
    assert (x.uht_web_speed_m_per_min, x.uht_stage2_temperature_K, x.uht_stage3_peak_K) == (2.7, 845.0, 1098.0)
    assert x.uht_stage2_modules_on == 3  # integers are not stepped
    assert rounded_settings(odd, base, x) == ["web speed 2.73994 → 2.7 m/min", "stage-II temperature 847.456 → 845 K",
                                              "stage-III peak 1097.85 → 1098 K"]
    assert rounded_settings(VAPOUR_COMMERCIAL, base, settings_to_inputs(VAPOUR_COMMERCIAL, base)) == []


@pytest.mark.unit
@pytest.mark.parametrize("lo_K", [1061.3, 1102.0, 1140.5, 1147.8])
def test_a_rounded_stage3_peak_stays_inside_the_narrowest_alpha_window(lo_K):
    """The single-phase-α window of a line is 10-20 K wide: every optimum at least half a step inside a 10 K window
    stays inside it when the what-if rounds it (the former 5 K step made 1142.4 K in [1141.3, 1151.3] 1140 K)."""
    hi_K = lo_K + 10.0
    step = STEPS["uht_stage3_peak_K"]
    assert step <= 1.0
    for t in np.arange(lo_K + 0.5 * step, hi_K - 0.5 * step + 1e-9, 0.1):
        assert lo_K <= round_to_step("uht_stage3_peak_K", float(t)) <= hi_K


@pytest.mark.unit
def test_optimiser_cost_and_the_line_that_compares_it_with_the_whatif():
    result = {"predicted": {"cost_per_m2": 3.2}, "checked": {"cost_per_m2": 3.1}, "verified": None, "currency": "USD"}
    assert tables.optimiser_cost(result)["value"] == 3.1 and "process-model" in tables.optimiser_cost(result)["source"]
    assert "twin check" in tables.optimiser_cost({**result, "verified": {"cost_per_m2": 3.3}})["source"]
    assert tables.optimiser_cost({"predicted": {}, "checked": None}) is None
    applied = {"cost": tables.optimiser_cost(result), "currency": "USD", "rounded": ["web speed 2.73994 → 2.7 m/min"]}
    line = tables.cost_comparison_line(applied, 2.848, 1.0, 3, plating_dropped=True)
    assert line.startswith("Cost of the optimiser's settings: optimiser 3.1 USD/m² from its process-model check")
    assert "this what-if 2.848 USD/m² (twin, mean of 3 runs of 1 h" in line and "bought foil not priced" in line
    assert line.endswith("Settings rounded to the widget step: web speed 2.73994 → 2.7 m/min.")
    same = tables.cost_comparison_line({**applied, "rounded": []}, 3.101, 24.0, 1)
    assert same.endswith("— the same to 0.5 %.") and "1 run of 24 h" in same
    assert "the optimiser gave none" in tables.cost_comparison_line({"cost": None}, 2.0, 1.0, 1)


@pytest.mark.unit
def test_kpi_comparison_over_paired_replications_shows_means_and_intervals():
    from twin.replications import PairedReplications, paired_deltas

    def rep(thr, yld, cost):
        return _report(thr, yld, {"mean": 470.0, "p05": 450.0, "p95": 490.0}, "alpha", cost, {})

    a = [rep(30.0, 0.90, 20.0), rep(32.0, 0.92, 19.0), rep(31.0, 0.91, 21.0)]
    b = [rep(45.0, 0.95, 15.0), rep(47.0, 0.91, 14.0), rep(46.0, 0.94, 16.0)]
    paired = PairedReplications((1, 2, 3), tuple(a), tuple(b), paired_deltas(a, b))
    rows = {(r.scope, r.kpi): r for r in tables.compare_reports(a[0], b[0], paired)}
    thr = rows[("plant", "throughput (good)")]
    assert (thr.baseline, thr.whatif, thr.delta) == (31.0, 46.0, 15.0)  # means, the paired mean Δ
    cells = {(c["scope"], c["KPI"]): c for c in tables.comparison_table(list(rows.values()))}
    assert cells[("plant", "throughput (good)")]["95 % CI of Δ"] == "± 0"  # the same Δ in every pair
    assert cells[("plant", "throughput (good)")]["significant"] == "yes"
    y = cells[("plant", "yield")]  # Δ 5, -1, 3 pp: t-interval ± 7.6 pp includes 0
    assert (y["Δ"], y["95 % CI of Δ"], y["significant"]) == ("+2.3 pp", "± 7.6 pp", "no")
    assert cells[("plant", "skin phase")]["95 % CI of Δ"] == ""  # text: no interval
    cards = {c["label"]: c for c in tables.headline(list(rows.values()))}
    assert list(cards) == ["throughput (good) [m²/h]", "metres produced [m]", "yield [%]", "cost [USD/m²]"]
    assert cards["cost [USD/m²]"] == {"label": "cost [USD/m²]", "value": "15", "delta": "-5 ± 0 (significant)"}
    assert cards["yield [%]"]["delta"] == "+2.3 pp ± 7.6 pp"


# ------------------------------------------------------------------------------------------------- tables
def _report(thr, yld, skin, phase, cost, lines):
    return {"throughput_m2_per_h": thr, "metres_produced": 100.0, "yield_fraction": yld, "oee": 0.8,
            "availability": 0.9, "performance": 1.0, "quality": yld, "skin_thickness_nm": skin, "skin_phase": phase,
            "texture_fraction_100": 0.08, "energy_kwh_per_m2": None, "cost_per_m2": cost, "lines": lines}


@pytest.mark.unit
def test_kpi_comparison_of_a_known_pair():
    uht_a = {"type": "uht", "throughput_m2_per_h": 30.0, "yield_fraction": 0.9, "cost_per_m2": 8.0}
    uht_b = {"type": "uht", "throughput_m2_per_h": 45.0, "yield_fraction": 0.95, "cost_per_m2": 6.0}
    a = _report(30.0, 0.9, {"mean": 470.0, "p05": 450.0, "p95": 490.0}, "alpha", 20.0,
                {"ed-1": {"type": "electrodeposition", "throughput_m2_per_h": 30.0, "bath": "cu_acid_sulfate"},
                 "uht-1": uht_a})
    b = _report(45.0, 0.95, {"mean": 440.0, "p05": 420.0, "p95": 460.0}, "alpha+gamma", 15.0, {"uht-1": uht_b})
    rows = {(r.scope, r.kpi): r for r in tables.compare_reports(a, b)}
    thr = rows[("plant", "throughput (good)")]
    assert (thr.baseline, thr.whatif, thr.delta, thr.delta_rel) == (30.0, 45.0, 15.0, 0.5)
    assert rows[("plant", "yield")].delta == pytest.approx(0.05)
    assert rows[("plant", "skin thickness p05")].delta == -30.0
    assert rows[("plant", "cost")].delta_rel == -0.25
    assert rows[("plant", "skin phase")].changed and rows[("plant", "skin phase")].delta is None
    assert not rows[("plant", "OEE")].changed and rows[("plant", "energy")].delta is None
    assert rows[("uht-1 (uht)", "throughput (good)")].delta == 15.0
    gone = rows[("ed-1 (electrodeposition)", "throughput (good)")]  # the line is not in the what-if
    assert (gone.whatif, gone.delta, gone.changed) == (None, None, True)
    cells = {(c["scope"], c["KPI"]): c for c in tables.comparison_table(list(rows.values()))}
    assert cells[("plant", "throughput (good)")] == {
        "scope": "plant", "KPI": "throughput (good)", "unit": "m²/h", "baseline": "30", "what-if": "45",
        "Δ": "+15", "Δ %": "+50.0 %", "95 % CI of Δ": "", "significant": ""}
    assert (cells[("plant", "yield")]["what-if"], cells[("plant", "yield")]["Δ"]) == ("95.0 %", "+5.0 pp")
    assert cells[("plant", "skin phase")]["Δ"] == "changed"
    assert (cells[("plant", "energy")]["baseline"], cells[("plant", "OEE")]["Δ"]) == ("–", "0")
    assert cells[("ed-1 (electrodeposition)", "throughput (good)")]["what-if"] == "–"


@pytest.mark.unit
def test_optimisation_display_tables():
    result = {"status": "infeasible", "settings": VAPOUR_COMMERCIAL,
              "predicted": {"skin_thickness_nm": 444.0, "single_phase_alpha": True, "cost_per_m2": 3.18},
              "checked": {"skin_thickness_nm": 443.9, "skin_phase": "alpha", "cost_per_m2": 3.17},
              "verified": None,
              "infeasibility": {"conflicting_targets": ["min_texture_100"],
                                "violations": {"min_texture_100": {"amount": 0.05, "unit": "(100) area fraction"}}}}
    kpis = {r["KPI"]: r for r in tables.optimisation_kpi_table(result)}
    assert kpis["skin thickness"] == {"KPI": "skin thickness", "unit": "nm", "predicted": "444",
                                           "models": "443.9", "twin": "–"}
    assert kpis["skin phase"]["predicted"] == "alpha" and kpis["cost"]["unit"] == "USD/m²"
    assert "surface Zn" not in kpis  # nothing to show in any column
    assert tables.infeasibility_table(result) == [{"target": "min_texture_100", "must give way by": "0.05",
                                                   "unit": "(100) area fraction", "note": ""}]
    settings = {r["setting"]: r["value"] for r in tables.settings_table(VAPOUR_COMMERCIAL)}
    assert settings["uht.web_speed_m_per_min"] == "3.5" and settings["mode"] == "vapour_commercial"
    assert "electrodeposition" not in settings


@pytest.mark.unit
def test_lab_inputs_make_the_collector_recipe():
    params = default_parameters()
    default = lab_recipe(LabInputs())
    assert default.uht.validated(params) == UHTRecipe().validated(params)
    assert replace(default, uht=UHTRecipe()) == CollectorRecipe(uht=UHTRecipe())
    r = lab_recipe(LabInputs(foil_thickness_um=12.0, stage3_time_ms=20.0, coil_anneal=True,
                             anneal_soak_temperature_K=1273.15, anneal_soak_h=2.5))
    assert (r.uht.foil_thickness_m, r.uht.stage3_time_s) == (12e-6, 0.02)
    assert r.coil_anneal == CoilAnnealStep(1273.15, 9000.0)


@pytest.mark.component
def test_run_figures_from_the_logs_of_a_short_run(tmp_path):
    sc = build_whatif(Scenario(), replace(inputs_from_scenario(Scenario()), hours=2.0)).scenario
    report = run_single(sc, out_dir=tmp_path)
    figs = dict(run_figures(report, tmp_path))
    assert list(figs) == ["Equipment states", "Skin thickness along the web", "OEE waterfall", "Cost breakdown"]
    assert all(len(f.data) > 0 for f in figs.values())


# ------------------------------------------------------------------------------------------------- the page
def _app():
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(APP, default_timeout=120).run()


def _ok(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


@pytest.mark.integration
def test_app_renders_with_widget_bounds_from_the_scenario_and_evaluates_a_recipe():
    at = _app()
    _ok(at)
    assert [t.label for t in at.tabs] == ["Plant what-if", "Optimise", "Recipe (lab)", "Batches", "Compare",
                                          "Calibrate", "Drift"]
    t2 = at.number_input(key="wi.uht_stage2_temperature_K")
    b = KNOB["uht_stage2_temperature_K"].bounds
    assert (t2.value, t2.min, t2.max) == (750.0, b.low, b.high)
    speed = at.number_input(key="wi.uht_web_speed_m_per_min")
    assert speed.max == KNOB["uht_web_speed_m_per_min"].bounds.high
    assert not at.error and not at.dataframe
    # the lab tab: one recipe through the process models, and a bad value named by its field
    at.button(key="FormSubmitter:lab_form-Evaluate recipe").click().run()
    _ok(at)
    kpis = at.dataframe[0].value
    assert kpis[kpis["KPI"] == "skin phase"].iloc[0]["value"] == "alpha"
    at.number_input(key="lab.s2").set_value(-5.0)
    at.button(key="FormSubmitter:lab_form-Evaluate recipe").click().run()
    _ok(at)
    assert any("`stage2_time_s`" in e.value for e in at.error)


@pytest.mark.integration
def test_app_run_shows_the_kpi_table_and_bad_values_show_errors():
    at = _app()
    at.number_input(key="wi.hours").set_value(2.0)
    at.number_input(key="wi.uht_web_speed_m_per_min").set_value(1.2)
    at.button(key="run").click().run()
    _ok(at)
    assert not at.error
    table = at.dataframe[0].value
    assert list(table.columns) == ["scope", "KPI", "unit", "baseline", "what-if", "Δ", "Δ %", "95 % CI of Δ",
                                   "significant"]
    row = table[(table["scope"] == "plant") & (table["KPI"] == "metres produced")].iloc[0]
    assert (row["baseline"], row["what-if"], row["Δ"]) == ("120", "144", "+24")  # 1 → 1.2 m/min for 2 h
    # three replications by default, paired by seed: the same +24 m in each pair, an interval of ± 0
    assert (row["95 % CI of Δ"], row["significant"]) == ("± 0", "yes")
    assert any("3 replications, seeds 1–3" in h.value for h in at.subheader)
    cards = {m.label: m for m in at.metric}
    assert cards["metres produced [m]"].value == "144" and cards["metres produced [m]"].delta.startswith("+24 ± 0")
    assert "cost [USD/m²]" in cards
    at.number_input(key="wi.replications").set_value(1).run()
    assert any("inputs changed since this run" in w.value for w in at.warning)
    at.button(key="run").click().run()
    _ok(at)
    assert any("1 replication, seed 1" in h.value for h in at.subheader)
    assert set(at.dataframe[0].value["95 % CI of Δ"]) == {""}
    assert len(at.get("plotly_chart")) >= 3
    # a bad widget value and a bad override: an error element naming the field, never an exception
    at.number_input(key="wi.hours").set_value(-3.0)
    at.button(key="run").click().run()
    _ok(at)
    assert any("`hours`" in e.value for e in at.error)
    at.number_input(key="wi.hours").set_value(2.0)
    at.text_area(key="wi.extra").input(f"{UHT}.web_speed_m_per_min=-1")
    at.button(key="run").click().run()
    _ok(at)
    assert any(f"`{UHT}.web_speed_m_per_min`" in e.value and "-1" in e.value for e in at.error)
    # a value inside the field's bounds where the models give no skin (100 m/min): the twin runs, every metre is
    # scrap and the table says so (no cost per good m²), no error
    at.text_area(key="wi.extra").input("")
    at.number_input(key="wi.uht_web_speed_m_per_min").set_value(100.0)
    at.button(key="run").click().run()
    _ok(at)
    assert not at.error and at.dataframe
    # bad targets are refused before the solver starts
    at.number_input(key="opt.tol").set_value(900.0)
    at.button(key="FormSubmitter:opt_form-Optimise").click().run()
    _ok(at)
    assert any("`tolerance_nm`" in e.value for e in at.error)


@pytest.mark.integration
def test_app_optimise_then_use_as_whatif_and_infeasible_targets():
    at = _app()
    at.checkbox(key="opt.twin").uncheck()
    at.button(key="FormSubmitter:opt_form-Optimise").click().run()
    _ok(at)
    assert at.success and "optimal" in at.success[0].value
    result = at.session_state["opt.result"]
    settings = result["settings"]
    at.button(key="opt.use").click().run()
    _ok(at)
    speed = at.number_input(key="wi.uht_web_speed_m_per_min").value
    assert speed == round_to_step("uht_web_speed_m_per_min", settings["uht"]["web_speed_m_per_min"])
    peak = at.number_input(key="wi.uht_stage3_peak_K").value
    assert peak % STEPS["uht_stage3_peak_K"] == 0.0  # on the widget's grid, within half a kelvin of the optimum
    assert abs(peak - settings["uht"]["stage3_peak_K"]) <= 0.5 * STEPS["uht_stage3_peak_K"] + 1e-9
    assert at.number_input(key="wi.uht_stage2_modules_on").value == settings["uht"]["stage2_modules_on"]
    assert at.checkbox(key="wi.plating_in_use").value is (settings["electrodeposition"] is not None)
    at.number_input(key="wi.hours").set_value(2.0)
    at.number_input(key="wi.replications").set_value(1)
    at.button(key="run").click().run()
    _ok(at)
    assert not at.error and "what-if" in at.dataframe[0].value.columns
    # the optimiser's cost of these settings beside the what-if's, both numbers in one line
    cost = tables.optimiser_cost(result)["value"]
    line = next(c.value for c in at.caption if c.value.startswith("Cost of the optimiser's settings"))
    assert f"optimiser {tables.fmt(cost)} USD/m²" in line and "this what-if " in line and "1 run of 2 h" in line
    # another what-if (a changed speed) is not these settings: no such line
    at.number_input(key="wi.uht_web_speed_m_per_min").set_value(speed + 0.1)
    at.button(key="run").click().run()
    _ok(at)
    assert not any(c.value.startswith("Cost of the optimiser's settings") for c in at.caption)
    # infeasible targets: the conflicting target and the nearest point, no exception
    at.number_input(key="opt.tex").set_value(0.95)
    at.button(key="FormSubmitter:opt_form-Optimise").click().run()
    _ok(at)
    assert any("infeasible" in e.value and "min_texture_100" in e.value for e in at.error)
    assert any(m.value == "**Nearest achievable point**" for m in at.markdown)
    assert any(b.label == "Use the nearest point as what-if" for b in at.button)
    # the session's second optimisation on the same plant reused the first one's coarse tables and recipes
    cache, _ = at.session_state["opt.cache"]
    assert cache.coarse.hits >= 1 and cache.recipes.hits > 0


# ------------------------------------------------------------------------------------------------- batches tab
@pytest.fixture(scope="module")
def batch_db(tmp_path_factory):
    from twin.batch import BatchSpec, NamedScenario, run_batch

    db = tmp_path_factory.mktemp("batch") / "r.duckdb"
    spec = BatchSpec(name="tab", hours=1.0, scenarios=(
        NamedScenario(name="narrow", set=("plant.lines=[{type = 'uht'}]",)),
        NamedScenario(name="wide", set=("plant.lines=[{type = 'uht'}]", "plant.incoming_coils.width_m=1.0")),
        NamedScenario(name="broken", set=("plant.lines=[{type = 'uht', settings = {web_speed_m_per_min = 500.0}}]",)),
    ))
    run_batch(spec, db)
    return db


@pytest.fixture(scope="module")
def sweep_db(tmp_path_factory):
    """A 2 × 2 sweep (UHT web speed × coil width) with two replications of a UHT-only plant, 1 h each."""
    from twin.batch import BatchSpec, run_batch

    db = tmp_path_factory.mktemp("sweep") / "s.duckdb"
    spec = BatchSpec(name="sweep", hours=1.0, replications=2, scenarios=(), sweep={
        "plant.lines": [[{"type": "uht"}]],
        "plant.lines.0.settings.web_speed_m_per_min": [1.0, 1.5],
        "plant.incoming_coils.width_m": [0.5, 1.0]})
    run_batch(spec, db)
    return db


@pytest.mark.component
def test_batch_view_shows_status_failures_and_a_numeric_summary(batch_db):
    from ui import batch_view

    view = batch_view.batch_overview(batch_db)
    assert view["status"]["counts"] == {"ok": 2, "failed": 1} and not view["status"]["aliases"]
    fails = batch_view.failure_rows(view["status"])
    assert fails[0]["scenario"] == "broken" and fails[0]["field"].endswith("web_speed_m_per_min")
    labels = batch_view.scenario_labels(view["summary"], view["factors"])
    assert labels == {"narrow": "narrow", "wide": "wide"}  # no factors: the names
    rows, columns = batch_view.summary_table(view["summary"], labels, view["factors"])
    by = {r["scenario"]: r for r in rows}
    assert set(by) == {"narrow", "wide"} and by["wide"]["runs ok"] == 1
    assert by["wide"]["throughput_m2_per_h"] == pytest.approx(2.0 * by["narrow"]["throughput_m2_per_h"])
    assert isinstance(by["wide"]["yield_fraction"], float) and 0.0 < by["wide"]["yield_fraction"] <= 100.0  # in %
    assert by["wide"]["throughput_m2_per_h ±95%"] is None  # one run: no interval
    assert columns["throughput_m2_per_h"] == {"label": "throughput (good) [m²/h]", "format": "%.4g"}
    assert columns["yield_fraction"]["label"] == "yield [%]"
    fig = batch_view.replications_figure(view["runs"], labels, "throughput_m2_per_h")
    assert [t.name for t in fig.data] == ["narrow", "wide"]  # the failed scenario has no points
    assert list(fig.data[1].y) == [by["wide"]["throughput_m2_per_h"]] and not fig.data[2:]
    assert batch_view.main_effects_figure(view["runs"], view["factors"], "cost_per_m2") is None
    with pytest.raises(FoiltwinInputError):
        batch_view.batch_overview(batch_db.parent / "missing.duckdb")


@pytest.mark.component
def test_batch_view_labels_from_factors_main_effects_and_compare(sweep_db):
    from ui import batch_view

    view = batch_view.batch_overview(sweep_db)
    factors = view["factors"]
    assert factors == ["plant.lines", "plant.lines.0.settings.web_speed_m_per_min", "plant.incoming_coils.width_m"]
    assert batch_view.short_names(factors)["plant.lines.0.settings.web_speed_m_per_min"] == "web_speed_m_per_min"
    labels = batch_view.scenario_labels(view["summary"], factors)
    assert all("web_speed_m_per_min=" in t and "width_m=" in t for t in labels.values())
    assert len(set(labels.values())) == 4 and all(len(t) < 120 for t in labels.values())
    rows, columns = batch_view.summary_table(view["summary"], labels, factors)
    assert [r["runs ok"] for r in rows] == [2, 2, 2, 2] and [r["scenario"] for r in rows] == list(labels.values())
    assert all(isinstance(r["throughput_m2_per_h"], float) and r["throughput_m2_per_h ±95%"] is not None
               for r in rows)
    assert columns["plant.lines.0.settings.web_speed_m_per_min"] == {"label": "web_speed_m_per_min", "format": "%g"}
    assert [r["plant.incoming_coils.width_m"] for r in rows] == [0.5, 1.0, 0.5, 1.0]
    # main effects: each level's mean over every run at that level; a wider coil doubles the good area per hour
    fig = batch_view.main_effects_figure(view["runs"], factors, "throughput_m2_per_h")
    speed, width = list(fig.data)  # "plant.lines" has one level: no panel
    key = "plant.lines.0.settings.web_speed_m_per_min"
    at_1 = [r["throughput_m2_per_h"] for r in view["runs"] if r[key] == 1.0]
    assert list(speed.x) == ["1", "1.5"] and speed.y[0] == pytest.approx(sum(at_1) / 4)
    assert list(width.x) == ["0.5", "1"] and width.y[1] == pytest.approx(2.0 * width.y[0], rel=0.05)
    assert list(speed.customdata) == [4, 4]  # each level's mean over 2 points × 2 replications
    # compare two of them side by side, numbers with intervals, overlaid
    chosen = [s["scenario"] for s in view["summary"]][:3]
    table, cols = batch_view.compare_table(view["summary"], chosen, labels)
    thr_row = next(r for r in table if r["KPI"] == "throughput (good) [m²/h]")
    assert [cols[f"{i}:mean"]["label"] for i in range(3)] == [labels[c] for c in chosen]
    assert all(isinstance(thr_row[f"{i}:mean"], float) and thr_row[f"{i}:ci"] is not None for i in range(3))
    cfig = batch_view.compare_figure(view["summary"], chosen, labels)
    assert [t.name for t in cfig.data] == [labels[c] for c in chosen]
    assert set(cfig.data[0].y) == {0.0}  # the first scenario is the reference
    reps = batch_view.replications_figure(view["runs"], labels, "throughput_m2_per_h", chosen)
    assert [len(t.y) for t in reps.data] == [2, 2, 2]
    for bad in ([chosen[0]], [*chosen, *chosen], ["nope", chosen[0]], [s["scenario"] for s in view["summary"]] * 2):
        with pytest.raises(FoiltwinInputError, match="compare"):
            batch_view.compare_table(view["summary"], bad, labels)


def _digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def data_dir(batch_db, tmp_path, monkeypatch):
    """A data folder with the batch database, a truncated copy, another application's DuckDB file, a symlink to
    a database outside the folder, and a sub-folder; the page is pointed at it."""
    import duckdb

    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "r.duckdb").write_bytes(batch_db.read_bytes())
    data = batch_db.read_bytes()
    (folder / "cut.duckdb").write_bytes(data[: len(data) // 50])
    con = duckdb.connect(str(folder / "other.duckdb"))
    con.execute("CREATE TABLE customers (name VARCHAR)")
    con.close()
    outside = tmp_path / "secret.duckdb"
    outside.write_bytes(data)
    (folder / "link.duckdb").symlink_to(outside)
    (folder / "sub").mkdir()
    (folder / "sub" / "deep.duckdb").write_bytes(data)
    (folder / "notes.txt").write_text("x")
    monkeypatch.setenv("FOILTWIN_DATA_DIR", str(folder))
    return folder


@pytest.mark.unit
def test_only_databases_really_in_the_data_folder_can_be_chosen(data_dir):
    from ui import batch_view

    assert data_folder.data_dir() == data_dir
    assert batch_view.list_databases(data_dir) == ["cut.duckdb", "other.duckdb", "r.duckdb"]
    assert batch_view.database_path(data_dir, "r.duckdb") == (data_dir / "r.duckdb").resolve()
    for name in ("link.duckdb", "../secret.duckdb", "sub/deep.duckdb", str(data_dir / "r.duckdb"), "notes.txt",
                 "missing.duckdb"):
        with pytest.raises(FoiltwinInputError):
            batch_view.database_path(data_dir, name)
    assert batch_view.list_databases(data_dir / "nope") == []


@pytest.mark.integration
def test_app_batches_tab_reads_databases_of_the_data_folder_read_only(data_dir):
    other = data_dir / "other.duckdb"
    before = {p.name: _digest(p) for p in data_dir.glob("*.duckdb") if not p.is_symlink()}
    at = _app()
    _ok(at)
    box = at.selectbox(key="bt.db")
    assert box.options == ["cut.duckdb", "other.duckdb", "r.duckdb"]
    at.selectbox(key="bt.db").select("r.duckdb").run()
    _ok(at)
    assert not at.error
    assert any(m.label == "failed" and m.value == "1" for m in at.metric)
    assert len(at.dataframe) >= 2 and at.get("plotly_chart")
    frames = [d.value for d in at.dataframe]
    summary = next(f for f in frames if "throughput_m2_per_h" in f.columns)
    assert summary["throughput_m2_per_h"].dtype.kind == "f"  # numbers, sortable as numbers
    assert at.multiselect(key="bt.compare").value == ["narrow", "wide"]
    side = next(f for f in frames if "0:mean" in f.columns)
    assert list(side.columns) == ["KPI", "0:mean", "0:ci", "1:mean", "1:ci"]
    for name in ("other.duckdb", "cut.duckdb"):  # another application's file, a truncated file: one error line
        at.selectbox(key="bt.db").select(name).run()
        _ok(at)
        assert at.error and "results database" in at.error[0].value
    after = {p.name: _digest(p) for p in data_dir.glob("*.duckdb") if not p.is_symlink()}
    assert after == before and not (data_dir / "other.duckdb.wal").exists()
    assert other.exists()


@pytest.mark.integration
def test_app_batches_tab_of_a_sweep_main_effects_replications_and_compare(sweep_db, tmp_path, monkeypatch):
    from ui import batch_view

    (tmp_path / "s.duckdb").write_bytes(sweep_db.read_bytes())
    monkeypatch.setenv("FOILTWIN_DATA_DIR", str(tmp_path))
    at = _app()
    _ok(at)
    assert not at.error
    frames = [d.value for d in at.dataframe]
    summary = next(f for f in frames if "throughput_m2_per_h" in f.columns)
    assert all("web_speed_m_per_min=" in x for x in summary["scenario"])  # labels from the factors
    assert summary["plant.incoming_coils.width_m"].tolist() == [0.5, 1.0, 0.5, 1.0]
    charts = at.get("plotly_chart")
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in charts]
    assert any(t.startswith("Main effects on cost") for t in titles)
    assert any(t.endswith("over replications") for t in titles)
    names = at.multiselect(key="bt.compare").options
    assert len(names) == 4 and all("width_m=" in n for n in names)
    at.multiselect(key="bt.compare").set_value([]).run()
    _ok(at)
    assert any("at least two" in i.value for i in at.info)
    view = batch_view.batch_overview(sweep_db)
    three = [s["scenario"] for s in view["summary"]][1:4]
    at.multiselect(key="bt.compare").set_value(three).run()
    _ok(at)
    side = next(d.value for d in at.dataframe if "2:mean" in d.value.columns)
    assert len(side) == len(batch_view.SUMMARY_KPIS) and side["0:ci"].dtype.kind == "f"
    assert any(json.loads(c.proto.spec)["layout"]["title"]["text"].startswith("KPIs relative to")
               for c in at.get("plotly_chart"))


@pytest.mark.integration
def test_app_batches_tab_without_databases_says_where_it_looks(tmp_path, monkeypatch):
    monkeypatch.setenv("FOILTWIN_DATA_DIR", str(tmp_path / "empty"))
    at = _app()
    _ok(at)
    assert any("no results databases" in i.value for i in at.info)


# ------------------------------------------------------------------------------------------------- foiltwin ui
def _ui_cli(monkeypatch, *args: str) -> tuple[int, list[str], dict[str, str]]:
    import sys

    import foiltwin.cli as cli

    seen: dict = {}

    def fake_launch(cmd, env):
        seen.update(cmd=cmd, env=env)
        return 0

    monkeypatch.setattr(cli, "_launch", fake_launch)
    monkeypatch.setattr(sys, "argv", ["foiltwin", "ui", *args])
    with pytest.raises(SystemExit) as done:
        cli.main()
    return done.value.code, seen.get("cmd", []), seen.get("env", {})


@pytest.mark.unit
def test_foiltwin_ui_binds_streamlit_to_localhost_by_default(monkeypatch, tmp_path):
    code, cmd, _ = _ui_cli(monkeypatch)
    assert code == 0
    assert cmd[1:4] == ["-m", "streamlit", "run"] and Path(cmd[4]) == Path(APP)
    assert cmd[cmd.index("--server.address") + 1] == "127.0.0.1"
    assert cmd[cmd.index("--server.port") + 1] == "8501"
    code, cmd, env = _ui_cli(monkeypatch, "--port", "8600", "--data-dir", str(tmp_path))
    assert (code, cmd[cmd.index("--server.port") + 1], env["FOILTWIN_DATA_DIR"]) == (0, "8600", str(tmp_path))


@pytest.mark.unit
@pytest.mark.parametrize("args", [("--host", "0.0.0.0; rm -rf /"), ("--host", ""), ("--port", "0"),
                                  ("--port", "70000"), ("--port", "x")])
def test_foiltwin_ui_refuses_bad_hosts_and_ports(monkeypatch, args, capsys):
    code, cmd, _ = _ui_cli(monkeypatch, *args)
    assert code == 2 and not cmd
    assert capsys.readouterr().err.startswith("error: ")


@pytest.mark.unit
def test_the_repository_streamlit_config_binds_to_localhost():
    import tomllib

    config = tomllib.loads((Path(APP).parents[1] / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1" and config["server"]["headless"] is True


def _listening(port: int) -> set[str]:
    """Local addresses (hex, as /proc/net/tcp{,6} show them) with a socket listening on ``port``."""
    out = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            local, state = row.split()[1], row.split()[3]
            addr, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                out.add(addr)
    return out


@pytest.mark.integration
def test_foiltwin_ui_serves_on_127_0_0_1_only(tmp_path):
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    if not Path("/proc/net/tcp").exists():
        pytest.skip("needs Linux /proc/net")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-c", "from foiltwin.cli import main; main()", "ui", "--port", str(port),
           "--data-dir", str(tmp_path)]
    with subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path,
                          start_new_session=True) as proc:
        try:
            end = time.monotonic() + 90
            while not _listening(port) and time.monotonic() < end and proc.poll() is None:
                time.sleep(0.2)
            assert _listening(port) == {"0100007F"}  # 127.0.0.1, and nothing on another address
        finally:
            os.killpg(proc.pid, signal.SIGTERM)  # the CLI and the Streamlit server it started (its own group)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


# ------------------------------------------------------------------------------------------------- parameter sets
def _fitted_set():
    from twin.parameter_set import code_fingerprint, make_parameter_set

    return make_parameter_set({
        "name": "ui test set", "created": "2026-03-31T12:00:00+00:00", "method": "weighted least squares; test",
        "foiltwin_version": "0.1.0", "code_fingerprint": code_fingerprint(),
        "data": {"file": "plant.csv", "sha256": "a" * 64, "rows": 10, "observations": {"zn_loading_mg_per_cm2": 10}},
        "parameters": [{"name": "zn_vapour_transfer_efficiency_frac", "value": 1.3e-4, "unit": "1",
                        "standard_error": 3e-6, "transform": "log", "interval_95": [1.24e-4, 1.36e-4]}],
        "covariance": [[9e-12]],
        "fit": {"n_observations": 10, "chi2": 9.0, "dof": 9, "reduced_chi2": 1.0, "covariance_mode": "auto",
                "covariance_scale": 1.0, "condition_number": 1.0},
    })


@pytest.mark.unit
def test_parameter_sets_of_the_data_folder(tmp_path, monkeypatch):
    from twin.parameter_set import write_parameter_set
    from ui import param_sets

    monkeypatch.setenv(data_folder.DATA_DIR_ENV, str(tmp_path))
    assert data_folder.data_dir() == tmp_path
    assert param_sets.list_parameter_sets(tmp_path / "missing") == []
    pset = _fitted_set()
    write_parameter_set(pset, tmp_path / "line1.json")
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    write_parameter_set(pset, tmp_path / "sub" / "hidden.json")
    assert param_sets.list_parameter_sets(tmp_path) == ["line1.json"]
    assert param_sets.load_from_folder(tmp_path, "line1.json") == pset
    with pytest.raises(FoiltwinInputError, match="one of the"):
        param_sets.load_from_folder(tmp_path, "../line1.json")  # only listed names, no paths
    rows = param_sets.set_rows(pset)
    assert rows[0]["parameter"] == "zn_vapour_transfer_efficiency_frac" and rows[0]["std. error"] == "3e-06"
    bad = pset.model_dump_json().replace("0.00013", "0.00014").encode()
    with pytest.raises(FoiltwinInputError, match="sha256"):
        param_sets.load_upload("bad.json", bad)


@pytest.mark.integration
def test_app_loads_a_parameter_set_from_the_data_folder_and_the_lab_uses_it(tmp_path, monkeypatch):
    from twin.parameter_set import write_parameter_set

    monkeypatch.setenv(data_folder.DATA_DIR_ENV, str(tmp_path))
    write_parameter_set(_fitted_set(), tmp_path / "line1.json")
    d = _fitted_set().model_dump(mode="json")
    d["parameters"][0]["value"] = 1.0e-4
    (tmp_path / "tampered.json").write_text(json.dumps(d))
    at = _app()
    _ok(at)
    def lab_table():
        return next(d.value for d in at.dataframe if "KPI" in getattr(d.value, "columns", []))

    at.button(key="FormSubmitter:lab_form-Evaluate recipe").click().run()
    plain = lab_table()
    at.selectbox(key="ps.file").set_value("line1.json").run()
    _ok(at)
    assert any("ui test set" in c.value for c in at.sidebar.caption)
    at.button(key="FormSubmitter:lab_form-Evaluate recipe").click().run()
    _ok(at)
    fitted = lab_table()
    def zn(table):
        return table[table["KPI"].str.startswith("Zn loading")].iloc[0]["value"]

    assert zn(fitted) != zn(plain)
    at.selectbox(key="ps.file").set_value("tampered.json").run()
    _ok(at)
    assert any("sha256" in e.value for e in at.sidebar.error)


@pytest.mark.unit
def test_dashboard_progress_bars_are_fed_by_the_progress_protocol():
    from twin.progress import Progress
    from ui.app import _progress_bar

    class Bar:
        def __init__(self):
            self.seen = []

        def progress(self, value, text=""):
            self.seen.append((value, text))

    bar = Bar()
    show = _progress_bar(bar)
    show(Progress("replications", "replication 1/2: what-if (seed 1)", 2, 4, "runs", 3.0, eta_s=3.0))
    show(Progress("optimize", "solving the MILP", 1, None, "stages", 1.0))
    assert bar.seen[0] == (0.5, "replications 2/4 runs (50%), 3.0 s, ETA 3.0 s: replication 1/2: what-if (seed 1)")
    assert bar.seen[1][0] == 0.0 and bar.seen[1][1].endswith("solving the MILP")


@pytest.mark.integration
def test_app_compare_tab_runs_chosen_scenarios_with_common_seeds():
    at = _app()
    _ok(at)
    assert at.multiselect(key="cmp.chosen").value == ["baseline (sidebar base)", "what-if (sidebar)"]
    at.number_input(key="wi.hours").set_value(1.0)
    at.number_input(key="wi.uht_web_speed_m_per_min").set_value(1.2)
    at.number_input(key="cmp.reps").set_value(2)
    at.button(key="cmp.run").click().run()
    _ok(at)
    assert not at.error
    assert any(h.value == "2 scenarios, 1 h, 2 replication(s) from seed 1" for h in at.subheader)
    side = next(d.value for d in at.dataframe if "1:mean" in d.value.columns)
    thr = side[side["KPI"] == "throughput (good) [m²/h]"].iloc[0]
    assert side["0:mean"].dtype.kind == "f" and thr["0:mean"] > 0.0 and thr["0:ci"] >= 0.0
    metres = at.session_state["cmp.result"]["rows"]
    assert metres[1]["metres_produced"]["mean"] == pytest.approx(1.2 * metres[0]["metres_produced"]["mean"])
    assert any(json.loads(c.proto.spec)["layout"]["title"]["text"].startswith("KPIs relative to baseline")
               for c in at.get("plotly_chart"))
    at.multiselect(key="cmp.chosen").set_value(["what-if (sidebar)"])
    at.button(key="cmp.run").click().run()
    _ok(at)
    assert any("`compare`" in e.value and "2 to 5" in e.value for e in at.error)


@pytest.mark.integration
def test_app_optimise_tab_shows_the_pareto_front_chart():
    """The expander plots the front held in the session (an injected result: a real sweep is too slow here)."""
    at = _app()
    _ok(at)
    assert not at.get("plotly_chart")
    front = [{"axes": {"cost_per_m2": c, "tolerance_nm": t}, "settings": {"mode": "vapour_commercial"}}
             for c, t in ((3.2, 50.0), (3.9, 20.0))]
    at.session_state["opt.pareto"] = {"front": front, "currency": "USD", "message": "2 non-dominated of 2 points"}
    at.run()
    _ok(at)
    charts = [c for c in at.get("plotly_chart") if "tolerance" in c.proto.spec]
    assert len(charts) == 1
    spec = json.loads(charts[0].proto.spec)
    assert spec["data"][0]["x"] == [3.2, 3.9] and spec["data"][0]["y"] == [50.0, 20.0]
    assert any("2 non-dominated" in c.value for c in at.caption)


@pytest.mark.integration
def test_app_whatif_shows_parameter_uncertainty_intervals_on_its_kpis():
    """The expander runs the what-if over parameter draws (optimizer.uq.twin_kpis) and shows nominal, mean, the
    5-95 % interval and yield at risk; the nominal column is the what-if run the comparison shows."""
    at = _app()
    at.number_input(key="wi.hours").set_value(1.0)
    at.number_input(key="wi.replications").set_value(1)
    at.button(key="run").click().run()
    _ok(at)
    assert "wi.uq.result" not in at.session_state
    at.number_input(key="wi.uq.draws").set_value(2)
    at.button(key="wi.uq.run").click().run()
    _ok(at)
    assert not at.error
    table = next(d.value for d in at.dataframe if "5 %" in d.value.columns)
    assert list(table.columns) == ["KPI", "nominal", "mean", "5 %", "95 %"]
    assert list(table["KPI"]) == ["skin thickness, run mean [nm]", "yield [%]", "cost [USD/m²]",
                                  "yield at risk (95%) [%]"]
    d = at.session_state["wi.uq.result"]["result"]
    assert d["draws"] == 2 and d["common_random_numbers"]
    cmp = at.dataframe[0].value
    cost = cmp[(cmp["scope"] == "plant") & (cmp["KPI"] == "cost")].iloc[0]["what-if"]
    assert table[table["KPI"] == "cost [USD/m²]"].iloc[0]["nominal"] == cost
    lo, hi = d["kpis"]["skin_thickness_nm"]["interval"]
    assert lo < hi  # the registry's η and stage-III peak errors move the skin
    assert any("2 parameter draws" in c.value for c in at.caption)
    # the what-if changes: the intervals say they are stale
    at.number_input(key="wi.uht_web_speed_m_per_min").set_value(1.2)
    at.button(key="run").click().run()
    _ok(at)
    assert any("changed since these intervals" in w.value for w in at.warning)


@pytest.mark.integration
def test_app_calibrate_tab_draws_a_tornado_chart_of_sobol_indices():
    """A sensitivity result in the session (as an upload of `foiltwin sensitivity --json` puts it) → a plotly
    horizontal bar chart, the largest total index on top; another output can be chosen."""
    from optimizer.uq.tornado import tornado_rows

    result = {"outputs": {"skin_thickness_nm": {"indices": {
        "eta": {"S1": 0.2, "S1_conf": 0.02, "ST": 0.25, "ST_conf": 0.03},
        "alpha_rise": {"S1": 0.7, "S1_conf": 0.05, "ST": 0.75, "ST_conf": 0.05}}},
        "cost_per_m2": {"indices": {"eta": {"S1": 0.9, "S1_conf": 0.0, "ST": 0.95, "ST_conf": 0.0},
                                    "alpha_rise": {"S1": 0.0, "S1_conf": 0.0, "ST": 0.01, "ST_conf": 0.0}}}}}
    assert [r["parameter"] for r in tornado_rows(result, "skin_thickness_nm")] == ["alpha_rise", "eta"]
    at = _app()
    _ok(at)
    at.session_state["sens.result"] = result
    at.run()
    _ok(at)
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart") if "Sobol indices" in c.proto.spec]
    assert len(charts) == 1
    spec = charts[0]
    assert spec["layout"]["title"]["text"] == "Sobol indices of skin_thickness_nm"
    st_bar = next(t for t in spec["data"] if t["name"] == "total (ST)")
    assert st_bar["orientation"] == "h" and st_bar["y"] == ["eta", "alpha_rise"] and st_bar["x"] == [0.25, 0.75]
    at.selectbox(key="sens.output").set_value("cost_per_m2").run()
    _ok(at)
    assert any("Sobol indices of cost_per_m2" in c.proto.spec for c in at.get("plotly_chart"))


@pytest.mark.unit
def test_compare_leaves_out_a_kpi_undefined_for_a_chosen_scenario():
    """A scenario without good m² has its cost as undefined (mean None, ``ResultsDB.summary``): the comparison
    figure divided None by the reference's cost (TypeError); now that KPI is not drawn and the table shows a gap."""
    from twin.results_db import kpi_statistics, undefined_statistics
    from ui import batch_view

    def row(name: str, cost: dict) -> dict:
        return {"scenario": name, "runs_ok": 2, "factors": {}, "cost_per_m2": cost,
                "yield_fraction": kpi_statistics(2, 0.5, 0.1, 0.4, 0.6)}

    summary = [row("a", kpi_statistics(2, 20.0, 1.0, 19.0, 21.0)), row("b", undefined_statistics(2, 2, "cost_per_m2"))]
    fig = batch_view.compare_figure(summary, ["a", "b"], {"a": "a", "b": "b"})
    assert list(fig.data[1].x) == ["yield"]
    table, _ = batch_view.compare_table(summary, ["a", "b"], {"a": "a", "b": "b"})
    cost = next(r for r in table if r["KPI"].startswith("cost"))
    assert cost["0:mean"] == 20.0 and cost["1:mean"] is None
    # the per-scenario table's empty cell is explained below it, with the database's reason
    rows, _ = batch_view.summary_table(summary, {"a": "A", "b": "B"}, [])
    assert [r["cost_per_m2"] for r in rows] == [20.0, None]
    notes = batch_view.undefined_notes(summary, {"a": "A", "b": "B"})
    assert notes == [f"B: {batch_view.kpi_heading('cost_per_m2')} undefined, "
                     f"{summary[1]['cost_per_m2']['undefined_reason']}"]
    assert "in 2 of 2 runs" in notes[0]


@pytest.mark.unit
def test_line_warnings_table_lists_each_lines_warnings_as_the_twin_wrote_them():
    report = {"lines": {"ed-1": {"type": "electrodeposition", "operating_warnings": ["above the window: 5 of 9 m"]},
                        "uht-1": {"type": "uht", "web_warnings": ["set points at 0.10 h: stage3 too hot"]},
                        "anneal-1": {"type": "coil_anneal"}}}
    rows = tables.line_warnings(report)
    assert rows == [{"line": "ed-1", "kind": "plating outside its bath's windows",
                     "warning": "above the window: 5 of 9 m"},
                    {"line": "uht-1", "kind": "web tension at the zones' set points",
                     "warning": "set points at 0.10 h: stage3 too hot"}]
    assert tables.line_warnings({"lines": {"uht-1": {"web_warnings": []}}}) == []
    assert tables.line_warnings(None) == []


@pytest.mark.integration
def test_app_shows_the_lines_warnings_of_a_run_and_none_when_there_are_none():
    """Plating far above the bath's window (9000 A/m² on the Cu bath) is flagged by the twin; the page shows it in a
    warning box naming the line, with the twin's own text in a table. The baseline (default plant) has none."""
    at = _app()
    at.number_input(key="wi.hours").set_value(2.0)
    at.number_input(key="wi.replications").set_value(1)
    at.button(key="run").click().run()
    _ok(at)
    assert not any("line warning" in w.value for w in at.warning)
    at.text_area(key="wi.extra").input(f"{ED}.current_density_A_per_m2=9000")
    at.button(key="run").click().run()
    _ok(at)
    boxes = [w.value for w in at.warning if "line warning" in w.value]
    assert len(boxes) == 1 and boxes[0].startswith("What-if: ") and "ed-1" in boxes[0]
    table = next(d.value for d in at.dataframe if "warning" in d.value.columns)
    assert set(table["line"]) == {"ed-1"} and len(table) == 2  # the bath's window and the limiting current
    assert table["warning"].str.contains("window 100-1500 A/m2").any() and table["warning"].str.endswith(" m").all()
    report = run_single(Scenario.model_validate({**Scenario().model_dump(), "hours": 2.0}))
    assert tables.line_warnings(report) == []  # the baseline's lines: no warning


@pytest.mark.unit
def test_the_out_of_spec_foil_choices_are_the_scenario_fields_and_a_bad_one_is_refused():
    from typing import get_args

    from twin.scenario import PlatingLine
    from ui.whatif import OUT_OF_SPEC_FOIL

    assert tuple(OUT_OF_SPEC_FOIL) == get_args(PlatingLine.model_fields["out_of_spec_foil"].annotation)
    base = Scenario()
    assert inputs_from_scenario(base).plating_out_of_spec_foil == "process"
    with pytest.raises(FoiltwinInputError, match=r"plant\.lines\.0\.out_of_spec_foil"):
        build_whatif(base, replace(inputs_from_scenario(base), plating_out_of_spec_foil="burn"))
    commercial = build_whatif(base, replace(inputs_from_scenario(base), plating_in_use=False,
                                            plating_out_of_spec_foil="cut_out"))
    assert commercial.plating_dropped and [ln.name for ln in commercial.scenario.plant.lines] == ["uht-1"]


@pytest.mark.integration
def test_the_page_offers_cutting_out_of_spec_foil_and_runs_it():
    at = _app()
    box = at.selectbox(key="wi.plating_out_of_spec_foil")
    assert box.value == "process" and box.options == ["run through the UHT line", "cut out at the rewinder"]
    at.number_input(key="wi.hours").set_value(2.0)
    at.number_input(key="wi.replications").set_value(1)
    box.select("cut_out")
    at.button(key="run").click().run()
    _ok(at)
    assert not at.error
    assert any('plant.lines.0.out_of_spec_foil="cut_out"' in c.value for c in at.code)
