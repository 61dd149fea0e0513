"""One input boundary (issue 11): every input is accepted or refused with exit 2 and ONE line naming the field,
the (shortened) value and what is allowed — never a traceback; strict types; options that act only together.

The CLI runs in-process through ``foiltwin.cli.main`` (the console entry point), so an exception that escapes it
fails the test with its traceback; ``SystemExit`` carries the exit code.
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from foiltwin.cli import main
from process_models.errors import FoiltwinInputError, check_range
from process_models.parameters import default_parameters
from process_models.uht.recipe import UHTRecipe
from twin.input_files import parse_toml_bytes
from twin.scenario import Scenario, apply_overrides, scenario_from_dict

FUZZ = settings(derandomize=True, database=None, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def cli(*args: str) -> tuple[int, str, str]:
    """Run ``foiltwin ARGS`` in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["foiltwin", *args]
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main()
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    finally:
        sys.argv = argv
    return code, out.getvalue(), err.getvalue()


def refused(args: tuple[str, ...], *needles: str) -> str:
    """Assert ``args`` exit 2 with one stderr line holding every needle; return that line."""
    code, _, err = cli(*args)
    lines = err.strip().splitlines()
    assert code == 2, (args, code, err)
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


# ------------------------------------------------------------------------------------------------ named cases
@pytest.mark.integration
@pytest.mark.parametrize(("args", "needles"), [
    # degenerate plants
    (("simulate", "--set", "plant.lines=[]"), ("plant", "plant.lines is empty")),
    (("simulate", "--set", "plant.incoming_coils.length_m=0.5"), ("segment_length_m", "a coil must hold")),
    # choices
    (("params", "--kind", "fited"), ("--kind", "measured", "fitted")),
    (("recipe", "--cooling", "ice"), ("--cooling", "contact", "free")),
    (("recipe", "--substrate", "gold"), ("--substrate", "commercial")),
    (("recipe", "--zn-route", "air"), ("--zn-route", "vapour", "plated")),
    (("optimize", "--no-twin", "--objective", "beauty"), ("--objective", "cost", "weighted")),
    (("optimize", "--no-twin", "--solver", "nosuchsolver"), ("--solver", "nosuchsolver", "appsi_highs")),
    (("optimize", "--no-twin", "--solver", "glpk"), ("--solver", "glpk")),
    (("optimize", "--no-twin", "--mode", "teleport"), ("--mode='teleport'", "vapour_commercial")),
    (("optimize", "--no-twin", "--pareto", "cost,beauty"), ("--pareto='cost,beauty'", "cost,throughput")),
    (("optimize", "--pareto", "cost,throughput", "--pareto-points", "1000"), ("--pareto-points=1000", "[2, 50]")),
    (("optimize", "--twin-hours", "-1"), ("--twin-hours=-1", "(0, 8784] h")),
    # the optimiser's targets, named as the options typed
    (("optimize", "--tolerance-nm", "-5"), ("--tolerance-nm=-5", "(0, inf) nm")),
    (("optimize", "--tolerance-nm", "1e-300"), ("--tolerance-nm=1e-300", "no width")),
    (("optimize", "--min-texture-100", "2"), ("--min-texture-100=2", "[0, 1]")),
    (("optimize", "--surface-zn-min", "0.5", "--surface-zn-max", "0.1"), ("--surface-zn-min/--surface-zn-max",
                                                                          "(0.5, 0.1)", "min < max")),
    (("optimize", "--surface-zn-min", "0.1", "--surface-zn-max", "2"), ("--surface-zn-max=2", "[0, 1]")),
    (("optimize", "--max-overpotential-mV", "-3"), ("--max-overpotential-mV=-3", "(0, inf) mV")),
    # strict types
    (("simulate", "--set", "plant.lines.1.settings.web_speed_m_per_min=true"), ("web_speed_m_per_min", "True",
                                                                                "valid number", "(0, 100]")),
    (("simulate", "--set", 'hours="3"'), ("hours", "'3'", "valid number")),
    (("simulate", "--set", "plant.lines.0.settings.tank_count=6.5"), ("tank_count", "valid integer", "[1, 50]")),
    (("simulate", "--set", "parameters.foil_emissivity_frac=true"), ("foil_emissivity_frac", "True")),
    (("recipe", "--param", "foil_emissivity_frac=true"), ("foil_emissivity_frac", "'true'", "a number")),
    # silent switch-offs are refusals now
    (("recipe", "--ag-immersion-time-s", "-5"), ("--ag-immersion-time-s=-5.0", "[0, 86400] s")),
    (("recipe", "--ag-immersion-time-s", "60", "--agf-wt-pct", "-1"), ("--agf-wt-pct", "-1", "(0, 20] wt %")),
    # user units in the message
    (("recipe", "--stage3-time-ms", "20000"), ("--stage3-time-ms", "20000", "[0, 10000] ms")),
    (("recipe", "--zn-route", "plated", "--plated-zn-mg-per-cm2", "50"), ("--plated-zn-mg-per-cm2", "mg/cm2")),
    (("recipe", "--anneal-soak-temperature-K", "1200", "--anneal-soak-h", "-1"), ("--anneal-soak-h", "h")),
])
def test_named_bad_inputs_are_one_line_exit_2(args, needles):
    refused(args, *needles)


# option → (the option, the other option named in the refusal); each alone on the command line
ONLY_TOGETHER = [
    (("recipe", "--anneal-soak-h", "3"), "--anneal-soak-temperature-K"),
    (("recipe", "--anneal-target-100", "0.5"), "--anneal-soak-temperature-K"),
    (("recipe", "--anneal-soak-temperature-K", "1200", "--anneal-target-100", "0.5", "--anneal-soak-h", "2"),
     "--anneal-target-100"),
    (("recipe", "--zn-current-density-A-per-m2", "100"), "--zn-bath"),
    (("recipe", "--zn-plating-time-s", "10"), "--zn-bath"),
    (("recipe", "--zn-bath-concentration-mol-per-m3", "500"), "--zn-bath"),
    (("recipe", "--plated-zn-mg-per-cm2", "0.1"), "--zn-route plated"),
    (("recipe", "--zn-route", "plated", "--plated-zn-mg-per-cm2", "0.1", "--zn-bath", "zn_acid_sulfate"),
     "--zn-bath"),
    (("recipe", "--zn-route", "vapour", "--zn-bath", "zn_acid_sulfate"), "--zn-bath"),
    (("recipe", "--zn-route", "plated", "--plated-zn-mg-per-cm2", "0.1", "--zn-source-temperature-K", "800"),
     "vapour route"),
    (("recipe", "--agf-wt-pct", "2"), "--ag-immersion-time-s"),
    (("recipe", "--stage2-time-s", "0", "--zn-route", "plated", "--plated-zn-mg-per-cm2", "0.1",
      "--stage2-temperature-K", "700"), "--stage2-time-s"),
    (("recipe", "--stage3-time-ms", "0", "--stage3-peak-K", "1100"), "--stage3-time-ms"),
    (("recipe", "--stage3-time-ms", "0", "--stage3-heating-rate-K-per-s", "1e4"), "--stage3-time-ms"),
    (("recipe", "--stage3-time-ms", "0", "--cooling", "free"), "--stage3-time-ms"),
    (("recipe", "--electroform-bath", "cu_acid_sulfate_fsi"), "--substrate electroformed"),
    (("recipe", "--electroform-current-density-A-per-m2", "200"), "--substrate electroformed"),
    (("recipe", "--electroform-temperature-K", "300"), "--substrate electroformed"),
    (("recipe", "--no-uht", "--foil-thickness-um", "8"), "--no-uht"),
    (("recipe", "--no-uht", "--stage2-time-s", "60"), "--no-uht"),
    (("recipe", "--no-uht", "--zn-bath", "zn_acid_sulfate"), "--no-uht"),
    (("recipe", "--profile"), "--json"),
    (("optimize", "--cost-weight", "0.3"), "--objective weighted"),
    (("optimize", "--pareto-points", "4"), "--pareto"),
    (("optimize", "--no-twin", "--twin-hours", "4"), "--no-twin"),
    (("optimize", "--no-twin", "--seed", "4"), "--no-twin"),
]


@pytest.mark.integration
@pytest.mark.parametrize(("args", "other"), ONLY_TOGETHER)
def test_options_that_act_only_together_are_refused_naming_both(args, other):
    opt = next(a for a in reversed(args) if a.startswith("--") and a not in (other,))
    line = refused(args, other)
    assert "--" in line.split("=", 1)[0], line  # the refused option is named as typed
    assert opt in line or other in line


@pytest.mark.integration
def test_options_with_their_partner_are_accepted():
    code, out, err = cli("recipe", "--anneal-soak-temperature-K", "1073.15", "--anneal-soak-h", "1",
                         "--ag-immersion-time-s", "60", "--agf-wt-pct", "1", "--json", "-")
    assert code == 0, err
    assert '"ag_immersion"' in out and '"coil_anneal"' in out


@pytest.mark.integration
def test_a_huge_value_comes_back_shortened():
    big = "x" * 5_000_000
    line = refused(("simulate", "--set", f"name={big}"), "name=")
    assert len(line) < 400 and "5000000" in line
    line = refused(("simulate", "--set", f"plant.{big}=1"))
    assert len(line) < 1200
    line = refused(("recipe", "--param", f"foil_emissivity_frac={big}"), "foil_emissivity_frac")
    assert len(line) < 400
    from ui.whatif import describe_error
    assert len(describe_error(FoiltwinInputError("name", big, "at most 128 characters"))) < 300


@pytest.mark.unit
def test_python_entry_points_refuse_bool_and_numeric_strings():
    with pytest.raises(FoiltwinInputError, match="not bool"):
        check_range("web_speed_m_per_min", True, 0.0, 100.0)
    with pytest.raises(FoiltwinInputError, match="not str"):
        check_range("web_speed_m_per_min", "3", 0.0, 100.0)
    assert check_range("x", 3, 0.0, 10.0) == 3.0
    from process_models.errors import check_array
    from process_models.texture.coil_anneal import FurnaceLoad, anneal_cycle
    for bad in (True, "3", [1.0, True], ["1"]):
        with pytest.raises(FoiltwinInputError):
            check_array("soak_time_s", bad, 0.0, 1e5)
    with pytest.raises(FoiltwinInputError) as err:
        anneal_cycle(1073.15, True, FurnaceLoad(coils_count=4, coil_length_m=2000.0, coil_width_m=0.5,
                                                foil_thickness_m=10e-6))
    assert err.value.field == "soak_time_s"
    params = default_parameters()
    for bad in (True, "120"):
        with pytest.raises(FoiltwinInputError) as err:
            UHTRecipe(stage2_time_s=bad).validated(params)  # type: ignore[arg-type]
        assert err.value.field == "stage2_time_s"
    with pytest.raises(FoiltwinInputError):
        params.with_overrides({"foil_emissivity_frac": True})
    with pytest.raises(FoiltwinInputError):
        params.with_overrides({"foil_emissivity_frac": "0.5"})
    for data, field in [({"hours": True}, "hours"), ({"hours": "3"}, "hours"), ({"seed": 2.0}, "seed"),
                        ({"name": 3}, "name"), ({"spec": {"reject_melting": 1}}, "spec.reject_melting"),
                        ({"plant": {"coil_store": {"capacity_coils": "20"}}}, "plant.coil_store.capacity_coils")]:
        with pytest.raises(FoiltwinInputError) as err:
            scenario_from_dict(data)
        assert err.value.field == field
    sc = apply_overrides(Scenario(), ["hours=3", "seed=7", "spec.allowed_skin_phases=['alpha', 'beta']"])
    assert (sc.hours, sc.seed, sc.spec.allowed_skin_phases) == (3.0, 7, ("alpha", "beta"))


@pytest.mark.unit
def test_a_negative_immersion_or_strength_is_refused_not_switched_off():
    from process_models.collector.recipe import CollectorRecipe, evaluate_collector

    params = default_parameters()
    for kw, field in [({"ag_immersion_time_s": -1.0}, "ag_immersion_time_s"),
                      ({"agf_mass_frac": -0.01}, "agf_mass_frac")]:
        with pytest.raises(FoiltwinInputError) as err:
            evaluate_collector(CollectorRecipe(uht=None, **kw), params)
        assert err.value.field == field
    assert evaluate_collector(CollectorRecipe(uht=None, ag_immersion_time_s=0.0), params).ag is None


# ------------------------------------------------------------------------------------------------ output paths
def _bad_targets(tmp_path):
    (tmp_path / "file").write_text("x")
    return {"missing folder": str(tmp_path / "nope" / "r.json"), "directory": str(tmp_path),
            "under a file": str(tmp_path / "file" / "r.json"), "empty": ""}


@pytest.mark.integration
@pytest.mark.parametrize("command", [("params",), ("schema",), ("validate",), ("recipe", "--no-uht"),
                                     ("simulate", "--hours", "0.05"), ("optimize", "--no-twin")])
def test_json_to_an_unwritable_path_is_exit_2(tmp_path, command):
    for case, target in _bad_targets(tmp_path).items():
        line = refused((*command, "--json", target), "--json")
        assert "directory" in line or "folder" in line, (case, line)


@pytest.mark.integration
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="no /proc: no folder that refuses root")
@pytest.mark.parametrize("args", [("params", "--json"), ("schema", "--json"), ("recipe", "--no-uht", "--json"),
                                  ("optimize", "--no-twin", "--json"), ("optimize", "--no-twin", "--pareto",
                                                                        "cost,throughput", "--plot"),
                                  ("scenario", "init", "--out"), ("simulate", "--hours", "0.05", "--out"),
                                  ("simulate", "--hours", "0.05", "--json")])
def test_a_folder_that_exists_but_takes_no_files_is_said_to_be_unwritable(args):
    """``/proc`` exists: the reason is that it is not writable, not that it is missing (every output said "its
    folder does not exist"); the path is shown as typed."""
    line = refused((*args, "/proc/foiltwin.out"), f"{args[-1]}='/proc/foiltwin.out'",
                   "its folder /proc is not writable")
    assert "does not exist" not in line


@pytest.mark.integration
def test_a_path_option_is_shown_as_typed_not_as_a_python_repr(tmp_path):
    target = str(tmp_path / "front.html")
    line = refused(("optimize", "--no-twin", "--plot", target), f"--plot='{target}'", "--pareto")
    assert "PosixPath" not in line


@pytest.mark.integration
@pytest.mark.parametrize(("text", "needle"), [("bogus = 1", "parameter='bogus'"),
                                              ("web_width_m = 1e308", "web_width_m=1e+308")])
def test_scenario_check_refuses_the_parameter_overrides_simulate_refuses(tmp_path, text, needle):
    """``scenario check`` said "valid" for a ``[parameters]`` table that ``simulate`` refuses: both apply the same
    registry-override check now, with the same message."""
    path = tmp_path / "sp.toml"
    path.write_text(f"[parameters]\n{text}\n")
    checked = refused(("scenario", "check", str(path)), needle)
    assert checked == refused(("simulate", str(path), "--hours", "0.05"), needle)


# ------------------------------------------------------------------------------------------------ fuzz
SCENARIO_KEYS = ["name", "plant", "lines", "type", "uht", "electrodeposition", "settings", "web_speed_m_per_min",
                 "stage2_temperature_K", "stage3_peak_K", "equipment", "time_to_failure", "mean_h", "exponential",
                 "hours", "seed", "segment_length_m", "parameters", "foil_emissivity_frac", "spec", "coil_store",
                 "capacity_coils", "initial_coils", "furnaces", "enabled", "tank_count", "bath", "changeovers",
                 "at_h", "incoming_coils", "length_m", "allowed_skin_phases", "cooling", "x"]
scalars = st.one_of(st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True), st.text(max_size=12),
                    st.sampled_from(["uht", "electrodeposition", "contact", "alpha", "cu_acid_sulfate", "exponential",
                                     "", "3", "true"]))
trees = st.recursive(scalars, lambda kids: st.one_of(st.lists(kids, max_size=3),
                                                    st.dictionaries(st.sampled_from(SCENARIO_KEYS), kids, max_size=4)),
                     max_leaves=12)


def _accepted_or_refused(fn, *args) -> None:
    try:
        fn(*args)
    except FoiltwinInputError as err:
        text = str(err)
        assert "\n" not in text and len(text) < 1500, text


@pytest.mark.component
@FUZZ
@given(data=st.dictionaries(st.sampled_from(SCENARIO_KEYS), trees, max_size=5))
def test_fuzz_scenario_dict_trees(data):
    _accepted_or_refused(scenario_from_dict, data)


@pytest.mark.component
@FUZZ
@given(text=st.one_of(st.text(max_size=200),
                      st.builds(lambda k, v: f"{k} = {v}\n", st.sampled_from(SCENARIO_KEYS),
                                st.sampled_from(["true", "'3'", "3", "-1", "nan", "inf", "[]", "{}", "[[1]]", "1e999",
                                                 "{type='uht'}", "[{type='uht', name=''}]", '"\\u0000"'])),
                      st.binary(max_size=64).map(lambda b: b.decode("latin-1"))))
def test_fuzz_scenario_toml_texts(text):
    def load(t: str) -> None:
        scenario_from_dict(parse_toml_bytes(t.encode("utf-8", "surrogatepass"), "scenario", "fuzz.toml"))

    _accepted_or_refused(load, text)


def _paths(node, prefix=""):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, f"{prefix}{k}.")
    elif isinstance(node, list | tuple) and node and isinstance(node[0], dict):
        for i, v in enumerate(node):
            yield from _paths(v, f"{prefix}{i}.")
    yield prefix.rstrip(".")


SET_PATHS = sorted(p for p in _paths(Scenario().model_dump(mode="python")) if p)
SET_VALUES = ["true", "false", "0", "-1", "1e9", "nan", "inf", "-inf", "3", "3.5", "'3'", '"uht"', "[]", "[1, 2]",
              "{}", "x", "", "'alpha'", "2**64", "18446744073709551616", "[{type='uht'}]", "{mean_h=1}"]


@pytest.mark.component
@FUZZ
@given(items=st.lists(st.builds(lambda p, v: f"{p}={v}", st.sampled_from([*SET_PATHS, "plant.nope", "parameters.x_K",
                                                                             "plant.lines.7.name", ".", "a..b"]),
                                st.sampled_from(SET_VALUES)), min_size=1, max_size=3))
def test_fuzz_set_items(items):
    _accepted_or_refused(apply_overrides, Scenario(), items)


RECIPE_OPTIONS = ["--stage2-temperature-K", "--stage2-time-s", "--stage3-peak-K", "--stage3-time-ms",
                  "--foil-thickness-um", "--zn-route", "--plated-zn-mg-per-cm2", "--zn-bath", "--cooling",
                  "--substrate", "--ag-immersion-time-s", "--agf-wt-pct", "--anneal-soak-temperature-K",
                  "--anneal-soak-h", "--currency", "--param"]
OPTION_VALUES = ["0", "-1", "1e9", "nan", "inf", "750", "30", "0.1", "plated", "vapour", "true", "", "x",
                 "zn_acid_sulfate", "free", "electroformed", "CNY", "foil_emissivity_frac=2", "1200", "10"]


@pytest.mark.integration
@settings(FUZZ, max_examples=25)
@given(pairs=st.lists(st.tuples(st.sampled_from(RECIPE_OPTIONS), st.sampled_from(OPTION_VALUES)), max_size=3))
def test_fuzz_recipe_options(pairs):
    args = [x for p in pairs for x in p]
    code, _, err = cli("recipe", *args)
    assert code in (0, 2), (args, code, err)
    if code == 2:
        assert len(err.strip().splitlines()) == 1, err


@pytest.mark.integration
@settings(FUZZ, max_examples=15)
@given(item=st.builds(lambda p, v: f"{p}={v}", st.sampled_from(SET_PATHS), st.sampled_from(SET_VALUES)),
       kind=st.sampled_from(["measured", "fitted", "fited", "", "MEASURED", "constant"]))
@example(item="plant.lines=[]", kind="fited")  # the two tracebacks the issue reports
def test_fuzz_simulate_set_and_params_kind(item, kind):
    code, _, err = cli("simulate", "--hours", "0.05", "--set", item)
    assert code in (0, 2), (item, code, err)
    assert code == 0 or len(err.strip().splitlines()) == 1, err
    code, _, err = cli("params", "--kind", kind)
    assert code in (0, 2) and "Traceback" not in err


@pytest.mark.unit
def test_the_dashboard_refuses_what_the_cli_refuses():
    from ui.lab import LabInputs, lab_recipe
    from ui.whatif import WhatIfInputs, build_whatif, describe_error, scenario_from_toml_bytes

    for data, field in [(b'hours = "3"', "hours"), (b"[plant]\nlines = []\n", "plant"),
                        (b"[[plant.lines]]\ntype = 'uht'\n[plant.lines.settings]\nweb_speed_m_per_min = true\n",
                         "plant.lines.0.settings.web_speed_m_per_min")]:
        with pytest.raises(FoiltwinInputError) as err:
            scenario_from_toml_bytes("up.toml", data)
        assert err.value.field == field and "\n" not in describe_error(err.value)
    with pytest.raises(FoiltwinInputError) as err:
        build_whatif(Scenario(), WhatIfInputs(), ["plant.lines.1.settings.web_speed_m_per_min=true"])
    assert err.value.field.endswith("web_speed_m_per_min")
    for kw, field in [({"foil_thickness_um": 0.0}, "foil thickness [µm]"), ({"stage3_time_ms": -1.0},
                                                                              "stage-III time [ms]")]:
        with pytest.raises(FoiltwinInputError) as err:
            lab_recipe(LabInputs(**kw))
        assert err.value.field == field


@pytest.mark.unit
@pytest.mark.parametrize(("data", "says"), [
    ({"hours": float("nan")}, "hours=nan is not allowed: must lie in (0, 8784]"),  # NaN fails one bound: say both
    ({"hours": -1.0}, "hours=-1.0 is not allowed: must lie in (0, 8784]"),
    ({"seed": -5}, "seed=-5 is not allowed: must lie in [0, 9223372036854775807]"),  # an integer bound in full
])
def test_a_value_outside_a_fields_bounds_is_refused_with_the_whole_range(data, says):
    with pytest.raises(FoiltwinInputError) as err:
        scenario_from_dict(data)
    assert str(err.value) == says


@pytest.mark.unit
def test_a_set_on_a_list_item_changes_that_item():
    """``--set key.N=value`` addresses item N of a list field: it is changed, not dropped (it was accepted and
    silently lost: the item was set in a copy of the list); an index past the end is refused with the field."""
    sc = apply_overrides(Scenario(), ["spec.allowed_skin_phases=['alpha', 'beta']", "spec.allowed_skin_phases.1=gamma"])
    assert sc.spec.allowed_skin_phases == ("alpha", "gamma")
    assert apply_overrides(Scenario(), ["spec.allowed_skin_phases.0=beta"]).spec.allowed_skin_phases == ("beta",)
    with pytest.raises(FoiltwinInputError) as err:
        apply_overrides(Scenario(), ["spec.allowed_skin_phases.3=beta"])
    assert err.value.field == "spec.allowed_skin_phases.3"


@pytest.mark.unit
@pytest.mark.parametrize(("item", "field", "words"), [
    ("hours.x.y=1", "hours.x", "hours holds a value, not fields"),  # was a TypeError traceback (len of a float)
    ("plant.lines.5.name=x", "plant.lines.5", "an index of the list, 0 to 1"),  # the index is what is wrong
])
def test_a_path_through_a_value_or_past_a_list_is_refused_saying_why(item, field, words):
    with pytest.raises(FoiltwinInputError) as err:
        apply_overrides(Scenario(), [item])
    assert err.value.field == field and words in str(err.value)
