"""Headless scenario batches: a spec expands into jobs (scenarios × replications) that run in parallel, locally or
on a Dask cluster, with every result committed to an embedded DuckDB database as soon as it arrives.

- **Spec** (TOML, :class:`BatchSpec`): a base scenario (file or the built-in plant), named scenarios given as
  ``dotted.key=value`` overrides, a full-factorial ``sweep`` over scenario fields, and replications (seeds
  ``base seed + i``: the same seeds for every scenario, common random numbers).
- **Jobs** carry their scenario as JSON; a job's id is the hash of that JSON, so a job that already has a result
  in the database is skipped — a crashed or interrupted batch resumes where it stopped.
- **Failures** stay local: a scenario that does not validate or raises while running is stored as ``failed`` with
  the field, value and allowed range of the error; the other jobs go on.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from process_models.errors import FoiltwinInputError
from twin.input_files import read_toml_file
from twin.parameter_set import load_parameter_set
from twin.results_db import ResultsDB, foiltwin_version
from twin.scenario import Scenario, apply_overrides, error_from_pydantic, load_scenario, with_parameter_set
from twin.simulate import run_single


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NamedScenario(_Model):
    """One scenario of the batch: a name and its overrides of the base (``dotted.key=value``)."""

    name: str = Field(min_length=1, max_length=128)
    set: tuple[str, ...] = ()


class BatchSpec(_Model):
    """What to run. ``sweep`` maps scenario fields to lists of values (full factorial, crossed with every named
    scenario, or with the base alone when there are none)."""

    name: str = Field(default="batch", min_length=1, max_length=128)
    base: str | None = None  # scenario TOML, relative to the spec file; None: the built-in plant
    params: str | None = None  # fitted parameter set (JSON, `foiltwin calibrate`), relative to the spec file
    hours: float | None = Field(default=None, gt=0.0, le=24.0 * 366)
    replications: int = Field(default=1, ge=1, le=1000)
    scenarios: tuple[NamedScenario, ...] = ()
    sweep: dict[str, list[Any]] = Field(default_factory=dict)

    @field_validator("sweep")
    @classmethod
    def _non_empty(cls, v: dict[str, list[Any]]) -> dict[str, list[Any]]:
        for key, values in v.items():
            if not values:
                raise ValueError(f"sweep.{key} has no values")
        return v


def load_spec(path: str | Path) -> tuple[BatchSpec, Path]:
    """Read a batch spec (TOML); returns it and the folder that relative paths start from."""
    p = Path(path)
    data = read_toml_file(p, "batch spec")
    try:
        return BatchSpec.model_validate(data), p.parent
    except ValidationError as err:
        raise error_from_pydantic(err, "batch") from None


def _value(v: Any) -> str:
    """A sweep value as the right-hand side of an override (TOML syntax)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)
    return repr(v) if isinstance(v, float) else str(v)


@dataclass(frozen=True)
class Job:
    """One simulation: the scenario as JSON (with its seed) and where it comes from in the spec."""

    job_id: str
    scenario_name: str
    replication: int
    seed: int
    overrides: tuple[str, ...]
    scenario_json: str | None  # None: the scenario did not validate (``error`` says why)
    error: dict[str, Any] | None = None


def _job_id(payload: str) -> str:
    """Content address of a job: its scenario (or, when invalid, its inputs) and the foiltwin version."""
    return hashlib.sha256(f"{foiltwin_version()}\n{payload}".encode()).hexdigest()[:24]


def expand(spec: BatchSpec, root: Path | None = None) -> list[Job]:
    """The jobs of ``spec``: named scenarios (or the base) × sweep points × replications, in a stable order."""
    base = load_scenario(None if spec.base is None else (root or Path(".")) / spec.base)
    if spec.params is not None:
        base = with_parameter_set(base, load_parameter_set((root or Path(".")) / spec.params, "params"))
    if spec.hours is not None:
        base = base.model_copy(update={"hours": spec.hours})
    named = list(spec.scenarios) or [NamedScenario(name="base")]
    keys = list(spec.sweep)
    points = list(itertools.product(*(spec.sweep[k] for k in keys))) if keys else [()]
    jobs = []
    for sc in named:
        for point in points:
            sweep_set = tuple(f"{k}={_value(v)}" for k, v in zip(keys, point, strict=True))
            name = sc.name + "".join(f" | {k}={_value(v)}" for k, v in zip(keys, point, strict=True))
            overrides = (*sc.set, *sweep_set)
            for r in range(spec.replications):
                seed = base.seed + r
                try:
                    scenario = apply_overrides(base, [*overrides, f"seed={seed}"])
                except FoiltwinInputError as err:
                    key = json.dumps({"base": base.model_dump(mode="json"), "set": overrides, "seed": seed},
                                     sort_keys=True)
                    jobs.append(Job(_job_id(key), name, r, seed, overrides, None, _error(err)))
                    continue
                payload = scenario.model_dump_json()
                jobs.append(Job(_job_id(payload), name, r, seed, overrides, payload))
    return jobs


def _error(err: BaseException) -> dict[str, Any]:
    if isinstance(err, FoiltwinInputError):
        return {"field": err.field, "value": repr(err.value), "allowed": str(err.allowed), "message": str(err)}
    return {"field": None, "value": None, "allowed": None,
            "message": f"{type(err).__name__}: {err}\n{traceback.format_exc(limit=5)}"}


def run_job(job: Job) -> dict[str, Any]:
    """Run one job (in a worker process); never raises — a failure comes back as a result with its error."""
    t0 = time.perf_counter()
    if job.scenario_json is None:
        return {"job": job, "status": "failed", "error": job.error, "report": None, "seconds": 0.0}
    try:
        report = run_single(Scenario.model_validate_json(job.scenario_json))
        return {"job": job, "status": "ok", "error": None, "report": report, "seconds": time.perf_counter() - t0}
    except Exception as err:  # a failed scenario must not stop the batch: record it
        return {"job": job, "status": "failed", "error": _error(err), "report": None,
                "seconds": time.perf_counter() - t0}


def _local(jobs: list[Job], workers: int) -> Iterator[dict[str, Any]]:
    if workers <= 1:
        for job in jobs:
            yield run_job(job)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run_job, job) for job in jobs]
        for f in as_completed(futures):
            yield f.result()


def _dask(jobs: list[Job], scheduler: str) -> Iterator[dict[str, Any]]:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise FoiltwinInputError("scheduler", scheduler, "a Dask scheduler, with the 'dask' extra installed "
                                 "(pip install 'foiltwin[dask]')") from None
    try:
        client = Client(scheduler)
    except OSError as err:
        raise FoiltwinInputError("scheduler", scheduler, f"a reachable Dask scheduler address ({err})") from None
    try:
        futures = client.map(run_job, jobs, pure=False)
        for f in dask_completed(futures):
            yield f.result()
    finally:
        client.close()


@dataclass(frozen=True)
class BatchOutcome:
    """What a call of :func:`run_batch` did."""

    batch_id: str
    jobs: int
    skipped: int
    ok: int
    failed: int
    seconds: float


def run_batch(spec: BatchSpec, db_path: str | Path, root: Path | None = None, workers: int = 1,
              scheduler: str | None = None, retry_failed: bool = False,
              progress: Callable[[dict[str, Any]], None] | None = None) -> BatchOutcome:
    """Run the jobs of ``spec`` that have no stored result yet (and, with ``retry_failed``, the failed ones),
    committing each result to the DuckDB file ``db_path`` as it arrives."""
    if workers < 1:
        raise FoiltwinInputError("workers", workers, "an integer ≥ 1")
    t0 = time.perf_counter()
    jobs = expand(spec, root)
    with ResultsDB(db_path) as db:
        batch_id = db.add_batch(spec.name, spec.model_dump_json())
        db.add_jobs(batch_id, jobs)
        done = db.finished_jobs(include_failed=not retry_failed)
        todo = [j for j in jobs if j.job_id not in done]
        ok = failed = 0
        results: Iterable[dict[str, Any]] = (_dask(todo, scheduler) if scheduler is not None
                                             else _local(todo, workers))
        for res in results:
            db.store(res)
            ok += res["status"] == "ok"
            failed += res["status"] == "failed"
            if progress is not None:
                progress(res)
    return BatchOutcome(batch_id, len(jobs), len(jobs) - len(todo), ok, failed, time.perf_counter() - t0)
