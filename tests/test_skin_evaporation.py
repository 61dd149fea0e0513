"""Stage-III evaporation of a skin metal (process_models.skins.evaporation, issue 14 item 4): the closed form
against the Hertz–Knudsen formula by hand (vacuum), an independent quadrature and the gas-diffusion limit; the
history integral against the closed form; the skin loses what evaporates, from its top."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

from process_models.parameters import default_parameters
from process_models.physical_constants import R
from process_models.skins.evaporation import (
    constant_temperature_loss_mol_per_m2,
    evaporated_mol_per_m2,
    evaporation_rate_mol_per_m2_s,
)
from process_models.skins.skin import SkinRecipe, evaluate_skin, remove_from_surface
from process_models.skins.supply import vapour_pressure_Pa
from process_models.uht.interdiffusion import make_depth_grid, zn_inventory_mol_per_m2

P = default_parameters()
VACUUM = P.with_overrides({"process_gas_pressure_Pa": 0.0})


@pytest.mark.unit
def test_vacuum_loss_is_the_hertz_knudsen_flux_times_the_pulse():
    T, tau = 900.0, 0.030
    p_sat = float(vapour_pressure_Pa("Mg", T))  # Alcock 1984: ≈ 2.6e2 Pa below the Mg melting point
    by_hand = p_sat / math.sqrt(2.0 * math.pi * 0.024305 * R * T) * tau  # α = 1
    assert constant_temperature_loss_mol_per_m2("Mg", T, tau, VACUUM) == pytest.approx(by_hand, rel=1e-4)
    assert by_hand > 0.1  # in vacuum a 30 ms pulse at 900 K strips more Mg than a 450 nm skin holds (0.066 mol/m2)


@pytest.mark.unit
@pytest.mark.parametrize("T", [850.0, 900.0, 1077.0])
def test_closed_form_in_gas_matches_a_quadrature_and_the_diffusion_limit(T):
    tau = 0.030
    c_eq = float(vapour_pressure_Pa("Mg", T)) / (R * T)
    rate = lambda t: float(evaporation_rate_mol_per_m2_s("Mg", np.array([T]), np.array([t]), P)[0])  # noqa: E731
    # substitute t = u²: the integrand 2u·rate(u²) is smooth at 0
    numeric = quad(lambda u: 2.0 * u * rate(u * u), 0.0, math.sqrt(tau), epsabs=0.0, epsrel=1e-10, limit=200)[0]
    closed = constant_temperature_loss_mol_per_m2("Mg", T, tau, P)
    assert closed == pytest.approx(numeric, rel=1e-7)
    # in 1 atm Ar the gas term governs after nanoseconds: the loss tends to c_eq·2√(D_g τ/π)
    k1 = rate(1.0) / c_eq  # ≈ √(D_g/π) at t = 1 s
    assert closed == pytest.approx(c_eq * 2.0 * k1 * math.sqrt(tau), rel=5e-3)
    assert closed < constant_temperature_loss_mol_per_m2("Mg", T, tau, VACUUM) / 100.0


@pytest.mark.unit
def test_history_integral_is_exact_on_a_constant_temperature_and_grows_with_the_peak():
    t = np.linspace(0.0, 0.03, 7)
    for params in (P, VACUUM):
        assert evaporated_mol_per_m2("Mg", t, np.full_like(t, 900.0), params=params) == pytest.approx(
            constant_temperature_loss_mol_per_m2("Mg", 900.0, 0.03, params), rel=1e-12)
    assert evaporated_mol_per_m2("Mg", t, np.full_like(t, 900.0), 0.5) == pytest.approx(
        0.5 * evaporated_mol_per_m2("Mg", t, np.full_like(t, 900.0)), rel=1e-12)
    losses = [evaporated_mol_per_m2("Mg", t, np.full_like(t, T)) for T in (800.0, 900.0, 1000.0)]
    assert losses == sorted(losses) and losses[0] > 0.0


@pytest.mark.unit
def test_removal_takes_the_loss_off_the_top():
    grid = make_depth_grid(10e-6)
    c = P["cu_density_kg_per_m3"] / P["cu_molar_mass_kg_per_mol"]
    x = np.where(grid.centres < 400e-9, 1.0, 0.0)  # a pure 400 nm film
    n = float(zn_inventory_mol_per_m2(x, grid, c))
    y = remove_from_surface(x, grid, 0.25 * n, c)
    assert float(zn_inventory_mol_per_m2(y, grid, c)) == pytest.approx(0.75 * n, rel=0.02)
    assert y[0] == 1.0 and y[-1] == 0.0  # still a pure film, thinner


@pytest.mark.component
def test_a_mg_skin_loses_its_evaporation_and_vacuum_strips_it():
    r = SkinRecipe(metal="Mg", source_temperature_K=885.0, stage3_peak_K=900.0)
    gas, vac = evaluate_skin(r, P), evaluate_skin(r, VACUUM)
    assert 0.0 < gas.evaporated_mol_per_m2 < 0.01 * gas.deposited_mol_per_m2
    assert vac.evaporated_mol_per_m2 == pytest.approx(vac.deposited_mol_per_m2)  # capped at what there is
    assert vac.skin_thickness_m < 0.1 * gas.skin_thickness_m and any("evaporates" in w for w in vac.warnings)
    assert evaluate_skin(SkinRecipe(metal="Zn", stage3_peak_K=1077.0), P).evaporated_mol_per_m2 == 0.0
