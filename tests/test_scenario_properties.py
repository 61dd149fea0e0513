"""Property tests of the scenario boundary: out-of-range values are refused by name, valid ones round-trip."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from process_models.errors import FoiltwinInputError
from twin.scenario import AnnealSettings, Scenario, UHTSettings, apply_overrides, scenario_from_dict

UHT = "plant.lines.1.settings"


def _limits(name: str, model: type = UHTSettings) -> tuple[float, bool, float]:
    """(lower bound, whether the bound itself is refused, upper bound) of a settings field (pydantic bounds)."""
    lo, lo_refused, hi = -float("inf"), False, float("inf")
    for m in model.model_fields[name].metadata:
        if getattr(m, "gt", None) is not None:
            lo, lo_refused = m.gt, True
        if getattr(m, "ge", None) is not None:
            lo, lo_refused = m.ge, False
        if getattr(m, "le", None) is not None:
            hi = m.le
    return lo, lo_refused, hi


FIELDS = ("web_speed_m_per_min", "stage2_temperature_K", "stage2_zone_length_m")


@pytest.mark.unit
@settings(max_examples=40, deadline=None)
@given(st.data())
def test_out_of_range_settings_raise_naming_the_field(data):
    name = data.draw(st.sampled_from(FIELDS))
    lo, lo_refused, hi = _limits(name)
    value = data.draw(st.one_of(st.floats(-1e6, lo, exclude_max=not lo_refused), st.floats(hi, 1e9, exclude_min=True)))
    with pytest.raises(FoiltwinInputError) as err:
        apply_overrides(Scenario(), [f"{UHT}.{name}={value!r}"])
    assert err.value.field == f"{UHT}.{name}"


@pytest.mark.unit
@settings(max_examples=30, deadline=None)
@given(speed=st.floats(0.05, 100.0), temp=st.floats(500.0, 1100.0), hours=st.floats(0.01, 1000.0))
def test_valid_scenarios_round_trip_through_plain_data(speed, temp, hours):
    sc = apply_overrides(Scenario(), [f"hours={hours!r}", f"{UHT}.web_speed_m_per_min={speed!r}",
                                      f"{UHT}.stage2_temperature_K={temp!r}"])
    assert scenario_from_dict(sc.model_dump(mode="json")) == sc
    assert sc.plant.lines[1].settings.web_speed_m_per_min == speed


FURNACE = "plant.furnaces.0.settings"


@pytest.mark.unit
@settings(max_examples=30, deadline=None)
@given(st.data())
def test_out_of_range_furnace_programmes_raise_naming_the_field(data):
    name = data.draw(st.sampled_from(("soak_temperature_K", "soak_h")))
    lo, lo_refused, hi = _limits(name, AnnealSettings)
    value = data.draw(st.one_of(st.floats(-1e6, lo, exclude_max=not lo_refused), st.floats(hi, 1e9, exclude_min=True)))
    with pytest.raises(FoiltwinInputError) as err:
        apply_overrides(Scenario(), [f"{FURNACE}.{name}={value!r}"])
    assert err.value.field == f"{FURNACE}.{name}"


@pytest.mark.unit
@settings(max_examples=20, deadline=None)
@given(temp=st.floats(773.15, 1323.15), soak=st.floats(0.0, 48.0), per_batch=st.integers(1, 50))
def test_valid_furnace_settings_round_trip(temp, soak, per_batch):
    sc = apply_overrides(Scenario(), [f"{FURNACE}.enabled=true", f"{FURNACE}.soak_temperature_K={temp!r}",
                                      f"{FURNACE}.soak_h={soak!r}", f"plant.furnaces.0.coils_per_batch={per_batch}"])
    assert scenario_from_dict(sc.model_dump(mode="json")) == sc
    assert sc.plant.furnaces[0].settings.soak_temperature_K == temp
