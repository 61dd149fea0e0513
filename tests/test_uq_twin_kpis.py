"""Intervals on the twin's plant KPIs and yield at risk (issue 10 item 4): parameter draws with common random
numbers, the collapse to the nominal run without uncertainty, coverage on a known linear case, the command."""

from __future__ import annotations

import json
import math
from statistics import NormalDist

import numpy as np
import pytest

from optimizer.uq import ParameterUncertainty
from optimizer.uq.twin_kpis import TWIN_KPIS, kpis_of, twin_kpi_intervals, twin_uncertainty
from process_models.errors import FoiltwinInputError
from twin.scenario import load_scenario

ETA = "zn_vapour_transfer_efficiency_frac"
PEAK = "stage3_default_peak_temperature_K"


def _one(name: str, mean: float, sd: float, log: bool = False) -> ParameterUncertainty:
    return ParameterUncertainty((name,), np.array([mean]), np.array([[sd * sd]]), np.array([log]),
                                np.array([[-np.inf, np.inf]] if not log else [[0.0, np.inf]]), ("test",))


def _linear_run(seen: list):
    """A stand-in plant whose yield and cost are linear in one parameter θ (and record the seeds it ran with)."""

    def run(sc):
        th = sc.parameters.get("theta", 2.0)
        seen.append(sc.seed)
        return {"skin_thickness_nm": {"mean": 500.0 + 10.0 * th}, "yield_fraction": 0.9 - 0.05 * th,
                "cost_per_m2": 20.0 + 3.0 * th}

    return run


@pytest.mark.unit
def test_a_known_linear_case_its_intervals_coverage_and_yield_at_risk():
    """θ ~ N(2, 0.4²), yield = 0.9 − 0.05θ: the 90 % interval is 0.8 ± 1.645·0.02, yield at risk (95 %) is
    0.8 − 1.645·0.02; fresh draws of the plant fall inside the interval ≈ 90 % of the time (coverage)."""
    seen: list[int] = []
    sc = load_scenario(None)
    res = twin_kpi_intervals(sc, _one("theta", 2.0, 0.4), draws=400, seed=3, confidence=0.90, at_risk=0.95,
                             run=_linear_run(seen))
    q = NormalDist().inv_cdf(0.95)
    k = TWIN_KPIS.index("yield_fraction")
    assert res.nominal[k] == pytest.approx(0.8)
    assert res.mean[k] == pytest.approx(0.8, abs=3 * 0.02 / math.sqrt(400))
    assert res.sd[k] == pytest.approx(0.02, rel=0.1)
    assert res.lower[k] == pytest.approx(0.8 - q * 0.02, abs=0.003)
    assert res.upper[k] == pytest.approx(0.8 + q * 0.02, abs=0.003)
    assert res.yield_at_risk == pytest.approx(0.8 - q * 0.02, abs=0.003)
    c = TWIN_KPIS.index("cost_per_m2")
    assert res.upper[c] == pytest.approx(26.0 + q * 1.2, abs=0.15)
    # coverage: independent plants (other parameter values from the same uncertainty)
    theta = np.random.default_rng(11).normal(2.0, 0.4, 4000)
    y = 0.9 - 0.05 * theta
    cover = float(np.mean((y >= res.lower[k]) & (y <= res.upper[k])))
    assert abs(cover - 0.90) < 0.04  # sampling error of a 400-draw interval (sd ≈ 0.015) plus the check's own
    assert float(np.mean(y >= res.yield_at_risk)) == pytest.approx(0.95, abs=0.03)
    # common random numbers: every run (nominal and draws) with the scenario's seed
    assert set(seen) == {sc.seed} and len(seen) == 401
    d = res.to_dict()
    assert d["common_random_numbers"] and d["interval_quantiles"] == pytest.approx([0.05, 0.95])


@pytest.mark.unit
def test_refused_draws_are_counted_not_hidden():
    def run(sc):
        th = sc.parameters.get("theta", 2.0)
        if th > 2.3:
            raise FoiltwinInputError("theta", th, "≤ 2.3")
        return {"skin_thickness_nm": None, "yield_fraction": 0.5, "cost_per_m2": 10.0}

    res = twin_kpi_intervals(load_scenario(None), _one("theta", 2.0, 0.4), draws=40, run=run)
    assert 0 < res.failed < 40
    assert math.isnan(res.mean[0])  # no skin in these reports: n/a, not a failure
    assert res.lower[1] == res.upper[1] == 0.5


@pytest.mark.integration
def test_without_uncertainty_the_interval_collapses_to_the_nominal_kpis_exactly():
    """All standard errors zero: every draw is the nominal plant (same parameters, same seed), so the interval,
    mean and yield at risk equal the nominal run's KPIs to the last bit."""
    sc = load_scenario(None).model_copy(update={"hours": 0.5})
    unc = twin_uncertainty(sc)
    zero = ParameterUncertainty(unc.names, unc.mean, np.zeros_like(unc.cov), unc.log, unc.bounds, unc.sources)
    res = twin_kpi_intervals(sc, zero, draws=2)
    assert np.all(np.isfinite(res.nominal))
    assert list(res.lower) == list(res.nominal) and list(res.upper) == list(res.nominal)
    assert list(res.mean) == list(res.nominal) and res.yield_at_risk == res.nominal[1]
    assert res.failed == 0 and list(res.sd) == [0.0, 0.0, 0.0]
    from twin.simulate import run_single

    assert kpis_of(run_single(sc)) == list(res.nominal)


@pytest.mark.unit
def test_the_plant_uncertainty_is_the_registry_s_and_the_set_s():
    unc = twin_uncertainty(load_scenario(None))
    assert ETA in unc.names and PEAK in unc.names and all(s > 0 for s in unc.sd)
    with pytest.raises(FoiltwinInputError, match="--draws"):
        twin_kpi_intervals(load_scenario(None), unc, draws=1)
    with pytest.raises(FoiltwinInputError, match="--at-risk"):
        twin_kpi_intervals(load_scenario(None), unc, draws=2, at_risk=1.0)


@pytest.mark.integration
def test_simulate_uncertainty_from_the_cli(cli):
    code, out, err = cli("simulate", "--hours", "0.5", "--uncertainty", "mc", "--draws", "2", "--json", "-",
                         "--progress")
    assert code == 0, err
    d = json.loads(out)
    assert d["draws"] == 2 and set(d["kpis"]) == set(TWIN_KPIS)
    y = d["kpis"]["yield_fraction"]
    assert y["interval"][0] <= y["interval"][1] and d["yield_at_risk"]["probability"] == 0.95
    assert "uncertainty 3/3 runs" in err and "parameter draw 2/2 (seed 1)" in err
    code, out, err = cli("simulate", "--hours", "0.5", "--uncertainty", "mc", "--draws", "2")
    assert code == 0, err
    assert "yield at risk (95%)" in out and "common random numbers" in out
    code, _, err = cli("simulate", "--draws", "4")
    assert code == 2 and "--uncertainty" in err
    code, _, err = cli("simulate", "--uncertainty", "mc", "--out", "somewhere")
    assert code == 2 and "--out" in err
    code, _, err = cli("simulate", "--uncertainty", "mc", "--confidence", "1.2", "--hours", "0.5")
    assert code == 2 and "--confidence" in err
