"""Headless scenario batches: expansion, results in DuckDB, failures kept local, resume after a crash, parallel
and Dask runs equal to serial ones."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import t as t_dist

from process_models.errors import FoiltwinInputError
from twin.batch import BatchSpec, NamedScenario, expand, load_spec, run_batch
from twin.results_db import ResultsDB, flatten, kpi_statistics

SPEC = """
name = "widths"
hours = 3
replications = 2

[[scenarios]]
name = "uht only"
set = ["plant.lines=[{type = 'uht'}]"]

[[scenarios]]
name = "too fast"
set = ["plant.lines=[{type = 'uht', settings = {web_speed_m_per_min = 500.0}}]"]

[sweep]
"plant.incoming_coils.width_m" = [0.5, 1.0]
"""


@pytest.fixture()
def spec_file(tmp_path: Path) -> Path:
    p = tmp_path / "batch.toml"
    p.write_text(SPEC)
    return p


def kpi_rows(db_path: Path) -> dict[tuple[str, str, str], float]:
    with ResultsDB(db_path) as db:
        rows = db.con.execute("SELECT j.scenario_name || '#' || j.replication, k.line, k.kpi, k.value FROM kpis k "
                              "JOIN batch_jobs j USING (job_id) WHERE k.kpi NOT LIKE 'sim_%'").fetchall()
    return {(a, b, c): v for a, b, c, v in rows}


@pytest.mark.unit
def test_expansion_is_scenarios_times_sweep_times_replications(spec_file):
    spec, root = load_spec(spec_file)
    jobs = expand(spec, root)
    assert len(jobs) == 2 * 2 * 2
    assert {j.seed for j in jobs} == {1, 2}  # common random numbers: the same seeds for every scenario
    bad = [j for j in jobs if j.scenario_json is None]
    assert len(bad) == 4 and bad[0].error["field"] == "plant.lines.0.settings.web_speed_m_per_min"
    assert len({j.job_id for j in jobs}) == len(jobs)
    assert [j.job_id for j in expand(spec, root)] == [j.job_id for j in jobs]  # stable ids


@pytest.mark.unit
@pytest.mark.parametrize(("text", "field"), [
    ("replications = 0", "replications"),
    ("[sweep]\n'plant.incoming_coils.width_m' = []", "sweep"),
    ("colour = 'red'", "colour"),
])
def test_bad_specs_name_the_field(tmp_path, text, field):
    p = tmp_path / "bad.toml"
    p.write_text(text)
    with pytest.raises(FoiltwinInputError) as err:
        load_spec(p)
    assert err.value.field.startswith(field)


@pytest.mark.unit
def test_an_unknown_sweep_field_is_refused_before_anything_runs():
    with pytest.raises(FoiltwinInputError) as err:
        expand(BatchSpec(sweep={"plant.no_such_field": [1, 2]}))
    assert err.value.field == "sweep.plant.no_such_field"


@pytest.mark.unit
def test_an_unknown_registry_parameter_in_a_sweep_is_refused_before_anything_runs(tmp_path):
    """Every job failed on it (the batch ended "0 ok", exit 0); the refusal names the nearest parameters."""
    db = tmp_path / "r.duckdb"
    with pytest.raises(FoiltwinInputError) as err:
        run_batch(BatchSpec(hours=1.0, sweep={"parameters.web_widht_m": [0.5, 1.0]}), db)
    assert err.value.field == "sweep.parameters.web_widht_m" and "web_width_m" in str(err.value)
    with pytest.raises(FoiltwinInputError) as err:
        run_batch(BatchSpec(hours=1.0, design={"kind": "latin_hypercube", "points": 2,
                                               "ranges": {"parameters.nope": [0.0, 1.0]}}), db)
    assert err.value.field == "design.ranges.parameters.nope"
    assert not db.exists()


@pytest.mark.unit
def test_a_sweep_field_missing_in_one_named_scenario_is_a_failed_job_there():
    spec = BatchSpec(hours=1.0, scenarios=(NamedScenario(name="uht only", set=("plant.lines=[{type = 'uht'}]",)),
                                           NamedScenario(name="two lines")),
                     sweep={"plant.lines.1.settings.web_speed_m_per_min": [0.9, 1.1]})
    jobs = expand(spec)
    bad = [j for j in jobs if j.scenario_json is None]
    assert {j.scenario_name.split(" |")[0] for j in bad} == {"uht only"} and len(bad) == 2
    assert "plant.lines.1" in bad[0].error["field"]


@pytest.mark.unit
def test_kpi_statistics_zero_spread_is_zero_and_one_run_has_no_interval():
    same = kpi_statistics(3, 0.30000000000000004, 1.7e-11, 0.3, 0.3)  # the database's float noise
    assert same["std"] == 0.0 and same["ci95"] == [0.3, 0.3] and same["mean"] == 0.3
    one = kpi_statistics(1, 2.0, None, 2.0, 2.0)
    assert one["std"] is None and one["ci95"] is None and one["n"] == 1
    two = kpi_statistics(2, 1.0, 1.0, 0.0, 2.0)
    assert two["ci95_half_width"] == pytest.approx(12.706204736174707 / np.sqrt(2))  # t(0.975, 1)


@pytest.mark.unit
def test_flatten_keeps_numeric_leaves_with_dotted_keys():
    assert flatten({"a": 1, "b": {"c": 2.5, "d": "x", "e": None, "f": True}, "g": [1], "h": float("nan")}) == {
        "a": 1.0, "b.c": 2.5, "b.f": 1.0}


@pytest.mark.component
def test_batch_stores_results_keeps_failures_and_skips_what_it_has(spec_file, tmp_path, cli):
    spec, root = load_spec(spec_file)
    db = tmp_path / "r.duckdb"
    seen = []
    first = run_batch(spec, db, root, on_progress=seen.append)
    assert (first.jobs, first.skipped, first.ok, first.failed) == (8, 0, 4, 4)
    assert [p.done for p in seen] == list(range(1, 9)) and {p.total for p in seen} == {8}
    assert [p.failed for p in seen][-1] == 4 and all(p.eta_s is not None for p in seen)
    assert seen[-1].fraction == 1.0 and seen[-1].eta_s == 0.0 and "8/8 jobs" in seen[-1].text()
    again = run_batch(spec, db, root)
    assert (again.skipped, again.ok, again.failed) == (8, 0, 0)
    retried = run_batch(spec, db, root, retry_failed=True)
    assert (retried.skipped, retried.failed) == (4, 4)
    with ResultsDB(db) as store:
        st = store.status()
        assert st["counts"] == {"ok": 4, "failed": 4}
        f = st["failures"][0]
        assert f["field"] == "plant.lines.0.settings.web_speed_m_per_min" and f["value"] == "500.0"
        assert "100" in f["allowed"]
        rows = store.summary()
        by_name = {r["scenario"]: r for r in rows}
        narrow = by_name["uht only | plant.incoming_coils.width_m=0.5"]
        wide = by_name["uht only | plant.incoming_coils.width_m=1.0"]
        assert narrow["runs_ok"] == 2
        assert wide["throughput_m2_per_h"]["mean"] == pytest.approx(2 * narrow["throughput_m2_per_h"]["mean"])
        assert narrow["factors"] == {"plant.incoming_coils.width_m": 0.5}
        table = store.runs_table()
        assert {r["plant.incoming_coils.width_m"] for r in table} == {0.5, 1.0}  # the factor as a column
        skins = [r["skin_thickness_nm.mean"] for r in table if r["scenario"] == narrow["scenario"]]
        st = narrow["skin_thickness_nm.mean"]
        half = t_dist.ppf(0.975, len(skins) - 1) * np.std(skins, ddof=1) / np.sqrt(len(skins))
        assert st["n"] == 2 and st["std"] == pytest.approx(np.std(skins, ddof=1), rel=1e-9)
        assert st["ci95"] == pytest.approx([np.mean(skins) - half, np.mean(skins) + half], rel=1e-9)
        fail_rows = store.con.execute("SELECT count(*) FROM factors WHERE scenario_name LIKE 'too fast%'").fetchone()
        assert fail_rows == (2,)  # failed entries keep their factors too
        rows = store.con.execute("SELECT report_json FROM runs WHERE status = 'ok' LIMIT 1").fetchall()
        report = json.loads(rows[0][0])
        paths = store.export_parquet(tmp_path / "pq")
    assert report["lines"]["uht-1"]["metres_produced"] > 0
    assert all(p.stat().st_size > 0 for p in paths)
    code, out, err = cli("batch", "summary", str(db))
    assert code == 0, err
    assert "95 % CI low" in out and "width_m" in out and "skin thickness mean" in out and "e-1" not in out


@pytest.mark.component
def test_parallel_workers_give_the_serial_results(spec_file, tmp_path):
    spec, root = load_spec(spec_file)
    run_batch(spec, tmp_path / "serial.duckdb", root, workers=1)
    run_batch(spec, tmp_path / "parallel.duckdb", root, workers=2)
    assert kpi_rows(tmp_path / "serial.duckdb") == kpi_rows(tmp_path / "parallel.duckdb")


@pytest.mark.integration
def test_a_killed_batch_resumes_where_it_stopped(tmp_path):
    """SIGKILL the CLI after two results are committed; the rerun skips them and finishes the rest."""
    spec = tmp_path / "long.toml"
    spec.write_text('name = "long"\nhours = 2\n[sweep]\n"plant.lines.1.settings.web_speed_m_per_min" = '
                    "[0.8, 0.9, 1.0, 1.1, 1.2, 1.3]\n")
    db = tmp_path / "r.duckdb"
    cmd = [sys.executable, "-c", "from foiltwin.cli import main; main()", "batch", "run", str(spec), "--db", str(db)]
    done = 0
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            done += line.strip().startswith("ok")
            if done == 2:
                proc.send_signal(signal.SIGKILL)
                break
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "6 jobs, 2 already stored, 4 ok, 0 failed" in out.stdout


@pytest.mark.integration
def test_a_dask_cluster_gives_the_serial_results(spec_file, tmp_path):
    distributed = pytest.importorskip("distributed")
    spec, root = load_spec(spec_file)
    run_batch(spec, tmp_path / "serial.duckdb", root)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as lc:
        seen = []
        out = run_batch(spec, tmp_path / "dask.duckdb", root, scheduler=lc.scheduler_address, on_progress=seen.append)
    assert (out.ok, out.failed) == (4, 4)
    assert [p.done for p in seen] == list(range(1, 9)) and seen[-1].failed == 4  # progress under Dask too
    assert kpi_rows(tmp_path / "serial.duckdb") == kpi_rows(tmp_path / "dask.duckdb")


@pytest.mark.unit
def test_an_unreachable_scheduler_is_a_clear_error_within_the_connect_timeout(spec_file, tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    import time

    import twin.batch

    monkeypatch.setattr(twin.batch, "SCHEDULER_CONNECT_TIMEOUT_S", 0.5)
    spec, root = load_spec(spec_file)
    t0 = time.perf_counter()
    with pytest.raises(FoiltwinInputError) as err:
        run_batch(spec, tmp_path / "x.duckdb", root, scheduler="tcp://127.0.0.1:9")
    assert err.value.field == "scheduler" and "reachable" in err.value.allowed
    assert time.perf_counter() - t0 < 10.0


@pytest.mark.unit
@pytest.mark.parametrize("address", ["tcp://127.0.0.1", "127.0.0.1", "tcp://:8786", "tcp://host:0",
                                     "tcp://host:99999", "tcp://host:port", "http://host:8786", "", "inproc://",
                                     "tcp://host:8786/x", "tcp://ho st:8786"])
def test_a_malformed_scheduler_address_is_refused_before_connecting(address):
    from twin.batch import check_scheduler_address

    with pytest.raises(FoiltwinInputError) as err:
        check_scheduler_address(address)
    assert err.value.field == "scheduler"


@pytest.mark.unit
@pytest.mark.parametrize("address", ["tcp://127.0.0.1:8786", "127.0.0.1:8786", "tls://sched.example:8786",
                                     "tcp://[::1]:8786", "inproc://192.0.2.2/14217/1"])
def test_well_formed_scheduler_addresses_pass(address):
    from twin.batch import check_scheduler_address

    assert check_scheduler_address(address) == address


@pytest.mark.integration
@pytest.mark.parametrize("args", [("--scheduler", "tcp://127.0.0.1"), ("--scheduler", "127.0.0.1"),
                                  ("--workers", "0")])
def test_the_cli_refuses_a_scheduler_without_a_port_and_no_workers(spec_file, tmp_path, args):
    cmd = [sys.executable, "-c", "from foiltwin.cli import main; main()", "batch", "run", str(spec_file), "--db",
           str(tmp_path / "r.duckdb"), *args]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and out.stderr.startswith("error: ") and len(out.stderr.splitlines()) == 1, out.stderr
    assert "Traceback" not in out.stderr and not (tmp_path / "r.duckdb").exists()


def _sleep_then(seconds: float) -> float:
    import time

    time.sleep(seconds)
    return seconds


@pytest.mark.component
def test_dask_results_reach_the_commit_while_slower_jobs_run():
    """Under Dask the batch waits at most COMMIT_EVERY_S for a finished job: a finished result is handed on while a
    slow job still runs, and a wait with nothing finished ends empty after about COMMIT_EVERY_S (so results held
    for the once-a-second commit are written), never blocking until the slow job ends."""
    distributed = pytest.importorskip("distributed")
    import time

    from twin.batch import COMMIT_EVERY_S, _dask_first_done

    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as lc, \
            distributed.Client(lc) as client:
        slow, fast = client.submit(_sleep_then, 3.0, pure=False), client.submit(_sleep_then, 0.0, pure=False)
        pending = {slow, fast}
        done = set()
        while not done:
            done = _dask_first_done(pending, distributed.wait)
        assert done == {fast} and fast.result() == 0.0
        t1 = time.perf_counter()
        assert _dask_first_done(pending - done, distributed.wait) == set()
        waited = time.perf_counter() - t1
        assert 0.8 * COMMIT_EVERY_S <= waited < 2.5 and slow.status == "pending"


@pytest.mark.integration
def test_a_batch_whose_every_job_failed_exits_3_and_one_with_results_exits_0(cli, tmp_path):
    """`batch run … && batch summary` went on with exit 0 when every job had failed (nothing to summarise); a
    batch with some results keeps exit 0 (its failures are results, listed by `batch status`), also on a rerun."""
    key = '"plant.lines.1.settings.web_speed_m_per_min"'
    for values, want in (("[1e9, 2e9]", 3), ("[1.0, 1e9]", 0)):
        spec, db = tmp_path / f"s{want}.toml", tmp_path / f"r{want}.duckdb"
        spec.write_text(f"hours = 0.1\n[sweep]\n{key} = {values}\n")
        for _ in range(2):  # the run, then a rerun that skips every stored job
            code, out, err = cli("batch", "run", str(spec), "--db", str(db), "--quiet")
            assert code == want and "jobs," in out, err
            assert (err.strip().count("\n"), "no job of batch" in err) == ((0, True) if want else (0, False))


@pytest.mark.integration
def test_a_cost_per_good_m2_without_good_m2_is_summarised_as_undefined_with_its_reason(tmp_path, cli):
    """A point whose runs made no good m² (stage II at 800 K: a skin far above the window, yield 0) has no cost
    or energy per good m²; the summary left those rows out silently. Now they are there: no mean, n = the runs,
    the runs that lack a value and why; a point with good m² keeps its statistics."""
    from twin.batch import spec_from_dict

    spec = spec_from_dict({"name": "hot", "hours": 1.0, "replications": 2,
                           "sweep": {"plant.lines.1.settings.stage2_temperature_K": [750.0, 800.0]}})
    db = tmp_path / "hot.duckdb"
    assert run_batch(spec, db).ok == 4
    with ResultsDB(db) as store:
        rows = {r["factors"]["plant.lines.1.settings.stage2_temperature_K"]: r for r in store.summary()}
        table = {(r["plant.lines.1.settings.stage2_temperature_K"], r["replication"]): r for r in store.runs_table()}
    hot, ok = rows[800.0], rows[750.0]
    assert hot["yield_fraction"]["mean"] == 0.0
    for kpi in ("cost_per_m2", "energy_kwh_per_m2"):
        assert hot[kpi]["mean"] is None and hot[kpi]["n"] == 2 and hot[kpi]["undefined_runs"] == 2
        assert "no good m² (yield 0)" in hot[kpi]["undefined_reason"] and "2 of 2 runs" in hot[kpi]["undefined_reason"]
        assert ok[kpi]["mean"] > 0.0 and "undefined_runs" not in ok[kpi]
        assert table[(800.0, 0)][kpi] is None and table[(750.0, 0)][kpi] > 0.0
    code, out, err = cli("batch", "summary", str(db))
    assert code == 0, err
    assert "undefined" in out and "cost undefined at" in out and "a cost per good m² is unbounded" in out
