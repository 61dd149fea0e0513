"""Benchmark: a scenario batch through ``foiltwin batch`` machinery against plain ``run_single`` calls.

Run: ``python benchmarks/bench_batch.py [--jobs 12] [--hours 24] [--workers 2]``. The baseline, measured in the
same run, is a Python loop of ``run_single`` over the same scenarios with nothing stored. Printed: the batch's
overhead (spec expansion, DuckDB writes) serially, and the speed-up of worker processes on this machine's cores.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from caches import clear_all_caches

from twin.batch import BatchSpec, expand, run_batch
from twin.scenario import Scenario
from twin.simulate import run_single


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=12, help="scenarios (a sweep over the UHT web speed)")
    ap.add_argument("--hours", type=float, default=24.0)
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    args = ap.parse_args()
    speeds = [round(0.8 + 0.05 * i, 3) for i in range(args.jobs)]
    spec = BatchSpec(name="bench", hours=args.hours, sweep={"plant.lines.1.settings.web_speed_m_per_min": speeds})
    jobs = expand(spec)
    run_single(Scenario.model_validate_json(jobs[0].scenario_json))  # untimed warm-up (imports, tables)

    clear_all_caches()  # the loop starts as cold as the workers (imports aside)
    t0 = time.perf_counter()
    for j in jobs:
        run_single(Scenario.model_validate_json(j.scenario_json))
    t_loop = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as d:
        clear_all_caches()
        t0 = time.perf_counter()
        serial = run_batch(spec, Path(d) / "serial.duckdb", workers=1)
        t_serial = time.perf_counter() - t0
        t0 = time.perf_counter()
        par = run_batch(spec, Path(d) / "parallel.duckdb", workers=args.workers)
        t_par = time.perf_counter() - t0
        t0 = time.perf_counter()
        resumed = run_batch(spec, Path(d) / "parallel.duckdb", workers=args.workers)
        t_resume = time.perf_counter() - t0
    assert serial.ok == par.ok == len(jobs) and resumed.skipped == len(jobs)
    print(f"{len(jobs)} jobs of {args.hours:g} h (default plant, web speed sweep), {args.workers} workers, "
          f"{os.cpu_count()} cores")
    print(f"{'measure':<52}{'value':>10}")
    print(f"{'plain run_single loop (baseline) [s]':<52}{t_loop:>10.2f}")
    print(f"{'batch, 1 worker, results in DuckDB [s]':<52}{t_serial:>10.2f}")
    print(f"{'batch overhead over the loop':<52}{(t_serial / t_loop - 1) * 100:>9.1f}%")
    print(f"{f'batch, {args.workers} workers [s]':<52}{t_par:>10.2f}")
    print(f"{'speed-up of the workers over the loop':<52}{t_loop / t_par:>9.2f}x")
    print(f"{'rerun of a finished batch (everything skipped) [s]':<52}{t_resume:>10.2f}")


if __name__ == "__main__":
    main()
