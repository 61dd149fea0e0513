"""``spec.allowed_skin_phases`` of the Zn product (process_models.skins.spec_defaults): each name is one the Zn skin
metrics can report ("none", or Cu-Zn phases joined by "+"), an unknown one is refused with exit 2 (it used to be
accepted and reject every metre, silently), and a skin passes when it holds the same phases as an allowed name in
any order (the metrics order the phases by their share, which moves from metre to metre)."""

from __future__ import annotations

import pytest

from process_models.errors import FoiltwinInputError
from process_models.skins.spec_defaults import checked_zn_allowed_phases, zn_phase_allowed
from process_models.uht.phase_diagram import PHASES
from twin.scenario import Scenario, SpecLimits, apply_overrides
from twin.simulate import run_single


@pytest.mark.unit
@pytest.mark.parametrize("good", [("alpha",), ("none",), ("beta+alpha", "gamma"), tuple(PHASES), ("+".join(PHASES),)])
def test_labels_the_metrics_can_report_are_kept(good):
    assert checked_zn_allowed_phases(good) == good
    assert SpecLimits(allowed_skin_phases=good).allowed_skin_phases == good


@pytest.mark.unit
@pytest.mark.parametrize(("bad", "item"), [
    (("unobtainium",), "0"), (("alpha", "brass"), "1"), (("alpha+alpha",), "0"), (("alpha+",), "0"),
    (("Alpha",), "0"), (("none+alpha",), "0"), (("",), "0"),
])
def test_unknown_names_are_refused_naming_the_item(bad, item):
    with pytest.raises(FoiltwinInputError) as e:
        checked_zn_allowed_phases(bad, field="spec.allowed_skin_phases")
    assert e.value.field == f"spec.allowed_skin_phases.{item}" and e.value.value == bad[int(item)]
    assert ", ".join(PHASES) in str(e.value) and '"none"' in str(e.value)
    with pytest.raises(FoiltwinInputError) as e:
        apply_overrides(Scenario(), [f"spec.allowed_skin_phases={list(bad)!r}"])
    assert e.value.field == f"spec.allowed_skin_phases.{item}"


@pytest.mark.unit
def test_a_skin_passes_whatever_the_order_of_its_phases():
    allowed = ("alpha", "alpha+beta+gamma")
    assert zn_phase_allowed("alpha", allowed) and zn_phase_allowed("gamma+alpha+beta", allowed)
    assert not zn_phase_allowed("alpha+beta", allowed) and not zn_phase_allowed("none", allowed)
    assert not zn_phase_allowed("beta", ("beta+alpha",)) and zn_phase_allowed("none", ("none",))


@pytest.mark.integration
@pytest.mark.parametrize("source", ["set", "file"])
def test_the_cli_refuses_an_unknown_zn_phase_with_exit_2(cli, tmp_path, source):
    if source == "set":
        code, out, err = cli("simulate", "--hours", "0.1", "--set", "spec.allowed_skin_phases=['alpha', 'brass']")
    else:
        path = tmp_path / "s.toml"
        path.write_text('hours = 0.1\n[spec]\nallowed_skin_phases = ["alpha", "brass"]\n')
        code, out, err = cli("simulate", str(path))
    assert code == 2 and out == "" and "Traceback" not in err
    assert "spec.allowed_skin_phases.1='brass'" in err and "alpha, beta, gamma" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.integration
def test_the_twin_passes_a_three_phase_skin_named_in_another_order():
    """At a 900 K peak the skin is α, β and γ with γ most abundant ("gamma+alpha+beta"): an engineer who allows
    "beta+gamma+alpha" gets every metre (the exact-string rule rejected them all), one who allows α only none."""
    base = ['plant.lines=[{type="uht", name="uht-1"}]', "plant.lines.0.equipment=[]",
            "plant.lines.0.web_breaks.enabled=false", "plant.lines.0.settings.stage3_peak_K=900.0", "hours=0.5",
            "spec.skin_thickness_nm_min=0.0", "spec.skin_thickness_nm_max=1e4", "spec.surface_zn_at_frac_min=0.0",
            "spec.surface_zn_at_frac_max=1.0"]
    got = {}
    for allowed in ("['alpha']", "['beta+gamma+alpha']"):
        line = run_single(apply_overrides(Scenario(), [*base, f"spec.allowed_skin_phases={allowed}"]))["lines"]["uht-1"]
        assert line["metres_produced"] > 0.0
        assert set(line["skin_phase_metres"]) == {"gamma+alpha+beta"}
        got[allowed] = line["metres_truly_in_spec"] / line["metres_produced"]
    assert got == {"['alpha']": 0.0, "['beta+gamma+alpha']": 1.0}
