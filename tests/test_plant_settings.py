"""PlantSettings: the one typed shape of the plant's set points (scenario ⇄ settings ⇄ optimiser point ⇄ what-if)."""

from __future__ import annotations

from typing import Any

import pytest

from optimizer.solution import Point
from optimizer.space import decision_space
from optimizer.targets import Targets
from optimizer.verify import twin_scenario
from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from twin.plant_settings import PlantSettings
from twin.scenario import Scenario, scenario_from_dict

TWO_LINES = {"plant": {"lines": [
    {"type": "electrodeposition", "name": "ed-a", "settings": {"bath": "zn_acid_sulfate", "tank_count": 4}},
    {"type": "uht", "name": "uht-a", "settings": {"web_speed_m_per_min": 2.0, "stage3_peak_K": 1100.0},
     "changeovers": [{"at_h": 3.0, "settings": {"web_speed_m_per_min": 1.5}}]},
    {"type": "uht", "name": "uht-b", "stage2_modules": 5, "settings": {"stage2_modules_on": 2}}],
    "furnaces": [{"name": "f1", "settings": {"enabled": True, "soak_h": 3.0}},
                 {"name": "f2", "settings": {"soak_temperature_K": 1000.0}}]},
    "hours": 6.0, "seed": 9}


@pytest.mark.unit
@pytest.mark.parametrize("scenario", [Scenario(), scenario_from_dict(TWO_LINES),
                                      scenario_from_dict({"plant": {"lines": [{"type": "uht"}], "furnaces": []}})])
def test_from_scenario_then_apply_to_is_the_identity(scenario):
    ps = PlantSettings.from_scenario(scenario)
    assert ps.apply_to(scenario) == scenario
    assert PlantSettings.from_scenario(ps.apply_to(scenario)) == ps
    # the settings are plain data: their JSON gives them back
    assert PlantSettings.model_validate_json(ps.model_dump_json()) == ps


@pytest.mark.unit
def test_apply_to_changes_the_named_settings_and_leaves_out_unnamed_lines():
    sc = scenario_from_dict(TWO_LINES)
    ps = PlantSettings.from_scenario(sc).with_uht("uht-b", web_speed_m_per_min=3.0).with_anneal(enabled=False)
    out = ps.apply_to(sc)
    assert out.plant.lines[2].settings.web_speed_m_per_min == 3.0
    assert out.plant.lines[1] == sc.plant.lines[1] and out.plant.lines[0] == sc.plant.lines[0]
    assert [f.settings.enabled for f in out.plant.furnaces] == [False, False]
    assert out.plant.furnaces[1].settings.soak_temperature_K == 1000.0  # each furnace keeps its own programme
    no_ed = ps.without_plating().apply_to(sc, keep_changeovers=False)
    assert [ln.name for ln in no_ed.plant.lines] == ["uht-a", "uht-b"]
    assert no_ed.plant.lines[0].changeovers == ()


@pytest.mark.unit
def test_settings_that_do_not_fit_the_equipment_name_the_scenario_field():
    sc = scenario_from_dict(TWO_LINES)
    ps = PlantSettings.from_scenario(sc)
    with pytest.raises(FoiltwinInputError) as err:  # 6 modules heated, 5 installed: the line's rule
        ps.with_uht("uht-b", stage2_modules_on=6).apply_to(sc)
    assert err.value.field == "plant.lines.2" and "stage2_modules" in str(err.value)
    with pytest.raises(FoiltwinInputError) as err:  # a changeover may not change the zone length
        ps.with_uht("uht-a", stage2_zone_length_m=3.0).apply_to(sc)
    assert err.value.field == "plant.lines.1"
    with pytest.raises(FoiltwinInputError) as err:
        ps.with_uht("uht-a", web_speed_m_per_min=-1.0)
    assert err.value.field == "uht.uht-a.web_speed_m_per_min" and err.value.value == -1.0
    with pytest.raises(FoiltwinInputError) as err:
        PlantSettings(uht={"nope": ps.uht["uht-a"]}).apply_to(sc)
    assert err.value.field == "settings" and err.value.value == "nope"


# ------------------------------------------------------------------------------------------ the old optimiser path
def _old_twin_scenario(space, targets, p, hours, seed) -> Scenario:
    """The optimiser's verification scenario as it was built before PlantSettings (dict edits of the dump), kept
    here as the reference the typed path must reproduce."""
    data = space.scenario.model_dump(mode="python")
    lines = data["plant"]["lines"]
    uht = dict(lines[space.uht_index])
    uht["settings"] = {**uht["settings"], "web_speed_m_per_min": p.web_speed_m_per_min,
                       "stage2_modules_on": p.stage2_modules_on,
                       "stage2_temperature_K": p.stage2_temperature_K, "stage3_peak_K": p.stage3_peak_K}
    uht["changeovers"] = []
    plant_lines = [uht]
    if p.ed_bath is not None and space.ed is not None:
        ed = next(dict(ln) for ln in lines
                  if ln.get("type") == "electrodeposition" and ln["name"] == space.ed.line_name)
        ed["settings"] = {**ed["settings"], "web_speed_m_per_min": p.ed_web_speed_m_per_min,
                          "tank_count": p.ed_tanks_on, "bath": p.ed_bath,
                          "current_density_A_per_m2": p.ed_current_density_A_per_m2}
        ed["changeovers"] = []
        plant_lines = [ed, uht]
        data["plant"]["coil_store"] = {**data["plant"]["coil_store"], "initial_coils": 0}
        hours = hours + space.coil_length_m / float(p.ed_web_speed_m_per_min) / 60.0
    data["plant"]["lines"] = plant_lines
    furnaces = [dict(f) for f in data["plant"].get("furnaces", [])]
    for f in furnaces:
        f["settings"] = {**f["settings"], "enabled": p.annealed}
        if p.annealed:
            f["settings"].update(soak_temperature_K=p.anneal_soak_temperature_K, soak_h=p.anneal_soak_h)
    data["plant"]["furnaces"] = furnaces
    spec = dict(data["spec"])
    lo, hi = targets.skin_window_nm
    spec.update({"skin_thickness_nm_min": lo, "skin_thickness_nm_max": hi})
    if targets.surface_zn_at_frac is not None:
        spec.update({"surface_zn_at_frac_min": targets.surface_zn_at_frac[0],
                     "surface_zn_at_frac_max": targets.surface_zn_at_frac[1]})
    if targets.single_phase_alpha:
        spec["allowed_skin_phases"] = ("alpha",)
    spec["reject_melting"] = bool(targets.no_melting)
    data["spec"] = spec
    data["hours"] = hours
    data["seed"] = seed
    return scenario_from_dict(data)


POINTS: list[dict[str, Any]] = [
    {"mode": "vapour_commercial", "web_speed_m_per_min": 3.5, "stage2_modules_on": 3,
     "stage2_temperature_K": 845.0, "stage3_peak_K": 1095.0},
    {"mode": "vapour_commercial", "web_speed_m_per_min": 0.7, "stage2_modules_on": 4,
     "stage2_temperature_K": 700.0, "stage3_peak_K": 1010.5, "anneal_soak_temperature_K": 953.15,
     "anneal_soak_h": 12.5},
    {"mode": "vapour_electroformed", "web_speed_m_per_min": 1.2, "stage2_modules_on": 1,
     "stage2_temperature_K": 790.0, "stage3_peak_K": 1150.0, "ed_bath": "cu_acid_sulfate_fsi",
     "ed_current_density_A_per_m2": 420.0, "ed_tanks_on": 5, "ed_web_speed_m_per_min": 0.9},
    {"mode": "plated_commercial", "web_speed_m_per_min": 2.0, "stage2_modules_on": 2,
     "stage2_temperature_K": 760.0, "stage3_peak_K": 1120.0, "ed_bath": "zn_acid_sulfate",
     "ed_current_density_A_per_m2": 250.0, "ed_tanks_on": 2, "ed_web_speed_m_per_min": 3.0,
     "anneal_soak_temperature_K": 1000.0, "anneal_soak_h": 2.0},
]


@pytest.mark.unit
@pytest.mark.parametrize("kw", POINTS, ids=[p["mode"] for p in POINTS])
@pytest.mark.parametrize("targets", [Targets(470.0), Targets(500.0, 30.0, surface_zn_at_frac=(0.2, 0.4),
                                                                no_melting=False)])
def test_optimiser_point_gives_the_scenario_of_the_old_path(kw, targets):
    base = scenario_from_dict({**TWO_LINES, "plant": {**TWO_LINES["plant"], "lines": [
        TWO_LINES["plant"]["lines"][0] | {"settings": {"bath": "cu_acid_sulfate"}}, *TWO_LINES["plant"]["lines"][1:]]}})
    for sc in (Scenario(), base):
        space = decision_space(sc, default_parameters())
        p = Point(**kw)
        assert twin_scenario(space, targets, p, 4.0, 11) == _old_twin_scenario(space, targets, p, 4.0, 11)


# ------------------------------------------------------------------------------------------ the recipe command
@pytest.mark.unit
def test_recipe_fields_are_the_settings_at_steady_speed():
    sc = scenario_from_dict({"plant": {
        "lines": [{"type": "electrodeposition", "settings": {"bath": "zn_acid_sulfate", "tank_count": 2,
                                                             "tank_length_m": 1.5, "web_speed_m_per_min": 3.0}},
                  {"type": "uht", "stage2_modules": 4, "settings": {
                      "web_speed_m_per_min": 2.0, "stage2_zone_length_m": 2.0, "stage2_modules_on": 3,
                      "stage3_heater_length_mm": 0.6, "stage3_peak_K": 1100.0, "cooling": "free"}}],
        "furnaces": [{"settings": {"enabled": True, "soak_h": 3.0, "heating_rate_K_per_h": 360.0}}],
        "incoming_coils": {"foil_thickness_um": 12.0}}})
    f = PlantSettings.from_scenario(sc).recipe_fields(sc)
    assert f.uht == pytest.approx({"foil_thickness_m": 12e-6, "stage2_temperature_K": 750.0,
                                   "stage2_time_s": 1.5 / (2.0 / 60.0), "stage3_peak_K": 1100.0,
                                   "line_speed_m_per_s": 2.0 / 60.0, "stage3_heater_length_m": 0.6e-3,
                                   "cooling": "free", "zn_route": "plated"})
    step = f.collector["zn_plating"]
    assert (step.bath, step.time_s) == ("zn_acid_sulfate", pytest.approx(2 * 1.5 / (3.0 / 60.0)))
    assert f.coil_anneal["soak_time_s"] == 3.0 * 3600.0 and f.coil_anneal["heating_rate_K_per_s"] == 0.1
    # without the plating line the foil is bought; the default plant's Cu bath electroforms it
    assert PlantSettings.from_scenario(sc).without_plating().recipe_fields(sc).collector == {}
    d = PlantSettings.from_scenario(Scenario()).recipe_fields(Scenario())
    assert d.collector["substrate"] == "electroformed" and d.coil_anneal is None
    with pytest.raises(FoiltwinInputError) as err:
        PlantSettings.from_scenario(sc).recipe_fields(sc, "nope")
    assert err.value.field == "--line"


@pytest.mark.component
def test_recipe_command_takes_the_scenarios_plant_settings(cli, tmp_path):
    import json

    path = tmp_path / "uht.toml"
    path.write_text('[[plant.lines]]\ntype = "uht"\n[plant.lines.settings]\nweb_speed_m_per_min = 2.0\n'
                    'stage2_temperature_K = 780.0\nstage3_peak_K = 1100.0\n[[plant.furnaces]]\n')
    code, out, err = cli("recipe", "--scenario", str(path), "--json", "-")
    assert code == 0, err
    code2, out2, err2 = cli("recipe", "--stage2-temperature-K", "780", "--stage2-time-s", "60", "--stage3-peak-K",
                            "1100", "--line-speed-m-per-min", "2", "--stage3-heater-length-mm", "0.5", "--json", "-")
    assert code2 == 0, err2
    a, b = json.loads(out), json.loads(out2)
    assert a["cost_per_m2"] == pytest.approx(b["cost_per_m2"], rel=1e-12)
    assert a["skin_thickness_nm"] == pytest.approx(b["skin_thickness_nm"], rel=1e-12)
    assert a["recipe"] == b["recipe"]
    code, _, err = cli("recipe", "--scenario", str(path), "--stage2-time-s", "60")
    assert code == 2 and "--stage2-time-s" in err and "--scenario" in err
    code, _, err = cli("recipe", "--line", "uht-1")
    assert code == 2 and "--line" in err


@pytest.mark.component
def test_recipe_scenario_takes_uncertainty_and_refuses_a_web_tension(cli, tmp_path):
    """``recipe --scenario --uncertainty``: the intervals of the scenario's recipe, as the equivalent options give
    them (the options were dropped silently before); ``--web-tension-N-per-m`` is refused with ``--scenario``
    (the scenario's lines set their own tensions) instead of being ignored."""
    import json

    path = tmp_path / "uht.toml"
    path.write_text('[[plant.lines]]\ntype = "uht"\n[plant.lines.settings]\nweb_speed_m_per_min = 2.0\n'
                    'stage2_temperature_K = 780.0\nstage3_peak_K = 1100.0\n[[plant.furnaces]]\n')
    code, out, err = cli("recipe", "--scenario", str(path), "--uncertainty", "linear", "--json", "-")
    assert code == 0, err
    code2, out2, err2 = cli("recipe", "--stage2-temperature-K", "780", "--stage2-time-s", "60", "--stage3-peak-K",
                            "1100", "--line-speed-m-per-min", "2", "--stage3-heater-length-mm", "0.5",
                            "--uncertainty", "linear", "--json", "-")
    assert code2 == 0, err2
    a, b = json.loads(out)["uncertainty"]["linearised"], json.loads(out2)["uncertainty"]["linearised"]
    assert a["runs"] == b["runs"] > 1
    for name, o in b["outputs"].items():
        assert a["outputs"][name]["sd"] == pytest.approx(o["sd"], rel=1e-9, abs=1e-15)
    code, _, err = cli("recipe", "--scenario", str(path), "--web-tension-N-per-m", "150")
    assert code == 2 and "--web-tension-N-per-m" in err and "--scenario" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.unit
def test_skin_metal_of_a_uht_line_held_for_the_run():
    """PlantSettings.skin_metals: the named UHT line's source holds that metal (and source temperature) for the whole
    run, its campaigns dropped; a line not named keeps the scenario's; an unknown line or metal is refused."""
    from twin.scenario import load_scenario

    sc = load_scenario("examples/scenarios/zn_to_mg_campaign.toml")
    base = PlantSettings.from_scenario(sc)
    assert base.apply_to(sc) == sc  # no skin metal named: unchanged
    out = base.model_copy(update={"skin_metals": {"uht-1": ("Mg", 900.0)}}).apply_to(sc)
    line = next(ln for ln in out.plant.lines if ln.name == "uht-1")
    assert (line.skin_metal, line.skin_source_temperature_K, line.skin_campaigns) == ("Mg", 900.0, ())
    with pytest.raises(FoiltwinInputError):
        base.model_copy(update={"skin_metals": {"uht-9": ("Mg", None)}}).apply_to(sc)
    with pytest.raises(FoiltwinInputError):
        base.model_copy(update={"skin_metals": {"uht-1": ("Cu", None)}}).apply_to(sc)
