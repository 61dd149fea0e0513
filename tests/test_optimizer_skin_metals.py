"""The skin metal as a decision of the optimiser (issue 14 item 1): ``optimize(..., skin_metals=)`` and
``foiltwin optimize --skin-metals``."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from shared_caches import OPTIMISER_CACHE

from optimizer import Targets, optimize
from optimizer.metal_surrogates import (
    build_metal_skin,
    check_skin_metals,
    metal_box,
    metal_held_out_errors,
    metal_spec,
    skin_recipe,
)
from optimizer.space import decision_space
from process_models.errors import FoiltwinInputError
from process_models.skins.skin import evaluate_skin
from twin.scenario import Scenario, apply_overrides
from twin.simulate import build_parameters

TARGETS = Targets(skin_thickness_nm=470, tolerance_nm=50)
FAST = {"verify_twin": False, "held_out": False, "cache": OPTIMISER_CACHE}
# these tests exercise the metal decision, so a Mg skin of any phase passes: by default only the Cu-Mg alloy phases
# do, which no Mg recipe of the line reaches (docs/skin_metals.md; tests/test_skin_phase_defaults_optimizer.py)
ANY_MG = 'spec.skin_metals={Mg={allowed_skin_phases="any"}}'


def _any_mg(*overrides: str) -> Scenario:
    return apply_overrides(Scenario(), [ANY_MG, *overrides])


@pytest.fixture(scope="module")
def plant():
    sc = _any_mg()
    params = build_parameters(sc)
    return sc, params, decision_space(sc, params, None, None)


@pytest.fixture(scope="module")
def alone():
    """Each metal's own optimum (the others not offered), and the joint choice."""
    return {m: optimize(TARGETS, _any_mg(), skin_metals=m, **FAST) for m in (("Zn",), ("Mg",), ("Zn", "Mg"))}


@pytest.mark.component
def test_mg_table_vertex_is_the_skin_model_at_its_settings(plant):
    """Known answer: a vertex of the Mg table holds what evaluate_skin gives at that vertex's settings."""
    _, params, space = plant
    spec = metal_spec(space, "Mg")
    table = build_metal_skin(space, params, spec, shape=(2, 2, 2, 2))
    i = 9  # some vertex: (1/T2, ln t2, T3, ln t3)
    z, v2, T3, v3 = table.vertices()[i]
    r = evaluate_skin(skin_recipe(space, spec, 1.0 / z, math.exp(v2), T3, math.exp(v3)), params)
    assert table.values["ln_skin"].ravel()[i] == pytest.approx(math.log(r.skin_thickness_m * 1e9), rel=1e-12)
    assert table.values["deposited"].ravel()[i] == pytest.approx(r.deposited_kg_per_m2, rel=1e-12)
    assert table.values["energy"].ravel()[i] == pytest.approx(r.energy_kWh_per_m2, rel=1e-12)
    # the source is the line's for Mg: its melting point + superheat (no source temperature in the scenario)
    assert r.recipe.source_temperature_K == pytest.approx(params["mg_melting_temperature_K"]
                                                          + params["skin_source_superheat_K"])
    # the Mg range of stage-III peaks lies below the liquid of a pure-Mg surface (923 K)
    assert metal_box(space, params, spec)[2][1] < params["mg_melting_temperature_K"]


@pytest.mark.component
def test_mg_coarse_table_error_on_held_out_samples(plant):
    """The coarse Mg table against evaluate_skin at random points of its box: skin within 2 %."""
    _, params, space = plant
    spec = metal_spec(space, "Mg")
    e = metal_held_out_errors(space, params, spec, build_metal_skin(space, params, spec), np.random.default_rng(3),
                              n=12)
    assert e["failed_samples"]["n"] == 0 and e["skin_rel"]["n"] == 12
    assert e["skin_rel"]["max_abs"] < 0.02
    assert e["phase_bad_classification"]["accuracy"] == 1.0


@pytest.mark.unit
def test_skin_metals_are_validated():
    assert check_skin_metals(("Mg", "Zn")) == ("Zn", "Mg")
    for bad in (("Cu",), ("Zn", "Zn"), ()):
        with pytest.raises(FoiltwinInputError):
            check_skin_metals(bad)


@pytest.mark.integration
def test_zn_only_is_todays_optimum(alone):
    """``skin_metals=("Zn",)`` is the default: the same settings and costs, and no skin-metal block."""
    today = optimize(TARGETS, **FAST)
    zn = alone[("Zn",)]
    assert zn.settings == today.settings and zn.checked == today.checked and zn.predicted == today.predicted
    assert zn.skin_metal == "Zn" and "skin_metal" not in zn.settings["uht"]


@pytest.mark.integration
def test_joint_choice_is_the_cheaper_metal(alone):
    """The chosen metal's checked cost is no more than each metal's own optimum (solved alone), within 0.5 %."""
    joint = alone[("Zn", "Mg")]
    own = {m: alone[(m,)].checked["cost_per_m2"] for m in ("Zn", "Mg")}
    assert joint.status != "infeasible"
    assert joint.checked["cost_per_m2"] <= min(own.values()) * 1.005
    assert joint.skin_metal == min(own, key=own.get)
    for m in ("Zn", "Mg"):  # each metal's best checked cost, reported, is its own optimum
        assert joint.skin_metal_costs[m] == pytest.approx(own[m], rel=5e-3)
    assert joint.checked["skin_metal" if joint.skin_metal != "Zn" else "skin_phase"]
    d = joint.to_dict()
    assert d["skin_metal"] == joint.skin_metal and set(d["skin_metal_costs"]) == {"Zn", "Mg"}


@pytest.mark.integration
def test_a_spec_only_zn_meets_forces_zn(alone):
    """A Mg thickness window no Mg skin of the line reaches (the scenario's spec.skin_metals.Mg) leaves Zn."""
    sc = apply_overrides(Scenario(), ["spec.skin_metals={Mg={skin_thickness_nm_min=8000.0, "
                                      'skin_thickness_nm_max=9000.0, allowed_skin_phases="any"}}'])
    assert sc.spec.for_metal("Mg").skin_thickness_nm_min == 8000.0
    r = optimize(TARGETS, sc, skin_metals=("Zn", "Mg"), **FAST)
    assert r.skin_metal == "Zn" and r.skin_metal_costs["Mg"] is None
    assert r.checked["cost_per_m2"] == pytest.approx(alone[("Zn",)].checked["cost_per_m2"], rel=5e-3)


@pytest.mark.integration
def test_a_spec_only_mg_meets_forces_mg():
    """A surface-Zn window no Zn skin reaches (a nearly pure-Zn surface) leaves Mg."""
    t = Targets(skin_thickness_nm=470, tolerance_nm=50, surface_zn_at_frac=(0.95, 1.0))
    r = optimize(t, _any_mg(), skin_metals=("Zn", "Mg"), raise_infeasible=False, **FAST)
    assert r.skin_metal == "Mg" and r.skin_metal_costs["Zn"] is None
    assert 400.0 <= r.checked["skin_thickness_nm"] <= 540.0  # the Mg spec's (assumed) window


@pytest.mark.integration
def test_twin_check_runs_the_line_with_the_chosen_metal():
    r = optimize(TARGETS, _any_mg(), skin_metals=("Mg",), held_out=False, twin_hours=4.0, cache=OPTIMISER_CACHE)
    assert r.skin_metal == "Mg" and r.verified is not None
    assert r.verified["skin_metal"] == "Mg"
    assert r.verified["skin_thickness_nm"] == pytest.approx(r.checked["skin_thickness_nm"], rel=0.05)
    assert np.isfinite(r.verified["cost_per_m2"]) and r.verified["yield_fraction"] > 0.9


@pytest.mark.integration
def test_cli_skin_metals(cli):
    code, out, err = cli("optimize", "--skin-metals", "Zn,Mg", "--no-twin", "--json", "-")
    assert code == 0, err
    d = json.loads(out)
    assert d["skin_metal"] in ("Zn", "Mg") and set(d["skin_metal_costs"]) == {"Zn", "Mg"}
    code, out, err = cli("optimize", "--skin-metals", "Zn,Mg", "--no-twin")
    assert code == 0, err
    assert "skin metal:" in out and "Zn" in out and "Mg" in out


@pytest.mark.integration
@pytest.mark.parametrize("bad", ["Zn,Cu", "", "Zn,Zn"])
def test_cli_bad_skin_metals_exit_2(cli, bad):
    code, _, err = cli("optimize", "--skin-metals", bad, "--no-twin")
    assert code == 2
    assert "--skin-metals" in err
    assert ("Zn, Mg, Ag, Sn, Al" in err) or ("at most once" in err)
    assert "Traceback" not in err


@pytest.mark.component
def test_metal_binary_gates_the_tables(plant):
    """On the same coarse tables: the joint MILP with Mg fixed off is the Zn-only MILP (same optimum); with Mg on,
    every Zn skin table carries no weight and the Mg table all of it."""
    import pyomo.environ as pyo

    from optimizer.economics import economics
    from optimizer.model import build_model
    from optimizer.solve import solve
    from optimizer.surrogates import build_surrogates

    sc, params, space = plant
    t = TARGETS.with_defaults(sc)
    econ = economics(params, space.foil_thickness_m, t.currency)
    s = build_surrogates(space, params, t.skin_window_nm, skin_shape=(3, 6, 5), held_out=False,
                         skin_metals=("Zn", "Mg"))
    zn_only = type(s)(**{**s.__dict__, "skin_metals": ("Zn",), "metals": {}, "metal_specs": {}})
    m0, _ = build_model(space, zn_only, t, econ, params)
    assert not hasattr(m0, "skin_metal")
    out0 = solve(m0, "appsi_highs", 30, 1e-6)
    m1, _ = build_model(space, s, t, econ, params)
    m1.skin_metal.y_metal["Mg"].fix(0)
    out1 = solve(m1, "appsi_highs", 30, 1e-6)
    assert out1.objective == pytest.approx(out0.objective, rel=1e-5)
    m2, _ = build_model(space, s, t, econ, params)
    m2.skin_metal.y_metal["Mg"].fix(1)
    assert solve(m2, "appsi_highs", 30, 1e-6).status != "infeasible"
    u, sm = m2.uht, m2.skin_metal  # the UHT-line block, the skin-metal block
    zn_w = sum(pyo.value(b.w[v]) for r in u.ROUTES for b in [u.skin[r]] for v in b.V)
    mg_w = sum(pyo.value(sm.table["Mg"].w[v]) for v in sm.table["Mg"].V)
    assert zn_w == pytest.approx(0.0, abs=1e-6) and mg_w == pytest.approx(1.0, abs=1e-6)
    # the Mg table sits on the UHT line's decisions: its copies are the line's T3, ln pace, 1/T2 and ln t2
    assert pyo.value(u.T3) == pytest.approx(pyo.value(sm.T3["Mg"]), abs=1e-6)
    assert pyo.value(u.ln_pace) == pytest.approx(pyo.value(sm.ln_pace["Mg"]), abs=1e-6)
    assert pyo.value(u.inv_T2) == pytest.approx(pyo.value(sm.inv_T2["Mg"]), rel=1e-6)
    assert pyo.value(u.ln_t2) == pytest.approx(pyo.value(sm.ln_t2["Mg"]), abs=1e-6)
