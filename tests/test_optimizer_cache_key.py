"""The key of the optimiser's coarse tables (optimizer.api._key): a cache shared across scenarios (the test session's
``optimiser_cache``, a dashboard's) serves a scenario only the tables built from the same inputs."""

from __future__ import annotations

import pytest

from optimizer.api import _key
from optimizer.space import decision_space
from twin.scenario import Scenario, apply_overrides
from twin.simulate import build_parameters

pytestmark = pytest.mark.unit

WINDOW_NM = (420.0, 520.0)


def key_of(sc: Scenario, window: tuple[float, float] = WINDOW_NM) -> tuple:
    params = build_parameters(sc)
    return _key(decision_space(sc, params), params, window)


def test_the_same_plant_built_twice_has_one_key():
    assert key_of(Scenario()) == key_of(Scenario())


@pytest.mark.parametrize("override", [
    # the other skin metals' spec windows (their tables' stage-II times follow the window)
    "spec.skin_metals={Mg={skin_thickness_nm_min=8000.0, skin_thickness_nm_max=9000.0}}",
    # the stage-III scatter the melting guard of the skin tables judges at (pyrometer noise of a controlled line)
    "plant.lines.1.pyrometer.noise_K=6.0",
    # the coils' size (the anneal table's furnace load)
    "plant.incoming_coils.width_m=1.0",
])
def test_an_input_the_tables_read_changes_the_key(override):
    assert key_of(apply_overrides(Scenario(), [override])) != key_of(Scenario())


def test_the_window_and_the_parameters_change_the_key():
    sc = Scenario()
    assert key_of(sc, (400.0, 540.0)) != key_of(sc)
    params = build_parameters(sc)
    other = params.with_overrides({"cross_section_thickness_sd_m": 2 * params["cross_section_thickness_sd_m"]})
    space = decision_space(sc, params)
    assert _key(space, other, WINDOW_NM) != _key(space, params, WINDOW_NM)
