"""Batch job identity: what is simulated is one job (seed sweeps distinct, identical content shared as aliases),
names are unique, sweeps that change nothing are refused, the inert parts of a scenario really are inert, and
results of other code or parameters are never reused (fingerprints)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from process_models.errors import FoiltwinInputError
from twin import fingerprint
from twin.batch import BatchSpec, NamedScenario, distinct_jobs, expand, load_spec, run_batch, run_job, spec_from_dict
from twin.job_identity import INERT_RULES, canonical_content, content_text
from twin.results_db import ResultsDB
from twin.scenario import Scenario, apply_overrides
from twin.simulate import run_single

UHT = "plant.lines.1.settings"
FURNACE = "plant.furnaces.0.settings"


# ------------------------------------------------------------------------------------------------- identity
@pytest.mark.unit
def test_a_seed_sweep_gives_distinct_jobs_with_their_seeds():
    jobs = expand(BatchSpec(hours=1.0, replications=2, sweep={"seed": [10, 20, 30]}))
    assert len(jobs) == 6 and len({j.job_id for j in jobs}) == 6
    seeds = {(j.scenario_name, j.replication): json.loads(j.scenario_json)["seed"] for j in jobs}
    assert seeds[("base | seed=20", 0)] == 20 and seeds[("base | seed=20", 1)] == 21
    assert all(j.seed == json.loads(j.scenario_json)["seed"] for j in jobs)


@pytest.mark.unit
def test_identical_scenarios_under_two_names_are_one_job_with_an_alias():
    spec = BatchSpec(hours=1.0, replications=2, scenarios=(
        NamedScenario(name="fast", set=(f"{UHT}.web_speed_m_per_min=1.2",)),
        NamedScenario(name="fast again", set=(f"{UHT}.web_speed_m_per_min=1.2",)),
        NamedScenario(name="slow", set=(f"{UHT}.web_speed_m_per_min=0.8",))))
    entries = expand(spec)
    jobs, aliases = distinct_jobs(entries)
    assert (len(entries), len(jobs)) == (6, 4)
    fast = {e.replication: e.job_id for e in entries if e.scenario_name == "fast"}
    again = {e.replication: e.job_id for e in entries if e.scenario_name == "fast again"}
    assert fast == again and fast[0] != fast[1]
    assert [(a.scenario_name, a.replication) for a in aliases[fast[0]]] == [("fast again", 0)]


@pytest.mark.component
def test_an_aliased_job_runs_once_and_both_names_get_its_results(tmp_path):
    spec = BatchSpec(hours=1.0, scenarios=(NamedScenario(name="a", set=("plant.lines=[{type = 'uht'}]",)),
                                           NamedScenario(name="b", set=("plant.lines=[{type = 'uht'}]",))))
    seen = []
    out = run_batch(spec, tmp_path / "r.duckdb", progress=seen.append)
    assert (out.jobs, out.entries, out.aliases, out.ok) == (1, 2, 1, 1)
    assert len(seen) == 1 and [a.scenario_name for a in seen[0]["aliases"]] == ["b"]
    with ResultsDB(tmp_path / "r.duckdb", read_only=True) as db:
        st_ = db.status()
        rows = {r["scenario"]: r for r in db.summary()}
        assert db.con.execute("SELECT count(*) FROM runs").fetchall() == [(1,)]
    assert st_["counts"] == {"ok": 1} and (st_["jobs"], st_["entries"]) == (1, 2)
    assert st_["aliases"][0]["entries"] == ["a [rep 0]", "b [rep 0]"]
    assert rows["a"]["shares_runs_with"] == ["b"] and rows["b"]["shares_runs_with"] == ["a"]
    assert rows["a"]["throughput_m2_per_h"] == rows["b"]["throughput_m2_per_h"]


@pytest.mark.integration
def test_the_cli_reports_a_collapsed_job_once(tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text('hours = 1\n[[scenarios]]\nname = "a"\nset = ["plant.lines=[{type = \'uht\'}]"]\n'
                    '[[scenarios]]\nname = "b"\nset = ["plant.lines=[{type = \'uht\'}]"]\n')
    out = subprocess.run([sys.executable, "-c", "from foiltwin.cli import main; main()", "batch", "run", str(spec),
                          "--db", str(tmp_path / "r.duckdb")], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    oks = [line for line in out.stdout.splitlines() if line.strip().startswith("ok")]
    assert len(oks) == 1 and "aliases: b [rep 0]" in oks[0]
    assert "1 jobs, 0 already stored, 1 ok, 0 failed, 1 of 2 entries are aliases" in out.stdout


# ------------------------------------------------------------------------------------------------- names
@pytest.mark.unit
def test_duplicate_scenario_names_are_refused():
    with pytest.raises(FoiltwinInputError) as err:
        spec_from_dict({"scenarios": [{"name": "a", "set": ["hours=2"]}, {"name": "a", "set": ["hours=3"]}]})
    assert err.value.field == "scenarios" and "unique" in err.value.allowed
    # generated names ('name | key=value') are unique by construction (values are quoted TOML); the last guard
    # before the database's key (batch, scenario name, replication) checks it anyway
    from twin.batch import _check_unique_names

    entries = expand(BatchSpec(hours=1.0, sweep={"seed": [1, 2]}))
    _check_unique_names(entries)
    with pytest.raises(FoiltwinInputError) as err:
        _check_unique_names([*entries, entries[0]])
    assert err.value.field == "scenarios.name"


@pytest.mark.unit
def test_repeated_sweep_values_are_refused():
    with pytest.raises(FoiltwinInputError) as err:
        spec_from_dict({"sweep": {f"{UHT}.web_speed_m_per_min": [1.0, 1.2, 1.0]}})
    assert err.value.field.startswith("sweep") and "1.0" in err.value.allowed


# ------------------------------------------------------------------------------------------------- no-op sweeps
@pytest.mark.unit
@pytest.mark.parametrize(("sweep", "base_set"), [
    ({"name": ["x", "y"]}, ()),  # a label
    ({f"{FURNACE}.soak_temperature_K": [1200.0, 1250.0]}, ()),  # furnace settings, the furnace off
    ({"plant.annealed_store.capacity_coils": [10, 30]}, ()),  # the annealed store, no furnace on
    ({"plant.lines.1.control.gain_frac": [0.2, 0.8]}, ("plant.lines.1.control.enabled=false",)),
    ({"plant.lines.1.equipment.0.time_to_repair.value_h": [1.0, 2.0]},  # equipment that never fails
     ("plant.lines.1.equipment=[{name = 'web_handling'}]",)),
    ({f"{UHT}.web_speed_m_per_min": [1, 1.0]}, ()),  # equal once validated
])
def test_a_sweep_that_changes_no_job_is_refused(sweep, base_set):
    spec = BatchSpec(sweep=sweep, scenarios=(NamedScenario(name="s", set=base_set),) if base_set else ())
    with pytest.raises(FoiltwinInputError) as err:
        expand(spec)
    assert err.value.field == f"sweep.{next(iter(sweep))}"
    assert "same job" in err.value.allowed


@pytest.mark.unit
def test_a_sweep_that_matters_in_one_scenario_runs_there_and_aliases_elsewhere():
    spec = BatchSpec(hours=1.0, scenarios=(NamedScenario(name="off"),
                                           NamedScenario(name="on", set=(f"{FURNACE}.enabled=true",))),
                     sweep={f"{FURNACE}.soak_h": [1.0, 2.0, 3.0]})
    jobs, aliases = distinct_jobs(expand(spec))
    assert len(jobs) == 4  # "off" once, "on" three times
    off = next(j for j in jobs if j.scenario_name.startswith("off"))
    assert len(aliases[off.job_id]) == 2


@pytest.mark.component
def test_a_20000_value_sweep_of_an_ignored_field_is_refused_without_running(tmp_path):
    spec = BatchSpec(sweep={f"{FURNACE}.soak_h": [round(i * 0.002, 3) for i in range(20_000)]})
    t0 = time.perf_counter()
    with pytest.raises(FoiltwinInputError) as err:
        run_batch(spec, tmp_path / "r.duckdb")
    assert err.value.field == f"sweep.{FURNACE}.soak_h"
    assert not (tmp_path / "r.duckdb").exists()  # refused before the database is even created
    assert time.perf_counter() - t0 < 120.0


# ------------------------------------------------------------------------------------------------- inert rules hold
def _report_without_label(sc: Scenario) -> str:
    report = run_single(sc)
    report.pop("scenario")
    return json.dumps(report, sort_keys=True)


@pytest.mark.component
def test_every_inert_rule_drops_only_what_the_twin_does_not_read():
    """For each rule: change what it drops → the same canonical content AND a byte-identical report (the label
    aside); a change it must keep (the control on) → another content. Failures are frequent so that repair
    times and controller steps matter."""
    base = apply_overrides(Scenario(), ["hours=12", "plant.lines.1.equipment.1.time_to_failure.mean_h=3.0",
                                        "plant.lines.1.control.enabled=false"])
    data = base.model_dump(mode="json")
    data["plant"]["lines"][1]["equipment"][0]["time_to_failure"] = None
    base = Scenario.model_validate(data)
    changed = apply_overrides(base, [
        "name=another label",
        f"{FURNACE}.soak_temperature_K=1300.0", "plant.furnaces.0.coils_per_batch=2",
        "plant.furnaces.0.name=bell-9", "plant.annealed_store.capacity_coils=7",
        "plant.lines.1.equipment.0.time_to_repair={type = 'constant', value_h = 9.0}",
        "plant.lines.1.control.gain_frac=0.9"])
    assert len(INERT_RULES) == 4
    assert changed.model_dump_json() != base.model_dump_json()
    assert content_text(changed) == content_text(base)
    assert _report_without_label(changed) == _report_without_label(base)
    # each rule on its own is needed: the content differs when one rule is left out
    for rule in INERT_RULES:
        def without(sc: Scenario, skip=rule) -> dict:
            d = sc.model_dump(mode="json")
            for r in INERT_RULES:
                if r is not skip:
                    r.drop(d)
            return d
        assert without(changed) != without(base), rule.name
    kept = apply_overrides(base, ["plant.lines.1.control.enabled=true"])
    assert canonical_content(kept) != canonical_content(base)
    assert _report_without_label(kept) != _report_without_label(base)


# ------------------------------------------------------------------------------------------------- fingerprints
SPEC = 'name = "fp"\nhours = 1\nbase = "plant.toml"\n[sweep]\n"plant.incoming_coils.width_m" = [0.5, 1.0]\n'


@pytest.fixture()
def fp_spec(tmp_path: Path) -> Path:
    (tmp_path / "plant.toml").write_text("[plant]\nlines = [{type = 'uht'}]\n")
    p = tmp_path / "s.toml"
    p.write_text(SPEC)
    return p


def _counted(db_path: Path) -> dict:
    with ResultsDB(db_path, read_only=True) as db:
        return db.status()


@pytest.mark.component
def test_other_code_reruns_every_job_and_its_old_results_are_not_counted(fp_spec, tmp_path, monkeypatch):
    spec, root = load_spec(fp_spec)
    db = tmp_path / "r.duckdb"
    real_code = fingerprint.code_fingerprint()
    first = run_batch(spec, db, root)
    assert (first.ok, run_batch(spec, db, root).skipped) == (2, 2)
    monkeypatch.setattr(fingerprint, "code_fingerprint", lambda: "0123456789abcdef")
    pending = expand(spec, root)
    with ResultsDB(db, read_only=True) as store:
        assert not {j.job_id for j in pending} & store.finished_jobs()
    again = run_batch(spec, db, root)
    assert (again.skipped, again.ok) == (0, 2) and again.batch_id != first.batch_id
    st_ = _counted(db)
    assert st_["batch_id"] == again.batch_id and st_["counts"] == {"ok": 2}
    with ResultsDB(db, read_only=True) as store:
        made_by = store.con.execute("SELECT code_fingerprint, count(*) FROM runs GROUP BY 1").fetchall()
    assert sorted(made_by) == sorted([("0123456789abcdef", 2), (real_code, 2)])


@pytest.mark.component
def test_a_changed_parameter_reruns_the_jobs(fp_spec, tmp_path, monkeypatch):
    import process_models.parameters as registry

    spec, root = load_spec(fp_spec)
    db = tmp_path / "r.duckdb"
    run_batch(spec, db, root)
    # a scenario's own parameter override: other content, other jobs
    (tmp_path / "plant.toml").write_text("[plant]\nlines = [{type = 'uht'}]\n[parameters]\nfoil_emissivity_frac = "
                                         "0.2\n")
    assert run_batch(spec, db, root).skipped == 0
    # a changed default in the registry: another parameter fingerprint, the jobs rerun
    real = registry.default_parameters
    monkeypatch.setattr(registry, "default_parameters",
                        lambda: real().with_overrides({"zn_source_utilisation_frac": 0.6}))
    fingerprint.parameters_fingerprint.cache_clear()
    try:
        assert fingerprint.parameters_fingerprint() != _fresh_parameters_fingerprint(real)
        out = run_batch(spec, db, root)
        assert (out.skipped, out.ok) == (0, 2)
    finally:
        fingerprint.parameters_fingerprint.cache_clear()


def _fresh_parameters_fingerprint(real) -> str:
    import hashlib

    rows = [[r.name, repr(float(r.value)), r.unit, [repr(float(b)) for b in r.bounds], r.kind, r.source]
            for r in real().records()]
    return hashlib.sha256(json.dumps(sorted(rows)).encode()).hexdigest()[:16]


@pytest.mark.unit
def test_a_worker_with_other_code_refuses_the_job(monkeypatch):
    job = expand(BatchSpec(hours=1.0))[0]
    monkeypatch.setattr(fingerprint, "code_fingerprint", lambda: "ffffffffffffffff")
    res = run_job(job)
    assert res["status"] == "failed" and res["error"]["field"] == "worker" and res["report"] is None


@pytest.mark.unit
def test_the_code_fingerprint_covers_the_simulation_sources():
    files = [rel for rel, _ in fingerprint.source_files()]
    assert "twin/simulate.py" in files and "process_models/uht/recipe.py" in files
    assert any(f.startswith("process_models/data/") for f in files)
    assert not any(f.startswith(("ui/", "optimizer/", "foiltwin/")) for f in files)
    assert fingerprint.code_fingerprint() == fingerprint.code_fingerprint()  # cached, stable


# ------------------------------------------------------------------------------------------------- fuzz
_scalars = st.one_of(st.booleans(), st.integers(-10, 10**6), st.floats(allow_nan=True), st.text(max_size=12))
_values = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                         st.dictionaries(st.text(max_size=6), inner, max_size=3)),
                       max_leaves=6)
_sweep_keys = st.sampled_from(["seed", "hours", "name", f"{UHT}.web_speed_m_per_min", f"{FURNACE}.soak_h",
                               "plant.incoming_coils.width_m", "parameters.foil_emissivity_frac", "plant.lines",
                               "plant.no_such", "x..y", "", "plant.lines.7.name"])
_spec_dicts = st.dictionaries(
    st.sampled_from(["name", "base", "hours", "replications", "scenarios", "sweep", "colour"]),
    st.one_of(_values,
              st.lists(st.fixed_dictionaries({"name": st.text(max_size=8)},
                                             optional={"set": st.lists(st.sampled_from(
                                                 ["hours=2", "seed=-1", f"{UHT}.web_speed_m_per_min=500",
                                                  "plant.lines=[]", "nonsense", "=1", "name='x'"]), max_size=2),
                                                 "x": _values}), max_size=3),
              st.dictionaries(_sweep_keys, st.lists(_values, max_size=3), max_size=2)),
    max_size=5)


@pytest.mark.unit
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(data=_spec_dicts)
def test_fuzz_any_spec_is_accepted_or_refused_with_a_foiltwin_input_error(data, tmp_path):
    try:
        spec = spec_from_dict(data)
        if spec.base is not None:
            return  # reading arbitrary paths is the file reader's business (tests/test_files.py)
        expand(spec, tmp_path)
    except FoiltwinInputError as err:
        assert str(err)


@pytest.mark.unit
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200))
def test_fuzz_any_spec_file_is_accepted_or_refused_with_a_foiltwin_input_error(text, tmp_path):
    p = tmp_path / "spec.toml"
    p.write_text(text, encoding="utf-8")
    try:
        load_spec(p)
    except FoiltwinInputError as err:
        assert str(err)
