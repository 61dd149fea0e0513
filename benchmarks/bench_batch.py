"""Benchmark: replications of the default plant through ``foiltwin batch`` machinery, 1 worker against 2 (local
processes and a Dask cluster of worker processes), and the store's overhead (issue 15).

Run: ``python benchmarks/bench_batch.py [--jobs 100] [--hours 168] [--workers 2] [--no-dask] [--loop]``. The jobs are
``--jobs`` replications (seeds 1, 2, ...) of the default plant over ``--hours``. Baselines measured in the same run:
the batch with 1 worker (in this process, imports done, every cache cleared first) and, with ``--loop``, a plain
loop of ``run_single`` with nothing stored.

Parallel efficiency = T(1 worker) / (workers × T(workers)), on wall time (what a user waits for) and on CPU time
(the work done by every process of the run — this one, the workers, Dask's scheduler and nannies —: the work the
parallel run adds, whatever else the machine runs). On a machine shared with other jobs the wall figure also counts
the waits for a core; the CPU figure does not.

Goals: ``--jobs 100 --hours 168`` on 2 workers ≤ 60 s; efficiency ≥ 90 % on 2 workers, local and Dask.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from caches import clear_all_caches
from measure import compile_bytecode, machine, row

from twin.batch import BatchSpec, expand, run_batch
from twin.scenario import Scenario
from twin.simulate import run_single


def _live_descendants_cpu_s() -> float:
    """CPU time [s] of this process's live descendants (Linux /proc; 0 elsewhere), their reaped children included."""
    tick = os.sysconf("SC_CLK_TCK")
    parent: dict[int, int] = {}
    times: dict[int, float] = {}
    for d in Path("/proc").glob("[0-9]*"):
        try:
            fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parent[int(d.name)] = int(fields[1])
        times[int(d.name)] = sum(int(x) for x in fields[11:15]) / tick  # utime, stime, cutime, cstime
    mine, grew = {os.getpid()}, True
    while grew:
        new = {p for p, pp in parent.items() if pp in mine and p not in mine}
        mine |= new
        grew = bool(new)
    return sum(times[p] for p in mine if p != os.getpid())


def cpu_s() -> float:
    """CPU time [s] of this process and of all its descendants, live (workers, nannies) or reaped."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime + _live_descendants_cpu_s()


def timed(fn: Callable[[], object]) -> tuple[float, float, object]:
    """Wall [s], CPU [s] and result of ``fn()``; caches cleared first (a cold start for the in-process run)."""
    clear_all_caches()
    t0, c0 = time.perf_counter(), cpu_s()
    out = fn()
    return time.perf_counter() - t0, cpu_s() - c0, out


def dask_run(spec: BatchSpec, db: Path, workers: int, profiler: bool) -> tuple[float, float, object]:
    """Wall [s], CPU [s] and outcome of the batch on a running local Dask cluster of ``workers`` single-threaded
    worker processes (a cluster a user keeps: its start is not timed; the batch's warm-up of the workers is).
    ``profiler``: Dask's statistical profiler on in the workers (Dask's default; docs/batches.md advises it off for
    batch clusters, ``distributed.worker.profile.enabled: false``)."""
    import dask
    import distributed

    with dask.config.set({"distributed.worker.profile.enabled": profiler}), \
            distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                     dashboard_address=None) as cluster:
        time.sleep(1.0)  # the workers have registered and settled
        return timed(lambda: run_batch(spec, db, scheduler=cluster.scheduler_address))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=100, help="replications of the default plant")
    ap.add_argument("--hours", type=float, default=168.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-dask", action="store_true", help="skip the Dask cluster")
    ap.add_argument("--loop", action="store_true", help="also time a plain run_single loop (the store's overhead)")
    args = ap.parse_args()
    print(compile_bytecode())
    w = args.workers
    print(f"machine: {machine()}")
    started = time.strftime("%Y-%m-%d %H:%M")
    spec = BatchSpec(name="bench", hours=args.hours, replications=args.jobs)
    jobs = expand(spec)
    run_single(Scenario.model_validate_json(jobs[0].scenario_json).model_copy(update={"hours": 1.0}))  # imports
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        if args.loop:
            t_loop, c_loop, _ = timed(lambda: [run_single(Scenario.model_validate_json(j.scenario_json))
                                               for j in jobs])
        t1, c1, one = timed(lambda: run_batch(spec, tmp / "one.duckdb", workers=1))
        tw, cw, par = timed(lambda: run_batch(spec, tmp / "par.duckdb", workers=w))
        t_resume, _, resumed = timed(lambda: run_batch(spec, tmp / "par.duckdb", workers=w))
        if not args.no_dask:
            dask_runs = {on: dask_run(spec, tmp / f"dask{on}.duckdb", w, on) for on in (False, True)}
    assert one.ok == par.ok == len(jobs) and resumed.skipped == len(jobs)  # type: ignore[attr-defined]
    assert args.no_dask or all(out.ok == len(jobs) for _, _, out in dask_runs.values())  # type: ignore[attr-defined]
    print(f"started {started}, finished {time.strftime('%H:%M')}: {len(jobs)} replications x {args.hours:g} h of "
          f"the default plant")
    print(row("measure", "value", "goal"))
    if args.loop:
        print(row("plain run_single loop [s] (CPU)", f"{t_loop:.1f} ({c_loop:.1f})"))
        print(row("batch 1 worker over the loop (the store's overhead), CPU", f"{(c1 / c_loop - 1) * 100:+.1f}%"))
    print(row("batch, 1 worker (baseline) [s] (CPU)", f"{t1:.1f} ({c1:.1f})"))
    goal = args.jobs >= 100 and args.hours >= 168.0
    print(row(f"batch, {w} local workers [s] (CPU)", f"{tw:.1f} ({cw:.1f})", "<= 60 s" if goal else "",
              tw <= 60.0 if goal else None))
    print(row(f"  efficiency on {w} local workers, wall", f"{t1 / (w * tw) * 100:.0f}%", ">= 90%",
              t1 / (w * tw) >= 0.9))
    print(row(f"  efficiency on {w} local workers, CPU", f"{c1 / cw * 100:.0f}%", ">= 90%", c1 / cw >= 0.9))
    if not args.no_dask:
        for on, (td, cd, _) in dask_runs.items():
            label = "Dask's profiler on (its default)" if on else "profiler off, as docs/batches.md advises"
            print(row(f"batch, Dask {w} worker processes, {label} [s] (CPU)", f"{td:.1f} ({cd:.1f})"))
            print(row(f"  efficiency on {w} Dask workers, wall", f"{t1 / (w * td) * 100:.0f}%", ">= 90%",
                      t1 / (w * td) >= 0.9))
            print(row(f"  efficiency on {w} Dask workers, CPU", f"{c1 / cd * 100:.0f}%", ">= 90%",
                      c1 / cd >= 0.9))
    print(row("rerun of a finished batch (everything skipped) [s]", f"{t_resume:.2f}"))
    print(f"machine at the end: {machine()}")


if __name__ == "__main__":
    main()
