"""What a warm ``foiltwin optimize --cache-dir`` no longer pays for (issue 15), and that it stays correct: the code
fingerprint without loading the compiled kernels, a cache not saved when the kernels then failed to load, the
decision space and the furnace points served from the optimiser's cache, and the collector frozen at exit."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from optimizer.cache_store import cache_file, cache_fingerprint, save_cache
from optimizer.space import decision_space
from optimizer.surrogates import OptimiserCache, anneal_points, decision_space_of
from twin.scenario import Scenario
from twin.simulate import build_parameters

PROBE = """
import json, sys
from process_models.uht.newton_kernel import KERNEL_MODULES
from twin.fingerprint import code_fingerprint
before = code_fingerprint(load_kernels=False)
loaded = [m for m in ("numba", *KERNEL_MODULES) if m in sys.modules]
exact = code_fingerprint()
print(json.dumps({"before": before, "loaded_before": loaded, "exact": exact}))
"""


@pytest.mark.integration
def test_the_fingerprint_without_loading_the_kernels_is_the_exact_one(monkeypatch):
    """In a fresh process, ``code_fingerprint(load_kernels=False)`` imports neither numba nor a kernel module, and
    equals the fingerprint taken after the kernels loaded (numba installed) or without them (not installed)."""
    monkeypatch.setenv("FOILTWIN_COMPILED_KERNELS", "1")
    got = json.loads(subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True).stdout)
    assert got["loaded_before"] == []
    assert got["before"] == got["exact"]


@pytest.mark.unit
def test_a_cache_read_under_other_code_is_not_saved(tmp_path):
    """A cache read under one fingerprint is not saved under another (the kernels failed to load after the read:
    this process ran other code); read under this code's fingerprint, it is saved."""
    cache = OptimiserCache()
    assert save_cache(cache, tmp_path, read_as="0" * 16) is None
    assert not list(tmp_path.iterdir())
    assert save_cache(cache, tmp_path, read_as=cache_fingerprint()) == cache_file(tmp_path)
    assert save_cache(cache, tmp_path) == cache_file(tmp_path)  # nothing read: saved


@pytest.mark.unit
def test_the_decision_space_is_served_from_the_cache_and_keyed_on_its_inputs():
    sc = Scenario()
    params = build_parameters(sc)
    cache = OptimiserCache()
    with cache.active():
        first = decision_space_of(sc, params)
        again = decision_space_of(sc, params)
        assert cache.spaces.hits == 1 and cache.spaces.misses == 1
        other = params.with_overrides({"ambient_temperature_K": float(params["ambient_temperature_K"]) + 5.0})
        decision_space_of(sc, other)
        decision_space_of(sc, params, modes=("vapour_commercial",))
        assert cache.spaces.misses == 3
    assert first == again == decision_space(sc, params)


@pytest.mark.unit
def test_furnace_points_are_served_bit_for_bit_and_a_caller_cannot_change_the_cache():
    sc = Scenario()
    params = build_parameters(sc)
    space = decision_space(sc, params)
    if space.anneal is None:
        pytest.skip("the default plant has no furnace")
    lo, hi = space.anneal.soak_temperature_K
    inv_T = 1.0 / np.linspace(lo, hi, 4)
    ln_t = np.log(np.array([600.0, 1800.0, 3600.0, 7200.0]))
    fresh = anneal_points(space, params, inv_T, ln_t)
    cache = OptimiserCache()
    with cache.active():
        a = anneal_points(space, params, inv_T, ln_t)
        for v in a.values():
            v[:] = -1.0  # the caller writes into its arrays
        b = anneal_points(space, params, inv_T, ln_t)
    assert cache.anneal.misses == 1 and cache.anneal.hits == 1
    for k, v in fresh.items():
        np.testing.assert_array_equal(b[k], v)


@pytest.mark.unit
def test_the_collector_is_frozen_once_at_exit(monkeypatch):
    import atexit
    import gc

    from foiltwin import cli

    registered = []
    monkeypatch.setattr(cli, "_COLLECTOR_FROZEN_AT_EXIT", [])
    monkeypatch.setattr(atexit, "register", registered.append)
    cli._freeze_collector_at_exit()
    cli._freeze_collector_at_exit()
    assert registered == [gc.freeze]


PINT_PROBE = """
import json, sys
from process_models.unit_registry import unit_registry
q = unit_registry()("470 nm").to("m").magnitude
after = "dask" in sys.modules
try:
    import dask  # noqa: F401
    importable = True
except ImportError:
    importable = False
print(json.dumps({"q": q, "dask_after_registry": after, "dask_importable": importable}))
"""


@pytest.mark.integration
def test_the_unit_registry_does_not_import_dask_and_leaves_it_importable():
    """pint probes for dask at import (≈ 0.06-0.1 s); the shared registry is built without that probe, and dask still
    imports afterwards (a batch on Dask needs it)."""
    import importlib.util

    got = json.loads(subprocess.run([sys.executable, "-c", PINT_PROBE], capture_output=True, text=True,
                                    check=True).stdout)
    assert got["q"] == pytest.approx(4.7e-7, rel=1e-12)
    assert not got["dask_after_registry"]
    assert got["dask_importable"] == (importlib.util.find_spec("dask") is not None)
