"""A precursor deposit thicker than the foil can hold (process_models.skins.skin.check_deposit_fits): refused with
the setting and its allowed range, in the CLI's units with exit 2; the optimiser marks such points failed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optimizer.metal_surrogates import metal_points, metal_spec
from optimizer.space import decision_space
from optimizer.verify import refused_metal_check
from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from process_models.skins import supply
from process_models.skins.skin import (
    SkinRecipe,
    deposit_capacity_mol_per_m2,
    deposit_limit,
    evaluate_skin,
)
from twin.scenario import Scenario
from twin.simulate import build_parameters


@pytest.mark.unit
def test_the_capacity_is_the_foil_full_of_metal_at_the_cu_molar_density():
    p = default_parameters()
    r = SkinRecipe(metal="Mg", foil_thickness_m=10e-6).validated(p)
    c = p["cu_density_kg_per_m3"] / p["cu_molar_mass_kg_per_mol"]
    assert deposit_capacity_mol_per_m2(r, p) == pytest.approx(c * 10e-6, rel=1e-12)
    field, t_max, unit = deposit_limit(r, p)
    flux = float(supply.deposition_flux_mol_per_m2_s("Mg", r.source_temperature_K, p))
    assert (field, unit) == ("stage2_time_s", "s") and t_max * flux == pytest.approx(c * 10e-6, rel=1e-12)
    contact = SkinRecipe(metal="Mg", route="contact", contact_loading_kg_per_m2=1e-3).validated(p)
    assert deposit_limit(contact, p)[1] == pytest.approx(c * 10e-6 * p["mg_molar_mass_kg_per_mol"], rel=1e-12)


@pytest.mark.component
def test_a_deposit_at_the_limit_is_evaluated_and_one_above_is_refused():
    p = default_parameters()
    t_max = deposit_limit(SkinRecipe(metal="Mg").validated(p), p)[1]
    at = evaluate_skin(SkinRecipe(metal="Mg", stage2_time_s=t_max * (1 - 1e-9), stage3_peak_K=740.0), p)
    assert at.surface_frac == pytest.approx(1.0) and math.isfinite(at.cost_USD_per_m2)
    with pytest.raises(FoiltwinInputError) as e:
        evaluate_skin(SkinRecipe(metal="Mg", stage2_time_s=t_max * 1.01, stage3_peak_K=740.0), p)
    assert e.value.field == "stage2_time_s" and f"(0, {t_max:.4g}] s" in str(e.value)
    with pytest.raises(FoiltwinInputError) as e:
        evaluate_skin(SkinRecipe(metal="Al", route="contact", contact_loading_kg_per_m2=0.05), p)
    assert e.value.field == "contact_loading_kg_per_m2" and "kg/m2" in str(e.value)


@pytest.mark.integration
@pytest.mark.parametrize(("args", "words"), [
    (("--stage2-time-s", "600"), ("--stage2-time-s=600.0", "(0, 462.187] s", "980.3 K")),
    (("--skin-route", "contact", "--skin-loading-mg-per-cm2", "4"),
     ("--skin-loading-mg-per-cm2=4.0", "(0, 3.42701] mg/cm2")),
])
def test_the_cli_refuses_a_deposit_the_foil_cannot_hold_in_option_units(cli, args, words):
    code, out, err = cli("recipe", "--skin-metal", "Mg", *args)
    assert code == 2 and out == "" and "Traceback" not in err and len(err.strip().splitlines()) == 1
    for w in words:
        assert w in err


@pytest.mark.component
def test_the_optimiser_marks_such_points_failed():
    sc = Scenario()
    params = build_parameters(sc)
    space = decision_space(sc, params, None, None)
    spec = metal_spec(space, "Mg")
    T2 = float(np.mean(space.stage2_temperature_K))
    ok, too_long = 10.0, 5000.0  # s of stage II at the Mg source: the second lays down more than the foil holds
    pts = np.array([[1.0 / T2, math.log(t), 740.0, math.log(0.03)] for t in (ok, too_long)])
    out = metal_points(space, params, spec, pts)
    assert out["failed"].tolist() == [0.0, 1.0]
    assert out["phase_bad"][1] == 1.0 and out["liquid"][1] == 1.0
    chk = refused_metal_check("Mg", FoiltwinInputError("stage2_time_s", too_long, "must lie in (0, 462.2] s"))
    assert not chk.ok and chk.kpis["cost_per_m2"] == math.inf and "stage2_time_s" in chk.misses[0]
