"""Natural convection at a foil in AgF (process_models.plating.natural_convection): density difference, closed-form
scalings of the correlations, their regimes and validity ranges."""

from __future__ import annotations

import numpy as np
import pytest

from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from process_models.plating import natural_convection as nc
from process_models.plating.ag_immersion import agf_concentration_mol_per_m3

P = default_parameters()
C0 = float(agf_concentration_mol_per_m3(0.01))  # 1 wt % = 78.8 mol/m3


@pytest.mark.unit
def test_salt_density_increments_are_molar_mass_less_displaced_water():
    agf, cuf2 = nc.salt_density_increments_kg_per_mol()
    assert agf == pytest.approx(0.12687 + 1000.0 * (0.8 + 1.32) * 1e-6)
    assert cuf2 == pytest.approx(0.063546 + 2 * 0.018998403 + 1000.0 * (24.6 + 2 * 1.32) * 1e-6)


@pytest.mark.unit
def test_interface_is_lighter_and_the_byproduct_channel_removes_the_cu_that_offsets_it():
    agf, cuf2 = nc.salt_density_increments_kg_per_mol()
    ratio = P["galvanic_ag_ion_diffusivity_m2_per_s"] / P["galvanic_cu_ion_diffusivity_m2_per_s"]
    dr = nc.interfacial_density_difference_kg_per_m3(C0, 0.25)
    assert dr == pytest.approx(C0 * (agf - 0.5 * ratio**0.75 * cuf2))
    assert 0.0 < dr < 0.1 * C0 * agf  # the released Cu2+ nearly offsets the consumed Ag+ (small difference)
    assert nc.interfacial_density_difference_kg_per_m3(C0, 0.25, byproduct_frac=1.0) == pytest.approx(C0 * agf)
    assert nc.cu_released_per_ag_ion(0.0) == 0.5 and nc.cu_released_per_ag_ion(1.0) == 0.0


@pytest.mark.unit
def test_vertical_layer_scales_as_the_quarter_power_of_height_and_concentration():
    """Without the 0.68 offset, Sh = C·Ra^(1/4) and Ra ∝ Δρ·L³ ∝ c0·L³, so δ = L/Sh ∝ L^(1/4)·c0^(-1/4)."""
    p = P.with_overrides({"natconv_vertical_offset_frac": 0.0})
    a = nc.natural_convection_layer([C0, 2 * C0], "vertical", 0.01, params=p)
    b = nc.natural_convection_layer([C0], "vertical", 0.02, params=p)
    assert a.diffusion_layer_m[1] / a.diffusion_layer_m[0] == pytest.approx(2.0 ** -0.25, rel=1e-12)
    assert b.diffusion_layer_m[0] / a.diffusion_layer_m[0] == pytest.approx(2.0 ** 0.25, rel=1e-12)
    # high-Sc limit of the Churchill-Chu Sc function: within 1 % of the boundary-layer solution 0.670·Ra^(1/4)
    assert a.sherwood_number[0] == pytest.approx(0.670 * a.rayleigh_number[0] ** 0.25, rel=1e-2)
    sc = P["agf_bath_kinematic_viscosity_m2_per_s"] / P["galvanic_ag_ion_diffusivity_m2_per_s"]
    assert a.schmidt_number == pytest.approx(sc) and 500 < sc < 600


@pytest.mark.unit
def test_rayleigh_number_is_the_solutal_grashof_times_schmidt():
    layer = nc.natural_convection_layer([C0], "vertical", 0.012)
    nu = P["agf_bath_kinematic_viscosity_m2_per_s"]
    gr = 9.80665 * layer.density_difference_kg_per_m3[0] * 0.012**3 / (P["agf_bath_density_kg_per_m3"] * nu**2)
    assert layer.rayleigh_number[0] == pytest.approx(gr * layer.schmidt_number, rel=1e-12)
    assert layer.diffusion_layer_m[0] == pytest.approx(0.012 / layer.sherwood_number[0])


@pytest.mark.unit
def test_horizontal_regimes_and_their_closed_forms():
    # unstable (lighter liquid below), turbulent: Sh = 0.15·Ra^(1/3) ∝ L, so δ does not depend on the plate size
    big = nc.natural_convection_layer([C0], "horizontal_up", 0.05)
    bigger = nc.natural_convection_layer([C0], "horizontal_up", 0.10)
    assert big.regime == ("horizontal unstable turbulent (eq. 9.31)",)
    assert bigger.diffusion_layer_m[0] == pytest.approx(big.diffusion_layer_m[0], rel=1e-12)
    small = nc.natural_convection_layer([C0], "horizontal_up", 0.003)
    assert small.regime == ("horizontal unstable laminar (eq. 9.30)",)
    assert small.sherwood_number[0] == pytest.approx(0.54 * small.rayleigh_number[0] ** 0.25)
    # heavier liquid at the foil (a strongly electrostricted Cu2+): stable, Sh = 0.52·Ra^(1/5), δ ∝ L^(2/5)
    p = P.with_overrides({"cu_ion_partial_molar_volume_m3_per_mol": -40e-6})
    s1 = nc.natural_convection_layer([C0], "horizontal_up", 0.003, params=p)
    s2 = nc.natural_convection_layer([C0], "horizontal_up", 0.006, params=p)
    assert s1.density_difference_kg_per_m3[0] < 0.0 and s1.regime == ("horizontal stable (eq. 9.32)",)
    assert s2.diffusion_layer_m[0] / s1.diffusion_layer_m[0] == pytest.approx(2.0 ** 0.4, rel=1e-12)


@pytest.mark.unit
def test_lengths_outside_the_correlation_range_are_refused_and_the_edge_is_where_ra_says():
    ref = nc.natural_convection_layer([C0], "vertical", 0.012)
    l_hi = 0.012 * (P["natconv_vertical_max_rayleigh_frac"] / ref.rayleigh_number[0]) ** (1 / 3)
    l_lo = 0.012 * (P["natconv_min_rayleigh_frac"] / ref.rayleigh_number[0]) ** (1 / 3)
    nc.natural_convection_layer([C0], "vertical", 0.999 * l_hi)
    nc.natural_convection_layer([C0], "vertical", 1.001 * l_lo)
    for length in (1.001 * l_hi, 0.999 * l_lo):
        with pytest.raises(FoiltwinInputError) as err:
            nc.natural_convection_layer([C0], "vertical", length, field="electrode_length_m")
        assert err.value.field == "electrode_length_m"
        assert f"{l_lo:.3g}" in err.value.allowed and f"{l_hi:.3g}" in err.value.allowed
    with pytest.raises(FoiltwinInputError) as err:
        nc.natural_convection_layer([C0], "slanted")  # type: ignore[arg-type]
    assert err.value.field == "orientation"


@pytest.mark.unit
def test_default_length_is_the_seed_disk():
    assert nc.default_length_m("vertical") == pytest.approx(0.012)
    assert nc.default_length_m("horizontal_up") == pytest.approx(0.003)  # area/perimeter of a disk = D/4
    assert np.all(nc.natural_convection_layer([C0]).diffusion_layer_m > 0.0)
