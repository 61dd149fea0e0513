"""Benchmark: the default plant for 7 and 28 simulated days (issue 4 goals).

Goals: 7 days at 1 m segments ≤ 10 s wall, whole command included; 28 days ≤ 4.4× the 7-day time;
peak memory not growing with simulated time when logs stream to --out. The baseline, measured in the same
run, is bare SimPy processing the same number of events (what the event loop alone would cost).
Run: ``python benchmarks/bench_twin.py``.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import simpy


def run_command(days: float, out: Path | None) -> tuple[float, float, dict]:
    """Wall time [s], peak RSS [MB] and report of ``foiltwin simulate`` as a user runs it."""
    cmd = [sys.executable, "-c", "from foiltwin.cli import main; main()", "simulate", "--hours", str(24 * days),
           "--seed", "1", "--json", "-"]
    if out is not None:
        cmd += ["--out", str(out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    peak_mb = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024.0
    return wall, peak_mb, json.loads(done.stdout)


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


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        w7, m7, r7 = run_command(7, Path(tmp) / "d7")
        w28, m28, r28 = run_command(28, Path(tmp) / "d28")
    base7 = bare_simpy(r7["sim_events"])
    print(f"{'measure':<52}{'value':>12}{'goal':>14}{'status':>8}")
    print(f"{'7 days, default plant, whole command':<52}{w7:>11.2f}s{'10 s':>14}{'ok' if w7 <= 10 else 'MISS':>8}")
    ratio = w28 / w7
    print(f"{'28 days / 7 days wall time':<52}{ratio:>12.2f}{'4.4':>14}{'ok' if ratio <= 4.4 else 'MISS':>8}")
    grow = m28 / m7
    print(f"{'peak RSS 28 d / 7 d (logs streamed to --out)':<52}{grow:>12.2f}{'~1 (no growth)':>14}"
          f"{'ok' if grow <= 1.15 else 'MISS':>8}")
    print(f"  peak RSS: 7 d {m7:.0f} MB, 28 d {m28:.0f} MB")
    print(f"  simulated-to-wall ratio: 7 d {7 * 86400 / w7:,.0f}x, 28 d {28 * 86400 / w28:,.0f}x")
    print(f"  events: 7 d {r7['sim_events']}, bare SimPy for the same events {base7 * 1e3:.1f} ms "
          f"(the twin costs {w7 / base7:,.0f}x bare event processing: physics, logs and start-up)")
    print(f"  metres produced: 7 d {r7['metres_produced']:.0f}, 28 d {r28['metres_produced']:.0f}")


if __name__ == "__main__":
    main()
