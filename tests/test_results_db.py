"""The results database as a file among others: paths with quotes and SQL in them, atomic exports, truncated or
foreign files and old schemas refused with one line (exit 2), read-only views that change nothing, and readers
and writers of different processes waiting for each other instead of failing."""

from __future__ import annotations

import errno
import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from process_models.errors import FoiltwinInputError
from twin.batch import BatchSpec, NamedScenario, run_batch
from twin.results_db import TABLES, ResultsDB

CLI = [sys.executable, "-c", "from foiltwin.cli import main; main()"]
NASTY = "it's a \"test\"; DROP TABLE runs; -- x"


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300)


def cli_in_process(capsys, monkeypatch, *args: str) -> subprocess.CompletedProcess:
    """The CLI's entry point in this process (no interpreter start-up), as a CompletedProcess."""
    from foiltwin.cli import main

    monkeypatch.setattr(sys, "argv", ["foiltwin", *args])
    capsys.readouterr()
    with pytest.raises(SystemExit) as done:
        main()
    out = capsys.readouterr()
    return subprocess.CompletedProcess(args, done.value.code, out.out, out.err)


def one_line_error(out: subprocess.CompletedProcess) -> str:
    assert out.returncode == 2, (out.stdout, out.stderr)
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in out.stderr, out.stderr
    return lines[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    """A results database in a folder whose name holds a quote, a double quote, a semicolon and a comment."""
    folder = tmp_path_factory.mktemp("db") / NASTY
    folder.mkdir()
    db = folder / f"{NASTY}.duckdb"
    spec = BatchSpec(name="q'uote", hours=1.0, scenarios=(
        NamedScenario(name="it's", set=("plant.lines=[{type = 'uht'}]",)),
        NamedScenario(name="bad", set=("plant.lines=[{type = 'uht', settings = {web_speed_m_per_min = 500.0}}]",))))
    run_batch(spec, db)
    return db


# ------------------------------------------------------------------------------------------------- SQL and paths
@pytest.mark.integration
def test_export_with_quotes_semicolons_and_comments_in_both_paths(results, tmp_path):
    target = tmp_path / NASTY / "x'); CREATE TABLE pwned AS SELECT 1; --"
    out = cli("batch", "export", str(results), str(target))
    assert out.returncode == 0, out.stderr
    with ResultsDB(results, read_only=True) as db:
        tables = {r[0] for r in db.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        counts = {t: db.con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in TABLES}
    assert tables == set(TABLES)  # nothing was injected
    for t in TABLES:
        assert pq.read_table(target / f"{t}.parquet").num_rows == counts[t]
    assert not [p for p in target.iterdir() if p.name.endswith(".part")]
    status = cli("batch", "status", str(results), "--batch", "q'uote")
    assert status.returncode == 0 and "1 failed, 1 ok" in status.stdout, status.stderr


@pytest.mark.component
def test_an_export_that_fails_midway_leaves_the_earlier_files_whole(results, tmp_path, monkeypatch):
    target = tmp_path / "pq"
    with ResultsDB(results, read_only=True) as db:
        db.export_parquet(target)
    before = {p.name: digest(p) for p in target.iterdir()}
    real = ResultsDB._write_table

    def disk_full(self, table, path):
        if table == "runs":
            real(self, table, path)  # part of the file is written, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        real(self, table, path)

    monkeypatch.setattr(ResultsDB, "_write_table", disk_full)
    with ResultsDB(results, read_only=True) as db, pytest.raises(FoiltwinInputError) as err:
        db.export_parquet(target)
    assert err.value.field == "DIR" and "no space left" in err.value.allowed
    assert {p.name: digest(p) for p in target.iterdir()} == before  # no .part file left, the old runs.parquet whole


@pytest.mark.integration
@pytest.mark.parametrize("where", ["file", "under a file"])
def test_export_io_errors_exit_2(results, tmp_path, where, capsys, monkeypatch):
    f = tmp_path / "plain.txt"
    f.write_text("x")
    target = f if where == "file" else f / "sub"
    assert "DIR" in one_line_error(cli_in_process(capsys, monkeypatch, "batch", "export", str(results), str(target)))


@pytest.mark.integration
def test_an_unknown_line_is_refused_naming_the_lines_of_the_batch(results, capsys, monkeypatch):
    """``batch summary --line bogus`` printed an empty table (exit 0): it is refused, naming the lines present."""
    line = one_line_error(cli_in_process(capsys, monkeypatch, "batch", "summary", str(results), "--line", "bogus"))
    assert "line='bogus'" in line and "plant, uht-1" in line
    with ResultsDB(results, read_only=True) as db:
        for read in (db.summary, db.runs_table, db.positioned_results):
            with pytest.raises(FoiltwinInputError, match="plant, uht-1"):
                read(line="bogus")
        assert db.summary(line="uht-1") and db.summary(line="plant")
    done = cli_in_process(capsys, monkeypatch, "batch", "summary", str(results), "--line", "uht-1")
    assert done.returncode == 0 and "it's" in done.stdout, done.stderr


# ------------------------------------------------------------------------------------------------- bad files
@pytest.mark.component
@pytest.mark.parametrize("fraction", [0.02, 0.1, 0.25, 0.5, 0.75, 0.95])
def test_a_truncated_database_reads_consistently_or_is_refused(results, tmp_path, fraction):
    data = results.read_bytes()
    cut = tmp_path / "cut.duckdb"
    cut.write_bytes(data[: int(len(data) * fraction)])
    try:
        with ResultsDB(cut, read_only=True) as db:
            st = db.status()
            db.summary()
        assert sum(st["counts"].values()) == st["jobs"]
    except FoiltwinInputError as err:
        assert err.field in ("db", "batch")


@pytest.mark.integration
def test_truncated_and_foreign_files_are_one_line_errors_in_the_cli(results, tmp_path, capsys, monkeypatch):
    big = tmp_path / "big.duckdb"
    con = duckdb.connect(str(big))
    con.execute("CREATE TABLE kpis AS SELECT range AS x, repeat('y', 100) AS z FROM range(400000)")
    con.close()
    data = big.read_bytes()
    big.write_bytes(data[: len(data) // 2])
    garbage = tmp_path / "garbage.duckdb"
    garbage.write_bytes(b"not a database\n" * 100)
    assert "db=" in one_line_error(cli("batch", "status", str(big)))  # one real process, the rest in this one
    assert "db=" in one_line_error(cli_in_process(capsys, monkeypatch, "batch", "summary", str(garbage)))
    out_dir = str(tmp_path / "out")
    assert "db=" in one_line_error(cli_in_process(capsys, monkeypatch, "batch", "export", str(garbage), out_dir))
    spec = tmp_path / "s.toml"
    spec.write_text("hours = 1\n")
    assert "db=" in one_line_error(cli_in_process(capsys, monkeypatch, "batch", "run", str(spec), "--db",
                                                  str(garbage)))


@pytest.mark.component
def test_a_foreign_duckdb_file_is_refused_and_left_unchanged(tmp_path):
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE customers (name VARCHAR)")
    con.execute("INSERT INTO customers VALUES ('ada')")
    con.close()
    before = digest(other)
    for read_only in (True, False):
        with pytest.raises(FoiltwinInputError) as err:
            ResultsDB(other, read_only=read_only)
        assert "customers" in err.value.allowed
    with pytest.raises(FoiltwinInputError):
        run_batch(BatchSpec(hours=1.0), other)
    assert digest(other) == before
    con = duckdb.connect(str(other), read_only=True)
    assert con.execute("SELECT table_name FROM information_schema.tables").fetchall() == [("customers",)]
    con.close()


def foreign_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Files that are not DuckDB databases, each with what the refusal must call it. DuckDB reads an existing
    .csv, .parquet or .json path as a view of that file, so these names are the ones whose refusal used to name
    the views ("holds other tables: empty, file")."""
    import pyarrow as pa

    files = {"empty.csv": b"", "empty.duckdb": b"", "plant.csv": b"coil,thickness_um\n1,8.0\n",
             "notes.txt": b"not a database\n", "report.json": b'{"a": 1}'}
    out = {}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        out[name] = (tmp_path / name, "empty, 0 bytes" if not data else "not a DuckDB database but a text file")
    for name in ("kpis.parquet", "kpis.db"):
        pq.write_table(pa.table({"x": [1.0, 2.0]}), tmp_path / name)
        out[name] = (tmp_path / name, "not a DuckDB database but a Parquet file")
    return out


@pytest.mark.component
def test_a_file_that_is_no_duckdb_database_is_refused_saying_so_and_left_unchanged(tmp_path):
    files = foreign_files(tmp_path)
    for name, (path, why) in files.items():
        before = digest(path)
        for read_only in (True, False):
            with pytest.raises(FoiltwinInputError) as err:
                ResultsDB(path, read_only=read_only)
            assert err.value.field == "db" and err.value.value == str(path), name
            assert why in err.value.allowed and "tables" not in err.value.allowed, (name, err.value.allowed)
        assert digest(path) == before, name
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(files)  # nothing created beside them (no .wal)


@pytest.mark.integration
def test_batch_run_on_an_empty_csv_or_a_folder_names_the_path_and_what_is_wrong(tmp_path, cli):
    spec = Path(__file__).resolve().parents[1] / "examples" / "batches" / "replications.toml"
    empty = tmp_path / "empty.csv"
    empty.touch()
    code, out, err = cli("batch", "run", str(spec), "--db", str(empty))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1, err
    assert str(empty) in err and "empty, 0 bytes" in err and "tables" not in err, err
    assert empty.read_bytes() == b""
    folder = tmp_path / "results.duckdb"
    folder.mkdir()
    code, _, err = cli("batch", "status", str(folder))
    assert code == 2 and str(folder) in err and "not a folder" in err, err
    assert list(folder.iterdir()) == []


@pytest.mark.component
def test_a_database_of_the_old_schema_is_refused(tmp_path):
    old = tmp_path / "old.duckdb"
    con = duckdb.connect(str(old))
    con.execute("CREATE TABLE batches (batch_id VARCHAR PRIMARY KEY, name VARCHAR)")
    con.execute("CREATE TABLE runs (job_id VARCHAR PRIMARY KEY, foiltwin_version VARCHAR)")
    con.close()
    with pytest.raises(FoiltwinInputError) as err:
        ResultsDB(old, read_only=True)
    assert "older foiltwin" in err.value.allowed


@pytest.mark.component
def test_a_database_of_schema_version_2_is_refused_naming_both_versions(tmp_path):
    old = tmp_path / "v2.duckdb"
    con = duckdb.connect(str(old))
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("INSERT INTO meta VALUES ('schema_version', '2')")
    con.close()
    with pytest.raises(FoiltwinInputError) as err:
        ResultsDB(old, read_only=True)
    assert "schema version 3" in err.value.allowed and "this one is 2" in err.value.allowed


def batches_of_one_name(tmp_path: Path) -> tuple[Path, list[str]]:
    """A database with three batches named "dup" (as a spec rerun after code changes makes) between which one named
    "other" was added, and no results (nothing is simulated): the path and the ids of the "dup" ones, oldest first."""
    from types import SimpleNamespace

    db, ids = tmp_path / "dup.duckdb", []
    with ResultsDB(db) as store:
        for k, name in enumerate(("dup", "dup", "other", "dup")):
            bid = f"{k:016x}"
            entry = SimpleNamespace(scenario_name="a", replication=0, job_id=f"job{k}", seed=k, overrides=())
            store.add_batch(bid, name, "{}", [entry])
            ids += [bid] if name == "dup" else []
    return db, ids


@pytest.mark.component
def test_a_name_shared_by_batches_selects_the_latest_and_returns_the_others(tmp_path):
    db, ids = batches_of_one_name(tmp_path)
    with ResultsDB(db, read_only=True) as store:
        chosen, others = store.choose_batch("dup")
        assert chosen["batch_id"] == ids[-1] and [r["batch_id"] for r in others] == ids[:-1]
        assert store.status("dup")["batch_id"] == ids[-1]  # the latest, as before
        assert store.choose_batch(ids[0]) == (store.batches()[0], [])  # an id is one batch, no note
        assert store.choose_batch("other")[1] == [] and store.choose_batch(None)[0]["batch_id"] == ids[-1]


@pytest.mark.integration
def test_batch_status_and_summary_resolve_a_batch_name_once(tmp_path, cli, monkeypatch):
    """`batch status/summary --batch NAME` look the name up once (for the note on the other batches of that name)
    and pass the id on: the stored batches are listed once per command, and the batch read is the one the note
    names (the latest "dup"), also for a read method handed the resolved id directly."""
    db, ids = batches_of_one_name(tmp_path)
    listed = []
    original = ResultsDB.batches

    def counted(self):
        listed.append(1)
        return original(self)

    monkeypatch.setattr(ResultsDB, "batches", counted)
    for command in ("status", "summary"):
        listed.clear()
        code, _, err = cli("batch", command, str(db), "--batch", "dup", "--json", "-")
        assert code == 0 and "names 3 batches" in err, err
        assert len(listed) == 1, (command, len(listed))
    assert json.loads(cli("batch", "status", str(db), "--batch", "dup", "--json", "-")[1])["batch_id"] == ids[2]
    from twin.results_db import BatchId

    with ResultsDB(db, read_only=True) as store:
        listed.clear()
        chosen = store.choose_batch("dup")[0]["batch_id"]
        assert isinstance(chosen, BatchId) and chosen == ids[2]
        assert store.status(chosen)["batch_id"] == ids[2] and store.summary(chosen) == [] and len(listed) == 1
        assert store.status(ids[0])["batch_id"] == ids[0] and len(listed) == 2  # a plain id is still looked up


@pytest.mark.integration
def test_batch_status_and_summary_say_when_a_name_selects_one_of_several_batches(tmp_path, cli):
    db, ids = batches_of_one_name(tmp_path)
    for command in ("status", "summary"):
        code, out, err = cli("batch", command, str(db), "--batch", "dup")
        assert code == 0, err
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("note: --batch 'dup' names 3 batches"), err
        assert f"using the latest, {ids[2]}" in lines[0] and "--batch ID" in lines[0], err
        assert all(i in lines[0].split("the others:")[1] for i in ids[:2]), err
    code, out, err = cli("batch", "status", str(db), "--batch", "dup", "--json", "-")
    assert code == 0 and json.loads(out)["batch_id"] == ids[2] and "names 3 batches" in err  # stdout stays JSON
    for selected in (ids[0], "other"):
        code, out, err = cli("batch", "status", str(db), "--batch", selected)
        assert code == 0 and err == "", err
    assert f"batch {ids[0]}:" in cli("batch", "status", str(db), "--batch", ids[0])[1]


@pytest.mark.unit
def test_a_missing_database_is_not_created_by_a_reader(tmp_path):
    with pytest.raises(FoiltwinInputError):
        ResultsDB(tmp_path / "none.duckdb", read_only=True)
    assert not (tmp_path / "none.duckdb").exists()
    with pytest.raises(FoiltwinInputError) as err:
        ResultsDB(tmp_path / "no folder" / "r.duckdb")
    assert "does not exist" in err.value.allowed


# ------------------------------------------------------------------------------------------------- locks
HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "ro")
print("held", flush=True)
time.sleep(float(sys.argv[3]))
con.close()
"""


@pytest.mark.integration
@pytest.mark.parametrize("holder", ["ro", "rw"])
def test_readers_and_writers_wait_for_each_other(results, tmp_path, holder):
    db = tmp_path / "copy.duckdb"
    db.write_bytes(results.read_bytes())
    with subprocess.Popen([sys.executable, "-c", HOLD, str(db), holder, "2.0"], stdout=subprocess.PIPE,
                          text=True) as proc:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        t0 = time.perf_counter()
        with ResultsDB(db, read_only=holder == "rw", wait_s=30.0) as store:  # a reader waits for a writer, and a
            store.status()  # writer for a reader
        waited = time.perf_counter() - t0
        proc.wait(timeout=30)
    assert waited > 0.5  # it did wait for the other process
    with subprocess.Popen([sys.executable, "-c", HOLD, str(db), "rw", "5.0"], stdout=subprocess.PIPE,
                          text=True) as proc:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        with pytest.raises(FoiltwinInputError) as err:
            ResultsDB(db, read_only=True, wait_s=0.3)
        assert "locked" in err.value.allowed
        proc.kill()


@pytest.mark.component
def test_a_new_database_under_a_csv_or_parquet_name_is_refused_and_nothing_is_created(tmp_path):
    """``--db results.csv`` used to create a DuckDB file named .csv (a spreadsheet then fails to read it)."""
    for name in ("results.csv", "kpis.PARQUET", "out.json", "r.xlsx"):
        path = tmp_path / name
        with pytest.raises(FoiltwinInputError) as err:
            ResultsDB(path)
        assert err.value.field == "db" and err.value.value == str(path) and "batch export" in err.value.allowed
        with pytest.raises(FoiltwinInputError):
            run_batch(BatchSpec(hours=1.0), path)
    assert list(tmp_path.iterdir()) == []
    for name in ("results.duckdb", "results.db", "results"):  # DuckDB's own names, and none, are created
        with ResultsDB(tmp_path / name):
            pass
        assert (tmp_path / name).is_file()
