"""What a warm ``foiltwin optimize --cache-dir`` no longer pays for (issue 15), and that it stays correct: the code
fingerprint without loading the compiled kernels, a cache not saved when the kernels then failed to load, the
decision space and the furnace points served from the optimiser's cache, and the collector frozen at exit."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from optimizer.cache_store import cache_file, cache_fingerprint, save_cache
from optimizer.surrogates import OptimiserCache

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
