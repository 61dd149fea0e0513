"""Batch sampling designs (issue 10 item 5): Saltelli's design for Sobol indices and Monte Carlo draws of the
registry parameters; their indices from the stored results (Ishigami, through the results database and the same
code as `batch summary --sobol`); job identity, resume and the spec's checks."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from uq_sets import ETA, H, two_parameter_set

from optimizer.uq.batch_sobol import batch_sobol
from process_models.errors import FoiltwinInputError
from twin.batch import distinct_jobs, expand, run_batch, spec_from_dict
from twin.parameter_set import write_parameter_set
from twin.results_db import ResultsDB, batch_id_of

PI = math.pi
ISHIGAMI = {f"parameters.x{i}": [-PI, PI] for i in (1, 2, 3)}


def ishigami_exact(a: float = 7.0, b: float = 0.1) -> tuple[list[float], list[float]]:
    """First-order and total indices (Ishigami & Homma 1990; SALib's Ishigami uses a = 7, b = 0.1)."""
    v1 = 0.5 * (1 + b * PI**4 / 5) ** 2
    v2 = a * a / 8
    v13 = b * b * PI**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return [v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v]


def _store_fake(db_path, spec, f) -> str:
    """Expand ``spec`` and store, for each distinct job, a report whose KPIs are ``f(factor values)``: the batch
    as the results database holds it, without running the twin."""
    entries = expand(spec)
    jobs, _ = distinct_jobs(entries)
    bid = batch_id_of(spec.name, entries)
    with ResultsDB(db_path) as db:
        db.add_batch(bid, spec.name, spec.model_dump_json(), entries)
        db.store([{"job": j, "status": "ok", "report": f(dict(j.factors)), "seconds": 0.0, "fingerprints": {}}
                  for j in jobs])
    return bid


@pytest.mark.component
def test_sobol_design_indices_of_the_ishigami_function_from_the_batch_entries():
    """SALib's Ishigami function on the batch's own Saltelli design (the spec expanded as `batch run` does), as
    the KPI of each entry in expansion order: the indices `batch summary --sobol` computes (the same
    `sobol_of_results`; the database round trip is the next test's) match the closed form; a KPI linear in x1
    alone has S1 = ST = 1 for it; a constant KPI has zero indices; a KPI no report has is left out."""
    from SALib.test_functions import Ishigami

    from optimizer.uq.batch_sobol import sobol_of_results

    spec = spec_from_dict({"name": "ishigami", "design": {"kind": "sobol", "base_samples": 1024, "seed": 2,
                                                         "ranges": ISHIGAMI}})
    assert spec.design.point_count() == 1024 * 5
    jobs = expand(spec)
    X = np.array([[dict(j.factors)[k] for k in ISHIGAMI] for j in jobs])
    y = Ishigami.evaluate(X)
    entries = [{"position": i, "replication": 0, "status": "ok",
                "kpis": {"yield_fraction": float(y[i]), "cost_per_m2": 3.0 * X[i, 0] + 1.0, "oee": 0.5}}
               for i in range(len(jobs))]
    d = sobol_of_results(spec.model_dump_json(), entries)
    res = d["scenarios"]["base"]["outputs"]
    s1, st = ishigami_exact()
    for i, f in enumerate(ISHIGAMI):
        ix = res["yield_fraction"]["indices"][f]
        assert ix["S1"] == pytest.approx(s1[i], abs=0.05), f
        assert ix["ST"] == pytest.approx(st[i], abs=0.05), f
    assert res["yield_fraction"]["dominant"] == "parameters.x1"
    lin = res["cost_per_m2"]["indices"]
    assert lin["parameters.x1"]["S1"] == pytest.approx(1.0, abs=0.02) and lin["parameters.x2"]["ST"] == 0.0
    assert res["oee"]["indices"]["parameters.x1"] == {"S1": 0.0, "S1_conf": 0.0, "ST": 0.0, "ST_conf": 0.0}
    assert "throughput_m2_per_h" in d["scenarios"]["base"]["kpis_left_out"]


@pytest.mark.component
def test_sobol_indices_need_a_sobol_batch_with_every_point(tmp_path, cli):
    spec = spec_from_dict({"name": "small", "replications": 2,
                           "design": {"kind": "sobol", "base_samples": 4, "ranges": ISHIGAMI}})
    entries = expand(spec)
    assert len(entries) == 4 * 5 * 2 and {e.seed for e in entries} == {1, 2}  # every point sees the same seeds
    db = tmp_path / "r.duckdb"
    bid = batch_id_of(spec.name, entries)
    with ResultsDB(db) as store:
        store.add_batch(bid, spec.name, spec.model_dump_json(), entries)
    with pytest.raises(FoiltwinInputError, match="20 of 20"):  # nothing stored yet: the error counts design points
        batch_sobol(db)
    code, out, err = cli("batch", "summary", str(db), "--sobol")
    assert code == 2 and "--sobol" in err and "20 of 20 design points" in err
    _store_fake(db, spec, lambda x: {"yield_fraction": x["parameters.x1"] ** 2 + x["parameters.x2"]})
    code, out, err = cli("batch", "summary", str(db), "--sobol", "--json", "-")
    assert code == 0, err
    d = json.loads(out)
    assert d["replications"] == 2 and d["points"] == 20
    code, out, err = cli("batch", "summary", str(db), "--sobol")
    assert code == 0 and "Sobol indices of 'small'" in out and "parameters.x1" in out
    lhs = spec_from_dict({"name": "lhs", "design": {"kind": "latin_hypercube", "points": 3, "ranges": ISHIGAMI}})
    _store_fake(db, lhs, lambda x: {"yield_fraction": 1.0})
    code, _, err = cli("batch", "summary", str(db), "--sobol", "--batch", "lhs")
    assert code == 2 and "sobol" in err


@pytest.mark.unit
@pytest.mark.parametrize(("design", "message"), [
    ({"kind": "sobol", "base_samples": 6, "ranges": ISHIGAMI}, "power of 2"),
    ({"kind": "sobol", "points": 8, "ranges": ISHIGAMI}, "design.points is not used"),
    ({"kind": "sobol", "base_samples": 8}, "design.ranges is required"),
    ({"kind": "parameter_mc", "points": 4, "ranges": ISHIGAMI}, "design.ranges is not used"),
    ({"kind": "parameter_mc"}, "design.points is required"),
    ({"kind": "latin_hypercube", "ranges": ISHIGAMI}, "design.points is required"),
    ({"kind": "latin_hypercube", "points": 4, "ranges": ISHIGAMI, "parameters": [ETA]}, "design.parameters is not"),
    ({"kind": "bootstrap", "points": 4}, "design.kind"),
])
def test_design_fields_are_checked_by_kind(design, message):
    with pytest.raises(FoiltwinInputError, match=message):
        spec_from_dict({"design": design})


def _set(tmp_path, rho: float):
    pset = two_parameter_set(rho)
    write_parameter_set(pset, tmp_path / "set.json")


@pytest.mark.component
def test_parameter_mc_draws_the_sets_covariance_deterministically(tmp_path):
    """Draws of a fitted set's parameters keep its correlation and standard errors; the same spec gives the same
    jobs (the design's seed), another seed other jobs; `parameters` restricts the names."""
    _set(tmp_path, -0.8)
    raw = {"name": "mc", "params": "set.json", "design": {"kind": "parameter_mc", "points": 400, "seed": 5}}
    spec = spec_from_dict(raw)
    jobs = expand(spec, tmp_path)
    keys = [k for k, _ in jobs[0].factors]
    assert {f"parameters.{ETA}", f"parameters.{H}"} <= set(keys)  # the set's (and the registry's others)
    X = np.array([[dict(j.factors)[f"parameters.{n}"] for n in (ETA, H)] for j in jobs])
    assert np.corrcoef(np.log(X[:, 0]), X[:, 1])[0, 1] == pytest.approx(-0.8, abs=0.06)
    assert X[:, 1].std() == pytest.approx(0.05, rel=0.1) and X[:, 1].mean() == pytest.approx(1.5, abs=0.01)
    assert [j.job_id for j in expand(spec, tmp_path)] == [j.job_id for j in jobs]
    other = expand(spec_from_dict({**raw, "design": {**raw["design"], "seed": 6}}), tmp_path)
    assert not {j.job_id for j in other} & {j.job_id for j in jobs}
    only = expand(spec_from_dict({**raw, "design": {**raw["design"], "points": 3, "parameters": [H]}}), tmp_path)
    assert [k for k, _ in only[0].factors] == [f"parameters.{H}"]
    with pytest.raises(FoiltwinInputError, match=r"design\.parameters"):
        expand(spec_from_dict({**raw, "design": {**raw["design"], "parameters": ["cu_melting_temperature_K"]}}),
               tmp_path)


@pytest.mark.integration
def test_parameter_mc_batch_runs_and_resumes(tmp_path):
    """Two parameter draws of the default plant (registry errors) run; run again, both are skipped (resume)."""
    spec = spec_from_dict({"name": "mc", "hours": 0.1, "design": {"kind": "parameter_mc", "points": 2, "seed": 1}})
    db = tmp_path / "r.duckdb"
    first = run_batch(spec, db)
    assert (first.jobs, first.ok, first.failed, first.skipped) == (2, 2, 0, 0)
    again = run_batch(spec, db)
    assert (again.jobs, again.skipped, again.ok) == (2, 2, 0)
    with ResultsDB(db, read_only=True) as store:
        rows = store.runs_table()
    # every uncertain registry parameter is drawn (since issue 9 item 5: every fitted one, with its fit's SE)
    from process_models.parameters import default_parameters
    from twin.parameter_uncertainty import uncertainty_of

    uncertain = set(uncertainty_of(default_parameters(), None, None).names)
    assert {ETA, "stage3_default_peak_temperature_K"} <= uncertain
    assert {k.split(".")[-1] for k in rows[0] if k.startswith("parameters.")} == uncertain


@pytest.mark.unit
def test_tornado_reads_sensitivity_and_batch_results_and_refuses_others():
    from optimizer.uq.tornado import sobol_outputs, tornado_figure, tornado_rows

    outputs = {"y": {"indices": {"a": {"S1": 0.1, "S1_conf": 0.01, "ST": 0.2, "ST_conf": 0.02},
                                 "b": {"S1": 0.6, "S1_conf": 0.01, "ST": 0.7, "ST_conf": 0.02}}}}
    assert sobol_outputs({"outputs": outputs}) is outputs
    assert sobol_outputs({"scenarios": {"base": {"outputs": outputs}}}) is outputs  # batch summary --sobol
    assert [r["parameter"] for r in tornado_rows({"outputs": outputs}, "y")] == ["b", "a"]
    fig = tornado_figure({"outputs": outputs}, "y")
    assert list(fig.data[0].y) == ["a", "b"] and list(fig.data[0].x) == [0.2, 0.7]  # largest on top
    with pytest.raises(FoiltwinInputError, match="sensitivity result"):
        sobol_outputs({"scenarios": []})
    with pytest.raises(FoiltwinInputError, match="output"):
        tornado_rows({"outputs": outputs}, "z")
