"""Sobol sensitivity (issue 10 item 5): the Ishigami function against its known indices, the truncated-normal
marginals, and on the recipe the parameter that physically sets each output."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy.stats import truncnorm

from optimizer.uq import ParameterUncertainty, recipe_model
from optimizer.uq.sensitivity import independent_from_uniform, sobol_indices, sobol_uniform, with_assumed_spread
from process_models.collector.recipe import CollectorRecipe
from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from process_models.uht.recipe import UHTRecipe
from twin.parameter_set import apply_parameter_set, make_parameter_set

ETA = "zn_vapour_transfer_efficiency_frac"
RISE = "alpha_interdiffusion_log10_rise_frac"
NUC = "nucleation_factor_alpha_frac"


def ishigami(U: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    x = -math.pi + 2 * math.pi * U
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_exact(a: float = 7.0, b: float = 0.1):
    """Closed forms (Ishigami & Homma 1990; Sobol' & Levitan 1999)."""
    pi = math.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a * a / 8
    v13 = b * b * pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return [v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v]


@pytest.mark.unit
def test_ishigami_indices_against_the_closed_form():
    res = sobol_uniform(ishigami, ["x1", "x2", "x3"], ["y"], base_samples=4096, seed=1)
    s1, st = ishigami_exact()
    assert res.S1[0] == pytest.approx(s1, abs=0.03)  # 0.314, 0.442, 0
    assert res.ST[0] == pytest.approx(st, abs=0.03)  # 0.558, 0.442, 0.244
    assert res.dominant("y") == "x1" and res.runs == 4096 * 5
    with pytest.raises(FoiltwinInputError, match="power of 2"):
        sobol_uniform(ishigami, ["x1", "x2", "x3"], ["y"], base_samples=100)


@pytest.mark.unit
def test_marginals_are_truncated_normals_in_the_fit_space():
    unc = ParameterUncertainty(("a", "b"), np.array([1.0, 5.0]), np.diag([0.5**2, 2.0**2]), np.array([False, True]),
                               np.array([[0.0, 2.0], [0.0, np.inf]]))
    u = np.linspace(0.001, 0.999, 999)
    x = independent_from_uniform(unc, np.column_stack([u, u]))
    expect = truncnorm.ppf(u, (0.0 - 1.0) / 0.5, (2.0 - 1.0) / 0.5, loc=1.0, scale=0.5)
    assert x[:, 0] == pytest.approx(expect, rel=1e-9)
    assert np.log(x[499, 1]) == pytest.approx(math.log(5.0), abs=1e-9)  # the median of a ln-drawn parameter
    assert np.std(np.log(x[:, 1])) == pytest.approx(2.0 / 5.0, rel=0.05)  # sd_z = sd/x by the delta method


def march_set():
    """The docs' four-parameter fit of the shipped example (docs/calibration.md §5): η pinned by the XRF to
    ±0.5 %, the α interdiffusion rise to ±0.07."""
    v = default_parameters()
    se = {ETA: 0.0046 * v[ETA], RISE: 0.07, NUC: 0.011}
    names = list(se)
    return make_parameter_set({
        "name": "uht-1 March", "created": "2026-03-31T12:00:00+00:00", "method": "weighted least squares; test",
        "foiltwin_version": "0.1.0", "code_fingerprint": "0" * 64,
        "data": {"file": "plant_data_uht.csv", "sha256": "a" * 64, "rows": 40, "observations": {"x": 1}},
        "parameters": [{"name": n, "value": v[n], "unit": "1", "standard_error": se[n],
                        "transform": "log" if n == ETA else "linear"} for n in names],
        "covariance": np.diag([se[n] ** 2 for n in names]).tolist(),
        "fit": {"n_observations": 130, "chi2": 130.0, "dof": 126, "covariance_mode": "auto",
                "covariance_scale": 1.0}})


@pytest.mark.component
@pytest.mark.slow  # 16 recipe evaluations: ≈4 s on an idle machine
def test_on_the_recipe_each_output_is_set_by_the_physically_expected_parameter():
    """Once the XRF readings pin the Zn supply η (±0.5 %), the skin's thickness is uncertain through how deep
    the Zn diffuses (the α interdiffusion rise, ±0.07), while the Zn loading is set by η: how deep the skin grows
    hardly changes how much Zn there is."""
    pset = march_set()
    values = apply_parameter_set(default_parameters(), pset)
    unc = with_assumed_spread(values, pset, [ETA, RISE], {})
    outputs = ["skin_thickness_nm", "zn_loading_mg_per_cm2"]
    res = sobol_indices(recipe_model(CollectorRecipe(uht=UHTRecipe()), values, unc.names, outputs), unc, outputs,
                        base_samples=4, seed=0)
    assert res.dominant("skin_thickness_nm") == RISE
    assert res.ST[0, 1] > 0.8
    assert res.dominant("zn_loading_mg_per_cm2") == ETA
    assert res.runs == 4 * 4


@pytest.mark.unit
def test_assumed_spreads_are_marked_and_checked():
    v = default_parameters()
    unc = with_assumed_spread(v, None, [ETA, "gas_convection_multiplier_frac"],
                              {"gas_convection_multiplier_frac": 0.2})
    assert unc.sources == ("registry", "assumed ±20%") and unc.sd[1] == pytest.approx(0.2)
    with pytest.raises(FoiltwinInputError, match="standard error"):
        with_assumed_spread(v, None, ["gas_convection_multiplier_frac"], {})
    with pytest.raises(FoiltwinInputError, match="relative standard deviation"):
        with_assumed_spread(v, None, [ETA], {ETA: 2.0})


@pytest.mark.integration
def test_sensitivity_command_prints_a_table_and_json(cli, tmp_path):
    code, out, err = cli("sensitivity", "--uncertain", f"{ETA},{NUC}", "--spread", f"{NUC}=0.1", "--samples", "2",
                         "--outputs", "zn_loading_mg_per_cm2,nucleation_overpotential_mV", "--stage3-time-ms", "0",
                         "--json", str(tmp_path / "s.json"))
    assert code == 0, err
    assert "Sobol" in out and ETA in out and "ST" in out
    d = json.loads((tmp_path / "s.json").read_text())
    assert d["outputs"]["zn_loading_mg_per_cm2"]["dominant"] == ETA
    code, _, err = cli("sensitivity", "--samples", "3")
    assert code == 2 and "power of 2" in err


@pytest.mark.unit
@pytest.mark.parametrize("seed", [0, 3])
def test_confidence_intervals_repeat_for_every_seed(seed: int) -> None:
    """The bootstrap confidence intervals are part of the report, so one seed must give one report. SALib seeds
    its bootstrap only for a truthy seed; with the default seed 0 the intervals followed numpy's global state and
    `foiltwin sensitivity --json` differed from run to run."""
    runs = []
    for state in (1, 2):
        np.random.seed(state)  # whatever else ran before in the process
        res = sobol_uniform(ishigami, ["x1", "x2", "x3"], ["y"], 64, seed=seed)
        runs.append((res.S1_conf.copy(), res.ST_conf.copy()))
    assert np.array_equal(runs[0][0], runs[1][0]) and np.array_equal(runs[0][1], runs[1][1])
    assert np.all(runs[0][0] > 0.0)
