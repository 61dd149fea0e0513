"""Results that caches share cannot be changed by one caller for the next (process_models/readonly.py): a recipe's
lists and dicts are tuples and read-only dicts, its JSON form is plain; a cached stage-II row's arrays are
read-only, also after a pickle round trip (the optimiser's ``--cache-dir``)."""

from __future__ import annotations

import copy
import json
import pickle

import pytest

from process_models.parameters import default_parameters
from process_models.readonly import freeze, thaw
from process_models.uht.recipe import Stage2Cache, UHTRecipe, evaluate_recipe

pytestmark = pytest.mark.component

RESULT = evaluate_recipe(UHTRecipe(), default_parameters(), Stage2Cache())


def test_a_read_only_dict_refuses_every_change_and_reads_as_a_dict():
    d = freeze({"a": 1.0, "b": [1, {"c": 2}]})
    assert d == {"a": 1.0, "b": (1, {"c": 2})} and isinstance(d, dict)
    for change in (lambda: d.__setitem__("a", 2), lambda: d.pop("a"), lambda: d.update(a=3), d.clear, d.popitem,
                   lambda: d.setdefault("z", 0), lambda: d.__delitem__("a"), lambda: d["b"][1].update(c=5)):
        with pytest.raises(TypeError, match="read-only"):
            change()
    with pytest.raises(TypeError):
        d |= {"a": 4}
    assert d["a"] == 1.0 and d["b"][1]["c"] == 2
    for twin in (pickle.loads(pickle.dumps(d)), copy.deepcopy(d), copy.copy(d)):
        assert twin == d
    editable = dict(d)
    editable["a"] = 9.0
    assert d["a"] == 1.0
    assert thaw(d) == {"a": 1.0, "b": [1, {"c": 2}]} and type(thaw(d)["b"][1]) is dict


def test_a_recipe_result_cannot_be_changed_in_place():
    r = RESULT
    assert r.warnings is not None and r.layers and r.phase_thickness_nm and r.stage3_heater
    with pytest.raises(AttributeError):
        r.warnings.append("changed")  # a tuple
    with pytest.raises(TypeError):
        r.profile_zn_at_frac[0] = 0.5
    with pytest.raises(TypeError, match="read-only"):
        r.phase_thickness_nm["alpha"] = 0.0
    with pytest.raises(TypeError, match="read-only"):
        r.layers[0]["phase"] = "beta"
    with pytest.raises(TypeError, match="read-only"):
        r.stage3_heater.clear()
    with pytest.raises(AttributeError):
        r.layers[0]["freeze_temperature_K"].append(300.0)
    assert pickle.loads(pickle.dumps(r)) == r


def test_the_json_form_is_plain_and_editable():
    d = RESULT.to_dict(profile=True)
    assert type(d["layers"]) is list and type(d["layers"][0]) is dict and type(d["phase_thickness_nm"]) is dict
    assert type(d["profile_zn_at_frac"]) is list and type(d["warnings"]) is list
    d["layers"][0]["phase"] = "edited"  # the caller's own copy
    assert RESULT.layers[0]["phase"] != "edited"
    assert json.loads(json.dumps(d)) == d


def test_a_cached_stage_two_row_is_read_only():
    """The stage-II cache hands one row to every recipe with the same stage II: its arrays refuse writes."""
    cache = Stage2Cache()
    evaluate_recipe(UHTRecipe(stage2_time_s=77.0), default_parameters(), cache)
    (row,) = [value for value, _ in cache._store.values()]
    # and so is a row read back from a pickle, as `optimize --cache-dir` loads them (numpy's pickle drops the flag)
    (loaded,) = [value for value, _ in pickle.loads(pickle.dumps(cache))._store.values()]
    for r in (row, loaded):
        for a in (r.x_alpha, r.time_s, r.temperature_K):
            with pytest.raises(ValueError, match="read-only"):
                a[0] = 0.0
    assert loaded.x_alpha.tolist() == row.x_alpha.tolist() and loaded.warning == row.warning
