"""The embedded results database of scenario batches (DuckDB, one file).

Tables (schema version :data:`SCHEMA_VERSION`, in ``meta``):
- ``batches`` (batch_id = hash of the spec's name and of its entries' job ids, name, spec JSON, the code and
  parameter fingerprints of the run that added it, created);
- ``batch_jobs`` (batch_id, scenario_name, replication → job_id, seed, overrides, position): one row per entry of
  the spec's expansion; entries with the same job_id are aliases (the same simulation under several names);
- ``runs`` (job_id = hash of the canonical scenario content and the fingerprints, see ``twin.job_identity``;
  status ``ok`` | ``failed``, the error's field, value, allowed range and message, seconds, finish time, the
  fingerprints of the process that made it, the scenario and the full JSON report);
- ``kpis`` (job_id, line — ``plant`` for plant figures —, kpi, value): every numeric KPI of the report in long
  form, nested keys dotted (``skin_thickness_nm.p05``, ``state_hours.breakdown``, ``cost_breakdown.labour``);
- ``factors`` (batch_id, scenario_name, factor, value, value_text): the sweep's or design's value of each factor
  (a dotted scenario field) for each scenario of the batch, numeric ``value`` where the value is a number (bools
  as 0/1), else NULL; :meth:`ResultsDB.runs_table` turns them into one column per factor beside the KPIs, so a
  sweep can be plotted against its factors.

Schema versions: 3 added ``factors``; a file of an older version is refused with a message (start a new file:
results made by older code cannot be trusted to match this code anyway).

Concurrency: DuckDB lets one process open a file for writing, and no other process open it at all meanwhile. So
nothing keeps the file open: a batch opens it for each commit and closes it, readers open it read-only for one
query, and both wait (with backoff) while the other holds it. Every value and path goes to DuckDB as a parameter
or through Python (exports are written by pyarrow), never spliced into SQL text. DuckDB errors (a truncated or
foreign file, a full disk) become :class:`FoiltwinInputError` naming the file.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import time
from collections.abc import Callable, Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from process_models.errors import FoiltwinInputError, FoiltwinPathError
from twin import fingerprint
from twin.files import output_error, write_with_atomic
from twin.kpi_catalogue import KPIS, SUMMARY_VIEW


class BatchId(str):
    """The id of a batch that :meth:`ResultsDB.choose_batch` found stored in a results file: the read methods take it
    as it is, so a caller that resolved ``--batch`` once (to say which batch a shared name selected) passes the id
    on without a second lookup. A plain ``str`` (an id or a name) is resolved as before."""

    __slots__ = ()


def _resolved(row: dict[str, Any]) -> dict[str, Any]:
    """A :meth:`ResultsDB.batches` row whose ``batch_id`` is a :class:`BatchId`."""
    return {**row, "batch_id": BatchId(row["batch_id"])}


SCHEMA_VERSION = "3"
TABLES = ("meta", "batches", "batch_jobs", "runs", "kpis", "factors")
SCHEMA = """
CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE batches (batch_id VARCHAR PRIMARY KEY, name VARCHAR, spec_json VARCHAR, code_fingerprint VARCHAR,
                      parameters_fingerprint VARCHAR, created TIMESTAMP DEFAULT current_timestamp);
CREATE TABLE batch_jobs (batch_id VARCHAR, scenario_name VARCHAR, replication INTEGER, job_id VARCHAR, seed BIGINT,
                         overrides_json VARCHAR, position INTEGER, PRIMARY KEY (batch_id, scenario_name, replication));
CREATE TABLE runs (job_id VARCHAR PRIMARY KEY, status VARCHAR, error_field VARCHAR, error_value VARCHAR,
                   error_allowed VARCHAR, error_message VARCHAR, seconds DOUBLE,
                   finished_at TIMESTAMP DEFAULT current_timestamp, foiltwin_version VARCHAR,
                   code_fingerprint VARCHAR, parameters_fingerprint VARCHAR, scenario_json VARCHAR,
                   report_json VARCHAR);
CREATE TABLE kpis (job_id VARCHAR, line VARCHAR, kpi VARCHAR, value DOUBLE);
CREATE TABLE factors (batch_id VARCHAR, scenario_name VARCHAR, factor VARCHAR, value DOUBLE, value_text VARCHAR,
                      PRIMARY KEY (batch_id, scenario_name, factor));
"""

SUMMARY_KPIS = tuple(k.name for k in SUMMARY_VIEW)  # the KPI catalogue's batch-summary view
READ_WAIT_S = 15.0  # how long a reader waits for a batch's commit to finish
MAX_SHARED_NAMES = 20  # summary: at most this many names of scenarios that share a scenario's runs
WRITE_WAIT_S = 120.0  # how long a batch waits for readers before it gives up (exit 2; the rest resumes later)

T = TypeVar("T")


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


def undefined_leaves(d: dict[str, Any], prefix: str = "") -> list[str]:
    """Dotted keys of the leaves a report gives as None: figures it reports as undefined (a cost per good m² with
    no good m²). The results database keeps them as NULL rows, so a summary can say a KPI is undefined, and why,
    instead of leaving it out."""
    out: list[str] = []
    for k, v in d.items():
        if isinstance(v, dict):
            out += undefined_leaves(v, f"{prefix}{k}.")
        elif v is None:
            out.append(f"{prefix}{k}")
    return out


def undefined_statistics(n: int, undefined: int, kpi: str) -> dict[str, Any]:
    """A summary entry for a KPI that ``undefined`` of ``n`` runs report as undefined: no mean, spread or interval
    (one unbounded run makes the mean unbounded; the others' mean would hide it), and the reason, from the KPI
    catalogue (``Kpi.undefined_when``) or, for a KPI without one, that the report gives no value."""
    k = KPIS.get(kpi)
    why = k.undefined_when if k is not None and k.undefined_when else "the report gives no value"
    return {"mean": None, "std": None, "min": None, "max": None, "n": n, "ci95_half_width": None, "ci95": None,
            "undefined_runs": undefined, "undefined_reason": f"{why} (in {undefined} of {n} runs)"}


def _numeric(v: Any) -> float | None:
    """A factor value as a number (bools as 0/1), None when it is not one."""
    if isinstance(v, bool | int | float) and math.isfinite(float(v)):
        return float(v)
    return None


def _text(v: Any) -> str:
    return v if isinstance(v, str) else json.dumps(v)


def t_quantile_975(dof: int) -> float:
    """The 97.5 % quantile of Student's t with ``dof`` degrees of freedom (two-sided 95 % interval)."""
    from scipy.stats import t

    return float(t.ppf(0.975, dof))


def kpi_statistics(n: int, mean: float, std: float | None, lo: float, hi: float) -> dict[str, Any]:
    """Mean, sample sd, n, min, max and the 95 % t-interval of the mean of ``n`` replications. The sd is exactly 0
    when every value is equal (the database's float sum would leave noise such as 1e-11), None with one value."""
    sd = None if n < 2 else 0.0 if lo == hi else float(std or 0.0)
    half = None if sd is None else t_quantile_975(n - 1) * sd / math.sqrt(n)
    mean = lo if lo == hi else mean
    return {"mean": mean, "std": sd, "min": lo, "max": hi, "n": n, "ci95_half_width": half,
            "ci95": None if half is None else [mean - half, mean + half]}


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0][:300] if text else type(err).__name__


def _is_lock_error(err: BaseException) -> bool:
    text = str(err).lower()
    return "could not set lock" in text or "conflicting lock" in text


def _db_error(path: Path, err: BaseException) -> FoiltwinInputError:
    return FoiltwinPathError("db", str(path), f"a readable foiltwin results database ({_first_line(err)})")


def _connect(path: Path, read_only: bool, wait_s: float) -> duckdb.DuckDBPyConnection:
    """Open ``path``, waiting with backoff while another process holds it."""
    deadline = time.monotonic() + wait_s
    delay = 0.02
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as err:
            left = deadline - time.monotonic()
            if not _is_lock_error(err):
                raise _db_error(path, err) from None
            if left <= 0:
                raise FoiltwinPathError("db", str(path), f"a database no other process keeps open (still locked "
                                         f"after {wait_s:g} s: {_first_line(err)})") from None
            time.sleep(min(delay, left))
            delay = min(delay * 2.0, 0.5)


DUCKDB_MAGIC = b"DUCK"  # bytes 8-12 of every DuckDB database file (after the header block's 8-byte checksum)
HEAD_BYTES = 64  # how much of an existing file is read to tell a DuckDB database from a file of another kind


def _kind_of(head: bytes) -> str:
    """What a file that is not a DuckDB database looks like, by its first bytes (for the refusal's message)."""
    if head.startswith(b"PAR1"):
        return "a Parquet file"
    if head.startswith(b"SQLite format 3"):
        return "an SQLite database"
    if b"\0" not in head and all(b >= 0x20 or b in b"\t\r\n" for b in head):
        return "a text file such as CSV or JSON"
    return "a file of another kind"


FOREIGN_SUFFIXES = (".csv", ".tsv", ".txt", ".json", ".jsonl", ".toml", ".yaml", ".yml", ".parquet", ".xlsx",
                    ".xls", ".sqlite", ".sqlite3")  # names that promise another format: a new database is refused


def _refuse_a_foreign_name(path: Path) -> None:
    """Refuse to create a database under a name that promises another format (``results.csv`` would be a DuckDB
    file that a spreadsheet or pandas then fails to read); ``foiltwin batch export`` writes the tables as Parquet."""
    if path.suffix.lower() in FOREIGN_SUFFIXES and not path.exists():
        raise FoiltwinPathError("db", str(path), f"a new results database named .duckdb (or .db): it is a DuckDB file, "
                                f"not {path.suffix.lower()[1:].upper()}; `foiltwin batch export DB DIR` writes its "
                                "tables as Parquet")


def _refuse_a_foreign_file(path: Path) -> None:
    """Refuse an existing file that is not a DuckDB database before DuckDB opens it: DuckDB reads a .csv, .parquet
    or .json path as a view of that file (whose "tables" a schema check would then name), and an empty file is no
    database either. A path that does not exist yet passes (a batch creates the database there)."""
    try:
        with path.open("rb") as f:
            head = f.read(HEAD_BYTES)
    except FileNotFoundError:
        return
    except OSError as err:
        raise FoiltwinPathError("db", str(path), f"a readable foiltwin results database ({err.strerror})") from None
    if not head:
        why = "this file is empty, 0 bytes, so not a DuckDB database: delete it or name a new file"
    elif head[8:12] != DUCKDB_MAGIC:
        why = f"this file is not a DuckDB database but {_kind_of(head)}: name a new file or a results database"
    else:
        return
    raise FoiltwinPathError("db", str(path), f"a foiltwin results database ({why})")


def _guarded(method: Callable[..., T]) -> Callable[..., T]:
    """DuckDB errors inside a method become a FoiltwinInputError naming the file."""

    @functools.wraps(method)
    def wrapper(self: ResultsDB, *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except duckdb.Error as err:
            raise _db_error(self.path, err) from None

    return wrapper


class ResultsDB:
    """A batch results database; use as a context manager and keep it open only as long as needed (see the
    module's note on concurrency). ``read_only`` never creates or changes anything in the file."""

    def __init__(self, path: str | Path, read_only: bool = False, wait_s: float | None = None) -> None:
        self.path = p = Path(path)
        if p.is_dir():
            raise FoiltwinPathError("db", str(p), "a database file path, not a folder")
        if read_only and not p.is_file():
            raise FoiltwinPathError("db", str(p), "an existing results database (made by `foiltwin batch run`)")
        if not read_only and not p.parent.is_dir():
            raise FoiltwinPathError("db", str(p), f"a path in an existing folder ({p.parent} does not exist)")
        _refuse_a_foreign_file(p)
        if not read_only:
            _refuse_a_foreign_name(p)
        self.read_only = read_only
        self.con = _connect(p, read_only, (READ_WAIT_S if read_only else WRITE_WAIT_S) if wait_s is None else wait_s)
        try:
            self._check_schema()
        except BaseException:
            self.con.close()
            raise

    def __enter__(self) -> ResultsDB:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    @_guarded
    def _check_schema(self) -> None:
        tables = {r[0] for r in self.con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}
        if "meta" in tables:
            rows = self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
            row = rows[0] if rows else None
            if row is not None and row[0] == SCHEMA_VERSION and set(TABLES) <= tables:
                return
            raise FoiltwinPathError("db", str(self.path), f"a foiltwin results database of schema version "
                                     f"{SCHEMA_VERSION} (this one is {row[0] if row else 'unknown'}: start a new file)")
        if not tables and not self.read_only:
            self.con.execute("BEGIN TRANSACTION")
            self.con.execute(SCHEMA)
            self.con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
            self.con.execute("COMMIT")
            return
        if {"batches", "runs"} <= tables:
            why = "made by an older foiltwin, whose results cannot be trusted to match this code: start a new file"
        elif tables:
            why = "this DuckDB file holds other tables: " + ", ".join(sorted(tables)[:5])
        else:
            why = "this DuckDB file is empty"
        raise FoiltwinPathError("db", str(self.path), f"a foiltwin results database ({why})")

    # ------------------------------------------------------------------------------------------ writing
    @_guarded
    def add_batch(self, batch_id: str, name: str, spec_json: str, entries: Iterable[Any]) -> None:
        """Record the batch and its entries (scenario name, replication → job id) in one transaction, once (a
        resumed batch has the same id): a reader never sees a batch without its entries."""
        fp = fingerprint.fingerprints()
        entries = list(entries)
        rows = [(batch_id, e.scenario_name, e.replication, e.job_id, e.seed, json.dumps(list(e.overrides)), i)
                for i, e in enumerate(entries)]
        factor_rows = list({(e.scenario_name, k): (batch_id, e.scenario_name, k, _numeric(v), _text(v))
                            for e in entries for k, v in getattr(e, "factors", ())}.values())
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.execute("INSERT INTO batches (batch_id, name, spec_json, code_fingerprint, "
                             "parameters_fingerprint) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                             [batch_id, name, spec_json, fp["code"], fp["parameters"]])
            if rows:
                self.con.executemany("INSERT INTO batch_jobs VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                                     rows)
            if factor_rows:
                self.con.executemany("INSERT INTO factors VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", factor_rows)
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    @_guarded
    def finished_jobs(self, include_failed: bool = True) -> set[str]:
        """Ids of jobs with a stored result made by this code and these parameters (only ``ok`` ones unless
        ``include_failed``)."""
        fp = fingerprint.fingerprints()
        q = ("SELECT job_id FROM runs WHERE code_fingerprint = ? AND parameters_fingerprint = ?"
             + ("" if include_failed else " AND status = 'ok'"))
        return {r[0] for r in self.con.execute(q, [fp["code"], fp["parameters"]]).fetchall()}

    @_guarded
    def store(self, results: dict[str, Any] | list[dict[str, Any]]) -> None:
        """Commit results (one transaction; each replaces an earlier result of the same job)."""
        results = [results] if isinstance(results, dict) else list(results)
        if not results:
            return
        runs, kpi_rows = [], []
        for res in results:
            job, err, report = res["job"], res.get("error") or {}, res.get("report")
            fp = res.get("fingerprints") or {}
            runs.append((job.job_id, res["status"], err.get("field"), err.get("value"), err.get("allowed"),
                         err.get("message"), float(res.get("seconds") or 0.0), foiltwin_version(), fp.get("code"),
                         fp.get("parameters"), job.scenario_json, None if report is None else json.dumps(report)))
            if report is not None:
                for line, kpis in [("plant", {k: v for k, v in report.items() if k != "lines"}),
                                   *(report.get("lines") or {}).items()]:
                    kpi_rows += [(job.job_id, line, k, v) for k, v in flatten(kpis).items()]
                    kpi_rows += [(job.job_id, line, k, None) for k in undefined_leaves(kpis)]  # NULL: undefined
        ids = pa.table({"job_id": [r[0] for r in runs]})
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.register("done_ids", ids)
            self.con.execute("DELETE FROM runs WHERE job_id IN (SELECT job_id FROM done_ids)")
            self.con.execute("DELETE FROM kpis WHERE job_id IN (SELECT job_id FROM done_ids)")
            self.con.unregister("done_ids")
            self.con.executemany(
                "INSERT INTO runs (job_id, status, error_field, error_value, error_allowed, error_message, seconds, "
                "foiltwin_version, code_fingerprint, parameters_fingerprint, scenario_json, report_json) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", runs)
            if kpi_rows:
                tbl = pa.table({name: pa.array([r[i] for r in kpi_rows], type=kind) for i, (name, kind) in
                                enumerate((("job_id", pa.string()), ("line", pa.string()), ("kpi", pa.string()),
                                           ("value", pa.float64())))})
                self.con.register("new_kpis", tbl)
                self.con.execute("INSERT INTO kpis SELECT job_id, line, kpi, value FROM new_kpis")
                self.con.unregister("new_kpis")
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    # ------------------------------------------------------------------------------------------ reading
    @_guarded
    def batches(self) -> list[dict[str, Any]]:
        cur = self.con.execute("SELECT batch_id, name, created, code_fingerprint, parameters_fingerprint "
                               "FROM batches ORDER BY created, rowid")
        return [{"batch_id": b, "name": n, "created": str(c), "code_fingerprint": cf, "parameters_fingerprint": pf}
                for b, n, c, cf, pf in cur.fetchall()]

    def choose_batch(self, batch: str | None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The stored batch ``batch`` selects (a :meth:`batches` row) and the other batches of the same name, oldest
        first. An id selects its batch; a name the latest batch of that name (the others are returned so that a
        caller can say the name was ambiguous); None the latest batch. The chosen row's ``batch_id`` is a
        :class:`BatchId`: handed back to the read methods (:meth:`status`, :meth:`summary`, ...), it is used as it
        is, not resolved again."""
        rows = self.batches()
        if not rows:
            raise FoiltwinInputError("batch", batch, "a batch stored in this database (it has none)")
        if batch is None:
            return _resolved(rows[-1]), []
        by_id = [r for r in rows if r["batch_id"] == batch]
        if by_id:
            return _resolved(by_id[0]), []
        named = [r for r in rows if r["name"] == batch]
        if named:
            return _resolved(named[-1]), named[:-1]
        raise FoiltwinInputError("batch", batch, "one of " + ", ".join(f"{r['name']} ({r['batch_id']})"
                                                                       for r in rows))

    def _batch(self, batch: str | None) -> BatchId:
        """The id of ``batch`` (an id or a name; the latest of that name), or of the latest batch; a
        :class:`BatchId` (already resolved) as it is."""
        if isinstance(batch, BatchId):
            return batch
        return self.choose_batch(batch)[0]["batch_id"]

    def _line(self, bid: str, line: str) -> str:
        """``line`` if it is ``plant`` or a line (or furnace) name with KPIs stored for batch ``bid``; else a
        :class:`FoiltwinInputError` naming the names present (an unknown name would select nothing, silently)."""
        if line == "plant":
            return line
        names = [n for n, in self.con.execute(
            "SELECT DISTINCT line FROM kpis WHERE job_id IN (SELECT job_id FROM batch_jobs WHERE batch_id = ?) "
            "ORDER BY line", [bid]).fetchall()]
        if line in names:
            return line
        if not names:
            raise FoiltwinInputError("line", line, f"plant (batch {bid} has no stored results yet to name its lines)")
        present = ["plant", *(n for n in names if n != "plant")]
        raise FoiltwinInputError("line", line, f"one of the names in batch {bid}: {', '.join(present)}")

    @_guarded
    def status(self, batch: str | None = None) -> dict[str, Any]:
        """Counts of the batch's distinct jobs by status (``pending``: no stored result), its entries and the
        aliases among them, and the failures' errors (one per failed job)."""
        bid = self._batch(batch)
        counts = dict(self.con.execute(
            "SELECT coalesce(r.status, 'pending'), count(*) FROM (SELECT DISTINCT job_id FROM batch_jobs "
            "WHERE batch_id = ?) j LEFT JOIN runs r USING (job_id) GROUP BY 1", [bid]).fetchall())
        groups = self.con.execute(
            "SELECT job_id, list(scenario_name ORDER BY position), list(replication ORDER BY position), "
            "min(position) FROM batch_jobs WHERE batch_id = ? GROUP BY job_id ORDER BY 4", [bid]).fetchall()
        entries = {jid: list(zip(names, reps, strict=True)) for jid, names, reps, _ in groups}
        aliases = [{"job_id": jid, "entries": [f"{n} [rep {r}]" for n, r in e]}
                   for jid, e in entries.items() if len(e) > 1]
        failures = []
        for jid, f, v, a, m in self.con.execute(
                "SELECT r.job_id, r.error_field, r.error_value, r.error_allowed, r.error_message FROM runs r "
                "WHERE r.status = 'failed' AND r.job_id IN (SELECT job_id FROM batch_jobs WHERE batch_id = ?)",
                [bid]).fetchall():
            (name, rep), *others = entries[jid]
            failures.append({"scenario": name, "replication": rep, "field": f, "value": v, "allowed": a,
                             "message": m, "aliases": [f"{n} [rep {r}]" for n, r in others]})
        failures.sort(key=lambda x: (x["scenario"], x["replication"]))
        return {"batch_id": bid, "counts": counts, "jobs": len(entries), "entries": sum(map(len, entries.values())),
                "aliases": aliases, "failures": failures}

    @_guarded
    def summary(self, batch: str | None = None, kpis: tuple[str, ...] = SUMMARY_KPIS, line: str = "plant"
                ) -> list[dict[str, Any]]:
        """Per scenario: runs ok, its factor values, and per KPI the mean, standard deviation, n, min, max and 95 %
        t-interval of the mean over replications (:func:`kpi_statistics`) — or, where a run reports the KPI as
        undefined (a cost per good m² without good m²), no mean and the reason (:func:`undefined_statistics`) —, and
        the other scenarios it shares runs with (aliases; at most :data:`MAX_SHARED_NAMES`)."""
        bid = self._batch(batch)
        line = self._line(bid, line)
        factors = self.factors(bid)  # before the query below: a new execute ends its cursor
        marks = ", ".join("?" for _ in kpis)
        cur = self.con.execute(
            f"SELECT j.scenario_name, k.kpi, count(*), count(k.value), avg(k.value), stddev_samp(k.value), "
            f"min(k.value), max(k.value), min(j.position) FROM batch_jobs j JOIN runs r USING (job_id) "
            f"JOIN kpis k USING (job_id) "
            f"WHERE j.batch_id = ? AND r.status = 'ok' AND k.line = ? AND k.kpi IN ({marks}) "
            f"GROUP BY 1, 2 ORDER BY 9, 2", [bid, line, *kpis])
        found = cur.fetchall()
        currency = {name: json.loads(text or "{}").get("currency", "USD") for name, text in self.con.execute(
            "SELECT j.scenario_name, any_value(r.scenario_json) FROM batch_jobs j JOIN runs r USING (job_id) "
            "WHERE j.batch_id = ? GROUP BY 1", [bid]).fetchall()}
        out: dict[str, dict[str, Any]] = {}
        for name, kpi, n, defined, mean, std, lo, hi, _ in found:
            row = out.setdefault(name, {"scenario": name, "runs_ok": n, "shares_runs_with": [],
                                        "factors": factors.get(name, {})})
            k = KPIS.get(kpi)
            stats = kpi_statistics(n, mean, std, lo, hi) if defined == n else undefined_statistics(n, n - defined, kpi)
            row[kpi] = {**stats, "unit": k.value_unit(currency.get(name, "USD")) if k is not None else ""}
        shares: dict[str, set[str]] = {}
        for names, in self.con.execute(  # per shared job, the first names of its entries (bounded work)
                f"SELECT list_slice(list(DISTINCT scenario_name ORDER BY scenario_name), 1, {MAX_SHARED_NAMES + 1}) "
                "FROM batch_jobs WHERE batch_id = ? GROUP BY job_id HAVING count(DISTINCT scenario_name) > 1",
                [bid]).fetchall():
            for name in names:
                shares.setdefault(name, set()).update(names)
        for name, row in out.items():
            row["shares_runs_with"] = sorted(shares.get(name, set()) - {name})[:MAX_SHARED_NAMES]
        return list(out.values())

    @_guarded
    def factors(self, batch: str | None = None) -> dict[str, dict[str, Any]]:
        """Per scenario of the batch: its factor values (numbers where they are numbers, else the TOML text)."""
        bid = self._batch(batch)
        out: dict[str, dict[str, Any]] = {}
        for name, factor, value, text in self.con.execute(
                "SELECT scenario_name, factor, value, value_text FROM factors WHERE batch_id = ? ORDER BY rowid",
                [bid]).fetchall():
            out.setdefault(name, {})[factor] = value if value is not None else text
        return out

    @_guarded
    def runs_table(self, batch: str | None = None, kpis: tuple[str, ...] = SUMMARY_KPIS, line: str = "plant"
                   ) -> list[dict[str, Any]]:
        """One row per entry (scenario, replication) with a finished job: seed, status, one column per factor and
        one per KPI (None where the run failed), in the order of the spec's expansion."""
        bid = self._batch(batch)
        line = self._line(bid, line)
        factors = self.factors(bid)
        names = list(dict.fromkeys(k for f in factors.values() for k in f))
        rows = self.con.execute(
            "SELECT j.scenario_name, j.replication, j.seed, r.status, j.job_id FROM batch_jobs j JOIN runs r "
            "USING (job_id) WHERE j.batch_id = ? ORDER BY j.position", [bid]).fetchall()
        marks = ", ".join("?" for _ in kpis)
        values: dict[tuple[str, str], float] = {
            (jid, kpi): v for jid, kpi, v in self.con.execute(
                f"SELECT k.job_id, k.kpi, k.value FROM kpis k WHERE k.line = ? AND k.kpi IN ({marks}) AND k.job_id IN "
                "(SELECT job_id FROM batch_jobs WHERE batch_id = ?)", [line, *kpis, bid]).fetchall()}
        return [{"scenario": name, "replication": rep, "seed": seed, "status": status,
                 **{f: factors.get(name, {}).get(f) for f in names},
                 **{k: values.get((jid, k)) for k in kpis}} for name, rep, seed, status, jid in rows]

    @_guarded
    def positioned_results(self, batch: str | None = None, kpis: tuple[str, ...] = SUMMARY_KPIS,
                           line: str = "plant") -> dict[str, Any]:
        """The batch's spec (JSON, as run) and every entry by its position in the spec's expansion: replication,
        status (``pending`` without a result) and its ``kpis`` (missing ones left out). For analyses that
        rebuild the design from the spec (Sobol indices of a ``sobol`` design)."""
        bid = self._batch(batch)
        line = self._line(bid, line)
        (spec_json,) = self.con.execute("SELECT spec_json FROM batches WHERE batch_id = ?", [bid]).fetchone()
        marks = ", ".join("?" for _ in kpis)
        values: dict[str, dict[str, float]] = {}
        for jid, kpi, v in self.con.execute(
                f"SELECT k.job_id, k.kpi, k.value FROM kpis k WHERE k.line = ? AND k.kpi IN ({marks}) AND k.job_id IN "
                "(SELECT job_id FROM batch_jobs WHERE batch_id = ?)", [line, *kpis, bid]).fetchall():
            values.setdefault(jid, {})[kpi] = v
        rows = self.con.execute(
            "SELECT j.position, j.replication, coalesce(r.status, 'pending'), j.job_id FROM batch_jobs j LEFT JOIN "
            "runs r USING (job_id) WHERE j.batch_id = ? ORDER BY j.position", [bid]).fetchall()
        return {"batch_id": bid, "spec_json": spec_json,
                "entries": [{"position": pos, "replication": rep, "status": status,
                             "kpis": values.get(jid, {}) if status == "ok" else {}}
                            for pos, rep, status, jid in rows]}

    def export_parquet(self, folder: str | Path) -> list[Path]:
        """Every table to ``folder/<table>.parquet``, each written atomically (pyarrow writes the file: no path
        goes into SQL)."""
        d = Path(folder)
        try:
            d.mkdir(parents=True, exist_ok=True)
        except (OSError, ValueError) as err:
            raise (output_error("DIR", d, err, "folder") if isinstance(err, OSError)
                   else FoiltwinInputError("DIR", str(d), "a folder path")) from None
        paths = []
        for table in TABLES:  # names from the fixed tuple above, never from input
            p = d / f"{table}.parquet"
            write_with_atomic(p, lambda tmp, table=table: self._write_table(table, tmp), field="DIR")
            paths.append(p)
        return paths

    @_guarded
    def _write_table(self, table: str, target: Path) -> None:
        rel = self.con.sql(f"SELECT * FROM {table}")
        to_reader = getattr(rel, "to_arrow_reader", None) or rel.fetch_arrow_reader  # DuckDB 2 / 1.x
        reader = to_reader(65536)
        with pq.ParquetWriter(target, reader.schema) as writer:
            for chunk in reader:
                writer.write_batch(chunk)


def batch_id_of(name: str, entries: Iterable[Any]) -> str:
    """A batch's id: the hash of its name and of its entries (scenario name, replication, job id). The same spec
    with the same base, code and parameters gets the same id (a rerun resumes it); anything else, a new one."""
    h = hashlib.sha256(name.encode())
    for e in entries:
        h.update(f"\0{e.scenario_name}\0{e.replication}\0{e.job_id}".encode())
    return h.hexdigest()[:16]
