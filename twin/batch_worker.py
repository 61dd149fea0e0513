"""What a batch worker process runs: one job of a batch, and the worker's start (issue 15).

Kept apart from :mod:`twin.batch` so that a worker imports only what a simulation needs: a spawned local worker or a
Dask worker unpickles :func:`run_job` and :class:`Job` from here, and never loads the batch's store (DuckDB, pyarrow)
or its spec models. A worker imports once and runs many jobs: :func:`init_worker` (the local pool's initializer)
makes it die with its parent (:mod:`twin.worker_guard`) and warms it up (:func:`warm_up`: the imports and the
fingerprints every job checks), and the Dask path runs :func:`warm_up` on every worker before the jobs are mapped.
Warming computes nothing a job's result depends on: the same job gives the same report in a fresh or a warm
process (the per-run caches live on each run's own objects). A worker keeps the segment histories its jobs solved
(:data:`_WORKER_PHYSICS_CACHE`, a :class:`twin.physics_memo.PhysicsMemo`): replications of one plant meet mostly
the same histories, so later jobs solve only what is new to the worker, and their reports stay those of a fresh
process bit for bit (see :mod:`twin.physics_memo`).
"""

from __future__ import annotations

import importlib
import time
import traceback
from dataclasses import dataclass
from typing import Any

from process_models.errors import FoiltwinInputError
from twin import fingerprint
from twin.physics_memo import PhysicsMemo
from twin.worker_guard import guard_worker

_WORKER_PHYSICS_CACHE = PhysicsMemo()  # this worker process's solved histories, across its jobs (bounded)


@dataclass(frozen=True)
class Job:
    """One entry of a batch: a named scenario (with its sweep values) and a replication, and the job that simulates
    it (``job_id``; entries with the same job id are aliases). ``scenario_json`` is None when the scenario did not
    validate (``error`` says why). The fingerprints are those of the process that expanded the spec."""

    job_id: str
    scenario_name: str
    replication: int
    seed: int
    overrides: tuple[str, ...]
    scenario_json: str | None
    error: dict[str, Any] | None = None
    code_fingerprint: str = ""
    parameters_fingerprint: str = ""
    factors: tuple[tuple[str, Any], ...] = ()  # the sweep's or design's (field, value) of this entry


def error_record(err: BaseException) -> dict[str, Any]:
    """A failure as stored: the field, value and allowed range of an input error, else the exception's text."""
    if isinstance(err, FoiltwinInputError):
        return {"field": err.field, "value": repr(err.value)[:200], "allowed": str(err.allowed),
                "message": str(err)}
    return {"field": None, "value": None, "allowed": None,
            "message": f"{type(err).__name__}: {err}\n{traceback.format_exc(limit=5)}"}


def warm_up() -> dict[str, str]:
    """Import the simulation and compute this process's fingerprints (both once per process); returns them. Run
    once per worker before its first job, so no job pays for them."""
    for module in ("twin.scenario", "twin.simulate"):  # the imports a job needs (kept in sys.modules)
        importlib.import_module(module)
    return fingerprint.fingerprints()


def init_worker(parent_pid: int) -> None:
    """Local pool initializer: die with the batch process ``parent_pid``, then warm up."""
    guard_worker(parent_pid)
    warm_up()


def _mismatch(job: Job, fp: dict[str, str]) -> dict[str, Any]:
    return {"field": "worker", "value": f"code {fp['code']}, parameters {fp['parameters']}",
            "allowed": f"code {job.code_fingerprint}, parameters {job.parameters_fingerprint}",
            "message": "this worker's foiltwin code or parameters differ from the batch's: install the same foiltwin "
                       "on every worker"}


def run_job(job: Job) -> dict[str, Any]:
    """Run one job (in a worker process); never raises — a failure comes back as a result with its error. The
    result carries this process's fingerprints; a worker whose code or parameters differ from the batch's
    refuses the job."""
    from twin.scenario import Scenario
    from twin.simulate import run_single

    t0 = time.perf_counter()
    fp = fingerprint.fingerprints()
    out: dict[str, Any] = {"job": job, "status": "failed", "error": job.error, "report": None, "seconds": 0.0,
                           "fingerprints": fp}
    if job.scenario_json is None:
        return out
    if (job.code_fingerprint, job.parameters_fingerprint) != (fp["code"], fp["parameters"]):
        out["error"] = _mismatch(job, fp)
        return out
    try:
        out.update(status="ok", error=None, report=run_single(Scenario.model_validate_json(job.scenario_json),
                                                                   physics_memo=_WORKER_PHYSICS_CACHE))
    except Exception as err:  # a failed scenario must not stop the batch: record it
        out.update(status="failed", error=error_record(err), report=None)
    out["seconds"] = time.perf_counter() - t0
    return out
