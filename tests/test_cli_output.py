"""What a person reads: help with its units and plain metavars, --version, completion, rich tables with units,
numbers formatted to their precision, pint conversions at the boundary equal to the hand-written ones."""

from __future__ import annotations

import json
import re

import pytest

from foiltwin.tables import Column, mean_and_spread, print_table
from foiltwin.units import to_unit


@pytest.mark.integration
def test_version_and_completion(cli):
    code, out, _ = cli("--version")
    assert code == 0 and re.fullmatch(r"foiltwin \S+\n", out)
    code, out, _ = cli("--help")
    assert code == 0 and "--install-completion" in out and "--show-completion" in out


@pytest.mark.integration
@pytest.mark.parametrize("command", [("recipe",), ("simulate",), ("optimize",), ("params",), ("validate",),
                                     ("batch", "run"), ("batch", "summary"), ("scenario", "init"), ("calibrate",),
                                     ("data", "drift"), ("ui",)])
def test_help_keeps_units_and_plain_metavars(cli, command):
    code, out, err = cli(*command, "--help")
    assert code == 0, err
    assert "<" not in out.replace("<=", ""), out  # no <float>, <list[str]>
    if command == ("optimize",):
        assert "Target skin thickness [nm]" in out and "--mode MODE" in out and "--json FILE|-" in out
        assert "--objective cost|throughput|weighted" in out and "[SCENARIO]" in out
    if command == ("recipe",):
        assert "[mg/cm2]" in out and "--foil-thickness-um FLOAT" in out and "--param NAME=VALUE" in out


@pytest.mark.integration
def test_params_is_a_table_with_units_and_json_has_numbers(cli):
    code, out, _ = cli("params", "--kind", "fitted")
    assert code == 0 and "┃ name" in out and re.search(r"┃\s+value ┃ unit", out) and "standard" in out
    code, out, _ = cli("params", "--kind", "fitted", "--json", "-")
    data = json.loads(out)["parameters"]
    assert data and all(isinstance(p["value"], float) for p in data)


@pytest.mark.integration
def test_simulate_prints_tables_with_units(cli):
    code, out, err = cli("simulate", "--hours", "0.5")
    assert code == 0, err
    assert re.search(r"throughput\s*│\s*[\d.]+\s*│ m²/h", out) and "cost [USD/m²]" in out and "seed 1" in out


@pytest.mark.unit
@pytest.mark.parametrize(("mean", "spreads", "text"), [
    (0.3, (1.7e-11,), ["0.3000", "0"]),  # float noise is no spread
    (452.31, (3.214, 7.9), ["452.3", "3.2", "7.9"]),
    (0.2929, (0.000112,), ["0.2929", "0.0001"]),
    (1.0, (0.0,), ["1.000", "0"]),
    (16.95, (None,), ["16.95", "n/a"]),
    (None, (None,), ["n/a", "n/a"]),
])
def test_spread_is_shown_to_the_precision_of_its_mean(mean, spreads, text):
    assert mean_and_spread(mean, *spreads) == text


@pytest.mark.unit
def test_tables_print_brackets_as_written(capsys):
    print_table([Column("thickness", "nm"), Column("note", numeric=False)], [[3.0, "[bold]x[/bold] [nm]"]])
    out = capsys.readouterr().out
    assert "thickness [nm]" in out and "[bold]x[/bold] [nm]" in out


@pytest.mark.unit
def test_pint_conversions_are_the_hand_written_floats():
    for x in (0.1, 3.0, 7.3, 10.0, 49.9):
        assert to_unit(x, "um", "m") == x * 1e-6
        assert to_unit(x, "ms", "s") == x * 1e-3
        assert to_unit(x, "mm", "m") == x * 1e-3
        assert to_unit(x, "m/min", "m/s") == x / 60.0
        assert to_unit(x, "mm/min", "m/s") == x / 6e4
        assert to_unit(x, "mg/cm**2", "kg/m**2") == pytest.approx(x / 100.0, rel=1e-15)
    assert to_unit(2.5e-6, "m", "um") == pytest.approx(2.5) and to_unit(5400.0, "s", "h") == 1.5


@pytest.mark.unit
def test_pint_display_conversions_are_the_known_factors():
    """The factors the commands print with (SI to the units shown) and the option conversions of recipe."""
    for x in (0.1, 3.0, 7.3, 5400.0, 1.234567e5):
        assert to_unit(x, "s", "h") == x / 3600.0
        assert to_unit(x, "s", "min") == x / 60.0
        assert to_unit(x, "h", "s") == x * 3600.0
        assert to_unit(x, "W/m**2", "W/cm**2") == pytest.approx(x / 1e4, rel=1e-15)
        assert to_unit(x, "percent", "") == pytest.approx(x / 100.0, rel=1e-15)
        assert to_unit(x, "", "percent") == x * 100.0
        assert to_unit(x * 1e-9, "m", "nm") == pytest.approx(x, rel=1e-15)
        assert to_unit(x, "mol/m**2", "umol/cm**2") == x * 100.0
    assert to_unit(1.5e6, "W/m**2", "W/cm**2") == 150.0 and to_unit(7200.0, "s", "h") == 2.0


# SI-to-display factors written by hand, as they were before pint did them (a number after * or /).
_HAND_FACTOR = re.compile(r"[*/] ?(3600(\.0)?|60(\.0)?|1e-?[0-9]+|100(\.0)?)\b")


@pytest.mark.unit
@pytest.mark.parametrize("module", ["output", "cli", "skin_commands", "uq_commands", "plant_commands"])
def test_no_hand_unit_factor_left_at_the_cli_boundary(module):
    from pathlib import Path

    import foiltwin

    src = (Path(foiltwin.__file__).parent / f"{module}.py").read_text(encoding="utf-8")
    hits = [line.strip() for line in src.splitlines() if _HAND_FACTOR.search(line)]
    assert not hits, f"foiltwin/{module}.py converts units by hand (use foiltwin.units.to_unit): {hits}"


@pytest.mark.integration
@pytest.mark.parametrize(("args", "text"), [
    (("--stage3-heater-length-mm", "5000"), "--stage3-heater-length-mm=5000.0 is not allowed: must lie in "
                                            "[0.001, 1000] mm"),
    (("--line-speed-m-per-min", "1000"), "--line-speed-m-per-min=1000.0 is not allowed: must lie in [0.006, 600] "
                                         "m/min"),
    (("--texture-route", "hot-zone", "--hot-zone-speed-mm-per-min", "1e7"), "mm/min"),
    (("--foil-thickness-um", "0"), "must lie in [3, 50] µm"),
    (("--ag-immersion-time-s", "10", "--agf-wt-pct", "90"), "--agf-wt-pct=90.0 is not allowed: must lie in "
                                                            "(0, 20] wt %"),
    (("--anneal-soak-temperature-K", "950", "--anneal-soak-h", "-1"), "--anneal-soak-h=-1.0 is not allowed: must lie "
                                                                      "in [0, 48] h"),
    (("--skin-metal", "Mg", "--foil-thickness-um", "500"), "--foil-thickness-um=500.0 is not allowed: must lie in "
                                                           "[3, 50] µm"),
    (("--skin-metal", "Mg", "--stage3-time-ms", "1e6"), "--stage3-time-ms=1000000.0 is not allowed: must lie in "
                                                        "(0, 10000] ms"),
    (("--skin-metal", "Ag", "--skin-route", "contact", "--skin-loading-mg-per-cm2", "900"),
     "--skin-loading-mg-per-cm2=900.0 is not allowed: must lie in (0, 10] mg/cm2"),
])
def test_recipe_refusals_speak_the_option_units(cli, args, text):
    code, _, err = cli("recipe", *args)
    assert code == 2 and text in err and "m/s" not in err and "kg/m2" not in err and "_m=" not in err, err


@pytest.mark.unit
def test_the_optimiser_answer_prints_its_kpis_and_front_as_tables(capsys):
    from foiltwin.output import print_optimization
    from optimizer.result import OptimizationResult

    kpis = {"skin_thickness_nm": 470.2, "surface_zn_at_frac": 0.37, "skin_phase": "alpha",
            "texture_fraction_100": 0.08, "nucleation_overpotential_mV": 33.2, "yield_fraction": 0.998,
            "throughput_m2_per_h": 77.9, "cost_per_m2": 3.96}
    front = [{"axes": {"cost_per_m2": 3.96, "throughput_m2_per_h": 77.9}},
             {"axes": {"cost_per_m2": 4.5, "throughput_m2_per_h": 90.1}}]
    res = OptimizationResult(status="optimal", targets={}, predicted={**kpis, "single_phase_alpha": True},
                             checked=kpis, binding_constraints=["stage-III peak at its upper limit"], pareto=front,
                             message="checked in the process models", mip_gap=1e-5)
    print_optimization(res)
    out = capsys.readouterr().out
    assert "status: optimal" in out and "binding: stage-III peak at its upper limit" in out
    assert re.search(r"skin thickness\s*│ nm\s*│\s*470.2\s*│\s*470.2\s*│\s*-", out), out
    assert re.search(r"cost\s*│ USD/m²", out) and "Pareto front (2 points)" in out and "90.1" in out
    assert out.rstrip().splitlines()[-1].startswith("MIP gap")


@pytest.mark.integration
@pytest.mark.parametrize(("args", "text"), [
    (("--skin-metal", "Mg", "--foil-thickness-um", "50", "--stage3-time-ms", "5"),
     "--foil-thickness-um=50.0 is not allowed: in [3, 15] µm for the default stage-III peak"),
    (("--ag-immersion-time-s", "60", "--agf-wt-pct", "1e-4"), "--agf-wt-pct=0.0001 is not allowed: a bath whose "),
    (("--stage3-heater-length-mm", "1000", "--line-speed-m-per-min", "0.006"),
     "--stage3-heater-length-mm=1000.0 is not allowed: at most 0.001 m (1 mm) at 0.006 m/min"),
    (("--stage2-temperature-K", "1100", "--stage2-time-s", "30"),
     "--stage2-time-s=30.0 is not allowed: at most ≈23.96 s at 1100 K: a Zn uptake that fits in the 10 µm foil as γ "
     "brass"),
    # fields named otherwise than their option (read temperature_K=500.0, soak_temperature_K=..., target_100_frac=...)
    (("--substrate", "electroformed", "--electroform-temperature-K", "500"),
     "--electroform-temperature-K=500.0 is not allowed: must lie in [273.15, 373.15] K"),
    (("--anneal-soak-temperature-K", "5000"), "--anneal-soak-temperature-K=5000.0 is not allowed"),
    (("--anneal-soak-temperature-K", "900", "--anneal-target-100", "1.5"), "--anneal-target-100=1.5 is not allowed"),
    # a field named as its option: the option, also for NaN (which equals nothing)
    (("--stage2-temperature-K", "nan"), "--stage2-temperature-K=nan is not allowed: must lie in [500, 1100] K"),
])
def test_model_refusals_of_fields_set_in_other_units_name_the_option(cli, args, text):
    """A model's refusal of the foil thickness (a skin's stage III on a thick foil) or the AgF strength (a bath too
    dilute for natural convection) read foil_thickness_m=4.9999999999999996e-05 / agf_mass_frac=1.0e-06: the
    option and the value the user typed are named instead."""
    code, _, err = cli("recipe", *args)
    assert code == 2 and text in err, err
    assert "foil_thickness_m=" not in err and "agf_mass_frac=" not in err and "heating_rate_K_per_s=" not in err


@pytest.mark.integration
@pytest.mark.parametrize(("args", "text"), [
    (("--zn-bath", "zn_acid_sulfate", "--zn-plating-time-s", "-5"),
     "--zn-plating-time-s=-5.0 is not allowed: must lie in (0, 86400] s"),
    (("--zn-bath", "zn_acid_sulfate", "--zn-current-density-A-per-m2", "1772295.9", "--zn-plating-time-s", "58.88",
      "--stage3-time-ms", "0"), "--zn-plating-time-s=58.88 is not allowed: at most 48.72 s at 1.7723e+06 A/m2"),
    (("--zn-bath", "zn_acid_sulfate", "--zn-current-density-A-per-m2", "300", "--zn-plating-time-s", "3000"),
     "--zn-plating-time-s=3000.0 is not allowed: at most ≈537.8 s at 300 A/m2: it plates 0.2961 kg/m2 of Zn per face "
     "and the UHT line takes at most 0.1 kg/m2 (plated_zn_loading_kg_per_m2), and the 10 µm foil holds ≈0.0531 kg/m2 "
     "as γ brass"),
    (("--zn-bath", "zn_acid_sulfate", "--zn-current-density-A-per-m2", "300", "--zn-plating-time-s", "600"),
     "--zn-plating-time-s=600.0 is not allowed: at most ≈"),
    (("--zn-bath", "zn_acid_sulfate", "--zn-current-density-A-per-m2", "1e9"),
     "--zn-current-density-A-per-m2=1000000000.0 is not allowed: must lie in (0, 1e+08] A/m2"),
    (("--substrate", "electroformed", "--electroform-current-density-A-per-m2", "1e9"),
     "--electroform-current-density-A-per-m2=1000000000.0 is not allowed: must lie in (0, 1e+08] A/m2"),
    (("--zn-route", "plated", "--plated-zn-mg-per-cm2", "5.5"),
     "--plated-zn-mg-per-cm2=5.5 is not allowed: at most ≈5.31 mg/cm2: the Zn the 10 µm foil holds as γ brass"),
])
def test_zn_plating_refusals_name_the_option_in_its_units(cli, args, text):
    """The Zn plating step's refusals read zn_acid_sulfate.time_s=… (or current_density_A_per_m2 without the
    bath), and the γ-brass capacity plated_zn_loading_kg_per_m2=0.055 while the user typed 5.5 mg/cm² (or no
    loading at all but a plating time): the option the user set is named, with its value and range in its units.
    Above the UHT line's 0.1 kg/m² the hint was the time that fits that limit, which the foil's γ-brass capacity
    then refused (600 s, then 1013 s, then 537.8 s): with a stage III the hint now fits both."""
    code, _, err = cli("recipe", *args)
    assert code == 2 and text in err, err
    assert "zn_acid_sulfate." not in err and "plated_zn_loading_kg_per_m2=" not in err
    assert "current_density_A_per_m2=" not in err
    if "300" in args:  # the time that fits, at the same current density, is accepted
        given = float(args[args.index("--zn-plating-time-s") + 1])
        top = float(err.split("at most ≈")[1].split(" s")[0])
        assert 0.0 < top < given
        code, _, err = cli("recipe", "--zn-bath", "zn_acid_sulfate", "--zn-current-density-A-per-m2", "300",
                           "--zn-plating-time-s", f"{0.99 * top:.4g}")
        assert code == 0, err
