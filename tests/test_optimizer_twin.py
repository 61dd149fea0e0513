"""The optimiser end to end: twin-verified recommendations, the CLI contract and exit codes, Pareto (integration)."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys

import pytest
from shared_caches import OPTIMISER_CACHE

from optimizer import Targets, optimize, pareto, solver_available
from twin.scenario import Scenario

pytestmark = pytest.mark.skipif(not solver_available(), reason="HiGHS (appsi_highs) is not available")

JSON_KEYS = {"status", "settings", "predicted", "verified", "cost_per_m2", "mip_gap", "solve_seconds",
             "twin_iterations", "binding_constraints"}

CACHE = OPTIMISER_CACHE  # the optimiser modules share stage-II outcomes and tables (tests/shared_caches.py)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from foiltwin.cli import main; main()", "optimize", *args],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def verified():
    targets = Targets(470.0, 50.0, min_throughput_m2_per_h=60.0, max_cost_per_m2=5.0)
    return targets, optimize(targets, twin_hours=8.0, cache=CACHE)


@pytest.mark.integration
def test_verified_twin_kpis_meet_the_targets(verified):
    targets, r = verified
    assert r.status in ("optimal", "feasible") and r.twin_agreed, r.message
    v = r.verified
    lo, hi = targets.skin_window_nm
    assert lo <= v["skin_thickness_nm"] <= hi
    assert v["skin_phase"] == "alpha" and v["alpha_metre_share"] >= 0.95
    assert v["throughput_m2_per_h"] >= targets.min_throughput_m2_per_h
    assert v["cost_per_m2"] <= targets.max_cost_per_m2
    assert r.checked["skin_phase"] == "alpha" and not r.checked["melting"]
    assert r.twin_iterations >= 1 and r.settings["uht"]["web_speed_m_per_min"] > 0


@pytest.mark.integration
def test_forced_electroforming_is_checked_through_the_plating_line_in_the_twin():
    """(100) ≥ 0.09 without a coil furnace: only electroformed foil (up to 0.10) gets there."""
    r = optimize(Targets(470.0, 50.0, min_texture_100=0.09), Scenario(plant={"furnaces": []}), twin_hours=6.0,
                 held_out=False, cache=CACHE)
    assert r.settings["mode"] == "vapour_electroformed" and r.settings["electrodeposition"]["bath"]
    assert r.twin_agreed and r.verified["texture_fraction_100"] >= 0.09


@pytest.mark.integration
def test_cli_prints_the_json_contract():
    out = cli("--skin-thickness-nm", "470", "--tolerance-nm", "50", "--mode", "vapour_commercial",
              "--twin-hours", "6", "--json", "-")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data.keys() >= JSON_KEYS
    assert data["status"] in ("optimal", "feasible") and data["verified"]["skin_thickness_nm"] > 0
    assert data["settings"]["uht"]["stage2_time_s"] > 0 and data["twin_iterations"] >= 1


@pytest.mark.integration
def test_cli_infeasible_targets_exit_3_with_the_explanation():
    out = cli("--min-texture-100", "0.95", "--mode", "vapour_commercial", "--no-twin")
    assert out.returncode == 3
    assert "min_texture_100" in out.stderr and "conflicting targets: min_texture_100" in out.stdout
    assert "Traceback" not in out.stderr


@pytest.mark.integration
@pytest.mark.parametrize(("args", "field"), [
    (("--tolerance-nm", "-5"), "--tolerance-nm=-5"),
    (("--objective", "speed"), "--objective"),
    (("--mode", "plated_electroformed"), "--mode='plated_electroformed'"),
    (("--pareto", "cost,speed"), "--pareto='cost,speed'"),
])
def test_cli_bad_input_is_one_line_and_exit_2(args, field):
    out = cli(*args, "--no-twin")
    assert out.returncode == 2, out.stdout + out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and field in lines[0]


@pytest.mark.integration
def test_pareto_cost_vs_tolerance_is_a_non_dominated_front():
    r = pareto(Targets(470.0, 60.0), modes=("vapour_commercial",), axes=("cost", "tolerance"), points=2,
               verify_twin=False, held_out=False, cache=CACHE)
    front = r.pareto
    assert front and all({"cost_per_m2", "tolerance_nm"} == set(p["axes"]) for p in front)
    costs = [p["axes"]["cost_per_m2"] for p in front]
    tols = [p["axes"]["tolerance_nm"] for p in front]
    assert costs == sorted(costs)
    assert all(b < a for a, b in itertools.pairwise(tols))  # dearer points buy tighter tolerances


@pytest.mark.integration
def test_annealed_coils_reach_the_cube_texture_in_the_twin():
    r = optimize(Targets(470.0, 50.0, min_texture_100=0.6), modes=("vapour_commercial",), twin_hours=12.0,
                 held_out=False, cache=CACHE)
    assert r.settings["coil_anneal"] is not None and r.twin_agreed, r.message
    assert r.verified["texture_fraction_100"] >= 0.6
