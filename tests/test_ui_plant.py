"""The dashboard's Calibrate and Drift tabs (issue 10 items 3 and 7): the Streamlit-free helpers and AppTests of
both pages on synthetic plant data with a known truth and a known drift start."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from twin.parameter_set import code_fingerprint, make_parameter_set, write_parameter_set
from twin.plant_data import PlantRecord, plant_csv_text
from twin.plant_model import simulate_measurements
from ui import data_folder, plant_view

APP = str(Path(__file__).resolve().parents[1] / "ui" / "app.py")
ETA = "zn_vapour_transfer_efficiency_frac"


def rows(n: int, start: dt.datetime = dt.datetime(2026, 3, 2, 6, 0)) -> list[PlantRecord]:
    """Coils of a UHT line at three stage-II set points, XRF read on each (stage II only: quick)."""
    return [PlantRecord(time=start + dt.timedelta(hours=12 * i), line="uht-1", coil_id=f"C{i + 1:03d}",
                        stage2_temperature_K=(735.0, 750.0, 765.0)[i % 3], stage3_time_ms=0.0) for i in range(n)]


def xrf_data(n: int, eta: float, seed: int, start: dt.datetime = dt.datetime(2026, 3, 2, 6, 0),
             fouled_from: int | None = None, factor: float = 0.9) -> list[PlantRecord]:
    base = default_parameters()
    rng = np.random.default_rng(seed)
    recs = rows(n, start)
    cut = n if fouled_from is None else fouled_from - 1
    out = simulate_measurements(recs[:cut], base.with_overrides({ETA: eta}), ["zn_loading_mg_per_cm2"], rng)
    if cut < n:
        out += simulate_measurements(recs[cut:], base.with_overrides({ETA: eta * factor}),
                                     ["zn_loading_mg_per_cm2"], rng)
    return out


def eta_set(eta: float):
    return make_parameter_set({
        "name": "line-1 March", "created": "2026-03-31T12:00:00+00:00", "method": "weighted least squares; test",
        "foiltwin_version": "0.1.0", "code_fingerprint": code_fingerprint(),
        "data": {"file": "march.csv", "sha256": "a" * 64, "rows": 12, "observations": {"zn_loading_mg_per_cm2": 12}},
        "parameters": [{"name": ETA, "value": eta, "unit": "1", "standard_error": eta * 0.004, "transform": "log"}],
        "covariance": [[(eta * 0.004) ** 2]],
        "fit": {"n_observations": 12, "chi2": 11.0, "dof": 11, "covariance_mode": "auto", "covariance_scale": 1.0}})


@pytest.mark.unit
def test_plant_data_of_the_data_folder_by_name_or_upload(tmp_path):
    text = plant_csv_text(xrf_data(3, default_parameters()[ETA], 0))
    (tmp_path / "march.csv").write_text(text)
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "hidden.csv").write_text(text)
    assert plant_view.list_plant_data(tmp_path) == ["march.csv"]
    assert len(plant_view.load_plant_data(tmp_path, "march.csv", None)) == 3
    assert len(plant_view.load_plant_data(tmp_path, None, ("up.csv", text.encode()))) == 3
    with pytest.raises(FoiltwinInputError, match="one of the"):
        plant_view.load_plant_data(tmp_path, "../march.csv", None)
    typo = text.replace("stage2_temperature_K", "stage2_temprature_K").encode()
    with pytest.raises(FoiltwinInputError, match="stage2_temperature_K"):
        plant_view.load_plant_data(tmp_path, None, ("bad.csv", typo))
    assert plant_view.parse_names(" a, b\nc ") == ["a", "b", "c"] and plant_view.parse_names(" ") is None


def _app():
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(APP, default_timeout=180).run()


def _ok(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


@pytest.mark.integration
def test_calibrate_page_fits_the_data_and_offers_the_set(tmp_path, monkeypatch):
    """Twelve coils made with η × 1.2: the page fits η, shows the estimate (within 3 standard errors of the
    truth), the parity plot, and the set to download."""
    truth = default_parameters()[ETA] * 1.2
    (tmp_path / "march.csv").write_text(plant_csv_text(xrf_data(12, truth, 1)))
    monkeypatch.setenv(data_folder.DATA_DIR_ENV, str(tmp_path))
    at = _app()
    _ok(at)
    at.selectbox(key="cal.file").set_value("march.csv").run()
    at.text_area(key="cal.params").set_value(ETA)
    at.text_input(key="cal.outcomes").set_value("zn_loading_mg_per_cm2")
    at.button(key="FormSubmitter:cal_form-Fit").click().run()
    _ok(at)
    table = next(d.value for d in at.dataframe if "parameter" in getattr(d.value, "columns", [])
                 and "95 % interval" in d.value.columns and "start" in d.value.columns)
    assert list(table["parameter"]) == [ETA]
    value, se = float(table.iloc[0]["value"]), float(table.iloc[0]["std. error"])
    assert abs(value - truth) < 3 * se
    assert any("use it" in c.value for c in at.caption)
    assert not at.error


@pytest.mark.integration
def test_drift_page_shows_the_alarm_and_the_start(tmp_path, monkeypatch):
    """Thirty coils against the March set; the Zn source fouls from coil 16 (η × 0.85): the page reports the
    drift, its start near row 16, and draws the CUSUM; without fouling it reports none."""
    eta = default_parameters()[ETA] * 1.1
    write_parameter_set(eta_set(eta), tmp_path / "march.json")
    april = dt.datetime(2026, 4, 1, 6, 0)
    (tmp_path / "april.csv").write_text(plant_csv_text(xrf_data(30, eta, 2, april, fouled_from=16, factor=0.85)))
    (tmp_path / "steady.csv").write_text(plant_csv_text(xrf_data(30, eta, 3, april)))
    monkeypatch.setenv(data_folder.DATA_DIR_ENV, str(tmp_path))
    at = _app()
    _ok(at)
    assert any("parameter set" in i.value for i in at.info)  # no set chosen yet
    at.selectbox(key="ps.file").set_value("march.json").run()
    at.selectbox(key="dr.file").set_value("april.csv").run()
    _ok(at)
    msg = next(e.value for e in at.error if e.value.startswith("drift:"))
    start = int(msg.split("started ≈ row ")[1])
    alarm = int(msg.split("alarm at row ")[1].split(",")[0])
    assert 16 <= alarm <= 16 + 10 and abs(start - 16) <= 3
    table = next(d.value for d in at.dataframe if "CUSUM alarm" in getattr(d.value, "columns", []))
    assert table.iloc[0]["drift"] == "DRIFT"
    at.selectbox(key="dr.file").set_value("steady.csv").run()
    _ok(at)
    assert any("no drift" in s.value for s in at.success)
