"""Which phases a Mg skin reaches on the line (docs/skin_metals.md, "Which phases a Mg skin reaches"): with the
registry's Mg diffusivity (ASSUMED equal to Zn's) only a pure-Mg surface (mg_hcp, or CuMg2 beside it), which the
default spec refuses, so ``--skin-metals Zn,Mg`` recommends Zn; a faster Mg diffusivity (an override) reaches
Cu2Mg + CuMg2: the outcome is decided by an overridable assumption."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optimizer import Targets, optimize
from optimizer.metal_surrogates import build_metal_skin, metal_spec
from optimizer.space import decision_space
from process_models.parameters import default_parameters
from process_models.skins.skin import SkinRecipe, evaluate_skin
from process_models.skins.spec_defaults import default_allowed_skin_phases
from twin.scenario import Scenario
from twin.simulate import build_parameters

FASTER_MG = {"mg_in_cu_diffusion_activation_J_per_mol": 150e3}  # vs 191 kJ/mol (Zn's, assumed)
RECIPE = SkinRecipe(metal="Mg", source_temperature_K=885.0, stage2_temperature_K=750.0, stage2_time_s=60.0,
                    stage3_peak_K=740.0)


@pytest.mark.component
def test_no_vertex_of_the_mg_box_reaches_a_default_phase():
    sc = Scenario()
    params = build_parameters(sc)
    space = decision_space(sc, params, None, None)
    spec = metal_spec(space, "Mg")
    assert spec.allowed_phases == default_allowed_skin_phases("Mg")
    table = build_metal_skin(space, params, spec, shape=(2, 3, 2, 2))
    assert np.all(table.values["phase_bad"] == 1.0)


@pytest.mark.unit
def test_a_faster_mg_diffusivity_reaches_cu2mg_and_cumg2():
    p = default_parameters()
    base = evaluate_skin(RECIPE, p)
    fast = evaluate_skin(RECIPE, p.with_overrides(FASTER_MG))
    assert base.skin_phases == ("mg_hcp",) and "mg_hcp" not in default_allowed_skin_phases("Mg")
    assert fast.skin_phases == ("cu2mg", "cumg2") and "cu2mg+cumg2" in default_allowed_skin_phases("Mg")
    assert 400.0 <= fast.skin_thickness_m * 1e9 <= 540.0  # in the assumed Mg window too
    assert math.isclose(fast.deposited_mol_per_m2, base.deposited_mol_per_m2)  # same deposit, only mixing differs


@pytest.mark.integration
def test_the_default_choice_between_zn_and_mg_is_zn():
    r = optimize(Targets(skin_thickness_nm=470, tolerance_nm=50), skin_metals=("Zn", "Mg"), verify_twin=False,
                 held_out=False)
    assert r.skin_metal == "Zn" and r.skin_metal_costs["Mg"] is None and r.skin_metal_costs["Zn"] > 0.0
