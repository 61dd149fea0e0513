"""Web tension per zone as a scenario setting within the line's equipment limits (issue 14 item 2)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from process_models.errors import FoiltwinInputError
from twin.scenario import Scenario, UHTLine, apply_overrides, field_bounds

UHT = "plant.lines.1"


@pytest.mark.unit
def test_tension_defaults_lie_within_the_equipment_limits():
    line = UHTLine()
    lim = line.web_tension_limits
    for name in ("stage2_web_tension_N_per_m", "stage3_web_tension_N_per_m"):
        assert lim.min_N_per_m <= getattr(line.settings, name) <= lim.max_N_per_m
    sc = apply_overrides(Scenario(), [f"{UHT}.settings.stage3_web_tension_N_per_m=150",
                                      f"{UHT}.settings.stage2_web_tension_N_per_m=40"])
    assert sc.plant.lines[1].settings.stage3_web_tension_N_per_m == 150.0
    assert field_bounds(type(line.settings), "stage3_web_tension_N_per_m").widget_max == 5000.0


@pytest.mark.unit
@pytest.mark.parametrize(("item", "says"), [
    (f"{UHT}.settings.stage3_web_tension_N_per_m=500", "stage3_web_tension_N_per_m = 500 N/m is outside the line's "
                                                       "web_tension_limits [20, 300] N/m"),
    (f"{UHT}.settings.stage2_web_tension_N_per_m=5", "stage2_web_tension_N_per_m = 5 N/m is outside"),
    (f"{UHT}.settings.stage3_web_tension_N_per_m=-5", "stage3_web_tension_N_per_m=-5 is not allowed: must lie in (0, "),
    (f"{UHT}.settings.stage3_web_tension_N_per_m=true", "stage3_web_tension_N_per_m"),
    (f"{UHT}.web_tension_limits.min_N_per_m=400", "min_N_per_m = 400 exceeds max_N_per_m = 300"),
    (f"{UHT}.web_breaks.rethread_min=-1", "rethread_min"),
])
def test_tension_outside_its_range_is_refused_by_name(item, says):
    with pytest.raises(FoiltwinInputError) as err:
        apply_overrides(Scenario(), [item])
    assert says in str(err.value)


@pytest.mark.unit
def test_a_changeover_to_a_tension_beyond_the_limits_is_refused():
    with pytest.raises(FoiltwinInputError) as err:
        apply_overrides(Scenario(), [f"{UHT}.changeovers=[{{at_h = 2.0, settings = {{stage3_web_tension_N_per_m = "
                                     "350.0}}]"])
    assert "changeovers[0].settings.stage3_web_tension_N_per_m = 350 N/m" in str(err.value)


@pytest.mark.integration
def test_cli_exit_code_2_for_a_tension_beyond_the_limits():
    out = subprocess.run([sys.executable, "-c", "from foiltwin.cli import main; main()", "simulate", "--set",
                          f"{UHT}.settings.stage3_web_tension_N_per_m=900"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "stage3_web_tension_N_per_m = 900 N/m" in lines[0] and "[20, 300] N/m" in lines[0]
