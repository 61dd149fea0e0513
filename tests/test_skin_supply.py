"""Skin-metal supply: vapour pressures (Alcock 1984) against reference points, Clausius-Clapeyron, Hertz-Knudsen
deposition flux and the route class near each metal's melting point (process_models.skins.supply)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from process_models.errors import FoiltwinInputError
from process_models.materials.properties import zn_vapour_pressure_Pa
from process_models.parameters import default_parameters
from process_models.physical_constants import R
from process_models.skins import supply
from process_models.skins.phase_data import SKIN_METALS
from process_models.uht import zn_supply

# Temperatures (K) at which p = 1, 10, 100 Pa: CRC Handbook 'Vapor pressure of the elements' table (the 'use' row
# of the Wikipedia data page, which reproduces it). These come from the same equations: a transcription check.
P_1_10_100_PA_K = {
    "Zn": (610.0, 670.0, 750.0),
    "Mg": (701.0, 773.0, 861.0),
    "Ag": (1283.0, 1413.0, 1575.0),
    "Sn": (1497.0, 1657.0, 1855.0),
    "Al": (1482.0, 1632.0, 1817.0),
}
# Standard enthalpy of formation of the monatomic gas at 298.15 K (= sublimation enthalpy), kJ/mol: CRC Handbook
# 'Standard thermodynamic properties of chemical substances'. Independent of the vapour-pressure equations.
SUBLIMATION_298_KJ_PER_MOL = {"Zn": 130.4, "Mg": 147.1, "Ag": 284.9, "Sn": 301.2, "Al": 330.0}
# Vapour pressure at the melting point, order of magnitude (seed note 002 §4 plausibility table).
P_AT_MELTING_PA = {"Zn": 20.0, "Mg": 350.0, "Ag": 0.3, "Sn": 1e-20, "Al": 1e-6}
ZN_SKIN_LOADING_MOL_PER_M2 = 1.46e-3 / 0.06538  # seed note 002 §1a: 0.146 mg/cm2 of Zn


@pytest.mark.unit
@pytest.mark.parametrize("metal", SKIN_METALS)
def test_vapour_pressure_matches_the_tabulated_1_10_100_pa_temperatures(metal):
    T = np.array(P_1_10_100_PA_K[metal])
    log_p = np.log10(supply.vapour_pressure_Pa(metal, T))
    np.testing.assert_allclose(log_p, [0.0, 1.0, 2.0], atol=0.03)


@pytest.mark.unit
@pytest.mark.parametrize("metal", SKIN_METALS)
def test_vapour_pressure_at_the_melting_point_matches_the_seed_note_order_of_magnitude(metal):
    Tm = supply.melting_temperature_K(metal)
    p = float(supply.vapour_pressure_Pa(metal, Tm))
    assert abs(math.log10(p / P_AT_MELTING_PA[metal])) < 0.6, (metal, p)
    # solid and liquid branches meet at the melting point (within 10 %)
    below, above = supply.vapour_pressure_Pa(metal, [Tm - 1e-6, Tm])
    assert above == pytest.approx(below, rel=0.10)


@pytest.mark.unit
@pytest.mark.parametrize("metal", SKIN_METALS)
def test_vapour_pressure_rises_monotonically(metal):
    """Within each branch; at the melting point the two equations meet within 10 % (test above), not exactly."""
    Tm = supply.melting_temperature_K(metal)
    for T in (np.linspace(300.0, Tm - 1e-6, 2001), np.linspace(Tm, 2500.0, 2001)):
        assert np.all(np.diff(supply.vapour_pressure_Pa(metal, T)) > 0.0)


@pytest.mark.unit
@pytest.mark.parametrize("metal", SKIN_METALS)
def test_clausius_clapeyron_and_sublimation_enthalpy(metal):
    """-R d ln p / d(1/T) equals the enthalpy the equation implies, and at 298 K the CRC sublimation enthalpy."""
    for T in (400.0, supply.melting_temperature_K(metal) + 50.0):
        h = 1e-3
        slope = (math.log(supply.vapour_pressure_Pa(metal, T + h)) - math.log(supply.vapour_pressure_Pa(metal, T - h))
                 ) / (1.0 / (T + h) - 1.0 / (T - h))
        assert -R * slope == pytest.approx(supply.vapourisation_enthalpy_J_per_mol(metal, T), rel=1e-6)
    h298 = supply.vapourisation_enthalpy_J_per_mol(metal, 298.15) / 1e3
    assert h298 == pytest.approx(SUBLIMATION_298_KJ_PER_MOL[metal], rel=0.02)


@pytest.mark.unit
def test_zn_agrees_with_the_existing_zn_vapour_pressure_and_hertz_knudsen_flux():
    T = np.array([500.0, 650.0, 692.0, 700.0, 750.0, 852.0, 990.0])
    np.testing.assert_allclose(supply.vapour_pressure_Pa("Zn", T), zn_vapour_pressure_Pa(T), rtol=0.10)
    p = default_parameters()
    assert float(supply.hertz_knudsen_flux_mol_per_m2_s("Zn", 750.0)) == pytest.approx(
        float(zn_supply.hertz_knudsen_flux_mol_per_m2_s(750.0, p)), rel=0.01)
    assert float(supply.deposition_flux_mol_per_m2_s("Zn", 750.0)) == pytest.approx(
        float(zn_supply.vapour_supply_flux_mol_per_m2_s(750.0, p)), rel=0.01)


@pytest.mark.unit
def test_routes_near_the_melting_point_follow_the_seed_note():
    """Vapour works for Zn and Mg; Ag, Sn and Al need contact/wetting or a hotter source, and say so."""
    a = {m: supply.assess_supply(m, ZN_SKIN_LOADING_MOL_PER_M2) for m in SKIN_METALS}
    assert a["Zn"].route == "vapour" and not a["Zn"].warnings
    assert a["Zn"].time_to_load_s == pytest.approx(120.0, rel=0.15)  # the seed's stage II, fitted efficiency
    assert a["Mg"].route == "vapour"
    for m in ("Ag", "Sn", "Al"):
        assert a[m].route == "contact or hot source", m
        assert any("contact/wetting" in w for w in a[m].warnings)
        assert any("hotter source" in w for w in a[m].warnings)
        assert a[m].hot_source_T_K > a[m].source_T_K
    flux = [a[m].deposition_flux_mol_per_m2_s for m in ("Mg", "Zn", "Ag", "Al", "Sn")]
    assert flux == sorted(flux, reverse=True)
    # the hot source delivers the loading in the seed's stage-II time
    t = ZN_SKIN_LOADING_MOL_PER_M2 / supply.deposition_flux_mol_per_m2_s("Al", a["Al"].hot_source_T_K)
    assert t == pytest.approx(120.0, rel=1e-4)


@pytest.mark.unit
def test_marginal_route_and_overridable_limits():
    p = default_parameters().with_overrides({"skin_vapour_marginal_time_s": 5.0})
    a = supply.assess_supply("Mg", ZN_SKIN_LOADING_MOL_PER_M2, p)
    assert a.route == "vapour (marginal)" and a.warnings


@pytest.mark.unit
def test_contact_route_is_a_setting_and_bad_inputs_are_named():
    assert supply.contact_loading_mol_per_m2("Sn", 1e-3) == pytest.approx(1e-3 / 0.118710)
    with pytest.raises(FoiltwinInputError) as e:
        supply.contact_loading_mol_per_m2("Sn", -1.0)
    assert e.value.field == "sn_contact_loading_kg_per_m2"
    with pytest.raises(FoiltwinInputError) as e:
        supply.vapour_pressure_Pa("Mg", 100.0)
    assert e.value.field == "temperature_K"
    with pytest.raises(FoiltwinInputError) as e:
        supply.vapour_pressure_Pa("Pb", 800.0)
    assert e.value.field == "skin_metal"
    with pytest.raises(FoiltwinInputError):
        supply.source_temperature_for_flux_K("Sn", 1e9)
