"""Benchmark: the twin over a plant-year, its linearity in hours and in lines, and its memory (issues 4 and 15).

Run: ``python benchmarks/bench_twin.py [--repeats 3]``. Every figure is ``foiltwin simulate`` as a user runs it (a
fresh process: nothing cached, start-up included), the median of ``--repeats`` runs, wall and CPU time. The
ratios (linearity) are judged on CPU time, the work done: on a shared machine the wall time of a long run also
counts its waits for a core, which grow with the run's length; both are printed. Baselines measured in the same
run: the interpreter's start (``python -c pass``) and bare SimPy processing the same number of events (what the
event loop alone would cost).

Goals:
- a plant-year (8,760 h, default plant, no ``--out``) ≤ 20 s, whole command (issue 15);
- linear in hours: 8,760 h / 2,190 h ≤ 4.4 (×4 within 10 %), and in lines: 4 UHT lines / 1 UHT line over the same
  hours ≤ 4.4 (the lines share the physics cache, so less is fine);
- peak memory flat: 8,760 h / 2,190 h ≤ 1.15 without ``--out``, 28 d / 7 d ≤ 1.15 with ``--out`` (logs streamed);
- 7 days of the default plant with logs ≤ 10 s (issue 4).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import simpy
from measure import Run, compile_bytecode, foiltwin_cmd, machine, median, python_cmd, repeat, row, spread

ONE_UHT = "plant.lines=[{type = 'uht', name = 'uht-1'}]"
FOUR_UHT = "plant.lines=[" + ", ".join(f"{{type = 'uht', name = 'uht-{i}'}}" for i in range(1, 5)) + "]"


def simulate(hours: float, *extra: str, out: Path | None = None) -> list[str]:
    cmd = foiltwin_cmd("simulate", "--hours", f"{hours:g}", "--seed", "1", "--json", "-", *extra)
    return cmd + (["--out", str(out)] if out is not None else [])


def bare_simpy(events: int) -> float:
    """Seconds bare SimPy takes for ``events`` timeouts in one process."""
    env = simpy.Environment()

    def loop():
        for _ in range(events):
            yield env.timeout(1.0)

    env.process(loop())
    t0 = time.perf_counter()
    env.run()
    return time.perf_counter() - t0


def report(runs: list[Run]) -> dict:
    return json.loads(runs[0].stdout)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3, help="runs of each command; medians are reported")
    ap.add_argument("--year-h", type=float, default=8760.0)
    args = ap.parse_args()
    print(compile_bytecode())
    n = args.repeats
    year, quarter = args.year_h, args.year_h / 4.0
    print(f"machine: {machine()}")
    started = time.strftime("%Y-%m-%d %H:%M")

    pass_runs = repeat(python_cmd("pass"), max(5, n))
    runs_year = repeat(simulate(year), n)
    runs_quarter = repeat(simulate(quarter), n)
    runs_1 = repeat(simulate(quarter, "--set", ONE_UHT), n)
    runs_4 = repeat(simulate(quarter, "--set", FOUR_UHT), n)
    with tempfile.TemporaryDirectory() as tmp:
        runs_7 = [repeat(simulate(168.0, out=Path(tmp) / f"d7-{i}"), 1)[0] for i in range(n)]
        runs_28 = [repeat(simulate(672.0, out=Path(tmp) / f"d28-{i}"), 1)[0] for i in range(n)]
    events_year = report(runs_year)["sim_events"]
    base_year = bare_simpy(events_year)

    w_year, w_quarter = median(runs_year), median(runs_quarter)
    c_year, c_quarter = median(runs_year, "cpu_s"), median(runs_quarter, "cpu_s")
    hours_ratio, hours_cpu_ratio = w_year / w_quarter, c_year / c_quarter
    lines_ratio = median(runs_4) / median(runs_1)
    lines_cpu_ratio = median(runs_4, "cpu_s") / median(runs_1, "cpu_s")
    mem_ratio = median(runs_year, "peak_mb") / median(runs_quarter, "peak_mb")
    mem_out_ratio = median(runs_28, "peak_mb") / median(runs_7, "peak_mb")
    w7 = median(runs_7)
    print(f"started {started}, finished {time.strftime('%H:%M')}; medians of {n} runs (all runs in brackets)")
    print(row("measure", "value", "goal"))
    print(row(f"baseline: python -c pass [s] ({spread(pass_runs, fmt='.3f')})", f"{median(pass_runs):.3f}"))
    print(row(f"plant-year {year:g} h, default plant, no --out [s]", f"{w_year:.2f}", "<= 20 s", w_year <= 20.0))
    print(f"   wall ({spread(runs_year)}), CPU ({spread(runs_year, 'cpu_s')}); {events_year:,} events, "
          f"bare SimPy for them {base_year:.2f} s (the twin costs x{w_year / base_year:.0f} of its event loop)")
    print(row(f"{year:g} h / {quarter:g} h, CPU time (wall {hours_ratio:.2f})", f"{hours_cpu_ratio:.2f}", "<= 4.4",
              hours_cpu_ratio <= 4.4))
    print(f"   {quarter:g} h: wall ({spread(runs_quarter)}), CPU ({spread(runs_quarter, 'cpu_s')})")
    print(row(f"4 UHT lines / 1 UHT line, {quarter:g} h, CPU time (wall {lines_ratio:.2f})", f"{lines_cpu_ratio:.2f}",
              "<= 4.4", lines_cpu_ratio <= 4.4))
    print(f"   1 line: wall ({spread(runs_1)}), CPU ({spread(runs_1, 'cpu_s')}); 4 lines: wall ({spread(runs_4)}), "
          f"CPU ({spread(runs_4, 'cpu_s')})")
    print(row(f"peak RSS {year:g} h / {quarter:g} h, no --out", f"{mem_ratio:.2f}", "<= 1.15", mem_ratio <= 1.15))
    print(f"   {median(runs_quarter, 'peak_mb'):.0f} -> {median(runs_year, 'peak_mb'):.0f} MB")
    print(row("peak RSS 28 d / 7 d, logs streamed to --out", f"{mem_out_ratio:.2f}", "<= 1.15",
              mem_out_ratio <= 1.15))
    print(f"   {median(runs_7, 'peak_mb'):.0f} -> {median(runs_28, 'peak_mb'):.0f} MB")
    print(row("7 days, default plant, with --out [s]", f"{w7:.2f}", "<= 10 s", w7 <= 10.0))
    print(f"   7 d wall ({spread(runs_7)}); 28 d wall ({spread(runs_28)})")
    print(f"machine at the end: {machine()}")


if __name__ == "__main__":
    main()
