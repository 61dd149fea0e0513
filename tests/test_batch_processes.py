"""Batch processes: workers die with a SIGKILLed `batch run`, a kill at a random moment leaves a readable database
that resumes without duplicate or missing jobs, and `batch status` reads the database while a batch writes it.
Process trees are read from /proc (Linux), not psutil."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from process_models.errors import FoiltwinInputError
from twin.results_db import ResultsDB

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
CLI = [sys.executable, "-c", "from foiltwin.cli import main; main()"]


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, start time in clock ticks) of ``pid`` from /proc, None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()  # the command name may hold spaces and brackets
    return fields[0], int(fields[1]), int(fields[19])


def descendants(root: int) -> dict[int, int]:
    """Every living process below ``root``: pid → start time (a pid that is reused later has another one)."""
    children: dict[int, list[tuple[int, int]]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _stat(int(entry))
            if st is not None and st[0] != "Z":
                children.setdefault(st[1], []).append((int(entry), st[2]))
    out: dict[int, int] = {}
    todo = [root]
    while todo:
        for pid, started in children.get(todo.pop(), []):
            out[pid] = started
            todo.append(pid)
    return out


def pool_workers(root: int) -> set[int]:
    """The pool's worker processes below ``root``: children of its fork server (or, spawned, multiprocessing's
    ``spawn_main``); not the fork server and the resource tracker themselves."""
    below = descendants(root)

    def cmdline(p: int) -> bytes:
        try:
            return Path(f"/proc/{p}/cmdline").read_bytes()
        except OSError:
            return b""

    servers = {p for p in below if b"forkserver" in cmdline(p) and (_stat(p) or ("", 0, 0))[1] == root}
    return {p for p in below if (_stat(p) or ("", 0, 0))[1] in servers or b"spawn_main" in cmdline(p)}


def alive(procs: dict[int, int]) -> set[int]:
    """Those of ``procs`` still running (same pid and start time, not a zombie)."""
    return {p for p, started in procs.items() if (st := _stat(p)) is not None and st[0] not in ("Z", "X")
            and st[2] == started}


def wait_until(predicate, timeout_s: float, step_s: float = 0.1):
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step_s)
    return predicate()


def write_spec(tmp_path: Path, speeds: int, hours: float) -> Path:
    spec = tmp_path / "s.toml"
    values = ", ".join(f"{0.8 + 0.05 * i:.2f}" for i in range(speeds))
    spec.write_text(f'name = "kill"\nhours = {hours}\n[sweep]\n"plant.lines.1.settings.web_speed_m_per_min" = '
                    f"[{values}]\n")
    return spec


def start(spec: Path, db: Path, workers: int) -> subprocess.Popen:
    with open(db.parent / "stderr.txt", "wb") as err:  # the child keeps its own copy of the descriptor
        return subprocess.Popen([*CLI, "batch", "run", str(spec), "--db", str(db), "--workers", str(workers)],
                                stdout=subprocess.DEVNULL, stderr=err)


def check_consistent(db: Path, jobs: int) -> dict:
    """The database opens read-only and its counts add up: each job once, each KPI once per job."""
    with ResultsDB(db, read_only=True) as store:
        st = store.status()
        dup_runs = store.con.execute("SELECT count(*) - count(DISTINCT job_id) FROM runs").fetchall()[0][0]
        dup_kpis = store.con.execute("SELECT count(*) FROM (SELECT job_id, line, kpi FROM kpis GROUP BY ALL "
                                     "HAVING count(*) > 1)").fetchall()[0][0]
        orphans = store.con.execute("SELECT count(*) FROM kpis WHERE job_id NOT IN (SELECT job_id FROM runs)"
                                    ).fetchall()[0][0]
    assert sum(st["counts"].values()) == st["jobs"] == jobs, st
    assert (dup_runs, dup_kpis, orphans) == (0, 0, 0)
    return st


@pytest.mark.integration
def test_workers_die_with_a_sigkilled_batch(tmp_path):
    proc = start(write_spec(tmp_path, speeds=4, hours=24.0), tmp_path / "r.duckdb", workers=2)
    workers: dict[int, int] = {}
    try:
        assert wait_until(lambda: len(pool_workers(proc.pid)) >= 2, timeout_s=90.0), "no workers started"
        time.sleep(1.0)  # the workers are busy simulating
        workers = descendants(proc.pid)  # the workers and multiprocessing's resource tracker
        assert len(pool_workers(proc.pid)) == 2
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        left = wait_until(lambda: not alive(workers), timeout_s=15.0)
        assert left, f"worker processes still running after the batch was killed: {alive(workers)}"
    finally:  # the processes this test started, should any be left
        for p in alive({**workers, **descendants(proc.pid)}):
            os.kill(p, signal.SIGKILL)
        proc.kill()


@pytest.mark.integration
def test_a_kill_at_a_random_moment_leaves_a_readable_database_that_resumes_exactly(tmp_path):
    seed = int.from_bytes(os.urandom(4), "little")
    rng = random.Random(seed)
    spec, db = write_spec(tmp_path, speeds=6, hours=2.0), tmp_path / "r.duckdb"
    proc = start(spec, db, workers=2)
    kill_after_s = rng.uniform(0.5, 9.0)  # from before the database exists to the last jobs
    note = f"(random seed {seed}, killed after {kill_after_s:.1f} s)"
    workers: dict[int, int] = {}
    try:
        end = time.monotonic() + kill_after_s
        while time.monotonic() < end:
            workers.update(descendants(proc.pid))
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert wait_until(lambda: not alive(workers), timeout_s=15.0), note
    finally:
        for p in alive(workers):
            os.kill(p, signal.SIGKILL)
    for f in tmp_path.iterdir():  # every file left is readable
        f.read_bytes()
    if db.exists():
        try:
            before = check_consistent(db, jobs=6)["counts"].get("ok", 0)
        except FoiltwinInputError as err:  # killed before the batch was recorded: nothing to read yet
            assert "it has none" in str(err) or "file is empty" in str(err), (err, note)
            before = 0
    else:
        before = 0
    out = subprocess.run([*CLI, "batch", "run", str(spec), "--db", str(db), "--workers", "2"],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, (out.stderr, note)
    assert f"6 jobs, {before} already stored, {6 - before} ok, 0 failed" in out.stdout, (out.stdout, note)
    assert check_consistent(db, jobs=6)["counts"] == {"ok": 6}, note


@pytest.mark.integration
def test_status_reads_a_database_while_a_batch_writes_it(tmp_path):
    # 168 h jobs (≈ 0.7 s each here): the batch commits at most once a second, so 2 h jobs (≈ 0.1 s) could all end
    # inside one commit interval and leave no state in between for the reader to see (seen once in a full run)
    spec, db = write_spec(tmp_path, speeds=6, hours=168.0), tmp_path / "r.duckdb"
    proc = start(spec, db, workers=1)
    seen: list[dict] = []
    cli_reads = 0
    try:
        while proc.poll() is None:
            try:
                with ResultsDB(db, read_only=True, wait_s=30.0) as store:
                    seen.append(store.status())
            except Exception as err:  # before the first commit: no file, or no batch yet
                assert "existing results database" in str(err) or "has none" in str(err), err
            st = seen[-1] if seen else {}
            if cli_reads < 2 and 0 < st.get("counts", {}).get("ok", 0) < 6:
                out = subprocess.run([*CLI, "batch", "status", str(db), "--json", "-"], capture_output=True,
                                     text=True, timeout=120)
                assert out.returncode == 0, out.stderr
                assert sum(json.loads(out.stdout)["counts"].values()) == 6
                cli_reads += 1
            time.sleep(0.05)
        assert proc.wait(timeout=600) == 0, (tmp_path / "stderr.txt").read_text()
    finally:
        proc.kill()
    assert all(sum(s["counts"].values()) == s["jobs"] == 6 for s in seen)
    oks = [s["counts"].get("ok", 0) for s in seen]
    assert oks == sorted(oks), "a reader saw results disappear"
    assert any(0 < k < 6 for k in oks) and cli_reads >= 1, "no read happened while the batch was running"
    assert check_consistent(db, jobs=6)["counts"] == {"ok": 6}
