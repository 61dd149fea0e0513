"""Per-metal skin from the two UHT stages (process_models.skins.skin): conservation, limits, closed form,
monotonic responses, the Mg diffusivity assumption's effect, phases, energy, cost and input errors."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from process_models.skins.skin import SkinRecipe, evaluate_skin, impurity_diffusivity_m2_per_s, liquid_onset_K
from process_models.uht.interdiffusion import make_depth_grid, solve_interdiffusion

C_CU = 8960.0 / 0.063546  # mol/m3, the frame's molar density
LOADING = 0.0223  # mol/m2, the seed's Zn skin (seed note 002 §1a)


def _contact(metal: str, mol: float = LOADING, **kw) -> SkinRecipe:
    M = {"Zn": 0.06538, "Mg": 0.024305, "Ag": 0.1078682, "Sn": 0.118710, "Al": 0.0269815}[metal]
    return SkinRecipe(metal=metal, route="contact", contact_loading_kg_per_m2=mol * M, **kw)


@pytest.mark.unit
def test_impurity_diffusivities_are_arrhenius_and_zn_matches_the_seed_note():
    # seed note 002 §5b: Zn in dilute Cu, D(1200 K) ≈ 1.6e-13 m2/s
    assert float(impurity_diffusivity_m2_per_s("Zn", 1200.0)) == pytest.approx(1.6e-13, rel=0.1)
    for m in ("Mg", "Ag", "Sn", "Al"):
        d = impurity_diffusivity_m2_per_s(m, np.array([900.0, 1100.0, 1300.0]))
        assert np.all(np.diff(d) > 0) and 1e-16 < d[1] < 1e-12, m


@pytest.mark.component
@pytest.mark.parametrize("metal", ["Ag", "Sn", "Al"])
def test_contact_skin_conserves_the_metal_and_reports_phase_energy_cost(metal):
    r = evaluate_skin(_contact(metal))
    assert r.deposited_mol_per_m2 == pytest.approx(LOADING, rel=1e-9)
    assert C_CU * float(np.sum(r.profile_x * np.diff(make_depth_grid(10e-6).faces_m))) == pytest.approx(
        LOADING, rel=1e-6)
    assert 0.0 < r.surface_frac <= 1.0 and 0.0 < r.skin_thickness_m <= r.alloyed_depth_m < 10e-6
    assert r.skin_phases and r.energy_kWh_per_m2 > 0.0 and r.cost_USD_per_m2 > 0.0


@pytest.mark.component
def test_cold_short_pulse_leaves_the_film_and_a_long_hot_one_spreads_it():
    """Limit: with no intermixing the skin is the pure film, h = N/c thick; hotter pulses alloy deeper."""
    cold = evaluate_skin(_contact("Ag", stage2_temperature_K=400.0, stage3_peak_K=400.0, stage3_time_s=1e-3))
    h = LOADING / C_CU
    assert cold.surface_frac == pytest.approx(1.0, abs=1e-6)
    assert cold.skin_thickness_m == pytest.approx(h, rel=0.05)
    depths = [evaluate_skin(_contact("Ag", stage3_peak_K=T)).alloyed_depth_m for T in (900.0, 1050.0, 1200.0)]
    assert depths[0] < depths[1] < depths[2]
    surf = [evaluate_skin(_contact("Ag", stage3_peak_K=T)).surface_frac for T in (900.0, 1200.0)]
    assert surf[1] < surf[0]


@pytest.mark.unit
def test_solver_with_the_skin_diffusivity_matches_the_thin_film_closed_form():
    """Isothermal thin film on a semi-infinite foil: x(z) = N/(c√(πDt))·exp(−z²/4Dt) once √(Dt) ≫ h."""
    T, t, n = 1200.0, 2.0, 1e-4
    D = float(impurity_diffusivity_m2_per_s("Sn", T))
    grid = make_depth_grid(10e-6, first_cell_m=1e-9)
    x0 = np.zeros(grid.n_cells)
    x0[0] = n / (C_CU * grid.widths_m[0])
    res = solve_interdiffusion(x0, grid, [0.0, t], [T, T], molar_density_mol_per_m3=C_CU,
                               diffusivity=lambda x, TT: np.full_like(x, D), n_steps=400)
    z = grid.centres_m
    exact = n / (C_CU * math.sqrt(math.pi * D * t)) * np.exp(-z**2 / (4 * D * t))
    sel = z < 3 * math.sqrt(D * t)
    np.testing.assert_allclose(res.x[0][sel], exact[sel], rtol=0.03, atol=1e-4 * exact[0])


@pytest.mark.component
def test_mg_diffusivity_assumption_has_a_visible_effect():
    base = evaluate_skin(_contact("Mg"))
    p = default_parameters().with_overrides({"mg_in_cu_diffusion_prefactor_m2_per_s": 3.4e-4})
    fast = evaluate_skin(_contact("Mg"), p)
    assert fast.alloyed_depth_m > base.alloyed_depth_m and fast.surface_frac < base.surface_frac


@pytest.mark.component
def test_vapour_routes_follow_the_supply_model():
    mg = evaluate_skin(SkinRecipe(metal="Mg", stage2_time_s=10.0))
    assert mg.deposited_mol_per_m2 > 0.01 and not any("contact" in w for w in mg.warnings)
    sn = evaluate_skin(SkinRecipe(metal="Sn"))
    assert sn.deposited_mol_per_m2 < 1e-15
    assert any("contact/wetting" in w for w in sn.warnings)


@pytest.mark.component
def test_phases_and_liquid_warning():
    sn = evaluate_skin(_contact("Sn", stage3_peak_K=700.0))
    assert set(sn.skin_phases) <= {"eta_Cu6Sn5", "sn", "epsilon_Cu3Sn", "alpha"}
    assert any("transient liquid" in w for w in sn.warnings)  # Sn-rich surface above the 500 K eutectic
    ag_cold = evaluate_skin(_contact("Ag", stage3_peak_K=1000.0))
    assert not any("transient liquid" in w for w in ag_cold.warnings)  # below the 1052 K eutectic
    assert liquid_onset_K("Ag", 0.01) == math.inf and liquid_onset_K("Ag", 0.5) == pytest.approx(1052.3)
    assert liquid_onset_K("Mg", 0.3) == pytest.approx(998.0, abs=6.0)


@pytest.mark.component
def test_cost_follows_the_metal_price():
    ag, al = evaluate_skin(_contact("Ag")), evaluate_skin(_contact("Al"))
    assert ag.cost_USD_per_m2 > 10 * al.cost_USD_per_m2  # silver ≈ 900 USD/kg vs aluminium ≈ 2.5 USD/kg


@pytest.mark.unit
def test_bad_inputs_are_named():
    for recipe, field in ((SkinRecipe(metal="Pb"), "skin_metal"), (SkinRecipe(route="spray"), "route"),
                          (SkinRecipe(metal="Sn", route="contact"), "contact_loading_kg_per_m2"),
                          (SkinRecipe(stage3_peak_K=1400.0), "stage3_peak_K"),
                          (SkinRecipe(foil_thickness_m=1e-3), "foil_thickness_m")):
        with pytest.raises(FoiltwinInputError) as e:
            evaluate_skin(recipe)
        assert e.value.field == field


@pytest.mark.component
def test_a_thick_foil_skin_takes_the_ramp_the_heater_drives():
    """Past ≈21 µm the heater cannot drive the programmed 1e5 K/s (it was refused at any peak past ≈26 µm): the
    ramp is the heater's fastest, ∝ 1/thickness, and a thicker foil, slower to ramp and to cool freely, ends with an
    equal or thicker Ag layer for the same peak and time. Thin foils keep the programmed ramp."""
    p = default_parameters()
    foils_m = (10e-6, 20e-6, 30e-6, 40e-6, 50e-6)
    out = [evaluate_skin(_contact("Ag", foil_thickness_m=d, stage3_peak_K=1000.0), p) for d in foils_m]
    ramp = np.array([r.stage3_ramp_K_per_s for r in out])
    programmed = p["stage3_heating_rate_K_per_s"]
    assert ramp[0] == ramp[1] == programmed and not any("ramps at" in w for w in out[1].warnings)
    thick = ramp < programmed
    assert thick[2:].all() and all("ramps at" in w for r in out[2:] for w in r.warnings[-1:])
    assert np.allclose(ramp[thick] * np.array(foils_m)[thick], ramp[2] * foils_m[2], rtol=1e-12)
    assert np.all(np.diff([r.skin_thickness_m for r in out]) >= 0.0)
    assert np.all(np.diff([r.alloyed_depth_m for r in out]) >= 0.0)
    assert all(r.stage3_peak_K == pytest.approx(1000.0) for r in out)


@pytest.mark.component
def test_the_programmed_ramp_is_a_setting_whose_effect_shows():
    """The registry's 1e5 K/s is an assumption (the seed gives no ramp; seed note 002 §5a: 1e3-1e4 K/s for carbon-
    heater UHT): a slower programme on the same foil spends the fixed on-time ramping, not holding, so the layer is
    thinner or equal; one too slow to reach the peak in the on-time gives the lower peak it reaches, warned (the
    heater could reach the set point: not a refusal), as the Zn batch form does."""
    p = default_parameters()
    fast, slow = (evaluate_skin(_contact("Ag", stage3_peak_K=1000.0, stage3_heating_rate_K_per_s=r), p)
                  for r in (1e5, 3e4))
    assert slow.stage3_ramp_K_per_s == 3e4 and slow.recipe.stage3_heating_rate_K_per_s == 3e4
    assert slow.alloyed_depth_m <= fast.alloyed_depth_m and slow.skin_thickness_m < fast.skin_thickness_m
    assert evaluate_skin(_contact("Ag", stage3_peak_K=1000.0), p.with_overrides(
        {"stage3_heating_rate_K_per_s": 3e4})).skin_thickness_m == slow.skin_thickness_m
    short = evaluate_skin(_contact("Ag", stage3_peak_K=1000.0, stage3_heating_rate_K_per_s=1e4), p)
    assert short.stage3_peak_K == pytest.approx(300.0 + 1e4 * 0.03, rel=1e-12)  # T0 + r·t_on: not reached
    assert any("cannot reach 1000 K in 30 ms" in w for w in short.warnings)
    with pytest.raises(FoiltwinInputError) as err:
        evaluate_skin(_contact("Ag", stage3_peak_K=1000.0, stage3_heating_rate_K_per_s=1e7), p)
    assert err.value.field == "stage3_heating_rate_K_per_s"


@pytest.mark.component
@pytest.mark.parametrize("peak_K, field", [(1000.0, "stage3_peak_K"), (None, "foil_thickness_m")])
def test_a_peak_the_heater_cannot_reach_in_time_is_refused_with_the_reachable_range(peak_K, field):
    """A 5 ms stage III on a 50 µm foil: the heater's fastest ramp reaches ≈570 K. A given peak is refused with the
    reachable range; the default peak names the foil thickness and the thickest foil that reaches it. The stated
    limits hold: just inside them the skin solves, just outside it is refused."""
    p = default_parameters()
    recipe = _contact("Al", foil_thickness_m=50e-6, stage3_peak_K=peak_K, stage3_time_s=0.005)
    with pytest.raises(FoiltwinInputError) as err:
        evaluate_skin(recipe, p)
    assert err.value.field == field and "heater_max_areal_power_W_per_m2" in str(err.value)
    if field == "stage3_peak_K":
        top = float(str(err.value).split("in (300, ")[1].split("]")[0])
        evaluate_skin(replace(recipe, stage3_peak_K=top - 1.0), p)
        with pytest.raises(FoiltwinInputError):
            evaluate_skin(replace(recipe, stage3_peak_K=top + 1.0), p)
    else:
        top_um = float(str(err.value).split("in [3, ")[1].split("]")[0])
        evaluate_skin(replace(recipe, foil_thickness_m=top_um * 0.99e-6), p)
        with pytest.raises(FoiltwinInputError):
            evaluate_skin(replace(recipe, foil_thickness_m=top_um * 1.01e-6), p)
