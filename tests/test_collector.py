"""The whole collector recipe: plating → UHT → Ag → texture, indicators and cost."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from process_models.collector.recipe import CollectorRecipe, PlatingStep, evaluate_collector, evaluate_collectors
from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from process_models.uht.recipe import UHTRecipe

PARAMS = default_parameters()
ISSUE3_KEYS = {"texture_fraction_100", "texture_fraction_111", "texture_fraction_110", "nucleation_overpotential_mV",
               "cost_per_m2", "cost_breakdown"}


@pytest.mark.component
def test_every_route_gives_valid_texture_and_a_cost_that_adds_up():
    recipes = [
        CollectorRecipe(),
        CollectorRecipe(substrate="electroformed", electroform_bath="cu_acid_sulfate_fsi"),
        CollectorRecipe(zn_plating=PlatingStep("zn_acid_sulfate", 300.0, 15.0),
                        uht=UHTRecipe(stage2_time_s=60.0, stage2_temperature_K=650.0)),
        CollectorRecipe(uht=None, ag_immersion_time_s=120.0),
        CollectorRecipe(uht=None),
    ]
    for res in evaluate_collectors(recipes, PARAMS):
        tex = res.texture_fractions
        assert all(0.0 <= v <= 1.0 for v in tex.values())
        assert sum(tex.values()) == pytest.approx(1.0, abs=1e-12)
        assert all(v >= 0.0 for v in res.cost_breakdown.values())
        assert sum(res.cost_breakdown.values()) == pytest.approx(res.cost_per_m2, rel=1e-12)
        assert res.to_dict().keys() >= ISSUE3_KEYS


@pytest.mark.component
def test_plated_route_carries_the_faraday_loading_into_the_skin():
    step = PlatingStep("zn_acid_sulfate", 300.0, 15.0)
    res = evaluate_collector(CollectorRecipe(zn_plating=step, uht=UHTRecipe(stage2_time_s=60.0,
                                                                             stage2_temperature_K=650.0)), PARAMS)
    zn = res.plating["zn"]
    # Faraday with the kinetic efficiency: m = j t ε M / (n F)
    expected = 300.0 * 15.0 * zn["current_efficiency"] * PARAMS["zn_molar_mass_kg_per_mol"] / (2 * 96485.33212)
    assert zn["loading_kg_per_m2_per_face"] == pytest.approx(expected, rel=1e-6)
    assert res.uht is not None
    assert res.uht.zn_deposited_mg_per_cm2 == pytest.approx(expected * 100.0, rel=1e-9)
    assert 0.9 < zn["current_efficiency"] < 1.0


@pytest.mark.component
def test_lithiophilic_treatments_lower_the_indicator_and_ag_costs_money():
    bare, skin, ag = evaluate_collectors([CollectorRecipe(uht=None), CollectorRecipe(),
                                          CollectorRecipe(uht=None, ag_immersion_time_s=120.0)], PARAMS)
    assert skin.nucleation_overpotential_mV < bare.nucleation_overpotential_mV
    assert ag.nucleation_overpotential_mV < bare.nucleation_overpotential_mV
    assert ag.cost_breakdown["metals"] > bare.cost_breakdown["metals"]


@pytest.mark.unit
def test_bad_collector_inputs_name_the_field():
    with pytest.raises(FoiltwinInputError, match="substrate"):
        evaluate_collector(CollectorRecipe(substrate="rolled"), PARAMS)  # type: ignore[arg-type]
    with pytest.raises(FoiltwinInputError, match="electroform_bath"):
        evaluate_collector(CollectorRecipe(substrate="electroformed", electroform_bath="zn_acid_sulfate"), PARAMS)
    with pytest.raises(FoiltwinInputError, match="zn_bath"):
        evaluate_collector(CollectorRecipe(zn_plating=PlatingStep("nickel_watts", 100.0, 10.0)), PARAMS)
    with pytest.raises(FoiltwinInputError, match="currency"):
        evaluate_collector(CollectorRecipe(currency="EUR"), PARAMS)


@pytest.mark.integration
def test_recipe_cli_reports_the_issue3_keys():
    out = subprocess.run([sys.executable, "-c", "from foiltwin.cli import main; main()", "recipe",
                          "--substrate", "electroformed", "--ag-immersion-time-s", "120", "--json", "-"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data.keys() >= ISSUE3_KEYS
    assert data["plating"]["electroform"]["current_efficiency"] > 0.9


@pytest.mark.component
def test_a_recipe_pays_only_for_the_lines_it_uses():
    """Bare bought foil uses no line: it costs the foil, nothing else (it used to carry the UHT line's fixed costs
    and cost more than the same foil after a 2 h anneal). The anneal adds its furnace's flows and fixed costs."""
    from process_models.collector.recipe import CoilAnnealStep
    from process_models.costing.flows import price_flows

    bare, annealed = evaluate_collectors([CollectorRecipe(uht=None), CollectorRecipe(
        uht=None, coil_anneal=CoilAnnealStep(953.15, 7200.0))], PARAMS)
    foil_kg = 10e-6 * PARAMS["cu_density_kg_per_m3"]
    price = PARAMS["cu_cathode_price_USD_per_kg"] + PARAMS["cu_foil_conversion_fee_USD_per_kg"]
    assert bare.cost_per_m2 == pytest.approx(foil_kg * price, rel=1e-12)
    assert bare.cost_breakdown["labour"] == 0.0 and bare.cost_breakdown["scrap"] == 0.0
    assert bare.cost_per_m2 < annealed.cost_per_m2
    furnace = price_flows(annealed.flows_by_step["coil_anneal"], PARAMS)
    y = PARAMS["line_yield_frac"]
    assert annealed.cost_per_m2 == pytest.approx(bare.cost_per_m2 / y + furnace.total_per_good_m2, rel=1e-12)


@pytest.mark.component
def test_seed000_table2_ranking_holds_for_the_routes_the_model_covers():
    """Seed 000 Table 2: electrodeposition < high-T annealing (< CVD, not modelled: docs/costing.md). The model's
    electrodeposition route is the electroformed foil (either bath); its high-T annealing route in Table 2's
    900–1050 °C window is the moving hot zone (wound coils bond above coil_anneal_wound_max_soak_temperature_K),
    here at 1020 °C to the (100) fraction 0.85. Electroformed foil must cost less than bought foil so annealed."""
    from process_models.collector.recipe import HotZoneStep
    from process_models.texture import hot_zone as hz

    T = 1293.15
    assert 900.0 + 273.15 <= T <= 1050.0 + 273.15
    assert PARAMS["coil_anneal_wound_max_soak_temperature_K"] < T
    v = float(hz.pull_speed_for_texture_100(0.85, 0.08, T, PARAMS)[0])
    ed, ed_fsi, high_t = evaluate_collectors([
        CollectorRecipe(uht=None, substrate="electroformed", currency="CNY"),
        CollectorRecipe(uht=None, substrate="electroformed", electroform_bath="cu_acid_sulfate_fsi", currency="CNY"),
        CollectorRecipe(uht=None, hot_zone=HotZoneStep(T, v), currency="CNY")], PARAMS)
    assert high_t.texture_fractions["100"] == pytest.approx(0.85, abs=0.02)
    assert max(ed.cost_per_m2, ed_fsi.cost_per_m2) < high_t.cost_per_m2


@pytest.mark.component
@pytest.mark.parametrize("bath, j_A_per_m2", [("zn_acid_sulfate", 1e-3), ("zn_acid_sulfate", 1.0),
                                               ("zn_alkaline_zincate", 0.17)])
def test_a_zn_current_density_below_net_deposition_is_refused_naming_it(bath, j_A_per_m2):
    """Below the H2 current at the Zn Nernst potential the cathode's Zn dissolves (ε < 0): the step was refused
    as cell_voltage_V=-0.0004 or current_efficiency_frac=-0.18, neither a setting; now the current density."""
    with pytest.raises(FoiltwinInputError) as err:
        evaluate_collector(CollectorRecipe(zn_plating=PlatingStep(bath, j_A_per_m2, 1000.0)), PARAMS)
    assert err.value.field == f"{bath}.current_density_A_per_m2"
    assert err.value.value == j_A_per_m2
    assert "dissolves" in str(err.value)


@pytest.mark.component
def test_net_deposition_onset_is_where_the_current_efficiency_changes_sign():
    from process_models.plating.electrodeposition import net_deposition_onset_A_per_m2, partial_currents

    for bath in ("zn_acid_sulfate", "zn_acid_chloride", "zn_alkaline_zincate"):
        onset = float(net_deposition_onset_A_per_m2(bath, params=PARAMS))
        eff = partial_currents(bath, [onset * 0.99, onset * 1.01], params=PARAMS).current_efficiency_frac
        assert eff[0] < 0.0 < eff[1]
        evaluate_collector(CollectorRecipe(zn_plating=PlatingStep(bath, onset * 1.01, 10.0)), PARAMS)


@pytest.mark.component
def test_a_zn_plating_step_laying_down_more_than_the_uht_line_takes_names_its_time():
    """j·t plating more Zn than plated_zn_loading_kg_per_m2's 0.1 kg/m2 was refused naming that UHT field (a value
    the recipe never set); the plating time is named with the longest one at the step's current density."""
    with pytest.raises(FoiltwinInputError) as err:
        evaluate_collector(CollectorRecipe(zn_plating=PlatingStep("zn_acid_sulfate", 1772295.9, 58.88, 368.6)),
                           PARAMS)
    assert err.value.field == "zn_acid_sulfate.time_s"
    top = float(str(err.value).split("at most ≈")[1].split(" s")[0])
    assert 0.0 < top < 58.88
    # with a stage III the foil's γ-brass capacity binds before the 0.1 kg/m2: the hint fits both (following it
    # is accepted; the bare 0.1 kg/m2 time, 48.7 s, was refused next by the capacity)
    evaluate_collector(CollectorRecipe(zn_plating=PlatingStep("zn_acid_sulfate", 1772295.9, 0.99 * top, 368.6)),
                       PARAMS)


@pytest.mark.component
def test_a_zn_plating_step_too_much_for_the_foil_as_gamma_brass_names_its_time():
    """A plating step whose Zn does not fit in the foil as γ brass was refused as plated_zn_loading_kg_per_m2 (a
    field the recipe never set, with its capacity in mg/cm²); the step's time is named, with the longest that fits
    at its current density. The UHT recipe's own refusal of the plated route speaks its field's unit, kg/m²."""
    with pytest.raises(FoiltwinInputError) as err:
        evaluate_collector(CollectorRecipe(zn_plating=PlatingStep("zn_acid_sulfate", 300.0, 600.0)), PARAMS)
    assert err.value.field == "zn_acid_sulfate.time_s" and err.value.value == 600.0
    top = float(str(err.value).split("at most ≈")[1].split(" s")[0])
    assert 0.0 < top < 600.0
    evaluate_collector(CollectorRecipe(zn_plating=PlatingStep("zn_acid_sulfate", 300.0, 0.99 * top)), PARAMS)
    with pytest.raises(FoiltwinInputError) as err:
        evaluate_collector(CollectorRecipe(uht=UHTRecipe(zn_route="plated", plated_zn_loading_kg_per_m2=0.055)),
                           PARAMS)
    assert err.value.field == "plated_zn_loading_kg_per_m2" and "kg/m2" in err.value.allowed
    assert "mg/cm" not in err.value.allowed


@pytest.mark.component
def test_an_electroforming_current_density_too_low_for_one_step_names_it():
    """At 2.34 A/m2 the 10 µm foil takes 32 h: refused as cu_acid_sulfate.time_s=116199 (a derived time); now the
    current density, with the least one that electroforms the foil in 24 h."""
    with pytest.raises(FoiltwinInputError) as err:
        evaluate_collector(CollectorRecipe(substrate="electroformed", electroform_current_density_A_per_m2=2.34),
                           PARAMS)
    assert err.value.field == "electroform_current_density_A_per_m2"
    least = float(str(err.value).split("at least ≈")[1].split(" A/m2")[0])
    evaluate_collector(CollectorRecipe(substrate="electroformed", electroform_current_density_A_per_m2=least * 1.05),
                       PARAMS)


@pytest.mark.component
def test_a_coil_batch_above_the_costings_throughput_names_the_coil_length():
    """952 coils of 100 km × 3 m anneal 2.1e7 m2/h: refused as throughput_m2_per_h (the costing's); now the coil
    length, with the longest the costing takes."""
    from process_models.collector.recipe import CoilAnnealStep

    with pytest.raises(FoiltwinInputError) as err:
        evaluate_collector(CollectorRecipe(coil_anneal=CoilAnnealStep(1100.0, 449.0, 952, 1e5, 3.0)), PARAMS)
    assert err.value.field == "coil_anneal.coil_length_m"
    top = float(str(err.value).split("at most ")[1].split(" m ")[0])
    evaluate_collector(CollectorRecipe(coil_anneal=CoilAnnealStep(1100.0, 449.0, 952, top * 0.999, 3.0)), PARAMS)


@pytest.mark.component
def test_a_zn_current_density_whose_web_edges_leave_the_kinetics_range_is_named():
    """A mean current density inside (0, 1e8] A/m2 whose edge current (≈19 × the mean) leaves it was refused with
    the edge's value (1.01e8, never given); now the mean is named with the largest one the web takes."""
    with pytest.raises(FoiltwinInputError) as err:
        evaluate_collector(CollectorRecipe(zn_plating=PlatingStep("zn_acid_sulfate", 99999999.9, 1.12, 273.15)),
                           PARAMS)
    assert err.value.field == "zn_acid_sulfate.current_density_A_per_m2"  # the step's field, like its other refusals
    assert err.value.value == 99999999.9


@pytest.mark.component
def test_plating_outside_its_bath_window_or_near_the_limiting_current_is_warned():
    """10 A/cm² (1e5 A/m²) electroforms in the kinetics (H2 takes most of the current) but burns a real deposit; it
    was reported as a good foil with no word. The bath's windows and the limiting current now warn, per step."""
    from process_models.plating.baths import get_bath
    from process_models.plating.electrodeposition import limiting_current_density_A_per_m2

    ok = evaluate_collector(CollectorRecipe(uht=UHTRecipe(), substrate="electroformed"), PARAMS)
    assert not any("electroforming" in w for w in ok.warnings)
    burnt = evaluate_collector(CollectorRecipe(uht=UHTRecipe(), substrate="electroformed",
                                               electroform_current_density_A_per_m2=1e5), PARAMS)
    mine = [w for w in burnt.warnings if w.startswith("electroforming (cu_acid_sulfate at 100000 A/m2)")]
    assert any("window 100-1500 A/m2" in w for w in mine) and any("j_L" in w for w in mine)
    j_lim = float(limiting_current_density_A_per_m2(get_bath("zn_acid_sulfate", PARAMS), params=PARAMS))
    share = PARAMS["plating_max_limiting_share_frac"]  # the burning share of j_L
    for j, near in ((0.8 * share * j_lim, False), (1.2 * share * j_lim, True)):
        step = PlatingStep("zn_acid_sulfate", j, 1.0)
        r = evaluate_collector(CollectorRecipe(uht=UHTRecipe(zn_route="plated"), zn_plating=step), PARAMS)
        assert any(w.startswith("Zn plating") and "j_L" in w for w in r.warnings) == near, (j, r.warnings)
