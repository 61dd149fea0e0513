"""A solver that cannot converge on some settings (issue 11): the physics names the settings in one error, the
optimiser treats such a point as infeasible instead of crashing."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest

from process_models.errors import FoiltwinInputError, ModelConvergenceError
from process_models.parameters import default_parameters
from process_models.uht.recipe import UHTRecipe, evaluate_recipe
from twin.scenario import Scenario


def _fail_below_660_K(monkeypatch):
    """Fault injection: the interdiffusion solve fails (as a Newton iteration that does not converge after its step
    splits does) for every foil whose history stays below 660 K; the others are solved for real. The solver grew a
    trust region that converges on every history the earlier failing case came from, so the failure is injected."""
    import process_models.uht.alloying as alloying

    real = alloying.solve_interdiffusion

    def solve(x0, grid, time_s, temperature_K, **kw):
        cold = tuple(int(b) for b in np.flatnonzero(np.max(np.atleast_2d(temperature_K), axis=1) < 660.0))
        if cold:
            raise ModelConvergenceError("interdiffusion", f"foils {list(cold)}", "histories its Newton iteration "
                                        "converges on", "Newton iteration failed after 8 step splits", rows=cold)
        return real(x0, grid, time_s, temperature_K, **kw)

    monkeypatch.setattr(alloying, "solve_interdiffusion", solve)


@pytest.mark.component
def test_a_newton_failure_names_the_settings_and_the_optimiser_treats_it_as_infeasible(monkeypatch):
    from optimizer.space import decision_space
    from optimizer.surrogates import safe_evaluate, stage2_outputs

    _fail_below_660_K(monkeypatch)
    params = default_parameters()
    bad = UHTRecipe(zn_route="plated", plated_zn_loading_kg_per_m2=0.009226, stage2_temperature_K=650.0,
                    stage2_time_s=33.93, stage3_time_s=0.0)
    with pytest.raises(ModelConvergenceError) as err:
        evaluate_recipe(bad, params)
    assert err.value.field == "stage2" and "650 K for 33.93 s" in str(err.value) and "Newton" in str(err.value)
    assert isinstance(err.value, FoiltwinInputError)  # so the CLI says it in one line, exit 2
    assert safe_evaluate([bad, UHTRecipe(stage3_time_s=0.0)], params)[0] is None
    space = decision_space(Scenario(), params)
    out = stage2_outputs(space, params, 1.0 / np.array([650.0, 750.0]),
                         np.log([33.93, 120.0]), 0.009226)
    assert list(out["failed_plated"]) == [1.0, 0.0] and list(out["failed_vapour"]) == [1.0, 0.0]
    assert all(math.isfinite(v) for k in out for v in out[k])


@pytest.mark.integration
def test_optimize_a_thick_skin_without_the_twin_ends_cleanly():
    import contextlib
    import io

    from foiltwin.cli import main

    err, argv = io.StringIO(), sys.argv
    sys.argv = ["foiltwin", "optimize", "--no-twin", "--skin-thickness-nm", "3000"]
    try:  # in-process: an exception escaping the entry point fails the test with its traceback
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err), \
                pytest.raises(SystemExit) as done:
            main()
    finally:
        sys.argv = argv
    assert done.value.code in (0, 3), err.getvalue()  # found, or infeasible targets (exit 3) — never a crash
    assert len(err.getvalue().strip().splitlines()) <= 1
