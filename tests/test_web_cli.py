"""``foiltwin recipe --web-tension-N-per-m``: margins and break probability of the recipe's heated zones."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from process_models.parameters import default_parameters
from process_models.web.handling import WebBreakModel, web_margins


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from foiltwin.cli import main; main()", *args],
                          capture_output=True, text=True, timeout=180)


@pytest.mark.integration
def test_recipe_reports_margins_and_break_probability_at_a_tension():
    out = run("recipe", "--web-tension-N-per-m", "250", "--json", "-")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    web = data["web_handling"]
    assert set(web["zones"]) == {"stage2", "stage3"}
    z3 = web["zones"]["stage3"]
    assert z3["peak_K"] == pytest.approx(data["peak_temperature_K"], rel=1e-12)
    ref = web_margins(WebBreakModel.from_values(default_parameters()), {"stage2": 250.0, "stage3": 250.0},
                      {"stage2": 750.0, "stage3": data["peak_temperature_K"]}, 10e-6)
    assert web["breaks_per_m"] == pytest.approx(float(ref.breaks_per_m[0]), rel=1e-9)
    assert z3["yield_margin_frac"] < 0.0  # 25 MPa over a ~1100 K peak: too hot for this tension
    assert any("stage3 too hot for its tension" in w for w in data["warnings"])
    assert {"JohnsonCook1983", "FrostAshby1982"} <= set(data["citations"])
    text = run("recipe", "--web-tension-N-per-m", "80")
    assert text.returncode == 0, text.stderr
    assert "web break probability" in text.stdout and "web stage3: 80 N/m" in text.stdout


@pytest.mark.integration
@pytest.mark.parametrize(("args", "says"), [
    (("recipe", "--web-tension-N-per-m", "0"), "--web-tension-N-per-m"),
    (("recipe", "--web-tension-N-per-m", "9000"), "(0, 5000] N/m"),
    (("recipe", "--no-uht", "--web-tension-N-per-m", "50"), "--web-tension-N-per-m"),
])
def test_bad_tension_is_one_line_and_exit_code_2(args, says):
    out = run(*args)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0] and "Traceback" not in out.stderr


@pytest.mark.integration
def test_no_strength_left_is_null_in_the_json_not_infinity():
    out = run("recipe", "--stage3-peak-K", "1357", "--web-tension-N-per-m", "50", "--json", "-")
    assert out.returncode == 0, out.stderr
    assert "Infinity" not in out.stdout
    web = json.loads(out.stdout)["web_handling"]
    assert web["breaks_per_m"] is None and web["break_probability_per_m"] == 1.0
    assert web["zones"]["stage3"]["tensile_margin_frac"] is None
