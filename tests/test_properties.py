"""Temperature-dependent properties (process_models.materials.properties) and the material parameter sets."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad

from process_models import citations
from process_models.errors import FoiltwinInputError
from process_models.materials import properties as pr
from process_models.parameters import default_parameters, get_parameter_set, unit_of_name

T_MELT_CU = 1357.77  # ITS-90 fixed point (CRC)

# Matula 1979 via seed note 002 §5e: T [K] -> resistivity [µΩ·cm]
MATULA = {300: 1.725, 400: 2.402, 500: 3.090, 600: 3.792, 700: 4.514, 800: 5.262, 900: 6.041, 1000: 6.858,
          1100: 7.717, 1200: 8.626, 1300: 9.592}
# Seed note 002 §5e: cp of Cu [J/(kg K)]
CP_SEED = {300: 385.0, 500: 408.0, 800: 433.0, 1000: 451.0, 1200: 480.0}
# Seed note 002 §5d (CRC-type table): Zn vapour pressure [Pa] -> T [K]
ZN_VAPOUR = {1.0: 610.0, 10.0: 670.0, 100.0: 750.0, 1e3: 852.0, 1e4: 990.0, 101e3: 1180.0}


@pytest.mark.unit
@pytest.mark.parametrize(("T", "rho_micro_ohm_cm"), sorted(MATULA.items()))
def test_resistivity_reproduces_matula_table(T: float, rho_micro_ohm_cm: float) -> None:
    assert pr.cu_resistivity_ohm_m(T) == pytest.approx(rho_micro_ohm_cm * 1e-8, rel=1e-12)


@pytest.mark.unit
def test_resistivity_monotone_up_to_melting() -> None:
    T = np.linspace(300.0, T_MELT_CU, 2000)
    rho = pr.cu_resistivity_ohm_m(T)
    assert np.all(np.diff(rho) > 0)
    # Matula: ≈10.2 µΩ·cm for solid Cu at the melting point
    assert rho[-1] == pytest.approx(10.2e-8, rel=0.01)


@pytest.mark.unit
@pytest.mark.parametrize(("T", "cp"), sorted(CP_SEED.items()))
def test_shomate_heat_capacity_matches_seed_points(T: float, cp: float) -> None:
    assert pr.cu_heat_capacity_J_per_kg_K(T) == pytest.approx(cp, rel=0.01)


@pytest.mark.unit
@pytest.mark.parametrize(("T1", "T2"), [(300.0, 1100.0), (298.0, T_MELT_CU), (1150.0, 400.0), (750.0, 750.0)])
def test_sensible_heat_equals_quadrature_of_cp(T1: float, T2: float) -> None:
    expected, _ = quad(lambda T: float(pr.cu_heat_capacity_J_per_kg_K(T)), T1, T2, epsabs=1e-9, epsrel=1e-12)
    assert pr.cu_sensible_heat_J_per_kg(T1, T2) == pytest.approx(expected, rel=1e-10, abs=1e-9)


@pytest.mark.unit
def test_sensible_heat_integrates_the_extrapolated_cp_exactly() -> None:
    def cp(T: float) -> float:
        return float(pr.cu_heat_capacity_J_per_kg_K(T, extrapolate=True))

    expected = quad(cp, 250.0, 298.0)[0] + quad(cp, 298.0, T_MELT_CU)[0] + quad(cp, T_MELT_CU, 1400.0)[0]
    assert pr.cu_sensible_heat_J_per_kg(250.0, 1400.0, extrapolate=True) == pytest.approx(expected, rel=1e-10)


@pytest.mark.unit
@pytest.mark.parametrize(("p", "T"), sorted(ZN_VAPOUR.items()))
def test_zn_vapour_pressure_hits_seed_table(p: float, T: float) -> None:
    assert pr.zn_vapour_pressure_Pa(T) == pytest.approx(p, rel=0.10)


@pytest.mark.unit
def test_zn_vapour_pressure_continuous_at_zn_melting() -> None:
    T_m = default_parameters()["zn_melting_temperature_K"]
    solid, liquid = pr.zn_vapour_pressure_Pa([T_m * (1 - 1e-12), T_m])
    assert solid == pytest.approx(20.0, rel=0.1)
    assert liquid == pytest.approx(solid, rel=0.03)


@pytest.mark.unit
def test_zn_vapour_pressure_increases_to_cu_melting() -> None:
    p = pr.zn_vapour_pressure_Pa(np.linspace(298.0, T_MELT_CU, 500))
    assert np.all(np.diff(p) > 0)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("func", "T"),
    [(pr.cu_resistivity_ohm_m, 290.0), (pr.cu_resistivity_ohm_m, 1360.0),
     (pr.cu_heat_capacity_J_per_kg_K, 250.0), (pr.cu_heat_capacity_J_per_kg_K, 1400.0),
     (pr.zn_vapour_pressure_Pa, 200.0), (pr.zn_vapour_pressure_Pa, 1500.0),
     (pr.cu_heat_capacity_J_per_kg_K, float("nan"))],
)
def test_out_of_range_temperature_raises(func, T: float) -> None:
    with pytest.raises(FoiltwinInputError) as err:
        func(np.array([500.0, T]))
    assert err.value.field == "temperature_K"
    assert "validity of" in err.value.allowed and "] K" in err.value.allowed


@pytest.mark.unit
def test_sensible_heat_out_of_range_raises() -> None:
    with pytest.raises(FoiltwinInputError, match="temperature_K"):
        pr.cu_sensible_heat_J_per_kg(300.0, 1400.0)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("func", "edge", "outside"),
    [(pr.cu_resistivity_ohm_m, 300.0, (250.0, 260.0, 270.0)),
     (pr.cu_resistivity_ohm_m, T_MELT_CU, (1370.0, 1390.0, 1410.0)),
     (pr.cu_heat_capacity_J_per_kg_K, 298.0, (250.0, 260.0, 270.0)),
     (pr.cu_heat_capacity_J_per_kg_K, T_MELT_CU, (1370.0, 1390.0, 1410.0))],
)
def test_extrapolation_is_linear_and_continuous(func, edge: float, outside: tuple[float, ...]) -> None:
    values = func(np.array(outside), extrapolate=True)
    assert values[2] - values[1] == pytest.approx(values[1] - values[0], rel=1e-9)
    near = func(np.array([edge - 1e-6, edge + 1e-6]), extrapolate=True)
    assert near[0] == pytest.approx(near[1], rel=1e-6)


@pytest.mark.unit
def test_vapour_pressure_extrapolation_continues_clausius_clapeyron() -> None:
    T = np.array([1400.0, 1450.0, 1500.0])
    ln_p = np.log(pr.zn_vapour_pressure_Pa(T, extrapolate=True))
    slope = np.diff(ln_p) / np.diff(1.0 / T)
    assert slope == pytest.approx([-14238.0, -14238.0], rel=1e-9)


@pytest.mark.unit
def test_extrapolation_still_rejects_non_physical_temperature() -> None:
    with pytest.raises(FoiltwinInputError, match="temperature_K"):
        pr.cu_heat_capacity_J_per_kg_K(-5.0, extrapolate=True)


@pytest.mark.unit
def test_properties_register_their_sources() -> None:
    citations.reset()
    pr.cu_resistivity_ohm_m(500.0)
    pr.cu_heat_capacity_J_per_kg_K(500.0)
    pr.zn_vapour_pressure_Pa(500.0)
    assert {"Matula1979", "Chase1998", "Alcock1984", "CRC"} <= set(citations.used())


@pytest.mark.unit
@pytest.mark.parametrize("set_name", ["materials_literature", "thermal_assumptions"])
def test_parameter_sets_are_well_formed(set_name: str) -> None:
    records = get_parameter_set(set_name)["parameters"]
    assert records
    for rec in records:
        assert unit_of_name(rec.name) == rec.unit, rec.name
        assert rec.where
        lo, hi = rec.bounds
        assert np.isfinite(lo) and np.isfinite(hi), rec.name
    if set_name == "thermal_assumptions":
        assert {rec.kind for rec in records} == {"assumed"}


@pytest.mark.unit
def test_alloy_molar_density_is_derived_from_density_and_molar_masses() -> None:
    p = default_parameters()
    rec = p.record("cuzn_alloy_molar_density_mol_per_m3")
    mean_molar_mass = 0.64 * p["cu_molar_mass_kg_per_mol"] + 0.36 * p["zn_molar_mass_kg_per_mol"]
    assert rec.kind == "derived"
    assert rec.value == pytest.approx(p["cuzn_alloy_density_kg_per_m3"] / mean_molar_mass, rel=1e-12)
    assert rec.value == pytest.approx(1.32e5, rel=0.005)
    assert p["gamma_cu5zn8_zn_frac"] == pytest.approx(8.0 / 13.0)


@pytest.mark.unit
def test_emissivity_override_respects_bounds() -> None:
    p = default_parameters()
    assert p["foil_emissivity_frac"] == 0.05
    assert p.with_overrides({"foil_emissivity_frac": 0.6})["foil_emissivity_frac"] == 0.6
    with pytest.raises(FoiltwinInputError, match="foil_emissivity_frac"):
        p.with_overrides({"foil_emissivity_frac": 0.0})


@pytest.mark.unit
def test_pchip_is_scipys_pchip_interpolator_bit_for_bit() -> None:
    """The numpy PCHIP (no scipy.interpolate at start-up, issue 15) against scipy's, on the Matula table and on
    random tables (monotone, with sign changes and flat steps), values and slopes."""
    from scipy.interpolate import PchipInterpolator

    from process_models.materials.pchip import Pchip

    rng = np.random.default_rng(4)
    tables = [(np.array([*MATULA, T_MELT_CU], dtype=float), np.array([*MATULA.values(), 10.17]) * 1e-8)]
    for k in range(60):
        x = np.cumsum(rng.uniform(0.01, 10.0, int(rng.integers(3, 15)))) * rng.uniform(0.1, 100.0)
        y = rng.normal(size=x.size) * 10 ** rng.uniform(-8, 3)
        if k % 3 == 0:
            y = np.sort(y)
        if k % 5 == 0:
            y[1] = y[0]
        tables.append((x, y))
    for x, y in tables:
        ref, mine = PchipInterpolator(x, y, extrapolate=False), Pchip(x, y)
        q = np.concatenate([rng.uniform(x[0], x[-1], 400), x])
        np.testing.assert_array_equal(mine(q), ref(q))
        np.testing.assert_array_equal(mine.slope(q), ref.derivative()(q))
    with pytest.raises(ValueError):
        Pchip([1.0, 1.0, 2.0], [0.0, 1.0, 2.0])
