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


def _registries(code: str) -> dict[str, bool]:
    probe = (f"{code}\nimport json, pyomo.environ as pyo\nfrom foiltwin.units import ureg\n"
             "from process_models.unit_registry import unit_registry\n"
             "print(json.dumps({'shared': pyo.units.pint_registry is ureg is unit_registry(), "
             "'pyomo_km': float(pyo.value(pyo.units.convert(1.0 * pyo.units.km, pyo.units.m)))}))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.integration
def test_the_optimiser_and_the_cli_build_one_pint_registry_between_them():
    """`foiltwin optimize` converts the user's units and builds Pyomo units: one registry (≈0.13 s each) serves
    both; if Pyomo's units were used before the optimiser was imported, Pyomo keeps its own (switching under
    existing components would break them) and units still convert."""
    assert _registries("import optimizer.api") == {"shared": True, "pyomo_km": 1000.0}
    assert _registries("import pyomo.environ as pyo\npyo.units.m\nimport optimizer.api") == {
        "shared": False, "pyomo_km": 1000.0}


@pytest.mark.integration
def test_the_optimiser_does_not_import_scipy_stats_for_pyomo_and_pyomo_still_gets_it_when_asked():
    """pint's probe `import scipy` fired Pyomo's hook, which imports scipy.stats and more (≈0.3 s of a warm
    `foiltwin optimize`); the optimiser holds the hook while pint is imported, and Pyomo's own `scipy_available`
    still imports them when it is asked."""
    loaded = loaded_after("import optimizer.api")
    assert {"pint", "scipy"} <= loaded and "scipy.stats" not in loaded, sorted(x for x in loaded if "scipy" in x)
    asked = loaded_after("import optimizer.api\nfrom pyomo.common.dependencies import scipy_available\n"
                         "assert bool(scipy_available)")
    assert {"scipy.stats", "scipy.sparse", "scipy.spatial", "scipy.integrate"} <= asked
