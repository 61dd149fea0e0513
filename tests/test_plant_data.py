"""Plant data in (issue 10): the measurement format, its validation (field, row, value, range; exit 2), the
shipped example and `foiltwin data check`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pydantic import ValidationError

from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from twin import plant_data
from twin.plant_data import (
    COLUMNS,
    OUTCOMES,
    PlantRecord,
    parse_plant_data,
    plant_csv_text,
    read_plant_data,
    skin_phase_set,
)
from twin.plant_model import observations, phase_agreement, row_recipe

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "plant_data_uht.csv"
HEAD = "time,stage2_temperature_K,zn_loading_mg_per_cm2\n"


def csv_bytes(body: str, head: str = HEAD) -> bytes:
    return (head + body).encode()


@pytest.mark.unit
def test_the_shipped_example_is_valid_and_summarised():
    d = read_plant_data(EXAMPLE)
    s = d.summary()
    assert s["rows"] == 40 == len(d)
    assert s["outcomes"] == {"zn_loading_mg_per_cm2": 40, "skin_thickness_nm": 20, "surface_zn_at_frac": 20,
                             "nucleation_overpotential_mV": 10, "energy_kwh_per_m2": 40, "skin_phase": 10}
    assert s["sd_columns"] == ["zn_loading_mg_per_cm2_sd"]
    assert s["lines"] == ["uht-1"] and s["time_start"] == "2026-03-02T06:00:00"
    assert "stage2_time_s" not in s["settings_defaulted"]  # length / speed gives it
    assert len(s["sha256"]) == 64


@pytest.mark.unit
def test_every_column_may_be_missing_and_settings_take_the_recipe_defaults():
    d = parse_plant_data(b"skin_thickness_nm\n455\n", "x.csv")
    recipe = row_recipe(d.records[0])
    assert recipe.uht.stage2_temperature_K == 750.0 and recipe.uht.stage3_peak_K is None  # registry default
    assert d.time_order() == [0] and d.times_h() == [0.0]
    # speed and lengths give the stage times, as on the line
    r = parse_plant_data(b"web_speed_m_per_min,stage2_heated_length_m,stage3_heater_length_mm\n1.2,2,0.5\n",
                         "y.csv").records[0]
    uht = row_recipe(r).uht
    assert uht.stage2_time_s == pytest.approx(100.0) and uht.stage3_time_s == pytest.approx(0.025)


@pytest.mark.unit
def test_outcome_sd_column_or_the_instrument_default():
    d = parse_plant_data(b"skin_thickness_nm,skin_thickness_nm_sd,energy_kwh_per_m2\n455,12,0.3\n470,,0.5\n", "x.csv")
    p = default_parameters()
    obs = observations(d, p)
    sigma = dict(zip(zip(obs.row.tolist(), obs.outcome.tolist(), strict=True), obs.sigma.tolist(), strict=True))
    assert sigma[(0, "skin_thickness_nm")] == 12.0
    assert sigma[(1, "skin_thickness_nm")] == pytest.approx(p["cross_section_thickness_sd_m"] * 1e9)
    assert sigma[(1, "energy_kwh_per_m2")] == pytest.approx(0.5 * p["energy_meter_relative_sd_frac"])
    # every outcome's default comes from a registry parameter of the measurement set
    for o in OUTCOMES.values():
        assert p.record(o.sd_parameter).kind == "assumed"


@pytest.mark.unit
@pytest.mark.parametrize(("body", "head", "field", "value"), [
    ("2026-03-01T08:00,1750,0.15\n", HEAD, "row 1.stage2_temperature_K", 1750.0),
    ("2026-03-01T08:00,750,0.15\n2026-03-01T09:00,abc,0.15\n", HEAD, "row 2.stage2_temperature_K", "abc"),
    ("2026-03-01T08:00,750,nan\n", HEAD, "row 1.zn_loading_mg_per_cm2", "nan"),
    ("2026-03-01T08:00,750,-0.1\n", HEAD, "row 1.zn_loading_mg_per_cm2", -0.1),
    ("yesterday,750,0.15\n", HEAD, "row 1.time", "yesterday"),
    ("2026-03-01T08:00,750\n", HEAD, "row 1", "2 cells"),
    ("x,750,0.15\n", "time,stage2_temprature_K,zn_loading_mg_per_cm2\n", "column", "stage2_temprature_K"),
    ("750,750\n", "stage2_temperature_K,stage2_temperature_K\n", "column", "stage2_temperature_K"),
    ("cold\n", "cooling\n", "row 1.cooling", "cold"),
    ("maybe\n", "uht_step\n", "row 1.uht_step", "maybe"),
    ("false,455\n", "uht_step,skin_thickness_nm\n", "row 1.skin_thickness_nm", 455.0),
    ("plated\n", "zn_route\n", "row 1.zn_route", "plated"),
    ("vapour,zn_acid_sulfate,300,15\n", "zn_route,zn_bath,zn_current_density_A_per_m2,zn_plating_time_s\n",
     "row 1.zn_bath", "zn_acid_sulfate"),
    ("0.7,0.4\n", "texture_fraction_111,texture_fraction_100\n", "row 1.texture_fraction_111", [0.7, 0.4, None]),
    ("455,0\n", "skin_thickness_nm,skin_thickness_nm_sd\n", "row 1.skin_thickness_nm_sd", 0.0),
    ("2\n", "anneal_soak_h\n", "row 1.anneal_soak_temperature_K", None),
    ("2026-03-01T08:00,750,0.15\n,750,0.1\n", HEAD, "row 2.time", None),
    ("alpha+brass\n", "skin_phase\n", "row 1.skin_phase", "alpha+brass"),
])
def test_bad_rows_are_refused_by_row_column_and_value(body, head, field, value):
    with pytest.raises(FoiltwinInputError) as err:
        parse_plant_data(csv_bytes(body, head), "bad.csv")
    assert err.value.field == field
    assert err.value.value == value
    assert err.value.allowed


@pytest.mark.unit
def test_bad_files_are_refused_by_name(tmp_path, monkeypatch):
    with pytest.raises(FoiltwinInputError, match="UTF-8"):
        parse_plant_data(HEAD.encode() + b"2026-03-01T08:00,750,\xff\n", "latin.csv")
    with pytest.raises(FoiltwinInputError, match="at least one data row"):
        parse_plant_data(HEAD.encode(), "empty.csv")
    with pytest.raises(FoiltwinInputError, match="header row"):
        parse_plant_data(b"", "nothing.csv")
    with pytest.raises(FoiltwinInputError, match="an existing plant data file"):
        read_plant_data(tmp_path / "missing.csv")
    (tmp_path / "data.txt").write_text(HEAD)
    with pytest.raises(FoiltwinInputError, match=r"a \.csv or \.parquet file"):
        read_plant_data(tmp_path / "data.txt")
    monkeypatch.setattr(plant_data, "MAX_DATA_FILE_BYTES", 100)
    big = tmp_path / "big.csv"
    big.write_text(HEAD + "2026-03-01T08:00,750,0.15\n" * 10)
    with pytest.raises(FoiltwinInputError, match="at most"):
        read_plant_data(big)
    monkeypatch.setattr(plant_data, "MAX_DATA_FILE_BYTES", 10**7)
    monkeypatch.setattr(plant_data, "MAX_ROWS", 3)
    with pytest.raises(FoiltwinInputError, match="at most 3 rows"):
        read_plant_data(big)


@pytest.mark.unit
def test_parquet_with_typed_columns(tmp_path):
    t0 = dt.datetime(2026, 3, 1, 8)
    table = pa.table({"time": pa.array([t0, t0 + dt.timedelta(hours=1)], pa.timestamp("s")),
                      "stage2_temperature_K": pa.array([750, 760], pa.int64()),
                      "skin_thickness_nm": pa.array([455.0, float("nan")]), "skin_phase": ["alpha", None]})
    path = tmp_path / "plant.parquet"
    pq.write_table(table, path)
    d = read_plant_data(path)
    assert [r.stage2_temperature_K for r in d.records] == [750.0, 760.0]
    assert d.records[1].skin_thickness_nm is None  # NaN = missing in Parquet float columns
    assert d.times_h() == [0.0, 1.0]
    bad = pa.table({"stage2_temperature_K": pa.array(["750"])})  # a number stored as text: strict types
    pq.write_table(bad, tmp_path / "bad.parquet")
    with pytest.raises(FoiltwinInputError) as err:
        read_plant_data(tmp_path / "bad.parquet")
    assert err.value.field == "row 1.stage2_temperature_K"
    (tmp_path / "junk.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(FoiltwinInputError, match="a readable Parquet file"):
        read_plant_data(tmp_path / "junk.parquet")


@pytest.mark.unit
def test_records_written_as_csv_read_back_identically():
    d = read_plant_data(EXAMPLE)
    again = parse_plant_data(plant_csv_text(d.records, list(d.columns), digits=17).encode(), "again.csv")
    assert again.records == d.records
    assert set(d.columns) <= set(COLUMNS)


@pytest.mark.unit
def test_time_order_sorts_rows_and_offsets_are_kept_apart():
    d = parse_plant_data(csv_bytes("2026-03-01T10:00,750,0.1\n2026-03-01T08:00,750,0.2\n"), "x.csv")
    assert d.time_order() == [1, 0] and d.times_h() == [2.0, 0.0]
    with pytest.raises(FoiltwinInputError, match="all with a UTC offset or all without"):
        parse_plant_data(csv_bytes("2026-03-01T10:00+01:00,750,0.1\n2026-03-01T08:00,750,0.2\n"), "x.csv")


@pytest.mark.integration
def test_data_check_prints_a_summary_and_refuses_bad_files_with_exit_2(tmp_path, cli):
    code, out, err = cli("data", "check", str(EXAMPLE))
    assert code == 0, err
    assert "40 rows" in out and "skin_thickness_nm 20" in out
    code, out, _ = cli("data", "check", str(EXAMPLE), "--json", "-")
    assert json.loads(out)["outcomes"]["zn_loading_mg_per_cm2"] == 40
    bad = tmp_path / "bad.csv"
    bad.write_text(HEAD + "2026-03-01T08:00,750,0.15\n2026-03-01T09:00,1750,0.15\n")
    code, _, err = cli("data", "check", str(bad))
    assert code == 2
    (line,) = err.strip().splitlines()
    assert "row 2.stage2_temperature_K=1750.0" in line and "1100" in line


@pytest.mark.unit
def test_plant_record_is_strict():
    with pytest.raises(ValidationError):  # no silent str → float coercion
        PlantRecord.model_validate({"stage2_temperature_K": "750"})
    assert np.isclose(PlantRecord(stage2_temperature_K=750).stage2_temperature_K, 750.0)


@pytest.mark.unit
@pytest.mark.parametrize("a, b", [("alpha+beta", "beta+alpha"), ("α+β", "beta + alpha"), ("β′+α", "Alpha+Beta"),
                                  ("alpha", "α"), ("γ, α", "alpha+gamma"), ("alpha+liquid", "L+α")])
def test_skin_phase_labels_compare_as_sets_of_phases(a, b):
    assert skin_phase_set(a) == skin_phase_set(b)


@pytest.mark.unit
def test_skin_phase_sets_differ_when_the_phases_do():
    assert skin_phase_set("alpha+beta") != skin_phase_set("alpha")
    assert skin_phase_set("alpha+beta") != skin_phase_set("alpha+gamma")
    with pytest.raises(ValueError, match="brass"):
        skin_phase_set("alpha+brass")


@pytest.mark.integration
def test_phase_agreement_compares_sets_not_strings():
    """An XRD label with the model's phases in another order, in Greek letters, agrees with the model's label; a label
    with other phases does not."""
    params = default_parameters()
    row = {"stage2_temperature_K": 750.0, "stage3_peak_K": 1000.0}  # a mixed skin (three phases)

    def data(*labels):
        recs = tuple(PlantRecord(**row, skin_phase=x) for x in labels)
        return plant_data.PlantData(recs, (*row, "skin_phase"), "x.csv", "0")

    label = phase_agreement(data("delta"), params)["disagree"][0]["model"]
    phases = label.split("+")
    assert len(phases) > 1
    greek = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η", "liquid": "L"}
    shuffled = " + ".join(greek[p] for p in reversed(phases))
    out = phase_agreement(data(label, shuffled, "+".join(phases[:-1])), params)
    assert out["compared"] == 3 and out["agree"] == 2
    assert [d["row"] for d in out["disagree"]] == [3]
