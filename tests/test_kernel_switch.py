"""The switch of the compiled kernels (FOILTWIN_COMPILED_KERNELS): its values, a bad value refused with the
allowed ones (exit code 2 on the CLI), and kernels that cannot load falling back on numpy with a warning."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from process_models.uht import newton_kernel
from process_models.uht.newton_kernel import ENV_SWITCH, compiled_kernels_enabled, kernel_tag
from process_models.uht.recipe import UHTRecipe, evaluate_recipe


@pytest.mark.unit
@pytest.mark.parametrize("value", ["0", "false", " OFF ", "no"])
def test_off_values_turn_the_kernels_off(monkeypatch, value):
    monkeypatch.setenv(ENV_SWITCH, value)
    assert not compiled_kernels_enabled() and kernel_tag() == "numpy"


@pytest.mark.unit
@pytest.mark.parametrize("value", ["1", "true", "Yes", "on", ""])
def test_on_values_leave_them_to_numba(monkeypatch, value):
    monkeypatch.setenv(ENV_SWITCH, value)
    assert compiled_kernels_enabled() == (newton_kernel.importlib.util.find_spec("numba") is not None)


@pytest.mark.unit
@pytest.mark.parametrize("value", ["2", "fast", "numpy", "0.5"])
def test_other_values_are_refused_with_the_allowed_ones(monkeypatch, value):
    monkeypatch.setenv(ENV_SWITCH, value)
    with pytest.raises(FoiltwinInputError) as err:
        compiled_kernels_enabled()
    assert err.value.field == ENV_SWITCH and err.value.value == value
    assert "0, false, no, off" in str(err.value) and "1, true, yes or on" in str(err.value)


@pytest.mark.integration
def test_the_cli_refuses_a_bad_switch_with_exit_code_2():
    env = {**os.environ, ENV_SWITCH: "fast"}
    out = subprocess.run([sys.executable, "-c", "from foiltwin.cli import main; main()", "recipe"],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 2, out.stderr
    assert f"{ENV_SWITCH}='fast'" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.component
def test_kernels_that_cannot_load_leave_the_numpy_path_with_a_warning(monkeypatch):
    """numba raises at import when it finds no writable cache directory: the recipe then runs on numpy, and its
    fingerprint says so; the result is the numpy path's, bit for bit."""
    pytest.importorskip("numba")
    params = default_parameters()
    monkeypatch.setenv(ENV_SWITCH, "0")
    want = evaluate_recipe(UHTRecipe(stage2_time_s=77.0), params)
    monkeypatch.setenv(ENV_SWITCH, "1")

    def no_cache(name: str):
        raise RuntimeError(f"cannot cache function: no locator available for file {name}")

    newton_kernel.kernels_load.cache_clear()
    monkeypatch.setattr(newton_kernel.importlib, "import_module", no_cache)
    try:
        with pytest.warns(RuntimeWarning, match="compiled kernels unavailable, using numpy"):
            assert not compiled_kernels_enabled()
        assert kernel_tag() == "numpy"
        got = evaluate_recipe(UHTRecipe(stage2_time_s=77.0), params)
    finally:
        monkeypatch.undo()
        newton_kernel.kernels_load.cache_clear()
    assert got.to_dict() == want.to_dict()


@pytest.mark.integration
def test_a_kernel_compiling_in_changed_code_from_another_file_is_recompiled(tmp_path):
    """numba keys a cached kernel on its own file: after a change to code it compiles in from another file, a new
    process would load the old kernel (shown first, without the refresh); refresh_stale_kernels flushes it."""
    pytest.importorskip("numba")
    (tmp_path / "kdep.py").write_text("def rule(a):\n    return a + 1.0\n")
    (tmp_path / "kmod.py").write_text("from numba import njit\n\nfrom kdep import rule\n\nr = njit(cache=True)(rule)\n"
                                      "COMPILED_IN = (rule,)\n\n\n@njit(cache=True)\ndef kernel(a):\n    return r(a)\n")

    def new_process(refresh: bool) -> str:
        code = (f"import sys; sys.path.insert(0, {str(tmp_path)!r}); import kmod\n"
                "from process_models.uht.newton_kernel import refresh_stale_kernels\n"
                f"flushed = refresh_stale_kernels(kmod) if {refresh} else None\n"
                "print(flushed, kmod.kernel(1.0))")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr
        return out.stdout.strip()

    assert new_process(True) == "True 2.0"  # no stamp yet: flushed, compiled, kept
    assert new_process(True) == "False 2.0"  # loaded from the cache
    (tmp_path / "kdep.py").write_text("def rule(a):\n    return a + 2.0\n")
    assert new_process(False) == "None 2.0"  # numba alone: the stale kernel
    assert new_process(True) == "True 3.0"
    assert new_process(True) == "False 3.0"
