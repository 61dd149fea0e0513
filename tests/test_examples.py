"""The shipped examples (examples/scenarios, examples/batches) validate and run; `scenario init` writes the default
plant as TOML that reads back to it; a partial scenario file is merged over the default plant by the rule of
``--set``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from process_models.errors import FoiltwinInputError
from twin.batch import expand, load_spec, run_job, spec_from_dict
from twin.scenario import Scenario, apply_overrides, load_scenario
from twin.scenario_toml import scenario_toml
from twin.simulate import run_single

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCENARIOS = sorted((EXAMPLES / "scenarios").glob("*.toml"))
BATCHES = sorted((EXAMPLES / "batches").glob("*.toml"))


@pytest.mark.component
def test_the_promised_examples_are_shipped():
    assert {p.stem for p in SCENARIOS} >= {"default_plant", "plated_zn", "furnace_on", "four_lines",
                                           "zn_to_mg_campaign"}
    assert {p.stem for p in BATCHES} >= {"factorial_sweep", "replications", "space_filling"}
    for p in SCENARIOS + BATCHES:
        assert p.read_text().startswith("#"), f"{p.name} opens with a comment saying what it is"


@pytest.mark.integration
def test_scenario_init_is_the_default_plant_and_reads_back_to_it(tmp_path, cli):
    code, out, err = cli("scenario", "init")
    assert code == 0, err
    assert out == scenario_toml()
    (tmp_path / "plant.toml").write_text(out)
    assert load_scenario(tmp_path / "plant.toml") == Scenario()
    assert (EXAMPLES / "scenarios" / "default_plant.toml").read_text() == out, \
        "examples/scenarios/default_plant.toml is stale: foiltwin scenario init > examples/scenarios/default_plant.toml"
    assert out.count("\n# ") > 20  # commented: each table says what it is, values their ranges


@pytest.mark.component
def test_a_non_default_scenario_round_trips_through_toml(tmp_path):
    sc = apply_overrides(load_scenario(EXAMPLES / "scenarios" / "four_lines.toml"),
                         ["plant.lines.3.settings.stage3_peak_K=1100.5", "parameters.foil_emissivity_frac=0.3"])
    (tmp_path / "s.toml").write_text(scenario_toml(sc))
    assert load_scenario(tmp_path / "s.toml") == sc


@pytest.mark.parametrize(("text", "overrides"), [
    ("hours = 48.0\n", ["hours=48.0"]),
    ("[[plant.lines]]\n[[plant.lines]]\n[plant.lines.settings]\nweb_speed_m_per_min = 0.8\n",
     ["plant.lines.1.settings.web_speed_m_per_min=0.8"]),
    ("[plant.coil_store]\ninitial_coils = 2\n[spec]\nskin_thickness_nm_max = 600.0\n",
     ["plant.coil_store.initial_coils=2", "spec.skin_thickness_nm_max=600.0"]),
    ("[[plant.furnaces]]\n[plant.furnaces.settings]\nenabled = true\n", ["plant.furnaces.0.settings.enabled=true"]),
])
@pytest.mark.component
def test_a_partial_file_is_merged_over_the_default_plant_like_set(tmp_path, text, overrides):
    (tmp_path / "partial.toml").write_text(text)
    assert load_scenario(tmp_path / "partial.toml") == apply_overrides(Scenario(), overrides)


@pytest.mark.component
def test_a_partial_file_keeps_its_own_lines_and_refuses_unknown_keys(tmp_path):
    p = tmp_path / "p.toml"
    p.write_text('[[plant.lines]]\ntype = "uht"\nname = "only-uht"\n')  # another type at index 0: stands alone
    sc = load_scenario(p)
    assert [(x.name, x.type) for x in sc.plant.lines] == [("only-uht", "uht")]
    assert sc.plant.lines[0].settings == Scenario().plant.lines[1].settings
    p.write_text("[[plant.lines]]\n[[plant.lines]]\n[plant.lines.settings]\nweb_sped_m_per_min = 0.8\n")
    with pytest.raises(FoiltwinInputError, match="web_sped_m_per_min"):
        load_scenario(p)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
@pytest.mark.integration
def test_each_example_scenario_validates_and_runs(path):
    sc = load_scenario(path)
    report = run_single(sc.model_copy(update={"hours": 0.25}))
    assert report["scenario"] == sc.name and set(report["lines"]) >= {x.name for x in sc.plant.lines}


@pytest.mark.component
def test_the_examples_say_what_they_claim():
    plated = load_scenario(EXAMPLES / "scenarios" / "plated_zn.toml")
    assert plated.plant.lines[0].settings.bath.startswith("zn_")
    assert load_scenario(EXAMPLES / "scenarios" / "furnace_on.toml").plant.furnaces[0].settings.enabled
    assert len(load_scenario(EXAMPLES / "scenarios" / "four_lines.toml").plant.lines) == 4
    uht = load_scenario(EXAMPLES / "scenarios" / "zn_to_mg_campaign.toml").plant.lines[1]
    assert uht.skin_metal == "Zn" and [c.metal for c in uht.skin_campaigns] == ["Mg"]


@pytest.mark.integration
def test_the_zn_to_mg_example_changes_over_and_makes_mg_skins_in_spec():
    sc = load_scenario(EXAMPLES / "scenarios" / "zn_to_mg_campaign.toml")
    k = run_single(sc.model_copy(update={"hours": 3.25}))["lines"]["uht-1"]
    assert k["skin_changeovers"] == 1 and k["skin_changeover_hours"] == pytest.approx(2.0)
    assert k["skin_metal_metres"]["Mg"] > 0.0 and k["skin_phase_metres"].get("mg_hcp", 0.0) > 0.0
    assert k["metres_in_spec"] > k["skin_metal_metres"]["Zn"]  # Mg metres pass their (assumed) window


@pytest.mark.parametrize("path", BATCHES, ids=lambda p: p.stem)
@pytest.mark.integration
def test_each_example_batch_spec_expands_and_its_first_job_runs(path):
    spec, root = load_spec(path)
    jobs = expand(spec.model_copy(update={"hours": 0.1}), root)
    assert len(jobs) == max(len(spec.scenarios), 1) * spec.replications * (
        spec.design.point_count() if spec.design else int(np.prod([len(v) for v in spec.sweep.values()])))
    res = run_job(jobs[0])
    assert res["status"] == "ok", res["error"]
    if spec.sweep or spec.design:
        assert jobs[0].factors and all(k in jobs[0].scenario_name for k, _ in jobs[0].factors)


@pytest.mark.component
def test_a_latin_hypercube_puts_one_point_in_each_stratum_of_each_factor():
    design = {"kind": "latin_hypercube", "points": 9, "seed": 3,
              "ranges": {"hours": [1.0, 10.0], "plant.lines.1.settings.stage2_temperature_K": [720.0, 780.0]}}
    spec = spec_from_dict({"design": design})
    points = spec.design.values()
    assert points == spec_from_dict({"design": design}).design.values()  # the design's seed decides
    for key, (lo, hi) in design["ranges"].items():
        strata = sorted(int((p[key] - lo) / (hi - lo) * 9) for p in points)
        assert strata == list(range(9)), key
    jobs = expand(spec)
    assert [dict(j.factors) for j in jobs] == points
    with pytest.raises(FoiltwinInputError, match="not both"):
        spec_from_dict({"design": design, "sweep": {"hours": [1.0, 2.0]}})
    with pytest.raises(FoiltwinInputError, match="low < high"):
        spec_from_dict({"design": {**design, "ranges": {"hours": [3.0, 1.0]}}})


@pytest.mark.integration
def test_scenario_check_reports_a_valid_file(cli):
    code, out, err = cli("scenario", "check", str(EXAMPLES / "scenarios" / "four_lines.toml"), "--json", "-")
    assert code == 0, err
    assert [x["name"] for x in json.loads(out)["lines"]] == ["ed-1", "uht-1", "ed-2", "uht-2"]



@pytest.mark.integration
def test_the_plated_example_buys_no_vapour_zn_and_uses_its_stage2_anneal():
    """The plated example's UHT line takes plated coils only; it buys no vapour Zn (their Zn is the plating line's)
    and its stage-II settings, kept in the example, pre-anneal the plated Zn: without them the skin differs."""
    from dataclasses import replace

    from process_models.parameters import default_parameters
    from process_models.uht.recipe import UHTRecipe, evaluate_recipes

    sc = load_scenario(EXAMPLES / "scenarios" / "plated_zn.toml")
    report = run_single(sc.model_copy(update={"hours": 4.0}))  # the first 200 m coil is plated in ≈ 3.4 h
    ed, uht = report["lines"]["zn-plate-1"], report["lines"]["uht-1"]
    assert uht["metres_produced"] > 0.0 and uht["zn_deposited_kg_per_processed_m2"] > 0.0
    assert uht["zn_vapour_deposited_kg_per_processed_m2"] == 0.0 and uht["cost_breakdown"]["metals"] == 0.0
    assert ed["cost_breakdown"]["metals"] > 0.0 and ed["cost_breakdown"]["bath_chemicals"] > 0.0
    s = sc.plant.lines[1].settings
    with_stage2 = UHTRecipe(zn_route="plated", plated_zn_loading_kg_per_m2=uht["zn_deposited_kg_per_processed_m2"],
                            stage2_temperature_K=s.stage2_temperature_K,
                            stage2_time_s=s.stage2_zone_length_m / s.web_speed_m_per_min * 60.0,
                            stage3_peak_K=s.stage3_peak_K)
    a, b = evaluate_recipes([with_stage2, replace(with_stage2, stage2_time_s=0.0)], default_parameters())
    assert a.skin_phase != b.skin_phase or abs(a.skin_thickness_nm - b.skin_thickness_nm) > 1.0


@pytest.mark.integration
def test_the_four_lines_example_makes_good_skins_on_both_uht_lines():
    """uht-2's slower web (0.8 m/min) at the default stage-II 750 K grew a ≈ 610 nm α+β skin: yield 0 on that line
    and 0.55 for the plant. The example runs its stage II at 735 K, and both UHT lines make skins in spec."""
    sc = load_scenario(EXAMPLES / "scenarios" / "four_lines.toml")
    lines = run_single(sc.model_copy(update={"hours": 2.0}))["lines"]
    for name in ("uht-1", "uht-2"):
        k = lines[name]
        assert k["metres_produced"] > 0.0 and k["yield_fraction"] > 0.9, (name, k["yield_fraction"])
        assert sc.spec.skin_thickness_nm_min < k["skin_thickness_nm"]["mean"] < sc.spec.skin_thickness_nm_max


@pytest.mark.integration
def test_the_factorial_example_sweeps_settings_that_make_good_skins():
    """The sweep (0.8-1.2 m/min × 735/765 K) put 3 of its 6 points outside the skin window (322-782 nm against
    400-540 nm: yield 0, no cost per good m²) and a fourth at yield 0.1, so the example showed mostly nothing. Its
    points now lie along the window: every one makes good m² and has a cost per good m²."""
    spec, root = load_spec(EXAMPLES / "batches" / "factorial_sweep.toml")
    jobs = expand(spec.model_copy(update={"hours": 2.0, "replications": 1}), root)
    assert len(jobs) == 6
    for job in jobs:
        res = run_job(job)
        assert res["status"] == "ok", res["error"]
        report = res["report"]
        assert report["yield_fraction"] > 0.2, (job.factors, report["yield_fraction"])
        assert report["cost_per_m2"] is not None, job.factors
