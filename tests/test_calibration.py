"""Calibration (issue 10): the weighted least-squares core against closed forms, recovery of known parameters
from synthetic plant data, coverage of the intervals over repeated draws, identifiability, leave-one-out."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from optimizer.calibration import FitOptions, FreeParameter, analyse, calibrate, fit_wls
from optimizer.calibration.plant import interval_text
from optimizer.calibration.wls import WLSFit, choose_transform
from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from twin.plant_data import PlantData, PlantRecord, plant_csv_text
from twin.plant_model import simulate_measurements

ETA = "zn_vapour_transfer_efficiency_frac"
ALPHA_E = "zn_evaporation_coefficient_frac"
TAU = "recrystallisation_time_constant_s"
Q_REX = "recrystallisation_activation_J_per_mol"


def data_of(records: list[PlantRecord], name: str = "synthetic.csv") -> PlantData:
    cols = tuple(c for c in PlantRecord.model_fields if any(getattr(r, c) is not None for r in records))
    return PlantData(tuple(records), cols, name, "0" * 64)


# ------------------------------------------------------------------------------------------------- core vs closed forms
@pytest.mark.unit
def test_transform_is_log_for_positive_parameters_spanning_decades():
    assert choose_transform(1e-4, (1e-8, 1.0)) == "log"  # an efficiency
    assert choose_transform(3.4e-5, (1e-7, 1e-2)) == "log"  # a diffusivity prefactor
    assert choose_transform(0.4, (0.0, 2.0)) == "log"  # positive, open at zero
    assert choose_transform(1000.0, (700.0, 1357.77)) == "linear"  # a temperature
    assert choose_transform(1.9e5, (1e5, 3e5)) == "linear"  # an activation energy
    assert choose_transform(-0.76, (-3.0, 3.0)) == "linear"


@pytest.mark.unit
def test_linear_model_covariance_and_leave_one_out_match_the_closed_forms():
    """y = a + b·t with known σ: the estimates, (XᵀWX)⁻¹ and the LOO residuals r_i/(1 − h_ii) are exact."""
    rng = np.random.default_rng(3)
    t = np.linspace(0.0, 10.0, 25)
    sigma = np.full(t.size, 0.3)
    y = 2.0 + 0.7 * t + rng.normal(0.0, 0.3, t.size)
    free = [FreeParameter("a", 1.0, (-10.0, 10.0), "linear"), FreeParameter("b", 1.0, (-10.0, 10.0), "linear")]
    fit = fit_wls(lambda x: (x[0] + x[1] * t - y) / sigma, free, FitOptions(covariance="sigma"))
    st = analyse(fit, FitOptions(covariance="sigma"))
    X = np.column_stack([np.ones_like(t), t]) / sigma[:, None]
    beta = np.linalg.lstsq(X, y / sigma, rcond=None)[0]
    cov = np.linalg.inv(X.T @ X)
    assert fit.x == pytest.approx(beta, rel=1e-6)
    assert st.cov_x == pytest.approx(cov, rel=1e-5)
    assert st.standard_errors == pytest.approx(np.sqrt(np.diag(cov)).tolist(), rel=1e-5)
    H = X @ cov @ X.T
    r = (X @ beta - y / sigma)
    assert st.loo_residuals == pytest.approx(r / (1.0 - np.diag(H)), rel=1e-4, abs=1e-9)
    # residual-variance form: scaled by χ²/ν, intervals from Student's t
    st2 = analyse(fit, FitOptions(covariance="residual"))
    s2 = float(r @ r) / (t.size - 2)
    assert st2.cov_x == pytest.approx(cov * s2, rel=1e-5)
    lo, hi = st2.intervals[1]
    half = stats.t.ppf(0.975, t.size - 2) * math.sqrt(cov[1, 1] * s2)
    assert (hi - lo) / 2 == pytest.approx(half, rel=1e-5)
    assert st.correlation[0, 1] == pytest.approx(cov[0, 1] / math.sqrt(cov[0, 0] * cov[1, 1]), rel=1e-5)


@pytest.mark.unit
def test_log_parameter_intervals_are_asymmetric_and_standard_errors_follow_the_delta_method():
    rng = np.random.default_rng(5)
    t = np.linspace(0.1, 3.0, 30)
    k_true = 0.8
    y = np.exp(-k_true * t) + rng.normal(0.0, 0.01, t.size)
    free = [FreeParameter("k", 0.3, (1e-6, 1e3), choose_transform(0.3, (1e-6, 1e3)))]
    fit = fit_wls(lambda x: (np.exp(-x[0] * t) - y) / 0.01, free)
    st = analyse(fit, FitOptions(covariance="sigma"))
    k = fit.x[0]
    assert free[0].transform == "log"
    se_ln = math.sqrt(st.cov_z[0, 0])
    assert st.standard_errors[0] == pytest.approx(k * se_ln, rel=1e-9)
    lo, hi = st.intervals[0]
    assert lo == pytest.approx(k * math.exp(-1.959964 * se_ln), rel=1e-6)
    assert hi == pytest.approx(k * math.exp(1.959964 * se_ln), rel=1e-6)
    assert abs(k - k_true) < 3 * st.standard_errors[0]


@pytest.mark.unit
def test_a_product_only_pair_is_reported_rank_deficient_by_name():
    t = np.linspace(1.0, 5.0, 12)
    y = 0.6 * t

    def model(x):
        return (x[0] * x[1] * t - y) / 0.05

    free = [FreeParameter("alpha_frac", 0.5, (1e-6, 1.0), "log"), FreeParameter("beta_frac", 0.5, (1e-6, 10.0), "log")]
    st = analyse(fit_wls(model, free))
    assert not st.identifiable
    (d,) = st.unidentifiable
    assert d.kind == "rank-deficient"
    assert "only the product alpha_frac·beta_frac is determined" in d.text
    assert st.standard_errors == [None, None]
    # a parameter the residuals do not depend on at all
    st1 = analyse(fit_wls(lambda x: (x[0] * t - y) / 0.05,
                          [FreeParameter("a_frac", 0.5, (1e-6, 10.0), "log"),
                           FreeParameter("unused_frac", 0.5, (1e-6, 10.0), "log")]))
    assert [d.text for d in st1.unidentifiable] == ["unused_frac is not determined by the data (they barely "
                                                    "depend on it)"]
    assert st1.standard_errors[0] is not None and st1.standard_errors[1] is None


@pytest.mark.unit
def test_a_barely_constrained_direction_is_reported_uncertain():
    """Two nearly collinear effects: numerically full rank, but the data leave their difference uncertain by far
    more than the threshold (100 % in ln units)."""
    t = np.linspace(1.0, 2.0, 10)
    rng = np.random.default_rng(1)
    y = 1.0 * t + 1.0 * t ** 1.001 + rng.normal(0.0, 0.05, t.size)
    free = [FreeParameter("a_frac", 1.0, (1e-6, 1e3), "log"), FreeParameter("b_frac", 1.0, (1e-6, 1e3), "log")]
    st = analyse(fit_wls(lambda x: (x[0] * t + x[1] * t ** 1.001 - y) / 0.05, free))
    assert [d.kind for d in st.unidentifiable] == ["uncertain"]
    assert st.unidentifiable[0].standard_error > 1.0


@pytest.mark.unit
def test_an_interval_end_beyond_the_float_range_is_infinite_not_an_overflow():
    """A ln parameter the data barely see: SE_z ≈ 3162 (ln units), so z + 1.96·SE_z ≫ 709.78 = ln(float max).
    The interval reads [0, inf] (exp of the lower end underflows) where it raised OverflowError; the parameter is
    named uncertain, and a moderate interval is still the exact exp(z ± h)."""
    rate = FreeParameter("rate_per_s", 2.0, (1e-6, 1e6), "log")
    free = [FreeParameter("a", 1.0, (-10.0, 10.0), "linear"), rate]
    sign = np.tile([1.0, -1.0], 5)  # orthogonal to the first column: singular values 31.6 and 3.16e-4
    fit = WLSFit(free, np.array([1.0, 2.0]), np.array([1.0, math.log(2.0)]), np.zeros(10),
                 np.column_stack([np.full(10, 10.0), 1e-4 * sign]), [False, False], 1, 1, "", 0.0)
    st = analyse(fit)
    assert st.intervals[1] == (0.0, math.inf)
    assert st.standard_errors[1] == pytest.approx(2.0 / (1e-4 * math.sqrt(10.0)), rel=1e-9)
    assert all(math.isfinite(v) for v in st.intervals[0])
    assert [(d.kind, d.coefficients) for d in st.unidentifiable] == [("uncertain", {"rate_per_s": 1.0})]
    assert rate.interval_x(math.log(2.0), 0.5) == pytest.approx((2.0 * math.exp(-0.5), 2.0 * math.exp(0.5)), rel=1e-14)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning either
        assert rate.interval_x(math.log(2.0), 1e4) == (0.0, math.inf)
        assert FreeParameter("a", 10.0, (-99.0, 99.0), "linear").interval_x(1.0, 1e308) == (-math.inf, math.inf)
    assert interval_text([0.0, None]) == "[0, inf]" and interval_text(None) == "n/a"


@pytest.mark.unit
def test_bad_fit_options_are_input_errors():
    with pytest.raises(FoiltwinInputError, match="covariance"):
        FitOptions(covariance="bayes")  # type: ignore[arg-type]
    with pytest.raises(FoiltwinInputError, match="rank_tolerance"):
        FitOptions(rank_tolerance=0.0)
    with pytest.raises(FoiltwinInputError, match="max_direction_se"):  # a set loads with ln SE ≤ 10 only
        FitOptions(max_direction_se=100.0)


# ------------------------------------------------------------------------------------------------- plant data
def anneal_design() -> list[PlantRecord]:
    """Coils measured after the coil anneal only (no UHT step): (100) and (111) fractions by EBSD — the cheapest
    outcome set of the collector models (closed-form JMAK)."""
    start = dt.datetime(2026, 1, 5, 8, 0)
    rows = []
    for i, (T, h) in enumerate([(T, h) for T in (1000.0, 1050.0, 1080.0, 1120.0) for h in (0.5, 2.0, 8.0)]):
        rows.append(PlantRecord(time=start + dt.timedelta(hours=6 * i), uht_step=False,
                                anneal_soak_temperature_K=T, anneal_soak_h=h))
    return rows


def anneal_truth():
    base = default_parameters()
    return base, {TAU: base[TAU] * 1.8, Q_REX: base[Q_REX] * 0.95}


@pytest.mark.component
def test_known_anneal_parameters_are_recovered_inside_their_intervals():
    base, truth = anneal_truth()
    rng = np.random.default_rng(11)
    records = simulate_measurements(anneal_design(), base.with_overrides(truth),
                                    ["texture_fraction_100", "texture_fraction_111"], rng)
    res = calibrate(data_of(records), [TAU, Q_REX], base, options=FitOptions(covariance="sigma"))
    assert res.fit.converged and res.stats.identifiable
    for j, name in enumerate([TAU, Q_REX]):
        assert abs(res.fit.x[j] - truth[name]) < 3.0 * res.stats.standard_errors[j], name
        lo, hi = res.stats.intervals[j]
        assert lo < res.fit.x[j] < hi
    assert res.fit.free[0].transform == "log" and res.fit.free[1].transform == "linear"
    assert 0.3 < res.stats.reduced_chi2 < 2.0


@pytest.mark.component
@pytest.mark.slow
def test_coverage_of_the_95_percent_intervals_over_repeated_draws():
    """40 noisy data sets from the same truth; each fitted (σ-scaled covariance). Per parameter, the share of
    intervals that hold the truth has binomial SD √(0.95·0.05/40) = 0.034: it must lie within 3 SD of 0.95 (≥ 0.85).
    The standardised errors (estimate − truth)/SE must have an SD near 1 (χ²-based 99 % band for 40 draws:
    [0.77, 1.24]) — this catches intervals that are too wide as well as too narrow."""
    base, truth = anneal_truth()
    settings = anneal_design()
    model_rows = simulate_measurements(settings, base.with_overrides(truth),
                                       ["texture_fraction_100", "texture_fraction_111"], None)
    sd = base["texture_fraction_sd_frac"]
    rng = np.random.default_rng(2024)
    draws = 40
    hits = np.zeros((draws, 2), dtype=bool)
    zscore = np.zeros((draws, 2))
    for k in range(draws):
        noisy = [r.model_copy(update={
            "texture_fraction_100": r.texture_fraction_100 + rng.normal(0.0, sd),
            "texture_fraction_111": r.texture_fraction_111 + rng.normal(0.0, sd)}) for r in model_rows]
        res = calibrate(data_of(noisy), [TAU, Q_REX], base, options=FitOptions(covariance="sigma"))
        for j, name in enumerate([TAU, Q_REX]):
            lo, hi = res.stats.intervals[j]
            hits[k, j] = lo <= truth[name] <= hi
            zscore[k, j] = (res.fit.z[j] - res.fit.free[j].to_z(truth[name])) / math.sqrt(res.stats.cov_z[j, j])
    coverage = hits.mean(axis=0)
    assert np.all(coverage >= 0.95 - 3 * math.sqrt(0.95 * 0.05 / draws)), coverage
    spread = zscore.std(axis=0, ddof=1)
    lo_band = math.sqrt(stats.chi2.ppf(0.005, draws - 1) / (draws - 1))
    hi_band = math.sqrt(stats.chi2.ppf(0.995, draws - 1) / (draws - 1))
    assert np.all((spread > lo_band) & (spread < hi_band)), spread


def stage2_design(n: int = 12) -> list[PlantRecord]:
    """Foils stopped after stage II (XRF on the γ film): the Zn delivered is η·α_e·(Hertz-Knudsen flux)."""
    start = dt.datetime(2026, 2, 1)
    return [PlantRecord(time=start + dt.timedelta(hours=8 * i), stage2_temperature_K=T, stage2_time_s=t,
                        stage3_time_ms=0.0)
            for i, (T, t) in enumerate([(T, t) for T in (720.0, 745.0, 770.0) for t in (60.0, 90.0, 120.0, 150.0)][:n])]


@pytest.mark.component
def test_a_pair_the_data_cannot_separate_is_named_on_the_real_model():
    """Stage-II XRF alone sees only η·α_e (transfer efficiency × evaporation coefficient): not identifiable."""
    base = default_parameters()
    rng = np.random.default_rng(7)
    records = simulate_measurements(stage2_design(), base.with_overrides({ETA: base[ETA] * 1.2}),
                                    ["zn_loading_mg_per_cm2"], rng)
    res = calibrate(data_of(records), [ETA, ALPHA_E], base.with_overrides({ALPHA_E: 0.5}))
    assert not res.stats.identifiable and not res.writable
    texts = [d.text for d in res.stats.unidentifiable]
    assert any(f"only the product {ETA}·{ALPHA_E} is determined" in t for t in texts), texts
    with pytest.raises(FoiltwinInputError, match="identifiable"):
        res.parameter_set("refused")
    # the product itself is recovered
    assert res.fit.x[0] * res.fit.x[1] == pytest.approx(base[ETA] * 1.2, rel=0.03)


@pytest.mark.component
def test_uht_parameters_recovered_from_a_noisy_line_data_set():
    """η from XRF and the α interdiffusion rise from cross-sections, 18 coils of varying stage II and III."""
    base = default_parameters()
    rise = "alpha_interdiffusion_log10_rise_frac"
    truth = {ETA: base[ETA] * 1.2, rise: base[rise] * 0.9}
    start = dt.datetime(2026, 2, 1)
    settings = [PlantRecord(time=start + dt.timedelta(hours=12 * i), stage2_temperature_K=(735.0, 750.0, 765.0)[i % 3],
                            stage2_time_s=(100.0, 120.0, 140.0)[(i // 3) % 3], stage3_peak_K=(985.0, 1015.0)[i % 2])
                for i in range(18)]
    rng = np.random.default_rng(17)
    records = simulate_measurements(settings, base.with_overrides(truth),
                                    ["zn_loading_mg_per_cm2", "skin_thickness_nm"], rng)
    res = calibrate(data_of(records), [ETA, rise], base)
    assert res.writable
    for j, name in enumerate([ETA, rise]):
        assert abs(res.fit.x[j] - truth[name]) < 3.0 * res.stats.standard_errors[j], name
    pset = res.parameter_set("synthetic", created=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    assert pset.values == {ETA: res.fit.x[0], rise: res.fit.x[1]}
    assert pset.covariance == res.stats.cov_x.tolist()


@pytest.mark.component
def test_linearised_leave_one_out_agrees_with_refitting():
    """First-order LOO (leverages) against leaving each row out and refitting, on the anneal model."""
    base, truth = anneal_truth()
    rng = np.random.default_rng(23)
    records = simulate_measurements(anneal_design(), base.with_overrides(truth), ["texture_fraction_100"], rng)
    res = calibrate(data_of(records), [TAU, Q_REX], base, options=FitOptions(covariance="sigma"))
    exact = []
    for i in range(len(records)):
        rest = records[:i] + records[i + 1:]
        refit = calibrate(data_of(rest), [TAU, Q_REX], base, options=FitOptions(covariance="sigma"))
        pred = simulate_measurements([records[i]], refit.fitted, ["texture_fraction_100"], None)[0]
        exact.append(records[i].texture_fraction_100 - pred.texture_fraction_100)
    approx = -res.stats.loo_residuals * res.obs.sigma  # residuals are model − measured
    assert approx == pytest.approx(np.array(exact), rel=0.1, abs=2e-3)


@pytest.mark.component
def test_default_names_are_the_fitted_parameters_the_data_depend_on():
    base = default_parameters()
    records = simulate_measurements(anneal_design(), base, ["texture_fraction_100"], np.random.default_rng(1))
    res = calibrate(data_of(records), None, base)
    assert res.names == [TAU]  # the only registry "fitted" parameter the anneal texture depends on
    assert ETA in res.screened_out


@pytest.mark.unit
def test_bad_calibration_requests_are_input_errors():
    base = default_parameters()
    records = [PlantRecord(uht_step=False, anneal_soak_temperature_K=1100.0, anneal_soak_h=1.0,
                           texture_fraction_100=0.3)]
    d = data_of(records)
    with pytest.raises(FoiltwinInputError, match="did you mean"):
        calibrate(d, ["recrystallisation_time_constant"], base)
    with pytest.raises(FoiltwinInputError, match="constant"):
        calibrate(d, ["cu_melting_temperature_K"], base)
    with pytest.raises(FoiltwinInputError, match="each parameter once"):
        calibrate(d, [TAU, TAU], base)
    with pytest.raises(FoiltwinInputError, match="an outcome the data measured"):
        calibrate(d, [TAU], base, outcomes=["skin_thickness_nm"])
    with pytest.raises(FoiltwinInputError, match="at most as many parameters as observations"):
        calibrate(d, [TAU, Q_REX], base)


# ------------------------------------------------------------------------------------------------- the command
@pytest.mark.integration
def test_calibrate_the_shipped_example_write_a_set_and_use_it(tmp_path, cli):
    """The loop of docs/calibration.md on the example (one parameter from the XRF readings, to stay quick; the
    four-parameter fit of the docs takes ≈15-30 s)."""
    example = Path(__file__).resolve().parents[1] / "examples" / "plant_data_uht.csv"
    truth = json.loads(example.with_suffix(".truth.json").read_text())["truth"]
    code, out, err = cli("calibrate", str(example), "--params", ETA, "--outcomes", "zn_loading_mg_per_cm2", "--out",
                         str(tmp_path / "set.json"), "--report", str(tmp_path / "cal.html"), "--json",
                         str(tmp_path / "cal.json"))
    assert code == 0, err
    assert "wrote parameter set" in out and "leave-one-row-out" in out
    d = json.loads((tmp_path / "cal.json").read_text())
    assert [p["name"] for p in d["parameters"]] == [ETA]
    for p in d["parameters"]:
        assert abs(p["value"] - truth[p["name"]]) < 3 * p["standard_error"], p
    assert d["identifiability"]["identifiable"] and d["fit"]["converged"]
    assert d["parameter_set"]["file"] == str(tmp_path / "set.json")
    html = (tmp_path / "cal.html").read_text()
    assert "Parity" in html and "Residuals against time" in html
    pset = json.loads((tmp_path / "set.json").read_text())
    assert pset["data"]["sha256"] == hashlib.sha256(example.read_bytes()).hexdigest()
    assert pset["data"]["file"] == "plant_data_uht.csv" and pset["method"].startswith("weighted least squares")
    code, out, err = cli("recipe", "--params", str(tmp_path / "set.json"), "--json", "-")
    assert code == 0, err
    assert "PlantCalibration" in json.loads(out)["citations"]
    code, _, err = cli("calibrate", str(example), "--params", ETA, "--out", str(tmp_path / "no" / "set.json"))
    assert code == 2 and "--out" in err  # refused before the fit, not after


@pytest.mark.integration
def test_calibrate_reports_an_unbounded_interval_and_exits_3(tmp_path, cli):
    """The first 8 coils of the example, XRF only: the γ nucleation rate barely moves the Zn loading (SE ≈ 6700 in
    ln units, relative singular value ≈ 2e-6; the rank tolerance is lowered so that it stays "uncertain", not
    rank-deficient). Its interval end overflowed exp (traceback, exit 1); now [0, inf] on screen, null in the strict
    JSON, and the documented exit 3 with no set. ≈2 s."""
    example = Path(__file__).resolve().parents[1] / "examples" / "plant_data_uht.csv"
    data = tmp_path / "eight.csv"
    data.write_text("".join(example.read_text().splitlines(keepends=True)[:9]))
    gamma = "gamma_nucleation_rate_ref_per_m2_s"
    code, out, err = cli("calibrate", str(data), "--params", f"{ETA},{gamma}", "--outcomes", "zn_loading_mg_per_cm2",
                         "--rank-tolerance", "1e-9", "--out", str(tmp_path / "set.json"), "--json",
                         str(tmp_path / "cal.json"))
    assert code == 3, err
    assert f"NOT IDENTIFIABLE (uncertain): {gamma} is not determined" in out
    assert "[0, inf]" in out and "Traceback" not in err
    assert not (tmp_path / "set.json").exists()

    def refuse(token: str) -> None:
        raise AssertionError(f"non-strict JSON token {token}")

    d = json.loads((tmp_path / "cal.json").read_text(), parse_constant=refuse)
    eta, rate = d["parameters"]
    assert rate["interval_95"] == [0.0, None] and rate["standard_error"] > 1e3 * rate["value"]
    assert None not in eta["interval_95"] and d["parameter_set"] is None


@pytest.mark.integration
def test_calibrate_exits_3_and_writes_no_set_when_the_data_cannot_separate_the_parameters(tmp_path, cli):
    base = default_parameters()
    records = simulate_measurements(stage2_design(8), base, ["zn_loading_mg_per_cm2"], np.random.default_rng(2))
    data = tmp_path / "stage2.csv"
    data.write_text(plant_csv_text(records))
    code, out, _ = cli("calibrate", str(data), "--params", f"{ETA},{ALPHA_E}", "--out", str(tmp_path / "set.json"))
    assert code == 3
    assert "NOT IDENTIFIABLE (rank-deficient): only the product" in out
    assert not (tmp_path / "set.json").exists()
    code, _, err = cli("calibrate", str(data), "--params", "no_such_parameter_K")
    assert code == 2 and "no_such_parameter_K" in err
