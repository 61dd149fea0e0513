"""Gas convection from the enclosure geometry and gas (process_models.uht.enclosure_convection) and the
properties it rests on: limits, the cited range, symmetry, quadrature, and its effect on stage-II energy."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from scipy.constants import R, g, sigma
from scipy.integrate import quad

from process_models.materials import properties as pr
from process_models.parameters import default_parameters
from process_models.uht import thermal as th
from process_models.uht.enclosure_convection import GasEnclosure, forced_convection_share
from process_models.uht.recipe import UHTRecipe, evaluate_recipe

M_AR = 39.948e-3


@pytest.fixture(scope="module")
def enclosure() -> GasEnclosure:
    return GasEnclosure.from_values()


# ----------------------------------------------------------------------------------------------- properties
@pytest.mark.unit
def test_argon_properties_match_handbook_values() -> None:
    # CRC: μ(Ar, 300 K) = 22.7 µPa s, k(Ar, 300 K) = 17.7 mW/(m K)
    assert pr.argon_viscosity_Pa_s(300.0) == pytest.approx(22.7e-6, rel=0.02)
    assert pr.argon_thermal_conductivity_W_per_m_K(300.0) == pytest.approx(0.0177, rel=0.02)
    T = np.array([300.0, 700.0, 1200.0])
    # monatomic gas: Pr = cp μ / k = 2/3 exactly (cp = 5/2 R/M)
    pr_number = 2.5 * R / M_AR * pr.argon_viscosity_Pa_s(T) / pr.argon_thermal_conductivity_W_per_m_K(T)
    assert pr_number == pytest.approx(2.0 / 3.0, rel=1e-12)
    assert np.all(np.diff(pr.argon_viscosity_Pa_s(T)) > 0)


@pytest.mark.unit
def test_cu_conductivity_table_and_wiedemann_franz() -> None:
    # Incropera Table A.1 (seed note 002 §5e quotes the same points)
    for T, k in ((300.0, 401.0), (600.0, 379.0), (1000.0, 352.0), (1200.0, 339.0)):
        assert pr.cu_thermal_conductivity_W_per_m_K(T) == pytest.approx(k, rel=1e-12)
    # independent check: Wiedemann-Franz with the Matula resistivity, L0 = 2.44e-8 W ohm/K2, within 2 % above
    # 600 K (phonons add below)
    T = np.linspace(600.0, 1357.0, 30)
    wf = 2.44e-8 * T / pr.cu_resistivity_ohm_m(T)
    assert pr.cu_thermal_conductivity_W_per_m_K(T) == pytest.approx(wf, rel=0.02)


# ----------------------------------------------------------------------------------------------- correlation
@pytest.mark.unit
def test_default_coefficient_lies_in_the_cited_range(enclosure: GasEnclosure) -> None:
    """Free convection of gases: 2-25 W/(m2 K) (Incropera Table 1.1); the stable face never below conduction."""
    for T in (650.0, 750.0, 950.0):
        h_mean = float(enclosure.coefficient_W_per_m2_K(np.array([T]))[0])
        assert 2.0 <= h_mean <= 25.0
        h_above, h_below = (float(h[0]) for h in enclosure.face_coefficients_W_per_m2_K(np.array([T])))
        assert h_above > h_below  # the unstable (upper) face of a hot web convects more
        k = float(pr.argon_thermal_conductivity_W_per_m_K(0.5 * (T + 300.0)))
        assert h_below >= k / enclosure.gap_below_m * (1 - 1e-9)
    # and it is well below the former assumption of 10 W/(m2 K) per face
    assert float(enclosure.coefficient_W_per_m2_K(np.array([750.0]))[0]) < 5.0


@pytest.mark.unit
def test_upper_face_follows_hollands_correlation(enclosure: GasEnclosure) -> None:
    """Independent evaluation of Hollands et al. (1975) at 750 K for three gaps."""
    T, T_w, p = 750.0, 300.0, 101325.0
    T_f = 0.5 * (T + T_w)
    mu = float(pr.argon_viscosity_Pa_s(T_f))
    k = 3.75 * R / M_AR * mu
    nu = mu / (p * M_AR / (R * T_f))
    alpha = nu * 1.5
    for H in (0.005, 0.05, 0.5):
        ra = g / T_f * (T - T_w) * H**3 / (nu * alpha)
        nusselt = 1 + 1.44 * max(1 - 1708 / ra, 0) + max((ra / 5830) ** (1 / 3) - 1, 0)
        h = float(replace(enclosure, gap_above_m=H).face_coefficients_W_per_m2_K(np.array([T]))[0][0])
        assert h == pytest.approx(nusselt * k / H, rel=3e-4)  # the jump distance (0.3 µm) is the difference


@pytest.mark.unit
def test_limits_small_gap_conduction_large_gap_independent_of_gap(enclosure: GasEnclosure) -> None:
    T = np.array([750.0])
    k = float(pr.argon_thermal_conductivity_W_per_m_K(525.0))
    # a 2 mm layer is below the critical Rayleigh number: pure conduction
    assert float(replace(enclosure, gap_above_m=0.002).face_coefficients_W_per_m2_K(T)[0][0]) == pytest.approx(
        k / 0.002, rel=1e-3)
    # turbulent layers: Nu ∝ Ra^1/3 ∝ H, so h tends to a value independent of the gap
    h1 = float(replace(enclosure, gap_above_m=0.5).face_coefficients_W_per_m2_K(T)[0][0])
    h2 = float(replace(enclosure, gap_above_m=1.5).face_coefficients_W_per_m2_K(T)[0][0])
    assert h2 == pytest.approx(h1, rel=0.03)


@pytest.mark.unit
def test_vacuum_limit_and_monotone_in_pressure(enclosure: GasEnclosure) -> None:
    T = np.array([750.0])
    pressures = [0.0, 0.1, 1.0, 10.0, 1e3, 1e4, 101325.0, 5e5]
    h = [float(replace(enclosure, pressure_Pa=p).coefficient_W_per_m2_K(T)[0]) for p in pressures]
    assert h[0] == 0.0 and h[1] < 0.05
    assert np.all(np.diff(h) > 0)


@pytest.mark.unit
def test_cold_web_swaps_the_faces(enclosure: GasEnclosure) -> None:
    """A web colder than the walls is the cold lid of the layer below it: the faces swap roles."""
    walls = replace(enclosure, wall_temperature_K=700.0, gap_above_m=0.03, gap_below_m=0.08)
    above_cold, below_cold = walls.face_coefficients_W_per_m2_K(np.array([400.0]))
    assert below_cold[0] > above_cold[0]
    k = float(pr.argon_thermal_conductivity_W_per_m_K(550.0))
    assert above_cold[0] >= k / 0.03 * (1 - 1e-6)  # the stable (upper) side conducts at least
    assert walls.flux_W_per_m2(np.array([400.0]))[0] < 0.0


@pytest.mark.unit
def test_flux_integral_matches_adaptive_quadrature(enclosure: GasEnclosure) -> None:
    for a, b in ((300.0, 1150.0), (300.0, 302.0), (1150.0, 400.0), (250.0, 320.0), (750.0, 750.0)):
        ref = quad(lambda T: float(enclosure.flux_W_per_m2(np.array([T]))[0]), a, b, limit=400,
                   epsabs=1e-10, epsrel=1e-11)[0]
        assert float(enclosure.flux_integral_W_K_per_m2(a, b)[0]) == pytest.approx(ref, rel=1e-8, abs=1e-9)


@pytest.mark.unit
def test_moving_web_term_is_negligible_at_stage2_dwell_times(enclosure: GasEnclosure) -> None:
    """The forced term depends on the dwell ℓ/v only (h_F ∝ (v/ℓ)^½): < 1 % above 20 s, 2-3 % at 10 s."""
    for v in (1 / 60, 5 / 60, 20 / 60):
        assert forced_convection_share(enclosure, 750.0, v, v * 20.0) < 0.01
        assert forced_convection_share(enclosure, 750.0, v, v * 120.0) == pytest.approx(
            forced_convection_share(enclosure, 750.0, 1 / 60, 2.0), rel=1e-9)
    assert 0.01 < forced_convection_share(enclosure, 750.0, 1 / 60, 10 / 60) < 0.05


# ----------------------------------------------------------------------------------------------- stage-II energy
@pytest.mark.component
def test_stage2_hold_energy_is_radiation_plus_correlation() -> None:
    """A 120 s hold at 750 K: heat = (2εσ(T⁴ - T_a⁴) + 2 h(T)(T - T_a)) · t; h from the enclosure."""
    tp = th.ThermalParameters.from_values()
    hist = th.setpoint_history(750.0, 750.0, 50.0, 120.0, 10e-6, cooling="free", params=tp)
    h = float(tp.enclosure.coefficient_W_per_m2_K(np.array([750.0]))[0])
    expected = (2 * 0.05 * sigma * (750.0**4 - 300.0**4) + 2 * h * 450.0) * 120.0
    assert hist.heat_input_J_per_m2[0] == pytest.approx(expected, rel=1e-9)


@pytest.mark.component
def test_stage2_energy_moves_linearly_with_the_convection_multiplier() -> None:
    """The coefficient is overridable (gas_convection_multiplier_frac) and reaches the recipe's energy."""
    base = default_parameters()
    recipe = UHTRecipe(stage3_time_s=0.0)
    e = {m: evaluate_recipe(recipe, base.with_overrides({"gas_convection_multiplier_frac": m}))
         .energy_by_stage_kwh_per_m2["stage2"] for m in (0.0, 1.0, 3.0)}
    assert e[3.0] - e[0.0] == pytest.approx(3.0 * (e[1.0] - e[0.0]), rel=1e-6)
    share = (e[1.0] - e[0.0]) / e[1.0]
    assert 0.3 < share < 0.7  # convection is now about half of stage II's energy (was 79-82 % at 10 W/(m2 K))
    # the geometry is equipment data that reaches the model: a closer floor conducts more
    close = evaluate_recipe(recipe, base.with_overrides({"enclosure_gap_below_m": 0.005}))
    assert close.energy_by_stage_kwh_per_m2["stage2"] > e[1.0]


@pytest.mark.unit
def test_breakpoints_are_shared_by_value_and_equal_a_fresh_search(enclosure: GasEnclosure) -> None:
    """The kink search is kept per geometry and gas (issue 15: a parameter draw builds a new enclosure): an equal
    enclosure, or one that differs only in the multiplier, reuses it; its points are those of a fresh search, bit
    for bit, and read-only; another gap searches anew."""
    from process_models.uht.enclosure_convection import _breakpoints_of

    _breakpoints_of.cache_clear()
    fresh = enclosure._find_breakpoints_K()
    same = GasEnclosure.from_values()
    scaled = replace(enclosure, multiplier_frac=0.3)
    assert np.array_equal(same._breakpoints_K, fresh)
    assert scaled._breakpoints_K is same._breakpoints_K
    assert _breakpoints_of.cache_info().misses == 1
    with pytest.raises(ValueError):
        same._breakpoints_K[0] = 0.0
    wider = replace(enclosure, gap_above_m=2.0 * enclosure.gap_above_m)
    assert not np.array_equal(wider._breakpoints_K, fresh)
    assert _breakpoints_of.cache_info().misses == 2
    T1 = np.array([400.0, 900.0, 1200.0])  # the shared points integrate the scaled loss as the scale says
    one = replace(enclosure, multiplier_frac=1.0)
    assert np.allclose(scaled.flux_integral_W_K_per_m2(300.0, T1), 0.3 * one.flux_integral_W_K_per_m2(300.0, T1),
                       rtol=1e-12, atol=0.0)
