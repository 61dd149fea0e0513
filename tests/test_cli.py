"""The command line as a user meets it: JSON contracts, one-line errors, exit codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

RECIPE_KEYS = {
    "skin_thickness_nm", "skin_phase", "surface_zn_at_frac", "zn_loading_mg_per_cm2", "zn_lost_fraction",
    "layers", "peak_temperature_K", "energy_kwh_per_m2", "energy_lower_bound_kwh_per_m2", "warnings",
}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from foiltwin.cli import main; main()", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.integration
def test_recipe_json_has_the_promised_keys_and_citations():
    out = run("recipe", "--stage2-temperature-K", "750", "--stage2-time-s", "120", "--stage3-time-ms", "30",
              "--foil-thickness-um", "10", "--json", "-")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data.keys() >= RECIPE_KEYS
    assert all({"phase", "thickness_nm"} <= layer.keys() for layer in data["layers"])
    assert {"Wang2025", "Liang2015"} <= set(data["citations"])
    assert data["energy_lower_bound_kwh_per_m2"] < data["energy_kwh_per_m2"]


@pytest.mark.integration
@pytest.mark.parametrize(("args", "field"), [
    (("recipe", "--stage2-time-s", "-5"), "--stage2-time-s=-5.0"),
    (("recipe", "--stage3-peak-K", "1400"), "--stage3-peak-K=1400.0"),
    (("recipe", "--foil-thickness-um", "0"), "--foil-thickness-um"),
    (("recipe", "--param", "no_such_parameter_K=3"), "no_such_parameter_K"),
    (("recipe", "--param", "foil_emissivity_frac=7"), "foil_emissivity_frac"),
    (("recipe", "--stage2-time-s", "abc"), "--stage2-time-s"),
    (("recipe", "--zn-bath", "nickel_watts"), "--zn-bath='nickel_watts'"),
    # the option the user set, not the model's field zn_acid_sulfate.current_density_A_per_m2 (relabelled 2026-12-04)
    (("recipe", "--zn-bath", "zn_acid_sulfate", "--zn-current-density-A-per-m2", "0"),
     "--zn-current-density-A-per-m2=0.0"),
    (("recipe", "--zn-bath", "zn_acid_sulfate", "--zn-bath-concentration-mol-per-m3", "0"),
     "--zn-bath-concentration-mol-per-m3=0.0"),
    (("recipe", "--no-uht", "--ag-immersion-time-s", "60", "--agf-wt-pct", "0"), "--agf-wt-pct"),
    (("simulate", "--set", "plant.lines.1.settings.web_speed_m_per_min=-1"), "web_speed_m_per_min"),
    (("simulate", "--hours", "-3"), "hours"),
    (("recipe", "--stage3-time-ms", "30", "--line-speed-m-per-min", "5", "--stage3-heater-length-mm", "3"),
     "--stage3-time-ms"),
    (("recipe", "--stage3-mode", "laser"), "--stage3-mode"),
    (("recipe", "--stage3-power-W-per-m", "3000", "--stage3-peak-K", "1100"), "--stage3-power-W-per-m"),
    (("recipe", "--stage3-mode", "batch", "--line-speed-m-per-min", "5"), "--line-speed-m-per-min"),
])
def test_bad_input_is_one_line_and_exit_code_2(args, field):
    out = run(*args)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert field in lines[0]
    assert "Traceback" not in out.stderr


@pytest.mark.integration
def test_recipe_web_options_reach_the_heater_report():
    """--line-speed-m-per-min and --stage3-heater-length-mm set the pulse (2.4 mm at 8 m/min = 18 ms); the
    report gives the heater power per metre of width and per m² and the peak; a given power sets the peak."""
    out = run("recipe", "--line-speed-m-per-min", "8", "--stage3-heater-length-mm", "2.4", "--stage3-peak-K", "1080",
              "--json", "-")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    h = data["stage3_heater"]
    assert data["recipe"]["stage3_time_s"] == pytest.approx(0.018)
    assert h["mode"] == "web" and h["line_speed_m_per_min"] == pytest.approx(8.0)
    assert h["power_W_per_m2"] == pytest.approx(h["power_W_per_m"] / 2.4e-3)
    assert data["peak_temperature_K"] == pytest.approx(1080.0)
    again = json.loads(run("recipe", "--line-speed-m-per-min", "8", "--stage3-heater-length-mm", "2.4",
                           "--stage3-power-W-per-m", str(h["power_W_per_m"]), "--json", "-").stdout)
    assert again["peak_temperature_K"] == pytest.approx(1080.0, abs=1e-3)


@pytest.mark.integration
def test_params_json_lists_every_parameter_with_its_source():
    out = run("params", "--json", "-")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)["parameters"]
    assert {"name", "value", "unit", "kind", "source", "reference", "where"} <= rows[0].keys()
    kinds = {r["kind"] for r in rows}
    assert {"measured", "literature", "assumed"} <= kinds


@pytest.mark.integration
def test_validate_passes_on_the_calibrated_registry():
    out = run("validate")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 failed" in out.stdout


@pytest.mark.integration
def test_a_failing_validation_exits_non_zero():
    out = run("validate", "--param", "stage3_default_peak_temperature_K=1250")
    assert out.returncode == 1
    assert "FAIL" in out.stdout


@pytest.mark.integration
def test_recipe_finds_the_soak_for_a_texture_target():
    out = run("recipe", "--anneal-soak-temperature-K", "960", "--anneal-target-100", "0.6", "--json", "-")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    an = data["coil_anneal"]
    assert an["soak_time_s"] > 0 and data["texture_fraction_100"] == pytest.approx(0.6, abs=1e-4)
    assert an["sticking_frac"] < 1.0 and an["wraps_stick"] is False
    out = run("recipe", "--anneal-target-100", "0.6")
    assert out.returncode == 2 and "--anneal-soak-temperature-K" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.integration
def test_recipe_refuses_a_wound_coil_above_850_c_and_flags_a_soak_that_sticks():
    out = run("recipe", "--anneal-soak-temperature-K", "1173.15", "--anneal-target-100", "0.6")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "soak_temperature_K" in out.stderr and "coil_anneal_wound_max_soak_temperature_K" in out.stderr
    out = run("recipe", "--anneal-soak-temperature-K", "1100", "--anneal-target-100", "0.6", "--json", "-")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["coil_anneal"]["wraps_stick"] is True and data["coil_anneal"]["sticking_frac"] > 1.0
    assert any("wraps of the wound coils stick" in w for w in data["warnings"])


@pytest.mark.integration
def test_recipe_runs_the_hot_zone_route():
    out = run("recipe", "--texture-route", "hot-zone", "--anneal-target-100", "0.85", "--json", "-")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["texture_route"] == "hot_zone" and data["coil_anneal"] is None
    assert data["texture_fraction_100"] == pytest.approx(0.85, abs=1e-4)
    assert data["hot_zone_anneal"]["temperature_K"] == pytest.approx(1293.15)
    out = run("recipe", "--texture-route", "hot-zone", "--hot-zone-temperature-K", "1313.15",
              "--hot-zone-speed-mm-per-min", "20")
    assert out.returncode == 0
    assert re.search(r"hot zone temperature\s*│\s*1313\s*│ K", out.stdout), out.stdout
    assert re.search(r"hot zone pull speed\s*│\s*20\s*│ mm/min", out.stdout), out.stdout
    for args, field in ((("--texture-route", "hot-zone"), "--hot-zone-speed-mm-per-min"),
                        (("--texture-route", "hot-zone", "--anneal-soak-temperature-K", "960",
                          "--anneal-target-100", "0.6"), "--anneal-soak-temperature-K"),
                        (("--hot-zone-speed-mm-per-min", "20"), "--hot-zone-speed-mm-per-min"),
                        (("--texture-route", "belt"), "--texture-route"),
                        (("--texture-route", "hot-zone", "--hot-zone-temperature-K", "1400",
                          "--hot-zone-speed-mm-per-min", "20"), "--hot-zone-temperature-K=1400.0")):
        out = run("recipe", *args)
        assert out.returncode == 2 and field in out.stderr and "Traceback" not in out.stderr, (args, out.stderr)
