"""The key of the coarse tables an OptimiserCache keeps (optimizer.api._key): two plants share tables only when
everything the tables are built from agrees, so a cache shared across scenarios (the test session's, a caller's)
never serves one plant's tables to another (unit)."""

from __future__ import annotations

import pytest

from optimizer.api import _key
from optimizer.space import decision_space
from twin.scenario import Scenario, apply_overrides
from twin.simulate import build_parameters

WINDOW_NM = (420.0, 520.0)
ZN_MG = ("Zn", "Mg")


def key(overrides: list[str], skin_metals: tuple[str, ...] = ("Zn",)) -> tuple:
    sc = apply_overrides(Scenario(), overrides)
    params = build_parameters(sc)
    return _key(decision_space(sc, params), params, WINDOW_NM, skin_metals)


@pytest.mark.unit
def test_the_same_plant_gives_the_same_hashable_key():
    a, b = key([]), key([])
    assert a == b and hash(a) == hash(b)
    assert key([], ZN_MG) == key([], ZN_MG) != a  # the metals asked are part of it


@pytest.mark.unit
@pytest.mark.parametrize("override", [
    "plant.lines.1.pyrometer.noise_K=5.0",  # the stage-III scatter: the melting guard of the skin tables
    "plant.incoming_coils.length_m=1000.0",  # the coil length: the furnace load of the anneal table
    "plant.incoming_coils.width_m=1.0",  # the coil width: the same load
])
def test_a_plant_whose_tables_differ_gets_another_key(override):
    assert key([override]) != key([])


@pytest.mark.unit
def test_another_metals_spec_changes_only_the_keys_that_hold_that_metal():
    """The Mg limits of the scenario's spec shape the Mg table (its box follows the Mg window), not the Zn tables."""
    spec = "spec.skin_metals={Mg={skin_thickness_nm_min=8000.0, skin_thickness_nm_max=9000.0}}"
    assert key([spec], ZN_MG) != key([], ZN_MG)
    assert key([spec]) == key([])


@pytest.mark.unit
def test_the_window_and_the_parameters_change_the_key():
    sc = Scenario()
    params = build_parameters(sc)
    space = decision_space(sc, params)
    base = _key(space, params, WINDOW_NM, ("Zn",))
    assert _key(space, params, (400.0, 540.0), ("Zn",)) != base
    other = params.with_overrides({"cross_section_thickness_sd_m": 2 * params["cross_section_thickness_sd_m"]})
    assert _key(space, other, WINDOW_NM, ("Zn",)) != base
