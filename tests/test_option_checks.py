"""Options that reached the models unchecked, or were resolved silently (an outside sweep of bad input,
2026-12-04): each is now refused before any model runs, exit 2 and one line naming the field and the value."""

from __future__ import annotations

import math

import pytest

from optimizer.targets import Targets
from process_models.errors import FoiltwinInputError, check_range
from process_models.parameters import default_parameters
from process_models.uht.recipe import UHTRecipe

EXAMPLE_DATA = "examples/plant_data_uht_april.csv"


def _refused(code: int, out: str, err: str, *words: str) -> None:
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    for w in words:
        assert w in err, err


@pytest.mark.unit
@pytest.mark.parametrize("value", [math.inf, -math.inf])
def test_an_open_bound_leaves_infinity_out_as_its_range_says(value):
    with pytest.raises(FoiltwinInputError, match=r"must lie in \(0, inf\)|must lie in \(-inf, 1\]"):
        check_range("x", value, 0.0 if value > 0 else None, None if value > 0 else 1.0, low_inclusive=False)
    assert check_range("x", 1e300, 0.0, None) == 1e300


@pytest.mark.unit
@pytest.mark.parametrize("field", ["min_throughput_m2_per_h", "max_cost_per_m2", "max_overpotential_mV"])
def test_target_limits_refuse_infinity(field):
    """inf passed these limits, and a throughput floor of 1e100 m²/h divided by zero in the solution's report."""
    with pytest.raises(FoiltwinInputError) as e:
        Targets(470.0, **{field: math.inf})
    assert e.value.field == field
    with pytest.raises(FoiltwinInputError, match="1e\\+06"):
        Targets(470.0, min_throughput_m2_per_h=1e100)


@pytest.mark.unit
def test_a_stage_three_power_beyond_any_melting_is_refused_by_range():
    """1e20 W/m overflowed the melt check's own heater solve (RuntimeError); the range now ends at 1e8 W/m."""
    with pytest.raises(FoiltwinInputError) as e:
        UHTRecipe(stage3_power_W_per_m=1e20).validated(default_parameters())
    assert e.value.field == "stage3_power_W_per_m" and "1e+08" in str(e.value)


@pytest.mark.integration
@pytest.mark.parametrize(("option", "value", "field"), [
    ("--stage2-temperature-K", "nan", "stage2_temperature_K=nan"),
    ("--stage2-temperature-K", "2000", "stage2_temperature_K=2000"),
    ("--stage3-time-ms", "-1", "--stage3-time-ms=-1"),
    ("--foil-thickness-um", "0", "--foil-thickness-um=0"),
    ("--stage3-peak-K", "1e308", "stage3_peak_K=1e+308"),
])
@pytest.mark.parametrize("command", ["next-experiment", "sensitivity"])
def test_uq_commands_check_their_recipe_before_any_model_run(cli, command, option, value, field):
    """next-experiment ranked trials on NaN with exit 0; sensitivity ran 256 models and blamed the spreads."""
    args = [command, EXAMPLE_DATA] if command == "next-experiment" else [command]
    _refused(*cli(*args, option, value), field)


@pytest.mark.integration
@pytest.mark.parametrize("args", [["sensitivity", "--seed", "-1"],
                                  ["recipe", "--uncertainty", "mc", "--samples", "4", "--uq-seed", "-1"]])
def test_negative_seeds_are_refused(cli, args):
    _refused(*cli(*args), args[-2])


@pytest.mark.integration
@pytest.mark.parametrize("args", [
    ["simulate", "--hours", "0.1", "--set", "seed=3", "--set", "seed=4"],
    ["recipe", "--param", "web_width_m=1", "--param", " web_width_m=2"],
    ["sensitivity", "--spread", "web_width_m=0.1", "--spread", "web_width_m=0.2"],
])
def test_a_key_given_twice_is_refused_not_resolved_silently(cli, args):
    """The last value used to win without a word."""
    _refused(*cli(*args), "each key once", "web_width_m" if "web_width_m" in args[-1] else "seed")


@pytest.mark.integration
def test_an_empty_list_of_zn_skin_phases_is_refused(cli):
    """Nothing would pass: every metre an escaped defect while the inspected yield stays 1."""
    _refused(*cli("simulate", "--hours", "0.1", "--set", "spec.allowed_skin_phases=[]"),
             "spec.allowed_skin_phases='[]'", "at least one name")


@pytest.mark.integration
@pytest.mark.parametrize("name", ["", "   ", "x" * 129])
def test_calibrate_refuses_a_blank_or_long_set_name_before_fitting(cli, tmp_path, name):
    """A blank name was replaced by the data file's name without a word; a long one failed after the fit."""
    out = tmp_path / "ps.json"
    _refused(*cli("calibrate", "examples/plant_data_uht.csv", "--name", name, "--out", str(out)), "--name=")
    assert not out.exists()


@pytest.mark.integration
@pytest.mark.parametrize("command", [["recipe"], ["recipe", "--skin-metal", "Mg"], ["simulate", "--hours", "0.1"]])
def test_a_standalone_json_report_says_what_made_it(cli, tmp_path, command):
    """``recipe`` and ``simulate --json`` reports carried no fingerprint: a report read later could not say which
    code and which parameter values made it. An override changes the parameters' fingerprint, not the code's."""
    import json

    from twin.fingerprint import code_fingerprint, values_fingerprint

    tags = []
    for extra in ([], ["--param", "web_width_m=0.7"] if command[0] == "recipe" else
                  ["--set", "parameters.web_width_m=0.7"]):
        path = tmp_path / f"r{len(tags)}.json"
        code, _, err = cli(*command, *extra, "--json", str(path))
        assert code == 0, err
        tags.append(json.loads(path.read_text())["made_by"])
    assert tags[0] == {"code": code_fingerprint(), "parameters": values_fingerprint(default_parameters())}
    assert tags[1]["code"] == tags[0]["code"] and tags[1]["parameters"] != tags[0]["parameters"]
