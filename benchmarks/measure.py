"""Measuring commands for the benchmarks: wall time, CPU time and peak memory of one child process, medians of
repeats, and the machine's load (the machine is shared; say how busy it was beside every figure)."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Run:
    """One child process: wall [s], CPU (user + system) [s], peak resident memory [MB], its stdout."""

    wall_s: float
    cpu_s: float
    peak_mb: float
    stdout: str


def run_child(cmd: list[str]) -> Run:
    """Run ``cmd`` to completion; its own resource usage (``wait4``), not the sum over all children so far."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, problems = out.read(), err.read()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {problems.strip()[-2000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0, text)


def repeat(cmd: list[str], times: int) -> list[Run]:
    return [run_child(cmd) for _ in range(times)]


def median(runs: list[Run], what: str = "wall_s") -> float:
    return float(statistics.median(getattr(r, what) for r in runs))


def spread(runs: list[Run], what: str = "wall_s", fmt: str = ".2f") -> str:
    """All values of a measure, in run order (the reader sees the noise)."""
    return ", ".join(format(getattr(r, what), fmt) for r in runs)


def python_cmd(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def foiltwin_cmd(*args: str) -> list[str]:
    """The installed ``foiltwin`` console script (what a user runs), else the same entry point through -c."""
    script = Path(sys.executable).with_name("foiltwin")
    if script.is_file():
        return [str(script), *args]
    return python_cmd("from foiltwin.cli import main; main()") + list(args)


def machine() -> str:
    """Cores, CPU model and the load averages (1, 5, 15 min) now."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}, load average {load}"


def row(name: str, value: str, goal: str = "", ok: bool | None = None) -> str:
    status = "" if ok is None else ("ok" if ok else "MISS")
    return f"{name:<58}{value:>14}{goal:>12}{status:>7}"


PROJECT_PACKAGES = ("foiltwin", "process_models", "twin", "optimizer", "ui")


def compile_bytecode() -> str:
    """Compile the project's modules to bytecode before timing anything, and say so (the line to print).

    A user's runs after the first find the bytecode: Python writes it at a module's first import and pip compiles
    the packages it installs. A machine with ``PYTHONDONTWRITEBYTECODE`` set (this one) never writes it, so without
    this step every timed process would compile the project's sources again (≈ 0.3 s of a 24 h ``simulate``)."""
    import compileall

    root = Path(__file__).resolve().parents[1]
    ok = all(compileall.compile_dir(root / p, quiet=1) for p in PROJECT_PACKAGES if (root / p).is_dir())
    flag = os.environ.get("PYTHONDONTWRITEBYTECODE")
    return (f"bytecode: the project's modules compiled first (compileall{'' if ok else ', with errors'}), as a "
            f"user's second run finds them; PYTHONDONTWRITEBYTECODE={flag or 'unset'}")
