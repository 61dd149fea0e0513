"""Benchmark: start-up — `foiltwin --help`, a 24 h `simulate`, and what importing costs (issue 15).

Run: ``python benchmarks/bench_startup.py [--repeats 10]``. Each figure is a fresh process (nothing imported or
cached), the median of ``--repeats`` runs, wall and CPU time. The baseline, measured in the same run, is the bare
interpreter (``python -c pass``); import times are the module's import alone in a fresh interpreter, and the
largest self-times of ``python -X importtime -c "import twin.simulate"`` show where the rest goes.

Goals: ``foiltwin --help`` ≤ 0.3 s; ``foiltwin simulate --hours 24`` ≤ 1 s, whole command.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from importlib.util import find_spec

from measure import compile_bytecode, foiltwin_cmd, machine, median, python_cmd, repeat, row, spread

SPLIT = """
import json, time
t0 = time.perf_counter()
import foiltwin.cli, twin.simulate, twin.scenario
t1 = time.perf_counter()
spent = [0.0]
evaluate = twin.simulate.SegmentPhysics._evaluate
def timed(self, recipes):
    t = time.perf_counter()
    out = evaluate(self, recipes)
    spent[0] += time.perf_counter() - t
    return out
twin.simulate.SegmentPhysics._evaluate = timed
r = twin.simulate.run_single(twin.scenario.apply_overrides(twin.scenario.load_scenario(None), ["hours=24"]))
t2 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "run": t2 - t1, "physics": spent[0],
                  "solves": sum(v.get("physics_solves", 0) for v in r["lines"].values())}))
"""
IMPORTS = ("numpy", "scipy.linalg", "pydantic", "simpy", "typer", "foiltwin.cli", "twin.scenario", "twin.simulate",
           "optimizer")


def import_seconds(module: str, times: int) -> list[float]:
    """Import time of ``module`` alone in a fresh interpreter, ``times`` runs."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    return [float(r.stdout) for r in repeat(python_cmd(code), times)]


def largest_self_times(module: str, top: int = 12) -> list[tuple[int, str]]:
    """The ``top`` largest self times [µs] of ``python -X importtime -c 'import module'``."""
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"], capture_output=True,
                         text=True, check=True).stderr
    rows = []
    for line in err.splitlines():
        if line.startswith("import time:") and "|" in line:
            parts = line.split("|")
            try:
                rows.append((int(parts[0].split(":")[1]), parts[2].strip()))
            except ValueError:
                continue
    return sorted(rows, reverse=True)[:top]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=10, help="runs of each command; medians are reported")
    args = ap.parse_args()
    print(compile_bytecode())
    n = args.repeats
    print(f"machine: {machine()}")
    # the headline runs the README's main install (no numba: the numpy Newton step); the compiled step (the `fast`
    # extra) is measured apart below: a new process pays numba's import and the kernel's load
    os.environ["FOILTWIN_COMPILED_KERNELS"] = "0"
    base = repeat(python_cmd("pass"), n)
    helps = repeat(foiltwin_cmd("--help"), n)
    day = repeat(foiltwin_cmd("simulate", "--hours", "24"), max(3, n // 2))
    imports = {m: import_seconds(m, max(3, n // 2)) for m in IMPORTS}
    splits = [json.loads(r.stdout) for r in repeat(python_cmd(SPLIT), max(3, n // 2))]
    os.environ["FOILTWIN_COMPILED_KERNELS"] = "1"
    day_fast = repeat(foiltwin_cmd("simulate", "--hours", "24"), max(3, n // 2)) if find_spec("numba") else []

    t_base, t_help, t_day = median(base), median(helps), median(day)
    print(f"medians of {n} runs (of {max(3, n // 2)} for the 24 h run and the imports); all runs in brackets")
    print(row("measure", "value", "goal"))
    print(row("baseline: python -c pass [s]", f"{t_base:.3f}"))
    print(f"   ({spread(base, fmt='.3f')})")
    print(row("foiltwin --help [s]", f"{t_help:.3f}", "<= 0.3 s", t_help <= 0.3))
    print(f"   wall ({spread(helps, fmt='.3f')}), CPU ({spread(helps, 'cpu_s', '.3f')}); "
          f"x{t_help / t_base:.1f} the bare interpreter")
    print(row("foiltwin simulate --hours 24, whole command [s]", f"{t_day:.2f}", "<= 1 s", t_day <= 1.0))
    print(f"   wall ({spread(day)}), CPU ({spread(day, 'cpu_s')}); x{t_day / t_base:.1f} the bare interpreter")
    if day_fast:
        print(row("  the same with the compiled Newton step (fast extra) [s]", f"{median(day_fast):.2f}", "<= 1 s",
                  median(day_fast) <= 1.0))
        print(f"   wall ({spread(day_fast)}), CPU ({spread(day_fast, 'cpu_s')})")
    mid = sorted(splits, key=lambda d: d["import"] + d["run"])[len(splits) // 2]
    print(f"   where it goes (the median run, in-process): imports {mid['import']:.2f} s, the 24 h run "
          f"{mid['run']:.2f} s, of which the UHT recipe physics {mid['physics']:.2f} s ({mid['solves']} histories)")
    for m, ts in imports.items():
        med = sorted(ts)[len(ts) // 2]
        print(row(f"import {m} (in a fresh interpreter) [s]", f"{med:.3f}"))
    print("largest self times importing twin.simulate [ms]: " + ", ".join(
        f"{name} {us / 1e3:.1f}" for us, name in largest_self_times("twin.simulate")))
    print(f"machine at the end: {machine()}")


if __name__ == "__main__":
    main()
