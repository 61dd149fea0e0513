"""What start-up imports (issue 15: `foiltwin --help` ≤ 0.3 s, a 24 h simulate ≤ 1 s; benchmarks/bench_startup.py
times them). Structural checks, not timings: each heavy package stays off a path that does not use it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("numpy", "scipy", "pydantic", "simpy", "rich", "pyarrow", "plotly", "pint", "pyomo", "duckdb", "pandas")
NOT_FOR_A_RUN = ("scipy.interpolate", "scipy.integrate", "scipy.optimize", "scipy.special", "scipy.sparse",
                 "scipy.constants", "pyarrow", "plotly", "pint", "pyomo", "duckdb", "pandas", "rich")


def loaded_after(code: str) -> set[str]:
    """Top-level and scipy subpackages in sys.modules after running ``code`` in a fresh interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    names = json.loads(out.strip().splitlines()[-1])
    return {".".join(n.split(".")[:2]) if n.startswith("scipy.") else n.split(".")[0] for n in names}


@pytest.mark.integration
def test_the_help_imports_no_numerical_or_formatting_library():
    code = ("import sys\nsys.argv = ['foiltwin', '--help']\nfrom foiltwin.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass")
    loaded = loaded_after(code)
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


@pytest.mark.integration
def test_a_run_without_out_imports_neither_plotting_nor_parquet_nor_unused_scipy():
    code = ("from twin.scenario import Scenario, apply_overrides\nfrom twin.simulate import run_single\n"
            "run_single(apply_overrides(Scenario(), ['hours=2']))")
    loaded = loaded_after(code)
    assert not loaded & set(NOT_FOR_A_RUN), sorted(loaded & set(NOT_FOR_A_RUN))
