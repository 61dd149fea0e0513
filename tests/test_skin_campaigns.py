"""Skin metal per UHT line and skin-metal campaigns in the twin (issue 14 item 1): the scenario's settings and their
refusals, conservation of metres, a changeover costs exactly its source swap and purge of line time, a
single-metal schedule is the plain run byte for byte, each metal's skin and metal cost come from its own model."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from process_models.skins.skin import SkinRecipe, evaluate_skin
from twin.scenario import Scenario, apply_overrides
from twin.simulate import run_single

# one UHT line on commercial foil, no failures, no breaks, coils far longer than the run: the only stop is the
# changeover, so line time is exact
_QUIET = ['plant.lines=[{type="uht", name="uht-1"}]', "plant.lines.0.equipment=[]",
          "plant.lines.0.web_breaks.enabled=false", "plant.incoming_coils.length_m=10000.0",
          "plant.coil_store.initial_coils=2"]
_MG = ('plant.lines.0.skin_campaigns=[{start_h=0.5, metal="Mg", source_temperature_K=885.0}]',
       "plant.lines.0.changeovers=[{at_h=0.5, settings={stage3_peak_K=740.0}}]", "plant.lines.0.changeover_min=0.0")


def _run(*overrides: str, hours: float = 3.5) -> dict:
    return run_single(apply_overrides(Scenario(), [*_QUIET, f"hours={hours}", *overrides]))["lines"]["uht-1"]


@pytest.fixture(scope="module")
def zn_to_mg() -> dict:
    return _run(*_MG)


@pytest.mark.integration
def test_metres_are_conserved_across_a_metal_change(zn_to_mg):
    k = zn_to_mg
    assert k["skin_changeovers"] == 1 and set(k["skin_metal_metres"]) == {"Zn", "Mg"}
    assert k["metres_in"] + k["wip_start_m"] - k["wip_end_m"] == pytest.approx(k["metres_produced"], abs=1e-9)
    assert k["metres_produced"] == pytest.approx(k["metres_in_spec"] + k["metres_scrap"], abs=1e-9)
    assert sum(k["skin_metal_metres"].values()) == pytest.approx(k["metres_produced"], abs=1e-9)
    assert k["skin_metal_metres"]["Mg"] > 10.0 and k["metres_in_spec"] > 0.5 * k["metres_produced"]


@pytest.mark.integration
def test_a_changeover_costs_exactly_its_swap_and_purge_of_line_time(zn_to_mg):
    longer = _run(*_MG, "plant.lines.0.skin_changeover.purge_min=120.0")
    plain = _run()
    assert zn_to_mg["skin_changeover_hours"] == pytest.approx(2.0, abs=1e-12)  # 30 + 90 min (assumed defaults)
    assert longer["skin_changeover_hours"] - zn_to_mg["skin_changeover_hours"] == pytest.approx(0.5, abs=1e-12)
    prod = [k["state_hours"]["production"] for k in (plain, zn_to_mg, longer)]
    assert prod[0] - prod[1] == pytest.approx(2.0, abs=1e-9)  # the line makes nothing while it changes over
    assert prod[1] - prod[2] == pytest.approx(0.5, abs=1e-9)
    assert zn_to_mg["state_hours"]["setup"] - longer["state_hours"]["setup"] == pytest.approx(-0.5, abs=1e-9)
    # the same web after the restart, half an hour less of it: 30 m at 1 m/min
    assert zn_to_mg["metres_in"] - longer["metres_in"] == pytest.approx(30.0, abs=1e-6)


@pytest.mark.integration
def test_a_single_metal_schedule_is_the_plain_run_byte_for_byte(tmp_path):
    base = ["hours=1.5", "seed=3"]
    same = ['plant.lines.1.skin_campaigns=[{start_h=0.5, metal="Zn"}, {start_h=1.0, metal="Zn"}]']
    a = run_single(apply_overrides(Scenario(), base), tmp_path / "a")
    b = run_single(apply_overrides(Scenario(), [*base, *same]), tmp_path / "b")
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    assert (tmp_path / "a" / "segments.parquet").read_bytes() == (tmp_path / "b" / "segments.parquet").read_bytes()
    assert a["lines"]["uht-1"]["skin_changeovers"] == 0 and a["lines"]["uht-1"]["skin_metal"] == "Zn"


@pytest.mark.integration
def test_each_metal_gets_its_own_skin_model_and_metal_price(tmp_path, zn_to_mg):
    run_single(apply_overrides(Scenario(), [*_QUIET, "hours=3.5", *_MG]), tmp_path / "r")
    seg = pq.read_table(tmp_path / "r" / "segments.parquet").to_pandas()
    rows = seg[(seg.skin_metal == "Mg") & seg.in_spec]
    mg = rows.iloc[len(rows) // 2]
    direct = evaluate_skin(SkinRecipe(metal="Mg", source_temperature_K=885.0,
                                      stage2_temperature_K=mg.stage2_temperature_K, stage2_time_s=mg.stage2_time_s,
                                      stage3_peak_K=mg.stage3_peak_K, stage3_time_s=mg.stage3_time_ms * 1e-3))
    assert mg.skin_thickness_nm == pytest.approx(direct.skin_thickness_m * 1e9, rel=5e-3)  # quantised history
    assert mg.surface_skin_metal_at_frac == pytest.approx(direct.surface_frac, rel=5e-3)
    assert mg.zn_deposited_mg_per_cm2 == 0.0 and seg[seg.skin_metal == "Zn"].zn_deposited_mg_per_cm2.min() > 0.0
    assert set(seg[seg.reject_reason.str.contains("spanned a source change")].skin_metal) <= {"Mg"}
    # the metals cost is the one costing function's price of Zn and Mg bought (deposited / source utilisation)
    p = default_parameters()
    k = zn_to_mg
    mg_kg = k["skin_metal_deposited_kg_per_processed_m2"]["Mg"]
    expect = (k["zn_deposited_kg_per_processed_m2"] * p["zn_price_USD_per_kg"] + mg_kg * p["mg_price_USD_per_kg"]) \
        / p["zn_source_utilisation_frac"]
    assert mg_kg > 0.0 and k["cost_breakdown"]["metals"] == pytest.approx(expect, rel=1e-9)


@pytest.mark.component
@pytest.mark.parametrize(("override", "words"), [
    ('plant.lines.1.skin_metal="Pb"', ("plant.lines.1.skin_metal", "'Pb'", "one of Zn, Mg, Ag, Sn, Al")),
    ('plant.lines.1.skin_campaigns=[{start_h=1.0, metal="Cd"}]',
     ("plant.lines.1.skin_campaigns.0.metal", "'Cd'", "one of Zn, Mg, Ag, Sn, Al")),
    ('plant.lines.1.skin_campaigns=[{start_h=2.0, metal="Mg"}, {start_h=1.0, metal="Zn"}]',
     ("skin_campaigns[1].start_h = 1 h", "later than")),
    ("plant.lines.1.skin_source_temperature_K=800.0", ("skin_source_temperature_K = 800 K", "Zn source follows")),
    ('spec.skin_metals={Zn={skin_thickness_nm_min=1.0}}', ("spec.skin_metals", "one of Mg, Ag, Sn, Al")),
])
def test_bad_skin_settings_are_named(override, words):
    with pytest.raises(FoiltwinInputError) as e:
        apply_overrides(Scenario(), [override])
    for w in words:
        assert w in str(e.value)


@pytest.mark.integration
def test_the_cli_refuses_an_unknown_metal_with_exit_2(cli):
    code, out, err = cli("simulate", "--hours", "0.1", "--set", 'plant.lines.1.skin_metal="Pb"')
    assert code == 2 and out == ""
    assert "plant.lines.1.skin_metal" in err and "Pb" in err and "one of Zn, Mg, Ag, Sn, Al" in err
    assert "Traceback" not in err


@pytest.mark.integration
def test_a_new_source_temperature_alone_is_no_changeover():
    k = _run('plant.lines.0.skin_metal="Mg"', "plant.lines.0.skin_source_temperature_K=885.0",
             'plant.lines.0.skin_campaigns=[{start_h=0.5, metal="Mg", source_temperature_K=870.0}]',
             "plant.lines.0.settings.stage3_peak_K=740.0", hours=1.0)
    assert k["skin_changeovers"] == 0 and k["skin_changeover_hours"] == 0.0 and k["state_hours"]["setup"] == 0.0
    assert k["skin_metal"] == "Mg" and set(k["skin_metal_metres"]) == {"Mg"}
    assert k["nucleation_overpotential_mV"] is None  # no indicator model for a Mg skin
