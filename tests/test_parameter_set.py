"""Parameter sets everywhere (issue 10): round trip, refusal of tampered or malformed sets, registry overrides of
kind "fitted" with provenance and standard errors, and the interfaces that take them."""

from __future__ import annotations

import json
import math

import pytest

from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from twin import parameter_set as ps
from twin.batch import BatchSpec, expand
from twin.parameter_set import (
    apply_parameter_set,
    code_fingerprint,
    load_parameter_set,
    make_parameter_set,
    parse_parameter_set,
    warnings_of,
    write_parameter_set,
)
from twin.scenario import Scenario, apply_overrides, scenario_from_dict, with_parameter_set
from twin.simulate import build_parameters

ETA = "zn_vapour_transfer_efficiency_frac"
H = "gas_convection_multiplier_frac"


def content(**over):
    base = {
        "name": "line-1 March", "created": "2026-03-31T12:00:00+00:00", "method": "weighted least squares; test",
        "foiltwin_version": "0.1.0", "code_fingerprint": code_fingerprint(),
        "data": {"file": "plant.csv", "sha256": "a" * 64, "rows": 40, "observations": {"zn_loading_mg_per_cm2": 40}},
        "parameters": [
            {"name": ETA, "value": 1.2e-4, "unit": "1", "standard_error": 2e-6, "transform": "log",
             "interval_95": [1.16e-4, 1.24e-4]},
            {"name": H, "value": 1.5, "unit": "1", "standard_error": 0.05, "transform": "log",
             "interval_95": [1.4, 1.6]}],
        "covariance": [[4e-12, 2e-6 * 0.05 * 0.3], [2e-6 * 0.05 * 0.3, 0.0025]],
        "fit": {"n_observations": 80, "chi2": 81.0, "dof": 78, "reduced_chi2": 81.0 / 78, "covariance_mode": "auto",
                "covariance_scale": 81.0 / 78, "condition_number": 4.2},
    }
    base.update(over)
    return base


@pytest.fixture
def pset():
    return make_parameter_set(content())


@pytest.mark.unit
def test_round_trip_through_a_file_keeps_everything(pset, tmp_path):
    path = tmp_path / "set.json"
    write_parameter_set(pset, path)
    again = load_parameter_set(path)
    assert again == pset
    assert again.sha256 == ps.content_hash(again) == pset.sha256
    assert json.loads(path.read_text())["format"] == "foiltwin-parameter-set"


@pytest.mark.unit
@pytest.mark.parametrize(("edit", "field"), [
    (lambda d: d["parameters"][0].update(value=1.3e-4), "set.json.sha256"),
    (lambda d: d.update(name="renamed"), "set.json.sha256"),
    (lambda d: d["data"].update(sha256="b" * 64), "set.json.sha256"),
    (lambda d: d.update(sha256="c" * 64), "set.json.sha256"),
    (lambda d: d.pop("covariance"), "set.json.covariance"),
    (lambda d: d.update(extra=1), "set.json.extra"),
    (lambda d: d["parameters"][0].update(value="1.2e-4"), "set.json.parameters.0.value"),
])
def test_tampered_or_malformed_sets_are_refused(pset, tmp_path, edit, field):
    d = pset.model_dump(mode="json")
    edit(d)
    path = tmp_path / "set.json"
    path.write_text(json.dumps(d))
    with pytest.raises(FoiltwinInputError) as err:
        load_parameter_set(path)
    assert err.value.field == field


@pytest.mark.unit
@pytest.mark.parametrize(("edit", "field", "match"), [
    (lambda c: c["parameters"][0].update(name="zn_vapour_transfer_eficiency_frac"), "parameters[0].name",
     "did you mean zn_vapour_transfer_efficiency_frac"),
    (lambda c: c["parameters"][1].update(unit="W/m2"), "parameters[1].unit",
     "the registry's unit of gas_convection_multiplier_frac, 1"),
    (lambda c: c["parameters"][1].update(value=90.0), "parameters[1].value", "within \\[0, 20\\]"),
    # ln-space standard errors: at most 10× the value (twin.parameter_uncertainty.MAX_LN_STANDARD_ERROR)
    (lambda c: (c["parameters"][0].update(standard_error=1e150), c.update(covariance=[[1e300, 0.0], [0.0, 0.0025]])),
     "parameters[0].standard_error", "at most 0.0012 1 \\(10× the value 0.00012: ln zn_vapour"),
    (lambda c: (c["parameters"][0].update(standard_error=None), c.update(covariance=[[1e300, 0.0], [0.0, 0.0025]])),
     "covariance[0][0]", "a variance of at most 1.44e-06"),
])
def test_sets_naming_unknown_parameters_or_values_out_of_bounds_are_refused(edit, field, match):
    """Correctly hashed (as if written by a buggy or foreign tool), but the registry refuses them."""
    c = content()
    edit(c)
    text = make_parameter_set(c).model_dump_json().encode()
    with pytest.raises(FoiltwinInputError, match=match) as err:
        parse_parameter_set(text, "set.json")
    assert err.value.field == f"set.json.{field}"


@pytest.mark.unit
@pytest.mark.parametrize(("cov", "match"), [
    ([[4e-12, 0.0], [0.0, 0.3]], "standard_error"),
    ([[4e-12, 2e-6], [2e-6, 0.25]], "positive semi-definite"),  # correlation 2
    ([[4e-12, 3e-8], [0.0, 0.25]], "symmetric"),
    ([[4e-12]], "2×2"),
])
def test_inconsistent_covariances_are_refused(cov, match):
    with pytest.raises(FoiltwinInputError, match=match):
        make_parameter_set(content(covariance=cov))


def huge(standard_error, variance, interval):
    """A one-parameter set whose fitted η is 1e252 (unit-level: the registry's bounds refuse it on load)."""
    c = content()
    c["parameters"] = [{**c["parameters"][0], "value": 1e252, "standard_error": standard_error,
                        "interval_95": interval}]
    c["covariance"] = [[variance]]
    return c


@pytest.mark.unit
@pytest.mark.parametrize("standard_error", [9e252, 1.5e154, 1e200])
def test_a_standard_error_whose_square_leaves_the_float_range_is_refused_in_one_line(standard_error):
    """SE ≥ 1.35e154 (e.g. near the 10× cap of a value of 1e252): its square overflowed in the covariance check
    (`standard_error ** 2`), an OverflowError traceback instead of a refusal; no finite covariance can hold it."""
    with pytest.raises(FoiltwinInputError) as err:
        make_parameter_set(huge(standard_error, 1.79e308, [1e250, 1e254]))
    assert "parameters[0].standard_error²" in err.value.allowed and "beyond the float range" in err.value.allowed
    assert f"{standard_error:g}" in err.value.allowed


@pytest.mark.unit
@pytest.mark.parametrize("interval", [[1e250, float("inf")], [0.0, float("inf")], [-float("inf"), 1e254]])
def test_an_interval_end_beyond_the_float_range_is_written_as_null_and_reads_back(interval, tmp_path):
    """A ln-space interval end of a huge value overflows exp and the fit gives it as inf: the set's hash (strict
    JSON, allow_nan=False) raised ValueError before the file was written. Now the end is null, as in the report."""
    pset = make_parameter_set(huge(1e150, 1e300, interval))
    ends = [None if math.isinf(v) else v for v in interval]
    assert pset.parameters[0].interval_95 == ends
    path = tmp_path / "huge.json"
    write_parameter_set(pset, path)
    assert json.loads(path.read_text())["parameters"][0]["interval_95"] == ends
    again = ps.ParameterSet.model_validate_json(path.read_text())  # hash checked; not the registry's bounds
    assert again == pset and again.sha256 == ps.content_hash(again)
    from ui.param_sets import set_rows

    shown = set_rows(pset)[0]["95 % interval"]  # the dashboard's table: a null end as ∓inf
    assert shown.startswith("[-inf,") if ends[0] is None else shown.endswith(", inf]")


@pytest.mark.unit
def test_an_interval_end_that_is_no_number_is_refused():
    with pytest.raises(FoiltwinInputError, match="interval_95"):
        make_parameter_set(huge(1e150, 1e300, [1e250, float("nan")]))


@pytest.mark.unit
def test_the_hash_of_an_ordinary_set_is_unchanged():
    """Stored sets keep their fingerprints: the hash of this content as written before the overflow fixes."""
    pset = make_parameter_set(content(code_fingerprint="f" * 64))
    assert pset.sha256 == "7c80b65ffd72c026546506be1db698562178b5898970a13d42d088f6420d77cd"


@pytest.mark.unit
def test_a_set_becomes_fitted_registry_overrides_with_provenance_and_standard_errors(pset):
    values = apply_parameter_set(default_parameters(), pset)
    rec = values.record(ETA)
    assert values[ETA] == 1.2e-4 and rec.kind == "fitted" and rec.source == "PlantCalibration"
    assert pset.sha256[:12] in rec.where and "plant.csv" in rec.where and "2026-03-31" in rec.where
    assert rec.standard_error == 2e-6 and "78 degrees of freedom" in rec.fit_error
    assert values.record(H).standard_error == 0.05
    # a user override on top is an assumption again, with no standard error
    later = values.with_overrides({ETA: 1e-4})
    assert later.record(ETA).kind == "assumed" and later.record(ETA).standard_error is None


@pytest.mark.unit
def test_scenarios_carry_a_set_and_their_overrides_win(pset):
    sc = apply_overrides(with_parameter_set(Scenario(), pset), [f"parameters.{H}=2.0"])
    values = build_parameters(sc)
    assert values[ETA] == 1.2e-4 and values.record(ETA).kind == "fitted"
    assert values[H] == 2.0 and values.record(H).kind == "assumed"
    assert Scenario.model_validate_json(sc.model_dump_json()).parameter_set == pset
    d = sc.model_dump(mode="json")
    d["parameter_set"]["parameters"][0]["value"] = 2e-4  # an embedded set is checked like a file
    with pytest.raises(FoiltwinInputError, match="sha256") as err:
        scenario_from_dict(d)
    assert err.value.field == "parameter_set"


@pytest.mark.unit
def test_other_physics_code_is_a_warning_not_a_refusal():
    pset = make_parameter_set(content(code_fingerprint="f" * 64))
    (w,) = warnings_of(pset)
    assert "other physics code" in w
    assert apply_parameter_set(default_parameters(), pset)[ETA] == 1.2e-4
    assert warnings_of(make_parameter_set(content())) == []


@pytest.mark.unit
def test_batch_specs_take_a_set_by_key(pset, tmp_path):
    write_parameter_set(pset, tmp_path / "set.json")
    spec = BatchSpec(name="b", hours=1.0, params="set.json", sweep={"seed": [1, 2]})
    jobs = expand(spec, tmp_path)
    assert all(Scenario.model_validate_json(j.scenario_json).parameter_set == pset for j in jobs)
    plain = expand(BatchSpec(name="b", hours=1.0, sweep={"seed": [1, 2]}), tmp_path)
    assert {j.job_id for j in jobs}.isdisjoint(j.job_id for j in plain)  # a set makes other jobs
    with pytest.raises(FoiltwinInputError, match="params"):
        expand(BatchSpec(name="b", params="missing.json"), tmp_path)


@pytest.mark.integration
def test_a_set_with_an_absurd_ln_standard_error_is_refused_on_load(tmp_path, cli):
    """SE 1e150 on η (1.2e-4, fitted in ln): loaded, its ln-space draws overflowed exp (warnings, every draw inf or
    0); now one line naming the field, the value and the limit, exit 2."""
    c = content()
    c["parameters"][0]["standard_error"] = 1e150
    c["covariance"] = [[1e300, 0.0], [0.0, 0.0025]]
    write_parameter_set(make_parameter_set(c), tmp_path / "wide.json")
    code, _, err = cli("recipe", "--params", str(tmp_path / "wide.json"), "--uncertainty", "mc")
    assert code == 2
    (line,) = err.strip().splitlines()
    assert "wide.json.parameters[0].standard_error" in line and "1e+150" in line and "at most 0.0012" in line


@pytest.mark.integration
def test_recipe_simulate_and_batch_take_params_and_refuse_tampered_sets(pset, tmp_path, cli):
    good = tmp_path / "set.json"
    write_parameter_set(pset, good)
    plain = json.loads(cli("recipe", "--json", "-")[1])
    code, out, err = cli("recipe", "--params", str(good), "--json", "-")
    assert code == 0, err
    fitted = json.loads(out)
    assert fitted["zn_loading_mg_per_cm2"] > plain["zn_loading_mg_per_cm2"] * 1.1  # η 1.02e-4 → 1.2e-4
    assert "PlantCalibration" in fitted["citations"]
    code, out, err = cli("simulate", "--hours", "1", "--params", str(good), "--json", "-")
    assert code == 0, err
    report = json.loads(out)
    assert report["parameter_set"]["sha256"] == pset.sha256 and "PlantCalibration" in report["citations"]
    d = pset.model_dump(mode="json")
    d["parameters"][0]["value"] = 1.0e-4
    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps(d))
    (tmp_path / "spec.toml").write_text('name = "b"\nhours = 1\n')
    for args in (("recipe",), ("simulate", "--hours", "1"), ("optimize", "--no-twin"),
                 ("batch", "run", str(tmp_path / "spec.toml"), "--db", str(tmp_path / "r.duckdb"))):
        code, _, err = cli(*args, "--params", str(bad))
        assert code == 2, (args, err)
        (line,) = err.strip().splitlines()
        assert "tampered.json.sha256" in line and "edited or corrupted" in line
    assert not (tmp_path / "r.duckdb").exists()
