"""Drift (issue 10): the residual monitors against their closed forms, and a synthetic plant drift with a known
start detected with a bounded delay."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pytest

from optimizer.calibration import calibrate
from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from twin.drift import MonitorSettings, cusum_arl, drift_report, monitor_series
from twin.parameter_set import write_parameter_set
from twin.plant_data import PlantData, PlantRecord, plant_csv_text
from twin.plant_model import simulate_measurements

ETA = "zn_vapour_transfer_efficiency_frac"


def run_lengths(shift: float, streams: int, settings: MonitorSettings, horizon: int, seed: int) -> np.ndarray:
    """Steps to the first two-sided CUSUM alarm of ``streams`` N(shift, 1) series (vectorised over streams)."""
    rng = np.random.default_rng(seed)
    up = np.zeros(streams)
    lo = np.zeros(streams)
    rl = np.full(streams, np.nan)
    for t in range(1, horizon + 1):
        z = rng.normal(shift, 1.0, streams)
        up = np.maximum(0.0, up + z - settings.k)
        lo = np.maximum(0.0, lo - z - settings.k)
        new = np.isnan(rl) & ((up > settings.h) | (lo > settings.h))
        rl[new] = t
        if not np.isnan(rl).any():
            break
    return rl


@pytest.mark.unit
@pytest.mark.parametrize(("shift", "streams"), [(0.0, 3000), (1.0, 3000), (2.0, 3000)])
def test_cusum_run_lengths_match_siegmunds_approximation(shift, streams):
    """Monte Carlo mean run length within 4 standard errors + 3 % (the approximation's own error, Montgomery's
    tables give 465 / 10.4 / 4.01 against 469 / 10.3 / 3.89) of :func:`cusum_arl`."""
    s = MonitorSettings()
    rl = run_lengths(shift, streams, s, 20000, seed=int(shift * 10) + 1)
    assert not np.isnan(rl).any()
    expected = cusum_arl(shift, s.k, s.h)
    se = rl.std(ddof=1) / math.sqrt(streams)
    assert abs(rl.mean() - expected) < 4 * se + 0.03 * expected, (rl.mean(), expected, se)


@pytest.mark.unit
def test_monitor_series_agrees_with_a_direct_evaluation_and_finds_the_start():
    z = np.zeros(40)
    z[25:] = 2.0  # a 2σ step at index 25, no noise
    m = monitor_series(z)
    # C⁺ grows by 1.5 per step from 25: exceeds 5 at the 4th step (index 28); it was last zero at 24
    assert m.alarm == 28 and m.direction == "up" and m.start == 25
    assert m.shift_sigma == pytest.approx(0.5 + 6.0 / 4)  # k + C/N recovers the 2σ shift
    assert m.cusum_upper[28] == pytest.approx(6.0) and np.all(m.cusum_lower == 0.0)
    lam = 0.2
    w = 0.0
    for t in range(40):
        w = lam * z[t] + (1 - lam) * w
        assert m.ewma[t] == pytest.approx(w)
    assert m.ewma_limit[-1] == pytest.approx(3.0 * math.sqrt(lam / (2 - lam)), rel=1e-6)
    assert m.ewma_alarm is not None and m.ewma_alarm >= 25
    down = monitor_series(-z)
    assert down.direction == "down" and down.start == 25 and down.shift_sigma == pytest.approx(-2.0)
    quiet = monitor_series(np.zeros(50))
    assert quiet.alarm is None and quiet.start is None and quiet.ewma_alarm is None


@pytest.mark.unit
def test_start_estimate_and_delay_over_many_noisy_streams():
    """A 2σ shift at t₀ = 60: detection delay near the ARL (3.9); the start estimate's error has a median of at most
    2 readings and a 95th percentile of at most 8 (the bound the model-based test below relies on)."""
    rng = np.random.default_rng(9)
    delays, errors, early = [], [], 0
    for _ in range(300):
        z = rng.normal(0.0, 1.0, 120)
        z[60:] += 2.0
        m = monitor_series(z)
        if m.alarm is None or m.alarm < 60:
            early += m.alarm is not None
            continue
        delays.append(m.alarm - 60 + 1)
        errors.append(m.start - 60)
    assert early <= 0.25 * 300  # P(false alarm in 60 readings) ≈ 60/469 ≈ 0.12
    assert np.mean(delays) == pytest.approx(cusum_arl(2.0), rel=0.25)
    assert np.median(np.abs(errors)) <= 2
    assert np.percentile(np.abs(errors), 95) <= 8


@pytest.mark.unit
def test_bad_monitor_settings_name_the_option():
    with pytest.raises(FoiltwinInputError, match="--lambda"):
        MonitorSettings(lam=1.5)
    with pytest.raises(FoiltwinInputError, match="--h"):
        MonitorSettings(h=0.0)


def line_rows(n: int, start_index: int = 0) -> list[PlantRecord]:
    """Coils stopped after stage II (XRF only: a cheap outcome), two set points in rotation, 4 h apart."""
    t0 = dt.datetime(2026, 4, 1)
    return [PlantRecord(time=t0 + dt.timedelta(hours=4 * (start_index + i)), line="uht-1",
                        stage2_temperature_K=(740.0, 760.0)[i % 2], stage2_time_s=120.0, stage3_time_ms=0.0)
            for i in range(n)]


def as_data(records: list[PlantRecord], name: str) -> PlantData:
    cols = tuple(c for c in PlantRecord.model_fields if any(getattr(r, c) is not None for r in records))
    return PlantData(tuple(records), cols, name, "0" * 64)


@pytest.fixture(scope="module")
def calibrated():
    """A parameter set fitted to 24 coils of the plant as it was (η = 1.1 × registry)."""
    base = default_parameters()
    truth = base.with_overrides({ETA: base[ETA] * 1.1})
    records = simulate_measurements(line_rows(24), truth, ["zn_loading_mg_per_cm2"], np.random.default_rng(31))
    res = calibrate(as_data(records, "history.csv"), [ETA], base)
    return res.parameter_set("uht-1 history"), truth


@pytest.mark.component
def test_a_plant_drift_with_a_known_start_is_detected_with_a_bounded_delay(calibrated):
    """The Zn source fouls from coil 31 on (η falls by 8 %): the XRF loading drops by ≈8 % ≈ 2σ. The monitor must
    stay quiet before, alarm after, place the start within 7 coils (the 95th percentile of the estimator's error
    at a 1.5-2σ shift, test_start_estimate_and_delay_over_many_noisy_streams) and take no more than 3 × the ARL of
    the shift it sees (Siegmund) to alarm."""
    pset, truth = calibrated
    settings = line_rows(60)
    rng = np.random.default_rng(5)
    before = simulate_measurements(settings[:30], truth, ["zn_loading_mg_per_cm2"], rng)
    fouled = truth.with_overrides({ETA: truth[ETA] * 0.92})
    after = simulate_measurements(settings[30:], fouled, ["zn_loading_mg_per_cm2"], rng)
    report = drift_report(as_data(before + after, "new.csv"), pset)
    o = report["outcomes"]["zn_loading_mg_per_cm2"]
    assert report["drift"] and o["alarm"] and o["direction"] == "down"
    assert o["cusum_alarm"]["row"] > 30
    assert abs(o["start"]["row"] - 31) <= 7
    z_after = np.array(o["series"]["z"][30:])
    delta = abs(z_after.mean())
    delay = o["cusum_alarm"]["row"] - 31 + 1
    assert delay <= 3 * cusum_arl(delta) + 1, (delay, delta)
    assert report["first"]["outcome"] == "zn_loading_mg_per_cm2"
    assert o["start"]["time"] == (dt.datetime(2026, 4, 1) + dt.timedelta(hours=4 * (o["start"]["row"] - 1))).isoformat()
    # the same plant without the fouling: no alarm
    steady = simulate_measurements(settings, truth, ["zn_loading_mg_per_cm2"], np.random.default_rng(6))
    quiet = drift_report(as_data(steady, "steady.csv"), pset)
    assert not quiet["drift"]
    z = np.array(quiet["outcomes"]["zn_loading_mg_per_cm2"]["series"]["z"])
    assert abs(z.mean()) < 4 / math.sqrt(z.size) and 0.5 < z.std() < 1.6  # standardised residuals ≈ N(0, 1)


@pytest.mark.integration
def test_data_drift_command_prints_and_writes_json(calibrated, tmp_path, cli):
    pset, truth = calibrated
    rng = np.random.default_rng(8)
    rows = line_rows(40)
    records = (simulate_measurements(rows[:20], truth, ["zn_loading_mg_per_cm2"], rng)
               + simulate_measurements(rows[20:], truth.with_overrides({ETA: truth[ETA] * 1.12}),
                                       ["zn_loading_mg_per_cm2"], rng))
    data = tmp_path / "new.csv"
    data.write_text(plant_csv_text(records))
    write_parameter_set(pset, tmp_path / "set.json")
    args = ("data", "drift", str(data), "--params", str(tmp_path / "set.json"))
    code, out, err = cli(*args, "--report", str(tmp_path / "drift.html"), "--json", str(tmp_path / "d.json"))
    assert code == 0, err
    assert "DRIFT up" in out and "drift detected" in out
    d = json.loads((tmp_path / "d.json").read_text())
    assert d["drift"] and d["first"]["alarm"]["row"] > 20  # the shift starts at row 21
    assert d["first"]["start"]["row"] <= d["first"]["alarm"]["row"]
    assert "Drift monitor" in (tmp_path / "drift.html").read_text()
    code, _, err = cli(*args, "--lambda", "2")
    assert code == 2 and "--lambda" in err
