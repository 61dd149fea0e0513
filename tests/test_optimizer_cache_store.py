"""The optimiser's caches on disk (optimizer/cache_store.py, ``foiltwin optimize --cache-dir``): a cache made by this
code is read back whole; one made by other code, unreadable, of another type or writable by others is never
unpickled, and the run starts cold; saving is atomic and deletes other code's caches but the two newest; a second
CLI run from the cache recommends exactly what the first did."""

from __future__ import annotations

import gc
import json
import os
import pickle

import pytest

from optimizer.cache_store import (
    FILE_PREFIX,
    FILE_SUFFIX,
    KEEP_OTHER_CACHES,
    cache_file,
    cache_fingerprint,
    check_cache_dir,
    load_cache,
    made_by,
    save_cache,
)
from optimizer.surrogates import OptimiserCache, safe_evaluate
from process_models.errors import FoiltwinInputError
from process_models.parameters import default_parameters
from process_models.uht.recipe import UHTRecipe


def _filled() -> OptimiserCache:
    """A cache holding two solved recipes and their stage II (what a run leaves behind, in small)."""
    cache = OptimiserCache()
    with cache.active():
        safe_evaluate([UHTRecipe(), UHTRecipe(stage3_peak_K=1000.0)], default_parameters())
    assert len(cache.recipes) == 2 and len(cache.stage2) >= 1
    return cache


@pytest.mark.unit
def test_a_saved_cache_is_loaded_whole_and_serves_its_recipes(tmp_path):
    cache = _filled()
    path = save_cache(cache, tmp_path)
    assert path == cache_file(tmp_path) and (path.stat().st_mode & 0o777) == 0o600
    assert not [p for p in tmp_path.iterdir() if p != path]  # no temporary file left beside it
    got = load_cache(tmp_path)
    assert got.warm and str(path) in got.note
    assert len(got.cache.recipes) == 2 and len(got.cache.stage2) == len(cache.stage2)
    # the loaded cache serves the recipes without solving them again
    with got.cache.active():
        again = safe_evaluate([UHTRecipe()], default_parameters())
    with cache.active():
        first = safe_evaluate([UHTRecipe()], default_parameters())
    assert again[0].to_dict() == first[0].to_dict()


@pytest.mark.unit
@pytest.mark.parametrize("enabled", [True, False])
def test_unpickling_runs_no_cyclic_collection_and_leaves_the_collector_as_it_was(tmp_path, monkeypatch, enabled):
    """Unpickling a cache makes many objects none of which can be garbage yet: the cyclic collector, which ran
    again and again over them (≈ 60 % of the load time of a full cache), is paused while it unpickles."""
    cache = OptimiserCache()
    cache.params_ids.update({(("x", float(i)), ("y", str(i))): i for i in range(20000)})  # ≈ 60 000 containers
    save_cache(cache, tmp_path)
    runs: list[int] = []
    unpickling = [False]
    real_load = pickle.load

    def load(f):
        unpickling[0] = True
        try:
            return real_load(f)
        finally:
            unpickling[0] = False

    def seen(phase: str, info: dict) -> None:
        if phase == "start" and unpickling[0]:
            runs.append(info["generation"])

    monkeypatch.setattr(pickle, "load", load)
    (gc.enable if enabled else gc.disable)()
    gc.callbacks.append(seen)
    try:
        got = load_cache(tmp_path)
        assert gc.isenabled() is enabled
    finally:
        gc.callbacks.remove(seen)
        gc.enable()
    assert got.warm and got.cache.params_ids == cache.params_ids
    assert runs == []


@pytest.mark.unit
def test_an_empty_folder_gives_a_cold_cache(tmp_path):
    got = load_cache(tmp_path)
    assert not got.warm and len(got.cache.recipes) == 0 and "cold" in got.note


def _other_cache(folder, n: int, mtime_s: float):
    other = folder / f"{FILE_PREFIX}{n:016x}{FILE_SUFFIX}"
    other.write_bytes(pickle.dumps(_filled()))
    other.chmod(0o600)
    os.utime(other, (mtime_s, mtime_s))
    return other


@pytest.mark.unit
def test_another_codes_cache_is_never_read_and_only_the_newest_ones_stay_on_save(tmp_path):
    others = [_other_cache(tmp_path, n, 1e9 + 60.0 * n) for n in range(KEEP_OTHER_CACHES + 2)]
    assert not load_cache(tmp_path).warm  # the file name carries the code's fingerprint
    save_cache(OptimiserCache(), tmp_path)
    assert cache_file(tmp_path).exists()
    assert [o.exists() for o in others] == [False, False] + [True] * KEEP_OTHER_CACHES  # the oldest two deleted
    assert len(list(tmp_path.glob(f"{FILE_PREFIX}*{FILE_SUFFIX}"))) == KEEP_OTHER_CACHES + 1


@pytest.mark.unit
def test_switching_between_two_codes_keeps_both_warm(tmp_path, monkeypatch):
    """FOILTWIN_COMPILED_KERNELS toggled between runs: two code fingerprints share one --cache-dir, and neither's
    save deletes the other's cache (it did: each toggle started cold)."""
    from optimizer import cache_store

    saved = {}
    for code in ("a" * 16, "b" * 16, "a" * 16):
        monkeypatch.setattr(cache_store, "cache_fingerprint", lambda code=code: code)
        loaded = load_cache(tmp_path)
        assert loaded.warm is (code in saved)
        saved[code] = save_cache(_filled(), tmp_path, read_as=loaded.read_as)
    assert all(p.exists() for p in saved.values())


@pytest.mark.unit
@pytest.mark.parametrize(("content", "mode", "says"), [
    (b"not a pickle", 0o600, "unreadable"),
    (pickle.dumps({"a": 1}), 0o600, "not an optimiser cache"),
    (pickle.dumps(OptimiserCache()), 0o666, "can be written by others"),
])
def test_a_file_that_is_not_safe_or_not_a_cache_starts_cold(tmp_path, content, mode, says):
    path = cache_file(tmp_path)
    path.write_bytes(content)
    path.chmod(mode)
    got = load_cache(tmp_path)
    assert not got.warm and says in got.note and len(got.cache.recipes) == 0
    save_cache(_filled(), tmp_path)  # the next save replaces it
    assert load_cache(tmp_path).warm


@pytest.mark.unit
def test_the_cache_folder_is_made_or_refused_by_name(tmp_path):
    made = check_cache_dir(tmp_path / "new")
    assert made.is_dir() and (made.stat().st_mode & 0o777) == 0o700
    a_file = tmp_path / "f"
    a_file.write_text("x")
    with pytest.raises(FoiltwinInputError) as err:
        check_cache_dir(a_file)
    assert err.value.field == "--cache-dir" and "a folder" in str(err.value)
    with pytest.raises(FoiltwinInputError) as err:
        check_cache_dir(tmp_path / "missing" / "deeper")
    assert "does not exist" in str(err.value)


@pytest.mark.integration
def test_a_second_cli_run_from_the_cache_recommends_the_same(cli, tmp_path):
    args = ("optimize", "--no-twin", "--mode", "vapour_commercial", "--cache-dir", str(tmp_path / "c"),
            "--json", "-")
    code1, out1, err1 = cli(*args)
    (saved,) = (tmp_path / "c").glob("optimiser-cache-*.pkl")
    stamp = saved.stat().st_mtime_ns, saved.read_bytes()
    code2, out2, err2 = cli(*args)
    assert code1 == code2 == 0
    assert "cold run" in err1 and "cache: loaded" in err2
    # the repeated run computed nothing new: the file is not rewritten
    assert "nothing new, file kept" in err2 and (saved.stat().st_mtime_ns, saved.read_bytes()) == stamp
    a, b = json.loads(out1), json.loads(out2)
    assert a["settings"] == b["settings"] and a["checked"] == b["checked"] and a["status"] == b["status"]
    assert a["made_by"] == b["made_by"] and a["made_by"]["code"] == cache_fingerprint()
    code, out, err = cli("optimize", "--no-twin", "--cache-dir", str(tmp_path / "no" / "such"), "--json", "-")
    assert code == 2 and out == "" and "--cache-dir" in err and "Traceback" not in err


@pytest.mark.integration
def test_the_cache_folder_can_come_from_the_environment(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("FOILTWIN_CACHE_DIR", str(tmp_path / "env"))
    code, _, err = cli("optimize", "--no-twin", "--mode", "vapour_commercial", "--json", "-")
    assert code == 0 and "cold run" in err and any((tmp_path / "env").glob("optimiser-cache-*.pkl"))


@pytest.mark.unit
def test_a_result_names_the_code_and_the_parameter_values_that_made_it():
    params = default_parameters()
    tag = made_by(params)
    assert tag == made_by(default_parameters()) and tag["code"] == cache_fingerprint()
    name = next(iter(params))
    other = made_by(params.with_overrides({name: float(params[name]) * 1.01}))
    assert other["code"] == tag["code"] and other["parameters"] != tag["parameters"]


@pytest.mark.integration
def test_a_cache_that_cannot_be_saved_does_not_lose_the_result(cli, tmp_path):
    """The cache is saved after the run: a failure there (here a folder where the file goes) is said on stderr and
    the recommendation is still printed, exit 0."""
    folder = tmp_path / "c"
    folder.mkdir(mode=0o700)
    cache_file(folder).mkdir()  # os.replace onto a folder fails
    code, out, err = cli("optimize", "--no-twin", "--mode", "vapour_commercial", "--cache-dir", str(folder),
                         "--json", "-")
    assert code == 0 and json.loads(out)["status"] in ("optimal", "feasible")
    assert "cache: not saved" in err and "next run starts cold" in err and "Traceback" not in err


@pytest.mark.unit
def test_the_cache_counts_what_was_computed_into_it_not_what_was_served():
    from optimizer.surrogates import OptimiserCache

    cache = OptimiserCache()
    assert cache.computed() == 0
    cache.recipes.get_many([("a",), ("b",)], lambda missing: [1.0] * len(missing))
    assert cache.computed() == 2
    cache.recipes.get_many([("a",), ("b",)], lambda missing: [2.0] * len(missing))  # both served
    assert cache.computed() == 2
    cache.stage2.get_many([("c",)], lambda missing: [3.0])
    cache.params_ids[("p",)] = 0
    assert cache.computed() == 4
