"""The embedded results database of scenario batches (DuckDB, one file).

Tables:
- ``batches`` (batch_id = hash of the spec, name, spec JSON, created);
- ``batch_jobs`` (batch_id, job_id, scenario name, replication, seed, overrides): which jobs a batch holds;
- ``runs`` (job_id = hash of the scenario JSON and the foiltwin version; status ``ok`` | ``failed``, the error's
  field, value, allowed range and message, seconds, finish time, the scenario and the full JSON report);
- ``kpis`` (job_id, line — ``plant`` for plant figures —, kpi, value): every numeric KPI of the report in long
  form, nested keys dotted (``skin_thickness_nm.p05``, ``state_hours.breakdown``, ``cost_breakdown.labour``).

Runs are content-addressed: the same scenario in two batches runs once. Each result is committed on its own, so
a crash loses at most the jobs in flight.
"""

from __future__ import annotations

import hashlib
import json
import math
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from process_models.errors import FoiltwinInputError

SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (batch_id VARCHAR PRIMARY KEY, name VARCHAR, spec_json VARCHAR,
                                    created TIMESTAMP DEFAULT current_timestamp);
CREATE TABLE IF NOT EXISTS batch_jobs (batch_id VARCHAR, job_id VARCHAR, scenario_name VARCHAR, replication INTEGER,
                                       seed BIGINT, overrides_json VARCHAR, PRIMARY KEY (batch_id, job_id));
CREATE TABLE IF NOT EXISTS runs (job_id VARCHAR PRIMARY KEY, status VARCHAR, error_field VARCHAR,
                                 error_value VARCHAR, error_allowed VARCHAR, error_message VARCHAR,
                                 seconds DOUBLE, finished_at TIMESTAMP DEFAULT current_timestamp,
                                 foiltwin_version VARCHAR, scenario_json VARCHAR, report_json VARCHAR);
CREATE TABLE IF NOT EXISTS kpis (job_id VARCHAR, line VARCHAR, kpi VARCHAR, value DOUBLE);
"""

SUMMARY_KPIS = ("throughput_m2_per_h", "yield_fraction", "oee", "availability", "cost_per_m2", "energy_kwh_per_m2",
                "skin_thickness_nm.mean", "skin_thickness_nm.p05", "skin_thickness_nm.p95", "texture_fraction_100")


def foiltwin_version() -> str:
    try:
        return version("foiltwin")
    except PackageNotFoundError:
        return "unknown"


def flatten(d: dict[str, Any], prefix: str = "") -> dict[str, float]:
    """Numeric leaves of a nested dict as ``{"a.b": value}`` (bools as 0/1; strings, lists and None left out)."""
    out: dict[str, float] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        elif isinstance(v, int | float) and math.isfinite(float(v)):  # bools too (as 0/1)
            out[key] = float(v)
    return out


class ResultsDB:
    """A batch results database (opened, schema ensured); use as a context manager."""

    def __init__(self, path: str | Path) -> None:
        p = Path(path)
        if p.exists() and p.is_dir():
            raise FoiltwinInputError("db", str(p), "a database file path, not a folder")
        try:
            self.con = duckdb.connect(str(p))
        except duckdb.Error as err:
            raise FoiltwinInputError("db", str(p), f"a DuckDB database file ({err})") from None
        self.con.execute(SCHEMA)

    def __enter__(self) -> ResultsDB:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    # ------------------------------------------------------------------------------------------ writing
    def add_batch(self, name: str, spec_json: str) -> str:
        """The batch's id (hash of its spec); the row is added the first time."""
        batch_id = hashlib.sha256(spec_json.encode()).hexdigest()[:16]
        self.con.execute("INSERT INTO batches (batch_id, name, spec_json) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                         [batch_id, name, spec_json])
        return batch_id

    def add_jobs(self, batch_id: str, jobs: list[Any]) -> None:
        """Record which jobs the batch holds (idempotent)."""
        rows = [(batch_id, j.job_id, j.scenario_name, j.replication, j.seed, json.dumps(list(j.overrides)))
                for j in jobs]
        if rows:
            self.con.executemany("INSERT INTO batch_jobs VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", rows)

    def finished_jobs(self, include_failed: bool = True) -> set[str]:
        """Ids of jobs with a stored result of this foiltwin version (only ``ok`` ones unless ``include_failed``)."""
        q = "SELECT job_id FROM runs WHERE foiltwin_version = ?" + ("" if include_failed else " AND status = 'ok'")
        return {r[0] for r in self.con.execute(q, [foiltwin_version()]).fetchall()}

    def store(self, res: dict[str, Any]) -> None:
        """Commit one job's result (replacing an earlier one of the same job)."""
        job = res["job"]
        err = res.get("error") or {}
        report = res.get("report")
        rows: list[tuple[str, str, float]] = []
        if report is not None:
            rows += [("plant", k, v) for k, v in flatten({k: v for k, v in report.items() if k != "lines"}).items()]
            for line, kpis in (report.get("lines") or {}).items():
                rows += [(line, k, v) for k, v in flatten(kpis).items()]
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.execute("DELETE FROM runs WHERE job_id = ?", [job.job_id])
            self.con.execute("DELETE FROM kpis WHERE job_id = ?", [job.job_id])
            self.con.execute(
                "INSERT INTO runs (job_id, status, error_field, error_value, error_allowed, error_message, seconds, "
                "foiltwin_version, scenario_json, report_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [job.job_id, res["status"], err.get("field"), err.get("value"), err.get("allowed"),
                 err.get("message"), float(res.get("seconds") or 0.0), foiltwin_version(), job.scenario_json,
                 None if report is None else json.dumps(report)])
            if rows:
                tbl = pa.table({"job_id": [job.job_id] * len(rows), "line": [r[0] for r in rows],
                                "kpi": [r[1] for r in rows], "value": [r[2] for r in rows]})
                self.con.register("new_kpis", tbl)
                self.con.execute("INSERT INTO kpis SELECT job_id, line, kpi, value FROM new_kpis")
                self.con.unregister("new_kpis")
            self.con.execute("COMMIT")
        except Exception:
            self.con.execute("ROLLBACK")
            raise

    # ------------------------------------------------------------------------------------------ reading
    def batches(self) -> list[dict[str, Any]]:
        cur = self.con.execute("SELECT batch_id, name, created FROM batches ORDER BY created")
        return [{"batch_id": b, "name": n, "created": str(c)} for b, n, c in cur.fetchall()]

    def _batch(self, batch: str | None) -> str:
        rows = self.batches()
        if not rows:
            raise FoiltwinInputError("batch", batch, "a batch stored in this database (it has none)")
        if batch is None:
            return rows[-1]["batch_id"]
        for r in rows:
            if batch in (r["batch_id"], r["name"]):
                return r["batch_id"]
        raise FoiltwinInputError("batch", batch, "one of " + ", ".join(f"{r['name']} ({r['batch_id']})"
                                                                       for r in rows))

    def status(self, batch: str | None = None) -> dict[str, Any]:
        """Counts of the batch's jobs by status (``pending``: no stored result) and the failures' errors."""
        bid = self._batch(batch)
        counts = dict(self.con.execute(
            "SELECT coalesce(r.status, 'pending'), count(*) FROM batch_jobs j LEFT JOIN runs r USING (job_id) "
            "WHERE j.batch_id = ? GROUP BY 1", [bid]).fetchall())
        failures = [{"scenario": s, "replication": rep, "field": f, "value": v, "allowed": a, "message": m}
                    for s, rep, f, v, a, m in self.con.execute(
                        "SELECT j.scenario_name, j.replication, r.error_field, r.error_value, r.error_allowed, "
                        "r.error_message FROM batch_jobs j JOIN runs r USING (job_id) "
                        "WHERE j.batch_id = ? AND r.status = 'failed' ORDER BY 1, 2", [bid]).fetchall()]
        return {"batch_id": bid, "counts": counts, "failures": failures}

    def summary(self, batch: str | None = None, kpis: tuple[str, ...] = SUMMARY_KPIS, line: str = "plant"
                ) -> list[dict[str, Any]]:
        """Per scenario: runs ok, and mean, standard deviation, min and max over replications of each KPI."""
        bid = self._batch(batch)
        marks = ", ".join("?" for _ in kpis)
        cur = self.con.execute(
            f"SELECT j.scenario_name, k.kpi, count(*), avg(k.value), stddev_samp(k.value), min(k.value), "
            f"max(k.value), min(j.rowid) FROM batch_jobs j JOIN runs r USING (job_id) JOIN kpis k USING (job_id) "
            f"WHERE j.batch_id = ? AND r.status = 'ok' AND k.line = ? AND k.kpi IN ({marks}) "
            f"GROUP BY 1, 2 ORDER BY 8, 2", [bid, line, *kpis])
        out: dict[str, dict[str, Any]] = {}
        for name, kpi, n, mean, std, lo, hi, _ in cur.fetchall():
            row = out.setdefault(name, {"scenario": name, "runs_ok": n})
            row[kpi] = {"mean": mean, "std": std, "min": lo, "max": hi}
        return list(out.values())

    def export_parquet(self, folder: str | Path) -> list[Path]:
        """Every table to ``folder/<table>.parquet``."""
        d = Path(folder)
        d.mkdir(parents=True, exist_ok=True)
        paths = []
        for table in ("batches", "batch_jobs", "runs", "kpis"):
            p = d / f"{table}.parquet"
            self.con.execute(f"COPY {table} TO '{p.as_posix()}' (FORMAT PARQUET)")
            paths.append(p)
        return paths
