"""`foiltwin recipe --skin-metal`: Zn unchanged, other metals through process_models.skins, refused options."""

from __future__ import annotations

import json

import pytest


@pytest.mark.integration
def test_zn_default_and_explicit_zn_give_the_same_report(cli):
    code_a, out_a, _ = cli("recipe", "--stage3-time-ms", "0", "--json", "-")
    code_b, out_b, _ = cli("recipe", "--stage3-time-ms", "0", "--skin-metal", "Zn", "--json", "-")
    assert code_a == code_b == 0
    assert out_a == out_b
    assert "skin_metal" not in json.loads(out_a)  # the Zn report keeps its keys


@pytest.mark.integration
def test_mg_vapour_skin_report(cli):
    code, out, err = cli("recipe", "--skin-metal", "Mg", "--stage2-time-s", "10", "--json", "-")
    assert code == 0, err
    data = json.loads(out)
    assert data["skin_metal"] == "Mg" and data["route"] == "vapour"
    assert data["source_temperature_K"] == pytest.approx(923.0 + 57.32)
    assert data["deposited_mol_per_m2"] > 0.01 and data["skin_thickness_nm"] > 0.0
    assert {"Alcock1984", "Liang1998"} <= set(data["citations"])


@pytest.mark.integration
def test_sn_contact_skin_text_and_vapour_warning(cli):
    code, out, err = cli("recipe", "--skin-metal", "Sn", "--skin-route", "contact", "--skin-loading-mg-per-cm2",
                         "0.26", "--stage3-peak-K", "900")
    assert code == 0, err
    assert out.startswith("Sn skin (contact)") and "USD/m2" in out
    code, out, err = cli("recipe", "--skin-metal", "Sn")
    assert code == 0, err
    assert "contact/wetting" in out and "hotter source" in out


@pytest.mark.integration
@pytest.mark.parametrize(("args", "flag"), [
    (("--skin-metal", "Ag", "--zn-route", "plated"), "--zn-route"),
    (("--skin-metal", "Al", "--ag-immersion-time-s", "10"), "--ag-immersion-time-s"),
    (("--skin-loading-mg-per-cm2", "1"), "--skin-loading-mg-per-cm2"),
    (("--skin-metal", "Mg", "--skin-loading-mg-per-cm2", "1"), "--skin-loading-mg-per-cm2"),
    (("--skin-metal", "Sn", "--skin-route", "contact"),
     "--skin-loading-mg-per-cm2=0.0 is not allowed: must lie in (0, 10] mg/cm2"),
    (("--skin-metal", "Pb"), "--skin-metal"),
    # the Zn collector recipe's steps, silently ignored with another metal before
    (("--skin-metal", "Mg", "--uncertainty", "linear"), "--uncertainty"),
    (("--skin-metal", "Mg", "--web-tension-N-per-m", "100"), "--web-tension-N-per-m"),
    (("--skin-metal", "Mg", "--scenario", "examples/scenarios/default_plant.toml"), "--scenario"),
])
def test_options_that_do_not_apply_are_refused_in_one_line(cli, args, flag):
    code, _out, err = cli("recipe", *args)
    assert code == 2
    assert flag in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


_AG_CONTACT = ("recipe", "--skin-metal", "Ag", "--skin-route", "contact", "--skin-loading-mg-per-cm2", "0.1")


@pytest.mark.integration
def test_a_thick_foil_skin_reports_the_ramp_the_heater_drives(cli):
    """A 30 µm foil was refused at any peak (the registry's 1e5 K/s needs more than the heater gives it); its skin
    now solves on the heater's fastest ramp, reported beside the programmed one and warned."""
    code, out, err = cli(*_AG_CONTACT, "--foil-thickness-um", "30", "--json", "-")
    assert code == 0, err
    data = json.loads(out)
    assert data["stage3_ramp_K_per_s"] < data["stage3_programmed_ramp_K_per_s"] == 1e5
    assert any("the fastest the heater drives on a 30 µm foil" in w for w in data["warnings"])
    code, out, err = cli(*_AG_CONTACT, "--foil-thickness-um", "30", "--stage3-heating-rate-K-per-s", "5e4",
                         "--json", "-")
    assert code == 0, err
    assert json.loads(out)["stage3_ramp_K_per_s"] == json.loads(out)["stage3_programmed_ramp_K_per_s"] == 5e4


@pytest.mark.integration
@pytest.mark.parametrize(("args", "says"), [
    (("--stage3-peak-K", "1000"), "--stage3-peak-K=1000.0 is not allowed: in (300, "),
    ((), "--foil-thickness-um=50.0 is not allowed: in [3, "),
    (("--stage3-heating-rate-K-per-s", "1e7"), "--stage3-heating-rate-K-per-s=10000000.0 is not allowed: must lie "
                                               "in [100, 1e+06] K/s"),
])
def test_a_peak_the_heater_cannot_reach_names_the_option_and_its_range(cli, args, says):
    code, _out, err = cli(*_AG_CONTACT, "--foil-thickness-um", "50", "--stage3-time-ms", "5", *args)
    assert code == 2
    assert says in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
